//! `hookcheck coverage`: measure the generator against the JSON-Schema-Test-Suite.

use std::{
    io::{self, Write},
    path::{Path, PathBuf},
    process::ExitCode,
};

use super::output::{Style, print_json, stdout_err, unless_closed};
use super::{CliError, EXIT_FAILURES, EXIT_OK};
use hookcheck::generate::coverage::{CoverageOptions, CoverageReport, run_suite};

/// Arguments of `hookcheck coverage`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
For every schema of every test file: generate N values and check each with the validator,
generate labelled negatives and check each fails on its label. A schema is satisfiable when one
of the suite's own instances is valid for it, or the generator finds a value.
The suite is a checkout of https://github.com/json-schema-org/JSON-Schema-Test-Suite; by default
the copy in a clone of hookcheck: ./tests/json-schema-test-suite, else the one in the source tree
this binary was built from, if it is still there.
Exit codes: 0 no wrong value, 1 the generator produced a wrong value, 2 usage or I/O error.")]
pub(crate) struct Args {
    /// The suite's root (holding tests/draft2020-12 and remotes/).
    #[arg(long = "suite", value_name = "DIR", conflicts_with = "suite_dir")]
    suite: Option<PathBuf>,
    /// The same as --suite.
    #[arg(value_name = "SUITE", hide = true)]
    suite_dir: Option<PathBuf>,
    /// Valid values generated (and checked) per schema.
    #[arg(long, default_value_t = 20)]
    values: u64,
    /// Seed of the run.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Style,
    /// List every schema that was not covered, with the reason.
    #[arg(short, long)]
    verbose: bool,
}

/// Where the suite is in a clone of hookcheck.
const IN_REPO: &str = "tests/json-schema-test-suite";

/// The suite given, or the in-repository copy: in the working directory, else in the source
/// tree of this build.
fn suite_dir(args: &Args) -> Result<PathBuf, CliError> {
    if let Some(dir) = args.suite.as_ref().or(args.suite_dir.as_ref()) {
        return Ok(dir.clone());
    }
    let here = PathBuf::from(IN_REPO);
    let built = Path::new(env!("CARGO_MANIFEST_DIR")).join(IN_REPO);
    [here, built]
        .into_iter()
        .find(|d| d.join("tests").is_dir())
        .ok_or_else(|| {
            CliError::Usage(
                "no JSON-Schema-Test-Suite here: give --suite DIR, a checkout of \
                 https://github.com/json-schema-org/JSON-Schema-Test-Suite (or run from a clone \
                 of hookcheck, which has one in tests/json-schema-test-suite)"
                    .into(),
            )
        })
}

/// Runs `hookcheck coverage`.
pub(crate) fn run(args: Args) -> Result<ExitCode, CliError> {
    let opts = CoverageOptions::default()
        .with_seed(args.seed)
        .with_values_per_schema(args.values);
    let suite = suite_dir(&args)?;
    let report = run_suite(&suite, &opts)
        .map_err(|e| CliError::Usage(format!("{}: {e}", suite.display())))?;
    unless_closed(match args.format {
        Style::Json => print_json(&report),
        Style::Human => print_human(&report, args.verbose).map_err(stdout_err),
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
