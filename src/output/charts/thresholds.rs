//! `thresholds.png`: how much each outcome's probability owes to where its threshold stands.
//!
//! An outcome turns a continuous quantity into yes or no at a threshold; when many runs end
//! near it, a threshold moved by a hair moves the probability a lot. One panel per outcome:
//! the probability against the threshold's value (thresholds.csv), the outcome's own
//! threshold as a vertical line with its reported figure (outcomes.csv) as a dot, and the
//! band of ±0.02 around it shaded. The panel's title flags the outcome "fragile" by the rule
//! the terminal uses ([`crate::montecarlo::thresholds::is_fragile`]), read off the curve.
//!
//! Each panel shows the part of the metric's range where its curve changes, with at least
//! ±0.1 around the threshold, so that a steep step is not a vertical line on a −1..1 axis.
//! With more outcomes than [`MAX_PANELS`], the first ones are drawn and the chart says how
//! many more thresholds.csv holds, so the picture keeps a readable size.

use std::path::Path;

use plotters::style::RGBAColor;

use super::canvas::{Across, Align, Canvas, Dash, render_png, text_width};
use super::error::ChartError;
use super::frame::{
    Context, EXPLAIN_Y, HEADER_H, LABEL, LABEL_BOLD, MARGIN, MIN_HEIGHT, MIN_WIDTH, NOTE, Swatch,
    TICK, draw_header, legend_row,
};
use super::layout::{Rect, Scale, ellipsize, grid_columns};
use super::palette::{GRID, INK, PLOT_BG, RULE, hex, with_alpha};
use super::{Drawn, PanelBox};
use crate::montecarlo::thresholds::{
    FRAGILE_POINTS, FRAGILE_SHIFT, THRESHOLD_STEP, fragility_on_curve, metric_range,
};
use crate::output::schema::TableReader;
use crate::output::schema::thresholds::{self, Thresholds};
use crate::scenario::Scenario;

pub const FILE: &str = "thresholds.png";

/// The most panels drawn: beyond this they would be too small to read on a page.
pub const MAX_PANELS: usize = 20;

/// Outcomes are not actors: the neutral blue of the outcome bars for the curve.
const CURVE: RGBAColor = hex(0x2F5F8A);
/// The shifted band, in Okabe-Ito's orange, apart from the curve's blue.
const BAND: RGBAColor = hex(0xE69F00);
/// Okabe-Ito's vermillion, for the flag.
const FRAGILE: RGBAColor = hex(0xD55E00);
const TITLE_H: f64 = 46.0;
const TICK_LABEL_H: f64 = 24.0;
const ROW_GAP: f64 = 24.0;
const COL_GAP: f64 = 30.0;
const GUTTER: f64 = 50.0;
const TOP: f64 = HEADER_H + 36.0;
const BOTTOM: f64 = 64.0;
const MIN_PLOT_H: f64 = 140.0;
/// The least span of threshold values a panel shows on each side of the threshold.
const MIN_REACH: f64 = 0.1;
/// Grid values closer than this are the same value.
const SAME_VALUE: f64 = 1e-6;

/// One outcome's probability at every threshold on its metric's 0.01 grid.
#[derive(Debug, Clone, PartialEq)]
pub struct ThresholdCurve {
    /// `(threshold, probability)`, thresholds ascending.
    pub points: Vec<(f64, f64)>,
}

