//! End-to-end tests of `influence compare` and `influence ablate`: the files and their
//! columns, exact zeros where the paired scenarios cannot differ, refusal of scenarios that
//! cannot be paired, charts that decode and show something, and independence of the thread
//! count.

use std::fs;
use std::path::Path;

use crate::common::cli::{bad_input, csv_lines, entries, influence, ok, read, repo, summary};
use crate::common::picture::check_chart;

/// The default scenario with Netanyahu's visit (week 1, chance 0.6 to 0.95) made impossible.
fn no_netanyahu_text() -> String {
    let text = read(&repo("scenarios/south_caucasus.toml"));
    let at = text
        .find("id = \"Netanyahu visits Baku\"")
        .expect("the default scenario has Netanyahu's visit");
    let (head, tail) = text.split_at(at);
    let old = "probability = { low = 0.6, high = 0.95, mode = 0.8, name = \"Netanyahu's visit happens\" }";
    let k = tail.find(old).expect("the visit has a probability");
    assert!(
        !tail[..k].contains("[[event]]"),
        "the probability belongs to the visit"
    );
    format!(
        "{head}{}probability = 0.0{}",
        &tail[..k],
        &tail[k + old.len()..]
    )
}

#[test]
fn compare_default_with_and_without_netanyahus_visit() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let variant = tmp.path().join("no_netanyahu.toml");
    fs::write(&variant, no_netanyahu_text()).expect("variant written");
    let stdout = ok(influence()
        .current_dir(tmp.path())
        .arg("compare")
        .arg(repo("scenarios/south_caucasus.toml"))
        .arg(&variant)
        .args(["--runs", "200"]));
    assert!(
        stdout
            .contains("south_caucasus (base) vs no_netanyahu (variant): 200 paired runs, seed 42"),
        "{stdout}"
    );
    for needle in [
        "Azerbaijan",
        "Azerbaijan moves at least 0.1 toward Iran",
        "narrower",
        "P(higher)",
    ] {
        assert!(stdout.contains(needle), "{needle} missing from:\n{stdout}");
    }

    // The default output directory is named after both files.
    let dir = tmp.path().join("outputs/south_caucasus-vs-no_netanyahu");
    assert_eq!(
        entries(&dir),
        [
            "base.toml",
            "base_alignment.csv",
            "charts",
            "diff_alignment.csv",
            "diff_outcomes.csv",
            "report.html",
            "summary.json",
            "variant.toml",
            "variant_alignment.csv",
        ]
    );
    assert_eq!(
        entries(&dir.join("charts")),
        ["compare_fan.png", "diff_fan.png"]
    );
    assert_eq!(read(&dir.join("variant.toml")), no_netanyahu_text());

    let diff = csv_lines(&read(&dir.join("diff_alignment.csv")));
    assert_eq!(
        diff[0],
        [
            "step",
            "actor",
            "mean_diff",
            "ci_low",
            "ci_high",
            "p_variant_higher"
        ]
    );
    assert_eq!(diff.len(), 1 + 27 * 9, "steps 0..=26 for 9 actors");
    // The visit happens during the move from week 1 to week 2: up to week 1 every run of the
    // variant is its base run to the bit.
    for row in &diff[1..] {
        let step: usize = row[0].parse().expect("step");
        if step <= 1 {
            assert_eq!(row[2..], ["0.000000"; 4], "{row:?}");
        }
    }
    let azerbaijan_after = diff
        .iter()
        .find(|r| r[0] == "2" && r[1] == "Azerbaijan")
        .expect("Azerbaijan at week 2");
    let mean: f64 = azerbaijan_after[2].parse().expect("number");
    assert!(
        mean < 0.0,
        "without the visit Azerbaijan leans less west: {azerbaijan_after:?}"
    );

    let outcomes = csv_lines(&read(&dir.join("diff_outcomes.csv")));
    assert_eq!(
        outcomes[0],
        [
            "outcome",
            "p_base",
            "p_variant",
            "diff",
            "ci_low",
            "ci_high"
        ]
    );
    assert_eq!(outcomes.len(), 1 + 6);
    for row in &outcomes[1..] {
        let v: Vec<f64> = row[1..]
            .iter()
            .map(|x| x.parse().expect("number"))
            .collect();
        assert!((v[1] - v[0] - v[2]).abs() < 1.5e-6, "{row:?}");
        assert!(v[3] <= v[2] && v[2] <= v[4], "{row:?}");
    }
    let base = csv_lines(&read(&dir.join("base_alignment.csv")));
    assert_eq!(
        base[0],
        [
            "step", "actor", "mean", "sd", "p05", "p25", "p50", "p75", "p95"
        ]
    );
    assert_eq!(base.len(), 1 + 27 * 9);

    let summary = summary(&dir);
    assert_eq!(summary["kind"], "compare");
    assert_eq!(summary["runs"], 200);
    assert_eq!(summary["variant"]["label"], "no_netanyahu");

    for chart in ["compare_fan.png", "diff_fan.png"] {
        check_chart(&dir.join("charts").join(chart));
    }
    // `influence chart` redraws the same bytes from the directory alone.
    let before: Vec<Vec<u8>> = ["compare_fan.png", "diff_fan.png"]
        .iter()
        .map(|c| fs::read(dir.join("charts").join(c)).expect("png"))
        .collect();
    influence().arg("chart").arg(&dir).assert().success();
    for (chart, bytes) in ["compare_fan.png", "diff_fan.png"].iter().zip(before) {
        assert!(
            fs::read(dir.join("charts").join(chart)).expect("png") == bytes,
            "{chart} redraws differently"
        );
    }
}

