//! Generated numbers pass the float arithmetic of mainstream validators, not only the exact
//! decimal check: Python's `jsonschema` (`multipleOf` with a float divisor: `x / m` must be
//! integral; with an integer divisor: `x % m`), ajv (`x / m === parseInt(x / m)`), validators
//! that test `x % m === 0`, and exclusive bounds compared as doubles. Over every schema of the
//! JSON-Schema-Test-Suite (draft 2020-12, optional files included), the bundled catalog
//! schemas and a set of decimal divisors, each rule is rechecked here on its own terms, at
//! every place of every generated value that a numeric keyword applies to.

use std::path::Path;

use hookcheck::catalog::{Catalog, bundle};
use hookcheck::generate::{GenOptions, Generator};
use serde_json::{Number, Value, json};

/// Python `jsonschema`'s `multipleOf`.
fn python_accepts(x: &Number, m: &Number) -> bool {
    let xf = x.as_f64().unwrap();
    if m.is_f64() {
        // quotient = instance / dB; failed = int(quotient) != quotient (int(inf) overflows:
        // counted as a failure here, stricter than Python's exact fallback).
        let q = xf / m.as_f64().unwrap();
        q.is_finite() && q.trunc() == q
    } else if let (Some(xi), Some(mi)) = (as_i128(x), as_i128(m)) {
        xi % mi == 0
    } else {
        // A float instance modulo an integer divisor: zero exactly when fmod is.
        xf % m.as_f64().unwrap() == 0.0
    }
}

fn as_i128(n: &Number) -> Option<i128> {
    n.as_i64()
        .map(i128::from)
        .or_else(|| n.as_u64().map(i128::from))
}

/// ajv's `multipleOf`: `res = data / m; invalid = res !== parseInt(res)`. `parseInt` reads
/// `String(res)`, which is exponent notation from 1e21 on (`parseInt("1e+21")` is 1) and
/// `NaN` for infinities.
fn ajv_accepts(x: f64, m: f64) -> bool {
    let q = x / m;
    q.is_finite() && q.trunc() == q && q.abs() < 1e21
}

/// `x % m === 0` in doubles (JavaScript's `%` is C's `fmod`, as is Rust's).
fn remainder_accepts(x: f64, m: f64) -> bool {
    x % m == 0.0
}

#[derive(Default)]
struct Tally {
    numbers: usize,
    fractional_divisors: usize,
    exclusive: usize,
    failures: Vec<String>,
}

/// Checks `value` against the numeric keywords of `schema` (inside `root`), following the
/// keywords whose subschemas surely apply: `properties`, `additionalProperties`, `items`,
/// `prefixItems`, `allOf` and local `$ref`s.
fn walk(root: &Value, schema: &Value, value: &Value, at: &str, tally: &mut Tally, depth: u32) {
    let Some(s) = schema.as_object() else { return };
    if depth > 64 {
        return;
    }
    if let Some(Value::String(r)) = s.get("$ref")
        && let Some(ptr) = r.strip_prefix('#')
        && let Some(target) = root.pointer(ptr)
    {
        walk(root, target, value, at, tally, depth + 1);
    }
    if let Some(Value::Array(all)) = s.get("allOf") {
        for sub in all {
            walk(root, sub, value, at, tally, depth + 1);
        }
    }
    match value {
        Value::Number(x) => check_number(s, x, at, tally),
        Value::Object(obj) => {
            let props = s.get("properties").and_then(Value::as_object);
            for (k, v) in obj {
                let path = format!("{at}/{k}");
                match props.and_then(|p| p.get(k)) {
                    Some(sub) => walk(root, sub, v, &path, tally, depth + 1),
                    None if s.get("patternProperties").is_none() => {
                        if let Some(sub) = s.get("additionalProperties") {
                            walk(root, sub, v, &path, tally, depth + 1);
                        }
                    }
                    None => {}
                }
            }
        }
        Value::Array(items) => {
            let prefix = s.get("prefixItems").and_then(Value::as_array);
            for (i, v) in items.iter().enumerate() {
                let path = format!("{at}/{i}");
                match prefix.and_then(|p| p.get(i)) {
                    Some(sub) => walk(root, sub, v, &path, tally, depth + 1),
                    None if prefix.is_none_or(|p| i >= p.len()) => {
                        if let Some(sub) = s.get("items") {
                            walk(root, sub, v, &path, tally, depth + 1);
                        }
                    }
                    None => {}
                }
            }
        }
        _ => {}
    }
}

