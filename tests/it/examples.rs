//! The vendors' documented examples, and hand-written invalid cases, against the catalog.
//!
//! `schemas/<vendor>/examples/manifest.json` lists every example from the vendor docs with the
//! original text, its repaired form and the repair. The original must fail exactly as the
//! manifest says (not JSON, or a named keyword at a named pointer) and the repair must pass.
//! `schemas/<vendor>/invalid/<event>.json` holds single-mutation cases that must fail on the
//! named keyword at the named pointer.

use std::{fs, path::PathBuf};

use hookcheck::catalog::{Catalog, Entry, Vendor};
use hookcheck::validate::input::{DEFAULT_MAX_BYTES, parse};
use serde::Deserialize;
use serde_json::Value;

fn schemas_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("schemas")
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Example {
    name: String,
    source: String,
    event: String,
    original: String,
    repaired: String,
    original_fails: Option<Expected>,
    repair: String,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
enum Expected {
    Json {
        reason: String,
    },
    Schema {
        keyword: String,
        instance_path: String,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct InvalidCase {
    name: String,
    instance: Value,
    keyword: String,
    instance_path: String,
}

fn manifest(vendor: Vendor) -> Vec<Example> {
    let path = schemas_dir()
        .join(vendor.as_str())
        .join("examples/manifest.json");
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn entry(vendor: Vendor, event: &str) -> &'static Entry {
    Catalog::builtin()
        .get(vendor, event)
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Asserts that `value` fails `entry` with `keyword` reported at `pointer`.
fn assert_fails_on(entry: &Entry, value: &Value, keyword: &str, pointer: &str, what: &str) {
    let violations = entry.validator().unwrap().violations(value);
    assert!(
        violations
            .iter()
            .any(|v| v.keyword == keyword && v.instance_path.as_str() == pointer),
        "{what}: expected {keyword} at {pointer:?}, got {:#?}",
        violations
    );
}

#[test]
fn documented_examples_fail_as_stated_and_their_repairs_pass() {
    let mut count = 0;
    for vendor in Vendor::all() {
        let dir = schemas_dir().join(vendor.as_str()).join("examples");
        for ex in manifest(vendor) {
            count += 1;
            assert!(
                !ex.source.is_empty() && !ex.repair.is_empty(),
                "{}",
                ex.name
            );
            let entry = entry(vendor, &ex.event);
            let original = fs::read(dir.join(&ex.original)).unwrap();
            let repaired_bytes = fs::read(dir.join(&ex.repaired)).unwrap();
            let repaired = parse(&repaired_bytes, DEFAULT_MAX_BYTES)
                .unwrap_or_else(|e| panic!("{}: repaired file: {e}", ex.name));
            let violations = entry.validator().unwrap().violations(&repaired);
            assert!(
                violations.is_empty(),
                "{}: repair fails: {violations:#?}",
                ex.name
            );
            // Webhook bodies must also be recognised without naming the event.
            if entry.kind() == hookcheck::catalog::EntryKind::Webhook {
                let detected = Catalog::builtin().detect(&repaired, None).unwrap();
                assert_eq!(detected.key(), entry.key(), "{}", ex.name);
            }
            let parsed = parse(&original, DEFAULT_MAX_BYTES);
            match (&ex.original_fails, parsed) {
                (None, Ok(v)) => {
                    let violations = entry.validator().unwrap().violations(&v);
                    assert!(violations.is_empty(), "{}: {violations:#?}", ex.name);
                }
                (None, Err(e)) => panic!("{}: original said valid but is not JSON: {e}", ex.name),
                (Some(Expected::Json { reason }), Err(_)) => assert!(!reason.is_empty()),
                (Some(Expected::Json { .. }), Ok(_)) => {
                    panic!("{}: original said not JSON but parses", ex.name)
                }
                (Some(Expected::Schema { .. }), Err(e)) => {
                    panic!("{}: original is not JSON ({e}); say kind json", ex.name)
                }
                (
                    Some(Expected::Schema {
                        keyword,
                        instance_path,
                    }),
                    Ok(v),
                ) => assert_fails_on(entry, &v, keyword, instance_path, &ex.name),
            }
        }
    }
    assert!(count >= 25, "only {count} documented examples");
}

#[test]
fn every_event_has_invalid_cases_that_fail_on_their_keyword() {
    let mut count = 0;
    for entry in Catalog::builtin().entries() {
        let path = schemas_dir()
            .join(entry.vendor().as_str())
            .join("invalid")
            .join(format!("{}.json", entry.event()));
        let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let cases: Vec<InvalidCase> =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(
            cases.len() >= 4,
            "{}: only {} cases",
            path.display(),
            cases.len()
        );
        for case in cases {
            count += 1;
            let what = format!("{} / {}", entry.key(), case.name);
            assert_fails_on(
                entry,
                &case.instance,
                &case.keyword,
                &case.instance_path,
                &what,
            );
        }
    }
    assert!(count >= 39 * 4);
}
