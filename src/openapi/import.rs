//! Reading OpenAPI 3.1 `webhooks` into plain data (see the [module docs](super)).

use std::{collections::BTreeSet, fmt, path::Path};

use serde::Serialize;
use serde_json::{Map, Value};

use super::{EXTENSION, escape};
use crate::JsonPointer;

/// The dialect given to every imported schema that names none.
const DRAFT_2020_12: &str = "https://json-schema.org/draft/2020-12/schema";
/// How deep the event-name inference looks into nested `properties`.
const INFER_DEPTH: usize = 4;
/// How many `$ref`s in a row the importer follows before it calls the chain a loop.
const MAX_REF_HOPS: usize = 32;
/// The largest document [`read`] takes.
pub const MAX_DOCUMENT_BYTES: u64 = 64 * 1024 * 1024;

/// Choices for [`import`].
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// The event-name pointer for every vendor, overriding what the document says or implies.
    pub event_pointer: Option<JsonPointer>,
    /// The vendor name for webhooks that name none (neither `x-hookcheck.vendor` nor a
    /// `vendor/event` key); `webhooks` when unset.
    pub vendor: Option<String>,
    /// The file the document was read from, for error messages.
    pub file: Option<String>,
}

/// Where a vendor's event-name pointer came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PointerOrigin {
    /// [`ImportOptions::event_pointer`].
    Override,
    /// The document's `x-hookcheck` extension.
    Extension,
    /// The one property with a distinct `const` in every webhook's body schema.
    Inferred,
}

/// A signature scheme as the document states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportedSignature {
    /// The scheme name (`postal`, `getmailer`, `standard_webhooks`, ...).
    pub scheme: String,
    /// Its headers, when listed.
    pub headers: Vec<String>,
}

/// One webhook event read from the document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportedEvent {
    /// The event name: `x-hookcheck.event`, else the `const` at the event-name pointer, else
    /// the webhook key (its part after `/`).
    pub name: String,
    /// The key of the webhook in the document.
    pub webhook: String,
    /// The body schema, self-contained: every reference into `components/schemas` copied
    /// under its `$defs`, draft 2020-12 unless it says otherwise.
    pub schema: Value,
    /// The media type's examples, `(name, value)`, by name.
    pub examples: Vec<(String, Value)>,
}

/// One vendor read from the document, as plain data for a catalog loader.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportedVendor {
    /// The vendor name.
    pub name: String,
    /// Where the event name sits in every body of this vendor.
    pub event_pointer: JsonPointer,
    /// Where [`ImportedVendor::event_pointer`] came from.
    pub pointer_origin: PointerOrigin,
    /// The signature scheme, when the document says it.
    pub signature: Option<ImportedSignature>,
    /// How its bodies are recognised (a profile's `envelope`), when `x-hookcheck` says it.
    pub envelope: Option<Value>,
    /// The events, by webhook key.
    pub events: Vec<ImportedEvent>,
}

/// A document that cannot be imported: where, and why (shown as `file:pointer: message`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    /// The file, when known.
    pub file: Option<String>,
    /// Where in the document.
    pub pointer: JsonPointer,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.file, self.pointer.is_root()) {
            (Some(file), true) => write!(f, "{file}: {}", self.message),
            (Some(file), false) => write!(f, "{file}:{}: {}", self.pointer, self.message),
            (None, true) => write!(f, "{}", self.message),
            (None, false) => write!(f, "{}: {}", self.pointer, self.message),
        }
    }
}

impl std::error::Error for ImportError {}

/// Parses an OpenAPI document from JSON or YAML text (JSON when it starts with `{`, YAML
/// otherwise; YAML is a superset, so either reads JSON).
///
/// # Errors
///
/// [`ImportError`] at the root pointer with the parser's message (and line).
pub fn parse(text: &str, file: Option<&str>) -> Result<Value, ImportError> {
    let err = |message: String| ImportError {
        file: file.map(str::to_owned),
        pointer: JsonPointer::root(),
        message,
    };
    if text.trim_start().starts_with('{') {
        serde_json::from_str(text).map_err(|e| err(format!("not JSON: {e}")))
    } else {
        serde_norway::from_str(text).map_err(|e| err(format!("not YAML: {e}")))
    }
}

