//! The charts of `influence discover`, drawn from `boxes.csv`, `summary.json` and the
//! scenario copy:
//!
//! - `prim_trajectory.png`: the peeling trajectory, each box's coverage (the share of the
//!   runs where the outcome holds that it keeps) against its density (the share of its runs
//!   where the outcome holds), from the full box at coverage 1 and the base rate, with the
//!   chosen box marked. It shows what the choice trades: higher density for lower coverage.
//! - `prim_box.png`: the chosen box as limits, one row per restricted input, the box's
//!   [low, high] drawn inside the input's whole range, so a reader sees at once how much of
//!   each range the finding keeps.

use std::path::Path;
use std::time::Instant;

use plotters::style::RGBAColor;

use super::canvas::{Across, Align, Canvas, Dash, Font, render_png, text_width};
use super::error::ChartError;
use super::frame::{
    Context, EXPLAIN_Y, HEADER_H, LABEL_BOLD, MARGIN, MIN_HEIGHT, MIN_WIDTH, NOTE, Swatch, TICK,
    draw_header, legend_row,
};
use super::input::{StudyData, read_scenario};
use super::layout::{Rect, Scale, ellipsize, wrap_lines};
use super::paired::{bare_study, save, subtitle};
use super::palette::{GRID, INK, MUTED, PLOT_BG, RULE, hex, with_alpha};
use super::{ChartsReport, Drawn, PanelBox};
use crate::analysis::sensitivity::prim::DEFAULT_MIN_COVERAGE;
use crate::output::schema::discover::{self as boxes_csv, Boxes};
use crate::output::schema::summary::{BoxLimit, InputSummary};
use crate::output::schema::{DiscoverSummary, SCENARIO_FILE, TableReader};

pub const TRAJECTORY_FILE: &str = "prim_trajectory.png";
pub const BOX_FILE: &str = "prim_box.png";

/// Restricted inputs shown in `prim_box.png`; summary.json lists every one.
pub const MAX_LIMITS: usize = 12;

const PATH: RGBAColor = hex(0x0072B2);
const CHOSEN: RGBAColor = hex(0xD55E00);
const RANGE: RGBAColor = hex(0xDDDDDD);
const ROW: Font = Font::new(15.0, INK);
const VALUE: Font = Font::new(13.0, INK);
const FOOTER_H: f64 = 64.0;

/// One box of the trajectory with its figures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BoxFigures {
    pub index: u64,
    pub coverage: f64,
    pub density: f64,
    pub mass: f64,
    /// Inputs the box restricts.
    pub restricted: usize,
}

/// Everything the discovery charts show, read from a discovery's directory.
#[derive(Debug, Clone)]
pub struct DiscoverData {
    /// The scenario copy; a study's tables are empty.
    pub study: StudyData,
    pub summary: DiscoverSummary,
    /// The trajectory in order, the full box first.
    pub boxes: Vec<BoxFigures>,
}

impl DiscoverData {
    /// Reads and cross-checks the files of a discovery's directory.
    pub fn read(dir: &Path) -> Result<DiscoverData, ChartError> {
        let summary = DiscoverSummary::read(dir)?;
        let sc = read_scenario(&dir.join(SCENARIO_FILE), &summary.scenario_sha256)?;
        if !sc.outcomes.iter().any(|o| o.name == summary.outcome) {
            return Err(ChartError::Inconsistent {
                path: dir.join("summary.json"),
                message: format!(
                    "the outcome {:?} is not an outcome of scenario.toml",
                    summary.outcome
                ),
            });
        }
        // The full box restricts nothing, so boxes.csv has no row of it.
        let mut boxes = vec![BoxFigures {
            index: 0,
            coverage: 1.0,
            density: summary.base_rate,
            mass: 1.0,
            restricted: 0,
        }];
        let mut csv = TableReader::<Boxes>::open(&dir.join(boxes_csv::FILE))?;
        while csv.next_record()? {
            let r = csv.record()?;
            if !summary.inputs.iter().any(|i| i.name == r.input) {
                return Err(csv
                    .garbled(&format!("{:?} is not an input of summary.json", r.input))
                    .into());
            }
            match boxes.last_mut() {
                Some(last) if last.index == r.index => last.restricted += 1,
                Some(last) if last.index < r.index => boxes.push(BoxFigures {
                    index: r.index,
                    coverage: r.coverage,
                    density: r.density,
                    mass: r.mass,
                    restricted: 1,
                }),
                _ => {
                    return Err(csv
                        .garbled(&format!("box {} is out of order", r.index))
                        .into());
                }
            }
        }
        let study = bare_study(sc, summary.runs, summary.seed, Vec::new());
        Ok(DiscoverData {
            study,
            summary,
            boxes,
        })
    }

