//! The tables that set up a scenario: `[scenario]` (name, horizon, runs, seed, start date),
//! the `[axis]` pole names and the `[model]` parameters.

use std::ops::Range;

use toml::Spanned;

use super::Checker;
use super::inputs::Slot;
use super::values::Bound;
use crate::scenario::inputs::ModelField;
use crate::scenario::raw::{Number, RawAxis, RawFile, RawModel, RawScenario};
use crate::scenario::{AnchorMode, Axis, ModelParams};

/// The largest `steps` accepted. Every scheduled event holds one flag per step and every run
/// records the state at every step, so an absurd horizon would exhaust memory instead of
/// failing with a message.
pub const MAX_STEPS: usize = 1_000_000;

const DEFAULT_RUNS: u64 = 1000;
const DEFAULT_SEED: u64 = 1;

/// `[scenario]` as checked; each `None` has left a diagnostic.
pub(super) struct Header {
    pub(super) span: Range<usize>,
    pub(super) name: Option<String>,
    pub(super) description: Option<String>,
    pub(super) steps: Option<usize>,
    pub(super) step_unit: String,
    pub(super) start: Option<Option<String>>,
    pub(super) runs: Option<u64>,
    pub(super) seed: Option<u64>,
}

impl Checker<'_> {
    pub(super) fn scenario_table(&mut self, raw: &RawFile) -> Option<Header> {
        let Some(table) = &raw.scenario else {
            self.push(
                self.top(),
                "missing [scenario] table",
                "expected [scenario] before this",
                Some(
                    "a scenario file starts with [scenario], giving at least `name` and `steps`"
                        .into(),
                ),
            );
            return None;
        };
        let whole = table.span();
        let s: &RawScenario = table.get_ref();
        let name = match &s.name {
            Some(name) if !self.printable("the scenario's name", name) => None,
            Some(name) => Some(name.get_ref().clone()),
            None => {
                self.push(
                    whole.clone(),
                    "missing `name` in [scenario]",
                    "add `name = \"...\"` here",
                    None,
                );
                None
            }
        };
        let steps = match &s.steps {
            Some(steps) => self.integer("steps", steps, 1, MAX_STEPS as i64),
            None => {
                self.push(
                    whole.clone(),
                    "missing `steps` in [scenario]",
                    "add `steps = N` here",
                    Some("`steps` is the number of steps simulated, an integer ≥ 1".into()),
                );
                None
            }
        };
        let runs = match &s.runs {
            Some(runs) => self.integer("runs", runs, 1, i64::MAX).map(|r| r as u64),
            None => Some(DEFAULT_RUNS),
        };
        let seed = match &s.seed {
            Some(seed) => self.integer("seed", seed, 0, i64::MAX).map(|r| r as u64),
            None => Some(DEFAULT_SEED),
        };
        let start = match &s.start {
            Some(start) => self.date(start).map(Some),
            None => Some(None),
        };
        Some(Header {
            span: whole,
            name,
            description: s.description.clone(),
            steps,
            step_unit: s.step_unit.clone().unwrap_or_else(|| "step".into()),
            start,
            runs,
            seed,
        })
    }

    fn date(&mut self, value: &Spanned<toml::Value>) -> Option<String> {
        let parsed = match value.get_ref() {
            toml::Value::Datetime(dt) if dt.time.is_none() && dt.offset.is_none() => dt
                .date
                .map(|d| (i64::from(d.year), i64::from(d.month), i64::from(d.day))),
            toml::Value::String(s) => parse_date(s),
            _ => None,
        };
        match parsed {
            Some((y, m, d)) if (1..=12).contains(&m) && d >= 1 && d <= days_in_month(y, m) => {
                Some(format!("{y:04}-{m:02}-{d:02}"))
            }
            _ => {
                let found = self.written(value.span()).to_string();
                self.push(
                    value.span(),
                    format!("`start` must be a calendar date YYYY-MM-DD, found {found}"),
                    "not a date",
                    Some("write `start = 2025-05-05` or `start = \"2025-05-05\"`".into()),
                );
                None
            }
        }
    }

    pub(super) fn model(&mut self, raw: Option<&RawModel>) -> Option<ModelParams> {
        let d = ModelParams::default();
        let Some(m) = raw else {
            return Some(d);
        };
        use Bound as B;
        use ModelField as F;
        let mut field = |field: ModelField, value: &Option<Number>, bound: Bound, default: f64| {
            self.number_or(
                field.name(),
                value.as_ref(),
                bound,
                default,
                Slot::model(field),
            )
        };
        let trust_memory = field(F::TrustMemory, &m.trust_memory, B::UNIT, d.trust_memory);
        let balance = field(F::Balance, &m.balance, B::NON_NEGATIVE, d.balance);
        let threat_decay = field(F::ThreatDecay, &m.threat_decay, B::UNIT, d.threat_decay);
        let balancing = field(F::Balancing, &m.balancing, B::NON_NEGATIVE, d.balancing);
        let audience = field(F::Audience, &m.audience, B::NON_NEGATIVE, d.audience);
        let self_weight = field(
            F::SelfWeight,
            &m.self_weight,
            B::NON_NEGATIVE,
            d.self_weight,
        );
        let reach = field(F::Reach, &m.reach, B::UNIT, d.reach);
        let trust_noise = field(
            F::TrustNoise,
            &m.trust_noise,
            B::NON_NEGATIVE,
            d.trust_noise,
        );
        let alignment_noise = field(
            F::AlignmentNoise,
            &m.alignment_noise,
            B::NON_NEGATIVE,
            d.alignment_noise,
        );
        let event_noise = field(
            F::EventNoise,
            &m.event_noise,
            B::NON_NEGATIVE,
            d.event_noise,
        );
        let anchors = match &m.anchors {
            None => Some(d.anchors),
            Some(text) => self.word(
                "anchors",
                text,
                &[
                    ("steady", AnchorMode::Steady),
                    ("initial", AnchorMode::Initial),
                ],
            ),
        };
        Some(ModelParams {
            anchors: anchors?,
            trust_memory: trust_memory?,
            balance: balance?,
            threat_decay: threat_decay?,
            balancing: balancing?,
            audience: audience?,
            self_weight: self_weight?,
            reach: reach?,
            trust_noise: trust_noise?,
            alignment_noise: alignment_noise?,
            event_noise: event_noise?,
        })
    }
}

