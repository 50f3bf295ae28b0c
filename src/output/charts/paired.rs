//! What the charts of paired studies (`influence compare`, `influence ablate`) share: writing
//! them, the study view of their scenario, subtitles, and value axes centred on zero.
//!
//! Like a study's, these charts are drawn only from the files of their output directory, so
//! `influence chart DIR` redraws them exactly.

use std::fs;
use std::path::Path;
use std::time::Instant;

use super::error::ChartError;
use super::frame::Context;
use super::input::StudyData;
use super::{ChartFile, ChartsReport, Drawn};
use crate::scenario::Scenario;

/// Writes drawn charts into `charts_dir` (created if needed), in the order given.
pub fn save<N: AsRef<str>>(
    charts_dir: &Path,
    drawn: Vec<(N, Result<Drawn, ChartError>)>,
    started: Instant,
) -> Result<ChartsReport, ChartError> {
    fs::create_dir_all(charts_dir).map_err(|source| ChartError::Write {
        path: charts_dir.to_path_buf(),
        source,
    })?;
    let mut charts = Vec::with_capacity(drawn.len());
    for (name, result) in drawn {
        let chart = result?;
        let name = name.as_ref();
        let path = charts_dir.join(name);
        fs::write(&path, &chart.png).map_err(|source| ChartError::Write { path, source })?;
        charts.push(ChartFile {
            name: name.to_string(),
            width: chart.width,
            height: chart.height,
            panels: chart.panels,
        });
    }
    Ok(ChartsReport {
        dir: charts_dir.to_path_buf(),
        charts,
        elapsed_s: started.elapsed().as_secs_f64(),
    })
}

/// A study's view of a scenario without its tables: what the shared title block, time axis,
/// event marks and small-multiple grids need. Charts of paired studies draw their own data.
pub fn bare_study(
    scenario: Scenario,
    runs: u64,
    seed: u64,
    bands: Vec<super::input::Band>,
) -> StudyData {
    StudyData {
        scenario,
        runs,
        seed,
        bands,
        sample_runs: Vec::new(),
        sample: Vec::new(),
        finals: Vec::new(),
        trust_end: Vec::new(),
        outcomes: Vec::new(),
        blocs: None,
        convergence: None,
        thresholds: None,
    }
}

/// `"<what> · 1000 paired runs · seed 42 · 26 weeks from 28 Apr 2025"`: the subtitle that
/// says what a picture shows when it is found on its own.
pub fn subtitle(ctx: &Context, what: &str, runs: &str) -> String {
    let sc = &ctx.data.scenario;
    let span = match ctx.time.date(0) {
        Some(d) => format!("{} from {}", ctx.time.units(sc.steps), d.long()),
        None => ctx.time.units(sc.steps),
    };
    format!("{what} · {runs} · seed {} · {span}", ctx.data.seed)
}

/// Round limits whose halves (the inner ticks) are round too.
const ROUND: [f64; 10] = [1.0, 1.2, 1.6, 2.0, 2.4, 3.0, 4.0, 5.0, 6.0, 8.0];

/// A symmetric axis around zero: its half-range and the decimals its labels need.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ZeroAxis {
    /// The axis runs from −limit to +limit, with ticks at ±limit, ±limit/2 and 0.
    pub limit: f64,
    pub decimals: usize,
}

impl ZeroAxis {
    /// The smallest round axis (1, 1.2, 1.6, 2, 2.4, 3, 4, 5, 6 or 8 × 10^k) that holds
    /// `max_abs`, and at least `floor`, so that effects of nothing are not magnified into
    /// noise. The steps are fine enough that data fill at least two thirds of the axis.
    pub fn holding(max_abs: f64, floor: f64) -> ZeroAxis {
        let need = if max_abs.is_finite() {
            max_abs.max(floor)
        } else {
            floor
        };
        let mut k = need.log10().floor() as i32 - 1;
        let limit = loop {
            let p = 10f64.powi(k);
            if let Some(m) = ROUND
                .iter()
                .map(|m| m * p)
                .find(|&l| l >= need * (1.0 - 1e-12))
            {
                break m;
            }
            k += 1;
        };
        // Half the limit must print exactly: 0.05 needs three decimals for its 0.025.
        let decimals = (0..=8)
            .find(|&d| {
                let f = 10f64.powi(d as i32);
                [limit, limit / 2.0]
                    .iter()
                    .all(|v| ((v * f).round() - v * f).abs() < 1e-6)
            })
            .unwrap_or(8);
        ZeroAxis { limit, decimals }
    }

    /// Tick values, bottom (or left) to top (or right).
    pub fn ticks(&self) -> [f64; 5] {
        let l = self.limit;
        [-l, -l / 2.0, 0.0, l / 2.0, l]
    }

    /// A tick label: "0", "+0.05", "−0.025", with a true minus sign.
    pub fn label(&self, v: f64) -> String {
        if v == 0.0 {
            "0".to_string()
        } else {
            signed_fixed(v, self.decimals)
        }
    }

    /// The widest tick label, to size the space beside the axis.
    pub fn widest_label(&self) -> String {
        self.label(-self.limit / 2.0)
    }
}

/// A signed number with `decimals` decimals and a true minus sign; zero without a sign.
pub fn signed_fixed(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return "n/a".into();
    }
    let text = format!("{:.*}", decimals, v.abs());
    if text.chars().all(|c| c == '0' || c == '.') {
        text
    } else if v < 0.0 {
        format!("−{text}")
    } else {
        format!("+{text}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_axis_takes_the_next_round_limit() {
        assert_eq!(ZeroAxis::holding(0.031, 0.001).limit, 0.04);
        assert_eq!(ZeroAxis::holding(0.031, 0.001).decimals, 2);
        assert_eq!(ZeroAxis::holding(0.021, 0.001).limit, 0.024);
        assert_eq!(ZeroAxis::holding(0.021, 0.001).decimals, 3);
        assert_eq!(ZeroAxis::holding(0.2, 0.001).limit, 0.2);
        assert_eq!(ZeroAxis::holding(0.21, 0.001).limit, 0.24);
        assert_eq!(ZeroAxis::holding(52.9, 1.0).limit, 60.0);
        assert_eq!(ZeroAxis::holding(52.9, 1.0).label(30.0), "+30");
        assert_eq!(ZeroAxis::holding(0.0, 0.01).limit, 0.01);
        assert_eq!(ZeroAxis::holding(f64::NAN, 0.01).limit, 0.01);
        assert_eq!(ZeroAxis::holding(0.7, 0.01).label(-0.5), "−0.5");
    }

    #[test]
    fn signed_numbers_carry_a_true_minus_and_no_sign_at_zero() {
        assert_eq!(signed_fixed(-0.0312, 3), "−0.031");
        assert_eq!(signed_fixed(0.0312, 3), "+0.031");
        assert_eq!(signed_fixed(-0.0001, 3), "0.000");
    }
}