    /// The shared chart context, with a subtitle naming the outcome.
    pub fn context(&self) -> Context<'_> {
        let mut ctx = Context::new(&self.study);
        let what = format!(
            "{} · where \"{}\" holds",
            self.summary.scenario, self.summary.outcome
        );
        let runs = format!("{} runs with drawn inputs", self.summary.runs);
        ctx.subtitle = subtitle(&ctx, &what, &runs);
        ctx
    }

    /// The chosen box's figures, if a box was chosen.
    pub fn chosen(&self) -> Option<&BoxFigures> {
        let k = self.summary.chosen? as u64;
        self.boxes.iter().find(|b| b.index == k)
    }

    fn input(&self, name: &str) -> Option<&InputSummary> {
        self.summary.inputs.iter().find(|i| i.name == name)
    }
}

/// Draws both charts of a discovery from its directory into `charts_dir`.
pub fn render(dir: &Path, charts_dir: &Path) -> Result<ChartsReport, ChartError> {
    let started = Instant::now();
    let data = DiscoverData::read(dir)?;
    write_charts(&data, charts_dir, started)
}

/// Draws the charts of a discovery already read, in parallel, and writes them.
pub fn write_charts(
    data: &DiscoverData,
    charts_dir: &Path,
    started: Instant,
) -> Result<ChartsReport, ChartError> {
    // Each chart draws on the canvas the one before it gave back.
    let _canvases = super::canvas::ReuseCanvases::begin();
    super::canvas::register_fonts()?;
    let ctx = data.context();
    let (trajectory, limits) =
        rayon::join(|| draw_trajectory(data, &ctx), || draw_limits(data, &ctx));
    save(
        charts_dir,
        vec![(TRAJECTORY_FILE, trajectory), (BOX_FILE, limits)],
        started,
    )
}

fn percent(x: f64) -> String {
    if x.is_finite() {
        format!("{:.0}%", 100.0 * x)
    } else {
        "n/a".into()
    }
}

/// A limit with up to three decimals, trailing zeros dropped, and a true minus sign.
fn number(x: f64) -> String {
    let s = format!("{x:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.replace('-', "−")
    }
}

/// Footer lines: the finding in words, as summary.json says it.
fn footer(c: &Canvas, data: &DiscoverData) -> Result<(), ChartError> {
    let y = MIN_HEIGHT as f64 - FOOTER_H + 12.0;
    for (k, line) in wrap_lines(
        &data.summary.sentence,
        MIN_WIDTH as f64 - 2.0 * MARGIN,
        &NOTE,
        2,
    )
    .iter()
    .enumerate()
    {
        c.text(
            line,
            (MARGIN, y + k as f64 * 20.0),
            &NOTE,
            Align::Start,
            Across::CapTop,
        )?;
    }
    Ok(())
}

/// The plot of the trajectory chart.
fn trajectory_plot() -> Rect {
    let top = HEADER_H + 16.0;
    let left = MARGIN + 70.0;
    Rect::new(
        left,
        top,
        MIN_WIDTH as f64 - left - MARGIN - 20.0,
        MIN_HEIGHT as f64 - top - FOOTER_H - 56.0,
    )
}

fn draw_trajectory(data: &DiscoverData, ctx: &Context) -> Result<Drawn, ChartError> {
    let (width, height) = (MIN_WIDTH, MIN_HEIGHT);
    let plot = trajectory_plot();
    let png = render_png(TRAJECTORY_FILE, width, height, |c| {
        paint_trajectory(c, data, ctx, plot)
    })?;
    Ok(Drawn {
        png,
        width,
        height,
        panels: vec![PanelBox::new(&data.summary.outcome, plot)],
    })
}

