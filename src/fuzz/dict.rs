//! libFuzzer dictionaries built from the catalog's schemas.
//!
//! A dictionary lists byte strings that libFuzzer splices into inputs, so that mutations speak
//! the payload's vocabulary rather than flipping bits until a key appears. The dictionary of a
//! vendor holds, from every schema document of that vendor (event schemas and `_defs.json`):
//!
//! - every property name (`properties` keys and `required` entries) as a JSON string, quotes
//!   included: `"message"`;
//! - every `enum` and `const` value and every scalar `examples` value, as JSON: `"Sent"`, `1`;
//! - a sample value for every `format` used (`"2024-01-15T12:00:00Z"` for `date-time`);
//! - the vendor's envelope fragments (`{"event":"`, `"payload":{`), and a few JSON tokens every
//!   dictionary shares (`null`, `-0`, `1e400`, `"\u0000"`).
//!
//! Entries are sorted and de-duplicated, so the file is the same on every run; entries longer
//! than libFuzzer's limit of [`MAX_ENTRY_BYTES`] are left out.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use serde_json::Value;

use crate::catalog::{Catalog, ID_BASE, Vendor};

/// libFuzzer's limit on one dictionary entry (`Word::kMaxSize`).
pub const MAX_ENTRY_BYTES: usize = 64;

/// The stem of the dictionary that merges every vendor's (`fuzz/dict/all.dict`).
pub const ALL_VENDORS: &str = "all";

/// JSON tokens worth splicing into any payload: edge numbers, escapes, empty containers.
const JSON_TOKENS: &[&str] = &[
    "null",
    "true",
    "false",
    "{}",
    "[]",
    "\"\"",
    "0",
    "-0",
    "-1",
    "1.0",
    "1e400",
    "2147483648",
    "9007199254740993",
    "18446744073709551616",
    "\"\\u0000\"",
    "\"\\ud800\"",
    "\\\"",
    ":",
    ",",
];

/// The sorted, de-duplicated entries of one dictionary, grouped by where they came from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dictionary {
    /// `vendor` stem of the file (`postal`), or [`ALL_VENDORS`].
    pub name: String,
    /// Property names as JSON strings.
    pub keys: BTreeSet<String>,
    /// `enum`, `const` and `examples` values as JSON.
    pub values: BTreeSet<String>,
    /// Sample values of the `format`s in use, envelope fragments and shared JSON tokens.
    pub tokens: BTreeSet<String>,
}

impl Dictionary {
    /// Every entry, in file order (keys, values, tokens), without duplicates.
    pub fn entries(&self) -> impl Iterator<Item = &str> {
        let mut seen = BTreeSet::new();
        self.keys
            .iter()
            .chain(&self.values)
            .chain(&self.tokens)
            .map(String::as_str)
            .filter(move |e| seen.insert(*e))
    }

    /// The dictionary in libFuzzer's format: one `"..."` entry per line, `\\`, `\"` and
    /// `\xNN` escapes, `#` comments naming each section.
    #[must_use]
    pub fn render(&self) -> String {
        let mut out = format!(
            "# libFuzzer dictionary for {}: generated from schemas/ by `cargo run --example fuzz_corpus`; do not edit.\n",
            self.name
        );
        let mut seen = BTreeSet::new();
        for (title, set) in [
            ("property names", &self.keys),
            ("enum, const and example values", &self.values),
            ("formats, envelope and JSON tokens", &self.tokens),
        ] {
            let _ = writeln!(out, "\n# {title}");
            for entry in set.iter().filter(|e| seen.insert(e.as_str())) {
                let _ = writeln!(out, "\"{}\"", escape(entry.as_bytes()));
            }
        }
        out
    }

    fn insert(set: &mut BTreeSet<String>, entry: String) {
        if !entry.is_empty() && entry.len() <= MAX_ENTRY_BYTES {
            set.insert(entry);
        }
    }

    fn merge(&mut self, other: &Dictionary) {
        self.keys.extend(other.keys.iter().cloned());
        self.values.extend(other.values.iter().cloned());
        self.tokens.extend(other.tokens.iter().cloned());
    }
}

