//! The `raw_<vendor>` fuzz targets: any bytes, as a body of one vendor, into a parser.

use super::oracle::assert_agrees;
use super::{Handling, MAX_INPUT_BYTES, Skip};
use crate::catalog::Vendor;
use crate::parser::WebhookParser;

/// Sends `data` as a `vendor` webhook body to a default-constructed `P`; see [`raw_with`].
///
/// This is what `fuzz/fuzz_targets/raw_postal.rs` calls with the reference parser; a webhook
/// consumer fuzzes its own parser with `hookcheck::fuzz::raw::<MyParser>(Vendor::POSTAL, data)`.
///
/// # Panics
///
/// As [`raw_with`].
pub fn raw<P: WebhookParser + Default>(vendor: Vendor, data: &[u8]) -> Handling {
    raw_with(&P::default(), vendor, data)
}

/// Sends `data` as a `vendor` webhook body to `parser` and checks the answer against the
/// [oracle](super::oracle): no panic, no fault, must-reject bodies rejected, valid bodies
/// accepted under their event name.
///
/// Inputs longer than [`MAX_INPUT_BYTES`] are skipped before the parser sees them, as are all
/// inputs when the parser does not support `vendor`.
///
/// # Panics
///
/// Through [`assert_agrees`] when the parser's answer breaks the policy; a panic inside the
/// parser propagates.
///
/// # Example
///
/// ```
/// use hookcheck::catalog::Vendor;
/// use hookcheck::fuzz::{raw, Handling};
/// use hookcheck::parsers::ReferenceParser;
///
/// let body = br#"{"message":{"id":7},"event":{"name":"opened","timestamp":1539062173}}"#;
/// assert!(matches!(raw::<ReferenceParser>(Vendor::MSNDR, body), Handling::Parsed(a) if a.accepted));
/// assert!(matches!(raw::<ReferenceParser>(Vendor::MSNDR, b"{]"), Handling::Parsed(a) if !a.accepted));
/// ```
pub fn raw_with<P: WebhookParser + ?Sized>(parser: &P, vendor: Vendor, data: &[u8]) -> Handling {
    if data.len() > MAX_INPUT_BYTES {
        return Handling::Skipped(Skip::TooLarge);
    }
    if !parser.supports(vendor) {
        return Handling::Skipped(Skip::Unsupported);
    }
    Handling::Parsed(assert_agrees(
        parser,
        vendor,
        data,
        &format_args!("raw_{vendor}: {} bytes", data.len()),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parser::{ParseError, ParsedEvent};
    use crate::parsers::ReferenceParser;

    struct PostalOnly;
    impl WebhookParser for PostalOnly {
        fn parse<'a>(&self, _: Vendor, _: &'a [u8]) -> Result<ParsedEvent<'a>, ParseError> {
            Err(ParseError::Other {
                detail: "never".into(),
            })
        }
        fn supports(&self, vendor: Vendor) -> bool {
            vendor == Vendor::POSTAL
        }
    }

    #[test]
    fn size_cap_and_vendor_support_are_checked_first() {
        let big = vec![b' '; MAX_INPUT_BYTES + 1];
        assert_eq!(
            raw::<ReferenceParser>(Vendor::POSTAL, &big),
            Handling::Skipped(Skip::TooLarge)
        );
        assert_eq!(
            raw_with(&PostalOnly, Vendor::MSNDR, b"{}"),
            Handling::Skipped(Skip::Unsupported)
        );
        assert!(matches!(
            raw_with(&PostalOnly, Vendor::POSTAL, b"{}"),
            Handling::Parsed(a) if !a.accepted
        ));
    }
}
