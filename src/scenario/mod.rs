//! Scenarios: the TOML text a user writes, and the checked [`Scenario`] the model runs.
//!
//! Parsing happens in two stages, as in cargo's manifest handling: [`raw`] holds plain serde
//! types that mirror the file (with source spans), and [`validate`] resolves names, fills
//! defaults and checks every value, producing either a [`Scenario`] or a list of
//! [`Diagnostic`]s that point at the offending text. Nothing downstream of this module sees
//! TOML or spans: the model works on indices and plain numbers only.

pub mod diagnostic;
pub mod generate;
pub mod inputs;
pub mod kinds;
pub mod observed;
pub mod raw;
pub mod source;
pub mod validate;

pub use diagnostic::{Diagnostic, ScenarioError};
pub use inputs::{Distribution, InputTarget, UncertainInput};
pub use kinds::{Holder, KindCoefficients};
pub use source::ScenarioSource;
pub use validate::load_scenario;
pub use validate::parse_scenario;

/// The scenario shipped inside the binary, run when the user names none.
pub const DEFAULT_SCENARIO_TEXT: &str = include_str!("../../scenarios/south_caucasus.toml");
/// The name the embedded default scenario reports in diagnostics and output paths.
pub const DEFAULT_SCENARIO_PATH: &str = "scenarios/south_caucasus.toml";

/// A checked scenario: every name resolved to an index, every default filled in, every
/// value within its range. Matrices are flat, row-major `n * n` vectors.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    pub name: String,
    pub description: Option<String>,
    /// Number of steps simulated; states are recorded for `t = 0..=steps`.
    pub steps: usize,
    pub step_unit: String,
    /// ISO date (`YYYY-MM-DD`) of step 0, used only for labels.
    pub start: Option<String>,
    /// Default run count; the CLI may override it.
    pub runs: u64,
    /// Default master seed; the CLI may override it.
    pub seed: u64,
    pub axis: Axis,
    pub model: ModelParams,
    pub actors: Vec<Actor>,
    /// Baseline trust `T0[i * n + j]`: trust of `i` in `j`. The diagonal is 0 and unused.
    pub trust0: Vec<f64>,
    /// Reach `R[i * n + j]`: how far `j`'s power bears on `i`. The diagonal is 0.
    pub reach: Vec<f64>,
    pub events: Vec<Event>,
    pub outcomes: Vec<Outcome>,
    /// Numbers given as distributions, in scenario order. Every number they stand for holds
    /// its nominal value in the fields above.
    pub inputs: Vec<UncertainInput>,
    /// What has been observed of the history the scenario models, for `influence
    /// calibrate`; every other command ignores it.
    pub observations: Vec<Observation>,
    /// Lower-case hex SHA-256 of the scenario text exactly as read.
    pub sha256: String,
}

impl Scenario {
    /// Number of actors.
    pub fn n(&self) -> usize {
        self.actors.len()
    }

    /// Index of the actor with this exact name.
    pub fn actor_index(&self, name: &str) -> Option<usize> {
        self.actors.iter().position(|a| a.name == name)
    }

    /// The same world with no events: the no-event baseline of MODEL.md. Its inputs stay, so
    /// a run draws the same input values as its twin with events (those that set an event's
    /// numbers then set nothing), and its noise streams are keyed as before: run r of the
    /// two differs only by what the events do.
    pub fn without_events(&self) -> Scenario {
        let mut quiet = self.clone();
        quiet.events.clear();
        quiet
    }
}

/// The names of the two poles of the alignment axis.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    pub negative: String,
    pub positive: String,
}

