//! `ablation.csv`: every event's effect on every measure, measured by leaving it out.

use super::check::{ordered, within, within_or_empty};
use super::error::ReadError;
use super::table::{Fields, TableFormat};
use crate::analysis::ablation::Measure;
use crate::output::csv::Row;

pub const FILE: &str = "ablation.csv";

/// The format of [`FILE`].
pub struct Ablation;

/// The effect of one event on one measure: with the event minus without it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AblationRecord<'a> {
    /// The event's id.
    pub event: &'a str,
    pub label: &'a str,
    pub kind: &'a str,
    pub measure: Measure,
    /// The outcome's or the actor's name.
    pub name: &'a str,
    pub effect: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    /// 1 for the largest effect on this measure and name.
    pub rank: u64,
}

/// The `measure` column shared by the tables that rank inputs or events per measure.
pub(crate) fn measure(f: &mut Fields<'_>) -> Result<Measure, ReadError> {
    let text = f.text();
    [Measure::Outcome, Measure::FinalAlignment]
        .into_iter()
        .find(|m| m.as_str() == text)
        .ok_or_else(|| {
            f.garbled(&format!(
                "measure {text:?} is neither {:?} nor {:?}",
                Measure::Outcome.as_str(),
                Measure::FinalAlignment.as_str()
            ))
        })
}

impl TableFormat for Ablation {
    const HEADER: &'static [&'static str] = &[
        "event", "label", "kind", "measure", "name", "effect", "ci_low", "ci_high", "rank",
    ];
    type Record<'a> = AblationRecord<'a>;

    fn write(r: &AblationRecord<'_>, row: Row<'_>) {
        row.text(r.event)
            .text(r.label)
            .text(r.kind)
            .text(r.measure.as_str())
            .text(r.name)
            .num(r.effect)
            .num(r.ci_low)
            .num(r.ci_high)
            .int(r.rank);
    }

    fn read<'a>(f: &mut Fields<'a>) -> Result<AblationRecord<'a>, ReadError> {
        Ok(AblationRecord {
            event: f.text(),
            label: f.text(),
            kind: f.text(),
            measure: measure(f)?,
            name: f.text(),
            effect: f.number()?,
            ci_low: f.number()?,
            ci_high: f.number()?,
            rank: f.count()?,
        })
    }

    fn check(r: &AblationRecord<'_>) -> Result<(), String> {
        // The difference of two probabilities, or of two mean alignments.
        let span = match r.measure {
            Measure::Outcome => 1.0,
            Measure::FinalAlignment => 2.0,
        };
        within("effect", r.effect, -span, span)?;
        within_or_empty("ci_low", r.ci_low, -span, span)?;
        within_or_empty("ci_high", r.ci_high, -span, span)?;
        ordered(&[
            ("ci_low", r.ci_low),
            ("effect", r.effect),
            ("ci_high", r.ci_high),
        ])?;
        if r.rank == 0 {
            return Err("`rank` is 0; ranks start at 1".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::schema::table::tests::round_trip;

    #[test]
    fn records_come_back_as_written() {
        let records = [
            AblationRecord {
                event: "strike",
                label: "",
                kind: "strike",
                measure: Measure::Outcome,
                name: "A leans west",
                effect: -0.125,
                ci_low: -0.25,
                ci_high: 0.0,
                rank: 1,
            },
            AblationRecord {
                event: "visit",
                label: "A visit, announced",
                kind: "visit",
                measure: Measure::FinalAlignment,
                name: "B",
                effect: 0.0625,
                ci_low: 0.03125,
                ci_high: 0.09375,
                rank: 2,
            },
        ];
        let text = round_trip::<Ablation>(&records, |k, got| assert_eq!(*got, records[k]));
        assert!(text.starts_with("event,label,kind,measure,name,effect,ci_low,ci_high,rank\n"));
        assert!(text.contains(",outcome,") && text.contains(",final_alignment,"));
    }
}
