//! `influence discover` finds the limit of an outcome that holds exactly when one input
//! exceeds a value, says so in a sentence, and refuses an unknown outcome.

use std::fs;

use crate::common::cli::{bad_input, csv_rows, entries, influence, ok, read, repo, summary};
use crate::common::picture::Picture;

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

#[test]
fn the_trajectory_and_the_box_are_drawn_the_same_on_any_thread_count_and_redrawn_exactly() {
    let tmp = tempfile::tempdir().expect("tmp");
    let run = |name: &str, extra: &[&str]| {
        let dir = tmp.path().join(name);
        ok(influence()
            .arg("discover")
            .arg(repo("tests/scenarios/leaders.toml"))
            .args(["--outcome", "L1 above 0.2", "--runs", "400", "-q"])
            .args(extra)
            .arg("--out")
            .arg(&dir));
        dir
    };
    let files = ["prim_box.png", "prim_trajectory.png"];
    let one = run("one", &["--threads", "1"]);
    let two = run("two", &["--threads", "2"]);
    assert_eq!(entries(&one.join("charts")), files);
    let bytes = |dir: &std::path::Path| -> Vec<Vec<u8>> {
        files
            .iter()
            .map(|f| fs::read(dir.join("charts").join(f)).expect("chart"))
            .collect()
    };
    for name in files {
        let pic = Picture::read_rgb(&one.join("charts").join(name));
        assert_eq!((pic.width, pic.height), (1600, 1000), "{name}");
        pic.assert_chart(name);
    }
    let drawn = bytes(&one);
    assert!(drawn == bytes(&two), "charts differ by thread count");
    ok(influence().arg("chart").arg(&one));
    assert!(drawn == bytes(&one), "charts differ when redrawn");
    let page = read(&one.join("report.html"));
    assert!(page.contains("id=\"chart-prim_trajectory\""));
    assert!(page.contains("The chosen box restricts one input: L1.alignment from 0.2"));

    let none = run("none", &["--no-charts"]);
    assert!(!none.join("charts").exists());
    assert!(!read(&none.join("report.html")).contains("<figure"));
}

#[test]
fn a_discovery_in_shards_merges_into_the_discovery() {
    let tmp = tempfile::tempdir().expect("tmp");
    let run = |out: &std::path::Path, extra: &[&str]| {
        ok(influence()
            .arg("discover")
            .arg(repo("tests/scenarios/leaders.toml"))
            .args(["--outcome", "L1 above 0.2", "--runs", "301", "-q"])
            .args(extra)
            .arg("--out")
            .arg(out));
    };
    let plain = tmp.path().join("plain");
    run(&plain, &[]);
    let parts = tmp.path().join("parts");
    for k in 0..2 {
        run(
            &parts.join(format!("s{k}")),
            &["--shard", &format!("{k}/2")],
        );
    }
    let merged = tmp.path().join("merged");
    let said = ok(influence()
        .arg("merge")
        .arg(&parts)
        .arg("--out")
        .arg(&merged));
    assert!(said.contains("\"L1 above 0.2\" holds in"), "{said}");
    assert_eq!(entries(&plain), entries(&merged));
    for name in ["boxes.csv", "scenario.toml", "report.html"] {
        assert_eq!(read(&plain.join(name)), read(&merged.join(name)), "{name}");
    }
    for name in ["prim_box.png", "prim_trajectory.png"] {
        let chart = |dir: &std::path::Path| fs::read(dir.join("charts").join(name)).expect("chart");
        assert!(chart(&plain) == chart(&merged), "{name}");
    }
    let strip = |dir: &std::path::Path| {
        let mut s = summary(dir);
        let map = s.as_object_mut().expect("object");
        map.remove("threads");
        map.remove("elapsed_s");
        s
    };
    assert_eq!(strip(&plain), strip(&merged));
}
