//! Reference parser for GetMailer webhooks.
//!
//! Every body is the envelope `{"id", "type", "timestamp", "data"}`: `id` the event id
//! (`evt_…`), `type` one of seventeen dotted names ([`EventName::ALL`]), `timestamp` an ISO-8601
//! string, `data` an object whose camelCase fields depend on the type (vendor page "Webhook
//! Events"). Every documented field has its documented type and is never `null`; the fields the
//! documentation shows on every event are required, and these may be absent: `tags`
//! (`email.sent`), `diagnosticCode` (`email.bounced`), `originalEventAt` (`email.suppressed`),
//! `timezone` (`email.scheduled`), `textBody`/`htmlBody`/`attachments` (`email.received`) and
//! `firstName`/`lastName`/`customFields` (`contact.created`). `retryCount` and attachment `size`
//! are integers, the `domain.verified` flags booleans, `tags` an array of strings, and
//! `bounceType`, the suppression `reason` and the contact deletion `reason` are checked against
//! their documented values. Date fields and `timestamp` are strings whose format is not checked
//! (a `timestamp` that is not RFC 3339 is reported with no Unix value). `customFields` is any
//! object, and each entry of `changes` an object with the keys `old` and `new` (any values).
//!
//! Unknown extra keys are ignored everywhere. The envelope is read in one pass when `type` comes
//! before `data`, as in every documented example.

use std::{borrow::Cow, fmt};

use serde::{
    Deserialize,
    de::{self, Deserializer, MapAccess, Visitor},
};
use serde_json::value::RawValue;

use super::{
    de::{
        CowStr, ObjectSeed, RawObject, object_list, once, some_object, some_object_list, some_str,
        some_str_list, str_enum, whole_u64,
    },
    envelope::{self, Envelope, Read, events, present, required},
};
use crate::{
    catalog::Vendor,
    parser::{ParseError, ParsedEvent, Timestamp},
};

