//! Shared pieces of the tests: scenario text built from plain numbers, a recording observer,
//! and the small dense linear algebra the closed forms need; in [`cli`], running the binary
//! and reading what it writes; in [`picture`], decoding and checking its charts.

pub mod cli;
pub mod picture;

use std::fmt::Write as _;

use influence::model::State;
use influence::montecarlo::{Observer, Runner, stream_keys};
use influence::scenario::{Scenario, parse_scenario};

/// Parses scenario text, failing the test with the rendered diagnostics and the text itself.
pub fn parse(text: &str) -> Scenario {
    match parse_scenario(text, "test.toml") {
        Ok(sc) => sc,
        Err(e) => panic!("scenario rejected:\n{e}\n--- text ---\n{text}"),
    }
}

/// One firing reported to the observer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Firing {
    pub t: usize,
    pub event: usize,
    pub magnitude: f64,
    pub attributed: bool,
}

/// Keeps a copy of every state and every firing of a run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Recorder {
    /// `(t, state at t)` in the order reported.
    pub states: Vec<(usize, State)>,
    pub fired: Vec<Firing>,
}

impl Observer for Recorder {
    fn record(&mut self, t: usize, st: &State) {
        self.states.push((t, st.clone()));
    }

    fn fired(&mut self, t: usize, event: usize, magnitude: f64, attributed: bool) {
        self.fired.push(Firing {
            t,
            event,
            magnitude,
            attributed,
        });
    }
}

impl Recorder {
    /// The state recorded at step `t`.
    pub fn at(&self, t: usize) -> &State {
        let (rt, st) = &self.states[t];
        assert_eq!(*rt, t, "states are recorded in step order");
        st
    }

    /// The steps at which event `e` fired.
    pub fn fired_steps(&self, e: usize) -> Vec<usize> {
        self.fired
            .iter()
            .filter(|f| f.event == e)
            .map(|f| f.t)
            .collect()
    }
}

/// Simulates run `run` of `sc` under master seed `seed` on a fresh runner.
pub fn simulate(sc: &Scenario, seed: u64, run: u64) -> Recorder {
    let keys = stream_keys(sc, seed);
    let mut runner = Runner::new(sc, &keys);
    let mut rec = Recorder::default();
    runner.run(run, &mut rec);
    rec
}

/// Formats a number as a TOML float.
pub fn num(x: f64) -> String {
    assert!(x.is_finite(), "scenario numbers are finite");
    format!("{x:?}")
}

/// An actor as the test writes it.
#[derive(Debug, Clone)]
pub struct ActorSpec {
    pub name: String,
    pub alignment: f64,
    pub stubbornness: f64,
    pub power: f64,
    pub self_weight: Option<f64>,
}

/// A relation as the test writes it: trust and reach of `a` toward `b` and back.
#[derive(Debug, Clone, Default)]
pub struct RelationSpec {
    pub a: usize,
    pub b: usize,
    /// Trust of a in b.
    pub trust_ab: Option<f64>,
    /// Trust of b in a.
    pub trust_ba: Option<f64>,
    /// R_ab: how far b's power bears on a.
    pub reach_ab: Option<f64>,
    /// R_ba: how far a's power bears on b.
    pub reach_ba: Option<f64>,
}

/// A whole scenario held as numbers, rendered to TOML for the parser and read directly by
/// the tests to build the matrices of MODEL.md on their own.
#[derive(Debug, Clone)]
pub struct Spec {
    pub steps: usize,
    /// `[model]` keys as written; keys left out take the documented defaults.
    pub model: Vec<(&'static str, f64)>,
    pub actors: Vec<ActorSpec>,
    pub relations: Vec<RelationSpec>,
    /// `[[event]]` and `[kinds.NAME]` tables, verbatim.
    pub extra: Vec<String>,
}

/// The defaults of docs/scenario-format.md, used when a `[model]` key is left out.
const MODEL_DEFAULTS: [(&str, f64); 10] = [
    ("trust_memory", 0.05),
    ("balance", 0.02),
    ("threat_decay", 0.2),
    ("balancing", 0.1),
    ("audience", 0.5),
    ("self_weight", 1.0),
    ("reach", 0.5),
    ("trust_noise", 0.02),
    ("alignment_noise", 0.01),
    ("event_noise", 0.2),
];

impl Spec {
    pub fn n(&self) -> usize {
        self.actors.len()
    }

    /// A `[model]` parameter as the scenario sets it.
    pub fn param(&self, key: &str) -> f64 {
        self.model
            .iter()
            .rev()
            .find(|(k, _)| *k == key)
            .or_else(|| MODEL_DEFAULTS.iter().find(|(k, _)| *k == key))
            .map(|&(_, v)| v)
            .unwrap_or_else(|| panic!("unknown model key {key}"))
    }

    pub fn alignment0(&self) -> Vec<f64> {
        self.actors.iter().map(|a| a.alignment).collect()
    }

    pub fn stubbornness(&self) -> Vec<f64> {
        self.actors.iter().map(|a| a.stubbornness).collect()
    }

    pub fn power(&self) -> Vec<f64> {
        self.actors.iter().map(|a| a.power).collect()
    }

    pub fn self_weight(&self) -> Vec<f64> {
        let default = self.param("self_weight");
        self.actors
            .iter()
            .map(|a| a.self_weight.unwrap_or(default))
            .collect()
    }

