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

use std::{borrow::Cow, fmt};

use serde::{
    Deserialize,
    de::{self, Deserializer, MapAccess, Visitor},
};

use super::de::{
    CowStr, Integer, IntegerTime, ObjectSeed, RawObject, from_slice, from_slice_seed, object, once,
    skip, str_enum, unknown_event,
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
    pub message_id: Integer<'a>,
    /// `event.name`.
    pub event: EventName,
    /// `event.timestamp`, integer Unix seconds.
    pub timestamp: Timestamp<'a>,
    /// `event.data`.
    pub data: Data<'a>,
}

/// `event.data` of an msndr.net webhook.
#[derive(Debug, Clone)]
pub enum Data<'a> {
    /// The data of `clicked`: the link that was followed.
    Click {
        /// `event.data.url`.
        url: Cow<'a, str>,
    },
    /// The free-form data of any other event, as raw JSON, if present.
    Other(Option<RawObject<'a>>),
}

impl<'a> Webhook<'a> {
    /// `event.data.url` of a `clicked` event.
    #[must_use]
    pub fn url(&self) -> Option<&str> {
        match &self.data {
            Data::Click { url } => Some(url),
            Data::Other(_) => None,
        }
    }
}

#[derive(Deserialize)]
struct Body<'a> {
    #[serde(borrow, deserialize_with = "object")]
    message: MessageRef<'a>,
    #[serde(borrow)]
    event: Event<'a>,
}

#[derive(Deserialize)]
struct MessageRef<'a> {
    #[serde(borrow)]
    id: Integer<'a>,
}

#[derive(Deserialize)]
struct ClickData<'a> {
    #[serde(borrow)]
    url: Cow<'a, str>,
}

/// The `event` object, read in one pass: when `name` comes before `data` (as documented), the
/// data of `clicked` is deserialized straight into [`ClickData`].
struct Event<'a> {
    name: Cow<'a, str>,
    timestamp: Timestamp<'a>,
    data: Option<Slot<'a>>,
}

enum Slot<'a> {
    Click(ClickData<'a>),
    Raw(RawObject<'a>),
}

enum Key {
    Name,
    Timestamp,
    Data,
    Other,
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
                Ok(match v {
                    "name" => Key::Name,
                    "timestamp" => Key::Timestamp,
                    "data" => Key::Data,
                    _ => Key::Other,
                })
            }
        }
        d.deserialize_identifier(V)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Event<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Event<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an msndr.net event object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Event<'de>, A::Error> {
                let (mut name, mut timestamp, mut data) = (None, None, None);
                while let Some(key) = map.next_key::<Key>()? {
                    match key {
                        Key::Name => once(&mut name, "name", map.next_value_seed(CowStr)?)?,
                        Key::Timestamp => {
                            let IntegerTime(t) = map.next_value()?;
                            once(&mut timestamp, "timestamp", t)?;
                        }
                        Key::Data => {
                            let clicked = name.as_deref() == Some(EventName::Clicked.as_str());
                            let slot = if clicked {
                                Slot::Click(map.next_value_seed(ObjectSeed::default())?)
                            } else {
                                Slot::Raw(map.next_value()?)
                            };
                            once(&mut data, "data", slot)?;
                        }
                        Key::Other => skip(&mut map)?,
                    }
                }
                Ok(Event {
                    name: name.ok_or_else(|| de::Error::missing_field("name"))?,
                    timestamp: timestamp.ok_or_else(|| de::Error::missing_field("timestamp"))?,
                    data,
                })
            }
        }
        d.deserialize_map(V)
    }
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
/// assert_eq!(hook.url(), Some("https://example.com"));
/// ```
pub fn parse(body: &[u8]) -> Result<Webhook<'_>, ParseError> {
    let body: Body<'_> = from_slice(Vendor::MSNDR, body)?;
    let event =
        EventName::from_name(&body.event.name).ok_or_else(|| unknown_event(&body.event.name))?;
    let data_at = || JsonPointer::root().push("event").push("data");
    let data = match (event, body.event.data) {
        (EventName::Clicked, Some(Slot::Click(click))) => Data::Click { url: click.url },
        (EventName::Clicked, Some(Slot::Raw(raw))) => {
            let click: ClickData<'_> = from_slice_seed(
                Vendor::MSNDR,
                raw.json().as_bytes(),
                std::marker::PhantomData,
                &data_at(),
            )?;
            Data::Click { url: click.url }
        }
        (EventName::Clicked, None) => return Err(ParseError::MissingField { pointer: data_at() }),
        (_, Some(Slot::Raw(raw))) => Data::Other(Some(raw)),
        (_, Some(Slot::Click(_)) | None) => Data::Other(None),
    };
    Ok(Webhook {
        message_id: body.message.id,
        event,
        timestamp: body.event.timestamp,
        data,
    })
}

impl<'a> Webhook<'a> {
    /// The key fields in the common vocabulary (msndr.net has no event id and names no
    /// recipient).
    #[must_use]
    pub fn into_event(self) -> ParsedEvent<'a> {
        ParsedEvent::new(self.event.as_str())
            .with_message_id(self.message_id.into_text())
            .with_timestamp(self.timestamp)
    }
}
