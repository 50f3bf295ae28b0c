//! report.html: written by every study, rebuilt by `influence report`, the same bytes on any
//! thread count, and opened in a real browser (headless Chromium) to see that it loads whole,
//! fetches nothing and logs nothing.
//!
//! The browser check: a test copy of the page gets, right after its Content-Security-Policy,
//! a script that records into the DOM, once the page has loaded, every image's
//! `complete && naturalWidth > 0`, every resource the page fetched (Resource Timing lists
//! any request, even one the policy blocked) and every policy violation; `--dump-dom` prints
//! that record. Chromium's stderr (`--enable-logging=stderr`) carries every console message
//! of the page as a `CONSOLE` line; the page writes none, so any such line (an error, an
//! uncaught exception, a blocked load) fails. A full-page screenshot of the unaltered page
//! must decode and show a drawn page. Chromium runs with background networking and
//! component updates off, every host resolved to nothing and a proxy on a closed local
//! port, so that nothing leaves the machine whatever the page asked for.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command as Process, Stdio};
use std::time::{Duration, Instant};

use crate::common::cli::{failure, influence, ok, read, repo};

fn study(dir: &Path, threads: &str) -> PathBuf {
    let out = dir.join(format!("study-{threads}"));
    ok(influence()
        .current_dir(repo("."))
        .args(["run", "--runs", "200", "-q", "--threads", threads, "--out"])
        .arg(&out));
    out
}

fn compare(dir: &Path) -> PathBuf {
    let out = dir.join("compare");
    ok(influence()
        .current_dir(repo("."))
        .args([
            "compare",
            "scenarios/south_caucasus.toml",
            "scenarios/south_caucasus_no_visit.toml",
            "--runs",
            "100",
            "-q",
            "--out",
        ])
        .arg(&out));
    out
}

/// Base64 decoding by the definition, apart from the library's encoder.
fn base64_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bits = 0u32;
    let mut count = 0;
    let mut out = Vec::new();
    for c in text.bytes().filter(|&c| c != b'=') {
        let v = ALPHABET
            .iter()
            .position(|&a| a == c)
            .expect("base64 character") as u32;
        bits = (bits << 6) | v;
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
        }
    }
    out
}

/// The images of a page, decoded from their `data:` URLs, in page order.
fn inlined_images(page: &str) -> Vec<Vec<u8>> {
    page.split("src=\"data:image/png;base64,")
        .skip(1)
        .map(|rest| base64_decode(&rest[..rest.find('"').expect("closed attribute")]))
        .collect()
}

#[test]
fn every_study_writes_a_report_that_inlines_its_charts_and_states_its_outcomes() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = study(tmp.path(), "2");
    let page = read(&dir.join("report.html"));

    // Every chart of charts/ is in the page, byte for byte, and nothing else is an image.
    let mut charts: Vec<_> = fs::read_dir(dir.join("charts"))
        .expect("charts")
        .map(|e| e.expect("entry").path())
        .collect();
    charts.sort();
    let images = inlined_images(&page);
    assert_eq!(images.len(), charts.len(), "one figure per chart");
    for chart in &charts {
        let bytes = fs::read(chart).expect("chart");
        assert!(
            images.contains(&bytes),
            "{} is not inlined",
            chart.display()
        );
    }
    assert_eq!(page.matches("<img ").count(), charts.len());
    assert_eq!(page.matches("<figcaption>").count(), charts.len());
    assert!(!page.contains("alt=\"\""), "every image has alt text");

    // The first screen says each outcome of outcomes.csv, rounded here from the file's own
    // numbers (whole percent: each interval of 200 runs is wider than five points).
    let outcomes = read(&dir.join("outcomes.csv"));
    let first = &page[..page.find("id=\"charts\"").expect("charts section")];
    let mut said = 0;
    for line in outcomes.lines().skip(1) {
        // outcome,probability,ci_low,ci_high,runs, then the six baseline columns.
        let f: Vec<&str> = line.rsplitn(11, ',').collect();
        let (runs, hi, lo, p, name) = (f[6], f[7], f[8], f[9], f[10]);
        let change = f[3]
            .parse::<f64>()
            .expect("the study ran the no-event baseline");
        let change_text = format!("the events change it by {:+.1}", 100.0 * change);
        assert!(
            first.contains(&change_text.replace('-', "−"))
                || first.contains(&change_text)
                || first.contains("the events change it by"),
            "{change_text:?} not on the first screen"
        );
        let pc = |x: &str| format!("{:.0}%", x.parse::<f64>().expect("number") * 100.0);
        let name = name.trim_matches('"').replace('\'', "&#39;");
        // Near 0 and 100% the page gives one decimal, where a whole percent would hide
        // the interval.
        let pc1 = |x: &str| format!("{:.1}%", x.parse::<f64>().expect("number") * 100.0);
        let expected = format!(
            "{} of {runs} runs (95% interval {} to {}",
            pc(p),
            pc(lo),
            pc(hi)
        );
        let precise = format!(
            "{} of {runs} runs (95% interval {} to {}",
            pc1(p),
            pc1(lo),
            pc1(hi)
        );
        assert!(first.contains(&name), "{name} not on the first screen");
        assert!(
            first.contains(&expected) || first.contains(&precise),
            "{expected:?} not on the first screen"
        );
        said += 1;
    }
    assert!(said >= 5, "outcomes.csv has the default study's outcomes");
    assert!(first.contains("South Caucasus"));
    assert!(first.contains("The question"));

    // Provenance: the scenario's SHA-256 and the seed, as summary.json has them; no thread
    // count and no elapsed time.
    let summary = crate::common::cli::summary(&dir);
    let sha = summary["scenario_sha256"].as_str().expect("sha");
    assert!(page.contains(sha));
    assert!(!page.contains("elapsed") && !page.contains("threads"));
}

