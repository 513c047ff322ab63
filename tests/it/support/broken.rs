//! Deliberately broken parsers, each with one realistic bug, for testing that certification
//! finds what it should. Outside its bug each behaves exactly like [`ReferenceParser`].
//!
//! | parser | bug |
//! | --- | --- |
//! | [`PanicsOnNullTag`] | panics on a Postal message whose `tag` is `null` (an `unwrap` on a nullable field) |
//! | [`AcceptsEverything`] | never rejects: a payload it cannot parse is reported as event `unknown` |
//! | [`MisreportsEvent`] | reports Postal `MessageDelayed` as `MessageDeliveryFailed` (soft and hard failures mixed up) |
//! | [`WrongMessageId`] | reports the bounce's id instead of the original message's for Postal `MessageBounced` |
//! | [`HangsOnAttachments`] | sleeps on GetMailer `email.received` events that have attachments |
//!
//! `tests/fixtures/crashing_adapter.py` is the exec-adapter counterpart: it exits on msndr.net
//! `hard_bounced` events.

use std::{borrow::Cow, time::Duration};

use hookcheck::{
    catalog::Vendor,
    parser::{ParseError, ParsedEvent, WebhookParser},
    parsers::{ReferenceParser, getmailer, postal},
};

/// Panics when a Postal event's message has a `null` tag.
#[derive(Debug, Default)]
pub(crate) struct PanicsOnNullTag;

impl WebhookParser for PanicsOnNullTag {
    fn parse<'a>(&self, vendor: Vendor, body: &'a [u8]) -> Result<ParsedEvent<'a>, ParseError> {
        if vendor == Vendor::POSTAL {
            let hook = postal::parse(body)?;
            if let Some(message) = hook.payload.message() {
                let tag = message.tag.as_deref();
                assert!(tag.is_some(), "called `Option::unwrap()` on a `None` value");
            }
            return Ok(hook.into_event());
        }
        ReferenceParser.parse(vendor, body)
    }

    fn name(&self) -> Cow<'_, str> {
        Cow::Borrowed("broken: panics on null tag")
    }
}

/// Accepts every body.
#[derive(Debug, Default)]
pub(crate) struct AcceptsEverything;

impl WebhookParser for AcceptsEverything {
    fn parse<'a>(&self, vendor: Vendor, body: &'a [u8]) -> Result<ParsedEvent<'a>, ParseError> {
        Ok(ReferenceParser
            .parse(vendor, body)
            .unwrap_or_else(|_| ParsedEvent::new("unknown")))
    }

    fn name(&self) -> Cow<'_, str> {
        Cow::Borrowed("broken: accepts everything")
    }
}

/// Reports Postal `MessageDelayed` as `MessageDeliveryFailed`.
#[derive(Debug, Default)]
pub(crate) struct MisreportsEvent;

impl WebhookParser for MisreportsEvent {
    fn parse<'a>(&self, vendor: Vendor, body: &'a [u8]) -> Result<ParsedEvent<'a>, ParseError> {
        let mut event = ReferenceParser.parse(vendor, body)?;
        if event.event.as_deref() == Some("MessageDelayed") {
            event.event = Some(Cow::Borrowed("MessageDeliveryFailed"));
        }
        Ok(event)
    }

    fn name(&self) -> Cow<'_, str> {
        Cow::Borrowed("broken: misreports the event")
    }
}

/// Reports `bounce.id` as the message id of Postal `MessageBounced`.
#[derive(Debug, Default)]
pub(crate) struct WrongMessageId;

impl WebhookParser for WrongMessageId {
    fn parse<'a>(&self, vendor: Vendor, body: &'a [u8]) -> Result<ParsedEvent<'a>, ParseError> {
        if vendor == Vendor::POSTAL {
            let hook = postal::parse(body)?;
            let bounce_id = match &hook.payload {
                postal::Payload::Bounced(p) => Some(p.bounce.id.clone()),
                _ => None,
            };
            let mut event = hook.into_event();
            if let Some(id) = bounce_id {
                event.message_id = Some(id.into_text());
            }
            return Ok(event);
        }
        ReferenceParser.parse(vendor, body)
    }

    fn name(&self) -> Cow<'_, str> {
        Cow::Borrowed("broken: wrong message id")
    }
}

/// Sleeps for `sleep` on GetMailer `email.received` events with attachments.
#[derive(Debug)]
pub(crate) struct HangsOnAttachments {
    pub(crate) sleep: Duration,
}

impl WebhookParser for HangsOnAttachments {
    fn parse<'a>(&self, vendor: Vendor, body: &'a [u8]) -> Result<ParsedEvent<'a>, ParseError> {
        if vendor == Vendor::GETMAILER {
            let hook = getmailer::parse(body)?;
            if let getmailer::Data::EmailReceived(data) = &hook.data
                && data.attachments.as_ref().is_some_and(|a| !a.is_empty())
            {
                std::thread::sleep(self.sleep);
            }
            return Ok(hook.into_event());
        }
        ReferenceParser.parse(vendor, body)
    }

    fn name(&self) -> Cow<'_, str> {
        Cow::Borrowed("broken: hangs on attachments")
    }
}
