//! A drawing surface in logical pixels, drawn at twice the size and averaged down.
//!
//! plotters' bitmap backend draws lines and polygons without anti-aliasing, which leaves
//! thin slanted lines jagged. Drawing everything at twice the resolution and averaging each
//! 2x2 block gives smooth edges; the cost (four times the pixels) stays far below the time
//! of a run. Chart code works in `f64` logical pixels and never sees the scale.
//!
//! Text uses DejaVu Sans compiled into the binary, so a chart looks the same on every
//! machine and needs no font installed. The pixels depend only on what is drawn, so the same
//! study gives byte-identical PNG files. DejaVu has no CJK, Indic, Thai or Hangul glyphs: a
//! name in those scripts would draw as empty boxes, so characters the font lacks are drawn
//! as their code points instead (see [`legible`]).

use std::borrow::Cow;
use std::fmt::Write as _;
use std::sync::{Mutex, OnceLock, PoisonError};

use ab_glyph::{Font as _, FontRef};

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontDesc, FontFamily, FontStyle, FontTransform, RGBAColor, register_font};

use super::error::ChartError;
use super::layout::Rect;

/// Device pixels per logical pixel along each axis.
const SCALE: u32 = 2;
/// The family name the embedded font is registered under.
const FONT: &str = "DejaVu Sans";
/// Cap height of DejaVu Sans as a fraction of plotters' text size (ab_glyph scales the
/// ascent-to-descent height, 2384 font units, to the size; capitals are 1493 units high).
const CAP: f64 = 1493.0 / 2384.0;

/// Registers the embedded font with plotters, once per process.
pub fn register_fonts() -> Result<(), ChartError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        register_font(FONT, FontStyle::Normal, dejavu::sans::regular()).is_ok()
            && register_font(FONT, FontStyle::Bold, dejavu::sans::bold()).is_ok()
    });
    if ok { Ok(()) } else { Err(ChartError::Font) }
}

/// The embedded faces, regular and bold, parsed once to look characters up in their
/// character maps; `None` if they do not parse, and then `render_png` fails anyway.
fn faces() -> Option<&'static [FontRef<'static>; 2]> {
    static FACES: OnceLock<Option<[FontRef<'static>; 2]>> = OnceLock::new();
    FACES
        .get_or_init(|| {
            let regular = FontRef::try_from_slice(dejavu::sans::regular()).ok()?;
            let bold = FontRef::try_from_slice(dejavu::sans::bold()).ok()?;
            Some([regular, bold])
        })
        .as_ref()
}

/// The text as the embedded font can draw it: each run of characters the face has no glyph
/// for becomes their code points in angle brackets, so "中国 Japan 日本" is drawn as
/// "⟨U+4E2D U+56FD⟩ Japan ⟨U+65E5 U+672C⟩". Without this they would draw as empty boxes,
/// which neither read nor tell two names apart; code points do both, and a reader can
/// match them to the scenario. A full CJK font would add megabytes to the binary for a few
/// labels. Text the font covers comes back borrowed, unchanged, so its pixels do not move.
///
/// Both measuring and drawing go through this, so a layout is sized for what is drawn;
/// code above them (wrapping, ellipsizing) works on the scenario's own text.
pub fn legible<'t>(text: &'t str, font: &Font) -> Cow<'t, str> {
    // Every printable ASCII character is in DejaVu Sans (a test holds it to that).
    if text.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return Cow::Borrowed(text);
    }
    let Some(faces) = faces() else {
        return Cow::Borrowed(text);
    };
    let face = &faces[usize::from(font.bold)];
    // Control characters are left as they are: names cannot hold them, and other text keeps
    // drawing as it always has.
    let missing = |c: char| !c.is_control() && face.glyph_id(c).0 == 0;
    if !text.chars().any(missing) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() * 4);
    let mut in_run = false;
    for c in text.chars() {
        if missing(c) {
            out.push(if in_run { ' ' } else { '⟨' });
            // Writing to a String cannot fail.
            let _ = write!(out, "U+{:04X}", u32::from(c));
            in_run = true;
        } else {
            if in_run {
                out.push('⟩');
                in_run = false;
            }
            out.push(c);
        }
    }
    if in_run {
        out.push('⟩');
    }
    Cow::Owned(out)
}

