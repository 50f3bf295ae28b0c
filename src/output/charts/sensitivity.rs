//! The charts of `influence sensitivity`, drawn from `sobol.csv` or `morris.csv`,
//! `summary.json` and the scenario copy: which inputs drive each outcome and each actor's
//! final alignment.
//!
//! Sobol' indices are drawn as bars ([`super::sobol`]), Morris statistics as a scatter of
//! μ* against σ ([`super::morris`]). Measures are shown one panel each, outcomes and actors
//! in separate charts, at most [`PANELS_PER_PAGE`] panels to a picture of fixed size: a
//! scenario with many actors gets more pictures, never a larger one. The pages of a chart
//! are numbered from its second (`sobol_alignment.png`, `sobol_alignment_2.png`, ...), so
//! file names hold no user text and are the same for the same directory.

use std::path::Path;
use std::time::Instant;

use rayon::prelude::*;

use super::error::ChartError;
use super::frame::Context;
use super::input::{StudyData, read_scenario};
use super::outcomes::condition_text;
use super::paired::{bare_study, save, subtitle};
use super::timeaxis::TimeAxis;
use super::{ChartsReport, Drawn};
use crate::analysis::ablation::Measure;
use crate::output::schema::sensitivity::{MORRIS_FILE, Morris, SOBOL_FILE, Sobol};
use crate::output::schema::summary::InputSummary;
use crate::output::schema::{SCENARIO_FILE, SensitivitySummary, TableReader};
use crate::scenario::Scenario;

/// Panels in one picture: four keep a panel tall enough for its inputs to read at 1000
/// pixels.
pub const PANELS_PER_PAGE: usize = 4;

/// Which index a study estimated, as summary.json names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Sobol,
    Morris,
}

impl Method {
    fn from_summary(s: &SensitivitySummary, path: &Path) -> Result<Method, ChartError> {
        match s.method.as_str() {
            "sobol" => Ok(Method::Sobol),
            "morris" => Ok(Method::Morris),
            other => Err(ChartError::Inconsistent {
                path: path.to_path_buf(),
                message: format!("method {other:?} is neither \"sobol\" nor \"morris\""),
            }),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Method::Sobol => "sobol",
            Method::Morris => "morris",
        }
    }
}

/// One input's Sobol' indices on one measure; NaN when the measure does not vary.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SobolRow {
    /// The input's place in the scenario (and in summary.json).
    pub input: usize,
    pub first: f64,
    pub first_low: f64,
    pub first_high: f64,
    pub total: f64,
    pub total_low: f64,
    pub total_high: f64,
}

/// One input's Morris statistics on one measure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MorrisRow {
    pub input: usize,
    pub mu: f64,
    pub mu_star: f64,
    pub sigma: f64,
    pub mu_star_low: f64,
    pub mu_star_high: f64,
}

/// The indices of one measure, every input in scenario order.
#[derive(Debug, Clone, PartialEq)]
pub enum Rows {
    Sobol(Vec<SobolRow>),
    Morris(Vec<MorrisRow>),
}

/// One measure: an outcome's probability or an actor's mean final alignment.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasureData {
    pub measure: Measure,
    pub name: String,
    /// The actor's place in the scenario, for its colour.
    pub actor: Option<usize>,
    /// The outcome's condition in words.
    pub condition: Option<String>,
    pub rows: Rows,
}

impl MeasureData {
    /// Whether the measure has indices: a Sobol' measure that does not vary has none.
    pub fn has_indices(&self) -> bool {
        match &self.rows {
            Rows::Sobol(rows) => rows.iter().any(|r| r.total.is_finite()),
            Rows::Morris(rows) => !rows.is_empty(),
        }
    }

    /// The inputs by decreasing influence (total index, or μ*), input order on ties; an
    /// input without a value comes last.
    pub fn ranked(&self) -> Vec<usize> {
        let key: Vec<(usize, f64)> = match &self.rows {
            Rows::Sobol(rows) => rows.iter().map(|r| (r.input, r.total)).collect(),
            Rows::Morris(rows) => rows.iter().map(|r| (r.input, r.mu_star)).collect(),
        };
        let mut order: Vec<usize> = (0..key.len()).collect();
        order.sort_by(|&a, &b| {
            let (x, y) = (key[a].1, key[b].1);
            match (x.is_finite(), y.is_finite()) {
                (true, true) => y.total_cmp(&x),
                (a_ok, b_ok) => b_ok.cmp(&a_ok),
            }
            .then(key[a].0.cmp(&key[b].0))
        });
        order
    }
}

/// Everything the sensitivity charts show, read from a sensitivity study's directory.
#[derive(Debug, Clone)]
pub struct SensitivityData {
    /// The scenario copy; a study's tables are empty.
    pub study: StudyData,
    pub summary: SensitivitySummary,
    pub method: Method,
    /// Every measure in the order of the indices file: outcomes, then actors.
    pub measures: Vec<MeasureData>,
}

