//! `alignment_overview.png`: every actor's median on one chart, to see the camps at once.
//!
//! The legend stands to the right of the plot, each name at the height where its line ends
//! (pushed apart just enough to stay legible, with a leader to its line), so it never
//! covers data and reads in the same order as the lines.

use super::canvas::{Across, Align, Canvas, Dash, render_png, text_width};
use super::error::ChartError;
use super::frame::{
    Context, EXPLAIN_Y, HEADER_H, KEY_LINE_H, LABEL, MARGIN, MIN_HEIGHT, MIN_WIDTH, NOTE, Swatch,
    TICK, alignment_grid, alignment_ticks, draw_header, draw_key, event_marks, key_lines,
    legend_row, pole_labels, pole_width, signed, time_axis,
};
use super::layout::{Rect, Scale, ellipsize, spread};
use super::palette::{RULE, actor_style, hex, rgba, with_alpha};
use super::{Drawn, PanelBox};

pub const FILE: &str = "alignment_overview.png";

const STRIP_H: f64 = 18.0;
const SWATCH_W: f64 = 30.0;
const LEADER_W: f64 = 34.0;
const NAME_MAX_W: f64 = 230.0;
/// Vertical room per legend entry.
const ENTRY_H: f64 = 21.0;
const MIN_PLOT_H: f64 = 520.0;

struct Layout {
    width: u32,
    height: u32,
    strip: Rect,
    plot: Rect,
    pole_w: f64,
    num_w: f64,
    legend_x: f64,
    name_w: f64,
    caption_y: f64,
    key_y: f64,
}

fn layout(ctx: &Context) -> Layout {
    let n = ctx.data.n();
    let width = MIN_WIDTH as f64;
    let pole_w = pole_width(ctx, 150.0);
    let num_w = text_width("−0.5", &TICK) + 8.0;
    let name_w = (0..n)
        .map(|i| text_width(ctx.actor_name(i), &LABEL))
        .fold(0.0, f64::max)
        .min(NAME_MAX_W);
    let value_w = text_width("−0.00", &LABEL) + 10.0;
    let legend_w = LEADER_W + SWATCH_W + 8.0 + name_w + value_w;
    let x = MARGIN + pole_w + 12.0 + num_w;
    let plot_w = width - MARGIN - legend_w - x;
    let key_h = key_lines(ctx, width - 2.0 * MARGIN).len() as f64 * KEY_LINE_H;
    let top = HEADER_H + STRIP_H;
    let below = 28.0 + 34.0 + key_h + 24.0;
    // Tall enough for every legend entry to have its own line.
    let plot_h = (MIN_HEIGHT as f64 - top - below)
        .max(MIN_PLOT_H)
        .max(n as f64 * ENTRY_H + 20.0)
        .floor();
    let plot = Rect::new(x, top, plot_w, plot_h);
    Layout {
        width: MIN_WIDTH,
        height: ((top + plot_h + below).ceil() as u32).max(MIN_HEIGHT),
        strip: Rect::new(x, HEADER_H, plot_w, STRIP_H),
        plot,
        pole_w,
        num_w,
        legend_x: plot.right() + LEADER_W,
        name_w,
        caption_y: plot.bottom() + 34.0,
        key_y: plot.bottom() + 28.0 + 34.0,
    }
}

pub fn draw(ctx: &Context) -> Result<Drawn, ChartError> {
    let l = layout(ctx);
    let png = render_png(FILE, l.width, l.height, |c| paint(c, ctx, &l))?;
    Ok(Drawn {
        png,
        width: l.width,
        height: l.height,
        panels: vec![PanelBox::new("all actors", l.plot)],
    })
}

fn paint(c: &Canvas, ctx: &Context, l: &Layout) -> Result<(), ChartError> {
    let data = ctx.data;
    let (n, steps) = (data.n(), data.steps());
    draw_header(c, ctx, l.width as f64, "Median alignment of every actor")?;
    let grey = hex(0x555555);
    let mut legend = vec![(
        Swatch::Line {
            color: grey,
            width: 2.5,
            dash: Dash::Solid,
        },
        "median of all runs; the legend lists actors in the order their lines end".to_string(),
    )];
    if !ctx.markers.marks.is_empty() {
        legend.push((
            Swatch::Event,
            "scheduled event, named in the key below".into(),
        ));
    }
    legend_row(c, MARGIN, EXPLAIN_Y, &legend)?;

    let plot = l.plot;
    let xs = Scale::new((0.0, steps.max(1) as f64), (plot.x, plot.right()));
    let ys = Scale::new((-1.0, 1.0), (plot.bottom() - 6.0, plot.y + 6.0));
    alignment_grid(c, plot, &ys)?;
    alignment_ticks(c, plot.x - 6.0, &ys)?;
    pole_labels(c, ctx, plot.x - l.num_w - 12.0, &ys, l.pole_w)?;
    event_marks(c, ctx, l.strip, plot, &xs)?;
    let (ticks, labels) = ctx.time_ticks(plot.w);
    time_axis(c, plot, &xs, &ticks, &labels, true)?;
    c.text(
        &ctx.time.caption(),
        (plot.center_x(), l.caption_y),
        &NOTE,
        Align::Center,
        Across::CapTop,
    )?;
    draw_key(c, ctx, MARGIN, l.key_y, l.width as f64 - 2.0 * MARGIN)?;

    // Lines in reverse scenario order, so the first actors are drawn on top.
    for i in (0..n).rev() {
        let style = actor_style(i);
        let pts: Vec<(f64, f64)> = ctx
            .drawn_steps()
            .iter()
            .map(|&t| (xs.map(t as f64), ys.map(data.band(t, i).p50)))
            .collect();
        c.styled_line(&pts, rgba(style.color, 1.0), 2.5, style.dash)?;
    }

    let ends: Vec<f64> = (0..n).map(|i| data.band(steps, i).p50).collect();
    let targets: Vec<f64> = ends
        .iter()
        .map(|&v| {
            if v.is_finite() {
                ys.map(v)
            } else {
                plot.bottom()
            }
        })
        .collect();
    let label_y = spread(&targets, ENTRY_H, plot.y + 8.0, plot.bottom() - 8.0);
    for i in 0..n {
        let style = actor_style(i);
        let (y0, y1) = (targets[i], label_y[i]);
        let x0 = plot.right() + 3.0;
        let x1 = l.legend_x - 4.0;
        c.line(
            &[(x0, y0), (x0 + 8.0, y0), (x1 - 8.0, y1), (x1, y1)],
            with_alpha(RULE, 0.8),
            1.0,
        )?;
        let sx = l.legend_x;
        c.styled_line(
            &[(sx, y1), (sx + SWATCH_W - 4.0, y1)],
            rgba(style.color, 1.0),
            3.0,
            style.dash,
        )?;
        let name = ellipsize(ctx.actor_name(i), l.name_w, &LABEL);
        let tx = sx + SWATCH_W + 4.0;
        c.text(&name, (tx, y1), &LABEL, Align::Start, Across::Middle)?;
        c.text(
            &signed(ends[i]),
            (tx + l.name_w + 8.0, y1),
            &LABEL,
            Align::Start,
            Across::Middle,
        )?;
    }
    Ok(())
}
