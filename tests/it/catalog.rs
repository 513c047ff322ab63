//! The catalog holds exactly the documented events, and every schema is a well-formed,
//! documented draft 2020-12 schema that compiles.

use std::collections::BTreeSet;

use hookcheck::catalog::{Catalog, EntryKind, ID_BASE, Vendor};
use hookcheck::parser::WebhookParser;
use hookcheck::parsers::ReferenceParser;
use serde_json::Value;

const POSTAL: [&str; 10] = [
    "MessageSent",
    "MessageDelayed",
    "MessageDeliveryFailed",
    "MessageHeld",
    "MessageBounced",
    "MessageLinkClicked",
    "MessageLoaded",
    "DomainDNSError",
    "SendLimitApproaching",
    "SendLimitExceeded",
];
const MSNDR: [&str; 8] = [
    "delivered",
    "opened",
    "clicked",
    "unsubscribed",
    "complained",
    "skipped",
    "soft_bounced",
    "hard_bounced",
];
const MSNDR_API: [&str; 4] = [
    "api.webhook.post.request",
    "api.webhook.post.response",
    "api.webhook.get.response",
    "api.webhook.delete.request",
];
const GETMAILER: [&str; 17] = [
    "email.sent",
    "email.delivered",
    "email.bounced",
    "email.complained",
    "email.opened",
    "email.clicked",
    "email.delivery_delayed",
    "email.suppressed",
    "email.scheduled",
    "email.received",
    "contact.created",
    "contact.updated",
    "contact.deleted",
    "domain.created",
    "domain.updated",
    "domain.deleted",
    "domain.verified",
];

fn names(vendor: Vendor, kind: EntryKind) -> BTreeSet<String> {
    Catalog::builtin()
        .vendor_entries(vendor)
        .filter(|e| e.kind() == kind)
        .map(|e| e.event().to_owned())
        .collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn catalog_holds_exactly_the_documented_events() {
    assert!(
        Catalog::builtin_problems().is_empty(),
        "{:?}",
        Catalog::builtin_problems()
    );
    assert_eq!(names(Vendor::POSTAL, EntryKind::Webhook), set(&POSTAL));
    assert_eq!(names(Vendor::MSNDR, EntryKind::Webhook), set(&MSNDR));
    assert_eq!(names(Vendor::MSNDR, EntryKind::ApiBody), set(&MSNDR_API));
    assert_eq!(
        names(Vendor::GETMAILER, EntryKind::Webhook),
        set(&GETMAILER)
    );
    assert_eq!(
        names(Vendor::RESEND, EntryKind::Webhook),
        set(&crate::resend_data::EVENTS)
    );
    assert!(names(Vendor::POSTAL, EntryKind::ApiBody).is_empty());
    assert!(names(Vendor::GETMAILER, EntryKind::ApiBody).is_empty());
    let webhooks = Catalog::builtin()
        .entries()
        .iter()
        .filter(|e| e.kind() == EntryKind::Webhook)
        .count();
    assert_eq!(webhooks, 52);
}

#[test]
fn every_schema_is_valid_against_the_2020_12_metaschema() {
    for entry in Catalog::builtin().entries() {
        let errors: Vec<String> = jsonschema::draft202012::meta::validator()
            .iter_errors(entry.schema())
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", entry.key());
        for (uri, doc) in entry.resources().iter() {
            assert!(
                jsonschema::draft202012::meta::is_valid(doc),
                "shared resource {uri} is not a valid schema"
            );
        }
    }
}

#[test]
fn every_schema_compiles_and_names_itself() {
    for entry in Catalog::builtin().entries() {
        entry
            .validator()
            .unwrap_or_else(|e| panic!("{}: {e}", entry.key()));
        let schema = entry.schema();
        assert_eq!(
            schema["$schema"],
            "https://json-schema.org/draft/2020-12/schema",
            "{}",
            entry.key()
        );
        assert_eq!(
            entry.id(),
            format!("{ID_BASE}{}/{}.json", entry.vendor(), entry.event()),
        );
        assert!(
            !entry.description().is_empty(),
            "{} has no description",
            entry.key()
        );
        if entry.kind() == EntryKind::Webhook {
            assert_eq!(entry.title(), entry.event(), "title of {}", entry.key());
        }
    }
}

/// Every property a schema (or a shared `$defs` document) declares carries a description,
/// unless it is only a `$ref` to a described definition. Subschemas under applicators
/// (`allOf`, `if`/`then`, ...) restate constraints on fields declared elsewhere and are skipped.
#[test]
fn every_documented_field_has_a_description() {
    fn walk(v: &Value, at: &str, missing: &mut Vec<String>) {
        match v {
            Value::Object(map) => {
                if let Some(Value::Object(props)) = map.get("properties") {
                    for (name, sub) in props {
                        let described = sub.get("description").is_some()
                            || sub.get("$ref").is_some()
                            || sub.as_bool().is_some();
                        if !described {
                            missing.push(format!("{at}/properties/{name}"));
                        }
                    }
                }
                const CONSTRAINTS: [&str; 7] =
                    ["allOf", "anyOf", "oneOf", "not", "if", "then", "else"];
                for (k, sub) in map
                    .iter()
                    .filter(|(k, _)| !CONSTRAINTS.contains(&k.as_str()))
                {
                    walk(sub, &format!("{at}/{k}"), missing);
                }
            }
            Value::Array(items) => {
                for (i, sub) in items.iter().enumerate() {
                    walk(sub, &format!("{at}/{i}"), missing);
                }
            }
            _ => {}
        }
    }
    let mut missing = Vec::new();
    let first = &Catalog::builtin().entries()[0];
    for (uri, doc) in first.resources().iter() {
        walk(doc, uri, &mut missing);
    }
    assert!(
        missing.is_empty(),
        "fields without a description: {missing:#?}"
    );
}

#[test]
fn resend_and_getmailer_envelopes_are_told_apart() {
    use hookcheck::catalog::detect;
    let resend = serde_json::json!({"type": "email.sent",
        "created_at": "2024-02-22T23:41:12.126Z", "data": {}});
    let getmailer = serde_json::json!({"id": "evt_1", "type": "email.sent",
        "timestamp": "2024-02-22T23:41:12Z", "data": {}});
    assert_eq!(detect::envelope(&resend, None).unwrap().0, Vendor::RESEND);
    assert_eq!(
        detect::envelope(&getmailer, None).unwrap().0,
        Vendor::GETMAILER
    );
    // An extra `id` does not make a Resend body GetMailer's (GetMailer has no `created_at`).
    let example = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/schemas/resend/examples/doc-email-sent.json"
    );
    let mut with_id: Value =
        serde_json::from_str(&std::fs::read_to_string(example).unwrap()).unwrap();
    with_id["id"] = "e169aa45".into();
    assert_eq!(detect::envelope(&with_id, None).unwrap().0, Vendor::RESEND);
    // With both envelopes' telltale members, the body is neither vendor's, and neither
    // vendor's parser takes it.
    let both = serde_json::json!({"id": "evt_1", "type": "email.sent",
        "created_at": "2024-02-22T23:41:12.126Z", "timestamp": "2024-02-22T23:41:12Z",
        "data": {}});
    assert!(detect::envelope(&both, None).is_err());
    let body = serde_json::to_vec(&both).unwrap();
    for vendor in [Vendor::RESEND, Vendor::GETMAILER] {
        assert!(ReferenceParser.parse(vendor, &body).is_err(), "{vendor}");
    }
    assert!(
        ReferenceParser
            .parse(Vendor::RESEND, &serde_json::to_vec(&with_id).unwrap())
            .is_ok()
    );
}
