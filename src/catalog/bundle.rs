//! Self-contained schemas: one catalog event with every `$ref` into another document inlined.
//!
//! Catalog schemas share definitions through relative references such as
//! `_defs.json#/$defs/message`, which a tool reading one file on its own cannot follow. A bundle
//! ([`bundle`]) is the event's schema with each document-external target copied under the
//! bundle's own `$defs` (as `_defs.message`: the target document's file stem, then its
//! definition name) and each reference rewritten to point there (`#/$defs/_defs.message`),
//! recursively for references inside the copied parts. References within the event's own
//! document are left as they are. The bundle validates exactly what the event schema validates
//! (the catalog tests check this on generated valid and invalid payloads).

use std::{collections::BTreeMap, fmt};

use serde_json::{Map, Value};

use super::Entry;
use crate::validate::Resources;

/// A reference the bundler could not follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleError {
    /// The `$ref` as written.
    pub reference: String,
    /// Why it could not be followed.
    pub message: String,
}

impl fmt::Display for BundleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "$ref {:?}: {}", self.reference, self.message)
    }
}

impl std::error::Error for BundleError {}

/// The schema of `entry` as one self-contained document (see the module docs).
///
/// # Errors
///
/// [`BundleError`] for a reference to a document the catalog does not hold, or to a place
/// that document does not have.
///
/// # Example
///
/// ```
/// use hookcheck::catalog::{Catalog, bundle};
///
/// let entry = Catalog::builtin().lookup("postal/MessageSent")?;
/// let schema = bundle::bundle(entry)?;
/// assert!(!schema.to_string().contains("_defs.json#"));
/// let validator = jsonschema::validator_for(&schema)?;
/// let payload = entry.generator(Default::default())?.generate(1, 0)?;
/// assert!(validator.is_valid(&payload));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn bundle(entry: &Entry) -> Result<Value, BundleError> {
    bundle_document(entry.id(), entry.schema(), entry.resources())
}

/// [`bundle`] for any document `root` (registered as `root_uri`) whose references point into
/// `resources`.
///
/// # Errors
///
/// As for [`bundle`].
pub fn bundle_document(
    root_uri: &str,
    root: &Value,
    resources: &Resources,
) -> Result<Value, BundleError> {
    let root_uri = without_fragment(root_uri);
    let mut bundler = Bundler {
        root_uri,
        resources,
        copied: BTreeMap::new(),
        pending: Vec::new(),
    };
    let mut out = root.clone();
    bundler.rewrite(&mut out, root_uri)?;
    while let Some((key, doc_uri, pointer)) = bundler.pending.pop() {
        let doc = if doc_uri == root_uri {
            root
        } else {
            resources.get(&doc_uri).ok_or_else(|| BundleError {
                reference: format!("{doc_uri}#{pointer}"),
                message: "no such document in the catalog".into(),
            })?
        };
        let mut part = doc.pointer(&pointer).cloned().ok_or_else(|| BundleError {
            reference: format!("{doc_uri}#{pointer}"),
            message: "the document has nothing at this pointer".into(),
        })?;
        bundler.rewrite(&mut part, &doc_uri)?;
        bundler.copied.insert(key, Some(part));
    }
    if !bundler.copied.is_empty() {
        let defs = out.as_object_mut().map(|o| {
            o.entry("$defs")
                .or_insert_with(|| Value::Object(Map::new()))
        });
        if let Some(Value::Object(defs)) = defs {
            for (key, part) in bundler.copied {
                if let Some(part) = part {
                    defs.insert(key, part);
                }
            }
        }
    }
    Ok(out)
}

struct Bundler<'a> {
    root_uri: &'a str,
    resources: &'a Resources,
    /// Bundle `$defs` key -> the copied part (`None` while it waits in `pending`).
    copied: BTreeMap<String, Option<Value>>,
    /// `(key, document URI, pointer)` still to copy.
    pending: Vec<(String, String, String)>,
}

