//! The files under `schemas/` that seed corpora and benchmarks are built from.
//!
//! `schemas/<vendor>/examples/manifest.json` lists the vendors' documented examples (the text
//! as the docs print it, and its repaired, schema-valid form); `schemas/<vendor>/invalid/
//! <event>.json` holds hand-written cases that each break one keyword. These are read from a
//! checkout at run time (they are not compiled in): pass the `schemas/` directory.

use std::{
    fmt,
    path::{Path, PathBuf},
};

use serde::Deserialize;
use serde_json::Value;

use crate::catalog::Vendor;

/// A `schemas/` file that could not be read as a corpus source.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SourceError {
    /// The file could not be read.
    Io {
        /// The file.
        path: PathBuf,
        /// The OS message.
        message: String,
    },
    /// The file is not of the expected shape.
    BadFile {
        /// The file.
        path: PathBuf,
        /// The parser's message.
        message: String,
    },
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SourceError::Io { path, message } => write!(f, "{}: {message}", path.display()),
            SourceError::BadFile { path, message } => {
                write!(f, "{}: unexpected content: {message}", path.display())
            }
        }
    }
}

impl std::error::Error for SourceError {}

/// One documented example of a vendor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentedExample {
    /// The manifest's name for it, e.g. `doc000-message-bounced`.
    pub name: String,
    /// The catalog event (wire name) it is an example of.
    pub event: String,
    /// The text as the vendor docs print it (not always JSON, not always valid).
    pub original: Vec<u8>,
    /// The repaired body, valid against the event's schema.
    pub repaired: Vec<u8>,
}

/// One hand-written invalid case.
#[derive(Debug, Clone, PartialEq)]
pub struct InvalidCase {
    /// The catalog event whose schema it breaks.
    pub event: String,
    /// Its position in the event's file.
    pub index: usize,
    /// What it breaks, in words.
    pub name: String,
    /// The payload.
    pub instance: Value,
    /// The keyword it breaks.
    pub keyword: String,
}

#[derive(Debug, Deserialize)]
struct ManifestRow {
    name: String,
    event: String,
    original: String,
    repaired: String,
}

#[derive(Debug, Deserialize)]
struct InvalidRow {
    name: String,
    instance: Value,
    keyword: String,
}

/// The documented examples of `vendor`, in manifest order.
///
/// # Errors
///
/// [`SourceError`] when the manifest or a file it names cannot be read or parsed.
///
/// # Example
///
/// ```
/// use hookcheck::catalog::Vendor;
/// use hookcheck::fuzz::sources::documented_examples;
///
/// let schemas = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas");
/// let examples = documented_examples(&schemas, Vendor::MSNDR)?;
/// assert!(examples.iter().any(|e| e.event == "clicked"));
/// # Ok::<(), hookcheck::fuzz::sources::SourceError>(())
/// ```
pub fn documented_examples(
    schemas_dir: &Path,
    vendor: Vendor,
) -> Result<Vec<DocumentedExample>, SourceError> {
    let dir = schemas_dir.join(vendor.as_str()).join("examples");
    let rows: Vec<ManifestRow> = parse_file(&dir.join("manifest.json"))?;
    rows.into_iter()
        .map(|row| {
            Ok(DocumentedExample {
                original: read(&dir.join(&row.original))?,
                repaired: read(&dir.join(&row.repaired))?,
                name: row.name,
                event: row.event,
            })
        })
        .collect()
}

/// Every hand-written invalid case of `vendor`, event by event (sorted by file name), each in
/// file order.
///
/// # Errors
///
/// [`SourceError`] when the directory or one of its files cannot be read or parsed.
pub fn invalid_cases(schemas_dir: &Path, vendor: Vendor) -> Result<Vec<InvalidCase>, SourceError> {
    let dir = schemas_dir.join(vendor.as_str()).join("invalid");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| io_error(&dir, &e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for path in files {
        let event = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_owned();
        let rows: Vec<InvalidRow> = parse_file(&path)?;
        out.extend(
            rows.into_iter()
                .enumerate()
                .map(|(index, row)| InvalidCase {
                    event: event.clone(),
                    index,
                    name: row.name,
                    instance: row.instance,
                    keyword: row.keyword,
                }),
        );
    }
    Ok(out)
}

fn read(path: &Path) -> Result<Vec<u8>, SourceError> {
    std::fs::read(path).map_err(|e| io_error(path, &e))
}

fn parse_file<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, SourceError> {
    serde_json::from_slice(&read(path)?).map_err(|e| SourceError::BadFile {
        path: path.to_owned(),
        message: e.to_string(),
    })
}

fn io_error(path: &Path, e: &std::io::Error) -> SourceError {
    SourceError::Io {
        path: path.to_owned(),
        message: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    fn schemas() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("schemas")
    }

    #[test]
    fn repaired_examples_are_valid_and_invalid_cases_are_not() {
        let catalog = Catalog::builtin();
        for vendor in Vendor::all() {
            let examples = documented_examples(&schemas(), vendor).unwrap();
            assert!(!examples.is_empty(), "{vendor}");
            for ex in examples {
                let entry = catalog.get(vendor, &ex.event).unwrap();
                let value: Value = serde_json::from_slice(&ex.repaired).unwrap();
                assert!(entry.validator().unwrap().is_valid(&value), "{}", ex.name);
            }
            let cases = invalid_cases(&schemas(), vendor).unwrap();
            assert!(!cases.is_empty(), "{vendor}");
            for case in cases {
                let entry = catalog.get(vendor, &case.event).unwrap();
                let violations = entry.validator().unwrap().violations(&case.instance);
                assert!(
                    violations.iter().any(|v| v.keyword == case.keyword),
                    "{vendor}/{} #{}: {}",
                    case.event,
                    case.index,
                    case.name
                );
            }
        }
    }

    #[test]
    fn a_missing_directory_is_an_io_error() {
        let err = documented_examples(Path::new("/nonexistent"), Vendor::POSTAL).unwrap_err();
        assert!(matches!(err, SourceError::Io { .. }), "{err}");
    }
}
