//! The reference parsers against realistic bodies of every event, systematic must-reject
//! defects, and must-accept variations.

use crate::support::fixtures;

use fixtures::{Fixture, all_fixtures, fixtures, must_accept, must_reject};
use hookcheck::{
    catalog::Vendor,
    parser::{ParseError, ParsedEvent, WebhookParser},
    parsers::{ReferenceParser, getmailer, msndr, postal},
};

/// `(vendor, event, event_id, message_id, timestamp raw, unix seconds, recipient)` of every
/// fixture.
type Expected = (
    Vendor,
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
    &'static str,
    f64,
    Option<&'static str>,
);

const JANE: Option<&str> = Some("jane.doe@example.net");
const GM_TO: Option<&str> = Some("recipient@example.com");
const GM_MSG: Option<&str> = Some("clx1abc123def456");

#[rustfmt::skip]
const EXPECTED: &[Expected] = &[
    (Vendor::POSTAL, "DomainDNSError", Some("6f708192-a3b4-4c5d-9e6f-708192a3b4c5"), None, "1745841600.003117", 1_745_841_600.003_117, None),
    (Vendor::POSTAL, "MessageBounced", Some("9b2e4f60-1a3c-4d5e-8f70-1b2c3d4e5f60"), Some("48213"), "1745839000.871", 1_745_839_000.871, JANE),
    (Vendor::POSTAL, "MessageDelayed", Some("0f6a5c1e-2d3b-4c8e-9f10-6a7b8c9d0e1f"), Some("48213"), "1745838180.120044", 1_745_838_180.120_044, JANE),
    (Vendor::POSTAL, "MessageDeliveryFailed", Some("7e44eb7d-f30b-403c-92ec-0bd2884a5efa"), Some("48213"), "1745838300.0", 1_745_838_300.0, JANE),
    (Vendor::POSTAL, "MessageHeld", Some("c3d9a1f2-5e6b-4a7c-8d9e-0f1a2b3c4d5e"), Some("48214"), "1745838400.314159", 1_745_838_400.314_159, Some("held@example.org")),
    (Vendor::POSTAL, "MessageLinkClicked", Some("4d5e6f70-8192-4a3b-bc4d-5e6f70819203"), Some("48213"), "1745839500.250307", 1_745_839_500.250_307, JANE),
    (Vendor::POSTAL, "MessageLoaded", Some("5e6f7081-92a3-4b4c-8d5e-6f708192a3b4"), Some("48213"), "1745839600.5", 1_745_839_600.5, JANE),
    (Vendor::POSTAL, "MessageSent", Some("31832909-22db-4b7d-8f09-93fd6853736b"), Some("48213"), "1745838120.770091", 1_745_838_120.770_091, JANE),
    (Vendor::POSTAL, "SendLimitApproaching", Some("708192a3-b4c5-4d6e-8f70-8192a3b4c5d6"), None, "1745842000.731", 1_745_842_000.731, None),
    (Vendor::POSTAL, "SendLimitExceeded", Some("8192a3b4-c5d6-4e7f-9081-92a3b4c5d6e7"), None, "1745842060.0", 1_745_842_060.0, None),
    (Vendor::MSNDR, "clicked", None, Some("2147483901"), "1539063004", 1_539_063_004.0, None),
    (Vendor::MSNDR, "complained", None, Some("2147483902"), "1539070000", 1_539_070_000.0, None),
    (Vendor::MSNDR, "delivered", None, Some("2147483901"), "1539062173", 1_539_062_173.0, None),
    (Vendor::MSNDR, "hard_bounced", None, Some("1"), "1539073000", 1_539_073_000.0, None),
    (Vendor::MSNDR, "opened", None, Some("2147483901"), "1539062911", 1_539_062_911.0, None),
    (Vendor::MSNDR, "skipped", None, Some("2147483903"), "1539071000", 1_539_071_000.0, None),
    (Vendor::MSNDR, "soft_bounced", None, Some("2147483904"), "1539072000", 1_539_072_000.0, None),
    (Vendor::MSNDR, "unsubscribed", None, Some("2147483901"), "1539063100", 1_539_063_100.0, None),
    (Vendor::GETMAILER, "contact.created", Some("evt_efg123"), None, "2024-01-15T09:00:00Z", 1_705_309_200.0, None),
    (Vendor::GETMAILER, "contact.deleted", Some("evt_klm789"), None, "2024-01-15T15:00:00Z", 1_705_330_800.0, None),
    (Vendor::GETMAILER, "contact.updated", Some("evt_hij456"), None, "2024-01-15T11:30:00Z", 1_705_318_200.0, None),
    (Vendor::GETMAILER, "domain.created", Some("evt_nop012"), None, "2024-01-15T08:00:00Z", 1_705_305_600.0, None),
    (Vendor::GETMAILER, "domain.deleted", Some("evt_tuv678"), None, "2024-01-15T16:00:00Z", 1_705_334_400.0, None),
    (Vendor::GETMAILER, "domain.updated", Some("evt_qrs345"), None, "2024-01-15T10:00:00Z", 1_705_312_800.0, None),
    (Vendor::GETMAILER, "domain.verified", Some("evt_wxy901"), None, "2024-01-15T12:00:00Z", 1_705_320_000.0, None),
    (Vendor::GETMAILER, "email.bounced", Some("evt_ghi789"), GM_MSG, "2024-01-15T10:30:01Z", 1_705_314_601.0, GM_TO),
    (Vendor::GETMAILER, "email.clicked", Some("evt_pqr678"), GM_MSG, "2024-01-15T12:05:00Z", 1_705_320_300.0, GM_TO),
    (Vendor::GETMAILER, "email.complained", Some("evt_jkl012"), GM_MSG, "2024-01-15T11:45:00Z", 1_705_319_100.0, GM_TO),
    (Vendor::GETMAILER, "email.delivered", Some("evt_def456"), GM_MSG, "2024-01-15T10:30:02Z", 1_705_314_602.0, GM_TO),
    (Vendor::GETMAILER, "email.delivery_delayed", Some("evt_stu901"), GM_MSG, "2024-01-15T10:35:00Z", 1_705_314_900.0, GM_TO),
    (Vendor::GETMAILER, "email.opened", Some("evt_mno345"), GM_MSG, "2024-01-15T12:00:00Z", 1_705_320_000.0, GM_TO),
    (Vendor::GETMAILER, "email.received", Some("evt_bcd890"), Some("clx1xyz789abc123"), "2024-01-15T14:20:00Z", 1_705_328_400.0, GM_TO),
    (Vendor::GETMAILER, "email.scheduled", Some("evt_yza567"), GM_MSG, "2024-01-15T10:30:00Z", 1_705_314_600.0, GM_TO),
    (Vendor::GETMAILER, "email.sent", Some("evt_abc123"), GM_MSG, "2024-01-15T10:30:00Z", 1_705_314_600.0, GM_TO),
    (Vendor::GETMAILER, "email.suppressed", Some("evt_vwx234"), GM_MSG, "2024-01-15T10:30:00Z", 1_705_314_600.0, GM_TO),
];

