//! `seeds.png`: do studies under different master seeds agree as closely as a single study
//! claims they should?
//!
//! One row per figure (outcome probabilities, then each actor's final median). Every row
//! is drawn on the same axis, the difference from the mean over seeds measured in the
//! standard errors a single study claims, so the band of ±1.96 claimed errors has the same
//! width in every row and the reader only has to see whether the seeds' points stay inside
//! it. The figures themselves, in their own units, stand at the right.
//!
//! Drawn only from the files of an `influence seeds` directory (seeds.csv,
//! seeds_summary.csv and summary.json), so `influence chart` redraws the same bytes.

use std::collections::HashMap;
use std::fs;
use std::path::Path;
use std::time::Instant;

use plotters::style::RGBAColor;

use super::canvas::{Across, Align, Canvas, register_fonts, render_png};
use super::error::ChartError;
use super::frame::{
    EXPLAIN_Y, LABEL, LABEL_BOLD, MARGIN, MIN_HEIGHT, MIN_WIDTH, NOTE, SUBTITLE, Swatch, TICK,
    TITLE, legend_row,
};
use super::layout::{Rect, Scale, ellipsize};
use super::palette::{GRID, INK, MUTED, PLOT_BG, RULE, actor_style, hex, rgba, with_alpha};
use super::{ChartFile, ChartsReport, PanelBox};
use crate::analysis::seeds::{CONSISTENT_RATIO, SeedSpread, Verdict, chance_of_ratio_above};
use crate::analysis::stats::Z95;
use crate::output::schema::seeds::{SPREADS_FILE, SeedSpreads, SeedValues, VALUES_FILE};
use crate::output::schema::{SeedsSummary, TableReader};

pub const FILE: &str = "seeds.png";

/// Half the axis, in claimed standard errors. A point further out is drawn at the edge
/// with an arrow: its exact value is in the files, and the row is already wider than claimed.
const X_MAX: f64 = 6.0;
const TEXT_W: f64 = 330.0;
const PLOT_W: f64 = 600.0;
const HEADING_H: f64 = 46.0;
const TICKS_H: f64 = 30.0;
const GROUP_GAP: f64 = 18.0;
const MIN_ROW_H: f64 = 34.0;
const MAX_ROW_H: f64 = 90.0;
const TOP: f64 = 160.0;
const BOTTOM: f64 = 78.0;
const DOT_R: f64 = 5.5;
/// The claimed-error band: the neutral blue of the outcome bars, as it is no actor's.
const BAND: RGBAColor = hex(0x5B8DB8);
const CONSISTENT: RGBAColor = hex(0x009E73);
const WIDER: RGBAColor = hex(0xD55E00);

/// Everything the chart shows, read from one directory.
#[derive(Debug, Clone)]
pub struct SeedsData {
    pub scenario: String,
    pub runs: u64,
    pub seeds: Vec<u64>,
    /// In the order of seeds_summary.csv: outcomes, then final medians.
    pub figures: Vec<SeedSpread>,
}

impl SeedsData {
    pub fn read(dir: &Path) -> Result<SeedsData, ChartError> {
        let summary = SeedsSummary::read(dir)?;
        let mut figures = read_spreads(&dir.join(SPREADS_FILE))?;
        read_values(&dir.join(VALUES_FILE), &summary.seeds, &mut figures)?;
        Ok(SeedsData {
            scenario: summary.scenario,
            runs: summary.runs,
            seeds: summary.seeds,
            figures,
        })
    }
}

fn read_spreads(path: &Path) -> Result<Vec<SeedSpread>, ChartError> {
    let mut csv = TableReader::<SeedSpreads>::open(path)?;
    let mut out = Vec::new();
    while csv.next_record()? {
        let r = csv.record()?;
        out.push(SeedSpread {
            figure: r.figure,
            name: r.name.to_string(),
            values: Vec::new(),
            mean: r.mean,
            sd_between: r.sd_between,
            claimed_se: r.claimed_se,
        });
    }
    Ok(out)
}