/// The dictionary of `vendor`, from every schema document of the vendor in `catalog`.
///
/// # Example
///
/// ```
/// use hookcheck::catalog::{Catalog, Vendor};
/// use hookcheck::fuzz::dict::dictionary;
///
/// let dict = dictionary(Catalog::builtin(), Vendor::MSNDR);
/// assert!(dict.keys.contains("\"message\""));
/// assert!(dict.values.contains("\"hard_bounced\""));
/// assert!(dict.render().lines().any(|l| l == r#""\"hard_bounced\"""#));
/// ```
#[must_use]
pub fn dictionary(catalog: &Catalog, vendor: Vendor) -> Dictionary {
    let mut dict = Dictionary {
        name: vendor.as_str().to_owned(),
        ..Dictionary::default()
    };
    let prefix = format!("{ID_BASE}{vendor}/");
    if let Some(first) = catalog.entries().first() {
        for (uri, doc) in first.resources().iter() {
            if uri.starts_with(&prefix) {
                walk(doc, &mut dict);
            }
        }
    }
    for entry in catalog.vendor_entries(vendor) {
        walk(entry.schema(), &mut dict);
        Dictionary::insert(&mut dict.values, json(&Value::from(entry.event())));
    }
    for token in envelope_tokens(vendor) {
        Dictionary::insert(&mut dict.tokens, token);
    }
    for token in JSON_TOKENS {
        Dictionary::insert(&mut dict.tokens, (*token).to_owned());
    }
    dict
}

/// The union of every vendor's dictionary, for targets that take any vendor's payloads.
#[must_use]
pub fn all_vendors(catalog: &Catalog) -> Dictionary {
    let mut all = Dictionary {
        name: ALL_VENDORS.to_owned(),
        ..Dictionary::default()
    };
    for vendor in Vendor::all() {
        all.merge(&dictionary(catalog, vendor));
    }
    all
}

/// Collects the vocabulary of one schema node and everything below it.
fn walk(schema: &Value, dict: &mut Dictionary) {
    let Value::Object(map) = schema else {
        return;
    };
    for (keyword, value) in map {
        match (keyword.as_str(), value) {
            ("properties", Value::Object(props)) => {
                for (name, sub) in props {
                    Dictionary::insert(&mut dict.keys, json(&Value::from(name.as_str())));
                    walk(sub, dict);
                }
            }
            ("required", Value::Array(names)) => {
                for name in names.iter().filter(|n| n.is_string()) {
                    Dictionary::insert(&mut dict.keys, json(name));
                }
            }
            ("enum" | "examples", Value::Array(values)) => {
                for v in values.iter().filter(|v| !v.is_object() && !v.is_array()) {
                    Dictionary::insert(&mut dict.values, json(v));
                }
            }
            ("const", v) if !v.is_object() && !v.is_array() => {
                Dictionary::insert(&mut dict.values, json(v));
            }
            ("format", Value::String(format)) => {
                for sample in format_samples(format) {
                    Dictionary::insert(&mut dict.tokens, (*sample).to_owned());
                }
            }
            (
                "patternProperties" | "$defs" | "definitions" | "dependentSchemas",
                Value::Object(m),
            ) => {
                m.values().for_each(|sub| walk(sub, dict));
            }
            ("allOf" | "anyOf" | "oneOf" | "prefixItems", Value::Array(subs)) => {
                subs.iter().for_each(|sub| walk(sub, dict));
            }
            (
                "items"
                | "not"
                | "if"
                | "then"
                | "else"
                | "additionalProperties"
                | "unevaluatedProperties"
                | "unevaluatedItems"
                | "propertyNames"
                | "contains",
                sub,
            ) => walk(sub, dict),
            _ => {}
        }
    }
}

/// Values that satisfy (or nearly satisfy) a `format`, as JSON.
fn format_samples(format: &str) -> &'static [&'static str] {
    match format {
        "date-time" => &[
            "\"2024-01-15T12:00:00Z\"",
            "\"2024-01-15T12:00:00.123+01:00\"",
            "\"2016-12-31T23:59:60Z\"",
        ],
        "date" => &["\"2024-01-15\""],
        "email" | "idn-email" => &["\"user@example.com\"", "@"],
        "uri" | "iri" | "uri-reference" | "iri-reference" => &["\"https://example.com/\"", "://"],
        "uuid" => &["\"6a54cd11-d6b2-4a2f-9a0f-8e1c5b7d3e2f\""],
        "ipv4" => &["\"203.0.113.1\""],
        "ipv6" => &["\"2001:db8::1\"", "::"],
        "hostname" | "idn-hostname" => &["\"mx.example.com\""],
        _ => &[],
    }
}

