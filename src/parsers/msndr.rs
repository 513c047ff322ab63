//! Reference parser for msndr.net (NotiSend / RuSender legacy API) webhooks.
//!
//! One event per request, in the shape
//! `{"message":{"id":1},"event":{"name":"clicked","timestamp":1539062173,"data":{"url":"…"}}}`.
//!
//! - `message.id` is a non-negative integer (parsed as `u64`: ids on a busy platform pass 2^31).
//! - `event.name` is one of the eight documented names ([`EventName::ALL`]). The Russian original
//!   of the vendor page spells the spam event `complined`; which spelling goes on the wire is
//!   unknown, and this parser follows the documented English name `complained` only.
//! - `event.timestamp` is an integer of Unix seconds (`1539062173.0` counts as an integer, as in
//!   JSON Schema; `1539062173.5` does not).
//! - `event.data` is an optional object of free-form context; for `clicked` it is required and
//!   must carry the string `url`. No other event documents any data.
//!
//! Unknown extra keys are ignored everywhere.

use std::borrow::Cow;

use serde::Deserialize;

use super::de::{
    IntegerTime, RawObject, from_slice, from_slice_seed, object, some_object, str_enum,
    unknown_event, whole_u64,
};
use crate::{
    catalog::Vendor,
    parser::{JsonPointer, ParseError, ParsedEvent, Timestamp},
};

str_enum! {
    /// An msndr.net event name.
    pub enum EventName {
        /// The message was delivered.
        Delivered = "delivered",
        /// The recipient opened the message.
        Opened = "opened",
        /// The recipient clicked a link (`event.data.url`).
        Clicked = "clicked",
        /// The recipient unsubscribed.
        Unsubscribed = "unsubscribed",
        /// The recipient marked the message as spam.
        Complained = "complained",
        /// The message was not sent (earlier unsubscribe or complaint).
        Skipped = "skipped",
        /// Temporarily rejected by the receiving server.
        SoftBounced = "soft_bounced",
        /// Permanently rejected by the receiving server.
        HardBounced = "hard_bounced",
    }
}

/// An msndr.net webhook.
#[derive(Debug, Clone)]
pub struct Webhook<'a> {
    /// `message.id`.
    pub message_id: u64,
    /// `event.name`.
    pub event: EventName,
    /// `event.timestamp`, integer Unix seconds.
    pub timestamp: Timestamp<'a>,
    /// `event.data.url` of a `clicked` event.
    pub url: Option<Cow<'a, str>>,
    /// `event.data` as raw JSON, if present.
    pub data: Option<RawObject<'a>>,
}

#[derive(Deserialize)]
struct Body<'a> {
    #[serde(deserialize_with = "object")]
    message: MessageRef,
    #[serde(borrow, deserialize_with = "object")]
    event: Event<'a>,
}

#[derive(Deserialize)]
struct MessageRef {
    #[serde(deserialize_with = "whole_u64")]
    id: u64,
}

#[derive(Deserialize)]
struct Event<'a> {
    #[serde(borrow)]
    name: Cow<'a, str>,
    #[serde(borrow)]
    timestamp: IntegerTime<'a>,
    #[serde(borrow, default, deserialize_with = "some_object")]
    data: Option<RawObject<'a>>,
}

#[derive(Deserialize)]
struct ClickData<'a> {
    #[serde(borrow)]
    url: Cow<'a, str>,
}

/// Parses an msndr.net webhook body into its typed form.
///
/// # Errors
///
/// A [`ParseError`] rejection when the body is not an msndr.net webhook as documented in the
/// [module docs](self).
///
/// # Example
///
/// ```
/// use hookcheck::parsers::msndr::{self, EventName};
///
/// let body = br#"{"message":{"id":1},"event":{"name":"clicked","timestamp":1539062173,"data":{"url":"https://example.com"}}}"#;
/// let hook = msndr::parse(body).unwrap();
/// assert_eq!(hook.event, EventName::Clicked);
/// assert_eq!(hook.url.as_deref(), Some("https://example.com"));
/// ```
pub fn parse(body: &[u8]) -> Result<Webhook<'_>, ParseError> {
    let body: Body<'_> = from_slice(Vendor::Msndr, body)?;
    let event =
        EventName::from_name(&body.event.name).ok_or_else(|| unknown_event(&body.event.name))?;
    let url = if event == EventName::Clicked {
        let data = body.event.data.ok_or_else(|| ParseError::MissingField {
            pointer: JsonPointer::from_tokens(["event", "data"]),
        })?;
        let click: ClickData<'_> = from_slice_seed(
            Vendor::Msndr,
            data.json().as_bytes(),
            std::marker::PhantomData,
            &JsonPointer::from_tokens(["event", "data"]),
        )?;
        Some(click.url)
    } else {
        None
    };
    Ok(Webhook {
        message_id: body.message.id,
        event,
        timestamp: body.event.timestamp.0,
        url,
        data: body.event.data,
    })
}

impl<'a> Webhook<'a> {
    /// The key fields in the common vocabulary (msndr.net has no event id and names no
    /// recipient).
    #[must_use]
    pub fn into_event(self) -> ParsedEvent<'a> {
        ParsedEvent::new(self.event.as_str())
            .with_message_id(self.message_id.to_string())
            .with_timestamp(self.timestamp)
    }
}
