//! Delivery behaviour: deferring the first deliveries of each event, and checking retries.
//!
//! With [`Deliveries::fail_first`] `K > 0`, the listener answers the first `K` conforming
//! deliveries of each event 503 (or, in [`FailMode::Stall`], holds them past the sender's
//! timeout, then answers 503 and closes the connection), recorded as
//! [`Disposition::Deferred`]: not a failure in itself, and not counted towards `expect`. A
//! producer is then expected to deliver the event again with the same event id and a
//! byte-identical body.
//!
//! An event is known by its **event key**: the vendor's event id where the envelope has one
//! (Postal `uuid`, GetMailer `id`), else (msndr, whose envelope carries only the message id)
//! the body's bytes. The key and the body are kept as 64-bit hashes, with the time and
//! sequence number of the event's first and last deliveries: memory grows with the number of
//! events, never with body sizes or retries.
//!
//! At the end, [`DeliveryReport`] says how many events were deferred and retried, the delays
//! between a deferral and the next delivery, the events never delivered again after a
//! deferral (a failure), the retries whose body changed (a failure), and duplicates: an
//! event delivered again after it was accepted (a note).

use std::{
    collections::HashMap,
    hash::{DefaultHasher, Hash, Hasher},
    sync::Mutex,
    time::{Duration, SystemTime},
};

use serde::Serialize;
use serde_json::Value;

use super::record::{Disposition, Record};

/// Events listed by name in each list of a [`DeliveryReport`] (the rest are counted).
pub const LISTED_EVENTS: usize = 50;

/// How a deferred delivery is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FailMode {
    /// 503 Service Unavailable at once.
    #[default]
    Status,
    /// No answer for this long (past the sender's timeout), then 503 and the connection
    /// closed.
    Stall(Duration),
}

/// What the listener does to test a producer's retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Deliveries {
    /// Defer the first this many conforming deliveries of each event (0: defer none).
    pub fail_first: u32,
    /// How to defer them.
    pub mode: FailMode,
}

fn hash(parts: &[&[u8]]) -> u64 {
    let mut h = DefaultHasher::new();
    for p in parts {
        p.hash(&mut h);
    }
    h.finish()
}

/// The event id of a body, where its vendor's envelope has one.
fn event_id<'v>(event_key: &str, body: &'v Value) -> Option<&'v str> {
    let pointer = match event_key.split('/').next()? {
        "postal" => "/uuid",
        "getmailer" => "/id",
        _ => return None,
    };
    body.pointer(pointer).and_then(Value::as_str)
}

/// The hash of a delivery's event key: the event (`vendor/event`) and its id, else the
/// body's bytes.
pub(crate) fn key_of(event_key: &str, body: &[u8], value: Option<&Value>) -> u64 {
    match value.and_then(|v| event_id(event_key, v)) {
        Some(id) => hash(&[b"id", event_key.as_bytes(), id.as_bytes()]),
        None => hash(&[b"body", body]),
    }
}

/// The handlers' count of deferrals given, per event key.
#[derive(Debug, Default)]
pub(crate) struct Deferrals {
    given: Mutex<HashMap<u64, u32>>,
}

impl Deferrals {
    /// Whether this delivery of `key` is to be deferred (and counts it if so).
    pub(crate) fn defer(&self, key: u64, fail_first: u32) -> bool {
        let mut given = self.given.lock().unwrap_or_else(|e| e.into_inner());
        let n = given.entry(key).or_insert(0);
        if *n < fail_first {
            *n += 1;
            true
        } else {
            false
        }
    }
}

/// What is kept of one event.
#[derive(Debug, Clone)]
struct Event {
    /// Index into [`Tracker::names`].
    name: usize,
    first_seq: u64,
    body: u64,
    last_at: SystemTime,
    last_deferred: bool,
    accepted: bool,
}

/// Retry delays seen: from a deferred delivery to the next delivery of the same event.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Delays {
    /// Retries measured.
    pub count: u64,
    /// The shortest, in seconds.
    pub min_s: f64,
    /// The mean, in seconds.
    pub mean_s: f64,
    /// The longest, in seconds.
    pub max_s: f64,
}

/// The writer thread's view of deliveries (see the module docs).
#[derive(Debug, Clone, Default)]
pub(crate) struct Tracker {
    /// Events followed at most without `fail_first` ([`TRACKED_EVENTS`]).
    limit: usize,
    events: HashMap<u64, Event>,
    names: Vec<String>,
    report: DeliveryReport,
    delay_sum: f64,
}

