//! Realistic webhook bodies (`tests/fixtures/payloads/<vendor>/<event>.json`) and systematic
//! mutations of them: defects a correct parser must reject, and variations it must accept.

#![allow(dead_code, reason = "each test binary uses part of the support module")]

use std::path::{Path, PathBuf};

use hookcheck::catalog::Vendor;
use serde_json::{Map, Value, json};

/// The three vendors, in a fixed order.
pub(crate) const VENDORS: [Vendor; 3] = [Vendor::Postal, Vendor::Msndr, Vendor::GetMailer];

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

/// Whether `pointer` lies in free-form data whose values the vendor does not document.
fn opaque(vendor: Vendor, event: &str, pointer: &str) -> bool {
    match vendor {
        Vendor::Postal => false,
        Vendor::Msndr => {
            pointer.starts_with("/event/data/")
                && !(event == "clicked" && pointer == "/event/data/url")
        }
        Vendor::GetMailer => {
            pointer.starts_with("/data/customFields/")
                || (pointer.starts_with("/data/changes/")
                    && (pointer.ends_with("/old") || pointer.ends_with("/new")))
        }
    }
}

/// Whether the key at `pointer` may be absent.
fn optional(vendor: Vendor, event: &str, pointer: &str) -> bool {
    match vendor {
        Vendor::Postal => false,
        Vendor::Msndr => {
            (pointer == "/event/data" && event != "clicked") || opaque(vendor, event, pointer)
        }
        Vendor::GetMailer => {
            opaque(vendor, event, pointer)
                || pointer.starts_with("/data/customFields/")
                || pointer.matches('/').count() == 3 && pointer.starts_with("/data/changes/")
        }
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

/// Pointers whose value may be `null` in a valid payload.
fn nullable(vendor: Vendor, pointer: &str) -> bool {
    const POSTAL: &[&str] = &[
        "message_id",
        "to",
        "from",
        "subject",
        "tag",
        "sent_with_ssl",
        "time",
        "user_agent",
        "organization",
        "spf_error",
        "dkim_error",
        "mx_error",
        "return_path_error",
    ];
    let last = pointer.rsplit('/').next().unwrap_or("");
    vendor == Vendor::Postal && POSTAL.contains(&last)
}

/// The must-reject defects of one fixture, by class.
pub(crate) fn must_reject(fixture: &Fixture) -> Vec<Case> {
    let value = fixture.value();
    let (vendor, event) = (fixture.vendor, fixture.event.as_str());
    let mut out = Vec::new();

    // Not JSON.
    let body = &fixture.body;
    out.push(Case {
        label: "not JSON: truncated".into(),
        body: body[..body.len() / 2].to_vec(),
    });
    out.push(Case {
        label: "not JSON: trailing garbage".into(),
        body: [body.as_slice(), b" }"].concat(),
    });
    out.push(Case {
        label: "not JSON: empty".into(),
        body: Vec::new(),
    });
    let mut bad_utf8 = serde_json::to_vec(&value).unwrap();
    let quote = bad_utf8.iter().rposition(|b| *b == b'"').unwrap();
    bad_utf8.insert(quote, 0xff);
    out.push(Case {
        label: "not JSON: invalid UTF-8 in a string".into(),
        body: bad_utf8,
    });

    // Wrong envelope.
    for (label, v) in [
        ("array", json!([])),
        ("string", json!("x")),
        ("null", json!(null)),
        ("number", json!(1)),
    ] {
        out.push(case(format!("wrong envelope: {label}"), &v));
    }
    if vendor == Vendor::Postal {
        out.push(case("wrong envelope: bare payload", &value["payload"]));
    }
    if vendor == Vendor::GetMailer {
        out.push(case("wrong envelope: bare data", &value["data"]));
    }

    // Unknown event name.
    let name_at = match vendor {
        Vendor::Postal => "/event",
        Vendor::Msndr => "/event/name",
        Vendor::GetMailer => "/type",
    };
    for bogus in [
        "NoSuchEvent",
        "",
        "messagesent",
        "email.unsubscribed",
        "complined",
    ] {
        out.push(case(
            format!("unknown event {bogus:?}"),
            &replace(&value, name_at, json!(bogus)),
        ));
    }

    for (pointer, v) in leaves_and_nodes(&value) {
        if opaque(vendor, event, &pointer) {
            continue;
        }
        // Missing required field (array elements are not fields).
        let parent_is_array = matches!(
            value.pointer(parent_and_key(&pointer).0),
            Some(Value::Array(_))
        );
        if !parent_is_array && !optional(vendor, event, &pointer) {
            out.push(case(
                format!("missing {pointer}"),
                &remove(&value, &pointer),
            ));
        }
        // Wrong type of a documented field.
        for wrong in wrong_types(&v) {
            if wrong.is_null() && nullable(vendor, &pointer) {
                continue;
            }
            if pointer == name_at && wrong.is_string() {
                continue;
            }
            out.push(case(
                format!("wrong type at {pointer}: {wrong}"),
                &replace(&value, &pointer, wrong),
            ));
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

    // An unknown key in every object.
    let mut extra = value.clone();
    add_unknown_keys(&mut extra, "");
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
        out.push(case("integers written as integral floats", &floats));
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

/// Builds an object value from pairs (test convenience).
pub(crate) fn object(pairs: &[(&str, Value)]) -> Value {
    Value::Object(
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect::<Map<_, _>>(),
    )
}
