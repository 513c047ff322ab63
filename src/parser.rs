//! The [`WebhookParser`] trait: how any webhook parser, in Rust or behind an adapter, is plugged
//! into hookcheck, and the small vocabulary it speaks.
//!
//! # Design
//!
//! A parser is one function: given the vendor and the exact body bytes, return a
//! [`ParsedEvent`] or a [`ParseError`]. Everything else has a default, so a typed `serde` parser
//! implements the trait in a few lines (see the example below). The trait is object safe and
//! `Send + Sync`: certification runs hold parsers as `Box<dyn WebhookParser>`, whether they are
//! the [reference parsers](crate::parsers), a subprocess behind the
//! [exec adapter](crate::adapters::exec) or a receiver behind the
//! [HTTP adapter](crate::adapters::http).
//!
//! What a runner checks, and therefore what a parser reports:
//!
//! - **the verdict**: accept (`Ok`) or reject (`Err`). Which defects must be rejected and which
//!   may be accepted is the [reject policy](policy); a payload valid against the vendor's schema
//!   must be accepted.
//! - **fidelity**: the vendor's event name exactly as on the wire (`MessageSent`, `clicked`,
//!   `email.sent`) and the key fields of [`ParsedEvent`] (event id, message id as a string, event
//!   time as a [`Timestamp`], recipient), normalised as documented there.
//!
//! Errors keep rejection and failure apart: every [`ParseError`] variant is a rejection except
//! [`ParseError::Fault`], which says the harness got no verdict (a crashed or hung subprocess,
//! an HTTP 5xx). A runner reports faults as failures of the case, never as rejections.
//!
//! # Example
//!
//! A msndr.net parser written against the trait:
//!
//! ```
//! use std::borrow::Cow;
//!
//! use hookcheck::catalog::Vendor;
//! use hookcheck::parser::{ParseError, ParsedEvent, Timestamp, WebhookParser};
//!
//! #[derive(serde::Deserialize)]
//! struct Body<'a> {
//!     message: Message,
//!     #[serde(borrow)]
//!     event: Event<'a>,
//! }
//! #[derive(serde::Deserialize)]
//! struct Message {
//!     id: u64,
//! }
//! #[derive(serde::Deserialize)]
//! struct Event<'a> {
//!     #[serde(borrow)]
//!     name: Cow<'a, str>,
//!     timestamp: i64,
//! }
//!
//! struct Msndr;
//!
//! impl WebhookParser for Msndr {
//!     fn parse<'a>(&self, vendor: Vendor, body: &'a [u8]) -> Result<ParsedEvent<'a>, ParseError> {
//!         if vendor != Vendor::MSNDR {
//!             return Err(ParseError::UnsupportedVendor { vendor });
//!         }
//!         let b: Body<'a> = hookcheck::parsers::from_slice(vendor, body)?;
//!         let time = Timestamp::from_number(b.event.timestamp.to_string());
//!         let mut event = ParsedEvent::new(b.event.name).with_message_id(b.message.id.to_string());
//!         event.timestamp = time;
//!         Ok(event)
//!     }
//!
//!     fn supports(&self, vendor: Vendor) -> bool {
//!         vendor == Vendor::MSNDR
//!     }
//! }
//!
//! let parser: Box<dyn WebhookParser> = Box::new(Msndr);
//! let body = br#"{"message":{"id":1},"event":{"name":"clicked","timestamp":1539062173}}"#;
//! let event = parser.parse(Vendor::MSNDR, body).unwrap();
//! assert_eq!(event.event_name(), "clicked");
//! assert_eq!(event.message_id.as_deref(), Some("1"));
//!
//! let err = parser.parse(Vendor::MSNDR, br#"{"message":{}}"#).unwrap_err();
//! assert_eq!(err.pointer().map(|p| p.as_str()), Some("/message/id"));
//! assert!(err.is_rejection());
//! ```

use std::{borrow::Cow, sync::Arc};

use crate::catalog::Vendor;

mod error;
mod event;
pub mod policy;
mod time;

pub use crate::JsonPointer;
pub use error::{Fault, ParseError};
pub use event::{Fidelity, ParsedEvent, Timestamp};
pub use policy::{Defect, Obligation, event_name_pointer, must_reject};

/// A webhook parser under test: raw body bytes and vendor in, event or error out.
///
/// Only [`parse`](Self::parse) is required. Implementations must not panic on any input (a
/// runner catches and reports panics as failures) and must be deterministic.
pub trait WebhookParser: Send + Sync {
    /// Parses one webhook body of `vendor`.
    ///
    /// # Errors
    ///
    /// A rejection ([`ParseError::is_rejection`]) when the payload is not acceptable, or a
    /// [`ParseError::Fault`] when no verdict could be obtained.
    fn parse<'a>(&self, vendor: Vendor, body: &'a [u8]) -> Result<ParsedEvent<'a>, ParseError>;

    /// A short name for reports; the type name by default.
    fn name(&self) -> Cow<'_, str> {
        Cow::Borrowed(std::any::type_name::<Self>())
    }

    /// Whether the parser handles `vendor` at all; a runner reports the others as not
    /// applicable. All vendors by default.
    fn supports(&self, vendor: Vendor) -> bool {
        let _ = vendor;
        true
    }

    /// How much the parser reports on acceptance; [`Fidelity::Fields`] by default.
    fn fidelity(&self) -> Fidelity {
        Fidelity::Fields
    }
}

macro_rules! forward_parser {
    ($($ty:ty),+) => {$(
        impl<P: WebhookParser + ?Sized> WebhookParser for $ty {
            fn parse<'a>(&self, vendor: Vendor, body: &'a [u8]) -> Result<ParsedEvent<'a>, ParseError> {
                (**self).parse(vendor, body)
            }
            fn name(&self) -> Cow<'_, str> {
                (**self).name()
            }
            fn supports(&self, vendor: Vendor) -> bool {
                (**self).supports(vendor)
            }
            fn fidelity(&self) -> Fidelity {
                (**self).fidelity()
            }
        }
    )+};
}

forward_parser!(&P, Box<P>, Arc<P>);
