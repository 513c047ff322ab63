//! `dependentRequired`, `dependentSchemas` and draft-07 `dependencies`.
//!
//! `dependentRequired` (and array-valued `dependencies`) is honoured by the object generator:
//! including a property includes the properties it depends on. `dependentSchemas` (and
//! schema-valued `dependencies`) splits an alternative in two: the property is absent, or it is
//! present and the whole object also satisfies the dependent schema.

use serde_json::Value;

use crate::generate::{
    compile::{
        Compiler, LocId,
        flatten::{self, Choice, Ctx, Flat},
    },
    error::GenError,
};

/// Records each schema-valued dependency of `key` (`dependentSchemas` or `dependencies`).
pub(crate) fn collect_schemas(
    c: &mut Compiler<'_>,
    flat: &mut Flat,
    loc: LocId,
    key: &str,
    value: &Value,
    ctx: &Ctx,
) {
    let Some(entries) = value.as_object() else {
        return;
    };
    for (name, schema) in entries {
        if schema.is_object() || schema == &Value::Bool(false) {
            let schema = c.child(loc, &[key, name]);
            flat.choices.push(Choice::Dependent {
                name: name.clone(),
                schema,
                ctx: ctx.clone(),
            });
        }
    }
}

/// Applies one side of a dependent schema: `present` adds the property as required, the schema,
/// and restricts the alternative to objects (the keyword has no effect on other types).
pub(crate) fn option(
    c: &mut Compiler<'_>,
    flat: &mut Flat,
    present: bool,
    name: &str,
    schema: LocId,
    ctx: &Ctx,
) -> Result<(), GenError> {
    if present {
        flat.required.push(name.to_owned());
        flat.object_only = true;
        flatten::add(c, flat, schema, ctx.dscope, &ctx.uscopes)
    } else {
        flat.forbidden.push(name.to_owned());
        Ok(())
    }
}

/// The `(property, properties it requires)` pairs of a `dependentRequired` value, or of the
/// array-valued entries of `dependencies`.
pub(crate) fn required_lists(value: &Value) -> Vec<(String, Vec<String>)> {
    let Some(entries) = value.as_object() else {
        return Vec::new();
    };
    entries
        .iter()
        .filter_map(|(name, deps)| {
            let deps = deps.as_array()?;
            Some((
                name.clone(),
                deps.iter()
                    .filter_map(|d| d.as_str().map(str::to_owned))
                    .collect(),
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn required_lists_skip_schema_entries() {
        let v = json!({"a": ["b", "c"], "d": {"type": "object"}, "e": []});
        assert_eq!(
            required_lists(&v),
            vec![
                ("a".into(), vec!["b".into(), "c".into()]),
                ("e".into(), vec![])
            ]
        );
    }
}

#[cfg(test)]
mod generation {
    use crate::generate::testing::values;
    use serde_json::json;

    #[test]
    fn dependent_schemas_apply_when_present() {
        let schema = json!({
            "type": "object",
            "properties": {"card": {"type": "string"}},
            "dependentSchemas": {"card": {"properties": {"cvv": {"type": "integer"}}, "required": ["cvv"]}}
        });
        let vs = values(&schema, 200);
        assert!(vs.iter().any(|v| v.get("card").is_some()));
        for v in vs {
            if v.get("card").is_some() {
                assert!(v["cvv"].is_i64(), "{v}");
            }
        }
    }
}
