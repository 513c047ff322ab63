//! `$ref`, `$dynamicRef` (2020-12) and `$recursiveRef` (2019-09): references are inlined.
//!
//! A reference is an in-place applicator, so its target simply joins the conjunction at the
//! current instance location. Cycles cost nothing here: the flattener skips a schema already in
//! the conjunction, and a reference reached again one level deeper (a tree's children) leads to a
//! node that already exists. `$dynamicRef` to a `$dynamicAnchor` is re-targeted to the outermost
//! resource of the dynamic scope that declares the same dynamic anchor; `$recursiveRef` likewise
//! with `$recursiveAnchor: true`.

use crate::generate::{
    compile::{Compiler, DScope, LocId},
    error::GenError,
};

/// The target of a static `$ref` made at `from`.
pub(crate) fn follow(
    c: &mut Compiler<'_>,
    from: LocId,
    reference: &str,
) -> Result<LocId, GenError> {
    let target = c.reg.resolve(c.loc(from), reference)?;
    Ok(c.intern(target.loc))
}

/// The target of a `$dynamicRef` made at `from` in dynamic scope `dscope`.
pub(crate) fn follow_dynamic(
    c: &mut Compiler<'_>,
    from: LocId,
    dscope: DScope,
    reference: &str,
) -> Result<LocId, GenError> {
    let target = c.reg.resolve(c.loc(from), reference)?;
    if let Some(name) = &target.anchor {
        let found = c
            .dscope(dscope)
            .iter()
            .find_map(|uri| c.reg.dynamic_anchor(uri, name).cloned());
        if let Some(loc) = found {
            return Ok(c.intern(loc));
        }
    }
    Ok(c.intern(target.loc))
}

/// The target of a `$recursiveRef` made at `from` in dynamic scope `dscope`.
pub(crate) fn follow_recursive(
    c: &mut Compiler<'_>,
    from: LocId,
    dscope: DScope,
) -> Result<LocId, GenError> {
    let target = c.reg.resolve(c.loc(from), "#")?;
    if c.reg.has_recursive_anchor(&target.resource) {
        let found = c
            .dscope(dscope)
            .iter()
            .find(|uri| c.reg.has_recursive_anchor(uri))
            .and_then(|uri| c.reg.resource_root(uri).cloned());
        if let Some(loc) = found {
            return Ok(c.intern(loc));
        }
    }
    Ok(c.intern(target.loc))
}

#[cfg(test)]
mod tests {
    use crate::generate::testing::values;
    use serde_json::json;

    #[test]
    fn recursive_refs_are_bounded() {
        let schema = json!({
            "$defs": {"list": {"type": "object", "properties": {"next": {"$ref": "#/$defs/list"}, "v": {"type": "integer"}}, "required": ["v"]}},
            "$ref": "#/$defs/list"
        });
        fn depth(v: &serde_json::Value) -> usize {
            v.get("next").map_or(1, |n| 1 + depth(n))
        }
        let vs = values(&schema, 100);
        assert!(vs.iter().all(|v| depth(v) <= 6));
        assert!(vs.iter().any(|v| depth(v) >= 2));
    }

    #[test]
    fn dynamic_refs_take_the_outermost_anchor() {
        let schema = json!({
            "$id": "https://x.test/strict",
            "$ref": "list",
            "$defs": {
                "items": {"$dynamicAnchor": "items", "type": "integer"},
                "list": {"$id": "list", "type": "array", "items": {"$dynamicRef": "#items"},
                         "$defs": {"items": {"$dynamicAnchor": "items"}}}
            }
        });
        for v in values(&schema, 100) {
            assert!(
                v.as_array().unwrap().iter().all(serde_json::Value::is_i64),
                "{v}"
            );
        }
    }
}
