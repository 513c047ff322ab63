//! Reference parser for Postal webhooks.
//!
//! Every Postal webhook body is the envelope `{"event", "timestamp", "payload", "uuid"}`; the
//! payload's shape depends on the event (ten of them, [`EventName::ALL`]). This parser follows
//! what Postal 3.x actually emits rather than the documentation's bare payloads: the envelope is
//! mandatory, `output` is never null, `sent_with_ssl`/`time`/`message_id`/`to`/`from`/`subject`/
//! `tag`/`user_agent`/the DNS `*_error` fields/`organization` are nullable (but present), ids,
//! `volume` and `limit` are integers, all times are numbers of Unix seconds, and the status of a
//! status event is the one fixed by the event (`MessageSent` carries `Sent`, and so on).
//!
//! Unknown extra keys are ignored everywhere. Enums (`direction`, `spam_status`, `status`, the
//! DNS statuses) are checked, and so is the one rule of `DomainDNSError` that relates fields:
//! each `*_error` is a string exactly when its status is not `OK`. String formats are not
//! checked.
//!
//! The envelope is read in one pass: when `event` comes before `payload` (Postal always writes
//! `event, timestamp, payload, uuid`) the payload is deserialized straight into the event's type;
//! otherwise it is kept as raw JSON and parsed once the event is known.

use std::borrow::Cow;

use serde::{
    Deserialize,
    de::{self, MapAccess},
};

use super::{
    de::{CowStr, Integer, NumberTime, nullable, nullable_str, object, once, str_enum, whole_u64},
    envelope::{self, Envelope, Read, events, present, required},
};
use crate::{
    catalog::Vendor,
    parser::{JsonPointer, ParseError, ParsedEvent, Timestamp},
};

events! {
    /// A Postal event name.
    pub enum EventName;
    for enum Payload {
        /// The message was accepted by the receiving server or endpoint.
        MessageSent = "MessageSent" => Status,
        /// A temporary delivery failure; fired on each retry.
        MessageDelayed = "MessageDelayed" => Status,
        /// A permanent delivery failure.
        MessageDeliveryFailed = "MessageDeliveryFailed" => Status,
        /// The message was held.
        MessageHeld = "MessageHeld" => Status,
        /// A bounce arrived for an earlier outgoing message.
        MessageBounced = "MessageBounced" => Bounced,
        /// A tracked link was clicked.
        MessageLinkClicked = "MessageLinkClicked" => LinkClicked,
        /// The tracking pixel was loaded.
        MessageLoaded = "MessageLoaded" => Loaded,
        /// The hourly DNS check of a server's domain failed.
        DomainDNSError = "DomainDNSError" => DnsError,
        /// The server reached 90% of its send limit.
        SendLimitApproaching = "SendLimitApproaching" => SendLimit,
        /// The server reached its send limit.
        SendLimitExceeded = "SendLimitExceeded" => SendLimit,
    }
}

impl EventName {
    /// The delivery status a status event must carry, if this is one.
    #[must_use]
    pub const fn status(self) -> Option<DeliveryStatus> {
        match self {
            Self::MessageSent => Some(DeliveryStatus::Sent),
            Self::MessageDelayed => Some(DeliveryStatus::SoftFail),
            Self::MessageDeliveryFailed => Some(DeliveryStatus::HardFail),
            Self::MessageHeld => Some(DeliveryStatus::Held),
            _ => None,
        }
    }
}

str_enum! {
    /// `payload.status` of the four status events.
    pub enum DeliveryStatus {
        /// `MessageSent`.
        Sent = "Sent",
        /// `MessageDelayed`.
        SoftFail = "SoftFail",
        /// `MessageDeliveryFailed`.
        HardFail = "HardFail",
        /// `MessageHeld`.
        Held = "Held",
    }
}

str_enum! {
    /// `message.direction`.
    pub enum Direction {
        /// Sent through Postal.
        Outgoing = "outgoing",
        /// Received by Postal.
        Incoming = "incoming",
    }
}

