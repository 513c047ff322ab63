//! `hookcheck replay`: POST recorded or given payloads to a URL, signed as the vendor would.

use std::{fs, path::PathBuf, process::ExitCode, time::Duration};

use super::secrets::Secrets;
use super::{CliError, EXIT_ERROR, EXIT_FAILURES, EXIT_OK};
use crate::listen::replay::{self, Client, Request};
use crate::signature::{
    Signer, getmailer::GetMailer, postal::PostalSigner, standard::StandardWebhooks,
};

/// Arguments of `hookcheck replay`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
*.ndjson and *.jsonl files are read as `hookcheck listen --record` recordings (each request's
method, headers and exact body); any other file is one payload, sent as a POST with
Content-Type: application/json. A signing option replaces that scheme's recorded headers
with fresh ones over the same bytes.
Prints `SOURCE -> STATUS` per request. Exit codes: 0 every answer was 2xx, 1 any was not,
2 usage or I/O error (a request that could not be delivered counts as one).

Examples:
  hookcheck replay http://127.0.0.1:3000/webhooks/postal hooks.ndjson
  hookcheck replay --postal-private-key signing.key http://localhost:3000/hooks payload.json")]
pub struct Args {
    /// Where to send (http:// only).
    #[arg(value_name = "URL")]
    url: String,
    /// Recordings (*.ndjson, *.jsonl) or payload files.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Sign Postal payloads with this private key (PEM, as Postal's signing.key).
    #[arg(long, value_name = "FILE")]
    postal_private_key: Option<PathBuf>,
    /// Secrets to sign with: GetMailer's signs GetMailer payloads (X-GetMailer-Signature),
    /// a Standard Webhooks one signs every payload.
    #[command(flatten)]
    secrets: Secrets,
    /// Append each recorded request's path to URL instead of posting to URL itself.
    #[arg(long)]
    keep_path: bool,
    /// Per-request timeout.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = humantime::parse_duration)]
    timeout: Duration,
}

fn signers(args: &Args) -> Result<Vec<Box<dyn Signer>>, CliError> {
    let mut signers: Vec<Box<dyn Signer>> = Vec::new();
    if let Some(path) = &args.postal_private_key {
        let text = fs::read_to_string(path).map_err(|source| CliError::Io {
            path: path.clone(),
            source,
        })?;
        let signer = PostalSigner::from_pem(&text)
            .map_err(|e| CliError::Usage(format!("{}: {e}", path.display())))?;
        signers.push(Box::new(signer));
    }
    if let Some(secret) = args.secrets.getmailer()? {
        let signer = GetMailer::new(&secret)
            .map_err(|e| CliError::Usage(format!("GetMailer secret: {e}")))?;
        signers.push(Box::new(signer));
    }
    if let Some(secret) = args.secrets.standard_webhooks()? {
        let signer = StandardWebhooks::new(&secret)
            .map_err(|e| CliError::Usage(format!("Standard Webhooks secret: {e}")))?;
        signers.push(Box::new(signer));
    }
    Ok(signers)
}

fn is_recording(path: &std::path::Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("ndjson") || e.eq_ignore_ascii_case("jsonl"))
}

/// Runs `hookcheck replay`.
pub(crate) fn run(args: Args) -> Result<ExitCode, CliError> {
    if !args.url.starts_with("http://") {
        return Err(CliError::Usage(
            replay::ReplayError::BadUrl {
                url: args.url.clone(),
            }
            .to_string(),
        ));
    }
    let signers = signers(&args)?;
    let mut requests: Vec<Request> = Vec::new();
    for path in &args.files {
        let read = if is_recording(path) {
            replay::read_recording(path).map(|(reqs, skipped)| {
                for at in skipped {
                    eprintln!("hookcheck: {at}: body was not recorded whole; skipped");
                }
                reqs
            })
        } else {
            replay::read_payload(path).map(|r| vec![r])
        };
        requests.extend(read.map_err(|e| CliError::Usage(e.to_string()))?);
    }
    let client = Client::new(args.timeout);
    let (mut ok, mut failed, mut errors) = (0usize, 0usize, 0usize);
    for mut request in requests {
        replay::sign(&mut request, &signers).map_err(|e| CliError::Usage(e.to_string()))?;
        match client.send(&args.url, &request, args.keep_path) {
            Ok(response) if response.is_success() => {
                ok += 1;
                println!("{} -> {}", request.source, response.status);
            }
            Ok(response) => {
                failed += 1;
                let body: String = response.body.chars().take(300).collect();
                println!(
                    "{} -> {} {}",
                    request.source,
                    response.status,
                    body.trim().escape_debug()
                );
            }
            Err(e) => {
                errors += 1;
                println!("{} -> error: {e}", request.source);
            }
        }
    }
    println!("{ok} accepted (2xx), {failed} refused, {errors} not delivered");
    Ok(ExitCode::from(if errors > 0 {
        EXIT_ERROR
    } else if failed > 0 {
        EXIT_FAILURES
    } else {
        EXIT_OK
    }))
}
