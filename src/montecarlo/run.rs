//! One Monte Carlo run: events, then dynamics, step by step, reported to an observer.

use super::streams::{RunStreams, StreamKeys};
use crate::model::effects::Entries;
use crate::model::{Anchors, Dynamics, State, apply_custom, apply_kind, solve_anchors};
use crate::scenario::{EventEffect, Scenario, Timing};

/// Sees a run as it happens. The batch aggregates through it; a replay writes every row.
pub trait Observer {
    /// The state at step `t` (t = 0 is the initial state; t = steps the last).
    fn record(&mut self, t: usize, st: &State);
    /// Event `event` fired during the move from `t` to `t + 1` with magnitude `m`.
    fn fired(&mut self, _t: usize, _event: usize, _magnitude: f64, _attributed: bool) {}
}

/// The stream keys of a scenario under a master seed.
pub fn stream_keys(sc: &Scenario, master_seed: u64) -> StreamKeys {
    let ids: Vec<&str> = sc.events.iter().map(|e| e.id.as_str()).collect();
    let inputs: Vec<&str> = sc.inputs.iter().map(|i| i.name.as_str()).collect();
    StreamKeys::new(master_seed, &ids).with_inputs(&inputs)
}

/// Simulates runs of one scenario, reusing its buffers from run to run.
#[derive(Debug, Clone)]
pub struct Runner<'a> {
    sc: &'a Scenario,
    keys: &'a StreamKeys,
    state: State,
    /// The anchors of this runner's scenario (runs with other input values bring their own).
    anchors: Anchors,
    dynamics: Dynamics,
    streams: RunStreams,
    clock: EventClock,
}

impl<'a> Runner<'a> {
    pub fn new(sc: &'a Scenario, keys: &'a StreamKeys) -> Runner<'a> {
        Runner {
            sc,
            keys,
            state: State::initial(sc),
            anchors: solve_anchors(sc),
            dynamics: Dynamics::new(sc.n()),
            streams: keys.for_run(0),
            clock: EventClock::new(sc),
        }
    }

    /// Runs run `run` from t = 0 to t = steps, calling `obs` at every step.
    pub fn run(&mut self, run: u64, obs: &mut impl Observer) {
        // Taken out for the run (an empty Vec costs nothing) and put back after it.
        let anchors = std::mem::take(&mut self.anchors);
        self.run_on(self.sc, &anchors, run, obs);
        self.anchors = anchors;
    }

    /// Runs run `run` of `sc`, which is this runner's scenario or a copy of it with other
    /// input values (same actors, events and timings; numbers may differ), whose anchors are
    /// `anchors`. The run's random numbers are those of run `run`, whatever the numbers of
    /// `sc`.
    pub fn run_on(&mut self, sc: &Scenario, anchors: &Anchors, run: u64, obs: &mut impl Observer) {
        self.state.reset(sc);
        self.streams.position(self.keys, run);
        self.clock.reset();
        obs.record(0, &self.state);
        for t in 0..sc.steps {
            self.clock.decide(sc, t, &self.state, &mut self.streams);
            self.clock.apply(sc, t, &mut self.state, obs);
            let (trust, alignment) = self.streams.noise();
            self.dynamics
                .advance(sc, anchors, &mut self.state, trust, alignment);
            obs.record(t + 1, &self.state);
        }
    }
}

/// Where an event's random numbers come from: its own stream, consumed in the order of its
/// own steps (see [`EventClock::decide`]).
pub(crate) trait EventDraws {
    /// Whether hazard `e`, at rate `rate`, strikes at this step: its first draw of the step,
    /// a uniform number below the rate.
    fn strikes(&mut self, e: usize, rate: f64) -> bool;
    /// A uniform number in [0, 1) from event `e`'s stream.
    fn uniform(&mut self, e: usize) -> f64;
    /// A standard normal from event `e`'s stream.
    fn normal(&mut self, e: usize) -> f64;
}

impl EventDraws for RunStreams {
    #[inline]
    fn strikes(&mut self, e: usize, rate: f64) -> bool {
        self.event_uniform(e) < rate
    }
    #[inline]
    fn uniform(&mut self, e: usize) -> f64 {
        self.event_uniform(e)
    }
    #[inline]
    fn normal(&mut self, e: usize) -> f64 {
        self.event_normal(e)
    }
}

/// The events of one run: which of them can act at each step, and what each has done so
/// far in the run.
#[derive(Debug, Clone)]
pub(crate) struct EventClock {
    /// The events that can act at step t, in event order: `candidates[starts[t]..starts[t + 1]]`.
    /// Scheduled events appear at their steps, hazards and triggers at every step of their
    /// window, so an event outside its time is not even looked at.
    candidates: Vec<usize>,
    starts: Vec<usize>,
    /// This step's firings among the candidates: `(event, magnitude, attributed)`.
    pending: Vec<(usize, f64, bool)>,
    /// Per event: whether it has fired in this run (for `once` triggers).
    spent: Vec<bool>,
    /// Per event: the step at which it last fired in this run (for trigger cooldowns).
    last_fired: Vec<Option<usize>>,
}