str_enum! {
    /// `message.spam_status`.
    pub enum SpamStatus {
        /// Not inspected (usual for outgoing mail and bounces).
        NotChecked = "NotChecked",
        /// Inspected, not spam.
        NotSpam = "NotSpam",
        /// Inspected, spam.
        Spam = "Spam",
    }
}

str_enum! {
    /// The result of one DNS check of `DomainDNSError`.
    pub enum DnsStatus {
        /// The record is correct.
        Ok = "OK",
        /// The record is absent.
        Missing = "Missing",
        /// The record is wrong.
        Invalid = "Invalid",
    }
}

/// A Postal webhook: the envelope with its typed payload.
#[derive(Debug, Clone, PartialEq)]
pub struct Webhook<'a> {
    /// `event`.
    pub event: EventName,
    /// `timestamp`: when the webhook request was created (the same on every retry).
    pub timestamp: Timestamp<'a>,
    /// `payload`, typed by the event.
    pub payload: Payload<'a>,
    /// `uuid`: the webhook request's id, the idempotency key.
    pub uuid: Cow<'a, str>,
}

/// The payload of a Postal webhook.
#[derive(Debug, Clone, PartialEq)]
pub enum Payload<'a> {
    /// `MessageSent`, `MessageDelayed`, `MessageDeliveryFailed`, `MessageHeld`.
    Status(StatusPayload<'a>),
    /// `MessageBounced`.
    Bounced(BouncedPayload<'a>),
    /// `MessageLinkClicked`.
    LinkClicked(LinkClickedPayload<'a>),
    /// `MessageLoaded`.
    Loaded(LoadedPayload<'a>),
    /// `DomainDNSError`.
    DnsError(DnsErrorPayload<'a>),
    /// `SendLimitApproaching`, `SendLimitExceeded`.
    SendLimit(SendLimitPayload<'a>),
}

impl<'a> Payload<'a> {
    /// The message the event is about (the original message for a bounce).
    #[must_use]
    pub fn message(&self) -> Option<&Message<'a>> {
        match self {
            Self::Status(p) => Some(&p.message),
            Self::Bounced(p) => Some(&p.original_message),
            Self::LinkClicked(p) => Some(&p.message),
            Self::Loaded(p) => Some(&p.message),
            Self::DnsError(_) | Self::SendLimit(_) => None,
        }
    }
}

/// The message object shared by the message events.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Message<'a> {
    /// Per-server message id (`int(11)`).
    #[serde(borrow)]
    pub id: Integer<'a>,
    /// The `X-Postal-MsgID` token.
    #[serde(borrow)]
    pub token: Cow<'a, str>,
    /// Outgoing or incoming.
    pub direction: Direction,
    /// The Message-ID header without `<>`.
    #[serde(borrow, deserialize_with = "nullable_str")]
    pub message_id: Option<Cow<'a, str>>,
    /// The envelope recipient.
    #[serde(borrow, deserialize_with = "nullable_str")]
    pub to: Option<Cow<'a, str>>,
    /// The envelope sender (`null` for null-sender mail).
    #[serde(borrow, deserialize_with = "nullable_str")]
    pub from: Option<Cow<'a, str>>,
    /// The decoded subject.
    #[serde(borrow, deserialize_with = "nullable_str")]
    pub subject: Option<Cow<'a, str>>,
    /// When the message was created, Unix seconds.
    pub timestamp: f64,
    /// Spam inspection result.
    pub spam_status: SpamStatus,
    /// The tag given when sending (outgoing only).
    #[serde(borrow, deserialize_with = "nullable_str")]
    pub tag: Option<Cow<'a, str>>,
}

/// The payload of the four status events.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct StatusPayload<'a> {
    /// The message.
    #[serde(borrow, deserialize_with = "object")]
    pub message: Message<'a>,
    /// The delivery status, fixed by the event.
    pub status: DeliveryStatus,
    /// Human-readable description.
    #[serde(borrow)]
    pub details: Cow<'a, str>,
    /// Raw SMTP or HTTP output (`""` when there is none).
    #[serde(borrow)]
    pub output: Cow<'a, str>,
    /// Whether TLS was used, when the result came from a sender.
    #[serde(deserialize_with = "nullable")]
    pub sent_with_ssl: Option<bool>,
    /// When the delivery record was created, Unix seconds.
    pub timestamp: f64,
    /// How long the send took, seconds.
    #[serde(deserialize_with = "nullable")]
    pub time: Option<f64>,
}

/// The payload of `MessageBounced`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct BouncedPayload<'a> {
    /// The earlier outgoing message.
    #[serde(borrow, deserialize_with = "object")]
    pub original_message: Message<'a>,
    /// The bounce that was received.
    #[serde(borrow, deserialize_with = "object")]
    pub bounce: Message<'a>,
}

/// The payload of `MessageLinkClicked`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct LinkClickedPayload<'a> {
    /// The message.
    #[serde(borrow, deserialize_with = "object")]
    pub message: Message<'a>,
    /// The original link target.
    #[serde(borrow)]
    pub url: Cow<'a, str>,
    /// The link token.
    #[serde(borrow)]
    pub token: Cow<'a, str>,
    /// The client address.
    #[serde(borrow)]
    pub ip_address: Cow<'a, str>,
    /// The client's User-Agent, if it sent one.
    #[serde(borrow, deserialize_with = "nullable_str")]
    pub user_agent: Option<Cow<'a, str>>,
}

