//! End-to-end tests of the studies that look at the Monte Carlo error itself: `seeds`
//! (the same study under several seeds), `run --until-ci` (runs added until the intervals
//! are narrow enough) and `replay --pick` (a representative run).

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

use crate::common::cli::{bad_input, csv_rows, entries, influence, ok, read, summary};
use crate::common::picture::Picture;

/// The header line of a CSV text.
fn header(text: &str) -> &str {
    text.lines().next().unwrap_or("")
}

/// A chart decodes, is at least 1600x1000 and carries data, not just a background. Its data
/// is counted in coloured pixels alone (dots, bands and lines, not grey furniture or black
/// text), at least 3000 of them, not as [`Picture::assert_chart`] counts ink.
fn check_png(path: &Path) {
    let pic = Picture::read(path);
    let name = path.display().to_string();
    pic.assert_size_and_colours(&name);
    let ink = pic.coloured();
    assert!(ink >= 3000, "{name} has only {ink} coloured pixels");
}

/// An actor that cannot move (stubbornness 1, no alignment noise) and an outcome on it that
/// always holds, beside an actor that does move.
const CERTAIN: &str = r#"
[scenario]
name = "Certain"
steps = 8
runs = 100
seed = 1

[model]
alignment_noise = 0.0
trust_noise = 0.08

[[actor]]
name = "Rock"
alignment = 0.5
stubbornness = 1.0
power = 0.6

[[actor]]
name = "Reed"
alignment = -0.3
stubbornness = 0.1
power = 0.3

[[relation]]
between = ["Reed", "Rock"]
trust_ab = 0.4
trust_ba = 0.1

[[event]]
kind = "visit"
actor = "Rock"
target = "Reed"
hazard = 0.3

[[outcome]]
name = "Rock holds"
metric = "alignment"
actor = "Rock"
op = ">"
value = 0.4
when = "always"

[[outcome]]
name = "Reed turns"
metric = "alignment"
actor = "Reed"
op = ">"
value = 0.36
"#;

#[test]
fn seeds_of_a_certain_outcome_show_no_spread() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let scenario = tmp.path().join("certain.toml");
    fs::write(&scenario, CERTAIN).expect("write");
    let out = tmp.path().join("seeds");
    let stdout = ok(influence()
        .arg("seeds")
        .arg(&scenario)
        .args(["--seeds", "1,2,3", "--runs", "100", "--no-charts", "--out"])
        .arg(&out));
    let table = read(&out.join("seeds.csv"));
    let values: Vec<&str> = table
        .lines()
        .filter(|l| l.starts_with("outcome,Rock holds,"))
        .map(|l| l.rsplit(',').next().unwrap_or(""))
        .collect();
    assert_eq!(values, vec!["1.000000"; 3], "{table}");
    let summary_csv = read(&out.join("seeds_summary.csv"));
    assert!(
        summary_csv
            .lines()
            .any(|l| l == "outcome,Rock holds,1.000000,0.000000,0.000000,"),
        "{summary_csv}"
    );
    // Rock never moves, so its median is the same under every seed too.
    assert!(
        summary_csv
            .lines()
            .any(|l| l == "final_median,Rock,0.500000,0.000000,0.000000,"),
        "{summary_csv}"
    );
    // Reed does move: the seeds differ there, so the zero above is not an artefact.
    let reed = csv_rows(&summary_csv)
        .into_iter()
        .find(|r| r[0] == "final_median" && r[1] == "Reed")
        .expect("Reed's row");
    assert!(reed[3].parse::<f64>().expect("sd") > 0.0, "{summary_csv}");
    let json = summary(&out);
    let rock = json["figures"]
        .as_array()
        .expect("figures")
        .iter()
        .find(|f| f["name"] == "Rock holds")
        .expect("Rock holds in summary.json");
    assert_eq!(rock["sd_between"], 0.0);
    assert_eq!(rock["verdict"], "no spread");
    assert!(rock["ratio"].is_null());
    assert!(stdout.contains("no spread"), "{stdout}");
}

