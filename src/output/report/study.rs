//! The page of a study (`influence run`): the question and the answer on the first screen,
//! then the charts, the tables, the scenario and the provenance.
//!
//! The answer gives each outcome's probability on the fixed verbal scale of [`words`] with
//! its 95% interval, in words and numbers, drawn as a bar that reads without colour. When
//! outcomes.csv carries the no-event baseline and the paired difference against it (filled
//! when the study ran the baseline, empty otherwise), they are said beside the estimate: what
//! the events change is the figure a reader quotes.

use std::fmt::Write;
use std::path::Path;

use super::html::{self, Cell, Page, Table, esc};
use super::words::capitalise;
use super::{
    ReportError, figures, generic, optional_summary_fields, read_scenario, scenario, words,
};
use crate::output::charts::timeaxis::TimeAxis;
use crate::output::charts::{
    blocs as blocs_chart, convergence, distribution, fan, heatmap, outcomes as outcomes_chart,
    overview, runs, thresholds as thresholds_chart,
};
use crate::output::schema::blocs::{self, BLOC_SEPARATOR, BlocSplits};
use crate::output::schema::events::{self, EventFrequencies};
use crate::output::schema::outcomes::{self, Outcomes};
use crate::output::schema::records::CsvFile;
use crate::output::schema::{SCENARIO_FILE, StudySummary, TableReader};
use crate::scenario::Scenario;

/// The columns of outcomes.csv every study fills; the others are shown when filled.
const CORE_COLUMNS: [&str; 5] = ["outcome", "probability", "ci_low", "ci_high", "runs"];

/// One row of outcomes.csv with the optional columns this page knows how to say.
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeLine {
    pub name: String,
    pub probability: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    pub runs: u64,
    /// Columns beyond the known ones, by name, as written.
    pub extra: Vec<(String, String)>,
}

/// The optional columns of a no-event baseline: the probability without events and the
/// paired difference with its interval, found by what their names say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BaselineColumns {
    pub baseline: Option<usize>,
    pub diff: Option<usize>,
    pub diff_low: Option<usize>,
    pub diff_high: Option<usize>,
}

impl BaselineColumns {
    /// Finds the columns among `names` (the extra columns, in file order). A baseline column
    /// names a baseline or "no event(s)"; a difference column names a difference; its
    /// interval's ends add "low" and "high".
    pub fn find(names: &[String]) -> BaselineColumns {
        let bound = |n: &str| n.contains("low") || n.contains("high");
        let is_diff = |n: &str| n.contains("diff") || n.contains("change") || n.contains("effect");
        let pos = |want: &dyn Fn(&str) -> bool| {
            names
                .iter()
                .position(|n| want(n.to_ascii_lowercase().as_str()))
        };
        BaselineColumns {
            baseline: pos(&|n| {
                (n.contains("baseline") || n.contains("no_event")) && !bound(n) && !is_diff(n)
            }),
            diff: pos(&|n| is_diff(n) && !bound(n)),
            diff_low: pos(&|n| is_diff(n) && n.contains("low")),
            diff_high: pos(&|n| is_diff(n) && n.contains("high")),
        }
    }
}

/// outcomes.csv: the known columns through its format, any others by name.
pub fn read_outcomes(dir: &Path) -> Result<(Vec<OutcomeLine>, Vec<String>), ReportError> {
    let path = dir.join(outcomes::FILE);
    let mut reader = TableReader::<Outcomes>::open(&path)?;
    let mut lines = Vec::new();
    while reader.next_record()? {
        let r = reader.record()?;
        lines.push(OutcomeLine {
            name: r.outcome.to_string(),
            probability: r.probability,
            ci_low: r.ci_low,
            ci_high: r.ci_high,
            runs: r.runs,
            extra: Vec::new(),
        });
    }
    let mut csv = CsvFile::open(&path)?;
    let header = csv.header().to_vec();
    let mut extra: Vec<(usize, String)> = header
        .iter()
        .enumerate()
        .filter(|(_, h)| !CORE_COLUMNS.contains(&h.as_str()))
        .map(|(k, h)| (k, h.clone()))
        .collect();
    let mut rows = Vec::new();
    let mut fields = Vec::new();
    while csv.next_record(&mut fields)? {
        rows.push(fields.clone());
    }
    // Columns empty in every row (a study without a baseline) say nothing.
    extra.retain(|(col, _)| {
        rows.iter()
            .any(|r| r.get(*col).is_some_and(|f| !f.is_empty()))
    });
    for (line, fields) in lines.iter_mut().zip(&rows) {
        line.extra = extra
            .iter()
            .map(|(col, name)| (name.clone(), fields.get(*col).cloned().unwrap_or_default()))
            .collect();
    }
    Ok((lines, extra.into_iter().map(|(_, n)| n).collect()))
}

