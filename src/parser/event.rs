//! [`ParsedEvent`]: what a parser reports about an accepted payload, and [`Timestamp`], the
//! common representation of event times.

use std::borrow::Cow;

use super::time;

/// What a parser reports about a payload it accepted: the event name exactly as on the wire and
/// the key fields a certification run compares.
///
/// Strings borrow from the body when they need no unescaping, so a typed parser can report
/// without allocating; [`into_owned`](Self::into_owned) detaches the event from the body.
///
/// | field | Postal | msndr.net | GetMailer |
/// | --- | --- | --- | --- |
/// | `event` | `event` (`MessageSent`) | `event.name` (`clicked`) | `type` (`email.sent`) |
/// | `event_id` | envelope `uuid` | none | `id` |
/// | `message_id` | `payload.message.id`, or `payload.original_message.id` for `MessageBounced`, in decimal | `message.id` in decimal | `data.emailId` (`email.*` events) |
/// | `timestamp` | envelope `timestamp` | `event.timestamp` | envelope `timestamp` |
/// | `recipient` | `message.to` (`original_message.to` for bounces) when not null | none | `data.to` (`email.*` events) |
///
/// A field is `None` when the event has no such value. The event name itself is `None` only for
/// parsers whose [`fidelity`](super::WebhookParser::fidelity) is [`Fidelity::Verdict`].
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct ParsedEvent<'a> {
    /// The vendor's event name exactly as on the wire.
    pub event: Option<Cow<'a, str>>,
    /// The vendor's id of this event (stable across retries), if the vendor sends one.
    pub event_id: Option<Cow<'a, str>>,
    /// The vendor's id of the message the event is about, as a string (integers in decimal).
    pub message_id: Option<Cow<'a, str>>,
    /// When the event happened.
    pub timestamp: Option<Timestamp<'a>>,
    /// The recipient address the event is about, if the payload names one.
    pub recipient: Option<Cow<'a, str>>,
}

impl<'a> ParsedEvent<'a> {
    /// An event with this wire name and no key fields yet.
    #[must_use]
    pub fn new(event: impl Into<Cow<'a, str>>) -> Self {
        Self {
            event: Some(event.into()),
            ..Self::default()
        }
    }

    /// An acceptance that reports nothing but the verdict (for [`Fidelity::Verdict`] parsers).
    #[must_use]
    pub fn verdict_only() -> Self {
        Self::default()
    }

    /// Sets the event id.
    #[must_use]
    pub fn with_event_id(mut self, id: impl Into<Cow<'a, str>>) -> Self {
        self.event_id = Some(id.into());
        self
    }

    /// Sets the message id.
    #[must_use]
    pub fn with_message_id(mut self, id: impl Into<Cow<'a, str>>) -> Self {
        self.message_id = Some(id.into());
        self
    }

    /// Sets the timestamp.
    #[must_use]
    pub fn with_timestamp(mut self, timestamp: Timestamp<'a>) -> Self {
        self.timestamp = Some(timestamp);
        self
    }

    /// Sets the recipient.
    #[must_use]
    pub fn with_recipient(mut self, recipient: impl Into<Cow<'a, str>>) -> Self {
        self.recipient = Some(recipient.into());
        self
    }

    /// The event name, or `""` for a verdict-only acceptance.
    #[must_use]
    pub fn event_name(&self) -> &str {
        self.event.as_deref().unwrap_or("")
    }

    /// Copies every borrowed string so the event outlives the body.
    #[must_use]
    pub fn into_owned(self) -> ParsedEvent<'static> {
        ParsedEvent {
            event: self.event.map(owned),
            event_id: self.event_id.map(owned),
            message_id: self.message_id.map(owned),
            timestamp: self.timestamp.map(Timestamp::into_owned),
            recipient: self.recipient.map(owned),
        }
    }
}

fn owned(s: Cow<'_, str>) -> Cow<'static, str> {
    Cow::Owned(s.into_owned())
}

/// How much a parser reports when it accepts a payload, from most to least.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Fidelity {
    /// The event name and key fields of [`ParsedEvent`]; a certification run compares them.
    Fields,
    /// The event name only; `reports-fields` does not apply.
    Event,
    /// Only accept or reject (for example a webhook receiver behind an HTTP adapter that answers
    /// 200 with no body); `reports-event` and `reports-fields` do not apply.
    Verdict,
}

impl Fidelity {
    /// Every level, most first.
    pub const ALL: [Fidelity; 3] = [Fidelity::Fields, Fidelity::Event, Fidelity::Verdict];

