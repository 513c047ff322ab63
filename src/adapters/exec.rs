//! The exec adapter: a parser in any language, run as a subprocess that speaks NDJSON.
//!
//! [`ExecParser`] starts `sh -c COMMAND` once and keeps it running. For each payload it writes
//! one request line to the process's stdin and reads one reply line from its stdout:
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
//! - A reply echoes the request's `id`. `ok: true` accepts and must name the `event` as on the
//!   wire; `fields` holds the key fields of [`ParsedEvent`], each optional or `null`:
//!   `event_id`, `message_id` (a string; an integer is taken in decimal), `recipient` (a
//!   string) and `timestamp`: the vendor's time as it was in the body, a JSON number of Unix
//!   seconds (Postal, msndr.net) or the string itself (GetMailer), normalised as
//!   [`Timestamp`](crate::parser::Timestamp) documents. `ok: false` rejects, with an optional `error` message.
//! - Requests are sent one at a time; the process may write anything to stderr (the last 4 KiB
//!   are kept for crash reports). Blank stdout lines are ignored.
//!
//! Failures of the process are [`Fault`]s, never rejections: if it exits or closes stdout before
//! replying ([`Fault::Crashed`]), does not reply within the time limit ([`Fault::Timeout`], 5 s by
//! default), or replies with something that is not a reply to this request
//! ([`Fault::Protocol`]: not JSON, a wrong `id`, no `event`, a line over 1 MiB), that case fails,
//! the process (its whole process group) is killed, and the next request starts a fresh one.
//!
//! A crash is recognised when the adapter's stdout closes. `sh` keeps its own copy of the pipe
//! while it waits for a command it did not `exec`, so write `exec python3 adapter.py` rather than
//! `python3 adapter.py` when the command is a single program: otherwise a process that closes
//! stdout and lingers is only noticed at the time limit.
//!
//! `examples/exec_adapter.py` implements the protocol for all three vendors with the Python
//! standard library.

use std::{
    borrow::Cow,
    collections::VecDeque,
    io::{BufRead, BufReader, Read, Write},
    os::unix::process::CommandExt,
    process::{Child, ChildStdin, Command, Stdio},
    sync::{
        Arc, Mutex, PoisonError,
        mpsc::{self, Receiver, RecvTimeoutError},
    },
    thread,
    time::{Duration, Instant},
};

use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::reply::{reported_event, snippet};
use crate::{
    catalog::Vendor,
    parser::{Fault, ParseError, ParsedEvent, WebhookParser},
};

/// Longest reply line accepted.
const MAX_LINE: usize = 1 << 20;
/// How much of the process's stderr is kept.
const STDERR_TAIL: usize = 4096;
/// How long to wait for an exited process's status after its stdout closed.
const REAP_GRACE: Duration = Duration::from_millis(500);

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
/// let err = parser.parse(Vendor::Msndr, b"{}").unwrap_err();
/// assert!(err.is_rejection());
/// assert_eq!(err.to_string(), "rejected: no");
/// ```
pub struct ExecParser {
    command: String,
    timeout: Duration,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    running: Option<Running>,
    next_id: u64,
    starts: u64,
}

struct Running {
    child: Child,
    /// Request lines for the writer thread (a process that stops reading must not block us).
    requests: mpsc::Sender<Vec<u8>>,
    lines: Receiver<Line>,
    stderr: Arc<Mutex<VecDeque<u8>>>,
    stderr_closed: Receiver<()>,
}

enum Line {
    Text(Vec<u8>),
    TooLong,
    Eof,
}

#[derive(Serialize)]
struct Request<'a> {
    id: u64,
    vendor: &'a str,
    body_b64: &'a str,
}

#[derive(Deserialize)]
struct Reply {
    id: Value,
    ok: bool,
    #[serde(default)]
    event: Option<String>,
    #[serde(default)]
    fields: Option<Map<String, Value>>,
    #[serde(default)]
    error: Option<Value>,
}

impl ExecParser {
    /// A parser that runs `sh -c command` on first use.
    #[must_use]
    pub fn new(command: impl Into<String>) -> Self {
        Self {
            command: command.into(),
            timeout: Duration::from_secs(5),
            state: Mutex::new(State::default()),
        }
    }

