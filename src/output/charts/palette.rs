//! Colours: one per actor, the same in every chart, told apart by colour-blind readers.
//!
//! Actors take the eight colours of Okabe and Ito ("Color Universal Design", 2008) in
//! scenario order. A ninth actor and beyond cycle through the eight again with a changed
//! line, so that no two actors look alike in the overview and legends:
//!
//! | actors | colour | line |
//! |---|---|---|
//! | 1-8 | as listed | solid |
//! | 9-16 | the same colours, a third darker | dashed |
//! | 17-24 | as listed | dotted |
//! | 25-32 | a third darker | dash-dot |
//!
//! and so on in cycles of four. Bands and fills use only the colour: they appear one actor to
//! a panel, where the panel title names the actor.
//!
//! Trust uses a separate diverging scale from red (distrust) through near-white to blue
//! (trust), after ColorBrewer's RdBu, which stays readable for the common colour-vision
//! deficiencies.

use plotters::style::{RGBAColor, RGBColor};

use super::canvas::Dash;

/// Okabe-Ito, ordered so that the most distinct hues come first; yellow, the weakest on
/// white, comes last.
const OKABE_ITO: [(u8, u8, u8); 8] = [
    (0x00, 0x72, 0xB2), // blue
    (0xD5, 0x5E, 0x00), // vermillion
    (0x00, 0x9E, 0x73), // bluish green
    (0xCC, 0x79, 0xA7), // reddish purple
    (0xE6, 0x9F, 0x00), // orange
    (0x56, 0xB4, 0xE9), // sky blue
    (0x00, 0x00, 0x00), // black
    (0xF0, 0xE4, 0x42), // yellow
];

const DASHED: &[f64] = &[10.0, 5.0];
const DOTTED: &[f64] = &[2.5, 4.0];
const DASH_DOT: &[f64] = &[10.0, 4.0, 2.5, 4.0];

/// How one actor is drawn everywhere.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ActorStyle {
    pub color: RGBColor,
    pub dash: Dash,
}

/// The style of the actor at `index` in scenario order.
pub fn actor_style(index: usize) -> ActorStyle {
    let (r, g, b) = OKABE_ITO[index % OKABE_ITO.len()];
    let base = RGBColor(r, g, b);
    match (index / OKABE_ITO.len()) % 4 {
        0 => ActorStyle {
            color: base,
            dash: Dash::Solid,
        },
        1 => ActorStyle {
            color: darker(base),
            dash: Dash::Pattern(DASHED),
        },
        2 => ActorStyle {
            color: base,
            dash: Dash::Pattern(DOTTED),
        },
        _ => ActorStyle {
            color: darker(base),
            dash: Dash::Pattern(DASH_DOT),
        },
    }
}

fn darker(c: RGBColor) -> RGBColor {
    let f = |v: u8| (v as f64 * 2.0 / 3.0).round() as u8;
    RGBColor(f(c.0), f(c.1), f(c.2))
}

pub fn rgba(c: RGBColor, alpha: f64) -> RGBAColor {
    RGBAColor(c.0, c.1, c.2, alpha)
}

/// The same colour with another opacity.
pub fn with_alpha(c: RGBAColor, alpha: f64) -> RGBAColor {
    RGBAColor(c.0, c.1, c.2, alpha)
}

/// Opaque colour from a hex triple.
pub const fn hex(rgb: u32) -> RGBAColor {
    RGBAColor((rgb >> 16) as u8, (rgb >> 8) as u8, rgb as u8, 1.0)
}

/// Main text.
pub const INK: RGBAColor = hex(0x1A1A1A);
/// Secondary text: subtitles, tick labels, notes.
pub const MUTED: RGBAColor = hex(0x5C5C5C);
/// Axis lines and event markers.
pub const RULE: RGBAColor = hex(0x8C8C8C);
/// Gridlines.
pub const GRID: RGBAColor = hex(0xE3E3E3);
/// Background of plot areas, a shade off white so panels read as units.
pub const PLOT_BG: RGBAColor = hex(0xFAFAFA);
pub const WHITE: RGBAColor = hex(0xFFFFFF);

/// Stops of the trust scale, from -1 to +1 (ColorBrewer RdBu, 5 classes).
const DIVERGING: [(u8, u8, u8); 5] = [
    (0xCA, 0x00, 0x20),
    (0xF4, 0xA5, 0x82),
    (0xF7, 0xF7, 0xF7),
    (0x92, 0xC5, 0xDE),
    (0x05, 0x71, 0xB0),
];

/// Colour of a trust value on the diverging scale; values beyond ±1 take the end colours.
pub fn diverging(v: f64) -> RGBColor {
    let t = ((v.clamp(-1.0, 1.0) + 1.0) / 2.0) * (DIVERGING.len() - 1) as f64;
    let k = (t.floor() as usize).min(DIVERGING.len() - 2);
    let f = t - k as f64;
    let (a, b) = (DIVERGING[k], DIVERGING[k + 1]);
    let mix = |x: u8, y: u8| (x as f64 + (y as f64 - x as f64) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Whether text on this background should be white rather than dark.
pub fn wants_light_text(c: RGBColor) -> bool {
    let lum = 0.2126 * c.0 as f64 + 0.7152 * c.1 as f64 + 0.0722 * c.2 as f64;
    lum < 140.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actors_beyond_eight_differ_in_line_or_colour() {
        let styles: Vec<ActorStyle> = (0..32).map(actor_style).collect();
        for i in 0..styles.len() {
            for j in 0..i {
                assert_ne!(styles[i], styles[j], "actors {i} and {j}");
            }
        }
        assert_eq!(actor_style(3), actor_style(3));
    }

    #[test]
    fn diverging_scale_runs_red_to_blue() {
        assert_eq!(diverging(-1.0), RGBColor(0xCA, 0x00, 0x20));
        assert_eq!(diverging(0.0), RGBColor(0xF7, 0xF7, 0xF7));
        assert_eq!(diverging(1.0), RGBColor(0x05, 0x71, 0xB0));
        assert_eq!(diverging(7.0), diverging(1.0));
    }
}
