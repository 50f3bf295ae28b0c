//! Plain serde types that mirror the scenario file, before any name is resolved.
//!
//! Every struct refuses unknown keys, so a misspelt key is an error rather than a silently
//! ignored line. Keys the file format requires are still `Option` here: a missing key is
//! reported by the validator together with every other problem in the file, instead of
//! stopping deserialization at the first one. Values that a later check may need to point
//! at are wrapped in [`Spanned`]; a table's span is its header (`[[actor]]`), which is where
//! a "missing key" message belongs.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

/// A spanned number as written (integers are accepted and widened).
pub type Number = Spanned<f64>;
/// A spanned integer as written; signed so that a negative value reaches the validator and
/// gets a message that names the key, rather than a bare type error.
pub type Integer = Spanned<i64>;
/// A spanned string as written.
pub type Text = Spanned<String>;

/// The whole file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFile {
    pub scenario: Option<Spanned<RawScenario>>,
    pub axis: Option<RawAxis>,
    pub model: Option<RawModel>,
    #[serde(default)]
    pub actor: Vec<Spanned<RawActor>>,
    #[serde(default)]
    pub relation: Vec<Spanned<RawRelation>>,
    /// Keyed by kind name; the key's span points at `NAME` in `[kinds.NAME]`.
    #[serde(default)]
    pub kinds: BTreeMap<Text, Spanned<RawKind>>,
    #[serde(default)]
    pub event: Vec<Spanned<RawEvent>>,
    #[serde(default)]
    pub outcome: Vec<Spanned<RawOutcome>>,
}

/// `[scenario]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    pub name: Option<Text>,
    pub description: Option<String>,
    pub steps: Option<Integer>,
    pub step_unit: Option<String>,
    /// A TOML local date or a `"YYYY-MM-DD"` string; kept as a value so both spellings
    /// reach the validator with their span.
    pub start: Option<Spanned<toml::Value>>,
    pub runs: Option<Integer>,
    pub seed: Option<Integer>,
}

/// `[axis]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAxis {
    pub negative: Option<String>,
    pub positive: Option<String>,
}

/// `[model]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawModel {
    pub trust_memory: Option<Number>,
    pub balance: Option<Number>,
    pub threat_decay: Option<Number>,
    pub balancing: Option<Number>,
    pub audience: Option<Number>,
    pub self_weight: Option<Number>,
    pub reach: Option<Number>,
    pub trust_noise: Option<Number>,
    pub alignment_noise: Option<Number>,
    pub event_noise: Option<Number>,
}

/// One `[[actor]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawActor {
    pub name: Option<Text>,
    pub kind: Option<Text>,
    pub alignment: Option<Number>,
    pub stubbornness: Option<Number>,
    pub power: Option<Number>,
    pub self_weight: Option<Number>,
}

/// One `[[relation]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRelation {
    pub between: Option<Spanned<Vec<Text>>>,
    pub trust: Option<Number>,
    pub trust_ab: Option<Number>,
    pub trust_ba: Option<Number>,
    pub reach: Option<Number>,
    pub reach_ab: Option<Number>,
    pub reach_ba: Option<Number>,
}

/// One `[kinds.NAME]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawKind {
    pub valence: Option<Number>,
    pub c_in: Option<Number>,
    pub c_out: Option<Number>,
    pub c_threat: Option<Number>,
    pub c_power_target: Option<Number>,
    pub c_power_actor: Option<Number>,
    pub c_pull: Option<Number>,
    pub c_audience: Option<Number>,
    pub c_third: Option<Number>,
    pub attribution: Option<Number>,
}

/// One `[[event]]`. The five timing keys are all optional here because "exactly one of
/// them" is a rule across keys that serde cannot express with a useful message.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEvent {
    pub kind: Option<Text>,
    pub actor: Option<Text>,
    pub target: Option<Text>,
    pub id: Option<Text>,
    pub label: Option<Text>,
    pub intensity: Option<Number>,
    pub probability: Option<Number>,
    pub attribution: Option<Number>,
    pub effects: Option<Spanned<Vec<Spanned<RawEffect>>>>,
    pub step: Option<Integer>,
    pub steps: Option<Spanned<Vec<Integer>>>,
    pub every: Option<Integer>,
    pub hazard: Option<Number>,
    pub trigger: Option<Spanned<RawCondition>>,
    pub from: Option<Integer>,
    pub until: Option<Integer>,
    pub once: Option<Spanned<bool>>,
}

/// One primitive delta of a custom event: `delta` and exactly one target key.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEffect {
    pub trust: Option<Spanned<Vec<Text>>>,
    pub threat: Option<Spanned<Vec<Text>>>,
    pub alignment: Option<Text>,
    pub power: Option<Text>,
    pub delta: Option<Number>,
}

/// A condition on the state, as written in an event's `trigger`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCondition {
    pub metric: Option<Text>,
    pub actor: Option<Text>,
    pub other: Option<Text>,
    pub op: Option<Text>,
    pub value: Option<Number>,
}

/// One `[[outcome]]`. It repeats the condition keys instead of flattening [`RawCondition`]
/// because serde's `flatten` disables `deny_unknown_fields`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOutcome {
    pub name: Option<Text>,
    pub metric: Option<Text>,
    pub actor: Option<Text>,
    pub other: Option<Text>,
    pub op: Option<Text>,
    pub value: Option<Number>,
    /// `"end"`, `"ever"`, `"always"` or `[from, to]`; kept as a value so that either shape
    /// reaches the validator with its span.
    pub when: Option<Spanned<toml::Value>>,
}

impl RawOutcome {
    /// The condition keys, so outcomes and triggers share one check.
    pub fn condition(&self) -> RawCondition {
        RawCondition {
            metric: self.metric.clone(),
            actor: self.actor.clone(),
            other: self.other.clone(),
            op: self.op.clone(),
            value: self.value.clone(),
        }
    }
}

/// Parses the text into the raw file, or returns toml's error (syntax, type or unknown key).
pub fn parse(text: &str) -> Result<RawFile, toml::de::Error> {
    toml::from_str(text)
}
