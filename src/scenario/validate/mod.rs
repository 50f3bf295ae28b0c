//! Stage two of loading: the raw file becomes a checked [`Scenario`], or a list of
//! diagnostics.
//!
//! The checks run over the whole file and collect every problem they find, so a user fixes a
//! file in one round instead of one error per run. A check that fails yields `None` for its
//! part and leaves a diagnostic behind; the scenario is assembled only when no diagnostic
//! was left. Parts that depend on a failed part (events on an unknown horizon, say) are
//! skipped rather than reported twice.
//!
//! This module holds the entry points, the checker that collects diagnostics and the
//! assembly of the whole file; each part of the format is checked in its own submodule.

mod actors;
mod condition;
mod events;
mod header;
mod inputs;
mod kinds;
mod observed;
mod outcomes;
mod spelling;
#[cfg(test)]
mod test_support;
mod timing;
mod values;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::diagnostic::line_column;
use super::kinds::KindCoefficients;
use super::raw::{self, RawFile};
use super::{Diagnostic, Scenario, ScenarioError};

pub use actors::MAX_ACTORS;
pub use header::MAX_STEPS;
pub(crate) use spelling::suggest;

/// Reads and checks the scenario file at `path`; messages name the path as given.
pub fn load_scenario(path: &Path) -> Result<Scenario, ScenarioError> {
    super::ScenarioSource::from_path(path)?.parse()
}

/// Checks scenario `text`; `origin` is the file name shown in messages.
pub fn parse_scenario(text: &str, origin: &str) -> Result<Scenario, ScenarioError> {
    let raw = raw::parse(text)
        .map_err(|err| ScenarioError::Invalid(vec![toml_diagnostic(text, origin, &err)]))?;
    let mut checker = Checker {
        text,
        origin,
        diagnostics: Vec::new(),
        unreported: 0,
        suggestions: SUGGESTIONS,
        found: Vec::new(),
    };
    let scenario = checker.file(&raw);
    // Checks run table by table; the reader goes top to bottom.
    checker.diagnostics.sort_by_key(|d| d.span.start);
    match scenario {
        Some(scenario) if checker.diagnostics.is_empty() => Ok(scenario),
        _ => {
            if checker.diagnostics.is_empty() {
                // Every failing check leaves a diagnostic; this keeps a missed one from
                // turning into an error with nothing to show.
                checker.push(0..0, "the scenario could not be checked", "", None);
            }
            if checker.unreported > 0 {
                let total = checker.diagnostics.len() + checker.unreported;
                Err(ScenarioError::TooMany {
                    shown: checker.diagnostics,
                    total,
                })
            } else {
                Err(ScenarioError::Invalid(checker.diagnostics))
            }
        }
    }
}

/// Turns toml's syntax, type or unknown-key error into a diagnostic, keeping toml's own
/// message and adding a hint where one helps. A whole number that is not one (`1e20`, `2.5`)
/// or does not fit (`100000000000000000000`) is said in the file's terms: serde's wording
/// names the Rust types it tried (`i64`, `i128`), which mean nothing to whoever wrote it.
fn toml_diagnostic(text: &str, origin: &str, err: &toml::de::Error) -> Diagnostic {
    let message = err.message().trim_end();
    let span = err.span().unwrap_or(0..0);
    if message.contains("expected i64") {
        let written = text.get(span.clone()).unwrap_or("").trim();
        let whole = written.replace('_', "");
        let too_large = message.contains(" as i128")
            || whole
                .parse::<f64>()
                .is_ok_and(|x| x.is_finite() && x.abs() > i64::MAX as f64);
        let (message, help) = if too_large {
            (
                format!("{written} is too large for a whole number here"),
                "whole numbers in a scenario lie between -9223372036854775808 and \
                 9223372036854775807 (2^63 - 1); counts and steps must also be at least 0",
            )
        } else {
            (
                format!("expected a whole number, found {written}"),
                "this key takes a whole number, written without quotes, decimal point or exponent",
            )
        };
        return Diagnostic::new(text, origin, span, message).with_help(text, help);
    }
    let mut diagnostic = Diagnostic::new(text, origin, span, message);
    let help = if message.starts_with("unknown field") {
        // serde's message is "unknown field `x`, expected one of `a`, `b`, ...": the
        // backticked words are the unknown key followed by the known ones.
        let words: Vec<&str> = message.split('`').skip(1).step_by(2).collect();
        match words.split_first() {
            Some((unknown, known)) => {
                suggest(unknown, known.iter().copied()).map(|s| format!("did you mean `{s}`?"))
            }
            None => None,
        }
    } else if message.contains("expected f64") {
        Some("this key takes a number, written without quotes".into())
    } else {
        None
    };
    if let Some(help) = help {
        diagnostic = diagnostic.with_help(text, help);
    }
    diagnostic
}

