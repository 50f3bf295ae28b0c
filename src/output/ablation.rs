//! The files and terminal summary of an event ablation: what each event contributes to each
//! outcome and to each actor's final alignment, measured by leaving it out.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use super::atomic::OutputError;
use super::schema::ablation::{self, Ablation, AblationRecord};
use super::schema::summary::{self, AblationSummary, Summary};
use super::schema::{SCENARIO_FILE, TableWriter};
use super::study::{StudyMeta, r6};
use crate::analysis::ablation::{Effect, Measure};
use crate::scenario::{Event, Scenario};

/// Events listed per outcome in the terminal summary.
pub const TOP_PER_OUTCOME: usize = 5;
/// Events listed per actor in the terminal summary.
pub const TOP_PER_ACTOR: usize = 3;

/// Writes every file of an ablation into `dir` (normally a staging directory).
pub fn write_ablation(
    dir: &Path,
    sc: &Scenario,
    scenario_text: &str,
    effects: &[Effect],
    runs: u64,
    seed: u64,
    meta: &StudyMeta,
) -> Result<(), OutputError> {
    let files = [
        (ablation::FILE, ablation_csv(sc, effects)),
        (
            summary::FILE,
            Summary::Ablation(ablation_summary(sc, runs, seed, meta)).to_output(dir)?,
        ),
        (SCENARIO_FILE, scenario_text.to_string()),
    ];
    for (name, text) in files {
        let path = dir.join(name);
        fs::write(&path, text).map_err(|e| OutputError::io(&path, e))?;
    }
    Ok(())
}

/// The label an event goes by: its label, or its id when it has none.
pub fn event_label(e: &Event) -> &str {
    if e.label.trim().is_empty() {
        &e.id
    } else {
        &e.label
    }
}

/// `event,label,kind,measure,name,effect,ci_low,ci_high,rank`: effect = with the event minus
/// without it, rows grouped by measure and name (outcomes, then actors, in scenario order) in
/// rank order.
pub fn ablation_csv(sc: &Scenario, effects: &[Effect]) -> String {
    let mut t = TableWriter::<Ablation>::new();
    for e in effects {
        let Some(event) = sc.events.get(e.event) else {
            continue;
        };
        t.push(&AblationRecord {
            event: &event.id,
            label: &event.label,
            kind: &event.kind,
            measure: e.measure,
            name: &e.name,
            effect: e.effect,
            ci_low: e.interval.low,
            ci_high: e.interval.high,
            rank: e.rank as u64,
        });
    }
    t.into_string()
}

/// The summary of an ablation.
pub fn ablation_summary(sc: &Scenario, runs: u64, seed: u64, meta: &StudyMeta) -> AblationSummary {
    AblationSummary {
        tool: env!("CARGO_PKG_NAME").into(),
        version: env!("CARGO_PKG_VERSION").into(),
        scenario: sc.name.clone(),
        scenario_sha256: sc.sha256.clone(),
        seed,
        runs,
        events: sc.events.len(),
        steps: sc.steps,
        threads: meta.threads,
        elapsed_s: r6(meta.elapsed_s),
    }
}

/// Text cut to `max` characters with an ellipsis, so that table columns stay aligned.
fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut s: String = text.chars().take(max.saturating_sub(3)).collect();
        s.push_str("...");
        s
    }
}

/// The effects on one measure and name, in rank order.
fn ranked<'a>(effects: &'a [Effect], measure: Measure, name: &str) -> Vec<&'a Effect> {
    let mut out: Vec<&Effect> = effects
        .iter()
        .filter(|e| e.measure == measure && e.name == name)
        .collect();
    out.sort_by_key(|e| e.rank);
    out
}

/// One measure's leading events: rank, label, effect and interval, with `places` decimals.
fn block(
    s: &mut String,
    sc: &Scenario,
    title: &str,
    ranked: &[&Effect],
    top: usize,
    label_w: usize,
    places: usize,
) {
    let _ = writeln!(s, "  {title}");
    for e in ranked.iter().take(top) {
        let label = sc.events.get(e.event).map(event_label).unwrap_or("?");
        let _ = writeln!(
            s,
            "    {:>2}. {:<label_w$}  {:>+8.places$}  [{:+.places$}, {:+.places$}]",
            e.rank,
            clip(label, label_w),
            e.effect,
            e.interval.low,
            e.interval.high
        );
    }
}

/// The ablation as a plain-text summary: for each outcome the events with the largest
/// effects on its probability, for each actor those with the largest on its final alignment.
pub fn ablation_table(sc: &Scenario, effects: &[Effect], runs: u64, seed: u64) -> String {
    let mut s = String::new();
    let events = sc.events.len();
    let _ = writeln!(
        s,
        "{}: {} event{} left out one at a time, {} paired runs each, seed {}, {} {}s",
        sc.name,
        events,
        if events == 1 { "" } else { "s" },
        runs,
        seed,
        sc.steps,
        sc.step_unit
    );
    if events == 0 {
        let _ = writeln!(s, "\nThe scenario has no [[event]] to leave out.");
        return s;
    }
    let label_w = sc
        .events
        .iter()
        .map(|e| event_label(e).chars().count())
        .max()
        .unwrap_or(5)
        .clamp(5, 48);
    if !sc.outcomes.is_empty() {
        let _ = writeln!(
            s,
            "\nEffect on each outcome's probability (with the event - without it), largest first"
        );
        for o in &sc.outcomes {
            let top = ranked(effects, Measure::Outcome, &o.name);
            block(&mut s, sc, &o.name, &top, TOP_PER_OUTCOME, label_w, 3);
        }
    }
    let _ = writeln!(
        s,
        "\nEffect on each actor's mean final alignment (-1 = {}, +1 = {}), largest first",
        sc.axis.negative, sc.axis.positive
    );
    for a in &sc.actors {
        let top = ranked(effects, Measure::FinalAlignment, &a.name);
        // Stubborn actors move by thousandths; four decimals keep their effects apart.
        block(&mut s, sc, &a.name, &top, TOP_PER_ACTOR, label_w, 4);
    }
    let _ = writeln!(
        s,
        "\nIntervals are paired 95% intervals: each run without the event draws the same random\n\
         numbers as the same run with it. ablation.csv ranks every event on every measure."
    );
    s
}
