//! `schemas/resend/`, the Resend event schemas, ready for the vendor to be registered: every
//! schema compiles with the project's validator builder, every documented example (repaired)
//! passes and every original fails as its manifest says, and every labelled negative fails on
//! its keyword at its pointer, with the schemas as they are and bundled alike.

use std::{collections::BTreeMap, fs, path::PathBuf};

use hookcheck::catalog::{Catalog, Vendor, bundle};
use hookcheck::validate::{Resources, Validator};
use serde_json::Value;

use crate::support::cases;

/// The webhook events Resend documents that the directory must cover.
pub(crate) const EVENTS: [&str; 17] = [
    "email.sent",
    "email.delivered",
    "email.delivery_delayed",
    "email.complained",
    "email.bounced",
    "email.opened",
    "email.clicked",
    "email.failed",
    "email.scheduled",
    "email.suppressed",
    "email.received",
    "contact.created",
    "contact.updated",
    "contact.deleted",
    "domain.created",
    "domain.updated",
    "domain.deleted",
];

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("schemas/resend")
}

/// Every schema file of the directory by file name.
fn files() -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for item in fs::read_dir(dir()).unwrap() {
        let path = item.unwrap().path();
        // The profile is not a schema.
        if path.extension().is_some_and(|e| e == "json") && !path.ends_with("vendor.json") {
            let name = path.file_name().unwrap().to_str().unwrap().to_owned();
            let doc = serde_json::from_str(&fs::read_to_string(&path).unwrap())
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            out.insert(name, doc);
        }
    }
    out
}

#[test]
fn every_resend_schema_compiles_and_judges_its_examples_and_negatives() {
    let files = files();
    for (name, doc) in &files {
        assert_eq!(
            doc["$id"],
            format!("https://hookcheck.dev/schemas/resend/{name}"),
            "{name}"
        );
    }
    let resources = Resources::new(
        files
            .values()
            .map(|d| (d["$id"].as_str().unwrap().to_owned(), d.clone())),
    );
    let mut validators = BTreeMap::new();
    let mut bundled = BTreeMap::new();
    for (name, doc) in files.iter().filter(|(n, _)| !n.starts_with('_')) {
        let event = name.trim_end_matches(".json").to_owned();
        assert_eq!(doc["properties"]["type"]["const"], event.as_str(), "{name}");
        let v =
            Validator::compile(doc, resources.clone()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let alone = bundle::bundle_document(doc["$id"].as_str().unwrap(), doc, &resources)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let alone = Validator::compile(&alone, Resources::default())
            .unwrap_or_else(|e| panic!("{name}: the bundle does not compile alone: {e}"));
        validators.insert(format!("resend/{event}"), v);
        bundled.insert(format!("resend/{event}"), alone);
    }
    let mut events: Vec<&str> = validators.keys().map(|k| &k["resend/".len()..]).collect();
    let mut expected = EVENTS.to_vec();
    events.sort_unstable();
    expected.sort_unstable();
    assert_eq!(events, expected);

    let all = cases::of_dir("resend", &dir());
    let mut per_event: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for case in &all {
        let v = validators
            .get(&case.key)
            .unwrap_or_else(|| panic!("{}: no schema for {}", case.label, case.key));
        let violations = v.violations(&case.value);
        let counts = per_event.entry(case.key.as_str()).or_default();
        match &case.fails_on {
            None => {
                counts.0 += 1;
                assert!(violations.is_empty(), "{}: {violations:#?}", case.label);
            }
            Some((keyword, pointer)) => {
                counts.1 += 1;
                assert!(
                    violations
                        .iter()
                        .any(|x| x.keyword == *keyword && x.instance_path.as_str() == pointer),
                    "{}: expected {keyword} at {pointer:?}, got {violations:#?}",
                    case.label
                );
            }
        }
        assert_eq!(
            bundled[&case.key].is_valid(&case.value),
            violations.is_empty(),
            "{}: the bundle disagrees",
            case.label
        );
    }
    for event in EVENTS {
        let (valid, invalid) = per_event[format!("resend/{event}").as_str()];
        assert!(valid >= 1, "{event}: no documented example");
        assert!(invalid >= 5, "{event}: only {invalid} negatives");
    }
}

#[test]
fn resend_bodies_are_not_getmailer_bodies() {
    // The two envelopes share `type` and `data`; GetMailer's also requires `id` and
    // `timestamp`, which Resend's lacks. Every Resend example fails the GetMailer schema of
    // the same name on exactly that.
    let catalog = Catalog::builtin();
    let mut checked = 0;
    for case in cases::of_dir("resend", &dir())
        .iter()
        .filter(|c| c.fails_on.is_none())
    {
        let event = &case.key["resend/".len()..];
        let Ok(entry) = catalog.get(Vendor::GETMAILER, event) else {
            continue;
        };
        checked += 1;
        let violations = entry.validator().unwrap().violations(&case.value);
        assert!(
            violations
                .iter()
                .any(|v| v.keyword == "required" && v.instance_path.as_str().is_empty()),
            "{}: {violations:#?}",
            case.label
        );
    }
    assert!(checked >= 10, "{checked}");
}
