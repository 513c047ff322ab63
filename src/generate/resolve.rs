//! Documents, identifiers and `$ref` resolution, offline.
//!
//! The plan compiler walks schemas by location (document + JSON pointer), so it needs its own
//! view of the identifiers a validator sees: every `$id` (a new base URI and a resource),
//! `$anchor`, `$dynamicAnchor` and `$recursiveAnchor`, found by a walk that only enters keywords
//! that hold subschemas (an `$id` inside `const` or an unknown keyword is not an identifier).
//! URIs are resolved and normalised with the same routines the validator uses
//! ([`jsonschema::uri`]), so both agree on what a reference names. Nothing is ever fetched: a
//! reference to a document that was not supplied is a [`GenError::Schema`].

use std::{
    collections::{HashMap, HashSet},
    sync::Arc,
};

use serde_json::Value;

use super::error::{GenError, SchemaLocation};
use crate::JsonPointer;

/// The base URI of a root schema that has no `$id` (the validator's own default).
pub(crate) const ROOT_URI: &str = "json-schema:///";

/// A JSON Schema dialect the generator understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Draft {
    /// Draft 6: like draft 7 without `if`/`then`/`else`.
    D6,
    /// Draft 7: `$ref` overrides its siblings, array-form `items`, `dependencies`.
    D7,
    /// Draft 2019-09: `$recursiveRef`, array-form `items`, `unevaluated*`.
    D201909,
    /// Draft 2020-12.
    D202012,
}

impl Draft {
    /// The dialect named by a `$schema` URI, if it is a known one.
    pub(crate) fn from_uri(uri: &str) -> Option<Self> {
        let uri = uri.trim_end_matches('#');
        match uri {
            "https://json-schema.org/draft/2020-12/schema" => Some(Self::D202012),
            "https://json-schema.org/draft/2019-09/schema" => Some(Self::D201909),
            "http://json-schema.org/draft-07/schema" => Some(Self::D7),
            "http://json-schema.org/draft-06/schema" => Some(Self::D6),
            _ => None,
        }
    }

    /// The dialect's metaschema URI.
    pub(crate) fn uri(self) -> &'static str {
        match self {
            Self::D6 => "http://json-schema.org/draft-06/schema#",
            Self::D7 => "http://json-schema.org/draft-07/schema#",
            Self::D201909 => "https://json-schema.org/draft/2019-09/schema",
            Self::D202012 => "https://json-schema.org/draft/2020-12/schema",
        }
    }

    /// Whether `$ref` makes the other keywords of its schema be ignored (drafts 6 and 7).
    pub(crate) fn ref_overrides_siblings(self) -> bool {
        self <= Self::D7
    }
}

/// A place in one of the documents.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Loc {
    /// Index of the document.
    pub doc: u32,
    /// JSON pointer inside it.
    pub ptr: String,
}

/// What is known about the scope of a schema location.
#[derive(Debug, Clone)]
pub(crate) struct Scope {
    /// Base URI for resolving references made here.
    pub base: Arc<str>,
    /// The dialect in force.
    pub draft: Draft,
}

#[derive(Debug)]
struct Doc {
    /// The URI under which the document was supplied (the canonical one for the root).
    uri: String,
    value: Value,
}

/// Every supplied document, indexed by the identifiers it declares.
#[derive(Debug)]
pub(crate) struct Registry {
    docs: Vec<Doc>,
    /// Absolute URI (no fragment) of a resource -> where its root is.
    resources: HashMap<String, Loc>,
    /// `uri#name` -> where the anchor sits.
    anchors: HashMap<String, Loc>,
    /// `uri#name` of anchors that are `$dynamicAnchor`s.
    dynamic: HashSet<String>,
    /// Resource URIs whose root says `$recursiveAnchor: true`.
    recursive: HashSet<String>,
    /// Documents in a dialect the generator does not know, with that dialect's URI.
    unknown_dialect: HashMap<u32, String>,
    /// Resource URIs that declare at least one dynamic or recursive anchor.
    dynamic_resources: HashSet<String>,
    /// Scope of every schema location the index walk visited.
    scopes: HashMap<Loc, Scope>,
    /// Resource URI whose root is at each visited location, when it is one.
    resource_at: HashMap<Loc, Arc<str>>,
}