/// The payload of `MessageLoaded`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct LoadedPayload<'a> {
    /// The message.
    #[serde(borrow, deserialize_with = "object")]
    pub message: Message<'a>,
    /// The client address.
    #[serde(borrow)]
    pub ip_address: Cow<'a, str>,
    /// The client's User-Agent, if it sent one.
    #[serde(borrow, deserialize_with = "nullable_str")]
    pub user_agent: Option<Cow<'a, str>>,
}

/// The mail server object of `DomainDNSError` and the send-limit events.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Server<'a> {
    /// Server UUID.
    #[serde(borrow)]
    pub uuid: Cow<'a, str>,
    /// Server name.
    #[serde(borrow)]
    pub name: Cow<'a, str>,
    /// Server permalink.
    #[serde(borrow)]
    pub permalink: Cow<'a, str>,
    /// The organisation's permalink.
    #[serde(borrow, deserialize_with = "nullable_str")]
    pub organization: Option<Cow<'a, str>>,
}

/// The payload of `DomainDNSError`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct DnsErrorPayload<'a> {
    /// The server owning the domain.
    #[serde(borrow, deserialize_with = "object")]
    pub server: Server<'a>,
    /// The domain name.
    #[serde(borrow)]
    pub domain: Cow<'a, str>,
    /// The domain's UUID.
    #[serde(borrow)]
    pub uuid: Cow<'a, str>,
    /// When the check ran, Unix seconds.
    pub dns_checked_at: f64,
    /// SPF result.
    pub spf_status: DnsStatus,
    /// SPF error text (`null` when OK).
    #[serde(borrow, deserialize_with = "nullable_str")]
    pub spf_error: Option<Cow<'a, str>>,
    /// DKIM result.
    pub dkim_status: DnsStatus,
    /// DKIM error text.
    #[serde(borrow, deserialize_with = "nullable_str")]
    pub dkim_error: Option<Cow<'a, str>>,
    /// MX result.
    pub mx_status: DnsStatus,
    /// MX error text.
    #[serde(borrow, deserialize_with = "nullable_str")]
    pub mx_error: Option<Cow<'a, str>>,
    /// Return-path result.
    pub return_path_status: DnsStatus,
    /// Return-path error text.
    #[serde(borrow, deserialize_with = "nullable_str")]
    pub return_path_error: Option<Cow<'a, str>>,
}

