//! `runs_sample.png`: what single runs look like, next to the median that sums them up.
//!
//! A median can be smooth where no single run is: actors may jump at an event, or split
//! into two camps whose middle no run visits. A fixed set of runs (the first ones, the same
//! every time) drawn faintly under the median shows this.

use super::canvas::{Canvas, Dash, render_png};
use super::error::ChartError;
use super::frame::{Context, EXPLAIN_Y, MARGIN, Swatch, draw_header, legend_row, signed};
use super::palette::{WHITE, actor_style, hex, rgba, with_alpha};
use super::panels::Grid;
use super::{Drawn, PanelBox};

pub const FILE: &str = "runs_sample.png";

const RUN_ALPHA: f64 = 0.28;

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

/// "runs 0–39" for a contiguous sample, else the count.
fn sample_name(runs: &[u64]) -> String {
    match (runs.first(), runs.last()) {
        (Some(a), Some(b)) if a == b => format!("run {a}"),
        (Some(a), Some(b)) if b - a + 1 == runs.len() as u64 => format!("runs {a}–{b}"),
        _ => format!("{} runs", runs.len()),
    }
}

fn paint(c: &Canvas, ctx: &Context, grid: &Grid) -> Result<(), ChartError> {
    let data = ctx.data;
    let steps = data.steps();
    let k = data.sample_runs.len();
    let drawn = ctx.drawn_steps();
    let title = format!("Single runs: {k} of {} for each actor", data.runs);
    draw_header(c, ctx, grid.width as f64, &title)?;
    let grey = hex(0x555555);
    let mut legend = vec![
        (
            Swatch::Line {
                color: with_alpha(grey, 0.45),
                width: 1.0,
                dash: Dash::Solid,
            },
            format!(
                "one run ({}, the same ones in every chart)",
                sample_name(&data.sample_runs)
            ),
        ),
        (
            Swatch::Line {
                color: grey,
                width: 2.5,
                dash: Dash::Solid,
            },
            format!("median of all {} runs", data.runs),
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
        let end = data.band(steps, i).p50;
        let notes = [format!("median {}", signed(end)), signed(end)];
        let (xs, ys) = grid.draw_panel(c, ctx, panel, &notes)?;
        let color = actor_style(i).color;
        for run in 0..k {
            let path = data.sample_path(run, i);
            let pts: Vec<(f64, f64)> = drawn
                .iter()
                .map(|&t| (xs.map(t as f64), ys.map(path[t])))
                .collect();
            c.line(&pts, rgba(color, RUN_ALPHA), 1.0)?;
        }
        let median: Vec<(f64, f64)> = drawn
            .iter()
            .map(|&t| (xs.map(t as f64), ys.map(data.band(t, i).p50)))
            .collect();
        // A white edge keeps the median legible over the runs it crosses.
        c.line(&median, with_alpha(WHITE, 0.9), 5.0)?;
        c.line(&median, rgba(color, 1.0), 2.5)?;
    }
    grid.draw_footer(c, ctx)
}