/// Size, weight and colour of a piece of text.
#[derive(Debug, Clone, Copy)]
pub struct Font {
    pub size: f64,
    pub bold: bool,
    pub color: RGBAColor,
}

impl Font {
    pub const fn new(size: f64, color: RGBAColor) -> Font {
        Font {
            size,
            bold: false,
            color,
        }
    }

    pub const fn bold(self) -> Font {
        Font { bold: true, ..self }
    }

    pub const fn with_color(self, color: RGBAColor) -> Font {
        Font { color, ..self }
    }

    fn desc(&self) -> FontDesc<'static> {
        let style = if self.bold {
            FontStyle::Bold
        } else {
            FontStyle::Normal
        };
        FontDesc::new(FontFamily::Name(FONT), self.size * SCALE as f64, style)
    }
}

/// Width of a text in logical pixels, without a canvas, so layouts can be sized first.
/// Layouts are measured before anything is drawn, so this registers the font itself:
/// measuring with a missing font would silently give another layout.
pub fn text_width(text: &str, font: &Font) -> f64 {
    let registered = register_fonts().is_ok();
    let text = legible(text, font);
    match font.desc().box_size(&text) {
        Ok((w, _)) if registered => w as f64 / SCALE as f64,
        // Only when the embedded font cannot load, and then `render_png` fails anyway.
        _ => text.chars().count() as f64 * font.size * 0.55,
    }
}

/// Where a text's anchor lies along the line of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Start,
    Center,
    End,
}

/// Where a text's anchor lies across the line: the top of capitals, their middle, or the
/// baseline. plotters places text by a box whose height does not follow the glyphs, so the
/// position is computed from the font's cap height instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Across {
    CapTop,
    Middle,
    Baseline,
}

/// A line pattern: solid, or lengths of dash and gap in logical pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Dash {
    Solid,
    Pattern(&'static [f64]),
}

pub struct Canvas<'a> {
    area: DrawingArea<BitMapBackend<'a>, Shift>,
    chart: &'static str,
}

/// Device canvases, and the pictures averaged down from them, given back by charts already
/// drawn for the next ones to use.
static SPARES: Mutex<Spares> = Mutex::new(Spares {
    users: 0,
    canvases: Vec::new(),
    pictures: Vec::new(),
});

/// Spare canvases kept at most: one for each chart being drawn at once.
const MAX_SPARES: usize = 8;

struct Spares {
    /// Live [`ReuseCanvases`] guards; spares are kept only while there is one.
    users: usize,
    canvases: Vec<Vec<u8>>,
    pictures: Vec<Vec<u8>>,
}

fn spares() -> std::sync::MutexGuard<'static, Spares> {
    SPARES.lock().unwrap_or_else(PoisonError::into_inner)
}

/// While one is alive, each chart drawn gives its device canvas to the next one rather than
/// freeing it. A canvas is some twenty megabytes: a fresh one is mapped, faulted in page by
/// page and unmapped again, which was a quarter of the time of drawing a chart. When the
/// last guard is dropped the spares are freed, so nothing is held between sets of charts.
pub struct ReuseCanvases(());

impl ReuseCanvases {
    pub fn begin() -> ReuseCanvases {
        spares().users += 1;
        ReuseCanvases(())
    }
}

impl Drop for ReuseCanvases {
    fn drop(&mut self) {
        let mut s = spares();
        s.users -= 1;
        if s.users == 0 {
            s.canvases = Vec::new();
            s.pictures = Vec::new();
        }
    }
}

