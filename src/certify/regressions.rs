//! Saved counterexamples: one JSON file per failure, replayed before any new case is generated.
//!
//! A file is written for every failed cell (unless its counterexample came from a file
//! already). Files are never deleted by hookcheck: once the parser is fixed the case keeps
//! passing and guards against the bug coming back. Commit the directory.
//!
//! ```json
//! {
//!   "property": "reports-event",
//!   "vendor": "postal",
//!   "event": "MessageSent",
//!   "seed": 1234,
//!   "cell_seed": 9876543210,
//!   "payload": {"base64": "eyJldmVudCI6...", "text": "{\"event\":..."},
//!   "message": "the payload is a \"MessageSent\" event, the parser reported \"MessageHeld\""
//! }
//! ```

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::outcome::Body;
use super::{CertifyError, Property, Seed};
use crate::catalog::Vendor;

/// One saved counterexample.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Regression {
    /// The property it broke.
    pub property: Property,
    /// The vendor.
    pub vendor: Vendor,
    /// The wire event name.
    pub event: String,
    /// The master seed of the run that found it.
    pub seed: Seed,
    /// The seed of its cell.
    pub cell_seed: Seed,
    /// The body.
    pub payload: Body,
    /// What went wrong when it was found.
    pub message: String,
}

/// Saved regressions by `(vendor, event, property)`, each with its file.
pub(crate) type Saved = BTreeMap<(Vendor, String, Property), Vec<(PathBuf, Regression)>>;

/// Loads every `*.json` regression in `dir` (none if the directory does not exist).
///
/// # Errors
///
/// [`CertifyError::Regression`] for a directory that cannot be read or a file that is not a
/// regression.
pub(crate) fn load(dir: &Path) -> Result<Saved, CertifyError> {
    let mut saved = Saved::new();
    if !dir.exists() {
        return Ok(saved);
    }
    let io = |path: &Path, e: std::io::Error| CertifyError::Regression {
        path: path.to_owned(),
        message: e.to_string(),
    };
    let mut paths: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(|e| io(dir, e))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    for path in paths {
        let text = fs::read_to_string(&path).map_err(|e| io(&path, e))?;
        let regression: Regression =
            serde_json::from_str(&text).map_err(|e| CertifyError::Regression {
                path: path.clone(),
                message: format!("not a hookcheck regression file: {e}"),
            })?;
        saved
            .entry((
                regression.vendor,
                regression.event.clone(),
                regression.property,
            ))
            .or_default()
            .push((path, regression));
    }
    Ok(saved)
}

/// Saves `regression` in `dir` (created if needed) and returns the file's path. The name is
/// `vendor-event-property-HASH.json`, HASH a digest of the body, so saving the same
/// counterexample twice writes one file.
///
/// # Errors
///
/// [`CertifyError::Regression`] when the directory or file cannot be written.
pub(crate) fn save(dir: &Path, regression: &Regression) -> Result<PathBuf, CertifyError> {
    let io = |path: &Path, e: std::io::Error| CertifyError::Regression {
        path: path.to_owned(),
        message: e.to_string(),
    };
    fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    let digest = super::seed::fnv1a(&regression.payload.0);
    let name = format!(
        "{}-{}-{}-{digest:016x}.json",
        regression.vendor,
        sanitize(&regression.event),
        regression.property
    );
    let path = dir.join(name);
    let mut text =
        serde_json::to_string_pretty(regression).map_err(|e| CertifyError::Regression {
            path: path.clone(),
            message: e.to_string(),
        })?;
    text.push('\n');
    fs::write(&path, text).map_err(|e| io(&path, e))?;
    Ok(path)
}

fn sanitize(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_files_load_back() {
        let dir = tempfile::tempdir().unwrap();
        let r = Regression {
            property: Property::NoPanic,
            vendor: Vendor::GETMAILER,
            event: "email.sent".into(),
            seed: Seed(1),
            cell_seed: Seed(2),
            payload: Body(b"{\"id\":\xff".to_vec()),
            message: "panicked".into(),
        };
        let path = save(dir.path(), &r).unwrap();
        assert!(
            path.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("getmailer-email.sent-no-panic-")
        );
        assert_eq!(save(dir.path(), &r).unwrap(), path, "same body, same file");
        let saved = load(dir.path()).unwrap();
        let got = &saved[&(
            Vendor::GETMAILER,
            "email.sent".to_owned(),
            Property::NoPanic,
        )];
        assert_eq!(got, &vec![(path, r)]);
    }

    #[test]
    fn missing_directory_is_empty_and_junk_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        assert!(load(&dir.path().join("none")).unwrap().is_empty());
        fs::write(dir.path().join("junk.json"), "{}").unwrap();
        assert!(matches!(
            load(dir.path()),
            Err(CertifyError::Regression { .. })
        ));
    }
}