impl ThresholdCurve {
    /// Reads `thresholds.csv` of `dir` if it is there (directories written before it existed
    /// have none, and then no such chart): one curve per outcome of `sc`, in scenario order,
    /// each on the whole grid of its metric, every probability in [0, 1].
    pub fn read(dir: &Path, sc: &Scenario) -> Result<Option<Vec<ThresholdCurve>>, ChartError> {
        let path = dir.join(thresholds::FILE);
        if !path.exists() {
            return Ok(None);
        }
        let mut csv = TableReader::<Thresholds>::open(&path)?;
        let mut curves: Vec<ThresholdCurve> = Vec::with_capacity(sc.outcomes.len());
        while csv.next_record()? {
            let r = csv.record()?;
            let current = curves.len().checked_sub(1);
            let k = match current {
                Some(k) if sc.outcomes[k].name == r.outcome => k,
                _ => {
                    let next = curves.len();
                    match sc.outcomes.get(next) {
                        Some(o) if o.name == r.outcome => {
                            curves.push(ThresholdCurve { points: Vec::new() });
                            next
                        }
                        expected => {
                            return Err(csv
                                .garbled(&format!(
                                    "outcome {:?} here, but scenario.toml lists {} next",
                                    r.outcome,
                                    expected.map_or("no more outcomes".to_string(), |o| format!(
                                        "{:?}",
                                        o.name
                                    ))
                                ))
                                .into());
                        }
                    }
                }
            };
            let (lo, _) = metric_range(sc.outcomes[k].condition.metric);
            let points = &mut curves[k].points;
            let grid = lo + points.len() as f64 * THRESHOLD_STEP;
            // NaN is off the grid too.
            let on_grid = (r.value - grid).abs() <= SAME_VALUE;
            if !on_grid {
                return Err(csv
                    .garbled(&format!(
                        "threshold {} where the grid of this outcome's metric has {grid:.2}",
                        r.value
                    ))
                    .into());
            }
            if !(0.0..=1.0).contains(&r.probability) {
                return Err(csv
                    .garbled(&format!("probability {} is outside [0, 1]", r.probability))
                    .into());
            }
            points.push((r.value, r.probability));
        }
        let inconsistent = |message: String| ChartError::Inconsistent {
            path: path.clone(),
            message,
        };
        for (k, o) in sc.outcomes.iter().enumerate() {
            let (lo, hi) = metric_range(o.condition.metric);
            let want = ((hi - lo) / THRESHOLD_STEP).round() as usize + 1;
            let got = curves.get(k).map_or(0, |c| c.points.len());
            if got != want {
                return Err(inconsistent(format!(
                    "outcome {:?} has {got} thresholds, not the {want} of its metric's grid",
                    o.name
                )));
            }
        }
        Ok(Some(curves))
    }

    /// The probability with the threshold moved down and up by [`FRAGILE_SHIFT`], and
    /// whether that makes the outcome fragile.
    pub fn fragility(&self, value: f64) -> Option<(f64, f64, bool)> {
        fragility_on_curve(&self.points, value)
    }
}

struct Panel {
    outcome: usize,
    title_y: f64,
    plot: Rect,
}

struct Layout {
    width: u32,
    height: u32,
    panels: Vec<Panel>,
    caption_y: f64,
}

fn layout(ctx: &Context) -> Layout {
    let shown = ctx.data.scenario.outcomes.len().min(MAX_PANELS);
    let m = shown.max(1);
    let cols = grid_columns(m);
    let rows = m.div_ceil(cols);
    let width = MIN_WIDTH as f64;
    let plot_w =
        (width - 2.0 * MARGIN - cols as f64 * GUTTER - (cols - 1) as f64 * COL_GAP) / cols as f64;
    let per_row = TITLE_H + TICK_LABEL_H + ROW_GAP;
    let plot_h = ((MIN_HEIGHT as f64 - TOP - BOTTOM) / rows as f64 - per_row)
        .max(MIN_PLOT_H)
        .floor();
    let panels = (0..shown)
        .map(|k| {
            let (row, col) = (k / cols, k % cols);
            let x = MARGIN + GUTTER + col as f64 * (plot_w + GUTTER + COL_GAP);
            let y = TOP + row as f64 * (plot_h + per_row);
            Panel {
                outcome: k,
                title_y: y,
                plot: Rect::new(x, y + TITLE_H, plot_w, plot_h),
            }
        })
        .collect();
    let grid_bottom = TOP + rows as f64 * (plot_h + per_row) - ROW_GAP;
    Layout {
        width: MIN_WIDTH,
        height: ((grid_bottom + BOTTOM).ceil() as u32).max(MIN_HEIGHT),
        panels,
        caption_y: grid_bottom + 10.0,
    }
}

