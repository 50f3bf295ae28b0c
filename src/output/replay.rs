//! One run's whole trajectory, replayed from `(scenario, seed, run)` alone.
//!
//! The replay drives the same [`Runner`] with the same streams as the batch, so it is
//! exactly the run the batch contained, not a re-simulation that merely resembles it.

use std::fs;
use std::path::Path;

use super::atomic::OutputError;
use super::csv::Table;
use crate::model::State;
use crate::montecarlo::{MergeError, Tally};
use crate::scenario::Scenario;

/// Rows of the three replay tables, built as the run goes.
pub struct ReplayTables<'a> {
    sc: &'a Scenario,
    /// `step,actor,alignment,power`
    pub actors: Table,
    /// `step,from,to,trust,shock,threat`
    pub pairs: Table,
    /// `step,event,label,kind,actor,target,magnitude,attributed`
    pub events: Table,
    /// The final alignment, for comparison with the batch's final table.
    pub final_alignment: Vec<f64>,
    /// Runs recorded: 1 for a replay.
    runs: u64,
}

impl<'a> ReplayTables<'a> {
    pub fn new(sc: &'a Scenario) -> Self {
        ReplayTables {
            sc,
            actors: Table::new(&["step", "actor", "alignment", "power"]),
            pairs: Table::new(&["step", "from", "to", "trust", "shock", "threat"]),
            events: Table::new(&[
                "step",
                "event",
                "label",
                "kind",
                "actor",
                "target",
                "magnitude",
                "attributed",
            ]),
            final_alignment: Vec::new(),
            runs: 0,
        }
    }
}

/// A replay is a tally of one run: it keeps every row of it. Merging is refused, since a
/// replay's rows are in step order and belong to one run.
impl Tally for ReplayTables<'_> {
    fn record(&mut self, _side: usize, _sc: &Scenario, t: usize, st: &State) {
        let n = st.n;
        if t == 0 {
            self.runs += 1;
        }
        for (i, actor) in self.sc.actors.iter().enumerate() {
            self.actors
                .row()
                .int(t as u64)
                .text(&actor.name)
                .num(st.alignment[i])
                .num(st.power[i]);
        }
        for (i, from) in self.sc.actors.iter().enumerate() {
            for (j, to) in self.sc.actors.iter().enumerate() {
                if i != j {
                    let k = i * n + j;
                    self.pairs
                        .row()
                        .int(t as u64)
                        .text(&from.name)
                        .text(&to.name)
                        .num(st.trust[k])
                        .num(st.shock[k])
                        .num(st.threat[k]);
                }
            }
        }
        if t == self.sc.steps {
            self.final_alignment = st.alignment.clone();
        }
    }

    fn fired(&mut self, _side: usize, t: usize, event: usize, magnitude: f64, attributed: bool) {
        let ev = &self.sc.events[event];
        let name = |i: Option<usize>| i.map(|i| self.sc.actors[i].name.as_str()).unwrap_or("");
        self.events
            .row()
            .int(t as u64)
            .text(&ev.id)
            .text(&ev.label)
            .text(&ev.kind)
            .text(name(ev.actor))
            .text(name(ev.target))
            .num(magnitude)
            .text(if attributed { "true" } else { "false" });
    }

    fn merge(&mut self, other: Self) -> Result<(), MergeError> {
        if other.runs == 0 {
            return Ok(());
        }
        Err(MergeError::shape("replays (runs)", self.runs, other.runs))
    }
}

/// Writes `trajectory.csv`, `pairs.csv` and `events.csv` of a replayed run into `dir`.
pub fn write_replay(dir: &Path, tables: &ReplayTables) -> Result<(), OutputError> {
    let files = [
        ("trajectory.csv", tables.actors.as_str()),
        ("pairs.csv", tables.pairs.as_str()),
        ("events.csv", tables.events.as_str()),
    ];
    for (name, text) in files {
        let path = dir.join(name);
        fs::write(&path, text).map_err(|e| OutputError::io(&path, e))?;
    }
    Ok(())
}
