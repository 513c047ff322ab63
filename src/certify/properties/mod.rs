//! The properties a certified parser has, each with a stable id and a one-line meaning.
//!
//! One file per property. Each has the same two functions: `check` decides one case (a
//! generated one, or a saved regression being replayed), and `run` drives `check` over the
//! cell's generated cases with proptest and shrinks the first failure.

mod accepts_valid;
mod deterministic;
mod no_panic;
mod rejects_invalid;
mod reports_event;
mod reports_fields;
mod time_bound;

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use proptest::strategy::Strategy;
use serde::{Deserialize, Serialize};

use super::Seed;
use super::call::{Answer, Call, Target};
use super::config::Config;
use super::drive::{Driven, ShrinkLimits, Verdict, drive};
use super::source::{Case, EntryCases};
use crate::catalog::{Entry, Vendor};

/// A property of a parser that certification checks, per vendor and event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Property {
    /// `accepts-valid`: accepts every payload that is valid against the event's schema.
    AcceptsValid,
    /// `rejects-invalid`: rejects every payload with a defect the reject policy says must be
    /// rejected.
    RejectsInvalid,
    /// `reports-event`: reports the wire event name of every payload it accepts.
    ReportsEvent,
    /// `reports-fields`: reports the key fields (event id, message id, timestamp, recipient)
    /// the payload carries.
    ReportsFields,
    /// `no-panic`: never panics or crashes, whatever the bytes.
    NoPanic,
    /// `time-bound`: answers every body within the time bound.
    TimeBound,
    /// `deterministic`: gives the same answer when asked twice.
    Deterministic,
}

impl Property {
    /// Every property, in report order.
    pub const ALL: [Property; 7] = [
        Property::AcceptsValid,
        Property::RejectsInvalid,
        Property::ReportsEvent,
        Property::ReportsFields,
        Property::NoPanic,
        Property::TimeBound,
        Property::Deterministic,
    ];

    /// The stable id used in reports, regression files and `--property`.
    #[must_use]
    pub fn id(self) -> &'static str {
        match self {
            Property::AcceptsValid => "accepts-valid",
            Property::RejectsInvalid => "rejects-invalid",
            Property::ReportsEvent => "reports-event",
            Property::ReportsFields => "reports-fields",
            Property::NoPanic => "no-panic",
            Property::TimeBound => "time-bound",
            Property::Deterministic => "deterministic",
        }
    }

    /// What the property means, in one line.
    #[must_use]
    pub fn meaning(self) -> &'static str {
        match self {
            Property::AcceptsValid => {
                "accepts every generated payload that is valid against the event's schema"
            }
            Property::RejectsInvalid => {
                "rejects every payload whose defect the reject policy says must be rejected"
            }
            Property::ReportsEvent => "reports the wire event name of every payload it accepts",
            Property::ReportsFields => {
                "reports the key fields (event id, message id, timestamp, recipient) the payload carries"
            }
            Property::NoPanic => {
                "never panics or crashes on any bytes: truncated, bit-flipped, spliced or random"
            }
            Property::TimeBound => "answers every body within the time bound",
            Property::Deterministic => "gives the same answer when asked twice about the same body",
        }
    }
}

impl fmt::Display for Property {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// A name that is not a property id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownProperty(pub String);

impl fmt::Display for UnknownProperty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ids: Vec<&str> = Property::ALL.iter().map(|p| p.id()).collect();
        write!(
            f,
            "unknown property {:?} (known: {})",
            self.0,
            ids.join(", ")
        )
    }
}

impl std::error::Error for UnknownProperty {}

impl FromStr for Property {
    type Err = UnknownProperty;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Property::ALL
            .into_iter()
            .find(|p| p.id() == s)
            .ok_or_else(|| UnknownProperty(s.to_owned()))
    }
}

/// Everything one cell's check needs.
pub(crate) struct Cell<'a> {
    pub(crate) entry: &'a Entry,
    pub(crate) property: Property,
    pub(crate) seed: Seed,
    pub(crate) config: &'a Config,
    pub(crate) target: &'a dyn Target,
    pub(crate) cases: &'a dyn EntryCases,
}

