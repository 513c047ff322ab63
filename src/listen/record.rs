//! One received request, as recorded, and the single writer that records them.
//!
//! Every request becomes a [`Record`]: method, path, every header, the raw body (base64, and
//! as text too when it is UTF-8), what hookcheck concluded and what it answered. Records go
//! over a bounded channel to one writer thread, which appends them to the NDJSON file (one
//! JSON object per line) and adds them to the session's streaming tally ([`super::tally`]);
//! the record itself is then dropped (unless the session keeps records, for tests and small
//! library uses). One
//! writer means concurrent requests can never interleave or lose lines; the file is flushed
//! whenever the channel runs dry and when the writer finishes.

use std::{
    fs::File,
    io::{self, BufWriter, Write},
    path::PathBuf,
    thread,
};

use base64::{Engine as _, engine::general_purpose::STANDARD as B64};
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

use super::tally::Tally;
use crate::signature::Scheme;
use crate::validate::check::Verdict;

/// What the listener concluded about a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Disposition {
    /// Signature (if checked) verified and the body conforms to its event's schema: 200.
    Conforming,
    /// The body is not JSON, has no known envelope, or violates its schema: 400.
    Nonconforming,
    /// A signature that was required is missing or wrong: 401.
    Unauthorized,
    /// The body is larger than the limit: 413.
    TooLarge,
    /// The body could not be read completely (client stalled or disconnected): 408 or 400.
    Incomplete,
    /// Not a POST: 405. Not a webhook delivery, so not counted or judged.
    Ignored,
    /// The HTTP layer refused the request before it had a method and path: a malformed
    /// request line or header, too many or too large headers, conflicting `Content-Length`s.
    /// Answered 400 or 431 by the HTTP parser.
    Rejected,
    /// The session ended (after its grace period) before the request was answered, or the
    /// client went away before its headers were complete. No answer (status 0).
    Interrupted,
    /// A schema could not be compiled: 500. A harness fault, not the sender's.
    Error,
    /// A conforming delivery answered 503 (or stalled) on purpose, to test the sender's
    /// retries (`--fail-first`). Not a failure, and not counted towards `expect`.
    Deferred,
}

impl Disposition {
    /// The word used in reports and logs.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Disposition::Conforming => "conforming",
            Disposition::Nonconforming => "nonconforming",
            Disposition::Unauthorized => "unauthorized",
            Disposition::TooLarge => "too_large",
            Disposition::Incomplete => "incomplete",
            Disposition::Ignored => "ignored",
            Disposition::Rejected => "rejected",
            Disposition::Interrupted => "interrupted",
            Disposition::Error => "error",
            Disposition::Deferred => "deferred",
        }
    }

    /// Whether the sender is at fault (everything but conforming, ignored and harness errors).
    #[must_use]
    pub fn is_failure(self) -> bool {
        matches!(
            self,
            Disposition::Nonconforming
                | Disposition::Unauthorized
                | Disposition::TooLarge
                | Disposition::Incomplete
                | Disposition::Rejected
                | Disposition::Interrupted
        )
    }
}

/// One request header. The value is kept as text when it is UTF-8, else as base64.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// The name, lower case (as HTTP/1 parsers normalise it).
    pub name: String,
    /// The value, when it is valid UTF-8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// The value's bytes in base64, when it is not UTF-8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_base64: Option<String>,
}

impl Header {
    /// Records a header value losslessly.
    #[must_use]
    pub fn new(name: &str, value: &[u8]) -> Self {
        match std::str::from_utf8(value) {
            Ok(text) => Self {
                name: name.to_owned(),
                value: Some(text.to_owned()),
                value_base64: None,
            },
            Err(_) => Self {
                name: name.to_owned(),
                value: None,
                value_base64: Some(B64.encode(value)),
            },
        }
    }

    /// The value's bytes.
    #[must_use]
    pub fn bytes(&self) -> Vec<u8> {
        match (&self.value, &self.value_base64) {
            (Some(v), _) => v.as_bytes().to_vec(),
            (None, Some(b)) => B64.decode(b).unwrap_or_default(),
            (None, None) => Vec::new(),
        }
    }
}

