//! Standard output that can never hold up the work: lines go over a bounded queue to a
//! thread of their own, which writes them. When stdout is not read (a pipe nobody drains)
//! and the queue is full, lines are dropped and counted; when stdout is closed, the rest
//! are discarded quietly. `listen` prints through this, so neither a stalled nor a closed
//! stdout can delay a request, the recording, the reports or the end of the run.

use std::{
    io::{self, Write},
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
        mpsc,
    },
    thread,
    time::{Duration, Instant},
};

/// Lines queued before new ones are dropped.
const QUEUE: usize = 4096;

/// The printing thread's handle.
pub(crate) struct Printer {
    tx: mpsc::SyncSender<String>,
    dropped: Arc<AtomicU64>,
    done: mpsc::Receiver<()>,
}

impl Printer {
    /// Starts the printing thread.
    pub(crate) fn start() -> Self {
        let (tx, rx) = mpsc::sync_channel::<String>(QUEUE);
        let (done_tx, done) = mpsc::channel();
        // Without a thread there is no printing; lines are then dropped, never blocking.
        let _ = thread::Builder::new()
            .name("hookcheck-stdout".into())
            .spawn(move || {
                let mut out = io::stdout().lock();
                let mut broken = false;
                while let Ok(line) = rx.recv() {
                    let mut write = |line: &str| {
                        if !broken && writeln!(out, "{line}").is_err() {
                            broken = true;
                        }
                    };
                    write(&line);
                    while let Ok(more) = rx.try_recv() {
                        write(&more);
                    }
                    if !broken && out.flush().is_err() {
                        broken = true;
                    }
                }
                let _ = done_tx.send(());
            });
        Self {
            tx,
            dropped: Arc::new(AtomicU64::new(0)),
            done,
        }
    }

    /// A cheap handle that queues lines (for callbacks on other threads).
    pub(crate) fn handle(&self) -> Lines {
        Lines {
            tx: self.tx.clone(),
            dropped: Arc::clone(&self.dropped),
        }
    }

    /// Lines dropped so far because stdout did not keep up.
    pub(crate) fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::SeqCst)
    }

    /// Queues a line, waiting up to `patience` for room (for the few lines that matter,
    /// such as the summary); dropped and counted after that.
    pub(crate) fn important(&self, line: String, patience: Duration) {
        let until = Instant::now() + patience;
        let mut line = line;
        loop {
            match self.tx.try_send(line) {
                Ok(()) | Err(mpsc::TrySendError::Disconnected(_)) => return,
                Err(mpsc::TrySendError::Full(back)) if Instant::now() < until => {
                    line = back;
                    thread::sleep(Duration::from_millis(5));
                }
                Err(mpsc::TrySendError::Full(_)) => {
                    self.dropped.fetch_add(1, Ordering::SeqCst);
                    return;
                }
            }
        }
    }

    /// Waits up to `patience` for the queued lines to be written. A stdout that is not read
    /// is left behind (the process can end without it).
    pub(crate) fn finish(self, patience: Duration) {
        let Printer { tx, done, .. } = self;
        drop(tx);
        let _ = done.recv_timeout(patience);
    }
}

/// Queues lines for the [`Printer`] without ever blocking.
#[derive(Clone)]
pub(crate) struct Lines {
    tx: mpsc::SyncSender<String>,
    dropped: Arc<AtomicU64>,
}

impl Lines {
    /// Queues a line, or drops and counts it when the queue is full.
    pub(crate) fn line(&self, line: String) {
        if let Err(mpsc::TrySendError::Full(_)) = self.tx.try_send(line) {
            self.dropped.fetch_add(1, Ordering::SeqCst);
        }
    }
}
