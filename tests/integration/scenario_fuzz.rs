//! The scenario reader never panics, whatever it is given: arbitrary text, TOML built from
//! the scenario's own tables and keys with hostile values, and the default scenario with a
//! random piece cut out or replaced. It returns a scenario, or diagnostics that point inside
//! the text (a line and column that exist, a span on character boundaries).

use influence::scenario::validate::{MAX_ACTORS, MAX_DIAGNOSTICS};
use influence::scenario::{ScenarioError, parse_scenario};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

use crate::common::cli::{read, repo};

const TABLES: [&str; 9] = [
    "[scenario]",
    "[model]",
    "[axis]",
    "[[actor]]",
    "[[relation]]",
    "[[event]]",
    "[[outcome]]",
    "[kinds.custom]",
    "[[input]]",
];

const KEYS: [&str; 40] = [
    "name",
    "steps",
    "step_unit",
    "runs",
    "seed",
    "start",
    "description",
    "actor",
    "target",
    "alignment",
    "stubbornness",
    "power",
    "trust",
    "trust_ab",
    "trust_ba",
    "reach",
    "reach_ab",
    "reach_ba",
    "between",
    "kind",
    "label",
    "id",
    "step",
    "every",
    "from",
    "once",
    "hazard",
    "probability",
    "intensity",
    "trigger",
    "metric",
    "op",
    "value",
    "other",
    "when",
    "self_weight",
    "trust_memory",
    "threat_decay",
    "negative",
    "positive",
];

/// Values of every TOML type, with the edges that break careless code.
fn value() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        any::<i64>().prop_map(|i| i.to_string()),
        any::<f64>().prop_map(|x| format!("{x:?}")),
        Just("nan".to_string()),
        Just("-inf".to_string()),
        Just("1e400".to_string()),
        Just("18446744073709551616".to_string()),
        Just("true".to_string()),
        Just("1979-05-27".to_string()),
        "[a-zA-Z ]{0,12}".prop_map(|s| format!("{s:?}")),
        Just("\"Armenia\"".to_string()),
        Just("\"Russia\"".to_string()),
        Just("\"\\u001B[31mred\"".to_string()),
        Just("\"\"".to_string()),
        Just("\">\"".to_string()),
        Just("\"end\"".to_string()),
        Just("\"alignment\"".to_string()),
        Just("\"visit\"".to_string()),
    ];
    leaf.prop_recursive(2, 8, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(|v| format!("[{}]", v.join(", "))),
            prop::collection::vec((prop::sample::select(&KEYS[..]), inner), 0..3).prop_map(|v| {
                let fields: Vec<String> = v.iter().map(|(k, x)| format!("{k} = {x}")).collect();
                format!("{{ {} }}", fields.join(", "))
            }),
        ]
    })
}

/// A document of table headers and `key = value` lines in any order.
fn toml_shaped() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        1 => prop::sample::select(&TABLES[..]).prop_map(String::from),
        4 => (prop::sample::select(&KEYS[..]), value()).prop_map(|(k, v)| format!("{k} = {v}")),
    ];
    prop::collection::vec(line, 0..40).prop_map(|lines| lines.join("\n"))
}

/// The default scenario with bytes `cut` (as fractions of its length) replaced by `with`.
fn mutated() -> impl Strategy<Value = String> {
    (
        0.0..1.0f64,
        0.0..0.05f64,
        "\\PC{0,8}|[\\[\\]=\"{}., 0-9\\n]{0,8}",
    )
        .prop_map(|(at, len, with)| {
            let text = read(&repo("scenarios/south_caucasus.toml"));
            let n = text.len();
            let mut start = (at * n as f64) as usize;
            let mut end = (start + (len * n as f64) as usize).min(n);
            while !text.is_char_boundary(start) {
                start -= 1;
            }
            while !text.is_char_boundary(end) {
                end += 1;
            }
            format!("{}{with}{}", &text[..start], &text[end..])
        })
}

