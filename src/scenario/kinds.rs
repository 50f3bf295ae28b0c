//! The built-in event kinds: MODEL.md's starting table, as data.
//!
//! Valences are Goldstein scores of the nearest CAMEO type over 10; the coefficients are
//! calibration placeholders that a scenario overrides in `[kinds.NAME]`.

/// The coefficients that turn one firing of a kind into primitive effects (MODEL.md, Events).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KindCoefficients {
    /// g, Goldstein valence in [-1, 1].
    pub valence: f64,
    pub c_in: f64,
    pub c_out: f64,
    pub c_threat: f64,
    pub c_power_target: f64,
    pub c_power_actor: f64,
    pub c_pull: f64,
    pub c_audience: f64,
    pub c_third: f64,
    /// Default chance that the target attributes the act to the actor.
    pub attribution: f64,
    /// Whose capability frightens third parties (MODEL.md, third-party threat): the target of
    /// a capability transfer, the actor of a use or display of force.
    pub third_party: Holder,
}

/// The capability holder of a kind's third-party threat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holder {
    Target,
    Actor,
}

impl Holder {
    pub const NAMES: [&'static str; 2] = ["target", "actor"];

    pub fn as_str(self) -> &'static str {
        match self {
            Holder::Target => "target",
            Holder::Actor => "actor",
        }
    }
}

/// One row of the built-in table, with the CAMEO code it stands on (for documentation).
#[derive(Debug, Clone, Copy)]
pub struct BuiltinKind {
    pub name: &'static str,
    pub cameo: &'static str,
    pub coefficients: KindCoefficients,
}

const fn kind(
    name: &'static str,
    cameo: &'static str,
    row: [f64; 8],
    attribution: f64,
    third_party: Holder,
) -> BuiltinKind {
    let [
        valence,
        c_in,
        c_out,
        c_threat,
        c_power_target,
        c_pull,
        c_audience,
        c_third,
    ] = row;
    BuiltinKind {
        name,
        cameo,
        coefficients: KindCoefficients {
            valence,
            c_in,
            c_out,
            c_threat,
            c_power_target,
            c_power_actor: 0.0,
            c_pull,
            c_audience,
            c_third,
            attribution,
            third_party,
        },
    }
}

/// MODEL.md's starting table: g, c_in, c_out, c_threat, c_power_target, c_pull, c_audience, c_third.
pub const BUILTIN_KINDS: [BuiltinKind; 11] = [
    kind(
        "visit",
        "043 host a visit (+2.8)",
        [0.28, 0.5, 0.5, 0.0, 0.0, 0.1, 1.0, 0.0],
        1.0,
        Holder::Target,
    ),
    kind(
        "talks",
        "036 intent to negotiate (+4.0)",
        [0.40, 0.2, 0.2, 0.0, 0.0, 0.0, 0.5, 0.0],
        1.0,
        Holder::Target,
    ),
    kind(
        "agreement",
        "057 sign formal agreement (+8.0)",
        [0.80, 0.3, 0.3, 0.0, 0.0, 0.2, 1.0, 0.0],
        1.0,
        Holder::Target,
    ),
    kind(
        "trade",
        "061 cooperate economically (+6.4)",
        [0.64, 0.2, 0.2, 0.0, 0.01, 0.05, 0.5, 0.0],
        1.0,
        Holder::Target,
    ),
    kind(
        "arms_deal",
        "072 military aid (+8.3)",
        [0.83, 0.3, 0.1, 0.0, 0.05, 0.1, 1.0, 0.3],
        1.0,
        Holder::Target,
    ),
    kind(
        "talks_stalled",
        "164 halt negotiations (-7.0)",
        [-0.70, 0.2, 0.2, 0.1, 0.0, 0.05, 0.3, 0.0],
        1.0,
        Holder::Target,
    ),
    kind(
        "warning",
        "130 threaten (-4.4)",
        [-0.44, 0.3, 0.1, 0.3, 0.0, 0.0, 0.5, 0.0],
        1.0,
        Holder::Target,
    ),
    kind(
        "show_of_force",
        "15 exhibit force posture (-7.2)",
        [-0.72, 0.3, 0.0, 0.5, 0.0, 0.0, 0.5, 0.2],
        1.0,
        Holder::Actor,
    ),
    kind(
        "sanctions",
        "163 impose sanctions (-8.0)",
        [-0.80, 0.3, 0.1, 0.1, -0.03, 0.1, 0.5, 0.0],
        1.0,
        Holder::Target,
    ),
    kind(
        "sabotage",
        "1712 destroy property (-9.2)",
        [-0.92, 0.5, 0.0, 0.6, -0.02, 0.1, 1.0, 0.0],
        0.5,
        Holder::Target,
    ),
    kind(
        "strike",
        "190 conventional force (-10)",
        [-1.00, 0.6, 0.2, 0.8, -0.05, 0.2, 1.0, 0.3],
        1.0,
        Holder::Actor,
    ),
];

/// The reserved kind name for events that list their primitive effects directly.
pub const CUSTOM_KIND: &str = "custom";

/// The built-in kind with this name.
pub fn builtin(name: &str) -> Option<&'static BuiltinKind> {
    BUILTIN_KINDS.iter().find(|k| k.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valence_is_goldstein_over_ten() {
        for k in BUILTIN_KINDS {
            let score: f64 = k
                .cameo
                .rsplit('(')
                .next()
                .and_then(|s| s.trim_end_matches(')').parse().ok())
                .expect("cameo label ends with (score)");
            assert!(
                (k.coefficients.valence - score / 10.0).abs() < 1e-12,
                "{}",
                k.name
            );
        }
    }

    #[test]
    fn only_sabotage_is_covert_by_default() {
        for k in BUILTIN_KINDS {
            let expected = if k.name == "sabotage" { 0.5 } else { 1.0 };
            assert_eq!(k.coefficients.attribution, expected, "{}", k.name);
        }
    }
}
