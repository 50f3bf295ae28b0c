//! One run's whole trajectory, replayed from `(scenario, seed, run)` alone.
//!
//! The replay drives the same [`Runner`] with the same streams as the batch, so it is
//! exactly the run the batch contained, not a re-simulation that merely resembles it.

use std::fs;
use std::path::Path;

use super::atomic::OutputError;
use super::csv::Table;
use crate::model::State;
use crate::montecarlo::{Observer, Runner, stream_keys};
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
        }
    }
}

impl Observer for ReplayTables<'_> {
    fn record(&mut self, t: usize, st: &State) {
        let n = st.n;
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

    fn fired(&mut self, t: usize, event: usize, magnitude: f64, attributed: bool) {
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
}

/// Simulates run `run` of master seed `seed` and returns its tables.
pub fn replay(sc: &Scenario, seed: u64, run: u64) -> ReplayTables<'_> {
    let keys = stream_keys(sc, seed);
    let mut runner = Runner::new(sc, &keys);
    let mut tables = ReplayTables::new(sc);
    runner.run(run, &mut tables);
    tables
}

/// Writes `trajectory.csv`, `pairs.csv` and `events.csv` of one run into `dir`.
pub fn write_replay(dir: &Path, sc: &Scenario, seed: u64, run: u64) -> Result<(), OutputError> {
    let tables = replay(sc, seed, run);
    let files = [
        ("trajectory.csv", tables.actors.into_string()),
        ("pairs.csv", tables.pairs.into_string()),
        ("events.csv", tables.events.into_string()),
    ];
    for (name, text) in files {
        let path = dir.join(name);
        fs::write(&path, text).map_err(|e| OutputError::io(&path, e))?;
    }
    Ok(())
}
