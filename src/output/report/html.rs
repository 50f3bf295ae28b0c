//! The pieces of the page: escaping, tables, figures, fact lists, and the page itself with
//! its one inline stylesheet and its one inline script.
//!
//! Everything a reader needs travels inside the file: no font, style sheet, script or image
//! is fetched, so the page opens offline and looks the same anywhere. The markup is
//! semantic (header, nav, main, section, figure, table with scoped headers) so that a screen
//! reader can move through it, and nothing is said by colour alone: estimates are printed,
//! intervals are outlined, sort order is an arrow.

use std::fmt::Write;

use super::base64;

/// Escapes text for HTML content and for quoted attribute values alike.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// One cell: text as shown, and for a number the value the table sorts by, so that
/// "−0.18" (with a true minus) and "9.7%" sort as numbers.
#[derive(Debug, Clone)]
pub struct Cell {
    pub text: String,
    pub sort: Option<f64>,
}

impl Cell {
    pub fn text(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            sort: None,
        }
    }

    pub fn num(text: impl Into<String>, value: f64) -> Cell {
        Cell {
            text: text.into(),
            sort: value.is_finite().then_some(value),
        }
    }
}

/// A table: a caption, named columns (numeric ones right-aligned), rows whose first cell
/// heads the row, and an optional note under it.
#[derive(Debug, Clone)]
pub struct Table {
    pub caption: String,
    pub columns: Vec<(String, bool)>,
    pub rows: Vec<Vec<Cell>>,
    pub note: Option<String>,
}

impl Table {
    /// `columns`: names, with `true` for numeric columns.
    pub fn new(caption: impl Into<String>, columns: &[(&str, bool)]) -> Table {
        Table {
            caption: caption.into(),
            columns: columns.iter().map(|(n, x)| (n.to_string(), *x)).collect(),
            rows: Vec::new(),
            note: None,
        }
    }

    pub fn push(&mut self, row: Vec<Cell>) {
        self.rows.push(row);
    }

    /// The table's markup, inside a box that scrolls sideways on a narrow screen instead of
    /// widening the page.
    pub fn render(&self) -> String {
        let mut h = String::from("<div class=\"table-wrap\">\n<table class=\"sortable\">\n");
        let _ = writeln!(h, "<caption>{}</caption>", esc(&self.caption));
        h.push_str("<thead><tr>");
        for (name, numeric) in &self.columns {
            let class = if *numeric { " class=\"num\"" } else { "" };
            let _ = write!(h, "<th scope=\"col\"{class}>{}</th>", esc(name));
        }
        h.push_str("</tr></thead>\n<tbody>\n");
        for row in &self.rows {
            h.push_str("<tr>");
            for (k, cell) in row.iter().enumerate() {
                let numeric = self.columns.get(k).is_some_and(|c| c.1);
                let tag = if k == 0 { "th scope=\"row\"" } else { "td" };
                let close = if k == 0 { "th" } else { "td" };
                let class = if numeric { " class=\"num\"" } else { "" };
                let sort = cell
                    .sort
                    .map(|v| format!(" data-sort=\"{v}\""))
                    .unwrap_or_default();
                let _ = write!(h, "<{tag}{class}{sort}>{}</{close}>", esc(&cell.text));
            }
            h.push_str("</tr>\n");
        }
        h.push_str("</tbody>\n</table>\n");
        if let Some(note) = &self.note {
            let _ = writeln!(h, "<p class=\"note\">{}</p>", esc(note));
        }
        h.push_str("</div>\n");
        h
    }
}

/// The size a PNG declares in its header, to reserve the image's place before it is
/// decoded; `None` for bytes that are not a PNG.
pub fn png_size(png: &[u8]) -> Option<(u32, u32)> {
    const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];
    if png.len() < 24 || png[..8] != SIGNATURE || &png[12..16] != b"IHDR" {
        return None;
    }
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    Some((be(&png[16..20]), be(&png[20..24])))
}

