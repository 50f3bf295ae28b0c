//! Observations kept apart from the scenario: an `--observed FILE.csv` with the columns of
//! `[[observed]]` (`step,metric,actor,other,value,sd,sign,label`), checked as strictly as
//! the scenario itself and reported the same way (file:line:col, the line, a caret, what
//! was expected, "did you mean" for names), so that a record kept in a spreadsheet is as
//! safe to use as one written into the scenario.

use std::ops::Range;

use super::validate::suggest;
use super::{
    DEFAULT_OBSERVATION_SD, Diagnostic, Evidence, Metric, Observation, Scenario, ScenarioError,
};

/// The metrics an observation may name.
pub(crate) const METRICS: [(&str, Metric); 4] = [
    ("alignment", Metric::Alignment),
    ("trust", Metric::Trust),
    ("threat", Metric::Threat),
    ("power", Metric::Power),
];

/// The signs an observation may give; `true` is `"+"`.
pub(crate) const SIGNS: [(&str, bool); 2] = [("+", true), ("-", false)];

/// Why a sign cannot be observed of `metric`, if it cannot: threat and power lie in [0, 1],
/// so "the sign" would always be known before anything was observed.
pub(crate) fn sign_refusal(metric: Metric) -> Option<String> {
    matches!(metric, Metric::Threat | Metric::Power).then(|| {
        format!(
            "a sign cannot be observed of {}, which is never below 0: give a `value` with its `sd`",
            metric.as_str()
        )
    })
}

/// The columns of an observations file, in the order they are documented.
pub const COLUMNS: [&str; 8] = [
    "step", "metric", "actor", "other", "value", "sd", "sign", "label",
];

/// Where a check leaves a problem: span, message, label, help.
type Push<'a> = dyn FnMut(Range<usize>, String, &str, Option<String>) + 'a;

/// One field of a line: its text (unquoted) and where it stands.
pub(crate) struct Field {
    pub(crate) text: String,
    pub(crate) span: Range<usize>,
}

/// One record of a CSV file: its fields, where it starts and where it ends (before its
/// line break).
pub(crate) struct Record {
    pub(crate) at: usize,
    pub(crate) end: usize,
    pub(crate) fields: Vec<Field>,
}

/// A CSV text that cannot be split into records: where, and why.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CsvError {
    pub(crate) span: Range<usize>,
    pub(crate) message: String,
}

/// The text without a leading UTF-8 byte order mark, which spreadsheets write and which is
/// no part of the first column's name.
pub(crate) fn without_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// Splits a CSV text (RFC 4180) into records: fields separated by commas, records by LF or
/// CRLF; a field in double quotes may hold commas, line breaks and quotes (doubled, `""`).
/// Unquoted fields are trimmed of surrounding spaces. A line that is blank or starts with
/// `#` (outside a quoted field) is skipped. A quote left open, or text after a closing
/// quote before the next comma, is refused with its place.
pub(crate) fn records(text: &str) -> Result<Vec<Record>, CsvError> {
    let b = text.as_bytes();
    let len = b.len();
    let mut out = Vec::new();
    let mut i = 0;
    while i < len {
        let eol = text[i..].find('\n').map_or(len, |k| i + k);
        let physical = text[i..eol].trim_end_matches('\r').trim();
        if physical.is_empty() || physical.starts_with('#') {
            i = eol + 1;
            continue;
        }
        let at = i;
        let mut fields = Vec::new();
        let end = loop {
            let start = i;
            if b.get(i) == Some(&b'"') {
                i += 1;
                let mut text_of = String::new();
                let mut chunk = i;
                let mut closed = false;
                while i < len {
                    if b[i] == b'"' {
                        text_of.push_str(&text[chunk..i]);
                        if b.get(i + 1) == Some(&b'"') {
                            text_of.push('"');
                            i += 2;
                            chunk = i;
                            continue;
                        }
                        i += 1;
                        closed = true;
                        break;
                    }
                    i += 1;
                }
                if !closed {
                    return Err(CsvError {
                        span: start..start + 1,
                        message: "this quoted field is never closed: a field that starts with \
                                  a quote ends with one (a quote inside it is doubled, \"\")"
                            .into(),
                    });
                }
                let after = i;
                while i < len && (b[i] == b' ' || b[i] == b'\t' || b[i] == b'\r') {
                    i += 1;
                }
                if i < len && b[i] != b',' && b[i] != b'\n' {
                    return Err(CsvError {
                        span: i..i + 1,
                        message: "text after a quoted field's closing quote: expected a comma \
                                  or the end of the line (a quote inside a field is doubled, \
                                  \"\")"
                            .into(),
                    });
                }
                fields.push(Field {
                    text: text_of,
                    span: start..after,
                });
            } else {
                while i < len && b[i] != b',' && b[i] != b'\n' {
                    i += 1;
                }
                let raw = &text[start..i];
                let raw = raw.strip_suffix('\r').unwrap_or(raw);
                fields.push(Field {
                    text: raw.trim().to_string(),
                    span: start..start + raw.len(),
                });
            }
            if i >= len {
                break len;
            }
            if b[i] == b',' {
                i += 1;
                continue;
            }
            // A line break ends the record.
            let end = if i > at && b[i - 1] == b'\r' {
                i - 1
            } else {
                i
            };
            i += 1;
            break end;
        };
        out.push(Record { at, end, fields });
    }
    Ok(out)
}

