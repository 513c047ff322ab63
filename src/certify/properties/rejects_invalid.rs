//! `rejects-invalid`: a payload with a defect that the reject policy says MUST be rejected is
//! rejected (a rejection, not a crash or a hang). Defects the policy says MAY be accepted are
//! counted, accepted or rejected, and never fail the cell.
//!
//! Two kinds of case: the generator's labelled negatives (each breaks one schema keyword at one
//! place), all of them checked rather than sampled, since each targets a different keyword or
//! place; and truncated bodies (not JSON at all), drawn and shrunk by proptest. A failing
//! negative is minimised by dropping and simplifying members while its must-reject violations
//! stay exactly the same and the parser still accepts it.

use std::sync::Arc;

use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::Value;

use super::{Cell, PropertyRun};
use crate::certify::Mismatch;
use crate::certify::call::Answer;
use crate::certify::drive::{Failure, ShrinkStop, Stops, Verdict};
use crate::certify::shrink::minimize;
use crate::certify::source::{Case, body_of};
use crate::parser::policy;
use crate::validate::Violation;

pub(super) fn check(cell: &Cell<'_>, case: &Case) -> Verdict {
    match &case.payload {
        None => judge(cell, case, not_json),
        Some(payload) => match must_reject_violations(cell, payload) {
            Ok(d) if d.is_empty() => Verdict::NotApplicable,
            Ok(d) => judge(cell, case, || words(&d)),
            Err(e) => Verdict::Broken(e),
        },
    }
}

/// The defect of a body that is not JSON, in words.
fn not_json() -> String {
    "the body is not JSON".to_owned()
}

