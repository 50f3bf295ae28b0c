//! The scenario as the page shows it: who the actors are and where they start, what may
//! happen and when (with its chance and attribution), which model parameters differ from the
//! defaults, and which numbers are uncertain; and the conditions of outcomes in words.

use super::html::{self, Cell, Table};
use super::words;
use crate::output::charts::timeaxis::TimeAxis;
use crate::scenario::{AnchorMode, Condition, Metric, ModelParams, Op, Scenario, Timing, When};

fn actor(sc: &Scenario, i: usize) -> &str {
    sc.actors.get(i).map_or("?", |a| a.name.as_str())
}

fn op_words(op: Op) -> &'static str {
    match op {
        Op::Gt => "above",
        Op::Ge => "at least",
        Op::Lt => "below",
        Op::Le => "at most",
    }
}

/// "Azerbaijan's alignment above 0.5".
pub fn condition(sc: &Scenario, c: &Condition) -> String {
    let a = actor(sc, c.actor);
    let other = c.other.map_or("?", |o| actor(sc, o));
    let quantity = match c.metric {
        Metric::Alignment => format!("{a}'s alignment"),
        Metric::Trust => format!("{a}'s trust in {other}"),
        Metric::Threat => format!("the threat {a} feels from {other}"),
        Metric::Power => format!("{a}'s power"),
    };
    format!(
        "{quantity} {} {}",
        op_words(c.op),
        words::number(c.value, 2)
    )
}

/// "at the end", "at some point", "throughout", "at some point from week 3 to week 10".
fn when(time: &TimeAxis, w: When) -> String {
    match w {
        When::End => "at the end".to_string(),
        When::Ever => "at some point".to_string(),
        When::Always => "throughout".to_string(),
        When::Window { from, to } => format!(
            "at some point from {} to {}",
            time.step_name(from),
            time.step_name(to)
        ),
    }
}

/// What an outcome of the scenario tests, in words; `None` for a name it does not have.
pub fn outcome_condition(sc: &Scenario, name: &str) -> Option<String> {
    let time = TimeAxis::new(sc);
    sc.outcomes
        .iter()
        .find(|o| o.name == name)
        .map(|o| format!("{} {}", condition(sc, &o.condition), when(&time, o.when)))
}

/// The steps of a schedule in words: one step by name, a regular series by its stride, a
/// few steps listed, many summarised.
fn schedule(time: &TimeAxis, due: &[bool]) -> String {
    let steps: Vec<usize> = due
        .iter()
        .enumerate()
        .filter_map(|(k, &d)| d.then_some(k))
        .collect();
    match steps.as_slice() {
        [] => "never".to_string(),
        [one] => time.step_name(*one),
        [first, second, ..] => {
            let stride = second - first;
            let last = steps[steps.len() - 1];
            let regular = steps.windows(2).all(|w| w[1] - w[0] == stride);
            if regular && steps.len() > 2 {
                format!(
                    "every {} from {} to {}",
                    if stride == 1 {
                        time.unit.clone()
                    } else {
                        time.units(stride)
                    },
                    time.step_name(*first),
                    time.step_name(last)
                )
            } else {
                let names: Vec<String> = steps.iter().map(|&s| s.to_string()).collect();
                format!("{} {}", plural(&time.unit), words::list(&names))
            }
        }
    }
}

fn plural(unit: &str) -> String {
    if unit.ends_with('s') {
        unit.to_string()
    } else {
        format!("{unit}s")
    }
}

/// When an event may happen, in words, and the first step it may happen at (for ordering).
fn timing(sc: &Scenario, time: &TimeAxis, t: &Timing) -> (String, usize) {
    match t {
        Timing::Scheduled(due) => (
            schedule(time, due),
            due.iter().position(|&d| d).unwrap_or(usize::MAX),
        ),
        Timing::Hazard { rate, from, until } => (
            format!(
                "any {} from {} to {}, with chance {} each",
                time.unit,
                time.step_name(*from),
                time.step_name(*until),
                words::percent(*rate, if *rate < 0.1 { 1 } else { 0 })
            ),
            *from,
        ),
        Timing::Trigger {
            condition: c,
            once,
            cooldown,
            from,
            until,
        } => {
            let repeat = if *once {
                ", once".to_string()
            } else if *cooldown > 0 {
                format!(", then not again for {}", time.units(*cooldown))
            } else {
                String::new()
            };
            (
                format!(
                    "when {} (from {} to {}){repeat}",
                    condition(sc, c),
                    time.step_name(*from),
                    time.step_name(*until)
                ),
                *from,
            )
        }
    }
}

/// The actors with the values they start from.
pub fn actors_table(sc: &Scenario) -> Table {
    let mut t = Table::new(
        format!(
            "Actors at the start (alignment from \u{2212}1, {}, to +1, {})",
            sc.axis.negative, sc.axis.positive
        ),
        &[
            ("actor", false),
            ("kind", false),
            ("alignment", true),
            ("stubbornness", true),
            ("power", true),
            ("own weight", true),
        ],
    );
    for a in &sc.actors {
        t.push(vec![
            Cell::text(&a.name),
            Cell::text(a.kind.as_str()),
            Cell::num(words::number(a.alignment, 2), a.alignment),
            Cell::num(words::number(a.stubbornness, 2), a.stubbornness),
            Cell::num(words::number(a.power, 2), a.power),
            Cell::num(words::number(a.self_weight, 2), a.self_weight),
        ]);
    }
    t
}

