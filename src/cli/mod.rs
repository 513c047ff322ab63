//! The command-line interface: one module per subcommand, each a thin layer over the library.
//!
//! Exit codes, for every subcommand: `0` all good, `1` conformance failures (a payload or a
//! parser did not conform), `2` usage or I/O error (bad flags, unreadable file, unknown vendor).
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "the CLI is the one place that prints"
)]

mod api_check;
mod catalog;
mod certify;
mod completions;
mod coverage;
mod export;
mod generate;
mod inputs;
mod interrupt;
mod keys;
mod list;
mod listen;
mod man;
mod mock;
mod output;
mod replay;
mod reports;
mod schema;
mod secrets;
mod size;
mod stdout;
mod tls;
mod validate;

use std::{fmt, io, path::PathBuf, process::ExitCode};

use clap::{Parser, Subcommand};

use hookcheck::catalog::CatalogError;

/// Schema conformance and fuzz test harness for email webhook payloads.
#[derive(Debug, Parser)]
#[command(name = "hookcheck", version, about = about(), long_about = None)]
#[command(after_help = "Exit codes: 0 all good, 1 conformance failures, 2 usage or I/O error.")]
pub(crate) struct Cli {
    /// The subcommand.
    #[command(subcommand)]
    pub command: Command,
    /// `--catalog DIR` and `--no-builtin`, accepted by every subcommand.
    #[command(flatten)]
    pub catalog: catalog::CatalogArgs,
}

/// Every subcommand.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// List the vendors and events in the catalog.
    List(list::Args),
    /// Print the JSON Schema of one event (VENDOR/EVENT, or EVENT when unambiguous).
    Schema(schema::Args),
    /// Write the catalog in another format (`export openapi`: OpenAPI 3.1 webhooks).
    Export(export::Args),
    /// Validate payload files, directories or stdin against the catalog.
    Validate(validate::Args),
    /// Generate valid (or, with --invalid, labelled invalid) payloads for an event or a schema.
    Gen(generate::Args),
    /// Measure the generator against the JSON-Schema-Test-Suite.
    Coverage(coverage::Args),
    /// Certify a webhook parser: run the named properties and write a reproducible verdict.
    Certify(Box<certify::Args>),
    /// Receive webhooks over HTTP, check each one, record them and write reports.
    Listen(Box<listen::Args>),
    /// POST recorded or given payloads to a URL, signed as the vendor would.
    Replay(replay::Args),
    /// Check a running webhook configuration API (msndr): schemas, semantics, auth, bad input.
    ApiCheck(api_check::Args),
    /// Run a local stand-in of a vendor API (msndr-api).
    Mock(mock::Args),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(completions::Args),
    /// Print the manual page (roff), or write one per subcommand with --out.
    Man(man::Args),
}

/// What can stop a subcommand (exit code 2).
#[derive(Debug)]
pub(crate) enum CliError {
    /// Flags that do not fit together or name something unknown.
    Usage(String),
    /// A file or directory that cannot be read or written.
    Io {
        /// The path (or `-` for stdin/stdout).
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
    /// A catalog lookup failed (unknown vendor/event) or a schema did not compile.
    Catalog(CatalogError),
    /// A certification run could not be carried out, or its reports not merged.
    Certify(hookcheck::certify::CertifyError),
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Usage(m) => f.write_str(m),
            CliError::Io { path, source } => write!(f, "{}: {source}", path.display()),
            CliError::Catalog(e) => e.fmt(f),
            CliError::Certify(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for CliError {}

impl From<hookcheck::certify::CertifyError> for CliError {
    fn from(e: hookcheck::certify::CertifyError) -> Self {
        CliError::Certify(e)
    }
}

impl From<CatalogError> for CliError {
    fn from(e: CatalogError) -> Self {
        CliError::Catalog(e)
    }
}

/// Exit code: all good.
pub(crate) const EXIT_OK: u8 = 0;
/// Exit code: conformance failures.
pub(crate) const EXIT_FAILURES: u8 = 1;
/// Exit code: usage or I/O error.
pub(crate) const EXIT_ERROR: u8 = 2;

/// Parses the process arguments, runs the subcommand and returns the exit code.
#[must_use]
/// The binary's one-line description, naming the built-in vendors from their profiles.
fn about() -> String {
    let names: Vec<String> = hookcheck::catalog::Vendor::builtin()
        .into_iter()
        .map(|v| v.profile().display_name.clone())
        .collect();
    format!(
        "Schema conformance and fuzz test harness for email webhook payloads ({})",
        names.join(", ")
    )
}

/// What a `--vendor` option takes, for its help: the built-in vendors by name, then user
/// vendors (`postal, msndr, getmailer, resend, or a --catalog vendor`).
pub(crate) fn vendor_choices() -> String {
    let names: Vec<&str> = hookcheck::catalog::Vendor::builtin()
        .into_iter()
        .map(hookcheck::catalog::Vendor::as_str)
        .collect();
    format!("{}, or a --catalog vendor", names.join(", "))
}

pub(crate) fn main() -> ExitCode {
    let raw: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if let Err(e) = catalog::preload(&raw) {
        eprintln!("hookcheck: error: {e}");
        return ExitCode::from(EXIT_ERROR);
    }
    let cli = match Cli::try_parse_from(&raw) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_ERROR } else { EXIT_OK };
            // Printing help or version can only fail on a closed stdout; nothing to report then.
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let result = match cli.command {
        Command::List(a) => list::run(a),
        Command::Schema(a) => schema::run(a),
        Command::Export(a) => export::run(a),
        Command::Validate(a) => validate::run(a),
        Command::Gen(a) => generate::run(a),
        Command::Coverage(a) => coverage::run(a),
        Command::Certify(a) => certify::run(*a),
        Command::Listen(a) => listen::run(*a),
        Command::Replay(a) => replay::run(a),
        Command::ApiCheck(a) => api_check::run(a),
        Command::Mock(a) => mock::run(a),
        Command::Completions(a) => completions::run(a),
        Command::Man(a) => man::run(a),
    };
    match result {
        Ok(code) => code,
        // The reader of stdout has gone (`hookcheck list | head -1`): nothing left to say.
        Err(e) if output::is_closed_stdout(&e) => ExitCode::from(EXIT_OK),
        Err(e) => {
            eprintln!("hookcheck: error: {e}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}
