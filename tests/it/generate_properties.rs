//! Property tests over schemas chosen to be hard: every generated value conforms (checked by an
//! independently compiled validator), across many seeds and through every driver (seeded,
//! proptest with shrinking, fuzzer bytes), and every negative fails for the reason it names.

use arbitrary::Unstructured;
use hookcheck::generate::{GenOptions, Generator};
use proptest::{
    prop_assert,
    test_runner::{Config, RngAlgorithm, TestRng, TestRunner},
};
use serde_json::{Value, json};

fn tricky() -> Vec<(&'static str, Value)> {
    vec![
        (
            "overlapping oneOf",
            json!({"oneOf": [{"type": "integer", "multipleOf": 2}, {"type": "integer", "multipleOf": 3}]}),
        ),
        (
            "if/then/else",
            json!({
                "type": "object",
                "properties": {"kind": {"enum": ["a", "b"]}, "n": {"type": "integer"}},
                "required": ["kind", "n"],
                "if": {"properties": {"kind": {"const": "a"}}},
                "then": {"properties": {"n": {"minimum": 10}}},
                "else": {"properties": {"n": {"maximum": -10}}}
            }),
        ),
        (
            "not of a complex schema",
            json!({"type": "string", "minLength": 1, "maxLength": 3, "not": {"pattern": "^a"}}),
        ),
        (
            "dependentSchemas",
            json!({
                "type": "object",
                "properties": {"card": {"type": "string"}, "billing": {"type": "string"}},
                "dependentSchemas": {"card": {"required": ["billing"]}},
                "dependentRequired": {"billing": ["zip"]}
            }),
        ),
        (
            "unevaluatedProperties",
            json!({
                "type": "object",
                "allOf": [{"properties": {"a": {"type": "integer"}}}],
                "anyOf": [{"properties": {"b": {"type": "string"}}, "required": ["b"]}, {"properties": {"c": {"type": "null"}}}],
                "unevaluatedProperties": false
            }),
        ),
        (
            "patternProperties and additionalProperties",
            json!({
                "type": "object",
                "patternProperties": {"^x-": {"type": "string"}, "^n[0-9]+$": {"type": "integer"}},
                "additionalProperties": {"type": "boolean"},
                "propertyNames": {"maxLength": 8},
                "minProperties": 3
            }),
        ),
        (
            "contains with bounds",
            json!({
                "type": "array",
                "contains": {"type": "integer", "minimum": 100},
                "minContains": 2,
                "maxContains": 3,
                "items": {"type": "integer"},
                "minItems": 4
            }),
        ),
        (
            "unique items from a small enum",
            json!({"type": "array", "items": {"enum": [1, 2, 3]}, "uniqueItems": true, "minItems": 3}),
        ),
        (
            "recursive tree via $dynamicRef",
            json!({
                "$id": "https://x.test/tree",
                "$dynamicAnchor": "node",
                "type": "object",
                "required": ["value"],
                "properties": {"value": {"type": "integer"}, "children": {"type": "array", "items": {"$dynamicRef": "#node"}}}
            }),
        ),
        (
            "decimal multipleOf",
            json!({"type": "number", "multipleOf": 0.01, "exclusiveMinimum": 0, "maximum": 1}),
        ),
        (
            "prefixItems closed",
            json!({"type": "array", "prefixItems": [{"const": "v1"}, {"type": "boolean"}], "items": false, "minItems": 1}),
        ),
        (
            "nested anyOf with const objects",
            json!({"anyOf": [{"const": {"a": [1, {"b": null}]}}, {"anyOf": [{"type": "null"}, {"type": "string", "format": "date"}]}]}),
        ),
        (
            "type negation",
            json!({"not": {"type": ["object", "array", "string"]}, "minimum": 0.5}),
        ),
        (
            "ECMA-262 pattern",
            json!({"type": "string", "pattern": "^\\d{3}-\\w+\\s?$"}),
        ),
        (
            "format and pattern",
            json!({"type": "string", "format": "email", "pattern": "@example\\.com$"}),
        ),
    ]
}

