//! Which scheduled events a time chart marks, and the key that names them.
//!
//! Only events with a fixed schedule are drawn: hazards and triggers happen at different
//! steps in different runs, so a line at one step would mislead. A scheduled event that
//! repeats at a regular interval (three times or more) would fill a panel with lines, so it
//! is named once in the key with its rhythm instead. Each marked step gets a short tag
//! (A, B, ...) drawn above its line in every panel; the key says what happened there.

use super::timeaxis::TimeAxis;
use crate::scenario::{Scenario, Timing};

/// One marked step and the events due at it.
#[derive(Debug, Clone, PartialEq)]
pub struct Mark {
    pub step: usize,
    pub tag: String,
    /// Labels of the events due at this step, with their chance when below one.
    pub items: Vec<String>,
    /// Whether every event here is certain to happen; uncertain marks are drawn dashed.
    pub certain: bool,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Markers {
    pub marks: Vec<Mark>,
    /// Regular scheduled events, each as one phrase with its rhythm.
    pub recurring: Vec<String>,
    /// How many events have a hazard or a trigger and so are not marked.
    pub unmarked: usize,
}

/// Marked steps the key names one by one; more would crowd out the chart.
pub const KEY_MARKS: usize = 16;

/// A tag for the k-th mark: A..Z, then A2..Z2, and so on.
fn tag(k: usize) -> String {
    let letter = (b'A' + (k % 26) as u8) as char;
    match k / 26 {
        0 => letter.to_string(),
        round => format!("{letter}{}", round + 1),
    }
}

pub fn percent(p: f64) -> String {
    format!("{:.0}%", p * 100.0)
}

fn label_of(label: &str, id: &str) -> String {
    if label.trim().is_empty() {
        id.to_string()
    } else {
        label.to_string()
    }
}

pub fn markers(sc: &Scenario, time: &TimeAxis) -> Markers {
    let mut by_step: Vec<(Vec<String>, bool)> = vec![(Vec::new(), true); sc.steps + 1];
    let mut out = Markers::default();
    for e in &sc.events {
        let mask = match &e.timing {
            Timing::Scheduled(mask) => mask,
            Timing::Hazard { .. } | Timing::Trigger { .. } => {
                out.unmarked += 1;
                continue;
            }
        };
        let due: Vec<usize> = mask
            .iter()
            .enumerate()
            .filter_map(|(t, &d)| d.then_some(t))
            .collect();
        let label = label_of(&e.label, &e.id);
        let gaps: Vec<usize> = due.windows(2).map(|w| w[1] - w[0]).collect();
        if due.len() >= 3 && gaps.iter().all(|&g| g == gaps[0]) {
            let (first, last, every) = (due[0], due[due.len() - 1], gaps[0]);
            let mut phrase = format!(
                "{label}, every {} from {} {first}",
                time.units(every),
                time.unit
            );
            if last + every < sc.steps {
                phrase.push_str(&format!(" to {last}"));
            }
            if e.probability < 1.0 {
                phrase.push_str(&format!(" (chance {} each time)", percent(e.probability)));
            }
            out.recurring.push(phrase);
            continue;
        }
        for t in due {
            let item = if e.probability < 1.0 {
                format!("{label} (chance {})", percent(e.probability))
            } else {
                label.clone()
            };
            by_step[t].0.push(item);
            by_step[t].1 &= e.probability >= 1.0;
        }
    }
    for (step, (items, certain)) in by_step.into_iter().enumerate() {
        if !items.is_empty() {
            out.marks.push(Mark {
                step,
                tag: tag(out.marks.len()),
                items,
                certain,
            });
        }
    }
    out
}

impl Markers {
    /// The key's lines of text, each as (tag, text); an empty tag is a note. A schedule
    /// with very many marked steps lists the first [`KEY_MARKS`] and says how many follow.
    pub fn key_entries(&self, time: &TimeAxis) -> Vec<(String, String)> {
        let mut lines: Vec<(String, String)> = self
            .marks
            .iter()
            .take(KEY_MARKS)
            .map(|m| {
                (
                    m.tag.clone(),
                    format!("{}: {}", time.step_name(m.step), m.items.join("; ")),
                )
            })
            .collect();
        if self.marks.len() > KEY_MARKS {
            lines.push((
                String::new(),
                format!(
                    "and {} more marked steps; scenario.toml lists every event.",
                    self.marks.len() - KEY_MARKS
                ),
            ));
        }
        if !self.recurring.is_empty() {
            lines.push((
                String::new(),
                format!("Recurring, not marked: {}.", self.recurring.join("; ")),
            ));
        }
        if self.unmarked > 0 {
            lines.push((
                String::new(),
                format!(
                    "Not marked: {} event{} with a hazard or a trigger, which happen at different times in different runs.",
                    self.unmarked,
                    if self.unmarked == 1 { "" } else { "s" }
                ),
            ));
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_run_through_the_alphabet_then_number() {
        assert_eq!(tag(0), "A");
        assert_eq!(tag(25), "Z");
        assert_eq!(tag(26), "A2");
    }
}
