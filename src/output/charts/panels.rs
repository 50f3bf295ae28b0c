//! Small multiples: one panel per actor, all on the same time and alignment axes, so that
//! the eye compares shapes across panels without reading numbers.
//!
//! Used by the fan chart and the single-run chart, which differ only in what they draw
//! inside a panel. Pole names and alignment numbers appear once per row, on the left;
//! dates appear under the lowest panel of each column; event tags stand above every panel.

use super::canvas::{Across, Align, Canvas, text_width};
use super::error::ChartError;
use super::frame::{
    Context, HEADER_H, KEY_LINE_H, LABEL_BOLD, MARGIN, MIN_HEIGHT, MIN_WIDTH, NOTE, TICK,
    alignment_grid, alignment_ticks, draw_key, event_marks, key_lines, pole_labels, pole_width,
    time_axis,
};
use super::layout::{Rect, Scale, ellipsize, grid_columns};
use super::palette::{actor_style, rgba};

const TITLE_H: f64 = 28.0;
const STRIP_H: f64 = 18.0;
const ROW_GAP: f64 = 30.0;
const TICK_LABEL_H: f64 = 28.0;
const CAPTION_H: f64 = 34.0;
const BOTTOM: f64 = 24.0;
const COL_GAP: f64 = 34.0;
const MIN_PLOT_H: f64 = 140.0;
/// Pole names wrap beyond this width.
const POLE_MAX_W: f64 = 150.0;

pub struct Panel {
    pub actor: usize,
    pub title_y: f64,
    /// The band above the plot where event tags stand.
    pub strip: Rect,
    pub plot: Rect,
    pub first_col: bool,
    /// Whether no panel stands below, so this one carries the time labels.
    pub x_labels: bool,
}

pub struct Grid {
    pub width: u32,
    pub height: u32,
    pub panels: Vec<Panel>,
    caption_y: f64,
    key_y: f64,
    pole_w: f64,
    num_w: f64,
    ticks: Vec<usize>,
    tick_labels: Vec<String>,
}

impl Grid {
    pub fn new(ctx: &Context) -> Grid {
        Grid::with_value_labels(ctx, "−0.5")
    }

    /// A grid whose value labels (left of the first column) are as wide as `widest`: a chart
    /// of differences may need more decimals than alignment's −1 … +1.
    pub fn with_value_labels(ctx: &Context, widest: &str) -> Grid {
        let n = ctx.data.n();
        let cols = grid_columns(n);
        let rows = n.div_ceil(cols).max(1);
        let width = MIN_WIDTH as f64;
        let pole_w = pole_width(ctx, POLE_MAX_W);
        let num_w = text_width(widest, &TICK) + 8.0;
        let gutter = pole_w + 12.0 + num_w;
        let plot_w = (width - 2.0 * MARGIN - gutter - (cols as f64 - 1.0) * COL_GAP) / cols as f64;
        let key = key_lines(ctx, width - 2.0 * MARGIN);
        let key_h = if key.is_empty() {
            0.0
        } else {
            key.len() as f64 * KEY_LINE_H
        };
        let rows_f = rows as f64;
        let fixed = HEADER_H
            + rows_f * (TITLE_H + STRIP_H)
            + (rows_f - 1.0) * ROW_GAP
            + TICK_LABEL_H
            + CAPTION_H
            + key_h
            + BOTTOM;
        let plot_h = ((MIN_HEIGHT as f64 - fixed) / rows_f)
            .max(MIN_PLOT_H)
            .floor();
        let height = (fixed + rows_f * plot_h).ceil();
        let panels = (0..n)
            .map(|k| {
                let (row, col) = (k / cols, k % cols);
                let x = MARGIN + gutter + col as f64 * (plot_w + COL_GAP);
                let y = HEADER_H + row as f64 * (TITLE_H + STRIP_H + plot_h + ROW_GAP);
                let strip = Rect::new(x, y + TITLE_H, plot_w, STRIP_H);
                Panel {
                    actor: k,
                    title_y: y,
                    strip,
                    plot: Rect::new(x, strip.bottom(), plot_w, plot_h),
                    first_col: col == 0,
                    x_labels: k + cols >= n,
                }
            })
            .collect();
        let grid_bottom =
            HEADER_H + rows_f * (TITLE_H + STRIP_H + plot_h) + (rows_f - 1.0) * ROW_GAP;
        let (ticks, tick_labels) = ctx.time_ticks(plot_w);
        Grid {
            width: MIN_WIDTH,
            height: (height as u32).max(MIN_HEIGHT),
            panels,
            caption_y: grid_bottom + TICK_LABEL_H + 6.0,
            key_y: grid_bottom + TICK_LABEL_H + CAPTION_H,
            pole_w,
            num_w,
            ticks,
            tick_labels,
        }
    }

