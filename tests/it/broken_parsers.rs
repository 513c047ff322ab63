//! The deliberately broken parsers of `tests/it/support/broken.rs` have exactly the bug they claim
//! and are correct elsewhere.

use crate::support::broken;
use crate::support::fixtures;

use std::{
    panic::{AssertUnwindSafe, catch_unwind},
    time::{Duration, Instant},
};

use broken::{
    AcceptsEverything, HangsOnAttachments, MisreportsEvent, PanicsOnNullTag, WrongMessageId,
};
use fixtures::{Fixture, all_fixtures, fixtures, must_reject};
use hookcheck::{catalog::Vendor, parser::WebhookParser, parsers::ReferenceParser};

fn fixture(vendor: Vendor, event: &str) -> Fixture {
    fixtures(vendor)
        .into_iter()
        .find(|f| f.event == event)
        .unwrap()
}

/// The fixtures on which `parser` agrees with the reference parser.
fn agreeing(parser: &dyn WebhookParser) -> Vec<String> {
    all_fixtures()
        .into_iter()
        .filter(|f| {
            let want = ReferenceParser.parse(f.vendor, &f.body).unwrap();
            catch_unwind(AssertUnwindSafe(|| parser.parse(f.vendor, &f.body)))
                .is_ok_and(|got| got.is_ok_and(|got| got == want))
        })
        .map(|f| format!("{}/{}", f.vendor, f.event))
        .collect()
}

fn all_but(excluded: &[&str]) -> Vec<String> {
    all_fixtures()
        .into_iter()
        .map(|f| format!("{}/{}", f.vendor, f.event))
        .filter(|name| !excluded.contains(&name.as_str()))
        .collect()
}

#[test]
fn panics_on_null_tag_panics_exactly_there() {
    let held = fixture(Vendor::POSTAL, "MessageHeld");
    let panicked = catch_unwind(AssertUnwindSafe(|| {
        PanicsOnNullTag.parse(Vendor::POSTAL, &held.body)
    }));
    assert!(panicked.is_err());
    // MessageHeld is the only fixture whose message has no tag.
    assert_eq!(agreeing(&PanicsOnNullTag), all_but(&["postal/MessageHeld"]));
}

#[test]
fn accepts_everything_never_rejects() {
    let mut defects = 0;
    for f in all_fixtures() {
        for case in must_reject(&f) {
            assert!(
                AcceptsEverything.parse(f.vendor, &case.body).is_ok(),
                "{}",
                case.label
            );
            defects += 1;
        }
    }
    assert!(defects > 1000);
    assert_eq!(agreeing(&AcceptsEverything), all_but(&[]));
}

#[test]
fn misreports_event_renames_message_delayed() {
    let delayed = fixture(Vendor::POSTAL, "MessageDelayed");
    let event = MisreportsEvent
        .parse(Vendor::POSTAL, &delayed.body)
        .unwrap();
    assert_eq!(event.event_name(), "MessageDeliveryFailed");
    assert_eq!(
        agreeing(&MisreportsEvent),
        all_but(&["postal/MessageDelayed"])
    );
}

#[test]
fn wrong_message_id_reports_the_bounce() {
    let bounced = fixture(Vendor::POSTAL, "MessageBounced");
    let event = WrongMessageId.parse(Vendor::POSTAL, &bounced.body).unwrap();
    assert_eq!(event.message_id.as_deref(), Some("48250"));
    assert_eq!(
        agreeing(&WrongMessageId),
        all_but(&["postal/MessageBounced"])
    );
}

#[test]
fn hangs_on_attachments_sleeps_only_there() {
    let parser = HangsOnAttachments {
        sleep: Duration::from_millis(400),
    };
    let received = fixture(Vendor::GETMAILER, "email.received");
    let start = Instant::now();
    assert!(parser.parse(Vendor::GETMAILER, &received.body).is_ok());
    assert!(start.elapsed() >= Duration::from_millis(400));

    let fast = HangsOnAttachments {
        sleep: Duration::ZERO,
    };
    assert_eq!(agreeing(&fast), all_but(&[]));
    let start = Instant::now();
    let sent = fixture(Vendor::GETMAILER, "email.sent");
    assert!(parser.parse(Vendor::GETMAILER, &sent.body).is_ok());
    assert!(start.elapsed() < Duration::from_millis(400));
}
