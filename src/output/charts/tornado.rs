//! `ablation.png` and `ablation_alignment.png`: which events matter most, as tornado charts.
//!
//! One panel per outcome (ablation.png) or per actor's final alignment
//! (ablation_alignment.png). In each, the events with the largest effects stand as bars from
//! zero, largest on top, with their paired 95% intervals as whiskers; an interval that
//! includes zero draws its bar pale, so a reader sees at once which effects are clear. All
//! panels of a chart share one axis, so sizes compare across panels. The two measures are in
//! separate charts because they are in different units (percentage points of probability and
//! alignment), and together they would not fit one readable page.

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
use super::outcomes::condition_text;
use super::paired::{ZeroAxis, bare_study, save, signed_fixed, subtitle};
use super::palette::{GRID, INK, PLOT_BG, RULE, actor_style, hex, rgba, with_alpha};
use super::{ChartsReport, Drawn, PanelBox};
use crate::analysis::ablation::Measure;
use crate::output::schema::ablation::{self, Ablation};
use crate::output::schema::{AblationSummary, SCENARIO_FILE, TableReader};

pub const FILE: &str = "ablation.png";
pub const ALIGNMENT_FILE: &str = "ablation_alignment.png";

/// Events shown per panel; ablation.csv lists every one.
pub const MAX_ROWS: usize = 8;

/// One row of ablation.csv.
#[derive(Debug, Clone, PartialEq)]
pub struct EffectRow {
    pub event: String,
    pub label: String,
    pub measure: Measure,
    pub name: String,
    pub effect: f64,
    pub low: f64,
    pub high: f64,
    pub rank: u64,
}

impl EffectRow {
    /// The event's label, or its id when it has none.
    pub fn title(&self) -> &str {
        if self.label.trim().is_empty() {
            &self.event
        } else {
            &self.label
        }
    }
}

/// Everything the tornado charts show, read from an ablation's directory.
#[derive(Debug, Clone)]
pub struct AblationData {
    /// The scenario copy; a study's tables are empty.
    pub study: StudyData,
    pub rows: Vec<EffectRow>,
}

impl AblationData {
    /// Reads and cross-checks the files of an ablation's directory.
    pub fn read(dir: &Path) -> Result<AblationData, ChartError> {
        let summary = AblationSummary::read(dir)?;
        let sc = read_scenario(&dir.join(SCENARIO_FILE), &summary.scenario_sha256)?;
        let mut csv = TableReader::<Ablation>::open(&dir.join(ablation::FILE))?;
        let mut rows = Vec::new();
        while csv.next_record()? {
            let r = csv.record()?;
            let known = match r.measure {
                Measure::Outcome => sc.outcomes.iter().any(|o| o.name == r.name),
                Measure::FinalAlignment => sc.actor_index(r.name).is_some(),
            };
            if !known {
                return Err(csv
                    .garbled(&format!(
                        "{:?} is not an {} of scenario.toml",
                        r.name,
                        match r.measure {
                            Measure::Outcome => "outcome",
                            Measure::FinalAlignment => "actor",
                        }
                    ))
                    .into());
            }
            rows.push(EffectRow {
                event: r.event.to_string(),
                label: r.label.to_string(),
                measure: r.measure,
                name: r.name.to_string(),
                effect: r.effect,
                low: r.ci_low,
                high: r.ci_high,
                rank: r.rank,
            });
        }
        Ok(AblationData {
            study: bare_study(sc, summary.runs, summary.seed, Vec::new()),
            rows,
        })
    }

    /// The shared chart context, with a subtitle saying what was left out.
    pub fn context(&self) -> Context<'_> {
        let mut ctx = Context::new(&self.study);
        let sc = &self.study.scenario;
        let events = sc.events.len();
        let what = format!(
            "{} · each of {events} event{} left out in turn",
            sc.name,
            if events == 1 { "" } else { "s" }
        );
        let runs = format!("{} paired runs per event", self.study.runs);
        ctx.subtitle = subtitle(&ctx, &what, &runs);
        ctx
    }
}

/// Draws both tornado charts of an ablation from its directory into `charts_dir`.
pub fn render_ablation_charts(dir: &Path, charts_dir: &Path) -> Result<ChartsReport, ChartError> {
    let started = Instant::now();
    let data = AblationData::read(dir)?;
    write_charts(&data, charts_dir, started)
}

/// Draws the charts of an ablation already read, in parallel, and writes them.
pub fn write_charts(
    data: &AblationData,
    charts_dir: &Path,
    started: Instant,
) -> Result<ChartsReport, ChartError> {
    // Each chart draws on the canvas the one before it gave back.
    let _canvases = super::canvas::ReuseCanvases::begin();
    super::canvas::register_fonts()?;
    let ctx = data.context();
    let (outcomes, alignment) = rayon::join(
        || draw(data, &ctx, Measure::Outcome),
        || draw(data, &ctx, Measure::FinalAlignment),
    );
    save(
        charts_dir,
        vec![(FILE, outcomes), (ALIGNMENT_FILE, alignment)],
        started,
    )
}

