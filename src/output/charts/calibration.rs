//! The charts of `influence calibrate`, drawn from `calibration.csv`, `posterior.csv`,
//! `fit.csv`, `summary.json` and the scenario copy:
//!
//! - `calibration.png`: what the record says of each input. Each input is a row on its own
//!   prior range: the prior as a light bar over the whole range, the posterior as a weighted
//!   histogram of the kept points, with its median and 90% interval below. A posterior as
//!   wide as its bar learned nothing; a narrow one was pinned down.
//! - `fit.png`: each observation against the model before and after, one row each: the
//!   observed value (with its sd) against the prior and posterior predictive means, or, for
//!   an observed sign, the share of runs with the right sign under each. Held-out rows are
//!   shaded and labelled, since they are the test of the fit rather than its material.
//!
//! Both run over numbered pages of fixed size (`calibration_2.png`, `fit_2.png`, ...) when
//! there are more rows than fit one picture, so many inputs never make a picture larger.

use std::path::Path;
use std::time::Instant;

use plotters::style::RGBAColor;

use super::canvas::{Across, Align, Canvas, Font, render_png, text_width};
use super::error::ChartError;
use super::frame::{
    Context, EXPLAIN_Y, HEADER_H, MARGIN, MIN_HEIGHT, MIN_WIDTH, NOTE, Swatch, TICK, draw_header,
    legend_row,
};
use super::input::{StudyData, read_scenario};
use super::layout::{Rect, Scale, ellipsize, wrap_lines};
use super::paired::{bare_study, save, subtitle};
use super::palette::{GRID, INK, PLOT_BG, RULE, hex};
use super::{ChartsReport, Drawn};
use crate::output::schema::calibration::{Fit, Intervals, Posterior};
use crate::output::schema::summary::CalibrationSummary;
use crate::output::schema::{SCENARIO_FILE, TableReader};

/// The file of the first page of the prior-against-posterior chart.
pub const CALIBRATION_FILE: &str = "calibration.png";
/// The file of the first page of the fit chart.
pub const FIT_FILE: &str = "fit.png";

/// Inputs in one picture of `calibration.png`: ten keep a histogram tall enough to read.
pub const MAX_INPUTS: usize = 10;
/// Observations in one picture of `fit.png`.
pub const MAX_OBSERVATIONS: usize = 16;
/// Bins of a posterior histogram over the prior range.
const BINS: usize = 40;

/// Okabe-Ito blue for the posterior and vermillion for the observation; the prior is light
/// grey, so the three read apart in greyscale too.
const POSTERIOR: RGBAColor = hex(0x0072B2);
const OBSERVED: RGBAColor = hex(0xD55E00);
const PRIOR: RGBAColor = hex(0xDDDDDD);
const PRIOR_MARK: RGBAColor = hex(0x5C5C5C);
const HELD_OUT_BG: RGBAColor = hex(0xF1E6D6);

const ROW: Font = Font::new(15.0, INK);
const FOOTER_H: f64 = 64.0;
const VALUE_W: f64 = 300.0;

/// One input: its prior range, posterior summary and the kept points' values.
#[derive(Debug, Clone, PartialEq)]
pub struct InputPosterior {
    pub name: String,
    pub prior_low: f64,
    pub prior_high: f64,
    pub median: f64,
    pub low: f64,
    pub high: f64,
    /// (value, weight) of each kept point.
    pub points: Vec<(f64, f64)>,
}

/// What an observation said.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Observed {
    Value { value: f64, sd: f64 },
    Sign { positive: bool },
}

/// One row of `fit.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct FitRow {
    pub name: String,
    pub held_out: bool,
    pub observed: Observed,
    pub prior_mean: f64,
    pub posterior_mean: f64,
    pub prior_right_sign: f64,
    pub posterior_right_sign: f64,
}

/// Everything the calibration charts show, read from a calibration's directory.
#[derive(Debug, Clone)]
pub struct CalibrationData {
    /// The scenario copy; a study's tables are empty.
    pub study: StudyData,
    pub summary: CalibrationSummary,
    /// Inputs in the order of calibration.csv.
    pub inputs: Vec<InputPosterior>,
    pub fit: Vec<FitRow>,
}

