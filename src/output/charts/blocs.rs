//! `blocs.png`: which actors end up in the same bloc, over the runs of a study.
//!
//! One matrix of P(i and j end in the same bloc) (blocs.csv), its rows and columns ordered by
//! the most frequent split (blocs_splits.csv): the first bloc's members, then the second's,
//! each in scenario order, with a rule between them, so the blocs show as two blocks along
//! the diagonal. Blue is "always together", red "always apart", white an even chance; the
//! shares are printed in the cells where they fit, and the most frequent splits are listed
//! under the matrix, so nothing depends on colour alone. The matrix never exceeds a fixed
//! size: cells shrink as actors are added (and their figures give way to colour alone).

use super::canvas::{Across, Align, Canvas, Font, render_png, text_width};
use super::error::ChartError;
use super::events::percent;
use super::frame::{
    Context, EXPLAIN_Y, HEADER_H, LABEL, LABEL_BOLD, MARGIN, MIN_HEIGHT, MIN_WIDTH, NOTE, Swatch,
    TICK, draw_header, legend_row,
};
use super::layout::{Rect, ellipsize};
use super::palette::{INK, MUTED, WHITE, diverging, hex, rgba, wants_light_text};
use super::{Drawn, PanelBox};
use crate::output::schema::blocs::BLOC_SEPARATOR;

pub const FILE: &str = "blocs.png";

const NAME_MAX_W: f64 = 220.0;
/// The matrix's side never exceeds this, whatever the number of actors.
const MAX_SIDE: f64 = 1100.0;
const MAX_CELL: f64 = 64.0;
/// Below this a cell holds colour only.
const FIGURE_CELL: f64 = 34.0;
/// Splits listed under the matrix.
const SPLITS_LISTED: usize = 5;

struct Layout {
    width: u32,
    height: u32,
    cell: f64,
    name_w: f64,
    x0: f64,
    y0: f64,
    col_label_h: f64,
    list_y: f64,
}

/// The actors in matrix order, and how many of them the first bloc holds.
fn order(ctx: &Context) -> (Vec<usize>, usize) {
    let n = ctx.data.n();
    let Some(b) = &ctx.data.blocs else {
        return ((0..n).collect(), n);
    };
    let Some((top, _)) = b.splits.first() else {
        return ((0..n).collect(), n);
    };
    let first: Vec<&str> = top
        .split(BLOC_SEPARATOR.trim())
        .next()
        .unwrap_or("")
        .split(';')
        .map(str::trim)
        .collect();
    let in_first = |i: usize| first.contains(&ctx.actor_name(i));
    let mut order: Vec<usize> = (0..n).filter(|&i| in_first(i)).collect();
    let k = order.len();
    order.extend((0..n).filter(|&i| !in_first(i)));
    (order, k)
}

fn layout(ctx: &Context) -> Layout {
    let n = ctx.data.n().max(1) as f64;
    let cell = (MAX_SIDE / n).min(MAX_CELL).floor().max(2.0);
    let names = |font: &Font| {
        (0..ctx.data.n())
            .map(|i| text_width(ctx.actor_name(i), font))
            .fold(0.0, f64::max)
            .min(NAME_MAX_W)
    };
    let name_w = names(&LABEL) + 12.0;
    let col_label_h = names(&TICK) + 14.0;
    let side = cell * n;
    let width = (2.0 * MARGIN + name_w + side + 40.0).max(MIN_WIDTH as f64);
    let y0 = HEADER_H + 20.0 + col_label_h;
    let list_h = 60.0 + 24.0 * SPLITS_LISTED as f64;
    let height = (y0 + side + list_h).max(MIN_HEIGHT as f64);
    let x0 = ((width - side - name_w) / 2.0).max(MARGIN) + name_w;
    Layout {
        width: width.ceil() as u32,
        height: height.ceil() as u32,
        cell,
        name_w,
        x0,
        y0,
        col_label_h,
        list_y: y0 + side + 36.0,
    }
}

pub fn draw(ctx: &Context) -> Result<Drawn, ChartError> {
    let l = layout(ctx);
    let png = render_png(FILE, l.width, l.height, |c| paint(c, ctx, &l))?;
    let side = l.cell * ctx.data.n() as f64;
    Ok(Drawn {
        png,
        width: l.width,
        height: l.height,
        panels: vec![PanelBox::new("blocs", Rect::new(l.x0, l.y0, side, side))],
    })
}