fn extra_number(line: &OutcomeLine, col: Option<usize>) -> Option<f64> {
    line.extra.get(col?)?.1.parse::<f64>().ok()
}

/// A probability bar from 0 to 100%: the interval as an outlined box, the estimate as a
/// black tick; its label says the same in words for a screen reader.
fn scale(p: f64, lo: f64, hi: f64, label: &str) -> String {
    if !(p.is_finite() && lo.is_finite() && hi.is_finite()) {
        return String::new();
    }
    let pc = |x: f64| (x.clamp(0.0, 1.0) * 100.0 * 10.0).round() / 10.0;
    format!(
        "<div class=\"scale\" role=\"img\" aria-label=\"{}\"><span class=\"ci\" style=\"left:{}%;width:{}%\"></span><span class=\"est\" style=\"left:{}%\"></span></div>\n<div class=\"scale-key\" aria-hidden=\"true\"><span>0%</span><span>25%</span><span>50%</span><span>75%</span><span>100%</span></div>\n",
        esc(label),
        pc(lo),
        pc(hi - lo),
        pc(p)
    )
}

/// One outcome's answer: what it tests, how likely it is in words and numbers, and what the
/// events change when the baseline columns are there.
fn answer(sc: &Scenario, line: &OutcomeLine, cols: BaselineColumns) -> String {
    let d = words::percent_decimals(line.ci_low, line.ci_high);
    let p = words::percent(line.probability, d);
    let lo = words::percent(line.ci_low, d);
    let hi = words::percent(line.ci_high, d);
    let verdict = words::likelihood(line.probability);
    let (w_lo, w_hi) = (
        words::likelihood(line.ci_low),
        words::likelihood(line.ci_high),
    );
    let span = if w_lo != w_hi {
        format!(": from {w_lo} to {w_hi}")
    } else {
        String::new()
    };
    let mut h = String::from("<li>\n");
    let _ = writeln!(h, "<p class=\"what\">{}</p>", esc(&line.name));
    if let Some(cond) = scenario::outcome_condition(sc, &line.name) {
        let _ = writeln!(h, "<p class=\"cond\">{}</p>", esc(&capitalise(&cond)));
    }
    let verdict_text = capitalise(verdict);
    let _ = writeln!(
        h,
        "<p><span class=\"verdict\">{}</span>: {} of {} runs (95% interval {} to {}{}).</p>",
        esc(&verdict_text),
        esc(&p),
        line.runs,
        esc(&lo),
        esc(&hi),
        esc(&span)
    );
    h.push_str(&scale(
        line.probability,
        line.ci_low,
        line.ci_high,
        &format!("{p}, 95% interval {lo} to {hi}, on a scale from 0 to 100%"),
    ));
    let baseline = extra_number(line, cols.baseline);
    let diff = extra_number(line, cols.diff);
    if baseline.is_some() || diff.is_some() {
        let mut parts = Vec::new();
        if let Some(b) = baseline {
            parts.push(format!("without the events, {}", words::percent(b, d)));
        }
        if let Some(x) = diff {
            let interval = match (
                extra_number(line, cols.diff_low),
                extra_number(line, cols.diff_high),
            ) {
                (Some(l), Some(u)) => format!(
                    " (95% interval {} to {}; {})",
                    words::points(l, 1),
                    words::points(u, 1),
                    words::direction(
                        l,
                        u,
                        "the events make it more likely",
                        "the events make it less likely",
                        "no clear change"
                    )
                ),
                _ => String::new(),
            };
            parts.push(format!(
                "the events change it by {}{interval}",
                words::points(x, 1)
            ));
        }
        let _ = writeln!(h, "<p>{}.</p>", esc(&capitalise(&parts.join("; "))));
    }
    h.push_str("</li>\n");
    h
}

