//! `sobol_outcomes.png` and `sobol_alignment.png` (with further numbered pages): Sobol'
//! indices as bars, one panel per measure.
//!
//! In each panel the inputs stand largest total index on top, each with two bars: its total
//! index (what it explains with its interactions) and its first-order index (what it
//! explains alone), each with its bootstrap 95% interval as a whisker. All panels of a chart
//! share one axis from 0 to 1 (wider when an estimate falls outside), because an index is a
//! share of variance and reads against the whole: 0.1 is small whatever else is smaller.

use plotters::style::RGBAColor;

use super::canvas::{Across, Align, Canvas, Font, render_png, text_width};
use super::error::ChartError;
use super::frame::{
    Context, EXPLAIN_Y, HEADER_H, LABEL, LABEL_BOLD, MARGIN, MIN_HEIGHT, MIN_WIDTH, NOTE, Swatch,
    TICK, draw_header, legend_row,
};
use super::layout::{Rect, Scale, ellipsize, wrap_lines};
use super::palette::{GRID, INK, PLOT_BG, RULE, hex};
use super::sensitivity::{MeasureData, Page, Rows, SensitivityData, SobolRow, grid, page_title};
use super::{Drawn, PanelBox};
use crate::analysis::ablation::Measure;

/// Inputs shown per panel; sobol.csv lists every one.
pub const MAX_INPUTS: usize = 8;

/// Okabe-Ito blue for the total index and orange for the first-order one, told apart in
/// every common colour-vision deficiency and in greyscale (dark against light).
const TOTAL: RGBAColor = hex(0x0072B2);
const FIRST: RGBAColor = hex(0xE69F00);

const ROW: Font = Font::new(14.0, INK);
const COL_GAP: f64 = 56.0;
const PANEL_GAP: f64 = 30.0;
const AXIS_H: f64 = 26.0;
const FOOTER_H: f64 = 64.0;
/// Few inputs spread over the panel up to this height of row, so bars stay bars.
const MAX_ROW_H: f64 = 64.0;
const LABEL_MAX_SHARE: f64 = 0.4;

/// The axis every panel of a chart shares: 0 to 1, widened by tenths to hold estimates
/// outside (bootstrap bounds of small indices fall below 0), never beyond −0.5 or 1.5.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Axis {
    lo: f64,
    hi: f64,
}

impl Axis {
    fn holding(values: impl Iterator<Item = f64>) -> Axis {
        let (mut lo, mut hi) = (0.0f64, 1.0f64);
        for v in values.filter(|v| v.is_finite()) {
            lo = lo.min(v);
            hi = hi.max(v);
        }
        Axis {
            lo: ((lo * 10.0).floor() / 10.0).max(-0.5),
            hi: ((hi * 10.0).ceil() / 10.0).min(1.5),
        }
    }

    /// Multiples of 0.25 within the axis.
    fn ticks(&self) -> Vec<f64> {
        let first = (self.lo * 4.0).ceil() as i32;
        let last = (self.hi * 4.0).floor() as i32;
        (first..=last).map(|k| f64::from(k) / 4.0).collect()
    }

    fn clamp(&self, v: f64) -> f64 {
        v.clamp(self.lo, self.hi)
    }
}

/// A tick label: "0", "0.25", "1", "−0.25", with a true minus sign.
fn tick_label(v: f64) -> String {
    if v == 0.0 {
        "0".into()
    } else {
        format!("{v}").replace('-', "−")
    }
}

/// An index with two decimals; "n/a" for none.
fn value(v: f64) -> String {
    if v.is_finite() {
        let text = format!("{v:.2}");
        if text == "-0.00" {
            "0.00".into()
        } else {
            text.replace('-', "−")
        }
    } else {
        "n/a".into()
    }
}

/// The shown rows of a measure: its inputs by decreasing total index, at most
/// [`MAX_INPUTS`].
fn shown(m: &MeasureData) -> Vec<SobolRow> {
    let Rows::Sobol(rows) = &m.rows else {
        return Vec::new();
    };
    m.ranked()
        .into_iter()
        .take(MAX_INPUTS)
        .filter_map(|k| rows.get(k).copied())
        .collect()
}

