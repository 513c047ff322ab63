//! The vendors' documented examples (`schemas/<vendor>/examples/`), compiled into the binary so
//! that an export carries them (listed by `build.rs`).

use serde::Deserialize;
use serde_json::Value;

use crate::catalog::Vendor;

/// One file from `schemas/<vendor>/examples/`.
#[derive(Debug, Clone, Copy)]
struct ExampleFile {
    /// Vendor directory name.
    vendor: &'static str,
    /// File name, e.g. `manifest.json` or `doc004-email-sent.json`.
    file: &'static str,
    /// The file's text.
    source: &'static str,
}

static FILES: &[ExampleFile] = include!(concat!(env!("OUT_DIR"), "/embedded_examples.rs"));

/// One documented example, in its repaired form (what the vendor really sends).
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    /// The manifest's name for it, e.g. `doc004-email-sent`.
    pub name: String,
    /// Where the vendor documents it.
    pub source: String,
    /// The event it is an example of.
    pub event: String,
    /// What was repaired, and why (empty when the original needed no repair).
    pub repair: String,
    /// The repaired body.
    pub value: Value,
}

/// A manifest row, as `schemas/<vendor>/examples/manifest.json` spells it.
#[derive(Debug, Deserialize)]
struct Row {
    name: String,
    source: String,
    event: String,
    repaired: String,
    #[serde(default)]
    repair: String,
}

/// A manifest or example file that does not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExampleError {
    /// `vendor/examples/file`.
    pub file: String,
    /// What is wrong with it.
    pub message: String,
}

impl std::fmt::Display for ExampleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.file, self.message)
    }
}

impl std::error::Error for ExampleError {}

/// Every documented example of `vendor`, in manifest order (empty when it has none).
///
/// # Errors
///
/// [`ExampleError`] for a manifest that is not a list of rows, a row naming a repaired file
/// that is not embedded, or a repaired file that is not JSON.
pub fn documented(vendor: Vendor) -> Result<Vec<Example>, ExampleError> {
    let here = |file: &str| format!("{vendor}/examples/{file}");
    let find = |file: &str| {
        FILES
            .iter()
            .find(|f| f.vendor == vendor.as_str() && f.file == file)
    };
    let Some(manifest) = find("manifest.json") else {
        return Ok(Vec::new());
    };
    let rows: Vec<Row> = serde_json::from_str(manifest.source).map_err(|e| ExampleError {
        file: here("manifest.json"),
        message: e.to_string(),
    })?;
    rows.into_iter()
        .map(|row| {
            let file = find(&row.repaired).ok_or_else(|| ExampleError {
                file: here(&row.repaired),
                message: format!("named by {:?} in the manifest, but not embedded", row.name),
            })?;
            let value = serde_json::from_str(file.source).map_err(|e| ExampleError {
                file: here(&row.repaired),
                message: e.to_string(),
            })?;
            Ok(Example {
                name: row.name,
                source: row.source,
                event: row.event,
                repair: row.repair,
                value,
            })
        })
        .collect()
}
