//! The PNG charts: each decodes, is large enough, is not blank, has ink in every panel, and
//! is redrawn byte for byte by `influence chart`.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use influence::output::charts::{chart_files, render_charts};

fn influence() -> Command {
    Command::cargo_bin("influence").expect("binary built")
}

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .map(|it| {
            it.map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// Runs a small study of `scenario` (the default when `None`) into `out`.
fn study(out: &Path, scenario: Option<&str>, runs: &str) {
    let mut cmd = influence();
    cmd.args(["run", "-q", "--runs", runs, "--out"]).arg(out);
    if let Some(path) = scenario {
        cmd.arg(repo(path));
    }
    cmd.assert().success();
}

/// A decoded RGB picture.
struct Picture {
    width: usize,
    height: usize,
    rgb: Vec<u8>,
}

impl Picture {
    fn read(path: &Path) -> Picture {
        let file = fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut reader = png::Decoder::new(std::io::BufReader::new(file))
            .read_info()
            .unwrap_or_else(|e| panic!("{}: not a PNG: {e}", path.display()));
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).expect("frame decodes");
        assert_eq!(info.color_type, png::ColorType::Rgb, "{}", path.display());
        buf.truncate(info.buffer_size());
        Picture {
            width: info.width as usize,
            height: info.height as usize,
            rgb: buf,
        }
    }

    fn pixel(&self, x: usize, y: usize) -> [u8; 3] {
        let k = (y * self.width + x) * 3;
        [self.rgb[k], self.rgb[k + 1], self.rgb[k + 2]]
    }

    fn distinct_colours(&self) -> usize {
        self.rgb
            .chunks_exact(3)
            .map(|p| [p[0], p[1], p[2]])
            .collect::<HashSet<_>>()
            .len()
    }

    /// Pixels of a region that carry data rather than the grey furniture of a plot:
    /// coloured (channels far apart) or nearly black.
    fn ink(&self, x: usize, y: usize, w: usize, h: usize) -> usize {
        let mut count = 0;
        for yy in y..(y + h).min(self.height) {
            for xx in x..(x + w).min(self.width) {
                let [r, g, b] = self.pixel(xx, yy);
                let spread = r.max(g).max(b) - r.min(g).min(b);
                if spread > 40 || r.max(g).max(b) < 60 {
                    count += 1;
                }
            }
        }
        count
    }
}

fn check_pictures(charts: &Path) {
    assert_eq!(entries(charts), {
        let mut names: Vec<String> = chart_files().iter().map(|s| s.to_string()).collect();
        names.sort();
        names
    });
    for name in chart_files() {
        let pic = Picture::read(&charts.join(name));
        assert!(
            pic.width >= 1600 && pic.height >= 1000,
            "{name} is {}x{}",
            pic.width,
            pic.height
        );
        let colours = pic.distinct_colours();
        assert!(colours >= 200, "{name} has only {colours} colours");
        let ink = pic.ink(0, 0, pic.width, pic.height);
        assert!(ink >= 5000, "{name} has only {ink} pixels of ink");
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
        let pic = Picture::read(&tmp.path().join(chart.name));
        for p in &chart.panels {
            let ink = pic.ink(
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
    let result = influence().arg("chart").arg(&out).output().expect("runs");
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    assert!(String::from_utf8_lossy(&result.stdout).contains("Drew 6 charts"));
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
    let result = influence()
        .arg("chart")
        .arg(&missing)
        .output()
        .expect("runs");
    assert_eq!(result.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&result.stderr).contains("not an output directory"));
    assert!(!missing.exists());

    let empty = tmp.path().join("empty");
    fs::create_dir(&empty).expect("mkdir");
    let result = influence().arg("chart").arg(&empty).output().expect("runs");
    assert_eq!(result.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&result.stderr).contains("no summary.json"));
    assert!(entries(&empty).is_empty());

    let out = tmp.path().join("study");
    study(&out, Some("tests/golden/tiny.toml"), "10");
    let alignment = out.join("alignment.csv");
    let text = fs::read_to_string(&alignment).expect("read");
    fs::write(&alignment, text.replacen("0,A,", "0,A,\"broken,", 1)).expect("write");
    let charts_before = fs::read(out.join("charts/alignment_fan.png")).expect("read");
    let result = influence().arg("chart").arg(&out).output().expect("runs");
    assert_eq!(result.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(stderr.contains("alignment.csv:2:"), "{stderr}");
    // The charts of the run are still there, whole.
    assert_eq!(
        fs::read(out.join("charts/alignment_fan.png")).expect("read"),
        charts_before
    );

    fs::remove_file(&alignment).expect("remove");
    let result = influence().arg("chart").arg(&out).output().expect("runs");
    assert_eq!(result.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&result.stderr).contains("alignment.csv"));
}
