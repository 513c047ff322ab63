//! Vendor profiles: what the harness knows about a vendor, as data.
//!
//! Each vendor directory holds a `vendor.json` next to its event schemas, described by
//! `schemas/vendor.schema.json` and checked against it when loaded. The profile says how to
//! recognise the vendor's envelope and where it names its event, where the key fields live and
//! how each is normalised, the content type and user agent it sends with, the signature schemes
//! it signs with (by name) and their headers, whether it batches events, and its exceptions to
//! the reject policy. The reference parsers stay typed Rust (`src/parsers/`); the profile is what
//! the rest of the harness reads. `docs/custom-vendors.md` describes the format.

use std::{collections::BTreeMap, fmt, sync::OnceLock};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::embedded;
use crate::JsonPointer;
use crate::validate::{Resources, Validator};

/// One vendor's profile (`schemas/<vendor>/vendor.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    /// The lower-case name: the directory, the prefix of catalog keys, what `--vendor` takes.
    pub name: String,
    /// The name as the vendor writes it (`GetMailer`, `msndr.net`).
    pub display_name: String,
    /// A sentence about the vendor.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Other names `--vendor` accepts (case ignored), e.g. `msndr.net`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// How a body is recognised as this vendor's.
    pub envelope: Envelope,
    /// Where the envelope names its event.
    pub event_name: JsonPointer,
    /// Where the key fields live.
    #[serde(default)]
    pub fields: Fields,
    /// The `Content-Type` the vendor sends with.
    #[serde(default = "default_content_type")]
    pub content_type: String,
    /// The `User-Agent` the vendor sends; `None` when it documents none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// The signature schemes the vendor signs with.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signatures: Vec<SignatureSpec>,
    /// Present when the vendor sends several events in one body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch: Option<Batch>,
    /// The vendor's exceptions to the reject policy.
    #[serde(default)]
    pub policy: PolicyExceptions,
}

fn default_content_type() -> String {
    "application/json".to_owned()
}

/// How an envelope is recognised: every `present` pointer resolves, every `objects` pointer
/// resolves to an object, and no `absent` pointer resolves.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Envelope {
    /// The envelope as messages show it, e.g. `{event, timestamp, payload, uuid}`.
    pub summary: String,
    /// Pointers that must resolve.
    pub present: Vec<JsonPointer>,
    /// Pointers that must resolve to objects.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub objects: Vec<JsonPointer>,
    /// Pointers that must not resolve.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub absent: Vec<JsonPointer>,
    /// Fragments of the envelope as they appear in compact JSON, for fuzz dictionaries; when
    /// empty, they are made from the member names of the pointers above.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tokens: Vec<String>,
}

impl Envelope {
    /// Whether `body` has this envelope's shape.
    #[must_use]
    pub fn matches(&self, body: &Value) -> bool {
        body.is_object()
            && self.present.iter().all(|p| p.resolve(body).is_some())
            && self
                .objects
                .iter()
                .all(|p| p.resolve(body).is_some_and(Value::is_object))
            && self.absent.iter().all(|p| p.resolve(body).is_none())
    }
}

/// Where each key field lives; a field left out is one the vendor never sends.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Fields {
    /// The vendor's event id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_id: Option<FieldSpec>,
    /// The message id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<FieldSpec>,
    /// The event time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<FieldSpec>,
    /// The recipient address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient: Option<FieldSpec>,
}

/// Where one key field lives and how its value compares with a parser's report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldSpec {
    /// Where it lives.
    pub pointer: JsonPointer,
    /// Another place for some events, by event name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub by_event: BTreeMap<String, JsonPointer>,
    /// How the value is normalised.
    pub normalise: Normalise,
}

impl FieldSpec {
    /// The pointer for `event`.
    #[must_use]
    pub fn pointer_for(&self, event: &str) -> &JsonPointer {
        self.by_event.get(event).unwrap_or(&self.pointer)
    }
}

