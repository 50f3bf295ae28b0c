//! `convergence.png`: how each outcome's estimate settles as blocks of runs are added, for a
//! study grown with `influence run --until-ci`.
//!
//! One panel per outcome: the running estimate as a line, its Wilson 95% interval as a band,
//! and, when the study had a target, dashed lines at the interval's centre ± the target
//! half-width, so that the target is met where the band fits between them. Every panel spans
//! the same height of probability around its own final estimate, so the widths of the bands
//! compare across panels.
//!
//! Drawn from `convergence.csv` and the rule recorded in summary.json; a study without
//! convergence.csv has no such chart.

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
use crate::output::schema::convergence::{self, Convergence};
use crate::output::schema::{TableReader, UntilRule};
use crate::scenario::Scenario;

pub const FILE: &str = "convergence.png";

/// Outcomes are not actors: the neutral blue of the outcome bars, a darker shade for lines.
const BAND: RGBAColor = hex(0x5B8DB8);
const LINE: RGBAColor = hex(0x2F5F8A);
const TARGET: RGBAColor = hex(0xD55E00);
const TITLE_H: f64 = 30.0;
const TICK_LABEL_H: f64 = 26.0;
const ROW_GAP: f64 = 26.0;
const COL_GAP: f64 = 30.0;
/// Room left of each plot for its probability labels: each panel has its own window.
const GUTTER: f64 = 58.0;
const TOP: f64 = HEADER_H + 36.0;
const BOTTOM: f64 = 56.0;
const MIN_PLOT_H: f64 = 170.0;
/// With more blocks than this, dots on the line would merge into it.
const MAX_DOTS: usize = 60;

/// One estimate after one block.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub probability: f64,
    pub low: f64,
    pub high: f64,
}

/// The path of a grown study, read back.
#[derive(Debug, Clone, PartialEq)]
pub struct ConvergenceData {
    /// Run counts after each block, ascending.
    pub runs: Vec<u64>,
    /// `estimates[block * outcomes + outcome]`, outcomes in scenario order.
    pub estimates: Vec<Estimate>,
    /// The rule of summary.json, when the study had one.
    pub rule: Option<UntilRule>,
}

impl ConvergenceData {
    pub fn at(&self, block: usize, outcome: usize, outcomes: usize) -> Estimate {
        self.estimates[block * outcomes + outcome]
    }

    /// Reads `convergence.csv` of `dir`, if there is one, checked against the scenario copy
    /// and the run count of summary.json; `until` is the rule summary.json records.
    pub fn read(
        dir: &Path,
        sc: &Scenario,
        total_runs: u64,
        until: Option<UntilRule>,
    ) -> Result<Option<ConvergenceData>, ChartError> {
        let path = dir.join(convergence::FILE);
        if !path.exists() {
            return Ok(None);
        }
        let m = sc.outcomes.len();
        let mut csv = TableReader::<Convergence>::open(&path)?;
        let mut runs: Vec<u64> = Vec::new();
        let mut estimates = Vec::new();
        while csv.next_record()? {
            let r = csv.record()?;
            let k = estimates.len();
            if k % m.max(1) == 0 {
                if runs.last().is_some_and(|&last| r.runs <= last) {
                    return Err(csv
                        .garbled("run counts must grow from block to block")
                        .into());
                }
                runs.push(r.runs);
            } else if runs.last() != Some(&r.runs) {
                return Err(csv
                    .garbled("a block must list every outcome before the next")
                    .into());
            }
            let expected = sc.outcomes.get(k % m.max(1)).map(|o| o.name.as_str());
            if expected != Some(r.outcome) {
                return Err(csv
                    .garbled(&format!(
                        "expected outcome {:?} here, as in scenario.toml",
                        expected.unwrap_or("(none)")
                    ))
                    .into());
            }
            estimates.push(Estimate {
                probability: r.probability,
                low: r.ci_low,
                high: r.ci_high,
            });
        }
        let inconsistent = |message: String| ChartError::Inconsistent {
            path: path.clone(),
            message,
        };
        if runs.is_empty() || estimates.len() != runs.len() * m {
            return Err(inconsistent(
                "the file must hold every outcome after every block".into(),
            ));
        }
        if runs.last() != Some(&total_runs) {
            return Err(inconsistent(format!(
                "the last block ends at {} runs, but summary.json says {total_runs}",
                runs.last().copied().unwrap_or(0)
            )));
        }
        Ok(Some(ConvergenceData {
            runs,
            estimates,
            rule: until,
        }))
    }
}

