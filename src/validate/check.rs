//! One payload in, one verdict out: the library entry point shared by `validate` and `listen`.

use std::fmt;

use serde::Serialize;

use super::{Violation, input};
use crate::JsonPointer;
use crate::catalog::{Catalog, CatalogError, DetectError, Entry, Vendor, detect};

/// Which schema to check against: named, or detected from the payload's envelope.
#[derive(Debug, Clone, Copy, Default)]
pub struct Selection<'a> {
    /// Restrict detection to (or, with `event`, look up in) this vendor.
    pub vendor: Option<Vendor>,
    /// Check against this entry instead of detecting it. With a vendor: the event name; without
    /// one: a `vendor/event` key.
    pub event: Option<&'a str>,
}

impl<'a> Selection<'a> {
    /// Resolves a named event to its entry; `Ok(None)` when the event is to be detected.
    ///
    /// # Errors
    ///
    /// [`CatalogError`] for an unknown vendor, event or a malformed key.
    pub fn resolve(self, catalog: &'a Catalog) -> Result<Option<&'a Entry>, CatalogError> {
        match (self.vendor, self.event) {
            (_, None) => Ok(None),
            (Some(v), Some(e)) => {
                let e = e.strip_prefix(&format!("{v}/")).unwrap_or(e);
                catalog.get(v, e).map(Some)
            }
            (None, Some(key)) => catalog.lookup(key).map(Some),
        }
    }
}

/// The result of checking one payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// Conforms to the schema of `key`.
    Valid {
        /// `vendor/event` it was checked against.
        key: String,
    },
    /// Does not conform to the schema of `key`.
    Invalid {
        /// `vendor/event` it was checked against.
        key: String,
        /// Every violation found.
        violations: Vec<Violation>,
    },
    /// JSON, but not matched to any catalog event.
    Undetected {
        /// Where the problem is.
        pointer: JsonPointer,
        /// Why.
        message: String,
    },
    /// Not a JSON document at all.
    Malformed {
        /// Why.
        message: String,
    },
}

impl Verdict {
    /// Whether the payload conforms.
    #[must_use]
    pub fn is_valid(&self) -> bool {
        matches!(self, Verdict::Valid { .. })
    }

    /// The `vendor/event` key it was checked against, if it got that far.
    #[must_use]
    pub fn key(&self) -> Option<&str> {
        match self {
            Verdict::Valid { key } | Verdict::Invalid { key, .. } => Some(key),
            _ => None,
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verdict::Valid { key } => write!(f, "valid {key}"),
            Verdict::Invalid { key, violations } => {
                write!(f, "invalid {key}: {} violation(s)", violations.len())
            }
            Verdict::Undetected { message, .. } | Verdict::Malformed { message } => {
                f.write_str(message)
            }
        }
    }
}

/// Checks raw payload bytes.
///
/// `entry` is the schema to use, or `None` to detect it from the envelope (within `vendor` if
/// given). Input problems (not JSON, too large, wrong encoding) and detection problems are
/// verdicts, not errors: they describe the payload.
///
/// # Errors
///
/// [`CatalogError::Schema`] only if the chosen schema itself fails to compile.
///
/// # Example
///
/// ```
/// use hookcheck::catalog::Catalog;
/// use hookcheck::validate::{check::{check_bytes, Verdict}, input::DEFAULT_MAX_BYTES};
///
/// let v = check_bytes(Catalog::builtin(), b"{\"url\": 1", None, None, DEFAULT_MAX_BYTES)?;
/// assert!(matches!(v, Verdict::Malformed { .. }));
/// # Ok::<(), hookcheck::catalog::CatalogError>(())
/// ```
pub fn check_bytes(
    catalog: &Catalog,
    bytes: &[u8],
    entry: Option<&Entry>,
    vendor: Option<Vendor>,
    max_bytes: u64,
) -> Result<Verdict, CatalogError> {
    let value = match input::parse(bytes, max_bytes) {
        Ok(v) => v,
        Err(e) => {
            return Ok(Verdict::Malformed {
                message: e.to_string(),
            });
        }
    };
    check_value(catalog, &value, entry, vendor)
}

/// Checks an already parsed payload; see [`check_bytes`].
///
/// # Errors
///
/// [`CatalogError::Schema`] only if the chosen schema itself fails to compile.
pub fn check_value(
    catalog: &Catalog,
    value: &serde_json::Value,
    entry: Option<&Entry>,
    vendor: Option<Vendor>,
) -> Result<Verdict, CatalogError> {
    let entry = match entry {
        Some(e) => e,
        None => match catalog.detect(value, vendor) {
            Ok(e) => e,
            Err(DetectError::Batch { .. }) => return check_batch(catalog, value, vendor),
            Err(e) => return Ok(undetected(&e)),
        },
    };
    let validator = entry.validator()?;
    let key = entry.key();
    if validator.is_valid(value) {
        return Ok(Verdict::Valid { key });
    }
    Ok(Verdict::Invalid {
        key,
        violations: validator.violations(value),
    })
}

/// Checks every event of a batch body (a vendor profile's `batch`). The verdict is that of the
/// first item that is not valid, with its pointers (and those of every other invalid item's
/// violations, under the same key) made relative to the whole body; a batch of valid events
/// is valid under the key of its first event, and an empty batch is unrecognised.
fn check_batch(
    catalog: &Catalog,
    value: &serde_json::Value,
    vendor: Option<Vendor>,
) -> Result<Verdict, CatalogError> {
    let Some((batch_vendor, items)) = detect::batch(value, vendor) else {
        return Ok(Verdict::Undetected {
            pointer: JsonPointer::root(),
            message: "not a batch".into(),
        });
    };
    let mut first_valid = None;
    let mut invalid: Option<(String, Vec<Violation>)> = None;
    for (at, item) in items {
        if detect::batch(item, Some(batch_vendor)).is_some() {
            return Ok(Verdict::Undetected {
                pointer: at,
                message: "a batch inside a batch".into(),
            });
        }
        match check_value(catalog, item, None, Some(batch_vendor))? {
            Verdict::Valid { key } => {
                first_valid.get_or_insert(key);
            }
            Verdict::Invalid { key, violations } => {
                let moved = violations.into_iter().map(|mut v| {
                    v.instance_path = join(&at, &v.instance_path);
                    v
                });
                match invalid.as_mut() {
                    Some((_, all)) => all.extend(moved),
                    None => invalid = Some((key, moved.collect())),
                }
            }
            Verdict::Undetected { pointer, message } if invalid.is_none() => {
                return Ok(Verdict::Undetected {
                    pointer: join(&at, &pointer),
                    message,
                });
            }
            other => return Ok(other),
        }
    }
    Ok(match (invalid, first_valid) {
        (Some((key, violations)), _) => Verdict::Invalid { key, violations },
        (None, Some(key)) => Verdict::Valid { key },
        (None, None) => Verdict::Undetected {
            pointer: batch_vendor
                .profile()
                .batch
                .as_ref()
                .map_or_else(JsonPointer::root, |b| b.items.clone()),
            message: format!("an empty batch of {batch_vendor} events"),
        },
    })
}

/// `inner`, a pointer into the item at `at`, as a pointer into the whole body.
fn join(at: &JsonPointer, inner: &JsonPointer) -> JsonPointer {
    inner.tokens().fold(at.clone(), |p, t| p.push(t))
}

fn undetected(e: &DetectError) -> Verdict {
    Verdict::Undetected {
        pointer: e.pointer(),
        message: e.to_string(),
    }
}