/// Reads and checks an observations file against `sc`; `origin` names it in messages.
pub fn parse_observed_csv(
    text: &str,
    origin: &str,
    sc: &Scenario,
) -> Result<Vec<Observation>, ScenarioError> {
    let text = without_bom(text);
    let problems: std::cell::RefCell<Vec<Diagnostic>> = std::cell::RefCell::new(Vec::new());
    let mut push = |span: Range<usize>, message: String, label: &str, help: Option<String>| {
        let mut d = Diagnostic::new(text, origin, span, message);
        if !label.is_empty() {
            d = d.with_label(text, label);
        }
        if let Some(help) = help {
            d = d.with_help(text, help);
        }
        problems.borrow_mut().push(d);
    };
    let records = match records(text) {
        Ok(r) => r,
        Err(e) => {
            push(e.span, e.message, "here", None);
            return Err(ScenarioError::Invalid(problems.take()));
        }
    };
    let mut rows = records.into_iter();
    let Some(head) = rows.next() else {
        push(
            0..0,
            "the observations file is empty".into(),
            "",
            Some(format!(
                "its first line names the columns: {}",
                COLUMNS.join(",")
            )),
        );
        return Err(ScenarioError::Invalid(problems.take()));
    };
    let mut column: [Option<usize>; 8] = [None; 8];
    for (k, f) in head.fields.iter().enumerate() {
        match COLUMNS.iter().position(|c| *c == f.text) {
            Some(c) if column[c].is_none() => column[c] = Some(k),
            Some(_) => push(
                f.span.clone(),
                format!("column {:?} appears twice", f.text),
                "again here",
                None,
            ),
            None => {
                let help = suggest(&f.text, COLUMNS.iter().copied())
                    .map(|s| format!("did you mean {s:?}?"))
                    .unwrap_or_else(|| format!("the columns are {}", COLUMNS.join(",")));
                push(
                    f.span.clone(),
                    format!("unknown column {:?}", f.text),
                    "not a column of an observations file",
                    Some(help),
                );
            }
        }
    }
    for required in 0..3 {
        if column[required].is_none() {
            push(
                head.at..head.end,
                format!(
                    "the observations file has no `{}` column",
                    COLUMNS[required]
                ),
                "the header",
                Some(format!("the columns are {}", COLUMNS.join(","))),
            );
        }
    }
    if !problems.borrow().is_empty() {
        return Err(ScenarioError::Invalid(problems.take()));
    }
    let actor_names: Vec<&str> = sc.actors.iter().map(|a| a.name.as_str()).collect();
    let mut out = Vec::new();
    for row in rows {
        let fs = row.fields;
        let end = row.end;
        let get = |c: usize| -> Option<&Field> {
            column[c]
                .and_then(|k| fs.get(k))
                .filter(|f| !f.text.is_empty())
        };
        let mut ok = true;
        let missing = |key: &str, push: &mut Push<'_>| {
            push(
                end..end,
                format!("missing `{key}` on this line"),
                "expected a value here",
                None,
            );
        };
        let step = match get(0) {
            None => {
                missing("step", &mut push);
                None
            }
            Some(f) => match f.text.parse::<u64>() {
                Ok(s) if s <= sc.steps as u64 => Some(s as usize),
                Ok(s) => {
                    push(
                        f.span.clone(),
                        format!(
                            "observed step {s} is past the horizon: steps = {}, so an \
                             observation must lie within 0..={}",
                            sc.steps, sc.steps
                        ),
                        "past the horizon",
                        None,
                    );
                    None
                }
                Err(_) => {
                    push(
                        f.span.clone(),
                        format!("expected a whole step ≥ 0, found {:?}", f.text),
                        "not a step",
                        None,
                    );
                    None
                }
            },
        };
        let metric = match get(1) {
            None => {
                missing("metric", &mut push);
                None
            }
            Some(f) => match METRICS.iter().find(|(n, _)| *n == f.text) {
                Some((_, m)) => Some(*m),
                None => {
                    let help = suggest(&f.text, METRICS.iter().map(|(n, _)| *n))
                        .map(|s| format!("did you mean {s:?}?"));
                    push(
                        f.span.clone(),
                        format!(
                            "unknown metric {:?}, expected one of {}",
                            f.text,
                            Metric::NAMES.join(", ")
                        ),
                        "not a known metric",
                        help,
                    );
                    None
                }
            },
        };
        let actor_ref = |f: &Field, push: &mut Push<'_>| -> Option<usize> {
            if let Some(i) = sc.actor_index(&f.text) {
                return Some(i);
            }
            let help = suggest(&f.text, actor_names.iter().copied())
                .map(|s| format!("did you mean {s:?}?"))
                .unwrap_or_else(|| format!("the actors are {}", actor_names.join(", ")));
            push(
                f.span.clone(),
                format!("unknown actor {:?}", f.text),
                "no [[actor]] has this name",
                Some(help),
            );
            None
        };
        let actor = match get(2) {
            None => {
                missing("actor", &mut push);
                None
            }
            Some(f) => actor_ref(f, &mut push),
        };
        let other = match (metric, get(3)) {
            (Some(m), None) if m.is_pairwise() => {
                push(
                    end..end,
                    format!(
                        "a {} observation needs `other`: it measures {} of `actor` in `other`",
                        m.as_str(),
                        m.as_str()
                    ),
                    "`other` is empty",
                    None,
                );
                ok = false;
                None
            }
            (Some(m), Some(f)) if !m.is_pairwise() => {
                push(
                    f.span.clone(),
                    format!(
                        "`other` does not go with metric {:?}, which belongs to one actor",
                        m.as_str()
                    ),
                    "not allowed with this metric",
                    Some("`other` is for trust and threat".into()),
                );
                ok = false;
                None
            }
            (_, Some(f)) => {
                let r = actor_ref(f, &mut push);
                if r.is_none() {
                    ok = false;
                } else if r == actor {
                    push(
                        f.span.clone(),
                        format!(
                            "`other` must differ from `actor`, found {:?} for both",
                            f.text
                        ),
                        "same as `actor`",
                        None,
                    );
                    ok = false;
                }
                r
            }
            (_, None) => None,
        };
        let number =
            |f: &Field, key: &str, low: f64, high: f64, push: &mut Push<'_>| -> Option<f64> {
                match f.text.parse::<f64>() {
                    Ok(x) if x.is_finite() && x >= low && x <= high => Some(x),
                    Ok(_) if key == "sd" => {
                        push(
                            f.span.clone(),
                            format!("sd must be > 0, found {}", f.text),
                            "out of range",
                            None,
                        );
                        None
                    }
                    Ok(_) => {
                        push(
                            f.span.clone(),
                            format!("{key} must be in [{low}, {high}], found {}", f.text),
                            "out of range",
                            None,
                        );
                        None
                    }
                    Err(_) => {
                        push(
                            f.span.clone(),
                            format!("expected a number for `{key}`, found {:?}", f.text),
                            "not a number",
                            None,
                        );
                        None
                    }
                }
            };
        let evidence = match (get(4), get(6)) {
            (None, None) => {
                push(
                    end..end,
                    "an observation needs `value` or `sign`".into(),
                    "both are empty",
                    None,
                );
                None
            }
            (Some(_), Some(s)) => {
                push(
                    s.span.clone(),
                    "an observation gives `value` or `sign`, not both".into(),
                    "remove one of them",
                    None,
                );
                None
            }
            (None, Some(s)) => match SIGNS.iter().find(|(n, _)| *n == s.text) {
                None => {
                    push(
                        s.span.clone(),
                        format!("unknown sign {:?}, expected \"+\" or \"-\"", s.text),
                        "not a sign",
                        None,
                    );
                    None
                }
                Some(_) if get(5).is_some() => {
                    push(
                        get(5).map_or(end..end, |f| f.span.clone()),
                        "`sd` goes with `value`: a sign has no observation error".into(),
                        "leave `sd` empty",
                        None,
                    );
                    None
                }
                Some((_, positive)) => match metric.and_then(sign_refusal) {
                    Some(why) => {
                        push(s.span.clone(), why, "a sign says nothing here", None);
                        None
                    }
                    None => Some(Evidence::Sign {
                        positive: *positive,
                    }),
                },
            },
            (Some(v), None) => {
                let (low, high) = match metric {
                    Some(Metric::Threat | Metric::Power) => (0.0, 1.0),
                    _ => (-1.0, 1.0),
                };
                let value = number(v, "value", low, high, &mut push);
                let sd = match get(5) {
                    None => Some(DEFAULT_OBSERVATION_SD),
                    Some(f) => number(f, "sd", f64::MIN_POSITIVE, f64::MAX, &mut push),
                };
                match (value, sd) {
                    (Some(value), Some(sd)) => Some(Evidence::Value { value, sd }),
                    _ => None,
                }
            }
        };
        let label = get(7).map(|f| f.text.clone());
        if let Some(f) = get(7)
            && f.text.chars().any(char::is_control)
        {
            push(
                f.span.clone(),
                "a label must not hold control characters".into(),
                "control character here",
                None,
            );
            ok = false;
        }
        match (step, metric, actor, evidence) {
            (Some(step), Some(metric), Some(actor), Some(evidence)) if ok => {
                out.push(Observation {
                    step,
                    metric,
                    actor,
                    other,
                    evidence,
                    label,
                })
            }
            _ => {}
        }
    }
    let problems = problems.take();
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(ScenarioError::Invalid(problems))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO: &str = r#"
[scenario]
name = "two"
steps = 12

