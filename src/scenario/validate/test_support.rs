//! Helpers shared by the unit tests of the checks: a small valid scenario to extend, and
//! parsing that expects success or failure.

use super::parse_scenario;
use crate::scenario::{Diagnostic, Scenario};

pub(super) fn parse(text: &str) -> Scenario {
    match parse_scenario(text, "test.toml") {
        Ok(s) => s,
        Err(e) => panic!("expected a valid scenario, got:\n{e}"),
    }
}

pub(super) fn errors(text: &str) -> Vec<Diagnostic> {
    match parse_scenario(text, "test.toml") {
        Ok(_) => panic!("expected an invalid scenario"),
        Err(e) => {
            assert!(e.is_bad_input());
            e.diagnostics().to_vec()
        }
    }
}

pub(super) const TWO: &str = r#"
[scenario]
name = "two"
steps = 12

[[actor]]
name = "A"
alignment = 0.5
stubbornness = 0.2
power = 0.4

[[actor]]
name = "B"
alignment = -0.5
stubbornness = 0.3
power = 0.6
"#;

pub(super) fn with(extra: &str) -> String {
    format!("{TWO}\n{extra}")
}
