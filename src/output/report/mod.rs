//! `report.html`: one self-contained page per output directory, to hand to a reader.
//!
//! A study ends in a folder of tables and charts; the page tells its story in the order a
//! reader asks: the question and the answer first (in words and numbers, with how sure they
//! are), then the charts, the tables, what was assumed, and where the figures came from. It
//! is built from the files of the directory alone, read through [`crate::output::schema`]
//! (the scenario from the directory's own copy), exactly as the charts are, so
//! `influence report` rebuilds the same bytes later, anywhere.
//!
//! The page fetches nothing: charts are inlined as PNG `data:` URLs, the stylesheet and the
//! small script that sorts tables are inline, and a Content-Security-Policy forbids any other
//! source. It carries neither the thread count nor the elapsed time nor today's date, so
//! equal studies give equal pages whatever machine ran them.
//!
//! Each kind of directory has its page ([`study`], [`compare`], [`seeds`], [`ablation`]); a
//! kind without one gets [`generic`], every table and chart it holds, and [`sensitivity`],
//! [`discover`] and [`calibration`] add to it the alt text and captions of their charts.

pub mod ablation;
pub mod base64;
pub mod calibration;
pub mod compare;
pub mod discover;
pub mod figures;
pub mod generic;
pub mod html;
pub mod scenario;
pub mod seeds;
pub mod sensitivity;
pub mod study;
pub mod words;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::output::schema::{ReadError, Summary, read_summary};
use crate::scenario::ScenarioError;

/// The name of the page inside an output directory.
pub const FILE: &str = "report.html";

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error("the scenario copy {} does not check: {source}", path.display())]
    Scenario {
        path: PathBuf,
        source: Box<ScenarioError>,
    },
    #[error("cannot write {}: {source}", path.display())]
    Write { path: PathBuf, source: io::Error },
    /// A table the page reads through the charts' readers does not agree with the files
    /// beside it.
    #[error(transparent)]
    Data(Box<crate::output::charts::ChartError>),
}

impl ReportError {
    fn read(path: &Path, source: io::Error) -> ReportError {
        ReportError::Read(ReadError::Read {
            path: path.to_path_buf(),
            source,
        })
    }
}

/// Builds the page of the output directory `dir` from its files and writes it to
/// `dir/report.html`, atomically: the page appears whole or the old one stays. Returns its
/// path.
pub fn write_report(dir: &Path) -> Result<PathBuf, ReportError> {
    let page = render_report(dir)?;
    let path = dir.join(FILE);
    let temp = dir.join(format!(".{FILE}.partial-{}", std::process::id()));
    let written = fs::write(&temp, page).and_then(|()| fs::rename(&temp, &path));
    if let Err(source) = written {
        let _ = fs::remove_file(&temp);
        return Err(ReportError::Write { path, source });
    }
    Ok(path)
}

/// The page of `dir`, as text; nothing is written.
pub fn render_report(dir: &Path) -> Result<String, ReportError> {
    match read_summary(dir) {
        Ok(Summary::Study(s)) => study::page(dir, &s),
        Ok(Summary::Compare(s)) => compare::page(dir, &s),
        Ok(Summary::Seeds(s)) => seeds::page(dir, &s),
        Ok(Summary::Ablation(s)) => ablation::page(dir, &s),
        Ok(summary @ Summary::Sensitivity(_)) => sensitivity::page(dir, summary.kind().as_str()),
        Ok(summary @ Summary::Discover(_)) => discover::page(dir, summary.kind().as_str()),
        Ok(summary @ Summary::Calibration(_)) => calibration::page(dir, summary.kind().as_str()),
        Ok(summary @ Summary::Blocs(_)) => generic::page(dir, summary.kind().as_str()),
        // A kind newer than this page: still every table and chart it holds.
        Err(ReadError::UnknownKind { kind, .. }) => generic::page(dir, &kind),
        Err(e) => Err(e.into()),
    }
}

/// Reads and checks a scenario copy of the directory (`scenario.toml`, `base.toml`, ...).
fn read_scenario(dir: &Path, name: &str) -> Result<crate::scenario::Scenario, ReportError> {
    let path = dir.join(name);
    let text = fs::read_to_string(&path).map_err(|e| ReportError::read(&path, e))?;
    crate::scenario::parse_scenario(&text, &path.display().to_string()).map_err(|source| {
        ReportError::Scenario {
            path,
            source: Box::new(source),
        }
    })
}

