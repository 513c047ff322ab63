//! Asking the parser under test, with every way that can go wrong turned into an [`Answer`].
//!
//! An in-process parser is called on the thread that runs its cell, with no handoff: a panic is
//! caught there (`catch_unwind`), and the runner watches each call's start time
//! ([`CallWatch`]). Only a call that overruns the time bound costs more: the runner abandons
//! that cell's thread (Rust cannot stop a thread) and runs the cell again from its seed in the
//! guarded mode, where each call is handed to a worker thread and abandoned when it does not
//! return within the bound, a fresh worker serving the next call. Either way a hang is a
//! failure of one case, never a stuck run, and the verdicts are the same. Threads that call
//! parsers are named [`WORKER_NAME`]; the panic hook installed by [`quiet_worker_panics`]
//! keeps their panics off stderr and records where they happened.

use std::cell::RefCell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, Once};
use std::thread;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::catalog::Vendor;
use crate::parser::{Fault, Fidelity, ParseError, ParsedEvent, WebhookParser};
use crate::signature::forge::Forgery;

/// The name of the threads that run in-process parsers.
pub(crate) const WORKER_NAME: &str = "hookcheck-certify-worker";

/// How a call failed to produce a verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum FaultKind {
    /// An in-process parser panicked.
    Panicked,
    /// A subprocess adapter's process died (exit, signal, closed pipe).
    Crashed,
    /// No answer within the time bound.
    TimedOut,
    /// Anything else the harness could not get an answer through (protocol, transport, HTTP 5xx).
    Other,
}

/// What the parser said about one body.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Answer {
    /// Accepted, reporting this event.
    Accepted(ParsedEvent<'static>),
    /// Rejected, with the parser's reason (worded only when a failure message needs it).
    Rejected(ParseError),
    /// No verdict at all.
    Fault {
        /// Which kind of fault.
        kind: FaultKind,
        /// What happened.
        detail: String,
    },
}

impl Answer {
    /// A rejection with `reason` as its words.
    #[cfg(test)]
    pub(crate) fn rejected(reason: impl Into<String>) -> Self {
        Answer::Rejected(ParseError::Other {
            detail: reason.into(),
        })
    }

    /// A short description for failure messages.
    #[must_use]
    pub(crate) fn describe(&self) -> String {
        match self {
            Answer::Accepted(e) => match &e.event {
                Some(name) => format!("accepted it as {name:?}"),
                None => "accepted it".to_owned(),
            },
            Answer::Rejected(m) => format!("rejected it: {m}"),
            Answer::Fault { kind, detail } => match kind {
                FaultKind::Panicked => format!("panicked: {detail}"),
                FaultKind::Crashed => format!("crashed: {detail}"),
                FaultKind::TimedOut => format!("did not answer: {detail}"),
                FaultKind::Other => format!("gave no verdict: {detail}"),
            },
        }
    }
}

/// One call: the answer and how long it took.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    /// The answer.
    pub(crate) answer: Answer,
    /// Wall time from sending the body to getting the answer (or giving up).
    pub(crate) elapsed: Duration,
}

/// The parser under test as the runner sees it.
pub(crate) trait Subject: Send + Sync {
    /// Asks for a verdict on `body` as a payload of `vendor`.
    fn call(&self, vendor: Vendor, body: &[u8]) -> Call;

    /// The time bound of an in-process parser that can also be called on the caller's own
    /// thread ([`call_inline`](Self::call_inline)) while the runner watches for overruns; `None`
    /// for targets that bound their own calls (adapters).
    fn inline_guard(&self) -> Option<Duration> {
        None
    }

    /// Asks for a verdict on the caller's thread, with no time limit (panics are caught): the
    /// caller watches the call and abandons its thread when it overruns.
    fn call_inline(&self, vendor: Vendor, body: &[u8]) -> Call {
        self.call(vendor, body)
    }

    /// What accepted answers carry (the `reports-event` and `reports-fields` cells of a parser
    /// that reports less do not apply).
    fn fidelity(&self) -> Fidelity;

