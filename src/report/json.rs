//! The JSON writer: the model as one pretty-printed document.
//!
//! The document is the [`Report`] itself plus `format` (always `hookcheck-report`),
//! `format_version` and the computed `totals`, described by `schemas/report.schema.json`;
//! runs that measure schema coverage add a `coverage` object ([`crate::coverage::Coverage`]).
//! Times are RFC 3339 strings, durations fractional seconds, both `null` when absent.

use std::io;

use serde::Serialize;

use super::{Report, Totals};

/// The `format` value of every report document.
pub const FORMAT: &str = "hookcheck-report";
/// The version of the document layout.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    format: &'static str,
    format_version: u32,
    #[serde(flatten)]
    report: &'a Report,
    totals: Totals,
}

/// The report as a JSON value.
///
/// # Errors
///
/// Only if serialisation fails, which the model's types do not do.
pub fn to_value(report: &Report) -> serde_json::Result<serde_json::Value> {
    serde_json::to_value(Document {
        format: FORMAT,
        format_version: FORMAT_VERSION,
        report,
        totals: report.totals(),
    })
}

/// Writes the report as pretty-printed JSON and a final newline.
///
/// # Errors
///
/// Whatever `out` returns.
pub fn write(report: &Report, out: &mut dyn io::Write) -> io::Result<()> {
    let doc = Document {
        format: FORMAT,
        format_version: FORMAT_VERSION,
        report,
        totals: report.totals(),
    };
    // `io::Error::from` keeps an I/O error's kind (a closed pipe stays `BrokenPipe`).
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::from)?;
    writeln!(out)
}

/// Reads a report back from its JSON document (the computed fields are ignored).
///
/// # Errors
///
/// The parser's error when the text is not a report document.
pub fn read(text: &str) -> serde_json::Result<Report> {
    serde_json::from_str(text)
}
