//! `hookcheck coverage`: measure the generator against the JSON-Schema-Test-Suite.

use std::{
    io::{self, Write},
    path::PathBuf,
    process::ExitCode,
};

use super::output::{Format, print_json, stdout_err, unless_closed};
use super::{CliError, EXIT_FAILURES, EXIT_OK};
use crate::generate::coverage::{CoverageOptions, CoverageReport, run_suite};

/// Arguments of `hookcheck coverage`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
For every schema of every test file: generate N values and check each with the validator,
generate labelled negatives and check each fails on its label. A schema is satisfiable when one
of the suite's own instances is valid for it, or the generator finds a value.
Exit codes: 0 no wrong value, 1 the generator produced a wrong value, 2 usage or I/O error.")]
pub struct Args {
    /// The suite's root (holding tests/draft2020-12 and remotes/).
    #[arg(value_name = "SUITE", default_value = "tests/json-schema-test-suite")]
    suite: PathBuf,
    /// Valid values generated (and checked) per schema.
    #[arg(long, default_value_t = 20)]
    values: u64,
    /// Seed of the run.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
    /// List every schema that was not covered, with the reason.
    #[arg(short, long)]
    verbose: bool,
}

/// Runs `hookcheck coverage`.
pub(crate) fn run(args: Args) -> Result<ExitCode, CliError> {
    let opts = CoverageOptions::default()
        .with_seed(args.seed)
        .with_values_per_schema(args.values);
    let report = run_suite(&args.suite, &opts)
        .map_err(|e| CliError::Usage(format!("{}: {e}", args.suite.display())))?;
    unless_closed(match args.format {
        Format::Json => print_json(&report),
        Format::Human => print_human(&report, args.verbose).map_err(stdout_err),
    })?;
    Ok(ExitCode::from(if report.total.wrong > 0 {
        EXIT_FAILURES
    } else {
        EXIT_OK
    }))
}

fn print_human(report: &CoverageReport, verbose: bool) -> io::Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(report.table(verbose).as_bytes())?;
    let t = &report.total;
    writeln!(
        out,
        "coverage: {:.1}% of satisfiable schemas ({} of {}), {} wrong; {} values and {} negatives checked",
        t.coverage() * 100.0,
        t.covered,
        t.satisfiable,
        t.wrong,
        t.values,
        t.negatives
    )
}
