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