/// Bars of effects that raise the measure, and of those that lower it (Okabe-Ito blue and
/// vermillion, told apart in every common colour-vision deficiency).
const UP: RGBAColor = hex(0x0072B2);
const DOWN: RGBAColor = hex(0xD55E00);
/// Opacity of a bar whose interval includes zero.
const UNCLEAR: f64 = 0.35;

const ROW: Font = Font::new(14.0, INK);
const COL_GAP: f64 = 56.0;
const PANEL_GAP: f64 = 30.0;
const AXIS_H: f64 = 26.0;
const MIN_ROW_H: f64 = 24.0;
/// Few events spread over the page up to this height of row, so bars stay bars.
const MAX_ROW_H: f64 = 56.0;
const FOOTER_H: f64 = 64.0;
const LABEL_MAX_SHARE: f64 = 0.46;

/// How a measure is shown: its unit, the factor from effect to axis units, the smallest axis.
struct Units {
    /// Effects are shown as percentage points.
    percent: bool,
    factor: f64,
    floor: f64,
    axis_caption: &'static str,
}

fn units(measure: Measure) -> Units {
    match measure {
        Measure::Outcome => Units {
            percent: true,
            factor: 100.0,
            floor: 1.0,
            axis_caption: "effect, percentage points",
        },
        Measure::FinalAlignment => Units {
            percent: false,
            factor: 1.0,
            floor: 0.01,
            axis_caption: "effect on alignment",
        },
    }
}

/// One panel: a measure's name and its leading events.
struct PanelData<'a> {
    name: String,
    /// The outcome's condition in words, under its name.
    condition: Option<String>,
    actor: Option<usize>,
    rows: Vec<&'a EffectRow>,
}

fn panels<'a>(data: &'a AblationData, ctx: &Context, measure: Measure) -> Vec<PanelData<'a>> {
    let sc = &data.study.scenario;
    let rows_of = |name: &str| {
        let mut rows: Vec<&EffectRow> = data
            .rows
            .iter()
            .filter(|r| r.measure == measure && r.name == name)
            .collect();
        rows.sort_by_key(|r| r.rank);
        rows.truncate(MAX_ROWS);
        rows
    };
    match measure {
        Measure::Outcome => sc
            .outcomes
            .iter()
            .map(|o| PanelData {
                name: o.name.clone(),
                condition: Some(condition_text(sc, &ctx.time, o)),
                actor: None,
                rows: rows_of(&o.name),
            })
            .collect(),
        Measure::FinalAlignment => sc
            .actors
            .iter()
            .enumerate()
            .map(|(i, a)| PanelData {
                name: a.name.clone(),
                condition: None,
                actor: Some(i),
                rows: rows_of(&a.name),
            })
            .collect(),
    }
}

struct Layout {
    width: u32,
    height: u32,
    /// Top-left corner and width of each panel.
    boxes: Vec<Rect>,
    title_h: f64,
    row_h: f64,
    rows: usize,
    label_w: f64,
    value_w: f64,
    footer_y: f64,
}

fn layout(measure: Measure, panels: &[PanelData], events: usize) -> Layout {
    let count = panels.len().max(1);
    let cols = if count > 1 { 2 } else { 1 };
    let grid_rows = count.div_ceil(cols);
    let width = MIN_WIDTH as f64;
    let panel_w = (width - 2.0 * MARGIN - (cols as f64 - 1.0) * COL_GAP) / cols as f64;
    let title_h = match measure {
        Measure::Outcome => 50.0,
        Measure::FinalAlignment => 32.0,
    };
    let rows = events.clamp(1, MAX_ROWS);
    let top = HEADER_H + 8.0;
    let fixed = top
        + grid_rows as f64 * (title_h + AXIS_H)
        + (grid_rows as f64 - 1.0) * PANEL_GAP
        + FOOTER_H;
    let row_h = ((MIN_HEIGHT as f64 - fixed) / (grid_rows * rows) as f64)
        .clamp(MIN_ROW_H, MAX_ROW_H)
        .floor();
    let panel_h = title_h + rows as f64 * row_h + AXIS_H;
    let value_w = text_width("+100.0 pp", &LABEL_BOLD) + 14.0;
    let widest = panels
        .iter()
        .flat_map(|p| p.rows.iter().map(|r| text_width(r.title(), &ROW)))
        .fold(80.0, f64::max);
    let label_w = widest.min(panel_w * LABEL_MAX_SHARE);
    let boxes = (0..count)
        .map(|k| {
            let (r, c) = (k / cols, k % cols);
            Rect::new(
                MARGIN + c as f64 * (panel_w + COL_GAP),
                top + r as f64 * (panel_h + PANEL_GAP),
                panel_w,
                panel_h,
            )
        })
        .collect();
    let grid_bottom = top + grid_rows as f64 * panel_h + (grid_rows as f64 - 1.0) * PANEL_GAP;
    let height = (grid_bottom + FOOTER_H).ceil();
    Layout {
        width: MIN_WIDTH,
        height: (height as u32).max(MIN_HEIGHT),
        boxes,
        title_h,
        row_h,
        rows,
        label_w,
        value_w,
        footer_y: grid_bottom + 18.0,
    }
}

