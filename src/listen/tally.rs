//! Streaming counters of a session, and the bounded set of cases its report lists.
//!
//! A session keeps no record in memory: each one is counted here as it is written, and turned
//! into a report case. The report lists the first [`LISTED_FAILURES`] failing and the first
//! [`LISTED_PASSES`] other requests one case each (a few hundred bytes apiece, a failure's
//! body cut to a 4 KiB excerpt: at most about 14 MB in all); every request after those is
//! counted in one summary case per suite, which points to the recording. Memory is so flat
//! in the number of requests and in body size. Each body with a detected event is also
//! added to the session's coverage tally ([`crate::coverage::Tally`]: a bit per item).

use std::collections::BTreeMap;

use serde::Serialize;

use super::record::{Disposition, Record};
use super::report::{case, suite_name};
use crate::report::{Case, Outcome as CaseOutcome};

pub use crate::report::{LISTED_FAILURES, LISTED_PASSES};

/// How many requests ended how.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    /// Every request recorded.
    pub requests: u64,
    /// Answered 200.
    pub conforming: u64,
    /// Not JSON, no known (or an ambiguous) envelope, or schema violations.
    pub nonconforming: u64,
    /// A required signature missing or wrong.
    pub unauthorized: u64,
    /// Over the body limit.
    pub too_large: u64,
    /// The body (or the headers) did not arrive completely.
    pub incomplete: u64,
    /// Refused by the HTTP layer (malformed request line or headers).
    pub rejected: u64,
    /// Still running when the session ended.
    pub interrupted: u64,
    /// Not a POST (not counted).
    pub ignored: u64,
    /// A schema that does not compile (hookcheck's fault).
    pub errors: u64,
    /// Answered 503 (or stalled) on purpose, to test retries (not counted).
    pub deferred: u64,
}

impl Totals {
    /// Counts one request.
    pub fn add(&mut self, outcome: Disposition) {
        self.requests += 1;
        let slot = match outcome {
            Disposition::Conforming => &mut self.conforming,
            Disposition::Nonconforming => &mut self.nonconforming,
            Disposition::Unauthorized => &mut self.unauthorized,
            Disposition::TooLarge => &mut self.too_large,
            Disposition::Incomplete => &mut self.incomplete,
            Disposition::Rejected => &mut self.rejected,
            Disposition::Interrupted => &mut self.interrupted,
            Disposition::Ignored => &mut self.ignored,
            Disposition::Error => &mut self.errors,
            Disposition::Deferred => &mut self.deferred,
        };
        *slot += 1;
    }

    /// Requests that count (everything but ignored methods and deferred deliveries).
    #[must_use]
    pub fn counted(&self) -> u64 {
        self.requests - self.ignored - self.deferred
    }

    /// Requests the sender is to blame for (see [`Disposition::is_failure`]).
    #[must_use]
    pub fn failures(&self) -> u64 {
        self.nonconforming
            + self.unauthorized
            + self.too_large
            + self.incomplete
            + self.rejected
            + self.interrupted
    }
}

/// Requests of one suite beyond the listed ones.
#[derive(Debug, Clone, Default)]
pub(crate) struct Unlisted {
    pub(crate) totals: Totals,
}

/// The cases of one suite: those listed, and a tally of the rest.
#[derive(Debug, Clone, Default)]
pub(crate) struct SuiteCases {
    pub(crate) cases: Vec<Case>,
    pub(crate) unlisted: Unlisted,
}

/// Everything a session's report is built from.
#[derive(Debug, Clone, Default)]
pub(crate) struct Tally {
    pub(crate) totals: Totals,
    pub(crate) suites: BTreeMap<String, SuiteCases>,
    listed_failures: u64,
    listed_passes: u64,
}

/// Adds a record's body, if it has a detected event, to the coverage tally (a deferred
/// delivery is left out: its retry counts); the body as parsed.
pub(crate) fn add_coverage(
    coverage: &mut crate::coverage::Tally,
    r: &Record,
) -> Option<serde_json::Value> {
    let key = r.validation.as_ref().and_then(|v| v.key())?;
    let value = serde_json::from_str::<serde_json::Value>(r.body_text.as_ref()?).ok()?;
    if r.outcome != Disposition::Deferred {
        coverage.add(crate::catalog::Catalog::active(), key, &value);
    }
    Some(value)
}

impl Tally {
    /// Counts a record and lists it if there is room; `at` is where it was recorded (the
    /// recording's path and the record's line), if it was.
    pub(crate) fn add(&mut self, r: &Record, at: Option<(&str, u64)>) {
        self.totals.add(r.outcome);
        let name = suite_name(r);
        let failing = !matches!(
            r.outcome,
            Disposition::Conforming | Disposition::Ignored | Disposition::Deferred
        );
        let listed = if failing {
            &mut self.listed_failures
        } else {
            &mut self.listed_passes
        };
        let limit = if failing {
            LISTED_FAILURES
        } else {
            LISTED_PASSES
        };
        let suite = self.suites.entry(name.clone()).or_default();
        if *listed < limit {
            *listed += 1;
            suite.cases.push(case(r, &name, at));
        } else {
            suite.unlisted.totals.add(r.outcome);
        }
    }
}

impl Unlisted {
    /// The summary case for the unlisted requests of a suite, if there are any.
    pub(crate) fn case(&self, classname: String) -> Option<Case> {
        let t = &self.totals;
        if t.requests == 0 {
            return None;
        }
        let failing = t.requests - t.conforming - t.ignored - t.deferred;
        let name = format!("{} further request(s), not listed", t.requests);
        let what = format!(
            "{} conforming, {failing} not (see the recording for each one)",
            t.conforming
        );
        let outcome = if t.errors > 0 {
            CaseOutcome::Error {
                message: what,
                detail: None,
            }
        } else if failing > 0 {
            CaseOutcome::failed(what)
        } else {
            CaseOutcome::Passed
        };
        Some(Case::new(name, classname).with_outcome(outcome))
    }
}