/// The outcome of one signature check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignatureCheck {
    /// The scheme checked.
    pub scheme: Scheme,
    /// Whether it verified.
    pub ok: bool,
    /// The error kind (`missing`, `mismatch`, ...) when it did not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<&'static str>,
    /// The error message when it did not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// One received request and what became of it: a line of the NDJSON recording.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Record {
    /// Arrival order, from 1.
    pub seq: u64,
    /// When the request arrived (RFC 3339, UTC, microseconds).
    pub received_at: String,
    /// The peer's address.
    pub remote: String,
    /// The HTTP method.
    pub method: String,
    /// The path and query, as sent.
    pub path: String,
    /// Every header, in the order received.
    pub headers: Vec<Header>,
    /// The body's size in bytes (as far as it was read, for too-large or incomplete bodies).
    pub body_size: u64,
    /// The body's bytes in base64 (`None` when it was not read completely).
    pub body_base64: Option<String>,
    /// The body as text, when it was read completely and is UTF-8.
    pub body_text: Option<String>,
    /// The conclusion.
    pub outcome: Disposition,
    /// The HTTP status answered.
    pub status: u16,
    /// The schema verdict, when the body was read and checked.
    pub validation: Option<Verdict>,
    /// Every signature check made, in order.
    pub signatures: Vec<SignatureCheck>,
    /// What went wrong, for outcomes that have no verdict (too large, incomplete, error).
    pub problem: Option<String>,
    /// Time from arrival to answer, in milliseconds.
    pub duration_ms: f64,
}

impl Record {
    /// The body's bytes, when it was read completely.
    #[must_use]
    pub fn body(&self) -> Option<Vec<u8>> {
        self.body_base64.as_ref().and_then(|b| B64.decode(b).ok())
    }
}

/// Encodes a complete body for a record: base64 always, text when UTF-8.
pub(crate) fn body_fields(body: &[u8]) -> (Option<String>, Option<String>) {
    (
        Some(B64.encode(body)),
        std::str::from_utf8(body).ok().map(str::to_owned),
    )
}

/// Something that wants each record as soon as it is written (the CLI prints a line).
///
/// It runs on the writer thread, so it must not block: a callback that waits (on a stalled
/// stdout, say) holds up the recording and, once the channel is full, every handler. Hand
/// the work to another thread with a drop-on-full policy, as the CLI does.
pub type OnRecord = Box<dyn Fn(&Record) + Send + 'static>;

/// What the writer hands back at the end: the tallies, and the records if they were kept.
pub(crate) struct Written {
    pub(crate) tally: Tally,
    pub(crate) coverage: crate::coverage::Tally,
    pub(crate) deliveries: super::deliveries::DeliveryReport,
    pub(crate) records: Vec<Record>,
}

/// The writer thread's handle: send records, then [`Writer::finish`] to collect the tally.
pub(crate) struct Writer {
    tx: mpsc::Sender<Box<Record>>,
    thread: thread::JoinHandle<io::Result<Written>>,
}

impl Writer {
    /// Opens (truncates) the recording file, if any, and starts the writer thread. With
    /// `keep`, every record is also kept in memory and handed back by [`Writer::finish`].
    pub(crate) fn start(
        path: Option<PathBuf>,
        on_record: Option<OnRecord>,
        keep: bool,
        fail_first: u32,
    ) -> io::Result<Self> {
        let file = path.as_ref().map(File::create).transpose()?;
        let (tx, mut rx) = mpsc::channel::<Box<Record>>(256);
        let thread = thread::Builder::new()
            .name("hookcheck-record".into())
            .spawn(move || {
                let mut out = file.map(BufWriter::new);
                let mut tally = Tally::default();
                let mut coverage = crate::coverage::Tally::default();
                let mut tracker = super::deliveries::Tracker::new(fail_first);
                let mut records = Vec::new();
                let shown = path.as_ref().map(|p| p.display().to_string());
                let mut line = 0;
                while let Some(record) = rx.blocking_recv() {
                    if let Some(out) = out.as_mut() {
                        serde_json::to_writer(&mut *out, &record).map_err(io::Error::other)?;
                        out.write_all(b"\n")?;
                        if rx.is_empty() {
                            out.flush()?;
                        }
                        line += 1;
                    }
                    tally.add(&record, shown.as_deref().map(|p| (p, line)));
                    let value = super::tally::add_coverage(&mut coverage, &record);
                    tracker.add(&record, value.as_ref());
                    if let Some(f) = &on_record {
                        f(&record);
                    }
                    if keep {
                        records.push(*record);
                    }
                }
                if let Some(out) = out.as_mut() {
                    out.flush()?;
                }
                Ok(Written {
                    tally,
                    coverage,
                    deliveries: tracker.finish(),
                    records,
                })
            })?;
        Ok(Self { tx, thread })
    }

    /// A sender for handlers.
    pub(crate) fn sender(&self) -> mpsc::Sender<Box<Record>> {
        self.tx.clone()
    }

    /// Stops the writer once every sender is gone and the records already sent are written,
    /// flushes, and returns the tally.
    pub(crate) async fn finish(self) -> io::Result<Written> {
        drop(self.tx);
        tokio::task::spawn_blocking(move || {
            self.thread
                .join()
                .unwrap_or_else(|_| Err(io::Error::other("the record writer thread panicked")))
        })
        .await
        .unwrap_or_else(|e| Err(io::Error::other(e)))
    }
}
