//! `charts/thresholds.png`: drawn for every study from thresholds.csv, redrawn to the byte by
//! `influence chart`, one panel per outcome up to a cap, and fragile by the terminal's rule.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use crate::common::cli::{influence, ok, read, repo};
use crate::common::parse;
use crate::common::picture::Picture;
use influence::output::charts::render_charts;
use influence::output::charts::thresholds::{
    FILE, MAX_PANELS, ThresholdCurve, alt_text, fragile_flags,
};

/// The tiny scenario with `extra` outcomes, B's alignment being spread around 0.17 at the end.
fn tiny_with(outcomes: &[(&str, f64)]) -> String {
    let mut text = read(&repo("tests/golden/tiny.toml"));
    for (name, value) in outcomes {
        text.push_str(&format!(
            "\n[[outcome]]\nname = \"{name}\"\nmetric = \"alignment\"\nactor = \"B\"\nop = \">\"\nvalue = {value:?}\n"
        ));
    }
    text
}

/// Runs a study of `text` in `dir/out` and returns its terminal output.
fn study(dir: &Path, text: &str, runs: &str) -> String {
    fs::write(dir.join("s.toml"), text).expect("scenario written");
    ok(influence()
        .current_dir(dir)
        .args(["run", "s.toml", "--runs", runs, "--out", "out"]))
}

#[test]
fn the_chart_is_drawn_checked_and_redrawn_to_the_byte() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let outcomes = [("B above its median", 0.17), ("B well above", 0.3)];
    study(tmp.path(), &tiny_with(&outcomes), "300");
    let out = tmp.path().join("out");
    let chart = out.join("charts").join(FILE);
    let before = fs::read(&chart).expect("thresholds.png written");
    assert!(before.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG signature");
    Picture::read_rgb(&chart).assert_chart(FILE);

    let stdout = ok(influence().arg("chart").arg(&out));
    let all = influence::output::charts::chart_files().len();
    assert!(stdout.contains(&format!("Drew {all} charts")), "{stdout}");
    assert!(
        fs::read(&chart).expect("redrawn") == before,
        "thresholds.png differs when redrawn"
    );

    // One panel per outcome, each with its curve in it.
    let drawn = tempfile::tempdir().expect("tempdir");
    let report = render_charts(&out, drawn.path()).expect("charts render");
    let panels = &report
        .charts
        .iter()
        .find(|c| c.name == FILE)
        .expect("the chart is listed")
        .panels;
    let names: Vec<&str> = panels.iter().map(|p| p.actor.as_str()).collect();
    assert_eq!(
        names,
        [
            "B leans east",
            "A distrusts C, ever",
            "B above its median",
            "B well above"
        ]
    );
    let pic = Picture::read_rgb(&drawn.path().join(FILE));
    for p in panels {
        let ink = pic.ink_in(
            p.x as usize,
            p.y as usize,
            p.width as usize,
            p.height as usize,
        );
        assert!(
            ink >= 300,
            "panel of {} has only {ink} pixels of ink",
            p.actor
        );
    }

    // The report shows it, with its figures in the alt text.
    let page = read(&out.join("report.html"));
    assert!(
        page.contains("id=\"chart-thresholds\""),
        "the report shows the chart"
    );
    let sc = parse(&read(&out.join("scenario.toml")));
    let alt = alt_text(&out, &sc);
    assert!(
        alt.contains("B above its median") && alt.contains("fragile"),
        "{alt}"
    );
}

#[test]
fn fragile_panels_are_the_outcomes_the_terminal_flags() {
    let tmp = tempfile::tempdir().expect("tempdir");
    // On the grid, off it, and far from the bulk of the runs.
    let outcomes = [
        ("B above its median", 0.17),
        ("B above its median, off the grid", 0.175),
        ("B above 0.4", 0.4),
    ];
    let stdout = study(tmp.path(), &tiny_with(&outcomes), "400");
    let terminal: BTreeSet<String> = stdout
        .lines()
        .filter_map(|l| l.trim().strip_prefix("fragile: \""))
        .filter_map(|l| l.split('"').next())
        .map(str::to_string)
        .collect();
    assert!(
        terminal.contains("B above its median"),
        "the median threshold is fragile:\n{stdout}"
    );
    let out = tmp.path().join("out");
    let sc = parse(&read(&out.join("scenario.toml")));
    let curves = ThresholdCurve::read(&out, &sc)
        .expect("thresholds.csv reads")
        .expect("thresholds.csv is there");
    let chart: BTreeSet<String> = sc
        .outcomes
        .iter()
        .zip(fragile_flags(&sc, &curves))
        .filter(|(_, f)| *f)
        .map(|(o, _)| o.name.clone())
        .collect();
    assert_eq!(chart, terminal);
}

#[test]
fn many_outcomes_keep_the_chart_to_a_page() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let names: Vec<String> = (0..30).map(|k| format!("B above threshold {k}")).collect();
    let outcomes: Vec<(&str, f64)> = names
        .iter()
        .enumerate()
        .map(|(k, n)| (n.as_str(), 0.05 + 0.01 * k as f64))
        .collect();
    study(tmp.path(), &tiny_with(&outcomes), "60");
    let out = tmp.path().join("out");
    let drawn = tempfile::tempdir().expect("tempdir");
    let report = render_charts(&out, drawn.path()).expect("charts render");
    let chart = report
        .charts
        .iter()
        .find(|c| c.name == FILE)
        .expect("the chart is listed");
    assert_eq!(chart.panels.len(), MAX_PANELS);
    assert!(chart.height <= 1600, "{}x{}", chart.width, chart.height);
    Picture::read_rgb(&drawn.path().join(FILE)).assert_chart(FILE);
}

#[test]
fn a_directory_without_thresholds_csv_is_drawn_without_the_chart() {
    let tmp = tempfile::tempdir().expect("tempdir");
    study(tmp.path(), &tiny_with(&[]), "20");
    let out = tmp.path().join("out");
    fs::remove_file(out.join("thresholds.csv")).expect("removed");
    let stdout = ok(influence().arg("chart").arg(&out));
    let all_but_one = influence::output::charts::chart_files().len() - 1;
    assert!(
        stdout.contains(&format!("Drew {all_but_one} charts")),
        "{stdout}"
    );
    assert!(!out.join("charts").join(FILE).exists());
}