    /// Whether the parser handles `vendor` at all (the other vendors' cells are skipped).
    fn supports(&self, vendor: Vendor) -> bool;

    /// Whether bodies of `vendor` are sent signed (`verifies-signature` applies).
    fn signs(&self, vendor: Vendor) -> bool {
        let _ = vendor;
        false
    }

    /// The forged requests for `body` that a verifying receiver must refuse.
    fn forgeries(&self, vendor: Vendor, body: &[u8]) -> Result<Vec<Forgery>, String> {
        let _ = (vendor, body);
        Ok(Vec::new())
    }

    /// Sends a forged request as it is (its body and signature headers, nothing re-signed).
    fn call_forged(&self, vendor: Vendor, forgery: &Forgery) -> Call {
        let _ = (vendor, forgery);
        Call {
            answer: Answer::Fault {
                kind: FaultKind::Other,
                detail: "this parser takes no signature headers".into(),
            },
            elapsed: Duration::ZERO,
        }
    }
}

/// Makes the targets of a run, one per job: each job talks to its own worker thread, process
/// or connection.
pub(crate) type MakeTarget<'a> = dyn Fn() -> Result<Box<dyn Subject>, String> + Sync + 'a;

/// An adapter that enforces its own time limit (exec, HTTP), called on the runner's thread:
/// no handoff per call. A panic in it is still caught.
pub(crate) struct Direct {
    parser: Arc<dyn WebhookParser>,
    fidelity: Fidelity,
    supported: Supported,
}

impl Direct {
    /// Calls `parser` directly.
    #[must_use]
    pub(crate) fn new(parser: Arc<dyn WebhookParser>) -> Self {
        quiet_worker_panics();
        Self {
            fidelity: parser.fidelity(),
            supported: supported_by(parser.as_ref()),
            parser,
        }
    }
}

/// Runs `answer` on this thread, timed, a panic caught as the call's fault.
fn caught(answer: impl FnOnce() -> Answer) -> Call {
    let start = Instant::now();
    let answer = match panic::catch_unwind(AssertUnwindSafe(answer)) {
        Ok(answer) => answer,
        Err(payload) => Answer::Fault {
            kind: FaultKind::Panicked,
            detail: panic_text(payload.as_ref()),
        },
    };
    Call {
        answer,
        elapsed: start.elapsed(),
    }
}

impl Subject for Direct {
    fn call(&self, vendor: Vendor, body: &[u8]) -> Call {
        caught(|| answer_of(self.parser.parse(vendor, body)))
    }

    fn fidelity(&self) -> Fidelity {
        self.fidelity
    }

    fn supports(&self, vendor: Vendor) -> bool {
        supports(&self.supported, vendor)
    }
}

/// Which vendors a parser supports, asked once: every vendor of the catalog with the answer.
/// A vendor not listed (none, for a target made without a parser) counts as supported.
type Supported = Vec<(Vendor, bool)>;

fn supported_by(parser: &dyn WebhookParser) -> Supported {
    Vendor::all()
        .into_iter()
        .map(|v| (v, parser.supports(v)))
        .collect()
}

fn supports(supported: &Supported, vendor: Vendor) -> bool {
    supported
        .iter()
        .find(|(v, _)| *v == vendor)
        .is_none_or(|(_, yes)| *yes)
}

/// The answer of a [`WebhookParser`] call.
#[must_use]
pub(crate) fn answer_of(result: Result<ParsedEvent<'_>, ParseError>) -> Answer {
    match result {
        Ok(event) => Answer::Accepted(event.into_owned()),
        Err(ParseError::Fault(fault)) => Answer::Fault {
            kind: match fault {
                Fault::Crashed { .. } => FaultKind::Crashed,
                Fault::Timeout { .. } => FaultKind::TimedOut,
                Fault::Panicked { .. } => FaultKind::Panicked,
                _ => FaultKind::Other,
            },
            detail: fault.to_string(),
        },
        Err(rejection) => Answer::Rejected(rejection),
    }
}