impl CalibrationData {
    /// Reads and cross-checks the files of a calibration's directory.
    pub fn read(dir: &Path) -> Result<CalibrationData, ChartError> {
        let summary = CalibrationSummary::read(dir)?;
        let sc = read_scenario(&dir.join(SCENARIO_FILE), &summary.scenario_sha256)?;
        let mut inputs: Vec<InputPosterior> = Vec::new();
        let mut csv = TableReader::<Intervals>::open(
            &dir.join(crate::output::calibration::CALIBRATION_FILE),
        )?;
        while csv.next_record()? {
            let r = csv.record()?;
            if !summary.inputs.iter().any(|i| i.name == r.input) {
                return Err(csv
                    .garbled(&format!("{:?} is not an input of summary.json", r.input))
                    .into());
            }
            inputs.push(InputPosterior {
                name: r.input.to_string(),
                prior_low: r.prior_low,
                prior_high: r.prior_high,
                median: r.median,
                low: r.low,
                high: r.high,
                points: Vec::new(),
            });
        }
        let mut csv =
            TableReader::<Posterior>::open(&dir.join(crate::output::calibration::POSTERIOR_FILE))?;
        while csv.next_record()? {
            let r = csv.record()?;
            let Some(input) = inputs.iter_mut().find(|i| i.name == r.input) else {
                return Err(csv
                    .garbled(&format!("{:?} is not an input of calibration.csv", r.input))
                    .into());
            };
            input.points.push((r.value, r.weight));
        }
        let mut fit = Vec::new();
        let mut csv = TableReader::<Fit>::open(&dir.join(crate::output::calibration::FIT_FILE))?;
        while csv.next_record()? {
            let r = csv.record()?;
            let held_out = match r.role {
                "fit" => false,
                "held-out" => true,
                other => {
                    return Err(csv
                        .garbled(&format!(
                            "role {other:?} is neither \"fit\" nor \"held-out\""
                        ))
                        .into());
                }
            };
            let observed = match r.observed {
                "+" => Observed::Sign { positive: true },
                "-" => Observed::Sign { positive: false },
                text => match text.parse::<f64>() {
                    Ok(value) if value.is_finite() => Observed::Value { value, sd: r.sd },
                    _ => {
                        return Err(csv
                            .garbled(&format!("observed {text:?} is neither a number nor a sign"))
                            .into());
                    }
                },
            };
            fit.push(FitRow {
                name: r.observation.to_string(),
                held_out,
                observed,
                prior_mean: r.prior_mean,
                posterior_mean: r.posterior_mean,
                prior_right_sign: r.prior_right_sign,
                posterior_right_sign: r.posterior_right_sign,
            });
        }
        let study = bare_study(sc, summary.runs_per_point, summary.seed, Vec::new());
        Ok(CalibrationData {
            study,
            summary,
            inputs,
            fit,
        })
    }

    /// The shared chart context, with a subtitle saying how the calibration was made.
    pub fn context(&self) -> Context<'_> {
        let mut ctx = Context::new(&self.study);
        let s = &self.summary;
        let what = format!(
            "{} · {} calibration of {} input{} on {} observation{} ({} held out)",
            s.scenario,
            s.method,
            s.inputs.len(),
            if s.inputs.len() == 1 { "" } else { "s" },
            s.observations_fitted,
            if s.observations_fitted == 1 { "" } else { "s" },
            s.observations_held_out
        );
        let runs = format!(
            "{} points × {} run{}",
            s.samples,
            s.runs_per_point,
            if s.runs_per_point == 1 { "" } else { "s" }
        );
        ctx.subtitle = subtitle(&ctx, &what, &runs);
        ctx
    }
}

/// `calibration.png`, `calibration_2.png`, ...: the file of page `k` (from 0) of a chart.
pub fn page_file(first: &str, k: usize) -> String {
    if k == 0 {
        first.to_string()
    } else {
        let stem = first.trim_end_matches(".png");
        format!("{stem}_{}.png", k + 1)
    }
}

fn page_title(question: &str, number: usize, of: usize) -> String {
    if of > 1 {
        format!("{question} ({number} of {of})")
    } else {
        question.to_string()
    }
}

/// Draws both charts of a calibration from its directory into `charts_dir`.
pub fn render(dir: &Path, charts_dir: &Path) -> Result<ChartsReport, ChartError> {
    let started = Instant::now();
    let data = CalibrationData::read(dir)?;
    write_charts(&data, charts_dir, started)
}

