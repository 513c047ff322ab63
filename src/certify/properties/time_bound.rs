//! `time-bound`: every body, valid or damaged, is answered within the time bound.

use super::{Cell, PropertyRun};
use crate::certify::Mismatch;
use crate::certify::call::{Answer, FaultKind};
use crate::certify::drive::{Failure, Verdict};
use crate::certify::source::{Case, Mix, damaged_cases};

pub(super) fn check(cell: &Cell<'_>, case: &Case) -> Verdict {
    let bound = cell.config.time_bound;
    let call = cell.call(&case.body);
    match call.answer {
        Answer::Fault {
            kind: FaultKind::TimedOut,
            detail,
        } => Verdict::Fail(Failure::new(
            format!(
                "no answer within the {} bound ({detail})",
                humantime::format_duration(bound)
            ),
            Mismatch::new(within(bound), format!("no answer ({detail})")),
        )),
        _ if call.elapsed > bound => Verdict::Fail(Failure::new(
            format!(
                "answered after {:?}, over the {} bound",
                call.elapsed,
                humantime::format_duration(bound)
            ),
            Mismatch::new(within(bound), format!("an answer after {:?}", call.elapsed)),
        )),
        _ => Verdict::Pass,
    }
}

fn within(bound: std::time::Duration) -> String {
    format!("an answer within {}", humantime::format_duration(bound))
}

pub(super) fn run(cell: &Cell<'_>) -> PropertyRun {
    let strategy = damaged_cases(cell.cases.valid(), Mix::Half);
    cell.drive(&strategy, |case| check(cell, case))
}
