//! `hookcheck certify`: run the certification properties against a parser and write the
//! verdict as reports.
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "the CLI is the one place that prints"
)]

use std::io::{self, IsTerminal};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::keys::SigningArgs;
use super::reports::ReportArgs;
use super::tls::TlsArgs;
use super::{CliError, EXIT_ERROR, EXIT_FAILURES, EXIT_OK};
use hookcheck::adapters::{AdapterInfo, exec::ExecParser, http::HttpParser};
use hookcheck::catalog::Vendor;
use hookcheck::certify::{
    self, Certification, CertifyError, Config, DEFAULT_CASES, DEFAULT_REGRESSIONS_DIR,
    DEFAULT_SHRINK_STEPS, Outcome, Progress, Property, Seed, Shard,
};
use hookcheck::parser::{Fidelity, WebhookParser};
use hookcheck::parsers::ReferenceParser;
use hookcheck::report::Report;

/// Arguments of `hookcheck certify`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
With no parser given, certifies the built-in reference parsers.
Properties: accepts-valid, rejects-invalid, reports-event, reports-fields, no-panic, time-bound,
deterministic, and verifies-signature when a key or secret is given with --url. Every failure
is shrunk to a minimal payload (within --shrink-time and --shrink-steps) and saved under
--regressions; later runs replay saved cases first. A cell whose parser keeps crashing or
hanging stops early and fails.
Before any cell runs, the adapter must start and answer (or the URL must accept a connection,
and an https:// URL must complete a TLS handshake with one HEAD request); if it does not,
certify exits 2 at once. Over https://, the receiver's certificate must chain to Mozilla's
roots, or to a CA of --ca-cert FILE; --insecure accepts any certificate.
Ctrl-C or SIGTERM stops the run: the reports are written with the unfinished cells skipped.
Exit codes: 0 every property holds, 1 a property fails, 2 usage or harness error (a cell
that could not be decided or an interrupted run, with no property failing).

Examples:
  hookcheck certify
  hookcheck certify --vendor postal --cases 256 --seed 1234
  hookcheck certify --exec 'exec python3 my_adapter.py' --jobs 4
  HOOKCHECK_GETMAILER_SECRET=s3cret hookcheck certify --url http://127.0.0.1:8080/hooks --vendor getmailer
  hookcheck certify --url https://staging.internal/hooks --ca-cert staging-ca.pem --vendor postal
  hookcheck certify --shard 2/4 --seed \"$GITHUB_RUN_ID\" --format json --out shard2/
  hookcheck certify --merge shard1/report.json shard2/report.json --format markdown")]
pub(crate) struct Args {
    /// Only this vendor's events (repeatable).
    #[arg(long, help = format!("Only this vendor's events (repeatable): {}", super::vendor_choices()))]
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
    #[command(flatten)]
    report: ReportArgs,
    /// Certify a parser in any language run as this command, speaking NDJSON on stdin/stdout
    /// (see examples/exec_adapter.py).
    #[arg(long, value_name = "CMD", conflicts_with = "url")]
    exec: Option<String>,
    /// Certify the webhook receiver at this http:// or https:// URL: 2xx accepts, 4xx rejects.
    #[arg(long, value_name = "URL")]
    url: Option<String>,
    /// Directory of saved counterexamples, replayed first and added to.
    #[arg(long, value_name = "DIR", default_value = DEFAULT_REGRESSIONS_DIR)]
    regressions: PathBuf,
    /// Cells run at once (default: the available cores). Each job has its own adapter process,
    /// HTTP connection or worker thread; the report is the same for every N.
    #[arg(long, short = 'j', value_name = "N")]
    jobs: Option<usize>,
    /// Wall time spent shrinking one failing cell (e.g. 5s, 1m).
    #[arg(long, value_name = "DUR", value_parser = humantime::parse_duration, default_value = "5s")]
    shrink_time: Duration,
    /// Shrink candidates tried for one failing cell.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_SHRINK_STEPS)]
    shrink_steps: u32,
    /// What the parser reports when it accepts: verdict, event (the event name) or fields (the
    /// event name and key fields). Default: what an exec adapter's handshake says, else
    /// fields for --exec and verdict for --url.
    #[arg(long, value_name = "LEVEL")]
    fidelity: Option<Fidelity>,
    /// How long an exec adapter may take to start and answer the handshake.
    #[arg(long, value_name = "DUR", value_parser = humantime::parse_duration, default_value = "10s")]
    startup_timeout: Duration,
    /// Show progress (cells done, failures, ETA) on stderr even when it is not a terminal.
    #[arg(long)]
    progress: bool,
    /// Also report the schema coverage of the valid payloads the parser was sent: per vendor,
    /// the events and the coverage items of their schemas covered (enum values, nullable
    /// fields null and not null, optional properties present and absent, oneOf/anyOf
    /// branches), as `listen` and `validate --coverage` do, in every report format.
    #[arg(long)]
    coverage: bool,
    #[command(flatten)]
    signing: SigningArgs,
    #[command(flatten)]
    tls: TlsArgs,
    /// Merge the JSON reports of the shards of one run instead of running.
    #[arg(long, value_name = "FILE", num_args = 1.., conflicts_with_all = ["vendor", "event", "property", "seed", "shard", "time_budget", "exec", "url", "jobs", "ca_cert", "insecure"])]
    merge: Vec<PathBuf>,
}

/// Runs `hookcheck certify`.
pub(crate) fn run(args: Args) -> Result<ExitCode, CliError> {
    // Format names are checked before anything runs.
    args.report.formats()?;
    let mut interrupted = false;
    let report = if args.merge.is_empty() {
        let result = certify_parser(&args)?;
        interrupted = result.cells.iter().any(|c| {
            c.reason
                .as_deref()
                .is_some_and(|r| r.contains("interrupted"))
        });
        let mut report = result.to_report();
        report.properties.push(hookcheck::report::Property::new(
            "command",
            replay_command(&args, result.seed),
        ));
        report
    } else {
        let mut merged = merge(&args.merge)?;
        let command: Vec<String> = std::env::args().skip(1).collect();
        for p in &mut merged.properties {
            if p.name == "command" {
                p.value = format!("hookcheck {}", command.join(" "));
            }
        }
        merged
    };
    args.report.write(&report)?;
    let totals = report.totals();
    if interrupted {
        eprintln!("hookcheck: the run was interrupted; unfinished cells are reported as skipped");
    }
    Ok(ExitCode::from(if totals.failed > 0 {
        EXIT_FAILURES
    } else if totals.errors > 0 || interrupted {
        EXIT_ERROR
    } else {
        EXIT_OK
    }))
}

fn check_usage(args: &Args) -> Result<(), CliError> {
    if args.cases == 0 {
        return Err(CliError::Usage(
            "--cases 0 would certify nothing; give at least 1".into(),
        ));
    }
    if args.time_bound.is_some_and(|b| b.is_zero()) {
        return Err(CliError::Usage(
            "--time-bound 0s leaves no time to answer; give a positive bound".into(),
        ));
    }
    if args.shard.is_some_and(|s| s.count > 1) && args.seed.is_none() {
        return Err(CliError::Usage(
            "--shard needs a --seed that every shard shares, or the shards certify different cases \
             and cannot be merged: add e.g. --seed \"$GITHUB_RUN_ID\""
                .into(),
        ));
    }
    if args.jobs == Some(0) {
        return Err(CliError::Usage("--jobs 0: give at least 1".into()));
    }
    if args.signing.any() && args.url.is_none() {
        return Err(CliError::Usage(
            "signing keys and secrets sign HTTP requests: they go with --url".into(),
        ));
    }
    if args.tls.any() && args.url.is_none() {
        return Err(CliError::Usage(
            "--ca-cert and --insecure are for https:// receivers: they go with --url".into(),
        ));
    }
    Ok(())
}

fn certify_parser(args: &Args) -> Result<Certification, CliError> {
    check_usage(args)?;
    let seed = args.seed.unwrap_or_else(Seed::from_entropy);
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from));
    let mut config = Config::default()
        .cases(args.cases)
        .seed(seed)
        .regressions(&args.regressions)
        .jobs(jobs)
        .shrink_limits(args.shrink_steps, args.shrink_time)
        .coverage(args.coverage)
        .interrupt_on(super::interrupt::on_signals());
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
    let bound = config_bound(args);
    let progress = progress_printer(args);
    if let Some(cmd) = &args.exec {
        let (first, info) = start_adapter(args, cmd, bound)?;
        let first = Mutex::new(Some(first));
        let make = || {
            first
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .take()
                .unwrap_or_else(|| exec_parser(args, cmd, bound))
        };
        let mut result =
            certify::run_adapter_with_progress(make, &format!("exec: {cmd}"), &config, progress)?;
        result.adapter = info;
        Ok(result)
    } else if let Some(url) = &args.url {
        let tls = args.tls.tls()?;
        probe_url(url)?;
        let signers: Vec<(Vec<Vendor>, Arc<dyn hookcheck::signature::Signer>)> = args
            .signing
            .signers()?
            .into_iter()
            .map(|(vendors, signer)| (vendors, Arc::from(signer)))
            .collect();
        let mut parser = HttpParser::new(url.clone())
            .with_timeout(bound)
            .with_tls(&tls)
            .with_fidelity(args.fidelity.unwrap_or(Fidelity::Verdict));
        if is_https(url) {
            probe_tls(&parser)?;
        }
        for (vendors, signer) in &signers {
            for vendor in vendors {
                parser = parser.with_shared_signer(
                    *vendor,
                    hookcheck::signature::as_sent_by(*vendor, Arc::clone(signer)),
                );
            }
        }
        // One agent for every job: its pool keeps a connection per request in flight.
        let make = || parser.clone();
        certify::run_adapter_with_progress(make, &format!("http: {url}"), &config, progress)
            .map_err(CliError::from)
    } else {
        certify::run_with_progress(ReferenceParser, &config, progress).map_err(CliError::from)
    }
}