/// The payload of `SendLimitApproaching` and `SendLimitExceeded`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SendLimitPayload<'a> {
    /// The server.
    #[serde(borrow, deserialize_with = "object")]
    pub server: Server<'a>,
    /// Messages sent in the last 60 minutes.
    #[serde(deserialize_with = "whole_u64")]
    pub volume: u64,
    /// The server's send limit.
    #[serde(deserialize_with = "whole_u64")]
    pub limit: u64,
}

/// Parses a Postal webhook body into its typed form.
///
/// # Errors
///
/// A [`ParseError`] rejection when the body is not a Postal webhook as documented in the
/// [module docs](self).
///
/// # Example
///
/// ```
/// use hookcheck::parsers::postal::{self, EventName, Payload};
///
/// let body = br#"{"event":"SendLimitExceeded","timestamp":1745840000.0,"payload":{"server":{"uuid":"54529725-8807-4069-ab29-a3746c1bbd98","name":"Mail","permalink":"mail","organization":null},"volume":0,"limit":0},"uuid":"31832909-22db-4b7d-8f09-93fd6853736b"}"#;
/// let hook = postal::parse(body).unwrap();
/// assert_eq!(hook.event, EventName::SendLimitExceeded);
/// assert!(matches!(hook.payload, Payload::SendLimit(ref p) if p.limit == 0));
/// ```
pub fn parse(body: &[u8]) -> Result<Webhook<'_>, ParseError> {
    let (event, timestamp, payload, uuid) = parse_with(body, std::convert::identity)?;
    Ok(Webhook {
        event,
        timestamp,
        payload,
        uuid,
    })
}

/// Parses and checks a body exactly like [`parse`], but keeps only the key fields: the
/// payload is reduced to them as soon as it has been read, so the full model is never moved
/// around.
pub(crate) fn parse_event(body: &[u8]) -> Result<ParsedEvent<'_>, ParseError> {
    let (event, timestamp, keys, uuid) = parse_with(body, Keys::of)?;
    Ok(ParsedEvent {
        event: Some(Cow::Borrowed(event.as_str())),
        event_id: Some(uuid),
        message_id: keys.message_id,
        timestamp: Some(timestamp),
        recipient: keys.recipient,
    })
}

/// What is kept of a payload: `then` is applied to it as soon as it has been deserialized.
trait Reduced {
    /// The delivery status of a status event.
    fn status(&self) -> Option<DeliveryStatus>;
    /// The `*_error` field of `DomainDNSError` that contradicts its status, if any.
    fn dns_contradiction(&self) -> Option<&'static str>;
}

impl Reduced for Payload<'_> {
    fn status(&self) -> Option<DeliveryStatus> {
        match self {
            Payload::Status(p) => Some(p.status),
            _ => None,
        }
    }

    fn dns_contradiction(&self) -> Option<&'static str> {
        match self {
            Payload::DnsError(p) => p.contradiction(),
            _ => None,
        }
    }
}

/// The key fields of a payload, and what the checks after parsing need.
struct Keys<'a> {
    status: Option<DeliveryStatus>,
    dns_contradiction: Option<&'static str>,
    message_id: Option<Cow<'a, str>>,
    recipient: Option<Cow<'a, str>>,
}

impl<'a> Keys<'a> {
    fn of(payload: Payload<'a>) -> Self {
        let status = payload.status();
        let dns_contradiction = payload.dns_contradiction();
        let (message_id, recipient) = payload.into_keys();
        Self {
            status,
            dns_contradiction,
            message_id,
            recipient,
        }
    }
}

impl Reduced for Keys<'_> {
    fn status(&self) -> Option<DeliveryStatus> {
        self.status
    }

    fn dns_contradiction(&self) -> Option<&'static str> {
        self.dns_contradiction
    }
}

impl DnsErrorPayload<'_> {
    /// The first `*_error` field that is `null` although its status is not `OK`, or a string
    /// although it is (Postal sets the error exactly when the check failed).
    #[must_use]
    pub fn contradiction(&self) -> Option<&'static str> {
        [
            ("spf_error", self.spf_status, self.spf_error.is_some()),
            ("dkim_error", self.dkim_status, self.dkim_error.is_some()),
            ("mx_error", self.mx_status, self.mx_error.is_some()),
            (
                "return_path_error",
                self.return_path_status,
                self.return_path_error.is_some(),
            ),
        ]
        .into_iter()
        .find(|(_, status, has_error)| (*status == DnsStatus::Ok) == *has_error)
        .map(|(field, _, _)| field)
    }
}