/// A [`WebhookParser`] run in process, called inline under the runner's watch or behind a
/// worker thread that gives up after `guard`.
#[must_use]
pub(crate) fn in_process(parser: Arc<dyn WebhookParser>, guard: Duration) -> InProcess {
    let fidelity = parser.fidelity();
    let supported = supported_by(parser.as_ref());
    let mut target = InProcess::new(
        Arc::new(move |vendor, body| answer_of(parser.parse(vendor, body))),
        guard,
        fidelity,
    );
    target.supported = supported;
    target
}

/// The function an in-process target runs on its worker thread.
pub(crate) type ParseFn = dyn Fn(Vendor, &[u8]) -> Answer + Send + Sync;

type Job = (Vendor, Vec<u8>);

/// One worker thread: jobs in, answers out, both channels kept for the worker's life (no
/// channel is made per call).
struct Worker {
    jobs: Sender<Job>,
    answers: Receiver<Answer>,
}

/// An in-process parser: called inline ([`Subject::call_inline`], the runner watching for
/// overruns) or behind a worker thread with a timeout ([`Subject::call`]), panics captured
/// either way.
pub(crate) struct InProcess {
    parse: Arc<ParseFn>,
    guard: Duration,
    fidelity: Fidelity,
    supported: Supported,
    worker: Mutex<Option<Worker>>,
}

impl std::fmt::Debug for InProcess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InProcess")
            .field("guard", &self.guard)
            .field("fidelity", &self.fidelity)
            .finish_non_exhaustive()
    }
}

impl InProcess {
    /// Runs `parse` on a worker thread, abandoning any call that takes longer than `guard`.
    #[must_use]
    pub(crate) fn new(parse: Arc<ParseFn>, guard: Duration, fidelity: Fidelity) -> Self {
        quiet_worker_panics();
        Self {
            parse,
            guard,
            fidelity,
            supported: Vec::new(),
            worker: Mutex::new(None),
        }
    }

    fn spawn(&self) -> Result<Worker, String> {
        let (jobs, job_rx) = mpsc::channel::<Job>();
        let (answer_tx, answers) = mpsc::channel::<Answer>();
        let parse = Arc::clone(&self.parse);
        thread::Builder::new()
            .name(WORKER_NAME.to_owned())
            .spawn(move || serve(&*parse, &job_rx, &answer_tx))
            .map_err(|e| format!("could not start a worker thread: {e}"))?;
        Ok(Worker { jobs, answers })
    }
}

fn serve(parse: &ParseFn, jobs: &Receiver<Job>, answers: &Sender<Answer>) {
    while let Ok((vendor, body)) = jobs.recv() {
        let answer = match panic::catch_unwind(AssertUnwindSafe(|| parse(vendor, &body))) {
            Ok(answer) => answer,
            Err(payload) => Answer::Fault {
                kind: FaultKind::Panicked,
                detail: panic_text(payload.as_ref()),
            },
        };
        if answers.send(answer).is_err() {
            // The caller gave up on this worker (a timeout) and dropped its receiver: this
            // worker has been replaced, so stop serving.
            return;
        }
    }
}

impl Subject for InProcess {
    fn inline_guard(&self) -> Option<Duration> {
        Some(self.guard)
    }

    fn call_inline(&self, vendor: Vendor, body: &[u8]) -> Call {
        caught(|| (self.parse)(vendor, body))
    }