/// Every event in the order it may first happen, with its chance and its attribution.
pub fn timeline_table(sc: &Scenario) -> Table {
    let time = TimeAxis::new(sc);
    let columns = [
        ("event", false),
        ("kind", false),
        ("who \u{2192} whom", false),
        ("when", false),
        ("chance", true),
        ("attribution", true),
    ];
    let mut t = Table::new("Timeline of events", &columns);
    let mut rows: Vec<(usize, Vec<Cell>)> = Vec::new();
    for e in &sc.events {
        let (when, first) = timing(sc, &time, &e.timing);
        let who = match (e.actor, e.target) {
            (Some(a), Some(b)) => format!("{} \u{2192} {}", actor(sc, a), actor(sc, b)),
            (Some(a), None) => actor(sc, a).to_string(),
            _ => "\u{2014}".to_string(),
        };
        let label = if e.label.trim().is_empty() {
            e.id.clone()
        } else {
            e.label.clone()
        };
        let row = vec![
            Cell::text(label),
            Cell::text(&e.kind),
            Cell::text(who),
            Cell::text(when),
            Cell::num(words::percent(e.probability, 0), e.probability),
            Cell::num(words::percent(e.attribution, 0), e.attribution),
        ];
        rows.push((first, row));
    }
    // Stable: events due at the same step keep the scenario's order.
    rows.sort_by_key(|(first, _)| *first);
    for (_, row) in rows {
        t.push(row);
    }
    t.note = Some(
        "Chance: the probability that each due occurrence happens. Attribution: the chance \
         that the target knows who acted (100% for overt acts)."
            .to_string(),
    );
    t
}

/// The model parameters, by their name in the scenario file, with the symbol MODEL.md gives.
fn parameters(m: &ModelParams) -> Vec<(&'static str, &'static str, String, f64)> {
    let anchors = |a: AnchorMode| a.as_str().to_string();
    let num = |x: f64| {
        (
            words::number(x, 4)
                .trim_end_matches('0')
                .trim_end_matches('.')
                .to_string(),
            x,
        )
    };
    let mut out = Vec::new();
    for (key, symbol, x) in [
        ("trust_memory", "\u{3ba}", m.trust_memory),
        ("balance", "\u{3b2}", m.balance),
        ("threat_decay", "\u{3b4}", m.threat_decay),
        ("balancing", "\u{3b3}", m.balancing),
        ("audience", "\u{3b7}", m.audience),
        ("self_weight", "\u{3c9}", m.self_weight),
        ("reach", "R", m.reach),
        ("trust_noise", "\u{3c3}_T", m.trust_noise),
        ("alignment_noise", "\u{3c3}_a", m.alignment_noise),
        ("event_noise", "\u{3c3}_e", m.event_noise),
    ] {
        let (text, value) = num(x);
        let text = if text.is_empty() {
            "0".to_string()
        } else {
            text
        };
        out.push((key, symbol, text, value));
    }
    out.push(("anchors", "", anchors(m.anchors), f64::NAN));
    out
}

/// The parameters whose value is not the default, or `None` when all are defaults.
pub fn parameters_table(sc: &Scenario) -> Option<Table> {
    let given = parameters(&sc.model);
    let default = parameters(&ModelParams::default());
    let mut t = Table::new(
        "Model parameters that differ from the defaults",
        &[
            ("parameter", false),
            ("symbol", false),
            ("value", true),
            ("default", true),
        ],
    );
    for ((key, symbol, text, value), (_, _, d_text, d_value)) in given.into_iter().zip(default) {
        if text != d_text {
            t.push(vec![
                Cell::text(key),
                Cell::text(symbol),
                Cell::num(text, value),
                Cell::num(d_text, d_value),
            ]);
        }
    }
    (!t.rows.is_empty()).then_some(t)
}

/// The numbers given as distributions, or `None` when every number is fixed.
pub fn inputs_table(sc: &Scenario) -> Option<Table> {
    if sc.inputs.is_empty() {
        return None;
    }
    let mut t = Table::new(
        "Uncertain inputs (drawn afresh for every run)",
        &[("input", false), ("distribution", false)],
    );
    for input in &sc.inputs {
        t.push(vec![
            Cell::text(&input.name),
            Cell::text(input.distribution.describe()),
        ]);
    }
    Some(t)
}

/// The whole scenario section: its header facts, actors, timeline, parameters and inputs.
pub fn section(sc: &Scenario) -> String {
    let time = TimeAxis::new(sc);
    let mut h = String::new();
    let start = time
        .date(0)
        .map(|d| format!(", step 0 being {}", d.long()))
        .unwrap_or_default();
    h.push_str(&html::para(&format!(
        "{}: {} actors, {} events and {} outcomes over {}{start}. Alignment runs from \u{2212}1 ({}) to +1 ({}).",
        sc.name,
        sc.n(),
        sc.events.len(),
        sc.outcomes.len(),
        time.units(sc.steps),
        sc.axis.negative,
        sc.axis.positive
    )));
    h.push_str(&actors_table(sc).render());
    if sc.events.is_empty() {
        h.push_str(&html::para("The scenario has no events."));
    } else {
        h.push_str(&timeline_table(sc).render());
    }
    match parameters_table(sc) {
        Some(t) => h.push_str(&t.render()),
        None => h.push_str(&html::para("Every model parameter has its default value.")),
    }
    if let Some(t) = inputs_table(sc) {
        h.push_str(&t.render());
    }
    h
}