fn exec_parser(args: &Args, cmd: &str, bound: Duration) -> ExecParser {
    let parser = ExecParser::new(cmd)
        .with_timeout(bound)
        .with_startup_timeout(args.startup_timeout);
    match args.fidelity {
        Some(f) => parser.with_fidelity(f),
        None => parser,
    }
}

/// Starts the first adapter process and completes the handshake, or says why it cannot.
fn start_adapter(
    args: &Args,
    cmd: &str,
    bound: Duration,
) -> Result<(ExecParser, Option<AdapterInfo>), CliError> {
    let parser = exec_parser(args, cmd, bound);
    match parser.handshake() {
        Ok(info) => {
            if let Some(described) = info.as_ref().and_then(AdapterInfo::describe) {
                eprintln!(
                    "adapter: {described}, fidelity {}",
                    WebhookParser::fidelity(&parser)
                );
            }
            Ok((parser, info))
        }
        Err(fault) => Err(CliError::Certify(CertifyError::Parser {
            message: format!("the adapter `{cmd}` did not start: {fault}; nothing was certified"),
        })),
    }
}

fn not_certified(url: &str, why: &str) -> CliError {
    CliError::Certify(CertifyError::Parser {
        message: format!("--url {url}: {why}; nothing was certified"),
    })
}