pub fn draw(ctx: &Context) -> Result<Drawn, ChartError> {
    let Some(curves) = &ctx.data.thresholds else {
        return Err(ChartError::Draw {
            chart: FILE,
            message: format!("the directory has no {}", thresholds::FILE),
        });
    };
    let l = layout(ctx);
    let png = render_png(FILE, l.width, l.height, |c| paint(c, ctx, curves, &l))?;
    Ok(Drawn {
        png,
        width: l.width,
        height: l.height,
        panels: l
            .panels
            .iter()
            .map(|p| PanelBox::new(&ctx.data.scenario.outcomes[p.outcome].name, p.plot))
            .collect(),
    })
}

/// The span of thresholds a panel shows: where the curve leaves its first value and reaches
/// its last, at least [`MIN_REACH`] either side of the threshold, a little padded, within
/// the metric's range.
fn window(curve: &ThresholdCurve, value: f64, (lo, hi): (f64, f64)) -> (f64, f64) {
    let pts = &curve.points;
    let (mut a, mut b) = (value - MIN_REACH, value + MIN_REACH);
    if let (Some(&(_, p0)), Some(&(_, p1))) = (pts.first(), pts.last()) {
        let first = pts.iter().position(|&(_, p)| p != p0);
        let last = pts.iter().rposition(|&(_, p)| p != p1);
        if let (Some(f), Some(l)) = (first, last) {
            a = a.min(pts[f.saturating_sub(1)].0);
            b = b.max(pts[(l + 1).min(pts.len() - 1)].0);
        }
    }
    let pad = (b - a) * 0.06;
    let (a, b) = ((a - pad).max(lo), (b + pad).min(hi));
    if b > a { (a, b) } else { (lo, hi) }
}

/// A round step giving about `target` intervals over `span`: 1, 2 or 5 times a power of ten.
fn nice_step(span: f64, target: f64) -> f64 {
    if span <= 0.0 || !span.is_finite() {
        return 1.0;
    }
    let raw = span / target;
    let mag = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|f| f * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag)
}

/// A threshold value with as many decimals as the tick step needs.
fn value_label(v: f64, step: f64) -> String {
    let decimals = (-step.log10().floor()).max(0.0) as usize;
    let text = format!("{v:.decimals$}");
    // "-0.00" reads as a different number from "0.00".
    if text
        .trim_start_matches('-')
        .chars()
        .all(|c| c == '0' || c == '.')
    {
        text.trim_start_matches('-').to_string()
    } else {
        text
    }
}

/// A threshold as a scenario would write it: two decimals, or three when it has them.
fn threshold_label(v: f64) -> String {
    let three = value_label(v, 0.001);
    if three.ends_with('0') {
        value_label(v, 0.01)
    } else {
        three
    }
}

fn pct(p: f64) -> String {
    format!("{:.0}%", p * 100.0)
}

