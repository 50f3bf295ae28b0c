//! Names in scripts the charts' embedded font has no glyphs for (CJK here) are drawn as
//! their code points, ⟨U+4E2D U+56FD⟩ for 中国, not as empty boxes.

use std::fs;
use std::path::Path;

use crate::common::cli::{entries, influence, read, repo};
use crate::common::picture::Picture;

/// Each uncovered name or word of tests/scenarios/cjk.toml and the text drawn for it.
const DRAWN_AS: [(&str, &str); 5] = [
    ("中国", "⟨U+4E2D U+56FD⟩"),
    ("日本", "⟨U+65E5 U+672C⟩"),
    ("한국", "⟨U+D55C U+AD6D⟩"),
    ("東アジア", "⟨U+6771 U+30A2 U+30B8 U+30A2⟩"),
    ("首脳会談", "⟨U+9996 U+8133 U+4F1A U+8AC7⟩"),
];

fn study(scenario: &Path, out: &Path) {
    influence()
        .args(["run", "-q", "--runs", "40", "--out"])
        .arg(out)
        .arg(scenario)
        .assert()
        .success();
}

#[test]
fn cjk_names_draw_as_their_code_points() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let cjk = tmp.path().join("cjk");
    study(&repo("tests/scenarios/cjk.toml"), &cjk);
    for chart in entries(&cjk.join("charts")) {
        Picture::read_rgb(&cjk.join("charts").join(&chart)).assert_chart(&chart);
    }

    // The same scenario with the code points written into it draws the same pixels. (Its
    // names are short enough that no chart wraps or shortens them: the scenario's own text
    // is cut at whole characters, the code points' text would be cut inside a code point.)
    let mut spelled = read(&repo("tests/scenarios/cjk.toml"));
    for (name, drawn) in DRAWN_AS {
        spelled = spelled.replace(name, drawn);
    }
    assert!(
        !spelled.contains(['中', '日', '한', '東', '首']),
        "every uncovered name replaced"
    );
    let spelled_path = tmp.path().join("spelled.toml");
    fs::write(&spelled_path, spelled).expect("scenario written");
    let plain = tmp.path().join("spelled");
    study(&spelled_path, &plain);
    let charts = entries(&cjk.join("charts"));
    assert_eq!(charts, entries(&plain.join("charts")));
    assert!(charts.len() >= 7, "{charts:?}");
    for chart in &charts {
        let a = fs::read(cjk.join("charts").join(chart)).expect("chart read");
        let b = fs::read(plain.join("charts").join(chart)).expect("chart read");
        assert!(a == b, "{chart} differs from the code points drawn as text");
    }
}
