//! The exec adapter: a parser in any language, run as a subprocess that speaks NDJSON.
//!
//! [`ExecParser`] starts `sh -c COMMAND` and keeps it running. For each payload it writes one
//! request line to the process's stdin and reads one reply line from its stdout:
//!
//! ```text
//! > {"id":1,"vendor":"postal","body_b64":"eyJldmVudCI6Ik1lc3NhZ2VTZW50Iiwi…"}
//! < {"id":1,"ok":true,"event":"MessageSent","fields":{"event_id":"3183…","message_id":"48213","timestamp":1745838120.770091,"recipient":"jane@example.net"}}
//! > {"id":2,"vendor":"msndr","body_b64":"bm90IGpzb24="}
//! < {"id":2,"ok":false,"error":"not JSON"}
//! ```
//!
//! - `vendor` is `postal`, `msndr` or `getmailer`; `body_b64` is the standard base64 (with
//!   padding) of the exact body bytes, which need not be UTF-8 or even JSON.
//! - A reply echoes the request's `id`. `ok: true` accepts and names the `event` as on the
//!   wire; `event: null` (or no `event`) means "accepted, event not identified", which fails
//!   `reports-event` and nothing else. `fields` holds the key fields of [`ParsedEvent`], each
//!   optional or `null`: `event_id`, `message_id` (a string; an integer is taken in decimal),
//!   `recipient` (a string) and `timestamp`: the vendor's time as it was in the body, a JSON
//!   number of Unix seconds (Postal, msndr.net) or the string itself (GetMailer), normalised as
//!   [`Timestamp`](crate::parser::Timestamp) documents. `ok: false` rejects, with an optional
//!   `error` message.
//! - Requests are sent one at a time; the process may write anything to stderr (the last 4 KiB
//!   are kept for crash reports). Blank stdout lines are ignored.
//!
//! # The handshake
//!
//! The first line every new process gets is a request with id 0, an empty body and a `hello`
//! member. An adapter that knows the handshake answers with its [`AdapterInfo`]:
//!
//! ```text
//! > {"id":0,"vendor":"postal","body_b64":"","hello":{"hookcheck":"0.1.0","protocol":1}}
//! < {"id":0,"hello":{"name":"my-hooks","version":"2.1.0","language":"python","vendors":["postal"],"fidelity":"fields"}}
//! ```
//!
//! `fidelity` is `verdict` (accept or reject only), `event` (the event name too) or `fields`
//! (the event name and key fields). An adapter that does not know the handshake answers it like
//! any request (usually by rejecting the empty body) and keeps working as before. The exchange
//! also proves the process is up before any case is counted against it: the start-up time of a
//! slow adapter is not charged to the first case, and [`ExecParser::handshake`] lets a runner
//! refuse an adapter that cannot start at all.
//!
//! # Faults
//!
//! Failures of the process are [`Fault`]s, never rejections. The process is restarted only when
//! it can no longer be trusted:
//!
//! | what happened | the case | the process |
//! | --- | --- | --- |
//! | it exits or closes stdout before replying | [`Fault::Crashed`] with its status and stderr | restarted for the next case |
//! | no reply within the time limit (5 s by default) | [`Fault::Timeout`] | killed and restarted |
//! | a line that is not a JSON object, a reply to another id, a line over 1 MiB | [`Fault::Protocol`] | killed and restarted (the stream cannot be trusted) |
//! | a readable reply to this id that is wrong (`ok` missing, `event` not a string, a field of the wrong type) | [`Fault::Protocol`] | keeps serving |
//!
//! When a process is lost, the next one is started at once in the background, so the next
//! request rarely waits for a whole start-up. Restarts after consecutive crashes back off (from
//! 5 ms, doubling, up to 100 ms), so a parser that cannot stay up is not restarted in a tight
//! loop. Killing a process kills its process group and, on Linux, every descendant that
//! inherited its marker variable, so a child that called `setsid` does not outlive it.
//!
//! A crash is recognised when the adapter's stdout closes. `sh` keeps its own copy of the pipe
//! while it waits for a command it did not `exec`, so write `exec python3 adapter.py` rather than
//! `python3 adapter.py` when the command is a single program: otherwise a process that closes
//! stdout and lingers is only noticed at the time limit.
//!
//! `examples/exec_adapter.py` implements the protocol, handshake included, for all three
//! vendors with the Python standard library.

mod process;

use std::{
    borrow::Cow,
    sync::{
        Mutex, PoisonError,
        mpsc::{self, RecvTimeoutError},
    },
    thread,
    time::{Duration, Instant},
};

use base64::Engine;
use serde::Serialize;
use serde_json::{Map, Value};

