//! The compiled generation plan: a graph of nodes, one per distinct set of schemas that apply
//! together at an instance location.
//!
//! A [`Node`] is the conjunction of every schema that applies at one place (the schema itself,
//! its `allOf` members, `$ref` targets, the parent's `additionalProperties`, ...), already merged:
//! types intersected, ranges narrowed, property schemas combined. Disjunctions (`anyOf`, `oneOf`,
//! `if`/`then`/`else`, `dependentSchemas`) are distributed into a node's [`Alt`]ernatives, each
//! again a merged conjunction. What cannot be merged exactly stays as residual checks run on the
//! generated value ([`Alt::checks`]).
//!
//! Nodes refer to their children by [`NodeId`], so recursive schemas are finite graphs. Every node
//! and alternative carries a *height*: the smallest nesting depth of any value it can produce
//! (`INF` when none: the node is unsatisfiable, possibly through infinite recursion). The
//! interpreter only takes branches whose height fits in its remaining depth budget, which bounds
//! recursion without ever producing a truncated, invalid value.

use serde_json::Value;

use super::{
    keywords::{
        items::ArraySpec, numeric::NumberSpec, properties::ObjectSpec, string::StringSpec,
        type_::TypeSet,
    },
    regex::Pattern,
    resolve::Loc,
};

/// Height of something that cannot produce any value.
pub(crate) const INF: u32 = u32::MAX;

/// Index of a [`Node`] in [`Plan::nodes`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct NodeId(pub u32);

/// Index of a checker (a compiled sub-validator) in [`Plan::checks`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct CheckId(pub u32);

/// Index of a compiled pattern in [`Plan::patterns`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct PatternId(pub u32);

/// The whole plan.
#[derive(Debug)]
pub(crate) struct Plan {
    pub nodes: Vec<Node>,
    pub root: NodeId,
    pub checks: Vec<jsonschema::Validator>,
    pub patterns: Vec<Pattern>,
}

impl Plan {
    pub(crate) fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.0 as usize]
    }

    pub(crate) fn pattern(&self, id: PatternId) -> &Pattern {
        &self.patterns[id.0 as usize]
    }

    pub(crate) fn check(&self, id: CheckId, value: &Value) -> bool {
        self.checks[id.0 as usize].is_valid(value)
    }

    /// Whether every check in `checks` gives its expected answer on `value`.
    pub(crate) fn checks_pass(&self, checks: &[(CheckId, bool)], value: &Value) -> bool {
        checks
            .iter()
            .all(|&(id, want)| self.check(id, value) == want)
    }
}

/// The schemas applying at one instance location, merged.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    /// Alternatives; a value is generated from one of them.
    pub alts: Vec<Alt>,
    /// Smallest height over the alternatives.
    pub height: u32,
    /// The first schema of the conjunction (for error messages).
    pub origin: Loc,
}

/// One alternative: a conjunction with no disjunction left in it.
#[derive(Debug, Clone)]
pub(crate) struct Alt {
    pub body: Body,
    /// Checks the value must pass (`true`) or fail (`false`): `not` and `oneOf` exclusions that
    /// could not be folded into the body.
    pub checks: Vec<(CheckId, bool)>,
    /// Example values from the schemas (`examples`, `default`) that satisfy this alternative.
    pub seeds: Vec<Value>,
    /// Smallest height of a value of this alternative.
    pub height: u32,
    /// Why the alternative has no value, when that is known without generating.
    pub unsat: Option<String>,
    /// The first schema of the conjunction.
    pub origin: Loc,
}

/// What an alternative generates.
#[derive(Debug, Clone)]
pub(crate) enum Body {
    /// One of a finite list of values (`const`, `enum`), already filtered against every other
    /// constraint of the alternative.
    Values {
        values: Vec<Value>,
        /// `const` or `enum`, whichever listed them (for negative labels).
        keyword: &'static str,
    },
    /// Values of the allowed types, each shaped by its spec.
    Typed(Box<Typed>),
}

/// Per-type constraints of a typed alternative.
#[derive(Debug, Clone)]
pub(crate) struct Typed {
    /// Allowed types (`INT` without `NUM` means integers only).
    pub types: TypeSet,
    /// Whether `type` was given (if not, a wrong-type negative is impossible).
    pub type_given: bool,
    pub number: NumberSpec,
    pub string: StringSpec,
    pub array: ArraySpec,
    pub object: ObjectSpec,
    /// Values the alternative must not produce (`not: {const}` / `not: {enum}`).
    pub excluded: Vec<Value>,
    /// Height of each type, in [`TypeSet::ORDER`] order.
    pub heights: [u32; 7],
}
