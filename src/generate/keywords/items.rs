//! Arrays: `prefixItems`, `items`, `contains`, `minContains`, `maxContains`, `minItems`,
//! `maxItems`, `uniqueItems` (and draft 2019-09/07 array-form `items` with `additionalItems`).
//!
//! Positions before the longest `prefixItems` each get a node (the conjunction of every schema's
//! prefix entry or, past its own prefix, its `items`); all later positions share one node. Each
//! `contains` gets, per position, the position's node joined with the `contains` schema. The
//! generator picks a length, designates `minContains` distinct positions for each `contains`,
//! fills designated positions from the joined nodes and the others from plain position nodes, and
//! keeps undesignated items off a `contains` that has a `maxContains` (checked). `uniqueItems`
//! redraws an item equal to an earlier one.

use serde_json::Value;

use crate::generate::{
    compile::{
        Compiler, DScope, LocId, SchemaRef,
        flatten::{Flat, MemberAt},
    },
    error::GenError,
    interp::{Interp, Miss, Seg},
    keywords::{enum_::json_eq, length, unevaluated},
    plan::{CheckId, INF, NodeId},
    realism::Hint,
    resolve::Draft,
    source::Source,
};

/// One `contains`.
#[derive(Debug, Clone)]
pub(crate) struct ContainsSpec {
    pub check: CheckId,
    pub min: u64,
    pub max: Option<u64>,
    /// Node for a matching item at each prefix position.
    pub at_prefix: Vec<NodeId>,
    /// Node for a matching item past the prefix.
    pub at_rest: NodeId,
}

impl ContainsSpec {
    fn node_at(&self, i: usize) -> NodeId {
        self.at_prefix.get(i).copied().unwrap_or(self.at_rest)
    }
}

/// The array constraints of an alternative.
#[derive(Debug, Clone, Default)]
pub(crate) struct ArraySpec {
    pub prefix: Vec<NodeId>,
    /// Node for positions past the prefix (`None` only before compilation finishes).
    pub rest: Option<NodeId>,
    pub contains: Vec<ContainsSpec>,
    pub min_items: u64,
    pub max_items: Option<u64>,
    pub unique: bool,
}

#[derive(Debug, Clone, Default)]
struct ArrMember {
    member: usize,
    dscope: DScope,
    prefix: Vec<LocId>,
    items: Option<LocId>,
}

/// Collects array keywords while an alternative is merged.
#[derive(Debug, Default)]
pub(crate) struct ArrayCollector {
    members: Vec<ArrMember>,
    contains: Vec<(SchemaRef, u64, Option<u64>)>,
    min_items: u64,
    max_items: Option<u64>,
    unique: bool,
}

impl ArrayCollector {
    fn member(&mut self, member: usize, dscope: DScope) -> &mut ArrMember {
        if self.members.last().is_none_or(|m| m.member != member) {
            self.members.push(ArrMember {
                member,
                dscope,
                ..ArrMember::default()
            });
        }
        let last = self.members.len() - 1;
        &mut self.members[last]
    }