impl EventClock {
    pub(crate) fn new(sc: &Scenario) -> EventClock {
        let mut candidates = Vec::new();
        let mut starts = vec![0];
        for t in 0..sc.steps {
            candidates.extend(sc.events.iter().enumerate().filter_map(|(e, ev)| {
                let can_act = match &ev.timing {
                    Timing::Scheduled(mask) => mask.get(t).copied().unwrap_or(false),
                    Timing::Hazard { from, until, .. } | Timing::Trigger { from, until, .. } => {
                        *from <= t && t <= *until
                    }
                };
                can_act.then_some(e)
            }));
            starts.push(candidates.len());
        }
        EventClock {
            candidates,
            starts,
            pending: Vec::with_capacity(sc.events.len()),
            spent: vec![false; sc.events.len()],
            last_fired: vec![None; sc.events.len()],
        }
    }

    /// The events that can act at step `t`, in event order.
    pub(crate) fn candidates(&self, t: usize) -> &[usize] {
        &self.candidates[self.starts[t]..self.starts[t + 1]]
    }

    /// Forgets the last run.
    pub(crate) fn reset(&mut self) {
        self.pending.clear();
        self.spent.fill(false);
        self.last_fired.fill(None);
    }

    /// Whether any event fires at the step last decided.
    pub(crate) fn firing(&self) -> bool {
        !self.pending.is_empty()
    }

    /// Which events fire at step `t`, judged on `st`, the state as it stands at the start
    /// of the step, before any event of the step applies (MODEL.md, Events).
    ///
    /// Random numbers are drawn from the event's own stream only as far as they are needed,
    /// always in the same order: the hazard, then the probability, then the attribution,
    /// then the magnitude. Which of these an event uses is fixed by its scenario entry, so
    /// its stream is consumed identically in any scenario that leaves the event unchanged,
    /// up to the first step at which the event's own fate differs.
    pub(crate) fn decide(
        &mut self,
        sc: &Scenario,
        t: usize,
        st: &State,
        streams: &mut impl EventDraws,
    ) {
        let noise = sc.model.event_noise;
        self.pending.clear();
        for &e in &self.candidates[self.starts[t]..self.starts[t + 1]] {
            let ev = &sc.events[e];
            let due = match &ev.timing {
                Timing::Scheduled(_) => true,
                Timing::Hazard { rate, .. } => streams.strikes(e, *rate),
                Timing::Trigger {
                    condition,
                    once,
                    cooldown,
                    ..
                } => {
                    let resting = if *once {
                        self.spent[e]
                    } else {
                        self.last_fired[e].is_some_and(|f| t <= f + cooldown)
                    };
                    !resting && st.meets(condition)
                }
            };
            if !due || (ev.probability < 1.0 && streams.uniform(e) >= ev.probability) {
                continue;
            }
            let attributed = ev.attribution >= 1.0 || streams.uniform(e) < ev.attribution;
            let z = if noise > 0.0 { streams.normal(e) } else { 0.0 };
            let m = ev.intensity * (1.0 + noise * z).max(0.0);
            self.pending.push((e, m, attributed));
        }
    }

    /// Applies the step's firings to `st` (a run's state, or its lane of runs side by side),
    /// in event order, telling `obs` of each.
    pub(crate) fn apply(
        &mut self,
        sc: &Scenario,
        t: usize,
        st: &mut impl Entries,
        obs: &mut impl Observer,
    ) {
        let audience = sc.model.audience;
        for &(e, m, attributed) in &self.pending {
            let ev = &sc.events[e];
            match &ev.effect {
                EventEffect::Kind(k) => {
                    if let (Some(a), Some(b)) = (ev.actor, ev.target) {
                        apply_kind(st, k, a, b, m, attributed, audience);
                    }
                }
                EventEffect::Custom(effects) => {
                    apply_custom(st, effects, m, attributed);
                }
            }
            self.spent[e] = true;
            self.last_fired[e] = Some(t);
            obs.fired(t, e, m, attributed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::parse_scenario;

    struct Firings(Vec<usize>);

    impl Observer for Firings {
        fn record(&mut self, _t: usize, _st: &State) {}
        fn fired(&mut self, t: usize, _event: usize, _m: f64, _attributed: bool) {
            self.0.push(t);
        }
    }

    fn trigger_scenario(once: bool, cooldown: usize) -> Scenario {
        let text = format!(
            r#"
[scenario]
name = "cooldown"
steps = 12
[[actor]]
name = "A"
alignment = 0.2
stubbornness = 0.5
power = 0.5
[[actor]]
name = "B"
alignment = -0.2
stubbornness = 0.5
power = 0.5
[[event]]
kind = "warning"
actor = "A"
target = "B"
trigger = {{ metric = "power", actor = "A", op = ">=", value = 0.0 }}
once = {once}
"#
        );
        let mut sc = parse_scenario(&text, "cooldown.toml").expect("parses");
        if let Timing::Trigger { cooldown: c, .. } = &mut sc.events[0].timing {
            *c = cooldown;
        }
        sc
    }

    fn firings(sc: &Scenario) -> Vec<usize> {
        let keys = stream_keys(sc, 1);
        let mut runner = Runner::new(sc, &keys);
        let mut f = Firings(Vec::new());
        runner.run(0, &mut f);
        f.0
    }

    #[test]
    fn a_trigger_rests_for_its_cooldown_after_firing() {
        assert_eq!(firings(&trigger_scenario(true, 0)), vec![0]);
        assert_eq!(
            firings(&trigger_scenario(false, 0)),
            (0..12).collect::<Vec<_>>()
        );
        assert_eq!(firings(&trigger_scenario(false, 3)), vec![0, 4, 8]);
        assert_eq!(firings(&trigger_scenario(false, 20)), vec![0]);
    }
}
