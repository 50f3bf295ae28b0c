//! `influence sensitivity` against closed forms, and recomputed from its own files.
//!
//! tests/scenarios/leaders.toml is a follower of two fully stubborn leaders whose starts are
//! uniform on [−1, 1]: at the Friedkin–Johnsen fixed point the follower ends at
//! 0.75 a_L1 + 0.25 a_L2, so the first-order and total indices of its final alignment are
//! 0.75² / (0.75² + 0.25²) = 0.9 and 0.1, and a Morris μ* (per unit-cube move) is
//! |slope| × range = 1.5 and 0.5. Its `unused` input touches nothing.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use crate::common::cli::{bad_input, csv_rows, entries, influence, ok, read, repo, summary};
use crate::common::picture::Picture;

const LEADERS: &str = "tests/scenarios/leaders.toml";

fn study(dir: &Path, args: &[&str]) {
    ok(influence()
        .arg("sensitivity")
        .arg(repo(LEADERS))
        .args(args)
        .arg("--out")
        .arg(dir)
        .arg("-q"));
}

/// sobol.csv or morris.csv as (measure name, input) -> the row's numbers.
fn indices(dir: &Path, file: &str) -> BTreeMap<(String, String), Vec<f64>> {
    csv_rows(&read(&dir.join(file)))
        .into_iter()
        .map(|r| {
            let nums = r[3..]
                .iter()
                .map(|x| x.parse().unwrap_or(f64::NAN))
                .collect();
            ((r[1].clone(), r[2].clone()), nums)
        })
        .collect()
}

#[test]
fn sobol_indices_meet_the_fixed_point_of_two_stubborn_leaders() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("s");
    study(&dir, &["--samples", "1024", "--runs", "1"]);
    let ix = indices(&dir, "sobol.csv");
    let f = |input: &str| ix[&("F".to_string(), input.to_string())].clone();
    // first, first_low, first_high, total, total_low, total_high
    for (input, truth) in [("L1.alignment", 0.9), ("L2.alignment", 0.1)] {
        let v = f(input);
        assert!((v[0] - truth).abs() < 0.03, "{input} first {v:?}");
        assert!((v[3] - truth).abs() < 0.03, "{input} total {v:?}");
        assert!(
            v[1] <= truth && truth <= v[2],
            "{input} first interval {v:?}"
        );
        assert!(
            v[4] <= truth && truth <= v[5],
            "{input} total interval {v:?}"
        );
    }
    let unused = f("unused");
    assert_eq!(unused[3], 0.0, "an input that touches nothing");
    assert!(unused[4] <= 0.0 && 0.0 <= unused[5]);
}

#[test]
fn morris_mu_star_on_a_linear_response_is_slope_times_range() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("m");
    study(
        &dir,
        &["--method", "morris", "--samples", "20", "--runs", "2"],
    );
    let ix = indices(&dir, "morris.csv");
    let mu_star = |input: &str| ix[&("F".to_string(), input.to_string())][1];
    assert!((mu_star("L1.alignment") - 1.5).abs() < 1e-6);
    assert!((mu_star("L2.alignment") - 0.5).abs() < 1e-6);
    assert_eq!(mu_star("unused"), 0.0);
}

