//! `hookcheck mock`: local stand-ins of vendor APIs.

use std::{
    io::{self, Write},
    net::SocketAddr,
    process::ExitCode,
    sync::Arc,
};

use super::{CliError, EXIT_OK};
use hookcheck::api::client::TOKEN_VAR;
use hookcheck::api::mock::{Flaw, Mock, MockConfig, Unset};

/// Arguments of `hookcheck mock`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The API to stand in for.
    #[command(subcommand)]
    api: Api,
}

/// The APIs `hookcheck mock` can stand in for.
#[derive(Debug, clap::Subcommand)]
enum Api {
    /// msndr's webhook configuration API: POST/GET/DELETE BASE/email/webhook, BASE = http://ADDR/v1.
    #[command(after_help = "\
The first line on stdout is `mock msndr-api on http://ADDR/v1`, so scripts can read the port
(use --bind 127.0.0.1:0 for a free one); then one line per request. Runs until Ctrl-C.
Answers: 200 {\"url\": ...} for POST and GET, 404 for GET with no URL set, 204 for DELETE,
401 without the token, 415 for a body that is not application/json, 400 for one that is not
JSON, 422 for one not valid against the request schema or with a url over 2048 bytes.

Examples:
  hookcheck mock msndr-api --bind 127.0.0.1:8080 --token test
  hookcheck mock msndr-api --token test --flaw no-auth   # see what api-check reports")]
    MsndrApi(MsndrApiArgs),
}

/// Arguments of `hookcheck mock msndr-api`.
#[derive(Debug, clap::Args)]
struct MsndrApiArgs {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
    bind: SocketAddr,
    /// The API token clients must send as `Authorization: Bearer TOKEN` (default:
    /// $MSNDR_API_TOKEN).
    #[arg(long, value_name = "TOKEN")]
    token: Option<String>,
    /// How GET answers when no URL is set (each conforms).
    #[arg(long, value_name = "HOW", default_value = "not-found")]
    unset: Unset,
    /// Refuse undeclared fields with 422 instead of ignoring them (both conform).
    #[arg(long)]
    strict_fields: bool,
    /// Deviate from the documented behaviour on purpose (repeatable).
    #[arg(long, value_name = "FLAW")]
    flaw: Vec<Flaw>,
}

/// Runs `hookcheck mock`.
pub(crate) fn run(args: Args) -> Result<ExitCode, CliError> {
    let Api::MsndrApi(args) = args.api;
    let token = match args.token {
        Some(t) => t,
        None => std::env::var(TOKEN_VAR)
            .map_err(|_| CliError::Usage(format!("--token: missing (or set ${TOKEN_VAR})")))?,
    };
    let mut config = MockConfig::new(token);
    config.bind = args.bind;
    config.unset = args.unset;
    config.strict_fields = args.strict_fields;
    for f in args.flaw {
        config = config.with_flaw(f);
    }
    config.on_request = Some(Arc::new(|line: &str| {
        let mut out = io::stdout().lock();
        // A closed stdout must not stop the mock.
        let _ = writeln!(out, "{line}").and_then(|()| out.flush());
    }));
    let runtime = super::output::server_runtime()?;
    runtime.block_on(async {
        let mock = Mock::bind(config)
            .await
            .map_err(|e| CliError::Usage(e.to_string()))?;
        {
            let mut out = io::stdout().lock();
            writeln!(out, "mock msndr-api on {}", mock.base_url())
                .and_then(|()| out.flush())
                .map_err(super::output::stdout_err)?;
        }
        mock.serve(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| CliError::Usage(e.to_string()))
    })?;
    Ok(ExitCode::from(EXIT_OK))
}
