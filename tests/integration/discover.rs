//! `influence discover` finds the limit of an outcome that holds exactly when one input
//! exceeds a value, says so in a sentence, and refuses an unknown outcome.

use crate::common::cli::{bad_input, csv_rows, entries, influence, ok, read, repo, summary};

#[test]
fn prim_finds_the_limit_that_decides_the_outcome() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("d");
    let out = ok(influence()
        .arg("discover")
        .arg(repo("tests/scenarios/leaders.toml"))
        .args(["--outcome", "L1 above 0.2", "--runs", "4000", "--out"])
        .arg(&dir));
    let s = summary(&dir);
    assert_eq!(s["kind"], "discover");
    let limits = s["limits"].as_array().expect("limits");
    assert_eq!(limits.len(), 1, "{limits:?}");
    assert_eq!(limits[0]["input"], "L1.alignment");
    let low = limits[0]["low"].as_f64().expect("low");
    // One peel removes 5% of the remaining runs: the limit lands within a peel of 0.2.
    assert!((0.2..0.26).contains(&low), "low = {low}");
    assert_eq!(s["density"].as_f64(), Some(1.0));
    assert!(
        out.contains("\"L1 above 0.2\" holds in 100% of runs"),
        "{out}"
    );
    assert!(out.contains("L1.alignment ≥ 0.2"), "{out}");
    // Every row of boxes.csv belongs to a box on the trajectory, with shares in [0, 1].
    for r in csv_rows(&read(&dir.join("boxes.csv"))) {
        for x in &r[1..4] {
            let v: f64 = x.parse().expect("share");
            assert!((0.0..=1.0).contains(&v), "{r:?}");
        }
    }
}

#[test]
fn an_unknown_outcome_is_refused_with_the_nearest_name_and_nothing_is_written() {
    let tmp = tempfile::tempdir().expect("tmp");
    let err = bad_input(
        influence()
            .arg("discover")
            .arg(repo("tests/scenarios/leaders.toml"))
            .args(["--outcome", "L1 abov 0.2", "--out"])
            .arg(tmp.path().join("d")),
    );
    assert!(err.contains("did you mean \"L1 above 0.2\""), "{err}");
    assert!(entries(tmp.path()).is_empty());
}
