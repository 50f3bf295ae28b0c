//! PNG charts of a study, drawn from the files of its output directory.
//!
//! Charts read only what `influence run` wrote (the CSV tables, summary.json and the
//! scenario copy), so [`render_charts`] draws the same pictures, byte for byte, whether it
//! runs right after a study or later on a directory that was copied elsewhere. The other
//! commands' directories are drawn the same way, and [`rerender_charts`] redraws any of
//! them. Each chart is a module with one `draw` function; the pieces they share are:
//!
//! - [`input`]: the files read back through [`crate::output::schema`] and cross-checked;
//! - [`frame`]: title block, fonts, axes of alignment and time, event marks and key;
//! - [`panels`]: small multiples (one panel per actor) for the time charts;
//! - [`canvas`]: drawing in logical pixels with anti-aliasing and the embedded font;
//! - [`palette`], [`layout`], [`timeaxis`], [`events`].

pub mod blocs;
pub mod calibration;
pub mod canvas;
pub mod compare;
pub mod convergence;
pub mod difference;
pub mod discover;
pub mod distribution;
pub mod error;
pub mod events;
pub mod fan;
pub mod frame;
pub mod heatmap;
pub mod input;
pub mod layout;
pub mod morris;
pub mod outcomes;
pub mod overview;
pub mod paired;
pub mod palette;
pub mod panels;
pub mod runs;
pub mod seeds;
pub mod sensitivity;
pub mod sobol;
pub mod thresholds;
pub mod timeaxis;
pub mod tornado;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;

pub use error::ChartError;
pub use input::StudyData;

use crate::output::StagedDir;
use crate::output::schema::{OutputKind, read_kind};
use frame::Context;
use layout::Rect;

/// The name of the charts directory inside an output directory.
pub const CHARTS_DIR: &str = "charts";

/// One finished chart before it is written.
pub struct Drawn {
    pub png: Vec<u8>,
    pub width: u32,
    pub height: u32,
    pub panels: Vec<PanelBox>,
}

/// Where an actor's plot area lies in a chart of small multiples, in pixels, so that
/// tests and tools can look inside each panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PanelBox {
    pub actor: String,
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

impl PanelBox {
    fn new(actor: &str, r: Rect) -> PanelBox {
        PanelBox {
            actor: actor.to_string(),
            x: r.x.round() as u32,
            y: r.y.round() as u32,
            width: r.w.round() as u32,
            height: r.h.round() as u32,
        }
    }
}

/// A chart written to disk.
#[derive(Debug, Clone)]
pub struct ChartFile {
    /// The file's name in `charts/`: fixed per chart, or numbered when a chart runs over
    /// several pages.
    pub name: String,
    pub width: u32,
    pub height: u32,
    /// Plot areas of the panels, for charts of small multiples; empty otherwise.
    pub panels: Vec<PanelBox>,
}

#[derive(Debug, Clone)]
pub struct ChartsReport {
    pub dir: PathBuf,
    pub charts: Vec<ChartFile>,
    /// Wall-clock seconds spent reading, drawing and writing.
    pub elapsed_s: f64,
}

type DrawChart = fn(&Context) -> Result<Drawn, ChartError>;

/// Every chart, in the order they are listed.
const CHARTS: [(&str, DrawChart); 8] = [
    (fan::FILE, fan::draw),
    (overview::FILE, overview::draw),
    (runs::FILE, runs::draw),
    (distribution::FILE, distribution::draw),
    (heatmap::FILE, heatmap::draw),
    (outcomes::FILE, outcomes::draw),
    (blocs::FILE, blocs::draw),
    (thresholds::FILE, thresholds::draw),
];

/// Names of the chart files `render_charts` writes.
pub fn chart_files() -> Vec<&'static str> {
    CHARTS.iter().map(|(name, _)| *name).collect()
}

/// Draws every chart from the outputs in `dir` into `charts_dir` (created if needed).
pub fn render_charts(dir: &Path, charts_dir: &Path) -> Result<ChartsReport, ChartError> {
    let started = Instant::now();
    let data = StudyData::read(dir)?;
    write_charts(&data, charts_dir, started)
}

