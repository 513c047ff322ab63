//! `hookcheck listen`: receive webhooks over HTTP and check each one.

use std::{
    fs,
    net::{SocketAddr, ToSocketAddrs},
    path::{Path, PathBuf},
    process::ExitCode,
    time::Duration,
};

use super::secrets::Secrets;
use super::stdout::Printer;
use super::{CliError, EXIT_ERROR, EXIT_FAILURES, EXIT_OK};
use hookcheck::catalog::Vendor;
use hookcheck::listen::{
    Config, Listener, Session, StopReason, Stopper, Verifiers,
    check::CatalogChecker,
    deliveries::{Deliveries, FailMode},
    record::{Disposition, Record},
};
use hookcheck::report::Format;
use hookcheck::signature::{
    SignatureError, getmailer::GetMailer, postal::PostalVerifier, standard::StandardWebhooks,
};

/// Arguments of `hookcheck listen`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
The first line on stdout is `listening on http://ADDR`, so scripts can read the port (use
--bind 127.0.0.1:0 for a free one). Then one line per request, then a summary. Lines that
stdout does not take in time are dropped (and counted in the summary), never waited for.
Answers: 200 conforming, 400 nonconforming (JSON body with the errors), 401 bad or missing
signature, 413 body over --max-body, 408 body not received in --read-timeout, 405 not POST;
requests the HTTP parser refuses (400/431), heads not received in --header-timeout and
requests still running when the session ends are recorded too, and fail the session.
SIGINT and SIGTERM end the session alike (a second one ends the grace period at once):
requests in flight get --grace to finish, then the recording is flushed and the reports
written. Secrets are best given in the environment (HOOKCHECK_GETMAILER_SECRET,
HOOKCHECK_STANDARD_WEBHOOKS_SECRET, HOOKCHECK_POSTAL_PUBLIC_KEY) or as files.
The summary and every report give the coverage of what arrived, per vendor: events seen
and how often, and the coverage items of their schemas (enum values, nullable fields null
and not null, optional properties present and absent, oneOf/anyOf branches) covered, with
the ones not covered; --require-events and --min-coverage make it a gate.
--fail-first K defers the first K deliveries of each event (503, or a stall with
--fail-mode timeout) and fails the session if an event is never delivered again, or again
with a different body; it reports the retry delays. Events delivered again after they were
accepted are noted as duplicates.
Exit codes: 0 every request conformed, 1 any did not (or fewer than --expect arrived, a
coverage gate or a retry check failed), 2 usage or I/O error (or a catalog schema that does
not compile); the same after a signal.

Examples:
  hookcheck listen --bind 127.0.0.1:8025 --expect 20 --timeout 5m --report junit --out reports/
  hookcheck listen --vendor postal --postal-public-key postal.pem --record hooks.ndjson
  hookcheck listen --vendor postal --require-events all --min-coverage 60 --fail-first 1")]
