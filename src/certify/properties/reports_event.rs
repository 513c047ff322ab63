//! `reports-event`: an accepted payload is reported with its wire event name.

use super::{Cell, PropertyRun};
use crate::certify::Mismatch;
use crate::certify::call::Answer;
use crate::certify::drive::{Failure, Verdict};
use crate::certify::source::{Case, valid_cases};
use crate::parser::policy;

pub(super) fn check(cell: &Cell<'_>, case: &Case) -> Verdict {
    if case.payload.is_none() {
        return Verdict::NotApplicable;
    }
    if let Err(e) = cell.confirm_valid(case) {
        return Verdict::Broken(e);
    }
    let want = cell.entry.event();
    let at = policy::event_name_pointer(cell.vendor());
    let mismatch = |actual: String| Mismatch::new(format!("{want:?}"), actual).at(at.as_str());
    match cell.call(&case.body).answer {
        Answer::Accepted(reported) => match reported.event.as_deref() {
            Some(got) if got == want => Verdict::Pass,
            Some(got) => Verdict::Fail(Failure::new(
                format!("the payload is a {want:?} event, the parser reported {got:?}"),
                mismatch(format!("{got:?}")),
            )),
            None => Verdict::Fail(Failure::new(
                format!("the payload is a {want:?} event, the parser reported no event name"),
                mismatch("no event name".to_owned()),
            )),
        },
        // Not accepting a valid payload is `accepts-valid`'s failure; nothing to compare here.
        _ => Verdict::NotApplicable,
    }
}

pub(super) fn run(cell: &Cell<'_>) -> PropertyRun {
    if !cell.target.fidelity().reports_event() {
        return PropertyRun {
            skipped: Some(format!(
                "not applicable: the parser reports verdicts only (fidelity {}), not event names",
                cell.target.fidelity()
            )),
            ..PropertyRun::default()
        };
    }
    let strategy = valid_cases(cell.cases.valid());
    let mut run = cell.drive(&strategy, |case| check(cell, case));
    if run.passed == 0 && run.failure.is_none() && run.broken.is_none() {
        run.skipped = Some(format!(
            "the parser accepted none of the {} valid payloads tried (see accepts-valid)",
            run.not_applicable
        ));
    }
    run
}