/// What every part of the file may refer to, gathered before the parts that refer to it.
struct Names {
    actors: Vec<String>,
    index: HashMap<String, usize>,
    kinds: BTreeMap<String, KindCoefficients>,
    /// Names of `[[actor]]` tables that failed a check of their own: a reference to one is
    /// not reported again as an unknown actor, which would bury the one real problem.
    rejected: HashSet<String>,
    /// `None` when `steps` itself is missing or invalid: checks against the horizon are then
    /// skipped, since they would only repeat that error.
    steps: Option<usize>,
}

/// The most problems described in one report; the rest are counted. Describing one costs
/// far more than finding it (a suggestion compares names, the rendering reads lines), so a
/// file of thousands of problems would take long to report and bury the first ones.
pub const MAX_DIAGNOSTICS: usize = 100;

/// The cells of distance tables all the suggestions for actor and kind names fill together,
/// four single suggestions' worth: a scenario of thousands of long names and a hundred
/// misspellings of them would otherwise spend seconds suggesting.
const SUGGESTIONS: usize = 4 * spelling::BUDGET;

struct Checker<'a> {
    text: &'a str,
    origin: &'a str,
    diagnostics: Vec<Diagnostic>,
    /// Problems found after [`MAX_DIAGNOSTICS`] were described.
    unreported: usize,
    /// What is left of [`SUGGESTIONS`].
    suggestions: usize,
    /// Distributions found so far, in the order the checks met them.
    found: Vec<inputs::Found>,
}

impl Checker<'_> {
    /// Records an error; an empty label means none.
    fn push(
        &mut self,
        span: Range<usize>,
        message: impl Into<String>,
        label: &str,
        help: Option<String>,
    ) {
        self.record(|text, origin| {
            let mut diagnostic = Diagnostic::new(text, origin, span, message);
            if !label.is_empty() {
                diagnostic = diagnostic.with_label(text, label);
            }
            if let Some(help) = help {
                diagnostic = diagnostic.with_help(text, help);
            }
            diagnostic
        });
    }

    /// Whether the report already holds [`MAX_DIAGNOSTICS`] problems, so that a check can
    /// skip the work of describing one (a suggestion, say) that would not be shown.
    fn full(&self) -> bool {
        self.diagnostics.len() >= MAX_DIAGNOSTICS
    }

    /// Records a problem made by `make` from the text and its origin, or only counts it when
    /// the report is full.
    fn record(&mut self, make: impl FnOnce(&str, &str) -> Diagnostic) {
        if self.full() {
            self.unreported += 1;
        } else {
            let diagnostic = make(self.text, self.origin);
            self.diagnostics.push(diagnostic);
        }
    }

    /// Records a duplicate: the error sits on the second occurrence, which also names the
    /// line of the first, and the first is shown as well.
    fn push_duplicate(
        &mut self,
        what: &str,
        name: &str,
        second: Range<usize>,
        first: Range<usize>,
    ) {
        let line = self.line(first.start);
        self.record(|text, origin| {
            Diagnostic::new(
                text,
                origin,
                second,
                format!("duplicate {what} {name:?} (first on line {line})"),
            )
            .with_label(text, "used again here")
            .with_related(text, first, "first used here")
        });
    }

    fn line(&self, offset: usize) -> usize {
        line_column(self.text, offset).0
    }

    /// The value as the user wrote it, for "found ..." in messages.
    fn written(&self, span: Range<usize>) -> &str {
        self.text.get(span).unwrap_or("").trim()
    }

    /// Where a problem with the file as a whole is shown: the first line that is neither
    /// blank nor a comment.
    fn top(&self) -> Range<usize> {
        let mut offset = 0;
        for line in self.text.split_inclusive('\n') {
            let trimmed = line.trim_start();
            if !trimmed.is_empty() && !trimmed.starts_with('#') {
                let start = offset + (line.len() - trimmed.len());
                return start..start;
            }
            offset += line.len();
        }
        0..0
    }

    fn file(&mut self, raw: &RawFile) -> Option<Scenario> {
        let header = self.scenario_table(raw);
        let model = self.model(raw.model.as_ref());
        let defaults = model.clone().unwrap_or_default();
        let actors = self.actors(raw, &header, &defaults);
        let steps = header.as_ref().and_then(|h| h.steps);
        let kinds = self.kinds(&raw.kinds);
        let index: HashMap<String, usize> = actors
            .iter()
            .enumerate()
            .map(|(i, a)| (a.name.clone(), i))
            .collect();
        let rejected = raw
            .actor
            .iter()
            .filter_map(|t| t.get_ref().name.as_ref())
            .map(|n| n.get_ref())
            .filter(|n| !index.contains_key(n.as_str()))
            .cloned()
            .collect();
        let names = Names {
            index,
            actors: actors.iter().map(|a| a.name.clone()).collect(),
            kinds,
            rejected,
            steps,
        };
        let matrices = self.relations(&raw.relation, &names, &defaults);
        let events = self.events(&raw.event, &names);
        let outcomes = self.outcomes(&raw.outcome, &names);
        let observations = self.observed(&raw.observed, &names);
        let inputs = self.resolve_inputs(
            raw,
            names.actors.len(),
            matrices.as_ref().map(|m| m.reach_given.as_slice()),
        );

        let header = header?;
        let matrices = matrices?;
        Some(Scenario {
            name: header.name?,
            description: header.description,
            steps: header.steps?,
            step_unit: header.step_unit,
            start: header.start?,
            runs: header.runs?,
            seed: header.seed?,
            axis: header::axis(raw.axis.as_ref()),
            model: model?,
            actors,
            trust0: matrices.trust0,
            reach: matrices.reach,
            events: events?,
            outcomes: outcomes?,
            inputs: inputs?,
            observations: observations?,
            sha256: sha256_hex(self.text),
        })
    }
}

fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::test_support::{TWO, errors, parse, with};
    use super::*;
    use crate::scenario::{ActorKind, Effect, EventEffect, Metric, ModelParams, Op, Timing, When};

    const DOC: &str = include_str!("../../../docs/scenario-format.md");

    /// The ```toml blocks of the format page, so the page cannot drift from the parser.
    fn doc_examples() -> Vec<String> {
        let mut blocks = Vec::new();
        let mut current: Option<String> = None;
        for line in DOC.lines() {
            match (&mut current, line.trim()) {
                (None, "```toml") => current = Some(String::new()),
                (Some(block), "```") => {
                    blocks.push(std::mem::take(block));
                    current = None;
                }
                (Some(block), _) => {
                    block.push_str(line);
                    block.push('\n');
                }
                (None, _) => {}
            }
        }
        blocks
    }

    #[test]
    fn the_documented_example_parses() {
        let blocks = doc_examples();
        assert!(
            !blocks.is_empty(),
            "docs/scenario-format.md has no toml example"
        );
        for block in &blocks {
            parse(block);
        }
        let s = parse(&blocks[0]);
        assert_eq!(s.name, "South Caucasus, illustrative");
        assert_eq!((s.steps, s.runs, s.seed), (26, 2000, 7));
        assert_eq!(s.step_unit, "week");
        assert_eq!(s.start.as_deref(), Some("2025-05-05"));
        assert_eq!(s.axis.positive, "West-aligned");
        assert_eq!(s.model.event_noise, 0.25);
        assert_eq!(s.model.balance, ModelParams::default().balance);
        assert_eq!(s.n(), 4);
        assert_eq!(s.actors[2].self_weight, 2.0);
        assert_eq!(s.events.len(), 4);
        assert_eq!(s.outcomes.len(), 3);
        assert_eq!(s.outcomes[2].when, When::Window { from: 13, to: 26 });
        let pressure = &s.events[2];
        assert_eq!(pressure.id, "pressure");
        assert_eq!(pressure.label, "Russian pressure on Yerevan");
        match &pressure.timing {
            Timing::Trigger {
                condition,
                once,
                from,
                until,
                ..
            } => {
                assert!(*once);
                assert_eq!((*from, *until), (0, 25));
                assert_eq!(condition.metric, Metric::Alignment);
                assert_eq!(condition.op, Op::Gt);
                assert_eq!(condition.other, None);
            }
            other => panic!("expected a trigger, got {other:?}"),
        }
        let treaty = &s.events[3];
        assert_eq!(treaty.id, "custom@20");
        assert_eq!(treaty.label, "Peace treaty signed");
        assert_eq!(treaty.actor, None);
        assert_eq!(
            treaty.effect,
            EventEffect::Custom(vec![
                Effect::Trust {
                    from: 0,
                    to: 1,
                    delta: 0.3
                },
                Effect::Trust {
                    from: 1,
                    to: 0,
                    delta: 0.3
                },
                Effect::Power {
                    actor: 0,
                    delta: 0.02
                },
            ])
        );
        assert_eq!(
            s.events[1].timing,
            Timing::Hazard {
                rate: 0.05,
                from: 0,
                until: 25
            }
        );
    }

    #[test]
    fn defaults_fill_in() {
        let s = parse(TWO);
        assert_eq!((s.runs, s.seed), (1000, 1));
        assert_eq!(s.step_unit, "step");
        assert_eq!(s.start, None);
        assert_eq!(s.description, None);
        assert_eq!(s.model, ModelParams::default());
        assert_eq!(s.axis.negative, "negative pole");
        assert_eq!(s.axis.positive, "positive pole");
        assert_eq!(s.actors[0].kind, ActorKind::State);
        assert_eq!(s.actors[0].self_weight, 1.0);
        assert_eq!(s.trust0, vec![0.0; 4]);
        assert_eq!(s.reach, vec![0.0, 0.5, 0.5, 0.0]);
        assert!(s.events.is_empty() && s.outcomes.is_empty());
        let expected: String = Sha256::digest(TWO.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(s.sha256, expected);
        assert_eq!(s.sha256.len(), 64);
    }

    /// An actor with a bad number is one problem: the relations, events and outcomes that
    /// name it are not reported again as naming an unknown actor.
    #[test]
    fn an_actor_with_a_bad_value_is_not_also_unknown_where_it_is_named() {
        let text = TWO.replace("stubbornness = 0.2", "stubbornness = 7")
            + r#"
[[relation]]
between = ["A", "B"]
trust = 0.2

[[event]]
kind = "visit"
actor = "A"
target = "B"
step = 4

[[outcome]]
name = "x"
metric = "alignment"
actor = "A"
op = ">"
value = 0
"#;
        let d = errors(&text);
        let messages: Vec<&str> = d.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            messages,
            ["stubbornness must be in [0, 1], found 7"],
            "{messages:#?}"
        );
        // A name no table has is still unknown.
        let d = errors(&text.replace("between = [\"A\", \"B\"]", "between = [\"A\", \"C\"]"));
        assert_eq!(d.len(), 2, "{d:#?}");
        assert!(d[1].message.starts_with("unknown actor \"C\""), "{d:#?}");
    }

    #[test]
    fn every_semantic_error_is_reported_at_once() {
        let d = errors(&with(
            r#"
[[relation]]
between = ["A", "C"]
trust = 2

[[event]]
kind = "visti"
actor = "A"
target = "B"
step = 40

[[outcome]]
name = "x"
metric = "trust"
actor = "A"
op = ">"
value = 0
"#,
        ));
        let messages: Vec<&str> = d.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(messages.len(), 5, "{messages:#?}");
        assert!(messages[0].starts_with("unknown actor \"C\""));
        assert_eq!(messages[1], "trust must be in [-1, 1], found 2");
        assert_eq!(messages[2], "unknown kind \"visti\"");
        assert!(messages[3].starts_with("event at step 40 is past the horizon"));
        assert!(messages[4].starts_with("a trust [[outcome]] needs `other`"));
    }

    #[test]
    fn unknown_keys_get_a_suggestion_from_serde_list() {
        let d = errors(&TWO.replace("stubbornness = 0.2", "stubornness = 0.2"));
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].help.as_deref(), Some("did you mean `stubbornness`?"));
        assert_eq!((d[0].line, d[0].column), (9, 1));
    }

    #[test]
    fn load_reads_a_file_and_points_at_bytes_that_are_not_text() {
        let dir = std::env::temp_dir().join(format!("influence-validate-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let good = dir.join("good.toml");
        std::fs::write(&good, TWO).unwrap_or_else(|e| panic!("{e}"));
        let loaded = load_scenario(&good).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(loaded, parse(TWO));

        let bad = dir.join("bad.toml");
        let mut bytes = b"[scenario]\nname = \"".to_vec();
        bytes.extend_from_slice(&[0xff, b'"', b'\n']);
        std::fs::write(&bad, &bytes).unwrap_or_else(|e| panic!("{e}"));
        let err = match load_scenario(&bad) {
            Ok(_) => panic!("loaded a file that is not UTF-8"),
            Err(err) => err,
        };
        assert!(err.is_bad_input());
        let d = &err.diagnostics()[0];
        assert_eq!((d.line, d.column), (2, 9));
        assert!(d.origin.ends_with("bad.toml"));
        std::fs::remove_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    }
}