pub(crate) struct Args {
    /// Address to listen on (HOST:PORT; a name such as localhost:0 is resolved); port 0
    /// picks a free port.
    #[arg(long, default_value = "127.0.0.1:0", value_name = "ADDR")]
    bind: String,
    /// Only match payloads to this vendor's events.
    #[arg(long, help = format!("Only match payloads to this vendor's events ({})", super::vendor_choices()))]
    vendor: Option<Vendor>,
    /// Stop after this many requests.
    #[arg(long, value_name = "N")]
    expect: Option<u64>,
    /// Stop after this long (e.g. 30s, 5m).
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration)]
    timeout: Option<Duration>,
    /// Record every request to this NDJSON file.
    #[arg(long, value_name = "FILE")]
    record: Option<PathBuf>,
    /// Report formats to write: any of text, json, junit, markdown, comma-separated.
    #[arg(
        long = "format",
        alias = "report",
        value_name = "FORMATS",
        value_delimiter = ',',
        value_parser = parse_format
    )]
    report: Vec<Format>,
    /// Directory for the reports.
    #[arg(long, value_name = "DIR", default_value = ".")]
    out: PathBuf,
    /// Largest body accepted (also 512K, 16M).
    #[arg(long, value_name = "SIZE", default_value = "16M", value_parser = super::size::parse_size)]
    max_body: u64,
    /// How long a client may take to send its body.
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = humantime::parse_duration)]
    read_timeout: Duration,
    /// How long a client may take to send a request line and headers.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = humantime::parse_duration)]
    header_timeout: Duration,
    /// How long a keep-alive connection may stay idle between requests.
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = humantime::parse_duration)]
    idle_timeout: Duration,
    /// Connections served at once. At the limit, a newer connection takes the place of the
    /// slowest unfinished head or idle keep-alive connection; when all are busy with requests,
    /// it waits. The open-file limit is raised to its hard limit at start; keep this below it.
    #[arg(long, value_name = "N", default_value_t = 512, value_parser = clap::value_parser!(u32).range(1..))]
    max_connections: u32,
    /// How long requests in flight may take to finish once the session ends.
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = humantime::parse_duration)]
    grace: Duration,
    /// Verify Postal signatures with this public key file (PEM, or the DKIM record's p=
    /// value).
    #[arg(long, value_name = "FILE", env = "HOOKCHECK_POSTAL_PUBLIC_KEY_FILE")]
    postal_public_key: Option<PathBuf>,
    /// The Postal public key itself (PEM, or the DKIM record's p= value), instead of a file.
    #[arg(
        long = "postal-public-key-text",
        value_name = "KEY",
        env = "HOOKCHECK_POSTAL_PUBLIC_KEY",
        hide_env_values = true,
        conflicts_with = "postal_public_key"
    )]
    postal_public_key_text: Option<String>,
    #[command(flatten)]
    secrets: Secrets,
    /// Print only the address line, failing requests and the summary, not a line per
    /// conforming request.
    #[arg(short, long)]
    quiet: bool,
    /// Accept a session that received no webhook at all (exit 0); without it, such a session
    /// checked nothing and exits 1. `--expect 0` allows it too.
    #[arg(long)]
    allow_empty: bool,
    /// Fail the session (exit 1) unless these events arrived: `all` (every event of
    /// --vendor, else of the vendors seen) or a comma-separated list (`postal/MessageSent`,
    /// or a bare name one vendor documents: `MessageSent,MessageBounced`).
    #[arg(long, value_name = "all|EVENTS")]
    require_events: Option<String>,
    /// Fail the session (exit 1) when the bodies covered less than this share, in percent,
    /// of the coverage items of the events in scope (the --require-events list, else every
    /// event of the vendors in scope).
    #[arg(long, value_name = "PERCENT", value_parser = parse_percent)]
    min_coverage: Option<f64>,
    /// Answer 503 to the first K conforming deliveries of each event (known by its event id:
    /// Postal `uuid`, GetMailer `id`; for msndr, by the body), then check that the producer
    /// delivers each again with a byte-identical body. Deferred deliveries do not count
    /// towards --expect.
    #[arg(long, value_name = "K", default_value_t = 0)]
    fail_first: u32,
    /// How --fail-first defers: `status` answers 503 at once, `timeout` stalls (for --stall)
    /// past the sender's timeout, then answers 503 and closes the connection.
    #[arg(long, value_enum, default_value_t = FailModeArg::Status, requires = "fail_first")]
    fail_mode: FailModeArg,
    /// How long --fail-mode timeout stalls (default: --read-timeout).
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration, requires = "fail_first")]
    stall: Option<Duration>,
}

/// The values of `--fail-mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum FailModeArg {
    /// 503 at once.
    Status,
    /// No answer past the sender's timeout.
    Timeout,
}

/// Reads a percentage from 0 to 100.
pub(crate) fn parse_percent(s: &str) -> Result<f64, String> {
    let p: f64 = s
        .trim()
        .trim_end_matches('%')
        .parse()
        .map_err(|_| format!("{s:?} is not a number"))?;
    if (0.0..=100.0).contains(&p) {
        Ok(p)
    } else {
        Err(format!("{s} is not between 0 and 100"))
    }
}

/// The coverage gates of the arguments.
pub(crate) fn gates(
    vendor: Option<Vendor>,
    require: Option<&str>,
    min_coverage: Option<f64>,
) -> Result<hookcheck::coverage::Gates, CliError> {
    let require = require
        .map(|r| {
            hookcheck::coverage::Required::parse(hookcheck::catalog::Catalog::active(), r)
                .map_err(|e| CliError::Usage(format!("--require-events: {e}")))
        })
        .transpose()?;
    if let (Some(v), Some(hookcheck::coverage::Required::Events(keys))) = (vendor, &require)
        && let Some(other) = keys
            .iter()
            .find(|k| k.split('/').next() != Some(v.as_str()))
    {
        return Err(CliError::Usage(format!(
            "--require-events: {other} is not an event of --vendor {v}, so it cannot arrive"
        )));
    }
    Ok(hookcheck::coverage::Gates {
        vendor,
        require,
        min_coverage,
    })
}

fn parse_format(s: &str) -> Result<Format, String> {
    s.trim()
        .parse()
        .map_err(|e: hookcheck::report::UnknownFormat| e.to_string())
}