    /// Applies one array keyword of a member; `map` is the member's schema.
    pub(crate) fn collect(
        &mut self,
        c: &mut Compiler<'_>,
        at: MemberAt,
        key: &str,
        value: &Value,
        map: &serde_json::Map<String, Value>,
    ) {
        let MemberAt {
            index: member,
            loc,
            dscope,
            draft,
        } = at;
        let children = |c: &mut Compiler<'_>, key: &str, n: usize| -> Vec<LocId> {
            (0..n)
                .map(|i| c.child(loc, &[key, &i.to_string()]))
                .collect()
        };
        match key {
            "prefixItems" if draft >= Draft::D202012 => {
                let n = value.as_array().map_or(0, Vec::len);
                let locs = children(c, key, n);
                self.member(member, dscope).prefix = locs;
            }
            "items" => {
                if let Value::Array(list) = value {
                    let locs = children(c, key, list.len());
                    self.member(member, dscope).prefix = locs;
                } else {
                    let l = c.child(loc, &["items"]);
                    self.member(member, dscope).items = Some(l);
                }
            }
            "additionalItems"
                if draft <= Draft::D201909 && map.get("items").is_some_and(Value::is_array) =>
            {
                let l = c.child(loc, &["additionalItems"]);
                self.member(member, dscope).items = Some(l);
            }
            "contains" => {
                let bound = |k: &str| {
                    if draft >= Draft::D201909 {
                        map.get(k).and_then(length::parse_length)
                    } else {
                        None
                    }
                };
                let min = bound("minContains").unwrap_or(1);
                let max = bound("maxContains");
                self.contains
                    .push(((c.child(loc, &["contains"]), dscope), min, max));
            }
            "minItems" => {
                self.min_items = self.min_items.max(length::parse_length(value).unwrap_or(0));
            }
            "maxItems" => {
                if let Some(n) = length::parse_length(value) {
                    self.max_items = Some(self.max_items.map_or(n, |m| m.min(n)));
                }
            }
            "uniqueItems" => self.unique |= value == &Value::Bool(true),
            _ => {}
        }
    }

    /// The fewest items an array must have (`minItems`, and one per required `contains` match).
    pub(crate) fn required_items(&self) -> u64 {
        let designated = self
            .contains
            .iter()
            .fold(0u64, |acc, c| acc.saturating_add(c.1));
        self.min_items.max(designated)
    }

    /// Builds the array spec: position nodes, the rest node, `contains` nodes.
    pub(crate) fn finish(self, c: &mut Compiler<'_>, flat: &Flat) -> Result<ArraySpec, GenError> {
        let longest = self
            .members
            .iter()
            .map(|m| m.prefix.len())
            .max()
            .unwrap_or(0);
        let uscope_items: Vec<(u16, SchemaRef)> = flat
            .uscopes
            .iter()
            .enumerate()
            .filter_map(|(i, u)| Some((u16::try_from(i).ok()?, u.items?)))
            .collect();
        let unevaluated_at = |pos: Option<usize>| -> Vec<SchemaRef> {
            uscope_items
                .iter()
                .filter(|(u, _)| {
                    let declares = |i: usize| {
                        self.members.iter().any(|m| {
                            m.member == i
                                && (m.items.is_some() || pos.is_some_and(|p| m.prefix.len() > p))
                        })
                    };
                    !unevaluated::evaluated(&flat.pos, &flat.uscopes, *u, declares, |s| {
                        s.items.is_some()
                    })
                })
                .map(|(_, r)| *r)
                .collect()
        };
        let mut position_members = Vec::with_capacity(longest + 1);
        for i in 0..longest {
            let mut members: Vec<SchemaRef> = self
                .members
                .iter()
                .filter_map(|m| m.prefix.get(i).copied().or(m.items).map(|l| (l, m.dscope)))
                .collect();
            members.extend(unevaluated_at(Some(i)));
            position_members.push(members);
        }
        let mut rest: Vec<SchemaRef> = self
            .members
            .iter()
            .filter_map(|m| m.items.map(|l| (l, m.dscope)))
            .collect();
        rest.extend(unevaluated_at(None));
        let mut spec = ArraySpec {
            min_items: self.min_items,
            max_items: self.max_items,
            unique: self.unique,
            ..ArraySpec::default()
        };
        for members in &position_members {
            spec.prefix.push(c.node(members.clone())?);
        }
        spec.rest = Some(c.node(rest.clone())?);
        for (schema, min, max) in self.contains {
            if min == 0 && max.is_none() {
                continue;
            }
            // A `contains` every item matches just bounds the length.
            let universal = match c.value(schema.0) {
                Value::Bool(b) => *b,
                Value::Object(map) => map.is_empty(),
                _ => false,
            };
            if universal {
                spec.min_items = spec.min_items.max(min);
                if let Some(max) = max {
                    spec.max_items = Some(spec.max_items.map_or(max, |m| m.min(max)));
                }
                continue;
            }
            let mut at_prefix = Vec::with_capacity(longest);
            for members in &position_members {
                let mut m = members.clone();
                m.push(schema);
                at_prefix.push(c.node(m)?);
            }
            let mut m = rest.clone();
            m.push(schema);
            spec.contains.push(ContainsSpec {
                check: c.checker(schema.0)?,
                min,
                max,
                at_prefix,
                at_rest: c.node(m)?,
            });
        }
        Ok(spec)
    }
}

impl ArraySpec {
    fn node_at(&self, i: usize) -> Option<NodeId> {
        self.prefix.get(i).copied().or(self.rest)
    }

    /// The fewest items an array needs.
    fn needed(&self) -> u64 {
        let designated = self
            .contains
            .iter()
            .fold(0u64, |acc, c| acc.saturating_add(c.min));
        self.min_items.max(designated)
    }

    /// Smallest height of an array satisfying the spec, given the children's heights.
    pub(crate) fn height(&self, h: &dyn Fn(NodeId) -> u32) -> u32 {
        let needed = self.needed();
        if self.max_items.is_some_and(|m| needed > m) {
            return INF;
        }
        if self
            .contains
            .iter()
            .any(|c| c.max.is_some_and(|m| c.min > m))
        {
            return INF;
        }
        let mut worst = 0;
        for i in 0..needed.min(self.prefix.len() as u64 + 1) {
            let Some(node) = usize::try_from(i).ok().and_then(|i| self.node_at(i)) else {
                return INF;
            };
            worst = worst.max(h(node));
        }
        for c in &self.contains {
            if c.min > 0 {
                let best = c
                    .at_prefix
                    .iter()
                    .copied()
                    .chain([c.at_rest])
                    .map(h)
                    .min()
                    .unwrap_or(INF);
                worst = worst.max(best);
            }
        }
        if worst == INF { INF } else { worst + 1 }
    }