/// Violations in words, as failure messages list them.
fn words(violations: &[Violation]) -> String {
    violations
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// Sends `case`, a body that must be rejected, and judges the answer. `defects` says why it
/// must be, in words, and is only asked for a failure.
fn judge(cell: &Cell<'_>, case: &Case, defects: impl FnOnce() -> String) -> Verdict {
    match cell.call(&case.body).answer {
        Answer::Rejected(_) => Verdict::Pass,
        other => {
            let defects = defects();
            Verdict::Fail(Failure::new(
                format!(
                    "{defects} (must be rejected), but the parser {}",
                    other.describe()
                ),
                Mismatch::new("rejected", other.describe()),
            ))
        }
    }
}

/// The violations of `payload` that the reject policy says must be rejected.
pub(crate) fn must_reject_violations(
    cell: &Cell<'_>,
    payload: &Value,
) -> Result<Vec<Violation>, String> {
    let validator = cell.entry.validator().map_err(|e| e.to_string())?;
    let mut found = validator.violations(payload);
    found.retain(|v| policy::must_reject(cell.vendor(), v, payload));
    Ok(found)
}

pub(super) fn run(cell: &Cell<'_>) -> PropertyRun {
    let mut run = PropertyRun::default();
    let (mut may_accepted, mut may_rejected, mut must) = (0u64, 0u64, 0u64);
    let negatives = cell.cases.negatives(cell.seed, cell.config.cases as usize);
    let made_negatives = !negatives.is_empty();
    let validator = match cell.entry.validator() {
        Ok(v) => v,
        Err(e) => {
            run.broken = Some(e.to_string());
            return run;
        }
    };
    for negative in negatives {
        if let Some(halt) = cell.halted() {
            run.halted = Some(halt);
            break;
        }
        // Where and what: messages are written only for a failure.
        let mut violations = validator.located_violations(&negative.value);
        if !violations
            .iter()
            .any(|v| v.keyword == negative.keyword && v.instance_path == negative.instance_path)
        {
            let violations = validator.violations(&negative.value);
            run.broken = Some(format!(
                "the generator's negative \"{}\" claims to break {} at {:?}, but the validator reports {}",
                negative.description,
                negative.keyword,
                negative.instance_path.as_str(),
                if violations.is_empty() {
                    "no violation".to_owned()
                } else {
                    violations
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("; ")
                }
            ));
            return run;
        }
        violations.retain(|v| policy::must_reject(cell.vendor(), v, &negative.value));
        let must_set: Vec<_> = violations
            .iter()
            .map(|v| (v.keyword.clone(), v.instance_path.clone()))
            .collect();
        let description = negative.description;
        let case = Case::payload(Arc::new(negative.value));
        let faults_before = cell.faults.get().faults;
        let first_fault = |run: &mut PropertyRun| {
            if run.first_fault.is_none() && cell.faults.get().faults > faults_before {
                run.first_fault = Some(case.clone());
            }
        };
        if must_set.is_empty() {
            match cell.call(&case.body).answer {
                Answer::Accepted(_) => may_accepted += 1,
                _ => may_rejected += 1,
            }
            first_fault(&mut run);
            continue;
        }
        must += 1;
        let verdict = judge(cell, &case, || match &case.payload {
            Some(payload) => words(&must_reject_violations(cell, payload).unwrap_or_default()),
            None => not_json(),
        });
        first_fault(&mut run);
        match verdict {
            Verdict::Pass | Verdict::NotApplicable => run.passed += 1,
            Verdict::Broken(e) => {
                run.broken = Some(e);
                return run;
            }
            Verdict::Fail(_) => {
                let stops = Stops::default();
                let base = cell.faults.get();
                let over = || {
                    let now = cell.faults.get();
                    now.costly - base.costly >= stops.shrink_faults
                        || now.timeouts - base.timeouts >= stops.shrink_timeouts
                };
                let same_defect = |v: &Value| {
                    if over() {
                        return false;
                    }
                    let set: Vec<_> = validator
                        .located_violations(v)
                        .iter()
                        .filter(|x| policy::must_reject(cell.vendor(), x, v))
                        .map(|x| (x.keyword.clone(), x.instance_path.clone()))
                        .collect();
                    set == must_set && !matches!(cell.call(&body_of(v)).answer, Answer::Rejected(_))
                };
                let limits = cell.limits();
                let original = case.payload.as_deref().cloned().unwrap_or_default();
                let (minimal, steps) = minimize(original, limits.steps, limits.time, same_defect);
                run.shrink_steps = steps;
                if over() {
                    run.shrink_stop =
                        Some(ShrinkStop::Faults(cell.faults.get().costly - base.costly));
                } else if steps >= limits.steps {
                    run.shrink_stop = Some(ShrinkStop::Steps(limits.steps));
                }
                let minimal = Case::payload(Arc::new(minimal));
                let mut failure = match check(cell, &minimal) {
                    Verdict::Fail(f) => f,
                    // The parser answered differently this time (not deterministic): report
                    // the original negative instead.
                    _ => match check(cell, &case) {
                        Verdict::Fail(f) => f,
                        _ => Failure::new(
                            "the parser accepted this payload once and rejected it later",
                            Mismatch::new("rejected", "accepted it once, rejected it later"),
                        ),
                    },
                };
                failure.message = format!("{} [{description}]", failure.message);
                run.failure = Some((minimal, failure));
                break;
            }
        }
    }
    // Bodies that are not JSON at all: truncated valid payloads.
    if run.failure.is_none() && run.halted.is_none() {
        let strategy =
            (cell.cases.valid(), any::<Index>()).prop_map(|(v, at)| Case::truncated(&v, at));
        let truncations = (cell.config.cases / 4).max(1);
        let driven = cell.drive_n(truncations, &strategy, |case| {
            if case.payload.is_some() {
                return Verdict::NotApplicable;
            }
            judge(cell, case, not_json)
        });
        run.passed += driven.passed;
        run.not_applicable += driven.not_applicable;
        run.shrink_steps += driven.shrink_steps;
        run.shrink_stop = driven.shrink_stop;
        run.broken = driven.broken;
        run.halted = driven.halted;
        run.first_fault = run.first_fault.or(driven.first_fault);
        run.failure = driven.failure;
        run.counts
            .insert("not_json".into(), u64::from(driven.passed));
    }
    run.counts.insert("must_reject".into(), must);
    run.counts
        .insert("may_accept_accepted".into(), may_accepted);
    run.counts
        .insert("may_accept_rejected".into(), may_rejected);
    if !made_negatives {
        run.notes
            .push("the generator made no keyword-violating payloads for this event".into());
    }
    run
}