fn oracle(schema: &Value) -> jsonschema::Validator {
    jsonschema::options()
        .should_validate_formats(true)
        .with_draft(jsonschema::Draft::Draft202012)
        .build(schema)
        .unwrap()
}

#[test]
fn seeded_values_conform() {
    for (name, schema) in tricky() {
        let g = Generator::new(&schema, &[], GenOptions::default())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let oracle = oracle(&schema);
        for i in 0..300 {
            let v = g
                .generate(0xfeed, i)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(oracle.is_valid(&v), "{name}: {v}");
        }
        let s = g.stats();
        assert!(
            s.rejected * 10 <= s.candidates,
            "{name}: plan too inexact: {s:?}"
        );
    }
}

#[test]
fn proptest_values_conform_and_shrink_to_valid_values() {
    for (name, schema) in tricky() {
        let g = Generator::new(&schema, &[], GenOptions::default()).unwrap();
        let oracle = oracle(&schema);
        let mut runner = TestRunner::new_with_rng(
            Config {
                cases: 64,
                failure_persistence: None,
                ..Config::default()
            },
            TestRng::deterministic_rng(RngAlgorithm::ChaCha),
        );
        runner
            .run(&g.strategy(), |v| {
                prop_assert!(oracle.is_valid(&v), "{}: {}", name, v);
                Ok(())
            })
            .unwrap();
        // A property that always fails: the shrunk value must still conform.
        let mut runner = TestRunner::new_with_rng(
            Config {
                failure_persistence: None,
                ..Config::default()
            },
            TestRng::deterministic_rng(RngAlgorithm::ChaCha),
        );
        let result = runner.run(&g.strategy(), |_| {
            prop_assert!(false);
            Ok(())
        });
        match result {
            Err(proptest::test_runner::TestError::Fail(_, minimal)) => {
                assert!(oracle.is_valid(&minimal), "{name}: shrunk to {minimal}");
            }
            other => panic!("{name}: {other:?}"),
        }
    }
}

#[test]
fn fuzzer_bytes_give_conforming_values() {
    let mut bytes = vec![0u8; 512];
    for (name, schema) in tricky() {
        let g = Generator::new(&schema, &[], GenOptions::default()).unwrap();
        let oracle = oracle(&schema);
        let mut produced = 0;
        for round in 0..64u32 {
            for (i, b) in bytes.iter_mut().enumerate() {
                *b = (round
                    .wrapping_mul(2_654_435_761)
                    .wrapping_add(i as u32 * 40_503)
                    >> 11) as u8;
            }
            let len = (round as usize * 8) % bytes.len();
            if let Ok(v) = g.from_unstructured(&mut Unstructured::new(&bytes[..len])) {
                assert!(oracle.is_valid(&v), "{name}: {v}");
                produced += 1;
            }
        }
        assert!(
            produced >= 48,
            "{name}: only {produced} of 64 inputs gave a value"
        );
    }
}

#[test]
fn negatives_fail_for_their_label() {
    for (name, schema) in tricky() {
        let g = Generator::new(&schema, &[], GenOptions::default()).unwrap();
        let oracle = oracle(&schema);
        for n in g.negatives(1, 20) {
            let errors: Vec<(String, String)> = oracle
                .iter_errors(&n.value)
                .map(|e| {
                    (
                        e.kind().keyword().to_owned(),
                        e.instance_path().as_str().to_owned(),
                    )
                })
                .collect();
            assert!(!errors.is_empty(), "{name}: {n:?} is valid");
            assert!(
                errors
                    .iter()
                    .all(|(k, p)| *k == n.keyword && p == n.instance_path.as_str()),
                "{name}: {n:?} fails with {errors:?}"
            );
        }
    }
}

