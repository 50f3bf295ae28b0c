//! Stage two of loading: the raw file becomes a checked [`Scenario`], or a list of
//! diagnostics.
//!
//! The checks run over the whole file and collect every problem they find, so a user fixes a
//! file in one round instead of one error per run. A check that fails yields `None` for its
//! part and leaves a diagnostic behind; the scenario is assembled only when no diagnostic
//! was left. Parts that depend on a failed part (events on an unknown horizon, say) are
//! skipped rather than reported twice.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::Path;

use sha2::{Digest, Sha256};
use toml::Spanned;

use super::diagnostic::line_column;
use super::kinds::{BUILTIN_KINDS, CUSTOM_KIND, KindCoefficients, builtin};
use super::raw::{
    self, Integer, Number, RawActor, RawCondition, RawEffect, RawEvent, RawFile, RawKind, RawModel,
    RawOutcome, RawRelation, RawScenario, Text,
};
use super::{
    Actor, ActorKind, Axis, Condition, Diagnostic, Effect, Event, EventEffect, Metric, ModelParams,
    Op, Outcome, Scenario, ScenarioError, Timing, When,
};

/// The largest `steps` accepted. Every scheduled event holds one flag per step and every run
/// records the state at every step, so an absurd horizon would exhaust memory instead of
/// failing with a message.
pub const MAX_STEPS: usize = 1_000_000;

const DEFAULT_RUNS: u64 = 1000;
const DEFAULT_SEED: u64 = 1;

/// Reads and checks the scenario file at `path`; messages name the path as given.
pub fn load_scenario(path: &Path) -> Result<Scenario, ScenarioError> {
    super::ScenarioSource::from_path(path)?.parse()
}

/// Checks scenario `text`; `origin` is the file name shown in messages.
pub fn parse_scenario(text: &str, origin: &str) -> Result<Scenario, ScenarioError> {
    let raw = raw::parse(text)
        .map_err(|err| ScenarioError::Invalid(vec![toml_diagnostic(text, origin, &err)]))?;
    let mut checker = Checker {
        text,
        origin,
        diagnostics: Vec::new(),
    };
    let scenario = checker.file(&raw);
    // Checks run table by table; the reader goes top to bottom.
    checker.diagnostics.sort_by_key(|d| d.span.start);
    match scenario {
        Some(scenario) if checker.diagnostics.is_empty() => Ok(scenario),
        _ => {
            if checker.diagnostics.is_empty() {
                // Every failing check leaves a diagnostic; this keeps a missed one from
                // turning into an error with nothing to show.
                checker.push(0..0, "the scenario could not be checked", "", None);
            }
            Err(ScenarioError::Invalid(checker.diagnostics))
        }
    }
}

/// Turns toml's syntax, type or unknown-key error into a diagnostic, keeping toml's own
/// message and adding a hint where one helps.
fn toml_diagnostic(text: &str, origin: &str, err: &toml::de::Error) -> Diagnostic {
    let message = err.message().trim_end();
    let span = err.span().unwrap_or(0..0);
    let mut diagnostic = Diagnostic::new(text, origin, span, message);
    let help = if message.starts_with("unknown field") {
        // serde's message is "unknown field `x`, expected one of `a`, `b`, ...": the
        // backticked words are the unknown key followed by the known ones.
        let words: Vec<&str> = message.split('`').skip(1).step_by(2).collect();
        match words.split_first() {
            Some((unknown, known)) => {
                suggest(unknown, known.iter().copied()).map(|s| format!("did you mean `{s}`?"))
            }
            None => None,
        }
    } else if message.contains("expected i64") {
        Some("this key takes a whole number, written without quotes or a decimal point".into())
    } else if message.contains("expected f64") {
        Some("this key takes a number, written without quotes".into())
    } else {
        None
    };
    if let Some(help) = help {
        diagnostic = diagnostic.with_help(text, help);
    }
    diagnostic
}

/// The allowed values of a number, and how a message says them.
#[derive(Clone, Copy)]
enum Bound {
    /// Any finite number.
    Finite,
    /// At least this.
    AtLeast(f64),
    /// Within this closed interval.
    Within(f64, f64),
}

impl Bound {
    const UNIT: Bound = Bound::Within(0.0, 1.0);
    const SIGNED_UNIT: Bound = Bound::Within(-1.0, 1.0);
    const NON_NEGATIVE: Bound = Bound::AtLeast(0.0);

    fn admits(self, x: f64) -> bool {
        match self {
            Bound::Finite => true,
            Bound::AtLeast(lo) => x >= lo,
            Bound::Within(lo, hi) => (lo..=hi).contains(&x),
        }
    }

    fn describe(self) -> String {
        match self {
            Bound::Finite => "a finite number".into(),
            Bound::AtLeast(lo) => format!("≥ {lo}"),
            Bound::Within(lo, hi) => format!("in [{lo}, {hi}]"),
        }
    }
}

/// What every part of the file may refer to, gathered before the parts that refer to it.
struct Names {
    actors: Vec<String>,
    index: HashMap<String, usize>,
    kinds: BTreeMap<String, KindCoefficients>,
    /// `None` when `steps` itself is missing or invalid: checks against the horizon are then
    /// skipped, since they would only repeat that error.
    steps: Option<usize>,
}

/// Which of the five timing keys an event uses.
#[derive(Clone, Copy, PartialEq, Eq)]
enum TimingKey {
    Step,
    Steps,
    Every,
    Hazard,
    Trigger,
}

impl TimingKey {
    fn name(self) -> &'static str {
        match self {
            TimingKey::Step => "step",
            TimingKey::Steps => "steps",
            TimingKey::Every => "every",
            TimingKey::Hazard => "hazard",
            TimingKey::Trigger => "trigger",
        }
    }
}

struct Checker<'a> {
    text: &'a str,
    origin: &'a str,
    diagnostics: Vec<Diagnostic>,
}

