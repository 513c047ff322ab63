//! `hookcheck validate`: check payload files, directories or stdin against the catalog.

use std::{
    io::{self, Write},
    path::PathBuf,
    process::ExitCode,
};

use serde::Serialize;

use super::inputs::{self, Payload};
use super::output::{Style, stdout_err};
use super::{CliError, EXIT_ERROR, EXIT_FAILURES, EXIT_OK};
use hookcheck::catalog::{Catalog, Vendor};
use hookcheck::validate::check::{Selection, Verdict, check_bytes};
use hookcheck::validate::input::InputError;
use hookcheck::validate::report::{Collector, inputs_property};

/// Arguments of `hookcheck validate`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Each problem is printed as FILE[:LINE]:POINTER: KEYWORD: MESSAGE, then a summary line.
With --format json the results are streamed as one JSON document: {\"results\": [...],
\"summary\": {...}} (and \"coverage\" with --coverage). Special files (FIFOs, sockets,
devices) found in a directory are skipped and reported on stderr; one named explicitly is
read (a FIFO until its writer closes it).
Exit codes: 0 all payloads valid, 1 any payload invalid or none found (unless --allow-empty),
2 usage or I/O error.

Examples:
  hookcheck validate captured/
  hookcheck validate --vendor postal --ndjson - < recorded.ndjson
  hookcheck validate --event getmailer/email.sent body.json
  hookcheck validate --report sarif,junit --out reports/ captured/
  hookcheck validate --coverage captured/")]
pub(crate) struct Args {
    /// Files, directories (searched recursively for *.json, *.ndjson, *.jsonl) or `-` for stdin.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Only match payloads to this vendor's events.
    #[arg(long, help = format!("Only match payloads to this vendor's events ({})", super::vendor_choices()))]
    vendor: Option<Vendor>,
    /// Check every payload against this event instead of detecting it: EVENT with --vendor, or
    /// VENDOR/EVENT.
    #[arg(long)]
    event: Option<String>,
    /// Read every input as NDJSON, one payload per line (*.ndjson and *.jsonl files always are).
    #[arg(long)]
    ndjson: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Style,
    /// Largest payload accepted, in bytes (also 512K, 16M, 1G).
    #[arg(long, value_name = "SIZE", default_value = "16M", value_parser = super::size::parse_size)]
    max_size: u64,
    /// Also print a line for every valid payload.
    #[arg(short, long, conflicts_with = "quiet")]
    verbose: bool,
    /// Print only the failures and the summary: no notes on skipped special files (they
    /// still count in the summary).
    #[arg(short, long)]
    quiet: bool,
    /// Accept finding no payload at all (exit 0); without it, checking nothing exits 1.
    #[arg(long)]
    allow_empty: bool,
    /// Also write the run as report files in these formats, comma-separated: json, junit,
    /// markdown, sarif (a finding per violation, at its file, line and column), text.
    #[arg(
        long,
        value_name = "FORMATS",
        value_delimiter = ',',
        value_parser = parse_report_format
    )]
    report: Vec<hookcheck::report::Format>,
    /// Directory for the report files.
    #[arg(long, value_name = "DIR", default_value = ".")]
    out: PathBuf,
    /// Also report what the payloads covered of the catalog: per vendor (--vendor, else the
    /// vendors seen), the events seen and how often, and the coverage items of their schemas
    /// covered (enum values, nullable fields null and not null, optional properties present
    /// and absent, oneOf/anyOf branches), with those not covered. With --format json, under
    /// a `coverage` key.
    #[arg(long)]
    coverage: bool,
}

fn parse_report_format(s: &str) -> Result<hookcheck::report::Format, String> {
    s.trim()
        .parse()
        .map_err(|e: hookcheck::report::UnknownFormat| e.to_string())
}

#[derive(Debug, Serialize)]
struct Record {
    source: String,
    line: Option<usize>,
    #[serde(flatten)]
    verdict: Verdict,
}