/// Fills each figure's values, one per seed in the order of summary.json, and checks that
/// none is missing or repeated.
fn read_values(path: &Path, seeds: &[u64], figures: &mut [SeedSpread]) -> Result<(), ChartError> {
    let index: HashMap<(&str, String), usize> = figures
        .iter()
        .enumerate()
        .map(|(k, s)| ((s.figure, s.name.clone()), k))
        .collect();
    let seed_index: HashMap<u64, usize> = seeds.iter().enumerate().map(|(k, &s)| (s, k)).collect();
    let mut values = vec![f64::NAN; figures.len() * seeds.len()];
    let mut seen = vec![false; values.len()];
    let mut csv = TableReader::<SeedValues>::open(path)?;
    while csv.next_record()? {
        let r = csv.record()?;
        let Some(&k) = index.get(&(r.figure, r.name.to_string())) else {
            let message = format!("{} {:?} is not in {SPREADS_FILE}", r.figure, r.name);
            return Err(csv.garbled(&message).into());
        };
        let Some(&s) = seed_index.get(&r.seed) else {
            let message = format!("seed {} is not in summary.json", r.seed);
            return Err(csv.garbled(&message).into());
        };
        let cell = k * seeds.len() + s;
        if seen[cell] {
            return Err(csv.garbled("a second row for this figure and seed").into());
        }
        seen[cell] = true;
        values[cell] = r.value;
    }
    if let Some(cell) = seen.iter().position(|s| !s) {
        let fig = &figures[cell / seeds.len()];
        return Err(ChartError::Inconsistent {
            path: path.to_path_buf(),
            message: format!(
                "no row for {} {:?} under seed {}",
                fig.figure,
                fig.name,
                seeds[cell % seeds.len()]
            ),
        });
    }
    for (k, fig) in figures.iter_mut().enumerate() {
        fig.values = values[k * seeds.len()..(k + 1) * seeds.len()].to_vec();
    }
    Ok(())
}

/// Draws `seeds.png` from the files in `dir` into `charts_dir` (created if needed).
pub fn render(dir: &Path, charts_dir: &Path) -> Result<ChartsReport, ChartError> {
    let started = Instant::now();
    let data = SeedsData::read(dir)?;
    write_chart(&data, charts_dir, started)
}

/// Draws the chart of a seeds study already read and writes it into `charts_dir`.
pub fn write_chart(
    data: &SeedsData,
    charts_dir: &Path,
    started: Instant,
) -> Result<ChartsReport, ChartError> {
    // Each chart draws on the canvas the one before it gave back.
    let _canvases = super::canvas::ReuseCanvases::begin();
    register_fonts()?;
    fs::create_dir_all(charts_dir).map_err(|source| ChartError::Write {
        path: charts_dir.to_path_buf(),
        source,
    })?;
    let l = layout(data);
    let png = render_png(FILE, l.width, l.height, |c| paint(c, data, &l))?;
    let path = charts_dir.join(FILE);
    fs::write(&path, &png).map_err(|source| ChartError::Write { path, source })?;
    Ok(ChartsReport {
        dir: charts_dir.to_path_buf(),
        charts: vec![ChartFile {
            name: FILE.to_string(),
            width: l.width,
            height: l.height,
            panels: l
                .groups
                .iter()
                .map(|g| PanelBox::new(g.title, g.plot))
                .collect(),
        }],
        elapsed_s: started.elapsed().as_secs_f64(),
    })
}

struct Group {
    title: &'static str,
    /// Indices into `SeedsData::figures`.
    rows: Vec<usize>,
    heading_y: f64,
    /// The plot strip of all rows; row k lies at `plot.y + k * row_h`.
    plot: Rect,
    /// Outcomes are shares, medians alignments: each is printed in its own way.
    signed: bool,
}

