//! `influence merge` of the parts of `influence calibrate --shard` (MODEL.md, "Calibration").
//!
//! Every part is read and checked before anything is written: the same scenario (by
//! SHA-256), seed, tool version and split, and the same calibration (samples, runs, keep,
//! rounds, hold-out and observations), each shard once, none missing. A part holds the
//! tallies of a contiguous range of the rejection step's design points, so the parts are
//! joined end to end in shard order into exactly the tally one machine would have made.
//! The rest is then computed here as the unsharded calibration computes it: the points
//! kept and their weights, and the rounds of sequential Monte Carlo ABC asked for, which
//! propose around the kept points and so could not run before every shard was in. The
//! rounds run on this machine's threads; their proposals depend on the seed and the round
//! only, so the result does not depend on where or how the rounds ran. The files and
//! charts are those of the unsharded calibration, byte for byte; its summary.json differs
//! only in timing and threads.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use super::calibrate::{self, CalibratePart, Calibration};
use super::merge::MergePartsError;
use super::merge_sensitivity::{Share, check_covers, meta, read_parts, read_scenario};
use super::sensitivity::shard_share;
use super::{Finished, OutputRequest};
use crate::montecarlo::Header;
use crate::montecarlo::plan::Shard;
use crate::scenario::Scenario;

impl Share for CalibratePart {
    fn shard(&self) -> Shard {
        self.shard
    }
    fn header(&self) -> &Header {
        &self.tallied.header
    }
    fn threads(&self) -> usize {
        self.threads
    }
    fn elapsed_s(&self) -> f64 {
        self.elapsed_s
    }
    fn differs(&self, other: &Self) -> Option<String> {
        if (self.samples, self.runs) != (other.samples, other.runs) {
            return Some(format!(
                "samples {} and {}, runs per point {} and {}",
                self.samples, other.samples, self.runs, other.runs
            ));
        }
        if self.keep != other.keep {
            return Some(format!("keep {} and {}", self.keep, other.keep));
        }
        if self.rounds != other.rounds {
            return Some(format!("rounds {} and {}", self.rounds, other.rounds));
        }
        if self.hold_out_after != other.hold_out_after {
            let step = |s: Option<u64>| s.map_or("none".to_string(), |s| s.to_string());
            return Some(format!(
                "hold-out after step {} and {}",
                step(self.hold_out_after),
                step(other.hold_out_after)
            ));
        }
        if self.observations != other.observations {
            return Some(format!(
                "different observations ({} and {} of them, or the same number differing)",
                self.observations.len(),
                other.observations.len()
            ));
        }
        None
    }
}

/// Merges the parts of a sharded calibration into its directory, running the rounds of
/// sequential Monte Carlo ABC the parts ask for on `pool`.
pub fn merge_calibrate(
    dirs: &[PathBuf],
    output: &OutputRequest,
    pool: &rayon::ThreadPool,
    progress: &(dyn Fn(u64) + Sync),
    cancel: &AtomicBool,
) -> Result<(Finished<Calibration>, Scenario), MergePartsError> {
    let parts: Vec<(PathBuf, CalibratePart)> = read_parts(dirs, calibrate::PART_COMMAND)?;
    let Some((first_dir, first)) = parts.first() else {
        return Err(MergePartsError::NoParts);
    };
    let first_dir = first_dir.clone();
    let (source, sc) = read_scenario(&first_dir, &first.tallied.header)?;
    let req =
        first
            .request(&sc, output.clone())
            .map_err(|message| MergePartsError::Unreadable {
                path: first_dir
                    .join(super::shard::PART_FILE)
                    .display()
                    .to_string(),
                message,
            })?;
    calibrate::check_request(&sc, &req).map_err(|e| MergePartsError::Calibrate(Box::new(e)))?;
    let parts_meta = meta(&parts);
    let join = |dir: &Path, reason: String| MergePartsError::Mismatch {
        a: first_dir.display().to_string(),
        b: dir.display().to_string(),
        reason,
    };
    let mut joined: Option<(Header, crate::analysis::calibration::ObservedTally)> = None;
    for (dir, p) in parts {
        let share = shard_share(p.shard, req.samples, req.runs);
        let (start, end) = (share.share.start as usize, share.share.end as usize);
        if (p.points_start, p.points_end) != (share.share.start, share.share.end)
            || p.tallied.tally.points() != (start..end)
        {
            return Err(join(
                &dir,
                format!(
                    "shard {} of {} should hold design points {}..{}",
                    p.shard.index, p.shard.count, share.share.start, share.share.end
                ),
            ));
        }
        p.tallied
            .tally
            .check_complete()
            .map_err(|e| join(&dir, e.to_string()))?;
        match joined.as_mut() {
            None => joined = Some((p.tallied.header, p.tallied.tally)),
            Some((header, tally)) => {
                header
                    .merge(&p.tallied.header)
                    .map_err(|e| join(&dir, e.to_string()))?;
                tally
                    .append(p.tallied.tally)
                    .map_err(|e| join(&dir, e.to_string()))?;
            }
        }
    }
    let Some((header, tally)) = joined else {
        return Err(MergePartsError::NoParts);
    };
    check_covers(&header, req.samples.saturating_mul(req.runs), &first_dir)?;
    let simulate = || {
        let values = calibrate::design(&sc, &req)?;
        calibrate::refine(
            &sc,
            &req,
            values,
            tally.predictions(),
            pool,
            progress,
            cancel,
        )
    };
    let report = calibrate::write_study(&sc, &source.text, &req, pool, simulate, Some(parts_meta))
        .map_err(|e| MergePartsError::Calibrate(Box::new(e)))?;
    Ok((report, sc))
}
