//! Realistic webhook bodies (`tests/fixtures/payloads/<vendor>/<event>.json`) and systematic
//! mutations of them: defects a correct parser must reject, and variations it must accept.

use std::path::{Path, PathBuf};

use hookcheck::{
    catalog::{Catalog, Vendor},
    parser::{Defect, Obligation, event_name_pointer},
};
use serde_json::{Value, json};

/// The vendors whose fixtures are mutated systematically, in a fixed order (Resend's fixtures,
/// its documented examples, serve the benchmarks; its parser is checked in `parsers_resend`).
pub(crate) const VENDORS: [Vendor; 3] = [Vendor::POSTAL, Vendor::MSNDR, Vendor::GETMAILER];

/// One fixture body.
#[derive(Debug, Clone)]
pub(crate) struct Fixture {
    pub(crate) vendor: Vendor,
    /// The event name (the file stem).
    pub(crate) event: String,
    pub(crate) body: Vec<u8>,
}

impl Fixture {
    pub(crate) fn value(&self) -> Value {
        serde_json::from_slice(&self.body).expect("fixtures are JSON")
    }
}

pub(crate) fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/payloads")
}

/// Every fixture of `vendor`, sorted by event name.
pub(crate) fn fixtures(vendor: Vendor) -> Vec<Fixture> {
    let dir = fixtures_dir().join(vendor.as_str());
    let mut out: Vec<Fixture> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.expect("readable dir entry").path();
            Fixture {
                vendor,
                event: path.file_stem().unwrap().to_string_lossy().into_owned(),
                body: std::fs::read(&path).expect("readable fixture"),
            }
        })
        .collect();
    out.sort_by(|a, b| a.event.cmp(&b.event));
    out
}

pub(crate) fn all_fixtures() -> Vec<Fixture> {
    VENDORS.iter().flat_map(|v| fixtures(*v)).collect()
}

/// A mutated body with a label saying what was changed.
#[derive(Debug, Clone)]
pub(crate) struct Case {
    pub(crate) label: String,
    pub(crate) body: Vec<u8>,
}

fn case(label: impl Into<String>, value: &Value) -> Case {
    Case {
        label: label.into(),
        body: serde_json::to_vec(value).expect("serializable"),
    }
}

/// What the vendor's schema and the reject policy say about a payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    /// Valid against the event's schema: must be accepted.
    Valid,
    /// Has a defect the reject policy says must be rejected.
    MustReject,
    /// Invalid, but only in ways a parser may accept.
    MayAccept,
}

/// Classifies `value` against the schema of `vendor`/`event` with the reject policy.
///
/// A body whose event name is another event of the vendor is that event, and is classified
/// against its schema (the reject policy's rule for event names).
pub(crate) fn classify(vendor: Vendor, event: &str, value: &Value) -> Class {
    if let Some(Value::String(name)) = value.pointer(event_name_pointer(vendor).as_str())
        && name != event
        && Catalog::builtin().get(vendor, name).is_ok()
    {
        return classify(vendor, name, value);
    }
    let entry = Catalog::builtin()
        .get(vendor, event)
        .expect("catalog entry");
    let violations = entry
        .validator()
        .expect("schema compiles")
        .violations(value);
    if violations.is_empty() {
        return Class::Valid;
    }
    let must = violations.iter().any(|v| {
        Defect::from_violation(vendor, &v.keyword, &v.instance_path, &v.schema_path).obligation()
            == Obligation::MustReject
    });
    if must {
        Class::MustReject
    } else {
        Class::MayAccept
    }
}

fn walk(value: &Value, pointer: String, out: &mut Vec<(String, Value)>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let child = format!("{pointer}/{}", k.replace('~', "~0").replace('/', "~1"));
                out.push((child.clone(), v.clone()));
                walk(v, child, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                let child = format!("{pointer}/{i}");
                out.push((child.clone(), v.clone()));
                walk(v, child, out);
            }
        }
        _ => {}
    }
}

/// Every pointer below the root with its value, parents before children.
pub(crate) fn leaves_and_nodes(value: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    walk(value, String::new(), &mut out);
    out
}

fn parent_and_key(pointer: &str) -> (&str, String) {
    let cut = pointer.rfind('/').expect("non-root pointer");
    (
        &pointer[..cut],
        pointer[cut + 1..].replace("~1", "/").replace("~0", "~"),
    )
}

fn remove(value: &Value, pointer: &str) -> Value {
    let mut out = value.clone();
    let (parent, key) = parent_and_key(pointer);
    match out.pointer_mut(parent) {
        Some(Value::Object(map)) => {
            map.remove(&key);
        }
        Some(Value::Array(items)) => {
            items.remove(key.parse::<usize>().expect("index"));
        }
        _ => panic!("no parent at {parent}"),
    }
    out
}