fn paint(c: &Canvas, ctx: &Context, l: &Layout) -> Result<(), ChartError> {
    let data = ctx.data;
    draw_header(
        c,
        ctx,
        l.width as f64,
        "Which actors end up in the same bloc",
    )?;
    let Some(blocs) = &data.blocs else {
        return c.text(
            "This study kept no blocs (a scenario of one actor, or of more than 64).",
            (l.width as f64 / 2.0, l.height as f64 / 2.0),
            &NOTE,
            Align::Center,
            Across::Middle,
        );
    };
    legend_row(
        c,
        MARGIN,
        EXPLAIN_Y,
        &[(
            Swatch::Text,
            format!(
                "Each cell: share of the {} runs in which the two actors end in the same bloc \
                 (blue: always, red: never). Each run's split minimises the landscape energy \
                 of its final trust and power.",
                data.runs
            ),
        )],
    )?;
    let n = data.n();
    let (order, first_size) = order(ctx);
    let cell = l.cell;
    let figures = cell >= FIGURE_CELL;
    let value_font = Font::new(if cell >= 52.0 { 13.0 } else { 11.0 }, INK);
    for (row, &i) in order.iter().enumerate() {
        let y = l.y0 + row as f64 * cell;
        if cell >= 10.0 {
            let name = ellipsize(ctx.actor_name(i), l.name_w - 12.0, &LABEL);
            c.text(
                &name,
                (l.x0 - 10.0, y + cell / 2.0),
                &LABEL,
                Align::End,
                Across::Middle,
            )?;
        }
        for (col, &j) in order.iter().enumerate() {
            let x = l.x0 + col as f64 * cell;
            let inset = if cell >= 8.0 { 1.0 } else { 0.0 };
            let r = Rect::new(x + inset, y + inset, cell - 2.0 * inset, cell - 2.0 * inset);
            if i == j {
                c.fill_rect(r, hex(0xEEEEEE))?;
                continue;
            }
            let p = blocs.together[i * n + j];
            let bg = diverging(2.0 * p - 1.0);
            c.fill_rect(r, rgba(bg, 1.0))?;
            if figures {
                let color = if wants_light_text(bg) { WHITE } else { INK };
                c.text(
                    &format!("{:.0}", 100.0 * p),
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
    }
    if cell >= 10.0 {
        for (col, &j) in order.iter().enumerate() {
            let x = l.x0 + col as f64 * cell + cell / 2.0;
            let name = ellipsize(ctx.actor_name(j), l.col_label_h - 14.0, &TICK);
            c.text_up(
                &name,
                (x, l.y0 - 8.0),
                &TICK.with_color(INK),
                Align::Start,
                Across::Middle,
            )?;
        }
    }
    // The rule between the two blocs of the most frequent split.
    if first_size > 0 && first_size < n {
        let side = cell * n as f64;
        let at = first_size as f64 * cell;
        c.line(
            &[(l.x0 + at, l.y0 - 4.0), (l.x0 + at, l.y0 + side + 4.0)],
            INK,
            2.0,
        )?;
        c.line(
            &[(l.x0 - 4.0, l.y0 + at), (l.x0 + side + 4.0, l.y0 + at)],
            INK,
            2.0,
        )?;
    }
    let mut y = l.list_y;
    c.text(
        if figures {
            "Cells: percent of runs. The most frequent splits (bloc of the first actor | the other):"
        } else {
            "The most frequent splits (bloc of the first actor | the other):"
        },
        (MARGIN, y),
        &LABEL_BOLD,
        Align::Start,
        Across::CapTop,
    )?;
    for (split, share) in blocs.splits.iter().take(SPLITS_LISTED) {
        y += 24.0;
        let line = format!("{}  {}", percent(*share), split);
        c.text(
            &ellipsize(&line, l.width as f64 - 2.0 * MARGIN, &NOTE),
            (MARGIN + 12.0, y),
            &NOTE.with_color(MUTED),
            Align::Start,
            Across::CapTop,
        )?;
    }
    if blocs.splits.len() > SPLITS_LISTED {
        y += 24.0;
        c.text(
            &format!(
                "… and {} other splits (blocs_splits.csv lists them all)",
                blocs.splits.len() - SPLITS_LISTED
            ),
            (MARGIN + 12.0, y),
            &NOTE.with_color(MUTED),
            Align::Start,
            Across::CapTop,
        )?;
    }
    Ok(())
}