/// The indices, recomputed from design.csv and points.csv with the formulas of MODEL.md
/// written out plainly here, equal those in sobol.csv.
#[test]
fn sobol_indices_recomputed_from_the_files_agree() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("s");
    study(&dir, &["--samples", "64", "--runs", "3"]);
    // point -> (matrix, row)
    let mut points: BTreeMap<usize, (String, usize)> = BTreeMap::new();
    for r in csv_rows(&read(&dir.join("design.csv"))) {
        points.insert(
            r[0].parse().expect("point"),
            (r[1].clone(), r[2].parse().expect("row")),
        );
    }
    // (measure name) -> point -> value
    let mut values: BTreeMap<String, BTreeMap<usize, f64>> = BTreeMap::new();
    for r in csv_rows(&read(&dir.join("points.csv"))) {
        let v = r[3].parse().expect("value");
        values
            .entry(format!("{}/{}", r[1], r[2]))
            .or_default()
            .insert(r[0].parse().expect("p"), v);
    }
    let sobol = indices(&dir, "sobol.csv");
    let inputs = ["unused", "L1.alignment", "L2.alignment"];
    let n = 64usize;
    for (key, by_point) in &values {
        let mean = by_point.values().sum::<f64>() / by_point.len() as f64;
        let at = |matrix: &str, row: usize| -> f64 {
            let p = points
                .iter()
                .find(|(_, (m, r))| m == matrix && *r == row)
                .map(|(p, _)| *p)
                .expect("point");
            by_point[&p] - mean
        };
        let fa: Vec<f64> = (0..n).map(|k| at("A", k)).collect();
        let fb: Vec<f64> = (0..n).map(|k| at("B", k)).collect();
        let both: Vec<f64> = fa.iter().chain(&fb).copied().collect();
        let m2 = both.iter().sum::<f64>() / both.len() as f64;
        let var = both.iter().map(|x| (x - m2).powi(2)).sum::<f64>() / both.len() as f64;
        let name = key.split_once('/').expect("measure/name").1.to_string();
        for input in inputs {
            let row = &sobol[&(name.clone(), input.to_string())];
            if var == 0.0 {
                assert!(
                    row[0].is_nan() && row[3].is_nan(),
                    "{key} {input}: no indices"
                );
                continue;
            }
            let fab: Vec<f64> = (0..n).map(|k| at(&format!("AB:{input}"), k)).collect();
            let first = (0..n).map(|k| fb[k] * (fab[k] - fa[k])).sum::<f64>() / n as f64 / var;
            let total =
                (0..n).map(|k| (fa[k] - fab[k]).powi(2)).sum::<f64>() / n as f64 / (2.0 * var);
            assert!(
                (first - row[0]).abs() < 1e-6,
                "{key} {input} first {first} vs {}",
                row[0]
            );
            assert!(
                (total - row[3]).abs() < 1e-6,
                "{key} {input} total {total} vs {}",
                row[3]
            );
        }
    }
}

#[test]
fn the_files_do_not_depend_on_the_thread_count() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (one, two) = (tmp.path().join("1"), tmp.path().join("2"));
    study(&one, &["--samples", "32", "--runs", "5", "--threads", "1"]);
    study(&two, &["--samples", "32", "--runs", "5", "--threads", "2"]);
    for file in ["sobol.csv", "design.csv", "points.csv"] {
        assert_eq!(read(&one.join(file)), read(&two.join(file)), "{file}");
    }
}

#[test]
fn a_scenario_without_inputs_is_refused_and_nothing_is_written() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("none");
    let err = bad_input(
        influence()
            .arg("sensitivity")
            .arg(repo("tests/golden/tiny.toml"))
            .arg("--out")
            .arg(&out),
    );
    assert!(err.contains("has no uncertain inputs"), "{err}");
    assert!(entries(tmp.path()).is_empty());
}

/// The bytes of every chart of `dir`, by name.
fn chart_bytes(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    entries(&dir.join("charts"))
        .into_iter()
        .map(|name| {
            let bytes = fs::read(dir.join("charts").join(&name)).expect("chart");
            (name, bytes)
        })
        .collect()
}

#[test]
fn sobol_and_morris_charts_are_drawn_the_same_on_any_thread_count_and_redrawn_exactly() {
    let tmp = tempfile::tempdir().expect("tmp");
    for (method, files, alt) in [
        (
            "sobol",
            ["sobol_alignment.png", "sobol_outcomes.png"],
            "F final alignment: L1.alignment total ",
        ),
        (
            "morris",
            ["morris_alignment.png", "morris_outcomes.png"],
            "F final alignment: L1.alignment \u{3bc}* ",
        ),
    ] {
        let args = ["--method", method, "--samples", "16", "--runs", "2"];
        let one = tmp.path().join(format!("{method}-1"));
        let two = tmp.path().join(format!("{method}-2"));
        study(&one, &[&args[..], &["--threads", "1"]].concat());
        study(&two, &[&args[..], &["--threads", "2"]].concat());
        assert_eq!(entries(&one.join("charts")), files);
        for name in files {
            let pic = Picture::read_rgb(&one.join("charts").join(name));
            assert_eq!((pic.width, pic.height), (1600, 1000), "{name}");
            pic.assert_chart(name);
        }
        let drawn = chart_bytes(&one);
        assert!(
            drawn == chart_bytes(&two),
            "{method}: charts differ by thread count"
        );
        ok(influence().arg("chart").arg(&one));
        assert!(
            drawn == chart_bytes(&one),
            "{method}: charts differ when redrawn"
        );
        // report.html shows each with alt text that states its figures.
        let page = read(&one.join("report.html"));
        for name in files {
            let id = format!("id=\"chart-{}\"", name.trim_end_matches(".png"));
            assert!(page.contains(&id), "{method}: no figure {name}");
        }
        assert!(page.contains(alt), "{method}: alt text");

        let none = tmp.path().join(format!("{method}-none"));
        study(&none, &[&args[..], &["--no-charts"]].concat());
        assert!(!none.join("charts").exists(), "{method}: --no-charts");
        assert!(!read(&none.join("report.html")).contains("<figure"));
    }
}

