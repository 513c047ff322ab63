//! Helpers for the unit tests of the keyword modules: generate values from a schema and check
//! each with a validator compiled independently of the generator.

use serde_json::Value;

use super::{GenOptions, Generator};

/// A generator for `schema` (panics with the error if it cannot be built).
pub(crate) fn generator(schema: &Value) -> Generator {
    Generator::new(schema, &[], GenOptions::default()).unwrap_or_else(|e| panic!("{schema}: {e}"))
}

/// `n` values of `schema`, each asserted valid by an independent validator.
pub(crate) fn values(schema: &Value, n: u64) -> Vec<Value> {
    let g = generator(schema);
    let oracle = jsonschema::options()
        .should_validate_formats(true)
        .build(schema)
        .unwrap_or_else(|e| panic!("{schema}: {e}"));
    (0..n)
        .map(|i| {
            let v = g
                .generate(0xab, i)
                .unwrap_or_else(|e| panic!("{schema}: {e}"));
            assert!(oracle.is_valid(&v), "{schema}: generated {v}");
            v
        })
        .collect()
}
