//! `hookcheck certify`: run the certification properties against a parser and write the
//! verdict as reports.
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "the CLI is the one place that prints"
)]

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use super::output::stdout_err;
use super::{CliError, EXIT_ERROR, EXIT_FAILURES, EXIT_OK};
use crate::adapters::{exec::ExecParser, http::HttpParser};
use crate::catalog::Vendor;
use crate::certify::{
    self, Certification, Config, DEFAULT_CASES, DEFAULT_REGRESSIONS_DIR, Outcome, Progress,
    Property, Seed, Shard,
};
use crate::parsers::ReferenceParser;
use crate::report::{Format, Report};

/// Arguments of `hookcheck certify`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
With no parser given, certifies the built-in reference parsers.
Properties: accepts-valid, rejects-invalid, reports-event, reports-fields, no-panic, time-bound,
deterministic. Every failure is shrunk to a minimal payload and saved under --regressions; later
runs replay saved cases first.
Exit codes: 0 every property holds, 1 a property fails, 2 usage or harness error (a cell
that could not be decided, with no property failing).

Examples:
  hookcheck certify
  hookcheck certify --vendor postal --cases 256 --seed 1234
  hookcheck certify --shard 2/4 --report json --out shard2/
  hookcheck certify --merge shard1/report.json shard2/report.json --report markdown")]
pub struct Args {
    /// Only this vendor's events (repeatable): postal, msndr, getmailer.
    #[arg(long)]
    vendor: Vec<Vendor>,
    /// Only this event (repeatable): a wire name (MessageSent) or VENDOR/EVENT.
    #[arg(long)]
    event: Vec<String>,
    /// Only this property (repeatable).
    #[arg(long)]
    property: Vec<Property>,
    /// Generated cases per vendor x event x property cell.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_CASES)]
    cases: u32,
    /// Master seed (default: a fresh one, printed at the start).
    #[arg(long, value_name = "S")]
    seed: Option<Seed>,
    /// Run only shard I of N of the matrix (1-based).
    #[arg(long, value_name = "I/N")]
    shard: Option<Shard>,
    /// Stop starting new cells after this long (e.g. 30s, 5m); the rest are reported skipped.
    #[arg(long, value_name = "DUR", value_parser = humantime::parse_duration)]
    time_budget: Option<Duration>,
    /// Longest a parser may take to answer one body (e.g. 2s, 500ms).
    #[arg(long, value_name = "DUR", value_parser = humantime::parse_duration)]
    time_bound: Option<Duration>,
    /// Report formats, comma-separated: human (text), json, junit, markdown.
    #[arg(long, value_name = "FORMATS", default_value = "human")]
    report: String,
    /// Write each report format to a file in this directory (report.txt, report.json,
    /// junit.xml, report.md) instead of stdout.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Certify a parser in any language run as this command, speaking NDJSON on stdin/stdout
    /// (see examples/exec_adapter.py).
    #[arg(long, value_name = "CMD", conflicts_with = "url")]
    exec: Option<String>,
    /// Certify the webhook receiver at this URL: 2xx accepts, 4xx rejects.
    #[arg(long, value_name = "URL")]
    url: Option<String>,
    /// Directory of saved counterexamples, replayed first and added to.
    #[arg(long, value_name = "DIR", default_value = DEFAULT_REGRESSIONS_DIR)]
    regressions: PathBuf,
    /// Merge the JSON reports of the shards of one run instead of running.
    #[arg(long, value_name = "FILE", num_args = 1.., conflicts_with_all = ["vendor", "event", "property", "seed", "shard", "time_budget", "exec", "url"])]
    merge: Vec<PathBuf>,
}

/// Runs `hookcheck certify`.
pub(crate) fn run(args: Args) -> Result<ExitCode, CliError> {
    let formats = Format::parse_list(&args.report).map_err(|e| CliError::Usage(e.to_string()))?;
    let formats = if formats.is_empty() {
        vec![Format::Text]
    } else {
        formats
    };
    let report = if args.merge.is_empty() {
        let result = certify_parser(&args)?;
        let mut report = result.to_report();
        report.properties.push(crate::report::Property::new(
            "command",
            replay_command(&args, result.seed),
        ));
        report
    } else {
        merge(&args.merge)?
    };
    write_reports(&report, &formats, args.out.as_deref())?;
    let totals = report.totals();
    Ok(ExitCode::from(if totals.failed > 0 {
        EXIT_FAILURES
    } else if totals.errors > 0 {
        EXIT_ERROR
    } else {
        EXIT_OK
    }))
}