    /// Sets how long to wait for each reply (5 s by default), process start-up included.
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
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
    /// [`Fault::Spawn`] if `sh` cannot be started.
    pub fn start(&self) -> Result<(), Fault> {
        let mut state = self.lock();
        self.ensure_running(&mut state).map(drop)
    }

    /// How many processes have been started so far (1 plus the number of restarts).
    #[must_use]
    pub fn starts(&self) -> u64 {
        self.lock().starts
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn ensure_running<'s>(&self, state: &'s mut State) -> Result<&'s mut Running, Fault> {
        if state.running.is_none() {
            state.running = Some(self.spawn()?);
            state.starts += 1;
        }
        state.running.as_mut().ok_or_else(|| Fault::Io {
            detail: "adapter process vanished".into(),
        })
    }

    fn spawn(&self) -> Result<Running, Fault> {
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(&self.command)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .spawn()
            .map_err(|e| Fault::Spawn {
                command: self.command.clone(),
                detail: e.to_string(),
            })?;
        let (Some(stdin), Some(stdout), Some(stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            kill(&mut child);
            return Err(Fault::Spawn {
                command: self.command.clone(),
                detail: "stdio pipes were not created".into(),
            });
        };
        let (tx, lines) = mpsc::channel();
        thread::spawn(move || read_lines(stdout, &tx));
        let (requests, pending) = mpsc::channel();
        thread::spawn(move || write_lines(stdin, &pending));
        let tail = Arc::new(Mutex::new(VecDeque::with_capacity(STDERR_TAIL)));
        let sink = Arc::clone(&tail);
        let (closed_tx, stderr_closed) = mpsc::channel();
        thread::spawn(move || {
            drain_stderr(stderr, &sink);
            let _ = closed_tx.send(());
        });
        Ok(Running {
            child,
            requests,
            lines,
            stderr: tail,
            stderr_closed,
        })
    }

    fn exchange(&self, vendor: Vendor, body: &[u8]) -> Result<Reply, ParseError> {
        let mut state = self.lock();
        state.next_id += 1;
        let id = state.next_id;
        let encoded = base64::engine::general_purpose::STANDARD.encode(body);
        let mut line = serde_json::to_vec(&Request {
            id,
            vendor: vendor.as_str(),
            body_b64: &encoded,
        })
        .map_err(|e| Fault::Io {
            detail: e.to_string(),
        })?;
        line.push(b'\n');

        let deadline = Instant::now() + self.timeout;
        let running = self.ensure_running(&mut state)?;
        if running.requests.send(line).is_err() {
            // The writer thread has stopped: the process closed its stdin (or died).
            return Err(self.fail(&mut state, Failure::Crash).into());
        }
        let outcome = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match running.lines.recv_timeout(left) {
                Ok(Line::Text(text)) if text.iter().all(u8::is_ascii_whitespace) => {}
                Ok(Line::Text(text)) => break Self::decode(id, &text),
                Ok(Line::TooLong) => {
                    break Err(Failure::Protocol(format!(
                        "reply line longer than {MAX_LINE} bytes"
                    )));
                }
                Ok(Line::Eof) | Err(RecvTimeoutError::Disconnected) => {
                    break Err(Failure::Crash);
                }
                Err(RecvTimeoutError::Timeout) => break Err(Failure::Timeout),
            }
        };
        outcome.map_err(|failure| self.fail(&mut state, failure).into())
    }

    fn decode(id: u64, text: &[u8]) -> Result<Reply, Failure> {
        let reply: Reply = serde_json::from_slice(text).map_err(|e| {
            Failure::Protocol(format!(
                "reply is not a JSON reply object ({e}): {}",
                snippet(text)
            ))
        })?;
        if reply.id.as_u64() != Some(id) {
            return Err(Failure::Protocol(format!(
                "reply id {} does not match request id {id}",
                reply.id
            )));
        }
        if reply.ok && reply.event.is_none() {
            return Err(Failure::Protocol("an `ok` reply has no `event`".into()));
        }
        Ok(reply)
    }

    /// Kills the process, forgets it, and describes the failure.
    fn fail(&self, state: &mut State, failure: Failure) -> Fault {
        let Some(mut running) = state.running.take() else {
            return Fault::Io {
                detail: "adapter process vanished".into(),
            };
        };
        match failure {
            Failure::Crash => {
                let status = reap(&mut running.child);
                // Let the drain thread catch up with what the process wrote before it died.
                let _ = running.stderr_closed.recv_timeout(REAP_GRACE);
                let stderr = running
                    .stderr
                    .lock()
                    .map(|mut tail| String::from_utf8_lossy(tail.make_contiguous()).into_owned())
                    .unwrap_or_default();
                Fault::Crashed { status, stderr }
            }
            Failure::Timeout => {
                kill(&mut running.child);
                Fault::Timeout {
                    after: self.timeout,
                }
            }
            Failure::Protocol(detail) => {
                kill(&mut running.child);
                Fault::Protocol { detail }
            }
        }
    }
}

