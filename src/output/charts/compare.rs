//! `compare_fan.png`: both scenarios of a comparison over time, one panel per actor.
//!
//! The base is drawn in grey (its median dashed), the variant in the actor's colour, both
//! with the middle 50% and 90% of runs as bands: where the colour leaves the grey, the
//! variant's change moves the actor. Also reads a comparison's directory for this chart and
//! for the chart of differences ([`super::difference`]).

use std::path::Path;
use std::time::Instant;

use super::canvas::{Canvas, Dash, render_png};
use super::error::ChartError;
use super::frame::{Context, EXPLAIN_Y, MARGIN, Swatch, draw_header, legend_row, signed};
use super::input::{ActorNames, Band, StudyData, read_alignment_bands, read_scenario, step_of};
use super::layout::ellipsize;
use super::paired::{bare_study, save, subtitle};
use super::palette::{INK, actor_style, hex, rgba, with_alpha};
use super::panels::Grid;
use super::{ChartsReport, Drawn, PanelBox};
use crate::output::schema::compare::{
    BASE_ALIGNMENT, BASE_SCENARIO, DIFF_ALIGNMENT, DiffAlignment, VARIANT_ALIGNMENT,
    VARIANT_SCENARIO,
};
use crate::output::schema::{CompareSummary, TableReader};

pub const FILE: &str = "compare_fan.png";

/// The paired difference of one actor at one step, as diff_alignment.csv gives it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DiffPoint {
    pub mean: f64,
    pub low: f64,
    pub high: f64,
    pub p_variant_higher: f64,
}

/// Everything the charts of a comparison show, read from its directory.
#[derive(Debug, Clone)]
pub struct CompareData {
    /// The base scenario and its alignment bands; a study's other tables are empty.
    pub base: StudyData,
    /// The variant's bands, `[step * n + actor]` (the two scenarios share actors and steps).
    pub variant_bands: Vec<Band>,
    /// `[step * n + actor]`.
    pub diff: Vec<DiffPoint>,
    pub base_label: String,
    pub variant_label: String,
}

impl CompareData {
    /// Reads and cross-checks the files of a comparison's directory.
    pub fn read(dir: &Path) -> Result<CompareData, ChartError> {
        let summary = CompareSummary::read(dir)?;
        let base = read_scenario(&dir.join(BASE_SCENARIO), &summary.base.scenario_sha256)?;
        let variant_path = dir.join(VARIANT_SCENARIO);
        let variant = read_scenario(&variant_path, &summary.variant.scenario_sha256)?;
        let names = |sc: &crate::scenario::Scenario| {
            sc.actors.iter().map(|a| a.name.clone()).collect::<Vec<_>>()
        };
        if names(&base) != names(&variant) || base.steps != variant.steps {
            return Err(ChartError::Inconsistent {
                path: variant_path,
                message: "it does not describe the same actors and steps as base.toml".into(),
            });
        }
        let actors = ActorNames::from(&base, BASE_SCENARIO);
        let bands = read_alignment_bands(&dir.join(BASE_ALIGNMENT), &base, &actors)?;
        let variant_bands = read_alignment_bands(&dir.join(VARIANT_ALIGNMENT), &base, &actors)?;
        let diff = read_diff(&dir.join(DIFF_ALIGNMENT), &base, &actors)?;
        Ok(CompareData {
            base: bare_study(base, summary.runs, summary.seed, bands),
            variant_bands,
            diff,
            base_label: summary.base.label,
            variant_label: summary.variant.label,
        })
    }

    pub fn n(&self) -> usize {
        self.base.n()
    }

    pub fn variant_band(&self, step: usize, actor: usize) -> Band {
        self.variant_bands[step * self.n() + actor]
    }

    pub fn diff_at(&self, step: usize, actor: usize) -> DiffPoint {
        self.diff[step * self.n() + actor]
    }

    /// The shared chart context, with a subtitle naming both scenarios.
    pub fn context(&self) -> Context<'_> {
        let mut ctx = Context::new(&self.base);
        let runs = if self.base.runs == 1 {
            "1 paired run".to_string()
        } else {
            format!("{} paired runs", self.base.runs)
        };
        let what = format!("{} vs {}", self.base_label, self.variant_label);
        ctx.subtitle = subtitle(&ctx, &what, &runs);
        ctx
    }
}

fn read_diff(
    path: &Path,
    sc: &crate::scenario::Scenario,
    actors: &ActorNames,
) -> Result<Vec<DiffPoint>, ChartError> {
    let n = sc.n();
    let mut csv = TableReader::<DiffAlignment>::open(path)?;
    let missing = DiffPoint {
        mean: f64::NAN,
        low: f64::NAN,
        high: f64::NAN,
        p_variant_higher: f64::NAN,
    };
    let mut out = vec![missing; (sc.steps + 1) * n];
    let mut seen = vec![false; out.len()];
    while csv.next_record()? {
        let r = csv.record()?;
        let step = step_of(&csv, r.step, sc.steps)?;
        let actor = actors.get(&csv, r.actor)?;
        let k = step * n + actor;
        if seen[k] {
            return Err(csv.garbled("a second row for this step and actor").into());
        }
        seen[k] = true;
        out[k] = DiffPoint {
            mean: r.mean_diff,
            low: r.ci_low,
            high: r.ci_high,
            p_variant_higher: r.p_variant_higher,
        };
    }
    if let Some(k) = seen.iter().position(|s| !s) {
        return Err(ChartError::Inconsistent {
            path: path.to_path_buf(),
            message: format!(
                "no row for step {}, actor {:?}",
                k / n,
                sc.actors[k % n].name
            ),
        });
    }
    Ok(out)
}