/// Draws the pages of a calibration already read, in parallel, and writes them.
pub fn write_charts(
    data: &CalibrationData,
    charts_dir: &Path,
    started: Instant,
) -> Result<ChartsReport, ChartError> {
    // Each chart draws on the canvas the one before it gave back.
    let _canvases = super::canvas::ReuseCanvases::begin();
    use rayon::prelude::*;
    super::canvas::register_fonts()?;
    let ctx = data.context();
    let input_pages = data.inputs.len().div_ceil(MAX_INPUTS).max(1);
    let fit_pages = data.fit.len().div_ceil(MAX_OBSERVATIONS).max(1);
    let mut pages: Vec<(String, bool, usize)> = Vec::new();
    for k in 0..input_pages {
        pages.push((page_file(CALIBRATION_FILE, k), true, k));
    }
    for k in 0..fit_pages {
        pages.push((page_file(FIT_FILE, k), false, k));
    }
    // Pages are independent; drawing them in parallel does not change a pixel.
    let drawn: Vec<Result<Drawn, ChartError>> = pages
        .par_iter()
        .map(|&(_, posterior, k)| {
            if posterior {
                draw_page("calibration chart", |c| {
                    paint_posterior(c, data, &ctx, k, input_pages)
                })
            } else {
                draw_page("fit chart", |c| paint_fit(c, data, &ctx, k, fit_pages))
            }
        })
        .collect();
    save(
        charts_dir,
        pages.into_iter().map(|p| p.0).zip(drawn).collect(),
        started,
    )
}

