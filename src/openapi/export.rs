//! The catalog as an OpenAPI 3.1 document (see the [module docs](super)).

use std::fmt;

use serde_json::{Map, Value, json};

use super::examples::{self, ExampleError};
use super::{EXTENSION, signature_of};
use crate::catalog::{Catalog, Entry, EntryKind, Vendor, bundle};
use crate::parser::policy::event_name_pointer;

/// Why the catalog could not be exported.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ExportError {
    /// An event's schema could not be bundled.
    Bundle {
        /// The `vendor/event` key.
        key: String,
        /// The bundler's error.
        source: bundle::BundleError,
    },
    /// A documented example could not be read.
    Example(ExampleError),
}

impl fmt::Display for ExportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExportError::Bundle { key, source } => write!(f, "{key}: {source}"),
            ExportError::Example(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for ExportError {}

/// The name of an entry's schema under `components/schemas`: `postal.MessageSent`.
#[must_use]
pub fn component_name(entry: &Entry) -> String {
    format!("{}.{}", entry.vendor(), entry.event())
}

/// The webhooks of `catalog` (of `vendor` only, when given) as one OpenAPI 3.1 document.
///
/// Each webhook entry is named `vendor/event`; API bodies (msndr's configuration API) are not
/// webhooks and are left out.
///
/// # Errors
///
/// [`ExportError`] when a schema cannot be bundled or an embedded example does not read.
///
/// # Example
///
/// ```
/// use hookcheck::catalog::{Catalog, Vendor};
/// use hookcheck::openapi;
///
/// let doc = openapi::export(Catalog::builtin(), Some(Vendor::POSTAL))?;
/// assert_eq!(doc["openapi"], "3.1.0");
/// let hook = &doc["webhooks"]["postal/MessageSent"]["post"];
/// assert_eq!(hook["x-hookcheck"]["eventPointer"], "/event");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn export(catalog: &Catalog, vendor: Option<Vendor>) -> Result<Value, ExportError> {
    let mut webhooks = Map::new();
    let mut schemas = Map::new();
    let mut vendors = Map::new();
    for v in Vendor::all() {
        if vendor.is_some_and(|only| only != v) {
            continue;
        }
        let entries: Vec<&Entry> = catalog
            .vendor_entries(v)
            .filter(|e| e.kind() == EntryKind::Webhook)
            .collect();
        if entries.is_empty() {
            continue;
        }
        let documented = examples::documented(v).map_err(ExportError::Example)?;
        let pointer = event_name_pointer(v).to_string();
        let signature = signature_of(v);
        let mut profile = Map::new();
        profile.insert("eventPointer".into(), json!(pointer));
        if let Some(sig) = &signature {
            profile.insert(
                "signature".into(),
                json!({"scheme": sig.scheme, "headers": sig.headers.iter().map(|h| h.name).collect::<Vec<_>>()}),
            );
        }
        vendors.insert(v.as_str().into(), Value::Object(profile));
        for entry in entries {
            let name = component_name(entry);
            let bundled = bundle::bundle(entry).map_err(|source| ExportError::Bundle {
                key: entry.key(),
                source,
            })?;
            schemas.insert(name.clone(), as_component(bundled, &name));
            let mut examples = Map::new();
            for ex in documented.iter().filter(|ex| ex.event == entry.event()) {
                let mut object = Map::new();
                object.insert("summary".into(), json!(ex.source));
                if !ex.repair.is_empty() {
                    object.insert(
                        "description".into(),
                        json!(format!("Repaired: {}", ex.repair)),
                    );
                }
                object.insert("value".into(), ex.value.clone());
                examples.insert(ex.name.clone(), Value::Object(object));
            }
            let mut media = Map::new();
            media.insert(
                "schema".into(),
                json!({"$ref": format!("#/components/schemas/{name}")}),
            );
            if !examples.is_empty() {
                media.insert("examples".into(), Value::Object(examples));
            }
            let parameters: Vec<Value> = signature
                .iter()
                .flat_map(|sig| sig.headers.iter())
                .map(|h| {
                    json!({"name": h.name, "in": "header", "required": h.required,
                        "description": h.description, "schema": {"type": "string"}})
                })
                .collect();
            let mut marker = Map::new();
            marker.insert("vendor".into(), json!(v.as_str()));
            marker.insert("event".into(), json!(entry.event()));
            marker.insert("eventPointer".into(), json!(pointer));
            if let Some(sig) = &signature {
                marker.insert("signature".into(), json!(sig.scheme));
            }
            let mut operation = Map::new();
            operation.insert("operationId".into(), json!(name));
            operation.insert("tags".into(), json!([v.as_str()]));
            if !entry.title().is_empty() {
                operation.insert("summary".into(), json!(entry.title()));
            }
            if !entry.description().is_empty() {
                operation.insert("description".into(), json!(entry.description()));
            }
            if !parameters.is_empty() {
                operation.insert("parameters".into(), Value::Array(parameters));
            }
            operation.insert(
                "requestBody".into(),
                json!({"required": true, "content": {"application/json": Value::Object(media)}}),
            );
            operation.insert(
                "responses".into(),
                json!({"2XX": {"description": "The receiver took the event."}}),
            );
            operation.insert(EXTENSION.into(), Value::Object(marker));
            webhooks.insert(entry.key(), json!({"post": Value::Object(operation)}));
        }
    }
    Ok(json!({
        "openapi": "3.1.0",
        "info": {
            "title": "hookcheck catalog",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The documented webhook events of the hookcheck catalog: one webhook per event, its body schema bundled under components/schemas, its signature headers as parameters and the vendor's documented examples in their repaired form.",
        },
        "tags": vendors.keys().map(|v| json!({"name": v})).collect::<Vec<_>>(),
        "webhooks": Value::Object(webhooks),
        "components": {"schemas": Value::Object(schemas)},
        EXTENSION: {"vendors": Value::Object(vendors)},
    }))
}

/// A bundled schema as a component named `name`: no `$schema` (the document's dialect, a
/// superset of 2020-12, applies) and no `$id`, its local references rewritten to
/// `#/components/schemas/<name>/…`.
fn as_component(mut schema: Value, name: &str) -> Value {
    if let Value::Object(map) = &mut schema {
        map.remove("$schema");
        map.remove("$id");
    }
    let prefix = format!("/components/schemas/{}", super::escape(name));
    super::rewrite_refs(&mut schema, &mut |reference| {
        reference
            .strip_prefix('#')
            .map(|pointer| format!("#{prefix}{pointer}"))
    });
    schema
}
