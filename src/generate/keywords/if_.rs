//! `if` / `then` / `else`: two alternatives, "`if` holds and `then`" or "`if` fails and `else`".
//!
//! The first alternative adds the `if` schema positively (its annotations count, as the
//! specification says for a successful `if`); the second negates it, which usually becomes a
//! residual check.

use serde_json::{Map, Value};

use crate::generate::{
    compile::{
        Compiler, LocId,
        flatten::{self, Choice, Ctx, Flat},
    },
    error::GenError,
    keywords::combinators,
};

/// Records the `if` of the schema at `loc` as a choice (an `if` with neither `then` nor `else`
/// has no effect on validity).
pub(crate) fn collect(
    c: &mut Compiler<'_>,
    flat: &mut Flat,
    loc: LocId,
    map: &Map<String, Value>,
    ctx: &Ctx,
) {
    if !map.contains_key("then") && !map.contains_key("else") {
        return;
    }
    let cond = c.child(loc, &["if"]);
    let then = map.contains_key("then").then(|| c.child(loc, &["then"]));
    let otherwise = map.contains_key("else").then(|| c.child(loc, &["else"]));
    flat.choices.push(Choice::If {
        cond,
        then,
        otherwise,
        ctx: ctx.clone(),
    });
}

/// Applies one side of an `if`.
pub(crate) fn option(
    c: &mut Compiler<'_>,
    flat: &mut Flat,
    holds: bool,
    cond: LocId,
    then: Option<LocId>,
    otherwise: Option<LocId>,
    ctx: &Ctx,
) -> Result<(), GenError> {
    if holds {
        flatten::add(c, flat, cond, ctx.dscope, &ctx.uscopes)?;
        if let Some(t) = then {
            flatten::add(c, flat, t, ctx.dscope, &ctx.uscopes)?;
        }
    } else {
        combinators::negate(c, flat, cond, ctx)?;
        if let Some(e) = otherwise {
            flatten::add(c, flat, e, ctx.dscope, &ctx.uscopes)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::generate::testing::values;
    use serde_json::json;

    #[test]
    fn both_branches_are_reached() {
        let schema = json!({"if": {"type": "integer"}, "then": {"minimum": 100}, "else": {"type": "string", "const": "no"}});
        let vs = values(&schema, 200);
        assert!(vs.iter().any(|v| v.as_i64().is_some_and(|i| i >= 100)));
        assert!(vs.iter().any(|v| v == "no"));
        assert!(vs.iter().all(|v| v.is_i64() || v == "no"), "{vs:?}");
    }
}
