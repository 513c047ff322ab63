//! `reports-fields`: the key fields an accepted payload carries (event id, message id,
//! timestamp, recipient) are reported as they are in the payload. Fields the vendor never
//! sends, or this event's payloads never carry, are listed as not applicable.

use std::cell::RefCell;
use std::collections::BTreeSet;

use super::{Cell, PropertyRun};
use crate::certify::Mismatch;
use crate::certify::call::Answer;
use crate::certify::drive::{Failure, Verdict};
use crate::certify::fields::{self, Expected, Field};
use crate::certify::source::{Case, valid_cases};

/// The verdict, and the fields that were compared.
pub(super) fn check(cell: &Cell<'_>, case: &Case) -> (Verdict, Vec<Field>) {
    let Some(payload) = &case.payload else {
        return (Verdict::NotApplicable, Vec::new());
    };
    if let Err(e) = cell.confirm_valid(case) {
        return (Verdict::Broken(e), Vec::new());
    }
    let (vendor, event) = (cell.vendor(), cell.entry.event());
    let expected: Vec<(Field, Expected)> = Field::ALL
        .into_iter()
        .map(|f| (f, fields::expected(f, vendor, event, payload)))
        .filter(|(_, e)| *e != Expected::NotApplicable)
        .collect();
    if expected.is_empty() {
        return (Verdict::NotApplicable, Vec::new());
    }
    let Answer::Accepted(reported) = cell.call(&case.body).answer else {
        // Not accepting a valid payload is `accepts-valid`'s failure.
        return (Verdict::NotApplicable, Vec::new());
    };
    let mismatches: Vec<(Field, Mismatch)> = expected
        .iter()
        .filter_map(|(f, e)| {
            let m = fields::compare(*f, e, &reported).err()?;
            Some((
                *f,
                match f.spec(vendor) {
                    Some(spec) => m.at(spec.pointer_for(event).as_str()),
                    None => m,
                },
            ))
        })
        .collect();
    let compared = expected.iter().map(|(f, _)| *f).collect();
    if mismatches.is_empty() {
        return (Verdict::Pass, compared);
    }
    let message = mismatches
        .iter()
        .map(|(f, m)| {
            format!(
                "{f}: expected {}, the parser reported {}",
                m.expected, m.actual
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    let failure = Failure {
        message,
        mismatches: mismatches.into_iter().map(|(_, m)| m).collect(),
    };
    (Verdict::Fail(failure), compared)
}

pub(super) fn run(cell: &Cell<'_>) -> PropertyRun {
    if !cell.target.fidelity().reports_fields() {
        return PropertyRun {
            skipped: Some(format!(
                "not applicable: the parser does not report key fields (fidelity {})",
                cell.target.fidelity()
            )),
            ..PropertyRun::default()
        };
    }
    let compared = RefCell::new(BTreeSet::new());
    let strategy = valid_cases(cell.cases.valid());
    let mut run = cell.drive(&strategy, |case| {
        let (verdict, fields) = check(cell, case);
        compared.borrow_mut().extend(fields);
        verdict
    });
    let compared = compared.into_inner();
    let absent: Vec<&str> = Field::ALL
        .into_iter()
        .filter(|f| !compared.contains(f))
        .map(Field::as_str)
        .collect();
    if !compared.is_empty() {
        let names: Vec<&str> = compared.iter().map(|f| f.as_str()).collect();
        run.notes.push(format!("compared: {}", names.join(", ")));
    }
    if !absent.is_empty() {
        run.notes.push(format!(
            "not applicable (not carried by these payloads): {}",
            absent.join(", ")
        ));
    }
    if compared.is_empty() && run.failure.is_none() && run.broken.is_none() {
        run.skipped = Some(if run.passed + run.not_applicable > 0 && run.passed == 0 {
            format!(
                "no accepted payload carried a key field ({} tried)",
                run.not_applicable
            )
        } else {
            "the event carries none of the key fields".to_owned()
        });
    }
    run
}