/// A chart as a figure: the PNG inlined as a `data:` URL, its alt text (what it shows, in
/// words, for a reader who cannot see it) and its caption (how to read it).
pub fn figure(id: &str, png: &[u8], alt: &str, caption: &str) -> String {
    let mut src = String::from("data:image/png;base64,");
    base64::encode_into(png, &mut src);
    let size = png_size(png)
        .map(|(w, h)| format!(" width=\"{w}\" height=\"{h}\""))
        .unwrap_or_default();
    format!(
        "<figure id=\"{}\">\n<img src=\"{src}\" alt=\"{}\"{size}>\n<figcaption>{}</figcaption>\n</figure>\n",
        esc(id),
        esc(alt),
        caption
    )
}

/// A list of facts, term and value, as in the provenance section.
pub fn facts(items: &[(String, String)]) -> String {
    let mut h = String::from("<dl class=\"facts\">\n");
    for (term, value) in items {
        let _ = writeln!(h, "<dt>{}</dt><dd>{}</dd>", esc(term), esc(value));
    }
    h.push_str("</dl>\n");
    h
}

/// A paragraph of plain text.
pub fn para(text: &str) -> String {
    format!("<p>{}</p>\n", esc(text))
}

/// A page being built: a masthead, sections in order, and a table of contents made from
/// their titles.
pub struct Page {
    title: String,
    masthead: String,
    sections: Vec<(String, String, String)>,
}

impl Page {
    /// `eyebrow` names the kind of study above the title; `lede` is the scenario's own
    /// description.
    pub fn new(title: &str, eyebrow: &str, lede: Option<&str>) -> Page {
        let mut masthead = format!(
            "<p class=\"eyebrow\">{}</p>\n<h1>{}</h1>\n",
            esc(eyebrow),
            esc(title)
        );
        if let Some(lede) = lede.filter(|l| !l.trim().is_empty()) {
            let _ = writeln!(masthead, "<p class=\"lede\">{}</p>", esc(lede));
        }
        Page {
            title: format!("{title} \u{2014} {eyebrow}"),
            masthead,
            sections: Vec::new(),
        }
    }

    /// Adds a section; `body` is markup already escaped.
    pub fn section(&mut self, id: &str, title: &str, body: String) {
        self.sections
            .push((id.to_string(), title.to_string(), body));
    }

    /// The whole document.
    pub fn finish(self) -> String {
        let mut h = String::new();
        h.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        // Nothing may be fetched: the policy makes the browser refuse it, should a later
        // change ever add a reference by mistake.
        h.push_str(
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
             img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n",
        );
        let _ = writeln!(h, "<title>{}</title>", esc(&self.title));
        let _ = writeln!(h, "<style>\n{STYLE}</style>\n</head>\n<body>");
        let _ = write!(h, "<header class=\"masthead\">\n{}", self.masthead);
        h.push_str("<nav class=\"toc\" aria-label=\"Contents\"><ol>");
        for (id, title, _) in &self.sections {
            let _ = write!(h, "<li><a href=\"#{}\">{}</a></li>", esc(id), esc(title));
        }
        h.push_str("</ol></nav>\n</header>\n<main>\n");
        for (k, (id, title, body)) in self.sections.iter().enumerate() {
            let class = if k == 0 { " class=\"first\"" } else { "" };
            let _ = write!(
                h,
                "<section id=\"{id}\"{class} aria-labelledby=\"{id}-title\">\n\
                 <h2 id=\"{id}-title\">{}</h2>\n{body}</section>\n",
                esc(title),
                id = esc(id),
            );
        }
        h.push_str("</main>\n");
        let _ = writeln!(h, "<script>\n{SCRIPT}</script>\n</body>\n</html>");
        h
    }
}

