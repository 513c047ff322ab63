//! The oracle of the parser targets: what a correct parser must do with a body, judged by the
//! catalog's validator and the [reject policy](crate::parser::policy), and the assertion that
//! a parser did it.
//!
//! | the body | expectation |
//! | --- | --- |
//! | not JSON text (syntax error, truncated, not UTF-8, UTF-16, empty) | [`Expectation::Reject`] |
//! | JSON, but not the vendor's envelope, or an event the vendor does not send | [`Expectation::Reject`] |
//! | valid against the event's schema | [`Expectation::Accept`], reported as that event |
//! | invalid, with at least one must-reject violation | [`Expectation::Reject`] |
//! | invalid, with may-accept violations only | [`Expectation::Either`] |
//! | JSON whose meaning RFC 8259 leaves to the implementation: duplicate keys, a byte order mark, numbers out of `f64` range, unpaired surrogate escapes, nesting past 128 levels | [`Expectation::Either`] |
//! | valid, but with an integer no 64-bit integer type holds where the schema asks for an `integer` (below −2^63 or from 2^64 on, as `1e30` or thirty digits) | [`Expectation::Either`] |
//!
//! An accepted body that names a catalog event must be reported under that name (unless the
//! parser reports verdicts only, [`Fidelity::Verdict`](crate::parser::Fidelity::Verdict)); a [`ParseError::Fault`] is never
//! acceptable, since it means the parser gave no verdict.

use std::{collections::HashSet, fmt};

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use serde_json::Value;

use crate::catalog::{Catalog, Vendor};
use crate::parser::{JsonPointer, ParseError, WebhookParser, policy};
use crate::pointer::pointers_where;
use crate::validate::{Validator, input};

/// What a correct parser must do with one body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expectation {
    /// Valid against the schema of `event`: must be accepted and reported as `event`.
    Accept {
        /// The catalog event (wire name).
        event: String,
    },
    /// Must be rejected.
    Reject {
        /// The defect, in words (the first must-reject violation, or why it is not JSON).
        reason: String,
    },
    /// May be accepted or rejected.
    Either {
        /// Why the policy leaves it open.
        reason: String,
        /// The event an acceptance must be reported as, when the body names one unambiguously.
        event: Option<String>,
    },
}

impl fmt::Display for Expectation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expectation::Accept { event } => write!(f, "must accept as {event}"),
            Expectation::Reject { reason } => write!(f, "must reject: {reason}"),
            Expectation::Either { reason, .. } => write!(f, "may accept or reject: {reason}"),
        }
    }
}

/// What the oracle expected of one body, and what the parser did (when they agreed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agreement {
    /// The expectation.
    pub expected: Expectation,
    /// Whether the parser accepted the body.
    pub accepted: bool,
}

/// The expectation for `body` sent as a `vendor` webhook.
///
/// # Example
///
/// ```
/// use hookcheck::catalog::{Catalog, Vendor};
/// use hookcheck::fuzz::oracle::{expectation, Expectation};
///
/// let catalog = Catalog::builtin();
/// let body = br#"{"message":{"id":1},"event":{"name":"clicked","timestamp":1539062173,"data":{"url":"https://example.com"}}}"#;
/// assert_eq!(expectation(catalog, Vendor::MSNDR, body), Expectation::Accept { event: "clicked".into() });
/// assert!(matches!(expectation(catalog, Vendor::POSTAL, body), Expectation::Reject { .. }));
/// assert!(matches!(expectation(catalog, Vendor::MSNDR, b"{\"message\""), Expectation::Reject { .. }));
/// ```
#[must_use]
pub fn expectation(catalog: &Catalog, vendor: Vendor, body: &[u8]) -> Expectation {
    let value = match input::parse(body, u64::MAX) {
        Ok(value) => value,
        Err(e) => return not_json(&e),
    };
    if has_duplicate_keys(body) {
        return Expectation::Either {
            reason: "an object has a duplicate key (RFC 8259 leaves the meaning open)".into(),
            event: None,
        };
    }
    let entry = match catalog.detect(&value, Some(vendor)) {
        Ok(entry) => entry,
        Err(e) => {
            return Expectation::Reject {
                reason: e.to_string(),
            };
        }
    };
    let event = entry.event().to_owned();
    let validator = match entry.validator() {
        Ok(validator) => validator,
        Err(e) => {
            return Expectation::Either {
                reason: format!("the schema of {} does not compile: {e}", entry.key()),
                event: Some(event),
            };
        }
    };
    let violations = validator.violations(&value);
    if violations.is_empty() {
        if let Some(at) = integer_beyond_64_bits(validator, &value) {
            return Expectation::Either {
                reason: format!(
                    "{}: {at} is an integer beyond 64 bits (RFC 8259 lets parsers limit the range of numbers)",
                    entry.key()
                ),
                event: Some(event),
            };
        }
        return Expectation::Accept { event };
    }
    match violations
        .iter()
        .find(|v| policy::must_reject(vendor, v, &value))
    {
        Some(v) => Expectation::Reject {
            reason: format!("{} violates {v}", entry.key()),
        },
        None => Expectation::Either {
            reason: format!(
                "{} has may-accept violations only, first {}",
                entry.key(),
                violations[0]
            ),
            event: Some(event),
        },
    }
}

