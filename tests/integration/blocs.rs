//! `influence blocs` on the default scenario: the start's landscape has the axis of
//! resistance against Israel, the United States, Azerbaijan and the Gulf states.

use crate::common::cli::{csv_lines, csv_records, influence, ok, read};

#[test]
fn the_default_start_splits_into_the_two_camps_of_the_article() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("blocs");
    let out = ok(influence().arg("blocs").arg("--out").arg(&dir));
    assert!(out.contains("exact, 256 starts"), "{out}");
    let lines = csv_lines(&read(&dir.join("blocs_start.csv")));
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
    // A directory like every command's: its summary, the scenario, a page.
    let summary = crate::common::cli::summary(&dir);
    assert_eq!(summary["kind"], "blocs");
    assert_eq!(summary["bloc_a"], "Iran;Armenia;Hezbollah;Hamas;Houthis");
    let sentence = summary["sentence"].as_str().expect("a sentence");
    assert!(
        sentence
            .starts_with("The start favours Iran, Armenia, Hezbollah, Hamas and Houthis against"),
        "{sentence}"
    );
    let page = read(&dir.join("report.html"));
    assert!(
        page.contains("The start favours Iran"),
        "the page says the sentence"
    );
    assert!(dir.join("scenario.toml").is_file());
    // An existing directory is not replaced without --force, and is with it.
    let again = influence()
        .arg("blocs")
        .arg("--out")
        .arg(&dir)
        .output()
        .expect("runs");
    assert_eq!(again.status.code(), Some(1));
    ok(influence()
        .args(["blocs", "-q", "--force", "--out"])
        .arg(&dir));
}

/// blocs.csv and blocs_splits.csv are written from one tally but say the same thing two
/// ways: two actors share a bloc in exactly the runs whose split puts them together.
#[test]
fn every_pair_share_follows_from_the_split_shares() {
    let tmp = tempfile::tempdir().expect("tmp");
    for (name, scenario) in [("tiny", Some("tests/golden/tiny.toml")), ("default", None)] {
        let out = tmp.path().join(name);
        let mut cmd = influence();
        cmd.args([
            "run",
            "-q",
            "--runs",
            "300",
            "--no-charts",
            "--no-baseline",
            "--out",
        ])
        .arg(&out);
        if let Some(s) = scenario {
            cmd.arg(crate::common::cli::repo(s));
        }
        ok(&mut cmd);
        let splits: Vec<(Vec<String>, Vec<String>, f64)> =
            csv_records(&read(&out.join("blocs_splits.csv")))[1..]
                .iter()
                .map(|row| {
                    let (text, share) = (&row[0], row[1].parse::<f64>().expect("share"));
                    let (a, b) = text.split_once(" |").expect("two blocs");
                    let members = |s: &str| {
                        s.trim()
                            .split(';')
                            .filter(|m| !m.is_empty())
                            .map(str::to_string)
                            .collect::<Vec<_>>()
                    };
                    (members(a), members(b), share)
                })
                .collect();
        let total: f64 = splits.iter().map(|s| s.2).sum();
        assert!((total - 1.0).abs() < 1e-4, "{name}: shares sum to {total}");
        let pairs = csv_records(&read(&out.join("blocs.csv")));
        assert_eq!(pairs[0], ["a", "b", "p_same_bloc"]);
        for row in &pairs[1..] {
            let (a, b) = (&row[0], &row[1]);
            let together: f64 = splits
                .iter()
                .filter(|(x, y, _)| {
                    (x.contains(a) && x.contains(b)) || (y.contains(a) && y.contains(b))
                })
                .map(|s| s.2)
                .sum();
            let p = row[2].parse::<f64>().expect("share");
            assert!(
                (p - together).abs() < 1e-4,
                "{name}: {a}-{b} {p} vs {together}"
            );
        }
    }
}

/// Each run's split is the landscape minimum of that run's final trust and power,
/// recomputed here run by run from the simulated states.
#[test]
fn each_run_ends_in_the_minimum_of_its_final_state() {
    use influence::analysis::blocs::{BlocScratch, best_split};
    use std::collections::BTreeMap;
    use std::sync::atomic::AtomicBool;

    let sc = crate::common::parse(&read(&crate::common::cli::repo("tests/golden/tiny.toml")));
    let runs = 120;
    let pool = influence::montecarlo::thread_pool(Some(2)).expect("pool");
    let cfg = influence::montecarlo::BatchConfig::new(runs, 9);
    let result =
        influence::montecarlo::run_batch(&sc, &cfg, &pool, &|_| {}, &AtomicBool::new(false))
            .expect("batch");
    let tally = result.aggregates.blocs.expect("blocs kept");
    let mut scratch = BlocScratch::new();
    let mut counted: BTreeMap<u64, u64> = BTreeMap::new();
    for run in 0..runs {
        let rec = crate::common::simulate(&sc, 9, run);
        let end = rec.at(sc.steps);
        let split = best_split(sc.n(), &end.trust, &end.power, &mut scratch).expect("split");
        *counted.entry(split.bits()).or_insert(0) += 1;
    }
    let got: BTreeMap<u64, u64> = tally
        .co
        .splits()
        .into_iter()
        .map(|(s, c)| (s.bits(), c))
        .collect();
    assert_eq!(got, counted);
    assert_eq!(tally.unsplit, 0);
}

/// The co-membership chart stays inside a fixed size however many actors there are, and a
/// world larger than a split can hold is told so rather than drawn wrong.
#[test]
fn the_bloc_chart_has_a_fixed_largest_size() {
    let tmp = tempfile::tempdir().expect("tmp");
    for actors in ["60", "70"] {
        let world = tmp.path().join(format!("world{actors}.toml"));
        ok(influence()
            .args(["generate", "--actors", actors, "--out"])
            .arg(&world));
        let out = tmp.path().join(format!("out{actors}"));
        ok(influence()
            .args(["run", "-q", "--runs", "8", "--no-baseline", "--out"])
            .arg(&out)
            .arg(&world));
        let png = std::fs::read(out.join("charts/blocs.png")).expect("chart");
        let (w, h) = (
            u32::from_be_bytes([png[16], png[17], png[18], png[19]]),
            u32::from_be_bytes([png[20], png[21], png[22], png[23]]),
        );
        assert!(w <= 1700 && h <= 1800, "{actors} actors: {w}x{h}");
        let rows = csv_lines(&read(&out.join("blocs.csv")));
        if actors == "70" {
            assert_eq!(rows.len(), 1, "only the header beyond 64 actors");
        } else {
            assert_eq!(rows.len(), 1 + 60 * 59 / 2);
        }
    }
}