fn replace(value: &Value, pointer: &str, with: Value) -> Value {
    let mut out = value.clone();
    *out.pointer_mut(pointer).expect("existing pointer") = with;
    out
}

/// Values of a different JSON type than `v` (that no documented field could accept instead).
fn wrong_types(v: &Value) -> Vec<Value> {
    match v {
        Value::String(_) => vec![json!(12345), json!(null), json!(["x"])],
        Value::Number(n) if n.is_u64() || n.is_i64() => vec![json!("1"), json!(0.5), json!(null)],
        Value::Number(_) => vec![json!("1.5"), json!(true), json!(null)],
        Value::Bool(_) => vec![json!("true"), json!(1), json!(null)],
        Value::Null => vec![json!([]), json!({})],
        // An array of the object's values: a parser that reads structs positionally accepts it.
        Value::Object(map) => vec![Value::Array(map.values().cloned().collect()), json!("{}")],
        Value::Array(_) => vec![json!({}), json!("[]")],
    }
}

/// Every systematic mutation of a fixture (removals, type changes, event names, envelopes), as
/// JSON values, with labels.
fn mutations(fixture: &Fixture) -> Vec<(String, Value)> {
    let value = fixture.value();
    let mut out = Vec::new();
    for (label, v) in [
        ("array", json!([])),
        ("string", json!("x")),
        ("null", json!(null)),
        ("number", json!(1)),
    ] {
        out.push((format!("envelope replaced by {label}"), v));
    }
    match fixture.vendor {
        Vendor::POSTAL => out.push(("bare payload".into(), value["payload"].clone())),
        Vendor::GETMAILER => out.push(("bare data".into(), value["data"].clone())),
        Vendor::MSNDR => out.push(("bare event".into(), value["event"].clone())),
        other => panic!("no fixtures for vendor {other}"),
    }
    let name_at = event_name_pointer(fixture.vendor);
    for bogus in [
        "NoSuchEvent",
        "",
        "messagesent",
        "email.unsubscribed",
        "complined",
    ] {
        out.push((
            format!("event name {bogus:?}"),
            replace(&value, name_at.as_str(), json!(bogus)),
        ));
    }
    for (pointer, v) in leaves_and_nodes(&value) {
        let parent_is_array = matches!(
            value.pointer(parent_and_key(&pointer).0),
            Some(Value::Array(_))
        );
        if !parent_is_array {
            out.push((format!("missing {pointer}"), remove(&value, &pointer)));
        }
        for wrong in wrong_types(&v) {
            out.push((
                format!("{pointer} replaced by {wrong}"),
                replace(&value, &pointer, wrong),
            ));
        }
    }
    out
}

/// The must-reject defects of one fixture: bodies that are not JSON, and mutations the schema
/// and reject policy classify as [`Class::MustReject`].
pub(crate) fn must_reject(fixture: &Fixture) -> Vec<Case> {
    let body = &fixture.body;
    let mut out = vec![
        Case {
            label: "not JSON: truncated".into(),
            body: body[..body.len() / 2].to_vec(),
        },
        Case {
            label: "not JSON: trailing garbage".into(),
            body: [body.as_slice(), b" }"].concat(),
        },
        Case {
            label: "not JSON: empty".into(),
            body: Vec::new(),
        },
    ];
    let mut bad_utf8 = serde_json::to_vec(&fixture.value()).unwrap();
    let quote = bad_utf8.iter().rposition(|b| *b == b'"').unwrap();
    bad_utf8.insert(quote, 0xff);
    out.push(Case {
        label: "not JSON: invalid UTF-8 in a string".into(),
        body: bad_utf8,
    });
    for (label, value) in mutations(fixture) {
        if classify(fixture.vendor, &fixture.event, &value) == Class::MustReject {
            out.push(case(label, &value));
        }
    }
    out
}

