//! `outcomes.png`: how likely each outcome is, with the uncertainty of that estimate.
//!
//! One bar per `[[outcome]]`, its share of runs, with the Wilson 95% interval as a whisker
//! and the figures printed beside it. Under each name stands the condition it tests, taken
//! from the scenario, so the chart can be read without the scenario file. When the study ran
//! the no-event baseline, a second, lighter bar under each shows the same outcome without the
//! events, and the figures say what the events change: the number an analyst quotes.

use super::canvas::{Across, Align, Canvas, Dash, render_png, text_width};
use super::error::ChartError;
use super::events::percent;
use super::frame::{
    Context, EXPLAIN_Y, HEADER_H, LABEL_BOLD, MARGIN, MIN_HEIGHT, MIN_WIDTH, NOTE, Swatch, TICK,
    draw_header, legend_row,
};
use super::layout::{Rect, Scale, wrap_lines};
use super::palette::{GRID, INK, PLOT_BG, RULE, hex};
use super::timeaxis::TimeAxis;
use super::{Drawn, PanelBox};
use crate::scenario::{Metric, Outcome, Scenario, When};
use plotters::style::RGBAColor;

pub const FILE: &str = "outcomes.png";

const TEXT_W: f64 = 470.0;
const MIN_ROW_H: f64 = 66.0;
const MAX_ROW_H: f64 = 170.0;
/// Outcomes are not actors, so their bars take one neutral colour, not an actor's.
const BAR: RGBAColor = hex(0x5B8DB8);
/// The no-event baseline: grey, and labelled in words, so it reads without colour too.
const QUIET_BAR: RGBAColor = hex(0xB8B8B8);

struct Layout {
    width: u32,
    height: u32,
    plot: Rect,
    row_h: f64,
}

fn layout(ctx: &Context) -> Layout {
    let n = ctx.data.outcomes.len().max(1) as f64;
    let top = HEADER_H + 10.0;
    let below = 60.0;
    let row_h = ((MIN_HEIGHT as f64 - top - below) / n)
        .clamp(MIN_ROW_H, MAX_ROW_H)
        .floor();
    let x = MARGIN + TEXT_W + 30.0;
    let value_w = if ctx.data.outcomes.iter().any(|o| o.baseline.is_some()) {
        text_width("events change it by +100 pts (+100 to +100)", &NOTE) + 30.0
    } else {
        text_width("100% (100–100%)", &LABEL_BOLD) + 30.0
    };
    let plot = Rect::new(x, top, MIN_WIDTH as f64 - MARGIN - value_w - x, row_h * n);
    Layout {
        width: MIN_WIDTH,
        height: ((top + plot.h + below).ceil() as u32).max(MIN_HEIGHT),
        plot,
        row_h,
    }
}

pub fn draw(ctx: &Context) -> Result<Drawn, ChartError> {
    let l = layout(ctx);
    let png = render_png(FILE, l.width, l.height, |c| paint(c, ctx, &l))?;
    Ok(Drawn {
        png,
        width: l.width,
        height: l.height,
        panels: vec![PanelBox::new("outcomes", l.plot)],
    })
}

/// The condition of an outcome in words: "Azerbaijan's alignment > 0.5 at the end".
pub fn condition_text(sc: &Scenario, time: &TimeAxis, o: &Outcome) -> String {
    let c = &o.condition;
    let name = |i: usize| sc.actors.get(i).map_or("?", |a| a.name.as_str());
    let other = c.other.map(name).unwrap_or("?");
    let quantity = match c.metric {
        Metric::Alignment => format!("{}'s alignment", name(c.actor)),
        Metric::Power => format!("{}'s power", name(c.actor)),
        Metric::Trust => format!("{}'s trust in {other}", name(c.actor)),
        Metric::Threat => format!("{}'s sense of threat from {other}", name(c.actor)),
    };
    let when = match o.when {
        When::End => format!("at the end ({} {})", time.unit, sc.steps),
        When::Ever => "at some step".to_string(),
        When::Always => "at every step".to_string(),
        When::Window { from, to } => format!("at some step from {} {from} to {to}", time.unit),
    };
    let value = super::frame::signed(c.value).replace('+', "");
    format!("{quantity} {} {value} {when}", c.op.as_str())
}

