//! Output helpers shared by subcommands.

use std::io::{self, Write};

use clap::ValueEnum;
use serde::Serialize;

use super::CliError;

/// Output format of a report-like subcommand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub(crate) enum Format {
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

/// Writes `value` as pretty JSON plus a newline to stdout.
pub(crate) fn print_json<T: Serialize>(value: &T) -> Result<(), CliError> {
    let mut out = io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value).map_err(|e| stdout_err(io::Error::other(e)))?;
    writeln!(out).map_err(stdout_err)
}