struct Layout {
    width: u32,
    height: u32,
    row_h: f64,
    groups: Vec<Group>,
    /// Left edges of the figure columns at the right.
    cols: [f64; 5],
    caption_y: f64,
}

fn layout(data: &SeedsData) -> Layout {
    let pick = |kind: &str| -> Vec<usize> {
        (0..data.figures.len())
            .filter(|&k| data.figures[k].figure == kind)
            .collect()
    };
    let mut groups: Vec<(&'static str, Vec<usize>, bool)> = vec![
        ("Outcome probabilities", pick("outcome"), false),
        ("Final median alignment", pick("final_median"), true),
    ];
    groups.retain(|g| !g.1.is_empty());
    let rows: usize = groups.iter().map(|g| g.1.len()).sum();
    let fixed = TOP + BOTTOM + groups.len() as f64 * (HEADING_H + TICKS_H + GROUP_GAP);
    let row_h = ((MIN_HEIGHT as f64 - fixed) / rows.max(1) as f64)
        .clamp(MIN_ROW_H, MAX_ROW_H)
        .floor();
    let x = MARGIN + TEXT_W + 24.0;
    let mut y = TOP;
    let groups: Vec<Group> = groups
        .into_iter()
        .map(|(title, rows, signed)| {
            let plot = Rect::new(x, y + HEADING_H, PLOT_W, rows.len() as f64 * row_h);
            let g = Group {
                title,
                heading_y: y,
                plot,
                rows,
                signed,
            };
            y = plot.bottom() + TICKS_H + GROUP_GAP;
            g
        })
        .collect();
    let right = x + PLOT_W + 34.0;
    let cols = [
        right,
        right + 96.0,
        right + 196.0,
        right + 300.0,
        right + 372.0,
    ];
    Layout {
        width: MIN_WIDTH,
        height: ((y + BOTTOM - GROUP_GAP).ceil() as u32).max(MIN_HEIGHT),
        row_h,
        groups,
        cols,
        caption_y: y - GROUP_GAP + 8.0,
    }
}

/// The colour of the k-th seed: the actors' palette, as seeds are categories too.
fn seed_color(k: usize) -> RGBAColor {
    rgba(actor_style(k % 8).color, 0.9)
}

fn verdict_color(v: Verdict) -> RGBAColor {
    match v {
        Verdict::NoSpread => MUTED,
        Verdict::Consistent => CONSISTENT,
        Verdict::WiderThanClaimed => WIDER,
    }
}

fn seeds_text(seeds: &[u64]) -> String {
    let list: Vec<String> = seeds.iter().map(u64::to_string).collect();
    if list.len() <= 8 {
        list.join(", ")
    } else {
        format!("{}, {}, …, {}", list[0], list[1], list[list.len() - 1])
    }
}

/// How to read the ratio, with the chance of a ratio above the limit for this many seeds: the
/// limit means less with two seeds than with five, and the note must say which.
fn ratio_note(seeds: usize) -> String {
    let chance = chance_of_ratio_above(CONSISTENT_RATIO, seeds);
    let chance = if chance.is_nan() {
        return format!(
            "ratio = sd between seeds / claimed SE; consistent when at most {CONSISTENT_RATIO}"
        );
    } else if chance < 0.001 {
        "under 0.1%".to_string()
    } else {
        format!("{:.1}%", 100.0 * chance)
    };
    format!(
        "ratio = sd between seeds / claimed SE; consistent when at most {CONSISTENT_RATIO} \
         (above it by chance for {chance} of figures with {seeds} seeds if the claimed SE is right)"
    )
}

