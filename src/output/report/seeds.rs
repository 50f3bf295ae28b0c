//! The page of a seeds study (`influence seeds`): do studies under different master seeds
//! agree as closely as a single study claims? The first screen gives the verdicts; then the
//! chart, the figure under every seed, the scenario and the provenance.

use std::fmt::Write;
use std::path::Path;

use super::html::{self, Cell, Page, Table, esc};
use super::{
    ReportError, figures, generic, optional_summary_fields, read_scenario, scenario, words,
};
use crate::output::charts::seeds as seeds_chart;
use crate::output::schema::{SCENARIO_FILE, SeedsSummary};

fn figure_name(figure: &str, name: &str) -> String {
    match figure {
        "final_median" => format!("{name}: final median alignment"),
        _ => name.to_string(),
    }
}

fn first_screen(s: &SeedsSummary) -> String {
    let mut h = String::new();
    let _ = writeln!(
        h,
        "<p class=\"question\"><strong>The question.</strong> Is {} runs enough? The same study \
         ran under {} master seeds; if a single study's error is right, its figures should \
         differ between seeds by about that error and no more.</p>",
        s.runs,
        s.seeds.len()
    );
    let consistent = s
        .figures
        .iter()
        .filter(|f| f.verdict == "consistent")
        .count();
    let _ = writeln!(
        h,
        "<p class=\"question\"><strong>The answer.</strong> {consistent} of {} figures are \
         consistent with the error a single study claims ({}).</p>",
        s.figures.len(),
        esc(&s.verdict_rule)
    );
    let others: Vec<_> = s
        .figures
        .iter()
        .filter(|f| f.verdict != "consistent")
        .collect();
    if !others.is_empty() {
        h.push_str("<ul class=\"answers\">\n");
        for f in others {
            let ratio = if f.ratio.is_finite() {
                format!(", {:.2} times the claimed error", f.ratio)
            } else {
                String::new()
            };
            let _ = writeln!(
                h,
                "<li><p class=\"what\">{}</p><p><span class=\"verdict\">{}</span>: spread between seeds {:.4} against a claimed {:.4}{ratio}.</p></li>",
                esc(&figure_name(&f.figure, &f.name)),
                esc(&f.verdict),
                f.sd_between,
                f.claimed_se
            );
        }
        h.push_str("</ul>\n");
    }
    h
}

fn table(s: &SeedsSummary) -> Table {
    let seed_names: Vec<String> = s.seeds.iter().map(|k| format!("seed {k}")).collect();
    let mut columns: Vec<(&str, bool)> = vec![("figure", false)];
    columns.extend(seed_names.iter().map(|n| (n.as_str(), true)));
    columns.extend([
        ("mean", true),
        ("sd between seeds", true),
        ("claimed error", true),
        ("ratio", true),
        ("verdict", false),
    ]);
    let mut t = Table::new(
        "Every figure under every seed (seeds.csv, seeds_summary.csv)",
        &columns,
    );
    for f in &s.figures {
        let n = |x: f64| Cell::num(words::number(x, 4), x);
        let mut row = vec![Cell::text(figure_name(&f.figure, &f.name))];
        row.extend(f.values.iter().map(|&v| n(v)));
        row.extend([
            n(f.mean),
            n(f.sd_between),
            n(f.claimed_se),
            n(f.ratio),
            Cell::text(&f.verdict),
        ]);
        t.push(row);
    }
    t
}

/// The page of the seeds study in `dir`, whose summary is `s`.
pub fn page(dir: &Path, s: &SeedsSummary) -> Result<String, ReportError> {
    let sc = read_scenario(dir, SCENARIO_FILE)?;
    let mut page = Page::new(
        &sc.name,
        "influence \u{b7} seeds study",
        sc.description.as_deref(),
    );
    page.section("answer", "The question and the answer", first_screen(s));
    let charts = [(
        seeds_chart::FILE,
        format!(
            "One row per figure: each of the {} seeds' values as a point, measured from the mean over seeds in claimed standard errors, with the band of \u{b1}1.96 claimed errors.",
            s.seeds.len()
        ),
        "Do the seeds agree as closely as one study claims? Every row shares one axis, the difference from the mean over seeds in claimed standard errors, so the band of \u{b1}1.96 claimed errors has the same width in every row: points outside it are spread wider than claimed.".to_string(),
    )];
    page.section("charts", "Charts", figures::section(dir, &charts)?);
    let mut t = table(s).render();
    t.push_str(&generic::tables(dir, &["seeds.csv", "seeds_summary.csv"])?);
    page.section("tables", "Tables", t);
    page.section("scenario", "What was assumed", scenario::section(&sc));
    let seeds: Vec<String> = s.seeds.iter().map(u64::to_string).collect();
    let mut facts = vec![
        ("Tool".to_string(), format!("{} {}", s.tool, s.version)),
        ("Scenario".to_string(), s.scenario.clone()),
        ("Scenario SHA-256".to_string(), s.scenario_sha256.clone()),
        ("Master seeds".to_string(), seeds.join(", ")),
        ("Runs per seed".to_string(), s.runs.to_string()),
        ("Steps".to_string(), s.steps.to_string()),
    ];
    facts.extend(optional_summary_fields(dir));
    page.section("provenance", "Provenance", html::facts(&facts));
    Ok(page.finish())
}