/// A bound keyword and its comparison in doubles.
type Bound = (&'static str, fn(f64, f64) -> bool);

fn check_number(s: &serde_json::Map<String, Value>, x: &Number, at: &str, tally: &mut Tally) {
    tally.numbers += 1;
    let xf = x.as_f64().unwrap();
    if let Some(Value::Number(m)) = s.get("multipleOf") {
        let mf = m.as_f64().unwrap();
        if mf.fract() != 0.0 {
            tally.fractional_divisors += 1;
        }
        for (rule, ok) in [
            ("Python jsonschema", python_accepts(x, m)),
            ("ajv", ajv_accepts(xf, mf)),
            ("x % m == 0", remainder_accepts(xf, mf)),
        ] {
            if !ok {
                tally
                    .failures
                    .push(format!("{at}: {x} fails multipleOf {m} under {rule}"));
            }
        }
    }
    let bounds: [Bound; 4] = [
        ("exclusiveMinimum", |x, b| x > b),
        ("exclusiveMaximum", |x, b| x < b),
        ("minimum", |x, b| x >= b),
        ("maximum", |x, b| x <= b),
    ];
    for (keyword, ok) in bounds {
        if let Some(b) = s.get(keyword).and_then(Value::as_f64) {
            if keyword.starts_with("exclusive") {
                tally.exclusive += 1;
            }
            if !ok(xf, b) {
                tally
                    .failures
                    .push(format!("{at}: {x} fails {keyword} {b} as doubles"));
            }
        }
    }
}

fn check_schema(schema: &Value, resources: &[(String, Value)], values: u64, tally: &mut Tally) {
    let Ok(generator) = Generator::new(schema, resources, GenOptions::default()) else {
        return;
    };
    for i in 0..values {
        if let Ok(v) = generator.generate(3, i) {
            walk(schema, schema, &v, "", tally, 0);
        }
    }
}

fn suite_schemas() -> Vec<Value> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/json-schema-test-suite/tests/draft2020-12");
    let mut files = Vec::new();
    for sub in [dir.clone(), dir.join("optional")] {
        for entry in std::fs::read_dir(&sub).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "json") {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut out = Vec::new();
    for path in files {
        let groups: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        for group in groups.as_array().unwrap() {
            out.push(group["schema"].clone());
        }
    }
    out
}

#[test]
fn suite_numbers_pass_float_validators() {
    let mut tally = Tally::default();
    for schema in suite_schemas() {
        let text = schema.to_string();
        let numeric = ["multipleOf", "exclusiveM", "minimum", "maximum"]
            .iter()
            .any(|k| text.contains(k));
        check_schema(&schema, &[], if numeric { 300 } else { 20 }, &mut tally);
    }
    assert!(tally.failures.is_empty(), "{:#?}", tally.failures);
    // The suite's float divisors (1.5, 0.0001, 0.123456789, 1e-8) were exercised.
    let (fractional, exclusive) = (tally.fractional_divisors, tally.exclusive);
    assert!(
        fractional >= 150 && exclusive >= 40,
        "{fractional} fractional multipleOf checks, {exclusive} exclusive bounds"
    );
}

#[test]
fn catalog_numbers_pass_float_validators() {
    let mut tally = Tally::default();
    for entry in Catalog::builtin().entries() {
        // The bundle resolves with local references only, which the walker follows.
        let schema = bundle::bundle(entry).unwrap();
        check_schema(&schema, &[], 40, &mut tally);
    }
    assert!(tally.failures.is_empty(), "{:#?}", tally.failures);
    assert!(tally.numbers >= 500, "{} numbers checked", tally.numbers);
}

#[test]
fn decimal_divisors_pass_float_validators() {
    let mut tally = Tally::default();
    for divisor in [0.1, 0.01, 0.05, 0.0001, 0.3, 0.07, 1e-8, 2.5, 0.125, 1e-3] {
        for extra in [
            json!({}),
            json!({"type": "number", "minimum": 1_000_000}),
            json!({"type": "integer"}),
            json!({"exclusiveMinimum": 0.25, "exclusiveMaximum": 1000.75}),
            json!({"maximum": -3}),
            json!({"type": "array", "items": {"multipleOf": divisor, "minimum": 0}}),
        ] {
            let mut schema = extra.clone();
            if schema.get("items").is_none() {
                schema["multipleOf"] = json!(divisor);
            }
            check_schema(&schema, &[], 200, &mut tally);
        }
    }
    assert!(tally.failures.is_empty(), "{:#?}", tally.failures);
    assert!(
        tally.fractional_divisors >= 5000,
        "{}",
        tally.fractional_divisors
    );
}
