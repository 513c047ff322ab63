//! `hookcheck schema VENDOR/EVENT` (or `schema EVENT`): print one schema as it is embedded.

use std::io::Write;
use std::process::ExitCode;

use super::output::stdout_err;
use super::{CliError, EXIT_OK};
use crate::catalog::Catalog;

/// Arguments of `hookcheck schema`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The event: VENDOR/EVENT (postal/MessageSent), or the bare event name (MessageSent) when
    /// one vendor alone documents it; see `hookcheck list`.
    key: String,
}

/// Runs `hookcheck schema`.
pub(crate) fn run(args: Args) -> Result<ExitCode, CliError> {
    let entry = Catalog::builtin().lookup(&args.key)?;
    let mut out = std::io::stdout().lock();
    out.write_all(entry.source().as_bytes())
        .map_err(stdout_err)?;
    if !entry.source().ends_with('\n') {
        writeln!(out).map_err(stdout_err)?;
    }
    Ok(ExitCode::from(EXIT_OK))
}
