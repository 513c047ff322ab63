//! `hookcheck replay`: POST recorded or given payloads to a URL, signed as the vendor would.

use std::io::{self, Write};
use std::{path::PathBuf, process::ExitCode, time::Duration};

use super::keys::SigningArgs;
use super::output::still_open;
use super::tls::TlsArgs;
use super::{CliError, EXIT_ERROR, EXIT_FAILURES, EXIT_OK};
use hookcheck::listen::replay::{self, Client, Recorded};
use hookcheck::signature::Signer;

/// Arguments of `hookcheck replay`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
*.ndjson and *.jsonl files are read as `hookcheck listen --record` recordings (each request's
method, headers and exact body); any other file is one payload, sent as a POST with
Content-Type: application/json. A signing option replaces that scheme's recorded headers
with fresh ones over the same bytes.
Prints `SOURCE -> STATUS` per request. Exit codes: 0 every answer was 2xx, 1 any was not (or
there was nothing to send, unless --allow-empty), 2 usage or I/O error (a request that could
not be delivered counts as one).

Over https://, the server's certificate must chain to Mozilla's roots, or to a CA of
--ca-cert FILE; --insecure accepts any certificate.

Examples:
  hookcheck replay http://127.0.0.1:3000/webhooks/postal hooks.ndjson
  hookcheck replay --ca-cert staging-ca.pem https://staging.internal/webhooks hooks.ndjson
  hookcheck replay --postal-private-key signing.key http://localhost:3000/hooks payload.json")]
pub(crate) struct Args {
    /// Where to send: an http:// or https:// URL.
    #[arg(value_name = "URL")]
    url: String,
    /// Recordings (*.ndjson, *.jsonl) or payload files.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    #[command(flatten)]
    signing: SigningArgs,
    #[command(flatten)]
    tls: TlsArgs,
    /// Append each recorded request's path to URL instead of posting to URL itself.
    #[arg(long)]
    keep_path: bool,
    /// Per-request timeout.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = humantime::parse_duration)]
    timeout: Duration,
    /// Accept files that hold no request to send (exit 0); without it, replaying nothing
    /// exits 1.
    #[arg(long)]
    allow_empty: bool,
}

fn is_recording(path: &std::path::Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("ndjson") || e.eq_ignore_ascii_case("jsonl"))
}

/// The requests of one input, read as they are needed: a recording line by line, a payload
/// file whole (one request).
fn inputs(
    path: &std::path::Path,
) -> Result<Box<dyn Iterator<Item = Result<Recorded, replay::ReplayError>>>, CliError> {
    if is_recording(path) {
        let recording =
            replay::Recording::open(path).map_err(|e| CliError::Usage(e.to_string()))?;
        Ok(Box::new(recording))
    } else {
        let path = path.to_owned();
        Ok(Box::new(std::iter::once_with(move || {
            replay::read_payload(&path).map(Recorded::Request)
        })))
    }
}

/// Runs `hookcheck replay`.
pub(crate) fn run(args: Args) -> Result<ExitCode, CliError> {
    if !replay::is_http_url(&args.url) {
        return Err(CliError::Usage(
            replay::ReplayError::BadUrl {
                url: args.url.clone(),
            }
            .to_string(),
        ));
    }
    let tls = args.tls.tls()?;
    let signers: Vec<Box<dyn Signer>> = args
        .signing
        .signers()?
        .into_iter()
        .map(|(_, signer)| signer)
        .collect();
    // A first pass reads every input through, holding one request at a time: a bad record
    // anywhere is an error before anything is sent, and an empty input is known up front.
    let mut count = 0usize;
    for path in &args.files {
        for recorded in inputs(path)? {
            match recorded.map_err(|e| CliError::Usage(e.to_string()))? {
                Recorded::Request(_) => count += 1,
                Recorded::Skipped(at) => {
                    eprintln!("hookcheck: {at}: body was not recorded whole; skipped");
                }
            }
        }
    }
    if count == 0 && !args.allow_empty {
        eprintln!(
            "hookcheck: no request to replay in {} (give --allow-empty to accept that)",
            args.files
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
        return Ok(ExitCode::from(EXIT_FAILURES));
    }
    let client = Client::new(args.timeout).with_tls(&tls);
    let (mut ok, mut failed, mut errors) = (0usize, 0usize, 0usize);
    let mut stdout = io::stdout().lock();
    // A closed stdout stops the replay (nobody reads the answers); the exit code is what the
    // requests sent so far found.
    let mut open = true;
    let mut requests: Box<dyn Iterator<Item = _>> = Box::new(std::iter::empty());
    let mut files = args.files.iter();
    loop {
        // The next request: the first pass read every input, so one that changed since is an
        // error now.
        let Some(recorded) = requests.next() else {
            let Some(path) = files.next() else { break };
            requests = inputs(path)?;
            continue;
        };
        let Recorded::Request(mut request) =
            recorded.map_err(|e| CliError::Usage(e.to_string()))?
        else {
            continue;
        };
        replay::sign(&mut request, &signers).map_err(|e| CliError::Usage(e.to_string()))?;
        let line = match client.send(&args.url, &request, args.keep_path) {
            Ok(response) if response.is_success() => {
                ok += 1;
                format!("{} -> {}", request.source, response.status)
            }
            Ok(response) => {
                failed += 1;
                format!(
                    "{} -> {} {}",
                    request.source,
                    response.status,
                    hookcheck::report::cut::value(response.body.trim()).escape_debug()
                )
            }
            Err(e) => {
                errors += 1;
                format!(
                    "{} -> error: {}",
                    request.source,
                    super::tls::advise(&e.to_string())
                )
            }
        };
        open = still_open(writeln!(stdout, "{line}"))?;
        if !open {
            break;
        }
    }
    if open {
        let summary = format!("{ok} accepted (2xx), {failed} refused, {errors} not delivered");
        still_open(writeln!(stdout, "{summary}"))?;
    }
    Ok(ExitCode::from(if errors > 0 {
        EXIT_ERROR
    } else if failed > 0 {
        EXIT_FAILURES
    } else {
        EXIT_OK
    }))
}