impl Layout {
    /// The bars' area inside a panel box.
    fn plot(&self, b: Rect) -> Rect {
        let x = b.x + self.label_w + 12.0;
        Rect::new(
            x,
            b.y + self.title_h,
            b.right() - self.value_w - x,
            self.rows as f64 * self.row_h,
        )
    }
}

pub fn draw(data: &AblationData, ctx: &Context, measure: Measure) -> Result<Drawn, ChartError> {
    let panels = panels(data, ctx, measure);
    let l = layout(measure, &panels, data.study.scenario.events.len());
    let u = units(measure);
    let max_abs = panels
        .iter()
        .flat_map(|p| p.rows.iter().flat_map(|r| [r.effect, r.low, r.high]))
        .filter(|v| v.is_finite())
        .fold(0.0, |m: f64, v| m.max(v.abs()));
    let axis = ZeroAxis::holding(max_abs * u.factor, u.floor);
    let file = match measure {
        Measure::Outcome => FILE,
        Measure::FinalAlignment => ALIGNMENT_FILE,
    };
    let png = render_png(file, l.width, l.height, |c| {
        paint(c, data, ctx, measure, &panels, &l, axis)
    })?;
    Ok(Drawn {
        png,
        width: l.width,
        height: l.height,
        panels: panels
            .iter()
            .zip(&l.boxes)
            .map(|(p, &b)| PanelBox::new(&p.name, l.plot(b)))
            .collect(),
    })
}

fn paint(
    c: &Canvas,
    data: &AblationData,
    ctx: &Context,
    measure: Measure,
    panels: &[PanelData],
    l: &Layout,
    axis: ZeroAxis,
) -> Result<(), ChartError> {
    let sc = &data.study.scenario;
    let u = units(measure);
    let (title, up, down) = match measure {
        Measure::Outcome => (
            "Which events matter most: effect on each outcome's probability".to_string(),
            "with the event the outcome is more likely".to_string(),
            "less likely".to_string(),
        ),
        Measure::FinalAlignment => (
            "Which events matter most: effect on each actor's final alignment".to_string(),
            format!("with the event the actor ends nearer {}", sc.axis.positive),
            format!("nearer {}", sc.axis.negative),
        ),
    };
    draw_header(c, ctx, l.width as f64, &title)?;
    legend_row(
        c,
        MARGIN,
        EXPLAIN_Y,
        &[
            (Swatch::Block(UP), up),
            (Swatch::Block(DOWN), down),
            (
                Swatch::Block(with_alpha(UP, UNCLEAR)),
                "pale: its 95% interval includes zero".into(),
            ),
            (
                Swatch::Line {
                    color: INK,
                    width: 1.5,
                    dash: Dash::Solid,
                },
                "paired 95% interval".into(),
            ),
        ],
    )?;
    if panels.is_empty() || sc.events.is_empty() {
        let message = if sc.events.is_empty() {
            "This scenario has no [[event]] to leave out.".to_string()
        } else if measure == Measure::Outcome {
            format!(
                "This scenario defines no [[outcome]]; {ALIGNMENT_FILE} shows the effects on alignment."
            )
        } else {
            "This scenario has no actors.".to_string()
        };
        return c.text(
            &message,
            (l.width as f64 / 2.0, l.height as f64 / 2.0),
            &NOTE,
            Align::Center,
            Across::Middle,
        );
    }
    for (p, &b) in panels.iter().zip(&l.boxes) {
        panel(c, p, b, l, axis, &u)?;
    }
    let events = sc.events.len();
    let shown = if events > MAX_ROWS {
        format!(
            " Each panel shows the {MAX_ROWS} largest effects of {events} events; ablation.csv lists all."
        )
    } else {
        String::new()
    };
    let note = format!(
        "Effect of an event = the measure with it − without it, over {} paired runs: run r without the event draws the same random numbers as run r with it.{shown}",
        data.study.runs
    );
    for (k, line) in wrap_lines(&note, l.width as f64 - 2.0 * MARGIN, &NOTE, 2)
        .iter()
        .enumerate()
    {
        c.text(
            line,
            (MARGIN, l.footer_y + k as f64 * 20.0),
            &NOTE,
            Align::Start,
            Across::CapTop,
        )?;
    }
    Ok(())
}

