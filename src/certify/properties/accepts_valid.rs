//! `accepts-valid`: every payload that is valid against the event's schema is accepted.

use super::{Cell, PropertyRun, not_accepted};
use crate::certify::Mismatch;
use crate::certify::call::Answer;
use crate::certify::drive::{Failure, Verdict};
use crate::certify::source::{Case, valid_cases};

pub(super) fn check(cell: &Cell<'_>, case: &Case) -> Verdict {
    let Some(payload) = &case.payload else {
        return Verdict::NotApplicable;
    };
    if let Err(e) = cell.confirm_valid(case) {
        return Verdict::Broken(e);
    }
    cell.cover(payload);
    match cell.call(&case.body).answer {
        Answer::Accepted(_) => Verdict::Pass,
        other => Verdict::Fail(Failure::new(
            format!(
                "the payload is valid, but the parser {}",
                not_accepted(&other)
            ),
            Mismatch::new("accepted", other.describe()),
        )),
    }
}

pub(super) fn run(cell: &Cell<'_>) -> PropertyRun {
    let strategy = valid_cases(cell.cases.valid());
    cell.drive(&strategy, |case| check(cell, case))
}