/// The actors that move most, from start to the median of where they end.
fn moves(s: &StudySummary) -> String {
    let mut actors: Vec<_> = s
        .actors
        .iter()
        .filter(|a| a.final_alignment.p50.is_finite() && a.initial_alignment.is_finite())
        .collect();
    actors.sort_by(|a, b| {
        let m = |x: &&crate::output::schema::summary::StudyActor| {
            (x.final_alignment.p50 - x.initial_alignment).abs()
        };
        m(b).total_cmp(&m(a))
    });
    let big: Vec<String> = actors
        .iter()
        .take(3)
        .filter(|a| (a.final_alignment.p50 - a.initial_alignment).abs() >= 0.02)
        .map(|a| {
            let f = &a.final_alignment;
            format!(
                "{} from {} to a median of {} (90% of runs between {} and {})",
                a.name,
                words::number(a.initial_alignment, 2),
                words::number(f.p50, 2),
                words::number(f.p05, 2),
                words::number(f.p95, 2)
            )
        })
        .collect();
    if big.is_empty() {
        "No actor's median alignment moves by as much as 0.02 from its start.".to_string()
    } else {
        let rest = s.actors.len() - big.len();
        let others = if rest > 0 {
            format!(" The other {rest} move less (see the table of final alignments).")
        } else {
            String::new()
        };
        format!("Where the actors move most: {}.{others}", words::list(&big))
    }
}

fn first_screen(
    sc: &Scenario,
    s: &StudySummary,
    lines: &[OutcomeLine],
    cols: BaselineColumns,
    splits: &[(String, f64)],
) -> String {
    let time = TimeAxis::new(sc);
    let from = time
        .date(0)
        .map(|d| format!(" from {}", d.long()))
        .unwrap_or_default();
    let mut h = String::new();
    let _ = writeln!(
        h,
        "<p class=\"question\"><strong>The question.</strong> Over {}{from}, given the actors, \
         relations and events of this scenario, how likely is each outcome it names, and where \
         do the actors end up?</p>",
        esc(&time.units(s.steps))
    );
    let _ = writeln!(
        h,
        "<p class=\"question\"><strong>The answer</strong>, from {} simulated runs (master seed \
         {}). Each figure is the share of runs in which the outcome holds, with its 95% \
         interval; the words follow a fixed scale (almost no chance below 5%, very unlikely \
         below 20%, unlikely below 45%, roughly even chance to 55%, likely below 80%, very \
         likely below 95%, almost certain above).</p>",
        s.runs, s.seed
    );
    if cols.baseline.is_some() {
        h.push_str(&html::para(
            "Beside each outcome stand the same runs without the scenario's events (the \
             no-event baseline: same starting point, same noise, no events) and the difference \
             between the two, with its paired 95% interval: what the events themselves change, \
             the figure to quote.",
        ));
    }
    if lines.is_empty() {
        h.push_str(&html::para("The scenario names no outcomes."));
    } else {
        h.push_str("<ul class=\"answers\">\n");
        for line in lines {
            h.push_str(&answer(sc, line, cols));
        }
        h.push_str("</ul>\n");
    }
    h.push_str(&html::para(&moves(s)));
    if let Some(b) = blocs_sentence(splits) {
        h.push_str(&html::para(&b));
    }
    h
}

