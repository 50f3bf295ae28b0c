//! `alignment_fan.png`: how each actor's alignment moves over time, and how sure that is.
//!
//! One panel per actor: the median of all runs as a line, the middle 50% and 90% of runs as
//! bands around it. A narrow band says the runs agree; a wide or lopsided one says events
//! and noise can send the actor either way.

use super::canvas::{Canvas, Dash, render_png};
use super::error::ChartError;
use super::frame::{Context, EXPLAIN_Y, MARGIN, Swatch, draw_header, legend_row, signed};
use super::palette::{MUTED, actor_style, hex, rgba, with_alpha};
use super::panels::Grid;
use super::{Drawn, PanelBox};

pub const FILE: &str = "alignment_fan.png";

pub fn draw(ctx: &Context) -> Result<Drawn, ChartError> {
    let grid = Grid::new(ctx);
    let png = render_png(FILE, grid.width, grid.height, |c| paint(c, ctx, &grid))?;
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

const BAND_90: f64 = 0.16;
const BAND_50: f64 = 0.36;

fn paint(c: &Canvas, ctx: &Context, grid: &Grid) -> Result<(), ChartError> {
    let data = ctx.data;
    let steps = data.steps();
    let drawn = ctx.drawn_steps();
    draw_header(c, ctx, grid.width as f64, "Alignment over time")?;
    let grey = hex(0x555555);
    let mut legend = vec![
        (
            Swatch::Line {
                color: grey,
                width: 2.5,
                dash: Dash::Solid,
            },
            "median of all runs".to_string(),
        ),
        (
            Swatch::Block(with_alpha(MUTED, BAND_50)),
            "middle 50% of runs".to_string(),
        ),
        (
            Swatch::Block(with_alpha(MUTED, BAND_90)),
            "middle 90% of runs".to_string(),
        ),
    ];
    if !ctx.markers.marks.is_empty() {
        legend.push((
            Swatch::Event,
            "scheduled event, named in the key below".into(),
        ));
    }
    legend_row(c, MARGIN, EXPLAIN_Y, &legend)?;

    for panel in &grid.panels {
        let i = panel.actor;
        let start = data.scenario.actors[i].alignment;
        let end = data.band(steps, i).p50;
        let notes = [
            format!("start {} → median {}", signed(start), signed(end)),
            format!("{} → {}", signed(start), signed(end)),
        ];
        let (xs, ys) = grid.draw_panel(c, ctx, panel, &notes)?;
        let color = actor_style(i).color;
        let at = |t: usize, v: f64| (xs.map(t as f64), ys.map(v));
        let band = |lo: fn(&super::input::Band) -> f64, hi: fn(&super::input::Band) -> f64| {
            let mut pts: Vec<(f64, f64)> =
                drawn.iter().map(|&t| at(t, hi(&data.band(t, i)))).collect();
            pts.extend(drawn.iter().rev().map(|&t| at(t, lo(&data.band(t, i)))));
            pts
        };
        c.polygon(&band(|b| b.p05, |b| b.p95), rgba(color, BAND_90))?;
        c.polygon(&band(|b| b.p25, |b| b.p75), rgba(color, BAND_50))?;
        let median: Vec<(f64, f64)> = drawn.iter().map(|&t| at(t, data.band(t, i).p50)).collect();
        c.line(&median, rgba(color, 1.0), 2.5)?;
    }
    grid.draw_footer(c, ctx)
}