fn parse(fixture: &Fixture) -> ParsedEvent<'_> {
    ReferenceParser
        .parse(fixture.vendor, &fixture.body)
        .unwrap_or_else(|e| panic!("{} {}: {e}", fixture.vendor, fixture.event))
}

#[test]
fn fixtures_cover_every_event_of_every_vendor() {
    let names = |v| fixtures(v).into_iter().map(|f| f.event).collect::<Vec<_>>();
    let mut postal_names: Vec<_> = postal::EventName::ALL.iter().map(|e| e.as_str()).collect();
    let mut msndr_names: Vec<_> = msndr::EventName::ALL.iter().map(|e| e.as_str()).collect();
    let mut gm_names: Vec<_> = getmailer::EventName::ALL
        .iter()
        .map(|e| e.as_str())
        .collect();
    postal_names.sort_unstable();
    msndr_names.sort_unstable();
    gm_names.sort_unstable();
    assert_eq!(postal_names.len(), 10);
    assert_eq!(msndr_names.len(), 8);
    assert_eq!(gm_names.len(), 17);
    assert_eq!(names(Vendor::POSTAL), postal_names);
    assert_eq!(names(Vendor::MSNDR), msndr_names);
    assert_eq!(names(Vendor::GETMAILER), gm_names);
    assert_eq!(EXPECTED.len(), 35);
}