fn paint(
    c: &Canvas,
    ctx: &Context,
    curves: &[ThresholdCurve],
    l: &Layout,
) -> Result<(), ChartError> {
    let sc = &ctx.data.scenario;
    draw_header(
        c,
        ctx,
        l.width as f64,
        "How each outcome's probability depends on its threshold",
    )?;
    legend_row(
        c,
        MARGIN,
        EXPLAIN_Y,
        &[
            (
                Swatch::Line {
                    color: CURVE,
                    width: 2.5,
                    dash: Dash::Solid,
                },
                "share of runs in which it would hold, threshold at each value".to_string(),
            ),
            (
                Swatch::Line {
                    color: INK,
                    width: 1.5,
                    dash: Dash::Solid,
                },
                "the outcome's threshold, its figure as a dot".to_string(),
            ),
            (
                Swatch::Block(with_alpha(BAND, 0.35)),
                format!("threshold ± {FRAGILE_SHIFT}"),
            ),
        ],
    )?;
    let flags = fragile_flags(sc, curves);
    let fragile = flags.iter().filter(|&&f| f).count();
    let status = match fragile {
        0 => format!(
            "No outcome is fragile: none moves by more than {:.0} points within ±{FRAGILE_SHIFT} of its threshold.",
            FRAGILE_POINTS * 100.0
        ),
        k => format!(
            "{k} of {} outcome{} fragile: the probability moves by more than {:.0} points within ±{FRAGILE_SHIFT} of the threshold, so it says more about the threshold than about the scenario.",
            sc.outcomes.len(),
            if sc.outcomes.len() == 1 {
                " is"
            } else {
                "s are"
            },
            FRAGILE_POINTS * 100.0
        ),
    };
    c.text(
        &ellipsize(&status, l.width as f64 - 2.0 * MARGIN, &LABEL),
        (MARGIN, HEADER_H + 4.0),
        &LABEL,
        Align::Start,
        Across::CapTop,
    )?;
    for p in &l.panels {
        let o = &sc.outcomes[p.outcome];
        let curve = &curves[p.outcome];
        let v = o.condition.value;
        let plot = p.plot;
        let (a, b) = window(curve, v, metric_range(o.condition.metric));
        let xs = Scale::new((a, b), (plot.x, plot.right()));
        let ys = Scale::new((0.0, 1.0), (plot.bottom(), plot.y));
        c.fill_rect(plot, PLOT_BG)?;
        let (band_lo, band_hi) = (
            (v - FRAGILE_SHIFT).clamp(a, b),
            (v + FRAGILE_SHIFT).clamp(a, b),
        );
        if band_hi > band_lo {
            c.fill_rect(
                Rect::new(
                    xs.map(band_lo),
                    plot.y,
                    xs.map(band_hi) - xs.map(band_lo),
                    plot.h,
                ),
                with_alpha(BAND, 0.35),
            )?;
        }
        for k in 0..=4 {
            let y = ys.map(k as f64 / 4.0);
            c.line(&[(plot.x, y), (plot.right(), y)], GRID, 1.0)?;
            c.text(
                &pct(k as f64 / 4.0),
                (plot.x - 6.0, y),
                &TICK,
                Align::End,
                Across::Middle,
            )?;
        }
        let step = nice_step(b - a, 4.0);
        let first = (a / step - 1e-9).ceil() as i64;
        let last = (b / step + 1e-9).floor() as i64;
        for t in first..=last {
            let value = t as f64 * step;
            let x = xs.map(value);
            c.line(&[(x, plot.bottom()), (x, plot.bottom() + 5.0)], RULE, 1.0)?;
            c.text(
                &value_label(value, step),
                (x, plot.bottom() + 8.0),
                &TICK,
                Align::Center,
                Across::CapTop,
            )?;
        }
        let line: Vec<(f64, f64)> = curve
            .points
            .iter()
            .filter(|&&(x, _)| x >= a - SAME_VALUE && x <= b + SAME_VALUE)
            .map(|&(x, q)| (xs.map(x), ys.map(q)))
            .collect();
        c.line(&line, CURVE, 2.5)?;
        if (a..=b).contains(&v) {
            let x = xs.map(v);
            c.line(&[(x, plot.y), (x, plot.bottom())], INK, 1.5)?;
            let reported = ctx
                .data
                .outcomes
                .iter()
                .find(|r| r.name == o.name)
                .map(|r| r.probability)
                .filter(|q| q.is_finite());
            if let Some(q) = reported {
                c.circle((x, ys.map(q)), 5.0, INK)?;
            }
        }
        c.line(
            &[(plot.x, plot.bottom()), (plot.right(), plot.bottom())],
            RULE,
            1.0,
        )?;
        // The name, flagged when fragile, and under it the figures that decide the flag.
        let ty = p.title_y + 10.0;
        let flag = if flags[p.outcome] { "fragile" } else { "" };
        let flag_w = if flag.is_empty() {
            0.0
        } else {
            text_width(flag, &LABEL_BOLD) + 12.0
        };
        let name = ellipsize(&o.name, plot.w - flag_w, &LABEL_BOLD);
        c.text(
            &name,
            (plot.x, ty),
            &LABEL_BOLD.with_color(INK),
            Align::Start,
            Across::Middle,
        )?;
        if !flag.is_empty() {
            c.text(
                flag,
                (plot.x + text_width(&name, &LABEL_BOLD) + 12.0, ty),
                &LABEL_BOLD.with_color(FRAGILE),
                Align::Start,
                Across::Middle,
            )?;
        }
        if let Some((below, above, _)) = curve.fragility(v) {
            let note = format!(
                "{} at {}, {} at {}",
                pct(below),
                threshold_label(v - FRAGILE_SHIFT),
                pct(above),
                threshold_label(v + FRAGILE_SHIFT)
            );
            c.text(
                &ellipsize(&note, plot.w, &NOTE),
                (plot.x, ty + 20.0),
                &NOTE,
                Align::Start,
                Across::Middle,
            )?;
        }
    }
    let hidden = sc.outcomes.len().saturating_sub(l.panels.len());
    let mut caption = "Across: the threshold, in its metric's units (alignment and trust run from -1 to 1, threat and power from 0 to 1); each panel shows where its curve changes.".to_string();
    if hidden > 0 {
        caption.push_str(&format!(
            " The first {} of {} outcomes are drawn; thresholds.csv has every curve.",
            l.panels.len(),
            sc.outcomes.len()
        ));
    }
    c.text(
        &ellipsize(&caption, l.width as f64 - 2.0 * MARGIN, &NOTE),
        (MARGIN, l.caption_y + TICK_LABEL_H),
        &NOTE,
        Align::Start,
        Across::CapTop,
    )
}