#[test]
fn scenarios_that_cannot_be_paired_are_bad_input_and_write_nothing() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let base = repo("scenarios/south_caucasus.toml");
    let extra_actor = tmp.path().join("with_turkey.toml");
    fs::write(
        &extra_actor,
        format!(
            "{}\n[[actor]]\nname = \"Turkey\"\nalignment = 0.2\nstubbornness = 0.6\npower = 0.4\n",
            read(&base)
        ),
    )
    .expect("written");
    let longer = tmp.path().join("longer.toml");
    fs::write(&longer, read(&base).replacen("steps = 26", "steps = 30", 1)).expect("written");
    for (variant, needle) in [
        (&extra_actor, "actors only in the variant: \"Turkey\""),
        (&longer, "steps = 26 and 30"),
    ] {
        let out_dir = tmp.path().join("sub/out");
        let stderr = bad_input(
            influence()
                .arg("compare")
                .arg(&base)
                .arg(variant)
                .args(["--runs", "10", "--out"])
                .arg(&out_dir),
        );
        assert!(stderr.contains("cannot be compared"), "{stderr}");
        assert!(stderr.contains(needle), "{stderr}");
        assert!(
            !tmp.path().join("sub").exists(),
            "nothing is created for a refused comparison"
        );
    }
}

const SMALL: &str = r#"
[scenario]
name = "Three actors"
steps = 12
seed = 9
runs = 100

[model]
trust_noise = 0.05
alignment_noise = 0.02
event_noise = 0.3

[[actor]]
name = "A"
alignment = -0.6
stubbornness = 0.2
power = 0.5

[[actor]]
name = "B"
alignment = 0.1
stubbornness = 0.3
power = 0.3

[[actor]]
name = "C"
alignment = 0.7
stubbornness = 0.4
power = 0.4

[[relation]]
between = ["A", "B"]
trust = 0.3

[[relation]]
between = ["B", "C"]
trust_ab = 0.5
trust_ba = -0.2

[[event]]
id = "early visit"
kind = "visit"
actor = "A"
target = "B"
step = 2

[[event]]
id = "phantom strike"
label = "A strike that never happens"
kind = "strike"
actor = "C"
target = "B"
step = 4
probability = 0.0

[[event]]
id = "random sabotage"
kind = "sabotage"
actor = "C"
target = "A"
hazard = 0.2

[[event]]
id = "late deal"
kind = "arms_deal"
actor = "C"
target = "B"
step = 8
probability = 0.6

[[outcome]]
name = "B leans positive"
metric = "alignment"
actor = "B"
op = ">"
value = 0.0

[[outcome]]
name = "A distrusts C"
metric = "trust"
actor = "A"
other = "C"
op = "<"
value = -0.1
when = "ever"
"#;