use self::process::{Line, MAX_LINE, Process};
use super::hello::AdapterInfo;
use super::reply::{reported_event, snippet};
use crate::{
    catalog::Vendor,
    parser::{Fault, Fidelity, ParseError, ParsedEvent, WebhookParser},
};

/// How long a new process may take to answer the handshake by default.
pub const DEFAULT_STARTUP_TIMEOUT: Duration = Duration::from_secs(10);
/// The first restart delay after a failed start; it doubles up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(5);
/// The longest restart delay.
const MAX_BACKOFF: Duration = Duration::from_millis(100);

/// A [`WebhookParser`] backed by a long-running subprocess; see the [module docs](self).
///
/// # Example
///
/// ```
/// use std::time::Duration;
///
/// use hookcheck::{adapters::exec::ExecParser, catalog::Vendor, parser::WebhookParser};
///
/// // A one-line adapter that rejects everything.
/// let script = r#"while read -r line; do id=${line#*\"id\":}; echo "{\"id\":${id%%,*},\"ok\":false,\"error\":\"no\"}"; done"#;
/// let parser = ExecParser::new(script).with_timeout(Duration::from_secs(10));
/// let err = parser.parse(Vendor::MSNDR, b"{}").unwrap_err();
/// assert!(err.is_rejection());
/// assert_eq!(err.to_string(), "rejected: no");
/// ```
pub struct ExecParser {
    command: String,
    timeout: Duration,
    startup_timeout: Duration,
    fidelity: Option<Fidelity>,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    running: Option<Process>,
    next_id: u64,
    starts: u64,
    /// Failed starts and crashes since the last good reply (drives the restart backoff).
    failures_in_a_row: u32,
    /// What the first process said in the handshake (`Some(None)`: it did not take part).
    info: Option<Option<AdapterInfo>>,
    /// The next process, being started in the background after a failure.
    spare: Option<mpsc::Receiver<Started>>,
}

#[derive(Serialize)]
struct Request<'a> {
    id: u64,
    vendor: &'a str,
    body_b64: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    hello: Option<Hello>,
}

#[derive(Serialize)]
struct Hello {
    hookcheck: &'static str,
    protocol: u32,
}

/// A process that has answered the handshake, with what it said, or why it did not start.
type Started = Result<(Process, Option<AdapterInfo>), Fault>;

/// A reply line that is a JSON object answering the current request.
struct Reply {
    object: Map<String, Value>,
}

impl ExecParser {
    /// A parser that runs `sh -c command` on first use.
    #[must_use]
    pub fn new(command: impl Into<String>) -> Self {
        Self {
            command: command.into(),
            timeout: Duration::from_secs(5),
            startup_timeout: DEFAULT_STARTUP_TIMEOUT,
            fidelity: None,
            state: Mutex::new(State::default()),
        }
    }

    /// Sets how long to wait for each reply (5 s by default).
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets how long a new process may take to answer the handshake
    /// ([`DEFAULT_STARTUP_TIMEOUT`] by default).
    #[must_use]
    pub fn with_startup_timeout(mut self, timeout: Duration) -> Self {
        self.startup_timeout = timeout;
        self
    }

    /// Declares the adapter's fidelity, overriding what its handshake says.
    #[must_use]
    pub fn with_fidelity(mut self, fidelity: Fidelity) -> Self {
        self.fidelity = Some(fidelity);
        self
    }

    /// The command line.
    #[must_use]
    pub fn command(&self) -> &str {
        &self.command
    }

    /// Starts the process now instead of on the first request.
    ///
    /// # Errors
    ///
    /// As [`handshake`](Self::handshake).
    pub fn start(&self) -> Result<(), Fault> {
        self.handshake().map(drop)
    }

    /// Starts the process if it is not running and returns what it said in the handshake
    /// (`None` for an adapter that does not take part in it).
    ///
    /// # Errors
    ///
    /// [`Fault::Spawn`] if `sh` cannot be started, [`Fault::Crashed`] (with the exit status and
    /// the stderr tail) if the process dies before answering, [`Fault::Timeout`] if it does not
    /// answer the handshake within the start-up timeout.
    pub fn handshake(&self) -> Result<Option<AdapterInfo>, Fault> {
        let mut state = self.lock();
        self.ensure_running(&mut state)?;
        Ok(state.info.clone().flatten())
    }