fn paint(c: &Canvas, ctx: &Context, l: &Layout) -> Result<(), ChartError> {
    let data = ctx.data;
    let sc = &data.scenario;
    draw_header(c, ctx, l.width as f64, "How likely each outcome is")?;
    let with_baseline = data.outcomes.iter().any(|o| o.baseline.is_some());
    let whisker = Swatch::Line {
        color: INK,
        width: 1.5,
        dash: Dash::Solid,
    };
    let items = if with_baseline {
        vec![
            (
                Swatch::Block(BAR),
                "share of runs in which the outcome held".into(),
            ),
            (
                Swatch::Block(QUIET_BAR),
                "the same runs without the scenario's events".into(),
            ),
            (whisker, "95% interval".into()),
        ]
    } else {
        vec![
            (
                Swatch::Block(BAR),
                "share of runs in which the outcome held".into(),
            ),
            (
                whisker,
                "95% confidence interval of the share (Wilson); more runs narrow it".into(),
            ),
        ]
    };
    legend_row(c, MARGIN, EXPLAIN_Y, &items)?;
    let plot = l.plot;
    let xs = Scale::new((0.0, 1.0), (plot.x, plot.right()));
    c.fill_rect(plot, PLOT_BG)?;
    for k in 0..=4 {
        let v = k as f64 / 4.0;
        let x = xs.map(v);
        c.line(
            &[(x, plot.y), (x, plot.bottom())],
            if k == 0 { RULE } else { GRID },
            1.0,
        )?;
        c.text(
            &percent(v),
            (x, plot.bottom() + 10.0),
            &TICK,
            Align::Center,
            Across::CapTop,
        )?;
    }
    c.text(
        &format!("share of {} runs", data.runs),
        (plot.center_x(), plot.bottom() + 34.0),
        &NOTE,
        Align::Center,
        Across::CapTop,
    )?;
    if data.outcomes.is_empty() {
        return c.text(
            "This scenario defines no [[outcome]].",
            (plot.center_x(), plot.y + plot.h / 2.0),
            &NOTE,
            Align::Center,
            Across::Middle,
        );
    }
    let bar_h = (l.row_h * 0.36).min(30.0);
    for (k, o) in data.outcomes.iter().enumerate() {
        let row = Rect::new(plot.x, plot.y + k as f64 * l.row_h, plot.w, l.row_h);
        let mid = row.y + row.h / 2.0;
        let definition = sc
            .outcomes
            .iter()
            .find(|d| d.name == o.name)
            .map(|d| condition_text(sc, &ctx.time, d));
        let name_lines = wrap_lines(&o.name, TEXT_W, &LABEL_BOLD, 2);
        let def_lines = definition
            .map(|d| wrap_lines(&d, TEXT_W, &NOTE, 2))
            .unwrap_or_default();
        let line_h = 19.0;
        let total = (name_lines.len() + def_lines.len()) as f64 * line_h;
        let mut y = mid - total / 2.0 + 3.0;
        for line in &name_lines {
            c.text(
                line,
                (MARGIN + TEXT_W, y),
                &LABEL_BOLD,
                Align::End,
                Across::CapTop,
            )?;
            y += line_h;
        }
        for line in &def_lines {
            c.text(
                line,
                (MARGIN + TEXT_W, y),
                &NOTE,
                Align::End,
                Across::CapTop,
            )?;
            y += line_h;
        }
        if !o.probability.is_finite() {
            c.text(
                "no data",
                (plot.x + 8.0, mid),
                &NOTE,
                Align::Start,
                Across::Middle,
            )?;
            continue;
        }
        let (bar_mid, quiet_mid) = if o.baseline.is_some() {
            (mid - bar_h * 0.55, mid + bar_h * 0.55)
        } else {
            (mid, mid)
        };
        let h = if o.baseline.is_some() {
            bar_h * 0.9
        } else {
            bar_h
        };
        let hi = share_bar(
            c,
            &xs,
            plot,
            bar_mid,
            h,
            (o.probability, o.ci_low, o.ci_high),
            BAR,
        )?;
        let figures = if o.ci_low.is_finite() && o.ci_high.is_finite() {
            format!(
                "{} ({}–{})",
                percent(o.probability),
                percent(o.ci_low).trim_end_matches('%'),
                percent(o.ci_high)
            )
        } else {
            percent(o.probability)
        };
        c.text(
            &figures,
            (hi + 12.0, bar_mid),
            &LABEL_BOLD,
            Align::Start,
            Across::Middle,
        )?;
        if let Some(b) = o.baseline {
            let hi = share_bar(c, &xs, plot, quiet_mid, h, b, QUIET_BAR)?;
            let mut words = format!("{} without events", percent(b.0));
            if let Some((d, lo, up)) = o.change {
                words = format!(
                    "{words}; events change it by {} ({} to {})",
                    points(d),
                    points(lo).trim_end_matches(" pts"),
                    points(up).trim_end_matches(" pts")
                );
            }
            c.text(
                &words,
                (hi + 12.0, quiet_mid),
                &NOTE,
                Align::Start,
                Across::Middle,
            )?;
        }
        if k + 1 < data.outcomes.len() {
            c.line(
                &[(MARGIN, row.bottom()), (plot.right(), row.bottom())],
                hex(0xEBEBEB),
                1.0,
            )?;
        }
    }
    Ok(())
}

/// A difference of shares in percentage points, signed: "+7 pts", "−0.4 pts".
fn points(d: f64) -> String {
    let p = 100.0 * d;
    let text = if p.abs() >= 9.95 || p == 0.0 {
        format!("{p:+.0}")
    } else {
        format!("{p:+.1}")
    };
    format!("{} pts", text.replace('-', "−"))
}

/// One share as a bar from 0 with its interval as a whisker; returns where text may start
/// to its right.
fn share_bar(
    c: &Canvas,
    xs: &Scale,
    plot: Rect,
    mid: f64,
    bar_h: f64,
    (p, low, high): (f64, f64, f64),
    color: RGBAColor,
) -> Result<f64, ChartError> {
    let x1 = xs.map(p.clamp(0.0, 1.0));
    c.fill_rect(
        Rect::new(plot.x, mid - bar_h / 2.0, x1 - plot.x, bar_h),
        color,
    )?;
    let (lo, hi) = (xs.map(low), xs.map(high));
    let cap = bar_h / 2.0 + 4.0;
    if lo.is_finite() && hi.is_finite() {
        c.line(&[(lo, mid), (hi, mid)], INK, 1.5)?;
        c.line(&[(lo, mid - cap), (lo, mid + cap)], INK, 1.5)?;
        c.line(&[(hi, mid - cap), (hi, mid + cap)], INK, 1.5)?;
    }
    Ok(hi.max(x1).max(plot.x))
}