/// Many measures are drawn on several pictures of one size, never one taller picture.
#[test]
fn many_measures_run_over_numbered_pages_of_one_size() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("default");
    ok(influence()
        .args([
            "sensitivity",
            "--samples",
            "4",
            "--runs",
            "1",
            "-q",
            "--out",
        ])
        .arg(&dir));
    // The default scenario: 6 outcomes and 9 actors, four panels a page.
    assert_eq!(
        entries(&dir.join("charts")),
        [
            "sobol_alignment.png",
            "sobol_alignment_2.png",
            "sobol_alignment_3.png",
            "sobol_outcomes.png",
            "sobol_outcomes_2.png",
        ]
    );
    for name in entries(&dir.join("charts")) {
        let pic = Picture::read_rgb(&dir.join("charts").join(&name));
        assert_eq!((pic.width, pic.height), (1600, 1000), "{name}");
    }
}

/// Every file of `a` and `b` but summary.json is the same; summary.json up to threads and
/// timing.
fn assert_same_outputs(a: &Path, b: &Path) {
    assert_eq!(entries(a), entries(b));
    for name in entries(a) {
        if name == "summary.json" || name == "charts" {
            continue;
        }
        assert!(
            fs::read(a.join(&name)).expect("a") == fs::read(b.join(&name)).expect("b"),
            "{name} differs"
        );
    }
    assert!(chart_bytes(a) == chart_bytes(b), "charts differ");
    let strip = |dir: &Path| {
        let mut s = summary(dir);
        let map = s.as_object_mut().expect("object");
        map.remove("threads");
        map.remove("elapsed_s");
        s
    };
    assert_eq!(strip(a), strip(b));
}

#[test]
fn shards_from_the_command_line_or_the_scheduler_merge_into_the_study() {
    let tmp = tempfile::tempdir().expect("tmp");
    let args = ["--method", "morris", "--samples", "10", "--runs", "2"];
    let plain = tmp.path().join("plain");
    study(&plain, &args);
    let parts = tmp.path().join("parts");
    let shard = |k: u64, extra: &[&str], env: &[(&str, &str)]| {
        let mut cmd = influence();
        for var in [
            "SLURM_ARRAY_TASK_ID",
            "SLURM_ARRAY_TASK_MIN",
            "SLURM_ARRAY_TASK_COUNT",
            "JOB_COMPLETION_INDEX",
        ] {
            cmd.env_remove(var);
        }
        cmd.envs(env.iter().copied());
        ok(cmd
            .arg("sensitivity")
            .arg(repo(LEADERS))
            .args(args)
            .args(extra)
            .arg("--out")
            .arg(parts.join(format!("s{k}"))))
    };
    let said = shard(0, &["--shard", "0/3"], &[]);
    assert!(
        said.contains("Shard 0 of 3: design points 0..13 of 40"),
        "{said}"
    );
    shard(
        1,
        &["--shard", "auto", "-q"],
        &[
            ("SLURM_ARRAY_TASK_ID", "8"),
            ("SLURM_ARRAY_TASK_MIN", "7"),
            ("SLURM_ARRAY_TASK_COUNT", "3"),
        ],
    );
    shard(
        2,
        &["--shard", "auto", "--shards", "3", "-q"],
        &[("JOB_COMPLETION_INDEX", "2")],
    );
    assert_eq!(entries(&parts.join("s1")), ["part.json", "scenario.toml"]);
    // A missing shard is named, and nothing is written.
    let refused = tmp.path().join("refused");
    let err = bad_input(
        influence()
            .arg("merge")
            .arg(parts.join("s0"))
            .arg(parts.join("s2"))
            .arg("--out")
            .arg(&refused),
    );
    assert!(err.contains("1 of 3 shards is missing: 1"), "{err}");
    assert!(!refused.exists());
    let merged = tmp.path().join("merged");
    let said = ok(influence()
        .arg("merge")
        .arg(&parts)
        .arg("--out")
        .arg(&merged));
    assert!(
        said.contains("3 inputs, 40 design points, 2 runs each"),
        "{said}"
    );
    assert_same_outputs(&plain, &merged);
    let help = ok(influence().args(["sensitivity", "--help"]));
    assert!(
        help.contains("--shard <K/N>") && help.contains("influence merge"),
        "{help}"
    );
}
