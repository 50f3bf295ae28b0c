//! The page of a comparison (`influence compare`): what the variant changes against the
//! base, run for run on the same random numbers. The first screen gives each outcome's
//! paired difference in words and numbers; then the charts, the tables, what differs
//! between the two scenarios, and the provenance of both.

use std::fmt::Write;
use std::path::Path;

use super::html::{self, Cell, Page, Table, esc};
use super::words::capitalise;
use super::{
    ReportError, figures, generic, optional_summary_fields, read_scenario, scenario, words,
};
use crate::output::charts::{compare as compare_chart, difference};
use crate::output::schema::CompareSummary;
use crate::output::schema::compare::{BASE_SCENARIO, VARIANT_SCENARIO};
use crate::output::schema::summary::CompareOutcome;
use crate::scenario::Scenario;

fn outcome_answer(s: &CompareSummary, o: &CompareOutcome) -> String {
    let d = words::percent_decimals(o.ci_low, o.ci_high);
    let change = words::direction(
        o.ci_low,
        o.ci_high,
        "the variant makes it more likely",
        "the variant makes it less likely",
        "no clear change",
    );
    let mut h = String::from("<li>\n");
    let _ = writeln!(h, "<p class=\"what\">{}</p>", esc(&o.name));
    let _ = writeln!(
        h,
        "<p><span class=\"verdict\">{}</span>: {} with {}, {} with {}; difference {} (95% interval {} to {}).</p>",
        esc(&capitalise(&change)),
        esc(&words::percent(o.p_base, d)),
        esc(&s.base.label),
        esc(&words::percent(o.p_variant, d)),
        esc(&s.variant.label),
        esc(&words::points(o.diff, 1)),
        esc(&words::points(o.ci_low, 1)),
        esc(&words::points(o.ci_high, 1)),
    );
    h.push_str("</li>\n");
    h
}

fn first_screen(s: &CompareSummary) -> String {
    let mut h = String::new();
    let _ = writeln!(
        h,
        "<p class=\"question\"><strong>The question.</strong> What does the variant <em>{}</em> \
         change against the base <em>{}</em>? Both ran the same {} runs on the same random \
         numbers (master seed {}), so each difference is measured run for run.</p>",
        esc(&s.variant.label),
        esc(&s.base.label),
        s.runs,
        s.seed
    );
    if s.outcomes.is_empty() {
        h.push_str(&html::para("The two scenarios share no outcome."));
    } else {
        h.push_str("<p class=\"question\"><strong>The answer</strong>, outcome by outcome (variant \u{2212} base, in percentage points):</p>\n<ul class=\"answers\">\n");
        for o in &s.outcomes {
            h.push_str(&outcome_answer(s, o));
        }
        h.push_str("</ul>\n");
    }
    // Largest clear differences first, each with the decimals its interval needs: a paired
    // interval can be far narrower than a thousandth.
    let mut clear: Vec<_> = s
        .actors
        .iter()
        .filter(|a| a.ci_low > 0.0 || a.ci_high < 0.0)
        .collect();
    clear.sort_by(|a, b| b.mean_diff.abs().total_cmp(&a.mean_diff.abs()));
    let said: Vec<String> = clear
        .iter()
        .take(4)
        .map(|a| {
            let d = words::decimals_for(a.ci_high - a.ci_low);
            format!(
                "{} {} (95% interval {} to {})",
                a.name,
                words::signed(a.mean_diff, d),
                words::signed(a.ci_low, d),
                words::signed(a.ci_high, d)
            )
        })
        .collect();
    let more = match clear.len().saturating_sub(said.len()) {
        0 => String::new(),
        k => format!(" {k} more differ by less (see the table)."),
    };
    h.push_str(&html::para(&if said.is_empty() {
        "No actor's mean final alignment differs clearly between the two.".to_string()
    } else {
        format!(
            "Mean final alignment, variant \u{2212} base, largest clear differences (the 95% interval excludes zero): {}.{more}",
            words::list(&said)
        )
    }));
    for (names, side) in [
        (&s.outcomes_only_in_base, &s.base.label),
        (&s.outcomes_only_in_variant, &s.variant.label),
    ] {
        if !names.is_empty() {
            h.push_str(&html::para(&format!(
                "Only {side} names {}, so it is not compared.",
                words::list(names)
            )));
        }
    }
    h
}