struct Panel {
    outcome: usize,
    title_y: f64,
    plot: Rect,
    /// Whether no panel stands below, so this one carries the run labels.
    x_labels: bool,
}

struct Layout {
    width: u32,
    height: u32,
    panels: Vec<Panel>,
    caption_y: f64,
}

fn layout(ctx: &Context) -> Layout {
    let m = ctx.data.scenario.outcomes.len().max(1);
    let cols = grid_columns(m);
    let rows = m.div_ceil(cols);
    let width = MIN_WIDTH as f64;
    let plot_w =
        (width - 2.0 * MARGIN - cols as f64 * GUTTER - (cols - 1) as f64 * COL_GAP) / cols as f64;
    let per_row = TITLE_H + TICK_LABEL_H + ROW_GAP;
    let plot_h = ((MIN_HEIGHT as f64 - TOP - BOTTOM) / rows as f64 - per_row)
        .max(MIN_PLOT_H)
        .floor();
    let panels = (0..ctx.data.scenario.outcomes.len())
        .map(|k| {
            let (row, col) = (k / cols, k % cols);
            let x = MARGIN + GUTTER + col as f64 * (plot_w + GUTTER + COL_GAP);
            let y = TOP + row as f64 * (plot_h + per_row);
            Panel {
                outcome: k,
                title_y: y,
                plot: Rect::new(x, y + TITLE_H, plot_w, plot_h),
                x_labels: k + cols >= m,
            }
        })
        .collect();
    let grid_bottom = TOP + rows as f64 * (plot_h + per_row) - ROW_GAP;
    Layout {
        width: MIN_WIDTH,
        height: ((grid_bottom + BOTTOM).ceil() as u32).max(MIN_HEIGHT),
        panels,
        caption_y: grid_bottom + 6.0,
    }
}