/// Fragments of each vendor's envelope, as they appear in compact JSON: the profile's
/// `envelope.tokens` when it lists them, else every member name of its envelope and
/// event-name pointers, as `{"name":` and `,"name":`.
fn envelope_tokens(vendor: Vendor) -> Vec<String> {
    let profile = vendor.profile();
    let envelope = &profile.envelope;
    if !envelope.tokens.is_empty() {
        return envelope.tokens.clone();
    }
    let mut names: Vec<String> = Vec::new();
    for pointer in envelope
        .present
        .iter()
        .chain(&envelope.objects)
        .chain(std::iter::once(&profile.event_name))
    {
        for token in pointer.tokens() {
            if !names.contains(&token) {
                names.push(token);
            }
        }
    }
    let mut out = Vec::new();
    for name in names {
        let key = json(&Value::from(name));
        out.push(format!("{{{key}:"));
        out.push(format!(",{key}:"));
    }
    out
}

fn json(v: &Value) -> String {
    v.to_string()
}

/// Escapes bytes for a libFuzzer dictionary line.
fn escape(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'"' => out.push_str("\\\""),
            0x20..=0x7e => out.push(char::from(b)),
            _ => {
                let _ = write!(out, "\\x{b:02X}");
            }
        }
    }
    out
}

/// Reads one line of a libFuzzer dictionary back into bytes (the inverse of `escape`), for
/// checking rendered files.
#[cfg(test)]
fn unescape(line: &str) -> Option<Vec<u8>> {
    let body = line.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = Vec::new();
    let mut bytes = body.bytes();
    while let Some(b) = bytes.next() {
        if b != b'\\' {
            out.push(b);
            continue;
        }
        match bytes.next()? {
            b'x' => {
                let hex = [bytes.next()?, bytes.next()?];
                out.push(u8::from_str_radix(std::str::from_utf8(&hex).ok()?, 16).ok()?);
            }
            other => out.push(other),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn every_vendor_dictionary_has_its_envelope_keys_and_event_names() {
        let catalog = Catalog::builtin();
        for vendor in Vendor::all() {
            let dict = dictionary(catalog, vendor);
            for entry in catalog.vendor_entries(vendor) {
                let name = json(&Value::from(entry.event()));
                assert!(dict.values.contains(&name), "{vendor}: {name} missing");
            }
            let envelope = match vendor {
                Vendor::POSTAL => ["event", "payload", "uuid"],
                Vendor::MSNDR => ["message", "event", "name"],
                Vendor::GETMAILER => ["id", "type", "data"],
                Vendor::RESEND => ["type", "created_at", "data"],
                other => panic!("no expected envelope keys for {other}"),
            };
            for key in envelope {
                assert!(dict.keys.contains(&format!("\"{key}\"")), "{vendor}: {key}");
            }
            assert!(
                dict.entries()
                    .all(|e| !e.is_empty() && e.len() <= MAX_ENTRY_BYTES)
            );
        }
    }

    #[test]
    fn keys_come_from_properties_not_from_example_data() {
        let schema = serde_json::json!({
            "properties": {"a": {"enum": ["x", {"nested": 1}]}, "b": {"const": 2}},
            "required": ["c"],
            "examples": [{"not_a_key": 1}, "sample"],
            "format": "ipv4"
        });
        let mut dict = Dictionary::default();
        walk(&schema, &mut dict);
        let keys: Vec<_> = dict.keys.iter().map(String::as_str).collect();
        assert_eq!(keys, ["\"a\"", "\"b\"", "\"c\""]);
        let values: Vec<_> = dict.values.iter().map(String::as_str).collect();
        assert_eq!(values, ["\"sample\"", "\"x\"", "2"]);
        assert!(dict.tokens.contains("\"203.0.113.1\""));
    }

    #[test]
    fn rendering_escapes_and_round_trips() {
        let mut dict = Dictionary {
            name: "t".into(),
            ..Dictionary::default()
        };
        for e in ["\"quote\"", "back\\slash", "пример", "tab\there"] {
            Dictionary::insert(&mut dict.values, e.to_owned());
        }
        let text = dict.render();
        let lines: Vec<_> = text
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect();
        assert!(lines.iter().all(|l| l.is_ascii()), "{text}");
        let back: BTreeSet<String> = lines
            .iter()
            .map(|l| String::from_utf8(unescape(l).unwrap()).unwrap())
            .collect();
        assert_eq!(back, dict.values);
    }

    /// The committed dictionaries are what the catalog generates now.
    #[test]
    fn committed_dictionaries_are_current() {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz/dict");
        let catalog = Catalog::builtin();
        let dicts = Vendor::builtin()
            .into_iter()
            .map(|v| dictionary(catalog, v))
            .chain([all_vendors(catalog)]);
        for dict in dicts {
            let path = dir.join(format!("{}.dict", dict.name));
            let committed = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert!(
                committed == dict.render(),
                "{} is stale: run `cargo run --example fuzz_corpus`",
                path.display()
            );
        }
    }
}
