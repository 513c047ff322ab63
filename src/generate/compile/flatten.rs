//! Flattening: every schema that applies in place at one instance location, collected.
//!
//! In-place applicators are conjunctions and are inlined: `allOf` members and `$ref`/
//! `$dynamicRef`/`$recursiveRef` targets join the set of positive members. Disjunctions are
//! recorded as [`Choice`]s and later [expanded](expand) into alternatives (`anyOf` branch i;
//! `oneOf` branch i with the other branches negated; `if`+`then` or `not if`+`else`;
//! `dependentSchemas` property present + schema, or property absent). `not` schemas are kept as
//! negated members; simple ones are folded into the body later ([`super::merge`]).
//!
//! Each member remembers which `unevaluatedProperties`/`unevaluatedItems` scopes it belongs to:
//! the scope owner and everything inlined below it, which is exactly the set of schemas whose
//! annotations that keyword sees.

use std::collections::HashSet;

use serde_json::Value;

use super::{Compiler, DScope, LocId, SchemaRef};
use crate::generate::{
    error::GenError,
    keywords::{combinators, dependent, if_, ref_, unevaluated::UScope},
};

/// A schema applying positively.
#[derive(Debug, Clone)]
pub(crate) struct Member {
    pub loc: LocId,
    pub dscope: DScope,
    /// Indices into [`Flat::uscopes`] of the unevaluated scopes this member is part of.
    pub uscopes: Vec<u16>,
}

/// Which member of a conjunction a keyword belongs to, where it sits and in which dialect.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MemberAt {
    /// Index of the member in [`Flat::pos`].
    pub index: usize,
    pub loc: LocId,
    pub dscope: DScope,
    pub draft: crate::generate::resolve::Draft,
}

/// A disjunction waiting to be expanded.
#[derive(Debug, Clone)]
pub(crate) enum Choice {
    AnyOf {
        branches: Vec<LocId>,
        ctx: Ctx,
    },
    OneOf {
        branches: Vec<LocId>,
        ctx: Ctx,
    },
    If {
        cond: LocId,
        then: Option<LocId>,
        otherwise: Option<LocId>,
        ctx: Ctx,
    },
    Dependent {
        name: String,
        schema: LocId,
        ctx: Ctx,
    },
}

/// Where a choice's branches are added: their dynamic and unevaluated scopes.
#[derive(Debug, Clone)]
pub(crate) struct Ctx {
    pub dscope: DScope,
    pub uscopes: Vec<u16>,
}

/// One conjunction being collected.
#[derive(Debug, Clone, Default)]
pub(crate) struct Flat {
    pub pos: Vec<Member>,
    pub neg: Vec<SchemaRef>,
    pub choices: Vec<Choice>,
    /// Properties an alternative requires (from `dependentSchemas` expansion).
    pub required: Vec<String>,
    /// Properties an alternative forbids.
    pub forbidden: Vec<String>,
    pub uscopes: Vec<UScope>,
    /// Only objects (a `dependentSchemas` alternative where the property is present).
    pub object_only: bool,
    /// The first reason this conjunction is empty, with where it arose.
    pub unsat: Option<(String, LocId)>,
    seen: HashSet<SchemaRef>,
}

impl Flat {
    pub(crate) fn fail(&mut self, reason: impl Into<String>, at: LocId) {
        if self.unsat.is_none() {
            self.unsat = Some((reason.into(), at));
        }
    }
}