/// Reads and [`import`]s the document at `path` (JSON or YAML, at most
/// [`MAX_DOCUMENT_BYTES`]); errors name the file.
///
/// # Errors
///
/// [`ImportError`] for a file that cannot be read or parsed, or as for [`import`].
pub fn read(path: &Path, options: &ImportOptions) -> Result<Vec<ImportedVendor>, ImportError> {
    let file = path.display().to_string();
    let err = |message: String| ImportError {
        file: Some(file.clone()),
        pointer: JsonPointer::root(),
        message,
    };
    let len = std::fs::metadata(path)
        .map_err(|e| err(e.to_string()))?
        .len();
    if len > MAX_DOCUMENT_BYTES {
        return Err(err(format!(
            "{len} bytes, more than the {MAX_DOCUMENT_BYTES} an OpenAPI document may have"
        )));
    }
    let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
    let doc = parse(&text, Some(&file))?;
    let mut options = options.clone();
    options.file = Some(file);
    import(&doc, &options)
}

/// The vendors and events of an OpenAPI 3.1 document's `webhooks` (see the module docs),
/// vendors in the order of their first webhook key, events by key.
///
/// Every webhook needs a `post` operation with a JSON request body schema. References into
/// `components` (`schemas`, `requestBodies`, `pathItems`, `examples`) are followed; references
/// to other documents are errors.
///
/// # Errors
///
/// [`ImportError`] with the JSON pointer of what is missing or wrong: not OpenAPI 3.1, no
/// `webhooks`, a webhook without a body schema, an unresolvable reference, two events of one
/// name, or an event-name pointer that is neither said nor inferable.
pub fn import(doc: &Value, options: &ImportOptions) -> Result<Vec<ImportedVendor>, ImportError> {
    let cx = Cx { doc, options };
    match doc.get("openapi") {
        Some(Value::String(v)) if v.starts_with("3.1.") => {}
        Some(other) => {
            return Err(cx.err(
                JsonPointer::root().push("openapi"),
                format!("OpenAPI {other} is not 3.1.x"),
            ));
        }
        None => {
            return Err(cx.err(
                JsonPointer::root(),
                "no `openapi` field: not an OpenAPI document".into(),
            ));
        }
    }
    let at = JsonPointer::root().push("webhooks");
    let Some(Value::Object(webhooks)) = doc.get("webhooks") else {
        return Err(cx.err(at, "no `webhooks` object".into()));
    };
    let profiles = doc
        .get(EXTENSION)
        .and_then(|x| x.get("vendors"))
        .and_then(Value::as_object);
    let mut vendors: Vec<(ImportedVendor, Vec<Option<String>>)> = Vec::new();
    for (key, item) in webhooks {
        let at = at.clone().push(key);
        let (item, item_at) = cx.follow(item, at.clone())?;
        let Some(operation) = item.get("post") else {
            return Err(cx.err(item_at, "no `post` operation".into()));
        };
        let op_at = item_at.clone().push("post");
        let marker = operation
            .get(EXTENSION)
            .or_else(|| item.get(EXTENSION))
            .cloned()
            .unwrap_or(Value::Null);
        let text = |k: &str| marker.get(k).and_then(Value::as_str).map(str::to_owned);
        let vendor = text("vendor")
            .or_else(|| key.split_once('/').map(|(v, _)| v.to_owned()))
            .or_else(|| options.vendor.clone())
            .unwrap_or_else(|| "webhooks".to_owned());
        let Some(body) = operation.get("requestBody") else {
            return Err(cx.err(op_at, "no `requestBody`".into()));
        };
        let (body, body_at) = cx.follow(body, op_at.push("requestBody"))?;
        let content_at = body_at.push("content");
        let Some(Value::Object(content)) = body.get("content") else {
            return Err(cx.err(content_at, "no `content` object".into()));
        };
        let Some((media_type, media)) = content
            .iter()
            .find(|(t, _)| *t == "application/json")
            .or_else(|| content.iter().find(|(t, _)| t.ends_with("json")))
        else {
            return Err(cx.err(content_at, "no JSON media type".into()));
        };
        let media_at = content_at.push(media_type);
        let Some(schema) = media.get("schema") else {
            return Err(cx.err(media_at, "no `schema`".into()));
        };
        let schema = cx.self_contained(schema, media_at.clone().push("schema"))?;
        let examples = cx.examples(media, &media_at)?;
        let event = ImportedEvent {
            name: text("event").unwrap_or_default(),
            webhook: key.clone(),
            schema,
            examples,
        };
        let pointer = text("eventPointer");
        let signature = text("signature");
        let slot = match vendors.iter().position(|(v, _)| v.name == vendor) {
            Some(i) => i,
            None => {
                let profile = profiles.and_then(|p| p.get(&vendor));
                vendors.push((
                    ImportedVendor {
                        signature: profile
                            .and_then(|p| p.get("signature"))
                            .and_then(read_signature),
                        envelope: profile.and_then(|p| p.get("envelope")).cloned(),
                        name: vendor,
                        event_pointer: JsonPointer::root(),
                        pointer_origin: PointerOrigin::Inferred,
                        events: Vec::new(),
                    },
                    vec![
                        profile
                            .and_then(|p| p.get("eventPointer"))
                            .and_then(Value::as_str)
                            .map(str::to_owned),
                    ],
                ));
                vendors.len() - 1
            }
        };
        let (v, pointers) = &mut vendors[slot];
        if v.signature.is_none()
            && let Some(scheme) = signature
        {
            v.signature = Some(ImportedSignature {
                scheme,
                headers: Vec::new(),
            });
        }
        pointers.push(pointer);
        v.events.push(event);
    }
    vendors
        .into_iter()
        .map(|(v, pointers)| cx.finish(v, pointers))
        .collect()
}