/// How a key field's value compares with what a parser reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Normalise {
    /// A string as is, an integer in decimal.
    Text,
    /// Unix seconds as a number, or RFC 3339 text; compared to the microsecond.
    Time,
    /// A string, or the first string of a list.
    Address,
}

/// One signature scheme a vendor signs with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureSpec {
    /// The scheme's name in the signature registry (`postal`, `getmailer`,
    /// `standard_webhooks`).
    pub scheme: String,
    /// The headers it sends (replaced when a recorded request is re-signed).
    pub headers: Vec<String>,
}

/// How a vendor batches events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Batch {
    /// The array that holds the events (the root for a body that is an array).
    pub items: JsonPointer,
}

impl Batch {
    /// The events of `body` when it is a batch of this shape: each item with its pointer.
    /// `None` when the body is not a batch.
    #[must_use]
    pub fn split<'v>(&self, body: &'v Value) -> Option<Vec<(JsonPointer, &'v Value)>> {
        let Value::Array(items) = self.items.resolve(body)? else {
            return None;
        };
        Some(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| (self.items.clone().push(i), v))
                .collect(),
        )
    }
}

/// A vendor's exceptions to the reject policy.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PolicyExceptions {
    /// Violations at or under these pointers may be accepted, whatever their keyword.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub may_accept: Vec<MayAccept>,
}

/// One reject-policy exception.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MayAccept {
    /// The instance location it covers (and everything under it).
    pub pointer: JsonPointer,
    /// Why a parser may ignore it.
    pub reason: String,
}

impl PolicyExceptions {
    /// Whether a violation at `instance` is covered by an exception.
    #[must_use]
    pub fn covers(&self, instance: &JsonPointer) -> bool {
        self.may_accept.iter().any(|e| {
            let at = e.pointer.as_str();
            let i = instance.as_str();
            i == at || i.strip_prefix(at).is_some_and(|rest| rest.starts_with('/'))
        })
    }
}

/// A profile that cannot be used: the file, the pointer into it, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileError {
    /// The file (a path, or `vendor/vendor.json` for a built-in one).
    pub file: String,
    /// Where in the file.
    pub pointer: JsonPointer,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ProfileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.pointer, self.message)
    }
}

impl std::error::Error for ProfileError {}

fn profile_validator() -> Result<&'static Validator, ProfileError> {
    static VALIDATOR: OnceLock<Result<Validator, ProfileError>> = OnceLock::new();
    VALIDATOR
        .get_or_init(|| {
            let bad = |message: String| ProfileError {
                file: "vendor.schema.json".into(),
                pointer: JsonPointer::root(),
                message,
            };
            let schema: Value =
                serde_json::from_str(embedded::PROFILE_SCHEMA).map_err(|e| bad(e.to_string()))?;
            Validator::compile(&schema, Resources::new([])).map_err(|e| bad(e.to_string()))
        })
        .as_ref()
        .map_err(Clone::clone)
}

impl Profile {
    /// Reads a profile from its text, checked against `schemas/vendor.schema.json`. `file`
    /// names it in errors; `dir_name`, when given, is the directory it was found in, which must
    /// be its `name`.
    ///
    /// # Errors
    ///
    /// [`ProfileError`] for text that is not JSON, breaks the profile schema, or names another
    /// directory.
    pub fn parse(file: &str, text: &str, dir_name: Option<&str>) -> Result<Profile, ProfileError> {
        let err = |pointer: JsonPointer, message: String| ProfileError {
            file: file.to_owned(),
            pointer,
            message,
        };
        let doc: Value = serde_json::from_str(text)
            .map_err(|e| err(JsonPointer::root(), format!("not JSON: {e}")))?;
        let validator = profile_validator()?;
        if let Some(v) = validator.violations(&doc).into_iter().next() {
            return Err(err(v.instance_path, v.message));
        }
        let profile: Profile =
            serde_json::from_value(doc).map_err(|e| err(JsonPointer::root(), e.to_string()))?;
        if let Some(dir) = dir_name
            && dir != profile.name
        {
            return Err(err(
                JsonPointer::root().push("name"),
                format!(
                    "the profile is named {:?} but sits in directory {dir:?}",
                    profile.name
                ),
            ));
        }
        Ok(profile)
    }

