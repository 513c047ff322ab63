//! A listening session as a [`Report`]: a suite per event, a case per request.

use super::{Session, StopReason, record::Disposition, record::Record};
use crate::report::{
    Case, Counterexample, Finding, Outcome as CaseOutcome, Property, Report, Suite,
};
use crate::validate::check::Verdict;

/// Bodies longer than this are cut in reports (the recording keeps them whole).
const BODY_IN_REPORT: usize = 4096;

/// The suite a record belongs to: its event key, or what kept it from having one.
pub(super) fn suite_name(r: &Record) -> String {
    match (&r.validation, r.outcome) {
        (Some(v), _) if v.key().is_some() => v.key().unwrap_or_default().to_owned(),
        (Some(Verdict::Malformed { .. }), _) => "(not JSON)".into(),
        (Some(Verdict::Undetected { .. }), _) => "(unrecognised)".into(),
        (_, Disposition::TooLarge) => "(too large)".into(),
        (_, Disposition::Incomplete) => "(incomplete)".into(),
        (_, Disposition::Ignored) => "(not POST)".into(),
        (_, Disposition::Rejected) => "(rejected by HTTP)".into(),
        (_, Disposition::Interrupted) => "(interrupted)".into(),
        _ => "(error)".into(),
    }
}

fn classname(suite: &str) -> String {
    let clean: String = suite
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!("hookcheck.listen.{}", clean.trim_matches('_'))
}

fn detail(r: &Record) -> String {
    let mut lines = Vec::new();
    for s in r.signatures.iter().filter(|s| !s.ok) {
        lines.push(format!(
            "signature ({}): {}",
            s.scheme,
            s.message.as_deref().unwrap_or_default()
        ));
    }
    match &r.validation {
        Some(Verdict::Invalid { violations, .. }) => {
            for v in violations {
                let at = if v.instance_path.is_root() {
                    "<root>"
                } else {
                    v.instance_path.as_str()
                };
                lines.push(format!("{at}: {}: {}", v.keyword, v.message));
            }
        }
        Some(Verdict::Undetected { pointer, message }) => {
            lines.push(format!("{}: envelope: {message}", pointer.as_str()));
        }
        Some(Verdict::Malformed { message }) => lines.push(format!("not JSON: {message}")),
        _ => {}
    }
    if let Some(p) = &r.problem {
        lines.push(p.clone());
    }
    lines.join("\n")
}

fn message(r: &Record) -> String {
    let what = match (&r.validation, r.outcome) {
        (_, Disposition::Unauthorized) => "signature not valid".to_owned(),
        (Some(Verdict::Invalid { violations, .. }), _) => {
            format!("{} schema violation(s)", violations.len())
        }
        (Some(Verdict::Undetected { .. }), _) => "no known webhook envelope or event".to_owned(),
        (Some(Verdict::Malformed { .. }), _) => "body is not JSON".to_owned(),
        (_, Disposition::TooLarge) => "body over the size limit".to_owned(),
        (_, Disposition::Incomplete) => "request not received completely".to_owned(),
        (_, Disposition::Rejected) => "request refused by the HTTP parser".to_owned(),
        (_, Disposition::Interrupted) => "session ended before the request was answered".to_owned(),
        _ => r.problem.clone().unwrap_or_default(),
    };
    match r.status {
        0 => format!("no answer: {what}"),
        status => format!("HTTP {status}: {what}"),
    }
}

fn body_excerpt(r: &Record) -> Option<Counterexample> {
    let (text, what) = match (&r.body_text, &r.body_base64) {
        (Some(t), _) => (t.clone(), "request body"),
        (None, Some(b)) => (b.clone(), "request body (base64: not UTF-8)"),
        (None, None) => return None,
    };
    let (input, note) = if text.len() > BODY_IN_REPORT {
        let mut cut = BODY_IN_REPORT;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        (
            text[..cut].to_owned(),
            format!(
                "{what}, first {cut} of {} bytes; the recording has it whole",
                text.len()
            ),
        )
    } else {
        (text, what.to_owned())
    };
    Some(Counterexample {
        seed: None,
        input,
        note: Some(note),
    })
}

