//! Reference parser for Resend webhooks.
//!
//! Every body is the envelope `{"type", "created_at", "data"}`: `type` one of seventeen dotted
//! names ([`EventName::ALL`]), `created_at` an RFC 3339 string, `data` an object whose
//! snake_case fields depend on the type (`schemas/resend/`, `docs/vendor-notes/resend.md`).
//! There is no event id in the body (the delivery id is the `svix-id` header), so
//! [`Webhook::into_event`] reports none.
//!
//! - The `email.*` events but `email.received` share [`Email`]: `created_at`, `email_id`,
//!   `from`, `to` (an array of addresses) and `subject` are required; `broadcast_id`,
//!   `message_id`, `template_id` and `tags` (an object of string values) may be absent.
//!   `email.bounced`, `email.clicked`, `email.failed` and `email.suppressed` add a required
//!   object (`bounce`, `click`, `failed`, `suppressed`) with camelCase keys.
//! - `email.received` ([`EmailReceived`]) has its own shape, with `cc`, `bcc`, `received_for` and
//!   `attachments` optional.
//! - The `contact.*` events carry the contact ([`Contact`]), the `domain.*` events the domain
//!   ([`Domain`]) with its DNS records.
//!
//! No documented field is `null` except `first_name`/`last_name` of a contact and
//! `filename`/`content_disposition`/`content_id` of an attachment, which may also be absent.
//! Formats (UUID, e-mail, URI, date-time, IP address), lengths and array sizes are not checked:
//! the [reject policy](crate::parser::policy) lets a parser accept them, and `created_at` that
//! is not RFC 3339 is reported with no Unix value. Values that are described with examples
//! rather than a closed list (`bounce.type`, domain `status`, record `type`) are kept as text.
//!
//! Unknown extra keys are ignored everywhere. The envelope is read in one pass when `type` comes
//! before `data`, as in every documented example.

use std::{borrow::Cow, fmt};

use serde::{
    Deserialize,
    de::{self, Deserializer, MapAccess, Visitor},
};

use super::{
    de::{
        CowStr, nullable_str, object, object_list, once, some_object_list, some_str, some_str_list,
        str_list, whole_u64,
    },
    envelope::{self, Envelope, Read, events, present, required},
};
use crate::{
    catalog::Vendor,
    parser::{ParseError, ParsedEvent, Timestamp},
};

