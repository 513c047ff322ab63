//! `hookcheck export openapi [--vendor V] [-o FILE]`: the catalog as an OpenAPI 3.1 document
//! (see [`hookcheck::openapi`]).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use super::output::print_json;
use super::{CliError, EXIT_OK};
use hookcheck::catalog::{Catalog, Vendor};
use hookcheck::openapi;

/// Arguments of `hookcheck export`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// What to write.
    #[command(subcommand)]
    format: Format,
}

/// The formats `hookcheck export` writes.
#[derive(Debug, clap::Subcommand)]
enum Format {
    /// The webhooks as an OpenAPI 3.1 document: one `webhooks` entry per event, its body
    /// schema bundled, the signature headers as parameters, the documented (repaired) examples
    /// and an `x-hookcheck` extension with the event-name pointer and signature scheme.
    #[command(after_help = "\
Examples:
  hookcheck export openapi -o hookcheck.openapi.json
  hookcheck export openapi --vendor getmailer")]
    Openapi(OpenapiArgs),
}

/// Arguments of `hookcheck export openapi`.
#[derive(Debug, clap::Args)]
struct OpenapiArgs {
    /// Only this vendor.
    #[arg(long, help = format!("Only this vendor ({})", super::vendor_choices()))]
    vendor: Option<Vendor>,
    /// Write the document to FILE instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
}

/// Runs `hookcheck export`.
pub(crate) fn run(args: Args) -> Result<ExitCode, CliError> {
    let Format::Openapi(args) = args.format;
    let doc = openapi::export(Catalog::builtin(), args.vendor)
        .map_err(|e| CliError::Usage(format!("export openapi: {e}")))?;
    match args.output {
        None => print_json(&doc)?,
        Some(path) => {
            let io = |source| CliError::Io {
                path: path.clone(),
                source,
            };
            let mut text = serde_json::to_vec_pretty(&doc).map_err(|e| io(e.into()))?;
            text.push(b'\n');
            let mut file = std::fs::File::create(&path).map_err(io)?;
            file.write_all(&text).map_err(io)?;
        }
    }
    Ok(ExitCode::from(EXIT_OK))
}