impl Checker<'_> {
    /// Records an error; an empty label means none.
    fn push(
        &mut self,
        span: Range<usize>,
        message: impl Into<String>,
        label: &str,
        help: Option<String>,
    ) {
        let mut diagnostic = Diagnostic::new(self.text, self.origin, span, message);
        if !label.is_empty() {
            diagnostic = diagnostic.with_label(self.text, label);
        }
        if let Some(help) = help {
            diagnostic = diagnostic.with_help(self.text, help);
        }
        self.diagnostics.push(diagnostic);
    }

    /// Records a duplicate: the error sits on the second occurrence, which also names the
    /// line of the first, and the first is shown as well.
    fn push_duplicate(
        &mut self,
        what: &str,
        name: &str,
        second: Range<usize>,
        first: Range<usize>,
    ) {
        let line = self.line(first.start);
        let diagnostic = Diagnostic::new(
            self.text,
            self.origin,
            second,
            format!("duplicate {what} {name:?} (first on line {line})"),
        )
        .with_label(self.text, "used again here")
        .with_related(self.text, first, "first used here");
        self.diagnostics.push(diagnostic);
    }

    fn line(&self, offset: usize) -> usize {
        line_column(self.text, offset).0
    }

    /// The value as the user wrote it, for "found ..." in messages.
    fn written(&self, span: Range<usize>) -> &str {
        self.text.get(span).unwrap_or("").trim()
    }

    /// Where a problem with the file as a whole is shown: the first line that is neither
    /// blank nor a comment.
    fn top(&self) -> Range<usize> {
        let mut offset = 0;
        for line in self.text.split_inclusive('\n') {
            let trimmed = line.trim_start();
            if !trimmed.is_empty() && !trimmed.starts_with('#') {
                let start = offset + (line.len() - trimmed.len());
                return start..start;
            }
            offset += line.len();
        }
        0..0
    }

    fn number(&mut self, key: &str, value: &Number, bound: Bound) -> Option<f64> {
        let x = *value.get_ref();
        let span = value.span();
        if !x.is_finite() {
            let found = self.written(span.clone()).to_string();
            self.push(
                span,
                format!("expected a finite number for `{key}`, found {found}"),
                "not a finite number",
                Some(format!("`{key}` must be {}", bound.describe())),
            );
            return None;
        }
        if !bound.admits(x) {
            let found = self.written(span.clone()).to_string();
            self.push(
                span,
                format!("{key} must be {}, found {found}", bound.describe()),
                "out of range",
                None,
            );
            return None;
        }
        Some(x)
    }

    /// An optional number: `Some(default)` when absent, `None` when present and invalid.
    fn number_or(
        &mut self,
        key: &str,
        value: Option<&Number>,
        bound: Bound,
        default: f64,
    ) -> Option<f64> {
        match value {
            Some(value) => self.number(key, value, bound),
            None => Some(default),
        }
    }

    /// A number the file must give; `whole` is the span of the table it belongs in.
    fn required_number(
        &mut self,
        key: &str,
        value: Option<&Number>,
        bound: Bound,
        whole: Range<usize>,
        table: &str,
    ) -> Option<f64> {
        match value {
            Some(value) => self.number(key, value, bound),
            None => {
                self.push(
                    whole,
                    format!("missing `{key}` in {table}"),
                    &format!("add `{key}` to this table"),
                    Some(format!("`{key}` must be {}", bound.describe())),
                );
                None
            }
        }
    }

    /// A non-negative integer within `min..=max`.
    fn integer(&mut self, key: &str, value: &Integer, min: i64, max: i64) -> Option<usize> {
        let x = *value.get_ref();
        let span = value.span();
        if x < min {
            self.push(
                span,
                format!("{key} must be ≥ {min}, found {x}"),
                "too small",
                None,
            );
            return None;
        }
        if x > max {
            self.push(
                span,
                format!("{key} must be at most {max}, found {x}"),
                "too large",
                None,
            );
            return None;
        }
        match usize::try_from(x) {
            Ok(x) => Some(x),
            Err(_) => {
                self.push(
                    span,
                    format!("{key} does not fit this platform, found {x}"),
                    "too large",
                    None,
                );
                None
            }
        }
    }

    /// A step at which an event may fall: `0..steps`.
    fn event_step(&mut self, key: &str, value: &Integer, steps: usize) -> Option<usize> {
        let t = self.integer(key, value, 0, i64::MAX)?;
        if t >= steps {
            let what = if key == "step" || key == "steps" {
                format!("event at step {t}")
            } else {
                format!("`{key} = {t}`")
            };
            self.push(
                value.span(),
                format!(
                    "{what} is past the horizon: steps = {steps}, so events may fall on steps 0..={}",
                    steps - 1
                ),
                "past the horizon",
                Some("an event of step t acts on the move from t to t + 1, so t must be below `steps`".into()),
            );
            return None;
        }
        Some(t)
    }

    fn actor_ref(&mut self, names: &Names, name: &Text) -> Option<usize> {
        if let Some(&i) = names.index.get(name.get_ref().as_str()) {
            return Some(i);
        }
        if names.actors.is_empty() {
            // The missing [[actor]] tables are reported once; a message per reference
            // would bury it.
            return None;
        }
        let help = match suggest(name.get_ref(), names.actors.iter().map(String::as_str)) {
            Some(s) => format!("did you mean {s:?}?"),
            None => format!("the actors are {}", quoted_list(&names.actors)),
        };
        self.push(
            name.span(),
            format!("unknown actor {:?}", name.get_ref()),
            "no [[actor]] has this name",
            Some(help),
        );
        None
    }

    /// Two different actors, as in `between`, an effect's `trust` or `threat`.
    fn actor_pair(
        &mut self,
        names: &Names,
        key: &str,
        pair: &Spanned<Vec<Text>>,
    ) -> Option<(usize, usize)> {
        let [a, b] = pair.get_ref().as_slice() else {
            self.push(
                pair.span(),
                format!(
                    "`{key}` needs exactly two actors, found {}",
                    pair.get_ref().len()
                ),
                "expected [\"A\", \"B\"]",
                None,
            );
            return None;
        };
        let ia = self.actor_ref(names, a);
        let ib = self.actor_ref(names, b);
        if a.get_ref() == b.get_ref() {
            self.push(
                b.span(),
                format!(
                    "`{key}` needs two different actors, found {:?} twice",
                    a.get_ref()
                ),
                "same actor again",
                None,
            );
            return None;
        }
        Some((ia?, ib?))
    }

    /// A name chosen from a fixed list, with a suggestion when it is close to one.
    fn choice<T: Copy>(
        &mut self,
        what: &str,
        value: &Text,
        options: &[(&str, T)],
        expected: &str,
    ) -> Option<T> {
        let word = value.get_ref().as_str();
        if let Some((_, t)) = options.iter().find(|(name, _)| *name == word) {
            return Some(*t);
        }
        let help = suggest(word, options.iter().map(|(name, _)| *name))
            .map(|s| format!("did you mean {s:?}?"));
        self.push(
            value.span(),
            format!("unknown {what} {word:?}, expected {expected}"),
            &format!("not a known {what}"),
            help,
        );
        None
    }

    fn file(&mut self, raw: &RawFile) -> Option<Scenario> {
        let header = self.scenario_table(raw);
        let model = self.model(raw.model.as_ref());
        let defaults = model.clone().unwrap_or_default();
        let actors = self.actors(raw, &header, &defaults);
        let steps = header.as_ref().and_then(|h| h.steps);
        let kinds = self.kinds(&raw.kinds);
        let names = Names {
            index: actors
                .iter()
                .enumerate()
                .map(|(i, a)| (a.name.clone(), i))
                .collect(),
            actors: actors.iter().map(|a| a.name.clone()).collect(),
            kinds,
            steps,
        };
        let matrices = self.relations(&raw.relation, &names, &defaults);
        let events = self.events(&raw.event, &names);
        let outcomes = self.outcomes(&raw.outcome, &names);

        let header = header?;
        let axis = raw.axis.as_ref();
        let (trust0, reach) = matrices?;
        Some(Scenario {
            name: header.name?,
            description: header.description,
            steps: header.steps?,
            step_unit: header.step_unit,
            start: header.start?,
            runs: header.runs?,
            seed: header.seed?,
            axis: Axis {
                negative: axis
                    .and_then(|a| a.negative.clone())
                    .unwrap_or_else(|| "negative pole".into()),
                positive: axis
                    .and_then(|a| a.positive.clone())
                    .unwrap_or_else(|| "positive pole".into()),
            },
            model: model?,
            actors,
            trust0,
            reach,
            events: events?,
            outcomes: outcomes?,
            sha256: sha256_hex(self.text),
        })
    }

    fn scenario_table(&mut self, raw: &RawFile) -> Option<Header> {
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

    fn model(&mut self, raw: Option<&RawModel>) -> Option<ModelParams> {
        let d = ModelParams::default();
        let Some(m) = raw else {
            return Some(d);
        };
        use Bound as B;
        let trust_memory = self.number_or(
            "trust_memory",
            m.trust_memory.as_ref(),
            B::UNIT,
            d.trust_memory,
        );
        let balance = self.number_or("balance", m.balance.as_ref(), B::NON_NEGATIVE, d.balance);
        let threat_decay = self.number_or(
            "threat_decay",
            m.threat_decay.as_ref(),
            B::UNIT,
            d.threat_decay,
        );
        let balancing = self.number_or(
            "balancing",
            m.balancing.as_ref(),
            B::NON_NEGATIVE,
            d.balancing,
        );
        let audience = self.number_or("audience", m.audience.as_ref(), B::NON_NEGATIVE, d.audience);
        let self_weight = self.number_or(
            "self_weight",
            m.self_weight.as_ref(),
            B::NON_NEGATIVE,
            d.self_weight,
        );
        let reach = self.number_or("reach", m.reach.as_ref(), B::UNIT, d.reach);
        let trust_noise = self.number_or(
            "trust_noise",
            m.trust_noise.as_ref(),
            B::NON_NEGATIVE,
            d.trust_noise,
        );
        let alignment_noise = self.number_or(
            "alignment_noise",
            m.alignment_noise.as_ref(),
            B::NON_NEGATIVE,
            d.alignment_noise,
        );
        let event_noise = self.number_or(
            "event_noise",
            m.event_noise.as_ref(),
            B::NON_NEGATIVE,
            d.event_noise,
        );
        Some(ModelParams {
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

    /// The actors that are valid; an invalid one is left out (its error is recorded), which
    /// keeps references to the valid ones resolvable.
    fn actors(
        &mut self,
        raw: &RawFile,
        header: &Option<Header>,
        model: &ModelParams,
    ) -> Vec<Actor> {
        if raw.actor.is_empty() {
            let span = header
                .as_ref()
                .map_or_else(|| self.top(), |h| h.span.clone());
            self.push(
                span,
                "a scenario needs at least one [[actor]]",
                "no [[actor]] table in this file",
                Some("add an actor: [[actor]] with name, alignment, stubbornness and power".into()),
            );
            return Vec::new();
        }
        let mut seen: HashMap<String, Range<usize>> = HashMap::new();
        let mut actors = Vec::new();
        for table in &raw.actor {
            if let Some(actor) = self.actor(table, model, &mut seen) {
                actors.push(actor);
            }
        }
        actors
    }

    fn actor(
        &mut self,
        table: &Spanned<RawActor>,
        model: &ModelParams,
        seen: &mut HashMap<String, Range<usize>>,
    ) -> Option<Actor> {
        let whole = table.span();
        let a = table.get_ref();
        let name = match &a.name {
            None => {
                self.push(
                    whole.clone(),
                    "missing `name` in [[actor]]",
                    "add `name = \"...\"` here",
                    None,
                );
                None
            }
            Some(name) if name.get_ref().trim().is_empty() => {
                self.push(
                    name.span(),
                    "an actor's name must not be empty",
                    "empty name",
                    None,
                );
                None
            }
            Some(name) => match seen.get(name.get_ref()) {
                Some(first) => {
                    let first = first.clone();
                    self.push_duplicate("actor", name.get_ref(), name.span(), first);
                    None
                }
                None => {
                    seen.insert(name.get_ref().clone(), name.span());
                    Some(name.get_ref().clone())
                }
            },
        };
        let table_name = match &a.name {
            Some(name) => format!("[[actor]] {:?}", name.get_ref()),
            None => "[[actor]]".to_string(),
        };
        let kind = match &a.kind {
            None => Some(ActorKind::State),
            Some(kind) => self.choice(
                "actor kind",
                kind,
                &[("state", ActorKind::State), ("group", ActorKind::Group)],
                "\"state\" or \"group\"",
            ),
        };
        let alignment = self.required_number(
            "alignment",
            a.alignment.as_ref(),
            Bound::SIGNED_UNIT,
            whole.clone(),
            &table_name,
        );
        let stubbornness = self.required_number(
            "stubbornness",
            a.stubbornness.as_ref(),
            Bound::UNIT,
            whole.clone(),
            &table_name,
        );
        let power = self.required_number(
            "power",
            a.power.as_ref(),
            Bound::UNIT,
            whole.clone(),
            &table_name,
        );
        let self_weight = self.number_or(
            "self_weight",
            a.self_weight.as_ref(),
            Bound::NON_NEGATIVE,
            model.self_weight,
        );
        Some(Actor {
            name: name?,
            kind: kind?,
            alignment: alignment?,
            stubbornness: stubbornness?,
            power: power?,
            self_weight: self_weight?,
        })
    }

    /// Baseline trust and reach, row-major.
    fn relations(
        &mut self,
        raw: &[Spanned<RawRelation>],
        names: &Names,
        model: &ModelParams,
    ) -> Option<(Vec<f64>, Vec<f64>)> {
        let n = names.actors.len();
        let mut trust0 = vec![0.0; n * n];
        let mut reach = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..n {
                if i != j {
                    reach[i * n + j] = model.reach;
                }
            }
        }
        let mut ok = true;
        let mut seen: HashMap<(usize, usize), Range<usize>> = HashMap::new();
        for table in raw {
            let whole = table.span();
            let r = table.get_ref();
            let pair = match &r.between {
                Some(between) => {
                    let pair = self.actor_pair(names, "between", between);
                    if let Some((a, b)) = pair {
                        let key = (a.min(b), a.max(b));
                        if let Some(first) = seen.get(&key) {
                            let first = first.clone();
                            let name = format!("{} and {}", names.actors[a], names.actors[b]);
                            let line = self.line(first.start);
                            let diagnostic = Diagnostic::new(
                                self.text,
                                self.origin,
                                between.span(),
                                format!("duplicate relation between {name} (first on line {line})"),
                            )
                            .with_label(self.text, "this pair again")
                            .with_related(self.text, first, "first given here")
                            .with_help(self.text, "a pair may appear only once, in either order; use trust_ab/trust_ba for the two directions");
                            self.diagnostics.push(diagnostic);
                            ok = false;
                            continue;
                        }
                        seen.insert(key, between.span());
                    }
                    pair
                }
                None => {
                    self.push(
                        whole.clone(),
                        "missing `between` in [[relation]]",
                        "add `between = [\"A\", \"B\"]` here",
                        None,
                    );
                    None
                }
            };
            let keys = [
                &r.trust,
                &r.trust_ab,
                &r.trust_ba,
                &r.reach,
                &r.reach_ab,
                &r.reach_ba,
            ];
            if keys.iter().all(|k| k.is_none()) {
                self.push(
                    whole,
                    "a [[relation]] needs at least one of trust, trust_ab, trust_ba, reach, reach_ab, reach_ba",
                    "nothing set for this pair",
                    None,
                );
                ok = false;
                continue;
            }
            let trust = self.optional(&r.trust, "trust", Bound::SIGNED_UNIT);
            let trust_ab = self.optional(&r.trust_ab, "trust_ab", Bound::SIGNED_UNIT);
            let trust_ba = self.optional(&r.trust_ba, "trust_ba", Bound::SIGNED_UNIT);
            let both = self.optional(&r.reach, "reach", Bound::UNIT);
            let reach_ab = self.optional(&r.reach_ab, "reach_ab", Bound::UNIT);
            let reach_ba = self.optional(&r.reach_ba, "reach_ba", Bound::UNIT);
            let (
                Some((a, b)),
                Some(trust),
                Some(trust_ab),
                Some(trust_ba),
                Some(both),
                Some(reach_ab),
                Some(reach_ba),
            ) = (pair, trust, trust_ab, trust_ba, both, reach_ab, reach_ba)
            else {
                ok = false;
                continue;
            };
            if let Some(t) = trust_ab.or(trust) {
                trust0[a * n + b] = t;
            }
            if let Some(t) = trust_ba.or(trust) {
                trust0[b * n + a] = t;
            }
            if let Some(x) = reach_ab.or(both) {
                reach[a * n + b] = x;
            }
            if let Some(x) = reach_ba.or(both) {
                reach[b * n + a] = x;
            }
        }
        ok.then_some((trust0, reach))
    }

    /// An optional number: `Some(None)` when absent, `None` when present and invalid.
    fn optional(&mut self, value: &Option<Number>, key: &str, bound: Bound) -> Option<Option<f64>> {
        match value {
            Some(value) => self.number(key, value, bound).map(Some),
            None => Some(None),
        }
    }

    /// The built-in kinds with the file's overrides applied, plus the kinds it declares. A
    /// kind whose coefficients are invalid is still listed (with its errors recorded) so
    /// that events using it are not also reported as using an unknown kind.
    fn kinds(
        &mut self,
        raw: &BTreeMap<Text, Spanned<RawKind>>,
    ) -> BTreeMap<String, KindCoefficients> {
        let mut kinds: BTreeMap<String, KindCoefficients> = BUILTIN_KINDS
            .iter()
            .map(|k| (k.name.to_string(), k.coefficients))
            .collect();
        for (name, table) in raw {
            let k = table.get_ref();
            if name.get_ref() == CUSTOM_KIND {
                self.push(
                    name.span(),
                    "the kind `custom` cannot be declared",
                    "reserved kind name",
                    Some("a custom event lists its own `effects`; declare a new kind under another name".into()),
                );
                continue;
            }
            let base = match builtin(name.get_ref()) {
                Some(b) => b.coefficients,
                None => {
                    if k.valence.is_none() {
                        let help = match suggest(
                            name.get_ref(),
                            BUILTIN_KINDS.iter().map(|b| b.name),
                        ) {
                            Some(s) => {
                                format!("to override the built-in kind {s:?}, write [kinds.{s}]")
                            }
                            None => {
                                "a declared kind gives its Goldstein valence, e.g. `valence = -0.4`"
                                    .into()
                            }
                        };
                        self.push(
                            name.span(),
                            format!(
                                "the new kind {:?} needs a `valence` in [-1, 1]",
                                name.get_ref()
                            ),
                            "not a built-in kind, so this declares a new one",
                            Some(help),
                        );
                    }
                    KindCoefficients {
                        valence: 0.0,
                        c_in: 0.0,
                        c_out: 0.0,
                        c_threat: 0.0,
                        c_power_target: 0.0,
                        c_power_actor: 0.0,
                        c_pull: 0.0,
                        c_audience: 0.0,
                        c_third: 0.0,
                        attribution: 1.0,
                    }
                }
            };
            let mut c = base;
            let fields: [(&str, &Option<Number>, &mut f64, Bound); 10] = [
                ("valence", &k.valence, &mut c.valence, Bound::SIGNED_UNIT),
                ("c_in", &k.c_in, &mut c.c_in, Bound::Finite),
                ("c_out", &k.c_out, &mut c.c_out, Bound::Finite),
                ("c_threat", &k.c_threat, &mut c.c_threat, Bound::Finite),
                (
                    "c_power_target",
                    &k.c_power_target,
                    &mut c.c_power_target,
                    Bound::Finite,
                ),
                (
                    "c_power_actor",
                    &k.c_power_actor,
                    &mut c.c_power_actor,
                    Bound::Finite,
                ),
                ("c_pull", &k.c_pull, &mut c.c_pull, Bound::Finite),
                (
                    "c_audience",
                    &k.c_audience,
                    &mut c.c_audience,
                    Bound::Finite,
                ),
                ("c_third", &k.c_third, &mut c.c_third, Bound::Finite),
                (
                    "attribution",
                    &k.attribution,
                    &mut c.attribution,
                    Bound::UNIT,
                ),
            ];
            for (key, value, slot, bound) in fields {
                if let Some(value) = value
                    && let Some(x) = self.number(key, value, bound)
                {
                    *slot = x;
                }
            }
            kinds.insert(name.get_ref().clone(), c);
        }
        kinds
    }

    fn events(&mut self, raw: &[Spanned<RawEvent>], names: &Names) -> Option<Vec<Event>> {
        let ids = self.event_ids(raw);
        let mut events = Vec::with_capacity(raw.len());
        let mut ok = true;
        for (table, id) in raw.iter().zip(ids) {
            match (self.event(table, names), id) {
                (Some(mut event), Some(id)) => {
                    event.label = table
                        .get_ref()
                        .label
                        .as_ref()
                        .map_or_else(|| id.clone(), |l| l.get_ref().clone());
                    event.id = id;
                    events.push(event);
                }
                _ => ok = false,
            }
        }
        ok.then_some(events)
    }

    /// Explicit ids first, so a derived id never takes a name the file gives explicitly;
    /// then derived ids in file order, with `#2`, `#3`, ... on repeats.
    fn event_ids(&mut self, raw: &[Spanned<RawEvent>]) -> Vec<Option<String>> {
        let mut taken: HashMap<String, Range<usize>> = HashMap::new();
        let mut ids: Vec<Option<String>> = vec![None; raw.len()];
        for (slot, table) in ids.iter_mut().zip(raw) {
            let Some(id) = &table.get_ref().id else {
                continue;
            };
            if id.get_ref().trim().is_empty() {
                self.push(id.span(), "an event id must not be empty", "empty id", None);
                continue;
            }
            if let Some(first) = taken.get(id.get_ref()) {
                let first = first.clone();
                self.push_duplicate("event id", id.get_ref(), id.span(), first);
                continue;
            }
            taken.insert(id.get_ref().clone(), id.span());
            *slot = Some(id.get_ref().clone());
        }
        for (slot, table) in ids.iter_mut().zip(raw) {
            let e = table.get_ref();
            if e.id.is_some() {
                continue;
            }
            let base = match (&e.label, &e.kind, &e.actor, &e.target) {
                (Some(label), ..) => label.get_ref().clone(),
                (None, Some(kind), Some(actor), Some(target)) => {
                    format!(
                        "{}:{}->{}",
                        kind.get_ref(),
                        actor.get_ref(),
                        target.get_ref()
                    )
                }
                (None, Some(kind), ..) => kind.get_ref().clone(),
                (None, None, ..) => "event".to_string(),
            };
            let mut id = base.clone();
            let mut k = 2;
            while taken.contains_key(&id) {
                id = format!("{base}#{k}");
                k += 1;
            }
            taken.insert(id.clone(), table.span());
            *slot = Some(id);
        }
        ids
    }

    /// One event, with an empty id and label that [`Checker::events`] fills in.
    fn event(&mut self, table: &Spanned<RawEvent>, names: &Names) -> Option<Event> {
        let whole = table.span();
        let e = table.get_ref();

        let kind = match &e.kind {
            None => {
                self.push(
                    whole.clone(),
                    "missing `kind` in [[event]]",
                    "add `kind = \"...\"` here",
                    Some(format!("the kinds are {}", kind_list(names))),
                );
                None
            }
            Some(kind) if kind.get_ref() == CUSTOM_KIND => Some((kind, None)),
            Some(kind) => match names.kinds.get(kind.get_ref()) {
                Some(c) => Some((kind, Some(*c))),
                None => {
                    let candidates = names.kinds.keys().map(String::as_str).chain([CUSTOM_KIND]);
                    let help = match suggest(kind.get_ref(), candidates) {
                        Some(s) => format!("did you mean {s:?}?"),
                        None => format!(
                            "the kinds are {}; declare a new one in [kinds.NAME]",
                            kind_list(names)
                        ),
                    };
                    self.push(
                        kind.span(),
                        format!("unknown kind {:?}", kind.get_ref()),
                        "not a built-in or declared kind",
                        Some(help),
                    );
                    None
                }
            },
        };

        let actor = e.actor.as_ref().map(|a| self.actor_ref(names, a));
        let target = e.target.as_ref().map(|t| self.actor_ref(names, t));
        let mut ok = true;
        if let (Some(a), Some(t)) = (&e.actor, &e.target)
            && a.get_ref() == t.get_ref()
        {
            self.push(
                t.span(),
                format!(
                    "an event's target must differ from its actor, found {:?} for both",
                    a.get_ref()
                ),
                "same as `actor`",
                None,
            );
            ok = false;
        }

        let mut effect = None;
        if let Some((kind_name, coefficients)) = &kind {
            match coefficients {
                Some(c) => {
                    let kind_text = kind_name.get_ref();
                    for (key, value) in [("actor", &e.actor), ("target", &e.target)] {
                        if value.is_none() {
                            self.push(
                                whole.clone(),
                                format!("missing `{key}` in a {kind_text:?} event"),
                                &format!("add `{key} = \"...\"` here"),
                                Some(
                                    "every kind but \"custom\" needs an `actor` and a `target`"
                                        .into(),
                                ),
                            );
                        }
                    }
                    if let Some(effects) = &e.effects {
                        self.push(
                            effects.span(),
                            format!("`effects` only goes with kind = \"custom\", not {kind_text:?}"),
                            "not allowed here",
                            Some(format!(
                                "a {kind_text:?} event takes its effects from the kind's coefficients; change them in [kinds.{kind_text}]"
                            )),
                        );
                    } else {
                        effect = Some(EventEffect::Kind(*c));
                    }
                }
                None => {
                    effect = self
                        .custom_effects(e, kind_name, names)
                        .map(EventEffect::Custom)
                }
            }
        }

        let intensity = self.number_or("intensity", e.intensity.as_ref(), Bound::NON_NEGATIVE, 1.0);
        let probability = self.number_or("probability", e.probability.as_ref(), Bound::UNIT, 1.0);
        let default_attribution = kind.and_then(|(_, c)| c).map_or(1.0, |c| c.attribution);
        let attribution = self.number_or(
            "attribution",
            e.attribution.as_ref(),
            Bound::UNIT,
            default_attribution,
        );
        let timing = self.timing(e, whole, names);

        if !ok {
            return None;
        }
        Some(Event {
            id: String::new(),
            label: String::new(),
            kind: e.kind.as_ref()?.get_ref().clone(),
            effect: effect?,
            actor: resolved(actor)?,
            target: resolved(target)?,
            intensity: intensity?,
            timing: timing?,
            probability: probability?,
            attribution: attribution?,
        })
    }

    fn custom_effects(&mut self, e: &RawEvent, kind: &Text, names: &Names) -> Option<Vec<Effect>> {
        let Some(effects) = &e.effects else {
            self.push(
                kind.span(),
                "a custom event needs `effects`",
                "no `effects` in this event",
                Some(
                    "list them, e.g. `effects = [{ trust = [\"A\", \"B\"], delta = 0.2 }]`".into(),
                ),
            );
            return None;
        };
        if effects.get_ref().is_empty() {
            self.push(
                effects.span(),
                "a custom event needs at least one effect",
                "empty list",
                None,
            );
            return None;
        }
        let mut out = Vec::new();
        let mut ok = true;
        for effect in effects.get_ref() {
            match self.effect(effect, names) {
                Some(x) => out.push(x),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    fn effect(&mut self, raw: &Spanned<RawEffect>, names: &Names) -> Option<Effect> {
        let r: &RawEffect = raw.get_ref();
        let present: Vec<(&str, Range<usize>)> = [
            ("trust", r.trust.as_ref().map(|v| v.span())),
            ("threat", r.threat.as_ref().map(|v| v.span())),
            ("alignment", r.alignment.as_ref().map(|v| v.span())),
            ("power", r.power.as_ref().map(|v| v.span())),
        ]
        .into_iter()
        .filter_map(|(k, s)| s.map(|s| (k, s)))
        .collect();
        match present.as_slice() {
            [] => {
                self.push(
                    raw.span(),
                    "an effect needs one of trust, threat, alignment or power",
                    "says what `delta` changes",
                    None,
                );
                return None;
            }
            [_] => {}
            [(first, first_span), (second, second_span), ..] => {
                let diagnostic = Diagnostic::new(
                    self.text,
                    self.origin,
                    second_span.clone(),
                    format!(
                        "an effect changes exactly one quantity, found `{first}` and `{second}`"
                    ),
                )
                .with_label(self.text, "second quantity")
                .with_related(self.text, first_span.clone(), "first quantity")
                .with_help(self.text, "split it into two effects");
                self.diagnostics.push(diagnostic);
                return None;
            }
        }
        let delta = match &r.delta {
            Some(d) => self.number("delta", d, Bound::Finite),
            None => {
                self.push(
                    raw.span(),
                    "missing `delta` in an effect",
                    "add `delta = ...` here",
                    None,
                );
                None
            }
        };
        if let Some(pair) = &r.trust {
            let (from, to) = self.actor_pair(names, "trust", pair)?;
            return Some(Effect::Trust {
                from,
                to,
                delta: delta?,
            });
        }
        if let Some(pair) = &r.threat {
            let (from, to) = self.actor_pair(names, "threat", pair)?;
            return Some(Effect::Threat {
                from,
                to,
                delta: delta?,
            });
        }
        if let Some(actor) = &r.alignment {
            let actor = self.actor_ref(names, actor)?;
            return Some(Effect::Alignment {
                actor,
                delta: delta?,
            });
        }
        let actor = self.actor_ref(names, r.power.as_ref()?)?;
        Some(Effect::Power {
            actor,
            delta: delta?,
        })
    }

    fn timing(&mut self, e: &RawEvent, whole: Range<usize>, names: &Names) -> Option<Timing> {
        let present: Vec<(TimingKey, Range<usize>)> = [
            (TimingKey::Step, e.step.as_ref().map(|v| v.span())),
            (TimingKey::Steps, e.steps.as_ref().map(|v| v.span())),
            (TimingKey::Every, e.every.as_ref().map(|v| v.span())),
            (TimingKey::Hazard, e.hazard.as_ref().map(|v| v.span())),
            (TimingKey::Trigger, e.trigger.as_ref().map(|v| v.span())),
        ]
        .into_iter()
        .filter_map(|(k, s)| s.map(|s| (k, s)))
        .collect();
        let key = match present.as_slice() {
            [] => {
                self.push(
                    whole,
                    "an event needs a timing: one of step, steps, every, hazard or trigger",
                    "no timing in this event",
                    Some("e.g. `step = 3`, `steps = [3, 7]`, `every = 4`, `hazard = 0.05` or `trigger = { ... }`".into()),
                );
                return None;
            }
            [(key, _)] => *key,
            [(first, first_span), (second, second_span), ..] => {
                let diagnostic = Diagnostic::new(
                    self.text,
                    self.origin,
                    second_span.clone(),
                    format!(
                        "an event takes exactly one timing key, found `{}` and `{}`",
                        first.name(),
                        second.name()
                    ),
                )
                .with_label(self.text, "second timing key")
                .with_related(self.text, first_span.clone(), "first timing key")
                .with_help(self.text, "to repeat an event use `steps = [...]` or `every`; to combine timings write two events");
                self.diagnostics.push(diagnostic);
                return None;
            }
        };

        let windowed = matches!(
            key,
            TimingKey::Every | TimingKey::Hazard | TimingKey::Trigger
        );
        let mut ok = true;
        for (name, value) in [("from", &e.from), ("until", &e.until)] {
            if let Some(value) = value
                && !windowed
            {
                self.push(
                    value.span(),
                    format!(
                        "`{name}` goes with every, hazard or trigger, not with `{}`",
                        key.name()
                    ),
                    "not allowed with this timing",
                    None,
                );
                ok = false;
            }
        }
        if let Some(once) = &e.once
            && key != TimingKey::Trigger
        {
            self.push(
                once.span(),
                format!("`once` goes with trigger only, not with `{}`", key.name()),
                "not allowed with this timing",
                None,
            );
            ok = false;
        }

        // Without a valid horizon, nothing can be placed on it; `steps` has its own error.
        let steps = names.steps?;
        let (from, until) = if windowed {
            let from = match &e.from {
                Some(v) => self.event_step("from", v, steps),
                None => Some(0),
            };
            let until = match &e.until {
                Some(v) => self.event_step("until", v, steps),
                None => Some(steps - 1),
            };
            if let (Some(f), Some(u), Some(v)) = (from, until, &e.until)
                && f > u
            {
                self.push(
                    v.span(),
                    format!("`until` must not come before `from`, found from = {f}, until = {u}"),
                    "before `from`",
                    None,
                );
                ok = false;
            }
            (from, until)
        } else {
            (Some(0), Some(0))
        };
        let (from, until) = (from?, until?);

        let timing = match key {
            TimingKey::Step => {
                let t = self.event_step("step", e.step.as_ref()?, steps)?;
                let mut due = vec![false; steps];
                due[t] = true;
                Timing::Scheduled(due)
            }
            TimingKey::Steps => {
                let list = e.steps.as_ref()?;
                if list.get_ref().is_empty() {
                    self.push(list.span(), "`steps` lists no step", "empty list", None);
                    return None;
                }
                let mut due = vec![false; steps];
                let mut first_of: HashMap<usize, Range<usize>> = HashMap::new();
                for value in list.get_ref() {
                    let Some(t) = self.event_step("steps", value, steps) else {
                        ok = false;
                        continue;
                    };
                    if let Some(first) = first_of.get(&t) {
                        let diagnostic = Diagnostic::new(
                            self.text,
                            self.origin,
                            value.span(),
                            format!("step {t} is listed twice in `steps`"),
                        )
                        .with_label(self.text, "listed again here")
                        .with_related(self.text, first.clone(), "first listed here")
                        .with_help(
                            self.text,
                            "an event is due at most once per step; raise `intensity` for a stronger act",
                        );
                        self.diagnostics.push(diagnostic);
                        ok = false;
                        continue;
                    }
                    first_of.insert(t, value.span());
                    due[t] = true;
                }
                Timing::Scheduled(due)
            }
            TimingKey::Every => {
                let k = self.integer("every", e.every.as_ref()?, 1, i64::MAX)?;
                let mut due = vec![false; steps];
                for t in (from..=until).step_by(k) {
                    due[t] = true;
                }
                Timing::Scheduled(due)
            }
            TimingKey::Hazard => {
                let rate = self.number("hazard", e.hazard.as_ref()?, Bound::UNIT)?;
                Timing::Hazard { rate, from, until }
            }
            TimingKey::Trigger => {
                let trigger = e.trigger.as_ref()?;
                let condition =
                    self.condition(trigger.get_ref(), trigger.span(), "trigger", names)?;
                let once = e.once.as_ref().is_none_or(|o| *o.get_ref());
                Timing::Trigger {
                    condition,
                    once,
                    from,
                    until,
                }
            }
        };
        ok.then_some(timing)
    }

    /// A condition of a trigger or an outcome; `whole` is where a missing key is reported.
    fn condition(
        &mut self,
        c: &RawCondition,
        whole: Range<usize>,
        what: &str,
        names: &Names,
    ) -> Option<Condition> {
        const METRICS: [(&str, Metric); 4] = [
            ("alignment", Metric::Alignment),
            ("trust", Metric::Trust),
            ("threat", Metric::Threat),
            ("power", Metric::Power),
        ];
        const OPS: [(&str, Op); 4] = [(">", Op::Gt), (">=", Op::Ge), ("<", Op::Lt), ("<=", Op::Le)];
        let missing = |checker: &mut Self, key: &str, example: &str| {
            checker.push(
                whole.clone(),
                format!("missing `{key}` in {what}"),
                &format!("add `{key} = {example}`"),
                None,
            );
        };
        let metric = match &c.metric {
            Some(m) => self.choice(
                "metric",
                m,
                &METRICS,
                &format!("one of {}", Metric::NAMES.join(", ")),
            ),
            None => {
                missing(self, "metric", "\"alignment\"");
                None
            }
        };
        let actor = match &c.actor {
            Some(a) => self.actor_ref(names, a),
            None => {
                missing(self, "actor", "\"...\"");
                None
            }
        };
        let mut ok = true;
        let other = match (metric, &c.other) {
            (Some(m), None) if m.is_pairwise() => {
                let (key_span, name) = match &c.metric {
                    Some(v) => (v.span(), v.get_ref().as_str()),
                    None => (whole.clone(), ""),
                };
                let meaning = if m == Metric::Trust {
                    "trust of `actor` in `other`"
                } else {
                    "threat that `actor` perceives from `other`"
                };
                self.push(
                    key_span,
                    format!("a {name} {what} needs `other`: it measures the {meaning}"),
                    "pairwise metric",
                    Some("add `other = \"...\"`".into()),
                );
                None
            }
            (Some(m), Some(o)) if !m.is_pairwise() => {
                let name = c.metric.as_ref().map_or("", |v| v.get_ref().as_str());
                self.push(
                    o.span(),
                    format!("`other` does not go with metric {name:?}, which belongs to one actor"),
                    "not allowed with this metric",
                    Some("`other` is for trust and threat".into()),
                );
                ok = false;
                None
            }
            (_, Some(o)) => {
                let resolved = self.actor_ref(names, o);
                if resolved.is_none() {
                    ok = false;
                }
                if let Some(a) = &c.actor
                    && a.get_ref() == o.get_ref()
                {
                    self.push(
                        o.span(),
                        format!(
                            "`other` must differ from `actor`, found {:?} for both",
                            o.get_ref()
                        ),
                        "same as `actor`",
                        None,
                    );
                    ok = false;
                }
                resolved
            }
            (_, None) => None,
        };
        let op = match &c.op {
            Some(o) => self.choice("op", o, &OPS, &format!("one of {}", Op::NAMES.join(", "))),
            None => {
                missing(self, "op", "\">\"");
                None
            }
        };
        let bound = match metric {
            Some(Metric::Alignment | Metric::Trust) => Bound::SIGNED_UNIT,
            Some(Metric::Threat | Metric::Power) => Bound::UNIT,
            None => Bound::Finite,
        };
        let value = match &c.value {
            Some(v) => self.number("value", v, bound),
            None => {
                missing(self, "value", "0.5");
                None
            }
        };
        let metric = metric?;
        if metric.is_pairwise() && other.is_none() {
            return None;
        }
        if !ok {
            return None;
        }
        Some(Condition {
            metric,
            actor: actor?,
            other,
            op: op?,
            value: value?,
        })
    }

    fn outcomes(&mut self, raw: &[Spanned<RawOutcome>], names: &Names) -> Option<Vec<Outcome>> {
        let mut seen: HashMap<String, Range<usize>> = HashMap::new();
        let mut outcomes = Vec::new();
        let mut ok = true;
        for table in raw {
            let whole = table.span();
            let o = table.get_ref();
            let name = match &o.name {
                None => {
                    self.push(
                        whole.clone(),
                        "missing `name` in [[outcome]]",
                        "add `name = \"...\"` here",
                        None,
                    );
                    None
                }
                Some(name) => match seen.get(name.get_ref()) {
                    Some(first) => {
                        let first = first.clone();
                        self.push_duplicate("outcome", name.get_ref(), name.span(), first);
                        None
                    }
                    None => {
                        seen.insert(name.get_ref().clone(), name.span());
                        Some(name.get_ref().clone())
                    }
                },
            };
            let condition = self.condition(&o.condition(), whole, "[[outcome]]", names);
            let when = match &o.when {
                None => Some(When::End),
                Some(when) => self.when(when, names.steps),
            };
            match (name, condition, when) {
                (Some(name), Some(condition), Some(when)) => outcomes.push(Outcome {
                    name,
                    condition,
                    when,
                }),
                _ => ok = false,
            }
        }
        ok.then_some(outcomes)
    }

    fn when(&mut self, value: &Spanned<toml::Value>, steps: Option<usize>) -> Option<When> {
        const WORDS: [(&str, When); 3] = [
            ("end", When::End),
            ("ever", When::Ever),
            ("always", When::Always),
        ];
        let span = value.span();
        let expected = "\"end\", \"ever\", \"always\" or [from, to]";
        match value.get_ref() {
            toml::Value::String(s) => {
                if let Some((_, w)) = WORDS.iter().find(|(word, _)| word == s) {
                    return Some(*w);
                }
                let help = suggest(s, WORDS.iter().map(|(w, _)| *w))
                    .map(|s| format!("did you mean {s:?}?"));
                self.push(
                    span,
                    format!("unknown `when` {s:?}, expected {expected}"),
                    "not a known `when`",
                    help,
                );
                None
            }
            toml::Value::Array(items) => {
                let pair: Option<Vec<i64>> = items.iter().map(toml::Value::as_integer).collect();
                let Some([from, to]) = pair.as_deref() else {
                    self.push(
                        span,
                        "a `when` window must be two whole steps [from, to]",
                        "expected [from, to]",
                        None,
                    );
                    return None;
                };
                let (from, to) = (*from, *to);
                let steps = steps?;
                if from < 0 || to < 0 || to > steps as i64 {
                    self.push(
                        span,
                        format!(
                            "`when` window [{from}, {to}] is out of range: steps = {steps}, so a window must lie within 0..={steps}"
                        ),
                        "out of range",
                        None,
                    );
                    return None;
                }
                if from > to {
                    self.push(
                        span,
                        format!(
                            "`when` window [{from}, {to}] runs backwards: `from` must be ≤ `to`"
                        ),
                        "backwards window",
                        None,
                    );
                    return None;
                }
                Some(When::Window {
                    from: from as usize,
                    to: to as usize,
                })
            }
            _ => {
                let found = self.written(span.clone()).to_string();
                self.push(
                    span,
                    format!("`when` must be {expected}, found {found}"),
                    "not a `when`",
                    None,
                );
                None
            }
        }
    }
}

/// `[scenario]` as checked; each `None` has left a diagnostic.
struct Header {
    span: Range<usize>,
    name: Option<String>,
    description: Option<String>,
    steps: Option<usize>,
    step_unit: String,
    start: Option<Option<String>>,
    runs: Option<u64>,
    seed: Option<u64>,
}

/// An optional reference: `Some(None)` when absent, `None` when given but unresolved.
fn resolved(reference: Option<Option<usize>>) -> Option<Option<usize>> {
    match reference {
        None => Some(None),
        Some(index) => index.map(Some),
    }
}

fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
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

fn quoted_list(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("{n:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn kind_list(names: &Names) -> String {
    let mut list: Vec<&str> = BUILTIN_KINDS.iter().map(|k| k.name).collect();
    list.extend(
        names
            .kinds
            .keys()
            .map(String::as_str)
            .filter(|k| builtin(k).is_none()),
    );
    list.push(CUSTOM_KIND);
    list.join(", ")
}

/// The candidate closest to `word`, if it is close enough to be a likely misspelling: within
/// a third of the word's length (at least 1), comparing without case. A candidate equal to
/// `word` is not a suggestion. Ties go to the candidate of the closest length (`=>` suggests
/// `>=`, not `>`), then to the first.
pub(crate) fn suggest<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    let len = word.chars().count();
    let limit = (len.max(3) / 3).max(1);
    candidates
        .into_iter()
        .filter(|c| *c != word)
        .map(|c| (edit_distance(word, c), c.chars().count().abs_diff(len), c))
        .filter(|(d, _, _)| *d <= limit)
        .min_by_key(|(d, gap, _)| (*d, *gap))
        .map(|(_, _, c)| c)
}

/// Optimal-string-alignment distance, case-insensitive: Levenshtein plus transposition of
/// neighbours, the commonest typing slip.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.to_lowercase().chars().collect();
    let b: Vec<char> = b.to_lowercase().chars().collect();
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    for i in 0..=a.len() {
        d[i * width] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(width) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[(i - 1) * width + j] + 1)
                .min(d[i * width + j - 1] + 1)
                .min(d[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[(i - 2) * width + j - 2] + 1);
            }
            d[i * width + j] = best;
        }
    }
    d[a.len() * width + b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = include_str!("../../docs/scenario-format.md");

    /// The ```toml blocks of the format page, so the page cannot drift from the parser.
    fn doc_examples() -> Vec<String> {
        let mut blocks = Vec::new();
        let mut current: Option<String> = None;
        for line in DOC.lines() {
            match (&mut current, line.trim()) {
                (None, "```toml") => current = Some(String::new()),
                (Some(block), "```") => {
                    blocks.push(std::mem::take(block));
                    current = None;
                }
                (Some(block), _) => {
                    block.push_str(line);
                    block.push('\n');
                }
                (None, _) => {}
            }
        }
        blocks
    }

    fn parse(text: &str) -> Scenario {
        match parse_scenario(text, "test.toml") {
            Ok(s) => s,
            Err(e) => panic!("expected a valid scenario, got:\n{e}"),
        }
    }

    fn errors(text: &str) -> Vec<Diagnostic> {
        match parse_scenario(text, "test.toml") {
            Ok(_) => panic!("expected an invalid scenario"),
            Err(e) => {
                assert!(e.is_bad_input());
                e.diagnostics().to_vec()
            }
        }
    }

    const TWO: &str = r#"
[scenario]
name = "two"
steps = 12

[[actor]]
name = "A"
alignment = 0.5
stubbornness = 0.2
power = 0.4

[[actor]]
name = "B"
alignment = -0.5
stubbornness = 0.3
power = 0.6
"#;

    fn with(extra: &str) -> String {
        format!("{TWO}\n{extra}")
    }

    fn due_steps(timing: &Timing) -> Vec<usize> {
        match timing {
            Timing::Scheduled(due) => (0..due.len()).filter(|&t| due[t]).collect(),
            other => panic!("expected a schedule, got {other:?}"),
        }
    }

    #[test]
    fn the_documented_example_parses() {
        let blocks = doc_examples();
        assert!(
            !blocks.is_empty(),
            "docs/scenario-format.md has no toml example"
        );
        for block in &blocks {
            parse(block);
        }
        let s = parse(&blocks[0]);
        assert_eq!(s.name, "South Caucasus, illustrative");
        assert_eq!((s.steps, s.runs, s.seed), (26, 2000, 7));
        assert_eq!(s.step_unit, "week");
        assert_eq!(s.start.as_deref(), Some("2025-05-05"));
        assert_eq!(s.axis.positive, "West-aligned");
        assert_eq!(s.model.event_noise, 0.25);
        assert_eq!(s.model.balance, ModelParams::default().balance);
        assert_eq!(s.n(), 4);
        assert_eq!(s.actors[2].self_weight, 2.0);
        assert_eq!(s.events.len(), 4);
        assert_eq!(s.outcomes.len(), 3);
        assert_eq!(s.outcomes[2].when, When::Window { from: 13, to: 26 });
        let pressure = &s.events[2];
        assert_eq!(pressure.id, "pressure");
        assert_eq!(pressure.label, "Russian pressure on Yerevan");
        match &pressure.timing {
            Timing::Trigger {
                condition,
                once,
                from,
                until,
            } => {
                assert!(*once);
                assert_eq!((*from, *until), (0, 25));
                assert_eq!(condition.metric, Metric::Alignment);
                assert_eq!(condition.op, Op::Gt);
                assert_eq!(condition.other, None);
            }
            other => panic!("expected a trigger, got {other:?}"),
        }
        let treaty = &s.events[3];
        assert_eq!(treaty.id, "Peace treaty signed");
        assert_eq!(treaty.actor, None);
        assert_eq!(
            treaty.effect,
            EventEffect::Custom(vec![
                Effect::Trust {
                    from: 0,
                    to: 1,
                    delta: 0.3
                },
                Effect::Trust {
                    from: 1,
                    to: 0,
                    delta: 0.3
                },
                Effect::Power {
                    actor: 0,
                    delta: 0.02
                },
            ])
        );
        assert_eq!(
            s.events[1].timing,
            Timing::Hazard {
                rate: 0.05,
                from: 0,
                until: 25
            }
        );
    }

    #[test]
    fn defaults_fill_in() {
        let s = parse(TWO);
        assert_eq!((s.runs, s.seed), (1000, 1));
        assert_eq!(s.step_unit, "step");
        assert_eq!(s.start, None);
        assert_eq!(s.description, None);
        assert_eq!(s.model, ModelParams::default());
        assert_eq!(s.axis.negative, "negative pole");
        assert_eq!(s.axis.positive, "positive pole");
        assert_eq!(s.actors[0].kind, ActorKind::State);
        assert_eq!(s.actors[0].self_weight, 1.0);
        assert_eq!(s.trust0, vec![0.0; 4]);
        assert_eq!(s.reach, vec![0.0, 0.5, 0.5, 0.0]);
        assert!(s.events.is_empty() && s.outcomes.is_empty());
        let expected: String = Sha256::digest(TWO.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(s.sha256, expected);
        assert_eq!(s.sha256.len(), 64);
    }

    #[test]
    fn model_defaults_reach_actors_and_pairs() {
        let s = parse(&format!("[model]\nself_weight = 3\nreach = 0.25\n{TWO}"));
        assert_eq!(s.actors[0].self_weight, 3.0);
        assert_eq!(s.reach, vec![0.0, 0.25, 0.25, 0.0]);
    }

    #[test]
    fn relations_fill_both_directions_and_asymmetric_overrides() {
        let s = parse(&with(
            r#"
[[relation]]
between = ["B", "A"]
trust = 0.4
trust_ab = -0.3
reach_ab = 0.9
"#,
        ));
        // A = "B" (index 1), B = "A" (index 0): trust_ab is trust of index 1 in index 0.
        assert_eq!(s.trust0, vec![0.0, 0.4, -0.3, 0.0]);
        // reach_ab = R[1][0]; the other direction keeps the model default.
        assert_eq!(s.reach, vec![0.0, 0.5, 0.9, 0.0]);
    }

    #[test]
    fn every_from_until_expand_to_a_schedule() {
        let s = parse(&with(
            r#"
[[event]]
kind = "visit"
actor = "A"
target = "B"
every = 4
from = 2
until = 10

[[event]]
kind = "visit"
actor = "A"
target = "B"
every = 5

[[event]]
kind = "visit"
actor = "A"
target = "B"
steps = [11, 0, 3]

[[event]]
kind = "visit"
actor = "A"
target = "B"
step = 7
"#,
        ));
        assert_eq!(due_steps(&s.events[0].timing), vec![2, 6, 10]);
        assert_eq!(due_steps(&s.events[1].timing), vec![0, 5, 10]);
        assert_eq!(due_steps(&s.events[2].timing), vec![0, 3, 11]);
        assert_eq!(due_steps(&s.events[3].timing), vec![7]);
        for e in &s.events {
            let Timing::Scheduled(due) = &e.timing else {
                unreachable!()
            };
            assert_eq!(due.len(), 12);
        }
    }

    #[test]
    fn ids_derive_from_label_or_kind_and_repeat_with_a_suffix() {
        let s = parse(&with(
            r#"
[[event]]
kind = "visit"
actor = "A"
target = "B"
step = 1

[[event]]
kind = "visit"
actor = "A"
target = "B"
step = 2

[[event]]
kind = "visit"
actor = "A"
target = "B"
step = 3

[[event]]
kind = "talks"
actor = "B"
target = "A"
label = "summit"
step = 4

[[event]]
kind = "custom"
step = 5
effects = [{ alignment = "A", delta = 0.1 }]

[[event]]
id = "visit:A->B#2"
kind = "trade"
actor = "B"
target = "A"
step = 6
"#,
        ));
        let ids: Vec<&str> = s.events.iter().map(|e| e.id.as_str()).collect();
        // The explicit id of the last event is reserved first, so the repeats skip it.
        assert_eq!(
            ids,
            [
                "visit:A->B",
                "visit:A->B#3",
                "visit:A->B#4",
                "summit",
                "custom",
                "visit:A->B#2"
            ]
        );
        assert_eq!(s.events[0].label, "visit:A->B");
        assert_eq!(s.events[3].label, "summit");
        assert_eq!(s.events[0].actor, Some(0));
        assert_eq!(s.events[0].target, Some(1));
    }

    #[test]
    fn kinds_override_builtins_and_declare_new_ones() {
        let s = parse(&with(
            r#"
[kinds.warning]
c_threat = 0.4

[kinds.blockade]
valence = -0.5
c_power_target = -0.02

[[event]]
kind = "warning"
actor = "A"
target = "B"
step = 0

[[event]]
kind = "blockade"
actor = "A"
target = "B"
step = 0

[[event]]
kind = "sabotage"
actor = "A"
target = "B"
step = 0

[[event]]
kind = "sabotage"
actor = "B"
target = "A"
attribution = 0.9
step = 0
"#,
        ));
        let coefficients = |i: usize| match &s.events[i].effect {
            EventEffect::Kind(c) => *c,
            other => panic!("expected a kind, got {other:?}"),
        };
        let mut warning = builtin("warning")
            .map(|k| k.coefficients)
            .unwrap_or_else(|| panic!("warning"));
        warning.c_threat = 0.4;
        assert_eq!(coefficients(0), warning);
        let blockade = coefficients(1);
        assert_eq!(
            (blockade.valence, blockade.c_power_target, blockade.c_in),
            (-0.5, -0.02, 0.0)
        );
        assert_eq!(s.events[1].attribution, 1.0);
        assert_eq!(s.events[2].attribution, 0.5);
        assert_eq!(s.events[3].attribution, 0.9);
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

    #[test]
    fn outcomes_and_triggers_resolve_pairwise_metrics() {
        let s = parse(&with(
            r#"
[[event]]
kind = "strike"
actor = "B"
target = "A"
trigger = { metric = "trust", actor = "B", other = "A", op = "<=", value = -0.5 }
once = false
from = 3

[[outcome]]
name = "B fears A"
metric = "threat"
actor = "B"
other = "A"
op = ">="
value = 0.5
when = "always"
"#,
        ));
        let Timing::Trigger {
            condition,
            once,
            from,
            until,
        } = s.events[0].timing
        else {
            panic!("expected a trigger")
        };
        assert!(!once);
        assert_eq!((from, until), (3, 11));
        assert_eq!(
            condition,
            Condition {
                metric: Metric::Trust,
                actor: 1,
                other: Some(0),
                op: Op::Le,
                value: -0.5
            }
        );
        assert_eq!(s.outcomes[0].when, When::Always);
        assert_eq!(s.outcomes[0].condition.other, Some(0));
    }

    #[test]
    fn every_semantic_error_is_reported_at_once() {
        let d = errors(&with(
            r#"
[[relation]]
between = ["A", "C"]
trust = 2

[[event]]
kind = "visti"
actor = "A"
target = "B"
step = 40

[[outcome]]
name = "x"
metric = "trust"
actor = "A"
op = ">"
value = 0
"#,
        ));
        let messages: Vec<&str> = d.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(messages.len(), 5, "{messages:#?}");
        assert!(messages[0].starts_with("unknown actor \"C\""));
        assert_eq!(messages[1], "trust must be in [-1, 1], found 2");
        assert_eq!(messages[2], "unknown kind \"visti\"");
        assert!(messages[3].starts_with("event at step 40 is past the horizon"));
        assert!(messages[4].starts_with("a trust [[outcome]] needs `other`"));
    }

    #[test]
    fn suggestions_tolerate_case_and_transposed_letters() {
        let actors = ["Armenia", "Azerbaijan", "Georgia"];
        assert_eq!(suggest("Azerbaijn", actors), Some("Azerbaijan"));
        assert_eq!(suggest("armenia", actors), Some("Armenia"));
        assert_eq!(suggest("Geogria", actors), Some("Georgia"));
        assert_eq!(suggest("Iran", actors), None);
        assert_eq!(suggest("=>", Op::NAMES), Some(">="));
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn unknown_keys_get_a_suggestion_from_serde_list() {
        let d = errors(&TWO.replace("stubbornness = 0.2", "stubornness = 0.2"));
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].help.as_deref(), Some("did you mean `stubbornness`?"));
        assert_eq!((d[0].line, d[0].column), (9, 1));
    }

    #[test]
    fn load_reads_a_file_and_points_at_bytes_that_are_not_text() {
        let dir = std::env::temp_dir().join(format!("influence-validate-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let good = dir.join("good.toml");
        std::fs::write(&good, TWO).unwrap_or_else(|e| panic!("{e}"));
        let loaded = load_scenario(&good).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(loaded, parse(TWO));

        let bad = dir.join("bad.toml");
        let mut bytes = b"[scenario]\nname = \"".to_vec();
        bytes.extend_from_slice(&[0xff, b'"', b'\n']);
        std::fs::write(&bad, &bytes).unwrap_or_else(|e| panic!("{e}"));
        let err = match load_scenario(&bad) {
            Ok(_) => panic!("loaded a file that is not UTF-8"),
            Err(err) => err,
        };
        assert!(err.is_bad_input());
        let d = &err.diagnostics()[0];
        assert_eq!((d.line, d.column), (2, 9));
        assert!(d.origin.ends_with("bad.toml"));
        std::fs::remove_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    }
}