/// The index in `measures` of the measure `(measure, name)`, added when first seen; `None`
/// when the scenario has no such outcome or actor.
fn place(
    measures: &mut Vec<MeasureData>,
    sc: &Scenario,
    method: Method,
    measure: Measure,
    name: &str,
) -> Option<usize> {
    if let Some(k) = measures
        .iter()
        .position(|m| m.measure == measure && m.name == name)
    {
        return Some(k);
    }
    let (actor, condition) = match measure {
        Measure::Outcome => {
            let o = sc.outcomes.iter().find(|o| o.name == name)?;
            (None, Some(condition_text(sc, &TimeAxis::new(sc), o)))
        }
        Measure::FinalAlignment => (Some(sc.actor_index(name)?), None),
    };
    measures.push(MeasureData {
        measure,
        name: name.to_string(),
        actor,
        condition,
        rows: match method {
            Method::Sobol => Rows::Sobol(Vec::new()),
            Method::Morris => Rows::Morris(Vec::new()),
        },
    });
    Some(measures.len() - 1)
}

/// Finds `name` among the inputs of summary.json.
fn input_index(inputs: &[InputSummary], name: &str) -> Option<usize> {
    inputs.iter().position(|i| i.name == name)
}

impl SensitivityData {
    /// Reads and cross-checks the files of a sensitivity study's directory.
    pub fn read(dir: &Path) -> Result<SensitivityData, ChartError> {
        let summary = SensitivitySummary::read(dir)?;
        let method = Method::from_summary(&summary, &dir.join("summary.json"))?;
        let sc = read_scenario(&dir.join(SCENARIO_FILE), &summary.scenario_sha256)?;
        let study = bare_study(sc, summary.runs_per_point, summary.seed, Vec::new());
        let mut measures: Vec<MeasureData> = Vec::new();
        let unknown = |what: &str, name: &str| {
            format!("{name:?} is not an {what} of scenario.toml or summary.json")
        };
        match method {
            Method::Sobol => {
                let mut csv = TableReader::<Sobol>::open(&dir.join(SOBOL_FILE))?;
                while csv.next_record()? {
                    let r = csv.record()?;
                    let input = input_index(&summary.inputs, r.input)
                        .ok_or_else(|| csv.garbled(&unknown("input", r.input)))?;
                    let k = place(&mut measures, &study.scenario, method, r.measure, r.name)
                        .ok_or_else(|| csv.garbled(&unknown(kind_word(r.measure), r.name)))?;
                    if let Rows::Sobol(rows) = &mut measures[k].rows {
                        rows.push(SobolRow {
                            input,
                            first: r.first,
                            first_low: r.first_low,
                            first_high: r.first_high,
                            total: r.total,
                            total_low: r.total_low,
                            total_high: r.total_high,
                        });
                    }
                }
            }
            Method::Morris => {
                let mut csv = TableReader::<Morris>::open(&dir.join(MORRIS_FILE))?;
                while csv.next_record()? {
                    let r = csv.record()?;
                    let input = input_index(&summary.inputs, r.input)
                        .ok_or_else(|| csv.garbled(&unknown("input", r.input)))?;
                    let k = place(&mut measures, &study.scenario, method, r.measure, r.name)
                        .ok_or_else(|| csv.garbled(&unknown(kind_word(r.measure), r.name)))?;
                    if let Rows::Morris(rows) = &mut measures[k].rows {
                        rows.push(MorrisRow {
                            input,
                            mu: r.mu,
                            mu_star: r.mu_star,
                            sigma: r.sigma,
                            mu_star_low: r.mu_star_low,
                            mu_star_high: r.mu_star_high,
                        });
                    }
                }
            }
        }
        Ok(SensitivityData {
            study,
            summary,
            method,
            measures,
        })
    }

    /// The shared chart context, with a subtitle saying what the design was.
    pub fn context(&self) -> Context<'_> {
        let mut ctx = Context::new(&self.study);
        let s = &self.summary;
        let d = s.inputs.len();
        let inputs = format!("{d} input{}", if d == 1 { "" } else { "s" });
        let what = match self.method {
            Method::Sobol => format!(
                "{} · Sobol' indices of {inputs}, {} base rows",
                s.scenario, s.samples
            ),
            Method::Morris => format!(
                "{} · Morris effects of {inputs}, {} trajectories",
                s.scenario, s.samples
            ),
        };
        let runs = format!(
            "{} points × {} run{}",
            s.points,
            s.runs_per_point,
            if s.runs_per_point == 1 { "" } else { "s" }
        );
        ctx.subtitle = subtitle(&ctx, &what, &runs);
        ctx
    }

    /// The measures of one kind, in file order.
    pub fn of(&self, measure: Measure) -> Vec<&MeasureData> {
        self.measures
            .iter()
            .filter(|m| m.measure == measure)
            .collect()
    }

    /// Every page to draw: its file name, the kind of its measures, which page of how many,
    /// and its measures.
    pub fn pages(&self) -> Vec<Page<'_>> {
        let mut pages = Vec::new();
        for measure in [Measure::Outcome, Measure::FinalAlignment] {
            let all = self.of(measure);
            let count = all.len().div_ceil(PANELS_PER_PAGE);
            for (k, chunk) in all.chunks(PANELS_PER_PAGE).enumerate() {
                pages.push(Page {
                    file: page_file(self.method, measure, k),
                    measure,
                    number: k + 1,
                    of: count,
                    family: all.len(),
                    measures: chunk.to_vec(),
                });
            }
        }
        pages
    }

    pub fn input_name(&self, input: usize) -> &str {
        self.summary
            .inputs
            .get(input)
            .map_or("?", |i| i.name.as_str())
    }
}