impl Cell<'_> {
    pub(crate) fn vendor(&self) -> Vendor {
        self.entry.vendor()
    }

    pub(crate) fn call(&self, body: &[u8]) -> Call {
        self.target.call(self.vendor(), body)
    }

    pub(crate) fn limits(&self) -> ShrinkLimits {
        ShrinkLimits {
            steps: self.config.shrink_steps,
            time: self.config.shrink_time,
        }
    }

    /// Runs `check` on the configured number of cases of `strategy`, drawn from the cell's
    /// seed, shrinking the first failure within the configured limits.
    pub(crate) fn drive<S>(&self, strategy: &S, check: impl Fn(&Case) -> Verdict) -> PropertyRun
    where
        S: Strategy<Value = Case>,
    {
        drive(self.seed, self.config.cases, self.limits(), strategy, check).into()
    }

    /// Checks that an undamaged generated payload really is valid (a generator never lies).
    pub(crate) fn confirm_valid(&self, case: &Case) -> Result<(), String> {
        let Some(payload) = &case.payload else {
            return Ok(());
        };
        let validator = self.entry.validator().map_err(|e| e.to_string())?;
        match validator.violations(payload).first() {
            None => Ok(()),
            Some(v) => Err(format!(
                "the generator produced a payload that is not valid: {v}"
            )),
        }
    }
}

/// What running one property on one cell found.
#[derive(Debug, Default)]
pub(crate) struct PropertyRun {
    pub(crate) passed: u32,
    pub(crate) not_applicable: u32,
    pub(crate) failure: Option<(Case, String)>,
    pub(crate) shrink_steps: u32,
    pub(crate) broken: Option<String>,
    /// Why the whole cell does not apply, if it does not.
    pub(crate) skipped: Option<String>,
    pub(crate) counts: BTreeMap<String, u64>,
    pub(crate) notes: Vec<String>,
}

impl From<Driven<Case>> for PropertyRun {
    fn from(d: Driven<Case>) -> Self {
        Self {
            passed: d.passed,
            not_applicable: d.not_applicable,
            failure: d.failure,
            shrink_steps: d.shrink_steps,
            broken: d.broken,
            ..Self::default()
        }
    }
}

/// Checks one case (a generated one or a replayed regression) for `cell`'s property.
pub(crate) fn check(cell: &Cell<'_>, case: &Case) -> Verdict {
    match cell.property {
        Property::AcceptsValid => accepts_valid::check(cell, case),
        Property::RejectsInvalid => rejects_invalid::check(cell, case),
        Property::ReportsEvent => reports_event::check(cell, case),
        Property::ReportsFields => reports_fields::check(cell, case).0,
        Property::NoPanic => no_panic::check(cell, case),
        Property::TimeBound => time_bound::check(cell, case),
        Property::Deterministic => deterministic::check(cell, case),
    }
}

/// Runs `cell`'s property over its generated cases.
pub(crate) fn run(cell: &Cell<'_>) -> PropertyRun {
    match cell.property {
        Property::AcceptsValid => accepts_valid::run(cell),
        Property::RejectsInvalid => rejects_invalid::run(cell),
        Property::ReportsEvent => reports_event::run(cell),
        Property::ReportsFields => reports_fields::run(cell),
        Property::NoPanic => no_panic::run(cell),
        Property::TimeBound => time_bound::run(cell),
        Property::Deterministic => deterministic::run(cell),
    }
}

/// Why a parser did not accept a body, for failure messages.
pub(crate) fn not_accepted(answer: &Answer) -> String {
    answer.describe()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_are_unique() {
        let mut ids: Vec<&str> = Property::ALL.iter().map(|p| p.id()).collect();
        for p in Property::ALL {
            assert_eq!(p.id().parse::<Property>(), Ok(p));
            assert_eq!(serde_json::to_value(p).unwrap(), p.id());
            assert!(!p.meaning().is_empty());
        }
        ids.dedup();
        assert_eq!(ids.len(), Property::ALL.len());
        assert!(
            "fast"
                .parse::<Property>()
                .unwrap_err()
                .to_string()
                .contains("no-panic")
        );
    }
}
