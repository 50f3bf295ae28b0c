//! `morris_outcomes.png` and `morris_alignment.png` (with further numbered pages): Morris
//! screening as a scatter of μ* against σ, one panel per measure.
//!
//! An input far to the right matters (its elementary effects are large); one high up acts
//! unevenly, non-linearly or through other inputs; the dashed line σ = μ* divides the two
//! readings. Each point carries the bootstrap 95% interval of its μ* as a horizontal bar, so
//! a reader sees whether two inputs are told apart. Both axes of a panel share one scale (μ*
//! and σ are in the same unit); every panel has its own, because an outcome's probability
//! and an actor's alignment are in different units.

use plotters::style::RGBAColor;

use super::canvas::{Across, Align, Canvas, Dash, Font, render_png, text_width};
use super::error::ChartError;
use super::frame::{
    Context, EXPLAIN_Y, HEADER_H, MARGIN, MIN_HEIGHT, MIN_WIDTH, NOTE, Swatch, TICK, draw_header,
    legend_row,
};
use super::layout::{Rect, Scale, ellipsize, spread, wrap_lines};
use super::paired::ZeroAxis;
use super::palette::{GRID, INK, MUTED, PLOT_BG, RULE, hex, with_alpha};
use super::sensitivity::{MeasureData, MorrisRow, Page, Rows, SensitivityData, grid, page_title};
use super::sobol::panel_title;
use super::{Drawn, PanelBox};
use crate::analysis::ablation::Measure;

/// Points labelled with their input's name per panel, the largest μ* first, leaving out
/// inputs of negligible effect; the others are drawn unlabelled and morris.csv names them.
pub const LABELLED: usize = 8;

const POINT: RGBAColor = hex(0x0072B2);
const NAME: Font = Font::new(13.0, INK);
const COL_GAP: f64 = 56.0;
const PANEL_GAP: f64 = 30.0;
const FOOTER_H: f64 = 64.0;
/// Room beside and under a plot for tick labels and the axis captions.
const LEFT_W: f64 = 76.0;
const BOTTOM_H: f64 = 44.0;
const LABEL_GAP: f64 = 16.0;

/// The smallest axis: effects of nothing are not magnified into noise.
const FLOOR: f64 = 0.001;

struct Layout {
    boxes: Vec<Rect>,
    title_h: f64,
    footer_y: f64,
}

fn layout(page: &Page) -> Layout {
    let (cols, grid_rows) = grid(page);
    let width = MIN_WIDTH as f64;
    let height = MIN_HEIGHT as f64;
    let panel_w = (width - 2.0 * MARGIN - (cols as f64 - 1.0) * COL_GAP) / cols as f64;
    let top = HEADER_H + 8.0;
    let panel_h = ((height - top - FOOTER_H - (grid_rows as f64 - 1.0) * PANEL_GAP)
        / grid_rows as f64)
        .floor();
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
        title_h: match page.measure {
            Measure::Outcome => 50.0,
            Measure::FinalAlignment => 32.0,
        },
        footer_y: height - FOOTER_H + 12.0,
    }
}

impl Layout {
    fn plot(&self, b: Rect) -> Rect {
        let y = b.y + self.title_h + 6.0;
        Rect::new(
            b.x + LEFT_W,
            y,
            b.w - LEFT_W - 8.0,
            b.bottom() - BOTTOM_H - y,
        )
    }
}

