//! An ordered parallel map with bounded memory: tasks `0, 1, 2, …` run on several threads and
//! their results reach one sink strictly in task order.
//!
//! This is how `hookcheck gen --jobs N` stays byte-identical to `--jobs 1`: value `i` depends
//! only on `(seed, i)`, the workers make values in any order, and the caller's thread writes them
//! in index order. At most `window` tasks are started ahead of the next one to be written, so
//! the results held at any time are bounded whatever the number of tasks.

use std::{
    collections::BTreeMap,
    num::NonZeroUsize,
    ops::ControlFlow,
    panic::{self, AssertUnwindSafe},
    sync::{Condvar, Mutex, PoisonError},
    thread,
};

/// Runs `task(0)`, `task(1)`, … `task(tasks - 1)` on `jobs` threads and hands each result to
/// `sink` in task order, on the calling thread.
///
/// The calling thread is one of the `jobs` threads: it runs tasks too whenever the next result
/// is not ready yet, so `jobs` threads never compete with a separate writer for `jobs` cores.
/// No task is started more than `window` (at least `jobs`) tasks ahead of the next result the
/// sink is waiting for. The sink ends the run early with [`ControlFlow::Break`] or an error;
/// tasks already started are then finished and dropped. With `jobs == 1` everything runs on the
/// calling thread, one task after the other.
///
/// # Errors
///
/// The first error the sink returns.
///
/// # Panics
///
/// A panic in a task is resumed on the calling thread.
pub fn ordered<T, E, F, S>(
    jobs: NonZeroUsize,
    window: usize,
    tasks: u64,
    task: F,
    mut sink: S,
) -> Result<(), E>
where
    T: Send,
    F: Fn(u64) -> T + Sync,
    S: FnMut(u64, T) -> Result<ControlFlow<()>, E>,
{
    if jobs.get() == 1 {
        for i in 0..tasks {
            if sink(i, task(i))?.is_break() {
                break;
            }
        }
        return Ok(());
    }
    let window = u64::try_from(window.max(jobs.get())).unwrap_or(u64::MAX);
    let shared = Shared {
        state: Mutex::new(State {
            next_task: 0,
            next_out: 0,
            done: BTreeMap::new(),
            stop: false,
            idle_workers: 0,
            caller_waits: false,
        }),
        space: Condvar::new(),
        ready: Condvar::new(),
        tasks,
        window,
    };
    thread::scope(|scope| {
        for _ in 1..jobs.get() {
            scope.spawn(|| shared.work(&task));
        }
        let result = shared.drain(&task, &mut sink);
        let mut st = shared.lock();
        st.stop = true;
        let idle = st.idle_workers > 0;
        drop(st);
        if idle {
            shared.space.notify_all();
        }
        result
    })
}

struct State<T> {
    /// The next task a thread will start.
    next_task: u64,
    /// The next result the sink is waiting for.
    next_out: u64,
    /// Finished results not yet handed to the sink (`Err`: the task panicked).
    done: BTreeMap<u64, thread::Result<T>>,
    /// Set when the sink is done: nothing more is started.
    stop: bool,
    /// Workers waiting for the window to move (only they are woken when it does).
    idle_workers: usize,
    /// Whether the calling thread waits for a result (it is woken only then).
    caller_waits: bool,
}

impl<T> State<T> {
    /// Claims the next task if one may start now.
    fn claim(&mut self, tasks: u64, window: u64) -> Option<u64> {
        let startable =
            !self.exhausted(tasks) && self.next_task < self.next_out.saturating_add(window);
        startable.then(|| {
            self.next_task += 1;
            self.next_task - 1
        })
    }

    /// Whether no task is left to start (or the run stopped).
    fn exhausted(&self, tasks: u64) -> bool {
        self.stop || self.next_task >= tasks
    }
}

struct Shared<T> {
    state: Mutex<State<T>>,
    /// Signalled when the window moves or the run stops, if a worker waits.
    space: Condvar,
    /// Signalled when a result is added, if the calling thread waits.
    ready: Condvar,
    tasks: u64,
    window: u64,
}

impl<T> Shared<T> {
    fn lock(&self) -> std::sync::MutexGuard<'_, State<T>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `task(index)` and files its result, waking the calling thread if it waits.
    fn run<F: Fn(u64) -> T>(&self, index: u64, task: &F) {
        let result = panic::catch_unwind(AssertUnwindSafe(|| task(index)));
        let failed = result.is_err();
        let mut st = self.lock();
        st.done.insert(index, result);
        if failed {
            st.stop = true;
        }
        let wake = st.caller_waits;
        drop(st);
        if wake {
            self.ready.notify_one();
        }
    }