#[test]
fn realism_can_be_turned_off() {
    let schema = json!({"type": "object", "required": ["email"], "properties": {"email": {"type": "string", "maxLength": 40}}});
    let plain = Generator::new(&schema, &[], GenOptions::default().with_realism(false)).unwrap();
    let real = Generator::new(&schema, &[], GenOptions::default()).unwrap();
    let at = |g: &Generator| {
        (0..50)
            .filter(|i| {
                g.generate(2, *i).unwrap()["email"]
                    .as_str()
                    .unwrap()
                    .contains('@')
            })
            .count()
    };
    assert!(at(&real) > 30);
    assert!(at(&plain) < 5);
}

/// Removes what would make a random schema unusable offline (references to unknown documents,
/// unknown dialects, formats with made-up names), drops `not`, `const` and `enum` and turns `false`
/// into `true`, so that most schemas are satisfiable and rich rather than empty.
fn tame(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for k in [
                "$ref",
                "$dynamicRef",
                "$recursiveRef",
                "$schema",
                "$id",
                "$anchor",
                "$dynamicAnchor",
                "$recursiveAnchor",
                "$vocabulary",
                "$defs",
                "definitions",
                "format",
                "not",
                "const",
                "enum",
            ] {
                m.remove(k);
            }
            m.values_mut().for_each(tame);
        }
        Value::Array(items) => items.iter_mut().for_each(tame),
        Value::Bool(b) => *b = true,
        _ => {}
    }
}

/// Schemas drawn from the metaschemas of drafts 2020-12, 2019-09 and 07 (the generator
/// generating its own input): compiling never fails unexpectedly, generated values conform,
/// negatives do not, and no "unsatisfiable" verdict is refuted by a random value.
#[test]
fn random_schemas_from_the_metaschemas() {
    let anything = Generator::new(&json!({}), &[], GenOptions::default()).unwrap();
    for (meta_uri, draft) in [
        (
            "https://json-schema.org/draft/2020-12/schema",
            jsonschema::Draft::Draft202012,
        ),
        (
            "https://json-schema.org/draft/2019-09/schema",
            jsonschema::Draft::Draft201909,
        ),
        (
            "http://json-schema.org/draft-07/schema#",
            jsonschema::Draft::Draft7,
        ),
    ] {
        let meta = Generator::new(
            &json!({"$schema": meta_uri, "$ref": meta_uri}),
            &[],
            GenOptions::default().with_max_size(60),
        )
        .unwrap();
        let (mut built, mut unsatisfiable, mut exhausted) = (0, 0, 0);
        for i in 0..150 {
            let mut schema = meta.generate(42, i).unwrap();
            tame(&mut schema);
            let Value::Object(map) = &mut schema else {
                continue;
            };
            map.insert("$schema".into(), json!(meta_uri));
            let oracle = jsonschema::options()
                .should_validate_formats(true)
                .with_draft(draft)
                .build(&schema)
                .unwrap();
            match Generator::new(&schema, &[], GenOptions::default()) {
                Ok(g) => {
                    built += 1;
                    for j in 0..5 {
                        match g.generate(1, j) {
                            Ok(v) => assert!(oracle.is_valid(&v), "{schema}: {v}"),
                            // Not a lie: the analysis could not prove that no value exists.
                            Err(_) => exhausted += 1,
                        }
                    }
                    for n in g.negatives(1, 5) {
                        assert!(!oracle.is_valid(&n.value), "{schema}: {n:?}");
                    }
                }
                Err(e) if e.is_unsatisfiable() => {
                    unsatisfiable += 1;
                    for k in 0..100 {
                        let v = anything.generate(9, k).unwrap();
                        assert!(!oracle.is_valid(&v), "{e} refuted by {v}: {schema}");
                    }
                }
                // Declined honestly (e.g. `minItems` in the billions).
                Err(e) if e.is_unsupported() => {}
                Err(e) => panic!("{schema}: {e}"),
            }
        }
        assert!(
            built >= 30,
            "{meta_uri}: only {built} schemas built ({unsatisfiable} unsatisfiable)"
        );
        assert!(
            exhausted <= built / 4,
            "{meta_uri}: {exhausted} values not found"
        );
    }
}
