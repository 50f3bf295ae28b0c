//! Uncertain inputs: numbers of a scenario given as distributions (MODEL.md, "Uncertain
//! inputs").
//!
//! The checked [`Scenario`](super::Scenario) keeps every such number at its nominal value,
//! so a scenario with inputs runs like any other when nothing is drawn. Each input also says
//! where it stands ([`InputTarget`]) so that a run can replace that number with a drawn value
//! without copying the scenario: the engine's per-run parameters are patched in place.

/// A distribution an analyst gives instead of a number.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Distribution {
    /// `{ low = L, high = H }`.
    Uniform { low: f64, high: f64 },
    /// `{ low = L, high = H, mode = M }`.
    Triangular { low: f64, high: f64, mode: f64 },
}

impl Distribution {
    pub fn low(&self) -> f64 {
        match *self {
            Distribution::Uniform { low, .. } | Distribution::Triangular { low, .. } => low,
        }
    }

    pub fn high(&self) -> f64 {
        match *self {
            Distribution::Uniform { high, .. } | Distribution::Triangular { high, .. } => high,
        }
    }

    /// The value a study uses when inputs are not drawn: the mode, or the midpoint of a
    /// uniform.
    pub fn nominal(&self) -> f64 {
        match *self {
            Distribution::Uniform { low, high } => 0.5 * (low + high),
            Distribution::Triangular { mode, .. } => mode,
        }
    }

    /// The value at cumulative probability `u` in [0, 1] (inverse CDF): how one uniform
    /// becomes one draw, and how sensitivity maps the unit cube onto the inputs.
    pub fn quantile(&self, u: f64) -> f64 {
        let u = u.clamp(0.0, 1.0);
        match *self {
            Distribution::Uniform { low, high } => low + u * (high - low),
            Distribution::Triangular { low, high, mode } => {
                let width = high - low;
                let left = (mode - low) / width;
                if u < left {
                    low + (u * width * (mode - low)).sqrt()
                } else {
                    high - ((1.0 - u) * width * (high - mode)).sqrt()
                }
            }
        }
    }

    /// The cumulative probability of `x`: the inverse of [`Distribution::quantile`].
    pub fn cdf(&self, x: f64) -> f64 {
        match *self {
            Distribution::Uniform { low, high } => ((x - low) / (high - low)).clamp(0.0, 1.0),
            Distribution::Triangular { low, high, mode } => {
                if x <= low {
                    0.0
                } else if x >= high {
                    1.0
                } else if x <= mode {
                    (x - low).powi(2) / ((high - low) * (mode - low))
                } else {
                    1.0 - (high - x).powi(2) / ((high - low) * (high - mode))
                }
            }
        }
    }

    /// Written as in the scenario: `uniform(L, H)` or `triangular(L, M, H)`.
    pub fn describe(&self) -> String {
        match *self {
            Distribution::Uniform { low, high } => format!("uniform({low}, {high})"),
            Distribution::Triangular { low, high, mode } => {
                format!("triangular({low}, {mode}, {high})")
            }
        }
    }
}

/// A field of `[model]` that an input may stand for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ModelField {
    TrustMemory,
    Balance,
    ThreatDecay,
    Balancing,
    Audience,
    SelfWeight,
    Reach,
    TrustNoise,
    AlignmentNoise,
    EventNoise,
}

impl ModelField {
    /// Every field, with its name in `[model]`.
    pub const ALL: [(ModelField, &'static str); 10] = [
        (ModelField::TrustMemory, "trust_memory"),
        (ModelField::Balance, "balance"),
        (ModelField::ThreatDecay, "threat_decay"),
        (ModelField::Balancing, "balancing"),
        (ModelField::Audience, "audience"),
        (ModelField::SelfWeight, "self_weight"),
        (ModelField::Reach, "reach"),
        (ModelField::TrustNoise, "trust_noise"),
        (ModelField::AlignmentNoise, "alignment_noise"),
        (ModelField::EventNoise, "event_noise"),
    ];

    pub fn name(self) -> &'static str {
        ModelField::ALL
            .iter()
            .find(|(f, _)| *f == self)
            .map_or("", |(_, name)| name)
    }
}

/// A per-actor number an input may stand for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActorField {
    Alignment,
    Stubbornness,
    Power,
    SelfWeight,
}

impl ActorField {
    pub fn name(self) -> &'static str {
        match self {
            ActorField::Alignment => "alignment",
            ActorField::Stubbornness => "stubbornness",
            ActorField::Power => "power",
            ActorField::SelfWeight => "self_weight",
        }
    }
}

