//! `allOf`, `anyOf`, `oneOf`, `not`.
//!
//! `allOf` is inlined by the flattener. `anyOf` and `oneOf` become choices that expand into one
//! alternative per branch (for `oneOf`, with every other branch negated). `not` is folded where
//! its meaning is a plain restriction of the body: `not: {type}` removes types, `not: {const}` /
//! `not: {enum}` excludes values, `not: {required: [p]}` forbids a property, `not: {not: S}` is
//! `S`, `not: {anyOf: [...]}` negates each branch. Anything else stays a residual check: the
//! generated value must fail that subschema's checker.

use serde_json::{Map, Value};

use crate::generate::{
    compile::{
        Compiler, LocId,
        flatten::{self, Choice, Ctx, Flat},
    },
    error::GenError,
    keywords::type_::TypeSet,
};

/// Keywords that never constrain an instance.
pub(crate) const ANNOTATIONS: &[&str] = &[
    "$comment",
    "$schema",
    "$id",
    "$anchor",
    "$defs",
    "definitions",
    "title",
    "description",
    "default",
    "examples",
    "deprecated",
    "readOnly",
    "writeOnly",
];

/// Records an `anyOf`/`oneOf` at `loc` as a choice (a single branch is inlined).
pub(crate) fn collect(
    c: &mut Compiler<'_>,
    flat: &mut Flat,
    loc: LocId,
    key: &str,
    value: &Value,
    ctx: &Ctx,
) -> Result<(), GenError> {
    let n = value.as_array().map_or(0, Vec::len);
    if n == 0 {
        return Ok(());
    }
    let branches: Vec<LocId> = (0..n)
        .map(|i| c.child(loc, &[key, &i.to_string()]))
        .collect();
    if n == 1 {
        return flatten::add(c, flat, branches[0], ctx.dscope, &ctx.uscopes);
    }
    flat.choices.push(if key == "anyOf" {
        Choice::AnyOf {
            branches,
            ctx: ctx.clone(),
        }
    } else {
        Choice::OneOf {
            branches,
            ctx: ctx.clone(),
        }
    });
    Ok(())
}

/// Adds "must not match the schema at `loc`" to `flat`.
pub(crate) fn negate(
    c: &mut Compiler<'_>,
    flat: &mut Flat,
    loc: LocId,
    ctx: &Ctx,
) -> Result<(), GenError> {
    match c.value(loc) {
        Value::Bool(false) => Ok(()),
        Value::Bool(true) => {
            flat.fail("a negated schema accepts everything", loc);
            Ok(())
        }
        Value::Object(map) => {
            let keys = constraining_keys(map);
            if keys == ["not"] {
                // `not` discards annotations, so the inner schema joins without unevaluated scopes.
                let inner = c.child(loc, &["not"]);
                return flatten::add(c, flat, inner, ctx.dscope, &[]);
            }
            if keys == ["anyOf"] {
                let n = map
                    .get("anyOf")
                    .and_then(Value::as_array)
                    .map_or(0, Vec::len);
                for i in 0..n {
                    let branch = c.child(loc, &["anyOf", &i.to_string()]);
                    negate(c, flat, branch, ctx)?;
                }
                return Ok(());
            }
            if keys.is_empty() {
                flat.fail("a negated schema accepts everything", loc);
                return Ok(());
            }
            flat.neg.push((loc, ctx.dscope));
            Ok(())
        }
        _ => Ok(()),
    }
}

fn constraining_keys(map: &Map<String, Value>) -> Vec<&str> {
    map.keys()
        .map(String::as_str)
        .filter(|k| !ANNOTATIONS.contains(k))
        .collect()
}

/// How a negated schema restricts the body, when it does so plainly.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Fold {
    /// The value must not be of these types.
    Types(TypeSet),
    /// The value must not equal any of these.
    Values(Vec<Value>),
    /// The object must not have this property.
    Forbid(String),
    /// No plain meaning: check the value against the schema.
    Check,
}

/// Classifies a negated schema.
pub(crate) fn fold(schema: &Value) -> Fold {
    let Some(map) = schema.as_object() else {
        return Fold::Check;
    };
    let keys = constraining_keys(map);
    match keys.as_slice() {
        ["type"] => map
            .get("type")
            .and_then(TypeSet::from_keyword)
            .map_or(Fold::Check, Fold::Types),
        ["const"] => Fold::Values(vec![map["const"].clone()]),
        ["enum"] => match map.get("enum") {
            Some(Value::Array(values)) => Fold::Values(values.clone()),
            _ => Fold::Check,
        },
        ["required"] => match map
            .get("required")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
        {
            Some([Value::String(name)]) => Fold::Forbid(name.clone()),
            _ => Fold::Check,
        },
        _ => Fold::Check,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn plain_negations_fold() {
        assert_eq!(fold(&json!({"type": "null"})), Fold::Types(TypeSet::NULL));
        assert_eq!(
            fold(&json!({"const": 1, "title": "x"})),
            Fold::Values(vec![json!(1)])
        );
        assert_eq!(
            fold(&json!({"enum": [1, 2]})),
            Fold::Values(vec![json!(1), json!(2)])
        );
        assert_eq!(fold(&json!({"required": ["a"]})), Fold::Forbid("a".into()));
        assert_eq!(fold(&json!({"required": ["a", "b"]})), Fold::Check);
        assert_eq!(
            fold(&json!({"type": "string", "minLength": 2})),
            Fold::Check
        );
    }
}

#[cfg(test)]
mod generation {
    use crate::generate::testing::values;
    use serde_json::json;

    #[test]
    fn one_of_is_exclusive() {
        let schema = json!({"oneOf": [{"type": "integer", "minimum": 0}, {"type": "integer", "maximum": 10}]});
        for v in values(&schema, 200) {
            let i = v.as_i64().unwrap();
            assert!(!(0..=10).contains(&i), "{i}");
        }
    }

    #[test]
    fn negations_fold_and_check() {
        for v in values(
            &json!({"not": {"type": ["null", "boolean", "object", "array", "number"]}}),
            50,
        ) {
            assert!(v.is_string());
        }
        for v in values(&json!({"enum": [1, 2, 3], "not": {"const": 2}}), 50) {
            assert_ne!(v, json!(2));
        }
        for v in values(&json!({"type": "string", "not": {"minLength": 2}}), 50) {
            assert!(v.as_str().unwrap().chars().count() < 2);
        }
    }
}