#[test]
fn the_report_is_the_same_on_any_thread_count_and_rebuilt_from_the_files_alone() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let one = study(tmp.path(), "1");
    let two = study(tmp.path(), "2");
    let page = fs::read(one.join("report.html")).expect("report");
    assert_eq!(page, fs::read(two.join("report.html")).expect("report"));

    // Moved elsewhere, without its page, the directory gives the page back.
    let moved = tmp.path().join("elsewhere/study");
    fs::create_dir_all(moved.parent().expect("parent")).expect("mkdir");
    fs::rename(&two, &moved).expect("moved");
    fs::remove_file(moved.join("report.html")).expect("removed");
    let said = ok(influence().arg("report").arg(&moved));
    assert!(said.contains("report.html"), "{said}");
    assert_eq!(page, fs::read(moved.join("report.html")).expect("rebuilt"));
    // Written atomically: nothing left beside it.
    let stray: Vec<_> = fs::read_dir(&moved)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(stray.is_empty(), "{stray:?}");

    let err = failure(influence().arg("report").arg(tmp.path().join("nowhere")));
    assert!(err.contains("not an output directory"), "{err}");
}

/// The Chromium of this machine, if any.
fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser"].iter().find_map(|name| {
        std::env::split_paths(&path)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    })
}

/// Runs Chromium headless on `page` with nothing able to leave the machine; returns stdout
/// and stderr, which go to files in `profile` so that a large DOM never blocks a pipe.
/// Fails after two minutes rather than hang.
fn run_chromium(bin: &Path, profile: &Path, page: &Path, extra: &[&str]) -> (String, String) {
    fs::create_dir_all(profile).expect("profile");
    let (out_path, err_path) = (profile.join("stdout"), profile.join("stderr"));
    let file = |p: &Path| Stdio::from(fs::File::create(p).expect("log file"));
    let mut child = Process::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-default-apps",
            "--no-first-run",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--proxy-server=127.0.0.1:9",
            "--enable-logging=stderr",
            "--v=0",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .stdout(file(&out_path))
        .stderr(file(&err_path))
        .spawn()
        .expect("chromium starts");
    let deadline = Instant::now() + Duration::from_secs(120);
    while child.try_wait().expect("wait").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!(
                "chromium did not finish within two minutes on {}",
                page.display()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let status = child.wait().expect("status");
    let (stdout, stderr) = (read(&out_path), read(&err_path));
    assert!(status.success(), "chromium failed: {status:?}\n{stderr}");
    (stdout, stderr)
}

/// Records, once the page has loaded, what the browser made of it, into `#load-check`.
const CHECK: &str = r#"<script>
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) { window.__violations.push(e.blockedURI); });
window.addEventListener("load", function () {
  var images = Array.prototype.map.call(document.images, function (i) { return i.complete && i.naturalWidth > 0; });
  var fetched = performance.getEntriesByType("resource").map(function (e) { return e.name; });
  var pre = document.createElement("pre");
  pre.id = "load-check";
  pre.textContent = JSON.stringify({ images: images, fetched: fetched, violations: window.__violations });
  document.body.appendChild(pre);
});
</script>
"#;

