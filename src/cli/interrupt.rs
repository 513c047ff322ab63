//! SIGINT and SIGTERM for the synchronous subcommands: the first sets a flag that the run
//! checks between cases (it then ends early and writes its reports); the second ends the
//! process at once, with exit code 2.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use super::EXIT_ERROR;

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
            runtime.block_on(async move {
                use tokio::signal::unix::{SignalKind, signal};
                let (Ok(mut int), Ok(mut term)) = (
                    signal(SignalKind::interrupt()),
                    signal(SignalKind::terminate()),
                ) else {
                    return;
                };
                for _ in 0..2 {
                    tokio::select! {
                        _ = int.recv() => {}
                        _ = term.recv() => {}
                    }
                    if set.swap(true, Ordering::Relaxed) {
                        #[allow(clippy::exit, reason = "a second signal means: stop now")]
                        std::process::exit(i32::from(EXIT_ERROR));
                    }
                    #[allow(clippy::print_stderr, reason = "the CLI is the one place that prints")]
                    {
                        eprintln!(
                            "\nhookcheck: interrupted; finishing the running cells and writing the reports (again to stop now)"
                        );
                    }
                }
            });
        });
    drop(spawned);
    flag
}
