//! `events.csv` of a study: how often each `[[event]]` fired over runs. (A replay's
//! `events.csv` is another table, the events of one run.)

use super::error::ReadError;
use super::table::{Fields, TableFormat};
use crate::output::csv::Row;

pub const FILE: &str = "events.csv";

/// The format of [`FILE`].
pub struct EventFrequencies;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EventRecord<'a> {
    /// The event's id.
    pub event: &'a str,
    pub label: &'a str,
    pub kind: &'a str,
    /// Share of runs in which it fired at least once.
    pub fired_fraction: f64,
    pub mean_times_fired: f64,
}

impl TableFormat for EventFrequencies {
    const HEADER: &'static [&'static str] = &[
        "event",
        "label",
        "kind",
        "fired_fraction",
        "mean_times_fired",
    ];
    type Record<'a> = EventRecord<'a>;

    fn write(r: &EventRecord<'_>, row: Row<'_>) {
        row.text(r.event)
            .text(r.label)
            .text(r.kind)
            .num(r.fired_fraction)
            .num(r.mean_times_fired);
    }

    fn read<'a>(f: &mut Fields<'a>) -> Result<EventRecord<'a>, ReadError> {
        Ok(EventRecord {
            event: f.text(),
            label: f.text(),
            kind: f.text(),
            fired_fraction: f.number()?,
            mean_times_fired: f.number()?,
        })
    }

    fn check(r: &EventRecord<'_>) -> Result<(), String> {
        super::check::within("fired_fraction", r.fired_fraction, 0.0, 1.0)?;
        // A run that fired the event at all fired it at least once.
        super::check::at_least("mean_times_fired", r.mean_times_fired, r.fired_fraction)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::schema::table::tests::round_trip;

    #[test]
    fn records_come_back_as_written() {
        let records = [EventRecord {
            event: "visit",
            label: "A visit,\nannounced",
            kind: "visit",
            fired_fraction: 0.5,
            mean_times_fired: 1.25,
        }];
        let text = round_trip::<EventFrequencies>(&records, |k, got| assert_eq!(*got, records[k]));
        assert!(text.starts_with("event,label,kind,fired_fraction,mean_times_fired\n"));
    }
}