/// The blocs the runs end in, in a sentence: the most frequent split and how often it holds.
fn blocs_sentence(splits: &[(String, f64)]) -> Option<String> {
    let (top, share) = splits.first()?;
    let (a, b) = top.split_once(BLOC_SEPARATOR.trim_end())?;
    let names = |s: &str| {
        s.trim()
            .split(';')
            .filter(|m| !m.is_empty())
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    let (a, b) = (names(a), names(b));
    let text = if b.is_empty() {
        format!(
            "Blocs at the end: in {} of runs every actor ends in one bloc.",
            words::percent(*share, 0)
        )
    } else {
        format!(
            "Blocs at the end (landscape theory on each run's final trust and power): in {} of \
             runs the actors split into {} on one side and {} on the other{}.",
            words::percent(*share, 0),
            words::list(&a),
            words::list(&b),
            if splits.len() > 1 {
                format!(
                    "; {} other splits share the remaining runs (see the bloc chart and \
                     blocs_splits.csv)",
                    splits.len() - 1
                )
            } else {
                String::new()
            }
        )
    };
    Some(text)
}

/// blocs_splits.csv, when the study kept blocs: each split's text and share, most frequent
/// first. A directory without the file (or with only its header) has none.
fn read_splits(dir: &Path) -> Result<Vec<(String, f64)>, ReportError> {
    let path = dir.join(blocs::SPLITS_FILE);
    if !path.exists() {
        return Ok(Vec::new());
    }
    let mut reader = TableReader::<BlocSplits>::open(&path)?;
    let mut out = Vec::new();
    while reader.next_record()? {
        let r = reader.record()?;
        out.push((r.split.to_string(), r.share));
    }
    Ok(out)
}

fn charts(dir: &Path, sc: &Scenario, s: &StudySummary) -> Result<String, ReportError> {
    let time = TimeAxis::new(sc);
    let span = time.units(s.steps);
    let finals = |f: &dyn Fn(&crate::output::schema::summary::StudyActor) -> String| {
        s.actors.iter().map(f).collect::<Vec<_>>().join("; ")
    };
    let medians = finals(&|a| format!("{} {}", a.name, words::number(a.final_alignment.p50, 2)));
    let ranges = finals(&|a| {
        format!(
            "{} {} to {}",
            a.name,
            words::number(a.final_alignment.p05, 2),
            words::number(a.final_alignment.p95, 2)
        )
    });
    let outcome_list = s
        .outcomes
        .iter()
        .map(|o| {
            format!(
                "{} {} ({} to {})",
                o.name,
                words::percent(o.probability, 0),
                words::percent(o.ci_low, 0),
                words::percent(o.ci_high, 0)
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    let poles = format!(
        "from \u{2212}1 ({}) to +1 ({})",
        sc.axis.negative, sc.axis.positive
    );
    let list = [
        (
            fan::FILE,
            format!(
                "One panel per actor of alignment over {span}: the median of {} runs as a line, the middle 50% and 90% of runs as bands. Final medians: {medians}.",
                s.runs
            ),
            format!(
                "How each actor's alignment moves over {span}, and how sure that is. The line is the median run; the darker band holds the middle 50% of runs, the lighter one 90%. A narrow band says the runs agree; a wide or lopsided one says events and noise can send the actor either way. Vertical marks are scheduled events."
            ),
        ),
        (
            overview::FILE,
            format!("Every actor's median alignment over {span} on one axis {poles}. Final medians: {medians}."),
            format!("Every actor's median on one chart, to see the camps at once; alignment runs {poles}."),
        ),
        (
            runs::FILE,
            "Single runs of each actor's alignment drawn faintly under the median, one panel per actor.".to_string(),
            "What single runs look like next to the median that sums them up: a median can be smooth where no run is, or sit between two camps that no run visits.".to_string(),
        ),
        (
            distribution::FILE,
            format!("Where each actor ends across runs, as a violin per actor with its quartiles and a mark where it started. 90% of runs end between: {ranges}."),
            "Where each actor ends up across runs. The shape is the density of final alignments (a split into two camps shows as two bulges); the box and whiskers are the quartiles and the 5% and 95% points; a triangle marks the start. Each shape is scaled to its own peak.".to_string(),
        ),
        (
            heatmap::FILE,
            "Two matrices of trust, row actor in column actor, at the start and on average at the end, on one scale from \u{2212}1 to +1 with the values printed in the cells.".to_string(),
            "Who trusts whom at the start and, on average over runs, at the end: the same rows, columns and scale side by side, so a change shows in the same cell. Values are printed because colour alone is hard to read precisely.".to_string(),
        ),
        (
            outcomes_chart::FILE,
            format!("Bars of each outcome's probability with its 95% interval: {outcome_list}."),
            "How likely each outcome is: one bar per outcome, its share of runs, with the Wilson 95% interval as a whisker and the condition it tests under its name. When the study ran the no-event baseline, a grey bar under each gives the same runs without the events, and the text beside it what the events change.".to_string(),
        ),
        (
            blocs_chart::FILE,
            "A matrix of the share of runs in which each pair of actors ends in the same bloc, rows and columns ordered by the most frequent split, with the most frequent splits listed under it.".to_string(),
            "Which actors end up together. Each run's final trust and power are split into the two blocs of lowest landscape energy (MODEL.md, Analysis); a cell is the share of runs in which its two actors land in the same bloc, blue for always and red for never, and the rule marks the most frequent split.".to_string(),
        ),
        (
            thresholds_chart::FILE,
            thresholds_chart::alt_text(dir, sc),
            "How much each outcome's probability owes to where its threshold stands: the curve is the share of runs in which the outcome would hold with its threshold at each value, the vertical line the threshold the scenario gives. Where the curve falls steeply inside the shaded band of \u{b1}0.02, the outcome is flagged fragile: its probability moves by more than 20 points with a small change of threshold, so it says more about the threshold than about the scenario.".to_string(),
        ),
        (
            convergence::FILE,
            "One panel per outcome: the running estimate and its 95% interval as blocks of runs were added.".to_string(),
            "How each outcome's estimate settled as runs were added block by block: where the band fits between the dashed lines, the interval met its target width.".to_string(),
        ),
    ];
    figures::section(dir, &list)
}

fn tables(
    dir: &Path,
    s: &StudySummary,
    lines: &[OutcomeLine],
    extra: &[String],
) -> Result<String, ReportError> {
    let mut h = String::new();
    let mut columns: Vec<(&str, bool)> = vec![
        ("outcome", false),
        ("probability", true),
        ("95% low", true),
        ("95% high", true),
        ("runs", true),
    ];
    columns.extend(extra.iter().map(|n| (n.as_str(), true)));
    let mut t = Table::new("Outcomes (outcomes.csv)", &columns);
    for line in lines {
        let d = words::percent_decimals(line.ci_low, line.ci_high);
        let mut row = vec![
            Cell::text(&line.name),
            Cell::num(words::percent(line.probability, d), line.probability),
            Cell::num(words::percent(line.ci_low, d), line.ci_low),
            Cell::num(words::percent(line.ci_high, d), line.ci_high),
            Cell::num(line.runs.to_string(), line.runs as f64),
        ];
        for (_, text) in &line.extra {
            match text.parse::<f64>() {
                Ok(v) => row.push(Cell::num(text, v)),
                Err(_) => row.push(Cell::text(text)),
            }
        }
        t.push(row);
    }
    t.note = Some("The interval is Wilson's 95% score interval for a share of runs.".to_string());
    h.push_str(&t.render());

    let mut t = Table::new(
        "Final alignment of each actor over runs",
        &[
            ("actor", false),
            ("start", true),
            ("mean", true),
            ("5%", true),
            ("median", true),
            ("95%", true),
            ("median \u{2212} start", true),
        ],
    );
    for a in &s.actors {
        let f = &a.final_alignment;
        let n = |x: f64| Cell::num(words::number(x, 3), x);
        let shift = f.p50 - a.initial_alignment;
        t.push(vec![
            Cell::text(&a.name),
            n(a.initial_alignment),
            n(f.mean),
            n(f.p05),
            n(f.p50),
            n(f.p95),
            Cell::num(words::signed(shift, 3), shift),
        ]);
    }
    t.note = Some(format!("Quantiles: {}.", s.quantiles));
    h.push_str(&t.render());

    let path = dir.join(events::FILE);
    if path.is_file() {
        let mut reader = TableReader::<EventFrequencies>::open(&path)?;
        let mut t = Table::new(
            "How often each event fired (events.csv)",
            &[
                ("event", false),
                ("kind", false),
                ("fired in (share of runs)", true),
                ("times per run", true),
            ],
        );
        while reader.next_record()? {
            let r = reader.record()?;
            let label = if r.label.trim().is_empty() {
                r.event
            } else {
                r.label
            };
            t.push(vec![
                Cell::text(label),
                Cell::text(r.kind),
                Cell::num(words::percent(r.fired_fraction, 0), r.fired_fraction),
                Cell::num(format!("{:.2}", r.mean_times_fired), r.mean_times_fired),
            ]);
        }
        h.push_str(&t.render());
    }
    Ok(h)
}

/// Tables the page shows itself or that are too long to show (one row per run or per step).
const SHOWN_OR_LONG: [&str; 9] = [
    "outcomes.csv",
    "events.csv",
    "alignment.csv",
    "final.csv",
    "runs_sample.csv",
    "trust_final.csv",
    "threat_final.csv",
    "convergence.csv",
    "inputs.csv",
];

pub(super) fn provenance(s: &StudySummary, dir: &Path) -> Vec<(String, String)> {
    let mut facts = vec![
        ("Tool".to_string(), format!("{} {}", s.tool, s.version)),
        ("Scenario".to_string(), s.scenario.clone()),
        ("Scenario SHA-256".to_string(), s.scenario_sha256.clone()),
        ("Master seed".to_string(), s.seed.to_string()),
        ("Runs".to_string(), s.runs.to_string()),
        (
            "Steps".to_string(),
            format!("{} ({})", s.steps, s.step_unit),
        ),
    ];
    if let Some(start) = &s.start {
        facts.push(("Step 0".to_string(), start.clone()));
    }
    if let Some(u) = &s.until {
        facts.push((
            "Stopping rule".to_string(),
            format!(
                "runs added {} at a time until every outcome's 95% interval was within \u{b1}{} (at most {} runs); {}, widest \u{b1}{:.4}",
                u.block,
                u.half_width,
                u.max_runs,
                if u.met { "met" } else { "not met" },
                u.widest_half_width
            ),
        ));
    }
    facts.push(("Quantiles".to_string(), s.quantiles.clone()));
    facts.extend(optional_summary_fields(dir));
    facts
}

/// The page of the study in `dir`, whose summary is `s`.
pub fn page(dir: &Path, s: &StudySummary) -> Result<String, ReportError> {
    let sc = read_scenario(dir, SCENARIO_FILE)?;
    let (lines, extra) = read_outcomes(dir)?;
    let cols = BaselineColumns::find(&extra);
    let mut page = Page::new(
        &sc.name,
        "influence \u{b7} Monte Carlo study",
        sc.description.as_deref(),
    );
    page.section(
        "answer",
        "The question and the answer",
        first_screen(&sc, s, &lines, cols, &read_splits(dir)?),
    );
    page.section("charts", "Charts", charts(dir, &sc, s)?);
    page.section("tables", "Tables", tables(dir, s, &lines, &extra)?);
    page.section("scenario", "What was assumed", scenario::section(&sc));
    let more = generic::tables(dir, &SHOWN_OR_LONG)?;
    if !more.is_empty() {
        page.section("more", "More tables", more);
    }
    let mut prov = html::facts(&provenance(s, dir));
    prov.push_str(&html::para(
        "Every figure on this page is read from the files of this directory; `influence report` rebuilds the page from them alone.",
    ));
    page.section("provenance", "Provenance", prov);
    Ok(page.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{DEFAULT_SCENARIO_TEXT, parse_scenario};

    #[test]
    fn an_answer_says_the_baseline_and_what_the_events_change_when_the_columns_are_there() {
        let sc = parse_scenario(DEFAULT_SCENARIO_TEXT, "default").unwrap();
        let name = sc.outcomes[0].name.clone();
        let mut line = OutcomeLine {
            name: name.clone(),
            probability: 0.57,
            ci_low: 0.513441,
            ci_high: 0.624789,
            runs: 300,
            extra: Vec::new(),
        };
        let plain = answer(&sc, &line, BaselineColumns::default());
        assert!(
            plain.contains(
                "<span class=\"verdict\">Likely</span>: 57% of 300 runs (95% interval 51% to 62%: \
             from roughly even chance to likely)."
            ),
            "{plain}"
        );
        assert!(!plain.contains("without the events"));
        // The bar: the interval from 51.3% over 11.1 points, the estimate at 57%.
        assert!(
            plain.contains("style=\"left:51.3%;width:11.1%\""),
            "{plain}"
        );
        assert!(plain.contains("style=\"left:57%\""), "{plain}");

        line.extra = vec![
            ("p_no_events".into(), "0.400000".into()),
            ("diff".into(), "0.170000".into()),
            ("diff_ci_low".into(), "0.120000".into()),
            ("diff_ci_high".into(), "0.220000".into()),
        ];
        let cols = BaselineColumns::find(
            &line
                .extra
                .iter()
                .map(|(n, _)| n.clone())
                .collect::<Vec<_>>(),
        );
        let with = answer(&sc, &line, cols);
        assert!(
            with.contains(
                "Without the events, 40%; the events change it by +17.0 points (95% interval \
             +12.0 points to +22.0 points; the events make it more likely)."
            ),
            "{with}"
        );
    }
}
