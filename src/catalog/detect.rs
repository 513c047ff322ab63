//! Telling vendor and event from a payload's shape.
//!
//! Each vendor wraps its events in an envelope of its own, and each envelope names the event in
//! one place. Detection looks only at those: it never guesses an event from the fields of the
//! payload, so a payload that lacks its envelope is reported as such rather than matched to the
//! nearest event. Both come from the vendor's profile (`envelope` and `event_name` in
//! `schemas/<vendor>/vendor.json`):
//!
//! | vendor | envelope | event name at |
//! | --- | --- | --- |
//! | postal | `{event, timestamp, payload, uuid}` | `/event` |
//! | msndr | `{message: {id}, event: {name, timestamp, data}}` | `/event/name` |
//! | getmailer | `{id, type, timestamp, data}` | `/type` |
//! | resend | `{type, created_at, data}` | `/type` |
//!
//! A body has a vendor's envelope *shape* when it has the keys that tell that envelope apart
//! (the profile's `present`, `objects` and `absent` pointers): `event` and `payload` (postal),
//! an object at `event` (msndr), `type` and `data` but no `created_at` (getmailer), `type`,
//! `created_at` and `data` but no `id` or `timestamp` (resend). A body with the shape of more than one vendor is **ambiguous** and is rejected
//! as such ([`DetectError::Ambiguous`]), whatever vendor detection is restricted to: the
//! outcome, and which signature a receiver demands, never depends on the order in which
//! envelopes are tried. [`shapes`] lists every vendor whose shape a body has, for callers that
//! must treat a body as each of them (a receiver requires the signature of every such vendor
//! it has a key for).

use std::fmt;

use serde_json::Value;

use super::Vendor;
use crate::JsonPointer;

/// Why a payload could not be matched to a catalog event.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DetectError {
    /// The payload is JSON but not an object.
    NotAnObject {
        /// The JSON type found (`array`, `string`, ...).
        found: &'static str,
    },
    /// The object has the envelope shape of more than one vendor, so it cannot be told which
    /// vendor sent it (nor which signature it must carry).
    Ambiguous {
        /// Every vendor whose envelope shape the object has, in catalog order.
        vendors: Vec<Vendor>,
    },
    /// The object has none of the known envelopes.
    UnknownEnvelope {
        /// A hint when the object looks like a known payload shown without its envelope, or
        /// like the body of a vendor detection was not restricted to.
        hint: Option<String>,
    },
    /// The body is a batch of the vendor's events (its profile's `batch`), not one event: each
    /// item is detected on its own ([`batch`]).
    Batch {
        /// The vendor whose batch shape the body has.
        vendor: Vendor,
    },
    /// The envelope names its event at `pointer`, but the value there is not a string.
    EventNameNotString {
        /// The vendor whose envelope was recognised.
        vendor: Vendor,
        /// Where the event name should be.
        pointer: JsonPointer,
    },
    /// The envelope names an event the catalog does not have for that vendor.
    UnknownEvent {
        /// The vendor whose envelope was recognised.
        vendor: Vendor,
        /// The event name found.
        event: String,
        /// Where the event name is.
        pointer: JsonPointer,
    },
}

impl DetectError {
    /// The instance location the error is about (the root for shape errors).
    #[must_use]
    pub fn pointer(&self) -> JsonPointer {
        match self {
            DetectError::EventNameNotString { pointer, .. }
            | DetectError::UnknownEvent { pointer, .. } => pointer.clone(),
            _ => JsonPointer::root(),
        }
    }
}

impl fmt::Display for DetectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DetectError::NotAnObject { found } => {
                write!(f, "payload is a JSON {found}, not an object")
            }
            DetectError::Ambiguous { vendors } => {
                let names: Vec<&str> = vendors.iter().map(|v| v.as_str()).collect();
                write!(
                    f,
                    "ambiguous envelope: the body has the shape of {} envelopes at once, so its vendor cannot be told",
                    names.join(" and ")
                )
            }
            DetectError::UnknownEnvelope { hint } => {
                let known: Vec<String> = Vendor::all()
                    .into_iter()
                    .map(|v| format!("{v} {}", v.profile().envelope.summary))
                    .collect();
                write!(f, "no known webhook envelope ({})", known.join("; "))?;
                if let Some(hint) = hint {
                    write!(f, "; {hint}")?;
                }
                Ok(())
            }
            DetectError::Batch { vendor } => {
                write!(f, "a batch of {vendor} events, not one event")
            }
            DetectError::EventNameNotString { vendor, pointer } => {
                write!(
                    f,
                    "{vendor} envelope: event name at {pointer:?} is not a string"
                )
            }
            DetectError::UnknownEvent { vendor, event, .. } => {
                write!(f, "{vendor} has no documented event {event:?}")
            }
        }
    }
}

