//! The Resend reference parser (`hookcheck::parsers::resend`) against `schemas/resend/`: every
//! repaired documented example parses with the right event and key fields, every labelled
//! negative the reject policy says must be rejected is rejected, and values generated from
//! every event schema are all accepted.

use std::{collections::BTreeMap, fs, path::PathBuf};

use hookcheck::catalog::Vendor;
use hookcheck::generate::{GenOptions, Generator};
use hookcheck::parser::{Defect, Obligation, ParseError};
use hookcheck::parsers::resend::{self, Data, EventName};
use hookcheck::validate::{Resources, Validator};
use serde_json::Value;

use crate::support::cases;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("schemas/resend")
}

/// Every schema document of the directory by `$id`, and the event schemas by event name.
fn schemas() -> (Vec<(String, Value)>, BTreeMap<String, Value>) {
    let mut resources = Vec::new();
    let mut events = BTreeMap::new();
    for item in fs::read_dir(dir()).unwrap() {
        let path = item.unwrap().path();
        // The profile is not a schema.
        if path.extension().is_none_or(|e| e != "json") || path.ends_with("vendor.json") {
            continue;
        }
        let name = path.file_stem().unwrap().to_str().unwrap().to_owned();
        let doc: Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
        resources.push((doc["$id"].as_str().unwrap().to_owned(), doc.clone()));
        if !name.starts_with('_') {
            events.insert(name, doc);
        }
    }
    (resources, events)
}

fn validators() -> BTreeMap<String, Validator> {
    let (resources, events) = schemas();
    let resources = Resources::new(resources);
    events
        .into_iter()
        .map(|(name, doc)| {
            let v = Validator::compile(&doc, resources.clone()).unwrap();
            (name, v)
        })
        .collect()
}

/// Checks the parser's key fields and typed model against the JSON value it was given.
fn check_accepted(label: &str, value: &Value) {
    let body = serde_json::to_vec(value).unwrap();
    let event = resend::parse_event(&body).unwrap_or_else(|e| panic!("{label}: {e}\n{value}"));
    let name = value["type"].as_str().unwrap();
    assert_eq!(event.event_name(), name, "{label}");
    assert_eq!(event.event_id, None, "{label}");
    assert_eq!(
        event.timestamp.as_ref().map(|t| t.raw().to_owned()),
        value["created_at"].as_str().map(str::to_owned),
        "{label}"
    );
    let data = &value["data"];
    if name.starts_with("email.") {
        assert_eq!(
            event.message_id.as_deref(),
            data["email_id"].as_str(),
            "{label}"
        );
        assert_eq!(
            event.recipient.as_deref(),
            data["to"][0].as_str(),
            "{label}"
        );
    } else {
        assert_eq!(event.message_id, None, "{label}");
        assert_eq!(event.recipient, None, "{label}");
    }

    let hook = resend::parse(&body).unwrap_or_else(|e| panic!("{label}: {e}"));
    assert_eq!(hook.event.as_str(), name, "{label}");
    assert_eq!(EventName::from_name(name), Some(hook.event), "{label}");
    let text = |v: &Value| v.as_str().map(str::to_owned);
    match &hook.data {
        Data::EmailBounced(d) => {
            assert_eq!(
                Some(d.bounce.message.to_string()),
                text(&data["bounce"]["message"])
            );
            assert_eq!(
                Some(d.bounce.kind.to_string()),
                text(&data["bounce"]["type"])
            );
        }
        Data::EmailClicked(d) => {
            assert_eq!(Some(d.click.link.to_string()), text(&data["click"]["link"]));
        }
        Data::EmailFailed(d) => {
            assert_eq!(
                Some(d.failed.reason.to_string()),
                text(&data["failed"]["reason"])
            );
        }
        Data::EmailSuppressed(d) => {
            assert_eq!(
                Some(d.suppressed.kind.to_string()),
                text(&data["suppressed"]["type"])
            );
        }
        Data::EmailReceived(d) => {
            assert_eq!(
                d.attachments.as_ref().map(Vec::len),
                data["attachments"].as_array().map(Vec::len),
                "{label}"
            );
        }
        Data::EmailSent(d) | Data::EmailDelivered(d) | Data::EmailOpened(d) => {
            assert_eq!(Some(d.from.to_string()), text(&data["from"]), "{label}");
            assert_eq!(
                d.tags.as_ref().map(|t| t.0.len()),
                data["tags"].as_object().map(serde_json::Map::len),
                "{label}"
            );
            for (k, v) in d.tags.iter().flat_map(|t| t.0.iter()) {
                assert_eq!(
                    Some(v.to_string()),
                    text(&data["tags"][k.as_ref()]),
                    "{label}"
                );
            }
        }
        Data::ContactCreated(d) | Data::ContactUpdated(d) | Data::ContactDeleted(d) => {
            assert_eq!(Some(d.email.to_string()), text(&data["email"]), "{label}");
            assert_eq!(
                Some(d.unsubscribed),
                data["unsubscribed"].as_bool(),
                "{label}"
            );
            assert_eq!(
                d.first_name.as_deref(),
                data["first_name"].as_str(),
                "{label}"
            );
        }
        Data::DomainCreated(d) | Data::DomainUpdated(d) | Data::DomainDeleted(d) => {
            assert_eq!(Some(d.name.to_string()), text(&data["name"]), "{label}");
            let records = data["records"].as_array().unwrap();
            assert_eq!(d.records.len(), records.len(), "{label}");
            for (r, v) in d.records.iter().zip(records) {
                assert_eq!(r.priority, v["priority"].as_u64(), "{label}");
                assert_eq!(Some(r.kind.to_string()), text(&v["type"]), "{label}");
            }
        }
        Data::EmailScheduled(_) | Data::EmailDeliveryDelayed(_) | Data::EmailComplained(_) => {}
    }
    let whole = hook.into_event();
    assert_eq!(whole.message_id, event.message_id, "{label}");
    assert_eq!(whole.recipient, event.recipient, "{label}");
}