/// Normalises an absolute URI (drops an empty fragment).
pub(crate) fn normalize(uri: &str) -> Result<String, String> {
    let parsed = jsonschema::uri::from_str(uri.trim_end_matches('#')).map_err(|e| e.to_string())?;
    Ok(parsed.as_str().trim_end_matches('#').to_owned())
}

/// Resolves `reference` against `base`.
pub(crate) fn resolve_uri(base: &str, reference: &str) -> Result<String, String> {
    let base = jsonschema::uri::from_str(base).map_err(|e| e.to_string())?;
    let uri =
        jsonschema::uri::resolve_against(&base.borrow(), reference).map_err(|e| e.to_string())?;
    Ok(uri.as_str().to_owned())
}

/// Percent-decodes a URI fragment.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(b) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Percent-encodes a JSON pointer for use as a URI fragment.
pub(crate) fn encode_fragment(ptr: &str) -> String {
    let mut out = String::with_capacity(ptr.len());
    for b in ptr.bytes() {
        let keep = b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?".contains(&b);
        if keep {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The metaschemas of the supported drafts (a schema may `$ref` them; the validator knows them
/// without being given them, so the generator must too).
fn metaschemas() -> [(&'static str, &'static Value); 18] {
    use referencing::meta as m;
    [
        ("http://json-schema.org/draft-06/schema", &**m::DRAFT6),
        ("http://json-schema.org/draft-07/schema", &**m::DRAFT7),
        (
            "https://json-schema.org/draft/2019-09/schema",
            &**m::DRAFT201909,
        ),
        (
            "https://json-schema.org/draft/2019-09/meta/applicator",
            &**m::DRAFT201909_APPLICATOR,
        ),
        (
            "https://json-schema.org/draft/2019-09/meta/content",
            &**m::DRAFT201909_CONTENT,
        ),
        (
            "https://json-schema.org/draft/2019-09/meta/core",
            &**m::DRAFT201909_CORE,
        ),
        (
            "https://json-schema.org/draft/2019-09/meta/format",
            &**m::DRAFT201909_FORMAT,
        ),
        (
            "https://json-schema.org/draft/2019-09/meta/meta-data",
            &**m::DRAFT201909_META_DATA,
        ),
        (
            "https://json-schema.org/draft/2019-09/meta/validation",
            &**m::DRAFT201909_VALIDATION,
        ),
        (
            "https://json-schema.org/draft/2020-12/schema",
            &**m::DRAFT202012,
        ),
        (
            "https://json-schema.org/draft/2020-12/meta/core",
            &**m::DRAFT202012_CORE,
        ),
        (
            "https://json-schema.org/draft/2020-12/meta/applicator",
            &**m::DRAFT202012_APPLICATOR,
        ),
        (
            "https://json-schema.org/draft/2020-12/meta/unevaluated",
            &**m::DRAFT202012_UNEVALUATED,
        ),
        (
            "https://json-schema.org/draft/2020-12/meta/validation",
            &**m::DRAFT202012_VALIDATION,
        ),
        (
            "https://json-schema.org/draft/2020-12/meta/meta-data",
            &**m::DRAFT202012_META_DATA,
        ),
        (
            "https://json-schema.org/draft/2020-12/meta/format-annotation",
            &**m::DRAFT202012_FORMAT_ANNOTATION,
        ),
        (
            "https://json-schema.org/draft/2020-12/meta/format-assertion",
            &**m::DRAFT202012_FORMAT_ASSERTION,
        ),
        (
            "https://json-schema.org/draft/2020-12/meta/content",
            &**m::DRAFT202012_CONTENT,
        ),
    ]
}

/// Whether a document `$ref`s (or `$dynamicRef`s) into a json-schema.org metaschema.
fn mentions_metaschema(value: &Value) -> bool {
    match value {
        Value::Object(map) => map.iter().any(|(k, v)| {
            ((k == "$ref" || k == "$dynamicRef")
                && v.as_str().is_some_and(|r| r.contains("json-schema.org/")))
                || mentions_metaschema(v)
        }),
        Value::Array(items) => items.iter().any(mentions_metaschema),
        _ => false,
    }
}

/// Keywords whose value is one subschema.
pub(crate) const SINGLE: &[&str] = &[
    "additionalItems",
    "additionalProperties",
    "contains",
    "contentSchema",
    "else",
    "if",
    "items",
    "not",
    "propertyNames",
    "then",
    "unevaluatedItems",
    "unevaluatedProperties",
];
/// Keywords whose value is an array of subschemas.
pub(crate) const ARRAY: &[&str] = &["allOf", "anyOf", "oneOf", "prefixItems", "items"];
/// Keywords whose value is an object of subschemas.
pub(crate) const MAP: &[&str] = &[
    "$defs",
    "definitions",
    "dependentSchemas",
    "patternProperties",
    "properties",
    "dependencies",
];

impl Registry {
    /// Indexes `root` and the extra `(uri, document)` resources.
    pub(crate) fn new(root: &Value, resources: &[(String, Value)]) -> Result<Self, GenError> {
        let mut reg = Self {
            docs: Vec::with_capacity(resources.len() + 1),
            resources: HashMap::new(),
            anchors: HashMap::new(),
            dynamic: HashSet::new(),
            recursive: HashSet::new(),
            dynamic_resources: HashSet::new(),
            unknown_dialect: HashMap::new(),
            scopes: HashMap::new(),
            resource_at: HashMap::new(),
        };
        reg.docs.push(Doc {
            uri: ROOT_URI.to_owned(),
            value: root.clone(),
        });
        for (uri, doc) in resources {
            let uri = normalize(uri).map_err(|m| {
                GenError::schema(
                    SchemaLocation {
                        document: Some(uri.clone()),
                        pointer: JsonPointer::root(),
                    },
                    m,
                )
            })?;
            reg.docs.push(Doc {
                uri,
                value: doc.clone(),
            });
        }
        let refers_to_meta = reg.docs.iter().any(|d| mentions_metaschema(&d.value));
        for (uri, doc) in metaschemas() {
            if refers_to_meta && !reg.docs.iter().any(|d| d.uri == uri) {
                reg.docs.push(Doc {
                    uri: uri.to_owned(),
                    value: doc.clone(),
                });
            }
        }
        let root_draft = reg.draft_of_document(root, Draft::D202012)?;
        for i in 0..reg.docs.len() {
            let doc = u32::try_from(i).unwrap_or(u32::MAX);
            let uri = reg.docs[i].uri.clone();
            let value = reg.docs[i].value.clone();
            // Another document in an unknown dialect only matters if the schema reaches into it.
            let draft = match reg.draft_of_document(&value, root_draft) {
                Ok(d) => d,
                Err(_) if i > 0 => {
                    let uri = value
                        .get("$schema")
                        .and_then(Value::as_str)
                        .unwrap_or_default();
                    reg.unknown_dialect.insert(doc, uri.to_owned());
                    root_draft
                }
                Err(e) => return Err(e),
            };
            reg.resources.insert(
                uri.clone(),
                Loc {
                    doc,
                    ptr: String::new(),
                },
            );
            reg.walk(doc, &value, String::new(), &uri, draft, true)?;
            // The canonical URI of the root document is its `$id`, if any.
            if i == 0
                && let Some(id) = reg.resource_at.get(&Loc {
                    doc: 0,
                    ptr: String::new(),
                })
            {
                reg.docs[0].uri = id.to_string();
            }
        }
        Ok(reg)
    }

    fn location_error(&self, loc: &Loc, message: impl Into<String>) -> GenError {
        GenError::schema(self.location(loc), message)
    }

    /// The public form of a location.
    pub(crate) fn location(&self, loc: &Loc) -> SchemaLocation {
        SchemaLocation {
            document: if loc.doc == 0 {
                None
            } else {
                self.docs.get(loc.doc as usize).map(|d| d.uri.clone())
            },
            pointer: JsonPointer::parse(&loc.ptr).unwrap_or_default(),
        }
    }

    fn draft_of_document(&self, doc: &Value, default: Draft) -> Result<Draft, GenError> {
        match doc.get("$schema").and_then(Value::as_str) {
            None => Ok(default),
            Some(uri) => self.draft_of_meta(uri, 0).ok_or_else(|| {
                GenError::unsupported(
                    "$schema",
                    SchemaLocation::root(JsonPointer::root().push("$schema")),
                    format!("unknown or unsupported dialect {uri}"),
                )
            }),
        }
    }

    /// The dialect of a `$schema` URI: a known draft, or a supplied metaschema whose own
    /// `$schema` is one.
    fn draft_of_meta(&self, uri: &str, depth: u32) -> Option<Draft> {
        if let Some(d) = Draft::from_uri(uri) {
            return Some(d);
        }
        if depth > 4 {
            return None;
        }
        let uri = normalize(uri).ok()?;
        let meta = self.docs.iter().find(|d| {
            d.uri == uri
                || d.value
                    .get("$id")
                    .and_then(Value::as_str)
                    .and_then(|id| normalize(id).ok())
                    .is_some_and(|id| id == uri)
        })?;
        let inner = meta.value.get("$schema").and_then(Value::as_str)?;
        self.draft_of_meta(inner, depth + 1)
    }

    fn walk(
        &mut self,
        doc: u32,
        value: &Value,
        ptr: String,
        base: &str,
        mut draft: Draft,
        is_resource_root: bool,
    ) -> Result<(), GenError> {
        let Value::Object(map) = value else {
            self.scopes.insert(
                Loc { doc, ptr },
                Scope {
                    base: Arc::from(base),
                    draft,
                },
            );
            return Ok(());
        };
        let loc = Loc {
            doc,
            ptr: ptr.clone(),
        };
        let mut base = base.to_owned();
        let id_key = "$id";
        let mut is_resource = is_resource_root;
        if let Some(id) = map.get(id_key).and_then(Value::as_str) {
            let (uri_part, frag) = id.split_once('#').unwrap_or((id, ""));
            if !uri_part.is_empty() {
                base = resolve_uri(&base, uri_part)
                    .map_err(|m| self.location_error(&loc, m))?
                    .trim_end_matches('#')
                    .to_owned();
                self.resources.insert(base.clone(), loc.clone());
                is_resource = true;
            }
            if !frag.is_empty() && draft <= Draft::D7 {
                self.anchors.insert(format!("{base}#{frag}"), loc.clone());
            }
        }
        if is_resource {
            if let Some(meta) = map.get("$schema").and_then(Value::as_str)
                && let Some(d) = self.draft_of_meta(meta, 0)
            {
                draft = d;
            }
            self.resource_at
                .insert(loc.clone(), Arc::from(base.as_str()));
        }
        if draft >= Draft::D201909
            && let Some(name) = map.get("$anchor").and_then(Value::as_str)
        {
            self.anchors.insert(format!("{base}#{name}"), loc.clone());
        }
        if draft == Draft::D202012
            && let Some(name) = map.get("$dynamicAnchor").and_then(Value::as_str)
        {
            let key = format!("{base}#{name}");
            self.anchors
                .entry(key.clone())
                .or_insert_with(|| loc.clone());
            self.dynamic.insert(key);
            self.dynamic_resources.insert(base.clone());
        }
        if draft == Draft::D201909
            && is_resource
            && map.get("$recursiveAnchor").and_then(Value::as_bool) == Some(true)
        {
            self.recursive.insert(base.clone());
            self.dynamic_resources.insert(base.clone());
        }
        self.scopes.insert(
            loc,
            Scope {
                base: Arc::from(base.as_str()),
                draft,
            },
        );
        for (key, sub) in map {
            let key = key.as_str();
            let child = |k: &str| format!("{ptr}/{}", escape(k));
            if SINGLE.contains(&key) && !sub.is_array() {
                self.walk(doc, sub, child(key), &base, draft, false)?;
            } else if ARRAY.contains(&key) {
                if let Value::Array(items) = sub {
                    for (i, item) in items.iter().enumerate() {
                        self.walk(
                            doc,
                            item,
                            format!("{}/{i}", child(key)),
                            &base,
                            draft,
                            false,
                        )?;
                    }
                }
            } else if MAP.contains(&key)
                && let Value::Object(entries) = sub
            {
                for (name, item) in entries {
                    if item.is_object() || item.is_boolean() {
                        let p = format!("{}/{}", child(key), escape(name));
                        self.walk(doc, item, p, &base, draft, false)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// The value at a location.
    pub(crate) fn value(&self, loc: &Loc) -> Option<&Value> {
        self.docs.get(loc.doc as usize)?.value.pointer(&loc.ptr)
    }

    /// The canonical URI of a document.
    pub(crate) fn doc_uri(&self, doc: u32) -> &str {
        self.docs
            .get(doc as usize)
            .map_or(ROOT_URI, |d| d.uri.as_str())
    }

    /// Every document with the URIs it can be retrieved under (its supplied URI and its `$id`).
    pub(crate) fn retrievable(&self) -> Vec<(String, Value)> {
        let mut out = Vec::new();
        for (i, d) in self.docs.iter().enumerate() {
            out.push((d.uri.clone(), d.value.clone()));
            if i == 0 && d.uri != ROOT_URI {
                out.push((ROOT_URI.to_owned(), d.value.clone()));
            }
            if let Some(id) = d.value.get("$id").and_then(Value::as_str)
                && let Ok(id) = resolve_uri(&d.uri, id)
            {
                let id = id.trim_end_matches('#').to_owned();
                if id != d.uri {
                    out.push((id, d.value.clone()));
                }
            }
        }
        out
    }

    /// The scope (base URI, dialect) at a location: the one the index recorded, or that of the
    /// nearest recorded ancestor (locations inside unknown keywords are reachable by pointer).
    pub(crate) fn scope(&self, loc: &Loc) -> Scope {
        let mut ptr = loc.ptr.as_str();
        loop {
            if let Some(s) = self.scopes.get(&Loc {
                doc: loc.doc,
                ptr: ptr.to_owned(),
            }) {
                return s.clone();
            }
            match ptr.rfind('/') {
                Some(i) => ptr = &ptr[..i],
                None => {
                    return Scope {
                        base: Arc::from(self.doc_uri(loc.doc)),
                        draft: Draft::D202012,
                    };
                }
            }
        }
    }

    /// The unknown dialect of a document, if it is in one.
    pub(crate) fn unknown_dialect(&self, doc: u32) -> Option<&str> {
        self.unknown_dialect.get(&doc).map(String::as_str)
    }

    /// Whether the resource declares dynamic or recursive anchors (it matters for dynamic scope).
    pub(crate) fn is_dynamic_resource(&self, uri: &str) -> bool {
        self.dynamic_resources.contains(uri)
    }

    /// Resolves a `$ref` (or the static part of `$dynamicRef`) made at `from`.
    pub(crate) fn resolve(&self, from: &Loc, reference: &str) -> Result<Target, GenError> {
        let base = self.scope(from).base;
        let (uri_part, fragment) = reference.split_once('#').unwrap_or((reference, ""));
        let uri = if uri_part.is_empty() {
            base.to_string()
        } else {
            resolve_uri(&base, uri_part)
                .map_err(|m| self.location_error(from, m))?
                .trim_end_matches('#')
                .to_owned()
        };
        let root = self.resources.get(&uri).ok_or_else(|| {
            self.location_error(
                from,
                format!("`$ref` to {uri}, which is not among the supplied documents"),
            )
        })?;
        let fragment = percent_decode(fragment);
        if fragment.is_empty() {
            return Ok(Target {
                loc: root.clone(),
                resource: uri,
                anchor: None,
            });
        }
        if fragment.starts_with('/') {
            let loc = Loc {
                doc: root.doc,
                ptr: format!("{}{fragment}", root.ptr),
            };
            if self.value(&loc).is_none() {
                return Err(self.location_error(
                    from,
                    format!("`$ref` to {uri}#{fragment}, which points at nothing"),
                ));
            }
            return Ok(Target {
                loc,
                resource: uri,
                anchor: None,
            });
        }
        let key = format!("{uri}#{fragment}");
        let loc = self
            .anchors
            .get(&key)
            .ok_or_else(|| self.location_error(from, format!("no anchor `{fragment}` in {uri}")))?;
        let dynamic = self.dynamic.contains(&key);
        Ok(Target {
            loc: loc.clone(),
            resource: uri,
            anchor: dynamic.then_some(fragment),
        })
    }

    /// The location of dynamic anchor `name` in resource `uri`, if it declares one.
    pub(crate) fn dynamic_anchor(&self, uri: &str, name: &str) -> Option<&Loc> {
        let key = format!("{uri}#{name}");
        if self.dynamic.contains(&key) {
            self.anchors.get(&key)
        } else {
            None
        }
    }

    /// Whether resource `uri` has `$recursiveAnchor: true` at its root.
    pub(crate) fn has_recursive_anchor(&self, uri: &str) -> bool {
        self.recursive.contains(uri)
    }

    /// The root location of resource `uri`.
    pub(crate) fn resource_root(&self, uri: &str) -> Option<&Loc> {
        self.resources.get(uri)
    }
}

/// Where a reference leads.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    /// The schema it names.
    pub loc: Loc,
    /// The resource URI the reference resolved into.
    pub resource: String,
    /// The anchor name, when the target is a `$dynamicAnchor`.
    pub anchor: Option<String>,
}

/// Escapes one JSON pointer token.
pub(crate) fn escape(token: &str) -> String {
    if token.contains(['~', '/']) {
        token.replace('~', "~0").replace('/', "~1")
    } else {
        token.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn resolves_pointers_anchors_and_ids() {
        let root = json!({
            "$id": "https://x.test/root.json",
            "$defs": {
                "a": {"$anchor": "here", "type": "string"},
                "b": {"$id": "inner.json", "$defs": {"c": {"type": "integer"}}},
                "odd/name": {"const": 1}
            },
            "const": {"$id": "https://x.test/not-an-id.json"}
        });
        let reg = Registry::new(&root, &[]).unwrap();
        let here = Loc {
            doc: 0,
            ptr: String::new(),
        };
        assert_eq!(reg.resolve(&here, "#here").unwrap().loc.ptr, "/$defs/a");
        assert_eq!(
            reg.resolve(&here, "inner.json#/$defs/c").unwrap().loc.ptr,
            "/$defs/b/$defs/c"
        );
        assert_eq!(
            reg.resolve(&here, "#/$defs/odd~1name").unwrap().loc.ptr,
            "/$defs/odd~1name"
        );
        assert!(reg.resolve(&here, "not-an-id.json").is_err());
        let inner = Loc {
            doc: 0,
            ptr: "/$defs/b/$defs/c".into(),
        };
        assert_eq!(&*reg.scope(&inner).base, "https://x.test/inner.json");
        assert_eq!(reg.doc_uri(0), "https://x.test/root.json");
    }

    #[test]
    fn other_documents_resolve_offline() {
        let defs = json!({"$defs": {"n": {"type": "null"}}});
        let root = json!({"$id": "https://x.test/a/main.json", "$ref": "defs.json#/$defs/n"});
        let reg = Registry::new(&root, &[("https://x.test/a/defs.json".into(), defs)]).unwrap();
        let t = reg
            .resolve(
                &Loc {
                    doc: 0,
                    ptr: String::new(),
                },
                "defs.json#/$defs/n",
            )
            .unwrap();
        assert_eq!(t.loc.doc, 1);
        assert_eq!(t.loc.ptr, "/$defs/n");
    }

    #[test]
    fn unknown_dialect_is_unsupported() {
        let err = Registry::new(
            &json!({"$schema": "http://json-schema.org/draft-04/schema#"}),
            &[],
        )
        .unwrap_err();
        assert!(err.is_unsupported());
    }

    #[test]
    fn fragments_are_percent_decoded_and_encoded() {
        assert_eq!(percent_decode("/a%25b/%7Bc%7D"), "/a%b/{c}");
        assert_eq!(encode_fragment("/a b/%"), "/a%20b/%25");
    }
}
