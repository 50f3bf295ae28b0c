//! Runs of a small scenario eight at a time, side by side in vector registers
//! ([`crate::model::lanes`]), each giving what it gives alone.
//!
//! The runs of a group take their steps together, but everything that differs from run to
//! run stays per run: its random streams, which events fire and what they do (decided and
//! applied on the run's own state, as [`Runner`](super::Runner) does), and its noise. Only
//! the step itself, where all runs do the same operations on different numbers, goes
//! across the lanes. A tally expects one run after another, so each run's states and
//! firings are kept until the group ends and then told to the observer in order, as if the
//! run had been alone.

use rand_distr::{Distribution, StandardNormal};

use super::run::{EventClock, EventDraws, Observer};
use super::streams::{RunStreams, StreamKeys};
use crate::model::lanes::{LANES, LANES_BELOW, LaneDynamics, LaneParams, LaneState};
use crate::model::{Anchors, Reads, State, effects};
use crate::random::{Xoshiro, Xoshiro8, threshold, unit};
use crate::scenario::{Scenario, Timing};

/// The most memory the states of one group may take. Each run's state at every step is
/// kept until the group ends; past this, runs go one at a time instead.
const HISTORY_BYTES: usize = 16 << 20;

/// The bytes of every lane's state at every step of `sc`, if they can be counted.
fn history(sc: &Scenario) -> Option<usize> {
    let n = sc.n();
    let state = (3 * n * n + 2 * n) * size_of::<f64>();
    (sc.steps + 1).checked_mul(LANES)?.checked_mul(state)
}

/// The entries the triggers of `sc` read.
fn trigger_reads(sc: &Scenario) -> Reads {
    let conditions = sc.events.iter().filter_map(|ev| match &ev.timing {
        Timing::Trigger { condition, .. } => Some(condition),
        _ => None,
    });
    Reads::nothing().conditions(sc.n(), conditions)
}

/// The draws of the events of lane `lane`: hazards as decided for all lanes at once, the
/// rest from the lane's own streams, one at a time.
struct LaneDraws<'a> {
    events: &'a mut [Xoshiro8],
    struck: &'a [u8],
    lane: usize,
}

impl EventDraws for LaneDraws<'_> {
    #[inline]
    fn strikes(&mut self, e: usize, _rate: f64) -> bool {
        self.struck[e] >> self.lane & 1 == 1
    }

    fn uniform(&mut self, e: usize) -> f64 {
        let mut g = self.events[e].get(self.lane);
        let x = unit(&mut g);
        self.events[e].set(self.lane, &g);
        x
    }

    fn normal(&mut self, e: usize) -> f64 {
        let mut g = self.events[e].get(self.lane);
        let x = StandardNormal.sample(&mut g);
        self.events[e].set(self.lane, &g);
        x
    }
}

/// One firing, kept for the replay.
#[derive(Debug, Clone, Copy)]
struct Firing {
    t: usize,
    event: usize,
    magnitude: f64,
    attributed: bool,
}

/// Keeps the firings of one run.
#[derive(Debug, Clone, Default)]
struct FiringLog(Vec<Firing>);

impl Observer for FiringLog {
    fn record(&mut self, _t: usize, _st: &State) {}

    fn fired(&mut self, t: usize, event: usize, magnitude: f64, attributed: bool) {
        self.0.push(Firing {
            t,
            event,
            magnitude,
            attributed,
        });
    }
}

/// What one lane keeps of its run besides its state.
#[derive(Debug, Clone)]
struct Lane {
    streams: RunStreams,
    clock: EventClock,
    fired: FiringLog,
}