fn paint_trajectory(
    c: &Canvas,
    data: &DiscoverData,
    ctx: &Context,
    plot: Rect,
) -> Result<(), ChartError> {
    let title = format!(
        "Where \"{}\" holds: the peeling trajectory",
        data.summary.outcome
    );
    draw_header(c, ctx, MIN_WIDTH as f64, &title)?;
    legend_row(
        c,
        MARGIN,
        EXPLAIN_Y,
        &[
            (
                Swatch::Dot(PATH),
                "a box, peeled from the one before; the full box at the right".into(),
            ),
            (Swatch::Dot(CHOSEN), "the chosen box".into()),
            (
                Swatch::Line {
                    color: RULE,
                    width: 1.0,
                    dash: Dash::Pattern(&[6.0, 4.0]),
                },
                "base rate; coverage floor of the choice".into(),
            ),
        ],
    )?;
    let xs = Scale::new((0.0, 1.0), (plot.x + 8.0, plot.right() - 8.0));
    let ys = Scale::new((0.0, 1.0), (plot.bottom() - 8.0, plot.y + 8.0));
    c.fill_rect(plot, PLOT_BG)?;
    for k in 0..=4 {
        let v = f64::from(k) / 4.0;
        let (px, py) = (xs.map(v), ys.map(v));
        c.line(&[(px, plot.y), (px, plot.bottom())], GRID, 1.0)?;
        c.line(&[(plot.x, py), (plot.right(), py)], GRID, 1.0)?;
        c.text(
            &percent(v),
            (px, plot.bottom() + 8.0),
            &TICK,
            Align::Center,
            Across::CapTop,
        )?;
        c.text(
            &percent(v),
            (plot.x - 8.0, py),
            &TICK,
            Align::End,
            Across::Middle,
        )?;
    }
    c.text(
        "coverage: share of the runs where the outcome holds that lie in the box",
        (plot.center_x(), plot.bottom() + 30.0),
        &TICK,
        Align::Center,
        Across::CapTop,
    )?;
    c.text_up(
        "density: share of the box's runs where the outcome holds",
        (MARGIN + 4.0, plot.y + plot.h / 2.0),
        &TICK,
        Align::Center,
        Across::CapTop,
    )?;
    let dashed = Dash::Pattern(&[6.0, 4.0]);
    let base = data.summary.base_rate;
    if base.is_finite() {
        let y = ys.map(base.clamp(0.0, 1.0));
        c.styled_line(&[(plot.x, y), (plot.right(), y)], RULE, 1.0, dashed)?;
        c.text(
            &format!("base rate {}", percent(base)),
            (plot.x + 12.0, y - 4.0),
            &NOTE,
            Align::Start,
            Across::Baseline,
        )?;
    }
    let floor = xs.map(DEFAULT_MIN_COVERAGE);
    c.styled_line(
        &[(floor, plot.y), (floor, plot.bottom())],
        RULE,
        1.0,
        dashed,
    )?;
    c.text(
        &format!(
            "the choice keeps coverage ≥ {}",
            percent(DEFAULT_MIN_COVERAGE)
        ),
        (floor - 6.0, plot.y + 12.0),
        &NOTE,
        Align::End,
        Across::CapTop,
    )?;
    let at = |b: &BoxFigures| {
        (
            xs.map(b.coverage.clamp(0.0, 1.0)),
            ys.map(b.density.clamp(0.0, 1.0)),
        )
    };
    let points: Vec<(f64, f64)> = data
        .boxes
        .iter()
        .filter(|b| b.coverage.is_finite() && b.density.is_finite())
        .map(at)
        .collect();
    c.line(&points, with_alpha(PATH, 0.6), 1.5)?;
    for &p in &points {
        c.circle(p, 4.0, PATH)?;
    }
    if let Some(b) = data.chosen() {
        let (x, y) = at(b);
        c.circle((x, y), 9.0, CHOSEN)?;
        c.circle((x, y), 5.0, PATH)?;
        let label = format!(
            "box {}: coverage {}, density {}, mass {}, {} input{} restricted",
            b.index,
            percent(b.coverage),
            percent(b.density),
            percent(b.mass),
            b.restricted,
            if b.restricted == 1 { "" } else { "s" }
        );
        let w = text_width(&label, &LABEL_BOLD);
        // Beside the mark, on the side with room, and below it near the top of the plot.
        let (lx, align) = if x + 16.0 + w <= plot.right() {
            (x + 16.0, Align::Start)
        } else {
            (x - 16.0, Align::End)
        };
        let ly = if y < plot.y + 40.0 {
            y + 24.0
        } else {
            y - 20.0
        };
        c.text(&label, (lx, ly), &LABEL_BOLD, align, Across::Middle)?;
    } else {
        c.text(
            "no box was chosen",
            (plot.center_x(), plot.y + plot.h / 2.0),
            &NOTE,
            Align::Center,
            Across::Middle,
        )?;
    }
    footer(c, data)
}

struct LimitsLayout {
    plot: Rect,
    label_w: f64,
    row_h: f64,
    rows: usize,
}

fn limits_layout(data: &DiscoverData) -> LimitsLayout {
    let rows = data.summary.limits.len().clamp(1, MAX_LIMITS);
    let top = HEADER_H + 24.0;
    let avail = MIN_HEIGHT as f64 - top - FOOTER_H - 24.0;
    let row_h = (avail / rows as f64).clamp(44.0, 96.0).floor();
    let widest = data
        .summary
        .limits
        .iter()
        .map(|l| text_width(&l.input, &ROW))
        .fold(80.0, f64::max);
    let label_w = widest.min(MIN_WIDTH as f64 * 0.3);
    let x = MARGIN + label_w + 16.0;
    LimitsLayout {
        plot: Rect::new(
            x,
            top,
            MIN_WIDTH as f64 - MARGIN - 60.0 - x,
            rows as f64 * row_h,
        ),
        label_w,
        row_h,
        rows,
    }
}