    /// A spawned worker: claims and runs tasks until none is left.
    fn work<F: Fn(u64) -> T>(&self, task: &F) {
        loop {
            let index = {
                let mut st = self.lock();
                loop {
                    if st.exhausted(self.tasks) {
                        return;
                    }
                    if let Some(index) = st.claim(self.tasks, self.window) {
                        break index;
                    }
                    st.idle_workers += 1;
                    st = self.space.wait(st).unwrap_or_else(PoisonError::into_inner);
                    st.idle_workers -= 1;
                }
            };
            self.run(index, task);
        }
    }

    /// The calling thread: hands results to the sink in order, and runs a task itself whenever
    /// the next result is not ready and one may start.
    fn drain<E, F, S>(&self, task: &F, sink: &mut S) -> Result<(), E>
    where
        F: Fn(u64) -> T,
        S: FnMut(u64, T) -> Result<ControlFlow<()>, E>,
    {
        loop {
            let mut st = self.lock();
            if st.next_out >= self.tasks {
                return Ok(());
            }
            let next = st.next_out;
            if let Some(result) = st.done.remove(&next) {
                st.next_out += 1;
                let wake = st.idle_workers > 0;
                drop(st);
                if wake {
                    self.space.notify_all();
                }
                let value = match result {
                    Ok(v) => v,
                    Err(payload) => panic::resume_unwind(payload),
                };
                if sink(next, value)?.is_break() {
                    return Ok(());
                }
            } else if let Some(index) = st.claim(self.tasks, self.window) {
                drop(st);
                self.run(index, task);
            } else {
                st.caller_waits = true;
                st = self.ready.wait(st).unwrap_or_else(PoisonError::into_inner);
                st.caller_waits = false;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};

    fn jobs(n: usize) -> NonZeroUsize {
        NonZeroUsize::new(n).unwrap()
    }

    #[test]
    fn results_arrive_in_order_whatever_the_timing() {
        for n in [1, 2, 4] {
            let mut seen = Vec::new();
            ordered(
                jobs(n),
                3,
                200,
                |i| {
                    // Later tasks finish first now and then.
                    if i % 7 == 0 {
                        thread::sleep(std::time::Duration::from_micros(300));
                    }
                    i * 2
                },
                |i, v| {
                    seen.push((i, v));
                    Ok::<_, ()>(ControlFlow::Continue(()))
                },
            )
            .unwrap();
            let want: Vec<_> = (0..200).map(|i| (i, i * 2)).collect();
            assert_eq!(seen, want, "{n} jobs");
        }
    }

    #[test]
    fn the_window_bounds_tasks_started_ahead() {
        let started = AtomicU64::new(0);
        let mut worst = 0;
        ordered(
            jobs(2),
            4,
            100,
            |_| started.fetch_add(1, Ordering::SeqCst),
            |i, _| {
                // Tasks started, minus the results already handed over (this one included).
                worst = worst.max(started.load(Ordering::SeqCst) - (i + 1));
                Ok::<_, ()>(ControlFlow::Continue(()))
            },
        )
        .unwrap();
        assert!(worst <= 4, "{worst} tasks ahead of the sink");
    }

    #[test]
    fn the_sink_stops_the_run() {
        let started = AtomicU64::new(0);
        let mut last = 0;
        let r = ordered(
            jobs(2),
            4,
            u64::MAX,
            |i| {
                started.fetch_add(1, Ordering::SeqCst);
                i
            },
            |i, _| {
                last = i;
                if i == 9 {
                    Err("stop")
                } else {
                    Ok(ControlFlow::Continue(()))
                }
            },
        );
        assert_eq!(r, Err("stop"));
        assert_eq!(last, 9);
        assert!(started.load(Ordering::SeqCst) <= 10 + 4);
    }

    #[test]
    fn the_calling_thread_is_one_of_the_jobs() {
        let caller = thread::current().id();
        let threads = Mutex::new(std::collections::HashSet::new());
        ordered(
            jobs(2),
            4,
            40,
            |_| {
                threads.lock().unwrap().insert(thread::current().id());
                thread::sleep(std::time::Duration::from_millis(1));
            },
            |_, ()| Ok::<_, ()>(ControlFlow::Continue(())),
        )
        .unwrap();
        let threads = threads.into_inner().unwrap();
        assert!(threads.len() <= 2, "{} threads ran tasks", threads.len());
        assert!(threads.contains(&caller), "the caller ran no task");
    }

    #[test]
    fn a_panicking_task_panics_the_caller() {
        let r = panic::catch_unwind(|| {
            ordered(
                jobs(2),
                2,
                10,
                |i| assert!(i != 5, "task 5"),
                |_, ()| Ok::<_, ()>(ControlFlow::Continue(())),
            )
        });
        assert!(r.is_err());
    }
}
