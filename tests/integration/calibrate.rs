//! `influence calibrate`: a record made by the model itself at known input values is fitted
//! back (tests/scenarios/recovery.toml), results do not depend on the thread count, and bad
//! requests are refused before anything is written.

use std::fs;
use std::path::Path;
use std::sync::atomic::AtomicBool;

use influence::ops::OutputRequest;
use influence::ops::calibrate::{CalibrateRequest, calibrate, predict_at, run_calibrate};
use influence::scenario::{Evidence, Metric, Observation, Scenario, load_scenario};

use crate::common::cli::{bad_input, csv_rows, entries, influence, ok, read, repo, summary};
use crate::common::picture::Picture;

const RECOVERY: &str = "tests/scenarios/recovery.toml";
/// The truth the record is made at, by input name.
const TRUTH: [(&str, f64); 3] = [
    ("L1.alignment", 0.4),
    ("L2.alignment", -0.5),
    ("unused", 0.3),
];

/// [`TRUTH`] in the order of the scenario's inputs.
fn truth(sc: &Scenario) -> Vec<f64> {
    sc.inputs
        .iter()
        .map(|i| {
            TRUTH
                .iter()
                .find(|(name, _)| *name == i.name)
                .map(|(_, v)| *v)
                .expect("an input of the truth")
        })
        .collect()
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("pool")
}

fn scenario() -> Scenario {
    load_scenario(&repo(RECOVERY)).expect("recovery.toml loads")
}

fn observe(step: usize, metric: Metric, actor: usize, value: f64, sd: f64) -> Observation {
    Observation {
        step,
        metric,
        actor,
        other: None,
        evidence: Evidence::Value { value, sd },
        label: None,
    }
}

/// The record of L1 and F at a few steps, as the model makes it at [`TRUTH`] with its own
/// runs (a seed the calibration does not use), plus the sign of L2 at the end.
fn record(sc: &Scenario) -> Vec<Observation> {
    let mut wanted = Vec::new();
    for step in [5, 15, 30] {
        wanted.push(observe(step, Metric::Alignment, 0, 0.0, 0.05));
        wanted.push(observe(step, Metric::Alignment, 2, 0.0, 0.05));
    }
    let pred = predict_at(sc, &wanted, &truth(sc), 50, 999, &pool(2)).expect("predicts");
    let mut obs: Vec<Observation> = wanted
        .into_iter()
        .enumerate()
        .map(|(j, o)| Observation {
            evidence: Evidence::Value {
                value: pred.mean[j],
                sd: 0.05,
            },
            ..o
        })
        .collect();
    obs.push(Observation {
        step: 30,
        metric: Metric::Alignment,
        actor: 1,
        other: None,
        evidence: Evidence::Sign { positive: false },
        label: Some("L2 negative at the end".into()),
    });
    obs
}

fn request(
    sc: &Scenario,
    seed: u64,
    out: &Path,
    hold_out_after: Option<usize>,
) -> CalibrateRequest {
    CalibrateRequest {
        samples: 2000,
        runs: 8,
        keep: 60,
        rounds: 0,
        hold_out_after,
        seed,
        observations: record(sc),
        output: OutputRequest {
            out: out.to_path_buf(),
            force: false,
            charts: false,
        },
    }
}

#[test]
fn the_posterior_covers_the_truth_and_narrows_where_the_record_informs() {
    let sc = scenario();
    let tmp = tempfile::tempdir().expect("tmp");
    let pool = pool(2);
    let truth = truth(&sc);
    let width_of = |name: &str, c: &influence::ops::calibrate::Calibration| {
        let i = sc
            .inputs
            .iter()
            .position(|i| i.name == name)
            .expect("input");
        c.posterior[i].high - c.posterior[i].low
    };
    // Rejection alone on 2000 points, and one round of sequential Monte Carlo on 600 + 600.
    for (seed, rounds) in [
        (1, 0),
        (2, 0),
        (3, 0),
        (4, 0),
        (1, 1),
        (2, 1),
        (3, 1),
        (4, 1),
    ] {
        let mut req = request(&sc, seed, &tmp.path().join("unused"), None);
        if rounds > 0 {
            req.rounds = rounds;
            req.samples = 600;
        }
        let c = calibrate(&sc, &req, &pool, &|_| {}, &AtomicBool::new(false)).expect("fits");
        for (i, post) in c.posterior.iter().enumerate() {
            assert!(
                post.low <= truth[i] && truth[i] <= post.high,
                "seed {seed}: {} interval [{}, {}] misses {}",
                sc.inputs[i].name,
                post.low,
                post.high,
                truth[i]
            );
        }
        // The priors' 90% intervals are 1.8, 1.8 and 0.45 wide.
        let (l1, l2, unused) = (
            width_of("L1.alignment", &c),
            width_of("L2.alignment", &c),
            width_of("unused", &c),
        );
        // L1 is seen directly (sd 0.05, three times: a 90% interval near 0.095 wide), L2
        // through a quarter of F (near 0.5 wide); nothing sees `unused`.
        assert!((0.06..0.2).contains(&l1), "seed {seed}: L1 width {l1}");
        assert!((0.25..0.9).contains(&l2), "seed {seed}: L2 width {l2}");
        assert!(unused > 0.3, "seed {seed}: unused width {unused}");
        // Every kept vector is a point simulated: of the design, or of the last round.
        let first = if rounds == 0 {
            0
        } else {
            600 * rounds as usize
        };
        for &p in &c.accepted.points {
            assert!(p >= first && c.distances[p] <= c.accepted.tolerance);
        }
    }
}

