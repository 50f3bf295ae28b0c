//! `influence blocs` on the default scenario: the start's landscape has the axis of
//! resistance against Israel, the United States, Azerbaijan and the Gulf states.

use crate::common::cli::{csv_lines, influence, ok, read};

#[test]
fn the_default_start_splits_into_the_two_camps_of_the_article() {
    let tmp = tempfile::tempdir().expect("tmp");
    let file = tmp.path().join("blocs_start.csv");
    let out = ok(influence().arg("blocs").arg("--out").arg(&file));
    assert!(out.contains("exact, 256 starts"), "{out}");
    let lines = csv_lines(&read(&file));
    assert_eq!(
        lines[0],
        ["rank", "energy", "basin_share", "bloc_a", "bloc_b"]
    );
    let best = &lines[1];
    assert_eq!(best[0], "1");
    assert_eq!(best[3], "Iran;Armenia;Hezbollah;Hamas;Houthis");
    assert_eq!(best[4], "Israel;United States;Azerbaijan;Gulf states");
    let shares: f64 = lines[1..]
        .iter()
        .map(|l| l[2].parse::<f64>().expect("share"))
        .sum();
    assert!((shares - 1.0).abs() < 1e-5, "basin shares sum to {shares}");
    // An existing file is not overwritten.
    let again = influence()
        .arg("blocs")
        .arg("--out")
        .arg(&file)
        .output()
        .expect("runs");
    assert_eq!(again.status.code(), Some(1));
}
