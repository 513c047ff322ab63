//! What a payload carries in each key field, read from the JSON by vendor-specific pointers, so
//! that `reports-fields` can compare it with what the parser reported. The pointers and their
//! normalisation (`text`, `time`, `address`) are the vendor profile's `fields`; for the
//! built-in vendors:
//!
//! | field | Postal | msndr.net | GetMailer |
//! | --- | --- | --- | --- |
//! | event id | `/uuid` | none | `/id` |
//! | message id | `/payload/message/id` (`/payload/original_message/id` for `MessageBounced`) | `/message/id` | `/data/emailId` |
//! | timestamp | `/timestamp` | `/event/timestamp` | `/timestamp` |
//! | recipient | `/payload/message/to` (`/payload/original_message/to` for `MessageBounced`) | none | `/data/to` |
//!
//! Integer ids compare in decimal; a `null` at the pointer means the parser must report
//! nothing; a pointer that resolves to nothing means the field does not apply to this payload.

use std::fmt;

use serde_json::Value;

use crate::catalog::Vendor;
use crate::catalog::profile::{FieldSpec, Normalise};
use crate::certify::Mismatch;
use crate::parser::{ParsedEvent, Timestamp};

/// One of the key fields compared by `reports-fields`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Field {
    /// The vendor's event id.
    EventId,
    /// The message id.
    MessageId,
    /// The event time.
    Timestamp,
    /// The recipient address.
    Recipient,
}

impl Field {
    /// Every key field, in report order.
    pub(crate) const ALL: [Field; 4] = [
        Field::EventId,
        Field::MessageId,
        Field::Timestamp,
        Field::Recipient,
    ];