    fn call(&self, vendor: Vendor, body: &[u8]) -> Call {
        let start = Instant::now();
        let fault = |kind, detail: String| Call {
            answer: Answer::Fault { kind, detail },
            elapsed: start.elapsed(),
        };
        // A poisoned lock only means a previous caller panicked between lock and unlock, which
        // this code never does; recover the state either way.
        let mut slot = self
            .worker
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut worker = match slot.take() {
            Some(w) => w,
            None => match self.spawn() {
                Ok(w) => w,
                Err(e) => return fault(FaultKind::Other, e),
            },
        };
        if let Err(mpsc::SendError(job)) = worker.jobs.send((vendor, body.to_vec())) {
            // The worker died (it never should: panics are caught); start another.
            worker = match self.spawn() {
                Ok(w) => w,
                Err(e) => return fault(FaultKind::Other, e),
            };
            if worker.jobs.send(job).is_err() {
                return fault(FaultKind::Other, "worker thread vanished".into());
            }
        }
        match worker.answers.recv_timeout(self.guard) {
            Ok(answer) => {
                *slot = Some(worker);
                Call {
                    answer,
                    elapsed: start.elapsed(),
                }
            }
            Err(RecvTimeoutError::Timeout) => {
                // Leave the stuck worker behind; the next call starts a fresh one.
                fault(
                    FaultKind::TimedOut,
                    format!(
                        "no answer within {}",
                        humantime::format_duration(self.guard)
                    ),
                )
            }
            Err(RecvTimeoutError::Disconnected) => {
                fault(FaultKind::Other, "worker thread stopped".into())
            }
        }
    }

    fn fidelity(&self) -> Fidelity {
        self.fidelity
    }

    fn supports(&self, vendor: Vendor) -> bool {
        supports(&self.supported, vendor)
    }
}

thread_local! {
    static LAST_PANIC_AT: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Installs (once per process) a panic hook that keeps panics on [`WORKER_NAME`] threads off
/// stderr and records their location; panics on any other thread go to the previous hook.
pub(crate) fn quiet_worker_panics() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if thread::current().name() == Some(WORKER_NAME) {
                let at = info
                    .location()
                    .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()));
                LAST_PANIC_AT.with(|cell| *cell.borrow_mut() = at);
            } else {
                previous(info);
            }
        }));
    });
}

/// The message of a caught panic, with its location when the hook recorded one.
fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(non-text panic payload)".to_owned());
    match LAST_PANIC_AT.with(|cell| cell.borrow_mut().take()) {
        Some(at) => format!("{message} (at {at})"),
        None => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(f: impl Fn(Vendor, &[u8]) -> Answer + Send + Sync + 'static) -> InProcess {
        InProcess::new(Arc::new(f), Duration::from_millis(200), Fidelity::Fields)
    }

    #[test]
    fn answers_pass_through() {
        let t = target(|_, body| match body {
            b"ok" => Answer::Accepted(ParsedEvent::new("x")),
            _ => Answer::rejected("nope"),
        });
        assert_eq!(
            t.call(Vendor::POSTAL, b"ok").answer,
            Answer::Accepted(ParsedEvent::new("x"))
        );
        assert_eq!(
            t.call(Vendor::POSTAL, b"x").answer,
            Answer::rejected("nope")
        );
    }

    #[test]
    fn panics_are_caught_with_their_message_and_location() {
        let t = target(|_, body| {
            assert!(body != b"boom", "exploded on purpose");
            Answer::rejected("fine")
        });
        match t.call(Vendor::MSNDR, b"boom").answer {
            Answer::Fault {
                kind: FaultKind::Panicked,
                detail,
            } => {
                assert!(detail.contains("exploded on purpose"), "{detail}");
                assert!(detail.contains("call.rs"), "{detail}");
            }
            other => panic!("expected a panic fault, got {other:?}"),
        }
        // The same worker keeps serving after a caught panic.
        assert_eq!(t.call(Vendor::MSNDR, b"x").answer, Answer::rejected("fine"));
    }

    #[test]
    fn hangs_time_out_and_the_next_call_gets_a_fresh_worker() {
        let t = target(|_, body| {
            if body == b"hang" {
                thread::sleep(Duration::from_secs(5));
            }
            Answer::rejected("quick")
        });
        let call = t.call(Vendor::GETMAILER, b"hang");
        assert!(matches!(
            call.answer,
            Answer::Fault {
                kind: FaultKind::TimedOut,
                ..
            }
        ));
        assert!(call.elapsed >= Duration::from_millis(200));
        assert!(call.elapsed < Duration::from_secs(2));
        let next = t.call(Vendor::GETMAILER, b"x");
        assert_eq!(next.answer, Answer::rejected("quick"));
    }
}