#[test]
fn holding_out_the_later_record_scores_it_and_fitting_helps() {
    let sc = scenario();
    let tmp = tempfile::tempdir().expect("tmp");
    let req = request(&sc, 7, &tmp.path().join("unused"), Some(15));
    let c = calibrate(&sc, &req, &pool(2), &|_| {}, &AtomicBool::new(false)).expect("fits");
    let s = c.held_out.expect("scored");
    assert_eq!((s.values, s.signs), (2, 1));
    assert!(
        s.posterior_rmse_sd < s.prior_rmse_sd / 3.0,
        "values: prior {} posterior {}",
        s.prior_rmse_sd,
        s.posterior_rmse_sd
    );
    assert!(
        s.posterior_brier < s.prior_brier,
        "signs: prior {} posterior {}",
        s.prior_brier,
        s.posterior_brier
    );
    assert_eq!(c.fit.iter().filter(|f| !f.used).count(), 3);
}

#[test]
fn files_are_identical_whatever_the_thread_count() {
    let sc = scenario();
    let text = read(&repo(RECOVERY));
    let tmp = tempfile::tempdir().expect("tmp");
    let mut texts = Vec::new();
    for threads in [1, 2] {
        let out = tmp.path().join(format!("t{threads}"));
        let mut req = request(&sc, 11, &out, Some(15));
        req.samples = 200;
        req.keep = 20;
        req.rounds = 1;
        run_calibrate(
            &sc,
            &text,
            &req,
            &pool(threads),
            &|_| {},
            &AtomicBool::new(false),
        )
        .expect("writes");
        let files: Vec<String> = [
            "posterior.csv",
            "calibration.csv",
            "fit.csv",
            "observed.csv",
        ]
        .iter()
        .map(|f| read(&out.join(f)))
        .collect();
        texts.push(files);
    }
    assert_eq!(texts[0], texts[1]);
    let posterior = csv_rows(&texts[0][0]);
    // After a round, every proposal of the round is kept, by weight.
    assert_eq!(posterior.len(), 200 * 3);
    let total: f64 = posterior
        .iter()
        .step_by(3)
        .map(|r| r[3].parse::<f64>().expect("weight"))
        .sum();
    assert!((total - 1.0).abs() < 1e-9, "weights sum to {total}");
}

const OBSERVED: &str = "\
[[observed]]
step = 5
metric = \"alignment\"
actor = \"L1\"
value = 0.4
sd = 0.05
";

