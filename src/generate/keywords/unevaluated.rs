//! `unevaluatedProperties` and `unevaluatedItems`.
//!
//! A schema with one of these keywords opens a scope that contains it and every schema inlined
//! below it (its `allOf`, `$ref` targets, the chosen `anyOf`/`oneOf`/`if` branches). A property
//! (or item position) is *evaluated* in that scope when some schema of the scope declares it
//! (`properties`, a matching `patternProperties`, `additionalProperties`; `prefixItems`,
//! `items`), or when a nested scope's own `unevaluated*` keyword covers it. Properties and
//! positions that are not evaluated also get the `unevaluated*` schema.
//!
//! This is conservative in one direction only: annotations of `anyOf` branches that were not
//! chosen but happen to match, and of `contains`, are not counted, so the unevaluated schema may
//! be applied where the validator would not apply it. That never makes a value invalid; at worst
//! it narrows what is generated.

use crate::generate::{
    compile::{Compiler, DScope, LocId, SchemaRef, flatten::Member},
    resolve::Draft,
};

/// One unevaluated scope.
#[derive(Debug, Clone)]
pub(crate) struct UScope {
    /// The schema that owns the keywords.
    pub owner: LocId,
    /// Its `unevaluatedProperties` schema.
    pub props: Option<SchemaRef>,
    /// Its `unevaluatedItems` schema.
    pub items: Option<SchemaRef>,
}

impl UScope {
    /// The scope the schema at `loc` opens, if it has an `unevaluated*` keyword.
    pub(crate) fn of(
        c: &mut Compiler<'_>,
        loc: LocId,
        dscope: DScope,
        draft: Draft,
    ) -> Option<Self> {
        if draft < Draft::D201909 {
            return None;
        }
        let map = c.value(loc).as_object()?;
        let has_props = map.contains_key("unevaluatedProperties");
        let has_items = map.contains_key("unevaluatedItems");
        if !has_props && !has_items {
            return None;
        }
        let props = has_props.then(|| (c.child(loc, &["unevaluatedProperties"]), dscope));
        let items = has_items.then(|| (c.child(loc, &["unevaluatedItems"]), dscope));
        Some(Self {
            owner: loc,
            props,
            items,
        })
    }
}

/// Whether scope `u` evaluates something: some member of the scope satisfies `declares`, or
/// owns a nested scope whose own keyword (selected by `nested`) exists.
pub(crate) fn evaluated(
    members: &[Member],
    scopes: &[UScope],
    u: u16,
    mut declares: impl FnMut(usize) -> bool,
    nested: impl Fn(&UScope) -> bool,
) -> bool {
    members.iter().enumerate().any(|(i, m)| {
        m.uscopes.contains(&u)
            && (declares(i)
                || m.uscopes.iter().any(|&v| {
                    v != u
                        && scopes
                            .get(usize::from(v))
                            .is_some_and(|s| s.owner == m.loc && nested(s))
                }))
    })
}

#[cfg(test)]
mod tests {
    use crate::generate::testing::values;
    use serde_json::json;

    #[test]
    fn properties_evaluated_in_place_are_allowed() {
        let schema = json!({
            "type": "object",
            "allOf": [{"properties": {"a": {"type": "integer"}}, "required": ["a"]}],
            "properties": {"b": {"type": "boolean"}},
            "unevaluatedProperties": false
        });
        for v in values(&schema, 100) {
            assert!(
                v.as_object().unwrap().keys().all(|k| k == "a" || k == "b"),
                "{v}"
            );
        }
    }

    #[test]
    fn unevaluated_items_constrain_the_rest() {
        let schema = json!({"type": "array", "prefixItems": [{"type": "string"}], "unevaluatedItems": {"type": "null"}});
        for v in values(&schema, 100) {
            assert!(
                v.as_array()
                    .unwrap()
                    .iter()
                    .skip(1)
                    .all(serde_json::Value::is_null),
                "{v}"
            );
        }
    }
}