    /// The field's name in reports: `event_id`, `message_id`, `timestamp`, `recipient`.
    #[must_use]
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Field::EventId => "event_id",
            Field::MessageId => "message_id",
            Field::Timestamp => "timestamp",
            Field::Recipient => "recipient",
        }
    }

    /// Where the field lives in a payload of `vendor`'s `event`, and how it is normalised
    /// (the vendor profile's `fields`); `None` if the vendor never sends it.
    #[must_use]
    pub(crate) fn spec(self, vendor: Vendor) -> Option<&'static FieldSpec> {
        let fields = &vendor.profile().fields;
        match self {
            Field::EventId => fields.event_id.as_ref(),
            Field::MessageId => fields.message_id.as_ref(),
            Field::Timestamp => fields.timestamp.as_ref(),
            Field::Recipient => fields.recipient.as_ref(),
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What one field of one payload should be reported as.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Expected {
    /// The payload does not carry the field: nothing to compare.
    NotApplicable,
    /// The payload carries `null` (or the vendor's "none"): the parser must report nothing.
    Nothing,
    /// The parser must report this text.
    Text(String),
    /// The parser must report this instant (compared to the microsecond).
    Time(Timestamp<'static>),
}

/// The expected value of `field` in `payload`, a payload of `vendor`'s `event`.
#[must_use]
pub(crate) fn expected(field: Field, vendor: Vendor, event: &str, payload: &Value) -> Expected {
    let Some(spec) = field.spec(vendor) else {
        return Expected::NotApplicable;
    };
    match (spec.normalise, spec.pointer_for(event).resolve(payload)) {
        (_, None) => Expected::NotApplicable,
        (_, Some(Value::Null)) => Expected::Nothing,
        (Normalise::Time, Some(Value::Number(n))) => match Timestamp::from_number(n.to_string()) {
            Some(t) => Expected::Time(t),
            None => Expected::NotApplicable,
        },
        (Normalise::Time, Some(Value::String(s))) => {
            Expected::Time(Timestamp::from_rfc3339(s.clone()))
        }
        (_, Some(Value::String(s))) => Expected::Text(s.clone()),
        (_, Some(Value::Number(n))) => Expected::Text(n.to_string()),
        // A recipient list: the parser reports the first address.
        (Normalise::Address, Some(Value::Array(items))) => match items.first() {
            Some(Value::String(s)) => Expected::Text(s.clone()),
            _ => Expected::NotApplicable,
        },
        _ => Expected::NotApplicable,
    }
}

/// Compares one field; `Err` says what was expected and what the parser reported (the caller
/// adds the field's pointer).
///
/// # Errors
///
/// The mismatch when the reported value differs from the expected one.
pub(crate) fn compare(
    field: Field,
    expected: &Expected,
    reported: &ParsedEvent<'_>,
) -> Result<(), Mismatch> {
    let got_text = match field {
        Field::EventId => reported.event_id.as_deref(),
        Field::MessageId => reported.message_id.as_deref(),
        Field::Recipient => reported.recipient.as_deref(),
        Field::Timestamp => reported.timestamp.as_ref().map(Timestamp::raw),
    };
    let nothing = || "nothing".to_owned();
    match expected {
        Expected::NotApplicable => Ok(()),
        Expected::Nothing => match got_text {
            None => Ok(()),
            Some(got) => Err(Mismatch::new(
                "nothing (the payload has null)",
                format!("{got:?}"),
            )),
        },
        Expected::Text(want) => match got_text {
            Some(got) if got == want => Ok(()),
            got => Err(Mismatch::new(
                format!("{want:?}"),
                got.map_or_else(nothing, |g| format!("{g:?}")),
            )),
        },
        Expected::Time(want) => match &reported.timestamp {
            Some(got) if want.matches(got) => Ok(()),
            Some(got) => Err(Mismatch::new(
                format!("{:?} ({})", want.raw(), seconds(want)),
                format!("{:?} ({})", got.raw(), seconds(got)),
            )),
            None => Err(Mismatch::new(format!("{:?}", want.raw()), nothing())),
        },
    }
}

fn seconds(t: &Timestamp<'_>) -> String {
    t.unix_seconds()
        .map_or_else(|| "not a time".to_owned(), |s| format!("{s} s"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn postal_bounces_read_the_original_message() {
        let body = json!({"event": "MessageBounced", "timestamp": 1745838120.5, "uuid": "u-1",
            "payload": {"original_message": {"id": 12, "to": "a@example.com"},
                        "bounce": {"id": 13, "to": "b@example.com"}}});
        let e = |f| expected(f, Vendor::POSTAL, "MessageBounced", &body);
        assert_eq!(e(Field::MessageId), Expected::Text("12".into()));
        assert_eq!(e(Field::Recipient), Expected::Text("a@example.com".into()));
        assert_eq!(e(Field::EventId), Expected::Text("u-1".into()));
        match e(Field::Timestamp) {
            Expected::Time(t) => assert_eq!(t.unix_seconds(), Some(1_745_838_120.5)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn null_means_nothing_and_absent_means_not_applicable() {
        let body = json!({"payload": {"message": {"id": 1, "to": null}}});
        assert_eq!(
            expected(Field::Recipient, Vendor::POSTAL, "MessageSent", &body),
            Expected::Nothing
        );
        assert_eq!(
            expected(Field::EventId, Vendor::POSTAL, "MessageSent", &body),
            Expected::NotApplicable
        );
        assert_eq!(
            expected(Field::EventId, Vendor::MSNDR, "clicked", &body),
            Expected::NotApplicable
        );
    }

    #[test]
    fn comparison_names_the_field_and_both_values() {
        let reported = ParsedEvent::new("email.sent")
            .with_message_id("7")
            .with_timestamp(Timestamp::from_rfc3339("2024-01-15T12:00:00Z"));
        assert!(compare(Field::MessageId, &Expected::Text("7".into()), &reported).is_ok());
        let err = compare(Field::MessageId, &Expected::Text("8".into()), &reported).unwrap_err();
        assert_eq!(err, Mismatch::new("\"8\"", "\"7\""));
        let same = Expected::Time(Timestamp::from_rfc3339("2024-01-15T13:00:00+01:00"));
        assert!(compare(Field::Timestamp, &same, &reported).is_ok());
        assert!(compare(Field::Recipient, &Expected::Nothing, &reported).is_ok());
    }
}
