//! The page of an ablation (`influence ablate`): which events matter most? The first screen
//! names, for each outcome and actor, the event whose absence changes it most, with the
//! paired interval; then the tornado charts, the ranked effects, the scenario and the
//! provenance.

use std::fmt::Write;
use std::path::Path;

use super::html::{self, Cell, Page, Table, esc};
use super::{
    ReportError, figures, generic, optional_summary_fields, read_scenario, scenario, words,
};
use crate::analysis::ablation::Measure;
use crate::output::charts::tornado;
use crate::output::schema::ablation::{self, Ablation};
use crate::output::schema::{AblationSummary, SCENARIO_FILE, TableReader};

/// One row of ablation.csv, owned.
struct Effect {
    label: String,
    kind: String,
    measure: Measure,
    name: String,
    effect: f64,
    ci_low: f64,
    ci_high: f64,
    rank: u64,
}

fn read(dir: &Path) -> Result<Vec<Effect>, ReportError> {
    let mut reader = TableReader::<Ablation>::open(&dir.join(ablation::FILE))?;
    let mut out = Vec::new();
    while reader.next_record()? {
        let r = reader.record()?;
        out.push(Effect {
            label: if r.label.trim().is_empty() {
                r.event
            } else {
                r.label
            }
            .to_string(),
            kind: r.kind.to_string(),
            measure: r.measure,
            name: r.name.to_string(),
            effect: r.effect,
            ci_low: r.ci_low,
            ci_high: r.ci_high,
            rank: r.rank,
        });
    }
    Ok(out)
}

/// An effect in its unit: percentage points for an outcome, alignment for an actor.
fn amount(measure: Measure, x: f64) -> String {
    match measure {
        Measure::Outcome => words::points(x, 1),
        Measure::FinalAlignment => words::signed(x, 3),
    }
}

fn first_screen(s: &AblationSummary, effects: &[Effect]) -> String {
    let mut h = String::new();
    let _ = writeln!(
        h,
        "<p class=\"question\"><strong>The question.</strong> Which events matter most? Each of \
         the {} events was left out in turn, and the scenario with it and without it ran the \
         same {} runs on the same random numbers; an event's effect is the difference it makes, \
         with the event minus without it.</p>",
        s.events, s.runs
    );
    h.push_str("<p class=\"question\"><strong>The answer</strong>: the event with the largest effect on each outcome and on each actor's final alignment.</p>\n<ul class=\"answers\">\n");
    for e in effects.iter().filter(|e| e.rank == 1) {
        let what = match e.measure {
            Measure::Outcome => e.name.clone(),
            Measure::FinalAlignment => format!("{}: final alignment", e.name),
        };
        let clear = words::direction(
            e.ci_low,
            e.ci_high,
            "clear",
            "clear",
            "not clear: the interval includes zero",
        );
        let _ = writeln!(
            h,
            "<li><p class=\"what\">{}</p><p><span class=\"verdict\">{}</span> ({}): {} (95% interval {} to {}; {}).</p></li>",
            esc(&what),
            esc(&e.label),
            esc(&e.kind),
            esc(&amount(e.measure, e.effect)),
            esc(&amount(e.measure, e.ci_low)),
            esc(&amount(e.measure, e.ci_high)),
            esc(&clear)
        );
    }
    h.push_str("</ul>\n");
    h
}

fn table(effects: &[Effect]) -> Table {
    let mut t = Table::new(
        "Every event's effect on every measure (ablation.csv)",
        &[
            ("measure", false),
            ("rank", true),
            ("event", false),
            ("kind", false),
            ("effect", true),
            ("95% low", true),
            ("95% high", true),
        ],
    );
    for e in effects {
        let what = match e.measure {
            Measure::Outcome => e.name.clone(),
            Measure::FinalAlignment => format!("{}: final alignment", e.name),
        };
        let x = |v: f64| Cell::num(amount(e.measure, v), v);
        t.push(vec![
            Cell::text(what),
            Cell::num(e.rank.to_string(), e.rank as f64),
            Cell::text(&e.label),
            Cell::text(&e.kind),
            x(e.effect),
            x(e.ci_low),
            x(e.ci_high),
        ]);
    }
    t.note = Some(
        "Effects on outcomes are in percentage points of probability, on final alignment in \
         alignment units; rank 1 is the largest effect on its measure."
            .to_string(),
    );
    t
}

/// The page of the ablation in `dir`, whose summary is `s`.
pub fn page(dir: &Path, s: &AblationSummary) -> Result<String, ReportError> {
    let sc = read_scenario(dir, SCENARIO_FILE)?;
    let effects = read(dir)?;
    let mut page = Page::new(
        &sc.name,
        "influence \u{b7} event ablation",
        sc.description.as_deref(),
    );
    page.section(
        "answer",
        "The question and the answer",
        first_screen(s, &effects),
    );
    let caption = "One panel per measure: the events with the largest effects as bars from zero, largest on top, with their paired 95% intervals as whiskers; a bar whose interval includes zero is drawn pale.";
    let charts = [
        (
            tornado::FILE,
            format!(
                "Tornado charts of each event's effect on each outcome's probability, in percentage points, {} runs per event.",
                s.runs
            ),
            format!("Which events matter most for each outcome. {caption}"),
        ),
        (
            tornado::ALIGNMENT_FILE,
            "Tornado charts of each event's effect on each actor's final alignment.".to_string(),
            format!("Which events matter most for where each actor ends. {caption}"),
        ),
    ];
    page.section("charts", "Charts", figures::section(dir, &charts)?);
    let mut t = table(&effects).render();
    t.push_str(&generic::tables(dir, &[ablation::FILE])?);
    page.section("tables", "Tables", t);
    page.section("scenario", "What was assumed", scenario::section(&sc));
    let mut facts = vec![
        ("Tool".to_string(), format!("{} {}", s.tool, s.version)),
        ("Scenario".to_string(), s.scenario.clone()),
        ("Scenario SHA-256".to_string(), s.scenario_sha256.clone()),
        ("Master seed".to_string(), s.seed.to_string()),
        ("Paired runs per event".to_string(), s.runs.to_string()),
        ("Events".to_string(), s.events.to_string()),
        ("Steps".to_string(), s.steps.to_string()),
    ];
    facts.extend(optional_summary_fields(dir));
    page.section("provenance", "Provenance", html::facts(&facts));
    Ok(page.finish())
}