/// The `[model]` table: every parameter of MODEL.md.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelParams {
    /// κ, pull of trust back to its baseline per step, in [0, 1].
    pub trust_memory: f64,
    /// β, strength of structural balance on trust, ≥ 0.
    pub balance: f64,
    /// δ, fraction of a threat shock that fades per step, in [0, 1].
    pub threat_decay: f64,
    /// γ, strength of balancing away from threatening actors, ≥ 0.
    pub balancing: f64,
    /// η, strength of audience (third-party) trust effects of events, ≥ 0.
    pub audience: f64,
    /// ω default, weight of an actor's own view in its influence row, ≥ 0.
    pub self_weight: f64,
    /// R default for pairs without an explicit reach, in [0, 1].
    pub reach: f64,
    /// σ_T, standard deviation of trust noise per step, ≥ 0.
    pub trust_noise: f64,
    /// σ_a, standard deviation of alignment noise per step, ≥ 0.
    pub alignment_noise: f64,
    /// σ_e, relative standard deviation of event magnitudes, ≥ 0.
    pub event_noise: f64,
    /// What alignment and trust return to (MODEL.md, "Anchors").
    pub anchors: AnchorMode,
}

/// `[model] anchors`: the status quo the state returns to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnchorMode {
    /// The start is a steady state: anchors are solved so that nothing moves without events.
    Steady,
    /// The start itself is the anchor (classic Friedkin–Johnsen prejudice and trust memory).
    Initial,
}

impl AnchorMode {
    pub const NAMES: [&'static str; 2] = ["steady", "initial"];

    pub fn as_str(self) -> &'static str {
        match self {
            AnchorMode::Steady => "steady",
            AnchorMode::Initial => "initial",
        }
    }
}

impl Default for ModelParams {
    /// The documented defaults (docs/scenario-format.md lists the reasons for each).
    fn default() -> Self {
        ModelParams {
            trust_memory: 0.05,
            balance: 0.02,
            threat_decay: 0.2,
            balancing: 0.1,
            audience: 0.5,
            self_weight: 1.0,
            reach: 0.5,
            trust_noise: 0.02,
            alignment_noise: 0.01,
            event_noise: 0.2,
            anchors: AnchorMode::Steady,
        }
    }
}

/// Whether an actor is a state or a non-state group; informational, the dynamics treat both alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActorKind {
    State,
    Group,
}

impl ActorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ActorKind::State => "state",
            ActorKind::Group => "group",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Actor {
    pub name: String,
    pub kind: ActorKind,
    /// a0, initial alignment in [-1, 1].
    pub alignment: f64,
    /// s, anchoring to a0, in [0, 1].
    pub stubbornness: f64,
    /// p0, initial power in [0, 1].
    pub power: f64,
    /// ω, own weight in the influence row (the model default unless overridden).
    pub self_weight: f64,
}

/// One `[[event]]` entry, resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Stable identity: names the event in outputs and keys its random sub-stream, so that
    /// adding or removing another event does not change this event's draws.
    pub id: String,
    pub label: String,
    /// The kind name as written (`visit`, a declared kind, or `custom`).
    pub kind: String,
    pub effect: EventEffect,
    /// Who acts (A). Required for every kind but `custom`.
    pub actor: Option<usize>,
    /// Who it is done to (B). Required for every kind but `custom`.
    pub target: Option<usize>,
    pub intensity: f64,
    pub timing: Timing,
    /// Chance that each due occurrence happens.
    pub probability: f64,
    /// Chance that the target attributes the act to the actor (1 for overt acts).
    pub attribution: f64,
}

/// What an event does when it fires.
#[derive(Debug, Clone, PartialEq)]
pub enum EventEffect {
    /// A kind's primitive effects scaled by its coefficients (MODEL.md, Events).
    Kind(KindCoefficients),
    /// Primitive deltas, each multiplied by the magnitude m and applied in order.
    Custom(Vec<Effect>),
}

/// A primitive delta of a `custom` event.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Effect {
    /// Trust of `from` in `to`.
    Trust {
        from: usize,
        to: usize,
        delta: f64,
    },
    /// Threat shock S that `from` feels from `to`.
    Threat {
        from: usize,
        to: usize,
        delta: f64,
    },
    Power {
        actor: usize,
        delta: f64,
    },
    Alignment {
        actor: usize,
        delta: f64,
    },
}

