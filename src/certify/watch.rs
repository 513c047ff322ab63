//! Calls to an in-process parser made inline, on the thread that runs the cell, while the
//! runner watches for a call that overruns its time bound.
//!
//! A passing call costs two clock reads and two uncontended locks here, no thread handoff. The
//! runner ([`super::runner`]) waits for the cell's result and looks at [`CallWatch::deadline`]:
//! when the call in progress passes it, the runner cancels the watch, abandons the cell's
//! thread and runs the cell again in the guarded mode, where every call goes to a worker thread
//! that is itself abandoned on a timeout. The abandoned thread's later calls, if its parser
//! ever returns, get a fault at once, so it stops within the cell's fault budget.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::call::{Answer, Call, FaultKind, Subject};
use crate::catalog::Vendor;
use crate::parser::Fidelity;
use crate::signature::forge::Forgery;

/// When the call in progress started, and whether its cell was given up on.
#[derive(Debug, Default)]
pub(crate) struct CallWatch {
    since: Mutex<Option<Instant>>,
    cancelled: AtomicBool,
}

impl CallWatch {
    fn set(&self, since: Option<Instant>) {
        *self.since.lock().unwrap_or_else(PoisonError::into_inner) = since;
    }

    /// When the call in progress overruns `guard`; `None` while no call is in progress.
    pub(crate) fn deadline(&self, guard: Duration) -> Option<Instant> {
        self.since
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .map(|since| since + guard)
    }

    /// Gives up on the cell: its further calls fault at once.
    pub(crate) fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }
}

/// The target of a cell run inline: each call goes to [`Subject::call_inline`] on the calling
/// thread, its start recorded in the [`CallWatch`].
pub(crate) struct Watched {
    /// The job's target.
    pub(crate) target: Arc<dyn Subject>,
    /// What the runner watches.
    pub(crate) watch: Arc<CallWatch>,
}

impl Subject for Watched {
    fn call(&self, vendor: Vendor, body: &[u8]) -> Call {
        if self.watch.cancelled.load(Ordering::Relaxed) {
            return Call {
                answer: Answer::Fault {
                    kind: FaultKind::Other,
                    detail: "the cell was abandoned after a call overran its time bound".into(),
                },
                elapsed: Duration::ZERO,
            };
        }
        self.watch.set(Some(Instant::now()));
        let call = self.target.call_inline(vendor, body);
        self.watch.set(None);
        call
    }

    fn fidelity(&self) -> Fidelity {
        self.target.fidelity()
    }

    fn supports(&self, vendor: Vendor) -> bool {
        self.target.supports(vendor)
    }

    fn signs(&self, vendor: Vendor) -> bool {
        self.target.signs(vendor)
    }

    fn forgeries(&self, vendor: Vendor, body: &[u8]) -> Result<Vec<Forgery>, String> {
        self.target.forgeries(vendor, body)
    }

    fn call_forged(&self, vendor: Vendor, forgery: &Forgery) -> Call {
        self.target.call_forged(vendor, forgery)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicU32;
    use std::thread;

    use super::*;
    use crate::certify::call::InProcess;

    const GUARD: Duration = Duration::from_secs(5);

    #[test]
    fn inline_calls_run_on_the_calling_thread_and_are_watched_only_while_they_run() {
        let watch = Arc::new(CallWatch::default());
        let seen = Arc::clone(&watch);
        let target = InProcess::new(
            Arc::new(move |_, _| {
                let deadline = seen.deadline(GUARD);
                Answer::rejected(format!(
                    "{:?} {}",
                    thread::current().id(),
                    deadline.is_some_and(|at| at > Instant::now())
                ))
            }),
            GUARD,
            Fidelity::Fields,
        );
        let watched = Watched {
            target: Arc::new(target),
            watch: Arc::clone(&watch),
        };
        assert_eq!(watch.deadline(GUARD), None);
        let call = watched.call(Vendor::POSTAL, b"{}");
        assert_eq!(
            call.answer,
            Answer::rejected(format!("{:?} true", thread::current().id()))
        );
        assert_eq!(watch.deadline(GUARD), None);
    }

    #[test]
    fn a_cancelled_watch_faults_at_once_without_calling_the_parser() {
        let calls = Arc::new(AtomicU32::new(0));
        let counted = Arc::clone(&calls);
        let target = InProcess::new(
            Arc::new(move |_, _| {
                counted.fetch_add(1, Ordering::Relaxed);
                Answer::rejected("called")
            }),
            GUARD,
            Fidelity::Fields,
        );
        let watched = Watched {
            target: Arc::new(target),
            watch: Arc::new(CallWatch::default()),
        };
        assert_eq!(
            watched.call(Vendor::MSNDR, b"{}").answer,
            Answer::rejected("called")
        );
        watched.watch.cancel();
        let call = watched.call(Vendor::MSNDR, b"{}");
        assert!(
            matches!(
                call.answer,
                Answer::Fault {
                    kind: FaultKind::Other,
                    ..
                }
            ),
            "{:?}",
            call.answer
        );
        assert_eq!(calls.load(Ordering::Relaxed), 1);
    }

    #[test]
    fn inline_panics_are_caught_with_their_location() {
        crate::certify::call::quiet_worker_panics();
        let target = InProcess::new(
            Arc::new(|_, _| panic!("inline on purpose")),
            GUARD,
            Fidelity::Fields,
        );
        // Parser threads carry the worker name, so the hook records the location quietly.
        let answer = thread::Builder::new()
            .name(crate::certify::call::WORKER_NAME.to_owned())
            .spawn(move || target.call_inline(Vendor::GETMAILER, b"{}").answer)
            .unwrap()
            .join()
            .unwrap();
        match answer {
            Answer::Fault {
                kind: FaultKind::Panicked,
                detail,
            } => {
                assert!(detail.contains("inline on purpose"), "{detail}");
                assert!(detail.contains("watch.rs"), "{detail}");
            }
            other => panic!("expected a panic fault, got {other:?}"),
        }
    }
}