fn read_signature(value: &Value) -> Option<ImportedSignature> {
    match value {
        Value::String(scheme) => Some(ImportedSignature {
            scheme: scheme.clone(),
            headers: Vec::new(),
        }),
        Value::Object(map) => Some(ImportedSignature {
            scheme: map.get("scheme")?.as_str()?.to_owned(),
            headers: map
                .get("headers")
                .and_then(Value::as_array)
                .map(|h| {
                    h.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
        }),
        _ => None,
    }
}

struct Cx<'a> {
    doc: &'a Value,
    options: &'a ImportOptions,
}

impl<'a> Cx<'a> {
    fn err(&self, pointer: JsonPointer, message: String) -> ImportError {
        ImportError {
            file: self.options.file.clone(),
            pointer,
            message,
        }
    }

    /// `value`, or what its `$ref` (a local one, followed up to [`MAX_REF_HOPS`] times)
    /// points at, with where that is.
    fn follow(
        &self,
        value: &'a Value,
        at: JsonPointer,
    ) -> Result<(&'a Value, JsonPointer), ImportError> {
        let (mut value, mut at) = (value, at);
        for _ in 0..MAX_REF_HOPS {
            let Some(reference) = value.get("$ref").and_then(Value::as_str) else {
                return Ok((value, at));
            };
            let target = self.local(reference, &at)?;
            value = target.resolve(self.doc).ok_or_else(|| {
                self.err(at.clone(), format!("$ref {reference:?}: nothing there"))
            })?;
            at = target;
        }
        Err(self.err(at, format!("more than {MAX_REF_HOPS} references in a row")))
    }

    /// The document pointer of a local reference (`#/...`).
    fn local(&self, reference: &str, at: &JsonPointer) -> Result<JsonPointer, ImportError> {
        let Some(fragment) = reference.strip_prefix('#') else {
            return Err(self.err(
                at.clone(),
                format!("$ref {reference:?} points outside the document (bundle it first)"),
            ));
        };
        let decoded = percent_decode(fragment);
        JsonPointer::parse(&decoded)
            .map_err(|e| self.err(at.clone(), format!("$ref {reference:?}: {e}")))
    }

    /// The schema at `at` as one self-contained document: a schema that is a reference to a
    /// component becomes that component, and every reference into `components/schemas` is
    /// copied under `$defs` as `components.<name>` (references to the component itself become
    /// references to the root).
    fn self_contained(&self, schema: &Value, at: JsonPointer) -> Result<Value, ImportError> {
        let components = JsonPointer::root().push("components").push("schemas");
        let (root, own) = match schema.get("$ref").and_then(Value::as_str) {
            Some(_) if schema.as_object().is_some_and(|m| m.len() == 1) => {
                let (resolved, target) = self.follow(schema, at.clone())?;
                let own = component_of(&components, &target);
                (resolved.clone(), own.map(|name| (name, target)))
            }
            _ => (schema.clone(), None),
        };
        let root_at = own.as_ref().map_or(at, |(_, t)| t.clone());
        let mut bundler = Bundler {
            cx: self,
            components: &components,
            own: own.map(|(name, _)| name),
            copied: BTreeSet::new(),
            pending: Vec::new(),
        };
        let mut out = root;
        bundler.rewrite(&mut out, &root_at)?;
        let mut defs = Map::new();
        while let Some(name) = bundler.pending.pop() {
            let part_at = components.clone().push(&name);
            let mut part = part_at
                .resolve(self.doc)
                .cloned()
                .ok_or_else(|| self.err(part_at.clone(), "no such component".into()))?;
            bundler.rewrite(&mut part, &part_at)?;
            defs.insert(format!("components.{name}"), part);
        }
        if let Value::Object(map) = &mut out {
            if !defs.is_empty() {
                let slot = map
                    .entry("$defs")
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(existing) = slot {
                    existing.extend(defs);
                }
            }
            map.entry("$schema")
                .or_insert_with(|| Value::String(DRAFT_2020_12.to_owned()));
        }
        Ok(out)
    }

    fn examples(
        &self,
        media: &'a Value,
        at: &JsonPointer,
    ) -> Result<Vec<(String, Value)>, ImportError> {
        let mut out = Vec::new();
        if let Some(Value::Object(examples)) = media.get("examples") {
            for (name, example) in examples {
                let (example, ex_at) =
                    self.follow(example, at.clone().push("examples").push(name))?;
                match example.get("value") {
                    Some(value) => out.push((name.clone(), value.clone())),
                    None if example.get("externalValue").is_some() => {
                        return Err(self.err(
                            ex_at,
                            "externalValue examples are not read (give `value`)".into(),
                        ));
                    }
                    None => {}
                }
            }
        } else if let Some(example) = media.get("example") {
            out.push(("example".to_owned(), example.clone()));
        }
        Ok(out)
    }

    /// Fills in the event-name pointer and the event names of `vendor`.
    fn finish(
        &self,
        mut vendor: ImportedVendor,
        said: Vec<Option<String>>,
    ) -> Result<ImportedVendor, ImportError> {
        let at = JsonPointer::root().push("webhooks");
        let said: BTreeSet<String> = said.into_iter().flatten().collect();
        let (pointer, origin) = if let Some(p) = &self.options.event_pointer {
            (p.clone(), PointerOrigin::Override)
        } else if said.len() > 1 {
            return Err(self.err(
                at,
                format!(
                    "vendor {}: x-hookcheck gives more than one eventPointer ({})",
                    vendor.name,
                    said.into_iter().collect::<Vec<_>>().join(", ")
                ),
            ));
        } else if let Some(p) = said.into_iter().next() {
            let p = JsonPointer::parse(&p).map_err(|e| {
                self.err(
                    JsonPointer::root().push(EXTENSION),
                    format!("vendor {}: eventPointer {p:?}: {e}", vendor.name),
                )
            })?;
            (p, PointerOrigin::Extension)
        } else {
            let pointer = infer(&vendor.events).ok_or_else(|| {
                self.err(
                    at.clone(),
                    format!(
                        "vendor {}: no property holds a distinct const in every webhook's body \
                         schema, so the event-name pointer cannot be inferred (say it with an \
                         event pointer option or x-hookcheck.eventPointer)",
                        vendor.name
                    ),
                )
            })?;
            (pointer, PointerOrigin::Inferred)
        };
        let mut seen = BTreeSet::new();
        for event in &mut vendor.events {
            if event.name.is_empty() {
                event.name = consts(&event.schema)
                    .into_iter()
                    .find(|(p, _)| *p == pointer)
                    .map(|(_, v)| v)
                    .unwrap_or_else(|| {
                        event
                            .webhook
                            .split_once('/')
                            .map_or(event.webhook.as_str(), |(_, e)| e)
                            .to_owned()
                    });
            }
            if !seen.insert(event.name.clone()) {
                return Err(self.err(
                    at.clone().push(&event.webhook),
                    format!(
                        "vendor {}: a second webhook for event {:?}",
                        vendor.name, event.name
                    ),
                ));
            }
        }
        vendor.event_pointer = pointer;
        vendor.pointer_origin = origin;
        Ok(vendor)
    }
}

/// The component name when `pointer` is `/components/schemas/<name>`.
fn component_of(components: &JsonPointer, pointer: &JsonPointer) -> Option<String> {
    let mut tokens = pointer.tokens();
    for expected in components.tokens() {
        if tokens.next()? != expected {
            return None;
        }
    }
    let name = tokens.next()?;
    tokens.next().is_none().then_some(name)
}

struct Bundler<'c, 'a> {
    cx: &'c Cx<'a>,
    components: &'c JsonPointer,
    own: Option<String>,
    copied: BTreeSet<String>,
    pending: Vec<String>,
}

impl Bundler<'_, '_> {
    fn rewrite(&mut self, value: &mut Value, at: &JsonPointer) -> Result<(), ImportError> {
        match value {
            Value::Object(map) => {
                for (key, child) in map.iter_mut() {
                    let child_at = at.clone().push(key);
                    if key == "$ref"
                        && let Value::String(reference) = child
                    {
                        *reference = self.target(reference, &child_at)?;
                    } else if !matches!(key.as_str(), "const" | "enum" | "examples" | "default") {
                        self.rewrite(child, &child_at)?;
                    }
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter_mut().enumerate() {
                    self.rewrite(item, &at.clone().push(i))?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn target(&mut self, reference: &str, at: &JsonPointer) -> Result<String, ImportError> {
        let pointer = self.cx.local(reference, at)?;
        let mut tokens = pointer.tokens();
        let inside = self
            .components
            .tokens()
            .all(|expected| tokens.next().is_some_and(|t| t == expected));
        let name = tokens.next();
        let (true, Some(name)) = (inside, name) else {
            return Err(self.cx.err(
                at.clone(),
                format!("$ref {reference:?}: only references into components/schemas are followed"),
            ));
        };
        if pointer.resolve(self.cx.doc).is_none() {
            return Err(self
                .cx
                .err(at.clone(), format!("$ref {reference:?}: nothing there")));
        }
        let rest: String = tokens.map(|t| format!("/{}", escape(&t))).collect();
        if self.own.as_deref() == Some(name.as_str()) {
            return Ok(format!("#{rest}"));
        }
        if self.copied.insert(name.clone()) {
            self.pending.push(name.clone());
        }
        Ok(format!(
            "#/$defs/{}{rest}",
            escape(&format!("components.{name}"))
        ))
    }
}

/// `%XX` escapes in a URI fragment decoded (invalid ones are kept as they are).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = text.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_owned())
}

/// Every `(pointer, value)` where `schema` fixes a string property to one value (`const`, or
/// an `enum` of one), following `properties` (through `allOf` and local `$ref`s) up to
/// [`INFER_DEPTH`] levels down.
fn consts(schema: &Value) -> Vec<(JsonPointer, String)> {
    let mut out = Vec::new();
    walk(schema, schema, JsonPointer::root(), 0, &mut out);
    out
}

fn walk(
    root: &Value,
    schema: &Value,
    at: JsonPointer,
    depth: usize,
    out: &mut Vec<(JsonPointer, String)>,
) {
    let schema = deref(root, schema);
    if depth > INFER_DEPTH {
        return;
    }
    if let Some(Value::Object(props)) = schema.get("properties") {
        for (name, prop) in props {
            let prop_at = at.clone().push(name);
            let prop = deref(root, prop);
            let fixed = match (prop.get("const"), prop.get("enum")) {
                (Some(Value::String(s)), _) => Some(s.clone()),
                (_, Some(Value::Array(one))) if one.len() == 1 => {
                    one[0].as_str().map(str::to_owned)
                }
                _ => None,
            };
            if let Some(value) = fixed {
                out.push((prop_at.clone(), value));
            }
            walk(root, prop, prop_at, depth + 1, out);
        }
    }
    if let Some(Value::Array(all)) = schema.get("allOf") {
        for part in all {
            walk(root, part, at.clone(), depth + 1, out);
        }
    }
}

/// `schema`, or the local target of its `$ref` (a few hops at most).
fn deref<'v>(root: &'v Value, schema: &'v Value) -> &'v Value {
    let mut schema = schema;
    for _ in 0..MAX_REF_HOPS {
        let Some(next) = schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
            .and_then(|p| JsonPointer::parse(&percent_decode(p)).ok())
            .and_then(|p| p.resolve(root))
        else {
            return schema;
        };
        schema = next;
    }
    schema
}

/// The pointer that holds a fixed string in every event's schema, a different one in each:
/// the shortest such, then the first in byte order.
fn infer(events: &[ImportedEvent]) -> Option<JsonPointer> {
    let per_event: Vec<Vec<(JsonPointer, String)>> =
        events.iter().map(|e| consts(&e.schema)).collect();
    let first = per_event.first()?;
    let mut candidates: Vec<&JsonPointer> = first
        .iter()
        .map(|(p, _)| p)
        .filter(|p| {
            let mut values = BTreeSet::new();
            per_event.iter().all(|fixed| {
                let mine: Vec<&String> = fixed
                    .iter()
                    .filter(|(q, _)| q == *p)
                    .map(|(_, v)| v)
                    .collect();
                mine.len() == 1 && values.insert(mine[0].clone())
            })
        })
        .collect();
    candidates.sort_by_key(|p| (p.tokens().count(), p.as_str().to_owned()));
    candidates.dedup();
    candidates.first().map(|p| (*p).clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(webhooks: Value) -> Value {
        json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "webhooks": webhooks,
        "components": {"schemas": {
            "id": {"type": "string", "pattern": "^ev_"},
            "tree": {"type": "object", "properties": {"next": {"$ref": "#/components/schemas/tree"}}}
        }}})
    }

    fn hook(kind: &str, extra: Value) -> Value {
        json!({"post": {"requestBody": {"content": {"application/json": {"schema": {
            "type": "object", "required": ["kind", "id"],
            "properties": {"kind": {"const": kind}, "id": {"$ref": "#/components/schemas/id"},
                "tree": {"$ref": "#/components/schemas/tree"}, "extra": extra}
        }, "example": {"kind": kind, "id": "ev_1"}}}}}})
    }

    #[test]
    fn the_event_pointer_is_inferred_from_a_distinct_const() {
        let d = doc(
            json!({"a": hook("a.done", json!({"const": "same"})), "b": hook("b.done", json!({"const": "same"}))}),
        );
        let vendors = import(&d, &ImportOptions::default()).unwrap();
        assert_eq!(vendors.len(), 1);
        let v = &vendors[0];
        assert_eq!(v.name, "webhooks");
        assert_eq!(v.event_pointer.as_str(), "/kind");
        assert_eq!(v.pointer_origin, PointerOrigin::Inferred);
        let names: Vec<&str> = v.events.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["a.done", "b.done"]);
        let schema = &v.events[0].schema;
        assert_eq!(schema["properties"]["id"]["$ref"], "#/$defs/components.id");
        assert_eq!(
            schema["$defs"]["components.tree"]["properties"]["next"]["$ref"],
            "#/$defs/components.tree"
        );
        let validator = crate::validate::build(schema, &Default::default(), None).unwrap();
        assert!(validator.is_valid(&v.events[0].examples[0].1));
        assert!(!validator.is_valid(&json!({"kind": "a.done", "id": "x"})));
    }

    #[test]
    fn no_distinct_const_is_an_error_unless_overridden() {
        let d = doc(json!({"a": hook("same", json!({})), "b": hook("same", json!({}))}));
        let e = import(&d, &ImportOptions::default()).unwrap_err();
        assert_eq!(e.pointer.as_str(), "/webhooks");
        assert!(e.message.contains("cannot be inferred"), "{e}");
        let options = ImportOptions {
            event_pointer: Some(JsonPointer::parse("/kind").unwrap()),
            ..Default::default()
        };
        // Overridden, but both events are then named "same".
        let e = import(&d, &options).unwrap_err();
        assert_eq!(e.pointer.as_str(), "/webhooks/b");
    }

    #[test]
    fn errors_carry_the_file_and_pointer() {
        let d = json!({"openapi": "3.1.0", "webhooks": {"a": {"post": {"requestBody": {"content": {
            "application/json": {"schema": {"$ref": "other.json#/x"}}}}}}}});
        let options = ImportOptions {
            file: Some("api.yaml".into()),
            ..Default::default()
        };
        let e = import(&d, &options).unwrap_err();
        assert_eq!(
            e.to_string(),
            "api.yaml:/webhooks/a/post/requestBody/content/application~1json/schema: $ref \"other.json#/x\" points outside the document (bundle it first)"
        );
        let e = import(&json!({"openapi": "3.0.3"}), &options).unwrap_err();
        assert_eq!(
            e.to_string(),
            "api.yaml:/openapi: OpenAPI \"3.0.3\" is not 3.1.x"
        );
        let e = import(
            &json!({"openapi": "3.1.0", "webhooks": {"a": {"get": {}}}}),
            &options,
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "api.yaml:/webhooks/a: no `post` operation");
    }

    #[test]
    fn references_to_components_are_followed_and_loops_are_errors() {
        let d = json!({"openapi": "3.1.1", "info": {"title": "t", "version": "1"},
        "webhooks": {"ping": {"$ref": "#/components/pathItems/ping"}},
        "components": {
            "pathItems": {"ping": {"post": {
                "x-hookcheck": {"vendor": "acme", "event": "ping", "eventPointer": "/kind",
                    "signature": "standard_webhooks"},
                "requestBody": {"$ref": "#/components/requestBodies/ping"}}}},
            "requestBodies": {"ping": {"content": {"application/cloudevents+json": {
                "schema": {"$ref": "#/components/schemas/ping"},
                "examples": {"one": {"$ref": "#/components/examples/one"}}}}}},
            "examples": {"one": {"value": {"kind": "ping"}}},
            "schemas": {"ping": {"type": "object", "required": ["kind"],
                "properties": {"kind": {"const": "ping"}, "self": {"$ref": "#/components/schemas/ping"}}}}
        }});
        let v = import(&d, &ImportOptions::default()).unwrap();
        assert_eq!(v[0].name, "acme");
        assert_eq!(v[0].pointer_origin, PointerOrigin::Extension);
        assert_eq!(v[0].signature.as_ref().unwrap().scheme, "standard_webhooks");
        let event = &v[0].events[0];
        assert_eq!(
            event.examples,
            vec![("one".to_owned(), json!({"kind": "ping"}))]
        );
        // The component itself became the root: its self-reference points at the root.
        assert_eq!(event.schema["properties"]["self"]["$ref"], "#");
        let validator = crate::validate::build(&event.schema, &Default::default(), None).unwrap();
        assert!(validator.is_valid(&json!({"kind": "ping", "self": {"kind": "ping"}})));
        assert!(!validator.is_valid(&json!({"kind": "ping", "self": {}})));

        let mut looped = d.clone();
        looped["components"]["requestBodies"]["ping"] =
            json!({"$ref": "#/components/requestBodies/ping"});
        let e = import(&looped, &ImportOptions::default()).unwrap_err();
        assert!(e.message.contains("references in a row"), "{e}");
    }

    #[test]
    fn yaml_and_json_read_alike() {
        let yaml = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\nwebhooks:\n  ping:\n    post:\n      requestBody:\n        content:\n          application/json:\n            schema: {type: object, properties: {type: {const: ping}}}\n";
        let from_yaml = parse(yaml, None).unwrap();
        let from_json = parse(&from_yaml.to_string(), None).unwrap();
        assert_eq!(from_yaml, from_json);
        let v = import(&from_yaml, &ImportOptions::default()).unwrap();
        assert_eq!(v[0].events[0].name, "ping");
        let e = parse("openapi: [", Some("bad.yaml")).unwrap_err();
        assert!(e.to_string().starts_with("bad.yaml: not YAML"), "{e}");
    }
}