fn panel(
    c: &Canvas,
    p: &PanelData,
    b: Rect,
    l: &Layout,
    axis: ZeroAxis,
    u: &Units,
) -> Result<(), ChartError> {
    let plot = l.plot(b);
    panel_title(c, p.actor, &p.name, p.condition.as_deref(), b)?;

    let xs = Scale::new(
        (-axis.limit, axis.limit),
        (plot.x + 4.0, plot.right() - 4.0),
    );
    c.fill_rect(plot, PLOT_BG)?;
    for v in axis.ticks() {
        let px = xs.map(v);
        let color = if v == 0.0 { RULE } else { GRID };
        c.line(&[(px, plot.y), (px, plot.bottom())], color, 1.0)?;
        c.line(&[(px, plot.bottom()), (px, plot.bottom() + 4.0)], RULE, 1.0)?;
        c.text(
            &axis.label(v),
            (px, plot.bottom() + 8.0),
            &TICK,
            Align::Center,
            Across::CapTop,
        )?;
    }
    // The unit stands where the event labels end, on the line of the tick labels.
    c.text(
        u.axis_caption,
        (plot.x - 24.0, plot.bottom() + 8.0),
        &TICK,
        Align::End,
        Across::CapTop,
    )?;
    if p.rows.is_empty() {
        return c.text(
            "no effects",
            (plot.center_x(), plot.y + plot.h / 2.0),
            &NOTE,
            Align::Center,
            Across::Middle,
        );
    }
    let bar_h = (l.row_h * 0.5).min(24.0);
    let zero = xs.map(0.0);
    for (k, r) in p.rows.iter().enumerate() {
        let mid = plot.y + (k as f64 + 0.5) * l.row_h;
        c.text(
            &ellipsize(r.title(), l.label_w, &ROW),
            (plot.x - 10.0, mid),
            &ROW,
            Align::End,
            Across::Middle,
        )?;
        let v = r.effect * u.factor;
        if !v.is_finite() {
            continue;
        }
        let clear = r.low.is_finite() && r.high.is_finite() && (r.low > 0.0 || r.high < 0.0);
        let base = if v >= 0.0 { UP } else { DOWN };
        let color = if clear {
            base
        } else {
            with_alpha(base, UNCLEAR)
        };
        let end = xs.map(v.clamp(-axis.limit, axis.limit));
        let (left, right) = if end < zero { (end, zero) } else { (zero, end) };
        c.fill_rect(
            Rect::new(left, mid - bar_h / 2.0, right - left, bar_h),
            color,
        )?;
        if r.low.is_finite() && r.high.is_finite() {
            let (lo, hi) = (
                xs.map((r.low * u.factor).clamp(-axis.limit, axis.limit)),
                xs.map((r.high * u.factor).clamp(-axis.limit, axis.limit)),
            );
            let cap = bar_h / 2.0 + 3.0;
            c.line(&[(lo, mid), (hi, mid)], INK, 1.5)?;
            c.line(&[(lo, mid - cap), (lo, mid + cap)], INK, 1.5)?;
            c.line(&[(hi, mid - cap), (hi, mid + cap)], INK, 1.5)?;
        }
        let value = if u.percent {
            format!("{} pp", signed_fixed(v, 1))
        } else {
            signed_fixed(v, 3)
        };
        c.text(
            &value,
            (plot.right() + 10.0, mid),
            &LABEL_BOLD,
            Align::Start,
            Across::Middle,
        )?;
    }
    Ok(())
}

/// The title of a panel that stands for one measure: the actor's colour and name, or the
/// outcome's name with its condition below. Every chart of measures shares it, so a measure
/// reads the same on each.
pub fn panel_title(
    c: &Canvas,
    actor: Option<usize>,
    name: &str,
    condition: Option<&str>,
    b: Rect,
) -> Result<(), ChartError> {
    let mut x = b.x;
    if let Some(i) = actor {
        c.fill_rect(
            Rect::new(x, b.y + 8.0, 13.0, 13.0),
            rgba(actor_style(i).color, 1.0),
        )?;
        x += 20.0;
    }
    c.text(
        &ellipsize(name, b.right() - x, &LABEL_BOLD),
        (x, b.y + 14.5),
        &LABEL_BOLD,
        Align::Start,
        Across::Middle,
    )?;
    if let Some(condition) = condition {
        c.text(
            &ellipsize(condition, b.w, &NOTE),
            (x, b.y + 34.0),
            &NOTE,
            Align::Start,
            Across::Middle,
        )?;
    }
    Ok(())
}