    /// Generates an array.
    pub(crate) fn generate<S: Source>(
        &self,
        g: &mut Interp<'_, S>,
        budget: u32,
    ) -> Result<Value, Miss> {
        let child = budget.checked_sub(1).ok_or(Miss)?;
        let fits =
            |g: &Interp<'_, S>, i: usize| self.node_at(i).is_some_and(|n| g.height(n) <= child);
        let lo = self.needed();
        // Longest length whose every position can be filled within the budget.
        let mut cap = self.prefix.len() as u64;
        if let Some(i) = (0..self.prefix.len()).find(|&i| !fits(g, i)) {
            cap = i as u64;
        } else if fits(g, self.prefix.len()) {
            cap = u64::MAX;
        }
        let spread = if g.saturated() {
            0
        } else if g.src.rarely(8) {
            12
        } else {
            4
        };
        let hi = self
            .max_items
            .unwrap_or(u64::MAX)
            .min(cap)
            .min(lo.saturating_add(spread));
        if lo > hi {
            return Err(Miss);
        }
        let len = usize::try_from(g.src.between(lo, hi)).map_err(|_| Miss)?;
        let mut slots: Vec<Option<usize>> = vec![None; len];
        for (ci, c) in self.contains.iter().enumerate() {
            for _ in 0..c.min {
                let free: Vec<usize> = (0..len)
                    .filter(|&i| slots[i].is_none() && g.height(c.node_at(i)) <= child)
                    .collect();
                if free.is_empty() {
                    return Err(Miss);
                }
                slots[free[g.src.choose(free.len())]] = Some(ci);
            }
        }
        let mut items: Vec<Value> = Vec::with_capacity(len);
        for (i, slot) in slots.iter().enumerate() {
            let node = match slot {
                Some(ci) => self.contains[*ci].node_at(i),
                None => self.node_at(i).ok_or(Miss)?,
            };
            let mut placed = false;
            for _ in 0..g.opts.local_retries {
                let v = g.child(node, child, Hint::None, Seg::Index(i))?;
                let fresh = !self.unique || !items.iter().any(|w| json_eq(w, &v));
                let off_bounded = slot.is_some()
                    || self
                        .contains
                        .iter()
                        .all(|c| c.max.is_none() || !g.plan.check(c.check, &v));
                if fresh && off_bounded {
                    items.push(v);
                    placed = true;
                    break;
                }
            }
            if !placed {
                return Err(Miss);
            }
        }
        for c in self.contains.iter().filter(|c| c.max.is_some()) {
            let n = items.iter().filter(|v| g.plan.check(c.check, v)).count() as u64;
            if n < c.min || c.max.is_some_and(|m| n > m) {
                return Err(Miss);
            }
        }
        Ok(Value::Array(items))
    }
}

#[cfg(test)]
mod tests {
    use crate::generate::testing::{generator, values};
    use serde_json::json;

    #[test]
    fn prefix_items_and_closed_rest() {
        let schema = json!({"type": "array", "prefixItems": [{"type": "string"}, {"type": "null"}], "items": false});
        for v in values(&schema, 100) {
            let items = v.as_array().unwrap();
            assert!(items.len() <= 2);
            assert!(items.first().is_none_or(serde_json::Value::is_string));
        }
    }

    #[test]
    fn contains_counts_stay_in_bounds() {
        let schema = json!({"type": "array", "items": {"type": "integer", "maximum": 20}, "contains": {"minimum": 10}, "minContains": 2, "maxContains": 2});
        for v in values(&schema, 100) {
            let n = v
                .as_array()
                .unwrap()
                .iter()
                .filter(|x| x.as_i64().unwrap() >= 10)
                .count();
            assert_eq!(n, 2, "{v}");
        }
    }

    #[test]
    fn a_contains_that_matches_everything_bounds_the_length() {
        for v in values(
            &json!({"type": "array", "contains": true, "minContains": 2, "maxContains": 3}),
            50,
        ) {
            assert!((2..=3).contains(&v.as_array().unwrap().len()), "{v}");
        }
        let g = crate::generate::Generator::new(
            &json!({"type": "array", "contains": {}, "maxContains": 2, "minItems": 3}),
            &[],
            Default::default(),
        );
        assert!(g.unwrap_err().is_unsatisfiable());
    }

    #[test]
    fn unique_items_from_a_finite_domain() {
        let schema = json!({"type": "array", "items": {"type": "boolean"}, "uniqueItems": true, "minItems": 2});
        for v in values(&schema, 30) {
            assert_eq!(v.as_array().unwrap().len(), 2);
        }
    }

    #[test]
    fn item_count_bounds() {
        for v in values(&json!({"type": "array", "minItems": 3, "maxItems": 4}), 50) {
            assert!((3..=4).contains(&v.as_array().unwrap().len()));
        }
        let g = crate::generate::Generator::new(
            &json!({"type": "array", "minItems": 3, "maxItems": 2}),
            &[],
            Default::default(),
        );
        assert!(g.unwrap_err().is_unsatisfiable());
        let _ = generator(&json!({"type": "array", "contains": {"type": "string"}}));
    }
}
