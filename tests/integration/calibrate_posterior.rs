//! `--posterior DIR` on every command that draws inputs: `compare`, `discover`, `run
//! --shard` (whose parts name the posterior), `replay` (and its `--pick`); `sensitivity`
//! refuses it and says why. A posterior that does not fit the scenario is refused with
//! exit 2, naming the input and the nearest name; posterior.csv reads as RFC 4180.

use std::fs;
use std::path::{Path, PathBuf};

use crate::common::cli::{bad_input, influence, ok, read, repo, summary};

const SINO: &str = "scenarios/sino_soviet_split.toml";

/// The historical scenario with an outcome to discover, as a file in `dir`.
fn with_outcome(dir: &Path) -> PathBuf {
    let path = dir.join("sino.toml");
    let text = format!(
        "{}\n[[outcome]]\nname = \"China trusts the US\"\nmetric = \"trust\"\nactor = \
         \"China\"\nother = \"USA\"\nop = \">\"\nvalue = 0.0\n",
        read(&repo(SINO))
    );
    fs::write(&path, text).expect("write");
    path
}

/// A small calibration of `scenario` with master seed `seed`.
fn calibrate(scenario: &Path, seed: &str, out: &Path) {
    ok(influence()
        .arg("calibrate")
        .arg(scenario)
        .args([
            "--samples",
            "64",
            "--runs",
            "2",
            "--keep",
            "8",
            "--no-charts",
            "-q",
        ])
        .args(["--seed", seed, "--out"])
        .arg(out));
}

fn run(scenario: &Path, args: &[&str], out: &Path) -> String {
    let mut cmd = influence();
    for var in [
        "SLURM_ARRAY_TASK_ID",
        "SLURM_ARRAY_TASK_COUNT",
        "JOB_COMPLETION_INDEX",
    ] {
        cmd.env_remove(var);
    }
    ok(cmd
        .arg(args[0])
        .arg(scenario)
        .args(&args[1..])
        .arg("--out")
        .arg(out))
}