impl Bundler<'_> {
    /// Rewrites every `$ref` under `value`, which lives in the document `doc_uri`.
    fn rewrite(&mut self, value: &mut Value, doc_uri: &str) -> Result<(), BundleError> {
        match value {
            Value::Object(map) => {
                for (key, child) in map.iter_mut() {
                    if key == "$ref"
                        && let Value::String(reference) = child
                    {
                        *reference = self.target(reference, doc_uri)?;
                    } else if !matches!(key.as_str(), "const" | "enum" | "examples" | "default") {
                        self.rewrite(child, doc_uri)?;
                    }
                }
            }
            Value::Array(items) => {
                for item in items {
                    self.rewrite(item, doc_uri)?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// The bundle-local reference for `reference` written in `doc_uri`.
    fn target(&mut self, reference: &str, doc_uri: &str) -> Result<String, BundleError> {
        let (path, pointer) = reference.split_once('#').unwrap_or((reference, ""));
        if !pointer.is_empty() && !pointer.starts_with('/') {
            return Err(BundleError {
                reference: reference.to_owned(),
                message: "anchors are not supported by the bundler (use a JSON pointer)".into(),
            });
        }
        let target_doc = if path.is_empty() {
            doc_uri.to_owned()
        } else {
            join(doc_uri, path)
        };
        if target_doc == self.root_uri {
            return Ok(format!("#{pointer}"));
        }
        if self.resources.get(&target_doc).is_none() {
            return Err(BundleError {
                reference: reference.to_owned(),
                message: format!("no document {target_doc} in the catalog"),
            });
        }
        let key = bundle_key(&target_doc, pointer);
        if !self.copied.contains_key(&key) {
            self.copied.insert(key.clone(), None);
            self.pending
                .push((key.clone(), target_doc, pointer.to_owned()));
        }
        Ok(format!(
            "#/$defs/{}",
            key.replace('~', "~0").replace('/', "~1")
        ))
    }
}

/// `_defs.message` for `…/_defs.json` and `/$defs/message`; other pointers keep their tokens,
/// joined by dots.
fn bundle_key(doc_uri: &str, pointer: &str) -> String {
    let file = doc_uri.rsplit('/').next().unwrap_or(doc_uri);
    let stem = file.strip_suffix(".json").unwrap_or(file);
    let tail = pointer
        .strip_prefix("/$defs/")
        .map_or_else(|| pointer.replace('/', "."), |name| format!(".{name}"));
    let tail = if tail.is_empty() || tail.starts_with('.') {
        tail
    } else {
        format!(".{tail}")
    };
    format!("{stem}{tail}")
}

fn without_fragment(uri: &str) -> &str {
    uri.split_once('#').map_or(uri, |(base, _)| base)
}

/// `path` resolved against the document URI `base` (absolute URIs as they are; relative paths
/// replace the last segment of `base`, `../` climbs one).
fn join(base: &str, path: &str) -> String {
    if path.contains("://") {
        return path.to_owned();
    }
    let mut dir = base.rsplit_once('/').map_or("", |(dir, _)| dir).to_owned();
    let mut rest = path;
    loop {
        if let Some(r) = rest.strip_prefix("./") {
            rest = r;
        } else if let Some(r) = rest.strip_prefix("../") {
            rest = r;
            if let Some((up, _)) = dir.rsplit_once('/') {
                dir = up.to_owned();
            }
        } else {
            break;
        }
    }
    format!("{dir}/{rest}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use serde_json::json;

    #[test]
    fn relative_paths_join_like_uris() {
        let base = "https://h.dev/schemas/postal/MessageSent.json";
        assert_eq!(
            join(base, "_defs.json"),
            "https://h.dev/schemas/postal/_defs.json"
        );
        assert_eq!(
            join(base, "../common.json"),
            "https://h.dev/schemas/common.json"
        );
        assert_eq!(join(base, "https://x.dev/a.json"), "https://x.dev/a.json");
        assert_eq!(
            bundle_key("https://h/_defs.json", "/$defs/message"),
            "_defs.message"
        );
        assert_eq!(bundle_key("https://h/other.json", ""), "other");
    }

    #[test]
    fn every_event_bundles_into_one_document_that_validates_alike() {
        for entry in Catalog::builtin().entries() {
            let key = entry.key();
            let schema = bundle(entry).unwrap_or_else(|e| panic!("{key}: {e}"));
            let text = schema.to_string();
            assert!(
                !text.contains(".json#"),
                "{key}: a reference left outside the bundle"
            );
            let alone = jsonschema::options()
                .should_validate_formats(true)
                .build(&schema)
                .unwrap_or_else(|e| panic!("{key}: the bundle does not compile alone: {e}"));
            let original = entry.validator().unwrap();
            let generator = entry
                .generator(crate::generate::GenOptions::default())
                .unwrap();
            for i in 0..20 {
                let v = generator.generate(5, i).unwrap();
                assert!(alone.is_valid(&v), "{key}: bundle rejects {v}");
            }
            let negatives = generator.negatives(5, 40);
            assert!(!negatives.is_empty(), "{key}");
            for n in negatives {
                assert!(!original.is_valid(&n.value));
                assert!(
                    !alone.is_valid(&n.value),
                    "{key}: bundle accepts {}",
                    n.value
                );
            }
        }
        // A reference to a document the set lacks is an error, not a dangling bundle.
        let err = bundle_document(
            "https://h/a.json",
            &json!({"$ref": "missing.json#/$defs/x"}),
            &Resources::default(),
        )
        .unwrap_err();
        assert!(err.message.contains("no document"), "{err}");
    }
}
