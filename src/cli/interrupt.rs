//! SIGINT and SIGTERM for the synchronous subcommands: the first sets a flag that the run
//! checks between cases (it then ends early and writes its reports); the second ends the
//! process at once, with exit code 2.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use super::EXIT_ERROR;

/// Waits for SIGINT and SIGTERM (Ctrl-C off Unix) and calls `each` with the number of signals
/// so far (1, 2, …) after every one, until `each` says to stop listening. The one place both
/// the synchronous subcommands ([`on_signals`]) and `listen` (on its runtime) take signals from.
pub(crate) async fn signals(mut each: impl FnMut(u32) -> bool) {
    let mut count = 0;
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut int), Ok(mut term)) = (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        ) else {
            return;
        };
        loop {
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
            }
            count += 1;
            if !each(count) {
                return;
            }
        }
    }
    #[cfg(not(unix))]
    while tokio::signal::ctrl_c().await.is_ok() {
        count += 1;
        if !each(count) {
            return;
        }
    }
}

/// A flag set by the first SIGINT or SIGTERM from now on.
pub(crate) fn on_signals() -> Arc<AtomicBool> {
    let flag = Arc::new(AtomicBool::new(false));
    let set = Arc::clone(&flag);
    let spawned = std::thread::Builder::new()
        .name("hookcheck-signals".into())
        .spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_io()
                .build()
            else {
                return;
            };
            runtime.block_on(signals(move |count| {
                if count > 1 || set.swap(true, Ordering::Relaxed) {
                    #[allow(clippy::exit, reason = "a second signal means: stop now")]
                    std::process::exit(i32::from(EXIT_ERROR));
                }
                eprintln!(
                    "\nhookcheck: interrupted; finishing the running cells and writing the reports (again to stop now)"
                );
                true
            }));
        });
    drop(spawned);
    flag
}
