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
        }),
        space: Condvar::new(),
        ready: Condvar::new(),
    };
    thread::scope(|scope| {
        for _ in 0..jobs.get() {
            scope.spawn(|| shared.work(tasks, window, &task));
        }
        let result = shared.drain(tasks, &mut sink);
        shared.lock().stop = true;
        shared.space.notify_all();
        result
    })
}

struct State<T> {
    /// The next task a worker will start.
    next_task: u64,
    /// The next result the sink is waiting for.
    next_out: u64,
    /// Finished results not yet handed to the sink (`Err`: the task panicked).
    done: BTreeMap<u64, thread::Result<T>>,
    /// Set when the sink is done: workers start nothing more.
    stop: bool,
}

struct Shared<T> {
    state: Mutex<State<T>>,
    /// Signalled when the window moves or the run stops.
    space: Condvar,
    /// Signalled when a result is added.
    ready: Condvar,
}

impl<T> Shared<T> {
    fn lock(&self) -> std::sync::MutexGuard<'_, State<T>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn work<F: Fn(u64) -> T>(&self, tasks: u64, window: u64, task: &F) {
        loop {
            let index = {
                let mut st = self.lock();
                loop {
                    if st.stop || st.next_task >= tasks {
                        return;
                    }
                    if st.next_task < st.next_out.saturating_add(window) {
                        break;
                    }
                    st = self.space.wait(st).unwrap_or_else(PoisonError::into_inner);
                }
                st.next_task += 1;
                st.next_task - 1
            };
            let result = panic::catch_unwind(AssertUnwindSafe(|| task(index)));
            let failed = result.is_err();
            let mut st = self.lock();
            st.done.insert(index, result);
            if failed {
                st.stop = true;
            }
            drop(st);
            self.ready.notify_one();
        }
    }

    fn drain<E, S>(&self, tasks: u64, sink: &mut S) -> Result<(), E>
    where
        S: FnMut(u64, T) -> Result<ControlFlow<()>, E>,
    {
        loop {
            let (index, result) = {
                let mut st = self.lock();
                loop {
                    if st.next_out >= tasks {
                        return Ok(());
                    }
                    let next = st.next_out;
                    if let Some(r) = st.done.remove(&next) {
                        st.next_out += 1;
                        break (next, r);
                    }
                    st = self.ready.wait(st).unwrap_or_else(PoisonError::into_inner);
                }
            };
            self.space.notify_all();
            let value = match result {
                Ok(v) => v,
                Err(payload) => panic::resume_unwind(payload),
            };
            if sink(index, value)?.is_break() {
                return Ok(());
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
