//! What every chart shares: the title block that says what a picture is, the fonts, and
//! the axes of alignment and time.

use plotters::style::RGBAColor;

use super::canvas::{Across, Align, Canvas, Font, text_width};
use super::error::ChartError;
use super::events::{Markers, markers};
use super::input::StudyData;
use super::layout::{Rect, Scale, ellipsize, wrap_lines};
use super::palette::{GRID, INK, MUTED, PLOT_BG, RULE, hex};
use super::timeaxis::TimeAxis;

pub const TITLE: Font = Font::new(28.0, INK).bold();
pub const SUBTITLE: Font = Font::new(17.0, MUTED);
pub const NOTE: Font = Font::new(14.0, MUTED);
pub const LABEL: Font = Font::new(15.0, INK);
pub const LABEL_BOLD: Font = Font::new(15.0, INK).bold();
pub const TICK: Font = Font::new(13.0, MUTED);

/// Page margins left and right.
pub const MARGIN: f64 = 40.0;
/// Where content starts below the title block.
pub const HEADER_H: f64 = 132.0;
/// The smallest picture the charts produce, so each is fit for a slide.
pub const MIN_WIDTH: u32 = 1600;
pub const MIN_HEIGHT: u32 = 1000;

const ZERO_LINE: RGBAColor = hex(0xBDBDBD);
/// More points than this along a time axis would fall on the same pixels.
const MAX_DRAWN_STEPS: usize = 2000;

/// The study as the charts see it, with the pieces several charts share.
pub struct Context<'a> {
    pub data: &'a StudyData,
    pub time: TimeAxis,
    pub markers: Markers,
    /// "South Caucasus · 1000 runs · seed 42 · 26 weeks from 28 Apr 2025".
    pub subtitle: String,
}

