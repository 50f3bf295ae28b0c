//! The event-kind tables of docs/MODEL.md and docs/scenario-format.md against the code's
//! built-in kinds: a reader calibrating a scenario reads the docs, the runs use the code, so
//! the two must not drift apart unseen.

use crate::common::cli::{read, repo};
use influence::scenario::Holder;
use influence::scenario::kinds::{BUILTIN_KINDS, BuiltinKind};

/// The columns both documents give, in their order.
const HEADER: &str = "| kind | CAMEO (Goldstein) | g | c_in | c_out | c_threat | c_power_target | c_pull | c_audience | c_third |";

/// One row of a documented table.
#[derive(Debug, PartialEq)]
struct Row {
    kind: String,
    cameo: String,
    numbers: Vec<f64>,
}

/// The docs write minus signs as U+2212; the code as ASCII.
fn ascii_minus(s: &str) -> String {
    s.replace('\u{2212}', "-")
}

/// The rows of the one table in `doc` headed by [`HEADER`].
fn table(doc: &str) -> Vec<Row> {
    let text = read(&repo(doc));
    let starts: Vec<usize> = text.match_indices(HEADER).map(|(i, _)| i).collect();
    assert_eq!(
        starts.len(),
        1,
        "{doc}: expected one kind table headed {HEADER}"
    );
    text[starts[0]..]
        .lines()
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|line| {
            let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
            assert_eq!(cells.len(), 10, "{doc}: {line}");
            let numbers = cells[2..]
                .iter()
                .map(|c| {
                    ascii_minus(c)
                        .parse::<f64>()
                        .unwrap_or_else(|e| panic!("{doc}: {c:?} in {line}: {e}"))
                })
                .collect();
            Row {
                kind: cells[0].to_string(),
                cameo: ascii_minus(cells[1]),
                numbers,
            }
        })
        .collect()
}

fn code_row(k: &BuiltinKind) -> Row {
    let c = &k.coefficients;
    Row {
        kind: k.name.to_string(),
        cameo: k.cameo.to_string(),
        numbers: vec![
            c.valence,
            c.c_in,
            c.c_out,
            c.c_threat,
            c.c_power_target,
            c.c_pull,
            c.c_audience,
            c.c_third,
        ],
    }
}

#[test]
fn both_documented_kind_tables_are_the_built_in_table() {
    let code: Vec<Row> = BUILTIN_KINDS.iter().map(code_row).collect();
    for doc in ["docs/MODEL.md", "docs/scenario-format.md"] {
        let documented = table(doc);
        let names = |rows: &[Row]| rows.iter().map(|r| r.kind.clone()).collect::<Vec<_>>();
        assert_eq!(
            names(&documented),
            names(&code),
            "{doc}: kinds or their order"
        );
        for (d, c) in documented.iter().zip(&code) {
            assert_eq!(d, c, "{doc}: row {}", d.kind);
        }
    }
}

#[test]
fn the_rules_stated_beside_the_tables_hold_for_the_built_in_kinds() {
    let model = read(&repo("docs/MODEL.md"));
    let format = read(&repo("docs/scenario-format.md"));
    assert!(model.contains("`c_power_actor` is 0 for every built-in kind."));
    for k in BUILTIN_KINDS {
        assert_eq!(k.coefficients.c_power_actor, 0.0, "{}", k.name);
    }
    // Sabotage alone is covert by default, at 0.5 (MODEL.md "Covert kinds";
    // scenario-format.md "default 1; 0.5 for sabotage").
    assert!(model.contains("sabotage, whose default is `attribution = 0.5`"));
    assert!(format.contains("default 1; 0.5 for\nsabotage"));
    for k in BUILTIN_KINDS {
        let expected = if k.name == "sabotage" { 0.5 } else { 1.0 };
        assert_eq!(k.coefficients.attribution, expected, "{}", k.name);
    }
    // Uses and displays of force frighten the enemies of their actor, everything else those
    // of its target.
    assert!(model.contains("the actor for uses and displays of force (`show_of_force`, `strike`"));
    assert!(format.contains("`show_of_force`\nand `strike` use `\"actor\"`"));
    let actor_held: Vec<&str> = BUILTIN_KINDS
        .iter()
        .filter(|k| k.coefficients.third_party == Holder::Actor)
        .map(|k| k.name)
        .collect();
    assert_eq!(actor_held, ["show_of_force", "strike"]);
}