    /// A profile with only a name, standing in for a built-in one that failed to load (the
    /// failure is reported by [`super::Catalog::builtin_problems`]).
    pub(crate) fn placeholder(name: &str) -> Profile {
        Profile {
            name: name.to_owned(),
            display_name: name.to_owned(),
            description: String::new(),
            aliases: Vec::new(),
            envelope: Envelope::default(),
            event_name: JsonPointer::root(),
            fields: Fields::default(),
            content_type: default_content_type(),
            user_agent: None,
            signatures: Vec::new(),
            batch: None,
            policy: PolicyExceptions::default(),
        }
    }

    /// The names of the signature schemes the vendor signs with.
    pub fn schemes(&self) -> impl Iterator<Item = &str> {
        self.signatures.iter().map(|s| s.scheme.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn built_in_profiles_load() {
        for f in embedded::PROFILES {
            let p = Profile::parse(f.vendor, f.source, Some(f.vendor)).unwrap();
            assert_eq!(p.name, f.vendor);
        }
    }

    #[test]
    fn bad_profiles_name_the_pointer() {
        let good = json!({"name": "acme", "display_name": "Acme",
            "envelope": {"summary": "{kind, body}", "present": ["/kind"]}, "event_name": "/kind"});
        assert!(Profile::parse("acme/vendor.json", &good.to_string(), Some("acme")).is_ok());
        let mut bad = good.clone();
        bad["event_name"] = json!("kind");
        let e = Profile::parse("acme/vendor.json", &bad.to_string(), None).unwrap_err();
        assert_eq!(e.pointer.as_str(), "/event_name");
        assert!(
            e.to_string().starts_with("acme/vendor.json:/event_name: "),
            "{e}"
        );
        let mut bad = good.clone();
        bad["fields"] = json!({"recipient": {"pointer": "/to", "normalise": "lowercase"}});
        let e = Profile::parse("f", &bad.to_string(), None).unwrap_err();
        assert_eq!(e.pointer.as_str(), "/fields/recipient/normalise");
        let e = Profile::parse("f", &good.to_string(), Some("other")).unwrap_err();
        assert_eq!(e.pointer.as_str(), "/name");
        let e = Profile::parse("f", "{", None).unwrap_err();
        assert!(e.message.starts_with("not JSON"), "{e}");
    }

    #[test]
    fn envelopes_batches_and_exceptions() {
        let env = Envelope {
            summary: String::new(),
            present: vec![JsonPointer::root().push("kind")],
            objects: vec![JsonPointer::root().push("body")],
            absent: vec![JsonPointer::root().push("type")],
            tokens: Vec::new(),
        };
        assert!(env.matches(&json!({"kind": "a", "body": {}})));
        assert!(!env.matches(&json!({"kind": "a", "body": 1})));
        assert!(!env.matches(&json!({"kind": "a", "body": {}, "type": "x"})));
        assert!(!env.matches(&json!([{"kind": "a"}])));
        let batch = Batch {
            items: JsonPointer::root().push("events"),
        };
        let body = json!({"events": [{"kind": "a"}, {"kind": "b"}]});
        let items = batch.split(&body).unwrap();
        assert_eq!(items[1].0.as_str(), "/events/1");
        assert!(batch.split(&json!({"kind": "a"})).is_none());
        let policy = PolicyExceptions {
            may_accept: vec![MayAccept {
                pointer: JsonPointer::root().push("meta"),
                reason: "r".into(),
            }],
        };
        assert!(policy.covers(&JsonPointer::root().push("meta").push("x")));
        assert!(policy.covers(&JsonPointer::root().push("meta")));
        assert!(!policy.covers(&JsonPointer::root().push("metadata")));
    }
}