/// Sends `body` to `parser` and asserts that the answer meets [`expectation`].
///
/// `context` says how the body was made (it leads the assertion message).
///
/// # Panics
///
/// When the parser faults, accepts a must-reject body, rejects a valid one, or reports an
/// accepted body under another event name.
pub fn assert_agrees<P: WebhookParser + ?Sized>(
    parser: &P,
    vendor: Vendor,
    body: &[u8],
    context: &dyn fmt::Display,
) -> Agreement {
    let expected = expectation(Catalog::active(), vendor, body);
    let answer = parser.parse(vendor, body);
    let reproduce = || {
        format!(
            "{context}\n  parser: {}\n  vendor: {vendor}\n  expected: {expected}\n  body: {}",
            parser.name(),
            show(body)
        )
    };
    let reported = |event: &str| -> Option<String> {
        parser.fidelity().reports_event().then(|| event.to_owned())
    };
    match (&expected, answer) {
        (_, Err(ParseError::Fault(fault))) => {
            panic!("parser gave no verdict ({fault})\n{}", reproduce())
        }
        (Expectation::Accept { .. }, Err(e)) => {
            panic!("parser rejected a valid body: {e}\n{}", reproduce())
        }
        (Expectation::Reject { .. }, Ok(event)) => panic!(
            "parser accepted a body it must reject (reported as {:?})\n{}",
            event.event_name(),
            reproduce()
        ),
        (
            Expectation::Accept { event: want }
            | Expectation::Either {
                event: Some(want), ..
            },
            Ok(event),
        ) => {
            if let Some(got) = reported(event.event_name()) {
                assert!(
                    got == *want,
                    "parser reported event {got:?}, the body is {want:?}\n{}",
                    reproduce()
                );
            }
            return Agreement {
                expected,
                accepted: true,
            };
        }
        (Expectation::Either { event: None, .. }, Ok(_)) => {
            return Agreement {
                expected,
                accepted: true,
            };
        }
        (Expectation::Reject { .. } | Expectation::Either { .. }, Err(_)) => {}
    }
    Agreement {
        expected,
        accepted: false,
    }
}

/// The first place in `value` where the schema of `validator` asks for an `integer` and finds
/// one that neither `i64` nor `u64` holds. Such a number reaches `serde_json` as a float (it
/// does not fit its integer types), so only floats are candidates; a candidate counts when the
/// schema rejects a fraction in its place with `type`.
fn integer_beyond_64_bits(validator: &Validator, value: &Value) -> Option<JsonPointer> {
    const LOW: f64 = -9_223_372_036_854_775_808.0; // -2^63
    const HIGH: f64 = 18_446_744_073_709_551_616.0; // 2^64
    let whole_beyond = |v: &Value| {
        v.as_number().is_some_and(|n| {
            n.is_f64()
                && n.as_f64()
                    .is_some_and(|f| f.fract() == 0.0 && !(LOW..HIGH).contains(&f))
        })
    };
    pointers_where(value, whole_beyond).into_iter().find(|at| {
        let mut fraction = value.clone();
        if let Some(slot) = fraction.pointer_mut(at.as_str()) {
            *slot = Value::from(0.5);
        }
        validator
            .located_violations(&fraction)
            .iter()
            .any(|v| v.keyword == "type" && v.instance_path == *at)
    })
}

