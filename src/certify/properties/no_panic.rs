//! `no-panic`: no body, however damaged, makes the parser panic (in process) or crash (a
//! subprocess adapter).

use super::{Cell, PropertyRun};
use crate::certify::Mismatch;
use crate::certify::call::{Answer, FaultKind};
use crate::certify::drive::{Failure, Verdict};
use crate::certify::source::{Case, Mix, damaged_cases};

pub(super) fn check(cell: &Cell<'_>, case: &Case) -> Verdict {
    match cell.call(&case.body).answer {
        Answer::Fault {
            kind: kind @ (FaultKind::Panicked | FaultKind::Crashed),
            detail,
        } => {
            let what = if kind == FaultKind::Panicked {
                "panicked"
            } else {
                "crashed"
            };
            Verdict::Fail(Failure::new(
                format!(
                    "the parser {what} on a {} body: {detail}",
                    describe_mutation(case.mutation)
                ),
                Mismatch::new(
                    "an answer (accepted or rejected)",
                    format!("{what}: {detail}"),
                ),
            ))
        }
        _ => Verdict::Pass,
    }
}

fn describe_mutation(mutation: &str) -> &str {
    match mutation {
        "none" => "valid",
        "truncate" => "truncated",
        "flip-bits" => "bit-flipped",
        "splice" => "spliced",
        "insert" => "damaged",
        "random" => "random",
        other => other,
    }
}

pub(super) fn run(cell: &Cell<'_>) -> PropertyRun {
    let strategy = damaged_cases(cell.cases.valid(), Mix::MostlyDamaged);
    cell.drive(&strategy, |case| check(cell, case))
}