/// Names of the files directly in `dir` that end with `suffix`, sorted so that the page
/// does not depend on the order the file system lists them in.
fn files_ending(dir: &Path, suffix: &str) -> Result<Vec<String>, ReportError> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(ReportError::read(dir, e)),
    };
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| ReportError::read(dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(suffix) && !name.starts_with('.') && entry.path().is_file() {
            names.push(name);
        }
    }
    names.sort();
    Ok(names)
}

/// Fields of summary.json that no kind's type holds yet but a page shows when present: the
/// date a study was made and the command line that made it. Read leniently, apart from the
/// summary types, because a missing or odd value only leaves the line out.
fn optional_summary_fields(dir: &Path) -> Vec<(String, String)> {
    let Ok(text) = fs::read_to_string(dir.join(crate::output::schema::summary::FILE)) else {
        return Vec::new();
    };
    let Ok(value) = serde_json::from_str::<serde_json::Value>(&text) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (key, term) in [("date", "Date"), ("command", "Command line")] {
        match value.get(key) {
            Some(serde_json::Value::String(s)) => out.push((term.to_string(), s.clone())),
            Some(serde_json::Value::Array(parts)) => {
                let words: Vec<&str> = parts.iter().filter_map(|p| p.as_str()).collect();
                out.push((term.to_string(), words.join(" ")));
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::charts::CHARTS_DIR;

    fn tiny_png() -> Vec<u8> {
        let mut bytes = Vec::new();
        {
            let mut enc = png::Encoder::new(&mut bytes, 2, 1);
            enc.set_color(png::ColorType::Rgb);
            enc.set_depth(png::BitDepth::Eight);
            let mut w = enc.write_header().unwrap();
            w.write_image_data(&[255, 0, 0, 0, 0, 255]).unwrap();
        }
        bytes
    }

    #[test]
    fn a_kind_without_a_page_gets_its_tables_and_charts() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        fs::write(
            dir.join("summary.json"),
            "{\"kind\": \"future\", \"scenario\": \"Tiny <3\", \"seed\": 9}",
        )
        .unwrap();
        let mut csv = String::from("split,share\n");
        for k in 0..250 {
            csv.push_str(&format!("\"a, b{k}\",{}\n", k as f64 / 1000.0));
        }
        fs::write(dir.join("blocs_splits.csv"), csv).unwrap();
        fs::create_dir(dir.join(CHARTS_DIR)).unwrap();
        fs::write(dir.join(CHARTS_DIR).join("blocs.png"), tiny_png()).unwrap();

        let path = write_report(dir).unwrap();
        assert_eq!(path, dir.join(FILE));
        let page = fs::read_to_string(&path).unwrap();
        assert!(
            page.contains("<h1>Tiny &lt;3</h1>"),
            "title from the summary"
        );
        assert!(page.contains("influence future"));
        // 200 rows of 250, said under the table; the first and the 200th are there, the
        // 201st is not.
        assert_eq!(page.matches("<tr><th scope=\"row\">a, b").count(), 200);
        assert!(page.contains(">a, b199<") && !page.contains(">a, b200<"));
        assert!(page.contains("The first 200 of 250 rows"));
        assert!(page.contains("<td class=\"num\" data-sort=\"0.199\">"));
        assert!(
            page.contains("alt=\"Chart blocs, from charts/blocs.png.\" width=\"2\" height=\"1\"")
        );
        assert!(page.contains("<dt>Master seed</dt><dd>9</dd>"));
        // Nothing but the page is left in the directory.
        let names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with('.'))
            .collect();
        assert!(names.is_empty(), "{names:?}");
    }

    #[test]
    fn a_directory_that_cannot_be_read_leaves_no_page() {
        let tmp = tempfile::tempdir().unwrap();
        let err = write_report(tmp.path()).unwrap_err();
        assert!(
            matches!(err, ReportError::Read(ReadError::NotAnOutput { .. })),
            "{err}"
        );
        assert!(!tmp.path().join(FILE).exists());
    }

    #[test]
    fn the_baseline_columns_are_found_by_what_their_names_say() {
        use study::BaselineColumns;
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let found = BaselineColumns::find(&names(&[
            "hits",
            "p_no_events",
            "diff",
            "diff_ci_low",
            "diff_ci_high",
        ]));
        assert_eq!(
            found,
            BaselineColumns {
                baseline: Some(1),
                diff: Some(2),
                diff_low: Some(3),
                diff_high: Some(4),
            }
        );
        let found =
            BaselineColumns::find(&names(&["baseline_probability", "effect", "effect_low"]));
        assert_eq!(found.baseline, Some(0));
        assert_eq!(found.diff, Some(1));
        assert_eq!(found.diff_low, Some(2));
        assert_eq!(found.diff_high, None);
        assert_eq!(BaselineColumns::find(&[]), BaselineColumns::default());
    }
}
