//! The HTTP handler: read the body within limits, check it, verify signatures, record, answer.

use std::{
    future::poll_fn,
    net::SocketAddr,
    pin::Pin,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant, SystemTime},
};

use axum::{
    body::{Body, HttpBody},
    extract::{ConnectInfo, Request, State},
    http::{HeaderValue, Method, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde_json::{Value, json};
use tokio::sync::{mpsc, watch};

use super::{
    StopReason,
    check::Checker,
    record::{Header, Msg, Outcome, Record, body_fields},
    verify::Verifiers,
};
use crate::validate::check::Verdict;

/// What every request handler shares.
pub(crate) struct Shared {
    pub(crate) checker: Arc<dyn Checker>,
    pub(crate) verifiers: Verifiers,
    pub(crate) max_body: u64,
    pub(crate) read_timeout: Duration,
    pub(crate) expect: Option<u64>,
    pub(crate) seq: AtomicU64,
    pub(crate) counted: AtomicU64,
    pub(crate) tx: mpsc::Sender<Msg>,
    pub(crate) stop: watch::Sender<Option<StopReason>>,
}

enum BodyRead {
    Complete(Vec<u8>),
    TooLarge { received: u64 },
    TimedOut { received: u64 },
    Failed { received: u64, message: String },
}

async fn read_body(mut body: Body, limit: u64, timeout: Duration) -> BodyRead {
    let mut buf: Vec<u8> = Vec::new();
    let mut too_large = false;
    let mut failure = None;
    let read = async {
        while let Some(frame) = poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
            match frame {
                Ok(frame) => {
                    if let Ok(data) = frame.into_data() {
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
    let received = buf.len() as u64;
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
            Outcome::TooLarge => "size",
            Outcome::Incomplete => "incomplete",
            Outcome::Ignored => "method",
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
pub(crate) async fn handle(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
) -> Response {
    let started = Instant::now();
    let received_at = humantime::format_rfc3339_micros(SystemTime::now()).to_string();
    let seq = shared.seq.fetch_add(1, Ordering::SeqCst) + 1;
    let (parts, body) = request.into_parts();
    let mut record = Record {
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
        outcome: Outcome::Ignored,
        status: 0,
        validation: None,
        signatures: Vec::new(),
        problem: None,
        duration_ms: 0.0,
    };
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let status = if parts.method != Method::POST {
        record.problem = Some(format!(
            "{} is not a webhook delivery; only POST is checked",
            parts.method
        ));
        StatusCode::METHOD_NOT_ALLOWED
    } else if let Some(len) = declared.filter(|l| *l > shared.max_body) {
        record.outcome = Outcome::TooLarge;
        record.problem = Some(format!(
            "Content-Length {len} is over the limit of {} bytes",
            shared.max_body
        ));
        StatusCode::PAYLOAD_TOO_LARGE
    } else {
        match read_body(body, shared.max_body, shared.read_timeout).await {
            BodyRead::Complete(bytes) => evaluate(&shared, &parts.headers, &bytes, &mut record),
            BodyRead::TooLarge { received } => {
                record.body_size = received;
                record.outcome = Outcome::TooLarge;
                record.problem = Some(format!(
                    "body is over the limit of {} bytes",
                    shared.max_body
                ));
                StatusCode::PAYLOAD_TOO_LARGE
            }
            BodyRead::TimedOut { received } => {
                record.body_size = received;
                record.outcome = Outcome::Incomplete;
                record.problem = Some(format!(
                    "body not received within {} ({received} bytes arrived)",
                    humantime::format_duration(shared.read_timeout)
                ));
                StatusCode::REQUEST_TIMEOUT
            }
            BodyRead::Failed { received, message } => {
                record.body_size = received;
                record.outcome = Outcome::Incomplete;
                record.problem = Some(format!(
                    "body could not be read ({received} bytes arrived): {message}"
                ));
                StatusCode::BAD_REQUEST
            }
        }
    };
    record.status = status.as_u16();
    record.duration_ms = started.elapsed().as_secs_f64() * 1000.0;
    let answer = answer_body(&record);
    let counts = record.outcome != Outcome::Ignored;
    // The writer only goes away after shutdown's grace period; a request still running then
    // is not part of the session.
    let _ = shared.tx.send(Msg::Record(Box::new(record))).await;
    if counts {
        let n = shared.counted.fetch_add(1, Ordering::SeqCst) + 1;
        if shared.expect.is_some_and(|e| n >= e) {
            shared.stop.send_if_modified(|s| {
                let first = s.is_none();
                if first {
                    *s = Some(StopReason::Expected);
                }
                first
            });
        }
    }
    let mut response = (status, answer.to_string()).into_response();
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
            record.outcome = Outcome::Error;
            record.problem = Some(e.to_string());
            return StatusCode::INTERNAL_SERVER_ERROR;
        }
    };
    record.signatures = shared.verifiers.check(headers, body, checked.vendor);
    let valid = checked.verdict.is_valid();
    record.validation = Some(checked.verdict);
    if record.signatures.iter().any(|s| !s.ok) {
        record.outcome = Outcome::Unauthorized;
        StatusCode::UNAUTHORIZED
    } else if valid {
        record.outcome = Outcome::Conforming;
        StatusCode::OK
    } else {
        record.outcome = Outcome::Nonconforming;
        StatusCode::BAD_REQUEST
    }
}