enum Failure {
    Crash,
    Timeout,
    Protocol(String),
}

impl WebhookParser for ExecParser {
    fn parse<'a>(&self, vendor: Vendor, body: &'a [u8]) -> Result<ParsedEvent<'a>, ParseError> {
        let reply = self.exchange(vendor, body)?;
        if !reply.ok {
            let detail = match reply.error {
                Some(Value::String(s)) => s,
                Some(Value::Null) | None => "rejected without a message".to_owned(),
                Some(other) => other.to_string(),
            };
            return Err(ParseError::Rejected { detail });
        }
        reported_event(
            reply.event.unwrap_or_default(),
            &reply.fields.unwrap_or_default(),
        )
    }

    fn name(&self) -> Cow<'_, str> {
        Cow::Owned(format!("exec: {}", self.command))
    }
}

impl Drop for ExecParser {
    fn drop(&mut self) {
        let state = self.state.get_mut().unwrap_or_else(PoisonError::into_inner);
        if let Some(mut running) = state.running.take() {
            kill(&mut running.child);
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

fn read_lines(stdout: impl Read, tx: &mpsc::Sender<Line>) {
    let mut reader = BufReader::new(stdout);
    loop {
        let mut buf = Vec::new();
        let limit = u64::try_from(MAX_LINE).unwrap_or(u64::MAX) + 1;
        match (&mut reader).take(limit).read_until(b'\n', &mut buf) {
            Ok(0) | Err(_) => {
                let _ = tx.send(Line::Eof);
                return;
            }
            Ok(_) if buf.last() != Some(&b'\n') && buf.len() > MAX_LINE => {
                let _ = tx.send(Line::TooLong);
                return;
            }
            Ok(_) => {
                if tx.send(Line::Text(buf)).is_err() {
                    return;
                }
            }
        }
    }
}

fn write_lines(mut stdin: ChildStdin, pending: &Receiver<Vec<u8>>) {
    for line in pending {
        if stdin.write_all(&line).and_then(|()| stdin.flush()).is_err() {
            return;
        }
    }
}

fn drain_stderr(mut stderr: impl Read, tail: &Mutex<VecDeque<u8>>) {
    let mut chunk = [0u8; 4096];
    while let Ok(n) = stderr.read(&mut chunk) {
        if n == 0 {
            return;
        }
        let mut tail = tail.lock().unwrap_or_else(PoisonError::into_inner);
        tail.extend(&chunk[..n]);
        let excess = tail.len().saturating_sub(STDERR_TAIL);
        tail.drain(..excess);
    }
}

/// Waits briefly for an exited process and returns its exit code (`None` if killed by a
/// signal or still running, in which case it is killed).
fn reap(child: &mut Child) -> Option<i32> {
    let until = Instant::now() + REAP_GRACE;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => {
                kill_group(child.id());
                return status.code();
            }
            Ok(None) if Instant::now() < until => thread::sleep(Duration::from_millis(5)),
            _ => {
                kill(child);
                return None;
            }
        }
    }
}

/// Kills the process group of `child` (the shell and whatever it started) and reaps `child`.
fn kill(child: &mut Child) {
    kill_group(child.id());
    let _ = child.kill();
    let _ = child.wait();
}

fn kill_group(pgid: u32) {
    let _ = Command::new("sh")
        .args(["-c", "kill -s KILL -- -\"$1\" 2>/dev/null", "sh"])
        .arg(pgid.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}
