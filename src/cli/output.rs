//! Output helpers shared by subcommands.
//!
//! A closed stdout (`hookcheck list | head -1`) is not an error: the reader has what it wanted.
//! Writes to it fail with [`io::ErrorKind::BrokenPipe`] (Rust ignores `SIGPIPE`); the
//! subcommands stop writing and end quietly, with the exit code of the work done, and reports
//! written to files are written in full first.

use std::io::{self, Write};

use clap::ValueEnum;
use serde::Serialize;

use super::CliError;

/// Output format of a report-like subcommand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub(crate) enum Style {
    /// Text for people.
    #[default]
    Human,
    /// One JSON document.
    Json,
}

/// Maps a stdout write error to a [`CliError`].
pub(crate) fn stdout_err(source: io::Error) -> CliError {
    CliError::Io {
        path: "-".into(),
        source,
    }
}

/// Whether `e` is a write to a stdout whose reader has gone.
pub(crate) fn is_closed_stdout(e: &CliError) -> bool {
    matches!(e, CliError::Io { path, source }
        if source.kind() == io::ErrorKind::BrokenPipe && path.as_os_str() == "-")
}

/// `result`, with a closed stdout taken as done rather than as an error.
pub(crate) fn unless_closed(result: Result<(), CliError>) -> Result<(), CliError> {
    match result {
        Err(e) if is_closed_stdout(&e) => Ok(()),
        other => other,
    }
}

/// `Ok(true)` when a write to stdout went through, `Ok(false)` when stdout is closed.
pub(crate) fn still_open(written: io::Result<()>) -> Result<bool, CliError> {
    match written {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(false),
        Err(e) => Err(stdout_err(e)),
    }
}

/// Writes `value` as pretty JSON plus a newline to stdout.
pub(crate) fn print_json<T: Serialize>(value: &T) -> Result<(), CliError> {
    let mut out = io::stdout().lock();
    // `io::Error::from` keeps the kind of an I/O error (a closed stdout stays `BrokenPipe`).
    serde_json::to_writer_pretty(&mut out, value).map_err(|e| stdout_err(io::Error::from(e)))?;
    writeln!(out).map_err(stdout_err)?;
    out.flush().map_err(stdout_err)
}

/// Writes `report` in each of `formats` to its file in `dir` (see
/// [`hookcheck::report::Format::file_name`]), creating `dir`; returns the paths written, in order.
/// The one way every subcommand writes its report files.
pub(crate) fn write_report_files(
    report: &hookcheck::report::Report,
    formats: &[hookcheck::report::Format],
    dir: &std::path::Path,
) -> Result<Vec<std::path::PathBuf>, CliError> {
    std::fs::create_dir_all(dir).map_err(|source| CliError::Io {
        path: dir.to_owned(),
        source,
    })?;
    let mut written = Vec::new();
    for format in formats {
        let path = dir.join(format.file_name());
        let io_err = |source| CliError::Io {
            path: path.clone(),
            source,
        };
        let mut file = io::BufWriter::new(std::fs::File::create(&path).map_err(io_err)?);
        format.write(report, &mut file).map_err(io_err)?;
        file.flush().map_err(io_err)?;
        written.push(path);
    }
    Ok(written)
}

/// The tokio runtime of a subcommand that serves HTTP (`listen`, `mock`): two worker threads,
/// timers and I/O enabled.
#[cfg(feature = "listen")]
pub(crate) fn server_runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|source| CliError::Io {
            path: "<runtime>".into(),
            source,
        })
}
