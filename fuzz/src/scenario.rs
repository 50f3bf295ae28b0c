//! Fuzz target: arbitrary bytes as a scenario file, read, checked and reported exactly as
//! `influence validate FILE` does it: the size and UTF-8 checks of reading a file, the
//! checker, the rendering of every diagnostic (file:line:col, the line, the caret) and,
//! for a scenario that checks, the memory and disk estimate. Any panic is a finding, and so
//! is a diagnostic that points outside the text, since its caret would underline nothing.

use std::path::Path;

use influence::montecarlo::estimate::estimate;
use influence::scenario::validate::MAX_DIAGNOSTICS;
use influence::scenario::{ScenarioError, ScenarioSource};

fn check(data: &[u8]) {
    let read = ScenarioSource::from_bytes(data.to_vec(), Path::new("fuzz.toml"));
    let result = read.and_then(|source| source.parse());
    match result {
        Ok(scenario) => {
            let _ = estimate(&scenario, scenario.runs, 2);
        }
        Err(err @ ScenarioError::Read { .. }) => panic!("a read error from bytes: {err}"),
        Err(err) => {
            // A file that is not UTF-8 is reported against its lossy copy, which equals the
            // text itself whenever the text is valid.
            let text = String::from_utf8_lossy(data);
            let lines = text.split('\n').count();
            assert!(!err.diagnostics().is_empty(), "an error with no diagnostic");
            assert!(err.diagnostics().len() <= MAX_DIAGNOSTICS);
            for d in err.diagnostics() {
                assert!(
                    (1..=lines).contains(&d.line),
                    "line {} of {lines}: {}",
                    d.line,
                    d.message
                );
                assert!(d.span.start <= d.span.end && d.span.end <= text.len());
                assert!(text.is_char_boundary(d.span.start) && text.is_char_boundary(d.span.end));
                let line_text = text.split('\n').nth(d.line - 1).unwrap_or("");
                assert!(
                    d.column >= 1 && d.column <= line_text.chars().count() + 1,
                    "column {} past line {}: {}",
                    d.column,
                    d.line,
                    d.message
                );
            }
            let rendered = err.to_string();
            assert!(
                rendered.contains("fuzz.toml"),
                "no file name in:\n{rendered}"
            );
        }
    }
}

fn main() {
    afl::fuzz!(|data: &[u8]| {
        check(data);
    });
}
