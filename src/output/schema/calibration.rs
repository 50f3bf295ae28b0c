//! `calibration.csv`, `posterior.csv` and `fit.csv`: the tables of `influence calibrate`,
//! written by `output::calibration` and read by its charts: one type per file, so that no
//! column list is written twice.

use super::error::ReadError;
use super::table::{Fields, TableFormat};
use crate::output::csv::Row;

/// `calibration.csv`: one input's prior range and posterior summary.
pub struct Intervals;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IntervalRecord<'a> {
    pub input: &'a str,
    pub prior_low: f64,
    pub prior_high: f64,
    pub median: f64,
    pub low: f64,
    pub high: f64,
}

impl TableFormat for Intervals {
    const HEADER: &'static [&'static str] = &[
        "input",
        "prior_low",
        "prior_high",
        "post_median",
        "post_low",
        "post_high",
    ];
    type Record<'a> = IntervalRecord<'a>;

    fn write(r: &IntervalRecord<'_>, row: Row<'_>) {
        row.text(r.input)
            .num_exact(r.prior_low)
            .num_exact(r.prior_high)
            .num_exact(r.median)
            .num_exact(r.low)
            .num_exact(r.high);
    }

    fn read<'a>(f: &mut Fields<'a>) -> Result<IntervalRecord<'a>, ReadError> {
        Ok(IntervalRecord {
            input: f.text(),
            prior_low: f.number()?,
            prior_high: f.number()?,
            median: f.number()?,
            low: f.number()?,
            high: f.number()?,
        })
    }
}

/// `posterior.csv`: one input's value at one kept point, with the point's weight.
pub struct Posterior;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PosteriorRecord<'a> {
    pub sample: u64,
    pub input: &'a str,
    pub value: f64,
    pub weight: f64,
}

impl TableFormat for Posterior {
    const HEADER: &'static [&'static str] = &["sample", "input", "value", "weight"];
    type Record<'a> = PosteriorRecord<'a>;

    fn write(r: &PosteriorRecord<'_>, row: Row<'_>) {
        row.int(r.sample)
            .text(r.input)
            .num_exact(r.value)
            .num_exact(r.weight);
    }

    fn read<'a>(f: &mut Fields<'a>) -> Result<PosteriorRecord<'a>, ReadError> {
        Ok(PosteriorRecord {
            sample: f.count()?,
            input: f.text(),
            value: f.number()?,
            weight: f.number()?,
        })
    }
}

/// `fit.csv`: one observation against the model under the prior and the posterior.
pub struct Fit;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FitRecord<'a> {
    pub observation: &'a str,
    pub step: u64,
    pub metric: &'a str,
    pub actor: &'a str,
    pub other: &'a str,
    pub role: &'a str,
    pub observed: &'a str,
    pub sd: f64,
    pub prior_mean: f64,
    pub posterior_mean: f64,
    pub prior_right_sign: f64,
    pub posterior_right_sign: f64,
}

impl TableFormat for Fit {
    const HEADER: &'static [&'static str] = &[
        "observation",
        "step",
        "metric",
        "actor",
        "other",
        "role",
        "observed",
        "sd",
        "prior_mean",
        "posterior_mean",
        "prior_right_sign",
        "posterior_right_sign",
    ];
    type Record<'a> = FitRecord<'a>;

    fn write(r: &FitRecord<'_>, row: Row<'_>) {
        row.text(r.observation)
            .int(r.step)
            .text(r.metric)
            .text(r.actor)
            .text(r.other)
            .text(r.role)
            .text(r.observed)
            .num(r.sd)
            .num(r.prior_mean)
            .num(r.posterior_mean)
            .num(r.prior_right_sign)
            .num(r.posterior_right_sign);
    }

    fn read<'a>(f: &mut Fields<'a>) -> Result<FitRecord<'a>, ReadError> {
        Ok(FitRecord {
            observation: f.text(),
            step: f.count()?,
            metric: f.text(),
            actor: f.text(),
            other: f.text(),
            role: f.text(),
            observed: f.text(),
            sd: f.number()?,
            prior_mean: f.number()?,
            posterior_mean: f.number()?,
            prior_right_sign: f.number()?,
            posterior_right_sign: f.number()?,
        })
    }
}