/// A coefficient of an event kind (MODEL.md's table, or a declared kind).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KindField {
    Valence,
    CIn,
    COut,
    CThreat,
    CPowerTarget,
    CPowerActor,
    CPull,
    CAudience,
    CThird,
    Attribution,
}

impl KindField {
    pub fn name(self) -> &'static str {
        match self {
            KindField::Valence => "valence",
            KindField::CIn => "c_in",
            KindField::COut => "c_out",
            KindField::CThreat => "c_threat",
            KindField::CPowerTarget => "c_power_target",
            KindField::CPowerActor => "c_power_actor",
            KindField::CPull => "c_pull",
            KindField::CAudience => "c_audience",
            KindField::CThird => "c_third",
            KindField::Attribution => "attribution",
        }
    }
}

/// Where in the checked scenario an input's value goes. Indices are those of the
/// [`Scenario`](super::Scenario): actors, events and outcomes in file order.
#[derive(Debug, Clone, PartialEq)]
pub enum InputTarget {
    /// A `[model]` parameter. `self_weight` and `reach` are defaults: the value also goes to
    /// the actors (`actors`) and the ordered pairs `(from, to)` (`pairs`) that do not set
    /// their own; both lists are empty for the other fields.
    Model {
        field: ModelField,
        actors: Vec<usize>,
        pairs: Vec<(usize, usize)>,
    },
    Actor {
        actor: usize,
        field: ActorField,
    },
    /// Baseline trust `T0[from][to]` of each listed `(from, to)`: one cell for `trust_ab`
    /// or `trust_ba`, both directions for `trust` (except a direction that sets its own).
    Trust {
        cells: Vec<(usize, usize)>,
    },
    /// Reach `R[from][to]` (how far `to`'s power bears on `from`) of each listed pair.
    Reach {
        cells: Vec<(usize, usize)>,
    },
    /// A coefficient of a kind: the value goes to every listed event of that kind (for
    /// `attribution`, only those that do not give their own).
    Kind {
        kind: String,
        field: KindField,
        events: Vec<usize>,
    },
    EventIntensity(usize),
    EventProbability(usize),
    EventAttribution(usize),
    /// The rate of a `hazard` event.
    EventHazard(usize),
    /// The threshold of a trigger's condition.
    EventTrigger(usize),
    /// The `delta` of the k-th entry of a `custom` event's effects.
    EventDelta {
        event: usize,
        effect: usize,
    },
    /// The `value` of an outcome.
    OutcomeValue(usize),
}

/// One uncertain input of a scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct UncertainInput {
    /// Its name in every output: given, or derived from where it stands (MODEL.md).
    pub name: String,
    pub distribution: Distribution,
    pub target: InputTarget,
}

