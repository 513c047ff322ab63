//! `deterministic`: asking twice about the same body gives the same answer: the same accepted
//! event with the same fields, or a rejection both times (the wording of a rejection is not
//! part of the answer).

use super::{Cell, PropertyRun};
use crate::certify::Mismatch;
use crate::certify::call::Answer;
use crate::certify::drive::{Failure, Verdict};
use crate::certify::source::{Case, Mix, damaged_cases};

pub(super) fn check(cell: &Cell<'_>, case: &Case) -> Verdict {
    let first = cell.call(&case.body).answer;
    let second = cell.call(&case.body).answer;
    match (&first, &second) {
        // Panics, crashes and hangs are other properties' failures.
        (Answer::Fault { .. }, _) | (_, Answer::Fault { .. }) => Verdict::NotApplicable,
        (Answer::Rejected(_), Answer::Rejected(_)) => Verdict::Pass,
        (Answer::Accepted(a), Answer::Accepted(b)) if a == b => Verdict::Pass,
        (Answer::Accepted(a), Answer::Accepted(b)) => Verdict::Fail(Failure::new(
            format!("asked twice, the parser reported different events: first {a:?}, then {b:?}"),
            Mismatch::new(format!("{a:?} again"), format!("{b:?}")),
        )),
        _ => Verdict::Fail(Failure::new(
            format!(
                "asked twice, the parser first {}, then {}",
                first.describe(),
                second.describe()
            ),
            Mismatch::new(
                format!("the same answer again ({})", first.describe()),
                second.describe(),
            ),
        )),
    }
}

pub(super) fn run(cell: &Cell<'_>) -> PropertyRun {
    let strategy = damaged_cases(cell.cases.valid(), Mix::Half);
    cell.drive(&strategy, |case| check(cell, case))
}
