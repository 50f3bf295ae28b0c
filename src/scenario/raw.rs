//! Plain serde types that mirror the scenario file, before any name is resolved.
//!
//! Every struct refuses unknown keys, so a misspelt key is an error rather than a silently
//! ignored line. Keys the file format requires are still `Option` here: a missing key is
//! reported by the validator together with every other problem in the file, instead of
//! stopping deserialization at the first one. Values that a later check may need to point
//! at are wrapped in [`Spanned`]; a table's span is its header (`[[actor]]`), which is where
//! a "missing key" message belongs.
//!
//! Every real number may also be written as a distribution (`{ low = L, high = H }`), so it
//! is read as a [`RawQuantity`]. Counts, steps and switches may not, but a table written in
//! their place is still read (as [`Fixed::Distribution`]) so that the validator can refuse it
//! with a message naming the key, instead of serde's bare "invalid type: map".

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Unexpected, Visitor};
use toml::Spanned;

/// A spanned number or distribution as written (integers are accepted and widened).
pub type Number = Spanned<RawQuantity>;
/// A spanned integer as written; signed so that a negative value reaches the validator and
/// gets a message that names the key, rather than a bare type error.
pub type Integer = Spanned<Fixed<i64>>;
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
    #[serde(default)]
    pub observed: Vec<Spanned<RawObserved>>,
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
    pub anchors: Option<Text>,
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
    pub third_party: Option<Text>,
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
    pub once: Option<Spanned<Fixed<bool>>>,
    pub cooldown: Option<Integer>,
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

/// One `[[observed]]`: a quantity at a step, as a value with its error or as a sign.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawObserved {
    pub step: Option<Integer>,
    pub metric: Option<Text>,
    pub actor: Option<Text>,
    pub other: Option<Text>,
    pub value: Option<Number>,
    pub sd: Option<Number>,
    pub sign: Option<Text>,
    pub label: Option<Text>,
}

/// A real number of the file: plain, or a distribution over its possible values.
#[derive(Debug, Clone, PartialEq)]
pub enum RawQuantity {
    Number(f64),
    Distribution(RawDistribution),
}

/// `{ low = L, high = H }` or `{ low = L, high = H, mode = M }`, with an optional `name`.
/// The bounds are optional here for the same reason as the keys of a table: a missing one is
/// reported by the validator along with every other problem.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RawDistribution {
    pub low: Option<Spanned<f64>>,
    pub high: Option<Spanned<f64>>,
    pub mode: Option<Spanned<f64>>,
    pub name: Option<Text>,
}

/// The keys of a distribution table, in the order messages list them.
const DISTRIBUTION_KEYS: [&str; 4] = ["low", "high", "mode", "name"];

/// What a type error says was expected where a [`RawQuantity`] stands. It starts with
/// serde's own `f64` so that a type error reads as it does for any other number.
const QUANTITY_EXPECTED: &str = "f64 or a distribution `{ low = L, high = H }`";

/// The key under which toml hands a date or time to `deserialize_any` as a one-entry map
/// (toml_datetime's private field name); such a map is a date, not a distribution.
const TOML_DATETIME_KEY: &str = "$__toml_private_datetime";

impl<'de> Deserialize<'de> for RawQuantity {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(QuantityVisitor)
    }
}

struct QuantityVisitor;

impl<'de> Visitor<'de> for QuantityVisitor {
    type Value = RawQuantity;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(QUANTITY_EXPECTED)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<RawQuantity, E> {
        Ok(RawQuantity::Number(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawQuantity, E> {
        Ok(RawQuantity::Number(v as f64))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawQuantity, E> {
        Ok(RawQuantity::Number(v as f64))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawQuantity, A::Error> {
        let mut d = RawDistribution::default();
        // Keys go through `DistributionKey` so that an unknown one fails while toml still
        // knows its span: the error then points at the key, not at the whole table.
        while let Some(key) = map.next_key::<DistributionKey>()? {
            let (slot, name) = match key {
                DistributionKey::Low => (&mut d.low, "low"),
                DistributionKey::High => (&mut d.high, "high"),
                DistributionKey::Mode => (&mut d.mode, "mode"),
                DistributionKey::Name => {
                    if d.name.is_some() {
                        return Err(de::Error::duplicate_field("name"));
                    }
                    d.name = Some(map.next_value()?);
                    continue;
                }
            };
            if slot.is_some() {
                return Err(de::Error::duplicate_field(name));
            }
            *slot = Some(map.next_value()?);
        }
        Ok(RawQuantity::Distribution(d))
    }
}

/// A key of a distribution table.
enum DistributionKey {
    Low,
    High,
    Mode,
    Name,
}

impl<'de> Deserialize<'de> for DistributionKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_identifier(DistributionKeyVisitor)
    }
}

struct DistributionKeyVisitor;

impl Visitor<'_> for DistributionKeyVisitor {
    type Value = DistributionKey;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key of a distribution")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<DistributionKey, E> {
        match v {
            "low" => Ok(DistributionKey::Low),
            "high" => Ok(DistributionKey::High),
            "mode" => Ok(DistributionKey::Mode),
            "name" => Ok(DistributionKey::Name),
            TOML_DATETIME_KEY => Err(E::invalid_type(
                Unexpected::Other("date-time"),
                &QUANTITY_EXPECTED,
            )),
            _ => Err(E::unknown_field(v, &DISTRIBUTION_KEYS)),
        }
    }
}

/// A value that may not be uncertain (a count, a step, a switch). A table in its place is
/// kept, content unread, for the validator to refuse by name.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Fixed<T> {
    Value(T),
    Distribution,
}

/// The plain values a [`Fixed`] may hold, as toml's `deserialize_any` hands them over.
pub trait FixedValue: Sized {
    /// Serde's name of the type, so that a type error reads as it does without [`Fixed`].
    const EXPECTED: &'static str;
    fn from_i64(_: i64) -> Option<Self> {
        None
    }
    fn from_bool(_: bool) -> Option<Self> {
        None
    }
}

impl FixedValue for i64 {
    const EXPECTED: &'static str = "i64";
    fn from_i64(v: i64) -> Option<Self> {
        Some(v)
    }
}

impl FixedValue for bool {
    const EXPECTED: &'static str = "a boolean";
    fn from_bool(v: bool) -> Option<Self> {
        Some(v)
    }
}

impl<'de, T: FixedValue> Deserialize<'de> for Fixed<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(FixedVisitor(PhantomData))
    }
}

struct FixedVisitor<T>(PhantomData<T>);

impl<T: FixedValue> FixedVisitor<T> {
    fn or_invalid<E: de::Error>(&self, value: Option<T>, found: Unexpected) -> Result<Fixed<T>, E> {
        value
            .map(Fixed::Value)
            .ok_or_else(|| E::invalid_type(found, self))
    }
}

impl<'de, T: FixedValue> Visitor<'de> for FixedVisitor<T> {
    type Value = Fixed<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(T::EXPECTED)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Fixed<T>, E> {
        self.or_invalid(T::from_i64(v), Unexpected::Signed(v))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Fixed<T>, E> {
        self.or_invalid(T::from_bool(v), Unexpected::Bool(v))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Fixed<T>, A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            if key == TOML_DATETIME_KEY {
                return Err(de::Error::invalid_type(
                    Unexpected::Other("date-time"),
                    &self,
                ));
            }
            map.next_value::<IgnoredAny>()?;
        }
        Ok(Fixed::Distribution)
    }
}

/// Parses the text into the raw file, or returns toml's error (syntax, type or unknown key).
pub fn parse(text: &str) -> Result<RawFile, toml::de::Error> {
    toml::from_str(text)
}
