//! Errors in scenario text, rendered the way compilers render them: the message, the file,
//! line and column, the line itself with the offending text underlined, and a hint.
//!
//! A diagnostic is rendered once, when it is made, while the source text is at hand; the
//! error then carries finished text, so printing it needs nothing but the error itself.

use std::fmt;
use std::ops::Range;

use annotate_snippets::{AnnotationKind, Level, Renderer, Snippet};

/// A second place in the file that explains the first, such as the earlier of two
/// duplicates.
#[derive(Debug, Clone, PartialEq)]
pub struct Related {
    /// Byte range in the source text.
    pub span: Range<usize>,
    /// 1-based line of `span.start`.
    pub line: usize,
    /// 1-based column of `span.start`, in characters.
    pub column: usize,
    pub label: String,
}

/// One problem in a scenario file.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// The file name shown to the user.
    pub origin: String,
    /// 1-based line of `span.start`.
    pub line: usize,
    /// 1-based column of `span.start`, in characters.
    pub column: usize,
    pub message: String,
    /// Byte range in the source text that the caret underlines.
    pub span: Range<usize>,
    /// Short text printed next to the underline.
    pub label: Option<String>,
    /// A hint printed below the snippet, such as a "did you mean" suggestion.
    pub help: Option<String>,
    pub related: Option<Related>,
    rendered: String,
}

impl Diagnostic {
    /// An error at `span` of `source`. The span is clamped into the text, and a span at the
    /// very end moves back onto the last line with content, so that the caret lands on a
    /// line the reader can see.
    pub fn new(source: &str, origin: &str, span: Range<usize>, message: impl Into<String>) -> Self {
        let span = fit_span(source, span);
        let (line, column) = line_column(source, span.start);
        let mut diagnostic = Diagnostic {
            origin: origin.to_string(),
            line,
            column,
            message: message.into(),
            span,
            label: None,
            help: None,
            related: None,
            rendered: String::new(),
        };
        diagnostic.rendered = diagnostic.render(source);
        diagnostic
    }

    /// Adds the text printed next to the underline.
    pub fn with_label(mut self, source: &str, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self.rendered = self.render(source);
        self
    }

    /// Adds a hint below the snippet.
    pub fn with_help(mut self, source: &str, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self.rendered = self.render(source);
        self
    }

    /// Adds a second place to show, such as the first of two duplicates.
    pub fn with_related(
        mut self,
        source: &str,
        span: Range<usize>,
        label: impl Into<String>,
    ) -> Self {
        let span = fit_span(source, span);
        let (line, column) = line_column(source, span.start);
        self.related = Some(Related {
            span,
            line,
            column,
            label: label.into(),
        });
        self.rendered = self.render(source);
        self
    }

    /// Renders against `source` as plain text (no colour): it is written to logs and
    /// compared in tests as often as it is shown on a terminal.
    pub fn render(&self, source: &str) -> String {
        let primary = fit_span(source, self.span.clone());
        let related = self
            .related
            .as_ref()
            .map(|r| fit_span(source, r.span.clone()));
        // The renderer splits all the text it is given into lines, so given the whole file
        // each diagnostic would cost as much as the file: a large file with many problems
        // would take quadratic time. It gets the lines it shows, numbered from where they
        // start, which renders the same text; where they differ, an empty span at the start
        // of line 10, 100, ..., the whole file gets a gutter one column too narrow ("10|").
        let (lo, hi) = match &related {
            Some(r) => (primary.start.min(r.start), primary.end.max(r.end)),
            None => (primary.start, primary.end),
        };
        let start = source[..lo].rfind('\n').map_or(0, |i| i + 1);
        let end = source[hi..].find('\n').map_or(source.len(), |i| hi + i + 1);
        let window = &source[start..end];
        let first_line = line_column(source, start).0;
        let shift = |r: &Range<usize>| r.start - start..r.end - start;
        let mut primary = AnnotationKind::Primary.span(shift(&primary));
        if let Some(label) = &self.label {
            primary = primary.label(label.as_str());
        }
        let mut snippet = Snippet::source(window)
            .line_start(first_line)
            .path(self.origin.as_str())
            .annotation(primary);
        if let (Some(related), Some(span)) = (&self.related, &related) {
            snippet = snippet.annotation(
                AnnotationKind::Context
                    .span(shift(span))
                    .label(related.label.as_str()),
            );
        }
        let mut group = Level::ERROR
            .primary_title(self.message.as_str())
            .element(snippet);
        if let Some(help) = &self.help {
            group = group.element(Level::HELP.message(help.as_str()));
        }
        Renderer::plain().render(&[group])
    }

    /// The whole-file rendering the windowed one must equal, kept for the tests.
    #[cfg(test)]
    fn render_whole(&self, source: &str) -> String {
        let mut primary = AnnotationKind::Primary.span(fit_span(source, self.span.clone()));
        if let Some(label) = &self.label {
            primary = primary.label(label.as_str());
        }
        let mut snippet = Snippet::source(source)
            .path(self.origin.as_str())
            .annotation(primary);
        if let Some(related) = &self.related {
            snippet = snippet.annotation(
                AnnotationKind::Context
                    .span(fit_span(source, related.span.clone()))
                    .label(related.label.as_str()),
            );
        }
        let mut group = Level::ERROR
            .primary_title(self.message.as_str())
            .element(snippet);
        if let Some(help) = &self.help {
            group = group.element(Level::HELP.message(help.as_str()));
        }
        Renderer::plain().render(&[group])
    }

    /// The rendered text made when the diagnostic was created.
    pub fn rendered(&self) -> &str {
        &self.rendered
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.rendered)
    }
}

