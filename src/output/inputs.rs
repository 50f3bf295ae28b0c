//! `inputs.csv`: the value every uncertain input took in every run.
//!
//! Values are not kept while the runs are simulated: each is a function of (plan, run index,
//! input name) alone, so the table is recomputed here, run by run, as it is written. Memory
//! stays flat in the number of runs, and a shard writes exactly its slice of the table.

use std::io::{self, Write};

use super::csv::{push_field, push_number, push_uint};
use crate::montecarlo::{RunPlan, stream_keys};
use crate::scenario::Scenario;

/// The header of `inputs.csv`.
pub const INPUTS_HEADER: &str = "run,input,value\n";

/// Writes the rows of `inputs.csv` for the runs of `plan` (side 0), runs in order, inputs in
/// scenario order; with `header`, the header line first.
pub fn write_inputs_csv(
    out: &mut impl Write,
    sc: &Scenario,
    plan: &RunPlan,
    header: bool,
) -> io::Result<()> {
    if header {
        out.write_all(INPUTS_HEADER.as_bytes())?;
    }
    let keys = stream_keys(sc, plan.seed);
    let names: Vec<String> = sc
        .inputs
        .iter()
        .map(|i| {
            let mut f = String::new();
            push_field(&mut f, &i.name);
            f
        })
        .collect();
    let mut values = Vec::new();
    let mut line = String::new();
    for k in plan.runs.clone() {
        plan.input_values(sc, &keys, k, &mut values);
        line.clear();
        for (name, &v) in names.iter().zip(&values) {
            push_uint(&mut line, k);
            line.push(',');
            line.push_str(name);
            line.push(',');
            push_number(&mut line, v);
            line.push('\n');
        }
        out.write_all(line.as_bytes())?;
    }
    Ok(())
}