#[test]
fn compare_discover_replay_and_run_shards_draw_from_a_posterior() {
    let tmp = tempfile::tempdir().expect("tmp");
    let sino = with_outcome(tmp.path());
    let cal = tmp.path().join("cal");
    calibrate(&sino, "3", &cal);
    let posterior = cal.display().to_string();
    let kept: Vec<f64> = read(&cal.join("posterior.csv"))
        .lines()
        .skip(1)
        .filter(|l| l.contains(",trust memory,"))
        .map(|l| l.split(',').nth(2).expect("value").parse().expect("number"))
        .collect();

    // run --shard: the parts merge into the unsharded run from the posterior.
    let plain = tmp.path().join("plain");
    let args = [
        "run",
        "--runs",
        "90",
        "--no-charts",
        "-q",
        "--posterior",
        &posterior,
    ];
    run(&sino, &args, &plain);
    let inputs = read(&plain.join("inputs.csv"));
    assert!(
        inputs
            .lines()
            .filter(|l| l.contains(",trust memory,"))
            .map(|l| l
                .rsplit(',')
                .next()
                .expect("value")
                .parse::<f64>()
                .expect("number"))
            .all(|x| kept.iter().any(|v| (x - v).abs() < 6e-7)),
        "every run took a kept vector"
    );
    let parts = tmp.path().join("parts");
    for k in 0..2 {
        let shard = format!("{k}/2");
        run(
            &sino,
            &[&args[..], &["--shard", &shard]].concat(),
            &parts.join(format!("s{k}")),
        );
    }
    let part = read(&parts.join("s0").join("part.json"));
    assert!(part.contains("\"posterior_sha256\":\""), "{part}");
    let merged = tmp.path().join("merged");
    ok(influence()
        .arg("merge")
        .arg(&parts)
        .arg("--out")
        .arg(&merged));
    for name in ["final.csv", "inputs.csv", "alignment.csv"] {
        assert_eq!(read(&plain.join(name)), read(&merged.join(name)), "{name}");
    }
    // Parts of different posteriors, or of a posterior and the priors, do not merge.
    let other = tmp.path().join("other-cal");
    calibrate(&sino, "4", &other);
    let other = other.display().to_string();
    let odd = tmp.path().join("odd");
    run(
        &sino,
        &[
            "run",
            "--runs",
            "90",
            "-q",
            "--posterior",
            &other,
            "--shard",
            "1/2",
        ],
        &odd,
    );
    let prior = tmp.path().join("prior");
    run(
        &sino,
        &["run", "--runs", "90", "-q", "--shard", "1/2"],
        &prior,
    );
    let refused = tmp.path().join("refused");
    for second in [&odd, &prior] {
        let err = bad_input(
            influence()
                .arg("merge")
                .arg(parts.join("s0"))
                .arg(second)
                .arg("--out")
                .arg(&refused),
        );
        assert!(err.contains("different posteriors"), "{err}");
        assert!(!refused.exists());
    }

    // compare: both sides take the same vector; a variant of other inputs is refused.
    let variant = tmp.path().join("variant.toml");
    fs::write(
        &variant,
        read(&sino).replace("trust_noise = 0.05", "trust_noise = 0.04"),
    )
    .expect("write");
    let compared = tmp.path().join("compared");
    ok(influence()
        .arg("compare")
        .arg(&sino)
        .arg(&variant)
        .args([
            "--runs",
            "60",
            "--no-charts",
            "-q",
            "--posterior",
            &posterior,
            "--out",
        ])
        .arg(&compared));
    assert_eq!(summary(&compared)["kind"], "compare");
    let renamed = tmp.path().join("renamed.toml");
    fs::write(
        &renamed,
        read(&sino).replace("name = \"border 1969\"", "name = \"border 1968\""),
    )
    .expect("write");
    let err = bad_input(
        influence()
            .arg("compare")
            .arg(&sino)
            .arg(&renamed)
            .args(["--posterior", &posterior, "--out"])
            .arg(&refused),
    );
    assert!(
        err.contains("the variant's input \"border 1968\" is not one of the base's")
            && err.contains("did you mean \"border 1969\"?"),
        "{err}"
    );
    assert!(!refused.exists());

    // discover: the boxes are over the posterior's vectors; not with --shard.
    let found = tmp.path().join("found");
    let said = run(
        &sino,
        &[
            "discover",
            "--outcome",
            "China trusts the US",
            "--runs",
            "200",
            "--no-charts",
            "--posterior",
            &posterior,
        ],
        &found,
    );
    assert!(said.contains("China trusts the US"), "{said}");
    let err = bad_input(
        influence()
            .arg("discover")
            .arg(&sino)
            .args(["--outcome", "China trusts the US", "--runs", "200"])
            .args(["--posterior", &posterior, "--shard", "0/2", "--out"])
            .arg(&refused),
    );
    assert!(err.contains("does not go with --shard"), "{err}");

    // replay --pick: the run picked from the posterior's batch, replayed with its inputs.
    let said = run(
        &sino,
        &[
            "replay",
            "--pick",
            "max",
            "--actor",
            "China",
            "--runs",
            "90",
            "--posterior",
            &posterior,
        ],
        &tmp.path().join("replayed"),
    );
    let picked: usize = said
        .split("Picked run ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|s| s.parse().ok())
        .expect("a run number");
    let largest = read(&plain.join("final.csv"))
        .lines()
        .filter(|l| l.contains(",China,"))
        .map(|l| {
            l.rsplit(',')
                .next()
                .expect("value")
                .parse::<f64>()
                .expect("number")
        })
        .fold(f64::NEG_INFINITY, f64::max);
    let row = format!("{picked},China,{largest:.6}");
    assert!(
        read(&plain.join("final.csv")).contains(&row),
        "the pick is the largest of the posterior's study: {row} in {said}"
    );

    // sensitivity refuses, and says why.
    let err = bad_input(
        influence()
            .arg("sensitivity")
            .arg(&sino)
            .args(["--posterior", &posterior, "--out"])
            .arg(&refused),
    );
    assert!(err.contains("independent inputs"), "{err}");
    assert!(!refused.exists());
}

#[test]
fn a_posterior_of_other_inputs_is_refused_by_name_and_a_quoted_one_reads_the_same() {
    let tmp = tempfile::tempdir().expect("tmp");
    let sino = repo(SINO);
    let cal = tmp.path().join("cal");
    calibrate(&sino, "3", &cal);
    let original = read(&cal.join("posterior.csv"));
    let study = |out: &Path| -> Result<String, String> {
        let o = influence()
            .arg("run")
            .arg(&sino)
            .args(["--runs", "40", "--no-charts", "-q", "--posterior"])
            .arg(&cal)
            .arg("--out")
            .arg(out)
            .output()
            .expect("runs");
        match o.status.code() {
            Some(0) => Ok(read(&out.join("inputs.csv"))),
            Some(2) => Err(String::from_utf8_lossy(&o.stderr).into_owned()),
            code => panic!("exit {code:?}"),
        }
    };
    let expected = study(&tmp.path().join("first")).expect("reads");
    let write = |text: &str| fs::write(cal.join("posterior.csv"), text).expect("write");

    // RFC 4180: a byte order mark, CRLF, every field quoted, an input name holding a quote
    // would be doubled; the runs are the same.
    let quoted: String = original
        .lines()
        .map(|l| {
            l.split(',')
                .map(|f| format!("\"{}\"", f.replace('"', "\"\"")))
                .collect::<Vec<_>>()
                .join(",")
        })
        .map(|l| l + "\r\n")
        .collect();
    write(&format!("\u{feff}{quoted}"));
    assert_eq!(study(&tmp.path().join("quoted")).expect("reads"), expected);

    let refused = |text: &str, says: &[&str]| {
        write(text);
        let out = tmp.path().join("never");
        let err = study(&out).expect_err("refused");
        for s in says {
            assert!(err.contains(s), "expected {s:?} in {err}");
        }
        assert!(!out.exists());
    };
    refused(
        &original.replacen("trust memory", "trust memroy", 1),
        &[
            "the scenario has no input \"trust memroy\"",
            "posterior.csv:2:",
            "^",
            "did you mean \"trust memory\"?",
        ],
    );
    let without: String = original
        .lines()
        .filter(|l| !l.contains(",opening 1972,"))
        .map(|l| format!("{l}\n"))
        .collect();
    refused(
        &without,
        &["the scenario's input \"opening 1972\" is not in posterior.csv"],
    );
    let first = original.lines().nth(1).expect("a row");
    let value = first.split(',').nth(2).expect("value");
    refused(
        &original.replacen(&format!(",{value},"), ",0.5,", 1),
        &[
            "input \"trust memory\" = 0.5 is outside its range [0, 0.3]",
            "posterior.csv:2:",
        ],
    );
    refused(
        &original.replacen("trust memory", "\"trust, memory", 1),
        &["never closed", "posterior.csv:2:"],
    );
}
