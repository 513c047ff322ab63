//! `deterministic`: asking twice about the same body gives the same answer: the same accepted
//! event with the same fields, or a rejection both times (the wording of a rejection is not
//! part of the answer).

use super::{Cell, PropertyRun};
use crate::certify::call::Answer;
use crate::certify::drive::Verdict;
use crate::certify::source::{Case, Mix, damaged_cases};

pub(super) fn check(cell: &Cell<'_>, case: &Case) -> Verdict {
    let first = cell.call(&case.body).answer;
    let second = cell.call(&case.body).answer;
    match (&first, &second) {
        // Panics, crashes and hangs are other properties' failures.
        (Answer::Fault { .. }, _) | (_, Answer::Fault { .. }) => Verdict::NotApplicable,
        (Answer::Rejected(_), Answer::Rejected(_)) => Verdict::Pass,
        (Answer::Accepted(a), Answer::Accepted(b)) if a == b => Verdict::Pass,
        (Answer::Accepted(a), Answer::Accepted(b)) => Verdict::Fail(format!(
            "asked twice, the parser reported different events: first {a:?}, then {b:?}"
        )),
        _ => Verdict::Fail(format!(
            "asked twice, the parser first {}, then {}",
            first.describe(),
            second.describe()
        )),
    }
}

pub(super) fn run(cell: &Cell<'_>) -> PropertyRun {
    let strategy = damaged_cases(cell.cases.valid(), Mix::Half);
    cell.drive(&strategy, |case| check(cell, case))
}
