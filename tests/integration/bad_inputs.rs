//! Every file in tests/bad is a small scenario with one mistake. Its first two lines say what
//! the rendered error must contain and where it must point:
//!
//! ```text
//! # expect: <fragment of the rendered message>
//! # at: <line>:<column>
//! ```

use std::fs;
use std::path::Path;

use crate::common::cli::repo;
use influence::scenario::{ScenarioError, parse_scenario};

const MIN_CASES: usize = 20;

struct Case {
    origin: String,
    text: String,
    expect: String,
    at: String,
}

fn cases() -> Vec<Case> {
    let dir = repo("tests/bad");
    let mut paths: Vec<_> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let name = path
                .file_name()
                .expect("file name")
                .to_string_lossy()
                .into_owned();
            let origin = format!("tests/bad/{name}");
            let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{origin}: {e}"));
            let header = |prefix: &str, line: Option<&str>| -> String {
                line.and_then(|l| l.strip_prefix(prefix))
                    .map(|v| v.trim().to_string())
                    .unwrap_or_else(|| panic!("{origin}: missing `{prefix}` header line"))
            };
            let mut lines = text.lines();
            let expect = header("# expect:", lines.next());
            let at = header("# at:", lines.next());
            Case {
                origin,
                text,
                expect,
                at,
            }
        })
        .collect()
}

fn rendered_error(text: &str, origin: &str) -> ScenarioError {
    match parse_scenario(text, origin) {
        Ok(_) => panic!("{origin}: parsed, but it should have been refused"),
        Err(err) => err,
    }
}

