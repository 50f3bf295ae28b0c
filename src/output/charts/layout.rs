//! Geometry shared by the charts: rectangles, linear scales, labels that must not overlap,
//! and text that must fit a width.

use super::canvas::{Font, text_width};

/// An axis-aligned rectangle in logical pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    pub const fn new(x: f64, y: f64, w: f64, h: f64) -> Rect {
        Rect { x, y, w, h }
    }

    pub fn right(&self) -> f64 {
        self.x + self.w
    }

    pub fn bottom(&self) -> f64 {
        self.y + self.h
    }

    pub fn center_x(&self) -> f64 {
        self.x + self.w / 2.0
    }
}

/// A linear map from data values to pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scale {
    pub d0: f64,
    pub d1: f64,
    pub p0: f64,
    pub p1: f64,
}

impl Scale {
    pub fn new(domain: (f64, f64), pixels: (f64, f64)) -> Scale {
        Scale {
            d0: domain.0,
            d1: domain.1,
            p0: pixels.0,
            p1: pixels.1,
        }
    }

    pub fn map(&self, v: f64) -> f64 {
        if self.d1 == self.d0 {
            return (self.p0 + self.p1) / 2.0;
        }
        self.p0 + (v - self.d0) / (self.d1 - self.d0) * (self.p1 - self.p0)
    }
}

/// Columns of a grid of small multiples: close to the page's 16:10 shape, with panels
/// wider than tall so that time runs along enough pixels.
pub fn grid_columns(n: usize) -> usize {
    match n {
        0..=1 => 1,
        2 | 4 => 2,
        3 | 5..=9 => 3,
        10..=16 => 4,
        17..=25 => 5,
        _ => 6,
    }
}

/// Positions for labels that want to sit at `targets` (pixels along one axis) but need
/// `gap` pixels each, within `[lo, hi]`. Labels keep their order; overlapping ones are
/// gathered into blocks centred on their targets, which keeps each label as near its own
/// point as the others allow. Returns positions in the order of `targets`.
pub fn spread(targets: &[f64], gap: f64, lo: f64, hi: f64) -> Vec<f64> {
    let mut order: Vec<usize> = (0..targets.len()).collect();
    order.sort_by(|&a, &b| targets[a].total_cmp(&targets[b]).then(a.cmp(&b)));
    // Blocks of consecutive labels (in sorted order): first index, length, top position.
    let mut blocks: Vec<(usize, usize, f64)> = Vec::new();
    let place = |first: usize, len: usize| -> f64 {
        let mean = (0..len)
            .map(|k| targets[order[first + k]] - k as f64 * gap)
            .sum::<f64>()
            / len as f64;
        let max_top = (hi - (len as f64 - 1.0) * gap).max(lo);
        mean.clamp(lo, max_top)
    };
    for k in 0..order.len() {
        blocks.push((k, 1, place(k, 1)));
        while blocks.len() >= 2 {
            let (f1, l1, p1) = blocks[blocks.len() - 2];
            let (_, l2, p2) = blocks[blocks.len() - 1];
            if p1 + l1 as f64 * gap <= p2 {
                break;
            }
            blocks.pop();
            blocks.pop();
            blocks.push((f1, l1 + l2, place(f1, l1 + l2)));
        }
    }
    let mut out = vec![0.0; targets.len()];
    for (first, len, top) in blocks {
        for k in 0..len {
            out[order[first + k]] = top + k as f64 * gap;
        }
    }
    out
}

/// Breaks text into lines no wider than `width`, at spaces; a word wider than the line is
/// shortened with an ellipsis.
pub fn wrap(text: &str, width: f64, font: &Font) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if text_width(&candidate, font) <= width || line.is_empty() {
            line = candidate;
        } else {
            lines.push(std::mem::take(&mut line));
            line = word.to_string();
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
        .into_iter()
        .map(|l| ellipsize(&l, width, font))
        .collect()
}

/// The text, or as much of it as fits in `width` followed by an ellipsis.
pub fn ellipsize(text: &str, width: f64, font: &Font) -> String {
    if text_width(text, font) <= width {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    let mut keep = chars.len();
    while keep > 0 {
        keep -= 1;
        let candidate: String = chars[..keep]
            .iter()
            .collect::<String>()
            .trim_end()
            .to_string()
            + "…";
        if text_width(&candidate, font) <= width {
            return candidate;
        }
    }
    "…".to_string()
}

/// Wraps to at most `max_lines`, ellipsizing the last line if text remains.
pub fn wrap_lines(text: &str, width: f64, font: &Font, max_lines: usize) -> Vec<String> {
    let mut lines = wrap(text, width, font);
    if lines.len() > max_lines && max_lines > 0 {
        // Greedy wrapping leaves more than a line's width in the remainder, so it is cut.
        let rest = lines[max_lines - 1..].join(" ");
        lines.truncate(max_lines - 1);
        lines.push(ellipsize(&rest, width, font));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_keeps_free_labels_and_separates_crowded_ones() {
        assert_eq!(spread(&[10.0, 100.0], 20.0, 0.0, 200.0), vec![10.0, 100.0]);
        // Three labels at one point: centred on it, 20 apart, in input order.
        assert_eq!(
            spread(&[50.0, 50.0, 50.0], 20.0, 0.0, 200.0),
            vec![30.0, 50.0, 70.0]
        );
        // Pushed inside the bounds.
        assert_eq!(
            spread(&[195.0, 199.0], 20.0, 0.0, 200.0),
            vec![180.0, 200.0]
        );
        let crowded = spread(&[5.0, 0.0, 10.0, 8.0], 15.0, 0.0, 1000.0);
        let mut sorted = crowded.clone();
        sorted.sort_by(f64::total_cmp);
        assert!(sorted.windows(2).all(|w| w[1] - w[0] >= 15.0 - 1e-9));
        assert!(crowded[1] < crowded[0] && crowded[0] < crowded[3] && crowded[3] < crowded[2]);
    }

    #[test]
    fn names_the_font_lacks_are_fitted_as_drawn_and_cut_at_whole_characters() {
        use super::super::canvas::legible;
        use plotters::style::RGBAColor;
        let font = Font::new(12.0, RGBAColor(0, 0, 0, 1.0));
        let name = "대한민국 and 中华人民共和国";
        let width = text_width("⟨U+B300 U+D55C U+BBFC U+AD6D⟩ and ⟨U+4E2D⟩…", &font);
        let short = ellipsize(name, width, &font);
        assert_eq!(short, "대한민국 and 中…");
        assert_eq!(
            legible(&short, &font),
            "⟨U+B300 U+D55C U+BBFC U+AD6D⟩ and ⟨U+4E2D⟩…"
        );
        assert!(text_width(&short, &font) <= width);
        let lines = wrap(name, width, &font);
        assert_eq!(lines[0], "대한민국 and");
        assert!(lines.iter().all(|l| text_width(l, &font) <= width));
    }

    #[test]
    fn scale_maps_linearly() {
        let s = Scale::new((-1.0, 1.0), (100.0, 0.0));
        assert_eq!(s.map(-1.0), 100.0);
        assert_eq!(s.map(0.5), 25.0);
    }
}
