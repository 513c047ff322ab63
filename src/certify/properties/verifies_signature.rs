//! `verifies-signature`: a receiver that is sent signed bodies refuses, with a 4xx, every
//! forged request: no signature, a wrong one, one made with another key, a valid one over
//! different bytes, a truncated one, and (Standard Webhooks) one dated outside the tolerance.
//! It runs only for the vendors whose bodies the target signs.

use super::{Cell, PropertyRun};
use crate::certify::Mismatch;
use crate::certify::call::Answer;
use crate::certify::drive::{Failure, Verdict};
use crate::certify::source::{Case, valid_cases};
use crate::signature::forge::Forgery;

pub(super) fn check(cell: &Cell<'_>, case: &Case) -> Verdict {
    if case.payload.is_none() {
        return Verdict::NotApplicable;
    }
    if let Err(e) = cell.confirm_valid(case) {
        return Verdict::Broken(e);
    }
    let forgeries = match cell.target.forgeries(cell.vendor(), &case.body) {
        Ok(f) if f.is_empty() => return Verdict::NotApplicable,
        Ok(f) => f,
        Err(e) => return Verdict::Broken(format!("could not sign the body: {e}")),
    };
    for forgery in &forgeries {
        let call = cell.target.call_forged(cell.vendor(), forgery);
        cell.count(&call.answer);
        match call.answer {
            Answer::Rejected(_) => {}
            Answer::Accepted(_) => {
                return Verdict::Fail(Failure::new(
                    format!(
                        "SECURITY: the receiver accepted a forged request ({}): {}",
                        describe(forgery.name),
                        request(forgery)
                    ),
                    refused(forgery, "accepted it".to_owned()),
                ));
            }
            other => {
                return Verdict::Fail(Failure::new(
                    format!(
                        "a forged request ({}) was not refused with a 4xx: the receiver {}; {}",
                        describe(forgery.name),
                        other.describe(),
                        request(forgery)
                    ),
                    refused(forgery, other.describe()),
                ));
            }
        }
    }
    Verdict::Pass
}

/// The mismatch of a forgery the receiver did not refuse.
fn refused(forgery: &Forgery, actual: String) -> Mismatch {
    Mismatch::new(
        format!(
            "a 4xx refusal of the forged request ({})",
            describe(forgery.name)
        ),
        actual,
    )
}

fn describe(name: &str) -> &str {
    match name {
        "missing" => "no signature",
        "wrong" => "a wrong signature",
        "other-key" => "a signature made with another key",
        "other-bytes" => "a valid signature over different bytes",
        "truncated" => "a truncated signature",
        "expired" => "a signature dated outside the tolerance",
        other => other,
    }
}

/// The forged request as sent: its signature headers and body.
fn request(forgery: &Forgery) -> String {
    let headers: Vec<String> = forgery
        .headers
        .iter()
        .map(|(n, v)| format!("{n}: {v}"))
        .collect();
    format!(
        "headers [{}], body {}",
        headers.join(", "),
        crate::adapters::snippet(&forgery.body)
    )
}

pub(super) fn run(cell: &Cell<'_>) -> PropertyRun {
    if !cell.target.signs(cell.vendor()) {
        return PropertyRun {
            skipped: Some(format!(
                "not applicable: no key or secret was given for {} bodies",
                cell.vendor()
            )),
            ..PropertyRun::default()
        };
    }
    // Each case sends every forgery: a few dozen bodies say as much as thousands would.
    let cases = (cell.config.cases / 16).clamp(1, 128);
    let strategy = valid_cases(cell.cases.valid());
    cell.drive_n(cases, &strategy, |case| check(cell, case))
}
