//! `diff_fan.png`: the paired difference variant − base of each actor's alignment over time,
//! with its 95% interval and a zero line, one panel per actor.
//!
//! All panels share one axis centred on zero, so an actor the variant barely moves shows a
//! flat line at zero beside one it moves a lot: the eye compares sizes across panels. Above
//! zero, the variant leaves the actor nearer the positive pole than the base does.

use plotters::style::RGBAColor;

use super::canvas::{Across, Align, Canvas, Dash, render_png};
use super::compare::CompareData;
use super::error::ChartError;
use super::frame::{
    Context, EXPLAIN_Y, MARGIN, Swatch, TICK, draw_header, legend_row, pole_labels,
};
use super::layout::{Scale, ellipsize};
use super::paired::{ZeroAxis, signed_fixed};
use super::palette::{GRID, PLOT_BG, actor_style, hex, rgba};
use super::panels::{Grid, Panel};
use super::{Drawn, PanelBox};

pub const FILE: &str = "diff_fan.png";

/// The smallest half-range of the axis: differences below it are shown at this scale rather
/// than magnified until Monte Carlo noise looks like an effect.
const MIN_LIMIT: f64 = 0.01;
const BAND: f64 = 0.32;
const ZERO: RGBAColor = hex(0x333333);

/// The axis every panel shares: wide enough for every mean and interval end.
fn axis(data: &CompareData) -> ZeroAxis {
    let max_abs = data
        .diff
        .iter()
        .flat_map(|d| [d.mean, d.low, d.high])
        .filter(|v| v.is_finite())
        .fold(0.0, |m: f64, v| m.max(v.abs()));
    ZeroAxis::holding(max_abs, MIN_LIMIT)
}

pub fn draw(data: &CompareData, ctx: &Context) -> Result<Drawn, ChartError> {
    let axis = axis(data);
    let grid = Grid::with_value_labels(ctx, &axis.widest_label());
    let png = render_png(FILE, grid.width, grid.height, |c| {
        paint(c, data, ctx, &grid, axis)
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

/// Background, gridlines at the ticks and, for the first column, tick labels and the pole
/// names at the ends of the axis (which say which way "higher" leans).
fn value_axis(
    c: &Canvas,
    ctx: &Context,
    grid: &Grid,
    panel: &Panel,
    axis: ZeroAxis,
) -> Result<Scale, ChartError> {
    let plot = panel.plot;
    let ys = Scale::new(
        (-axis.limit, axis.limit),
        (plot.bottom() - 5.0, plot.y + 5.0),
    );
    c.fill_rect(plot, PLOT_BG)?;
    for v in axis.ticks() {
        if v != 0.0 {
            let y = ys.map(v);
            c.line(&[(plot.x, y), (plot.right(), y)], GRID, 1.0)?;
        }
    }
    if panel.first_col {
        for v in axis.ticks() {
            c.text(
                &axis.label(v),
                (plot.x - 6.0, ys.map(v)),
                &TICK,
                Align::End,
                Across::Middle,
            )?;
        }
        // The pole names stand at the ends of this axis, as they do at ±1 on alignment's.
        let ends = Scale::new((-1.0, 1.0), (ys.map(-axis.limit), ys.map(axis.limit)));
        let (right, width) = grid.pole_column(panel);
        pole_labels(c, ctx, right, &ends, width)?;
    }
    Ok(ys)
}

fn paint(
    c: &Canvas,
    data: &CompareData,
    ctx: &Context,
    grid: &Grid,
    axis: ZeroAxis,
) -> Result<(), ChartError> {
    let steps = data.base.steps();
    let drawn = ctx.drawn_steps();
    let title = format!(
        "Paired difference in alignment: {} − {}",
        data.variant_label, data.base_label
    );
    draw_header(
        c,
        ctx,
        grid.width as f64,
        &ellipsize(&title, 1400.0, &super::frame::TITLE),
    )?;
    let grey = hex(0x555555);
    let mut legend = vec![
        (
            Swatch::Line {
                color: grey,
                width: 2.5,
                dash: Dash::Solid,
            },
            "mean difference over paired runs".to_string(),
        ),
        (
            Swatch::Block(RGBAColor(grey.0, grey.1, grey.2, BAND)),
            "its 95% confidence interval".to_string(),
        ),
        (
            Swatch::Line {
                color: ZERO,
                width: 1.2,
                dash: Dash::Solid,
            },
            "zero: no difference; above it the variant leans to the upper pole".to_string(),
        ),
    ];
    if !ctx.markers.marks.is_empty() {
        legend.push((Swatch::Event, "base's scheduled event".into()));
    }
    legend_row(c, MARGIN, EXPLAIN_Y, &legend)?;

    // A decimal finer than the axis labels: the figures a reader compares with the lines.
    let places = (axis.decimals + 1).clamp(3, 6);
    for panel in &grid.panels {
        let i = panel.actor;
        let end = data.diff_at(steps, i);
        let notes = [
            format!(
                "final {} ({} to {})",
                signed_fixed(end.mean, places),
                signed_fixed(end.low, places),
                signed_fixed(end.high, places)
            ),
            format!("final {}", signed_fixed(end.mean, places)),
        ];
        let ys = value_axis(c, ctx, grid, panel, axis)?;
        let xs = grid.draw_panel_frame(c, ctx, panel, &notes)?;
        let at = |t: usize, v: f64| (xs.map(t as f64), ys.map(v));
        let color = actor_style(i).color;
        let mut band: Vec<(f64, f64)> = drawn
            .iter()
            .map(|&t| at(t, data.diff_at(t, i).high))
            .collect();
        band.extend(drawn.iter().rev().map(|&t| at(t, data.diff_at(t, i).low)));
        c.polygon(&band, rgba(color, BAND))?;
        let y0 = ys.map(0.0);
        c.line(&[(panel.plot.x, y0), (panel.plot.right(), y0)], ZERO, 1.2)?;
        let mean: Vec<(f64, f64)> = drawn
            .iter()
            .map(|&t| at(t, data.diff_at(t, i).mean))
            .collect();
        c.line(&mean, rgba(color, 1.0), 2.5)?;
    }
    grid.draw_footer(c, ctx)
}
