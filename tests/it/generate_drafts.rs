//! Dialects and declines: draft-07 and 2019-09 schemas are generated with their own semantics,
//! schemas the generator cannot honour are declined as unsupported, empty ones are reported.

use hookcheck::generate::{GenError, GenOptions, Generator};
use serde_json::{Value, json};

fn values(schema: &Value, n: u64) -> Vec<Value> {
    let g = Generator::new(schema, &[], GenOptions::default()).unwrap();
    let oracle = jsonschema::options()
        .should_validate_formats(true)
        .build(schema)
        .unwrap();
    (0..n)
        .map(|i| {
            let v = g.generate(1, i).unwrap();
            assert!(oracle.is_valid(&v), "{v}");
            v
        })
        .collect()
}

#[test]
fn draft7_ref_overrides_its_siblings() {
    let schema = json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "definitions": {"n": {"type": "integer", "minimum": 3}},
        "$ref": "#/definitions/n",
        "type": "string"
    });
    for v in values(&schema, 100) {
        assert!(v.as_i64().is_some_and(|i| i >= 3), "{v}");
    }
}

#[test]
fn draft7_tuple_items_and_additional_items() {
    let schema = json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "array",
        "items": [{"type": "string"}, {"type": "boolean"}],
        "additionalItems": false
    });
    for v in values(&schema, 100) {
        let items = v.as_array().unwrap();
        assert!(items.len() <= 2);
        if let Some(first) = items.first() {
            assert!(first.is_string());
        }
    }
}

#[test]
fn draft7_dependencies_both_forms() {
    let schema = json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}, "c": {"type": "integer"}},
        "dependencies": {"a": ["b"], "b": {"required": ["c"]}}
    });
    for v in values(&schema, 200) {
        if v.get("a").is_some() {
            assert!(v.get("b").is_some(), "{v}");
        }
        if v.get("b").is_some() {
            assert!(v.get("c").is_some(), "{v}");
        }
    }
}

#[test]
fn draft2019_recursive_ref() {
    let schema = json!({
        "$schema": "https://json-schema.org/draft/2019-09/schema",
        "$id": "https://x.test/tree",
        "$recursiveAnchor": true,
        "type": "object",
        "properties": {"leaf": {"type": "integer"}, "kids": {"type": "array", "items": {"$recursiveRef": "#"}}},
        "required": ["leaf"]
    });
    values(&schema, 100);
}

#[test]
fn draft4_is_declined() {
    let err = Generator::new(
        &json!({"$schema": "http://json-schema.org/draft-04/schema#", "type": "integer"}),
        &[],
        GenOptions::default(),
    )
    .unwrap_err();
    assert!(
        matches!(&err, GenError::Unsupported { keyword, .. } if keyword == "$schema"),
        "{err}"
    );
}

#[test]
fn lookaround_patterns_are_declined() {
    let err = Generator::new(
        &json!({"type": "string", "pattern": "^(?!admin).+$"}),
        &[],
        GenOptions::default(),
    )
    .unwrap_err();
    match err {
        GenError::Unsupported {
            keyword, location, ..
        } => {
            assert_eq!(keyword, "pattern");
            assert_eq!(location.to_string(), "#");
        }
        other => panic!("{other}"),
    }
}

#[test]
fn missing_resources_are_schema_errors() {
    let err = Generator::new(
        &json!({"$id": "https://x.test/a.json", "$ref": "b.json"}),
        &[],
        GenOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(err, GenError::Schema { .. }), "{err}");
}

#[test]
fn unsatisfiable_schemas_name_the_reason() {
    let err = Generator::new(
        &json!({"type": "object", "properties": {"n": {"type": "integer", "minimum": 5, "maximum": 1}}, "required": ["n"]}),
        &[],
        GenOptions::default(),
    )
    .unwrap_err();
    match err {
        GenError::Unsatisfiable { reason, location } => {
            assert_eq!(
                reason,
                "required property `n`: no integer is within the numeric bounds"
            );
            assert_eq!(location.to_string(), "#/properties/n");
        }
        other => panic!("{other}"),
    }
}