/// Why a scenario could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file could not be read; nothing is known about its content.
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    /// The text is not a valid scenario. A TOML syntax or type error yields exactly one
    /// diagnostic (nothing after it can be trusted); otherwise every problem found is listed.
    #[error("{}", render_all(.0, .0.len()))]
    Invalid(Vec<Diagnostic>),
    /// More problems than are worth describing: the first `shown` found, in file order, out
    /// of `total`. A file with thousands of problems would otherwise flood the terminal and
    /// take long to describe.
    #[error("{}", render_all(.shown, *.total))]
    TooMany {
        shown: Vec<Diagnostic>,
        total: usize,
    },
}

impl ScenarioError {
    /// Whether the user's input is at fault (as opposed to the file system), which the
    /// command line reports with its own exit code.
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            ScenarioError::Invalid(_) | ScenarioError::TooMany { .. }
        )
    }

    /// The diagnostics of an invalid scenario; empty for a read error.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            ScenarioError::Invalid(diagnostics) => diagnostics,
            ScenarioError::TooMany { shown, .. } => shown,
            ScenarioError::Read { .. } => &[],
        }
    }
}

fn render_all(diagnostics: &[Diagnostic], total: usize) -> String {
    let mut out = String::new();
    for (i, diagnostic) in diagnostics.iter().enumerate() {
        if i > 0 {
            out.push_str("\n\n");
        }
        out.push_str(diagnostic.rendered());
    }
    if total > diagnostics.len() {
        out.push_str(&format!(
            "\n\nerror: {total} problems in this scenario; the first {} found are shown",
            diagnostics.len()
        ));
    } else if total > 1 {
        out.push_str(&format!("\n\nerror: {total} problems in this scenario"));
    }
    out
}

/// Keeps a span inside the text and on char boundaries. A span that starts at the end of the
/// text (toml reports "unexpected end of input" there) moves to the end of the last line with
/// content, since the renderer would otherwise point past the final newline.
fn fit_span(source: &str, span: Range<usize>) -> Range<usize> {
    let len = source.len();
    let mut start = span.start.min(len);
    let mut end = span.end.clamp(start, len);
    if start == len {
        let content = source.trim_end().len();
        start = content;
        end = content;
    }
    while !source.is_char_boundary(start) {
        start -= 1;
    }
    while !source.is_char_boundary(end) {
        end += 1;
    }
    start..end
}

/// 1-based line and character column of a byte offset.
pub(crate) fn line_column(source: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(source.len());
    let before = source.get(..offset).unwrap_or(source);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_characters() {
        let text = "a = 1\nname = \"Ümlaut\" x\n";
        let x = text.find('x').unwrap_or_default();
        assert_eq!(line_column(text, x), (2, 17));
        assert_eq!(line_column(text, 0), (1, 1));
    }

    #[test]
    fn span_at_end_moves_onto_last_content_line() {
        let text = "a = [1,\n\n";
        let d = Diagnostic::new(text, "f.toml", text.len()..text.len(), "unclosed array");
        assert_eq!((d.line, d.column), (1, 8));
        assert!(d.rendered().contains("f.toml:1:8"), "{}", d.rendered());
    }

    /// Every diagnostic of `text`, rendered from its window and from the whole text.
    fn assert_windowed_rendering_is_whole(text: &str) {
        if let Err(err) = crate::scenario::parse_scenario(text, "f.toml") {
            for d in err.diagnostics() {
                assert_eq!(d.render(text), d.render_whole(text), "in:\n{text}");
            }
        }
    }

    #[test]
    fn rendering_the_shown_lines_renders_as_the_whole_file() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad");
        let mut files = 0;
        for entry in std::fs::read_dir(&dir).expect("tests/bad listed") {
            let path = entry.expect("entry").path();
            let text = std::fs::read_to_string(&path).expect("case read");
            assert_windowed_rendering_is_whole(&text);
            // The same without the final newline, and with Windows line ends.
            assert_windowed_rendering_is_whole(text.trim_end());
            assert_windowed_rendering_is_whole(&text.replace('\n', "\r\n"));
            files += 1;
        }
        assert!(files >= 20);
        for text in [
            "",
            "\n\n",
            "a = [1,\n\n",
            "[scenario]\nname = \"x\"\r\nsteps = \"",
            "[[actor]]\nname = \"A\"\n\n\n[[actor]]\nname = \"A\"\n",
            "x = \"\u{4E2D}\u{56FD}\" y",
            "\r",
            "a\rb = 1",
        ] {
            assert_windowed_rendering_is_whole(text);
        }
        let d = Diagnostic::new("one\ntwo\nthree", "f.toml", 8..13, "at the end").with_related(
            "one\ntwo\nthree",
            0..3,
            "first",
        );
        assert_eq!(
            d.render("one\ntwo\nthree"),
            d.render_whole("one\ntwo\nthree")
        );
    }

    #[test]
    fn an_empty_span_at_the_start_of_line_ten_keeps_its_gutter() {
        let text = format!("{}.ame = 1\n", "a = 1\n".repeat(9));
        let d = Diagnostic::new(&text, "f.toml", 54..54, "bad key");
        assert_eq!(
            d.rendered(),
            "error: bad key\n  --> f.toml:10:1\n   |\n10 | .ame = 1\n   | ^"
        );
    }

    #[test]
    fn read_errors_are_not_bad_input() {
        let read = ScenarioError::Read {
            path: "x.toml".into(),
            source: std::io::Error::from(std::io::ErrorKind::NotFound),
        };
        assert!(!read.is_bad_input());
        assert!(ScenarioError::Invalid(Vec::new()).is_bad_input());
    }
}
