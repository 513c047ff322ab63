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
mod verifies_signature;

pub(crate) use rejects_invalid::must_reject_violations;

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use proptest::strategy::Strategy;
use serde::{Deserialize, Serialize};

use super::Seed;
use super::call::{Answer, Call, Subject};
use super::config::Config;
use super::drive::{
    Driven, Failure, Faults, Halt, ShrinkLimits, ShrinkStop, Stops, Verdict, Watch, drive,
};
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
    /// `verifies-signature`: refuses, with a 4xx, every request whose signature is missing or
    /// forged (runs only when the bodies are sent signed).
    VerifiesSignature,
}

impl Property {
    /// Every property, in report order.
    pub const ALL: [Property; 8] = [
        Property::AcceptsValid,
        Property::RejectsInvalid,
        Property::ReportsEvent,
        Property::ReportsFields,
        Property::NoPanic,
        Property::TimeBound,
        Property::Deterministic,
        Property::VerifiesSignature,
    ];

    /// Whether the property needs signed requests (it runs only when a key or secret is given).
    #[must_use]
    pub fn needs_signing(self) -> bool {
        self == Property::VerifiesSignature
    }

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
            Property::VerifiesSignature => "verifies-signature",
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
            Property::VerifiesSignature => {
                "refuses with a 4xx every request whose signature is missing, wrong, made with another key, over other bytes, truncated or expired"
            }
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
    pub(crate) target: &'a dyn Subject,
    pub(crate) cases: &'a dyn EntryCases,
    /// What the cell's calls have cost in faults so far.
    pub(crate) faults: std::cell::Cell<Faults>,
    /// Calls that got a verdict (accepted or rejected).
    pub(crate) answered: std::cell::Cell<u32>,
    /// What the first fault was.
    pub(crate) first_fault: std::cell::RefCell<Option<String>>,
    /// The schema coverage of the valid payloads sent, when the run tallies it.
    pub(crate) coverage: Option<std::cell::RefCell<crate::coverage::Tally>>,
}

impl<'a> Cell<'a> {
    /// A cell with no calls made yet.
    pub(crate) fn new(
        entry: &'a Entry,
        property: Property,
        seed: Seed,
        config: &'a Config,
        target: &'a dyn Subject,
        cases: &'a dyn EntryCases,
    ) -> Self {
        Self {
            entry,
            property,
            seed,
            config,
            target,
            cases,
            faults: std::cell::Cell::new(Faults::default()),
            answered: std::cell::Cell::new(0),
            first_fault: std::cell::RefCell::new(None),
            coverage: config
                .coverage
                .then(|| std::cell::RefCell::new(crate::coverage::Tally::default())),
        }
    }
}

impl Cell<'_> {
    pub(crate) fn vendor(&self) -> Vendor {
        self.entry.vendor()
    }

    /// Counts a valid payload about to be sent towards the run's coverage, if it is tallied.
    pub(crate) fn cover(&self, payload: &serde_json::Value) {
        if let Some(tally) = &self.coverage {
            tally.borrow_mut().add_entry(self.entry, payload);
        }
    }

    /// Asks the parser about `body`, counting the call and any fault.
    pub(crate) fn call(&self, body: &[u8]) -> Call {
        let call = self.target.call(self.vendor(), body);
        self.count(&call.answer);
        call
    }

    /// Counts one answer in the cell's fault counters.
    pub(crate) fn count(&self, answer: &Answer) {
        let mut f = self.faults.get();
        f.calls += 1;
        if let Answer::Fault { kind, .. } = answer {
            f.faults += 1;
            if *kind == super::call::FaultKind::TimedOut {
                f.timeouts += 1;
            }
            if *kind != super::call::FaultKind::Panicked {
                f.costly += 1;
            }
            self.first_fault
                .borrow_mut()
                .get_or_insert_with(|| answer.describe());
        } else {
            self.answered.set(self.answered.get() + 1);
        }
        self.faults.set(f);
    }

    /// Whether the cell should stop now: too many faults, or the run was interrupted.
    pub(crate) fn halted(&self) -> Option<Halt> {
        let f = self.faults.get();
        let stops = Stops::default();
        if self.interrupted() {
            Some(Halt::Interrupted)
        } else if stops.decided(f) {
            Some(Halt::Faults(f))
        } else {
            None
        }
    }

    /// Whether the run was interrupted.
    pub(crate) fn interrupted(&self) -> bool {
        self.config.interrupted()
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
        self.drive_n(self.config.cases, strategy, check)
    }

    /// [`drive`](Self::drive) with another case count.
    pub(crate) fn drive_n<S>(
        &self,
        cases: u32,
        strategy: &S,
        check: impl Fn(&Case) -> Verdict,
    ) -> PropertyRun
    where
        S: Strategy<Value = Case>,
    {
        let faults = || self.faults.get();
        let interrupted = || self.interrupted();
        let watch = Watch {
            faults: &faults,
            interrupted: &interrupted,
            stops: Stops::default(),
        };
        drive(self.seed, cases, self.limits(), strategy, check, &watch).into()
    }

    /// Checks that an undamaged generated payload really is valid (a generator never lies).
    /// A payload straight from a source whose generator already checked it with the entry's
    /// validator (mutation `none`) is not checked twice; replayed payloads always are.
    pub(crate) fn confirm_valid(&self, case: &Case) -> Result<(), String> {
        let Some(payload) = &case.payload else {
            return Ok(());
        };
        if case.mutation == "none" && self.cases.checked_valid() {
            return Ok(());
        }
        let validator = self.entry.validator().map_err(|e| e.to_string())?;
        if validator.is_valid(payload) {
            return Ok(());
        }
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
    pub(crate) failure: Option<(Case, Failure)>,
    pub(crate) shrink_steps: u32,
    /// Why shrinking stopped, if a budget stopped it.
    pub(crate) shrink_stop: Option<ShrinkStop>,
    pub(crate) broken: Option<String>,
    /// Why the whole cell does not apply, if it does not.
    pub(crate) skipped: Option<String>,
    /// Why the cell stopped before its case count, if it did.
    pub(crate) halted: Option<Halt>,
    /// The first case that met a fault.
    pub(crate) first_fault: Option<Case>,
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
            shrink_stop: d.shrink_stop,
            broken: d.broken,
            halted: d.halted,
            first_fault: d.first_fault,
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
        Property::VerifiesSignature => verifies_signature::check(cell, case),
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
        Property::VerifiesSignature => verifies_signature::run(cell),
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