    /// T0 as a dense matrix: `t[i][j]` is the trust of i in j, 0 without a relation.
    pub fn trust0(&self) -> Vec<Vec<f64>> {
        let n = self.n();
        let mut t = vec![vec![0.0; n]; n];
        for r in &self.relations {
            if let Some(x) = r.trust_ab {
                t[r.a][r.b] = x;
            }
            if let Some(x) = r.trust_ba {
                t[r.b][r.a] = x;
            }
        }
        t
    }

    /// R as a dense matrix: `r[i][j]` is how far j's power bears on i; `model.reach`
    /// without a relation, 0 on the diagonal.
    pub fn reach(&self) -> Vec<Vec<f64>> {
        let n = self.n();
        let default = self.param("reach");
        let mut r = vec![vec![default; n]; n];
        for (i, row) in r.iter_mut().enumerate() {
            row[i] = 0.0;
        }
        for rel in &self.relations {
            if let Some(x) = rel.reach_ab {
                r[rel.a][rel.b] = x;
            }
            if let Some(x) = rel.reach_ba {
                r[rel.b][rel.a] = x;
            }
        }
        r
    }

    /// The scenario text.
    pub fn toml(&self) -> String {
        let mut s = String::new();
        writeln!(s, "[scenario]\nname = \"test\"\nsteps = {}\n", self.steps).unwrap();
        // The closed forms of MODEL.md (Friedkin–Johnsen, DeGroot, trust memory...) are
        // stated for the start as anchor; the steady status quo has tests of its own.
        s.push_str("[model]\nanchors = \"initial\"\n");
        for (k, v) in &self.model {
            writeln!(s, "{k} = {}", num(*v)).unwrap();
        }
        s.push('\n');
        for a in &self.actors {
            writeln!(
                s,
                "[[actor]]\nname = \"{}\"\nalignment = {}\nstubbornness = {}\npower = {}",
                a.name,
                num(a.alignment),
                num(a.stubbornness),
                num(a.power)
            )
            .unwrap();
            if let Some(w) = a.self_weight {
                writeln!(s, "self_weight = {}", num(w)).unwrap();
            }
            s.push('\n');
        }
        for r in &self.relations {
            writeln!(
                s,
                "[[relation]]\nbetween = [\"{}\", \"{}\"]",
                self.actors[r.a].name, self.actors[r.b].name
            )
            .unwrap();
            for (key, value) in [
                ("trust_ab", r.trust_ab),
                ("trust_ba", r.trust_ba),
                ("reach_ab", r.reach_ab),
                ("reach_ba", r.reach_ba),
            ] {
                if let Some(v) = value {
                    writeln!(s, "{key} = {}", num(v)).unwrap();
                }
            }
            s.push('\n');
        }
        for e in &self.extra {
            s.push_str(e);
            s.push_str("\n\n");
        }
        s
    }

    pub fn scenario(&self) -> Scenario {
        parse(&self.toml())
    }
}

/// A dense square matrix, row-major as nested vectors.
pub type Matrix = Vec<Vec<f64>>;

pub fn identity(n: usize) -> Matrix {
    (0..n)
        .map(|i| (0..n).map(|j| if i == j { 1.0 } else { 0.0 }).collect())
        .collect()
}

pub fn mat_vec(m: &Matrix, x: &[f64]) -> Vec<f64> {
    m.iter()
        .map(|row| row.iter().zip(x).map(|(a, b)| a * b).sum())
        .collect()
}

pub fn transpose(a: &Matrix) -> Matrix {
    let n = a.len();
    let m = a[0].len();
    (0..m).map(|j| (0..n).map(|i| a[i][j]).collect()).collect()
}

/// Solves `a x = b` by Gaussian elimination with partial pivoting.
pub fn solve(a: &Matrix, b: &[f64]) -> Vec<f64> {
    let n = a.len();
    assert_eq!(b.len(), n);
    let mut m: Matrix = a
        .iter()
        .zip(b)
        .map(|(row, &bi)| {
            assert_eq!(row.len(), n, "square matrix");
            let mut r = row.clone();
            r.push(bi);
            r
        })
        .collect();
    for col in 0..n {
        let pivot = (col..n)
            .max_by(|&x, &y| m[x][col].abs().total_cmp(&m[y][col].abs()))
            .unwrap();
        assert!(m[pivot][col].abs() > 1e-14, "singular matrix");
        m.swap(col, pivot);
        let (upper, lower) = m.split_at_mut(col + 1);
        let pivot_row = &upper[col];
        for r in lower {
            let f = r[col] / pivot_row[col];
            if f != 0.0 {
                for (x, p) in r[col..].iter_mut().zip(&pivot_row[col..]) {
                    *x -= f * p;
                }
            }
        }
    }
    let mut x = vec![0.0; n];
    for i in (0..n).rev() {
        let s: f64 = (i + 1..n).map(|k| m[i][k] * x[k]).sum();
        x[i] = (m[i][n] - s) / m[i][i];
    }
    x
}

/// Row-major flat `n * n` buffer as a dense matrix.
pub fn unflatten(v: &[f64], n: usize) -> Matrix {
    assert_eq!(v.len(), n * n);
    v.chunks(n).map(<[f64]>::to_vec).collect()
}

/// Largest absolute difference between two vectors of the same length.
pub fn max_diff(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

/// A small deterministic generator (SplitMix64) for fixed pseudo-random test instances.
#[derive(Debug, Clone)]
pub struct SplitMix(pub u64);

impl SplitMix {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in [lo, hi).
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }
}