    /// How many processes have been started so far (1 plus the number of restarts).
    #[must_use]
    pub fn starts(&self) -> u64 {
        self.lock().starts
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn ensure_running<'s>(&self, state: &'s mut State) -> Result<&'s mut Process, Fault> {
        if state.running.is_none() {
            state.starts += 1;
            let started = match state.spare.take() {
                // A process started in the background after the last failure: most of its
                // start-up is already paid.
                Some(spare) => spare
                    .recv_timeout(self.startup_timeout + MAX_BACKOFF)
                    .unwrap_or(Err(Fault::Timeout {
                        after: self.startup_timeout,
                    })),
                None => {
                    thread::sleep(backoff(state.failures_in_a_row));
                    Process::spawn(&self.command).and_then(|p| greet(p, self.startup_timeout))
                }
            };
            match started {
                Ok((process, info)) => {
                    state.info.get_or_insert(info);
                    state.running = Some(process);
                }
                Err(fault) => {
                    state.failures_in_a_row += 1;
                    return Err(fault);
                }
            }
        }
        state.running.as_mut().ok_or_else(|| Fault::Io {
            detail: "adapter process vanished".into(),
        })
    }

    /// Starts the next process in the background (after the restart backoff), so that the
    /// next request does not wait for a whole start-up.
    fn start_spare(&self, state: &mut State) {
        let (tx, rx) = mpsc::channel();
        let (command, timeout) = (self.command.clone(), self.startup_timeout);
        let delay = backoff(state.failures_in_a_row);
        let spawned = thread::Builder::new()
            .name("hookcheck-exec-spare".into())
            .spawn(move || {
                thread::sleep(delay);
                let _ = tx.send(Process::spawn(&command).and_then(|p| greet(p, timeout)));
            });
        if spawned.is_ok() {
            state.spare = Some(rx);
        }
    }

    fn exchange(&self, vendor: Vendor, body: &[u8]) -> Result<Reply, Fault> {
        let mut state = self.lock();
        state.next_id += 1;
        let id = state.next_id;
        let encoded = base64::engine::general_purpose::STANDARD.encode(body);
        let line = request_line(&Request {
            id,
            vendor: vendor.as_str(),
            body_b64: &encoded,
            hello: None,
        })?;
        let process = self.ensure_running(&mut state)?;
        if !process.send(line) {
            // The writer thread has stopped: the process closed its stdin (or died).
            return Err(self.lost(&mut state, Lost::Crash));
        }
        let deadline = Instant::now() + self.timeout;
        let outcome = match next_line(process, deadline) {
            Next::Text(text) => decode(id, &text),
            Next::TooLong => Err(Lost::Untrusted(format!(
                "reply line longer than {MAX_LINE} bytes"
            ))),
            Next::Eof => Err(Lost::Crash),
            Next::Timeout => Err(Lost::Timeout),
        };
        match outcome {
            Ok(reply) => {
                state.failures_in_a_row = 0;
                Ok(reply)
            }
            Err(lost) => Err(self.lost(&mut state, lost)),
        }
    }

    /// Lets the process go (it died, hung, or its stream cannot be trusted) and describes why.
    fn lost(&self, state: &mut State, lost: Lost) -> Fault {
        let Some(process) = state.running.take() else {
            return Fault::Io {
                detail: "adapter process vanished".into(),
            };
        };
        if lost_counts_as_failure(&lost) {
            state.failures_in_a_row += 1;
        }
        self.start_spare(state);
        match lost {
            Lost::Crash => process.crashed(),
            Lost::Timeout => {
                process.kill();
                Fault::Timeout {
                    after: self.timeout,
                }
            }
            Lost::Untrusted(detail) => {
                process.kill();
                Fault::Protocol { detail }
            }
        }
    }
}

/// Sends the handshake to a new process and waits for its first reply.
fn greet(process: Process, startup_timeout: Duration) -> Started {
    let line = request_line(&Request {
        id: 0,
        vendor: Vendor::POSTAL.as_str(),
        body_b64: "",
        hello: Some(Hello {
            hookcheck: env!("CARGO_PKG_VERSION"),
            protocol: 1,
        }),
    })?;
    if !process.send(line) {
        return Err(process.crashed());
    }
    match next_line(&process, Instant::now() + startup_timeout) {
        Next::Text(text) => {
            let info = serde_json::from_slice::<Map<String, Value>>(&text)
                .ok()
                .and_then(|mut reply| reply.remove("hello"))
                .and_then(|hello| serde_json::from_value::<AdapterInfo>(hello).ok());
            Ok((process, info))
        }
        Next::TooLong => {
            process.kill();
            Err(Fault::Protocol {
                detail: format!("first reply line longer than {MAX_LINE} bytes"),
            })
        }
        Next::Eof => Err(process.crashed()),
        Next::Timeout => {
            process.kill();
            Err(Fault::Timeout {
                after: startup_timeout,
            })
        }
    }
}

