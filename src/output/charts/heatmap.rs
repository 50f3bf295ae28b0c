//! `trust_heatmap.png`: who trusts whom at the start and, on average, at the end.
//!
//! Two matrices side by side with the same rows, columns and colour scale, so a change
//! shows as a change of colour in the same cell. The start is the scenario's baseline trust
//! (every run starts from it); the end is the mean over runs from trust_final.csv. Values
//! are printed in the cells because colour alone is hard to read precisely.

use super::canvas::{Across, Align, Canvas, Font, render_png, text_width};
use super::error::ChartError;
use super::frame::{
    Context, EXPLAIN_Y, HEADER_H, LABEL, LABEL_BOLD, MARGIN, MIN_HEIGHT, MIN_WIDTH, NOTE, Swatch,
    TICK, draw_header, legend_row, signed,
};
use super::layout::{Rect, ellipsize, wrap_lines};
use super::palette::{INK, MUTED, WHITE, actor_style, diverging, hex, rgba, wants_light_text};
use super::{Drawn, PanelBox};

pub const FILE: &str = "trust_heatmap.png";

const NAME_MAX_W: f64 = 240.0;
const MIN_CELL: f64 = 40.0;
const MAX_CELL: f64 = 84.0;
const MATRIX_GAP: f64 = 70.0;
/// A matrix's side never exceeds this: past 25 actors cells shrink instead of the picture
/// growing (a 200-actor heatmap was once 16280 pixels wide).
const MAX_SIDE: f64 = 1000.0;
/// Below this a cell holds colour only, no printed value.
const VALUE_CELL: f64 = 30.0;
/// Below this rows and columns are not named (the names would overlap).
const NAME_CELL: f64 = 10.0;
const SWATCH: f64 = 10.0;

struct Layout {
    width: u32,
    height: u32,
    cell: f64,
    name_w: f64,
    /// Top-left corners of the two matrices.
    left: (f64, f64),
    right: (f64, f64),
    /// Column names stand upright when they do not fit across a cell.
    upright: bool,
    legend_y: f64,
}

fn layout(ctx: &Context) -> Layout {
    let n = ctx.data.n().max(1);
    let names = |font: &Font| {
        (0..ctx.data.n())
            .map(|i| text_width(ctx.actor_name(i), font))
            .fold(0.0, f64::max)
            .min(NAME_MAX_W)
    };
    let n_f = n as f64;
    let name_w = if MAX_SIDE / n_f < NAME_CELL {
        0.0
    } else {
        names(&LABEL) + SWATCH + 8.0
    };
    let avail = (MIN_WIDTH as f64 - 2.0 * MARGIN - MATRIX_GAP) / 2.0 - name_w - 14.0;
    let cell = (avail / n_f)
        .clamp(MIN_CELL.min(MAX_SIDE / n_f), MAX_CELL)
        .floor()
        .max(1.0);
    let upright = cell >= NAME_CELL && names(&TICK) > cell - 8.0;
    let col_label_h = if cell < NAME_CELL {
        14.0
    } else if upright {
        names(&TICK) + 14.0
    } else {
        28.0
    };
    let block_w = name_w + 14.0 + cell * n_f;
    let width = (2.0 * MARGIN + 2.0 * block_w + MATRIX_GAP).max(MIN_WIDTH as f64);
    let x0 = (width - (2.0 * block_w + MATRIX_GAP)) / 2.0;
    let title_h = 30.0;
    let top = HEADER_H + 6.0 + title_h + col_label_h;
    let legend_h = 90.0;
    let height = (top + cell * n_f + legend_h + 20.0).max(MIN_HEIGHT as f64);
    // Centre the matrices in the height the page has.
    let spare = height - (top + cell * n_f + legend_h + 20.0);
    let top = top + spare / 2.0;
    Layout {
        width: width.ceil() as u32,
        height: height.ceil() as u32,
        cell,
        name_w,
        left: (x0 + name_w + 14.0, top),
        right: (x0 + block_w + MATRIX_GAP + name_w + 14.0, top),
        upright,
        legend_y: top + cell * n_f + 40.0,
    }
}

pub fn draw(ctx: &Context) -> Result<Drawn, ChartError> {
    let l = layout(ctx);
    let png = render_png(FILE, l.width, l.height, |c| paint(c, ctx, &l))?;
    let n = ctx.data.n() as f64;
    let side = l.cell * n;
    Ok(Drawn {
        png,
        width: l.width,
        height: l.height,
        panels: vec![
            PanelBox::new("start", Rect::new(l.left.0, l.left.1, side, side)),
            PanelBox::new("end", Rect::new(l.right.0, l.right.1, side, side)),
        ],
    })
}

fn paint(c: &Canvas, ctx: &Context, l: &Layout) -> Result<(), ChartError> {
    let data = ctx.data;
    let steps = data.steps();
    draw_header(
        c,
        ctx,
        l.width as f64,
        "Trust between actors, at the start and at the end",
    )?;
    legend_row(
        c,
        MARGIN,
        EXPLAIN_Y,
        &[(
            Swatch::Text,
            "Each cell: trust of the row's actor in the column's actor, from −1 (full distrust) to +1 (full trust)."
                .into(),
        )],
    )?;
    let start: Vec<f64> = data.scenario.trust0.clone();
    matrix(c, ctx, l, l.left, "At the start (baseline, step 0)", &start)?;
    matrix(
        c,
        ctx,
        l,
        l.right,
        &format!(
            "At the end: mean over {} runs, {}",
            data.runs,
            ctx.time.step_name(steps)
        ),
        &data.trust_end,
    )?;
    colour_bar(c, l)
}

