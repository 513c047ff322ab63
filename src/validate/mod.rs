//! Compiled-once validators and their typed results.
//!
//! A [`Validator`] wraps a compiled [`jsonschema::Validator`] (draft 2020-12, `format` asserted)
//! whose `$ref`s to other documents resolve offline from a fixed set of resources. Its results
//! are [`Violation`]s: the instance pointer, the schema pointer, the keyword and a message, as
//! typed values rather than text. [`input`] turns raw bytes into a JSON value with every way
//! that can fail named.

pub mod check;
pub mod input;
pub mod locate;
pub mod report;

use std::{collections::HashMap, fmt, sync::Arc};

use serde::Serialize;
use serde_json::Value;

use crate::JsonPointer;

/// One reason an instance does not conform to a schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Violation {
    /// Where in the instance (RFC 6901 pointer).
    pub instance_path: JsonPointer,
    /// Where in the schema, as the path taken through it (`/properties/payload/$ref/...`).
    pub schema_path: JsonPointer,
    /// The JSON Schema keyword that failed (`required`, `type`, `format`, ...).
    pub keyword: String,
    /// A readable message, with any long value it quotes cut (see
    /// [`crate::report::cut::message`]).
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}: {}",
            self.instance_path, self.keyword, self.message
        )
    }
}

/// A schema that could not be compiled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaError {
    /// The schema's `$id`, or `<anonymous>`.
    pub schema_id: String,
    /// Where in the schema the problem is, when known.
    pub pointer: JsonPointer,
    /// The compiler's message.
    pub message: String,
}

impl fmt::Display for SchemaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "schema {}:{}: {}",
            self.schema_id, self.pointer, self.message
        )
    }
}

impl std::error::Error for SchemaError {}

/// Documents that `$ref`s may point at, by absolute URI (no network access is ever made).
#[derive(Debug, Clone, Default)]
pub struct Resources(Arc<HashMap<String, Value>>);

impl Resources {
    /// Builds the set from `(uri, document)` pairs.
    pub fn new(pairs: impl IntoIterator<Item = (String, Value)>) -> Self {
        Self(Arc::new(
            pairs
                .into_iter()
                .map(|(uri, doc)| (uri.trim_end_matches('#').to_owned(), doc))
                .collect(),
        ))
    }

    /// The document registered under `uri` (a fragment is ignored).
    #[must_use]
    pub fn get(&self, uri: &str) -> Option<&Value> {
        let base = uri.split_once('#').map_or(uri, |(b, _)| b);
        self.0.get(base)
    }

    /// Every `(uri, document)` pair, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Every `(uri, document)` pair, sorted by URI: the order in which they are handed to a
    /// [`crate::generate::Generator`], so that a seed means the same values in every process.
    #[must_use]
    pub fn sorted(&self) -> Vec<(String, Value)> {
        let mut pairs: Vec<(String, Value)> = self
            .0
            .iter()
            .map(|(uri, doc)| (uri.clone(), doc.clone()))
            .collect();
        pairs.sort_by(|a, b| a.0.cmp(&b.0));
        pairs
    }
}

#[derive(Debug)]
struct NotFound(String);

impl fmt::Display for NotFound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "no offline resource for {} (hookcheck never fetches schemas over the network)",
            self.0
        )
    }
}

impl std::error::Error for NotFound {}

impl jsonschema::Retrieve for Resources {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        self.get(uri.as_str())
            .cloned()
            .ok_or_else(|| Box::new(NotFound(uri.as_str().to_owned())) as _)
    }
}

/// Builds a `jsonschema` validator the way every validator in hookcheck is built: the draft
/// taken from the schema's `$schema` (2020-12 when it has none), `format` asserted, and every
/// `$ref` resolved from `resources` (nothing is ever fetched over the network). `base_uri` is
/// the URI the schema is taken to live at, when it has no `$id` of its own.
///
/// This is the one place validator options are chosen: [`Validator::compile`], the
/// generator's own checks and the suite coverage's oracle all come through it.
///
/// # Errors
///
/// [`SchemaError`] if the schema is not a valid schema or a `$ref` cannot be resolved.
pub fn build(
    schema: &Value,
    resources: &Resources,
    base_uri: Option<&str>,
) -> Result<jsonschema::Validator, SchemaError> {
    let mut options = jsonschema::options()
        .should_validate_formats(true)
        .with_retriever(resources.clone());
    if schema.get("$schema").is_none() {
        options = options.with_draft(jsonschema::Draft::Draft202012);
    }
    if let Some(base) = base_uri {
        options = options.with_base_uri(base.to_owned());
    }
    options.build(schema).map_err(|e| SchemaError {
        schema_id: schema
            .get("$id")
            .and_then(Value::as_str)
            .unwrap_or("<anonymous>")
            .to_owned(),
        pointer: JsonPointer::parse(e.schema_path().as_str()).unwrap_or_default(),
        message: e.to_string(),
    })
}

