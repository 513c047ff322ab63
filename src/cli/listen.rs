//! `hookcheck listen`: receive webhooks over HTTP and check each one.

use std::{
    fs,
    io::{self, Write},
    net::SocketAddr,
    path::{Path, PathBuf},
    process::ExitCode,
    time::Duration,
};

use super::{CliError, EXIT_ERROR, EXIT_FAILURES, EXIT_OK};
use crate::catalog::Vendor;
use crate::listen::{
    Config, Listener, Session, StopReason, Verifiers,
    check::CatalogChecker,
    record::{Outcome, Record},
};
use crate::report::Format;
use crate::signature::{
    SignatureError, getmailer::GetMailer, postal::PostalVerifier, standard::StandardWebhooks,
};

/// Arguments of `hookcheck listen`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
The first line on stdout is `listening on http://ADDR`, so scripts can read the port (use
--bind 127.0.0.1:0 for a free one). Then one line per request, then a summary.
Answers: 200 conforming, 400 nonconforming (JSON body with the errors), 401 bad or missing
signature, 413 body over --max-body, 408 body not received in --read-timeout, 405 not POST.
Exit codes: 0 every request conformed, 1 any did not (or fewer than --expect arrived),
2 usage or I/O error (or a catalog schema that does not compile).

Examples:
  hookcheck listen --bind 127.0.0.1:8025 --expect 20 --timeout 5m --report junit --out reports/
  hookcheck listen --vendor postal --postal-public-key postal.pem --record hooks.ndjson")]
pub struct Args {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:0", value_name = "ADDR")]
    bind: SocketAddr,
    /// Only match payloads to this vendor's events (postal, msndr, getmailer).
    #[arg(long)]
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
    #[arg(long, value_name = "FORMATS", value_delimiter = ',', value_parser = parse_format)]
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
    /// Verify Postal signatures with this public key (PEM, or the DKIM record's p= value).
    #[arg(long, value_name = "FILE")]
    postal_public_key: Option<PathBuf>,
    /// Verify GetMailer signatures (X-GetMailer-Signature) with this signing secret.
    #[arg(long, value_name = "SECRET")]
    secret: Option<String>,
    /// Verify Standard Webhooks signatures with this secret (whsec_...).
    #[arg(long, value_name = "SECRET")]
    standard_webhooks_secret: Option<String>,
    /// Print only the address line and the summary, not a line per request.
    #[arg(short, long)]
    quiet: bool,
}

fn parse_format(s: &str) -> Result<Format, String> {
    s.trim()
        .parse()
        .map_err(|e: crate::report::UnknownFormat| e.to_string())
}

fn key_error(what: &str, e: &SignatureError) -> CliError {
    CliError::Usage(format!("{what}: {e}"))
}

fn verifiers(args: &Args) -> Result<Verifiers, CliError> {
    let postal = match &args.postal_public_key {
        Some(path) => {
            let text = fs::read_to_string(path).map_err(|source| CliError::Io {
                path: path.clone(),
                source,
            })?;
            Some(
                PostalVerifier::from_text(&text)
                    .map_err(|e| key_error(&path.display().to_string(), &e))?,
            )
        }
        None => None,
    };
    let getmailer = args
        .secret
        .as_deref()
        .map(GetMailer::new)
        .transpose()
        .map_err(|e| key_error("--secret", &e))?;
    let standard = args
        .standard_webhooks_secret
        .as_deref()
        .map(StandardWebhooks::new)
        .transpose()
        .map_err(|e| key_error("--standard-webhooks-secret", &e))?;
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
            Some(crate::validate::check::Verdict::Invalid { violations, .. }) => {
                violations.first().map(ToString::to_string)
            }
            Some(v) if !v.is_valid() => Some(v.to_string()),
            _ => None,
        })
        .or_else(|| r.problem.clone())
        .map(|p| format!(": {p}"))
        .unwrap_or_default();
    format!(
        "#{} {} {} -> {} {}{key}{first}",
        r.seq,
        r.method,
        r.path,
        r.status,
        r.outcome.as_str()
    )
}