events! {
    /// A Resend event type.
    pub enum EventName;
    /// The `data` object of a Resend webhook, one variant per event type.
    #[derive(Debug, Clone)]
    pub enum Data<'a> {
        /// Sent: the API request succeeded and Resend will attempt delivery.
        EmailSent = "email.sent" => EmailSent(Email<'a>),
        /// Scheduled for later sending.
        EmailScheduled = "email.scheduled" => EmailScheduled(Email<'a>),
        /// Delivered to the recipient's mail server.
        EmailDelivered = "email.delivered" => EmailDelivered(Email<'a>),
        /// Delivery was delayed (temporarily).
        EmailDeliveryDelayed = "email.delivery_delayed" => EmailDeliveryDelayed(Email<'a>),
        /// Marked as spam by the recipient.
        EmailComplained = "email.complained" => EmailComplained(Email<'a>),
        /// Bounced.
        EmailBounced = "email.bounced" => EmailBounced(EmailBounced<'a>),
        /// Opened (open tracking).
        EmailOpened = "email.opened" => EmailOpened(Email<'a>),
        /// A link was clicked (click tracking).
        EmailClicked = "email.clicked" => EmailClicked(EmailClicked<'a>),
        /// Could not be sent.
        EmailFailed = "email.failed" => EmailFailed(EmailFailed<'a>),
        /// Not sent: the recipient is on the suppression list.
        EmailSuppressed = "email.suppressed" => EmailSuppressed(EmailSuppressed<'a>),
        /// An inbound e-mail was received.
        EmailReceived = "email.received" => EmailReceived(EmailReceived<'a>),
        /// A contact was created.
        ContactCreated = "contact.created" => ContactCreated(Contact<'a>),
        /// A contact was updated.
        ContactUpdated = "contact.updated" => ContactUpdated(Contact<'a>),
        /// A contact was deleted.
        ContactDeleted = "contact.deleted" => ContactDeleted(Contact<'a>),
        /// A domain was added.
        DomainCreated = "domain.created" => DomainCreated(Domain<'a>),
        /// A domain was updated.
        DomainUpdated = "domain.updated" => DomainUpdated(Domain<'a>),
        /// A domain was removed.
        DomainDeleted = "domain.deleted" => DomainDeleted(Domain<'a>),
    }
    impl {
        /// `(email_id, to)` of the `email.*` events.
        #[must_use]
        pub fn email(&self) -> Option<(&Cow<'a, str>, &[Cow<'a, str>])>;
        /// `(email_id, first of to)` of the `email.*` events, by value.
        fn into_keys(self) -> Keys<'a>;
    }
}

/// The message id and recipient of an event, if it names them.
type Keys<'a> = (Option<Cow<'a, str>>, Option<Cow<'a, str>>);

/// The key fields of an event's data: the e-mail's of the `email.*` events, none of the others.
trait EventKeys<'a>: Sized {
    /// `(email_id, to)`.
    fn email(&self) -> Option<(&Cow<'a, str>, &[Cow<'a, str>])> {
        None
    }

    /// `(email_id, first of to)`, by value.
    fn into_keys(self) -> Keys<'a> {
        (None, None)
    }
}

/// The key fields of an e-mail's data.
macro_rules! email_keys {
    ($name:ident) => {
        impl<'a> EventKeys<'a> for $name<'a> {
            fn email(&self) -> Option<(&Cow<'a, str>, &[Cow<'a, str>])> {
                Some((&self.email_id, &self.to[..]))
            }

            fn into_keys(self) -> Keys<'a> {
                (Some(self.email_id), self.to.into_iter().next())
            }
        }
    };
}

/// A Resend webhook: the envelope with its typed data.
#[derive(Debug, Clone)]
pub struct Webhook<'a> {
    /// `type`.
    pub event: EventName,
    /// `created_at`: when the event happened.
    pub created_at: Timestamp<'a>,
    /// `data`, typed by the event.
    pub data: Data<'a>,
}

/// Declares the `data` struct of an `email.*` event (but `email.received`): the fields every
/// one has, then its own (each public).
macro_rules! email_event {
    ($(#[$meta:meta])* $name:ident { $($(#[$fmeta:meta])* $field:ident : $ty:ty,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Deserialize)]
        pub struct $name<'a> {
            /// When the e-mail was created.
            #[serde(borrow)]
            pub created_at: Cow<'a, str>,
            /// The e-mail's id (as the send API returned it).
            #[serde(borrow)]
            pub email_id: Cow<'a, str>,
            /// The sender, as given to the send API (`Name <address>` or an address).
            #[serde(borrow)]
            pub from: Cow<'a, str>,
            /// The impacted recipient addresses.
            #[serde(borrow, deserialize_with = "str_list")]
            pub to: Vec<Cow<'a, str>>,
            /// The subject line.
            #[serde(borrow)]
            pub subject: Cow<'a, str>,
            /// The broadcast the e-mail belongs to, if any.
            #[serde(borrow, default, deserialize_with = "some_str")]
            pub broadcast_id: Option<Cow<'a, str>>,
            /// The e-mail's Message-ID header, if given.
            #[serde(borrow, default, deserialize_with = "some_str")]
            pub message_id: Option<Cow<'a, str>>,
            /// The template used, if any.
            #[serde(borrow, default, deserialize_with = "some_str")]
            pub template_id: Option<Cow<'a, str>>,
            /// The tags given when sending, if any.
            #[serde(borrow, default, deserialize_with = "some_tags")]
            pub tags: Option<Tags<'a>>,
            $( $(#[$fmeta])* pub $field: $ty, )*
        }

        email_keys!($name);
    };
}

email_event!(
    /// The `data` of `email.sent`, `email.scheduled`, `email.delivered`,
    /// `email.delivery_delayed`, `email.complained` and `email.opened`.
    Email {}
);

email_event!(
    /// `email.bounced` data.
    EmailBounced {
        /// The bounce.
        #[serde(borrow, deserialize_with = "object")]
        bounce: Bounce<'a>,
    }
);

email_event!(
    /// `email.clicked` data.
    EmailClicked {
        /// The click.
        #[serde(borrow, deserialize_with = "object")]
        click: Click<'a>,
    }
);

email_event!(
    /// `email.failed` data.
    EmailFailed {
        /// The failure.
        #[serde(borrow, deserialize_with = "object")]
        failed: Failed<'a>,
    }
);

email_event!(
    /// `email.suppressed` data.
    EmailSuppressed {
        /// The suppression.
        #[serde(borrow, deserialize_with = "object")]
        suppressed: Suppressed<'a>,
    }
);

/// `data.bounce` of `email.bounced`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Bounce<'a> {
    /// Human-readable explanation.
    #[serde(borrow)]
    pub message: Cow<'a, str>,
    /// The bounce's subtype (e.g. `Suppressed`, `MessageRejected`).
    #[serde(borrow)]
    pub sub_type: Cow<'a, str>,
    /// The bounce type (e.g. `Permanent`, `Temporary`).
    #[serde(borrow, rename = "type")]
    pub kind: Cow<'a, str>,
    /// The receiving servers' SMTP replies, if given.
    #[serde(borrow, default, deserialize_with = "some_str_list")]
    pub diagnostic_code: Option<Vec<Cow<'a, str>>>,
}

/// `data.click` of `email.clicked`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Click<'a> {
    /// The client's address.
    #[serde(borrow)]
    pub ip_address: Cow<'a, str>,
    /// The link target.
    #[serde(borrow)]
    pub link: Cow<'a, str>,
    /// When the link was clicked.
    #[serde(borrow)]
    pub timestamp: Cow<'a, str>,
    /// The client's User-Agent.
    #[serde(borrow)]
    pub user_agent: Cow<'a, str>,
}

/// `data.failed` of `email.failed`.
#[derive(Debug, Clone, Deserialize)]
pub struct Failed<'a> {
    /// Why the e-mail could not be sent.
    #[serde(borrow)]
    pub reason: Cow<'a, str>,
}

/// `data.suppressed` of `email.suppressed`.
#[derive(Debug, Clone, Deserialize)]
pub struct Suppressed<'a> {
    /// Human-readable explanation.
    #[serde(borrow)]
    pub message: Cow<'a, str>,
    /// Why the address is suppressed (e.g. `OnAccountSuppressionList`).
    #[serde(borrow, rename = "type")]
    pub kind: Cow<'a, str>,
}

/// `email.received` data: an inbound e-mail.
#[derive(Debug, Clone, Deserialize)]
pub struct EmailReceived<'a> {
    /// The e-mail's id.
    #[serde(borrow)]
    pub email_id: Cow<'a, str>,
    /// When the e-mail was received.
    #[serde(borrow)]
    pub created_at: Cow<'a, str>,
    /// The sender.
    #[serde(borrow)]
    pub from: Cow<'a, str>,
    /// The recipient addresses.
    #[serde(borrow, deserialize_with = "str_list")]
    pub to: Vec<Cow<'a, str>>,
    /// The subject line.
    #[serde(borrow)]
    pub subject: Cow<'a, str>,
    /// Carbon-copy recipients, if given.
    #[serde(borrow, default, deserialize_with = "some_str_list")]
    pub cc: Option<Vec<Cow<'a, str>>>,
    /// Blind carbon-copy recipients, if given.
    #[serde(borrow, default, deserialize_with = "some_str_list")]
    pub bcc: Option<Vec<Cow<'a, str>>>,
    /// The addresses the e-mail was received for, if given.
    #[serde(borrow, default, deserialize_with = "some_str_list")]
    pub received_for: Option<Vec<Cow<'a, str>>>,
    /// The Message-ID header, if given.
    #[serde(borrow, default, deserialize_with = "some_str")]
    pub message_id: Option<Cow<'a, str>>,
    /// Attachment metadata, if any.
    #[serde(borrow, default, deserialize_with = "some_object_list")]
    pub attachments: Option<Vec<Attachment<'a>>>,
}

/// An attachment of `email.received` (metadata only).
#[derive(Debug, Clone, Deserialize)]
pub struct Attachment<'a> {
    /// The attachment's id.
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    /// File name, if any (absent or `null` otherwise).
    #[serde(borrow, default, deserialize_with = "nullable_str")]
    pub filename: Option<Cow<'a, str>>,
    /// MIME type.
    #[serde(borrow)]
    pub content_type: Cow<'a, str>,
    /// `Content-Disposition`, if any.
    #[serde(borrow, default, deserialize_with = "nullable_str")]
    pub content_disposition: Option<Cow<'a, str>>,
    /// `Content-ID`, if any.
    #[serde(borrow, default, deserialize_with = "nullable_str")]
    pub content_id: Option<Cow<'a, str>>,
}

/// The `data` of the `contact.*` events: the contact.
#[derive(Debug, Clone, Deserialize)]
pub struct Contact<'a> {
    /// The contact's id.
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    /// The audience the contact belongs to.
    #[serde(borrow)]
    pub audience_id: Cow<'a, str>,
    /// The segments the contact is in, if given.
    #[serde(borrow, default, deserialize_with = "some_str_list")]
    pub segment_ids: Option<Vec<Cow<'a, str>>>,
    /// When the contact was created.
    #[serde(borrow)]
    pub created_at: Cow<'a, str>,
    /// When the contact was last updated.
    #[serde(borrow)]
    pub updated_at: Cow<'a, str>,
    /// The contact's address.
    #[serde(borrow)]
    pub email: Cow<'a, str>,
    /// First name (absent or `null` when unknown).
    #[serde(borrow, default, deserialize_with = "nullable_str")]
    pub first_name: Option<Cow<'a, str>>,
    /// Last name (absent or `null` when unknown).
    #[serde(borrow, default, deserialize_with = "nullable_str")]
    pub last_name: Option<Cow<'a, str>>,
    /// Whether the contact unsubscribed from broadcasts.
    pub unsubscribed: bool,
}

/// The `data` of the `domain.*` events: the domain.
#[derive(Debug, Clone, Deserialize)]
pub struct Domain<'a> {
    /// The domain's id.
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    /// The domain name.
    #[serde(borrow)]
    pub name: Cow<'a, str>,
    /// The aggregated verification status (e.g. `not_started`, `verified`).
    #[serde(borrow)]
    pub status: Cow<'a, str>,
    /// When the domain was created.
    #[serde(borrow)]
    pub created_at: Cow<'a, str>,
    /// The sending region (e.g. `us-east-1`).
    #[serde(borrow)]
    pub region: Cow<'a, str>,
    /// The DNS records to publish.
    #[serde(borrow, deserialize_with = "object_list")]
    pub records: Vec<DnsRecord<'a>>,
}

/// One DNS record of a domain.
#[derive(Debug, Clone, Deserialize)]
pub struct DnsRecord<'a> {
    /// What the record is for (`SPF`, `DKIM`, `Receiving MX`, ...).
    #[serde(borrow)]
    pub record: Cow<'a, str>,
    /// The record's name.
    #[serde(borrow)]
    pub name: Cow<'a, str>,
    /// The DNS record type (`MX`, `TXT`, ...).
    #[serde(borrow, rename = "type")]
    pub kind: Cow<'a, str>,
    /// The TTL (`Auto`, or seconds as text).
    #[serde(borrow)]
    pub ttl: Cow<'a, str>,
    /// The record's verification status.
    #[serde(borrow)]
    pub status: Cow<'a, str>,
    /// The record's value.
    #[serde(borrow)]
    pub value: Cow<'a, str>,
    /// The MX priority, if any.
    #[serde(default, deserialize_with = "some_u64")]
    pub priority: Option<u64>,
}

/// The `tags` of an e-mail event: tag name to value, in body order.
#[derive(Debug, Clone, Default)]
pub struct Tags<'a>(pub Vec<(Cow<'a, str>, Cow<'a, str>)>);

impl<'a> Tags<'a> {
    /// The value of the tag `name`, if present.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&Cow<'a, str>> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Tags<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Tags<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of string tags")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Tags<'de>, A::Error> {
                let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0).min(16));
                while let Some(key) = map.next_key_seed(CowStr)? {
                    let value = map.next_value_seed(CowStr)?;
                    entries.push((key, value));
                }
                Ok(Tags(entries))
            }
        }
        d.deserialize_map(V)
    }
}