fn kind_word(measure: Measure) -> &'static str {
    match measure {
        Measure::Outcome => "outcome",
        Measure::FinalAlignment => "actor",
    }
}

/// `sobol_outcomes.png`, `sobol_outcomes_2.png`, `morris_alignment.png`, ...: the file of
/// page `k` (from 0) of a method's chart of one kind of measure.
pub fn page_file(method: Method, measure: Measure, k: usize) -> String {
    let family = match measure {
        Measure::Outcome => "outcomes",
        Measure::FinalAlignment => "alignment",
    };
    if k == 0 {
        format!("{}_{family}.png", method.as_str())
    } else {
        format!("{}_{family}_{}.png", method.as_str(), k + 1)
    }
}

/// One picture of a sensitivity chart.
#[derive(Debug, Clone)]
pub struct Page<'a> {
    pub file: String,
    pub measure: Measure,
    /// From 1.
    pub number: usize,
    /// Pages of this chart.
    pub of: usize,
    /// Measures of this kind over all pages; the grid is laid out for this many (up to a
    /// page), so every page of a chart has panels of one size.
    pub family: usize,
    pub measures: Vec<&'a MeasureData>,
}

/// Draws every chart of a sensitivity study from its directory into `charts_dir`.
pub fn render(dir: &Path, charts_dir: &Path) -> Result<ChartsReport, ChartError> {
    let started = Instant::now();
    let data = SensitivityData::read(dir)?;
    write_charts(&data, charts_dir, started)
}

/// Draws the pages of a sensitivity study already read, in parallel, and writes them.
pub fn write_charts(
    data: &SensitivityData,
    charts_dir: &Path,
    started: Instant,
) -> Result<ChartsReport, ChartError> {
    // Each chart draws on the canvas the one before it gave back.
    let _canvases = super::canvas::ReuseCanvases::begin();
    super::canvas::register_fonts()?;
    let ctx = data.context();
    let pages = data.pages();
    // Pages are independent; drawing them in parallel does not change a pixel.
    let drawn: Vec<Result<Drawn, ChartError>> = pages
        .par_iter()
        .map(|page| match data.method {
            Method::Sobol => super::sobol::draw(data, &ctx, page),
            Method::Morris => super::morris::draw(data, &ctx, page),
        })
        .collect();
    save(
        charts_dir,
        pages.into_iter().map(|p| p.file).zip(drawn).collect(),
        started,
    )
}

/// The title of a page: what it asks, with its page number when there are several.
pub fn page_title(question: &str, page: &Page) -> String {
    if page.of > 1 {
        format!("{question} ({} of {})", page.number, page.of)
    } else {
        question.to_string()
    }
}

/// The grid of a page: columns and rows of panels, laid out for the chart's whole family.
pub fn grid(page: &Page) -> (usize, usize) {
    let n = page.family.clamp(1, PANELS_PER_PAGE);
    let cols = if n > 1 { 2 } else { 1 };
    (cols, n.div_ceil(cols))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_files_are_numbered_from_the_second() {
        assert_eq!(
            page_file(Method::Sobol, Measure::Outcome, 0),
            "sobol_outcomes.png"
        );
        assert_eq!(
            page_file(Method::Morris, Measure::FinalAlignment, 2),
            "morris_alignment_3.png"
        );
    }

    #[test]
    fn inputs_rank_by_total_index_with_missing_values_last() {
        let row = |input: usize, total: f64| SobolRow {
            input,
            first: 0.0,
            first_low: 0.0,
            first_high: 0.0,
            total,
            total_low: 0.0,
            total_high: 0.0,
        };
        let m = MeasureData {
            measure: Measure::Outcome,
            name: "o".into(),
            actor: None,
            condition: None,
            rows: Rows::Sobol(vec![
                row(0, 0.1),
                row(1, f64::NAN),
                row(2, 0.5),
                row(3, 0.1),
            ]),
        };
        assert_eq!(m.ranked(), vec![2, 0, 3, 1]);
        assert!(m.has_indices());
    }
}