#[test]
fn every_fixture_parses_with_its_key_fields() {
    for &(vendor, event, event_id, message_id, raw, unix, recipient) in EXPECTED {
        let fixture = fixtures(vendor)
            .into_iter()
            .find(|f| f.event == event)
            .unwrap_or_else(|| panic!("no fixture {vendor}/{event}"));
        let got = parse(&fixture);
        let ctx = format!("{vendor}/{event}");
        assert_eq!(got.event.as_deref(), Some(event), "{ctx}");
        assert_eq!(got.event_id.as_deref(), event_id, "{ctx}");
        assert_eq!(got.message_id.as_deref(), message_id, "{ctx}");
        assert_eq!(got.recipient.as_deref(), recipient, "{ctx}");
        let ts = got.timestamp.as_ref().expect("every vendor sends a time");
        assert_eq!(ts.raw(), raw, "{ctx}");
        assert_eq!(ts.unix_seconds(), Some(unix), "{ctx}");
    }
}

#[test]
fn every_must_reject_defect_is_rejected() {
    let mut checked = 0;
    for fixture in all_fixtures() {
        for case in must_reject(&fixture) {
            let result = ReferenceParser.parse(fixture.vendor, &case.body);
            match result {
                Err(e) => assert!(
                    e.is_rejection(),
                    "{} {}: {}: fault {e}",
                    fixture.vendor,
                    fixture.event,
                    case.label
                ),
                Ok(ev) => panic!(
                    "{} {}: accepted {}: {ev:?}\n{}",
                    fixture.vendor,
                    fixture.event,
                    case.label,
                    String::from_utf8_lossy(&case.body)
                ),
            }
            checked += 1;
        }
    }
    assert!(checked > 1000, "only {checked} defects generated");
}

#[test]
fn must_accept_variations_report_their_fields() {
    let mut checked = 0;
    for fixture in all_fixtures() {
        for case in must_accept(&fixture) {
            let ctx = format!("{} {}: {}", fixture.vendor, fixture.event, case.label);
            let got = ReferenceParser
                .parse(fixture.vendor, &case.body)
                .unwrap_or_else(|e| panic!("{ctx}: {e}"));
            let value: serde_json::Value = serde_json::from_slice(&case.body).unwrap();
            fixtures::assert_fields(
                &ctx,
                &got,
                &fixtures::fields_from_json(fixture.vendor, &value),
            );
            checked += 1;
        }
    }
    assert!(checked > 200, "only {checked} valid variations");
}

fn postal_fixture(event: &str) -> Vec<u8> {
    fixtures(Vendor::POSTAL)
        .into_iter()
        .find(|f| f.event == event)
        .unwrap()
        .body
}

fn reject(vendor: Vendor, body: &[u8]) -> ParseError {
    match ReferenceParser.parse(vendor, body) {
        Ok(ev) => panic!("accepted {ev:?}"),
        Err(e) => e,
    }
}