/// `len` bytes of `value`, in a spare buffer of the kind `kind` picks when there is one.
fn take(kind: fn(&mut Spares) -> &mut Vec<Vec<u8>>, len: usize, value: u8) -> Vec<u8> {
    let mut buf = kind(&mut spares()).pop().unwrap_or_default();
    buf.clear();
    buf.resize(len, value);
    buf
}

/// Keeps `buf` for the next chart while a [`ReuseCanvases`] is alive; frees it otherwise.
fn give_back(kind: fn(&mut Spares) -> &mut Vec<Vec<u8>>, buf: Vec<u8>) {
    let mut s = spares();
    if s.users > 0 {
        let spare = kind(&mut s);
        if spare.len() < MAX_SPARES {
            spare.push(buf);
        }
    }
}

fn canvases(s: &mut Spares) -> &mut Vec<Vec<u8>> {
    &mut s.canvases
}

fn pictures(s: &mut Spares) -> &mut Vec<Vec<u8>> {
    &mut s.pictures
}

/// Draws a chart of `width` x `height` logical pixels and returns it as PNG bytes.
pub fn render_png(
    chart: &'static str,
    width: u32,
    height: u32,
    draw: impl FnOnce(&Canvas) -> Result<(), ChartError>,
) -> Result<Vec<u8>, ChartError> {
    register_fonts()?;
    let (dw, dh) = (width * SCALE, height * SCALE);
    let mut buf = take(canvases, dw as usize * dh as usize * 3, 255);
    let drawn = {
        let area = BitMapBackend::with_buffer(&mut buf, (dw, dh)).into_drawing_area();
        let canvas = Canvas { area, chart };
        draw(&canvas).and_then(|()| canvas.area.present().map_err(|e| canvas.error(e)))
    };
    let pixels = drawn.map(|()| {
        let mut pixels = take(pictures, width as usize * height as usize * 3, 0);
        downsample(&buf, width as usize, &mut pixels);
        pixels
    });
    give_back(canvases, buf);
    let pixels = pixels?;
    let png = encode_png(chart, &pixels, width, height);
    give_back(pictures, pixels);
    png
}

/// Averages each 2x2 block of the RGB canvas `buf`, `2 * width` device pixels wide, into a
/// pixel of `out`, rounding to nearest.
///
/// A chart's device canvas is about twenty megabytes; the two rows of a block are first
/// summed into one row of u16, a loop the compiler turns into vector instructions, and
/// each output byte is then a pair of those sums.
fn downsample(buf: &[u8], width: usize, out: &mut [u8]) {
    const _: () = assert!(SCALE == 2, "downsample averages 2x2 blocks");
    let row_len = width * 2 * 3;
    let mut column_sums = vec![0u16; row_len];
    for (row, pair) in out
        .chunks_exact_mut(width * 3)
        .zip(buf.chunks_exact(2 * row_len))
    {
        let (top, bottom) = pair.split_at(row_len);
        for ((sum, &t), &b) in column_sums.iter_mut().zip(top).zip(bottom) {
            *sum = u16::from(t) + u16::from(b);
        }
        // Device pixel 2x + 1's channel c is 3 bytes after pixel 2x's.
        for (px, sums) in row.chunks_exact_mut(3).zip(column_sums.chunks_exact(6)) {
            for c in 0..3 {
                px[c] = ((sums[c] + sums[c + 3] + 2) >> 2) as u8;
            }
        }
    }
}

fn encode_png(
    chart: &'static str,
    pixels: &[u8],
    width: u32,
    height: u32,
) -> Result<Vec<u8>, ChartError> {
    let fail = |e: png::EncodingError| ChartError::Draw {
        chart,
        message: format!("PNG encoding: {e}"),
    };
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    encoder.set_adaptive_filter(png::AdaptiveFilterType::Adaptive);
    let mut writer = encoder.write_header().map_err(fail)?;
    writer.write_image_data(pixels).map_err(fail)?;
    writer.finish().map_err(fail)?;
    Ok(out)
}