fn tables(s: &CompareSummary) -> String {
    let mut h = String::new();
    let mut t = Table::new(
        "Outcomes under both scenarios (diff_outcomes.csv)",
        &[
            ("outcome", false),
            (&s.base.label, true),
            (&s.variant.label, true),
            ("difference", true),
            ("95% low", true),
            ("95% high", true),
            ("independent 95% low", true),
            ("independent 95% high", true),
            ("narrowing", true),
        ],
    );
    for o in &s.outcomes {
        let pc = |x: f64| Cell::num(words::percent(x, 1), x);
        let pt = |x: f64| Cell::num(words::signed(x * 100.0, 1), x);
        t.push(vec![
            Cell::text(&o.name),
            pc(o.p_base),
            pc(o.p_variant),
            pt(o.diff),
            pt(o.ci_low),
            pt(o.ci_high),
            pt(o.independent_ci_low),
            pt(o.independent_ci_high),
            narrowing(o.narrowing),
        ]);
    }
    t.note = Some(
        "Differences in percentage points. The independent interval is the one two separate \
         batches of the same size would give; narrowing is its width over the paired one."
            .to_string(),
    );
    h.push_str(&t.render());
    let mut t = Table::new(
        "Mean final alignment under both scenarios",
        &[
            ("actor", false),
            (&s.base.label, true),
            (&s.variant.label, true),
            ("difference", true),
            ("95% low", true),
            ("95% high", true),
            ("variant higher (share of runs)", true),
            ("narrowing", true),
        ],
    );
    for a in &s.actors {
        let n = |x: f64| Cell::num(words::number(x, 3), x);
        let places = words::decimals_for(a.ci_high - a.ci_low);
        let d = |x: f64| Cell::num(words::signed(x, places), x);
        t.push(vec![
            Cell::text(&a.name),
            n(a.base_final_mean),
            n(a.variant_final_mean),
            d(a.mean_diff),
            d(a.ci_low),
            d(a.ci_high),
            Cell::num(words::percent(a.p_variant_higher, 0), a.p_variant_higher),
            narrowing(a.narrowing),
        ]);
    }
    h.push_str(&t.render());
    h
}

fn narrowing(x: Option<f64>) -> Cell {
    match x {
        Some(x) if x.is_finite() => Cell::num(format!("{x:.1}\u{d7}"), x),
        _ => Cell::text("n/a"),
    }
}

/// What differs between the two scenarios: events present in one only, events and actors
/// whose numbers differ, model parameters that differ.
fn differences(base: &Scenario, variant: &Scenario) -> String {
    let mut items: Vec<String> = Vec::new();
    let label = |e: &crate::scenario::Event| {
        if e.label.trim().is_empty() {
            e.id.clone()
        } else {
            e.label.clone()
        }
    };
    for e in &base.events {
        match variant.events.iter().find(|v| v.id == e.id) {
            None => items.push(format!(
                "Only the base has the event \u{201c}{}\u{201d}.",
                label(e)
            )),
            Some(v) if v != e => {
                items.push(format!("The event \u{201c}{}\u{201d} differs.", label(e)))
            }
            Some(_) => {}
        }
    }
    for e in &variant.events {
        if !base.events.iter().any(|b| b.id == e.id) {
            items.push(format!(
                "Only the variant has the event \u{201c}{}\u{201d}.",
                label(e)
            ));
        }
    }
    for a in &variant.actors {
        match base.actors.iter().find(|b| b.name == a.name) {
            None => items.push(format!("Only the variant has the actor {}.", a.name)),
            Some(b) if b != a => items.push(format!("The actor {} starts differently.", a.name)),
            Some(_) => {}
        }
    }
    for a in &base.actors {
        if !variant.actors.iter().any(|v| v.name == a.name) {
            items.push(format!("Only the base has the actor {}.", a.name));
        }
    }
    if base.model != variant.model {
        items.push("Model parameters differ (see the tables below).".to_string());
    }
    if base.trust0 != variant.trust0 || base.reach != variant.reach {
        items.push("Starting trust or reach between actors differs.".to_string());
    }
    if base.steps != variant.steps {
        items.push(format!(
            "The base runs {} steps, the variant {}.",
            base.steps, variant.steps
        ));
    }
    let mut h = String::new();
    if items.is_empty() {
        h.push_str(&html::para("The two scenario files describe the same actors, events and parameters; they differ only in names, comments or outcomes."));
    } else {
        h.push_str("<ul>\n");
        for item in items {
            let _ = writeln!(h, "<li>{}</li>", esc(&item));
        }
        h.push_str("</ul>\n");
    }
    h
}