/// The reader's answer is a scenario or diagnostics that point inside `text`.
fn check(text: &str) -> Result<(), TestCaseError> {
    match parse_scenario(text, "fuzz.toml") {
        Ok(_) => Ok(()),
        Err(ScenarioError::Read { .. }) => Err(TestCaseError::fail("a read error from text")),
        Err(err) => {
            let lines = text.split('\n').count();
            prop_assert!(!err.diagnostics().is_empty());
            for d in err.diagnostics() {
                prop_assert!(
                    d.line >= 1 && d.line <= lines,
                    "line {} of {lines}: {}",
                    d.line,
                    d.message
                );
                prop_assert!(d.column >= 1, "column {}", d.column);
                prop_assert!(d.span.start <= d.span.end && d.span.end <= text.len());
                prop_assert!(text.is_char_boundary(d.span.start));
                prop_assert!(text.is_char_boundary(d.span.end));
                let line_text = text.split('\n').nth(d.line - 1).unwrap_or("");
                prop_assert!(
                    d.column <= line_text.chars().count() + 1,
                    "column {} past line {} ({:?}): {}",
                    d.column,
                    d.line,
                    line_text,
                    d.message
                );
            }
            // Rendering is part of reading: it must not panic either.
            let _ = err.to_string();
            Ok(())
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 256,
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions"
        ))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}|(?s).{0,200}") {
        check(&text)?;
    }

    #[test]
    fn toml_shaped_text_never_panics(text in toml_shaped()) {
        check(&text)?;
    }

    #[test]
    fn a_damaged_default_scenario_never_panics(text in mutated()) {
        check(&text)?;
    }
}

/// `count` actor tables; each has a stubbornness of 7, out of range, when `bad`.
fn actors(count: usize, bad: bool) -> String {
    let stubbornness = if bad { 7 } else { 0 };
    let mut text = String::from("[scenario]\nname = \"x\"\nsteps = 10\n");
    for i in 0..count {
        text.push_str(&format!(
            "[[actor]]\nname = \"a{i}\"\nalignment = 0\nstubbornness = {stubbornness}\npower = 0\n"
        ));
    }
    text
}

/// A file with thousands of problems is described up to a hundred of them and counted in
/// full. Describing every one made a 600 KB file of 10,000 problems take minutes: each
/// rendering read the whole file.
#[test]
fn thousands_of_problems_are_counted_and_the_first_described() {
    let text = actors(4000, true);
    let err = parse_scenario(&text, "many.toml").expect_err("out of range");
    assert_eq!(err.diagnostics().len(), MAX_DIAGNOSTICS);
    assert!(matches!(err, ScenarioError::TooMany { total: 4000, .. }));
    let rendered = err.to_string();
    assert!(
        rendered.ends_with("error: 4000 problems in this scenario; the first 100 found are shown"),
        "{}",
        &rendered[rendered.len().saturating_sub(300)..]
    );
    assert!(
        rendered.contains("many.toml:7:"),
        "the first problem is shown"
    );
    // A hundred problems are all shown, without the note.
    let err = parse_scenario(&actors(100, true), "f.toml").expect_err("out of range");
    assert!(matches!(err, ScenarioError::Invalid(ref d) if d.len() == 100));
    assert!(
        err.to_string()
            .ends_with("error: 100 problems in this scenario")
    );
}

/// More actors than a scenario may have is one problem, found before the n × n matrices
/// are made: 20,000 short actor tables (a 1 MB file) asked for 6 GB.
#[test]
fn too_many_actors_is_refused_before_the_matrices_are_made() {
    let text = actors(MAX_ACTORS + 1, false);
    let err = parse_scenario(&text, "big.toml").expect_err("too many actors");
    assert_eq!(err.diagnostics().len(), 1, "{err}");
    let d = &err.diagnostics()[0];
    assert_eq!(
        d.message,
        format!("a scenario may hold at most {MAX_ACTORS} actors; this file has 5001")
    );
    assert_eq!(d.line, 4 + 5 * MAX_ACTORS, "on the first actor too many");
    // As many as allowed is fine.
    let text = actors(MAX_ACTORS, false);
    assert!(parse_scenario(&text, "big.toml").is_ok());
}

/// Thousands of unknown actors among long names: suggestions and lists of names stay
/// bounded. Comparing each with every name took minutes for a 1 MB file.
#[test]
fn unknown_actors_among_many_long_names_are_reported_quickly() {
    let mut text = String::from("[scenario]\nname = \"x\"\nsteps = 10\n");
    for i in 0..200 {
        text.push_str(&format!(
            "[[actor]]\nname = \"N{i:03}{}\"\nalignment = 0\nstubbornness = 0\npower = 0\n",
            "x".repeat(196)
        ));
    }
    for i in 0..3000 {
        text.push_str(&format!(
            "[[event]]\nkind = \"visit\"\nactor = \"{}{i}\"\ntarget = \"N000{}\"\nstep = 1\n",
            "q".repeat(150),
            "x".repeat(196)
        ));
    }
    let err = parse_scenario(&text, "refs.toml").expect_err("unknown actors");
    assert!(matches!(err, ScenarioError::TooMany { total: 3000, .. }));
    let first = &err.diagnostics()[0];
    let help = first.help.as_deref().unwrap_or("");
    assert!(help.starts_with("the actors are \"N000"), "{help}");
    assert!(help.ends_with(", and 180 more"), "{help}");
}