#[derive(Debug, Default, Serialize)]
struct Summary {
    payloads: usize,
    valid: usize,
    invalid: usize,
    malformed: usize,
    undetected: usize,
    io_errors: usize,
    #[serde(skip_serializing_if = "is_zero")]
    skipped: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Summary {
    fn add(&mut self, v: &Verdict) {
        self.payloads += 1;
        match v {
            Verdict::Valid { .. } => self.valid += 1,
            Verdict::Invalid { .. } => self.invalid += 1,
            Verdict::Malformed { .. } => self.malformed += 1,
            Verdict::Undetected { .. } => self.undetected += 1,
        }
    }

    fn failures(&self) -> usize {
        self.invalid + self.malformed + self.undetected
    }
}

/// Runs `hookcheck validate`.
pub(crate) fn run(args: Args) -> Result<ExitCode, CliError> {
    let catalog = Catalog::active();
    let entry = Selection {
        vendor: args.vendor,
        event: args.event.as_deref(),
    }
    .resolve(catalog)?;
    if args.paths.iter().filter(|p| p.as_os_str() == "-").count() > 1 {
        return Err(CliError::Usage("`-` (stdin) may be given only once".into()));
    }
    let inputs::Expanded {
        sources,
        errors: mut io_errors,
        skipped,
    } = inputs::expand(&args.paths);
    let mut summary = Summary::default();
    let mut out = io::BufWriter::new(io::stdout().lock());
    let json = args.format == Style::Json;
    if json {
        out.write_all(b"{\"results\": [").map_err(stdout_err)?;
    }
    let mut first = true;
    let mut collector = (!args.report.is_empty()).then(Collector::default);
    let mut coverage = args.coverage.then(hookcheck::coverage::Tally::default);
    for source in &sources {
        let mut failed: Option<CliError> = None;
        let read = inputs::read(source, args.ndjson, args.max_size, |payload| {
            if failed.is_some() {
                return;
            }
            let verdict = match verdict(catalog, &payload, entry, args.vendor, args.max_size) {
                Ok(v) => v,
                Err(e) => {
                    failed = Some(e);
                    return;
                }
            };
            summary.add(&verdict);
            if let Some(c) = collector.as_mut() {
                let bytes = payload.bytes.as_deref().unwrap_or_default();
                c.add(&source.display(), payload.line, bytes, &verdict);
            }
            if let (Some(tally), Some(key), Ok(bytes)) =
                (coverage.as_mut(), verdict.key(), &payload.bytes)
                && let Ok(value) = hookcheck::validate::input::parse(bytes, args.max_size)
            {
                tally.add(catalog, key, &value);
            }
            let record = Record {
                source: source.display(),
                line: payload.line,
                verdict,
            };
            let written = if json {
                // One result per line, written as it is found.
                let sep: &[u8] = if first { b"\n  " } else { b",\n  " };
                first = false;
                out.write_all(sep).and_then(|()| {
                    serde_json::to_writer(&mut out, &record).map_err(io::Error::from)
                })
            } else {
                print_human(&mut out, &record, args.verbose)
            };
            if let Err(e) = written {
                failed = Some(stdout_err(e));
            }
        });
        if let Some(e) = failed {
            return Err(e);
        }
        if let Err(e) = read {
            io_errors.push(e);
        }
    }
    summary.io_errors = io_errors.len();
    summary.skipped = skipped.len();
    for e in &io_errors {
        eprintln!("hookcheck: {e}");
    }
    for s in skipped.iter().filter(|_| !args.quiet) {
        eprintln!(
            "hookcheck: {}: skipped: {}, not a regular file (name it to read it)",
            s.path.display(),
            s.what
        );
    }
    let coverage = coverage.map(|mut t| {
        t.summary(
            catalog,
            &hookcheck::coverage::Gates {
                vendor: args.vendor,
                ..hookcheck::coverage::Gates::default()
            },
        )
    });
    if json {
        out.write_all(b"\n],\n\"summary\": ").map_err(stdout_err)?;
        serde_json::to_writer(&mut out, &summary).map_err(|e| stdout_err(io::Error::from(e)))?;
        if let Some(c) = &coverage {
            out.write_all(b",\n\"coverage\": ").map_err(stdout_err)?;
            serde_json::to_writer(&mut out, c).map_err(|e| stdout_err(io::Error::from(e)))?;
        }
        out.write_all(b"}\n").map_err(stdout_err)?;
    } else {
        writeln!(
            out,
            "{} payload(s) in {} source(s): {} valid, {} invalid, {} not JSON, {} unrecognised{}{}",
            summary.payloads,
            sources.len(),
            summary.valid,
            summary.invalid,
            summary.malformed,
            summary.undetected,
            match summary.io_errors {
                0 => String::new(),
                n => format!(", {n} unreadable"),
            },
            match summary.skipped {
                0 => String::new(),
                n => format!(", {n} skipped"),
            }
        )
        .map_err(stdout_err)?;
        if let Some(c) = &coverage {
            writeln!(out, "{}", c.to_text()).map_err(stdout_err)?;
        }
    }
    out.flush().map_err(stdout_err)?;
    if let Some(c) = collector {
        let shown: Vec<String> = args.paths.iter().map(|p| p.display().to_string()).collect();
        let mut report = c.into_report(format!("hookcheck validate {}", shown.join(" ")));
        report.properties.push(inputs_property(&shown));
        report.coverage = coverage;
        for path in super::output::write_report_files(&report, &args.report, &args.out)? {
            eprintln!("hookcheck: report: {}", path.display());
        }
    }
    let empty = summary.payloads == 0 && !args.allow_empty;
    if empty && summary.io_errors == 0 {
        eprintln!(
            "hookcheck: no payload found in {}, so nothing was checked (give --allow-empty to \
             accept that)",
            args.paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(ExitCode::from(if summary.io_errors > 0 {
        EXIT_ERROR
    } else if empty || summary.failures() > 0 {
        EXIT_FAILURES
    } else {
        EXIT_OK
    }))
}

fn verdict(
    catalog: &Catalog,
    payload: &Payload,
    entry: Option<&hookcheck::catalog::Entry>,
    vendor: Option<Vendor>,
    max: u64,
) -> Result<Verdict, CliError> {
    match &payload.bytes {
        Ok(bytes) => Ok(check_bytes(catalog, bytes, entry, vendor, max)?),
        Err(size) => Ok(Verdict::Malformed {
            message: InputError::TooLarge {
                size: *size,
                limit: max,
            }
            .to_string(),
        }),
    }
}

fn location(record: &Record) -> String {
    match record.line {
        Some(l) => format!("{}:{l}", record.source),
        None => record.source.clone(),
    }
}

fn pointer_text(p: &hookcheck::JsonPointer) -> &str {
    if p.is_root() { "<root>" } else { p.as_str() }
}

fn print_human(out: &mut impl Write, record: &Record, verbose: bool) -> io::Result<()> {
    let at = location(record);
    match &record.verdict {
        Verdict::Valid { key } => {
            if verbose {
                writeln!(out, "{at}: ok: {key}")?;
            }
        }
        Verdict::Invalid { key, violations } => {
            for v in violations {
                writeln!(
                    out,
                    "{at}:{}: {}: {} [{key} schema {}]",
                    pointer_text(&v.instance_path),
                    v.keyword,
                    v.message,
                    v.schema_path
                )?;
            }
        }
        Verdict::Undetected { pointer, message } => {
            writeln!(
                out,
                "{at}:{}: unrecognised: {message}",
                pointer_text(pointer)
            )?;
        }
        Verdict::Malformed { message } => writeln!(out, "{at}: not JSON: {message}")?,
    }
    Ok(())
}