/// `deserialize_with` (with `default`) for optional `tags`.
fn some_tags<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Tags<'de>>, D::Error> {
    Tags::deserialize(d).map(Some)
}

/// `deserialize_with` (with `default`) for an optional non-negative integer.
fn some_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    whole_u64(d).map(Some)
}

email_keys!(EmailReceived);

impl EventKeys<'_> for Contact<'_> {}

impl EventKeys<'_> for Domain<'_> {}

/// Parses a Resend webhook body into its typed form.
///
/// # Errors
///
/// A [`ParseError`] rejection when the body is not a Resend webhook as documented in the
/// [module docs](self).
///
/// # Example
///
/// ```
/// use hookcheck::parsers::resend::{self, Data, EventName};
///
/// let body = br#"{"type":"email.failed","created_at":"2024-01-15T16:00:00Z","data":{"created_at":"2024-11-22T23:41:11.894719+00:00","email_id":"56761188-7520-42d8-8898-ff6fc54ce618","from":"Acme <onboarding@resend.dev>","to":["delivered@resend.dev"],"subject":"Hi","failed":{"reason":"reached_daily_quota"}}}"#;
/// let hook = resend::parse(body).unwrap();
/// assert_eq!(hook.event, EventName::EmailFailed);
/// assert_eq!(hook.created_at.unix_seconds(), Some(1_705_334_400.0));
/// assert!(matches!(hook.data, Data::EmailFailed(ref d) if d.failed.reason == "reached_daily_quota"));
/// assert!(resend::parse(br#"{"type":"email.failed","created_at":"x","data":[]}"#).is_err());
/// ```
pub fn parse(body: &[u8]) -> Result<Webhook<'_>, ParseError> {
    let (event, created_at, data) = parse_with(body, std::convert::identity)?;
    Ok(Webhook {
        event,
        created_at,
        data,
    })
}