impl std::error::Error for DetectError {}

/// Every vendor whose envelope shape `payload` has, in catalog order (see the module docs).
///
/// Empty for non-objects and for objects without a known envelope; more than one vendor means
/// the payload is ambiguous.
#[must_use]
pub fn shapes(payload: &Value) -> Vec<Vendor> {
    if !payload.is_object() && !payload.is_array() {
        return Vec::new();
    }
    Vendor::all()
        .into_iter()
        .filter(|v| {
            let profile = v.profile();
            profile.envelope.matches(payload) || is_batch_of(*v, payload)
        })
        .collect()
}

/// Whether `payload` has `vendor`'s batch shape and not its envelope.
fn is_batch_of(vendor: Vendor, payload: &Value) -> bool {
    let profile = vendor.profile();
    !profile.envelope.matches(payload)
        && profile
            .batch
            .as_ref()
            .is_some_and(|b| matches!(b.items.resolve(payload), Some(Value::Array(_))))
}

/// The events of a batch body (a vendor profile's `batch`), each with its pointer, when the
/// body has exactly one vendor's shape and that is its batch shape (restricted to `only` if
/// given). `None` for a body that is not a batch.
#[must_use]
pub fn batch(
    payload: &Value,
    only: Option<Vendor>,
) -> Option<(Vendor, Vec<(JsonPointer, &Value)>)> {
    let found = shapes(payload);
    let [vendor] = found.as_slice() else {
        return None;
    };
    if only.is_some_and(|o| o != *vendor) || !is_batch_of(*vendor, payload) {
        return None;
    }
    let items = vendor.profile().batch.as_ref()?.split(payload)?;
    Some((*vendor, items))
}

/// Where a vendor's envelope names its event.
fn name_pointer(vendor: Vendor) -> JsonPointer {
    vendor.profile().event_name.clone()
}

/// Finds the vendor envelope of `payload` and the event name it carries.
///
/// `only` restricts detection to one vendor (the CLI's `--vendor`): a payload with another
/// vendor's envelope is then an unknown envelope (with a hint naming the vendor it looks
/// like). A payload with the shape of several vendors' envelopes is ambiguous, with or
/// without `only`.
///
/// # Errors
///
/// [`DetectError`] when the payload is not an object, has no known envelope or more than one,
/// is a batch of events ([`DetectError::Batch`]), or its event name is not a string. Whether the name is a known event is checked by the
/// catalog.
pub fn envelope(
    payload: &Value,
    only: Option<Vendor>,
) -> Result<(Vendor, &str, JsonPointer), DetectError> {
    let found = shapes(payload);
    if let [vendor] = found.as_slice()
        && only.is_none_or(|o| o == *vendor)
        && is_batch_of(*vendor, payload)
    {
        return Err(DetectError::Batch { vendor: *vendor });
    }
    let Value::Object(map) = payload else {
        return Err(DetectError::NotAnObject {
            found: type_name(payload),
        });
    };
    match found.as_slice() {
        [] => Err(DetectError::UnknownEnvelope {
            hint: bare_payload_hint(map),
        }),
        [vendor] if only.is_none_or(|o| o == *vendor) => {
            let pointer = name_pointer(*vendor);
            match pointer.resolve(payload) {
                Some(Value::String(s)) => Ok((*vendor, s.as_str(), pointer)),
                _ => Err(DetectError::EventNameNotString {
                    vendor: *vendor,
                    pointer,
                }),
            }
        }
        [vendor] => Err(DetectError::UnknownEnvelope {
            hint: Some(format!("this looks like a {vendor} body")),
        }),
        _ => Err(DetectError::Ambiguous { vendors: found }),
    }
}