fn write_reports(session: &Session, formats: &[Format], dir: &Path) -> Result<(), CliError> {
    if formats.is_empty() {
        return Ok(());
    }
    let io_err = |path: &Path| {
        let path = path.to_owned();
        move |source| CliError::Io { path, source }
    };
    fs::create_dir_all(dir).map_err(io_err(dir))?;
    let report = session.to_report();
    for format in formats {
        let path = dir.join(format.file_name());
        let file = fs::File::create(&path).map_err(io_err(&path))?;
        let mut out = io::BufWriter::new(file);
        format.write(&report, &mut out).map_err(io_err(&path))?;
        out.flush().map_err(io_err(&path))?;
        println!("report: {}", path.display());
    }
    Ok(())
}

/// Runs `hookcheck listen`.
pub(crate) fn run(args: Args) -> Result<ExitCode, CliError> {
    let verifiers = verifiers(&args)?;
    let mut formats = args.report.clone();
    formats.dedup();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|source| CliError::Io {
            path: "<runtime>".into(),
            source,
        })?;
    let quiet = args.quiet;
    let config = Config {
        bind: args.bind,
        expect: args.expect,
        timeout: args.timeout,
        max_body: args.max_body,
        read_timeout: args.read_timeout,
        record: args.record.clone(),
        verifiers,
        on_record: (!quiet).then(|| {
            Box::new(|r: &Record| {
                let mut out = io::stdout().lock();
                // A closed stdout must not stop the listener; the summary reports failures.
                let _ = writeln!(out, "{}", request_line(r)).and_then(|()| out.flush());
            }) as _
        }),
        ..Config::default()
    };
    let session = runtime.block_on(async {
        let listener = Listener::bind(config, CatalogChecker::builtin(args.vendor))
            .await
            .map_err(|e| CliError::Usage(e.to_string()))?;
        {
            let mut out = io::stdout().lock();
            writeln!(out, "listening on http://{}", listener.local_addr())
                .and_then(|()| out.flush())
                .map_err(|source| CliError::Io {
                    path: "-".into(),
                    source,
                })?;
        }
        let stopper = listener.stopper();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                stopper.stop();
            }
        });
        listener.run().await.map_err(|e| match e {
            crate::listen::ListenError::Record {
                path: Some(path),
                source,
            } => CliError::Io { path, source },
            other => CliError::Usage(other.to_string()),
        })
    })?;
    runtime.shutdown_timeout(Duration::from_millis(100));
    write_reports(&session, &formats, &args.out)?;
    print_summary(&session);
    // A schema that does not compile is hookcheck's fault, not the sender's.
    let harness_error = session.records.iter().any(|r| r.outcome == Outcome::Error);
    Ok(ExitCode::from(if harness_error {
        EXIT_ERROR
    } else if session.is_success() {
        EXIT_OK
    } else {
        EXIT_FAILURES
    }))
}

fn print_summary(session: &Session) {
    let count = |o: Outcome| session.records.iter().filter(|r| r.outcome == o).count();
    let reason = match session.reason {
        StopReason::Expected => "expected requests received",
        StopReason::TimedOut => "timeout",
        StopReason::Stopped => "interrupted",
    };
    println!(
        "{} request(s): {} conforming, {} nonconforming, {} unauthorized, {} too large, {} incomplete, {} ignored, {} errors ({reason})",
        session.records.len(),
        count(Outcome::Conforming),
        count(Outcome::Nonconforming),
        count(Outcome::Unauthorized),
        count(Outcome::TooLarge),
        count(Outcome::Incomplete),
        count(Outcome::Ignored),
        count(Outcome::Error),
    );
    if let (Some(expect), Some(missing)) = (session.expect, session.shortfall()) {
        println!("expected {expect} request(s): {missing} did not arrive");
    }
}
