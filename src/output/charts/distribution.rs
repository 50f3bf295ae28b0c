//! `final_distribution.png`: where each actor ends up across runs, as a violin per actor.
//!
//! The shape is a kernel density of the final alignments in final.csv, so that a split into
//! two camps or a long tail shows as such; the box and whiskers are the quantiles of
//! alignment.csv at the last step (the figures the tables report), and a triangle marks
//! where the actor started. Each shape is scaled to its own peak: a stubborn actor's narrow
//! spike stays visible next to a contested actor's wide spread.

use super::canvas::{Across, Align, Canvas, Dash, render_png, text_width};
use super::error::ChartError;
use super::frame::{
    Context, EXPLAIN_Y, HEADER_H, LABEL_BOLD, MARGIN, MIN_HEIGHT, MIN_WIDTH, NOTE, Swatch, TICK,
    draw_header, legend_row, signed,
};
use super::input::FINAL_BINS;
use super::layout::{Rect, Scale, ellipsize};
use super::palette::{GRID, INK, MUTED, PLOT_BG, RULE, WHITE, actor_style, hex, rgba};
use super::{Drawn, PanelBox};

pub const FILE: &str = "final_distribution.png";

const NAME_MAX_W: f64 = 220.0;
const MIN_ROW_H: f64 = 44.0;
const MAX_ROW_H: f64 = 96.0;
/// The narrowest kernel, in alignment units: a distribution a few thousandths wide would
/// otherwise be a hairline.
const MIN_BANDWIDTH: f64 = 0.006;

struct Layout {
    width: u32,
    height: u32,
    plot: Rect,
    row_h: f64,
    name_w: f64,
}

fn layout(ctx: &Context) -> Layout {
    let n = ctx.data.n();
    let name_w = (0..n)
        .map(|i| text_width(ctx.actor_name(i), &LABEL_BOLD))
        .fold(0.0, f64::max)
        .min(NAME_MAX_W);
    let note_w = text_width("median −0.00 · start −0.00", &NOTE) + 24.0;
    let top = HEADER_H + 10.0;
    let below = 34.0 + 30.0 + 24.0;
    let row_h = ((MIN_HEIGHT as f64 - top - below) / n.max(1) as f64)
        .clamp(MIN_ROW_H, MAX_ROW_H)
        .floor();
    let plot_h = row_h * n as f64;
    let x = MARGIN + name_w + 20.0;
    let plot = Rect::new(x, top, MIN_WIDTH as f64 - MARGIN - note_w - x, plot_h);
    Layout {
        width: MIN_WIDTH,
        height: ((top + plot_h + below).ceil() as u32).max(MIN_HEIGHT),
        plot,
        row_h,
        name_w,
    }
}

pub fn draw(ctx: &Context) -> Result<Drawn, ChartError> {
    let l = layout(ctx);
    let png = render_png(FILE, l.width, l.height, |c| paint(c, ctx, &l))?;
    Ok(Drawn {
        png,
        width: l.width,
        height: l.height,
        panels: vec![PanelBox::new("all actors", l.plot)],
    })
}

/// A Gaussian kernel density over the bins, with Silverman's bandwidth (at least
/// [`MIN_BANDWIDTH`]); values per bin, unnormalised.
pub fn density(counts: &[u64]) -> Vec<f64> {
    let width = 2.0 / counts.len() as f64;
    let centre = |k: usize| -1.0 + (k as f64 + 0.5) * width;
    let total: u64 = counts.iter().sum();
    if total == 0 {
        return vec![0.0; counts.len()];
    }
    let n = total as f64;
    let mean = counts
        .iter()
        .enumerate()
        .map(|(k, &c)| c as f64 * centre(k))
        .sum::<f64>()
        / n;
    let var = counts
        .iter()
        .enumerate()
        .map(|(k, &c)| c as f64 * (centre(k) - mean).powi(2))
        .sum::<f64>()
        / n;
    let quantile = |q: f64| {
        let target = (q * n).ceil().max(1.0) as u64;
        let mut seen = 0;
        for (k, &c) in counts.iter().enumerate() {
            seen += c;
            if seen >= target {
                return centre(k);
            }
        }
        1.0
    };
    let iqr = quantile(0.75) - quantile(0.25);
    let spread = if iqr > 0.0 {
        var.sqrt().min(iqr / 1.34)
    } else {
        var.sqrt()
    };
    let h = (0.9 * spread * n.powf(-0.2)).max(MIN_BANDWIDTH);
    let hb = h / width;
    let reach = (4.0 * hb).ceil() as isize;
    let kernel: Vec<f64> = (-reach..=reach)
        .map(|d| (-0.5 * (d as f64 / hb).powi(2)).exp())
        .collect();
    let mut out = vec![0.0; counts.len()];
    for (k, &c) in counts.iter().enumerate() {
        if c == 0 {
            continue;
        }
        for (d, w) in (-reach..=reach).zip(&kernel) {
            let j = k as isize + d;
            if j >= 0 && (j as usize) < out.len() {
                out[j as usize] += c as f64 * w;
            }
        }
    }
    out
}

