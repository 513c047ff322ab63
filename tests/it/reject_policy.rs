//! One judge of the reject policy: certification (the validator's violations filtered by
//! `parser::policy::must_reject`, as `rejects-invalid` does) and the fuzz oracle
//! (`fuzz::oracle::expectation`) reach the same verdict on every labelled negative of every
//! catalog event.

use hookcheck::catalog::{Catalog, EntryKind};
use hookcheck::fuzz::oracle::{Expectation, expectation};
use hookcheck::generate::GenOptions;
use hookcheck::parser::policy::must_reject;
use serde_json::{Value, json};

/// Whether certification's path says the negative must be rejected.
fn certify_says_reject(entry: &hookcheck::catalog::Entry, value: &Value) -> bool {
    entry
        .validator()
        .expect("schema compiles")
        .violations(value)
        .iter()
        .any(|v| must_reject(entry.vendor(), v, value))
}

#[test]
fn certify_and_the_fuzz_oracle_agree_on_every_labelled_negative() {
    let catalog = Catalog::builtin();
    let mut checked = 0;
    for entry in catalog
        .entries()
        .iter()
        .filter(|e| e.kind() == EntryKind::Webhook)
    {
        let generator = entry
            .generator(GenOptions::default())
            .expect("every catalog event has a generator");
        for negative in generator.negatives(17, 400) {
            let body = serde_json::to_vec(&negative.value).unwrap();
            let oracle = expectation(catalog, entry.vendor(), &body);
            let certify = certify_says_reject(entry, &negative.value);
            // A negative that renames the event to another event of the vendor is that other
            // event: the oracle judges it against that event's schema.
            let renamed = catalog
                .detect(&negative.value, Some(entry.vendor()))
                .is_ok_and(|other| other.key() != entry.key());
            if renamed {
                continue;
            }
            assert_eq!(
                matches!(oracle, Expectation::Reject { .. }),
                certify,
                "{}: {} ({} at {}): oracle {oracle:?}",
                entry.key(),
                negative.description,
                negative.keyword,
                negative.instance_path.as_str()
            );
            checked += 1;
        }
    }
    assert!(checked > 500, "only {checked} negatives compared");
}

#[test]
fn a_wrong_type_under_then_else_is_a_cross_field_rule_for_both() {
    // Postal DomainDNSError: `spf_error` (a string or null) must be a string when `spf_status`
    // is not OK, a rule stated with if/then/else. A null there breaks `type` only through
    // `else`: a cross-field rule, which a parser may accept.
    let catalog = Catalog::builtin();
    let entry = catalog.lookup("postal/DomainDNSError").unwrap();
    let mut payload: Value = serde_json::from_slice(
        &std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/payloads/postal/DomainDNSError.json"
        ))
        .unwrap(),
    )
    .unwrap();
    payload["payload"]["spf_status"] = json!("Missing");
    payload["payload"]["spf_error"] = Value::Null;
    let violations = entry.validator().unwrap().violations(&payload);
    assert!(
        violations
            .iter()
            .any(|v| v.keyword == "type" && v.schema_path.as_str().contains("/else/")),
        "{violations:?}"
    );
    assert!(!certify_says_reject(entry, &payload));
    let body = serde_json::to_vec(&payload).unwrap();
    assert!(
        matches!(
            expectation(catalog, entry.vendor(), &body),
            Expectation::Either { .. }
        ),
        "the oracle must not demand a rejection certification does not"
    );
}