/// Parses and checks a body exactly like [`parse`], but keeps only the key fields: the data is
/// reduced to them as soon as it has been read.
///
/// # Errors
///
/// As [`parse`].
///
/// # Example
///
/// ```
/// let body = br#"{"type":"contact.deleted","created_at":"2024-11-17T19:32:22.980Z","data":{"id":"e169aa45-1ecf-4183-9955-b1499d5701d3","audience_id":"78261eea-8f8b-4381-83c6-79fa7120f1cf","created_at":"2024-11-17T19:32:22.980Z","updated_at":"2024-11-17T19:32:22.980Z","email":"steve.wozniak@gmail.com","unsubscribed":false}}"#;
/// let event = hookcheck::parsers::resend::parse_event(body).unwrap();
/// assert_eq!(event.event_name(), "contact.deleted");
/// assert!(event.event_id.is_none() && event.message_id.is_none());
/// ```
pub fn parse_event(body: &[u8]) -> Result<ParsedEvent<'_>, ParseError> {
    let (event, created_at, (message_id, recipient)) = parse_with(body, Data::into_keys)?;
    Ok(ParsedEvent {
        event: Some(Cow::Borrowed(event.as_str())),
        event_id: None,
        message_id,
        timestamp: Some(created_at),
        recipient,
    })
}