#[test]
fn every_bad_input_is_refused_with_its_message_and_location() {
    let cases = cases();
    assert!(
        cases.len() >= MIN_CASES,
        "tests/bad holds {} cases, expected at least {MIN_CASES}",
        cases.len()
    );
    let mut failures = Vec::new();
    for case in &cases {
        let err = rendered_error(&case.text, &case.origin);
        let shown = err.to_string();
        if !err.is_bad_input() {
            failures.push(format!(
                "{}: not reported as bad input:\n{shown}",
                case.origin
            ));
            continue;
        }
        if !shown.contains(&case.expect) {
            failures.push(format!(
                "{}: message lacks {:?}:\n{shown}",
                case.origin, case.expect
            ));
        }
        let location = format!("{}:{}", case.origin, case.at);
        if !shown.contains(&location) {
            failures.push(format!(
                "{}: message lacks {location}:\n{shown}",
                case.origin
            ));
        }
        // The first diagnostic is the one the case is about; its fields must agree with
        // what it renders.
        let first = &err.diagnostics()[0];
        let fields = format!("{}:{}:{}", first.origin, first.line, first.column);
        if !first.rendered().contains(&fields) {
            failures.push(format!(
                "{}: fields say {fields}, rendering says:\n{}",
                case.origin,
                first.rendered()
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
}

#[test]
fn one_mistake_makes_one_diagnostic() {
    for case in cases() {
        let err = rendered_error(&case.text, &case.origin);
        assert_eq!(
            err.diagnostics().len(),
            1,
            "{}: expected exactly one diagnostic:\n{err}",
            case.origin
        );
    }
}

/// Messages speak of the file, not of the Rust types that read it.
#[test]
fn no_message_names_an_integer_type() {
    for case in cases() {
        let shown = rendered_error(&case.text, &case.origin).to_string();
        for word in ["i128", "i64", "u64"] {
            assert!(
                !shown.contains(word),
                "{}: names {word}:\n{shown}",
                case.origin
            );
        }
    }
}

/// The full text of one semantic error, so that a change of format shows in review.
#[test]
fn unknown_actor_renders_in_full() {
    let case = cases()
        .into_iter()
        .find(|c| c.origin.ends_with("/unknown_actor.toml"))
        .expect("tests/bad/unknown_actor.toml");
    let shown = rendered_error(&case.text, &case.origin).to_string();
    let expected = r#"error: unknown actor "Azerbaijn"
  --> tests/bad/unknown_actor.toml:29:10
   |
29 | target = "Azerbaijn"
   |          ^^^^^^^^^^^ no [[actor]] has this name
   |
   = help: did you mean "Azerbaijan"?"#;
    assert_eq!(shown, expected, "\n{shown}");
}

/// The full text of a duplicate, which shows both places.
#[test]
fn duplicate_actor_renders_both_places() {
    let case = cases()
        .into_iter()
        .find(|c| c.origin.ends_with("/duplicate_actor.toml"))
        .expect("tests/bad/duplicate_actor.toml");
    let shown = rendered_error(&case.text, &case.origin).to_string();
    let expected = r#"error: duplicate actor "Armenia" (first on line 9)
  --> tests/bad/duplicate_actor.toml:27:8
   |
 9 | name = "Armenia"
   |        --------- first used here
...
27 | name = "Armenia"
   |        ^^^^^^^^^ used again here"#;
    assert_eq!(shown, expected, "\n{shown}");
}

/// The full text of a TOML syntax error, which keeps toml's own message.
#[test]
fn syntax_error_renders_in_full() {
    let text = "[scenario]\nname = \"South Caucasus\nsteps = 3\n";
    let shown = rendered_error(text, "inline.toml").to_string();
    let expected = r#"error: invalid basic string, expected `"`
 --> inline.toml:2:23
  |
2 | name = "South Caucasus
  |                       ^"#;
    assert_eq!(shown, expected, "\n{shown}");
}

/// Several problems in one file are all shown, each rendered, with a count at the end.
#[test]
fn several_problems_are_all_rendered() {
    let text = r#"[scenario]
name = "x"
steps = 10

[[actor]]
name = "A"
alignment = 2
stubbornness = -1
power = 0.5
"#;
    let shown = rendered_error(text, "many.toml").to_string();
    assert!(
        shown.contains("alignment must be in [-1, 1], found 2"),
        "{shown}"
    );
    assert!(
        shown.contains("stubbornness must be in [0, 1], found -1"),
        "{shown}"
    );
    assert!(shown.contains("many.toml:7:13"), "{shown}");
    assert!(shown.contains("many.toml:8:16"), "{shown}");
    assert!(
        shown.ends_with("error: 2 problems in this scenario"),
        "{shown}"
    );
}

#[test]
fn a_missing_file_is_a_read_error_not_bad_input() {
    let err = match influence::scenario::load_scenario(Path::new("tests/bad/no_such_file.toml")) {
        Ok(_) => panic!("loaded a file that does not exist"),
        Err(err) => err,
    };
    assert!(!err.is_bad_input());
    assert!(
        err.to_string()
            .starts_with("cannot read tests/bad/no_such_file.toml"),
        "{err}"
    );
}

/// The full text of a duplicate input name: both places, and how to tell them apart.
#[test]
fn duplicate_input_name_renders_both_places() {
    let case = cases()
        .into_iter()
        .find(|c| c.origin.ends_with("/distribution_duplicate_name.toml"))
        .expect("tests/bad/distribution_duplicate_name.toml");
    let shown = rendered_error(&case.text, &case.origin).to_string();
    let expected = r#"error: duplicate input name "drift" (first on line 10)
  --> tests/bad/distribution_duplicate_name.toml:16:46
   |
10 | alignment = { low = 0, high = 0.4, name = "drift" }
   |                                           ------- first used here
...
16 | alignment = { low = -0.1, high = 0.3, name = "drift" }
   |                                              ^^^^^^^ used again here
   |
   = help: every input needs its own name: rename one of them"#;
    assert_eq!(shown, expected, "\n{shown}");
}

/// The full text of a distribution where a count stands.
#[test]
fn distribution_for_a_count_renders_in_full() {
    let case = cases()
        .into_iter()
        .find(|c| c.origin.ends_with("/distribution_for_steps.toml"))
        .expect("tests/bad/distribution_for_steps.toml");
    let shown = rendered_error(&case.text, &case.origin).to_string();
    let expected = r#"error: `steps` cannot be a distribution: it takes one whole number
 --> tests/bad/distribution_for_steps.toml:5:9
  |
5 | steps = { low = 20, high = 30 }
  |         ^^^^^^^^^^^^^^^^^^^^^^^ only a fixed value may stand here
  |
  = help: counts, steps and switches are fixed; only real-valued numbers (alignment, trust, probability, ...) may be uncertain"#;
    assert_eq!(shown, expected, "\n{shown}");
}
