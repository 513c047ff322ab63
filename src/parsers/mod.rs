//! Reference parsers: typed `serde` models of every documented event of the built-in vendors.
//!
//! [`ReferenceParser`] implements [`WebhookParser`] for the built-in vendors by dispatching to
//! [`postal::parse`], [`msndr::parse`], [`getmailer::parse`] and [`resend::parse`], each of which returns the
//! vendor's full typed model. The models are strict where the vendor's behaviour is established
//! (types, required keys, nullability, enums) and tolerant of unknown extra keys, so they accept
//! every schema-valid payload and reject every defect the [reject policy](crate::parser::policy)
//! says must be rejected.
//!
//! They are also fast: strings borrow from the body unless they contain escapes, the envelope is
//! read in one pass that deserializes the payload straight into the event's type once the event
//! name has been seen, and no `untagged`/`flatten` buffering is used. See `benches/parse.rs`.
//!
//! Each vendor lists its events once, in an `events!` table that gives the event-name enum and
//! the deserialization of each event's data; Postal, GetMailer and Resend read their envelope
//! with the same one-pass reader (`envelope::read`), each saying only which members it has.

use std::borrow::Cow;

use crate::{
    catalog::Vendor,
    parser::{ParseError, ParsedEvent, WebhookParser},
};

mod de;
mod envelope;
pub mod getmailer;
pub mod msndr;
pub mod postal;
pub mod resend;

pub use de::{Integer, RawObject, from_slice};

/// The reference parser of the built-in vendors (Postal, msndr.net, GetMailer, Resend).
///
/// # Example
///
/// ```
/// use hookcheck::{catalog::Vendor, parser::WebhookParser, parsers::ReferenceParser};
///
/// let body = br#"{"message":{"id":7},"event":{"name":"opened","timestamp":1539062173}}"#;
/// let event = ReferenceParser.parse(Vendor::MSNDR, body).unwrap();
/// assert_eq!(event.event_name(), "opened");
/// assert_eq!(event.message_id.as_deref(), Some("7"));
/// assert!(ReferenceParser.parse(Vendor::POSTAL, body).is_err());
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct ReferenceParser;

impl WebhookParser for ReferenceParser {
    fn parse<'a>(&self, vendor: Vendor, body: &'a [u8]) -> Result<ParsedEvent<'a>, ParseError> {
        match vendor {
            Vendor::POSTAL => postal::parse_event(body),
            Vendor::MSNDR => msndr::parse(body).map(msndr::Webhook::into_event),
            Vendor::GETMAILER => getmailer::parse_event(body),
            Vendor::RESEND => resend::parse_event(body),
            // A vendor from a user catalog: it has no reference parser.
            _ => Err(ParseError::UnsupportedVendor { vendor }),
        }
    }

    fn name(&self) -> Cow<'_, str> {
        Cow::Borrowed("reference")
    }

    fn supports(&self, vendor: Vendor) -> bool {
        matches!(
            vendor,
            Vendor::POSTAL | Vendor::MSNDR | Vendor::GETMAILER | Vendor::RESEND
        )
    }
}