#[test]
fn seeds_of_the_default_scenario_write_every_file() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("seeds");
    let stdout = ok(influence()
        .args(["seeds", "--count", "3", "--runs", "100", "--out"])
        .arg(&out));
    assert_eq!(
        entries(&out),
        [
            "charts",
            "report.html",
            "scenario.toml",
            "seeds.csv",
            "seeds_summary.csv",
            "summary.json"
        ]
    );
    let table = read(&out.join("seeds.csv"));
    assert_eq!(header(&table), "figure,name,seed,value");
    let figures = 6 + 9;
    assert_eq!(csv_rows(&table).len(), figures * 3);
    let seeds: Vec<String> = csv_rows(&table)
        .iter()
        .take(3)
        .map(|r| r[2].clone())
        .collect();
    assert_eq!(
        seeds,
        ["42", "43", "44"],
        "--count starts at the scenario's seed"
    );
    let summary_csv = read(&out.join("seeds_summary.csv"));
    assert_eq!(
        header(&summary_csv),
        "figure,name,mean,sd_between,claimed_se,ratio"
    );
    assert_eq!(csv_rows(&summary_csv).len(), figures);
    let mut checked = 0;
    for r in csv_rows(&summary_csv) {
        // An outcome that never (or always) holds has no claimed error and no ratio.
        if r[5].is_empty() {
            assert_eq!(r[4].parse::<f64>().ok(), Some(0.0), "{r:?}");
            continue;
        }
        checked += 1;
        let (sd, se, ratio): (f64, f64, f64) = (
            r[3].parse().expect("sd"),
            r[4].parse().expect("se"),
            r[5].parse().expect("ratio"),
        );
        assert!(se > 0.0, "{r:?}");
        // sd and se are rounded to six decimals; the ratio is computed before rounding.
        assert!((ratio - sd / se).abs() <= 0.01 * ratio + 0.01, "{r:?}");
    }
    assert!(checked > 0, "every figure lacked a ratio");
    let json = summary(&out);
    assert_eq!(json["seeds"], serde_json::json!([42, 43, 44]));
    assert_eq!(json["runs"], 100);
    assert_eq!(json["figures"].as_array().map(Vec::len), Some(figures));
    assert!(stdout.contains("South Caucasus: 3 seeds (42, 43, 44), 100 runs each"));
    assert!(stdout.contains("Verdict: consistent when"), "{stdout}");
    let chart = out.join("charts/seeds.png");
    check_png(&chart);
    // `chart` redraws it from the files, byte for byte.
    let before = fs::read(&chart).expect("chart");
    let redraw = ok(influence().arg("chart").arg(&out));
    assert!(redraw.contains("Drew 1 chart"), "{redraw}");
    assert!(fs::read(&chart).expect("chart") == before);
    assert_eq!(entries(&out.join("charts")), ["seeds.png"]);
}

#[test]
fn seeds_refuse_a_repeated_seed() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("seeds");
    let err = bad_input(
        influence()
            .args(["seeds", "--seeds", "5,6,5", "--runs", "10", "--out"])
            .arg(&out),
    );
    assert!(err.contains("seed 5 is given twice"), "{err}");
    assert!(!out.exists());
    bad_input(influence().args(["seeds", "--count", "1"]));
    bad_input(influence().args(["seeds", "--count", "3", "--seeds", "1,2"]));
}

fn csv_files(dir: &Path) -> Vec<String> {
    entries(dir)
        .into_iter()
        .filter(|n| n.ends_with(".csv"))
        .collect()
}