fn dev(v: f64) -> i32 {
    (v * SCALE as f64).round() as i32
}

fn point((x, y): (f64, f64)) -> (i32, i32) {
    (dev(x), dev(y))
}

impl Canvas<'_> {
    fn error(&self, e: impl std::fmt::Display) -> ChartError {
        ChartError::Draw {
            chart: self.chart,
            message: e.to_string(),
        }
    }

    pub fn fill_rect(&self, r: Rect, color: RGBAColor) -> Result<(), ChartError> {
        let rect = Rectangle::new(
            [point((r.x, r.y)), point((r.right(), r.bottom()))],
            color.filled(),
        );
        self.area.draw(&rect).map_err(|e| self.error(e))
    }

    pub fn stroke_rect(&self, r: Rect, color: RGBAColor, width: f64) -> Result<(), ChartError> {
        let (x0, y0, x1, y1) = (r.x, r.y, r.right(), r.bottom());
        self.line(
            &[(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)],
            color,
            width,
        )
    }

    /// A polyline; NaN points break it into pieces, as missing data should.
    pub fn line(&self, pts: &[(f64, f64)], color: RGBAColor, width: f64) -> Result<(), ChartError> {
        let stroke = ((width * SCALE as f64).round() as u32).max(1);
        for piece in pts.split(|p| !(p.0.is_finite() && p.1.is_finite())) {
            if piece.len() < 2 {
                continue;
            }
            let mut path: Vec<(i32, i32)> = piece.iter().copied().map(point).collect();
            path.dedup();
            if path.len() < 2 {
                continue;
            }
            let element = PathElement::new(path, color.stroke_width(stroke));
            self.area.draw(&element).map_err(|e| self.error(e))?;
        }
        Ok(())
    }

    /// A polyline in a dash pattern, measured along its length so dashes run on smoothly.
    pub fn styled_line(
        &self,
        pts: &[(f64, f64)],
        color: RGBAColor,
        width: f64,
        dash: Dash,
    ) -> Result<(), ChartError> {
        let pattern = match dash {
            Dash::Solid => return self.line(pts, color, width),
            Dash::Pattern(p) => p,
        };
        for piece in pts.split(|p| !(p.0.is_finite() && p.1.is_finite())) {
            for seg in dashes(piece, pattern) {
                self.line(&seg, color, width)?;
            }
        }
        Ok(())
    }

    pub fn polygon(&self, pts: &[(f64, f64)], color: RGBAColor) -> Result<(), ChartError> {
        if pts.len() < 3 || pts.iter().any(|p| !(p.0.is_finite() && p.1.is_finite())) {
            return Ok(());
        }
        let path: Vec<(i32, i32)> = pts.iter().copied().map(point).collect();
        let element = Polygon::new(path, color.filled());
        self.area.draw(&element).map_err(|e| self.error(e))
    }

    pub fn circle(
        &self,
        center: (f64, f64),
        radius: f64,
        fill: RGBAColor,
    ) -> Result<(), ChartError> {
        let element = Circle::new(
            point(center),
            (radius * SCALE as f64).round() as u32,
            fill.filled(),
        );
        self.area.draw(&element).map_err(|e| self.error(e))
    }

    /// Horizontal text anchored at `(x, y)`.
    pub fn text(
        &self,
        text: &str,
        (x, y): (f64, f64),
        font: &Font,
        align: Align,
        across: Across,
    ) -> Result<(), ChartError> {
        let top = y - baseline_offset(font, across);
        self.draw_text(text, (x, top), font, align, FontTransform::None)
    }

    /// Text reading upwards (turned a quarter to the left): `align` runs along the text from
    /// its anchor upwards, `across` is measured leftwards to rightwards from the tops of the
    /// letters, which face left.
    pub fn text_up(
        &self,
        text: &str,
        (x, y): (f64, f64),
        font: &Font,
        align: Align,
        across: Across,
    ) -> Result<(), ChartError> {
        let left = x - baseline_offset(font, across);
        self.draw_text(text, (left, y), font, align, FontTransform::Rotate270)
    }

    fn draw_text(
        &self,
        text: &str,
        at: (f64, f64),
        font: &Font,
        align: Align,
        transform: FontTransform,
    ) -> Result<(), ChartError> {
        if text.is_empty() {
            return Ok(());
        }
        let text = legible(text, font);
        let h = match align {
            Align::Start => HPos::Left,
            Align::Center => HPos::Center,
            Align::End => HPos::Right,
        };
        let style = TextStyle::from(font.desc().transform(transform))
            .color(&font.color)
            .pos(Pos::new(h, VPos::Top));
        self.area
            .draw_text(&text, &style, point(at))
            .map_err(|e| self.error(e))
    }
}

