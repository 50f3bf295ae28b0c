//! The page of a kind of directory without a page of its own (and the "more tables" of
//! those with one): every CSV table as an HTML table, its first rows, and every chart.

use std::path::Path;

use super::html::{self, Cell, Page, Table};
use super::{ReportError, figures, files_ending, optional_summary_fields};
use crate::output::schema::ReadError;
use crate::output::schema::records::CsvFile;

/// Rows shown of a table read without knowing its format; the file itself holds the rest.
pub const MAX_ROWS: usize = 200;

/// A CSV table of the directory as an HTML table of its first [`MAX_ROWS`] rows; cells that
/// parse as numbers sort as numbers. The rows past the limit are counted, not kept.
pub fn csv_table(dir: &Path, name: &str) -> Result<Table, ReportError> {
    let path = dir.join(name);
    let mut csv = CsvFile::open(&path)?;
    let header = csv.header().to_vec();
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut total = 0usize;
    let mut fields = Vec::new();
    while csv.next_record(&mut fields)? {
        if total < MAX_ROWS {
            rows.push(fields.clone());
        }
        total += 1;
    }
    let numeric: Vec<bool> = (0..header.len())
        .map(|k| {
            !rows.is_empty()
                && rows
                    .iter()
                    .all(|r| r[k].is_empty() || r[k].parse::<f64>().is_ok())
        })
        .collect();
    let columns: Vec<(&str, bool)> = header
        .iter()
        .zip(&numeric)
        .map(|(h, &n)| (h.as_str(), n))
        .collect();
    let mut t = Table::new(name, &columns);
    for row in rows {
        t.push(
            row.into_iter()
                .enumerate()
                .map(|(k, text)| match text.parse::<f64>() {
                    Ok(v) if numeric[k] => Cell::num(text, v),
                    _ => Cell::text(text),
                })
                .collect(),
        );
    }
    if total > MAX_ROWS {
        t.note = Some(format!(
            "The first {MAX_ROWS} of {total} rows; {name} holds them all."
        ));
    }
    Ok(t)
}

/// Every CSV of the directory not in `skip`, as tables.
pub fn tables(dir: &Path, skip: &[&str]) -> Result<String, ReportError> {
    let mut h = String::new();
    for name in files_ending(dir, ".csv")? {
        if !skip.contains(&name.as_str()) {
            h.push_str(&csv_table(dir, &name)?.render());
        }
    }
    Ok(h)
}

/// The page of a directory of kind `kind`: what its summary says of where it came from,
/// every chart and every table.
pub fn page(dir: &Path, kind: &str) -> Result<String, ReportError> {
    page_with_charts(dir, kind, &[])
}

/// [`page`], with the charts given as (file, alt text, caption) first, in that order, and
/// any other chart of the directory after them with a plain caption.
pub fn page_with_charts(
    dir: &Path,
    kind: &str,
    charts: &[(String, String, String)],
) -> Result<String, ReportError> {
    let text = std::fs::read_to_string(dir.join(crate::output::schema::summary::FILE))
        .map_err(|e| ReportError::read(&dir.join("summary.json"), e))?;
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| ReadError::Garbled {
        path: dir.join("summary.json"),
        line: e.line(),
        message: e.to_string(),
    })?;
    let get = |key: &str| value.get(key).and_then(|v| v.as_str()).map(str::to_string);
    let scenario = get("scenario").unwrap_or_else(|| "Output".to_string());
    let mut page = Page::new(&scenario, &format!("influence \u{b7} {kind}"), None);
    let mut first = html::para(&format!(
        "This directory holds the output of `influence {kind}`: its tables and charts follow, \
         as written."
    ));
    if let Some(sentence) = get("sentence") {
        first.push_str(&html::para(&sentence));
    }
    page.section("answer", "What this directory holds", first);
    let charts: Vec<(&str, String, String)> = charts
        .iter()
        .map(|(name, alt, caption)| (name.as_str(), alt.clone(), caption.clone()))
        .collect();
    page.section("charts", "Charts", figures::section(dir, &charts)?);
    let tables = tables(dir, &[])?;
    if !tables.is_empty() {
        page.section("tables", "Tables", tables);
    }
    let mut facts = Vec::new();
    for (key, term) in [
        ("tool", "Tool"),
        ("version", "Version"),
        ("scenario", "Scenario"),
        ("scenario_sha256", "Scenario SHA-256"),
    ] {
        if let Some(v) = get(key) {
            facts.push((term.to_string(), v));
        }
    }
    for (key, term) in [("seed", "Master seed"), ("runs", "Runs")] {
        if let Some(v) = value.get(key).and_then(|v| v.as_u64()) {
            facts.push((term.to_string(), v.to_string()));
        }
    }
    facts.extend(optional_summary_fields(dir));
    page.section("provenance", "Provenance", html::facts(&facts));
    Ok(page.finish())
}