/// Redraws the charts of an existing output directory of any kind: draws them into a
/// staging directory beside `dir/charts`, then swaps it in, so `charts/` is never half
/// written. summary.json says what kind of directory it is, and so which charts it holds;
/// every file is read before anything is created, so a directory that cannot be drawn is
/// left as it was.
pub fn rerender_charts(dir: &Path) -> Result<ChartsReport, ChartError> {
    let started = Instant::now();
    match read_kind(dir)? {
        OutputKind::Study => {
            let data = StudyData::read(dir)?;
            swap_in(dir, started, |charts| write_charts(&data, charts, started))
        }
        OutputKind::Compare => {
            let data = compare::CompareData::read(dir)?;
            swap_in(dir, started, |charts| {
                compare::write_charts(&data, charts, started)
            })
        }
        OutputKind::Seeds => {
            let data = seeds::SeedsData::read(dir)?;
            swap_in(dir, started, |charts| {
                seeds::write_chart(&data, charts, started)
            })
        }
        OutputKind::Ablation => {
            let data = tornado::AblationData::read(dir)?;
            swap_in(dir, started, |charts| {
                tornado::write_charts(&data, charts, started)
            })
        }
        OutputKind::Sensitivity => {
            let data = sensitivity::SensitivityData::read(dir)?;
            swap_in(dir, started, |charts| {
                sensitivity::write_charts(&data, charts, started)
            })
        }
        OutputKind::Discover => {
            let data = discover::DiscoverData::read(dir)?;
            swap_in(dir, started, |charts| {
                discover::write_charts(&data, charts, started)
            })
        }
        OutputKind::Calibration => {
            let data = calibration::CalibrationData::read(dir)?;
            swap_in(dir, started, |charts| {
                calibration::write_charts(&data, charts, started)
            })
        }
        // Its findings are tables (splits): no charts.
        OutputKind::Blocs => Ok(ChartsReport {
            dir: dir.join(CHARTS_DIR),
            charts: Vec::new(),
            elapsed_s: started.elapsed().as_secs_f64(),
        }),
    }
}

/// Draws into a staging directory beside `dir/charts` and swaps it in when complete.
fn swap_in(
    dir: &Path,
    started: Instant,
    draw: impl FnOnce(&Path) -> Result<ChartsReport, ChartError>,
) -> Result<ChartsReport, ChartError> {
    let staged = StagedDir::replacing(&dir.join(CHARTS_DIR))?;
    let mut report = draw(staged.path())?;
    report.dir = staged.commit()?;
    report.elapsed_s = started.elapsed().as_secs_f64();
    Ok(report)
}

fn write_charts(
    data: &StudyData,
    charts_dir: &Path,
    started: Instant,
) -> Result<ChartsReport, ChartError> {
    // Each chart draws on the canvas the one before it gave back.
    let _canvases = canvas::ReuseCanvases::begin();
    // Layouts measure text before drawing, so the font must be there first.
    canvas::register_fonts()?;
    let ctx = Context::new(data);
    fs::create_dir_all(charts_dir).map_err(|source| ChartError::Write {
        path: charts_dir.to_path_buf(),
        source,
    })?;
    // A study grown with `--until-ci` also shows how its estimates settled.
    let mut list = CHARTS.to_vec();
    // A directory written before thresholds.csv existed has no curves to draw.
    list.retain(|(name, _)| *name != thresholds::FILE || data.thresholds.is_some());
    if data.convergence.is_some() {
        list.push((convergence::FILE, convergence::draw));
    }
    // Charts are independent; drawing them in parallel does not change a pixel.
    let drawn: Vec<Result<Drawn, ChartError>> =
        list.par_iter().map(|(_, draw)| draw(&ctx)).collect();
    let mut charts = Vec::with_capacity(list.len());
    for ((name, _), result) in list.iter().zip(drawn) {
        let chart = result?;
        let path = charts_dir.join(name);
        fs::write(&path, &chart.png).map_err(|source| ChartError::Write { path, source })?;
        charts.push(ChartFile {
            name: name.to_string(),
            width: chart.width,
            height: chart.height,
            panels: chart.panels,
        });
    }
    Ok(ChartsReport {
        dir: charts_dir.to_path_buf(),
        charts,
        elapsed_s: started.elapsed().as_secs_f64(),
    })
}