pub fn draw(ctx: &Context) -> Result<Drawn, ChartError> {
    let Some(conv) = &ctx.data.convergence else {
        return Err(ChartError::Draw {
            chart: FILE,
            message: format!("the directory has no {}", convergence::FILE),
        });
    };
    let l = layout(ctx);
    let png = render_png(FILE, l.width, l.height, |c| paint(c, ctx, conv, &l))?;
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

/// Multiples of `step` within `[lo, hi]`.
fn ticks(lo: f64, hi: f64, step: f64) -> Vec<f64> {
    let first = (lo / step - 1e-9).ceil() as i64;
    let last = (hi / step + 1e-9).floor() as i64;
    (first..=last).map(|k| k as f64 * step).collect()
}

/// A whole number with thousands separated: 100000 → "100,000".
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (k, ch) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// A share as a percentage with as many decimals as `step` needs.
fn pct(p: f64, step: f64) -> String {
    let decimals = (-(step * 100.0).log10().floor()).max(0.0) as usize;
    format!("{:.*}%", decimals, p * 100.0)
}

/// Each panel's window: the same span of probability for all, around each final estimate,
/// wide enough for every interval and target line, and inside [0, 1].
fn windows(conv: &ConvergenceData, m: usize) -> Vec<(f64, f64)> {
    let last = conv.runs.len() - 1;
    let w = conv.rule.map_or(0.0, |r| r.half_width);
    let mut half: f64 = 0.005;
    for b in 0..conv.runs.len() {
        for o in 0..m {
            let e = conv.at(b, o, m);
            let f = conv.at(last, o, m).probability;
            let centre = (e.low + e.high) / 2.0;
            for v in [e.low, e.high, centre - w, centre + w] {
                if v.is_finite() && f.is_finite() {
                    half = half.max((v - f).abs());
                }
            }
        }
    }
    let half = (half * 1.08).min(0.5);
    (0..m)
        .map(|o| {
            let f = conv.at(last, o, m).probability;
            let f = if f.is_finite() { f } else { 0.5 };
            let lo = (f - half).clamp(0.0, 1.0 - 2.0 * half);
            (lo, lo + 2.0 * half)
        })
        .collect()
}

fn status(conv: &ConvergenceData) -> String {
    let total = conv.runs.last().copied().unwrap_or(0);
    let blocks = conv.runs.len();
    match conv.rule {
        Some(r) => {
            let w = r.widest_half_width;
            let widest = if w.is_finite() {
                format!("; the widest interval is ±{w:.4}")
            } else {
                String::new()
            };
            if r.met {
                format!(
                    "Every interval reached the target half-width {} after {} runs ({blocks} block{} of {}){widest}.",
                    r.half_width,
                    grouped(total),
                    if blocks == 1 { "" } else { "s" },
                    grouped(r.block)
                )
            } else {
                format!(
                    "The target half-width {} was not reached before the cap of {} runs{widest}.",
                    r.half_width,
                    grouped(r.max_runs)
                )
            }
        }
        None => format!(
            "Estimates after each of {blocks} blocks, {} runs in all.",
            grouped(total)
        ),
    }
}

fn paint(c: &Canvas, ctx: &Context, conv: &ConvergenceData, l: &Layout) -> Result<(), ChartError> {
    let sc = &ctx.data.scenario;
    let m = sc.outcomes.len();
    draw_header(
        c,
        ctx,
        l.width as f64,
        "How the outcome estimates settle as runs are added",
    )?;
    let mut legend = vec![
        (
            Swatch::Line {
                color: LINE,
                width: 2.5,
                dash: Dash::Solid,
            },
            "estimate after each block of runs".to_string(),
        ),
        (
            Swatch::Block(with_alpha(BAND, 0.3)),
            "its 95% interval (Wilson)".to_string(),
        ),
    ];
    if let Some(r) = conv.rule {
        legend.push((
            Swatch::Line {
                color: TARGET,
                width: 1.5,
                dash: Dash::Pattern(&[7.0, 4.0]),
            },
            format!(
                "target: the interval's centre ± {}; met where the band fits inside",
                r.half_width
            ),
        ));
    }
    legend_row(c, MARGIN, EXPLAIN_Y, &legend)?;
    c.text(
        &status(conv),
        (MARGIN, HEADER_H + 4.0),
        &LABEL,
        Align::Start,
        Across::CapTop,
    )?;
    let total = conv.runs.last().copied().unwrap_or(1).max(1) as f64;
    let x_step = nice_step(total, 5.0);
    let x_ticks = ticks(0.0, total, x_step);
    let wins = windows(conv, m);
    for p in &l.panels {
        let plot = p.plot;
        let (lo, hi) = wins[p.outcome];
        let xs = Scale::new((0.0, total), (plot.x, plot.right()));
        let ys = Scale::new((lo, hi), (plot.bottom(), plot.y));
        c.fill_rect(plot, PLOT_BG)?;
        let y_step = nice_step(hi - lo, 7.0);
        for v in ticks(lo, hi, y_step) {
            let y = ys.map(v);
            c.line(&[(plot.x, y), (plot.right(), y)], GRID, 1.0)?;
            c.text(
                &pct(v, y_step),
                (plot.x - 6.0, y),
                &TICK,
                Align::End,
                Across::Middle,
            )?;
        }
        for &t in &x_ticks {
            let x = xs.map(t);
            c.line(&[(x, plot.y), (x, plot.bottom())], GRID, 1.0)?;
            c.line(&[(x, plot.bottom()), (x, plot.bottom() + 5.0)], RULE, 1.0)?;
            if p.x_labels {
                c.text(
                    &grouped(t as u64),
                    (x, plot.bottom() + 9.0),
                    &TICK,
                    Align::Center,
                    Across::CapTop,
                )?;
            }
        }
        let est: Vec<Estimate> = (0..conv.runs.len())
            .map(|b| conv.at(b, p.outcome, m))
            .collect();
        let at = |b: usize, v: f64| (xs.map(conv.runs[b] as f64), ys.map(v.clamp(lo, hi)));
        let mut band: Vec<(f64, f64)> =
            est.iter().enumerate().map(|(b, e)| at(b, e.high)).collect();
        band.extend(est.iter().enumerate().rev().map(|(b, e)| at(b, e.low)));
        if est.len() >= 2 {
            c.polygon(&band, with_alpha(BAND, 0.3))?;
        } else if let Some(e) = est.first() {
            c.line(&[at(0, e.low), at(0, e.high)], with_alpha(BAND, 0.8), 6.0)?;
        }
        if let Some(r) = conv.rule {
            for sign in [-1.0, 1.0] {
                let pts: Vec<(f64, f64)> = est
                    .iter()
                    .enumerate()
                    .map(|(b, e)| {
                        // A target line outside the window is left out, not laid on its edge.
                        let v = (e.low + e.high) / 2.0 + sign * r.half_width;
                        let y = if (lo..=hi).contains(&v) {
                            ys.map(v)
                        } else {
                            f64::NAN
                        };
                        (xs.map(conv.runs[b] as f64), y)
                    })
                    .collect();
                if pts.len() == 1 {
                    let (x, y) = pts[0];
                    if !y.is_finite() {
                        continue;
                    }
                    c.line(&[(x - 16.0, y), (x, y)], TARGET, 2.0)?;
                } else {
                    c.styled_line(&pts, TARGET, 1.5, Dash::Pattern(&[7.0, 4.0]))?;
                }
            }
        }
        let line: Vec<(f64, f64)> = est
            .iter()
            .enumerate()
            .map(|(b, e)| at(b, e.probability))
            .collect();
        c.line(&line, LINE, 2.5)?;
        if est.len() <= MAX_DOTS {
            for &pt in &line {
                c.circle(pt, 3.5, LINE)?;
            }
        }
        c.line(
            &[(plot.x, plot.bottom()), (plot.right(), plot.bottom())],
            RULE,
            1.0,
        )?;
        let name = &sc.outcomes[p.outcome].name;
        let fin = est[est.len() - 1];
        let note = format!(
            "{} ({}–{})",
            pct(fin.probability, 0.001),
            pct(fin.low, 0.001).trim_end_matches('%'),
            pct(fin.high, 0.001)
        );
        let ty = p.title_y + 12.0;
        // The name comes first: the interval is dropped from the note, then the note, before
        // the name is cut.
        let name_w = text_width(name, &LABEL_BOLD);
        let note = [note, pct(fin.probability, 0.001)]
            .into_iter()
            .find(|n| name_w + 14.0 + text_width(n, &NOTE) <= plot.w)
            .unwrap_or_default();
        let note_w = text_width(&note, &NOTE);
        c.text(
            &ellipsize(name, plot.w - note_w - 14.0, &LABEL_BOLD),
            (plot.x, ty),
            &LABEL_BOLD.with_color(INK),
            Align::Start,
            Across::Middle,
        )?;
        c.text(&note, (plot.right(), ty), &NOTE, Align::End, Across::Middle)?;
    }
    let (first, last) = match (l.panels.first(), l.panels.last()) {
        (Some(a), Some(_)) => (
            a.plot.x,
            l.panels
                .iter()
                .map(|p| p.plot.right())
                .fold(a.plot.right(), f64::max),
        ),
        _ => return Ok(()),
    };
    c.text(
        "runs, added in blocks in run order (the same runs a plain study of that many runs has)",
        ((first + last) / 2.0, l.caption_y + TICK_LABEL_H),
        &NOTE,
        Align::Center,
        Across::CapTop,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_and_labels_are_round() {
        assert_eq!(nice_step(3000.0, 5.0), 1000.0);
        assert_eq!(nice_step(0.08, 5.0), 0.02);
        assert_eq!(
            ticks(0.0, 3000.0, 1000.0),
            vec![0.0, 1000.0, 2000.0, 3000.0]
        );
        assert_eq!(grouped(100000), "100,000");
        assert_eq!(grouped(999), "999");
        assert_eq!(pct(0.545, 0.005), "54.5%");
        assert_eq!(pct(0.54, 0.02), "54%");
    }
}