/// Variations of one fixture that stay valid: a correct parser accepts them and reports the same
/// key fields as for the fixture itself.
pub(crate) fn must_accept(fixture: &Fixture) -> Vec<Case> {
    let value = fixture.value();
    let mut out = vec![case("re-serialized with sorted keys", &value)];
    let pretty = serde_json::to_vec_pretty(&value).unwrap();
    out.push(Case {
        label: "pretty-printed".into(),
        body: pretty,
    });

    // An unknown key in every object: at worst a may-accept defect, and the reference parsers
    // (like the Python example) tolerate unknown keys.
    let mut extra = value.clone();
    add_unknown_keys(&mut extra, "");
    assert_ne!(
        classify(fixture.vendor, &fixture.event, &extra),
        Class::MustReject
    );
    out.push(case("unknown keys everywhere", &extra));

    // Integral floats where integers are expected, as JSON Schema allows.
    let mut floats = value.clone();
    let mut changed = false;
    for (pointer, v) in leaves_and_nodes(&value) {
        if let Some(n) = v.as_u64() {
            *floats.pointer_mut(&pointer).unwrap() = json!(n as f64);
            changed = true;
        }
    }
    if changed {
        assert_eq!(
            classify(fixture.vendor, &fixture.event, &floats),
            Class::Valid
        );
        out.push(case("integers written as integral floats", &floats));
    }

    // Mutations that stay valid (optional fields removed, free-form values changed).
    for (label, value) in mutations(fixture) {
        if classify(fixture.vendor, &fixture.event, &value) == Class::Valid {
            out.push(case(label, &value));
        }
    }
    out
}

/// Adds a key to every object except the entries map of GetMailer `changes`, whose every key
/// is a change record.
fn add_unknown_keys(v: &mut Value, pointer: &str) {
    match v {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                add_unknown_keys(child, &format!("{pointer}/{key}"));
            }
            if pointer != "/data/changes" {
                map.insert(
                    "x_hookcheck_extra".into(),
                    json!({"nested": [1, "two", null]}),
                );
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                add_unknown_keys(item, &format!("{pointer}/{i}"));
            }
        }
        _ => {}
    }
}

/// The key fields of a body as read directly from its JSON, independently of any parser.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct JsonFields {
    pub(crate) event: String,
    pub(crate) event_id: Option<String>,
    pub(crate) message_id: Option<String>,
    pub(crate) unix: Option<f64>,
    pub(crate) recipient: Option<String>,
}

pub(crate) fn fields_from_json(vendor: Vendor, v: &Value) -> JsonFields {
    let text = |p: &str| v.pointer(p).and_then(Value::as_str).map(str::to_owned);
    let int = |p: &str| {
        let n = v.pointer(p)?;
        n.as_u64()
            .or_else(|| {
                n.as_f64()
                    .filter(|f| f.fract() == 0.0 && *f >= 0.0)
                    .map(|f| f as u64)
            })
            .map(|n| n.to_string())
    };
    match vendor {
        Vendor::POSTAL => {
            let message = if v.pointer("/payload/original_message").is_some() {
                "original_message"
            } else {
                "message"
            };
            JsonFields {
                event: text("/event").unwrap_or_default(),
                event_id: text("/uuid"),
                message_id: int(&format!("/payload/{message}/id")),
                unix: v["timestamp"].as_f64(),
                recipient: text(&format!("/payload/{message}/to")),
            }
        }
        Vendor::MSNDR => JsonFields {
            event: text("/event/name").unwrap_or_default(),
            event_id: None,
            message_id: int("/message/id"),
            unix: v["event"]["timestamp"].as_f64(),
            recipient: None,
        },
        Vendor::GETMAILER => {
            let event = text("/type").unwrap_or_default();
            let email = event.starts_with("email.");
            JsonFields {
                event_id: text("/id"),
                message_id: text("/data/emailId").filter(|_| email),
                unix: hookcheck::parser::Timestamp::from_rfc3339(
                    text("/timestamp").unwrap_or_default(),
                )
                .unix_seconds(),
                recipient: text("/data/to").filter(|_| email),
                event,
            }
        }
        other => panic!("no key fields known for vendor {other}"),
    }
}

/// Asserts that a parsed event reports the fields read from the JSON (times to the microsecond).
pub(crate) fn assert_fields(
    ctx: &str,
    got: &hookcheck::parser::ParsedEvent<'_>,
    want: &JsonFields,
) {
    assert_eq!(got.event.as_deref(), Some(want.event.as_str()), "{ctx}");
    assert_eq!(got.event_id.as_deref(), want.event_id.as_deref(), "{ctx}");
    assert_eq!(
        got.message_id.as_deref(),
        want.message_id.as_deref(),
        "{ctx}"
    );
    assert_eq!(got.recipient.as_deref(), want.recipient.as_deref(), "{ctx}");
    let unix = got
        .timestamp
        .as_ref()
        .and_then(hookcheck::parser::Timestamp::unix_seconds);
    match (unix, want.unix) {
        (Some(a), Some(b)) => assert!((a - b).abs() <= 1e-6, "{ctx}: {a} vs {b}"),
        (a, b) => assert_eq!(a, b, "{ctx}"),
    }
}