fn key_error(what: &str, e: &SignatureError) -> CliError {
    CliError::Usage(format!("{what}: {e}"))
}

fn verifiers(args: &Args) -> Result<Verifiers, CliError> {
    let postal = match (&args.postal_public_key, &args.postal_public_key_text) {
        (None, Some(text)) => Some(
            PostalVerifier::from_text(text)
                .map_err(|e| key_error("HOOKCHECK_POSTAL_PUBLIC_KEY", &e))?,
        ),
        (Some(path), _) => {
            let text = fs::read_to_string(path).map_err(|source| CliError::Io {
                path: path.clone(),
                source,
            })?;
            Some(
                PostalVerifier::from_text(&text)
                    .map_err(|e| key_error(&path.display().to_string(), &e))?,
            )
        }
        (None, None) => None,
    };
    let getmailer = args
        .secrets
        .getmailer()?
        .as_deref()
        .map(GetMailer::new)
        .transpose()
        .map_err(|e| key_error("GetMailer secret", &e))?;
    let standard = args
        .secrets
        .standard_webhooks()?
        .as_deref()
        .map(StandardWebhooks::new)
        .transpose()
        .map_err(|e| key_error("Standard Webhooks secret", &e))?;
    Ok(Verifiers {
        postal,
        getmailer,
        standard,
    })
}

/// One line per request: `#SEQ METHOD PATH -> STATUS OUTCOME [KEY] [first problem]`.
fn request_line(r: &Record) -> String {
    let key = r
        .validation
        .as_ref()
        .and_then(|v| v.key())
        .map(|k| format!(" {k}"))
        .unwrap_or_default();
    let first = r
        .signatures
        .iter()
        .find(|s| !s.ok)
        .and_then(|s| s.message.clone())
        .or_else(|| match &r.validation {
            Some(hookcheck::validate::check::Verdict::Invalid { violations, .. }) => {
                violations.first().map(ToString::to_string)
            }
            Some(v) if !v.is_valid() => Some(v.to_string()),
            _ => None,
        })
        .or_else(|| r.problem.clone())
        .map(|p| format!(": {p}"))
        .unwrap_or_default();
    // A head the HTTP parser refused has no method or path; no answer shows as `-`.
    let request = if r.method.is_empty() {
        "(head)".to_owned()
    } else {
        format!("{} {}", r.method, r.path)
    };
    let status = match r.status {
        0 => "-".to_owned(),
        s => s.to_string(),
    };
    format!(
        "#{} {request} -> {status} {}{key}{first}",
        r.seq,
        r.outcome.as_str()
    )
}

fn write_reports(
    session: &Session,
    formats: &[Format],
    dir: &Path,
    printer: &Printer,
) -> Result<(), CliError> {
    if formats.is_empty() {
        return Ok(());
    }
    let report = session.to_report();
    for path in super::output::write_report_files(&report, formats, dir)? {
        printer.important(format!("report: {}", path.display()), PATIENCE);
    }
    Ok(())
}

/// How long the last lines (reports, summary) may wait for a stalled stdout.
const PATIENCE: Duration = Duration::from_secs(1);

/// Resolves `--bind` (an address, or a name such as `localhost:0`).
fn resolve(bind: &str) -> Result<Vec<SocketAddr>, CliError> {
    let addrs: Vec<SocketAddr> = bind
        .to_socket_addrs()
        .map_err(|e| CliError::Usage(format!("--bind {bind}: {e}")))?
        .collect();
    if addrs.is_empty() {
        return Err(CliError::Usage(format!(
            "--bind {bind}: the name has no address"
        )));
    }
    Ok(addrs)
}

/// Ends the session on SIGINT and SIGTERM; a second signal ends the grace period.
fn on_signals(stopper: Stopper) {
    tokio::spawn(super::interrupt::signals(move |_| {
        stopper.stop();
        true
    }));
}

/// Runs `hookcheck listen`.
/// Raises the soft limit on open files to the hard limit, as servers do: each connection
/// is a descriptor, and a soft limit of 1024 would otherwise bound `--max-connections`.
fn raise_open_files() {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let limit = getrlimit(Resource::Nofile);
    if let (Some(current), Some(maximum)) = (limit.current, limit.maximum)
        && current < maximum
    {
        let _ = setrlimit(
            Resource::Nofile,
            Rlimit {
                current: Some(maximum),
                maximum: Some(maximum),
            },
        );
    }
}