events! {
    /// A GetMailer event type.
    pub enum EventName;
    /// The `data` object of a GetMailer webhook, one variant per event type.
    #[derive(Debug, Clone)]
    pub enum Data<'a> {
        /// Accepted by the recipient's mail server.
        EmailSent = "email.sent" => EmailSent(EmailSent<'a>),
        /// Confirmed delivered to the inbox.
        EmailDelivered = "email.delivered" => EmailDelivered(EmailDelivered<'a>),
        /// Bounced (hard or soft).
        EmailBounced = "email.bounced" => EmailBounced(EmailBounced<'a>),
        /// Marked as spam by the recipient.
        EmailComplained = "email.complained" => EmailComplained(EmailComplained<'a>),
        /// Opened (open tracking).
        EmailOpened = "email.opened" => EmailOpened(EmailOpened<'a>),
        /// A link was clicked (click tracking).
        EmailClicked = "email.clicked" => EmailClicked(EmailClicked<'a>),
        /// Delivery was delayed.
        EmailDeliveryDelayed = "email.delivery_delayed" => EmailDeliveryDelayed(EmailDeliveryDelayed<'a>),
        /// Not sent: the recipient is on the suppression list.
        EmailSuppressed = "email.suppressed" => EmailSuppressed(EmailSuppressed<'a>),
        /// Scheduled for later delivery.
        EmailScheduled = "email.scheduled" => EmailScheduled(EmailScheduled<'a>),
        /// An inbound e-mail was received.
        EmailReceived = "email.received" => EmailReceived(EmailReceived<'a>),
        /// A contact was added to an audience.
        ContactCreated = "contact.created" => ContactCreated(ContactCreated<'a>),
        /// A contact was updated.
        ContactUpdated = "contact.updated" => ContactUpdated(ContactUpdated<'a>),
        /// A contact was removed from an audience.
        ContactDeleted = "contact.deleted" => ContactDeleted(ContactDeleted<'a>),
        /// A sending domain was added.
        DomainCreated = "domain.created" => DomainCreated(DomainCreated<'a>),
        /// A domain's settings changed.
        DomainUpdated = "domain.updated" => DomainUpdated(DomainUpdated<'a>),
        /// A domain was removed.
        DomainDeleted = "domain.deleted" => DomainDeleted(DomainDeleted<'a>),
        /// A domain passed DNS verification.
        DomainVerified = "domain.verified" => DomainVerified(DomainVerified<'a>),
    }
    impl {
        /// `(emailId, to)` of the `email.*` events.
        #[must_use]
        pub fn email(&self) -> Option<(&Cow<'a, str>, &Cow<'a, str>)>;
        /// `(emailId, to)` of the `email.*` events, by value.
        fn into_keys(self) -> Keys<'a>;
    }
}

/// The message id and recipient of an event, if it names them.
type Keys<'a> = (Option<Cow<'a, str>>, Option<Cow<'a, str>>);

/// The key fields of an event's data: the e-mail's of the `email.*` events, none of the others.
trait EventKeys<'a>: Sized {
    /// `(emailId, to)`.
    fn email(&self) -> Option<(&Cow<'a, str>, &Cow<'a, str>)> {
        None
    }

    /// `(emailId, to)`, by value.
    fn into_keys(self) -> Keys<'a> {
        (None, None)
    }
}

str_enum! {
    /// `data.bounceType` of `email.bounced`.
    pub enum BounceType {
        /// Permanent failure.
        Hard = "hard",
        /// Temporary failure.
        Soft = "soft",
    }
}

str_enum! {
    /// `data.reason` of `email.suppressed`.
    pub enum SuppressionReason {
        /// An earlier e-mail to the address bounced.
        Bounce = "BOUNCE",
        /// The recipient complained earlier.
        Complaint = "COMPLAINT",
        /// Added to the list by hand.
        Manual = "MANUAL",
    }
}

str_enum! {
    /// `data.reason` of `contact.deleted`.
    pub enum DeletionReason {
        /// The contact unsubscribed.
        Unsubscribed = "unsubscribed",
        /// Deleted by hand.
        Manual = "manual",
        /// Removed after a hard bounce.
        Bounced = "bounced",
        /// Removed after a spam complaint.
        Complained = "complained",
    }
}

/// A GetMailer webhook: the envelope with its typed data.
#[derive(Debug, Clone)]
pub struct Webhook<'a> {
    /// `id`: the event id (stable across retries).
    pub id: Cow<'a, str>,
    /// `type`.
    pub event: EventName,
    /// `timestamp`.
    pub timestamp: Timestamp<'a>,
    /// `data`, typed by the event.
    pub data: Data<'a>,
}

/// Declares the `data` struct of one event: the fields its family shares, then its own (each
/// public).
macro_rules! data_struct {
    (
        $(#[$meta:meta])* $name:ident [$($common:tt)*]
        { $($(#[$fmeta:meta])* $field:ident : $ty:ty,)* }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Deserialize)]
        #[serde(rename_all = "camelCase")]
        pub struct $name<'a> {
            $($common)*
            $( $(#[$fmeta])* pub $field: $ty, )*
        }
    };
}

/// Declares the `data` struct of an `email.*` event: `emailId`, `from`, `to`, `subject`, then
/// its own fields.
macro_rules! email_event {
    ($(#[$meta:meta])* $name:ident { $($own:tt)* }) => {
        data_struct!($(#[$meta])* $name [
            /// The e-mail's id.
            #[serde(borrow)]
            pub email_id: Cow<'a, str>,
            /// Sender address.
            #[serde(borrow)]
            pub from: Cow<'a, str>,
            /// Recipient address.
            #[serde(borrow)]
            pub to: Cow<'a, str>,
            /// Subject line.
            #[serde(borrow)]
            pub subject: Cow<'a, str>,
        ] { $($own)* });

        impl<'a> EventKeys<'a> for $name<'a> {
            fn email(&self) -> Option<(&Cow<'a, str>, &Cow<'a, str>)> {
                Some((&self.email_id, &self.to))
            }

            fn into_keys(self) -> Keys<'a> {
                (Some(self.email_id), Some(self.to))
            }
        }
    };
}

/// Declares the `data` struct of a `contact.*` event: `contactId`, `audienceId`,
/// `audienceName`, `email`, then its own fields.
macro_rules! contact_event {
    ($(#[$meta:meta])* $name:ident { $($own:tt)* }) => {
        data_struct!($(#[$meta])* $name [
            /// Contact id.
            #[serde(borrow)]
            pub contact_id: Cow<'a, str>,
            /// Audience id.
            #[serde(borrow)]
            pub audience_id: Cow<'a, str>,
            /// Audience name.
            #[serde(borrow)]
            pub audience_name: Cow<'a, str>,
            /// Contact address.
            #[serde(borrow)]
            pub email: Cow<'a, str>,
        ] { $($own)* });

        impl EventKeys<'_> for $name<'_> {}
    };
}

/// Declares the `data` struct of a `domain.*` event: `domainId`, `domain`, then its own
/// fields.
macro_rules! domain_event {
    ($(#[$meta:meta])* $name:ident { $($own:tt)* }) => {
        data_struct!($(#[$meta])* $name [
            /// Domain id.
            #[serde(borrow)]
            pub domain_id: Cow<'a, str>,
            /// Domain name.
            #[serde(borrow)]
            pub domain: Cow<'a, str>,
        ] { $($own)* });

        impl EventKeys<'_> for $name<'_> {}
    };
}

email_event!(
    /// `email.sent` data.
    EmailSent {
        /// Tags given when sending, if any.
        #[serde(borrow, default, deserialize_with = "some_str_list")]
        tags: Option<Vec<Cow<'a, str>>>,
    }
);
email_event!(
    /// `email.delivered` data.
    EmailDelivered {
        /// When delivery was confirmed.
        #[serde(borrow)]
        delivered_at: Cow<'a, str>,
    }
);
email_event!(
    /// `email.bounced` data.
    EmailBounced {
        /// Hard or soft.
        bounce_type: BounceType,
        /// Human-readable reason.
        #[serde(borrow)]
        bounce_reason: Cow<'a, str>,
        /// The receiving server's diagnostic, if any.
        #[serde(borrow, default, deserialize_with = "some_str")]
        diagnostic_code: Option<Cow<'a, str>>,
    }
);
email_event!(
    /// `email.complained` data.
    EmailComplained {
        /// When the complaint was received.
        #[serde(borrow)]
        complained_at: Cow<'a, str>,
    }
);
email_event!(
    /// `email.opened` data.
    EmailOpened {
        /// When the e-mail was opened.
        #[serde(borrow)]
        opened_at: Cow<'a, str>,
        /// The client's User-Agent.
        #[serde(borrow)]
        user_agent: Cow<'a, str>,
        /// The client's address.
        #[serde(borrow)]
        ip_address: Cow<'a, str>,
    }
);
email_event!(
    /// `email.clicked` data.
    EmailClicked {
        /// When the link was clicked.
        #[serde(borrow)]
        clicked_at: Cow<'a, str>,
        /// The link target.
        #[serde(borrow)]
        link: Cow<'a, str>,
        /// The client's User-Agent.
        #[serde(borrow)]
        user_agent: Cow<'a, str>,
        /// The client's address.
        #[serde(borrow)]
        ip_address: Cow<'a, str>,
    }
);
email_event!(
    /// `email.delivery_delayed` data.
    EmailDeliveryDelayed {
        /// When the delay happened.
        #[serde(borrow)]
        delayed_at: Cow<'a, str>,
        /// Why.
        #[serde(borrow)]
        reason: Cow<'a, str>,
        /// Retries so far.
        #[serde(deserialize_with = "whole_u64")]
        retry_count: u64,
        /// When the next retry is due.
        #[serde(borrow)]
        next_retry_at: Cow<'a, str>,
    }
);
email_event!(
    /// `email.suppressed` data.
    EmailSuppressed {
        /// When the e-mail was suppressed.
        #[serde(borrow)]
        suppressed_at: Cow<'a, str>,
        /// Why the address is on the list.
        reason: SuppressionReason,
        /// When the event that put it there happened, if known.
        #[serde(borrow, default, deserialize_with = "some_str")]
        original_event_at: Option<Cow<'a, str>>,
    }
);
email_event!(
    /// `email.scheduled` data.
    EmailScheduled {
        /// When the e-mail will be sent.
        #[serde(borrow)]
        scheduled_for: Cow<'a, str>,
        /// IANA time zone name, if given.
        #[serde(borrow, default, deserialize_with = "some_str")]
        timezone: Option<Cow<'a, str>>,
    }
);
email_event!(
    /// `email.received` data.
    EmailReceived {
        /// When the e-mail was received.
        #[serde(borrow)]
        received_at: Cow<'a, str>,
        /// Plain-text body, if any.
        #[serde(borrow, default, deserialize_with = "some_str")]
        text_body: Option<Cow<'a, str>>,
        /// HTML body, if any.
        #[serde(borrow, default, deserialize_with = "some_str")]
        html_body: Option<Cow<'a, str>>,
        /// Attachment metadata, if any.
        #[serde(borrow, default, deserialize_with = "some_object_list")]
        attachments: Option<Vec<Attachment<'a>>>,
    }
);

/// An attachment of `email.received` (metadata only).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attachment<'a> {
    /// File name.
    #[serde(borrow)]
    pub filename: Cow<'a, str>,
    /// MIME type.
    #[serde(borrow)]
    pub content_type: Cow<'a, str>,
    /// Size in bytes.
    #[serde(deserialize_with = "whole_u64")]
    pub size: u64,
}

contact_event!(
    /// `contact.created` data.
    ContactCreated {
        /// Given name, if known.
        #[serde(borrow, default, deserialize_with = "some_str")]
        first_name: Option<Cow<'a, str>>,
        /// Family name, if known.
        #[serde(borrow, default, deserialize_with = "some_str")]
        last_name: Option<Cow<'a, str>>,
        /// When the contact was created.
        #[serde(borrow)]
        created_at: Cow<'a, str>,
        /// Where the contact came from (`api`).
        #[serde(borrow)]
        source: Cow<'a, str>,
        /// Free-form custom fields, if any.
        #[serde(borrow, default, deserialize_with = "some_object")]
        custom_fields: Option<RawObject<'a>>,
    }
);

contact_event!(
    /// `contact.updated` data.
    ContactUpdated {
        /// When the contact was updated.
        #[serde(borrow)]
        updated_at: Cow<'a, str>,
        /// Changed fields.
        #[serde(borrow)]
        changes: Changes<'a>,
    }
);

contact_event!(
    /// `contact.deleted` data.
    ContactDeleted {
        /// When the contact was deleted.
        #[serde(borrow)]
        deleted_at: Cow<'a, str>,
        /// Why.
        reason: DeletionReason,
    }
);

domain_event!(
    /// `domain.created` data.
    DomainCreated {
        /// When it was added.
        #[serde(borrow)]
        created_at: Cow<'a, str>,
        /// Verification status (`pending`).
        #[serde(borrow)]
        status: Cow<'a, str>,
        /// DNS records to publish.
        #[serde(borrow, deserialize_with = "object_list")]
        dns_records: Vec<DnsRecord<'a>>,
    }
);

/// A DNS record of `domain.created`.
#[derive(Debug, Clone, Deserialize)]
pub struct DnsRecord<'a> {
    /// Record type (`TXT`).
    #[serde(borrow, rename = "type")]
    pub kind: Cow<'a, str>,
    /// Record name.
    #[serde(borrow)]
    pub name: Cow<'a, str>,
    /// Record value.
    #[serde(borrow)]
    pub value: Cow<'a, str>,
}

domain_event!(
    /// `domain.updated` data.
    DomainUpdated {
        /// When it changed.
        #[serde(borrow)]
        updated_at: Cow<'a, str>,
        /// Changed settings.
        #[serde(borrow)]
        changes: Changes<'a>,
    }
);

domain_event!(
    /// `domain.deleted` data.
    DomainDeleted {
        /// When it was removed.
        #[serde(borrow)]
        deleted_at: Cow<'a, str>,
    }
);

domain_event!(
    /// `domain.verified` data.
    DomainVerified {
        /// When verification completed.
        #[serde(borrow)]
        verified_at: Cow<'a, str>,
        /// DKIM verified.
        dkim_verified: bool,
        /// SPF verified.
        spf_verified: bool,
        /// DMARC verified.
        dmarc_verified: bool,
    }
);

/// The `changes` map of the `*.updated` events: field path to old and new value.
#[derive(Debug, Clone, Default)]
pub struct Changes<'a>(pub Vec<(Cow<'a, str>, Change<'a>)>);

/// One entry of [`Changes`].
#[derive(Debug, Clone, Deserialize)]
pub struct Change<'a> {
    /// The value before, as raw JSON.
    #[serde(borrow)]
    pub old: &'a RawValue,
    /// The value after, as raw JSON.
    #[serde(borrow)]
    pub new: &'a RawValue,
}

impl<'de: 'a, 'a> Deserialize<'de> for Changes<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Changes<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of {old, new} changes")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Changes<'de>, A::Error> {
                let mut entries = Vec::new();
                while let Some(key) = map.next_key_seed(CowStr)? {
                    let change = map.next_value_seed(ObjectSeed::<Change<'de>>::default())?;
                    entries.push((key, change));
                }
                Ok(Changes(entries))
            }
        }
        d.deserialize_map(V)
    }
}

/// Parses a GetMailer webhook body into its typed form.
///
/// # Errors
///
/// A [`ParseError`] rejection when the body is not a GetMailer webhook as documented in the
/// [module docs](self).
///
/// # Example
///
/// ```
/// use hookcheck::parsers::getmailer::{self, Data, EventName};
///
/// let body = br#"{"id":"evt_tuv678","type":"domain.deleted","timestamp":"2024-01-15T16:00:00Z","data":{"domainId":"clx1domain123","domain":"old.example.com","deletedAt":"2024-01-15T16:00:00Z"}}"#;
/// let hook = getmailer::parse(body).unwrap();
/// assert_eq!(hook.event, EventName::DomainDeleted);
/// assert_eq!(hook.timestamp.unix_seconds(), Some(1_705_334_400.0));
/// assert!(matches!(hook.data, Data::DomainDeleted(ref d) if d.domain == "old.example.com"));
/// ```
pub fn parse(body: &[u8]) -> Result<Webhook<'_>, ParseError> {
    let (id, event, timestamp, data) = parse_with(body, std::convert::identity)?;
    Ok(Webhook {
        id,
        event,
        timestamp,
        data,
    })
}

/// Parses and checks a body exactly like [`parse`], but keeps only the key fields: the data is
/// reduced to them as soon as it has been read.
pub(crate) fn parse_event(body: &[u8]) -> Result<ParsedEvent<'_>, ParseError> {
    let (id, event, timestamp, (message_id, recipient)) = parse_with(body, Data::into_keys)?;
    Ok(ParsedEvent {
        event: Some(Cow::Borrowed(event.as_str())),
        event_id: Some(id),
        message_id,
        timestamp: Some(timestamp),
        recipient,
    })
}

type Parts<'a, T> = (Cow<'a, str>, EventName, Timestamp<'a>, T);

fn parse_with<'a, T, F>(body: &'a [u8], then: F) -> Result<Parts<'a, T>, ParseError>
where
    F: FnOnce(Data<'a>) -> T + Copy,
{
    let Read {
        event,
        data,
        members: (id, timestamp),
    } = envelope::read::<GetMailer, _, _>(body, then)?;
    Ok((id, event, Timestamp::from_rfc3339(timestamp), data))
}

impl<'a> Webhook<'a> {
    /// The key fields in the common vocabulary.
    #[must_use]
    pub fn into_event(self) -> ParsedEvent<'a> {
        let (message_id, recipient) = self.data.into_keys();
        ParsedEvent {
            event: Some(Cow::Borrowed(self.event.as_str())),
            event_id: Some(self.id),
            message_id,
            timestamp: Some(self.timestamp),
            recipient,
        }
    }
}

/// The GetMailer envelope: `id`, `type`, `timestamp`, `data`.
struct GetMailer;

/// `id` and `timestamp`, as read so far.
#[derive(Default)]
struct Members<'a> {
    id: Option<Cow<'a, str>>,
    timestamp: Option<Cow<'a, str>>,
}

impl<'de> Envelope<'de> for GetMailer {
    const VENDOR: Vendor = Vendor::GETMAILER;
    const EXPECTING: &'static str = "a GetMailer webhook envelope object";
    const EVENT: &'static str = "type";
    const DATA: &'static str = "data";
    /// Resend's envelope member.
    const FOREIGN: Option<(&'static str, &'static str)> = Some((
        "created_at",
        "a `created_at` member: Resend's envelope, not GetMailer's",
    ));

    type Data = Data<'de>;
    type Members = Members<'de>;
    /// `id` and `timestamp`.
    type Complete = (Cow<'de, str>, Cow<'de, str>);

    fn member<A: MapAccess<'de>>(
        members: &mut Members<'de>,
        key: &str,
        map: &mut A,
    ) -> Result<bool, A::Error> {
        match key {
            "id" => once(&mut members.id, "id", map.next_value_seed(CowStr)?)?,
            "timestamp" => {
                once(
                    &mut members.timestamp,
                    "timestamp",
                    map.next_value_seed(CowStr)?,
                )?;
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn complete<E: de::Error>(
        members: Members<'de>,
        event: bool,
        data: bool,
    ) -> Result<Self::Complete, E> {
        let id = required(members.id, "id")?;
        present(event, "type")?;
        let timestamp = required(members.timestamp, "timestamp")?;
        present(data, "data")?;
        Ok((id, timestamp))
    }
}
