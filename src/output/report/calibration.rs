//! The page of a calibration (`influence calibrate`): its tables as the generic page lists
//! them, and its charts with alt text that states each input's posterior against its prior
//! and each observation's fit, so the page reads without the pictures.

use std::path::Path;

use super::{ReportError, generic, words};
use crate::output::charts::calibration::{
    CALIBRATION_FILE, CalibrationData, FIT_FILE, MAX_INPUTS, MAX_OBSERVATIONS, Observed, page_file,
};

fn n(x: f64) -> String {
    words::number(x, 3)
}

fn pct(x: f64) -> String {
    words::percent(x, 0)
}

/// Every page of both charts as (file, alt text, caption).
pub fn charts(data: &CalibrationData) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for (k, chunk) in data.inputs.chunks(MAX_INPUTS).enumerate() {
        let rows: Vec<String> = chunk
            .iter()
            .map(|i| {
                format!(
                    "{}: prior {} to {}, posterior median {} with 90% interval {} to {}",
                    i.name,
                    n(i.prior_low),
                    n(i.prior_high),
                    n(i.median),
                    n(i.low),
                    n(i.high)
                )
            })
            .collect();
        out.push((
            page_file(CALIBRATION_FILE, k),
            format!("Prior against posterior per input. {}.", rows.join("; ")),
            "Each input on its prior range: the prior as a light bar over the whole range, the posterior as a weighted histogram of the kept points (posterior.csv), with its median (dot) and 90% interval (line) from calibration.csv. A posterior as wide as its prior means the record says little of that input.".to_string(),
        ));
    }
    for (k, chunk) in data.fit.chunks(MAX_OBSERVATIONS).enumerate() {
        let rows: Vec<String> = chunk
            .iter()
            .map(|f| {
                let role = if f.held_out { " (held out)" } else { "" };
                match f.observed {
                    Observed::Value { value, .. } => format!(
                        "{}{role}: observed {}, prior mean {}, posterior mean {}",
                        f.name,
                        n(value),
                        n(f.prior_mean),
                        n(f.posterior_mean)
                    ),
                    Observed::Sign { positive } => format!(
                        "{}{role}: observed sign {}, right in {} of runs under the prior and {} under the posterior",
                        f.name,
                        if positive { "+" } else { "−" },
                        pct(f.prior_right_sign),
                        pct(f.posterior_right_sign)
                    ),
                }
            })
            .collect();
        out.push((
            page_file(FIT_FILE, k),
            format!("Each observation's fit. {}.", rows.join("; ")),
            "Each observation of fit.csv on its own axis: the observed value (diamond, with ±1 sd) against the prior and posterior predictive means (open and filled circle), or for an observed sign the share of runs with that sign under each, on 0–100%. Shaded rows were held out of the fit and test it.".to_string(),
        ));
    }
    out
}

/// The page of the calibration in `dir`.
pub fn page(dir: &Path, kind: &str) -> Result<String, ReportError> {
    let data = CalibrationData::read(dir).map_err(|e| ReportError::Data(Box::new(e)))?;
    generic::page_with_charts(dir, kind, &charts(&data))
}