impl super::Scenario {
    /// Puts `value` wherever `target` says, as if the scenario had given that number. A run
    /// with inputs works on its own copy of the scenario, patched by this before it starts;
    /// every run of a plan sets the same targets, so nothing needs resetting between runs.
    pub fn set_input(&mut self, target: &InputTarget, value: f64) {
        use super::{EventEffect, Timing};
        let n = self.n();
        match target {
            InputTarget::Model {
                field,
                actors,
                pairs,
            } => {
                let m = &mut self.model;
                let slot = match field {
                    ModelField::TrustMemory => &mut m.trust_memory,
                    ModelField::Balance => &mut m.balance,
                    ModelField::ThreatDecay => &mut m.threat_decay,
                    ModelField::Balancing => &mut m.balancing,
                    ModelField::Audience => &mut m.audience,
                    ModelField::SelfWeight => &mut m.self_weight,
                    ModelField::Reach => &mut m.reach,
                    ModelField::TrustNoise => &mut m.trust_noise,
                    ModelField::AlignmentNoise => &mut m.alignment_noise,
                    ModelField::EventNoise => &mut m.event_noise,
                };
                *slot = value;
                for &i in actors {
                    if let Some(a) = self.actors.get_mut(i) {
                        a.self_weight = value;
                    }
                }
                for &(i, j) in pairs {
                    if let Some(r) = self.reach.get_mut(i * n + j) {
                        *r = value;
                    }
                }
            }
            InputTarget::Actor { actor, field } => {
                if let Some(a) = self.actors.get_mut(*actor) {
                    match field {
                        ActorField::Alignment => a.alignment = value,
                        ActorField::Stubbornness => a.stubbornness = value,
                        ActorField::Power => a.power = value,
                        ActorField::SelfWeight => a.self_weight = value,
                    }
                }
            }
            InputTarget::Trust { cells } => {
                for &(i, j) in cells {
                    if let Some(t) = self.trust0.get_mut(i * n + j) {
                        *t = value;
                    }
                }
            }
            InputTarget::Reach { cells } => {
                for &(i, j) in cells {
                    if let Some(r) = self.reach.get_mut(i * n + j) {
                        *r = value;
                    }
                }
            }
            InputTarget::Kind { field, events, .. } => {
                for &e in events {
                    let Some(ev) = self.events.get_mut(e) else {
                        continue;
                    };
                    if *field == KindField::Attribution {
                        ev.attribution = value;
                    }
                    if let EventEffect::Kind(k) = &mut ev.effect {
                        let slot = match field {
                            KindField::Valence => &mut k.valence,
                            KindField::CIn => &mut k.c_in,
                            KindField::COut => &mut k.c_out,
                            KindField::CThreat => &mut k.c_threat,
                            KindField::CPowerTarget => &mut k.c_power_target,
                            KindField::CPowerActor => &mut k.c_power_actor,
                            KindField::CPull => &mut k.c_pull,
                            KindField::CAudience => &mut k.c_audience,
                            KindField::CThird => &mut k.c_third,
                            KindField::Attribution => &mut k.attribution,
                        };
                        *slot = value;
                    }
                }
            }
            InputTarget::EventIntensity(e) => {
                if let Some(ev) = self.events.get_mut(*e) {
                    ev.intensity = value;
                }
            }
            InputTarget::EventProbability(e) => {
                if let Some(ev) = self.events.get_mut(*e) {
                    ev.probability = value;
                }
            }
            InputTarget::EventAttribution(e) => {
                if let Some(ev) = self.events.get_mut(*e) {
                    ev.attribution = value;
                }
            }
            InputTarget::EventHazard(e) => {
                if let Some(Timing::Hazard { rate, .. }) =
                    self.events.get_mut(*e).map(|ev| &mut ev.timing)
                {
                    *rate = value;
                }
            }
            InputTarget::EventTrigger(e) => {
                if let Some(Timing::Trigger { condition, .. }) =
                    self.events.get_mut(*e).map(|ev| &mut ev.timing)
                {
                    condition.value = value;
                }
            }
            InputTarget::EventDelta { event, effect } => {
                if let Some(EventEffect::Custom(effects)) =
                    self.events.get_mut(*event).map(|ev| &mut ev.effect)
                    && let Some(d) = effects.get_mut(*effect)
                {
                    match d {
                        super::Effect::Trust { delta, .. }
                        | super::Effect::Threat { delta, .. }
                        | super::Effect::Power { delta, .. }
                        | super::Effect::Alignment { delta, .. } => *delta = value,
                    }
                }
            }
            InputTarget::OutcomeValue(o) => {
                if let Some(out) = self.outcomes.get_mut(*o) {
                    out.condition.value = value;
                }
            }
        }
    }

    /// Sets every input of the scenario to the values given, in the order of `inputs`.
    pub fn set_inputs(&mut self, values: &[f64]) {
        let targets: Vec<InputTarget> = self.inputs.iter().map(|i| i.target.clone()).collect();
        for (target, &v) in targets.iter().zip(values) {
            self.set_input(target, v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantile_inverts_the_cdf() {
        let dists = [
            Distribution::Uniform {
                low: -0.5,
                high: 0.8,
            },
            Distribution::Triangular {
                low: 0.1,
                high: 0.9,
                mode: 0.3,
            },
            Distribution::Triangular {
                low: 0.0,
                high: 1.0,
                mode: 0.0,
            },
            Distribution::Triangular {
                low: 0.0,
                high: 1.0,
                mode: 1.0,
            },
        ];
        for d in dists {
            for k in 0..=100 {
                let u = k as f64 / 100.0;
                let x = d.quantile(u);
                assert!(x >= d.low() && x <= d.high(), "{d:?} u={u} x={x}");
                assert!((d.cdf(x) - u).abs() < 1e-12, "{d:?} u={u}");
            }
        }
    }

    #[test]
    fn nominal_is_mode_or_midpoint() {
        let u = Distribution::Uniform {
            low: 0.2,
            high: 0.6,
        };
        assert!((u.nominal() - 0.4).abs() < 1e-15);
        let t = Distribution::Triangular {
            low: 0.2,
            high: 0.6,
            mode: 0.5,
        };
        assert_eq!(t.nominal(), 0.5);
        // The triangular median sits on the side of the mode.
        assert!(t.quantile(0.5) > 0.4);
    }
}
