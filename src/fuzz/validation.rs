//! The `validate` fuzz target: arbitrary bytes through input decoding, envelope detection and
//! every compiled catalog validator.

use serde_json::Value;

use super::{Handling, MAX_INPUT_BYTES, Skip};
use crate::catalog::{Catalog, Entry, Vendor};
use crate::validate::check::{Verdict, check_value};
use crate::validate::input;

/// Feeds `data` to input decoding, detection and every validator of the built-in catalog.
///
/// Inputs longer than [`MAX_INPUT_BYTES`] return at once ([`Skip::TooLarge`]). Bytes that are
/// not a JSON document stop after decoding, which must fail with an error rather than a panic
/// ([`Skip::NotJson`]). A JSON document is then detected (for no vendor and for each vendor)
/// and checked against every schema of the catalog, through both the fast and the detailed
/// path ([`Handling::Validated`]).
///
/// # Panics
///
/// Only through an assertion that names the disagreement, when the catalog's validators
/// contradict themselves on this document:
///
/// - `is_valid` and `violations` disagree (a valid verdict with violations, or the reverse);
/// - a violation's instance pointer does not resolve inside the document;
/// - [`check_value`] fails (a catalog schema that does not compile) or its verdict for the
///   detected entry differs from that entry's own validator.
///
/// A panic inside the validator (the thing this target looks for) propagates as is.
///
/// # Example
///
/// ```
/// use hookcheck::fuzz::{validate, Handling, Skip};
///
/// let outcome = validate(br#"{"event": "MessageSent", "payload": {}}"#);
/// assert_eq!(outcome, Handling::Validated);
/// assert_eq!(validate(b"\xff not json"), Handling::Skipped(Skip::NotJson));
/// ```
pub fn validate(data: &[u8]) -> Handling {
    if data.len() > MAX_INPUT_BYTES {
        return Handling::Skipped(Skip::TooLarge);
    }
    let Ok(value) = input::parse(data, MAX_INPUT_BYTES as u64) else {
        return Handling::Skipped(Skip::NotJson);
    };
    let catalog = Catalog::active();
    for entry in catalog.entries() {
        check_entry(entry, &value);
    }
    for only in [
        None,
        Some(Vendor::POSTAL),
        Some(Vendor::MSNDR),
        Some(Vendor::GETMAILER),
    ] {
        check_detected(catalog, &value, only);
    }
    Handling::Validated
}

/// `is_valid` and `violations` of one entry agree, and every violation points into `value`.
fn check_entry(entry: &Entry, value: &Value) {
    let validator = match entry.validator() {
        Ok(v) => v,
        Err(e) => panic!("catalog schema {} does not compile: {e}", entry.key()),
    };
    let fast = validator.is_valid(value);
    let violations = validator.violations(value);
    assert_eq!(
        fast,
        violations.is_empty(),
        "{}: is_valid says {fast} but violations lists {} ({violations:?}) for {}",
        entry.key(),
        violations.len(),
        compact(value),
    );
    for v in &violations {
        assert!(
            v.instance_path.resolve(value).is_some(),
            "{}: violation {v} points at {:?}, which is not in {}",
            entry.key(),
            v.instance_path.as_str(),
            compact(value),
        );
    }
}

/// Detection then validation gives the same verdict as the detected entry's own validator.
fn check_detected(catalog: &Catalog, value: &Value, only: Option<Vendor>) {
    let verdict = match check_value(catalog, value, None, only) {
        Ok(v) => v,
        Err(e) => panic!("check_value failed on {}: {e}", compact(value)),
    };
    let Ok(entry) = catalog.detect(value, only) else {
        assert!(
            matches!(verdict, Verdict::Undetected { .. }),
            "detection failed but check_value says {verdict} for {}",
            compact(value)
        );
        return;
    };
    let valid = entry.validator().is_ok_and(|v| v.is_valid(value));
    assert_eq!(
        verdict.key(),
        Some(entry.key().as_str()),
        "check_value checked another entry than detection found for {}",
        compact(value)
    );
    assert_eq!(
        verdict.is_valid(),
        valid,
        "check_value says {verdict}, the validator of {} says valid={valid}, for {}",
        entry.key(),
        compact(value)
    );
}

/// The document as one line, for assertion messages that double as reproductions.
fn compact(value: &Value) -> String {
    serde_json::to_string(value).unwrap_or_else(|e| format!("<unserializable: {e}>"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_of_every_shape_pass_through() {
        let documents: [&[u8]; 7] = [
            b"null",
            b"[1, 2, 3]",
            b"\"text\"",
            br#"{"event": "MessageSent", "payload": {}, "uuid": 5}"#,
            br#"{"message": {"id": 0}, "event": {"name": "clicked", "timestamp": -1}}"#,
            br#"{"id": "evt_1", "type": "email.sent", "timestamp": "x", "data": []}"#,
            br#"{"type": "email.unknown", "data": {}}"#,
        ];
        for input in documents {
            assert_eq!(validate(input), Handling::Validated, "{input:?}");
        }
        for input in [&b""[..], b"{\"a\": \"\xc3\x28\"}", b"[[1]"] {
            assert_eq!(
                validate(input),
                Handling::Skipped(Skip::NotJson),
                "{input:?}"
            );
        }
    }

    #[test]
    fn oversized_input_is_skipped_before_parsing() {
        let zeros = |n: usize| format!("[{}0]", "0,".repeat(n));
        let fits = zeros((MAX_INPUT_BYTES - 3) / 2);
        assert!(fits.len() <= MAX_INPUT_BYTES);
        assert_eq!(validate(fits.as_bytes()), Handling::Validated);
        let big = zeros(MAX_INPUT_BYTES / 2);
        assert!(big.len() > MAX_INPUT_BYTES);
        assert_eq!(validate(big.as_bytes()), Handling::Skipped(Skip::TooLarge));
    }
}