/// Whether each outcome is fragile, read off its curve by the terminal's rule
/// ([`crate::montecarlo::thresholds::is_fragile`]).
pub fn fragile_flags(sc: &Scenario, curves: &[ThresholdCurve]) -> Vec<bool> {
    sc.outcomes
        .iter()
        .zip(curves)
        .map(|(o, c)| {
            c.fragility(o.condition.value)
                .is_some_and(|(_, _, fragile)| fragile)
        })
        .collect()
}

/// The chart's figures in words, for the alt text of the report: each outcome's probability
/// at its threshold moved down and up by [`FRAGILE_SHIFT`], and which are fragile.
pub fn alt_text(dir: &Path, sc: &Scenario) -> String {
    let head = "One panel per outcome: the share of runs in which it would hold against the value of its threshold, with the threshold marked and the band of \u{b1}0.02 around it shaded.";
    let Ok(Some(curves)) = ThresholdCurve::read(dir, sc) else {
        return head.to_string();
    };
    let flags = fragile_flags(sc, &curves);
    let figures: Vec<String> = sc
        .outcomes
        .iter()
        .zip(&curves)
        .zip(&flags)
        .filter_map(|((o, c), &fragile)| {
            let v = o.condition.value;
            let (below, above, _) = c.fragility(v)?;
            Some(format!(
                "{} {} at {} and {} at {}{}",
                o.name,
                pct(below),
                threshold_label(v - FRAGILE_SHIFT),
                pct(above),
                threshold_label(v + FRAGILE_SHIFT),
                if fragile { ", fragile" } else { "" }
            ))
        })
        .collect();
    format!("{head} {}.", figures.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_holds_the_change_and_the_threshold() {
        let points: Vec<(f64, f64)> = (0..=200)
            .map(|k| {
                let x = -1.0 + k as f64 * 0.01;
                (x, if x < 0.3 { 1.0 } else { 0.0 })
            })
            .collect();
        let curve = ThresholdCurve { points };
        let (a, b) = window(&curve, 0.5, (-1.0, 1.0));
        assert!(a < 0.3 && b > 0.6 && a > -0.5 && b < 1.0, "{a} {b}");
        let flat = ThresholdCurve {
            points: vec![(0.0, 0.5), (0.01, 0.5)],
        };
        let (a, b) = window(&flat, 0.0, (0.0, 1.0));
        assert!(a == 0.0 && b > 0.1 && b < 0.2, "{a} {b}");
    }

    #[test]
    fn labels_are_round_and_never_negative_zero() {
        assert_eq!(value_label(-0.0000001, 0.05), "0.00");
        assert_eq!(value_label(0.25, 0.05), "0.25");
        assert_eq!(value_label(-0.5, 0.1), "-0.5");
        assert_eq!(nice_step(0.4, 4.0), 0.1);
        assert_eq!(threshold_label(0.175 - 0.02), "0.155");
        assert_eq!(threshold_label(0.4 - 0.02), "0.38");
        assert_eq!(threshold_label(-0.02), "-0.02");
    }
}