/// Draws one page of a Morris chart.
pub fn draw(data: &SensitivityData, ctx: &Context, page: &Page) -> Result<Drawn, ChartError> {
    let l = layout(page);
    let (width, height) = (MIN_WIDTH, MIN_HEIGHT);
    let png = render_png("Morris chart", width, height, |c| {
        paint(c, data, ctx, page, &l)
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
) -> Result<(), ChartError> {
    let question = match page.measure {
        Measure::Outcome => "Which inputs drive each outcome's probability: Morris screening",
        Measure::FinalAlignment => {
            "Which inputs drive each actor's final alignment: Morris screening"
        }
    };
    draw_header(c, ctx, MIN_WIDTH as f64, &page_title(question, page))?;
    legend_row(
        c,
        MARGIN,
        EXPLAIN_Y,
        &[
            (Swatch::Dot(POINT), "an input".into()),
            (
                Swatch::Line {
                    color: INK,
                    width: 1.5,
                    dash: Dash::Solid,
                },
                "bootstrap 95% interval of μ*".into(),
            ),
            (
                Swatch::Line {
                    color: RULE,
                    width: 1.0,
                    dash: Dash::Pattern(&[6.0, 4.0]),
                },
                "σ = μ*: above it the input acts unevenly or through others".into(),
            ),
        ],
    )?;
    for (m, &b) in page.measures.iter().zip(&l.boxes) {
        panel(c, m, b, l, data)?;
    }
    let s = &data.summary;
    let labelled = format!(
        " Named: the {LABELLED} inputs with the largest μ*, if it is at least a twentieth of the panel's largest; morris.csv lists all."
    );
    let note = format!(
        "μ*: the mean size of the change in the measure when one input alone moves across its whole range; σ: the spread of those changes. {} trajectories, {} runs per point on common random numbers.{labelled}",
        s.samples, s.runs_per_point
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

/// A tick of an axis from 0: "0", "0.25", "1.5".
fn tick(axis: &ZeroAxis, v: f64) -> String {
    if v == 0.0 {
        "0".into()
    } else {
        format!("{:.*}", axis.decimals, v)
    }
}

fn panel(
    c: &Canvas,
    m: &MeasureData,
    b: Rect,
    l: &Layout,
    data: &SensitivityData,
) -> Result<(), ChartError> {
    panel_title(c, m, b)?;
    let plot = l.plot(b);
    let rows: &[MorrisRow] = match &m.rows {
        Rows::Morris(rows) => rows,
        Rows::Sobol(_) => &[],
    };
    let finite = |v: f64| if v.is_finite() { v } else { 0.0 };
    let x_max = rows
        .iter()
        .flat_map(|r| [r.mu_star, r.mu_star_high])
        .fold(0.0, |a: f64, v| a.max(finite(v)));
    let y_max = rows.iter().fold(0.0, |a: f64, r| a.max(finite(r.sigma)));
    if rows.is_empty() || (x_max == 0.0 && y_max == 0.0) {
        c.fill_rect(plot, PLOT_BG)?;
        return c.text(
            "does not vary over the inputs: every elementary effect is 0",
            (plot.center_x(), plot.y + plot.h / 2.0),
            &NOTE,
            Align::Center,
            Across::Middle,
        );
    }
    // One scale on both axes: μ* and σ are in the same unit, so σ = μ* is the diagonal and
    // a small σ looks small.
    let axis = ZeroAxis::holding(x_max.max(y_max), FLOOR);
    let (xa, ya) = (axis, axis);
    let inner = (plot.x + 8.0, plot.right() - 8.0);
    let xs = Scale::new((0.0, xa.limit), inner);
    let ys = Scale::new((0.0, ya.limit), (plot.bottom() - 8.0, plot.y + 8.0));
    c.fill_rect(plot, PLOT_BG)?;
    for v in [0.0, xa.limit / 2.0, xa.limit] {
        let px = xs.map(v);
        c.line(&[(px, plot.y), (px, plot.bottom())], GRID, 1.0)?;
        c.line(&[(px, plot.bottom()), (px, plot.bottom() + 4.0)], RULE, 1.0)?;
        c.text(
            &tick(&xa, v),
            (px, plot.bottom() + 8.0),
            &TICK,
            Align::Center,
            Across::CapTop,
        )?;
    }
    for v in [0.0, ya.limit / 2.0, ya.limit] {
        let py = ys.map(v);
        c.line(&[(plot.x, py), (plot.right(), py)], GRID, 1.0)?;
        c.text(
            &tick(&ya, v),
            (plot.x - 8.0, py),
            &TICK,
            Align::End,
            Across::Middle,
        )?;
    }
    c.text(
        "μ*, mean |elementary effect|",
        (plot.right(), plot.bottom() + 26.0),
        &TICK,
        Align::End,
        Across::CapTop,
    )?;
    c.text_up(
        "σ",
        (b.x + 6.0, plot.y + plot.h / 2.0),
        &TICK,
        Align::Center,
        Across::Middle,
    )?;
    // σ = μ*, as far as both axes reach.
    let m_line = axis.limit;
    c.styled_line(
        &[(xs.map(0.0), ys.map(0.0)), (xs.map(m_line), ys.map(m_line))],
        RULE,
        1.0,
        Dash::Pattern(&[6.0, 4.0]),
    )?;
    let clamp_x = |v: f64| xs.map(v.clamp(0.0, xa.limit));
    let at = |r: &MorrisRow| {
        (
            clamp_x(finite(r.mu_star)),
            ys.map(finite(r.sigma).clamp(0.0, ya.limit)),
        )
    };
    for r in rows {
        let (_, y) = at(r);
        if r.mu_star_low.is_finite() && r.mu_star_high.is_finite() {
            let (a, z) = (clamp_x(r.mu_star_low), clamp_x(r.mu_star_high));
            c.line(&[(a, y), (z, y)], INK, 1.5)?;
            c.line(&[(a, y - 4.0), (a, y + 4.0)], INK, 1.5)?;
            c.line(&[(z, y - 4.0), (z, y + 4.0)], INK, 1.5)?;
        }
    }
    // Names of the leading inputs that matter at all (μ* at least a twentieth of the
    // largest): right of their point, or left of it in the plot's right third. All names
    // are spread apart as one column, so that no two share a line whichever side they
    // stand on, and each sits on a ground that keeps it legible over the interval bars.
    let largest = rows.iter().fold(0.0, |a: f64, r| a.max(finite(r.mu_star)));
    let named: Vec<&MorrisRow> = m
        .ranked()
        .into_iter()
        .take(LABELLED)
        .filter_map(|k| rows.get(k))
        .filter(|r| r.mu_star > 0.0 && r.mu_star >= largest / 20.0)
        .collect();
    let targets: Vec<f64> = named.iter().map(|r| at(r).1).collect();
    let placed = spread(&targets, LABEL_GAP, plot.y + 10.0, plot.bottom() - 10.0);
    for (r, &ly) in named.iter().zip(&placed) {
        let (x, y) = at(r);
        let right_side = x < plot.x + plot.w * 2.0 / 3.0;
        let room = if right_side {
            plot.right() - x - 16.0
        } else {
            x - plot.x - 16.0
        };
        let name = ellipsize(
            data.input_name(r.input),
            room.min(plot.w / 2.0).max(40.0),
            &NAME,
        );
        let lx = if right_side { x + 10.0 } else { x - 10.0 };
        if (ly - y).abs() > 4.0 {
            c.line(&[(x, y), (lx, ly)], MUTED, 1.0)?;
        }
        let w = text_width(&name, &NAME) + 4.0;
        let left = if right_side { lx - 2.0 } else { lx - w + 2.0 };
        c.fill_rect(
            Rect::new(left, ly - 8.0, w, 16.0),
            with_alpha(PLOT_BG, 0.85),
        )?;
        c.text(
            &name,
            (lx, ly),
            &NAME,
            if right_side { Align::Start } else { Align::End },
            Across::Middle,
        )?;
    }
    // The points last, so that no name's ground hides one.
    for r in rows {
        c.circle(at(r), 5.0, POINT)?;
    }
    Ok(())
}
