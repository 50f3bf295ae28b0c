//! Decoded PNG charts and the checks that a chart is drawn and shows data.

use std::collections::HashSet;
use std::fs;
use std::path::Path;

/// A decoded picture, its pixels read as RGB triples.
pub struct Picture {
    pub width: usize,
    pub height: usize,
    pub color_type: png::ColorType,
    pub rgb: Vec<u8>,
}

impl Picture {
    /// Decodes the first frame of a PNG, failing with its path. The colour type is kept, not
    /// checked: [`Picture::read_rgb`] checks it too.
    pub fn read(path: &Path) -> Picture {
        let file = fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut reader = png::Decoder::new(std::io::BufReader::new(file))
            .read_info()
            .unwrap_or_else(|e| panic!("{}: not a PNG: {e}", path.display()));
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).expect("frame decodes");
        buf.truncate(info.buffer_size());
        Picture {
            width: info.width as usize,
            height: info.height as usize,
            color_type: info.color_type,
            rgb: buf,
        }
    }

    /// Decodes a PNG and fails unless it is stored as RGB.
    pub fn read_rgb(path: &Path) -> Picture {
        let pic = Picture::read(path);
        assert_eq!(pic.color_type, png::ColorType::Rgb, "{}", path.display());
        pic
    }

    pub fn pixel(&self, x: usize, y: usize) -> [u8; 3] {
        let k = (y * self.width + x) * 3;
        [self.rgb[k], self.rgb[k + 1], self.rgb[k + 2]]
    }

    pub fn distinct_colours(&self) -> usize {
        self.rgb
            .chunks_exact(3)
            .map(|p| [p[0], p[1], p[2]])
            .collect::<HashSet<_>>()
            .len()
    }

    /// Pixels of a region that carry data rather than the grey furniture of a plot:
    /// coloured (channels far apart) or nearly black.
    pub fn ink_in(&self, x: usize, y: usize, w: usize, h: usize) -> usize {
        let mut count = 0;
        for yy in y..(y + h).min(self.height) {
            for xx in x..(x + w).min(self.width) {
                let [r, g, b] = self.pixel(xx, yy);
                let spread = r.max(g).max(b) - r.min(g).min(b);
                if spread > 40 || r.max(g).max(b) < 60 {
                    count += 1;
                }
            }
        }
        count
    }

    /// Pixels of the whole picture that carry data, as [`Picture::ink_in`] counts them.
    pub fn ink(&self) -> usize {
        self.ink_in(0, 0, self.width, self.height)
    }

    /// Coloured pixels only (channels far apart): dots, bands and lines, without the black
    /// of text and axes.
    pub fn coloured(&self) -> usize {
        self.rgb
            .chunks_exact(3)
            .filter(|p| p.iter().max().unwrap_or(&0) - p.iter().min().unwrap_or(&0) > 40)
            .count()
    }

    /// Fails unless the picture is at least 1600x1000 and has at least 200 colours: drawn at
    /// full size, and more than a background. `name` labels the failure.
    pub fn assert_size_and_colours(&self, name: &str) {
        assert!(
            self.width >= 1600 && self.height >= 1000,
            "{name} is {}x{}",
            self.width,
            self.height
        );
        let colours = self.distinct_colours();
        assert!(colours >= 200, "{name} has only {colours} colours");
    }

    /// As [`Picture::assert_size_and_colours`], and at least 5000 pixels of ink.
    pub fn assert_chart(&self, name: &str) {
        self.assert_size_and_colours(name);
        let ink = self.ink();
        assert!(ink >= 5000, "{name} has only {ink} pixels of ink");
    }
}

/// Decodes the chart at `path` and fails unless it is full size and shows data.
pub fn check_chart(path: &Path) {
    Picture::read(path).assert_chart(&path.display().to_string());
}