/// Simulates runs of one scenario eight at a time, reusing its buffers from group to group.
#[derive(Debug, Clone)]
pub struct LaneRunner<'a> {
    keys: &'a StreamKeys,
    steps: usize,
    lanes: Vec<Lane>,
    state: LaneState,
    dynamics: LaneDynamics,
    /// The state of lane l at step t, at `l * (steps + 1) + t`: before the step's events.
    history: Vec<State>,
    /// Lanes that hold a run in the current group.
    live: usize,
    /// The scenario numbers of each lane's run.
    params: LaneParams,
    /// The entries the scenario's triggers read: the same in every copy of it a lane runs,
    /// since inputs change numbers, not which actors a condition names.
    triggers: Reads,
    /// What the observer of the last group said it reads.
    asked: Reads,
    /// What the states between the first and the last hold (the rest is NaN): `asked` and
    /// `triggers`.
    kept: Reads,
    /// The trust-noise and alignment-noise generators of the group's runs, lane by lane.
    trust_rngs: Vec<Xoshiro>,
    alignment_rngs: Vec<Xoshiro>,
    /// Per event, its stream in each lane: all of an event's draws in the group come from
    /// here, so that a hazard's draw of a step is one step of eight generators.
    event_rngs: Vec<Xoshiro8>,
    /// Per event, the [`threshold`] of its hazard rate in each lane's scenario (0 for
    /// events that are not hazards, and for lanes without a run).
    thresholds: Vec<[u64; LANES]>,
    /// Per event, the lanes in which it struck at the step being decided, bit by bit.
    struck: Vec<u8>,
}

impl<'a> LaneRunner<'a> {
    /// Whether runs of `sc` go side by side: a small scenario whose states over all steps
    /// fit in [`HISTORY_BYTES`].
    pub fn fits(sc: &Scenario) -> bool {
        let n = sc.n();
        n > 0 && n < LANES_BELOW && history(sc).is_some_and(|b| b <= HISTORY_BYTES)
    }

    /// The bytes of the states a runner of `sc` keeps, 0 when runs of `sc` go one at a time.
    pub fn history_bytes(sc: &Scenario) -> u64 {
        match history(sc) {
            Some(bytes) if LaneRunner::fits(sc) => bytes as u64,
            _ => 0,
        }
    }

