//! The PNG charts: each decodes, is large enough, is not blank, has ink in every panel, and
//! is redrawn byte for byte by `influence chart`.

use std::fs;
use std::path::Path;

use crate::common::cli::{entries, failure, influence, ok, read, repo};
use crate::common::picture::Picture;
use influence::output::charts::{chart_files, render_charts};

/// Runs a small study of `scenario` (the default when `None`) into `out`.
fn study(out: &Path, scenario: Option<&str>, runs: &str) {
    let mut cmd = influence();
    cmd.args(["run", "-q", "--runs", runs, "--out"]).arg(out);
    if let Some(path) = scenario {
        cmd.arg(repo(path));
    }
    cmd.assert().success();
}

fn check_pictures(charts: &Path) {
    assert_eq!(entries(charts), {
        let mut names: Vec<String> = chart_files().iter().map(|s| s.to_string()).collect();
        names.sort();
        names
    });
    for name in chart_files() {
        Picture::read_rgb(&charts.join(name)).assert_chart(name);
    }
}

/// Every panel of the time charts shows data, not just its frame.
fn check_panels(dir: &Path, actors: usize) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let report = render_charts(dir, tmp.path()).expect("charts render");
    for chart in &report.charts {
        if chart.name != "alignment_fan.png" && chart.name != "runs_sample.png" {
            continue;
        }
        assert_eq!(chart.panels.len(), actors, "{}", chart.name);
        let pic = Picture::read_rgb(&tmp.path().join(&chart.name));
        for p in &chart.panels {
            let ink = pic.ink_in(
                p.x as usize,
                p.y as usize,
                p.width as usize,
                p.height as usize,
            );
            assert!(
                ink >= 300,
                "{}: panel of {} has only {ink} pixels of ink",
                chart.name,
                p.actor
            );
        }
    }
}

#[test]
fn default_study_charts_decode_and_show_data() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("study");
    study(&out, None, "60");
    check_pictures(&out.join("charts"));
    check_panels(&out, 9);
}

#[test]
fn wide_scenario_charts_decode_and_show_data() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("wide");
    study(&out, Some("tests/scenarios/wide.toml"), "40");
    check_pictures(&out.join("charts"));
    check_panels(&out, 17);
}

#[test]
fn chart_command_redraws_the_same_bytes_and_swaps_atomically() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("study");
    study(&out, Some("tests/golden/tiny.toml"), "30");
    let before: Vec<Vec<u8>> = chart_files()
        .iter()
        .map(|name| fs::read(out.join("charts").join(name)).expect("chart written"))
        .collect();
    // A stray file in the old charts/ shows that the directory was replaced, not patched.
    fs::write(out.join("charts/stale.txt"), "old").expect("write");
    let listing = entries(&out);
    let stdout = ok(influence().arg("chart").arg(&out));
    assert!(
        stdout.contains(&format!("Drew {} charts", chart_files().len())),
        "{stdout}"
    );
    assert_eq!(entries(&out), listing, "nothing left beside charts/");
    assert!(!out.join("charts/stale.txt").exists());
    for (name, old) in chart_files().iter().zip(&before) {
        let new = fs::read(out.join("charts").join(name)).expect("chart redrawn");
        assert!(new == *old, "{name} differs when redrawn");
    }
}

#[test]
fn no_charts_leaves_no_charts_directory() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("study");
    influence()
        .args(["run", "-q", "--runs", "20", "--no-charts", "--out"])
        .arg(&out)
        .assert()
        .success();
    assert!(out.join("summary.json").exists());
    assert!(!out.join("charts").exists());
    // They can be drawn afterwards.
    influence().arg("chart").arg(&out).assert().success();
    check_pictures(&out.join("charts"));
}

#[test]
fn chart_refuses_what_is_not_a_study_with_exit_1_and_touches_nothing() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let missing = tmp.path().join("nowhere");
    let stderr = failure(influence().arg("chart").arg(&missing));
    assert!(stderr.contains("not an output directory"));
    assert!(!missing.exists());

    let empty = tmp.path().join("empty");
    fs::create_dir(&empty).expect("mkdir");
    let stderr = failure(influence().arg("chart").arg(&empty));
    assert!(stderr.contains("no summary.json"));
    assert!(entries(&empty).is_empty());

    let out = tmp.path().join("study");
    study(&out, Some("tests/golden/tiny.toml"), "10");
    let alignment = out.join("alignment.csv");
    let text = read(&alignment);
    fs::write(&alignment, text.replacen("0,A,", "0,A,\"broken,", 1)).expect("write");
    let charts_before = fs::read(out.join("charts/alignment_fan.png")).expect("read");
    let stderr = failure(influence().arg("chart").arg(&out));
    assert!(stderr.contains("alignment.csv:2:"), "{stderr}");
    // The charts of the run are still there, whole.
    assert_eq!(
        fs::read(out.join("charts/alignment_fan.png")).expect("read"),
        charts_before
    );

    fs::remove_file(&alignment).expect("remove");
    let stderr = failure(influence().arg("chart").arg(&out));
    assert!(stderr.contains("alignment.csv"));
}

/// A large world's matrices stay inside a fixed size: cells shrink (their values and then
/// the names give way to colour) instead of the picture growing with the actors.
#[test]
fn the_trust_heatmap_of_a_large_world_has_a_fixed_size() {
    let tmp = tempfile::tempdir().expect("tmp");
    let world = tmp.path().join("world.toml");
    ok(influence()
        .args(["generate", "--actors", "150", "--out"])
        .arg(&world));
    let out = tmp.path().join("out");
    ok(influence()
        .args(["run", "-q", "--runs", "1", "--no-baseline", "--out"])
        .arg(&out)
        .arg(&world));
    let png = fs::read(out.join("charts/trust_heatmap.png")).expect("chart");
    let size = |k: usize| u32::from_be_bytes([png[k], png[k + 1], png[k + 2], png[k + 3]]);
    let (w, h) = (size(16), size(20));
    assert!(w <= 2300 && h <= 1400, "150 actors: {w}x{h}");
}