struct Layout {
    boxes: Vec<Rect>,
    title_h: f64,
    row_h: f64,
    rows: usize,
    label_w: f64,
    value_w: f64,
    footer_y: f64,
}

fn layout(data: &SensitivityData, page: &Page) -> Layout {
    let (cols, grid_rows) = grid(page);
    let width = MIN_WIDTH as f64;
    let height = MIN_HEIGHT as f64;
    let panel_w = (width - 2.0 * MARGIN - (cols as f64 - 1.0) * COL_GAP) / cols as f64;
    let top = HEADER_H + 8.0;
    let panel_h = ((height - top - FOOTER_H - (grid_rows as f64 - 1.0) * PANEL_GAP)
        / grid_rows as f64)
        .floor();
    let title_h = match page.measure {
        Measure::Outcome => 50.0,
        Measure::FinalAlignment => 32.0,
    };
    let rows = data.summary.inputs.len().clamp(1, MAX_INPUTS);
    let row_h = ((panel_h - title_h - AXIS_H) / rows as f64)
        .min(MAX_ROW_H)
        .floor();
    let value_w = text_width("−0.00", &LABEL_BOLD) + 14.0;
    let widest = data
        .summary
        .inputs
        .iter()
        .map(|i| text_width(&i.name, &ROW))
        .fold(60.0, f64::max);
    let label_w = widest.min(panel_w * LABEL_MAX_SHARE);
    let boxes = (0..page.measures.len())
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
    Layout {
        boxes,
        title_h,
        row_h,
        rows,
        label_w,
        value_w,
        footer_y: height - FOOTER_H + 12.0,
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

/// Draws one page of a Sobol' chart.
pub fn draw(data: &SensitivityData, ctx: &Context, page: &Page) -> Result<Drawn, ChartError> {
    let l = layout(data, page);
    let family = data.of(page.measure);
    let axis = Axis::holding(family.iter().flat_map(|m| {
        shown(m).into_iter().flat_map(|r| {
            [
                r.first,
                r.first_low,
                r.first_high,
                r.total,
                r.total_low,
                r.total_high,
            ]
        })
    }));
    let (width, height) = (MIN_WIDTH, MIN_HEIGHT);
    let png = render_png("Sobol' chart", width, height, |c| {
        paint(c, data, ctx, page, &l, axis)
    })?;
    Ok(Drawn {
        png,
        width,
        height,
        panels: page
            .measures
            .iter()
            .zip(&l.boxes)
            .map(|(m, &b)| PanelBox::new(&m.name, l.plot(b)))
            .collect(),
    })
}

fn paint(
    c: &Canvas,
    data: &SensitivityData,
    ctx: &Context,
    page: &Page,
    l: &Layout,
    axis: Axis,
) -> Result<(), ChartError> {
    let question = match page.measure {
        Measure::Outcome => "Which inputs drive each outcome's probability: Sobol' indices",
        Measure::FinalAlignment => {
            "Which inputs drive each actor's final alignment: Sobol' indices"
        }
    };
    draw_header(c, ctx, MIN_WIDTH as f64, &page_title(question, page))?;
    legend_row(
        c,
        MARGIN,
        EXPLAIN_Y,
        &[
            (
                Swatch::Block(TOTAL),
                "total index: what the input explains with its interactions".into(),
            ),
            (
                Swatch::Block(FIRST),
                "first-order index: what it explains alone".into(),
            ),
            (
                Swatch::Line {
                    color: INK,
                    width: 1.5,
                    dash: super::canvas::Dash::Solid,
                },
                "bootstrap 95% interval".into(),
            ),
        ],
    )?;
    for (m, &b) in page.measures.iter().zip(&l.boxes) {
        panel(c, m, b, l, axis, data)?;
    }
    let d = data.summary.inputs.len();
    let shown = if d > MAX_INPUTS {
        format!(
            " Each panel shows the {MAX_INPUTS} inputs of {d} with the largest total index; sobol.csv lists all."
        )
    } else {
        String::new()
    };
    let note = format!(
        "An index is the share of the measure's variance over the design that an input explains; {} base rows, {} runs per point on common random numbers.{shown}",
        data.summary.samples, data.summary.runs_per_point
    );
    for (k, line) in wrap_lines(&note, MIN_WIDTH as f64 - 2.0 * MARGIN, &NOTE, 2)
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

/// The title of a measure's panel, as on the tornado chart.
pub fn panel_title(c: &Canvas, m: &MeasureData, b: Rect) -> Result<(), ChartError> {
    super::tornado::panel_title(c, m.actor, &m.name, m.condition.as_deref(), b)
}

fn panel(
    c: &Canvas,
    m: &MeasureData,
    b: Rect,
    l: &Layout,
    axis: Axis,
    data: &SensitivityData,
) -> Result<(), ChartError> {
    panel_title(c, m, b)?;
    let plot = l.plot(b);
    let xs = Scale::new((axis.lo, axis.hi), (plot.x + 4.0, plot.right() - 4.0));
    c.fill_rect(plot, PLOT_BG)?;
    for v in axis.ticks() {
        let px = xs.map(v);
        let color = if v == 0.0 || v == 1.0 { RULE } else { GRID };
        c.line(&[(px, plot.y), (px, plot.bottom())], color, 1.0)?;
        c.line(&[(px, plot.bottom()), (px, plot.bottom() + 4.0)], RULE, 1.0)?;
        c.text(
            &tick_label(v),
            (px, plot.bottom() + 8.0),
            &TICK,
            Align::Center,
            Across::CapTop,
        )?;
    }
    if !m.has_indices() {
        return c.text(
            "does not vary over the inputs: no indices",
            (plot.center_x(), plot.y + plot.h / 2.0),
            &NOTE,
            Align::Center,
            Across::Middle,
        );
    }
    let bar_h = (l.row_h * 0.3).clamp(4.0, 16.0);
    let zero = xs.map(0.0);
    for (k, r) in shown(m).iter().enumerate() {
        let mid = plot.y + (k as f64 + 0.5) * l.row_h;
        c.text(
            &ellipsize(data.input_name(r.input), l.label_w, &ROW),
            (plot.x - 10.0, mid),
            &ROW,
            Align::End,
            Across::Middle,
        )?;
        let bars = [
            (
                mid - bar_h * 0.6,
                r.total,
                r.total_low,
                r.total_high,
                TOTAL,
                LABEL_BOLD,
            ),
            (
                mid + bar_h * 0.6,
                r.first,
                r.first_low,
                r.first_high,
                FIRST,
                LABEL,
            ),
        ];
        for (y, v, lo, hi, color, font) in bars {
            if v.is_finite() {
                let end = xs.map(axis.clamp(v));
                let (left, right) = if end < zero { (end, zero) } else { (zero, end) };
                c.fill_rect(
                    Rect::new(left, y - bar_h / 2.0, (right - left).max(1.0), bar_h),
                    color,
                )?;
            }
            if lo.is_finite() && hi.is_finite() {
                let (a, z) = (xs.map(axis.clamp(lo)), xs.map(axis.clamp(hi)));
                let cap = bar_h / 2.0 + 2.0;
                c.line(&[(a, y), (z, y)], INK, 1.5)?;
                c.line(&[(a, y - cap), (a, y + cap)], INK, 1.5)?;
                c.line(&[(z, y - cap), (z, y + cap)], INK, 1.5)?;
            }
            c.text(
                &value(v),
                (plot.right() + 10.0, y),
                &font,
                Align::Start,
                Across::Middle,
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_axis_holds_estimates_outside_zero_to_one_by_tenths() {
        let a = Axis::holding([0.2, 0.9].into_iter());
        assert_eq!((a.lo, a.hi), (0.0, 1.0));
        assert_eq!(a.ticks(), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
        let b = Axis::holding([-0.03, 1.02, f64::NAN].into_iter());
        assert_eq!((b.lo, b.hi), (-0.1, 1.1));
        let c = Axis::holding([-9.0].into_iter());
        assert_eq!(c.lo, -0.5);
        assert_eq!(c.ticks()[0], -0.5);
        assert_eq!(tick_label(-0.25), "−0.25");
        assert_eq!(value(-0.001), "0.00");
    }
}