    pub fn new(sc: &Scenario, keys: &'a StreamKeys) -> LaneRunner<'a> {
        let n = sc.n();
        let initial = State::initial(sc);
        let lane = Lane {
            streams: keys.for_run(0),
            clock: EventClock::new(sc),
            fired: FiringLog::default(),
        };
        let blank = keys.for_run(0).noise().0.clone();
        LaneRunner {
            trust_rngs: vec![blank.clone(); LANES],
            alignment_rngs: vec![blank; LANES],
            keys,
            steps: sc.steps,
            lanes: vec![lane; LANES],
            state: LaneState::new(n),
            dynamics: LaneDynamics::new(n),
            history: vec![initial; LANES * (sc.steps + 1)],
            live: 0,
            triggers: trigger_reads(sc),
            asked: Reads::everything(),
            kept: Reads::everything(),
            event_rngs: vec![Xoshiro8::default(); sc.events.len()],
            thresholds: vec![[0; LANES]; sc.events.len()],
            struck: vec![0; sc.events.len()],
            params: LaneParams::new(n),
        }
    }

    /// The build of the step; tests set every one the CPU has.
    #[cfg(test)]
    fn set_build(&mut self, build: crate::model::balance::Build) {
        self.dynamics.set_build(build);
    }

    /// Runs a group of at most [`LANES`] runs side by side: for each, its scenario (this
    /// runner's, or a copy with other input values: same actors, events and steps), that
    /// scenario's anchors, and its stream run. [`LaneRunner::replay`] then tells each run
    /// to an observer, which reads no more than `reads` of the states between the first and
    /// the last: only that much of them is kept.
    pub fn run_on(&mut self, group: &[(&Scenario, &Anchors, u64)], reads: &Reads) {
        assert!(
            !group.is_empty() && group.len() <= LANES,
            "a group of 1 to {LANES} runs"
        );
        let span = self.steps + 1;
        let live = group.len();
        self.live = live;
        // Triggers decide on the states kept.
        if *reads != self.asked {
            let kept = reads.clone().union(&self.triggers);
            if kept != self.kept {
                for states in self.history.chunks_exact_mut(span) {
                    for st in &mut states[1..self.steps.max(1)] {
                        kept.poison(st);
                    }
                }
                self.kept = kept;
            }
            self.asked = reads.clone();
        }
        for (l, (lane, &(sc, anchors, run))) in self.lanes.iter_mut().zip(group).enumerate() {
            assert!(sc.steps == self.steps, "a scenario of another length");
            lane.streams.position(self.keys, run);
            let (trust, alignment) = lane.streams.noise();
            self.trust_rngs[l] = trust.clone();
            self.alignment_rngs[l] = alignment.clone();
            for (e, ev) in sc.events.iter().enumerate() {
                self.event_rngs[e].set(l, lane.streams.event_rng(e));
                self.thresholds[e][l] = match ev.timing {
                    Timing::Hazard { rate, .. } => threshold(rate),
                    _ => 0,
                };
            }
            lane.clock.reset();
            lane.fired.0.clear();
            self.history[l * span].reset(sc);
            self.state.load(l, &self.history[l * span]);
            self.params.set(l, sc, anchors);
        }
        // Lanes without a run step a copy of the first run, without noise, so that they
        // hold ordinary numbers; nothing reads them.
        let (sc, anchors, _) = group[0];
        for l in live..LANES {
            for t in &mut self.thresholds {
                t[l] = 0;
            }
            self.state.load(l, &self.history[0]);
            self.params.set(l, sc, anchors);
            self.dynamics.quiet(l);
        }
        let build = self.dynamics.build();
        for t in 0..self.steps {
            // Each hazard's draw of the step, in every lane at once.
            for &e in self.lanes[0].clock.candidates(t) {
                if matches!(sc.events[e].timing, Timing::Hazard { .. }) {
                    self.struck[e] = self.event_rngs[e].below(build, &self.thresholds[e]);
                }
            }
            for (l, (lane, &(sc, _, _))) in self.lanes.iter_mut().zip(group).enumerate() {
                let now = &self.history[l * span + t];
                let mut draws = LaneDraws {
                    events: &mut self.event_rngs,
                    struck: &self.struck,
                    lane: l,
                };
                lane.clock.decide(sc, t, now, &mut draws);
                if lane.clock.firing() {
                    let mut view = effects::Lane(&mut self.state, l);
                    lane.clock.apply(sc, t, &mut view, &mut lane.fired);
                }
            }
            self.dynamics.draw(
                &self.params,
                &mut self.trust_rngs[..live],
                &mut self.alignment_rngs[..live],
            );
            self.dynamics.advance(&self.params, &mut self.state);
            let next = self
                .history
                .chunks_exact_mut(span)
                .take(live)
                .map(|states| &mut states[t + 1]);
            if t + 1 == self.steps {
                self.state.store(build, next);
            } else {
                self.state.store_reads(build, next, &self.kept);
            }
        }
    }

    /// Tells `obs` the run of lane `l` of the last group, step by step and firing by firing
    /// in the order [`Runner::run_on`](super::Runner::run_on) would have.
    pub fn replay(&self, l: usize, obs: &mut impl Observer) {
        assert!(l < self.live, "lane {l} holds no run");
        let span = self.steps + 1;
        let states = &self.history[l * span..(l + 1) * span];
        let mut fired = self.lanes[l].fired.0.iter().peekable();
        for (t, st) in states.iter().enumerate() {
            obs.record(t, st);
            while let Some(f) = fired.next_if(|f| f.t == t) {
                obs.fired(f.t, f.event, f.magnitude, f.attributed);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::balance::Build;
    use crate::montecarlo::{Runner, stream_keys};
    use crate::scenario::{ScenarioSource, parse_scenario};

    /// Everything an observer is told, with every number as its bits.
    #[derive(Debug, Default, PartialEq)]
    struct Transcript(Vec<(usize, Vec<u64>)>);

    impl Observer for Transcript {
        fn record(&mut self, t: usize, st: &State) {
            let bits = st
                .alignment
                .iter()
                .chain(&st.trust)
                .chain(&st.shock)
                .chain(&st.power)
                .chain(&st.threat)
                .map(|x| x.to_bits())
                .collect();
            self.0.push((t, bits));
        }

        fn fired(&mut self, t: usize, event: usize, m: f64, attributed: bool) {
            self.0
                .push((t, vec![event as u64, m.to_bits(), u64::from(attributed)]));
        }
    }

    fn scenario(path: Option<&str>) -> Scenario {
        let source = ScenarioSource::from_option(path.map(std::path::Path::new));
        match source.and_then(|s| s.parse()) {
            Ok(sc) => sc,
            Err(e) => panic!("{path:?}: {e}"),
        }
    }

    /// `text` with every line that sets `key` (in `[model]`, an actor or a relation)
    /// removed and `key = value` set in `[model]`.
    fn with_model(text: &str, key: &str, value: &str) -> Scenario {
        let text: String = text
            .lines()
            .filter(|l| !l.starts_with(&format!("{key} ")))
            .map(|l| {
                if l == "[model]" {
                    format!("{l}\n{key} = {value}\n")
                } else {
                    format!("{l}\n")
                }
            })
            .collect();
        match parse_scenario(&text, "variant.toml") {
            Ok(sc) => sc,
            Err(e) => panic!("{key} = {value}: {e}"),
        }
    }

    /// Every run of `sc` in groups of eight (and a last, partial group), with every build,
    /// against the same run alone.
    fn agrees_with_runs_alone(sc: &Scenario, runs: u64) {
        assert!(LaneRunner::fits(sc));
        let keys = stream_keys(sc, 11);
        let anchors = crate::model::solve_anchors(sc);
        let mut alone = Runner::new(sc, &keys);
        let expected: Vec<Transcript> = (0..runs)
            .map(|run| {
                let mut t = Transcript::default();
                alone.run(run, &mut t);
                t
            })
            .collect();
        let builds = [Build::Portable, Build::Avx2, Build::Avx512];
        for build in builds.into_iter().filter(|b| b.available()) {
            let mut lanes = LaneRunner::new(sc, &keys);
            lanes.set_build(build);
            let all: Vec<u64> = (0..runs).collect();
            for group in all.chunks(LANES) {
                let group: Vec<(&Scenario, &Anchors, u64)> =
                    group.iter().map(|&run| (sc, &anchors, run)).collect();
                lanes.run_on(&group, &Reads::everything());
                let group: Vec<u64> = group.iter().map(|g| g.2).collect();
                for (l, &run) in group.iter().enumerate() {
                    let mut got = Transcript::default();
                    lanes.replay(l, &mut got);
                    assert!(
                        got == expected[run as usize],
                        "{}: run {run} differs side by side ({build:?})",
                        sc.name
                    );
                }
            }
        }
    }

    #[test]
    fn runs_side_by_side_equal_runs_alone_to_the_bit() {
        for path in [
            None,
            Some("scenarios/sino_soviet_split.toml"),
            Some("tests/scenarios/wide.toml"),
        ] {
            agrees_with_runs_alone(&scenario(path), 21);
        }
    }

    /// Without trust noise exact zeros stay in T, so groups of rows skip terms, and lanes
    /// differ in which (events move some runs' trust off 0): the masked sums must match.
    /// Without balance there is no term at all; without alignment noise nothing is drawn.
    #[test]
    fn skipped_terms_and_missing_noise_match_runs_alone() {
        let wide = match std::fs::read_to_string("tests/scenarios/wide.toml") {
            Ok(text) => text,
            Err(e) => panic!("tests/scenarios/wide.toml: {e}"),
        };
        let default = ScenarioSource::embedded_default().text;
        for text in [&wide, &default] {
            for (key, value) in [
                ("trust_noise", "0.0"),
                ("balance", "0.0"),
                ("alignment_noise", "0.0"),
            ] {
                agrees_with_runs_alone(&with_model(text, key, value), 19);
            }
        }
    }

    /// In a study with uncertain inputs each run has numbers of its own. Lanes of one group
    /// here run scenarios that differ in every number the step reads, noise and balance
    /// switched off in some lanes and not in others, and each run must still equal the same
    /// run alone.
    #[test]
    fn runs_with_numbers_of_their_own_equal_runs_alone() {
        let default = ScenarioSource::embedded_default().text;
        let variants: Vec<Scenario> = [
            ("trust_noise", "0.0"),
            ("balance", "0.0"),
            ("alignment_noise", "0.0"),
            ("trust_memory", "0.3"),
            ("threat_decay", "0.5"),
            ("balancing", "0.9"),
            ("self_weight", "2.5"),
            ("reach", "0.2"),
            ("anchors", "\"initial\""),
        ]
        .iter()
        .map(|(key, value)| with_model(&default, key, value))
        .collect();
        let anchors: Vec<Anchors> = variants.iter().map(crate::model::solve_anchors).collect();
        let keys = stream_keys(&variants[0], 5);
        let mut alone = Runner::new(&variants[0], &keys);
        let builds = [Build::Portable, Build::Avx2, Build::Avx512];
        for build in builds.into_iter().filter(|b| b.available()) {
            let mut lanes = LaneRunner::new(&variants[0], &keys);
            lanes.set_build(build);
            for first in [0u64, 8, 16] {
                let group: Vec<(&Scenario, &Anchors, u64)> = (first..first + 8)
                    .map(|run| {
                        let v = (run as usize * 5 + 3) % variants.len();
                        (&variants[v], &anchors[v], run)
                    })
                    .collect();
                lanes.run_on(&group, &Reads::everything());
                for (l, &(sc, anchors, run)) in group.iter().enumerate() {
                    let mut expected = Transcript::default();
                    alone.run_on(sc, anchors, run, &mut expected);
                    let mut got = Transcript::default();
                    lanes.replay(l, &mut got);
                    assert!(
                        got == expected,
                        "run {run} differs side by side ({build:?})"
                    );
                }
            }
        }
    }

    /// Every state and firing an observer is told.
    #[derive(Debug, Default)]
    struct States(Vec<State>, Vec<(usize, usize, u64, bool)>);

    impl Observer for States {
        fn record(&mut self, _t: usize, st: &State) {
            self.0.push(st.clone());
        }
        fn fired(&mut self, t: usize, event: usize, m: f64, attributed: bool) {
            self.1.push((t, event, m.to_bits(), attributed));
        }
    }

    /// An observer that reads only alignment and one entry of trust between the first and
    /// the last state gets exactly those, plus the entry the default scenario's trigger
    /// reads, with the bits of the run alone; every other entry in between is NaN, so that
    /// reading it could not pass unseen. The firings and the first and last states are
    /// those of the run alone, and asking for everything again gives everything again.
    #[test]
    fn states_between_hold_what_is_read_and_nan_elsewhere() {
        use crate::model::Part;
        let sc = scenario(None);
        let n = sc.n();
        let keys = stream_keys(&sc, 3);
        let anchors = crate::model::solve_anchors(&sc);
        let mut alone = Runner::new(&sc, &keys);
        let mut lanes = LaneRunner::new(&sc, &keys);
        let trigger = trigger_reads(&sc);
        let threat_entries: Vec<usize> = trigger.entries(Part::Threat).collect();
        assert!(
            !threat_entries.is_empty(),
            "the default scenario has a threat trigger"
        );
        let trust_entry = 2 * n + 3;
        let reads = Reads::nothing().whole(Part::Alignment).conditions(
            n,
            [&crate::scenario::Condition {
                metric: crate::scenario::Metric::Trust,
                actor: 2,
                other: Some(3),
                op: crate::scenario::Op::Gt,
                value: 0.0,
            }],
        );
        for (round, reads) in [reads, Reads::everything()].iter().enumerate() {
            let group: Vec<(&Scenario, &Anchors, u64)> =
                (0..LANES as u64).map(|run| (&sc, &anchors, run)).collect();
            lanes.run_on(&group, reads);
            for (l, &(_, _, run)) in group.iter().enumerate() {
                let mut expected = States::default();
                alone.run(run, &mut expected);
                let mut got = States::default();
                lanes.replay(l, &mut got);
                assert_eq!(got.1, expected.1, "run {run}: firings");
                for (t, (g, e)) in got.0.iter().zip(&expected.0).enumerate() {
                    let whole = t == 0 || t == sc.steps || reads.is_everything();
                    for part in Part::ALL {
                        for (at, (&x, &y)) in g.part(part).iter().zip(e.part(part)).enumerate() {
                            let kept = whole
                                || part == Part::Alignment
                                || (part == Part::Trust && at == trust_entry)
                                || (part == Part::Threat && threat_entries.contains(&at));
                            if kept {
                                assert_eq!(
                                    x.to_bits(),
                                    y.to_bits(),
                                    "round {round}, run {run}, t {t}, {part:?}[{at}]"
                                );
                            } else {
                                assert!(
                                    x.is_nan(),
                                    "round {round}, run {run}, t {t}, {part:?}[{at}] = {x}"
                                );
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn only_small_scenarios_with_room_for_their_history_go_side_by_side() {
        let sc = scenario(None);
        assert!(LaneRunner::fits(&sc));
        let mut long = sc.clone();
        long.steps = 100_000;
        assert!(!LaneRunner::fits(&long));
    }
}