/// Distance from the top of plotters' text box to the anchor line. ab_glyph puts the
/// baseline half the text size below the top of the box.
fn baseline_offset(font: &Font, across: Across) -> f64 {
    let baseline = font.size / 2.0;
    match across {
        Across::Baseline => baseline,
        Across::Middle => baseline - CAP * font.size / 2.0,
        Across::CapTop => baseline - CAP * font.size,
    }
}

/// Splits a polyline into the dashes of a repeating on/off pattern.
fn dashes(pts: &[(f64, f64)], pattern: &[f64]) -> Vec<Vec<(f64, f64)>> {
    let mut out = Vec::new();
    if pts.len() < 2 || pattern.is_empty() || pattern.iter().any(|&l| l <= 0.0) {
        if pts.len() >= 2 {
            out.push(pts.to_vec());
        }
        return out;
    }
    let mut k = 0;
    let mut left = pattern[0];
    let mut current: Vec<(f64, f64)> = vec![pts[0]];
    for pair in pts.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let len = ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt();
        let mut done = 0.0;
        while len - done > left {
            done += left;
            let t = done / len;
            let p = (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t);
            if k % 2 == 0 {
                current.push(p);
                out.push(std::mem::take(&mut current));
            } else {
                current = vec![p];
            }
            k = (k + 1) % pattern.len();
            left = pattern[k];
        }
        left -= len - done;
        if k % 2 == 0 {
            current.push(b);
        }
    }
    if k % 2 == 0 && current.len() >= 2 {
        out.push(current);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dashes_follow_the_pattern_along_the_path() {
        let segs = dashes(&[(0.0, 0.0), (10.0, 0.0), (10.0, 10.0)], &[4.0, 2.0]);
        let starts: Vec<(f64, f64)> = segs.iter().map(|s| s[0]).collect();
        assert_eq!(
            starts,
            vec![(0.0, 0.0), (6.0, 0.0), (10.0, 2.0), (10.0, 8.0)]
        );
        // The dash that turns the corner keeps the corner.
        assert_eq!(segs[1], vec![(6.0, 0.0), (10.0, 0.0), (10.0, 0.0)]);
    }

    const PLAIN: Font = Font::new(12.0, RGBAColor(0, 0, 0, 1.0));

    #[test]
    fn characters_without_a_glyph_become_code_points() {
        assert_eq!(legible("中国", &PLAIN), "⟨U+4E2D U+56FD⟩");
        assert_eq!(
            legible("中国 vs 日本", &PLAIN.bold()),
            "⟨U+4E2D U+56FD⟩ vs ⟨U+65E5 U+672C⟩"
        );
        // A run ends at the first covered character; outside the basic plane too.
        assert_eq!(legible("한국-Korea", &PLAIN), "⟨U+D55C U+AD6D⟩-Korea");
        assert_eq!(legible("x\u{2F800}", &PLAIN), "x⟨U+2F800⟩");
    }

    #[test]
    fn covered_text_is_drawn_as_it_is() {
        let ascii: String = (0x20u8..0x7f).map(char::from).collect();
        for font in [PLAIN, PLAIN.bold()] {
            for text in [
                ascii.as_str(),
                "Azerbaijan → Iran, ±0.1 … «Ümlaut» Ελλάδα Россия ישראל",
                "",
            ] {
                assert!(matches!(legible(text, &font), Cow::Borrowed(t) if t == text));
            }
        }
        // The fast path for ASCII agrees with the font.
        let faces = faces().expect("the embedded fonts parse");
        for face in faces {
            assert!(ascii.chars().all(|c| face.glyph_id(c).0 != 0));
        }
    }

    #[test]
    fn measuring_measures_what_is_drawn() {
        assert_eq!(
            text_width("中国", &PLAIN),
            text_width("⟨U+4E2D U+56FD⟩", &PLAIN)
        );
        assert!(text_width("中国", &PLAIN) > text_width("⟨⟩", &PLAIN));
    }

    #[test]
    fn downsampling_averages_blocks() {
        // 2x2 device pixels -> one pixel; channel values 0, 255, 255, 255 average to 191.
        let buf = [0, 0, 0, 255, 255, 255, 255, 255, 255, 255, 255, 255];
        let mut out = [0; 3];
        downsample(&buf, 1, &mut out);
        assert_eq!(out, [191, 191, 191]);
    }

    /// A chart drawn on a canvas another chart gave back, of another size and covered in
    /// ink, is the chart drawn on a fresh one; spares are kept only while a guard lives.
    #[test]
    fn a_reused_canvas_draws_what_a_fresh_one_draws() {
        let small = |c: &Canvas| {
            c.line(&[(2.0, 3.0), (37.0, 21.0)], BLUE.to_rgba(), 1.5)?;
            c.fill_rect(Rect::new(5.0, 5.0, 7.0, 4.0), RED.mix(0.5))
        };
        let large = |c: &Canvas| c.fill_rect(Rect::new(0.0, 0.0, 90.0, 60.0), BLACK.to_rgba());
        let fresh = render_png("small", 40, 25, small).unwrap();
        {
            let _reuse = ReuseCanvases::begin();
            render_png("large", 90, 60, large).unwrap();
            assert_eq!(render_png("small", 40, 25, small).unwrap(), fresh);
            render_png("large", 90, 60, large).unwrap();
            assert_eq!(render_png("small", 40, 25, small).unwrap(), fresh);
        }
        // Other tests may be drawing with guards of their own.
        let s = spares();
        assert!(s.users > 0 || (s.canvases.is_empty() && s.pictures.is_empty()));
    }

    #[test]
    fn downsampling_gives_every_block_its_rounded_mean() {
        let (width, height) = (37, 11);
        let mut z = 0x2545_f491_4f6c_dd1du64;
        let buf: Vec<u8> = (0..width * 2 * height * 2 * 3)
            .map(|_| {
                z ^= z << 13;
                z ^= z >> 7;
                z ^= z << 17;
                // Mostly extremes and their neighbours, where rounding could slip.
                [0, 1, 254, 255, (z >> 32) as u8][(z % 5) as usize]
            })
            .collect();
        let mut got = vec![0; width * height * 3];
        downsample(&buf, width, &mut got);
        for y in 0..height {
            for x in 0..width {
                for c in 0..3 {
                    let at = |dy: usize, dx: usize| {
                        u32::from(buf[((2 * y + dy) * 2 * width + 2 * x + dx) * 3 + c])
                    };
                    let sum = at(0, 0) + at(0, 1) + at(1, 0) + at(1, 1);
                    let want = (f64::from(sum) / 4.0 + 0.5).floor() as u8;
                    assert_eq!(got[(y * width + x) * 3 + c], want, "({x}, {y}) channel {c}");
                }
            }
        }
    }
}