/// Recognises the payload-only shapes that the Postal docs show without their envelope.
fn bare_payload_hint(map: &serde_json::Map<String, Value>) -> Option<String> {
    let has = |k: &str| map.contains_key(k);
    let postal_payload = has("status") && has("message")
        || has("original_message") && has("bounce")
        || has("url") && has("message")
        || has("dns_checked_at")
        || has("server") && has("volume");
    let active = Vendor::all();
    if postal_payload && active.contains(&Vendor::POSTAL) {
        Some(
            "looks like a Postal payload without its {event, timestamp, payload, uuid} envelope"
                .into(),
        )
    } else if has("url") && map.len() == 1 && active.contains(&Vendor::MSNDR) {
        Some("looks like a msndr webhook configuration API body: name it with --event".into())
    } else {
        None
    }
}

/// The JSON type name of a value, as JSON Schema spells it.
#[must_use]
pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_each_envelope() {
        let postal = json!({"event": "MessageSent", "timestamp": 1.5, "payload": {}, "uuid": "x"});
        assert_eq!(envelope(&postal, None).unwrap().0, Vendor::POSTAL);
        assert_eq!(envelope(&postal, None).unwrap().1, "MessageSent");
        let msndr = json!({"message": {"id": 1}, "event": {"name": "clicked", "timestamp": 1}});
        let (v, name, ptr) = envelope(&msndr, None).unwrap();
        assert_eq!(
            (v, name, ptr.as_str()),
            (Vendor::MSNDR, "clicked", "/event/name")
        );
        let gm = json!({"id": "evt_1", "type": "email.sent", "timestamp": "t", "data": {}});
        assert_eq!(envelope(&gm, None).unwrap().1, "email.sent");
    }

    #[test]
    fn vendor_restriction_is_honoured() {
        let gm = json!({"id": "evt_1", "type": "email.sent", "data": {}});
        assert!(matches!(
            envelope(&gm, Some(Vendor::POSTAL)),
            Err(DetectError::UnknownEnvelope { .. })
        ));
    }

    #[test]
    fn a_body_with_two_envelopes_is_ambiguous_whatever_the_restriction() {
        // A GetMailer body with msndr's `message` and `event` keys added.
        let hybrid = json!({"id": "evt_1", "type": "email.sent", "timestamp": "t", "data": {},
            "message": {"id": 1}, "event": {"name": "clicked", "timestamp": 1}});
        assert_eq!(shapes(&hybrid), vec![Vendor::MSNDR, Vendor::GETMAILER]);
        for only in [
            None,
            Some(Vendor::MSNDR),
            Some(Vendor::GETMAILER),
            Some(Vendor::POSTAL),
        ] {
            assert_eq!(
                envelope(&hybrid, only),
                Err(DetectError::Ambiguous {
                    vendors: vec![Vendor::MSNDR, Vendor::GETMAILER]
                }),
                "{only:?}"
            );
        }
        let postal_msndr = json!({"event": {"name": "clicked"}, "payload": {}});
        assert!(matches!(
            envelope(&postal_msndr, None),
            Err(DetectError::Ambiguous { .. })
        ));
        let msg = envelope(&hybrid, None).unwrap_err().to_string();
        assert!(msg.contains("msndr and getmailer"), "{msg}");
    }

    #[test]
    fn restricted_to_another_vendor_names_the_one_it_looks_like() {
        let gm = json!({"id": "evt_1", "type": "email.sent", "data": {}});
        let err = envelope(&gm, Some(Vendor::POSTAL)).unwrap_err();
        assert!(
            err.to_string().contains("looks like a getmailer body"),
            "{err}"
        );
    }

    #[test]
    fn shape_errors_are_specific() {
        assert_eq!(
            envelope(&json!([1]), None),
            Err(DetectError::NotAnObject { found: "array" })
        );
        let bare = json!({"status": "Sent", "message": {}});
        let err = envelope(&bare, None).unwrap_err();
        assert!(err.to_string().contains("without its"), "{err}");
        let bad_name = json!({"event": 5, "payload": {}});
        assert_eq!(
            envelope(&bad_name, None).unwrap_err().pointer().as_str(),
            "/event"
        );
    }
}
