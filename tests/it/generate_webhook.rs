//! The generator on a webhook-shaped schema: an envelope whose message part is a `$ref` into a
//! separate definitions document (supplied as a resource, as the catalog supplies `_defs.json`).

use hookcheck::generate::{GenOptions, Generator};
use proptest::{
    prop_assert,
    test_runner::{Config, RngAlgorithm, TestError, TestRng, TestRunner},
};
use serde_json::{Value, json};

const DEFS_URI: &str = "https://hookcheck.dev/schemas/example/_defs.json";

fn documents() -> (Value, Value) {
    let schema = serde_json::from_str(include_str!("../generate_webhook.json")).unwrap();
    let defs = serde_json::from_str(include_str!("../generate_webhook_defs.json")).unwrap();
    (schema, defs)
}

fn generator() -> Generator {
    let (schema, defs) = documents();
    Generator::new(
        &schema,
        &[(DEFS_URI.to_owned(), defs)],
        GenOptions::default(),
    )
    .unwrap()
}

/// A validator compiled here, independently of the generator's own.
fn oracle() -> jsonschema::Validator {
    let (schema, defs) = documents();
    let registry = jsonschema::Registry::new()
        .add(DEFS_URI, defs)
        .unwrap()
        .prepare()
        .unwrap();
    jsonschema::options()
        .should_validate_formats(true)
        .with_registry(&registry)
        .build(&schema)
        .unwrap()
}

#[test]
fn every_value_conforms() {
    let g = generator();
    let oracle = oracle();
    for i in 0..2_000 {
        let v = g.generate(11, i).unwrap();
        assert!(oracle.is_valid(&v), "{v}");
    }
    // The plan is exact for this schema: the validator never had to reject a candidate.
    assert_eq!(g.stats().rejected, 0);
}

#[test]
fn same_seed_same_bytes() {
    let a = generator();
    let b = generator();
    for i in 0..50 {
        let x = serde_json::to_vec(&a.generate(99, i).unwrap()).unwrap();
        let y = serde_json::to_vec(&b.generate(99, i).unwrap()).unwrap();
        assert_eq!(x, y);
    }
    assert_ne!(a.generate(99, 0).unwrap(), a.generate(99, 1).unwrap());
    assert_ne!(a.generate(98, 0).unwrap(), a.generate(99, 0).unwrap());
}

#[test]
fn values_look_like_webhooks() {
    let g = generator();
    let values: Vec<Value> = (0..200).map(|i| g.generate(5, i).unwrap()).collect();
    for v in &values {
        assert_eq!(v["event"], "MessageDelivered");
        let to = v["payload"]["message"]["to"].as_str().unwrap();
        assert!(to.contains('@'), "{to}");
        assert!(v["timestamp"].as_f64().unwrap() >= 1_500_000_000.0);
    }
    // Nullable fields take both shapes, optional fields are sometimes present and sometimes not.
    let subjects = values.iter().map(|v| &v["payload"]["message"]["subject"]);
    assert!(subjects.clone().any(Value::is_null));
    assert!(subjects.clone().any(Value::is_string));
    let with_tags = values
        .iter()
        .filter(|v| v["payload"].get("tags").is_some())
        .count();
    assert!(with_tags > 20 && with_tags < 200, "{with_tags}");
    // Every listed status appears.
    for status in ["Sent", "SoftFail", "HardFail", "Held", "Bounced"] {
        assert!(
            values.iter().any(|v| v["payload"]["status"] == status),
            "{status}"
        );
    }
    // The schema's example is reused now and then.
    assert!(
        values
            .iter()
            .any(|v| v["payload"]["message"]["message_id"] == "<3f6c1a@mail.example.com>")
    );
}

#[test]
fn negatives_fail_on_their_label() {
    let g = generator();
    let oracle = oracle();
    let (negatives, stats) = g.negatives_with_stats(3, 60);
    assert!(negatives.len() >= 30, "{}", negatives.len());
    for n in &negatives {
        assert!(!oracle.is_valid(&n.value), "{n:?}");
        let errors: Vec<(String, String)> = oracle
            .iter_errors(&n.value)
            .map(|e| {
                (
                    e.kind().keyword().to_owned(),
                    e.instance_path().as_str().to_owned(),
                )
            })
            .collect();
        assert!(
            errors
                .iter()
                .all(|(k, p)| *k == n.keyword && p == n.instance_path.as_str()),
            "{n:?}: {errors:?}"
        );
    }
    let labels: Vec<(&str, &str)> = negatives
        .iter()
        .map(|n| (n.keyword.as_str(), n.instance_path.as_str()))
        .collect();
    for expected in [
        ("required", ""),
        ("additionalProperties", "/payload"),
        ("const", "/event"),
        ("format", "/id"),
        ("enum", "/payload/status"),
        ("minimum", "/payload/attempt"),
        ("maximum", "/payload/attempt"),
        ("format", "/payload/message/to"),
        ("pattern", "/payload/message/token"),
    ] {
        assert!(labels.contains(&expected), "{expected:?} not in {labels:?}");
    }
    assert!(stats.tried >= negatives.len());
    assert_eq!(negatives, g.negatives(3, 60), "negatives are deterministic");
}

#[test]
fn shrinks_to_the_required_skeleton() {
    let g = generator();
    let mut runner = TestRunner::new_with_rng(
        Config {
            failure_persistence: None,
            ..Config::default()
        },
        TestRng::deterministic_rng(RngAlgorithm::ChaCha),
    );
    // Fails for every value: shrinking must reach the simplest conforming envelope.
    let result = runner.run(&g.strategy(), |v| {
        prop_assert!(v["payload"]["message"]["id"] == json!(0));
        Ok(())
    });
    let Err(TestError::Fail(_, minimal)) = result else {
        panic!("expected a failure, got {result:?}");
    };
    assert!(g.is_valid(&minimal));
    let payload = minimal["payload"].as_object().unwrap();
    let message = payload["message"].as_object().unwrap();
    // Only required properties are left, with their simplest values.
    assert_eq!(minimal.as_object().unwrap().len(), 4, "{minimal}");
    assert_eq!(payload.len(), 7, "{minimal}");
    assert_eq!(message.len(), 8, "{minimal}");
    assert_eq!(message["id"], json!(1));
    assert_eq!(payload["time"], Value::Null);
    assert_eq!(payload["sent_with_ssl"], json!(false));
    assert_eq!(payload["status"], json!("Sent"));
}