/// What the session saw of retries and duplicates.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DeliveryReport {
    /// The `fail_first` of the session.
    pub fail_first: u32,
    /// Distinct events delivered (conforming or deferred).
    pub events: u64,
    /// Deliveries deferred.
    pub deferred: u64,
    /// Deliveries that followed a deferral of the same event.
    pub retries: u64,
    /// The retry delays, if any retry arrived.
    pub delays: Option<Delays>,
    /// Events deferred and never delivered again.
    pub never_retried: u64,
    /// Retries whose body differs from the event's first delivery.
    pub changed: u64,
    /// Deliveries of an event that had already been accepted.
    pub duplicates: u64,
    /// Without `fail_first`, events past the first [`TRACKED_EVENTS`] are not followed for
    /// duplicates, so that memory stays bounded however long the session: how many.
    #[serde(skip_serializing_if = "is_zero")]
    pub untracked: u64,
    /// Up to [`LISTED_EVENTS`] of the events never retried: `#SEQ vendor/event` of the
    /// first delivery.
    pub never_retried_events: Vec<String>,
    /// Up to [`LISTED_EVENTS`] of the changed retries: `#SEQ vendor/event`.
    pub changed_events: Vec<String>,
    /// Up to [`LISTED_EVENTS`] of the duplicates: `#SEQ vendor/event`.
    pub duplicate_events: Vec<String>,
}

/// Distinct events a session without `fail_first` follows for duplicates (about 100 bytes
/// each); with `fail_first`, every deferred event must be followed until it is retried.
pub const TRACKED_EVENTS: usize = 1_000_000;

fn is_zero(n: &u64) -> bool {
    *n == 0
}

fn push_listed(list: &mut Vec<String>, item: String) {
    if list.len() < LISTED_EVENTS {
        list.push(item);
    }
}

impl Tracker {
    /// A tracker for a session deferring `fail_first` deliveries of each event.
    pub(crate) fn new(fail_first: u32) -> Self {
        Self {
            limit: TRACKED_EVENTS,
            report: DeliveryReport {
                fail_first,
                ..DeliveryReport::default()
            },
            ..Self::default()
        }
    }

    /// Follows one record: conforming and deferred deliveries with a detected event.
    pub(crate) fn add(&mut self, r: &Record, value: Option<&Value>) {
        if !matches!(r.outcome, Disposition::Conforming | Disposition::Deferred) {
            return;
        }
        let (Some(key), Some(body)) = (r.validation.as_ref().and_then(|v| v.key()), r.body())
        else {
            return;
        };
        let at = humantime::parse_rfc3339(&r.received_at).unwrap_or_else(|_| SystemTime::now());
        let deferred = r.outcome == Disposition::Deferred;
        let body_hash = hash(&[&body]);
        let id = key_of(key, &body, value);
        let label = format!("#{} {key}", r.seq);
        if deferred {
            self.report.deferred += 1;
        }
        let full = self.report.fail_first == 0 && self.events.len() >= self.limit;
        match self.events.get_mut(&id) {
            None if full => {
                self.report.untracked += 1;
            }
            None => {
                let name = match self.names.iter().position(|n| n == key) {
                    Some(i) => i,
                    None => {
                        self.names.push(key.to_owned());
                        self.names.len() - 1
                    }
                };
                self.report.events += 1;
                self.events.insert(
                    id,
                    Event {
                        name,
                        first_seq: r.seq,
                        body: body_hash,
                        last_at: at,
                        last_deferred: deferred,
                        accepted: !deferred,
                    },
                );
            }
            Some(e) => {
                if e.last_deferred {
                    self.report.retries += 1;
                    let delay = at
                        .duration_since(e.last_at)
                        .unwrap_or_default()
                        .as_secs_f64();
                    self.delay_sum += delay;
                    let d = self.report.delays.get_or_insert(Delays {
                        count: 0,
                        min_s: delay,
                        mean_s: 0.0,
                        max_s: delay,
                    });
                    d.count += 1;
                    d.min_s = d.min_s.min(delay);
                    d.max_s = d.max_s.max(delay);
                    d.mean_s = self.delay_sum / d.count as f64;
                    if e.body != body_hash {
                        self.report.changed += 1;
                        push_listed(&mut self.report.changed_events, label.clone());
                    }
                }
                if e.accepted {
                    self.report.duplicates += 1;
                    push_listed(&mut self.report.duplicate_events, label);
                }
                e.last_at = at;
                e.last_deferred = deferred;
                e.accepted |= !deferred;
            }
        }
    }