#[test]
fn errors_are_typed_and_located() {
    assert!(matches!(
        reject(Vendor::POSTAL, b"{\"event\":\n  nope}"),
        ParseError::NotJson { line: 2, .. }
    ));
    assert!(matches!(
        reject(Vendor::POSTAL, b"[1,2]"),
        ParseError::WrongEnvelope {
            vendor: Vendor::POSTAL,
            ..
        }
    ));

    let body = String::from_utf8(postal_fixture("MessageSent")).unwrap();
    let missing = body.replace("\"token\":\"Xk3pQ9vLm2RtYw7a\",", "");
    let err = reject(Vendor::POSTAL, missing.as_bytes());
    assert_eq!(
        err.pointer().map(|p| p.as_str()),
        Some("/payload/message/token")
    );
    assert!(matches!(err, ParseError::MissingField { .. }));

    let wrong = body.replace("\"id\":48213", "\"id\":\"48213\"");
    let err = reject(Vendor::POSTAL, wrong.as_bytes());
    assert!(
        matches!(err, ParseError::WrongType { ref pointer, .. } if pointer.as_str() == "/payload/message/id"),
        "{err:?}"
    );

    let unknown = body.replace("\"MessageSent\"", "\"MessageTeleported\"");
    assert_eq!(
        reject(Vendor::POSTAL, unknown.as_bytes()),
        ParseError::UnknownEvent {
            name: "MessageTeleported".into()
        }
    );

    let mismatch = body.replace("\"status\":\"Sent\"", "\"status\":\"HardFail\"");
    let err = reject(Vendor::POSTAL, mismatch.as_bytes());
    assert!(
        matches!(err, ParseError::InvalidValue { ref pointer, .. } if pointer.as_str() == "/payload/status"),
        "{err:?}"
    );

    let enum_value = body.replace("\"NotChecked\"", "\"Maybe\"");
    let err = reject(Vendor::POSTAL, enum_value.as_bytes());
    assert_eq!(
        err.pointer().map(|p| p.as_str()),
        Some("/payload/message/spam_status")
    );

    let dup = body.replacen("\"uuid\":", "\"uuid\":\"a\",\"uuid\":", 1);
    assert!(matches!(
        reject(Vendor::POSTAL, dup.as_bytes()),
        ParseError::InvalidValue { .. }
    ));
}

#[test]
fn payload_before_event_is_parsed_and_located() {
    // The envelope keys in an order Postal never writes: the payload is parsed after the event
    // name is known, and errors in it still point into the whole body.
    let body = br#"{"payload":{"server":{"uuid":"u","name":"n","permalink":"p","organization":null},"volume":3,"limit":"9"},"uuid":"x","timestamp":1.5,"event":"SendLimitExceeded"}"#;
    let err = reject(Vendor::POSTAL, body);
    assert_eq!(err.pointer().map(|p| p.as_str()), Some("/payload/limit"));
    let ok = String::from_utf8_lossy(body).replace("\"9\"", "9");
    let hook = postal::parse(ok.as_bytes()).unwrap();
    assert!(
        matches!(hook.payload, postal::Payload::SendLimit(ref p) if p.volume == 3 && p.limit == 9)
    );

    let gm = br#"{"data":{"domainId":"d","domain":"x.example","deletedAt":7},"id":"evt_1","timestamp":"2024-01-15T16:00:00Z","type":"domain.deleted"}"#;
    let err = reject(Vendor::GETMAILER, gm);
    assert_eq!(err.pointer().map(|p| p.as_str()), Some("/data/deletedAt"));
}

#[test]
fn objects_written_as_arrays_are_rejected() {
    // serde_json lets derived structs read arrays positionally; the reference parsers must not.
    let body = br#"{"message":[5],"event":{"name":"opened","timestamp":1}}"#;
    assert!(
        matches!(reject(Vendor::MSNDR, body), ParseError::WrongType { ref pointer, .. } if pointer.as_str() == "/message")
    );
}

#[test]
fn escapes_are_decoded_and_plain_strings_borrowed() {
    let body = postal_fixture("MessageLinkClicked");
    let hook = postal::parse(&body).unwrap();
    let postal::Payload::LinkClicked(click) = &hook.payload else {
        panic!("not a click")
    };
    assert!(
        click.url.ends_with("utm_campaign=spring<sale>"),
        "{}",
        click.url
    );
    assert!(click.url.contains("&utm_medium"));
    assert!(matches!(click.token, std::borrow::Cow::Borrowed(_)));
    assert!(matches!(hook.uuid, std::borrow::Cow::Borrowed(_)));

    let body = fixtures(Vendor::MSNDR)
        .into_iter()
        .find(|f| f.event == "clicked")
        .unwrap()
        .body;
    let hook = msndr::parse(&body).unwrap();
    assert_eq!(
        hook.url(),
        Some("https://магазин.рф/заказ/48213?utm_source=email&ref=w")
    );
}