#[test]
fn every_repaired_resend_example_parses_with_its_key_fields() {
    let mut seen = BTreeMap::new();
    for case in cases::of_dir("resend", &dir())
        .iter()
        .filter(|c| c.fails_on.is_none())
    {
        check_accepted(&case.label, &case.value);
        assert_eq!(
            case.value["type"].as_str(),
            Some(&case.key["resend/".len()..]),
            "{}",
            case.label
        );
        *seen.entry(case.key.clone()).or_insert(0) += 1;
    }
    assert_eq!(seen.len(), EventName::ALL.len(), "{seen:?}");
}

/// Whether the reject policy obliges a parser to reject `value`, labelled as a `key` body: it
/// is judged against the schema of the event its `type` names when that is another Resend event
/// (the payload is that event), else against the labelled one.
fn must_reject(validators: &BTreeMap<String, Validator>, key: &str, value: &Value) -> bool {
    let named = value["type"]
        .as_str()
        .filter(|n| validators.contains_key(*n));
    let validator = &validators[named.unwrap_or(&key["resend/".len()..])];
    validator.violations(value).iter().any(|v| {
        // GetMailer shares the envelope's event-name pointer (`/type`), so the policy classifies
        // a Resend violation as it does a GetMailer one.
        Defect::from_violation(
            Vendor::GETMAILER,
            &v.keyword,
            &v.instance_path,
            &v.schema_path,
        )
        .obligation()
            == Obligation::MustReject
    })
}

#[test]
fn resend_negatives_are_rejected_as_the_reject_policy_says() {
    let validators = validators();
    let (mut rejected, mut may_accept) = (0, 0);
    for case in cases::of_dir("resend", &dir())
        .iter()
        .filter(|c| c.fails_on.is_some())
    {
        let body = serde_json::to_vec(&case.value).unwrap();
        let typed = resend::parse(&body).map(|_| ());
        let keys = resend::parse_event(&body).map(|_| ());
        assert_eq!(
            typed, keys,
            "{}: parse and parse_event disagree",
            case.label
        );
        if must_reject(&validators, &case.key, &case.value) {
            rejected += 1;
            let err = keys.expect_err(&case.label);
            assert!(err.is_rejection(), "{}: {err}", case.label);
        } else {
            may_accept += 1;
        }
    }
    assert!(rejected >= 17 * 3, "only {rejected} must-reject negatives");
    assert!(
        may_accept >= 1,
        "no may-accept negative among the labelled ones"
    );
}

#[test]
fn values_generated_from_every_resend_schema_are_accepted() {
    let (resources, events) = schemas();
    let validators = validators();
    assert_eq!(events.len(), EventName::ALL.len());
    for (name, schema) in &events {
        let g = Generator::new(schema, &resources, GenOptions::default())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        for i in 0..300 {
            let value = g
                .generate(2026, i)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(validators[name].is_valid(&value), "{name}: {value}");
            check_accepted(&format!("{name} #{i}"), &value);
        }
    }
}

#[test]
fn resend_rejects_wrong_envelopes_and_getmailer_bodies() {
    for body in [&b"[]"[..], b"\"email.sent\"", b"{\"type\":\"email.sent\"}"] {
        let err = resend::parse_event(body).unwrap_err();
        assert!(err.is_rejection(), "{err}");
    }
    let err = resend::parse(b"[1]").unwrap_err();
    assert!(err.to_string().contains("Resend"), "{err}");
    let err = resend::parse(br#"{"type":"email.bogus","created_at":"x","data":{}}"#).unwrap_err();
    assert!(
        matches!(err, ParseError::UnknownEvent { ref name } if name == "email.bogus"),
        "{err}"
    );

    let getmailer = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("schemas/getmailer");
    let mut checked = 0;
    for case in cases::of_dir("getmailer", &getmailer)
        .iter()
        .filter(|c| c.fails_on.is_none())
    {
        checked += 1;
        let body = serde_json::to_vec(&case.value).unwrap();
        assert!(resend::parse_event(&body).is_err(), "{}", case.label);
    }
    assert!(checked > 0);
}

#[test]
fn resend_data_out_of_order_is_parsed_the_same() {
    // `data` before `type`: the data is kept raw and parsed once the name is known, with
    // errors pointing below `/data`.
    let body = br#"{"data":{"id":"d91cd9bd-1176-453e-8fc1-35364d380206","name":"example.com","status":"verified","created_at":"2024-04-26T20:21:26.347412+00:00","region":"us-east-1","records":[]},"created_at":"2024-11-17T19:32:22.980Z","type":"domain.deleted"}"#;
    let hook = resend::parse(body).unwrap();
    assert!(matches!(hook.data, Data::DomainDeleted(ref d) if d.status == "verified"));
    let bad = br#"{"data":{"id":"x","name":"example.com","status":"verified","created_at":"x","region":"us-east-1","records":[{"record":"SPF"}]},"created_at":"x","type":"domain.deleted"}"#;
    let err = resend::parse(bad).unwrap_err();
    assert_eq!(
        err.pointer().map(|p| p.as_str().to_owned()).as_deref(),
        Some("/data/records/0/name"),
        "{err}"
    );
}