[[actor]]
name = "Armenia"
alignment = 0.5
stubbornness = 0.2
power = 0.4

[[actor]]
name = "Iran"
alignment = -0.5
stubbornness = 0.3
power = 0.6
"#;

    fn two() -> Scenario {
        crate::scenario::parse_scenario(TWO, "two.toml").expect("parses")
    }

    #[test]
    fn a_file_of_observations_reads_like_the_tables() {
        let sc = two();
        let text = "step,metric,actor,other,value,sd,sign,label\n\
                    3,trust,Armenia,Iran,0.2,0.05,,\n\
                    # a comment\n\
                    12,alignment,Iran,,,,-,\"Iran, negative\"\n";
        let obs = parse_observed_csv(text, "obs.csv", &sc).expect("reads");
        assert_eq!(obs.len(), 2);
        assert_eq!(
            obs[0].evidence,
            Evidence::Value {
                value: 0.2,
                sd: 0.05
            }
        );
        assert_eq!(obs[0].other, Some(1));
        assert_eq!(obs[1].evidence, Evidence::Sign { positive: false });
        assert_eq!(obs[1].label.as_deref(), Some("Iran, negative"));
    }

    #[test]
    fn a_bad_line_is_pointed_at_with_a_suggestion() {
        let sc = two();
        let text = "step,metric,actor,value\n3,alignment,Armenai,0.2\n4,powr,Iran,2\n";
        let err = parse_observed_csv(text, "obs.csv", &sc).expect_err("refused");
        assert!(err.is_bad_input());
        let d = err.diagnostics();
        assert_eq!(d[0].message, "unknown actor \"Armenai\"");
        assert_eq!((d[0].line, d[0].column), (2, 13));
        assert_eq!(d[0].help.as_deref(), Some("did you mean \"Armenia\"?"));
        assert!(d[1].message.starts_with("unknown metric \"powr\""));
        assert_eq!(d[1].help.as_deref(), Some("did you mean \"power\"?"));
        let text = "step,metric,actr\n";
        let err = parse_observed_csv(text, "obs.csv", &sc).expect_err("refused");
        assert_eq!(
            err.diagnostics()[0].help.as_deref(),
            Some("did you mean \"actor\"?")
        );
    }

    #[test]
    fn a_file_reads_as_rfc_4180_whatever_wrote_it() {
        let sc = two();
        // A byte order mark, CRLF, quoted fields holding commas, doubled quotes and a
        // line break.
        let text = "\u{feff}\"step\",metric,actor,other,value,sd,sign,label\r\n\
                    3,\"trust\",Armenia,Iran,0.2,0.05,,\"said \"\"so\"\", twice\"\r\n\
                    12,alignment,Iran,,,,-,\r\n";
        let obs = parse_observed_csv(text, "obs.csv", &sc).expect("reads");
        assert_eq!(obs.len(), 2);
        assert_eq!(obs[0].label.as_deref(), Some("said \"so\", twice"));
        assert_eq!(obs[1].evidence, Evidence::Sign { positive: false });
        // A quoted line break is one field: a label may not hold it (a control
        // character), and the refusal points at the field, not at a broken record.
        let text = "step,metric,actor,sign,label\r\n12,alignment,Iran,-,\"two\r\nlines\"\r\n";
        let err = parse_observed_csv(text, "obs.csv", &sc).expect_err("refused");
        let d = err.diagnostics();
        assert_eq!(d.len(), 1);
        assert_eq!((d[0].line, d[0].column), (2, 21));
        assert!(d[0].message.contains("control characters"));
        // The columns of a problem are counted after the byte order mark.
        let text = "\u{feff}step,metric,actor,value\r\n3,alignment,Armenai,0.2\r\n";
        let err = parse_observed_csv(text, "obs.csv", &sc).expect_err("refused");
        let d = err.diagnostics();
        assert_eq!((d[0].line, d[0].column), (2, 13));
        // A quote left open, or text after a closing quote, is pointed at.
        for (text, column, says) in [
            (
                "step,metric,actor,value\n3,\"alignment,Armenia,0.2\n",
                3,
                "never closed",
            ),
            (
                "step,metric,actor,value\n3,\"alignment\"x,Armenia,0.2\n",
                14,
                "after a quoted",
            ),
        ] {
            let err = parse_observed_csv(text, "obs.csv", &sc).expect_err("refused");
            let d = err.diagnostics();
            assert_eq!((d[0].line, d[0].column), (2, column), "{text:?}");
            assert!(d[0].message.contains(says), "{}", d[0].message);
        }
    }
}
