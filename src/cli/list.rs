//! `hookcheck list`: the vendors and events in the catalog.

use std::io::Write;
use std::process::ExitCode;

use serde::Serialize;

use super::output::{Style, print_json, stdout_err};
use super::{CliError, EXIT_OK};
use hookcheck::catalog::{Catalog, EntryKind, Vendor};

/// Arguments of `hookcheck list`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Only this vendor.
    #[arg(long, help = format!("Only this vendor ({})", super::vendor_choices()))]
    vendor: Option<Vendor>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Style,
}

#[derive(Serialize)]
struct Row<'a> {
    vendor: Vendor,
    event: &'a str,
    kind: EntryKind,
    key: String,
    schema_id: &'a str,
    title: &'a str,
    description: &'a str,
}

/// Runs `hookcheck list`.
pub(crate) fn run(args: Args) -> Result<ExitCode, CliError> {
    let rows: Vec<Row<'_>> = Catalog::active()
        .entries()
        .iter()
        .filter(|e| args.vendor.is_none_or(|v| v == e.vendor()))
        .map(|e| Row {
            vendor: e.vendor(),
            event: e.event(),
            kind: e.kind(),
            key: e.key(),
            schema_id: e.id(),
            title: e.title(),
            description: e.description(),
        })
        .collect();
    match args.format {
        Style::Json => print_json(&serde_json::json!({
            "events": rows.iter().filter(|r| r.kind == EntryKind::Webhook).count(),
            "api_bodies": rows.iter().filter(|r| r.kind == EntryKind::ApiBody).count(),
            "entries": rows,
        }))?,
        Style::Human => {
            let mut out = std::io::stdout().lock();
            let width = rows.iter().map(|r| r.key.len()).max().unwrap_or(0);
            for r in &rows {
                let kind = match r.kind {
                    EntryKind::Webhook => "",
                    EntryKind::ApiBody => " (API body)",
                };
                writeln!(out, "{:width$}  {}{kind}", r.key, r.schema_id).map_err(stdout_err)?;
            }
            let events = rows.iter().filter(|r| r.kind == EntryKind::Webhook).count();
            writeln!(out, "{events} events, {} API bodies", rows.len() - events)
                .map_err(stdout_err)?;
        }
    }
    Ok(ExitCode::from(EXIT_OK))
}