/// When an event is due.
#[derive(Debug, Clone, PartialEq)]
pub enum Timing {
    /// Due at the steps marked true (`step`, `steps`, or `every` with `from`/`until`);
    /// the vector has one entry per step `0..steps`.
    Scheduled(Vec<bool>),
    /// Due at each step in `from..=until` independently with probability `rate`.
    Hazard {
        rate: f64,
        from: usize,
        until: usize,
    },
    /// Due at each step in `from..=until` whose starting state meets `condition`;
    /// with `once`, never again after it has fired; else not checked again for `cooldown`
    /// steps after it fires.
    Trigger {
        condition: Condition,
        once: bool,
        cooldown: usize,
        from: usize,
        until: usize,
    },
}

/// A comparison of one state quantity with a threshold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Condition {
    pub metric: Metric,
    pub actor: usize,
    /// The second actor of a pairwise metric (trust, threat); `None` for the others.
    pub other: Option<usize>,
    pub op: Op,
    pub value: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// a of `actor`.
    Alignment,
    /// T of `actor` in `other`.
    Trust,
    /// θ that `actor` perceives from `other`.
    Threat,
    /// p of `actor`.
    Power,
}

impl Metric {
    pub const NAMES: [&'static str; 4] = ["alignment", "trust", "threat", "power"];

    pub fn is_pairwise(self) -> bool {
        matches!(self, Metric::Trust | Metric::Threat)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Gt,
    Ge,
    Lt,
    Le,
}

impl Op {
    pub const NAMES: [&'static str; 4] = [">", ">=", "<", "<="];

    pub fn holds(self, x: f64, value: f64) -> bool {
        match self {
            Op::Gt => x > value,
            Op::Ge => x >= value,
            Op::Lt => x < value,
            Op::Le => x <= value,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Lt => "<",
            Op::Le => "<=",
        }
    }
}

/// One `[[outcome]]`: a condition and the steps over which it is judged.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub name: String,
    pub condition: Condition,
    pub when: When,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// At the last step.
    End,
    /// At some step in `0..=steps`.
    Ever,
    /// At every step in `0..=steps`.
    Always,
    /// At some step in `from..=to`.
    Window { from: usize, to: usize },
}

/// One `[[observed]]` entry (or a row of an `--observed` file): what the record says a
/// state quantity was at a step, to calibrate the uncertain inputs against.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    pub step: usize,
    pub metric: Metric,
    pub actor: usize,
    /// The second actor of a pairwise metric (trust, threat).
    pub other: Option<usize>,
    pub evidence: Evidence,
    /// A name for outputs; otherwise one is derived from metric, actors and step.
    pub label: Option<String>,
}

/// What an observation says.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Evidence {
    /// A value measured with an error of standard deviation `sd` (> 0).
    Value { value: f64, sd: f64 },
    /// Only the sign: `positive` for `"+"`, which a value above 0 matches, and a value
    /// below 0 matches `"-"`; exactly 0 matches neither.
    Sign { positive: bool },
}

/// The observation error assumed when an observed value gives no `sd`.
pub const DEFAULT_OBSERVATION_SD: f64 = 0.1;

impl Metric {
    pub fn as_str(self) -> &'static str {
        match self {
            Metric::Alignment => "alignment",
            Metric::Trust => "trust",
            Metric::Threat => "threat",
            Metric::Power => "power",
        }
    }
}

impl Observation {
    /// The condition whose metric reads this observation's quantity from a state.
    pub fn condition(&self) -> Condition {
        Condition {
            metric: self.metric,
            actor: self.actor,
            other: self.other,
            op: Op::Gt,
            value: 0.0,
        }
    }

    /// Its name in outputs: the label, or `metric actor[->other]@step`.
    pub fn name(&self, sc: &Scenario) -> String {
        if let Some(label) = &self.label {
            return label.clone();
        }
        let actor = sc.actors.get(self.actor).map_or("?", |a| a.name.as_str());
        match self.other.and_then(|o| sc.actors.get(o)) {
            Some(other) => format!(
                "{} {actor}->{}@{}",
                self.metric.as_str(),
                other.name,
                self.step
            ),
            None => format!("{} {actor}@{}", self.metric.as_str(), self.step),
        }
    }
}