#[test]
fn until_ci_equals_a_plain_run_of_the_final_count() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let grown = tmp.path().join("grown");
    let stdout = ok(influence()
        .args(["run", "--until-ci", "0.05", "--block", "200", "--out"])
        .arg(&grown));
    let runs = summary(&grown)["runs"].as_u64().expect("runs");
    assert!(runs >= 400 && runs.is_multiple_of(200), "{runs}");
    assert!(
        stdout.contains(&format!(
            "Target met: every outcome's 95% interval is within ±0.05 after {runs} runs"
        )),
        "{stdout}"
    );
    let until = &summary(&grown)["until"];
    assert_eq!(until["half_width"], 0.05);
    assert_eq!(until["block"], 200);
    assert_eq!(until["met"], true);

    let plain = tmp.path().join("plain");
    ok(influence()
        .args(["run", "-q", "--runs", &runs.to_string(), "--out"])
        .arg(&plain));
    let plain_csvs = csv_files(&plain);
    // thresholds.csv, and inputs.csv for the default scenario's uncertain inputs, join the
    // seven tables.
    assert_eq!(plain_csvs.len(), 9, "{plain_csvs:?}");
    let mut grown_csvs = plain_csvs.clone();
    grown_csvs.push("convergence.csv".into());
    grown_csvs.sort();
    assert_eq!(csv_files(&grown), grown_csvs);
    for name in &plain_csvs {
        assert!(
            fs::read(grown.join(name)).expect("grown")
                == fs::read(plain.join(name)).expect("plain"),
            "{name} differs between --until-ci and --runs {runs}"
        );
    }

    let conv = read(&grown.join("convergence.csv"));
    assert_eq!(header(&conv), "runs,outcome,probability,ci_low,ci_high");
    let blocks = (runs / 200) as usize;
    let conv_rows = csv_rows(&conv);
    assert_eq!(conv_rows.len(), blocks * 6);
    for (k, r) in conv_rows.iter().enumerate() {
        assert_eq!(r[0], ((k / 6 + 1) * 200).to_string(), "{r:?}");
    }
    // The last block is the study itself: its rows are outcomes.csv's.
    let outcomes = csv_rows(&read(&grown.join("outcomes.csv")));
    for (c, o) in conv_rows[(blocks - 1) * 6..].iter().zip(&outcomes) {
        assert_eq!(c[1..5], o[0..4], "{c:?} vs {o:?}");
    }
    // Every block before the last was still too wide somewhere.
    for block in conv_rows[..(blocks - 1) * 6].chunks(6) {
        let widest = block
            .iter()
            .map(|r| {
                (r[4].parse::<f64>().unwrap_or(0.0) - r[3].parse::<f64>().unwrap_or(0.0)) / 2.0
            })
            .fold(0.0, f64::max);
        assert!(widest > 0.05, "{block:?}");
    }

    let chart = grown.join("charts/convergence.png");
    check_png(&chart);
    assert!(!plain.join("charts/convergence.png").exists());
    let before = fs::read(&chart).expect("chart");
    let redraw = ok(influence().arg("chart").arg(&grown));
    assert!(redraw.contains("Drew 8 charts"), "{redraw}");
    assert!(
        fs::read(&chart).expect("chart") == before,
        "redrawn differently"
    );
}

#[test]
fn until_ci_stops_at_the_cap_and_says_so() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("capped");
    let stdout = ok(influence()
        .args([
            "run",
            "--until-ci",
            "0.001",
            "--block",
            "100",
            "--max-runs",
            "250",
            "--no-charts",
            "--out",
        ])
        .arg(&out));
    assert!(
        stdout.contains("Target not met: stopped at the cap of 250 runs"),
        "{stdout}"
    );
    assert_eq!(summary(&out)["runs"], 250);
    assert_eq!(summary(&out)["until"]["met"], false);
    let conv = read(&out.join("convergence.csv"));
    let counts: Vec<String> = csv_rows(&conv).iter().map(|r| r[0].clone()).collect();
    assert_eq!(counts.iter().collect::<HashSet<_>>().len(), 3);
    assert_eq!(counts.last().map(String::as_str), Some("250"));
}

#[test]
fn until_ci_needs_an_outcome() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let scenario = tmp.path().join("no_outcomes.toml");
    let text: String = CERTAIN
        .split("[[outcome]]")
        .next()
        .expect("text")
        .to_string();
    fs::write(&scenario, text).expect("write");
    let out = tmp.path().join("out");
    let err = bad_input(
        influence()
            .arg("run")
            .arg(&scenario)
            .args(["--until-ci", "0.05", "--out"])
            .arg(&out),
    );
    assert!(err.contains("no [[outcome]]"), "{err}");
    assert!(!out.exists());
    assert!(entries(tmp.path()).iter().all(|n| !n.contains("partial")));
    // Out of range and combined with --runs: refused by the argument parser.
    bad_input(influence().args(["run", "--until-ci", "0"]));
    bad_input(influence().args(["run", "--until-ci", "0.7"]));
    bad_input(influence().args(["run", "--until-ci", "0.05", "--runs", "100"]));
}

