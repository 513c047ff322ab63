//! A validation run as a [`Report`], for every report format (SARIF included): a suite per
//! event (and one for payloads that are not JSON or have no known envelope), a case per
//! payload, and for an invalid one a [`Finding`] per violation, located in its file by line and
//! column.
//!
//! Memory stays bounded however many payloads are read: up to [`LISTED_FAILURES`] failing and
//! [`LISTED_PASSES`] valid payloads are listed one case each; the rest are counted into one
//! summary case per suite.
//!
//! # Example
//!
//! ```
//! use hookcheck::catalog::Catalog;
//! use hookcheck::validate::{check::check_bytes, report::Collector};
//!
//! let body = br#"{"message": {"id": 1}, "event": {"name": "clicked", "timestamp": "soon", "data": {}}}"#;
//! let verdict = check_bytes(Catalog::builtin(), body, None, None, 1 << 20)?;
//! let mut collector = Collector::default();
//! collector.add("hook.json", None, body, &verdict);
//! let report = collector.into_report("hookcheck validate hook.json");
//! let case = &report.suites[0].cases[0];
//! let at = |pointer: &str| case.findings.iter().find(|f| f.pointer.as_deref() == Some(pointer));
//! let timestamp = at("/event/timestamp").expect("a finding for the timestamp");
//! assert_eq!((timestamp.line, timestamp.column), (Some(1), Some(66)));
//! assert_eq!(timestamp.file.as_deref(), Some("hook.json"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeMap;

use super::{check::Verdict, locate};
use crate::report::{
    Case, Finding, LISTED_FAILURES, LISTED_PASSES, Outcome, Property, Report, Suite,
};

/// Payloads of one suite that were not listed.
#[derive(Debug, Default)]
struct Unlisted {
    valid: u64,
    failing: u64,
}

/// Collects the verdicts of a validation run into a [`Report`].
#[derive(Debug, Default)]
pub struct Collector {
    suites: BTreeMap<String, (Vec<Case>, Unlisted)>,
    listed_failures: u64,
    listed_passes: u64,
}

fn suite_name(verdict: &Verdict) -> String {
    match verdict {
        Verdict::Valid { key } | Verdict::Invalid { key, .. } => key.clone(),
        Verdict::Undetected { .. } => "(no known event)".to_owned(),
        Verdict::Malformed { .. } => "(not JSON)".to_owned(),
    }
}

impl Collector {
    /// Adds the verdict on the payload `bytes`, read from `source` (at `line`, for NDJSON).
    pub fn add(&mut self, source: &str, line: Option<usize>, bytes: &[u8], verdict: &Verdict) {
        let name = suite_name(verdict);
        let failing = !verdict.is_valid();
        let (listed, limit) = if failing {
            (&mut self.listed_failures, LISTED_FAILURES)
        } else {
            (&mut self.listed_passes, LISTED_PASSES)
        };
        let (cases, unlisted) = self.suites.entry(name).or_default();
        if *listed >= limit {
            if failing {
                unlisted.failing += 1;
            } else {
                unlisted.valid += 1;
            }
            return;
        }
        *listed += 1;
        cases.push(case(source, line, bytes, verdict));
    }

    /// The report, titled `title`.
    #[must_use]
    pub fn into_report(self, title: impl Into<String>) -> Report {
        let mut report = Report::new(title);
        for (name, (cases, unlisted)) in self.suites {
            let mut suite = Suite::new(name);
            suite.cases = cases;
            let more = unlisted.valid + unlisted.failing;
            if more > 0 {
                let what = format!(
                    "{} valid, {} not (each is in the validate output)",
                    unlisted.valid, unlisted.failing
                );
                let outcome = if unlisted.failing > 0 {
                    Outcome::failed(what)
                } else {
                    Outcome::Passed
                };
                suite.cases.push(
                    Case::new(
                        format!("{more} further payload(s), not listed"),
                        "hookcheck.validate",
                    )
                    .with_outcome(outcome),
                );
            }
            report.suites.push(suite);
        }
        report
    }
}

fn case(source: &str, line: Option<usize>, bytes: &[u8], verdict: &Verdict) -> Case {
    let at = match line {
        Some(l) => format!("{source}:{l}"),
        None => source.to_owned(),
    };
    let line = line.map(|l| l as u64);
    let classname = match verdict.key() {
        Some(key) => format!(
            "hookcheck.validate.{}",
            key.split('/').next().unwrap_or(key)
        ),
        None => "hookcheck.validate".to_owned(),
    };
    let case = Case::new(at, classname);
    // The position of a value, in the file: within the payload's own line for NDJSON.
    let locate = |f: Finding, pointer: &crate::JsonPointer| {
        let position = locate::position(bytes, pointer);
        let mut f = f.in_file(
            source,
            match (line, position) {
                (Some(l), Some(p)) => Some(l + p.line - 1),
                (Some(l), None) => Some(l),
                (None, p) => p.map(|p| p.line),
            },
        );
        f.column = position.map(|p| p.column);
        f
    };
    match verdict {
        Verdict::Valid { .. } => case,
        Verdict::Invalid { violations, .. } => {
            let mut case = case.with_outcome(Outcome::Failed {
                message: format!("{} schema violation(s)", violations.len()),
                detail: Some(
                    violations
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("\n"),
                ),
                counterexample: None,
            });
            for v in violations {
                case = case.with_finding(locate(Finding::violation(v), &v.instance_path));
            }
            case
        }
        Verdict::Undetected { pointer, message } => case
            .with_outcome(Outcome::failed(message.clone()))
            .with_finding(locate(
                Finding {
                    pointer: Some(pointer.as_str().to_owned()),
                    ..Finding::new("schema/envelope", message.clone())
                },
                pointer,
            )),
        Verdict::Malformed { message } => case
            .with_outcome(Outcome::failed(message.clone()))
            .with_finding(Finding::new("schema/json", message.clone()).in_file(source, line)),
    }
    .with_property("bytes", bytes.len().to_string())
}

/// A property naming the inputs of a run, for [`Report::properties`].
#[must_use]
pub fn inputs_property(paths: &[String]) -> Property {
    Property::new("inputs", paths.join(" "))
}
