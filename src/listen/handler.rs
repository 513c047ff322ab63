//! The HTTP handler: read the body within limits, check it, verify signatures, record, answer.

use std::{
    future::poll_fn,
    net::SocketAddr,
    pin::Pin,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant, SystemTime},
};

use axum::{
    body::{Body, HttpBody},
    http::{HeaderValue, Method, Request, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde_json::{Value, json};
use tokio::sync::{mpsc, watch};

use super::deliveries::{Deferrals, Deliveries, FailMode, key_of};
use super::{
    StopReason,
    check::Checker,
    conn::ConnState,
    record::{Disposition, Header, Record, body_fields},
    set_reason,
    verify::Verifiers,
};
use crate::validate::check::Verdict;

/// What every request handler shares.
pub(crate) struct Shared {
    pub(crate) checker: Arc<dyn Checker>,
    pub(crate) verifiers: Verifiers,
    pub(crate) max_body: u64,
    pub(crate) read_timeout: Duration,
    pub(crate) header_timeout: Duration,
    pub(crate) idle_timeout: Duration,
    pub(crate) expect: Option<u64>,
    pub(crate) seq: AtomicU64,
    pub(crate) counted: AtomicU64,
    pub(crate) tx: mpsc::Sender<Box<Record>>,
    /// Records made where nothing can wait (in `Drop`) and the channel was full; written
    /// at the end. At most one per connection, so bounded by the connection limit.
    pub(crate) late: Mutex<Vec<Record>>,
    /// Set once the grace period is over: requests dropped from then on were interrupted.
    pub(crate) interrupting: AtomicBool,
    pub(crate) stop: watch::Sender<Option<StopReason>>,
    /// How deliveries are deferred to test retries.
    pub(crate) deliveries: Deliveries,
    /// The deferrals given so far, per event.
    pub(crate) deferrals: Deferrals,
}

impl Shared {
    /// The next sequence number.
    pub(crate) fn next_seq(&self) -> u64 {
        self.seq.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// Counts a record towards `expect`, ending the session when it is reached.
    fn count(&self, record: &Record) {
        if matches!(record.outcome, Disposition::Ignored | Disposition::Deferred) {
            return;
        }
        let n = self.counted.fetch_add(1, Ordering::SeqCst) + 1;
        if self.expect.is_some_and(|e| n >= e) {
            set_reason(&self.stop, StopReason::Expected);
        }
    }

    /// Records the request in `slot`, waiting for room in the channel. The record stays in
    /// the slot until there is room, so that whoever owns the slot can still record it if
    /// this future is dropped while waiting.
    pub(crate) async fn submit(&self, slot: &mut Option<Record>) {
        let permit = self.tx.reserve().await;
        let Some(record) = slot.take() else { return };
        self.count(&record);
        match permit {
            Ok(permit) => permit.send(Box::new(record)),
            // The writer only goes away after every connection has ended.
            Err(_) => self
                .late
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(record),
        }
    }

    /// Records a request without waiting (from `Drop`): into the channel if there is room,
    /// else onto the late list written at the end.
    pub(crate) fn submit_now(&self, record: Record) {
        self.count(&record);
        if let Err(e) = self.tx.try_send(Box::new(record)) {
            let record = match e {
                mpsc::error::TrySendError::Full(r) | mpsc::error::TrySendError::Closed(r) => *r,
            };
            self.late
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(record);
        }
    }
}

/// A request being handled. If its future is dropped before it is answered (the session's
/// grace period ran out, or the connection died under it), dropping this records it.
struct InFlight {
    shared: Arc<Shared>,
    conn: Arc<Mutex<ConnState>>,
    record: Option<Record>,
    started: Instant,
    received: u64,
    body_read: bool,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        super::conn::request_ended(&self.conn, self.body_read);
        let Some(mut record) = self.record.take() else {
            return;
        };
        record.body_size = self.received;
        record.status = 0;
        record.duration_ms = self.started.elapsed().as_secs_f64() * 1000.0;
        if self.shared.interrupting.load(Ordering::SeqCst) {
            record.outcome = Disposition::Interrupted;
            record.problem = Some(format!(
                "the session ended before the request was answered ({} body bytes had arrived)",
                self.received
            ));
        } else {
            record.outcome = Disposition::Incomplete;
            record.problem = Some(format!(
                "the connection closed before the request was answered ({} body bytes had arrived)",
                self.received
            ));
        }
        self.shared.submit_now(record);
    }
}

enum BodyRead {
    Complete(Vec<u8>),
    TooLarge { received: u64 },
    TimedOut { received: u64 },
    Failed { received: u64, message: String },
}

async fn read_body(mut body: Body, limit: u64, timeout: Duration, received: &mut u64) -> BodyRead {
    let mut buf: Vec<u8> = Vec::new();
    let mut too_large = false;
    let mut failure = None;
    let read = async {
        while let Some(frame) = poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
            match frame {
                Ok(frame) => {
                    if let Ok(data) = frame.into_data() {
                        *received += data.len() as u64;
                        if buf.len() as u64 + data.len() as u64 > limit {
                            too_large = true;
                            buf.extend_from_slice(&data);
                            return;
                        }
                        buf.extend_from_slice(&data);
                    }
                }
                Err(e) => {
                    failure = Some(e.to_string());
                    return;
                }
            }
        }
    };
    let timed_out = tokio::time::timeout(timeout, read).await.is_err();
    let received = *received;
    if timed_out {
        BodyRead::TimedOut { received }
    } else if too_large {
        BodyRead::TooLarge { received }
    } else if let Some(message) = failure {
        BodyRead::Failed { received, message }
    } else {
        BodyRead::Complete(buf)
    }
}

fn error_item(instance_path: &str, keyword: &str, message: &str) -> Value {
    json!({"instance_path": instance_path, "keyword": keyword, "message": message})
}

/// The JSON answer for a record: `{"outcome", "key"?, "errors": [...]}`.
fn answer_body(record: &Record) -> Value {
    let mut errors = Vec::new();
    for s in record.signatures.iter().filter(|s| !s.ok) {
        let message = format!(
            "{}: {}",
            s.scheme,
            s.message.as_deref().unwrap_or("signature failed")
        );
        errors.push(error_item("", "signature", &message));
    }
    let mut key = None;
    match &record.validation {
        Some(Verdict::Valid { key: k }) => key = Some(k.clone()),
        Some(Verdict::Invalid { key: k, violations }) => {
            key = Some(k.clone());
            for v in violations {
                errors.push(error_item(v.instance_path.as_str(), &v.keyword, &v.message));
            }
        }
        Some(Verdict::Undetected { pointer, message }) => {
            errors.push(error_item(pointer.as_str(), "envelope", message));
        }
        Some(Verdict::Malformed { message }) => errors.push(error_item("", "json", message)),
        None => {}
    }
    if let Some(problem) = &record.problem {
        let keyword = match record.outcome {
            Disposition::TooLarge => "size",
            Disposition::Incomplete => "incomplete",
            Disposition::Ignored => "method",
            Disposition::Deferred => "deferred",
            _ => "internal",
        };
        errors.push(error_item("", keyword, problem));
    }
    let mut body = json!({"outcome": record.outcome.as_str(), "errors": errors});
    if let Some(k) = key {
        body["key"] = Value::String(k);
    }
    body
}

/// Handles any method on any path.
pub(crate) async fn handle<B>(
    shared: Arc<Shared>,
    peer: SocketAddr,
    conn: Arc<Mutex<ConnState>>,
    request: Request<B>,
) -> Response
where
    B: HttpBody<Data = axum::body::Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    super::conn::request_started(&conn);
    let started = Instant::now();
    let received_at = humantime::format_rfc3339_micros(SystemTime::now()).to_string();
    let seq = shared.next_seq();
    let (parts, body) = request.into_parts();
    let body = Body::new(body);
    let record = Record {
        seq,
        received_at,
        remote: peer.to_string(),
        method: parts.method.to_string(),
        path: parts
            .uri
            .path_and_query()
            .map_or_else(|| parts.uri.path().to_owned(), |p| p.as_str().to_owned()),
        headers: parts
            .headers
            .iter()
            .map(|(n, v)| Header::new(n.as_str(), v.as_bytes()))
            .collect(),
        body_size: 0,
        body_base64: None,
        body_text: None,
        outcome: Disposition::Ignored,
        status: 0,
        validation: None,
        signatures: Vec::new(),
        problem: None,
        duration_ms: 0.0,
    };
    let mut flight = InFlight {
        shared: Arc::clone(&shared),
        conn,
        record: Some(record),
        started,
        received: 0,
        // A request without a body has read all of it.
        body_read: !(parts.headers.contains_key(header::TRANSFER_ENCODING)
            || parts
                .headers
                .get(header::CONTENT_LENGTH)
                .is_some_and(|v| v.as_bytes() != b"0")),
    };
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let status = if parts.method != Method::POST {
        let record = flight.record.as_mut().expect("taken only below");
        record.problem = Some(format!(
            "{} is not a webhook delivery; only POST is checked",
            parts.method
        ));
        StatusCode::METHOD_NOT_ALLOWED
    } else if let Some(len) = declared.filter(|l| *l > shared.max_body) {
        let record = flight.record.as_mut().expect("taken only below");
        record.outcome = Disposition::TooLarge;
        record.problem = Some(format!(
            "Content-Length {len} is over the limit of {} bytes",
            shared.max_body
        ));
        StatusCode::PAYLOAD_TOO_LARGE
    } else {
        let read = read_body(
            body,
            shared.max_body,
            shared.read_timeout,
            &mut flight.received,
        )
        .await;
        let record = flight.record.as_mut().expect("taken only below");
        match read {
            BodyRead::Complete(bytes) => {
                flight.body_read = true;
                evaluate(&shared, &parts.headers, &bytes, record)
            }
            BodyRead::TooLarge { received } => {
                record.body_size = received;
                record.outcome = Disposition::TooLarge;
                record.problem = Some(format!(
                    "body is over the limit of {} bytes",
                    shared.max_body
                ));
                StatusCode::PAYLOAD_TOO_LARGE
            }
            BodyRead::TimedOut { received } => {
                record.body_size = received;
                record.outcome = Disposition::Incomplete;
                record.problem = Some(format!(
                    "body not received within {} ({received} bytes arrived)",
                    humantime::format_duration(shared.read_timeout)
                ));
                StatusCode::REQUEST_TIMEOUT
            }
            BodyRead::Failed { received, message } => {
                record.body_size = received;
                record.outcome = Disposition::Incomplete;
                record.problem = Some(format!(
                    "body could not be read ({received} bytes arrived): {message}"
                ));
                StatusCode::BAD_REQUEST
            }
        }
    };
    let record = flight.record.as_mut().expect("taken only below");
    record.status = status.as_u16();
    record.duration_ms = started.elapsed().as_secs_f64() * 1000.0;
    let answer = answer_body(record);
    let stall = match (record.outcome, shared.deliveries.mode) {
        (Disposition::Deferred, FailMode::Stall(d)) => Some(d),
        _ => None,
    };
    shared.submit(&mut flight.record).await;
    drop(flight);
    if let Some(d) = stall {
        // Recorded already: the sender gives up meanwhile, and this answer likely goes
        // nowhere.
        tokio::time::sleep(d).await;
    }
    let mut response = (status, answer.to_string()).into_response();
    if stall.is_some() {
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if status == StatusCode::METHOD_NOT_ALLOWED {
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
    }
    response
}

fn evaluate(
    shared: &Shared,
    headers: &axum::http::HeaderMap,
    body: &[u8],
    record: &mut Record,
) -> StatusCode {
    record.body_size = body.len() as u64;
    (record.body_base64, record.body_text) = body_fields(body);
    let checked = match shared.checker.check(body) {
        Ok(c) => c,
        Err(e) => {
            record.outcome = Disposition::Error;
            record.problem = Some(e.to_string());
            return StatusCode::INTERNAL_SERVER_ERROR;
        }
    };
    // A body is held to the signature of every vendor whose envelope it has the shape of
    // (more than one only for an ambiguous body), or of the `--vendor` vendor.
    let vendors: Vec<_> = if checked.shapes.is_empty() {
        checked.vendor.into_iter().collect()
    } else {
        checked.shapes.clone()
    };
    record.signatures = shared.verifiers.check(headers, body, &vendors);
    let valid = checked.verdict.is_valid();
    record.validation = Some(checked.verdict);
    if record.signatures.iter().any(|s| !s.ok) {
        record.outcome = Disposition::Unauthorized;
        StatusCode::UNAUTHORIZED
    } else if valid {
        let fail_first = shared.deliveries.fail_first;
        if fail_first > 0 {
            let key = record
                .validation
                .as_ref()
                .and_then(Verdict::key)
                .unwrap_or("");
            let value = serde_json::from_slice::<Value>(body).ok();
            if shared
                .deferrals
                .defer(key_of(key, body, value.as_ref()), fail_first)
            {
                record.outcome = Disposition::Deferred;
                record.problem = Some(format!(
                    "deferred on purpose (one of the first {fail_first} deliveries of this event) to test retries"
                ));
                return StatusCode::SERVICE_UNAVAILABLE;
            }
        }
        record.outcome = Disposition::Conforming;
        StatusCode::OK
    } else {
        record.outcome = Disposition::Nonconforming;
        StatusCode::BAD_REQUEST
    }
}