/// The delay before the next start after `failures` failures in a row: none for the first
/// restart, then from [`FIRST_BACKOFF`] doubling up to [`MAX_BACKOFF`].
fn backoff(failures: u32) -> Duration {
    if failures < 2 {
        return Duration::ZERO;
    }
    (FIRST_BACKOFF * (1 << (failures - 2).min(16))).min(MAX_BACKOFF)
}

enum Lost {
    Crash,
    Timeout,
    Untrusted(String),
}

/// Whether losing the process this way counts toward the restart backoff (a crash does; a
/// hang or garbage was already paid for by its wait or its kill).
fn lost_counts_as_failure(lost: &Lost) -> bool {
    matches!(lost, Lost::Crash)
}

enum Next {
    Text(Vec<u8>),
    TooLong,
    Eof,
    Timeout,
}

/// The next non-blank line, or why there is none.
fn next_line(process: &Process, deadline: Instant) -> Next {
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match process.lines.recv_timeout(left) {
            Ok(Line::Text(text)) if text.iter().all(u8::is_ascii_whitespace) => {}
            Ok(Line::Text(text)) => return Next::Text(text),
            Ok(Line::TooLong) => return Next::TooLong,
            Ok(Line::Eof) | Err(RecvTimeoutError::Disconnected) => return Next::Eof,
            Err(RecvTimeoutError::Timeout) => return Next::Timeout,
        }
    }
}

fn request_line(request: &Request<'_>) -> Result<Vec<u8>, Fault> {
    let mut line = serde_json::to_vec(request).map_err(|e| Fault::Io {
        detail: e.to_string(),
    })?;
    line.push(b'\n');
    Ok(line)
}

/// A reply line: a JSON object with this request's id, or a stream that cannot be trusted.
fn decode(id: u64, text: &[u8]) -> Result<Reply, Lost> {
    let object: Map<String, Value> = serde_json::from_slice(text).map_err(|e| {
        Lost::Untrusted(format!(
            "reply is not a JSON object ({e}): {}",
            snippet(text)
        ))
    })?;
    match object.get("id").and_then(Value::as_u64) {
        Some(got) if got == id => Ok(Reply { object }),
        _ => Err(Lost::Untrusted(format!(
            "reply id {} does not match request id {id}",
            object.get("id").unwrap_or(&Value::Null)
        ))),
    }
}

/// A readable reply that breaks the protocol: fails the case, the process keeps serving.
fn bad_reply(detail: String) -> ParseError {
    Fault::Protocol { detail }.into()
}

impl Reply {
    fn into_answer(mut self) -> Result<ParsedEvent<'static>, ParseError> {
        match self.object.get("ok") {
            Some(Value::Bool(true)) => {}
            Some(Value::Bool(false)) => {
                let detail = match self.object.remove("error") {
                    Some(Value::String(s)) => s,
                    Some(Value::Null) | None => "rejected without a message".to_owned(),
                    Some(other) => other.to_string(),
                };
                return Err(ParseError::Rejected { detail });
            }
            Some(other) => return Err(bad_reply(format!("`ok` is {other}, not true or false"))),
            None => return Err(bad_reply("the reply has no `ok`".into())),
        }
        let event = match self.object.remove("event") {
            None | Some(Value::Null) => None,
            Some(Value::String(name)) => Some(name),
            Some(other) => return Err(bad_reply(format!("`event` is {other}, not a string"))),
        };
        let fields = match self.object.remove("fields") {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(fields)) => fields,
            Some(other) => return Err(bad_reply(format!("`fields` is {other}, not an object"))),
        };
        reported_event(event, &fields)
    }
}

impl WebhookParser for ExecParser {
    fn parse<'a>(&self, vendor: Vendor, body: &'a [u8]) -> Result<ParsedEvent<'a>, ParseError> {
        self.exchange(vendor, body)?.into_answer()
    }

    fn name(&self) -> Cow<'_, str> {
        Cow::Owned(format!("exec: {}", self.command))
    }

    /// What the handshake said, so the process is started (and greeted) first if it was not:
    /// every job's adapter answers the same, whichever job asks first. An adapter that does
    /// not take part in the handshake, or does not start, supports every vendor (its calls
    /// then say what is wrong).
    fn supports(&self, vendor: Vendor) -> bool {
        match self.handshake() {
            Ok(Some(info)) => info.supports(vendor),
            _ => true,
        }
    }

    fn fidelity(&self) -> Fidelity {
        if let Some(fidelity) = self.fidelity {
            return fidelity;
        }
        match &self.lock().info {
            Some(Some(AdapterInfo {
                fidelity: Some(fidelity),
                ..
            })) => *fidelity,
            _ => Fidelity::Fields,
        }
    }
}

impl std::fmt::Debug for ExecParser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExecParser")
            .field("command", &self.command)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}