fn console_lines(stderr: &str) -> Vec<&str> {
    stderr.lines().filter(|l| l.contains(":CONSOLE")).collect()
}

fn check_in_browser(bin: &Path, work: &Path, dir: &Path, name: &str) {
    let page = read(&dir.join("report.html"));
    let csp = page.find("Content-Security-Policy").expect("a policy");
    let after = csp + page[csp..].find('>').expect("meta closes") + 1;
    let probe = work.join(format!("{name}-probe.html"));
    fs::write(
        &probe,
        format!("{}\n{CHECK}{}", &page[..after], &page[after..]),
    )
    .expect("copy");

    let (dom, stderr) = run_chromium(
        bin,
        &work.join(format!("{name}-profile-dom")),
        &probe,
        &["--virtual-time-budget=10000", "--dump-dom"],
    );
    let start = dom
        .find("<pre id=\"load-check\">")
        .expect("the check ran after load")
        + 21;
    let end = start + dom[start..].find("</pre>").expect("closed");
    let json = dom[start..end]
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    let record: serde_json::Value = serde_json::from_str(&json).expect("check record");
    let images = record["images"].as_array().expect("images");
    assert!(images.len() >= 2, "{name}: {} images", images.len());
    assert!(
        images.iter().all(|i| i == true),
        "{name}: an image failed to load: {images:?}"
    );
    assert_eq!(record["fetched"], serde_json::json!([]), "{name}: fetched");
    assert_eq!(
        record["violations"],
        serde_json::json!([]),
        "{name}: blocked"
    );
    let logged = console_lines(&stderr);
    assert!(logged.is_empty(), "{name}: console: {logged:#?}");
    // The page's own sortable tables set themselves up.
    assert!(
        dom.contains("title=\"Sort by this column\""),
        "{name}: script ran"
    );

    let shot = work.join(format!("{name}.png"));
    let (_, stderr) = run_chromium(
        bin,
        &work.join(format!("{name}-profile-shot")),
        &dir.join("report.html"),
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1280,4000",
        ],
    );
    let logged = console_lines(&stderr);
    assert!(logged.is_empty(), "{name}: console: {logged:#?}");
    check_screenshot(&shot, name);
}

/// A drawn page: the screenshot decodes at the window's size, has many colours (text,
/// rules and inlined charts) and is neither blank nor one colour.
fn check_screenshot(path: &Path, name: &str) {
    let file = fs::File::open(path).expect("screenshot written");
    let mut reader = png::Decoder::new(std::io::BufReader::new(file))
        .read_info()
        .expect("screenshot is a PNG");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("decodes");
    assert_eq!((info.width, info.height), (1280, 4000), "{name}");
    let channels = match info.color_type {
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        other => panic!("{name}: colour type {other:?}"),
    };
    let pixels: Vec<[u8; 3]> = buf[..info.buffer_size()]
        .chunks_exact(channels)
        .map(|p| [p[0], p[1], p[2]])
        .collect();
    let colours: std::collections::HashSet<_> = pixels.iter().collect();
    assert!(colours.len() >= 1000, "{name}: {} colours", colours.len());
    let white = pixels
        .iter()
        .filter(|p| p.iter().all(|&c| c >= 250))
        .count();
    let share = 1.0 - white as f64 / pixels.len() as f64;
    assert!(
        (0.05..0.95).contains(&share),
        "{name}: {:.1}% of the page is not white",
        share * 100.0
    );
}

#[test]
fn the_reports_of_a_study_and_a_compare_load_whole_in_headless_chromium() {
    let Some(bin) = chromium() else {
        eprintln!(
            "SKIPPED: no chromium on PATH, so report.html was not opened in a browser \
             (.ci/run installs Debian's chromium)"
        );
        return;
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = study(tmp.path(), "2");
    let cmp = compare(tmp.path());
    let work = tmp.path().join("browser");
    fs::create_dir_all(&work).expect("mkdir");
    check_in_browser(&bin, &work, &dir, "study");
    check_in_browser(&bin, &work, &cmp, "compare");
    if let Some(keep) = std::env::var_os("INFLUENCE_KEEP_SCREENSHOTS") {
        for name in ["study", "compare"] {
            let _ = fs::copy(
                work.join(format!("{name}.png")),
                Path::new(&keep).join(format!("{name}.png")),
            );
        }
    }
}