#[test]
fn the_command_writes_its_files_and_refuses_what_it_cannot_fit() {
    let tmp = tempfile::tempdir().expect("tmp");
    let with_record = tmp.path().join("with.toml");
    fs::write(
        &with_record,
        format!("{}\n{OBSERVED}", read(&repo(RECOVERY))),
    )
    .expect("write");
    let out = tmp.path().join("cal");
    let printed = ok(influence()
        .arg("calibrate")
        .arg(&with_record)
        .args(["--samples", "64", "--runs", "2", "--keep", "8", "--out"])
        .arg(&out));
    assert!(printed.contains("L1.alignment"), "{printed}");
    let mut names = entries(&out);
    names.retain(|n| n != "report.html");
    assert_eq!(
        names,
        [
            "calibration.csv",
            "charts",
            "fit.csv",
            "observed.csv",
            "posterior.csv",
            "scenario.toml",
            "summary.json"
        ]
    );
    assert_eq!(summary(&out)["kind"], "calibration");
    assert_eq!(
        read(&out.join("calibration.csv")).lines().next(),
        Some("input,prior_low,prior_high,post_median,post_low,post_high")
    );
    assert_eq!(
        read(&out.join("posterior.csv")).lines().next(),
        Some("sample,input,value,weight")
    );

    // No observations: exit 2, nothing written.
    let none = tmp.path().join("none");
    let message = bad_input(
        influence()
            .arg("calibrate")
            .arg(repo(RECOVERY))
            .arg("--out")
            .arg(&none),
    );
    assert!(message.contains("no observations"), "{message}");
    assert!(!none.exists());

    // Observations but no uncertain inputs: exit 2, nothing written.
    let fixed = tmp.path().join("fixed.toml");
    let text = read(&repo(RECOVERY))
        .replace("{ low = -1.0, high = 1.0 }", "0.1")
        .replace("{ low = 0.0, high = 0.5, name = \"unused\" }", "0.0");
    fs::write(&fixed, format!("{text}\n{OBSERVED}")).expect("write");
    let message = bad_input(
        influence()
            .arg("calibrate")
            .arg(&fixed)
            .arg("--out")
            .arg(&none),
    );
    assert!(message.contains("no uncertain inputs"), "{message}");
    assert!(!none.exists());

    // A misspelt actor in an --observed file: file:line:col, a suggestion, exit 2.
    let csv = tmp.path().join("record.csv");
    fs::write(&csv, "step,metric,actor,value\n5,alignment,L3x,0.2\n").expect("write");
    let message = bad_input(
        influence()
            .arg("calibrate")
            .arg(&with_record)
            .arg("--observed")
            .arg(&csv)
            .arg("--out")
            .arg(&none),
    );
    assert!(message.contains("record.csv:2:13"), "{message}");
    assert!(message.contains("unknown actor \"L3x\""), "{message}");
    assert!(!none.exists());
}

#[test]
fn a_run_from_a_posterior_draws_only_kept_vectors_in_proportion_to_their_weights() {
    let sc = scenario();
    let tmp = tempfile::tempdir().expect("tmp");
    let cal = tmp.path().join("cal");
    let mut req = request(&sc, 3, &cal, None);
    req.samples = 100;
    req.keep = 8;
    run_calibrate(
        &sc,
        &read(&repo(RECOVERY)),
        &req,
        &pool(2),
        &|_| {},
        &AtomicBool::new(false),
    )
    .expect("calibrates");
    // sample -> (values in input order, weight)
    let mut kept: Vec<(String, Vec<f64>, f64)> = Vec::new();
    for r in csv_rows(&read(&cal.join("posterior.csv"))) {
        let value: f64 = r[2].parse().expect("value");
        let weight: f64 = r[3].parse().expect("weight");
        match kept.last_mut() {
            Some(k) if k.0 == r[0] => k.1.push(value),
            _ => kept.push((r[0].clone(), vec![value], weight)),
        }
    }
    assert_eq!(kept.len(), 8);
    let runs = 4000;
    let out = tmp.path().join("run");
    ok(influence()
        .arg("run")
        .arg(repo(RECOVERY))
        .arg("--posterior")
        .arg(&cal)
        .args(["--runs", &runs.to_string(), "--no-charts", "-q", "--out"])
        .arg(&out));
    let rows = csv_rows(&read(&out.join("inputs.csv")));
    assert_eq!(rows.len(), runs * 3);
    let mut counts = vec![0usize; kept.len()];
    for run in rows.chunks(3) {
        let v: Vec<f64> = run.iter().map(|r| r[2].parse().expect("value")).collect();
        let k = kept
            .iter()
            .position(|(_, values, _)| values.iter().zip(&v).all(|(a, b)| (a - b).abs() < 1e-6))
            .unwrap_or_else(|| panic!("run {} drew {v:?}, which was not kept", run[0][0]));
        counts[k] += 1;
    }
    for ((name, _, w), &c) in kept.iter().zip(&counts) {
        let expected = w * runs as f64;
        let sd = (runs as f64 * w * (1.0 - w)).sqrt();
        assert!(
            (c as f64 - expected).abs() <= 4.0 * sd + 1.0,
            "sample {name}: {c} draws, expected {expected:.0} ± {sd:.0}"
        );
    }

    // A directory that is not a calibration's is refused.
    let message = bad_input(
        influence()
            .arg("run")
            .arg(repo(RECOVERY))
            .arg("--posterior")
            .arg(&out)
            .arg("--out")
            .arg(tmp.path().join("never")),
    );
    assert!(
        message.contains("not of `influence calibrate`"),
        "{message}"
    );
}