/// A value with up to three significant decimals, trailing zeros dropped, true minus sign.
fn number(x: f64) -> String {
    if !x.is_finite() {
        return "n/a".into();
    }
    let s = if x.abs() >= 100.0 {
        format!("{x:.0}")
    } else {
        let s = format!("{x:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    };
    if s == "-0" {
        "0".into()
    } else {
        s.replace('-', "−")
    }
}

fn percent(x: f64) -> String {
    if x.is_finite() {
        format!("{:.0}%", 100.0 * x)
    } else {
        "n/a".into()
    }
}

/// Writes the footnote under a chart, at most two lines.
fn footer(c: &Canvas, note: &str) -> Result<(), ChartError> {
    let y = MIN_HEIGHT as f64 - FOOTER_H + 12.0;
    for (k, line) in wrap_lines(note, MIN_WIDTH as f64 - 2.0 * MARGIN, &NOTE, 2)
        .iter()
        .enumerate()
    {
        c.text(
            line,
            (MARGIN, y + k as f64 * 20.0),
            &NOTE,
            Align::Start,
            Across::CapTop,
        )?;
    }
    Ok(())
}

/// The rows' area: below the header, above the footer, with room for labels and values.
fn rows_area(label_w: f64) -> Rect {
    let top = HEADER_H + 16.0;
    let left = MARGIN + label_w + 16.0;
    Rect::new(
        left,
        top,
        MIN_WIDTH as f64 - left - MARGIN - VALUE_W,
        MIN_HEIGHT as f64 - top - FOOTER_H - 8.0,
    )
}

fn label_width<'a>(names: impl Iterator<Item = &'a str>) -> f64 {
    names
        .map(|n| text_width(n, &ROW))
        .fold(80.0, f64::max)
        .min(MIN_WIDTH as f64 * 0.25)
}

/// The weights of a histogram of `points` in `bins` equal bins over `[lo, hi]`, each as a
/// share of the largest bin; values outside fall in the end bins.
fn histogram(points: &[(f64, f64)], lo: f64, hi: f64, bins: usize) -> Vec<f64> {
    let mut h = vec![0.0; bins];
    // An empty or reversed range (or NaN ends) has nowhere to put a point.
    if bins == 0 || hi.partial_cmp(&lo) != Some(std::cmp::Ordering::Greater) {
        return h;
    }
    for &(v, w) in points {
        if !(v.is_finite() && w.is_finite() && w > 0.0) {
            continue;
        }
        let k = (((v - lo) / (hi - lo)) * bins as f64).floor();
        let k = (k.max(0.0) as usize).min(bins - 1);
        h[k] += w;
    }
    let top = h.iter().copied().fold(0.0, f64::max);
    if top > 0.0 {
        for x in &mut h {
            *x /= top;
        }
    }
    h
}

/// One page of either chart: a fixed size, and no panels to report (rows, not plots).
fn draw_page(
    chart: &'static str,
    paint: impl FnOnce(&Canvas) -> Result<(), ChartError>,
) -> Result<Drawn, ChartError> {
    let (width, height) = (MIN_WIDTH, MIN_HEIGHT);
    let png = render_png(chart, width, height, paint)?;
    Ok(Drawn {
        png,
        width,
        height,
        panels: Vec::new(),
    })
}

fn paint_posterior(
    c: &Canvas,
    data: &CalibrationData,
    ctx: &Context,
    page: usize,
    pages: usize,
) -> Result<(), ChartError> {
    draw_header(
        c,
        ctx,
        MIN_WIDTH as f64,
        &page_title(
            "What the record says of each input: prior against posterior",
            page + 1,
            pages,
        ),
    )?;
    legend_row(
        c,
        MARGIN,
        EXPLAIN_Y,
        &[
            (Swatch::Block(PRIOR), "prior range".into()),
            (
                Swatch::Block(POSTERIOR),
                "posterior: weighted histogram of the kept points".into(),
            ),
            (
                Swatch::Line {
                    color: INK,
                    width: 3.0,
                    dash: super::canvas::Dash::Solid,
                },
                "posterior 90% interval".into(),
            ),
            (Swatch::Dot(INK), "posterior median".into()),
        ],
    )?;
    let label_w = label_width(data.inputs.iter().map(|i| i.name.as_str()));
    let area = rows_area(label_w);
    let row_h = (area.h / MAX_INPUTS as f64).floor();
    let shown = data.inputs.iter().skip(page * MAX_INPUTS).take(MAX_INPUTS);
    for (k, input) in shown.enumerate() {
        let row = Rect::new(area.x, area.y + k as f64 * row_h, area.w, row_h);
        posterior_row(c, input, row, label_w)?;
    }
    if data.inputs.is_empty() {
        c.text(
            "calibration.csv lists no inputs",
            (area.center_x(), area.y + area.h / 2.0),
            &NOTE,
            Align::Center,
            Across::Middle,
        )?;
    }
    let note = format!(
        "Each row is one input on its prior range. The histogram weighs the {} kept points of posterior.csv (worth {:.0} equally weighted points); \
         the interval and median are those of calibration.csv. A posterior as wide as its prior: the record says little of that input.",
        data.summary.keep, data.summary.effective_sample_size
    );
    footer(c, &note)
}

fn posterior_row(
    c: &Canvas,
    input: &InputPosterior,
    row: Rect,
    label_w: f64,
) -> Result<(), ChartError> {
    let (lo, hi) = (input.prior_low, input.prior_high);
    let (lo, hi) = if lo.is_finite() && hi.is_finite() && hi > lo {
        (lo, hi)
    } else {
        let v = if lo.is_finite() { lo } else { 0.0 };
        (v - 0.5, v + 0.5)
    };
    let name_y = row.y + row.h * 0.4;
    c.text(
        &ellipsize(&input.name, label_w, &ROW),
        (row.x - 16.0, name_y),
        &ROW,
        Align::End,
        Across::Middle,
    )?;
    let plot = Rect::new(row.x, row.y + 6.0, row.w, row.h - 34.0);
    let xs = Scale::new((lo, hi), (plot.x, plot.right()));
    // The prior: a light bar over the whole range, the axis of the row.
    c.fill_rect(plot, PRIOR)?;
    let clamp = |v: f64| v.clamp(lo, hi);
    let bins = histogram(&input.points, lo, hi, BINS);
    let bin_w = plot.w / BINS as f64;
    for (k, &share) in bins.iter().enumerate() {
        if share > 0.0 {
            let h = (plot.h - 4.0) * share;
            c.fill_rect(
                Rect::new(plot.x + k as f64 * bin_w, plot.bottom() - h, bin_w, h),
                POSTERIOR,
            )?;
        }
    }
    c.line(
        &[(plot.x, plot.bottom()), (plot.right(), plot.bottom())],
        RULE,
        1.0,
    )?;
    // The 90% interval and the median, just under the histogram.
    let y = plot.bottom() + 8.0;
    if input.low.is_finite() && input.high.is_finite() {
        let (a, z) = (xs.map(clamp(input.low)), xs.map(clamp(input.high)));
        c.line(&[(a, y), (z, y)], INK, 3.0)?;
    }
    if input.median.is_finite() {
        c.circle((xs.map(clamp(input.median)), y), 5.0, INK)?;
    }
    // The range's ends label the axis.
    for (v, align) in [(lo, Align::Start), (hi, Align::End)] {
        c.text(
            &number(v),
            (xs.map(v), plot.bottom() + 16.0),
            &TICK,
            align,
            Across::CapTop,
        )?;
    }
    c.text(
        &format!(
            "{}  [{}, {}]",
            number(input.median),
            number(input.low),
            number(input.high)
        ),
        (row.right() + 14.0, name_y),
        &ROW,
        Align::Start,
        Across::Middle,
    )
}

/// A diamond, the observation's mark.
fn diamond(c: &Canvas, (x, y): (f64, f64), r: f64, color: RGBAColor) -> Result<(), ChartError> {
    c.polygon(&[(x, y - r), (x + r, y), (x, y + r), (x - r, y)], color)
}

/// An open circle, the prior's mark: told from the posterior's filled one by shape alone.
fn ring(c: &Canvas, center: (f64, f64), r: f64) -> Result<(), ChartError> {
    c.circle(center, r, PRIOR_MARK)?;
    c.circle(center, r - 2.0, PLOT_BG)
}

fn paint_fit(
    c: &Canvas,
    data: &CalibrationData,
    ctx: &Context,
    page: usize,
    pages: usize,
) -> Result<(), ChartError> {
    draw_header(
        c,
        ctx,
        MIN_WIDTH as f64,
        &page_title(
            "How each observation fits: the model before and after calibration",
            page + 1,
            pages,
        ),
    )?;
    fit_legend(c)?;
    let label_w = label_width(data.fit.iter().map(|f| f.name.as_str()));
    let area = rows_area(label_w);
    let row_h = (area.h / MAX_OBSERVATIONS as f64).floor();
    let shown = data
        .fit
        .iter()
        .skip(page * MAX_OBSERVATIONS)
        .take(MAX_OBSERVATIONS);
    for (k, f) in shown.enumerate() {
        let row = Rect::new(area.x, area.y + k as f64 * row_h, area.w, row_h);
        fit_row(c, f, row, label_w)?;
    }
    if data.fit.is_empty() {
        c.text(
            "fit.csv lists no observations",
            (area.center_x(), area.y + area.h / 2.0),
            &NOTE,
            Align::Center,
            Across::Middle,
        )?;
    }
    footer(
        c,
        "Each row is one observation of fit.csv on its own axis. A value: the observed value and its sd against the mean over the runs under the prior and under the posterior. \
         A sign: the share of runs with the observed sign, under the prior and under the posterior, on 0–100%. Shaded rows were held out of the fit and test it.",
    )
}

/// The fit chart's key: the marks differ in shape, so it reads without colour.
fn fit_legend(c: &Canvas) -> Result<(), ChartError> {
    let y = EXPLAIN_Y;
    let mut x = MARGIN + 8.0;
    let items: [(u8, &str); 4] = [
        (0, "observed value (line: ±1 sd), or observed sign at 100%"),
        (
            1,
            "prior predictive: mean, or share of runs with the right sign",
        ),
        (2, "posterior predictive"),
        (3, "held out of the fit"),
    ];
    for (mark, text) in items {
        match mark {
            0 => diamond(c, (x, y), 7.0, OBSERVED)?,
            1 => ring(c, (x, y), 6.0)?,
            2 => c.circle((x, y), 5.0, POSTERIOR)?,
            _ => c.fill_rect(Rect::new(x - 8.0, y - 7.0, 24.0, 14.0), HELD_OUT_BG)?,
        }
        let start = if mark == 3 { x + 24.0 } else { x + 14.0 };
        c.text(text, (start, y), &NOTE, Align::Start, Across::Middle)?;
        x = start + text_width(text, &NOTE) + 32.0;
    }
    Ok(())
}

fn fit_row(c: &Canvas, f: &FitRow, row: Rect, label_w: f64) -> Result<(), ChartError> {
    let mid = row.y + row.h / 2.0;
    c.text(
        &ellipsize(&f.name, label_w, &ROW),
        (row.x - 16.0, mid),
        &ROW,
        Align::End,
        Across::Middle,
    )?;
    let bg = if f.held_out { HELD_OUT_BG } else { PLOT_BG };
    let plot = Rect::new(row.x, row.y + 2.0, row.w, row.h - 4.0);
    c.fill_rect(plot, bg)?;
    let inner = (plot.x + 72.0, plot.right() - 72.0);
    let (xs, prior, posterior, text) = match f.observed {
        Observed::Value { value, sd } => {
            let spread = if sd.is_finite() { sd } else { 0.0 };
            let vals = [
                value - spread,
                value + spread,
                f.prior_mean,
                f.posterior_mean,
            ];
            let (mut lo, mut hi) = vals
                .iter()
                .filter(|v| v.is_finite())
                .fold((value, value), |(a, b), &v| (a.min(v), b.max(v)));
            if hi - lo < 1e-9 {
                lo -= 0.5;
                hi += 0.5;
            }
            let pad = 0.05 * (hi - lo);
            let xs = Scale::new((lo - pad, hi + pad), inner);
            if sd.is_finite() && sd > 0.0 {
                c.line(
                    &[(xs.map(value - sd), mid), (xs.map(value + sd), mid)],
                    OBSERVED,
                    2.0,
                )?;
            }
            c.text(
                &number(lo - pad),
                (plot.x + 54.0, mid),
                &TICK,
                Align::End,
                Across::Middle,
            )?;
            c.text(
                &number(hi + pad),
                (plot.right() - 54.0, mid),
                &TICK,
                Align::Start,
                Across::Middle,
            )?;
            diamond(c, (xs.map(value), mid), 9.0, OBSERVED)?;
            let text = format!(
                "{}: prior {} → posterior {}",
                number(value),
                number(f.prior_mean),
                number(f.posterior_mean)
            );
            (xs, f.prior_mean, f.posterior_mean, text)
        }
        Observed::Sign { positive } => {
            let xs = Scale::new((0.0, 1.0), inner);
            for v in [0.0, 0.5, 1.0] {
                let x = xs.map(v);
                c.line(&[(x, plot.y + 3.0), (x, plot.bottom() - 3.0)], GRID, 1.0)?;
            }
            c.text(
                "0%",
                (plot.x + 54.0, mid),
                &TICK,
                Align::End,
                Across::Middle,
            )?;
            c.text(
                "100%",
                (plot.right() - 54.0, mid),
                &TICK,
                Align::Start,
                Across::Middle,
            )?;
            diamond(c, (xs.map(1.0), mid), 9.0, OBSERVED)?;
            let text = format!(
                "sign {}: right in {} → {}",
                if positive { "+" } else { "−" },
                percent(f.prior_right_sign),
                percent(f.posterior_right_sign)
            );
            (xs, f.prior_right_sign, f.posterior_right_sign, text)
        }
    };
    if prior.is_finite() {
        ring(c, (xs.map(prior), mid), 6.0)?;
    }
    if posterior.is_finite() {
        c.circle((xs.map(posterior), mid), 5.0, POSTERIOR)?;
    }
    let text = if f.held_out {
        format!("held out · {text}")
    } else {
        text
    };
    c.text(
        &ellipsize(&text, VALUE_W - 14.0, &NOTE),
        (row.right() + 14.0, mid),
        &NOTE,
        Align::Start,
        Across::Middle,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_numbered_from_the_second() {
        assert_eq!(page_file(CALIBRATION_FILE, 0), "calibration.png");
        assert_eq!(page_file(FIT_FILE, 2), "fit_3.png");
    }

    #[test]
    fn histograms_weigh_points_and_scale_to_the_tallest_bin() {
        let h = histogram(
            &[(0.1, 1.0), (0.9, 3.0), (2.0, 1.0), (f64::NAN, 1.0)],
            0.0,
            1.0,
            2,
        );
        assert_eq!(h, vec![0.25, 1.0]);
        assert_eq!(histogram(&[(0.5, 1.0)], 1.0, 1.0, 3), vec![0.0; 3]);
        assert_eq!(number(-0.0001), "0");
        assert_eq!(number(0.25), "0.25");
    }
}
