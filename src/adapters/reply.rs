//! Decoding the key fields an adapter reports (shared by the exec and HTTP adapters).

use std::borrow::Cow;

use serde_json::{Map, Value};

use crate::parser::{Fault, ParseError, ParsedEvent, Timestamp};

/// Builds the event an adapter reported: its `event` name (`None`: accepted, event not
/// identified) and `fields` object (`event_id`, `message_id`, `recipient`: strings, integers
/// taken in decimal; `timestamp`: a number of Unix seconds or RFC 3339 text). Absent and `null`
/// fields are not reported.
pub(crate) fn reported_event(
    event: Option<String>,
    fields: &Map<String, Value>,
) -> Result<ParsedEvent<'static>, ParseError> {
    let mut parsed = ParsedEvent::verdict_only();
    parsed.event = event.map(Cow::Owned);
    parsed.event_id = text_field(fields, "event_id")?;
    parsed.message_id = text_field(fields, "message_id")?;
    parsed.recipient = text_field(fields, "recipient")?;
    parsed.timestamp = match fields.get("timestamp") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => Timestamp::from_number(n.to_string()),
        Some(Value::String(s)) => Some(Timestamp::from_rfc3339(s.clone())),
        Some(other) => return Err(protocol(format!("`timestamp` is {other}"))),
    };
    Ok(parsed)
}

/// A [`Fault::Protocol`] rejection-free error.
pub(crate) fn protocol(detail: String) -> ParseError {
    ParseError::Fault(Fault::Protocol { detail })
}

fn text_field(
    fields: &Map<String, Value>,
    key: &str,
) -> Result<Option<Cow<'static, str>>, ParseError> {
    match fields.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(Cow::Owned(s.clone()))),
        Some(Value::Number(n)) if n.is_u64() || n.is_i64() => Ok(Some(Cow::Owned(n.to_string()))),
        Some(other) => Err(protocol(format!("`{key}` is {other}, not a string"))),
    }
}

/// At most 200 characters of `text`, lossily decoded, for error messages.
pub(crate) fn snippet(text: &[u8]) -> String {
    let text = String::from_utf8_lossy(text);
    let text = text.trim_end();
    match text.char_indices().nth(200) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}