/// The README reports the historical example's held-out skill; this keeps the report
/// honest: fitted on 1956-1966, the posterior scores the later record better than the prior.
#[test]
fn the_historical_example_scores_its_later_record_better_after_fitting() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("sino");
    ok(influence()
        .arg("calibrate")
        .arg(repo("scenarios/sino_soviet_split.toml"))
        .args([
            "--hold-out-after",
            "10",
            "--samples",
            "2000",
            "--runs",
            "20",
            "--keep",
            "400",
            "-q",
            "--out",
        ])
        .arg(&out));
    let s = summary(&out);
    let held = &s["held_out"];
    assert_eq!(
        (held["values"].as_u64(), held["signs"].as_u64()),
        (Some(2), Some(2))
    );
    let f = |k: &str| held[k].as_f64().expect("a number");
    assert!((f("prior_rmse_sd") - 2.889).abs() < 0.0005, "{held}");
    assert!((f("posterior_rmse_sd") - 1.330).abs() < 0.0005, "{held}");
    assert!((f("prior_brier") - 0.556).abs() < 0.0005, "{held}");
    assert!((f("posterior_brier") - 0.186).abs() < 0.0005, "{held}");
}

#[test]
fn seeds_and_ablate_draw_from_a_posterior_and_refuse_one_of_other_inputs() {
    let tmp = tempfile::tempdir().expect("tmp");
    let sino = repo("scenarios/sino_soviet_split.toml");
    let cal = tmp.path().join("cal");
    ok(influence()
        .arg("calibrate")
        .arg(&sino)
        .args([
            "--samples",
            "64",
            "--runs",
            "2",
            "--keep",
            "8",
            "-q",
            "--out",
        ])
        .arg(&cal));
    let seeds = tmp.path().join("seeds");
    ok(influence()
        .arg("seeds")
        .arg(&sino)
        .arg("--posterior")
        .arg(&cal)
        .args(["--count", "2", "--runs", "40", "--no-charts", "-q", "--out"])
        .arg(&seeds));
    assert_eq!(summary(&seeds)["kind"], "seeds");
    let ablation = tmp.path().join("ablation");
    ok(influence()
        .arg("ablate")
        .arg(&sino)
        .arg("--posterior")
        .arg(&cal)
        .args(["--runs", "40", "--no-charts", "-q", "--out"])
        .arg(&ablation));
    assert_eq!(summary(&ablation)["kind"], "ablation");
    // A posterior over other inputs is refused before anything runs.
    let message = bad_input(
        influence()
            .arg("ablate")
            .arg(repo(RECOVERY))
            .arg("--posterior")
            .arg(&cal)
            .arg("--out")
            .arg(tmp.path().join("never")),
    );
    assert!(message.contains("the scenario has no input"), "{message}");
    assert!(!tmp.path().join("never").exists());
}

#[test]
fn the_posterior_and_fit_charts_are_drawn_the_same_on_any_thread_count_and_redrawn_exactly() {
    let tmp = tempfile::tempdir().expect("tmp");
    let with_record = tmp.path().join("with.toml");
    fs::write(
        &with_record,
        format!(
            "{}\n{OBSERVED}\n[[observed]]\nstep = 30\nmetric = \"alignment\"\nactor = \"L2\"\nsign = \"-\"\n",
            read(&repo(RECOVERY))
        ),
    )
    .expect("write");
    let run = |name: &str, extra: &[&str]| {
        let dir = tmp.path().join(name);
        ok(influence()
            .arg("calibrate")
            .arg(&with_record)
            .args(["--samples", "64", "--runs", "2", "--keep", "8", "-q"])
            .args(["--hold-out-after", "10"])
            .args(extra)
            .arg("--out")
            .arg(&dir));
        dir
    };
    let files = ["calibration.png", "fit.png"];
    let one = run("one", &["--threads", "1"]);
    let two = run("two", &["--threads", "2"]);
    assert_eq!(entries(&one.join("charts")), files);
    for name in files {
        let pic = Picture::read_rgb(&one.join("charts").join(name));
        assert_eq!((pic.width, pic.height), (1600, 1000), "{name}");
        pic.assert_chart(name);
    }
    let bytes = |dir: &Path| -> Vec<Vec<u8>> {
        files
            .iter()
            .map(|f| fs::read(dir.join("charts").join(f)).expect("chart"))
            .collect()
    };
    let drawn = bytes(&one);
    assert!(drawn == bytes(&two), "charts differ by thread count");
    ok(influence().arg("chart").arg(&one));
    assert!(drawn == bytes(&one), "charts differ when redrawn");
    let page = read(&one.join("report.html"));
    assert!(page.contains("id=\"chart-calibration\""), "report.html");
    assert!(page.contains("id=\"chart-fit\""), "report.html");
    assert!(page.contains("Prior against posterior per input. "));
    assert!(page.contains("L1.alignment: prior −1.000 to 1.000, posterior median"));
    assert!(page.contains("(held out): observed sign"), "report.html");

    let none = run("none", &["--no-charts"]);
    assert!(!none.join("charts").exists());
    assert!(!read(&none.join("report.html")).contains("<figure"));
}