fn is_https(url: &str) -> bool {
    url.get(..8)
        .is_some_and(|s| s.eq_ignore_ascii_case("https://"))
}

/// Checks that an https:// receiver completes a TLS handshake (one HEAD request), so that an
/// untrusted certificate stops the run at once instead of failing every cell.
fn probe_tls(parser: &HttpParser) -> Result<(), CliError> {
    match parser.probe() {
        Err(hookcheck::parser::Fault::Transport { detail }) if detail.starts_with("TLS:") => {
            Err(not_certified(parser.url(), &super::tls::advise(&detail)))
        }
        // Any answer, or a failure a request of the run will meet and report as a fault.
        _ => Ok(()),
    }
}

/// Checks that `url` is an http:// or https:// URL whose host accepts a connection.
fn probe_url(url: &str) -> Result<(), CliError> {
    use std::net::{TcpStream, ToSocketAddrs};
    let bad = |why: String| not_certified(url, &why);
    let (rest, default_port) = if is_https(url) {
        (&url[8..], 443)
    } else {
        let rest = url
            .get(..7)
            .filter(|s| s.eq_ignore_ascii_case("http://"))
            .map(|_| &url[7..])
            .ok_or_else(|| {
                bad("give an http:// or https:// URL, e.g. http://127.0.0.1:8080/webhooks".into())
            })?;
        (rest, 80)
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit('@').next().unwrap_or_default();
    if host_port.is_empty() {
        return Err(bad("the URL names no host".into()));
    }
    let with_port = if host_port.ends_with(']') || !host_port.contains(':') {
        format!("{host_port}:{default_port}")
    } else {
        host_port.to_owned()
    };
    let addrs: Vec<_> = with_port
        .to_socket_addrs()
        .map_err(|e| bad(format!("cannot resolve {host_port}: {e}")))?
        .collect();
    let mut last = None;
    for addr in &addrs {
        match TcpStream::connect_timeout(addr, Duration::from_secs(3)) {
            Ok(_) => return Ok(()),
            Err(e) => last = Some(format!("cannot connect to {addr}: {e}")),
        }
    }
    Err(bad(last.unwrap_or_else(|| {
        format!("{host_port} resolves to no address")
    })))
}

/// Prints the start lines, each failing cell, and (on a terminal or with --progress) a progress
/// line with the cells done, the failures so far and an ETA. With --quiet, only the failing
/// cells (and the progress line if --progress asks for it).
fn progress_printer(args: &Args) -> impl FnMut(Progress<'_>) + '_ {
    let live = args.progress || (!args.report.quiet && io::stderr().is_terminal());
    let tty = io::stderr().is_terminal();
    let mut failures = 0usize;
    let mut started = Instant::now();
    move |p: Progress<'_>| match p {
        Progress::Start {
            seed,
            cells,
            regressions,
        } => {
            started = Instant::now();
            if args.report.quiet {
                return;
            }
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
            if live {
                let elapsed = started.elapsed();
                let eta = elapsed.mul_f64((total - done) as f64 / done.max(1) as f64);
                let line = format!(
                    "[{done}/{total}] {failures} failing; ETA {}",
                    humantime::format_duration(Duration::from_secs(eta.as_secs()))
                );
                if tty {
                    eprint!("\r\x1b[K{line}");
                    if done == total {
                        eprintln!();
                    }
                } else if done == total || done % 10 == 0 {
                    eprintln!("{line}");
                }
            }
        }
        // Kinds of progress added later are not shown.
        _ => {}
    }
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
        cmd.push_str(&format!(" --url {u}{}", args.tls.options()));
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