/// The findings of a failing request: one per schema violation, else one for its outcome,
/// each at the request's line of the recording (`at`: its path and the line), if there is one.
fn findings(r: &Record, at: Option<(&str, u64)>) -> Vec<Finding> {
    if matches!(
        r.outcome,
        Disposition::Conforming | Disposition::Ignored | Disposition::Deferred
    ) {
        return Vec::new();
    }
    let mut found: Vec<Finding> = match &r.validation {
        Some(Verdict::Invalid { violations, .. }) if r.outcome == Disposition::Nonconforming => {
            violations.iter().map(Finding::violation).collect()
        }
        _ => vec![Finding::new(
            format!("listen/{}", r.outcome.as_str()),
            format!("{} {}: {}", r.method, r.path, message(r)),
        )],
    };
    if let Some((file, line)) = at {
        found = found
            .into_iter()
            .map(|f| f.in_file(file, Some(line)))
            .collect();
    }
    found
}

pub(super) fn case(r: &Record, suite: &str, at: Option<(&str, u64)>) -> Case {
    let outcome = match r.outcome {
        Disposition::Conforming | Disposition::Deferred => CaseOutcome::Passed,
        Disposition::Ignored => CaseOutcome::Skipped {
            reason: r.problem.clone().unwrap_or_default(),
        },
        Disposition::Error => CaseOutcome::Error {
            message: message(r),
            detail: Some(detail(r)),
        },
        _ => CaseOutcome::Failed {
            message: message(r),
            detail: Some(detail(r)),
            counterexample: body_excerpt(r),
        },
    };
    let mut properties = vec![
        Property::new("status", r.status.to_string()),
        Property::new("received_at", r.received_at.clone()),
        Property::new("body_size", r.body_size.to_string()),
    ];
    if r.outcome == Disposition::Deferred {
        properties.push(Property::new("outcome", r.outcome.as_str()));
    }
    for s in &r.signatures {
        properties.push(Property::new(
            format!("signature.{}", s.scheme),
            if s.ok {
                "ok"
            } else {
                s.error.unwrap_or("failed")
            },
        ));
    }
    Case {
        name: format!("#{} {} {}", r.seq, r.method, r.path),
        classname: classname(suite),
        outcome,
        duration: Some(std::time::Duration::from_secs_f64(r.duration_ms / 1000.0)),
        properties,
        counts: None,
        findings: findings(r, at),
    }
}

impl Session {
    /// The session as a report: one suite per detected event (sorted by name), then suites
    /// for bodies without one, a case per request in the order recorded (up to the limits
    /// of [`super::tally`], then one summary case per suite), and a failed case when fewer
    /// requests arrived than expected.
    #[must_use]
    pub fn to_report(&self) -> Report {
        let mut report = Report::new(format!("hookcheck listen on {}", self.addr));
        report.started = Some(self.started);
        report.duration = Some(self.duration);
        report.properties.push(Property::new(
            "stopped",
            match self.reason {
                StopReason::Expected => "expected number of requests received",
                StopReason::TimedOut => "timeout",
                StopReason::Stopped => "interrupted",
            },
        ));
        let mut suites = Vec::new();
        for (name, listed) in &self.tally.suites {
            let mut suite = Suite::new(name.clone());
            suite.cases.extend(listed.cases.iter().cloned());
            suite.cases.extend(listed.unlisted.case(classname(name)));
            suites.push(suite);
        }
        // Event suites first (they sort before the parenthesised ones anyway: '(' < 'a').
        let (events, others): (Vec<Suite>, Vec<Suite>) =
            suites.into_iter().partition(|s| !s.name.starts_with('('));
        report.suites = events.into_iter().chain(others).collect();
        if let (Some(expect), Some(missing)) = (self.expect, self.shortfall()) {
            report.suites.push(Suite::new("(session)").with_case(
                Case::new("expected requests", "hookcheck.listen.session").with_outcome(
                    CaseOutcome::failed(format!(
                        "expected {expect} request(s), received {} ({missing} missing)",
                        self.counted()
                    )),
                ),
            ));
        }
        report.properties.extend(self.deliveries.note());
        report.suites.extend(self.deliveries.to_suite());
        report.suites.extend(self.coverage.to_suite());
        report.coverage = Some(self.coverage.clone());
        report
    }
}