/// Draws both charts of a comparison from its directory into `charts_dir`.
pub fn render_compare_charts(dir: &Path, charts_dir: &Path) -> Result<ChartsReport, ChartError> {
    let started = Instant::now();
    let data = CompareData::read(dir)?;
    write_charts(&data, charts_dir, started)
}

/// Draws the charts of a comparison already read, in parallel, and writes them.
pub fn write_charts(
    data: &CompareData,
    charts_dir: &Path,
    started: Instant,
) -> Result<ChartsReport, ChartError> {
    // Each chart draws on the canvas the one before it gave back.
    let _canvases = super::canvas::ReuseCanvases::begin();
    // Layouts measure text before drawing, so the font must be there first.
    super::canvas::register_fonts()?;
    let ctx = data.context();
    let (fan, diff) = rayon::join(|| draw(data, &ctx), || super::difference::draw(data, &ctx));
    save(
        charts_dir,
        vec![(FILE, fan), (super::difference::FILE, diff)],
        started,
    )
}

/// Opacity of the bands, as in the fan chart of a study.
const BAND_90: f64 = 0.16;
const BAND_50: f64 = 0.36;
/// The base is drawn in this grey, lighter than the variant's colours so they stand out.
const BASE_GREY: plotters::style::RGBAColor = hex(0x6E6E6E);

pub fn draw(data: &CompareData, ctx: &Context) -> Result<Drawn, ChartError> {
    let grid = Grid::new(ctx);
    let png = render_png(FILE, grid.width, grid.height, |c| {
        paint(c, data, ctx, &grid)
    })?;
    Ok(Drawn {
        png,
        width: grid.width,
        height: grid.height,
        panels: grid
            .panels
            .iter()
            .map(|p| PanelBox::new(ctx.actor_name(p.actor), p.plot))
            .collect(),
    })
}

fn paint(c: &Canvas, data: &CompareData, ctx: &Context, grid: &Grid) -> Result<(), ChartError> {
    let steps = data.base.steps();
    let drawn = ctx.drawn_steps();
    draw_header(
        c,
        ctx,
        grid.width as f64,
        "Alignment over time in both scenarios, on the same random numbers",
    )?;
    let label = |s: &str| ellipsize(s, 260.0, &super::frame::NOTE);
    let mut legend = vec![
        (
            Swatch::Line {
                color: BASE_GREY,
                width: 2.0,
                dash: Dash::Pattern(&[7.0, 4.0]),
            },
            format!("{} (base): median", label(&data.base_label)),
        ),
        (
            Swatch::Block(with_alpha(BASE_GREY, BAND_50)),
            "its middle 50% and 90% of runs".to_string(),
        ),
        (
            Swatch::Line {
                color: INK,
                width: 2.5,
                dash: Dash::Solid,
            },
            format!(
                "{} (variant): median and bands in the actor's colour",
                label(&data.variant_label)
            ),
        ),
    ];
    if !ctx.markers.marks.is_empty() {
        legend.push((Swatch::Event, "base's scheduled event, see key".into()));
    }
    legend_row(c, MARGIN, EXPLAIN_Y, &legend)?;

    for panel in &grid.panels {
        let i = panel.actor;
        let b = data.base.band(steps, i).p50;
        let v = data.variant_band(steps, i).p50;
        let notes = [
            format!("final median {} → {}", signed(b), signed(v)),
            format!("{} → {}", signed(b), signed(v)),
        ];
        let (xs, ys) = grid.draw_panel(c, ctx, panel, &notes)?;
        let at = |t: usize, value: f64| (xs.map(t as f64), ys.map(value));
        let polygon = |band: &dyn Fn(usize) -> Band, lo: fn(&Band) -> f64, hi: fn(&Band) -> f64| {
            let mut pts: Vec<(f64, f64)> = drawn.iter().map(|&t| at(t, hi(&band(t)))).collect();
            pts.extend(drawn.iter().rev().map(|&t| at(t, lo(&band(t)))));
            pts
        };
        let base = |t: usize| data.base.band(t, i);
        let variant = |t: usize| data.variant_band(t, i);
        let color = actor_style(i).color;
        c.polygon(
            &polygon(&base, |b| b.p05, |b| b.p95),
            with_alpha(BASE_GREY, BAND_90),
        )?;
        c.polygon(
            &polygon(&base, |b| b.p25, |b| b.p75),
            with_alpha(BASE_GREY, BAND_50),
        )?;
        c.polygon(
            &polygon(&variant, |b| b.p05, |b| b.p95),
            rgba(color, BAND_90),
        )?;
        c.polygon(
            &polygon(&variant, |b| b.p25, |b| b.p75),
            rgba(color, BAND_50),
        )?;
        let median = |band: &dyn Fn(usize) -> Band| -> Vec<(f64, f64)> {
            drawn.iter().map(|&t| at(t, band(t).p50)).collect()
        };
        c.line(&median(&variant), rgba(color, 1.0), 2.5)?;
        // The base's median on top, dashed, so it shows where the two coincide.
        c.styled_line(&median(&base), BASE_GREY, 2.0, Dash::Pattern(&[7.0, 4.0]))?;
    }
    grid.draw_footer(c, ctx)
}
