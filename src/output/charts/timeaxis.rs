//! The time axis: steps in the scenario's unit, or calendar dates when it has a start date.
//!
//! A scenario's `start` is the date of step 0 and its `step_unit` is free text. Dates are
//! shown only for the units whose length is known (day, week, month, quarter, year, singular
//! or plural); any other unit keeps step numbers, which are always right.

use crate::scenario::Scenario;

/// A calendar date in the proleptic Gregorian calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Date {
    pub year: i64,
    pub month: u32,
    pub day: u32,
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

impl Date {
    /// Parses `YYYY-MM-DD`, as the scenario checker accepts it.
    pub fn parse(text: &str) -> Option<Date> {
        let mut parts = text.trim().splitn(3, '-');
        let year = parts.next()?.parse::<i64>().ok()?;
        let month = parts.next()?.parse::<u32>().ok()?;
        let day = parts.next()?.parse::<u32>().ok()?;
        ((1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month))
            .then_some(Date { year, month, day })
    }

    fn month_name(&self) -> &'static str {
        MONTHS[(self.month - 1) as usize]
    }

    /// "28 Apr 2025".
    pub fn long(&self) -> String {
        format!("{} {} {}", self.day, self.month_name(), self.year)
    }

    fn plus_days(&self, days: i64) -> Date {
        civil_from_days(days_from_civil(self) + days)
    }

    /// Adds whole months, keeping the day where the month has it (31 Jan + 1 month = 28/29 Feb).
    fn plus_months(&self, months: i64) -> Date {
        let index = self.year * 12 + (self.month as i64 - 1) + months;
        let year = index.div_euclid(12);
        let month = (index.rem_euclid(12) + 1) as u32;
        Date {
            year,
            month,
            day: self.day.min(days_in_month(year, month)),
        }
    }
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(y) => 29,
        _ => 28,
    }
}

/// Days since 1970-01-01 (H. Hinnant's algorithm).
fn days_from_civil(d: &Date) -> i64 {
    let y = if d.month <= 2 { d.year - 1 } else { d.year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = d.month as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d.day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> Date {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    Date { year, month, day }
}

/// The length of one step, where the calendar knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stride {
    Days(i64),
    Months(i64),
}

impl Stride {
    fn of(unit: &str) -> Option<Stride> {
        let unit = unit.trim().to_ascii_lowercase();
        let unit = unit.strip_suffix('s').unwrap_or(&unit);
        match unit {
            "day" => Some(Stride::Days(1)),
            "week" => Some(Stride::Days(7)),
            "month" => Some(Stride::Months(1)),
            "quarter" => Some(Stride::Months(3)),
            "year" => Some(Stride::Months(12)),
            _ => None,
        }
    }
}

/// How steps are named on axes and in keys.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeAxis {
    pub steps: usize,
    pub unit: String,
    calendar: Option<(Date, Stride)>,
}

impl TimeAxis {
    pub fn new(sc: &Scenario) -> TimeAxis {
        let calendar = sc
            .start
            .as_deref()
            .and_then(Date::parse)
            .zip(Stride::of(&sc.step_unit));
        TimeAxis {
            steps: sc.steps,
            unit: sc.step_unit.clone(),
            calendar,
        }
    }

    pub fn date(&self, step: usize) -> Option<Date> {
        let (start, stride) = self.calendar?;
        Some(match stride {
            Stride::Days(d) => start.plus_days(d * step as i64),
            Stride::Months(m) => start.plus_months(m * step as i64),
        })
    }

    /// The unit in the plural, for "26 weeks".
    pub fn units(&self, count: usize) -> String {
        if count == 1 || self.unit.ends_with('s') {
            format!("{count} {}", self.unit)
        } else {
            format!("{count} {}s", self.unit)
        }
    }

    /// A step as a key or note names it: "week 3 (19 May 2025)" or "week 3".
    pub fn step_name(&self, step: usize) -> String {
        match self.date(step) {
            Some(d) => format!("{} {step} ({})", self.unit, d.long()),
            None => format!("{} {step}", self.unit),
        }
    }

    /// The caption under a time axis.
    pub fn caption(&self) -> String {
        match self.date(0) {
            Some(d) => format!("date (one step = one {}; step 0 = {})", self.unit, d.long()),
            None => self.unit.clone(),
        }
    }

