//! `hookcheck api-check`: check a running implementation of a vendor's webhook configuration
//! API and write the verdict as reports.
#![allow(clippy::print_stderr, reason = "the CLI is the one place that prints")]

use std::{process::ExitCode, time::Duration};

use super::reports::ReportArgs;
use super::tls::TlsArgs;
use super::{CliError, EXIT_ERROR, EXIT_FAILURES, EXIT_OK};
use hookcheck::api::{self, Check, CheckOutcome, Config, client::TOKEN_VAR};
use hookcheck::catalog::Vendor;
use hookcheck::tls::UNTRUSTED;

/// Arguments of `hookcheck api-check`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Checks POST, GET and DELETE on BASE/email/webhook (msndr vendor doc 003): response schemas and
content type, GET-after-POST, POST replaces, DELETE removes, 401/403 without or with a wrong
token, and a 4xx (never a 5xx) for bad input.
Checks: post-response, get-response, get-after-post, post-replaces, delete-removes,
auth-missing-token, auth-wrong-token, rejects-not-json, rejects-missing-url, rejects-not-a-url,
rejects-not-http, rejects-long-url, rejects-wrong-content-type, extra-fields.
The checks change the account's webhook URL: point this at a test account or a stand-in.
Failures show the request, the answer and curl lines that replay them (reading the token from
$MSNDR_API_TOKEN).
Over https://, the server's certificate must chain to Mozilla's roots, or to a CA of
--ca-cert FILE; --insecure accepts any certificate.
Exit codes: 0 every check holds, 1 a check fails, 2 usage error or server unreachable.

Examples:
  hookcheck mock msndr-api --bind 127.0.0.1:8080 --token test &
  hookcheck api-check msndr --url http://127.0.0.1:8080/v1 --token test
  MSNDR_API_TOKEN=... hookcheck api-check msndr --url https://staging.internal/v1 --ca-cert staging-ca.pem --format junit,json --out api-report/")]
pub(crate) struct Args {
    /// The vendor whose API to check (only msndr documents one).
    #[arg(value_name = "VENDOR")]
    vendor: Vendor,
    /// The API's base URL, e.g. http://127.0.0.1:8080/v1 or https://api.example.com/v1.
    #[arg(long, value_name = "BASE")]
    url: String,
    /// The API token (default: $MSNDR_API_TOKEN).
    #[arg(long, value_name = "TOKEN")]
    token: Option<String>,
    /// Only this check (repeatable).
    #[arg(long = "check", value_name = "CHECK")]
    checks: Vec<Check>,
    /// Time limit of one request (e.g. 5s, 500ms).
    #[arg(long, value_name = "DUR", default_value = "5s", value_parser = humantime::parse_duration)]
    timeout: Duration,
    /// Seed the request bodies are drawn from.
    #[arg(long, value_name = "S", default_value_t = 0)]
    seed: u64,
    #[command(flatten)]
    report: ReportArgs,
    #[command(flatten)]
    tls: TlsArgs,
}

/// Runs `hookcheck api-check`.
pub(crate) fn run(args: Args) -> Result<ExitCode, CliError> {
    if args.vendor != Vendor::MSNDR {
        return Err(CliError::Usage(format!(
            "{}: no webhook configuration API is documented (only msndr has one)",
            args.vendor
        )));
    }
    // Format names are checked before anything runs.
    args.report.formats()?;
    let token = match args.token {
        Some(t) => t,
        None => std::env::var(TOKEN_VAR)
            .map_err(|_| CliError::Usage(format!("--token: missing (or set ${TOKEN_VAR})")))?,
    };
    let config = Config {
        base: args.url,
        token,
        timeout: args.timeout,
        seed: args.seed,
        checks: args.checks,
        tls: args.tls.tls()?,
    };
    let result = api::run_with_progress(&config, |r| {
        if !matches!(r.verdict, CheckOutcome::Passed) {
            eprintln!(
                "{} {}",
                if matches!(r.verdict, CheckOutcome::Error { .. }) {
                    "ERROR"
                } else {
                    "FAIL"
                },
                r.check
            );
        }
    })
    .map_err(|e| CliError::Usage(format!("--url {e}")))?;
    let untrusted = result.results.iter().any(
        |r| matches!(&r.verdict, CheckOutcome::Error { message } if message.contains(UNTRUSTED)),
    );
    if untrusted {
        eprintln!("hookcheck: {UNTRUSTED}: {}", super::tls::ADVICE);
    }
    let report = result.to_report();
    args.report.write(&report)?;
    let totals = report.totals();
    Ok(ExitCode::from(if totals.failed > 0 {
        EXIT_FAILURES
    } else if totals.errors > 0 {
        EXIT_ERROR
    } else {
        EXIT_OK
    }))
}