impl<'a> Webhook<'a> {
    /// The key fields in the common vocabulary: no event id (the body carries none), the
    /// `email_id` and first `to` address of the `email.*` events, and `created_at`.
    #[must_use]
    pub fn into_event(self) -> ParsedEvent<'a> {
        let (message_id, recipient) = self.data.into_keys();
        ParsedEvent {
            event: Some(Cow::Borrowed(self.event.as_str())),
            event_id: None,
            message_id,
            timestamp: Some(self.created_at),
            recipient,
        }
    }
}

type Parts<'a, T> = (EventName, Timestamp<'a>, T);

fn parse_with<'a, T, F>(body: &'a [u8], then: F) -> Result<Parts<'a, T>, ParseError>
where
    F: FnOnce(Data<'a>) -> T + Copy,
{
    let Read {
        event,
        data,
        members: created_at,
    } = envelope::read::<Resend, _, _>(body, then)?;
    Ok((event, Timestamp::from_rfc3339(created_at), data))
}

/// The Resend envelope: `type`, `created_at`, `data`.
struct Resend;

impl<'de> Envelope<'de> for Resend {
    const VENDOR: Vendor = Vendor::RESEND;
    const EXPECTING: &'static str = "a Resend webhook envelope object";
    const EVENT: &'static str = "type";
    const DATA: &'static str = "data";
    /// GetMailer's envelope member.
    const FOREIGN: Option<(&'static str, &'static str)> = Some((
        "timestamp",
        "a `timestamp` member: GetMailer's envelope, not Resend's",
    ));

    type Data = Data<'de>;
    /// `created_at`, as read so far.
    type Members = Option<Cow<'de, str>>;
    /// `created_at`.
    type Complete = Cow<'de, str>;

    fn member<A: MapAccess<'de>>(
        created_at: &mut Option<Cow<'de, str>>,
        key: &str,
        map: &mut A,
    ) -> Result<bool, A::Error> {
        if key != "created_at" {
            return Ok(false);
        }
        once(created_at, "created_at", map.next_value_seed(CowStr)?)?;
        Ok(true)
    }

    fn complete<E: de::Error>(
        created_at: Option<Cow<'de, str>>,
        event: bool,
        data: bool,
    ) -> Result<Cow<'de, str>, E> {
        present(event, "type")?;
        let created_at = required(created_at, "created_at")?;
        present(data, "data")?;
        Ok(created_at)
    }
}