/// The expectation for bytes that `serde_json` does not take as one document.
fn not_json(e: &input::InputError) -> Expectation {
    use input::InputError as E;
    let open = match e {
        E::Utf8Bom => Some("a UTF-8 byte order mark (RFC 8259 lets parsers ignore it)"),
        E::TooDeep { .. } => Some("nesting past serde_json's depth limit"),
        E::Syntax { message, .. } if message.starts_with("number out of range") => {
            Some("a number beyond f64 (grammatical JSON, RFC 8259 leaves the range open)")
        }
        E::Syntax { message, .. }
            if message.contains("surrogate")
                || message.contains("unicode code point")
                || message.contains("hex escape") =>
        {
            Some("an unpaired surrogate escape (grammatical JSON, not Unicode)")
        }
        _ => None,
    };
    match open {
        Some(reason) => Expectation::Either {
            reason: format!("{reason}: {e}"),
            event: None,
        },
        None => Expectation::Reject {
            reason: format!("not JSON: {e}"),
        },
    }
}

/// Whether any object in the JSON document `body` has the same key twice. `false` when `body`
/// is not a JSON document.
#[must_use]
pub fn has_duplicate_keys(body: &[u8]) -> bool {
    let mut de = serde_json::Deserializer::from_slice(body);
    DupCheck.deserialize(&mut de).unwrap_or(false)
}

/// Walks any JSON value; yields whether some object in it repeats a key.
#[derive(Clone, Copy)]
struct DupCheck;

impl<'de> DeserializeSeed<'de> for DupCheck {
    type Value = bool;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for DupCheck {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
        Ok(false)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
        let mut dup = false;
        while let Some(inner) = seq.next_element_seed(DupCheck)? {
            dup |= inner;
        }
        Ok(dup)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        let mut keys = HashSet::new();
        let mut dup = false;
        while let Some(key) = map.next_key::<String>()? {
            dup |= !keys.insert(key);
            dup |= map.next_value_seed(DupCheck)?;
        }
        Ok(dup)
    }
}