/// The stylesheet: one column that never exceeds the screen, tables that scroll inside their
/// own box, charts that shrink to fit, and a print sheet that keeps figures and table rows
/// whole. Grey and black only where meaning is carried, so the page reads in greyscale.
const STYLE: &str = r#":root { color-scheme: light; --ink: #1a1a1a; --muted: #4a4a4a; --rule: #b8b8b8; --soft: #eeeeee; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff;
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", Arial, sans-serif; }
.masthead, main { max-width: 72rem; margin: 0 auto; padding: 0 1rem; }
.masthead { padding-top: 1.25rem; border-bottom: 3px double var(--ink); }
.eyebrow { margin: 0; font-size: .85rem; letter-spacing: .06em; text-transform: uppercase; color: var(--muted); }
h1 { margin: .2rem 0 .4rem; font-size: clamp(1.6rem, 4vw, 2.4rem); line-height: 1.15; }
.lede { margin: 0 0 .5rem; font-size: 1.1rem; max-width: 50rem; }
.toc ol { display: flex; flex-wrap: wrap; gap: .2rem 1.2rem; margin: .6rem 0 .8rem; padding: 0; list-style: none; font-size: .95rem; }
a { color: #1d3f6e; }
section { margin: 1.5rem 0 2rem; padding-top: .5rem; border-top: 1px solid var(--rule); }
section.first { border-top: none; }
h2 { margin: .4rem 0 .6rem; font-size: 1.45rem; }
h3 { margin: 1.4rem 0 .4rem; font-size: 1.1rem; }
p { max-width: 50rem; }
.question { font-size: 1.1rem; }
.answers { display: grid; gap: .7rem; margin: 0; padding: 0; list-style: none;
  grid-template-columns: repeat(auto-fill, minmax(min(100%, 22rem), 1fr)); }
.answers li { padding: .55rem .8rem; border: 1px solid var(--rule); border-left: 6px solid var(--ink); break-inside: avoid; }
.answers p { margin: .15rem 0; }
.answers .what { font-weight: 700; }
.answers .cond, .note { color: var(--muted); font-size: .92rem; }
.answers .verdict { font-weight: 700; }
.scale { position: relative; height: .9rem; margin: .35rem 0 .1rem; border: 1px solid var(--ink);
  background: repeating-linear-gradient(90deg, transparent 0 calc(25% - 1px), var(--rule) calc(25% - 1px) 25%);
  print-color-adjust: exact; -webkit-print-color-adjust: exact; }
.scale .ci { position: absolute; top: 0; bottom: 0; background: #c8c8c8; border-left: 1px solid var(--ink); border-right: 1px solid var(--ink); }
.scale .est { position: absolute; top: -4px; bottom: -4px; width: 4px; margin-left: -2px; background: var(--ink); }
.scale-key { display: flex; justify-content: space-between; font-size: .75rem; color: var(--muted); }
figure { margin: 1.5rem 0; break-inside: avoid; page-break-inside: avoid; }
figure img { display: block; max-width: 100%; height: auto; border: 1px solid var(--rule); }
figcaption { margin-top: .4rem; font-size: .95rem; color: var(--muted); max-width: 60rem; }
.table-wrap { margin: 1rem 0 1.5rem; overflow-x: auto; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
caption { padding: .2rem 0 .4rem; text-align: left; font-weight: 700; }
th, td { padding: .3rem .6rem; border-bottom: 1px solid var(--rule); text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid var(--ink); white-space: nowrap; }
tbody th { font-weight: 600; }
.num { text-align: right; white-space: nowrap; }
thead th[tabindex] { cursor: pointer; }
thead th[aria-sort="ascending"]::after { content: " \25B2"; }
thead th[aria-sort="descending"]::after { content: " \25BC"; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: .5rem 0; }
dl.facts dt { font-weight: 700; }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
code { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: .92em; }
@media (max-width: 40rem) {
  body { font-size: 15px; }
  dl.facts { grid-template-columns: 1fr; }
  dl.facts dd { margin-bottom: .4rem; }
}
@page { margin: 15mm; }
@media print {
  body { font-size: 10.5pt; }
  .toc { display: none; }
  .masthead, main { max-width: none; padding: 0; }
  h2, h3, caption { break-after: avoid; page-break-after: avoid; }
  figure, tr, .answers li, dl.facts { break-inside: avoid; page-break-inside: avoid; }
  figure img { max-height: 24cm; width: auto; }
  .table-wrap { overflow: visible; }
  a { color: inherit; text-decoration: none; }
}
"#;

/// Sortable tables, with nothing fetched: a click (or Enter) on a column head sorts by it,
/// numbers by their value, text by its letters; `aria-sort` says the order to a screen
/// reader and draws the arrow.
const SCRIPT: &str = r#"(function () {
  var heads = document.querySelectorAll("table.sortable thead th");
  Array.prototype.forEach.call(heads, function (th) {
    th.tabIndex = 0;
    th.title = "Sort by this column";
    function key(row) {
      var cell = row.cells[th.cellIndex];
      if (!cell) { return ""; }
      var v = cell.getAttribute("data-sort");
      return v === null ? cell.textContent : parseFloat(v);
    }
    function sort() {
      var table = th.closest("table");
      var body = table.tBodies[0];
      var up = th.getAttribute("aria-sort") !== "ascending";
      Array.prototype.forEach.call(table.querySelectorAll("thead th"), function (h) {
        h.removeAttribute("aria-sort");
      });
      th.setAttribute("aria-sort", up ? "ascending" : "descending");
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = key(a), y = key(b);
        var d = (typeof x === "number" && typeof y === "number") ? x - y : String(x).localeCompare(String(y));
        return up ? d : -d;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    }
    th.addEventListener("click", sort);
    th.addEventListener("keydown", function (e) {
      if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sort(); }
    });
  });
})();
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_for_content_and_attributes() {
        assert_eq!(
            esc("C \"quoted\" <b> & 'x'"),
            "C &quot;quoted&quot; &lt;b&gt; &amp; &#39;x&#39;"
        );
    }

    #[test]
    fn tables_head_their_rows_and_columns_and_carry_sort_keys() {
        let mut t = Table::new("Outcomes <all>", &[("outcome", false), ("p", true)]);
        t.push(vec![Cell::text("A & B"), Cell::num("\u{2212}0.5", -0.5)]);
        t.push(vec![Cell::text("C"), Cell::num("n/a", f64::NAN)]);
        let h = t.render();
        assert!(h.contains("<caption>Outcomes &lt;all&gt;</caption>"), "{h}");
        assert!(h.contains("<th scope=\"col\" class=\"num\">p</th>"), "{h}");
        assert!(h.contains("<th scope=\"row\">A &amp; B</th>"), "{h}");
        assert!(
            h.contains("<td class=\"num\" data-sort=\"-0.5\">\u{2212}0.5</td>"),
            "{h}"
        );
        // No value, no sort key: the cell sorts by its text.
        assert!(h.contains("<td class=\"num\">n/a</td>"), "{h}");
    }

    #[test]
    fn a_png_header_gives_its_size() {
        // Signature, IHDR length 13, "IHDR", width 640, height 2.
        let mut png = vec![0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13];
        png.extend_from_slice(b"IHDR");
        png.extend_from_slice(&640u32.to_be_bytes());
        png.extend_from_slice(&2u32.to_be_bytes());
        assert_eq!(png_size(&png), Some((640, 2)));
        assert_eq!(png_size(b"GIF89a.................."), None);
        let f = figure("x", &png, "a \"chart\"", "Caption");
        assert!(f.contains("src=\"data:image/png;base64,iVBORw0KGgo"), "{f}");
        assert!(
            f.contains("alt=\"a &quot;chart&quot;\" width=\"640\" height=\"2\""),
            "{f}"
        );
    }

    #[test]
    fn the_page_has_its_landmarks_and_fetches_nothing() {
        let mut p = Page::new("T", "study", Some("D"));
        p.section("answer", "The answer", para("yes"));
        p.section("more", "More", para("no"));
        let h = p.finish();
        for needle in [
            "<html lang=\"en\">",
            "<header class=\"masthead\">",
            "<main>",
            "<section id=\"answer\" class=\"first\" aria-labelledby=\"answer-title\">",
            "<li><a href=\"#more\">More</a></li>",
            "@media print",
            "break-inside: avoid",
        ] {
            assert!(h.contains(needle), "{needle}");
        }
        // Nothing outside the page: no URL with a scheme or a protocol-relative one, and no
        // element that loads from elsewhere.
        for needle in [
            "http:",
            "https:",
            "//",
            "<link",
            "src=\"http",
            "@import",
            "url(",
        ] {
            let found = h
                .lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .any(|l| l.contains(needle));
            assert!(!found, "{needle}");
        }
    }
}