fn certify_parser(args: &Args) -> Result<Certification, CliError> {
    let seed = args.seed.unwrap_or_else(Seed::from_entropy);
    let mut config = Config::default()
        .cases(args.cases)
        .seed(seed)
        .regressions(&args.regressions);
    for v in &args.vendor {
        config = config.vendor(*v);
    }
    for e in &args.event {
        config = config.event(e.clone());
    }
    for p in &args.property {
        config = config.property(*p);
    }
    if let Some(s) = args.shard {
        config = config.shard(s);
    }
    if let Some(b) = args.time_budget {
        config = config.time_budget(b);
    }
    if let Some(b) = args.time_bound {
        config = config.time_bound(b);
    }
    let tty = io::stderr().is_terminal();
    let mut failures = 0usize;
    let progress = |p: Progress<'_>| match p {
        Progress::Start {
            seed,
            cells,
            regressions,
        } => {
            eprintln!("seed: {seed}; replay with --seed {seed}");
            eprintln!(
                "certifying {cells} cells ({} cases each){}",
                args.cases,
                match regressions {
                    0 => String::new(),
                    n => format!(", replaying {n} saved regression(s) first"),
                }
            );
        }
        Progress::Cell {
            done,
            total,
            result,
        } => {
            if matches!(result.outcome, Outcome::Failed | Outcome::Error) {
                failures += 1;
                if tty {
                    eprint!("\r\x1b[K");
                }
                eprintln!(
                    "{} {}",
                    result.outcome.as_str().to_uppercase(),
                    result.name()
                );
            }
            if tty {
                eprint!(
                    "\r\x1b[K[{done}/{total}] {} failing; {}",
                    failures,
                    result.name()
                );
                if done == total {
                    eprintln!();
                }
            }
        }
    };
    let bound = config_bound(args);
    let guard = certify::adapter_guard(bound);
    let mut progress = progress;
    let result = if let Some(cmd) = &args.exec {
        certify::run_guarded(
            ExecParser::new(cmd.clone()).with_timeout(bound),
            &config,
            guard,
            &mut progress,
        )
    } else if let Some(url) = &args.url {
        certify::run_guarded(
            HttpParser::new(url.clone()).with_timeout(bound),
            &config,
            guard,
            &mut progress,
        )
    } else {
        certify::run_with_progress(ReferenceParser, &config, progress)
    };
    result.map_err(CliError::from)
}

fn config_bound(args: &Args) -> Duration {
    args.time_bound.unwrap_or(certify::DEFAULT_TIME_BOUND)
}

fn replay_command(args: &Args, seed: Seed) -> String {
    let mut cmd = format!("hookcheck certify --seed {seed} --cases {}", args.cases);
    for v in &args.vendor {
        cmd.push_str(&format!(" --vendor {v}"));
    }
    for e in &args.event {
        cmd.push_str(&format!(" --event {e}"));
    }
    for p in &args.property {
        cmd.push_str(&format!(" --property {p}"));
    }
    if let Some(s) = args.shard {
        cmd.push_str(&format!(" --shard {s}"));
    }
    if let Some(e) = &args.exec {
        cmd.push_str(&format!(" --exec {e:?}"));
    }
    if let Some(u) = &args.url {
        cmd.push_str(&format!(" --url {u}"));
    }
    cmd
}

fn merge(files: &[PathBuf]) -> Result<Report, CliError> {
    let mut reports = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(path).map_err(|source| CliError::Io {
            path: path.clone(),
            source,
        })?;
        let report: Report = serde_json::from_str(&text).map_err(|e| {
            CliError::Usage(format!(
                "{}: not a hookcheck JSON report: {e}",
                path.display()
            ))
        })?;
        reports.push(report);
    }
    certify::merge(&reports).map_err(CliError::from)
}

/// Writes `report` in each format: to files in `out` (with a one-line verdict on stdout), or to
/// stdout.
pub(super) fn write_reports(
    report: &Report,
    formats: &[Format],
    out: Option<&Path>,
) -> Result<(), CliError> {
    match out {
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|source| CliError::Io {
                path: dir.to_owned(),
                source,
            })?;
            for f in formats {
                let path = dir.join(f.file_name());
                let io_err = |source| CliError::Io {
                    path: path.clone(),
                    source,
                };
                let mut file = std::fs::File::create(&path).map_err(io_err)?;
                f.write(report, &mut file).map_err(io_err)?;
            }
            let totals = report.totals();
            println!(
                "{}: {} passed, {} failed, {} errors, {} skipped; reports in {}",
                if report.is_success() {
                    "PASSED"
                } else {
                    "FAILED"
                },
                totals.passed,
                totals.failed,
                totals.errors,
                totals.skipped,
                dir.display()
            );
            Ok(())
        }
        None => {
            let mut stdout = io::stdout().lock();
            for f in formats {
                f.write(report, &mut stdout).map_err(stdout_err)?;
            }
            stdout.flush().map_err(stdout_err)
        }
    }
}
