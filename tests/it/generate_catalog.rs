//! The generator over every schema of the built-in catalog (Postal, msndr.net, GetMailer): each
//! compiles, every generated payload passes the catalog's own validator, and every negative
//! fails that validator exactly where and why it says.

use hookcheck::{
    catalog::Catalog,
    generate::{GenOptions, Generator},
};
use serde_json::Value;

#[test]
fn every_catalog_schema_generates_valid_and_labelled_invalid_payloads() {
    let catalog = Catalog::builtin();
    assert!(!catalog.entries().is_empty());
    for entry in catalog.entries() {
        let resources: Vec<(String, Value)> = entry
            .resources()
            .iter()
            .map(|(uri, doc)| (uri.to_owned(), doc.clone()))
            .collect();
        let key = entry.key();
        let g = Generator::new(entry.schema(), &resources, GenOptions::default())
            .unwrap_or_else(|e| panic!("{key}: {e}"));
        let validator = entry.validator().unwrap();
        for i in 0..100 {
            let v = g.generate(2024, i).unwrap_or_else(|e| panic!("{key}: {e}"));
            assert!(
                validator.is_valid(&v),
                "{key}: {v} {:?}",
                validator.violations(&v)
            );
        }
        assert_eq!(
            g.stats().rejected,
            0,
            "{key}: the plan should be exact for vendor schemas"
        );
        let negatives = g.negatives(2024, 30);
        assert!(
            negatives.len() >= 4,
            "{key}: only {} negatives",
            negatives.len()
        );
        for n in negatives {
            let violations = validator.violations(&n.value);
            assert!(!violations.is_empty(), "{key}: {n:?} is valid");
            assert!(
                violations
                    .iter()
                    .all(|v| v.keyword == n.keyword && v.instance_path == n.instance_path),
                "{key}: {n:?} fails with {violations:?}"
            );
        }
    }
}
