//! `outcomes.png`: how likely each outcome is, with the uncertainty of that estimate.
//!
//! One bar per `[[outcome]]`, its share of runs, with the Wilson 95% interval as a whisker
//! and the figures printed beside it. Under each name stands the condition it tests, taken
//! from the scenario, so the chart can be read without the scenario file.

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
    let value_w = text_width("100% (100–100%)", &LABEL_BOLD) + 30.0;
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
    legend_row(
        c,
        MARGIN,
        EXPLAIN_Y,
        &[
            (
                Swatch::Block(BAR),
                "share of runs in which the outcome held".into(),
            ),
            (
                Swatch::Line {
                    color: INK,
                    width: 1.5,
                    dash: Dash::Solid,
                },
                "95% confidence interval of the share (Wilson); more runs narrow it".into(),
            ),
        ],
    )?;
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
        let x1 = xs.map(o.probability.clamp(0.0, 1.0));
        c.fill_rect(
            Rect::new(plot.x, mid - bar_h / 2.0, x1 - plot.x, bar_h),
            BAR,
        )?;
        let (lo, hi) = (xs.map(o.ci_low), xs.map(o.ci_high));
        let cap = bar_h / 2.0 + 5.0;
        if lo.is_finite() && hi.is_finite() {
            c.line(&[(lo, mid), (hi, mid)], INK, 1.5)?;
            c.line(&[(lo, mid - cap), (lo, mid + cap)], INK, 1.5)?;
            c.line(&[(hi, mid - cap), (hi, mid + cap)], INK, 1.5)?;
        }
        let text_x = hi.max(x1).max(plot.x) + 12.0;
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
            (text_x, mid),
            &LABEL_BOLD,
            Align::Start,
            Across::Middle,
        )?;
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