/// Adds the schema at `loc` (and everything it applies in place) to `flat`.
pub(crate) fn add(
    c: &mut Compiler<'_>,
    flat: &mut Flat,
    loc: LocId,
    dscope: DScope,
    uscopes: &[u16],
) -> Result<(), GenError> {
    let map = match c.value(loc) {
        Value::Bool(true) => return Ok(()),
        Value::Bool(false) => {
            flat.fail("the schema is `false`", loc);
            return Ok(());
        }
        Value::Object(map) => map,
        // Not a schema; the validator refuses such documents when it compiles them.
        _ => return Ok(()),
    };
    if let Some(dialect) = c.reg.unknown_dialect(c.loc(loc).doc) {
        return Err(GenError::unsupported(
            "$schema",
            c.location(loc),
            format!("the schema is in an unknown or unsupported dialect {dialect}"),
        ));
    }
    let dscope = c.enter(dscope, loc);
    if !flat.seen.insert((loc, dscope)) {
        return Ok(());
    }
    let draft = c.scope(loc).draft;
    if draft.ref_overrides_siblings()
        && let Some(reference) = map.get("$ref").and_then(Value::as_str)
    {
        let target = ref_::follow(c, loc, reference)?;
        return add(c, flat, target, dscope, uscopes);
    }
    let mut us = uscopes.to_vec();
    if let Some(scope) = UScope::of(c, loc, dscope, draft) {
        us.push(u16::try_from(flat.uscopes.len()).unwrap_or(u16::MAX));
        flat.uscopes.push(scope);
    }
    flat.pos.push(Member {
        loc,
        dscope,
        uscopes: us.clone(),
    });
    let ctx = Ctx {
        dscope,
        uscopes: us.clone(),
    };
    for (key, sub) in map {
        match key.as_str() {
            "allOf" => {
                for i in 0..sub.as_array().map_or(0, Vec::len) {
                    let branch = c.child(loc, &["allOf", &i.to_string()]);
                    add(c, flat, branch, dscope, &us)?;
                }
            }
            "$ref" => {
                if let Some(reference) = sub.as_str() {
                    let target = ref_::follow(c, loc, reference)?;
                    add(c, flat, target, dscope, &us)?;
                }
            }
            "$dynamicRef" if draft >= crate::generate::resolve::Draft::D202012 => {
                if let Some(reference) = sub.as_str() {
                    let target = ref_::follow_dynamic(c, loc, dscope, reference)?;
                    add(c, flat, target, dscope, &us)?;
                }
            }
            "$recursiveRef" if draft == crate::generate::resolve::Draft::D201909 => {
                let target = ref_::follow_recursive(c, loc, dscope)?;
                add(c, flat, target, dscope, &us)?;
            }
            "anyOf" | "oneOf" => combinators::collect(c, flat, loc, key, sub, &ctx)?,
            "not" => {
                let inner = c.child(loc, &["not"]);
                combinators::negate(c, flat, inner, &ctx)?;
            }
            "if" if draft >= crate::generate::resolve::Draft::D7 => {
                if_::collect(c, flat, loc, map, &ctx);
            }
            "dependentSchemas" if draft >= crate::generate::resolve::Draft::D201909 => {
                dependent::collect_schemas(c, flat, loc, key, sub, &ctx);
            }
            "dependencies" => dependent::collect_schemas(c, flat, loc, key, sub, &ctx),
            _ => {}
        }
    }
    Ok(())
}

/// Expands the choices of `flat` into choice-free conjunctions, appended to `out`.
pub(crate) fn expand(
    c: &mut Compiler<'_>,
    mut flat: Flat,
    out: &mut Vec<Flat>,
) -> Result<(), GenError> {
    if flat.unsat.is_some() || flat.choices.is_empty() {
        out.push(flat);
        return Ok(());
    }
    let choice = flat.choices.remove(0);
    let options = match &choice {
        Choice::AnyOf { branches, .. } | Choice::OneOf { branches, .. } => branches.len(),
        Choice::If { .. } | Choice::Dependent { .. } => 2,
    };
    for i in 0..options {
        let mut f = flat.clone();
        match &choice {
            Choice::AnyOf { branches, ctx } => {
                add(c, &mut f, branches[i], ctx.dscope, &ctx.uscopes)?
            }
            Choice::OneOf { branches, ctx } => {
                add(c, &mut f, branches[i], ctx.dscope, &ctx.uscopes)?;
                for (j, other) in branches.iter().enumerate() {
                    if j != i {
                        combinators::negate(c, &mut f, *other, ctx)?;
                    }
                }
            }
            Choice::If {
                cond,
                then,
                otherwise,
                ctx,
            } => {
                if_::option(c, &mut f, i == 0, *cond, *then, *otherwise, ctx)?;
            }
            Choice::Dependent { name, schema, ctx } => {
                dependent::option(c, &mut f, i == 1, name, *schema, ctx)?;
            }
        }
        expand(c, f, out)?;
        if out.len() > c.opts.max_alternatives {
            let at = match &choice {
                Choice::AnyOf { branches, .. } | Choice::OneOf { branches, .. } => branches[0],
                Choice::If { cond, .. } => *cond,
                Choice::Dependent { schema, .. } => *schema,
            };
            return Err(GenError::unsupported(
                "anyOf",
                c.location(at),
                format!(
                    "more than {} alternatives at one place (nested anyOf/oneOf/if)",
                    c.opts.max_alternatives
                ),
            ));
        }
    }
    Ok(())
}