/// `run,actor,alignment` rows of one actor, as (run, value).
fn column(final_csv: &str, actor: &str) -> Vec<(u64, f64)> {
    csv_rows(final_csv)
        .into_iter()
        .filter(|r| r[1] == actor)
        .map(|r| (r[0].parse().expect("run"), r[2].parse().expect("value")))
        .collect()
}

/// The alignment of `actor` at the last step of a replay's trajectory.csv.
fn replay_final(dir: &Path, actor: &str, steps: &str) -> f64 {
    let text = read(&dir.join("trajectory.csv"));
    csv_rows(&text)
        .into_iter()
        .find(|r| r[0] == steps && r[1] == actor)
        .map(|r| r[2].parse().expect("alignment"))
        .expect("last step of the actor")
}

fn picked_run(stdout: &str) -> u64 {
    stdout
        .split("Picked run ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no picked run in {stdout}"))
}

#[test]
fn replay_pick_max_replays_the_run_with_the_largest_final_value() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let study = tmp.path().join("study");
    ok(influence()
        .args(["run", "-q", "--no-charts", "--runs", "200", "--out"])
        .arg(&study));
    let finals = column(&read(&study.join("final.csv")), "Azerbaijan");
    assert_eq!(finals.len(), 200);
    let max = finals.iter().map(|r| r.1).fold(f64::NEG_INFINITY, f64::max);

    let replay: PathBuf = tmp.path().join("replay");
    let stdout = ok(influence()
        .args([
            "replay",
            "--pick",
            "max",
            "--actor",
            "Azerbaijan",
            "--runs",
            "200",
            "--out",
        ])
        .arg(&replay));
    let run = picked_run(&stdout);
    assert_eq!(replay_final(&replay, "Azerbaijan", "26"), max);
    let first_max = finals.iter().find(|r| r.1 == max).map(|r| r.0);
    assert_eq!(Some(run), first_max, "{stdout}");
    assert!(
        stdout.contains(&format!("Wrote run {run} of seed 42")),
        "{stdout}"
    );
}

#[test]
fn replay_pick_median_replays_the_median_run() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let study = tmp.path().join("study");
    // An odd count, so the median is one run's value.
    ok(influence()
        .args(["run", "-q", "--no-charts", "--runs", "201", "--out"])
        .arg(&study));
    let mut values: Vec<f64> = column(&read(&study.join("final.csv")), "Armenia")
        .into_iter()
        .map(|r| r.1)
        .collect();
    values.sort_by(f64::total_cmp);
    let replay = tmp.path().join("replay");
    ok(influence()
        .args([
            "replay", "--pick", "median", "--actor", "Armenia", "--runs", "201", "--out",
        ])
        .arg(&replay));
    assert_eq!(replay_final(&replay, "Armenia", "26"), values[100]);

    // The pick does not depend on the thread count.
    let single = tmp.path().join("single");
    ok(influence()
        .args([
            "replay",
            "--pick",
            "median",
            "--actor",
            "Armenia",
            "--runs",
            "201",
            "--threads",
            "1",
            "--out",
        ])
        .arg(&single));
    assert_eq!(
        read(&single.join("trajectory.csv")),
        read(&replay.join("trajectory.csv"))
    );
}

#[test]
fn replay_pick_with_an_unknown_actor_suggests_the_nearest() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("replay");
    let err = bad_input(
        influence()
            .args([
                "replay",
                "--pick",
                "min",
                "--actor",
                "Azerbaijn",
                "--runs",
                "20",
                "--out",
            ])
            .arg(&out),
    );
    assert!(err.contains("did you mean \"Azerbaijan\"?"), "{err}");
    assert!(!out.exists());
    // --pick needs --actor, and neither goes with --run.
    bad_input(influence().args(["replay", "--pick", "max"]));
    bad_input(influence().args(["replay", "--run", "3", "--pick", "max", "--actor", "Iran"]));
    // --runs and --threads only serve --pick.
    bad_input(influence().args(["replay", "--run", "3", "--threads", "2"]));
    bad_input(influence().args(["replay", "--run", "3", "--runs", "50"]));
}