/// The names of the poles, with neutral names for those `[axis]` leaves out.
pub(super) fn axis(raw: Option<&RawAxis>) -> Axis {
    Axis {
        negative: raw
            .and_then(|a| a.negative.clone())
            .unwrap_or_else(|| "negative pole".into()),
        positive: raw
            .and_then(|a| a.positive.clone())
            .unwrap_or_else(|| "positive pole".into()),
    }
}

/// `YYYY-MM-DD` exactly, as numbers; range checks are the caller's.
fn parse_date(s: &str) -> Option<(i64, i64, i64)> {
    let bytes = s.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let digits = |r: Range<usize>| -> Option<i64> {
        let part = s.get(r)?;
        if part.bytes().all(|b| b.is_ascii_digit()) {
            part.parse().ok()
        } else {
            None
        }
    };
    Some((digits(0..4)?, digits(5..7)?, digits(8..10)?))
}

fn days_in_month(year: i64, month: i64) -> i64 {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{TWO, errors, parse};

    #[test]
    fn model_defaults_reach_actors_and_pairs() {
        let s = parse(&format!("[model]\nself_weight = 3\nreach = 0.25\n{TWO}"));
        assert_eq!(s.actors[0].self_weight, 3.0);
        assert_eq!(s.reach, vec![0.0, 0.25, 0.25, 0.0]);
    }

    #[test]
    fn start_accepts_a_date_or_a_date_string() {
        let date = parse(&TWO.replace("steps = 12", "steps = 12\nstart = 2024-02-29"));
        assert_eq!(date.start.as_deref(), Some("2024-02-29"));
        let string = parse(&TWO.replace("steps = 12", "steps = 12\nstart = \"2025-12-31\""));
        assert_eq!(string.start.as_deref(), Some("2025-12-31"));
        let bad = errors(&TWO.replace("steps = 12", "steps = 12\nstart = \"2025-02-29\""));
        assert!(bad[0].message.contains("calendar date"), "{}", bad[0]);
        let time = errors(&TWO.replace("steps = 12", "steps = 12\nstart = 2025-02-01T10:00:00"));
        assert!(time[0].message.contains("calendar date"), "{}", time[0]);
    }
}