    /// Labels of the given tick steps. Dates show the year on the first tick and wherever
    /// it changes, so a reader never has to guess it and it is not repeated needlessly.
    pub fn tick_labels(&self, ticks: &[usize]) -> Vec<String> {
        let Some((_, stride)) = self.calendar else {
            return ticks.iter().map(|t| t.to_string()).collect();
        };
        let mut last_year = None;
        ticks
            .iter()
            .filter_map(|&t| self.date(t))
            .map(|d| {
                let new_year = last_year != Some(d.year);
                last_year = Some(d.year);
                match (stride, new_year) {
                    (Stride::Days(_), true) => d.long(),
                    (Stride::Days(_), false) => format!("{} {}", d.day, d.month_name()),
                    (Stride::Months(12), _) => d.year.to_string(),
                    (Stride::Months(_), true) => format!("{} {}", d.month_name(), d.year),
                    (Stride::Months(_), false) => d.month_name().to_string(),
                }
            })
            .collect()
    }

    /// Tick steps: the finest stride, among those natural for the unit, whose labels fit.
    /// `fits` is asked whether a given set of labels fits the axis.
    pub fn ticks(&self, fits: impl Fn(&[usize], &[String]) -> bool) -> Vec<usize> {
        let strides: &[usize] = match self.calendar.map(|c| c.1) {
            Some(Stride::Days(7)) => &[1, 2, 4, 8, 13, 26, 52, 104, 260, 520],
            Some(Stride::Days(_)) => &[1, 2, 7, 14, 28, 91, 182, 365, 730, 1825],
            Some(Stride::Months(1)) => &[1, 2, 3, 6, 12, 24, 60, 120],
            Some(Stride::Months(_)) => &[1, 2, 4, 5, 10, 20, 50, 100],
            None => &[1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000],
        };
        let make = |s: usize| (0..=self.steps).step_by(s).collect::<Vec<usize>>();
        for &s in strides {
            let ticks = make(s);
            if fits(&ticks, &self.tick_labels(&ticks)) {
                return ticks;
            }
        }
        // Beyond every natural stride: about five ticks.
        make((self.steps / 5).max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn axis(unit: &str, start: Option<&str>, steps: usize) -> TimeAxis {
        TimeAxis {
            steps,
            unit: unit.into(),
            calendar: start.and_then(Date::parse).zip(Stride::of(unit)),
        }
    }

    #[test]
    fn dates_follow_the_calendar() {
        let d = Date::parse("2024-01-31").unwrap();
        assert_eq!(d.plus_months(1), Date::parse("2024-02-29").unwrap());
        assert_eq!(d.plus_days(366), Date::parse("2025-01-31").unwrap());
        assert_eq!(
            civil_from_days(days_from_civil(&d)),
            d,
            "round trip through day numbers"
        );
        assert_eq!(Date::parse("2025-02-29"), None);
        let weeks = axis("week", Some("2025-04-28"), 26);
        assert_eq!(weeks.date(26), Date::parse("2025-10-27"));
        assert_eq!(weeks.step_name(1), "week 1 (5 May 2025)");
    }

    #[test]
    fn tick_labels_show_the_year_when_it_changes() {
        let weeks = axis("week", Some("2025-11-03"), 12);
        assert_eq!(
            weeks.tick_labels(&[0, 4, 8]),
            vec!["3 Nov 2025", "1 Dec", "29 Dec"]
        );
        assert_eq!(weeks.tick_labels(&[0, 9]), vec!["3 Nov 2025", "5 Jan 2026"]);
        let months = axis("months", Some("2025-01-01"), 24);
        assert_eq!(
            months.tick_labels(&[0, 6, 12]),
            vec!["Jan 2025", "Jul", "Jan 2026"]
        );
    }

    #[test]
    fn unknown_units_keep_step_numbers() {
        let rounds = axis("round", Some("2025-01-01"), 10);
        assert_eq!(rounds.date(1), None);
        assert_eq!(rounds.tick_labels(&[0, 5]), vec!["0", "5"]);
        assert_eq!(rounds.caption(), "round");
        assert_eq!(rounds.ticks(|t, _| t.len() <= 3), vec![0, 5, 10]);
    }
}