fn ablate(scenario: &Path, out: &Path, threads: &str) -> String {
    ok(influence()
        .arg("ablate")
        .arg(scenario)
        .args(["--runs", "200", "--threads", threads, "--out"])
        .arg(out))
}

#[test]
fn ablation_ranks_every_event_on_every_measure() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let scenario = tmp.path().join("small.toml");
    fs::write(&scenario, SMALL).expect("written");
    let dir = tmp.path().join("ablation");
    let stdout = ablate(&scenario, &dir, "2");
    assert!(
        stdout.contains(
            "Three actors: 4 events left out one at a time, 200 paired runs each, seed 9"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("B leans positive"), "{stdout}");

    assert_eq!(
        entries(&dir),
        [
            "ablation.csv",
            "charts",
            "report.html",
            "scenario.toml",
            "summary.json"
        ]
    );
    let table = csv_lines(&read(&dir.join("ablation.csv")));
    assert_eq!(
        table[0],
        [
            "event", "label", "kind", "measure", "name", "effect", "ci_low", "ci_high", "rank"
        ]
    );
    // 4 events on each of 2 outcomes and 3 actors' final alignment.
    assert_eq!(table.len(), 1 + 4 * (2 + 3));
    let groups: Vec<&[Vec<String>]> = table[1..].chunks(4).collect();
    let names: Vec<(&str, &str)> = groups
        .iter()
        .map(|g| (g[0][3].as_str(), g[0][4].as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("outcome", "B leans positive"),
            ("outcome", "A distrusts C"),
            ("final_alignment", "A"),
            ("final_alignment", "B"),
            ("final_alignment", "C"),
        ]
    );
    for group in &groups {
        let mut events: Vec<&str> = group.iter().map(|r| r[0].as_str()).collect();
        events.sort_unstable();
        assert_eq!(
            events,
            [
                "early visit",
                "late deal",
                "phantom strike",
                "random sabotage"
            ],
            "each event once per measure"
        );
        let ranks: Vec<&str> = group.iter().map(|r| r[8].as_str()).collect();
        assert_eq!(ranks, ["1", "2", "3", "4"]);
        let sizes: Vec<f64> = group
            .iter()
            .map(|r| r[5].parse::<f64>().expect("number").abs())
            .collect();
        assert!(sizes.windows(2).all(|w| w[0] >= w[1]), "{group:?}");
        for r in group.iter() {
            let (effect, low, high): (f64, f64, f64) = (
                r[5].parse().expect("number"),
                r[6].parse().expect("number"),
                r[7].parse().expect("number"),
            );
            assert!(low <= effect && effect <= high, "{r:?}");
        }
    }
    // An event that never fires changes no draw of any other source: its effect is nothing,
    // exactly, on every measure, and on alignment its interval is exactly zero too.
    let phantom: Vec<&Vec<String>> = table[1..]
        .iter()
        .filter(|r| r[0] == "phantom strike")
        .collect();
    assert_eq!(phantom.len(), 5);
    for r in phantom {
        assert_eq!(r[1], "A strike that never happens");
        assert_eq!(r[2], "strike");
        assert_eq!(r[5], "0.000000", "{r:?}");
        if r[3] == "final_alignment" {
            assert_eq!(r[6..8], ["0.000000", "0.000000"], "{r:?}");
        }
    }
    // The certain visit to B moves B.
    let visit_on_b = table[1..]
        .iter()
        .find(|r| r[0] == "early visit" && r[3] == "final_alignment" && r[4] == "B")
        .expect("row");
    assert_ne!(visit_on_b[5], "0.000000");

    let summary = summary(&dir);
    assert_eq!(summary["kind"], "ablation");
    assert_eq!(summary["events"], 4);
    assert_eq!(
        entries(&dir.join("charts")),
        ["ablation.png", "ablation_alignment.png"]
    );
    for chart in ["ablation.png", "ablation_alignment.png"] {
        check_chart(&dir.join("charts").join(chart));
    }
}

