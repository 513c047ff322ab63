//! What a payload carries in each key field, read from the JSON by vendor-specific pointers, so
//! that `reports-fields` can compare it with what the parser reported.
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

use super::call::{Reported, ReportedTime};
use crate::JsonPointer;
use crate::catalog::Vendor;

/// One of the key fields compared by `reports-fields`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
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
    pub const ALL: [Field; 4] = [
        Field::EventId,
        Field::MessageId,
        Field::Timestamp,
        Field::Recipient,
    ];

    /// The field's name in reports: `event_id`, `message_id`, `timestamp`, `recipient`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Field::EventId => "event_id",
            Field::MessageId => "message_id",
            Field::Timestamp => "timestamp",
            Field::Recipient => "recipient",
        }
    }

    /// Where the field lives in a payload of `vendor`'s `event`; `None` if the vendor never
    /// sends it.
    #[must_use]
    pub fn pointer(self, vendor: Vendor, event: &str) -> Option<JsonPointer> {
        let p = |tokens: &[&str]| {
            Some(
                tokens
                    .iter()
                    .fold(JsonPointer::root(), |p, t| p.push(t)),
            )
        };
        let postal_message = if event == "MessageBounced" {
            "original_message"
        } else {
            "message"
        };
        match (vendor, self) {
            (Vendor::Postal, Field::EventId) => p(&["uuid"]),
            (Vendor::Postal, Field::MessageId) => p(&["payload", postal_message, "id"]),
            (Vendor::Postal, Field::Timestamp) | (Vendor::GetMailer, Field::Timestamp) => {
                p(&["timestamp"])
            }
            (Vendor::Postal, Field::Recipient) => p(&["payload", postal_message, "to"]),
            (Vendor::Msndr, Field::MessageId) => p(&["message", "id"]),
            (Vendor::Msndr, Field::Timestamp) => p(&["event", "timestamp"]),
            (Vendor::Msndr, Field::EventId | Field::Recipient) => None,
            (Vendor::GetMailer, Field::EventId) => p(&["id"]),
            (Vendor::GetMailer, Field::MessageId) => p(&["data", "emailId"]),
            (Vendor::GetMailer, Field::Recipient) => p(&["data", "to"]),
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
pub enum Expected {
    /// The payload does not carry the field: nothing to compare.
    NotApplicable,
    /// The payload carries `null` (or the vendor's "none"): the parser must report nothing.
    Nothing,
    /// The parser must report this text.
    Text(String),
    /// The parser must report this instant (compared to the microsecond).
    Time(ReportedTime),
}

/// The expected value of `field` in `payload`, a payload of `vendor`'s `event`.
#[must_use]
pub fn expected(field: Field, vendor: Vendor, event: &str, payload: &Value) -> Expected {
    let Some(pointer) = field.pointer(vendor, event) else {
        return Expected::NotApplicable;
    };
    match (field, pointer.resolve(payload)) {
        (_, None) => Expected::NotApplicable,
        (_, Some(Value::Null)) => Expected::Nothing,
        (Field::Timestamp, Some(Value::Number(n))) => Expected::Time(ReportedTime {
            raw: n.to_string(),
            unix_seconds: n.as_f64(),
        }),
        (Field::Timestamp, Some(Value::String(s))) => Expected::Time(ReportedTime {
            raw: s.clone(),
            unix_seconds: rfc3339_seconds(s),
        }),
        (_, Some(Value::String(s))) => Expected::Text(s.clone()),
        (_, Some(Value::Number(n))) => Expected::Text(n.to_string()),
        // A recipient list: the parser reports the first address.
        (Field::Recipient, Some(Value::Array(items))) => match items.first() {
            Some(Value::String(s)) => Expected::Text(s.clone()),
            _ => Expected::NotApplicable,
        },
        _ => Expected::NotApplicable,
    }
}

/// Compares one field; `Err` describes the mismatch.
///
/// # Errors
///
/// A readable description when the reported value differs from the expected one.
pub fn compare(field: Field, expected: &Expected, reported: &Reported) -> Result<(), String> {
    let got_text = match field {
        Field::EventId => reported.event_id.as_deref(),
        Field::MessageId => reported.message_id.as_deref(),
        Field::Recipient => reported.recipient.as_deref(),
        Field::Timestamp => reported.timestamp.as_ref().map(|t| t.raw.as_str()),
    };
    match expected {
        Expected::NotApplicable => Ok(()),
        Expected::Nothing => match got_text {
            None => Ok(()),
            Some(got) => Err(format!(
                "{field}: the payload has null, the parser reported {got:?}"
            )),
        },
        Expected::Text(want) => match got_text {
            Some(got) if got == want => Ok(()),
            Some(got) => Err(format!("{field}: expected {want:?}, the parser reported {got:?}")),
            None => Err(format!("{field}: expected {want:?}, the parser reported nothing")),
        },
        Expected::Time(want) => match &reported.timestamp {
            Some(got) if same_instant(want, got) => Ok(()),
            Some(got) => Err(format!(
                "{field}: expected {:?} ({}), the parser reported {:?} ({})",
                want.raw,
                seconds(want.unix_seconds),
                got.raw,
                seconds(got.unix_seconds)
            )),
            None => Err(format!(
                "{field}: expected {:?}, the parser reported nothing",
                want.raw
            )),
        },
    }
}

fn seconds(s: Option<f64>) -> String {
    s.map_or_else(|| "not a time".to_owned(), |s| format!("{s} s"))
}

/// Same instant to the microsecond, or (when neither is a recognised time) the same text.
fn same_instant(a: &ReportedTime, b: &ReportedTime) -> bool {
    match (a.unix_seconds, b.unix_seconds) {
        (Some(x), Some(y)) => (x - y).abs() <= 1e-6,
        (None, None) => a.raw == b.raw,
        _ => false,
    }
}

/// Unix seconds of an RFC 3339 `date-time` (`2024-01-15T12:00:00.5+01:00`), if it is one.
///
/// Whole seconds (offset applied; a leap second counts as the next second) plus the fraction
/// digits read as `0.<digits>`.
#[must_use]
pub fn rfc3339_seconds(text: &str) -> Option<f64> {
    let b = text.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let s = text.get(r)?;
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())
            .flatten()
    };
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut i = 19;
    let mut fraction = 0.0;
    if b.get(i) == Some(&b'.') {
        let start = i + 1;
        i = start;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return None;
        }
        fraction = format!("0.{}", &text[start..i]).parse().ok()?;
    }
    let offset = match b.get(i)? {
        b'Z' | b'z' if i + 1 == b.len() => 0,
        sign @ (b'+' | b'-') if i + 6 == b.len() && b[i + 3] == b':' => {
            let (oh, om) = (num(i + 1..i + 3)?, num(i + 4..i + 6)?);
            if oh > 23 || om > 59 {
                return None;
            }
            let o = oh * 3600 + om * 60;
            if *sign == b'+' { o } else { -o }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let whole = days * 86_400 + hour * 3600 + minute * 60 + second - offset;
    // Precision loss is accepted: Unix seconds of real dates fit an f64's 53 bits exactly.
    #[allow(clippy::cast_precision_loss)]
    Some(whole as f64 + fraction)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
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
        let e = |f| expected(f, Vendor::Postal, "MessageBounced", &body);
        assert_eq!(e(Field::MessageId), Expected::Text("12".into()));
        assert_eq!(e(Field::Recipient), Expected::Text("a@example.com".into()));
        assert_eq!(e(Field::EventId), Expected::Text("u-1".into()));
        match e(Field::Timestamp) {
            Expected::Time(t) => assert_eq!(t.unix_seconds, Some(1_745_838_120.5)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn null_means_nothing_and_absent_means_not_applicable() {
        let body = json!({"payload": {"message": {"id": 1, "to": null}}});
        assert_eq!(
            expected(Field::Recipient, Vendor::Postal, "MessageSent", &body),
            Expected::Nothing
        );
        assert_eq!(
            expected(Field::EventId, Vendor::Postal, "MessageSent", &body),
            Expected::NotApplicable
        );
        assert_eq!(
            expected(Field::EventId, Vendor::Msndr, "clicked", &body),
            Expected::NotApplicable
        );
    }

    #[test]
    fn comparison_names_the_field_and_both_values() {
        let reported = Reported {
            message_id: Some("7".into()),
            timestamp: Some(ReportedTime {
                raw: "2024-01-15T12:00:00Z".into(),
                unix_seconds: Some(1_705_320_000.0),
            }),
            ..Reported::default()
        };
        assert!(compare(Field::MessageId, &Expected::Text("7".into()), &reported).is_ok());
        let err = compare(Field::MessageId, &Expected::Text("8".into()), &reported).unwrap_err();
        assert_eq!(err, "message_id: expected \"8\", the parser reported \"7\"");
        let same = Expected::Time(ReportedTime {
            raw: "2024-01-15T13:00:00+01:00".into(),
            unix_seconds: rfc3339_seconds("2024-01-15T13:00:00+01:00"),
        });
        assert!(compare(Field::Timestamp, &same, &reported).is_ok());
        assert!(compare(Field::Recipient, &Expected::Nothing, &reported).is_ok());
    }

    #[test]
    fn rfc3339_parsing() {
        assert_eq!(rfc3339_seconds("1970-01-01T00:00:00Z"), Some(0.0));
        assert_eq!(
            rfc3339_seconds("2024-01-15T12:00:00Z"),
            Some(1_705_320_000.0)
        );
        assert_eq!(
            rfc3339_seconds("2025-04-28T12:02:00.5+01:00"),
            Some(1_745_838_120.5)
        );
        assert_eq!(rfc3339_seconds("2024-02-30T00:00:00Z"), None);
        assert_eq!(rfc3339_seconds("2024-01-15 12:00"), None);
        assert_eq!(rfc3339_seconds("yesterday"), None);
        assert_eq!(rfc3339_seconds("2024-01-15T12:00:00."), None);
    }
}