    /// Draws a panel's frame (title, grid, axes, event marks) and returns its x and y scales.
    /// The first of `notes` (longest first) that fits is set at the right of the title.
    pub fn draw_panel(
        &self,
        c: &Canvas,
        ctx: &Context,
        panel: &Panel,
        notes: &[String],
    ) -> Result<(Scale, Scale), ChartError> {
        let plot = panel.plot;
        let ys = Scale::new((-1.0, 1.0), (plot.bottom() - 5.0, plot.y + 5.0));
        alignment_grid(c, plot, &ys)?;
        if panel.first_col {
            alignment_ticks(c, plot.x - 6.0, &ys)?;
            pole_labels(c, ctx, plot.x - self.num_w - 12.0, &ys, self.pole_w)?;
        }
        let xs = self.draw_panel_frame(c, ctx, panel, notes)?;
        Ok((xs, ys))
    }

    /// Where the pole names stand left of a first-column panel: the right edge they are
    /// aligned to, and the width they may wrap to.
    pub fn pole_column(&self, panel: &Panel) -> (f64, f64) {
        (panel.plot.x - self.num_w - 12.0, self.pole_w)
    }

    /// A panel's event marks, time axis and title, and its time scale: everything but the
    /// value axis, which a chart of another quantity than alignment draws first itself.
    pub fn draw_panel_frame(
        &self,
        c: &Canvas,
        ctx: &Context,
        panel: &Panel,
        notes: &[String],
    ) -> Result<Scale, ChartError> {
        let plot = panel.plot;
        let xs = Scale::new((0.0, ctx.time.steps.max(1) as f64), (plot.x, plot.right()));
        event_marks(c, ctx, panel.strip, plot, &xs)?;
        time_axis(c, plot, &xs, &self.ticks, &self.tick_labels, panel.x_labels)?;

        let style = actor_style(panel.actor);
        let ty = panel.title_y + 8.0;
        c.fill_rect(Rect::new(plot.x, ty, 13.0, 13.0), rgba(style.color, 1.0))?;
        // The name comes first: the note is shortened, then dropped, before the name is cut.
        let name = ctx.actor_name(panel.actor);
        let name_room = plot.w - 20.0;
        let name_w = text_width(name, &LABEL_BOLD);
        let note = notes
            .iter()
            .find(|n| name_w + 16.0 + text_width(n, &NOTE) <= name_room)
            .map(String::as_str)
            .unwrap_or("");
        let name = ellipsize(name, name_room, &LABEL_BOLD);
        c.text(
            &name,
            (plot.x + 20.0, ty + 6.5),
            &LABEL_BOLD,
            Align::Start,
            Across::Middle,
        )?;
        c.text(
            note,
            (plot.right(), ty + 6.5),
            &NOTE,
            Align::End,
            Across::Middle,
        )?;
        Ok(xs)
    }

    /// The time caption under the grid and the event key below it.
    pub fn draw_footer(&self, c: &Canvas, ctx: &Context) -> Result<(), ChartError> {
        let (first, last) = match (self.panels.first(), self.panels.last()) {
            (Some(a), Some(b)) => (a.plot.x, b.plot.right().max(a.plot.right())),
            _ => return Ok(()),
        };
        let right = self
            .panels
            .iter()
            .map(|p| p.plot.right())
            .fold(last, f64::max);
        c.text(
            &ctx.time.caption(),
            ((first + right) / 2.0, self.caption_y),
            &NOTE,
            Align::Center,
            Across::CapTop,
        )?;
        draw_key(c, ctx, MARGIN, self.key_y, self.width as f64 - 2.0 * MARGIN)
    }
}