#[test]
fn outputs_do_not_depend_on_the_thread_count() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let scenario = tmp.path().join("small.toml");
    fs::write(&scenario, SMALL).expect("written");
    let (one, two) = (tmp.path().join("one"), tmp.path().join("two"));
    ablate(&scenario, &one, "1");
    ablate(&scenario, &two, "2");
    for file in [
        "ablation.csv",
        "scenario.toml",
        "charts/ablation.png",
        "charts/ablation_alignment.png",
    ] {
        assert!(
            fs::read(one.join(file)).expect("file") == fs::read(two.join(file)).expect("file"),
            "ablate: {file} differs between 1 and 2 threads"
        );
    }

    let variant = tmp.path().join("variant.toml");
    fs::write(
        &variant,
        SMALL.replace("probability = 0.6", "probability = 0.9"),
    )
    .expect("written");
    for (threads, out) in [("1", &one), ("2", &two)] {
        influence()
            .arg("compare")
            .arg(&scenario)
            .arg(&variant)
            .args([
                "-q",
                "--runs",
                "300",
                "--force",
                "--threads",
                threads,
                "--out",
            ])
            .arg(out)
            .assert()
            .success();
    }
    for file in [
        "diff_alignment.csv",
        "diff_outcomes.csv",
        "base_alignment.csv",
        "variant_alignment.csv",
        "charts/compare_fan.png",
        "charts/diff_fan.png",
    ] {
        assert!(
            fs::read(one.join(file)).expect("file") == fs::read(two.join(file)).expect("file"),
            "compare: {file} differs between 1 and 2 threads"
        );
    }
}

/// The actor rows of a terminal table: the name, then the numbers after it.
fn actor_rows(stdout: &str, actors: &[&str]) -> Vec<Vec<String>> {
    actors
        .iter()
        .map(|a| {
            let line = stdout
                .lines()
                .find(|l| l.trim_start().starts_with(&format!("{a} ")))
                .unwrap_or_else(|| panic!("no row for {a} in:\n{stdout}"));
            line.trim_start()[a.len()..]
                .split_whitespace()
                .map(str::to_string)
                .collect()
        })
        .collect()
}

#[test]
fn the_compare_table_prints_medians_as_run_and_the_charts_do_and_says_so() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let text = read(&repo("tests/golden/tiny.toml"));
    let variant = text.replacen(
        "step = 0\nlabel = \"A visits B\"",
        "step = 0\nlabel = \"A visits B\"\nprobability = 0.0",
        1,
    );
    assert_ne!(text, variant);
    fs::write(tmp.path().join("base.toml"), &text).expect("write");
    fs::write(tmp.path().join("variant.toml"), &variant).expect("write");
    let compared = ok(influence().current_dir(tmp.path()).args([
        "compare",
        "base.toml",
        "variant.toml",
        "--runs",
        "150",
        "--no-charts",
        "--out",
        "cmp",
    ]));
    assert!(
        compared.contains("base median") && compared.contains("variant median"),
        "{compared}"
    );
    assert!(compared.contains("mean diff"), "{compared}");
    let run = ok(influence().current_dir(tmp.path()).args([
        "run",
        "base.toml",
        "--runs",
        "150",
        "--no-charts",
        "--out",
        "run",
    ]));
    let actors = ["A", "B"];
    let compare_rows = actor_rows(&compared, &actors);
    // `run`'s rows: start, median, band.
    let run_rows = actor_rows(&run, &actors);
    // The charts draw the p50 of each side's alignment table at the last step.
    let p50 = |file: &str, actor: &str| -> f64 {
        let rows = csv_lines(&read(&tmp.path().join("cmp").join(file)));
        let row = rows
            .iter()
            .find(|r| r[0] == "4" && r[1] == actor)
            .expect("last step");
        row[6].parse().expect("p50")
    };
    for (k, actor) in actors.iter().enumerate() {
        assert_eq!(
            compare_rows[k][0], run_rows[k][1],
            "{actor}: base median is run's"
        );
        let base: f64 = compare_rows[k][0].parse().expect("number");
        let variant: f64 = compare_rows[k][1].parse().expect("number");
        assert!(
            (base - p50("base_alignment.csv", actor)).abs() < 6e-4,
            "{actor}"
        );
        assert!(
            (variant - p50("variant_alignment.csv", actor)).abs() < 6e-4,
            "{actor}"
        );
    }
}
