//! The page of a discovery (`influence discover`): its tables and finding as the generic
//! page lists them, and its two charts with alt text that states the trajectory's ends and
//! the chosen box's limits.

use std::path::Path;

use super::{ReportError, generic, words};
use crate::output::charts::discover::{BOX_FILE, DiscoverData, TRAJECTORY_FILE};

/// Limits named in the alt text; summary.json and boxes.csv hold them all.
const NAMED: usize = 12;

fn pct(x: f64) -> String {
    words::percent(x, 0)
}

/// The two charts as (file, alt text, caption).
pub fn charts(data: &DiscoverData) -> Vec<(String, String, String)> {
    let s = &data.summary;
    let last = data.boxes.last();
    let chosen = match data.chosen() {
        Some(b) => format!(
            "The chosen box, box {}, has coverage {}, density {} and mass {}, with {} input{} restricted.",
            b.index,
            pct(b.coverage),
            pct(b.density),
            pct(b.mass),
            b.restricted,
            if b.restricted == 1 { "" } else { "s" }
        ),
        None => "No box was chosen.".to_string(),
    };
    let trajectory_alt = format!(
        "Peeling trajectory of {} boxes for \"{}\", from the full box (coverage 100%, density {}, the base rate) to the last (coverage {}, density {}). {chosen}",
        data.boxes.len(),
        s.outcome,
        pct(s.base_rate),
        last.map_or("n/a".into(), |b| pct(b.coverage)),
        last.map_or("n/a".into(), |b| pct(b.density)),
    );
    let n = |x: f64| words::number(x, 3);
    let limits: Vec<String> = s
        .limits
        .iter()
        .take(NAMED)
        .map(|l| {
            let range = s
                .inputs
                .iter()
                .find(|i| i.name == l.input)
                .map(|i| format!(" of its range {} to {}", n(i.low), n(i.high)))
                .unwrap_or_default();
            format!("{} from {} to {}{range}", l.input, n(l.low), n(l.high))
        })
        .collect();
    let more = if s.limits.len() > NAMED {
        format!(" and {} more", s.limits.len() - NAMED)
    } else {
        String::new()
    };
    let box_alt = if limits.is_empty() {
        "The chosen box restricts no input.".to_string()
    } else {
        format!(
            "The chosen box restricts {}: {}{more}.",
            if s.limits.len() == 1 {
                "one input".to_string()
            } else {
                format!("{} inputs", s.limits.len())
            },
            limits.join("; ")
        )
    };
    vec![
        (
            TRAJECTORY_FILE.to_string(),
            trajectory_alt,
            "The peeling trajectory: each point is a box of input values, peeled from the one to its right by cutting 5% of the remaining runs off one end of one input. Further left, the box keeps fewer of the runs where the outcome holds (coverage); higher up, more of its runs are such runs (density). The chosen box is the densest that keeps at least half of them.".to_string(),
        ),
        (
            BOX_FILE.to_string(),
            box_alt,
            "The chosen box: for each input it restricts, the box's limits (orange) inside the input's whole range (grey), with the input's nominal value marked. Runs with every input inside its limits are where the outcome is most frequent.".to_string(),
        ),
    ]
}

/// The page of the discovery in `dir`.
pub fn page(dir: &Path, kind: &str) -> Result<String, ReportError> {
    let data = DiscoverData::read(dir).map_err(|e| ReportError::Data(Box::new(e)))?;
    generic::page_with_charts(dir, kind, &charts(&data))
}