fn paint(c: &Canvas, ctx: &Context, l: &Layout) -> Result<(), ChartError> {
    let data = ctx.data;
    let (n, steps) = (data.n(), data.steps());
    let end = ctx.time.step_name(steps);
    draw_header(
        c,
        ctx,
        l.width as f64,
        &format!("Final alignment across runs, {end}"),
    )?;
    legend_row(
        c,
        MARGIN,
        EXPLAIN_Y,
        &[
            (
                Swatch::Block(hex(0xBBBBBB)),
                "share of runs (each shape scaled to its own peak)".into(),
            ),
            (
                Swatch::Line {
                    color: INK,
                    width: 5.0,
                    dash: Dash::Solid,
                },
                "middle 50%".into(),
            ),
            (
                Swatch::Line {
                    color: INK,
                    width: 1.5,
                    dash: Dash::Solid,
                },
                "middle 90%".into(),
            ),
            (Swatch::Dot(INK), "median".into()),
            (Swatch::Text, "▼ start (step 0)".into()),
        ],
    )?;
    let plot = l.plot;
    let xs = Scale::new((-1.0, 1.0), (plot.x + 8.0, plot.right() - 8.0));
    for v in [-1.0, -0.5, 0.0, 0.5, 1.0] {
        let x = xs.map(v);
        let color = if v == 0.0 { hex(0xBDBDBD) } else { GRID };
        c.line(&[(x, plot.y), (x, plot.bottom())], color, 1.0)?;
        let label = match v {
            -1.0 => "−1",
            -0.5 => "−0.5",
            0.0 => "0",
            0.5 => "+0.5",
            _ => "+1",
        };
        c.text(
            label,
            (x, plot.bottom() + 10.0),
            &TICK,
            Align::Center,
            Across::CapTop,
        )?;
    }
    c.line(
        &[(plot.x, plot.bottom()), (plot.right(), plot.bottom())],
        RULE,
        1.0,
    )?;
    let axis = &data.scenario.axis;
    let pole_y = plot.bottom() + 34.0;
    let pole = NOTE.bold();
    c.text(
        &format!("← {}", axis.negative),
        (xs.map(-1.0), pole_y),
        &pole,
        Align::Start,
        Across::CapTop,
    )?;
    c.text(
        &format!("{} →", axis.positive),
        (xs.map(1.0), pole_y),
        &pole,
        Align::End,
        Across::CapTop,
    )?;

    for i in 0..n {
        let row = Rect::new(plot.x, plot.y + i as f64 * l.row_h, plot.w, l.row_h);
        let mid = row.y + row.h / 2.0;
        if i % 2 == 1 {
            c.fill_rect(row, PLOT_BG)?;
        }
        let style = actor_style(i);
        let color = style.color;
        let name = ellipsize(ctx.actor_name(i), l.name_w, &LABEL_BOLD);
        c.text(
            &name,
            (plot.x - 14.0, mid),
            &LABEL_BOLD,
            Align::End,
            Across::Middle,
        )?;
        let b = data.band(steps, i);
        let start = data.scenario.actors[i].alignment;
        c.text(
            &format!("median {} · start {}", signed(b.p50), signed(start)),
            (plot.right() + 14.0, mid),
            &NOTE,
            Align::Start,
            Across::Middle,
        )?;

        let dens = density(data.final_counts(i));
        let peak = dens.iter().cloned().fold(0.0, f64::max);
        if peak > 0.0 {
            let half = row.h * 0.42;
            let bin_w = 2.0 / FINAL_BINS as f64;
            let keep: Vec<usize> = (0..FINAL_BINS)
                .filter(|&k| dens[k] > peak * 0.002)
                .collect();
            if let (Some(&lo), Some(&hi)) = (keep.first(), keep.last()) {
                let x_of = |k: usize| xs.map(-1.0 + (k as f64 + 0.5) * bin_w);
                let mut pts: Vec<(f64, f64)> = (lo..=hi)
                    .map(|k| (x_of(k), mid - dens[k] / peak * half))
                    .collect();
                pts.extend(
                    (lo..=hi)
                        .rev()
                        .map(|k| (x_of(k), mid + dens[k] / peak * half)),
                );
                c.polygon(&pts, rgba(color, 0.45))?;
                let mut outline = pts.clone();
                outline.push(pts[0]);
                c.line(&outline, rgba(color, 1.0), 1.0)?;
            }
        }
        c.line(&[(xs.map(b.p05), mid), (xs.map(b.p95), mid)], INK, 1.5)?;
        c.line(&[(xs.map(b.p25), mid), (xs.map(b.p75), mid)], INK, 5.0)?;
        c.circle((xs.map(b.p50), mid), 5.0, INK)?;
        c.circle((xs.map(b.p50), mid), 3.0, WHITE)?;
        let sx = xs.map(start);
        let ty = row.y + 4.0;
        c.polygon(&[(sx - 6.0, ty), (sx + 6.0, ty), (sx, ty + 9.0)], MUTED)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn density_peaks_where_the_runs_are() {
        let mut counts = vec![0u64; FINAL_BINS];
        counts[600] = 50;
        counts[601] = 50;
        let d = density(&counts);
        let peak = (0..FINAL_BINS)
            .max_by(|&a, &b| d[a].total_cmp(&d[b]))
            .unwrap();
        assert!((600..=601).contains(&peak));
        assert_eq!(d[100], 0.0);
        assert!(density(&vec![0; FINAL_BINS]).iter().all(|&x| x == 0.0));
    }
}