/// The body for an assertion message: as text when it is UTF-8, else as escaped bytes.
fn show(body: &[u8]) -> String {
    match std::str::from_utf8(body) {
        Ok(text) => text.to_owned(),
        Err(_) => format!("(not UTF-8) {}", body.escape_ascii()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parsers::ReferenceParser;

    fn exp(vendor: Vendor, body: &[u8]) -> Expectation {
        expectation(Catalog::builtin(), vendor, body)
    }

    const CLICKED: &[u8] = br#"{"message":{"id":1},"event":{"name":"clicked","timestamp":1539062173,"data":{"url":"https://example.com"}}}"#;

    #[test]
    fn each_row_of_the_table() {
        assert!(matches!(
            exp(Vendor::MSNDR, b""),
            Expectation::Reject { .. }
        ));
        assert!(matches!(
            exp(Vendor::MSNDR, b"\xff{}"),
            Expectation::Reject { .. }
        ));
        assert!(matches!(
            exp(Vendor::MSNDR, b"[]"),
            Expectation::Reject { .. }
        ));
        let unknown = br#"{"message":{"id":1},"event":{"name":"bogus","timestamp":1}}"#;
        assert!(matches!(
            exp(Vendor::MSNDR, unknown),
            Expectation::Reject { .. }
        ));
        assert_eq!(
            exp(Vendor::MSNDR, CLICKED),
            Expectation::Accept {
                event: "clicked".into()
            }
        );
        let no_id =
            br#"{"message":{},"event":{"name":"clicked","timestamp":1,"data":{"url":"x"}}}"#;
        assert!(
            matches!(exp(Vendor::MSNDR, no_id), Expectation::Reject { reason } if reason.contains("required"))
        );
        let zero_id =
            br#"{"message":{"id":0},"event":{"name":"clicked","timestamp":1,"data":{"url":"x"}}}"#;
        assert!(matches!(
            exp(Vendor::MSNDR, zero_id),
            Expectation::Either { event: Some(e), .. } if e == "clicked"
        ));
        let dup = br#"{"message":{"id":1,"id":2},"event":{"name":"clicked","timestamp":1,"data":{"url":"x"}}}"#;
        assert!(matches!(
            exp(Vendor::MSNDR, dup),
            Expectation::Either { event: None, .. }
        ));
        let mut bom = b"\xef\xbb\xbf".to_vec();
        bom.extend_from_slice(CLICKED);
        assert!(matches!(
            exp(Vendor::MSNDR, &bom),
            Expectation::Either { .. }
        ));
        for open in [&b"[1e400]"[..], br#"["\ud800"]"#, &[b'['; 200]] {
            assert!(
                matches!(exp(Vendor::MSNDR, open), Expectation::Either { .. }),
                "{open:?}"
            );
        }
    }

    #[test]
    fn an_integer_beyond_64_bits_may_be_rejected_where_the_schema_asks_for_an_integer() {
        let body = |limit: &str, timestamp: &str| {
            format!(
                r#"{{"event":"SendLimitApproaching","timestamp":{timestamp},"uuid":"f1635a0a-9230-4edc-800e-8cdbdf0d96b6","payload":{{"server":{{"uuid":"640b47a4-4dfd-42e4-ae6a-1e5bed5a33fd","name":"T","permalink":"t","organization":"o"}},"volume":5,"limit":{limit}}}}}"#
            )
        };
        let accept = Expectation::Accept {
            event: "SendLimitApproaching".into(),
        };
        assert_eq!(exp(Vendor::POSTAL, body("1000", "1.5").as_bytes()), accept);
        // A whole number that fits a u64 must be accepted, however it is written.
        for fits in ["18446744073709551615", "1e19", "1.0e3"] {
            assert_eq!(
                exp(Vendor::POSTAL, body(fits, "1.5").as_bytes()),
                accept,
                "{fits}"
            );
        }
        for beyond in ["529128112e27", "18446744073709551616", "1e300"] {
            assert!(
                matches!(
                    exp(Vendor::POSTAL, body(beyond, "1.5").as_bytes()),
                    Expectation::Either { event: Some(e), reason }
                        if e == "SendLimitApproaching" && reason.contains("/payload/limit")
                ),
                "{beyond}"
            );
        }
        // The envelope timestamp is a `number`: a whole 1e30 there is an ordinary float.
        assert_eq!(exp(Vendor::POSTAL, body("1000", "1e30").as_bytes()), accept);
    }

    #[test]
    fn duplicate_keys_are_found_at_any_depth() {
        assert!(!has_duplicate_keys(
            br#"{"a":1,"b":{"a":2},"c":[{"a":1},{"a":1}]}"#
        ));
        assert!(has_duplicate_keys(br#"{"a":[{"x":1,"x":1}]}"#));
        assert!(has_duplicate_keys(br#"{"a\u0062":1,"ab":2}"#));
        assert!(!has_duplicate_keys(b"{\"a\":"));
    }

    #[test]
    fn the_reference_parser_agrees_on_the_table() {
        let agreement = assert_agrees(&ReferenceParser, Vendor::MSNDR, CLICKED, &"test");
        assert!(agreement.accepted);
        let agreement = assert_agrees(&ReferenceParser, Vendor::POSTAL, CLICKED, &"test");
        assert!(!agreement.accepted);
    }

    struct Liar;
    impl WebhookParser for Liar {
        fn parse<'a>(
            &self,
            _: Vendor,
            _: &'a [u8],
        ) -> Result<crate::parser::ParsedEvent<'a>, ParseError> {
            Ok(crate::parser::ParsedEvent::new("opened"))
        }
    }

    #[test]
    #[should_panic(expected = "parser reported event \"opened\", the body is \"clicked\"")]
    fn a_wrong_event_name_fails() {
        assert_agrees(&Liar, Vendor::MSNDR, CLICKED, &"test");
    }

    #[test]
    #[should_panic(expected = "parser accepted a body it must reject")]
    fn accepting_garbage_fails() {
        assert_agrees(&Liar, Vendor::MSNDR, b"{", &"test");
    }
}
