//! `schema --bundle` and `catalog::bundle`: the bundle of every catalog event, compiled on its
//! own (no document to resolve a reference from), gives every documented example and every
//! labelled negative the verdict the catalog's schema gives it.

use std::collections::HashMap;

use assert_cmd::Command;
use hookcheck::catalog::{Catalog, bundle};
use hookcheck::validate::{Resources, Validator};
use serde_json::Value;

use crate::support::cases;

#[test]
fn bundles_alone_give_every_example_and_negative_the_catalogs_verdict() {
    let catalog = Catalog::builtin();
    let mut alone = HashMap::new();
    for entry in catalog.entries() {
        let schema = bundle::bundle(entry).unwrap_or_else(|e| panic!("{}: {e}", entry.key()));
        // An empty resource set refuses every retrieval: the bundle must need none.
        let v = Validator::compile(&schema, Resources::default())
            .unwrap_or_else(|e| panic!("{}: the bundle does not compile alone: {e}", entry.key()));
        alone.insert(entry.key(), v);
    }
    let all = cases::builtin();
    let (mut valid, mut invalid) = (0, 0);
    for case in &all {
        let original = catalog.lookup(&case.key).unwrap().validator().unwrap();
        let bundled = &alone[&case.key];
        let verdict = original.is_valid(&case.value);
        assert_eq!(
            bundled.is_valid(&case.value),
            verdict,
            "{}: the bundle disagrees with the catalog",
            case.label
        );
        assert_eq!(verdict, case.fails_on.is_none(), "{}", case.label);
        if let Some((keyword, pointer)) = &case.fails_on {
            invalid += 1;
            let found = bundled
                .violations(&case.value)
                .iter()
                .any(|v| v.keyword == *keyword && v.instance_path.as_str() == pointer.as_str());
            assert!(
                found,
                "{}: the bundle does not fail on {keyword} at {pointer}",
                case.label
            );
        } else {
            valid += 1;
        }
    }
    assert!(
        valid >= 25 && invalid >= 39 * 4,
        "{valid} valid, {invalid} invalid cases"
    );
}

#[test]
fn schema_bundle_prints_the_library_bundle() {
    let out = Command::cargo_bin("hookcheck")
        .unwrap()
        .args(["schema", "--bundle", "getmailer/email.bounced"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    let entry = Catalog::builtin()
        .lookup("getmailer/email.bounced")
        .unwrap();
    assert_eq!(printed, bundle::bundle(entry).unwrap());
    assert!(printed["$defs"].as_object().is_some_and(|d| !d.is_empty()));
    let out = Command::cargo_bin("hookcheck")
        .unwrap()
        .args(["schema", "--bundle", "getmailer/email.bouncd"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