pub(crate) fn run(args: Args) -> Result<ExitCode, CliError> {
    let verifiers = verifiers(&args)?;
    let coverage = gates(
        args.vendor,
        args.require_events.as_deref(),
        args.min_coverage,
    )?;
    raise_open_files();
    let addrs = resolve(&args.bind)?;
    let mut formats = args.report.clone();
    formats.dedup();
    let runtime = super::output::server_runtime()?;
    let printer = Printer::start();
    let lines = printer.handle();
    let quiet = args.quiet;
    let mut config = Config {
        expect: args.expect,
        timeout: args.timeout,
        max_body: args.max_body,
        read_timeout: args.read_timeout,
        header_timeout: args.header_timeout,
        idle_timeout: args.idle_timeout,
        max_connections: args.max_connections as usize,
        grace: args.grace,
        record: args.record.clone(),
        verifiers,
        coverage,
        deliveries: Deliveries {
            fail_first: args.fail_first,
            mode: match args.fail_mode {
                FailModeArg::Status => FailMode::Status,
                FailModeArg::Timeout => FailMode::Stall(args.stall.unwrap_or(args.read_timeout)),
            },
        },
        on_record: Some(Box::new(move |r: &Record| {
            let passed = matches!(
                r.outcome,
                Disposition::Conforming | Disposition::Ignored | Disposition::Deferred
            );
            if !(quiet && passed) {
                lines.line(request_line(r));
            }
        })),
        ..Config::default()
    };
    let session = runtime.block_on(async {
        // A name may resolve to several addresses (localhost: ::1 and 127.0.0.1); the
        // first one that can be bound is used.
        config.bind = addrs
            .iter()
            .copied()
            .find(|a| std::net::TcpListener::bind(a).is_ok())
            .unwrap_or(addrs[0]);
        let listener = Listener::bind(config, CatalogChecker::builtin(args.vendor))
            .await
            .map_err(|e| CliError::Usage(e.to_string()))?;
        printer.important(
            format!("listening on http://{}", listener.local_addr()),
            PATIENCE,
        );
        on_signals(listener.stopper());
        listener.run().await.map_err(|e| match e {
            hookcheck::listen::ListenError::Record {
                path: Some(path),
                source,
            } => CliError::Io { path, source },
            other => CliError::Usage(other.to_string()),
        })
    })?;
    runtime.shutdown_timeout(Duration::from_millis(100));
    let reports = write_reports(&session, &formats, &args.out, &printer);
    print_summary(&session, &printer);
    let empty = session.counted() == 0 && session.expect.is_none() && !args.allow_empty;
    if empty {
        printer.important(
            "no webhook was received, so nothing was checked (give --allow-empty to accept an \
             empty session)"
                .into(),
            PATIENCE,
        );
    }
    printer.finish(PATIENCE);
    reports?;
    // A schema that does not compile is hookcheck's fault, not the sender's.
    let harness_error = session.totals.errors > 0;
    Ok(ExitCode::from(if harness_error {
        EXIT_ERROR
    } else if empty {
        EXIT_FAILURES
    } else if session.is_success() {
        EXIT_OK
    } else {
        EXIT_FAILURES
    }))
}

fn print_summary(session: &Session, printer: &Printer) {
    let t = &session.totals;
    let reason = match session.reason {
        StopReason::Expected => "expected requests received",
        StopReason::TimedOut => "timeout",
        StopReason::Stopped => "interrupted",
    };
    let mut line = format!(
        "{} request(s): {} conforming, {} nonconforming, {} unauthorized, {} too large, {} incomplete, {} rejected, {} interrupted, {} ignored, {} errors ({reason})",
        t.requests,
        t.conforming,
        t.nonconforming,
        t.unauthorized,
        t.too_large,
        t.incomplete,
        t.rejected,
        t.interrupted,
        t.ignored,
        t.errors,
    );
    if t.deferred > 0 {
        line.push_str(&format!(
            "\n{} deferred on purpose (--fail-first), not counted",
            t.deferred
        ));
    }
    if let (Some(expect), Some(missing)) = (session.expect, session.shortfall()) {
        line.push_str(&format!(
            "\nexpected {expect} request(s): {missing} did not arrive"
        ));
    }
    let deliveries = session.deliveries.to_text();
    if !deliveries.is_empty() {
        line.push('\n');
        line.push_str(&deliveries);
    }
    line.push('\n');
    line.push_str(&session.coverage.to_text());
    let dropped = printer.dropped();
    if dropped > 0 {
        line.push_str(&format!(
            "\n{dropped} line(s) not printed: stdout did not keep up (the recording and reports have every request)"
        ));
    }
    printer.important(line, PATIENCE);
}
