//! Charts as figures of the page: each known chart with alt text that states what it shows
//! (built from the figures, so a reader who cannot see the picture still gets its message)
//! and a caption that says how to read it; any other PNG of `charts/` with a plain caption.

use std::fs;
use std::path::Path;

use super::{ReportError, files_ending, html};
use crate::output::charts::CHARTS_DIR;

/// The figure of `charts/<name>`, or `None` when the directory has no such chart (a study
/// run with `--no-charts`).
pub fn chart(
    dir: &Path,
    name: &str,
    alt: &str,
    caption: &str,
) -> Result<Option<String>, ReportError> {
    let path = dir.join(CHARTS_DIR).join(name);
    if !path.is_file() {
        return Ok(None);
    }
    let png = fs::read(&path).map_err(|e| ReportError::read(&path, e))?;
    let id = format!("chart-{}", name.trim_end_matches(".png"));
    Ok(Some(html::figure(&id, &png, alt, &html::esc(caption))))
}

/// Every chart of `charts/` not in `known`, in name order, each with a caption naming its
/// file: a chart added after this page was written still reaches the reader.
pub fn other_charts(dir: &Path, known: &[&str]) -> Result<String, ReportError> {
    let mut h = String::new();
    for name in files_ending(&dir.join(CHARTS_DIR), ".png")? {
        if known.contains(&name.as_str()) {
            continue;
        }
        let title = name.trim_end_matches(".png").replace('_', " ");
        let alt = format!("Chart {title}, from charts/{name}.");
        let caption = format!("charts/{name}.");
        if let Some(f) = chart(dir, &name, &alt, &caption)? {
            h.push_str(&f);
        }
    }
    Ok(h)
}

/// The figures given as (file, alt, caption), those present, followed by every other chart.
pub fn section(dir: &Path, charts: &[(&str, String, String)]) -> Result<String, ReportError> {
    let mut h = String::new();
    for (name, alt, caption) in charts {
        if let Some(f) = chart(dir, name, alt, caption)? {
            h.push_str(&f);
        }
    }
    let known: Vec<&str> = charts.iter().map(|(n, _, _)| *n).collect();
    h.push_str(&other_charts(dir, &known)?);
    if h.is_empty() {
        h.push_str(&html::para(
            "This directory has no charts (they were turned off); `influence chart` draws them from its files.",
        ));
    }
    Ok(h)
}