fn matrix(
    c: &Canvas,
    ctx: &Context,
    l: &Layout,
    (x0, y0): (f64, f64),
    title: &str,
    values: &[f64],
) -> Result<(), ChartError> {
    let n = ctx.data.n();
    let cell = l.cell;
    let col_label_y = y0 - 8.0;
    let title_w = cell * n as f64 + l.name_w + 14.0;
    let title_y = if l.upright {
        y0 - 8.0
            - (0..n)
                .map(|i| text_width(ctx.actor_name(i), &TICK))
                .fold(0.0, f64::max)
                .min(NAME_MAX_W)
            - 30.0
    } else {
        y0 - 44.0
    };
    // A small matrix has a narrow title column: the title wraps upwards from its place.
    let lines = wrap_lines(title, title_w, &LABEL_BOLD, 3);
    for (k, line) in lines.iter().enumerate() {
        let y = title_y - (lines.len() - 1 - k) as f64 * 20.0;
        c.text(
            line,
            (x0 - l.name_w - 14.0, y),
            &LABEL_BOLD,
            Align::Start,
            Across::CapTop,
        )?;
    }
    let value_font = Font::new(if cell >= 52.0 { 14.0 } else { 12.0 }, INK);
    let named = cell >= NAME_CELL;
    let inset = if cell >= 8.0 { 1.0 } else { 0.0 };
    for i in 0..n {
        let y = y0 + i as f64 * cell;
        if named {
            row_name(c, ctx, l, i, (x0, y))?;
        }
        for j in 0..n {
            let x = x0 + j as f64 * cell;
            let r = Rect::new(x + inset, y + inset, cell - 2.0 * inset, cell - 2.0 * inset);
            if i == j {
                c.fill_rect(r, hex(0xEEEEEE))?;
                continue;
            }
            let v = values[i * n + j];
            if !v.is_finite() {
                c.fill_rect(r, hex(0xDDDDDD))?;
                if cell >= VALUE_CELL {
                    c.text(
                        "n/a",
                        (r.center_x(), y + cell / 2.0),
                        &value_font,
                        Align::Center,
                        Across::Middle,
                    )?;
                }
                continue;
            }
            let bg = diverging(v);
            c.fill_rect(r, rgba(bg, 1.0))?;
            if cell < VALUE_CELL {
                continue;
            }
            // No trust at all is the common case in a sparse baseline: print it quietly.
            let color = if wants_light_text(bg) {
                WHITE
            } else if v.abs() < 0.005 {
                hex(0xA0A0A0)
            } else {
                INK
            };
            c.text(
                &signed(v),
                (r.center_x(), y + cell / 2.0),
                &Font {
                    color,
                    ..value_font
                },
                Align::Center,
                Across::Middle,
            )?;
        }
    }
    if !named {
        return Ok(());
    }
    for j in 0..n {
        let x = x0 + j as f64 * cell + cell / 2.0;
        if l.upright {
            let name = ellipsize(ctx.actor_name(j), NAME_MAX_W, &TICK);
            c.text_up(
                &name,
                (x, col_label_y),
                &TICK.with_color(INK),
                Align::Start,
                Across::Middle,
            )?;
        } else {
            c.text(
                ctx.actor_name(j),
                (x, col_label_y),
                &TICK.with_color(INK),
                Align::Center,
                Across::Baseline,
            )?;
        }
    }
    Ok(())
}

/// A row's name with the actor's colour, as in every other chart.
fn row_name(
    c: &Canvas,
    ctx: &Context,
    l: &Layout,
    i: usize,
    (x0, y): (f64, f64),
) -> Result<(), ChartError> {
    let cell = l.cell;
    let name = ellipsize(ctx.actor_name(i), l.name_w - SWATCH - 8.0, &LABEL);
    c.text(
        &name,
        (x0 - 10.0, y + cell / 2.0),
        &LABEL,
        Align::End,
        Across::Middle,
    )?;
    let swatch_x = x0 - 10.0 - text_width(&name, &LABEL) - 8.0 - SWATCH;
    c.fill_rect(
        Rect::new(swatch_x, y + cell / 2.0 - SWATCH / 2.0, SWATCH, SWATCH),
        rgba(actor_style(i).color, 1.0),
    )
}

/// The colour scale, under the matrices, with its meaning at both ends.
fn colour_bar(c: &Canvas, l: &Layout) -> Result<(), ChartError> {
    let w = 420.0;
    let x0 = (l.width as f64 - w) / 2.0;
    let y = l.legend_y;
    let h = 16.0;
    let steps = 210;
    for k in 0..steps {
        let v = -1.0 + 2.0 * (k as f64 + 0.5) / steps as f64;
        let x = x0 + w * k as f64 / steps as f64;
        c.fill_rect(
            Rect::new(x, y, w / steps as f64 + 0.5, h),
            rgba(diverging(v), 1.0),
        )?;
    }
    for (v, label) in [
        (-1.0, "−1"),
        (-0.5, "−0.5"),
        (0.0, "0"),
        (0.5, "+0.5"),
        (1.0, "+1"),
    ] {
        let x = x0 + w * (v + 1.0) / 2.0;
        c.line(&[(x, y + h), (x, y + h + 4.0)], MUTED, 1.0)?;
        c.text(
            label,
            (x, y + h + 8.0),
            &TICK,
            Align::Center,
            Across::CapTop,
        )?;
    }
    c.text(
        "distrust",
        (x0 - 12.0, y + h / 2.0),
        &NOTE,
        Align::End,
        Across::Middle,
    )?;
    c.text(
        "trust",
        (x0 + w + 12.0, y + h / 2.0),
        &NOTE,
        Align::Start,
        Across::Middle,
    )?;
    Ok(())
}