impl<'a> Context<'a> {
    pub fn new(data: &'a StudyData) -> Context<'a> {
        let sc = &data.scenario;
        let time = TimeAxis::new(sc);
        let runs = if data.runs == 1 {
            "1 run".to_string()
        } else {
            format!("{} runs", data.runs)
        };
        let span = match time.date(0) {
            Some(d) => format!("{} from {}", time.units(sc.steps), d.long()),
            None => time.units(sc.steps),
        };
        let subtitle = format!("{} · {runs} · seed {} · {span}", sc.name, data.seed);
        Context {
            markers: markers(sc, &time),
            time,
            data,
            subtitle,
        }
    }

    /// The steps whose values are drawn: all of them, or an even subset when there are
    /// more steps than pixels (scenarios may run up to a million steps), always with the last.
    pub fn drawn_steps(&self) -> Vec<usize> {
        let steps = self.time.steps;
        let stride = steps.div_ceil(MAX_DRAWN_STEPS).max(1);
        let mut out: Vec<usize> = (0..=steps).step_by(stride).collect();
        if out.last() != Some(&steps) {
            out.push(steps);
        }
        out
    }

    pub fn actor_name(&self, i: usize) -> &str {
        &self.data.scenario.actors[i].name
    }

    /// Time ticks whose labels fit a plot `width` pixels wide.
    pub fn time_ticks(&self, width: f64) -> (Vec<usize>, Vec<String>) {
        let xs = Scale::new((0.0, self.time.steps.max(1) as f64), (0.0, width));
        let ticks = self.time.ticks(|ticks, labels| {
            let spans: Vec<(f64, f64)> = ticks
                .iter()
                .zip(labels)
                .map(|(&t, l)| {
                    let w = text_width(l, &TICK);
                    let left = tick_label_left(xs.map(t as f64), w, 0.0, width);
                    (left, left + w)
                })
                .collect();
            spans.windows(2).all(|s| s[1].0 - s[0].1 >= 16.0)
        });
        let labels = self.time.tick_labels(&ticks);
        (ticks, labels)
    }
}

/// Left edge of a tick label: centred on its tick, but kept within the plot's span so that
/// the labels of neighbouring panels never meet.
fn tick_label_left(x: f64, w: f64, lo: f64, hi: f64) -> f64 {
    (x - w / 2.0).min(hi - w).max(lo)
}

/// Title and subtitle. The subtitle names the scenario, runs and seed, so that a picture
/// found on its own still says what it shows. Content starts at [`HEADER_H`]; the line
/// at [`EXPLAIN_Y`] is left for each chart to explain its marks.
pub fn draw_header(c: &Canvas, ctx: &Context, width: f64, title: &str) -> Result<(), ChartError> {
    let w = width - 2.0 * MARGIN;
    c.text(
        &ellipsize(title, w, &TITLE),
        (MARGIN, 30.0),
        &TITLE,
        Align::Start,
        Across::CapTop,
    )?;
    c.text(
        &ellipsize(&ctx.subtitle, w, &SUBTITLE),
        (MARGIN, 72.0),
        &SUBTITLE,
        Align::Start,
        Across::CapTop,
    )
}

/// The middle of the line under the subtitle that explains a chart's marks.
pub const EXPLAIN_Y: f64 = 106.0;

/// A sample mark in a legend row.
#[derive(Debug, Clone, Copy)]
pub enum Swatch {
    Line {
        color: RGBAColor,
        width: f64,
        dash: super::canvas::Dash,
    },
    Block(RGBAColor),
    /// A vertical event marker with a tag letter.
    Event,
    /// A dot, as for a median on a distribution.
    Dot(RGBAColor),
    Text,
}

/// A row of swatches with their meanings, left to right from `x`, centred on `y`.
pub fn legend_row(
    c: &Canvas,
    x: f64,
    y: f64,
    items: &[(Swatch, String)],
) -> Result<(), ChartError> {
    let mut x = x;
    for (swatch, text) in items {
        match *swatch {
            Swatch::Line { color, width, dash } => {
                c.styled_line(&[(x, y), (x + 28.0, y)], color, width, dash)?;
                x += 36.0;
            }
            Swatch::Block(color) => {
                c.fill_rect(Rect::new(x, y - 7.0, 24.0, 14.0), color)?;
                x += 32.0;
            }
            Swatch::Event => {
                c.line(&[(x + 6.0, y - 9.0), (x + 6.0, y + 9.0)], RULE, 1.0)?;
                c.text(
                    "A",
                    (x + 10.0, y),
                    &NOTE.bold(),
                    Align::Start,
                    Across::Middle,
                )?;
                x += 28.0;
            }
            Swatch::Dot(color) => {
                c.circle((x + 6.0, y), 5.0, color)?;
                x += 18.0;
            }
            Swatch::Text => {}
        }
        c.text(text, (x, y), &NOTE, Align::Start, Across::Middle)?;
        x += text_width(text, &NOTE) + 28.0;
    }
    Ok(())
}

/// Background and gridlines of an alignment plot, with a stronger line at zero.
pub fn alignment_grid(c: &Canvas, plot: Rect, ys: &Scale) -> Result<(), ChartError> {
    c.fill_rect(plot, PLOT_BG)?;
    for v in [-1.0, -0.5, 0.5, 1.0] {
        let y = ys.map(v);
        c.line(&[(plot.x, y), (plot.right(), y)], GRID, 1.0)?;
    }
    let y0 = ys.map(0.0);
    c.line(&[(plot.x, y0), (plot.right(), y0)], ZERO_LINE, 1.0)
}

/// Signed value with a true minus sign and two decimals: "−0.90", "+0.55", "0.00".
pub fn signed(v: f64) -> String {
    if !v.is_finite() {
        return "n/a".into();
    }
    let r = (v * 100.0).round() / 100.0;
    if r == 0.0 {
        "0.00".into()
    } else if r < 0.0 {
        format!("−{:.2}", -r)
    } else {
        format!("+{:.2}", r)
    }
}

/// Alignment tick labels (−1 … +1) right-aligned at `right`.
pub fn alignment_ticks(c: &Canvas, right: f64, ys: &Scale) -> Result<(), ChartError> {
    for (v, label) in [
        (-1.0, "−1"),
        (-0.5, "−0.5"),
        (0.0, "0"),
        (0.5, "+0.5"),
        (1.0, "+1"),
    ] {
        c.text(label, (right, ys.map(v)), &TICK, Align::End, Across::Middle)?;
    }
    Ok(())
}

/// Width the pole names take beside an alignment axis, at most `max`.
pub fn pole_width(ctx: &Context, max: f64) -> f64 {
    let axis = &ctx.data.scenario.axis;
    let widest = [&axis.positive, &axis.negative]
        .iter()
        .flat_map(|name| wrap_lines(name, max, &POLE, 2))
        .map(|line| text_width(&line, &POLE))
        .fold(0.0, f64::max);
    widest.min(max)
}

const POLE: Font = Font::new(14.0, INK).bold();

/// The names of the two poles, right-aligned at `right`: the positive one hanging from the
/// +1 line, the negative one standing on the −1 line, so each sits at its end of the axis.
pub fn pole_labels(
    c: &Canvas,
    ctx: &Context,
    right: f64,
    ys: &Scale,
    width: f64,
) -> Result<(), ChartError> {
    let axis = &ctx.data.scenario.axis;
    let line_h = 17.0;
    let top = wrap_lines(&axis.positive, width, &POLE, 2);
    for (k, line) in top.iter().enumerate() {
        let y = ys.map(1.0) + k as f64 * line_h;
        c.text(line, (right, y), &POLE, Align::End, Across::CapTop)?;
    }
    let bottom = wrap_lines(&axis.negative, width, &POLE, 2);
    let n = bottom.len();
    for (k, line) in bottom.iter().enumerate() {
        let y = ys.map(-1.0) - (n - 1 - k) as f64 * line_h;
        c.text(line, (right, y), &POLE, Align::End, Across::Baseline)?;
    }
    Ok(())
}

/// Tick marks under a time axis, and their labels when `labels` is set.
pub fn time_axis(
    c: &Canvas,
    plot: Rect,
    xs: &Scale,
    ticks: &[usize],
    tick_labels: &[String],
    labels: bool,
) -> Result<(), ChartError> {
    c.line(
        &[(plot.x, plot.bottom()), (plot.right(), plot.bottom())],
        RULE,
        1.0,
    )?;
    for (k, &t) in ticks.iter().enumerate() {
        let x = xs.map(t as f64);
        c.line(&[(x, plot.bottom()), (x, plot.bottom() + 5.0)], RULE, 1.0)?;
        if let (true, Some(label)) = (labels, tick_labels.get(k)) {
            let left = tick_label_left(x, text_width(label, &TICK), plot.x, plot.right());
            c.text(
                label,
                (left, plot.bottom() + 10.0),
                &TICK,
                Align::Start,
                Across::CapTop,
            )?;
        }
    }
    Ok(())
}

/// Vertical event markers across `plot`, with their tags in `strip` above it, spread apart
/// where marks are close. Uncertain events are drawn dashed.
pub fn event_marks(
    c: &Canvas,
    ctx: &Context,
    strip: Rect,
    plot: Rect,
    xs: &Scale,
) -> Result<(), ChartError> {
    use super::canvas::Dash;
    const TAG: Font = Font::new(12.0, MUTED).bold();
    let marks = &ctx.markers.marks;
    let xs_marks: Vec<f64> = marks.iter().map(|m| xs.map(m.step as f64)).collect();
    let widest = marks
        .iter()
        .map(|m| text_width(&m.tag, &TAG))
        .fold(0.0, f64::max);
    let tag_x = super::layout::spread(
        &xs_marks,
        widest + 5.0,
        strip.x + widest / 2.0,
        strip.right() - widest / 2.0,
    );
    for ((m, &x), &tx) in marks.iter().zip(&xs_marks).zip(&tag_x) {
        let dash = if m.certain {
            Dash::Solid
        } else {
            Dash::Pattern(&[4.0, 3.0])
        };
        let color = RGBAColor(RULE.0, RULE.1, RULE.2, 0.9);
        c.styled_line(
            &[(x, strip.bottom() - 2.0), (x, plot.bottom())],
            color,
            1.0,
            dash,
        )?;
        c.text(
            &m.tag,
            (tx, strip.y + strip.h / 2.0 - 2.0),
            &TAG,
            Align::Center,
            Across::Middle,
        )?;
    }
    Ok(())
}

/// One line of the event key.
pub struct KeyLine {
    /// The mark's tag on the first line of its entry, else empty.
    pub tag: String,
    pub text: String,
    /// Notes (recurring and unmarked events) are set in a quieter voice.
    pub note: bool,
}

/// The key of event tags, wrapped to `width`, so a layout can be sized before drawing.
pub fn key_lines(ctx: &Context, width: f64) -> Vec<KeyLine> {
    let mut out = Vec::new();
    let text_w = width - KEY_INDENT;
    for (tag, text) in ctx.markers.key_entries(&ctx.time) {
        let note = tag.is_empty();
        let (font, max) = if note { (NOTE, 3) } else { (LABEL, 2) };
        for (k, line) in wrap_lines(&text, text_w, &font, max)
            .into_iter()
            .enumerate()
        {
            out.push(KeyLine {
                tag: if k == 0 { tag.clone() } else { String::new() },
                text: line,
                note,
            });
        }
    }
    out
}

const KEY_INDENT: f64 = 30.0;
pub const KEY_LINE_H: f64 = 21.0;

/// Draws the key from [`key_lines`] starting at `top`.
pub fn draw_key(c: &Canvas, ctx: &Context, x: f64, top: f64, width: f64) -> Result<(), ChartError> {
    for (k, line) in key_lines(ctx, width).iter().enumerate() {
        let y = top + k as f64 * KEY_LINE_H;
        c.text(&line.tag, (x, y), &LABEL_BOLD, Align::Start, Across::CapTop)?;
        let font = if line.note { NOTE } else { LABEL };
        c.text(
            &line.text,
            (x + KEY_INDENT, y),
            &font,
            Align::Start,
            Across::CapTop,
        )?;
    }
    Ok(())
}
