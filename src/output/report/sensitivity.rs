//! The page of a sensitivity study (`influence sensitivity`): its tables as the generic page
//! lists them, and its charts with alt text that names, for every measure of a picture, the
//! inputs that matter most and their indices, so that a reader who cannot see the bars still
//! gets the finding.

use std::path::Path;

use super::{ReportError, generic, words};
use crate::analysis::ablation::Measure;
use crate::output::charts::sensitivity::{MeasureData, Method, Rows, SensitivityData};

/// Inputs named per measure in the alt text.
const NAMED: usize = 3;

/// What the alt text says of one measure.
fn measure_text(data: &SensitivityData, m: &MeasureData) -> String {
    let name = match m.measure {
        Measure::Outcome => format!("P({})", m.name),
        Measure::FinalAlignment => format!("{} final alignment", m.name),
    };
    if !m.has_indices() {
        return format!("{name}: does not vary over the inputs");
    }
    let n = |x: f64| words::number(x, 2);
    let parts: Vec<String> = m
        .ranked()
        .into_iter()
        .take(NAMED)
        .filter_map(|k| match &m.rows {
            Rows::Sobol(rows) => rows.get(k).map(|r| {
                format!(
                    "{} total {} (95% interval {} to {}), first order {}",
                    data.input_name(r.input),
                    n(r.total),
                    n(r.total_low),
                    n(r.total_high),
                    n(r.first)
                )
            }),
            Rows::Morris(rows) => rows.get(k).map(|r| {
                format!(
                    "{} \u{3bc}* {} (95% interval {} to {}), \u{3c3} {}",
                    data.input_name(r.input),
                    n(r.mu_star),
                    n(r.mu_star_low),
                    n(r.mu_star_high),
                    n(r.sigma)
                )
            }),
        })
        .collect();
    format!("{name}: {}", parts.join("; "))
}

/// Every page of the study's charts as (file, alt text, caption).
pub fn charts(data: &SensitivityData) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for page in data.pages() {
        let what = match page.measure {
            Measure::Outcome => "each outcome's probability",
            Measure::FinalAlignment => "each actor's final alignment",
        };
        let of = if page.of > 1 {
            format!(" (page {} of {})", page.number, page.of)
        } else {
            String::new()
        };
        let measures: Vec<String> = page
            .measures
            .iter()
            .map(|m| measure_text(data, m))
            .collect();
        let (alt, caption) = match data.method {
            Method::Sobol => (
                format!(
                    "Sobol' indices of the inputs on {what}{of}, largest total index first. {}.",
                    measures.join(". ")
                ),
                format!(
                    "Which inputs drive {what}{of}. One panel per measure, the inputs with the largest total index on top: the blue bar is the total index (the share of the measure's variance the input explains with its interactions), the orange bar the first-order index (the share it explains alone), each with its bootstrap 95% interval. A total index well above the first-order one means the input acts through interactions."
                ),
            ),
            Method::Morris => (
                format!(
                    "Morris screening of the inputs on {what}{of}, largest \u{3bc}* first. {}.",
                    measures.join(". ")
                ),
                format!(
                    "Which inputs drive {what}{of}. One point per input: further right, moving the input changes the measure more (\u{3bc}*, the mean size of its elementary effects, with its bootstrap 95% interval as a bar); higher up, those changes vary more (\u{3c3}), because the input acts non-linearly or through other inputs. Points above the dashed line \u{3c3} = \u{3bc}* act mostly that way."
                ),
            ),
        };
        out.push((page.file.clone(), alt, caption));
    }
    out
}

/// The page of the sensitivity study in `dir`.
pub fn page(dir: &Path, kind: &str) -> Result<String, ReportError> {
    let data = SensitivityData::read(dir).map_err(|e| ReportError::Data(Box::new(e)))?;
    generic::page_with_charts(dir, kind, &charts(&data))
}
