//! `hookcheck schema VENDOR/EVENT` (or `schema EVENT`): print one schema as it is embedded, or
//! bundled into one self-contained document (`--bundle`).

use std::io::Write;
use std::process::ExitCode;

use super::output::{print_json, stdout_err};
use super::{CliError, EXIT_OK};
use hookcheck::catalog::{Catalog, bundle};

/// Arguments of `hookcheck schema`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  hookcheck schema postal/MessageSent
  hookcheck schema --bundle postal/MessageSent > MessageSent.bundle.json")]
pub(crate) struct Args {
    /// The event: VENDOR/EVENT (postal/MessageSent), or the bare event name (MessageSent) when
    /// one vendor alone documents it; see `hookcheck list`.
    key: String,
    /// Print one self-contained schema: every `$ref` into another catalog file is inlined
    /// under `$defs`, for tools that cannot resolve relative references.
    #[arg(long)]
    bundle: bool,
}

/// Runs `hookcheck schema`.
pub(crate) fn run(args: Args) -> Result<ExitCode, CliError> {
    let entry = Catalog::active().lookup(&args.key)?;
    if args.bundle {
        let schema =
            bundle::bundle(entry).map_err(|e| CliError::Usage(format!("{}: {e}", args.key)))?;
        print_json(&schema)?;
        return Ok(ExitCode::from(EXIT_OK));
    }
    let mut out = std::io::stdout().lock();
    out.write_all(entry.source().as_bytes())
        .map_err(stdout_err)?;
    if !entry.source().ends_with('\n') {
        writeln!(out).map_err(stdout_err)?;
    }
    Ok(ExitCode::from(EXIT_OK))
}