    /// `fields`, `event` or `verdict`, as the CLI, the exec handshake and reports spell it.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Fidelity::Fields => "fields",
            Fidelity::Event => "event",
            Fidelity::Verdict => "verdict",
        }
    }

    /// Whether accepted answers carry the wire event name.
    #[must_use]
    pub fn reports_event(self) -> bool {
        self != Fidelity::Verdict
    }

    /// Whether accepted answers carry the key fields.
    #[must_use]
    pub fn reports_fields(self) -> bool {
        self == Fidelity::Fields
    }
}

impl std::fmt::Display for Fidelity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Fidelity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Fidelity::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| format!("unknown fidelity {s:?} (known: fields, event, verdict)"))
    }
}

/// An event time: the text as on the wire plus Unix seconds as `f64`.
///
/// Normalisation, which every adapter must reproduce to compare equal:
///
/// - A JSON number (Postal's float seconds, msndr.net's integer seconds): `raw` is the number
///   literal as written (`1745838120.770091`, `1539062173`); the Unix value is that literal
///   parsed as the nearest `f64`.
/// - An RFC 3339 `date-time` string (GetMailer): `raw` is the string's content. The Unix value is
///   the whole seconds since 1970-01-01T00:00:00Z (offset applied; a leap second `60` counts as
///   the following second) converted to `f64`, plus the fraction digits read as the `f64`
///   `0.<digits>`, added once in IEEE double arithmetic. In Python:
///   `float(whole) + float("0." + digits)`. `T` and `Z` may be lower-case. Text that is not an
///   RFC 3339 date-time has no Unix value.
///
/// [`matches`](Self::matches) compares instants to the microsecond.
///
/// # Example
///
/// ```
/// use hookcheck::parser::Timestamp;
///
/// let postal = Timestamp::from_number("1745838120.5").unwrap();
/// assert_eq!(postal.unix_seconds(), Some(1_745_838_120.5));
///
/// let getmailer = Timestamp::from_rfc3339("2025-04-28T12:02:00.5+01:00");
/// assert_eq!(getmailer.unix_seconds(), Some(1_745_838_120.5));
/// assert!(postal.matches(&getmailer));
///
/// assert_eq!(Timestamp::from_rfc3339("yesterday").unix_seconds(), None);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Timestamp<'a> {
    raw: Cow<'a, str>,
    unix_seconds: Option<f64>,
}

impl<'a> Timestamp<'a> {
    /// A timestamp from its raw text and an already computed Unix value.
    #[must_use]
    pub fn new(raw: impl Into<Cow<'a, str>>, unix_seconds: Option<f64>) -> Self {
        Self {
            raw: raw.into(),
            unix_seconds,
        }
    }

    /// A timestamp from a JSON number literal; `None` unless `literal` is one (and finite).
    #[must_use]
    pub fn from_number(literal: impl Into<Cow<'a, str>>) -> Option<Self> {
        let raw = literal.into();
        let value = time::parse_json_number(&raw)?;
        Some(Self {
            raw,
            unix_seconds: Some(value),
        })
    }

    /// A timestamp from RFC 3339 `date-time` text; the Unix value is `None` if it is not one.
    #[must_use]
    pub fn from_rfc3339(text: impl Into<Cow<'a, str>>) -> Self {
        let raw = text.into();
        let unix_seconds = time::parse_rfc3339(&raw);
        Self { raw, unix_seconds }
    }

    /// The text as on the wire (a number literal, or a string's unescaped content).
    #[must_use]
    pub fn raw(&self) -> &str {
        &self.raw
    }

    /// Seconds since the Unix epoch, if the text is a recognised time.
    #[must_use]
    pub fn unix_seconds(&self) -> Option<f64> {
        self.unix_seconds
    }

    /// Whether both name the same instant to within a microsecond, or, when neither has a Unix
    /// value, whether their raw texts are equal.
    #[must_use]
    pub fn matches(&self, other: &Timestamp<'_>) -> bool {
        match (self.unix_seconds, other.unix_seconds) {
            (Some(a), Some(b)) => (a - b).abs() <= 1e-6,
            (None, None) => self.raw == other.raw,
            _ => false,
        }
    }

    /// Copies the raw text so the timestamp outlives the body.
    #[must_use]
    pub fn into_owned(self) -> Timestamp<'static> {
        Timestamp {
            raw: Cow::Owned(self.raw.into_owned()),
            unix_seconds: self.unix_seconds,
        }
    }
}