impl<'a> Payload<'a> {
    fn into_keys(self) -> (Option<Cow<'a, str>>, Option<Cow<'a, str>>) {
        let message = match self {
            Payload::Status(p) => p.message,
            Payload::Bounced(p) => p.original_message,
            Payload::LinkClicked(p) => p.message,
            Payload::Loaded(p) => p.message,
            Payload::DnsError(_) | Payload::SendLimit(_) => return (None, None),
        };
        (Some(message.id.into_text()), message.to)
    }
}

type Parts<'a, T> = (EventName, Timestamp<'a>, T, Cow<'a, str>);

fn parse_with<'a, T, F>(body: &'a [u8], then: F) -> Result<Parts<'a, T>, ParseError>
where
    T: Reduced,
    F: FnOnce(Payload<'a>) -> T + Copy,
{
    let Read {
        event,
        data: payload,
        members: (timestamp, uuid),
    } = envelope::read::<Postal, _, _>(body, then)?;
    if let (Some(expected), Some(status)) = (event.status(), payload.status())
        && status != expected
    {
        return Err(ParseError::InvalidValue {
            pointer: JsonPointer::root().push("payload").push("status"),
            detail: format!(
                "{} carries status {:?}, not {:?}",
                event.as_str(),
                status.as_str(),
                expected.as_str()
            ),
        });
    }
    if let Some(field) = payload.dns_contradiction() {
        return Err(ParseError::InvalidValue {
            pointer: JsonPointer::root().push("payload").push(field),
            detail: "an error text must be present exactly when its check is not OK".to_owned(),
        });
    }
    Ok((event, timestamp, payload, uuid))
}

impl<'a> Webhook<'a> {
    /// The key fields in the common vocabulary.
    #[must_use]
    pub fn into_event(self) -> ParsedEvent<'a> {
        let (message_id, recipient) = self.payload.into_keys();
        ParsedEvent {
            event: Some(Cow::Borrowed(self.event.as_str())),
            event_id: Some(self.uuid),
            message_id,
            timestamp: Some(self.timestamp),
            recipient,
        }
    }
}

/// The Postal envelope: `event`, `timestamp`, `payload`, `uuid`.
struct Postal;

/// `timestamp` and `uuid`, as read so far.
#[derive(Default)]
struct Members<'a> {
    timestamp: Option<Timestamp<'a>>,
    uuid: Option<Cow<'a, str>>,
}

impl<'de> Envelope<'de> for Postal {
    const VENDOR: Vendor = Vendor::POSTAL;
    const EXPECTING: &'static str = "a Postal webhook envelope object";
    const EVENT: &'static str = "event";
    const DATA: &'static str = "payload";
    const FOREIGN: Option<(&'static str, &'static str)> = None;

    type Data = Payload<'de>;
    type Members = Members<'de>;
    /// `timestamp` and `uuid`.
    type Complete = (Timestamp<'de>, Cow<'de, str>);

    fn member<A: MapAccess<'de>>(
        members: &mut Members<'de>,
        key: &str,
        map: &mut A,
    ) -> Result<bool, A::Error> {
        match key {
            "timestamp" => {
                let NumberTime(t) = map.next_value()?;
                once(&mut members.timestamp, "timestamp", t)?;
            }
            "uuid" => once(&mut members.uuid, "uuid", map.next_value_seed(CowStr)?)?,
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn complete<E: de::Error>(
        members: Members<'de>,
        event: bool,
        payload: bool,
    ) -> Result<Self::Complete, E> {
        present(event, "event")?;
        let timestamp = required(members.timestamp, "timestamp")?;
        present(payload, "payload")?;
        Ok((timestamp, required(members.uuid, "uuid")?))
    }
}