fn paint(c: &Canvas, data: &SeedsData, l: &Layout) -> Result<(), ChartError> {
    let w = l.width as f64 - 2.0 * MARGIN;
    c.text(
        &ellipsize("Do studies under different seeds agree?", w, &TITLE),
        (MARGIN, 30.0),
        &TITLE,
        Align::Start,
        Across::CapTop,
    )?;
    let k = data.seeds.len();
    let subtitle = format!(
        "{} · {k} studies of {} run{} each · seeds {}",
        data.scenario,
        data.runs,
        if data.runs == 1 { "" } else { "s" },
        seeds_text(&data.seeds)
    );
    c.text(
        &ellipsize(&subtitle, w, &SUBTITLE),
        (MARGIN, 72.0),
        &SUBTITLE,
        Align::Start,
        Across::CapTop,
    )?;
    legend_row(
        c,
        MARGIN,
        EXPLAIN_Y,
        &[
            (
                Swatch::Dot(hex(0x555555)),
                "the figure in the study under one seed".into(),
            ),
            (
                Swatch::Block(with_alpha(BAND, 0.25)),
                "±1.96 standard errors as a single study claims them, around the mean over seeds: \
                 95% of studies should fall inside"
                    .into(),
            ),
        ],
    )?;
    let mut key: Vec<(Swatch, String)> = data
        .seeds
        .iter()
        .take(8)
        .enumerate()
        .map(|(j, s)| (Swatch::Dot(seed_color(j)), format!("seed {s}")))
        .collect();
    if k > 8 {
        key.push((Swatch::Text, "(colours repeat from the ninth seed)".into()));
    }
    legend_row(c, MARGIN, EXPLAIN_Y + 26.0, &key)?;

    for g in &l.groups {
        paint_group(c, data, l, g)?;
    }
    let caption_x = l.groups.first().map_or(MARGIN, |g| g.plot.center_x());
    c.text(
        "difference from the mean over seeds, in claimed standard errors",
        (caption_x, l.caption_y),
        &NOTE,
        Align::Center,
        Across::CapTop,
    )?;
    c.text(
        &ratio_note(k),
        (MARGIN, l.caption_y + 26.0),
        &NOTE,
        Align::Start,
        Across::CapTop,
    )
}

fn paint_group(c: &Canvas, data: &SeedsData, l: &Layout, g: &Group) -> Result<(), ChartError> {
    let plot = g.plot;
    let xs = Scale::new((-X_MAX, X_MAX), (plot.x, plot.right()));
    let head = g.heading_y + HEADING_H / 2.0 + 4.0;
    c.text(
        g.title,
        (MARGIN, head),
        &LABEL_BOLD.with_color(INK),
        Align::Start,
        Across::Middle,
    )?;
    let headers = ["mean", "claimed ±95%", "sd between", "ratio", "verdict"];
    for (x, h) in l.cols.iter().zip(headers) {
        c.text(h, (*x, head), &NOTE, Align::Start, Across::Middle)?;
    }
    c.fill_rect(plot, PLOT_BG)?;
    let band = Rect::new(xs.map(-Z95), plot.y, xs.map(Z95) - xs.map(-Z95), plot.h);
    c.fill_rect(band, with_alpha(BAND, 0.25))?;
    for t in [-6.0, -4.0, -2.0, 2.0, 4.0, 6.0] {
        let x = xs.map(t);
        c.line(&[(x, plot.y), (x, plot.bottom())], GRID, 1.0)?;
    }
    c.line(
        &[(xs.map(0.0), plot.y), (xs.map(0.0), plot.bottom())],
        RULE,
        1.5,
    )?;
    for t in [-6.0, -4.0, -2.0, 0.0, 2.0, 4.0, 6.0] {
        let label = match t {
            0.0 => "0".to_string(),
            t if t < 0.0 => format!("−{}", -t),
            t => format!("+{t}"),
        };
        let x = xs.map(t);
        c.line(&[(x, plot.bottom()), (x, plot.bottom() + 5.0)], RULE, 1.0)?;
        c.text(
            &label,
            (x, plot.bottom() + 10.0),
            &TICK,
            Align::Center,
            Across::CapTop,
        )?;
    }
    let k = data.seeds.len();
    for (r, &fi) in g.rows.iter().enumerate() {
        let fig = &data.figures[fi];
        let row = Rect::new(plot.x, plot.y + r as f64 * l.row_h, plot.w, l.row_h);
        let mid = row.y + row.h / 2.0;
        if r > 0 {
            c.line(
                &[(MARGIN, row.y), (l.width as f64 - MARGIN, row.y)],
                hex(0xEBEBEB),
                1.0,
            )?;
        }
        let name = ellipsize(&fig.name, TEXT_W, &LABEL);
        c.text(
            &name,
            (MARGIN + TEXT_W, mid),
            &LABEL,
            Align::End,
            Across::Middle,
        )?;
        // Seeds are spread a little across the row so that equal values stay visible.
        let dy = ((row.h - 2.0 * DOT_R - 8.0) / k.max(1) as f64).min(5.0);
        for (j, &v) in fig.values.iter().enumerate() {
            let y = mid + (j as f64 - (k as f64 - 1.0) / 2.0) * dy;
            let z = standardized(v, fig);
            let x = xs.map(z.clamp(-X_MAX, X_MAX));
            if z.abs() > X_MAX {
                let s = z.signum();
                let tip = x + s * (DOT_R + 9.0);
                c.polygon(
                    &[(tip, y), (tip - s * 7.0, y - 5.0), (tip - s * 7.0, y + 5.0)],
                    seed_color(j),
                )?;
            }
            if z.is_finite() {
                c.circle((x, y), DOT_R, seed_color(j))?;
            }
        }
        paint_figures(c, l, g, fig, mid)?;
    }
    c.stroke_rect(plot, with_alpha(RULE, 0.6), 1.0)?;
    Ok(())
}