    /// The report, once every record has been added.
    pub(crate) fn finish(mut self) -> DeliveryReport {
        let mut never: Vec<(u64, usize)> = self
            .events
            .values()
            .filter(|e| e.last_deferred)
            .map(|e| (e.first_seq, e.name))
            .collect();
        never.sort_unstable();
        self.report.never_retried = never.len() as u64;
        for (seq, name) in never.into_iter().take(LISTED_EVENTS) {
            self.report
                .never_retried_events
                .push(format!("#{seq} {}", self.names[name]));
        }
        self.report
    }
}

impl DeliveryReport {
    /// Why the producer fails the retry checks: events never retried, changed retries.
    #[must_use]
    pub fn failures(&self) -> Vec<String> {
        let mut out = Vec::new();
        let more = |total: u64, listed: &[String]| {
            let rest = total.saturating_sub(listed.len() as u64);
            if rest > 0 {
                format!(" and {rest} more")
            } else {
                String::new()
            }
        };
        if self.never_retried > 0 {
            out.push(format!(
                "{} deferred event(s) never delivered again: {}{}",
                self.never_retried,
                self.never_retried_events.join(", "),
                more(self.never_retried, &self.never_retried_events)
            ));
        }
        if self.changed > 0 {
            out.push(format!(
                "{} retr(y/ies) with a body different from the first delivery: {}{}",
                self.changed,
                self.changed_events.join(", "),
                more(self.changed, &self.changed_events)
            ));
        }
        out
    }

    /// The summary lines: retries (when deliveries were deferred), failures, duplicates.
    #[must_use]
    pub fn to_text(&self) -> String {
        let mut lines = Vec::new();
        if self.fail_first > 0 {
            let delays = match &self.delays {
                Some(d) => format!(
                    "; retry delay min {:.3}s, mean {:.3}s, max {:.3}s",
                    d.min_s, d.mean_s, d.max_s
                ),
                None => String::new(),
            };
            lines.push(format!(
                "retries: {} event(s), {} deferred, {} retried{delays}",
                self.events, self.deferred, self.retries
            ));
            for f in self.failures() {
                lines.push(format!("retry check failed: {f}"));
            }
        }
        if self.duplicates > 0 {
            lines.push(format!(
                "note: {} duplicate delivery(ies) of an event already accepted: {}{}",
                self.duplicates,
                self.duplicate_events.join(", "),
                if self.duplicates > self.duplicate_events.len() as u64 {
                    " ..."
                } else {
                    ""
                }
            ));
        }
        if self.untracked > 0 {
            lines.push(format!(
                "note: {} event(s) past the first {TRACKED_EVENTS} were not followed for duplicates",
                self.untracked
            ));
        }
        lines.join("\n")
    }

    /// The duplicates as a report property (a note, not a failure), if there were any.
    #[must_use]
    pub fn note(&self) -> Option<crate::report::Property> {
        (self.duplicates > 0).then(|| {
            let more = self.duplicates > self.duplicate_events.len() as u64;
            crate::report::Property::new(
                "duplicates",
                format!(
                    "{} delivery(ies) of an event already accepted: {}{}",
                    self.duplicates,
                    self.duplicate_events.join(", "),
                    if more { " ..." } else { "" }
                ),
            )
        })
    }

