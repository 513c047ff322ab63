//! Telling vendor and event from a payload's shape.
//!
//! Each vendor wraps its events in an envelope of its own, and each envelope names the event in
//! one place. Detection looks only at those: it never guesses an event from the fields of the
//! payload, so a payload that lacks its envelope is reported as such rather than matched to the
//! nearest event.
//!
//! | vendor | envelope | event name at |
//! | --- | --- | --- |
//! | postal | `{event, timestamp, payload, uuid}` | `/event` |
//! | msndr | `{message: {id}, event: {name, timestamp, data}}` | `/event/name` |
//! | getmailer | `{id, type, timestamp, data}` | `/type` |

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
    /// The object has none of the known envelopes.
    UnknownEnvelope {
        /// A hint when the object looks like a known payload shown without its envelope.
        hint: Option<&'static str>,
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
            DetectError::UnknownEnvelope { hint } => {
                f.write_str("no known webhook envelope (postal {event, timestamp, payload, uuid}; msndr {message, event}; getmailer {id, type, timestamp, data})")?;
                if let Some(hint) = hint {
                    write!(f, "; {hint}")?;
                }
                Ok(())
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

/// Finds the vendor envelope of `payload` and the event name it carries.
///
/// `only` restricts detection to one vendor (the CLI's `--vendor`).
///
/// # Errors
///
/// [`DetectError`] when the payload is not an object, has no known envelope, or its event name
/// is not a string. Whether the name is a known event is checked by the catalog.
pub fn envelope(
    payload: &Value,
    only: Option<Vendor>,
) -> Result<(Vendor, &str, JsonPointer), DetectError> {
    let Value::Object(map) = payload else {
        return Err(DetectError::NotAnObject {
            found: type_name(payload),
        });
    };
    let wants = |v: Vendor| only.is_none_or(|o| o == v);
    let name_at = |vendor: Vendor, pointer: JsonPointer| match pointer.resolve(payload) {
        Some(Value::String(s)) => Ok((vendor, s.as_str(), pointer)),
        _ => Err(DetectError::EventNameNotString { vendor, pointer }),
    };
    if wants(Vendor::Postal) && map.contains_key("event") && map.contains_key("payload") {
        return name_at(Vendor::Postal, JsonPointer::root().push("event"));
    }
    if wants(Vendor::Msndr) && map.get("event").is_some_and(Value::is_object) {
        return name_at(
            Vendor::Msndr,
            JsonPointer::root().push("event").push("name"),
        );
    }
    if wants(Vendor::GetMailer) && map.contains_key("type") && map.contains_key("data") {
        return name_at(Vendor::GetMailer, JsonPointer::root().push("type"));
    }
    Err(DetectError::UnknownEnvelope {
        hint: bare_payload_hint(map),
    })
}

/// Recognises the payload-only shapes that the Postal docs show without their envelope.
fn bare_payload_hint(map: &serde_json::Map<String, Value>) -> Option<&'static str> {
    let has = |k: &str| map.contains_key(k);
    let postal_payload = has("status") && has("message")
        || has("original_message") && has("bounce")
        || has("url") && has("message")
        || has("dns_checked_at")
        || has("server") && has("volume");
    if postal_payload {
        Some("looks like a Postal payload without its {event, timestamp, payload, uuid} envelope")
    } else if has("url") && map.len() == 1 {
        Some("looks like a msndr webhook configuration API body: name it with --event")
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
        assert_eq!(envelope(&postal, None).unwrap().0, Vendor::Postal);
        assert_eq!(envelope(&postal, None).unwrap().1, "MessageSent");
        let msndr = json!({"message": {"id": 1}, "event": {"name": "clicked", "timestamp": 1}});
        let (v, name, ptr) = envelope(&msndr, None).unwrap();
        assert_eq!(
            (v, name, ptr.as_str()),
            (Vendor::Msndr, "clicked", "/event/name")
        );
        let gm = json!({"id": "evt_1", "type": "email.sent", "timestamp": "t", "data": {}});
        assert_eq!(envelope(&gm, None).unwrap().1, "email.sent");
    }

    #[test]
    fn vendor_restriction_is_honoured() {
        let gm = json!({"id": "evt_1", "type": "email.sent", "data": {}});
        assert!(matches!(
            envelope(&gm, Some(Vendor::Postal)),
            Err(DetectError::UnknownEnvelope { .. })
        ));
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