/// A schema compiled once, checked many times. Clones share the compiled schema.
///
/// # Example
///
/// ```
/// use hookcheck::validate::{Resources, Validator};
/// use serde_json::json;
///
/// let v = Validator::compile(&json!({"type": "object", "required": ["id"]}), Resources::default())?;
/// assert!(v.is_valid(&json!({"id": 1})));
/// let errs = v.violations(&json!({}));
/// assert_eq!(errs[0].keyword, "required");
/// assert_eq!(errs[0].instance_path.as_str(), "");
/// # Ok::<(), hookcheck::validate::SchemaError>(())
/// ```
#[derive(Clone)]
pub struct Validator {
    inner: Arc<jsonschema::Validator>,
}

impl fmt::Debug for Validator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Validator").finish_non_exhaustive()
    }
}

impl Validator {
    /// Compiles `schema` as [`build`] does.
    ///
    /// # Errors
    ///
    /// [`SchemaError`] if the schema is not a valid schema or a `$ref` cannot be resolved.
    pub fn compile(schema: &Value, resources: Resources) -> Result<Self, SchemaError> {
        build(schema, &resources, None).map(|inner| Self {
            inner: Arc::new(inner),
        })
    }

    /// Wraps a validator built with [`build`].
    pub(crate) fn from_jsonschema(inner: jsonschema::Validator) -> Self {
        Self {
            inner: Arc::new(inner),
        }
    }

    /// The compiled `jsonschema` validator, for what [`Validator`] does not offer.
    #[must_use]
    pub fn as_jsonschema(&self) -> &jsonschema::Validator {
        &self.inner
    }

    /// Whether two handles share one compiled schema.
    #[must_use]
    pub fn same_as(&self, other: &Validator) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    /// Whether `instance` conforms (the fast path: stops at the first failure).
    #[must_use]
    pub fn is_valid(&self, instance: &Value) -> bool {
        self.inner.is_valid(instance)
    }

    /// Every violation, in the order the validator reports them.
    #[must_use]
    pub fn violations(&self, instance: &Value) -> Vec<Violation> {
        // A message quotes the value, which can be as long as the payload.
        self.collect(instance, |e| {
            crate::report::cut::message(&e.to_string()).into_owned()
        })
    }
}

impl Validator {
    /// [`violations`](Self::violations) with empty messages: for callers that look only at
    /// where and what failed, which spares writing a message (one may quote the whole
    /// instance) for each.
    pub(crate) fn located_violations(&self, instance: &Value) -> Vec<Violation> {
        self.collect(instance, |_| String::new())
    }

    /// Every violation, its message written by `message`.
    fn collect(
        &self,
        instance: &Value,
        message: impl Fn(&jsonschema::ValidationError<'_>) -> String,
    ) -> Vec<Violation> {
        self.inner
            .iter_errors(instance)
            .map(|e| Violation {
                instance_path: pointer(e.instance_path().as_str()),
                schema_path: pointer(e.schema_path().as_str()),
                keyword: e.kind().keyword().to_owned(),
                message: message(&e),
            })
            .collect()
    }
}

fn pointer(text: &str) -> JsonPointer {
    JsonPointer::parse(text).unwrap_or_else(|_| JsonPointer::root().push(text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn refs_resolve_offline_from_resources() {
        let defs = json!({"$id": "https://x.test/defs.json", "$defs": {"id": {"type": "integer"}}});
        let schema = json!({
            "$id": "https://x.test/main.json",
            "properties": {"id": {"$ref": "defs.json#/$defs/id"}}
        });
        let res = Resources::new([("https://x.test/defs.json".to_owned(), defs)]);
        let v = Validator::compile(&schema, res).unwrap();
        assert!(v.is_valid(&json!({"id": 3})));
        let errs = v.violations(&json!({"id": "3"}));
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].keyword, "type");
        assert_eq!(errs[0].instance_path.as_str(), "/id");
    }

    #[test]
    fn missing_resource_is_a_schema_error() {
        let schema = json!({"$id": "https://x.test/a.json", "$ref": "b.json"});
        let err = Validator::compile(&schema, Resources::default()).unwrap_err();
        assert_eq!(err.schema_id, "https://x.test/a.json");
        assert!(err.message.contains("b.json"), "{err}");
    }

    #[test]
    fn formats_are_asserted() {
        let v = Validator::compile(
            &json!({"type": "string", "format": "email"}),
            Resources::default(),
        )
        .unwrap();
        assert!(v.is_valid(&json!("someone@example.com")));
        let errs = v.violations(&json!("[email\u{a0}protected]"));
        assert_eq!(errs[0].keyword, "format");
    }
}