    /// The retry checks as a report suite, when deliveries were deferred: `every deferred
    /// event is delivered again` and `retries carry a byte-identical body`, with the counts,
    /// delays and duplicates as properties.
    #[must_use]
    pub fn to_suite(&self) -> Option<crate::report::Suite> {
        use crate::report::{Case, Outcome as CaseOutcome, Property, Suite};
        if self.fail_first == 0 {
            return None;
        }
        let mut suite = Suite::new("(deliveries)");
        let class = "hookcheck.listen.deliveries";
        suite
            .properties
            .push(Property::new("duplicates", self.duplicates.to_string()));
        if self.fail_first > 0 {
            suite.properties.extend([
                Property::new("fail_first", self.fail_first.to_string()),
                Property::new("events", self.events.to_string()),
                Property::new("deferred", self.deferred.to_string()),
                Property::new("retries", self.retries.to_string()),
            ]);
            if let Some(d) = &self.delays {
                suite.properties.extend([
                    Property::new("retry_delay_min_s", format!("{:.3}", d.min_s)),
                    Property::new("retry_delay_mean_s", format!("{:.3}", d.mean_s)),
                    Property::new("retry_delay_max_s", format!("{:.3}", d.max_s)),
                ]);
            }
            let retried = if self.never_retried == 0 {
                CaseOutcome::Passed
            } else {
                CaseOutcome::failed(format!(
                    "{} deferred event(s) never delivered again: {}",
                    self.never_retried,
                    self.never_retried_events.join(", ")
                ))
            };
            let same = if self.changed == 0 {
                CaseOutcome::Passed
            } else {
                CaseOutcome::failed(format!(
                    "{} retr(y/ies) with a changed body: {}",
                    self.changed,
                    self.changed_events.join(", ")
                ))
            };
            suite.cases.push(
                Case::new("every deferred event is delivered again", class).with_outcome(retried),
            );
            suite
                .cases
                .push(Case::new("retries carry a byte-identical body", class).with_outcome(same));
        }
        Some(suite)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::check::Verdict;

    fn record(seq: u64, ms: u64, outcome: Disposition, body: &str) -> Record {
        let at = SystemTime::UNIX_EPOCH + Duration::from_millis(1_700_000_000_000 + ms);
        let (body_base64, body_text) = super::super::record::body_fields(body.as_bytes());
        Record {
            seq,
            received_at: humantime::format_rfc3339_micros(at).to_string(),
            remote: String::new(),
            method: "POST".into(),
            path: "/".into(),
            headers: Vec::new(),
            body_size: body.len() as u64,
            body_base64,
            body_text,
            outcome,
            status: 0,
            validation: Some(Verdict::Valid {
                key: "postal/MessageSent".into(),
            }),
            signatures: Vec::new(),
            problem: None,
            duration_ms: 0.0,
        }
    }

    fn run(records: &[Record]) -> DeliveryReport {
        let mut t = Tracker::new(1);
        for r in records {
            let v: Option<Value> = r
                .body_text
                .as_deref()
                .and_then(|b| serde_json::from_str(b).ok());
            t.add(r, v.as_ref());
        }
        t.finish()
    }

    #[test]
    fn the_event_id_is_the_key_where_the_vendor_has_one() {
        let a: Value = serde_json::json!({"uuid": "u1", "n": 1});
        let b: Value = serde_json::json!({"uuid": "u1", "n": 2});
        let key = |k: &str, v: &Value| key_of(k, v.to_string().as_bytes(), Some(v));
        assert_eq!(key("postal/MessageSent", &a), key("postal/MessageSent", &b));
        assert_ne!(key("msndr/clicked", &a), key("msndr/clicked", &b));
        assert_ne!(key("postal/MessageSent", &a), key("postal/MessageHeld", &a));
    }

    #[test]
    fn without_fail_first_the_events_followed_are_bounded() {
        let mut t = Tracker::new(0);
        t.limit = 2;
        for (seq, id) in [(1, "a"), (2, "b"), (3, "c"), (4, "a"), (5, "c")] {
            let body = format!(r#"{{"uuid":"{id}"}}"#);
            let r = record(seq, seq, Disposition::Conforming, &body);
            let v: Value = serde_json::from_str(&body).unwrap();
            t.add(&r, Some(&v));
        }
        let report = t.finish();
        // `c` arrived past the limit, twice; `a` again is a duplicate all the same.
        assert_eq!(
            (report.events, report.duplicates, report.untracked),
            (2, 1, 2)
        );
        assert!(report.to_text().contains("2 event(s) past the first"));
    }

    #[test]
    fn retries_delays_changes_and_duplicates() {
        let one = r#"{"uuid":"a","x":1}"#;
        let changed = r#"{"uuid":"a","x":2}"#;
        let other = r#"{"uuid":"b"}"#;
        let report = run(&[
            record(1, 0, Disposition::Deferred, one),
            record(2, 250, Disposition::Conforming, one),
            record(3, 300, Disposition::Conforming, one),
            record(4, 400, Disposition::Deferred, other),
        ]);
        assert_eq!(report.events, 2);
        assert_eq!((report.deferred, report.retries), (2, 1));
        let d = report.delays.unwrap();
        assert!((d.min_s - 0.25).abs() < 1e-6 && (d.max_s - 0.25).abs() < 1e-6);
        assert_eq!(report.duplicate_events, ["#3 postal/MessageSent"]);
        assert_eq!(report.never_retried_events, ["#4 postal/MessageSent"]);
        assert_eq!(report.changed, 0);
        assert_eq!(report.failures().len(), 1);

        let report = run(&[
            record(1, 0, Disposition::Deferred, one),
            record(2, 10, Disposition::Conforming, changed),
        ]);
        assert_eq!(report.changed_events, ["#2 postal/MessageSent"]);
        assert_eq!(report.never_retried, 0);
        assert_eq!(report.duplicates, 0);
    }
}
