//! Idle cell threads, kept for the next cell and the next run.
//!
//! Each cell of an in-process parser runs on a thread of its own, watched by its job (see
//! [`super::runner`]). Starting and ending a thread per cell cost about a tenth of a small
//! one-cell run (the kernel's thread creation, and on exit the unmapping of its stack, which
//! interrupts the other cores), so a thread whose task has returned waits here for the next one
//! instead. It looks for that task without sleeping for its first 50 µs ([`SPIN`]): a job hands
//! its next cell over within microseconds, and waking a sleeping thread took tens of them on
//! the 2-core VM the benchmarks ran on. A run's last thread so spends at most that long busy.
//! A thread whose task hangs comes back only if the task ever returns (an abandoned cell's
//! later calls fault at once, so it ends soon after its parser does); a task that panics ends
//! its thread. At most [`MAX_IDLE`] threads wait at any time.

use std::io;
use std::panic::{self, AssertUnwindSafe};
use std::sync::mpsc::{self, Receiver, Sender, TryRecvError};
use std::sync::{Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use super::call::WORKER_NAME;

/// A unit of work for a cell thread: it does the work and gives back how to deliver its result.
type Task = Box<dyn FnOnce() -> Deliver + Send + 'static>;

/// Hands a task's result over (sends it to whoever waits for it).
type Deliver = Box<dyn FnOnce() + Send + 'static>;

/// The most threads kept waiting; more than any run has jobs on a usual machine.
const MAX_IDLE: usize = 64;

/// Each waiting thread's inbox, the most recently idle last.
static IDLE: Mutex<Vec<Sender<Task>>> = Mutex::new(Vec::new());

/// Runs `work` on a waiting cell thread, or on a new one (named [`WORKER_NAME`]) when none is
/// waiting, and then `deliver` with its result; this returns at once. The thread is waiting
/// again before `deliver` runs, so whoever the result wakes finds it ready for the next task.
///
/// # Errors
/// When no thread is waiting and none can be started.
pub(crate) fn run<R: Send + 'static>(
    work: impl FnOnce() -> R + Send + 'static,
    deliver: impl FnOnce(R) + Send + 'static,
) -> io::Result<()> {
    let mut task: Task = Box::new(move || {
        let result = work();
        Box::new(move || deliver(result))
    });
    loop {
        let waiting = IDLE.lock().unwrap_or_else(PoisonError::into_inner).pop();
        let Some(inbox) = waiting else { break };
        match inbox.send(task) {
            Ok(()) => return Ok(()),
            // That thread has ended: try the next one.
            Err(mpsc::SendError(back)) => task = back,
        }
    }
    let (inbox, tasks) = mpsc::channel::<Task>();
    let own = inbox.clone();
    inbox
        .send(task)
        .map_err(|_| io::Error::other("a new thread's inbox is closed"))?;
    thread::Builder::new()
        .name(WORKER_NAME.to_owned())
        .spawn(move || serve(&own, &tasks))?;
    Ok(())
}

/// A cell thread's life: run each task, wait in [`IDLE`] again, deliver the task's result.
/// A task that panics ends its thread.
fn serve(own: &Sender<Task>, tasks: &Receiver<Task>) {
    while let Some(task) = next_task(tasks) {
        let Ok(deliver) = panic::catch_unwind(AssertUnwindSafe(task)) else {
            return;
        };
        let kept = {
            let mut idle = IDLE.lock().unwrap_or_else(PoisonError::into_inner);
            let room = idle.len() < MAX_IDLE;
            if room {
                idle.push(own.clone());
            }
            room
        };
        deliver();
        if !kept {
            return;
        }
    }
}

/// How long a thread that has delivered a result looks for its next task before it sleeps.
const SPIN: Duration = Duration::from_micros(50);

/// The next task, looked for without sleeping for up to [`SPIN`] (a job hands its next cell
/// over within microseconds, and waking a sleeping thread costs tens of them on a VM), then
/// waited for; `None` once no task can come.
fn next_task(tasks: &Receiver<Task>) -> Option<Task> {
    let started = Instant::now();
    loop {
        match tasks.try_recv() {
            Ok(task) => return Some(task),
            Err(TryRecvError::Disconnected) => return None,
            Err(TryRecvError::Empty) if started.elapsed() < SPIN => std::hint::spin_loop(),
            Err(TryRecvError::Empty) => return tasks.recv().ok(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;
    use std::thread::{self, ThreadId};
    use std::time::Duration;

    use super::run;

    /// Runs a task that reports its thread, and waits for the report.
    fn thread_of_a_task() -> ThreadId {
        let (tx, rx) = mpsc::channel();
        run(|| thread::current().id(), move |id| tx.send(id).unwrap()).unwrap();
        rx.recv_timeout(Duration::from_secs(10)).unwrap()
    }

    #[test]
    fn a_thread_is_waiting_again_when_its_result_arrives() {
        let first = thread_of_a_task();
        // Other tests share the pool, so another waiting thread may take a task; but the
        // thread that just delivered is the most recently idle, so it is taken first.
        assert!(
            (0..8).any(|_| thread_of_a_task() == first),
            "no later task ran on the first task's thread"
        );
    }

    #[test]
    fn a_busy_or_panicked_thread_is_not_waited_for() {
        crate::certify::call::quiet_worker_panics();
        let (hold, held) = mpsc::channel::<()>();
        // One thread stays busy until the end of the test, another panics.
        run(move || held.recv().ok(), |_| ()).unwrap();
        run(|| panic!("a task that panics on purpose"), |()| ()).unwrap();
        for _ in 0..8 {
            thread_of_a_task();
        }
        drop(hold);
    }
}