#[test]
fn msndr_rules() {
    let ok = |b: &str| msndr::parse(b.as_bytes()).map(|h| h.event);
    assert_eq!(
        ok(r#"{"message":{"id":1},"event":{"name":"opened","timestamp":1539062173.0}}"#),
        Ok(msndr::EventName::Opened)
    );
    assert!(
        ok(r#"{"message":{"id":1},"event":{"name":"opened","timestamp":1539062173.5}}"#).is_err()
    );
    assert!(ok(r#"{"message":{"id":-1},"event":{"name":"opened","timestamp":1}}"#).is_err());
    assert!(
        ok(r#"{"message":{"id":1},"event":{"name":"opened","timestamp":1,"data":null}}"#).is_err()
    );
    let err = ok(r#"{"message":{"id":1},"event":{"name":"clicked","timestamp":1}}"#).unwrap_err();
    assert_eq!(err.pointer().map(|p| p.as_str()), Some("/event/data"));
    let err =
        ok(r#"{"message":{"id":1},"event":{"name":"clicked","timestamp":1,"data":{"url":5}}}"#)
            .unwrap_err();
    assert_eq!(err.pointer().map(|p| p.as_str()), Some("/event/data/url"));
    assert!(ok(r#"{"message":{"id":1},"event":{"name":"opened","timestamp":1,"data":{"ua":"x","n":[1]}}}"#).is_ok());
}

#[test]
fn getmailer_rules() {
    let fixture = fixtures(Vendor::GETMAILER)
        .into_iter()
        .find(|f| f.event == "contact.updated")
        .unwrap();
    let hook = getmailer::parse(&fixture.body).unwrap();
    let getmailer::Data::ContactUpdated(data) = &hook.data else {
        panic!("wrong variant")
    };
    let keys: Vec<_> = data.changes.0.iter().map(|(k, _)| k.as_ref()).collect();
    assert_eq!(keys, ["firstName", "customFields.plan"]);
    assert_eq!(data.changes.0[0].1.new.get(), "\"Jonathan\"");

    // A timestamp that is not RFC 3339 is a format matter: accepted, with no Unix value.
    let text = String::from_utf8(
        fixtures(Vendor::GETMAILER)
            .into_iter()
            .find(|f| f.event == "email.sent")
            .unwrap()
            .body,
    )
    .unwrap();
    let odd = text.replace("\"2024-01-15T10:30:00Z\"", "\"15/01/2024 10:30\"");
    let event = ReferenceParser
        .parse(Vendor::GETMAILER, odd.as_bytes())
        .unwrap();
    let ts = event.timestamp.unwrap();
    assert_eq!((ts.raw(), ts.unix_seconds()), ("15/01/2024 10:30", None));

    let bad_reason = text.replace("\"type\": \"email.sent\"", "\"type\": \"email.suppressed\"");
    assert!(matches!(
        reject(Vendor::GETMAILER, bad_reason.as_bytes()),
        ParseError::MissingField { .. }
    ));
}

#[test]
fn fixtures_are_valid_against_the_schemas() {
    for f in all_fixtures() {
        assert_eq!(
            fixtures::classify(f.vendor, &f.event, &f.value()),
            fixtures::Class::Valid,
            "{} {}",
            f.vendor,
            f.event
        );
    }
}

#[test]
fn every_repaired_schema_example_parses_with_its_fields() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas");
    let mut checked = 0;
    for vendor in fixtures::VENDORS {
        let dir = root.join(vendor.as_str()).join("examples");
        let manifest: Vec<serde_json::Value> =
            serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
        for example in manifest {
            let event = example["event"].as_str().unwrap();
            if event.starts_with("api.") {
                continue; // msndr.net webhook configuration API bodies, not webhooks
            }
            let body = std::fs::read(dir.join(example["repaired"].as_str().unwrap())).unwrap();
            let got = ReferenceParser
                .parse(vendor, &body)
                .unwrap_or_else(|e| panic!("{vendor} {}: {e}", example["name"]));
            let value: serde_json::Value = serde_json::from_slice(&body).unwrap();
            let want = fixtures::fields_from_json(vendor, &value);
            let ctx = format!("{vendor} {}", example["name"]);
            assert_eq!(want.event, event, "{ctx}");
            fixtures::assert_fields(&ctx, &got, &want);
            checked += 1;
        }
    }
    assert_eq!(checked, 12 + 1 + 17, "examples per vendor changed");
}

#[test]
fn schema_invalid_cases_that_must_be_rejected_are() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas");
    let mut rejected = 0;
    for vendor in fixtures::VENDORS {
        for entry in std::fs::read_dir(root.join(vendor.as_str()).join("invalid")).unwrap() {
            let path = entry.unwrap().path();
            let event = path.file_stem().unwrap().to_string_lossy().into_owned();
            let cases: Vec<serde_json::Value> =
                serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
            for case in cases {
                let instance = &case["instance"];
                if fixtures::classify(vendor, &event, instance) != fixtures::Class::MustReject {
                    continue;
                }
                let body = serde_json::to_vec(instance).unwrap();
                assert!(
                    ReferenceParser.parse(vendor, &body).is_err(),
                    "{vendor} {event}: accepted invalid case {}",
                    case["name"]
                );
                rejected += 1;
            }
        }
    }
    assert!(rejected >= 30, "only {rejected} must-reject cases");
}

/// The full typed models (`postal::parse` and friends) accept and reject exactly what the
/// reference parser does, and report the same key fields.
#[test]
fn full_models_agree_with_the_reference_parser() {
    fn full(vendor: Vendor, body: &[u8]) -> Result<ParsedEvent<'_>, ParseError> {
        match vendor {
            Vendor::POSTAL => postal::parse(body).map(postal::Webhook::into_event),
            Vendor::MSNDR => msndr::parse(body).map(msndr::Webhook::into_event),
            Vendor::GETMAILER => getmailer::parse(body).map(getmailer::Webhook::into_event),
            other => panic!("no full model for vendor {other}"),
        }
    }
    let mut checked = 0;
    for fixture in all_fixtures() {
        let cases = must_accept(&fixture)
            .into_iter()
            .chain(must_reject(&fixture));
        for case in cases {
            let ctx = format!("{} {}: {}", fixture.vendor, fixture.event, case.label);
            assert_eq!(
                full(fixture.vendor, &case.body),
                ReferenceParser.parse(fixture.vendor, &case.body),
                "{ctx}"
            );
            checked += 1;
        }
    }
    assert!(checked > 1500, "only {checked} cases");
}

#[test]
fn invalid_utf8_is_located() {
    let err = reject(Vendor::MSNDR, b"{\"message\":\n {\"id\": \"\xff\"}}");
    assert_eq!(
        err,
        ParseError::NotJson {
            line: 2,
            column: 10,
            detail: "invalid UTF-8".into()
        }
    );
}

#[test]
fn dns_error_texts_must_match_their_status() {
    let body = String::from_utf8(postal_fixture("DomainDNSError")).unwrap();
    let missing_text = body.replace(
        "\"mx_error\":\"There are no MX records for shop.example.com\"",
        "\"mx_error\":null",
    );
    let err = reject(Vendor::POSTAL, missing_text.as_bytes());
    assert_eq!(err.pointer().map(|p| p.as_str()), Some("/payload/mx_error"));
    let text_when_ok = body.replace("\"spf_error\":null", "\"spf_error\":\"fine\"");
    let err = reject(Vendor::POSTAL, text_when_ok.as_bytes());
    assert_eq!(
        err.pointer().map(|p| p.as_str()),
        Some("/payload/spf_error")
    );
}