/// A value's distance from the mean over seeds in claimed standard errors. With no claimed
/// error, a value equal to the mean sits at 0 and any other lies beyond the axis.
fn standardized(v: f64, fig: &SeedSpread) -> f64 {
    let d = v - fig.mean;
    if fig.claimed_se > 0.0 {
        d / fig.claimed_se
    } else if d.abs() < 5e-7 {
        0.0
    } else {
        d.signum() * f64::INFINITY
    }
}

fn paint_figures(
    c: &Canvas,
    l: &Layout,
    g: &Group,
    fig: &SeedSpread,
    mid: f64,
) -> Result<(), ChartError> {
    let mean = if g.signed {
        let s = format!("{:+.3}", fig.mean);
        s.replace('-', "−")
    } else {
        format!("{:.3}", fig.mean)
    };
    let ratio = fig.ratio();
    let texts = [
        mean,
        format!("±{:.4}", Z95 * fig.claimed_se),
        format!("{:.4}", fig.sd_between),
        if ratio.is_finite() {
            format!("{ratio:.2}")
        } else {
            "–".to_string()
        },
    ];
    for (x, t) in l.cols.iter().zip(&texts) {
        c.text(t, (*x, mid), &LABEL, Align::Start, Across::Middle)?;
    }
    let verdict = fig.verdict();
    let font = LABEL_BOLD.with_color(verdict_color(verdict));
    let room = l.width as f64 - MARGIN - l.cols[4];
    let text = ellipsize(verdict.as_str(), room, &font);
    c.text(&text, (l.cols[4], mid), &font, Align::Start, Across::Middle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ratio_note_states_the_number_of_seeds_and_its_chance() {
        let note = |k| ratio_note(k);
        assert!(
            note(2).contains("4.6% of figures with 2 seeds"),
            "{}",
            note(2)
        );
        assert!(
            note(3).contains("1.8% of figures with 3 seeds"),
            "{}",
            note(3)
        );
        assert!(
            note(5).contains("0.3% of figures with 5 seeds"),
            "{}",
            note(5)
        );
        assert!(
            note(12).contains("under 0.1% of figures with 12 seeds"),
            "{}",
            note(12)
        );
    }
}