fn draw_limits(data: &DiscoverData, ctx: &Context) -> Result<Drawn, ChartError> {
    let (width, height) = (MIN_WIDTH, MIN_HEIGHT);
    let l = limits_layout(data);
    let png = render_png(BOX_FILE, width, height, |c| paint_limits(c, data, ctx, &l))?;
    Ok(Drawn {
        png,
        width,
        height,
        panels: vec![PanelBox::new(&data.summary.outcome, l.plot)],
    })
}

fn paint_limits(
    c: &Canvas,
    data: &DiscoverData,
    ctx: &Context,
    l: &LimitsLayout,
) -> Result<(), ChartError> {
    let title = format!(
        "Where \"{}\" holds: the chosen box's limits",
        data.summary.outcome
    );
    draw_header(c, ctx, MIN_WIDTH as f64, &title)?;
    legend_row(
        c,
        MARGIN,
        EXPLAIN_Y,
        &[
            (Swatch::Block(RANGE), "the input's whole range".into()),
            (Swatch::Block(CHOSEN), "the box's limits".into()),
            (
                Swatch::Line {
                    color: INK,
                    width: 2.0,
                    dash: Dash::Solid,
                },
                "nominal value".into(),
            ),
        ],
    )?;
    let limits: &[BoxLimit] = &data.summary.limits;
    if limits.is_empty() {
        let message = if data.summary.chosen.is_none() {
            "No box was chosen: no restriction of the inputs makes the outcome more frequent."
        } else {
            "The chosen box restricts no input."
        };
        c.text(
            message,
            (MIN_WIDTH as f64 / 2.0, MIN_HEIGHT as f64 / 2.0),
            &NOTE,
            Align::Center,
            Across::Middle,
        )?;
        return footer(c, data);
    }
    let plot = l.plot;
    let bar_h = (l.row_h * 0.34).clamp(10.0, 24.0);
    for (k, limit) in limits.iter().take(l.rows).enumerate() {
        let mid = plot.y + (k as f64 + 0.5) * l.row_h;
        c.text(
            &ellipsize(&limit.input, l.label_w, &ROW),
            (plot.x - 16.0, mid),
            &ROW,
            Align::End,
            Across::Middle,
        )?;
        let Some(input) = data.input(&limit.input) else {
            continue;
        };
        let xs = Scale::new((input.low, input.high), (plot.x, plot.right()));
        let track = Rect::new(plot.x, mid - bar_h / 2.0, plot.w, bar_h);
        c.fill_rect(track, RANGE)?;
        let (a, z) = (
            xs.map(limit.low.clamp(input.low, input.high)),
            xs.map(limit.high.clamp(input.low, input.high)),
        );
        c.fill_rect(
            Rect::new(a, mid - bar_h / 2.0, (z - a).max(2.0), bar_h),
            CHOSEN,
        )?;
        let n = xs.map(input.nominal);
        c.line(
            &[(n, mid - bar_h / 2.0 - 3.0), (n, mid + bar_h / 2.0 + 3.0)],
            INK,
            2.0,
        )?;
        // The range's ends under the track, the box's limits above it.
        let under = mid + bar_h / 2.0 + 6.0;
        c.text(
            &number(input.low),
            (plot.x, under),
            &TICK,
            Align::Start,
            Across::CapTop,
        )?;
        c.text(
            &number(input.high),
            (plot.right(), under),
            &TICK,
            Align::End,
            Across::CapTop,
        )?;
        let over = mid - bar_h / 2.0 - 6.0;
        let (low_text, high_text) = (number(limit.low), number(limit.high));
        let lw = text_width(&low_text, &VALUE);
        if z - a >= lw + text_width(&high_text, &VALUE) + 12.0 {
            c.text(&low_text, (a, over), &VALUE, Align::Start, Across::Baseline)?;
            c.text(&high_text, (z, over), &VALUE, Align::End, Across::Baseline)?;
        } else {
            c.text(
                &format!("{low_text} to {high_text}"),
                ((a + z) / 2.0, over),
                &VALUE,
                Align::Center,
                Across::Baseline,
            )?;
        }
    }
    if limits.len() > l.rows {
        c.text(
            &format!(
                "and {} more restricted inputs, listed in summary.json and boxes.csv",
                limits.len() - l.rows
            ),
            (plot.x, plot.bottom() + 12.0),
            &NOTE.with_color(MUTED),
            Align::Start,
            Across::CapTop,
        )?;
    }
    footer(c, data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_read_plainly() {
        assert_eq!(number(0.2), "0.2");
        assert_eq!(number(-0.25), "−0.25");
        assert_eq!(number(-0.0001), "0");
        assert_eq!(percent(0.8125), "81%");
    }
}