/// The page of the comparison in `dir`, whose summary is `s`.
pub fn page(dir: &Path, s: &CompareSummary) -> Result<String, ReportError> {
    let base = read_scenario(dir, BASE_SCENARIO)?;
    let variant = read_scenario(dir, VARIANT_SCENARIO)?;
    let title = format!("{} against {}", s.variant.label, s.base.label);
    let mut page = Page::new(
        &title,
        "influence \u{b7} paired comparison",
        variant.description.as_deref(),
    );
    page.section("answer", "The question and the answer", first_screen(s));
    let finals: Vec<String> = s
        .actors
        .iter()
        .map(|a| format!("{} {}", a.name, words::signed(a.mean_diff, 3)))
        .collect();
    let charts = [
        (
            compare_chart::FILE,
            format!(
                "One panel per actor: alignment over time under the base (grey, median dashed) and the variant (colour), each with the middle 50% and 90% of {} runs as bands.",
                s.runs
            ),
            "Both scenarios over time, one panel per actor. The base is grey, its median dashed; the variant is in colour. Where the variant's bands leave the grey, its change moves the actor.".to_string(),
        ),
        (
            difference::FILE,
            format!(
                "One panel per actor: the paired difference variant minus base in alignment over time with its 95% interval and a zero line. Final mean differences: {}.",
                finals.join("; ")
            ),
            "The paired difference variant \u{2212} base of each actor's alignment, with its 95% interval. All panels share one axis centred on zero: above zero, the variant leaves the actor nearer the positive pole.".to_string(),
        ),
    ];
    page.section("charts", "Charts", figures::section(dir, &charts)?);
    let mut t = tables(s);
    t.push_str(&generic::tables(
        dir,
        &[
            "diff_outcomes.csv",
            "diff_alignment.csv",
            "base_alignment.csv",
            "variant_alignment.csv",
        ],
    )?);
    page.section("tables", "Tables", t);
    let mut sc = differences(&base, &variant);
    for (side, scen) in [("Base", &base), ("Variant", &variant)] {
        let _ = writeln!(sc, "<h3>{side}: {}</h3>", esc(&scen.name));
        if let Some(t) = scenario::parameters_table(scen) {
            sc.push_str(&t.render());
        }
    }
    let _ = writeln!(sc, "<h3>The variant in full</h3>");
    sc.push_str(&scenario::section(&variant));
    page.section("scenario", "What differs between the scenarios", sc);
    let mut facts = vec![
        ("Tool".to_string(), format!("{} {}", s.tool, s.version)),
        (
            "Base".to_string(),
            format!("{} ({}), {}", s.base.scenario, s.base.file, s.base.label),
        ),
        ("Base SHA-256".to_string(), s.base.scenario_sha256.clone()),
        (
            "Variant".to_string(),
            format!(
                "{} ({}), {}",
                s.variant.scenario, s.variant.file, s.variant.label
            ),
        ),
        (
            "Variant SHA-256".to_string(),
            s.variant.scenario_sha256.clone(),
        ),
        ("Master seed".to_string(), s.seed.to_string()),
        ("Paired runs".to_string(), s.runs.to_string()),
        (
            "Steps".to_string(),
            format!("{} ({})", s.steps, s.step_unit),
        ),
    ];
    if let Some(start) = &s.start {
        facts.push(("Step 0".to_string(), start.clone()));
    }
    facts.extend(optional_summary_fields(dir));
    page.section("provenance", "Provenance", html::facts(&facts));
    Ok(page.finish())
}
