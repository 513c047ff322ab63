//! Objects: `properties`, `required`, `additionalProperties`, `patternProperties`,
//! `propertyNames`, `minProperties`, `maxProperties` (and `dependentRequired`, which the object
//! generator honours when it picks properties).
//!
//! At compile time every property name any schema of the conjunction mentions gets one child
//! node: the conjunction of, per schema, its `properties[name]`, or else its matching
//! `patternProperties`, or else its `additionalProperties`, plus any `unevaluatedProperties` that
//! does not see the name evaluated. Undeclared keys come in two classes: keys drawn from one
//! pattern (their node assumes they match no other pattern, which is checked when the key is
//! drawn) and "additional" keys that match no pattern. `propertyNames` filters declared names at
//! compile time and drawn keys at generation time.
//!
//! Generating: required properties always, optional ones three times in four (draw `0` leaves
//! them out), dependencies closed over, `maxProperties`/`minProperties` enforced by dropping or
//! adding optional properties, undeclared keys only when needed or, rarely, for realism.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use crate::generate::{
    compile::{
        Compiler, DScope, LocId, SchemaRef,
        flatten::{Flat, MemberAt},
    },
    error::GenError,
    interp::{Interp, Miss, Seg},
    keywords::{dependent, length, unevaluated},
    plan::{CheckId, INF, NodeId, PatternId},
    realism::{self, Hint},
    resolve::Draft,
    source::Source,
};

/// Objects with up to this many declared properties are drawn without a heap allocation for
/// their bookkeeping.
const STACK_PROPS: usize = 64;

/// A declared property.
#[derive(Debug, Clone)]
pub(crate) struct Prop {
    pub name: String,
    pub node: NodeId,
    pub required: bool,
    /// Whether the property may appear at all (not forbidden, accepted by `propertyNames`).
    pub allowed: bool,
    pub hint: Hint,
}

/// Keys drawn from a pattern.
#[derive(Debug, Clone)]
pub(crate) struct PatternKey {
    pub pattern: PatternId,
    pub node: NodeId,
}

/// The object constraints of an alternative.
#[derive(Debug, Clone, Default)]
pub(crate) struct ObjectSpec {
    pub props: Vec<Prop>,
    pub pattern_keys: Vec<PatternKey>,
    /// Node for keys matching no pattern and no declared name.
    pub additional: Option<NodeId>,
    /// Every `patternProperties` pattern of the conjunction.
    pub all_patterns: Vec<PatternId>,
    /// `propertyNames` checkers every key must pass.
    pub name_checks: Vec<CheckId>,
    /// `propertyNames` as a node, to draw additional keys from.
    pub names_node: Option<NodeId>,
    pub min_props: u64,
    pub max_props: Option<u64>,
    /// `(property, properties it requires)`, as indices into `props`.
    pub dep_required: Vec<(usize, Vec<usize>)>,
    /// Whether `additionalProperties` (or `unevaluatedProperties`) was given at all: an
    /// undeclared-key negative only makes sense then.
    pub additional_given: bool,
}

/// The per-schema object keywords of one conjunction member.
#[derive(Debug, Clone, Default)]
struct ObjMember {
    member: usize,
    dscope: DScope,
    props: Vec<(String, LocId)>,
    patterns: Vec<(PatternId, LocId)>,
    additional: Option<LocId>,
}

/// Collects object keywords while an alternative is merged.
#[derive(Debug, Default)]
pub(crate) struct ObjectCollector {
    members: Vec<ObjMember>,
    required: BTreeSet<String>,
    names: Vec<SchemaRef>,
    min_props: u64,
    max_props: Option<u64>,
    dep_required: Vec<(String, Vec<String>)>,
}

impl ObjectCollector {
    /// Applies one object keyword of a member.
    pub(crate) fn collect(
        &mut self,
        c: &mut Compiler<'_>,
        at: MemberAt,
        key: &str,
        value: &Value,
    ) -> Result<(), GenError> {
        let MemberAt {
            index: member,
            loc,
            dscope,
            draft,
        } = at;
        match key {
            "properties" => {
                let entries: Vec<(String, LocId)> = value
                    .as_object()
                    .into_iter()
                    .flat_map(Map::keys)
                    .map(|n| (n.clone(), c.child(loc, &["properties", n])))
                    .collect();
                self.member(member, dscope).props.extend(entries);
            }
            "patternProperties" => {
                let mut found = Vec::new();
                for source in value.as_object().into_iter().flat_map(Map::keys) {
                    let id = c.pattern(source, loc)?;
                    found.push((id, c.child(loc, &["patternProperties", source])));
                }
                self.member(member, dscope).patterns.extend(found);
            }
            "additionalProperties" => {
                let l = c.child(loc, &["additionalProperties"]);
                self.member(member, dscope).additional = Some(l);
            }
            "required" => {
                for name in value
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                {
                    self.required.insert(name.to_owned());
                }
            }
            "propertyNames" => self.names.push((c.child(loc, &["propertyNames"]), dscope)),
            "minProperties" => {
                self.min_props = self.min_props.max(length::parse_length(value).unwrap_or(0));
            }
            "maxProperties" => {
                if let Some(n) = length::parse_length(value) {
                    self.max_props = Some(self.max_props.map_or(n, |m| m.min(n)));
                }
            }
            "dependentRequired" if draft >= Draft::D201909 => {
                self.dep_required.extend(dependent::required_lists(value));
            }
            "dependencies" => self.dep_required.extend(dependent::required_lists(value)),
            _ => {}
        }
        Ok(())
    }

    /// The record of member number `member` (created on first use).
    fn member(&mut self, member: usize, dscope: DScope) -> &mut ObjMember {
        if self.members.last().is_none_or(|m| m.member != member) {
            self.members.push(ObjMember {
                member,
                dscope,
                ..ObjMember::default()
            });
        }
        let last = self.members.len() - 1;
        &mut self.members[last]
    }

    /// The fewest properties an object must have.
    pub(crate) fn required_properties(&self) -> u64 {
        self.min_props.max(self.required.len() as u64)
    }

    /// Builds the object spec: one child node per declared name and key class.
    pub(crate) fn finish(
        self,
        c: &mut Compiler<'_>,
        flat: &Flat,
        forbidden: &[String],
    ) -> Result<ObjectSpec, GenError> {
        let mut spec = ObjectSpec {
            min_props: self.min_props,
            max_props: self.max_props,
            ..ObjectSpec::default()
        };
        for n in &self.names {
            spec.name_checks.push(c.checker(n.0)?);
        }
        if !self.names.is_empty() {
            spec.names_node = Some(c.node(self.names.clone())?);
        }
        let mut names: BTreeSet<String> = self.required.clone();
        names.extend(flat.required.iter().cloned());
        for m in &self.members {
            names.extend(m.props.iter().map(|(n, _)| n.clone()));
        }
        for (name, deps) in &self.dep_required {
            names.insert(name.clone());
            names.extend(deps.iter().cloned());
        }
        for id in self
            .members
            .iter()
            .flat_map(|m| m.patterns.iter().map(|p| p.0))
        {
            if !spec.all_patterns.contains(&id) {
                spec.all_patterns.push(id);
            }
        }
        let uscope_props: Vec<(u16, SchemaRef)> = flat
            .uscopes
            .iter()
            .enumerate()
            .filter_map(|(i, u)| Some((u16::try_from(i).ok()?, u.props?)))
            .collect();
        spec.additional_given =
            !uscope_props.is_empty() || self.members.iter().any(|m| m.additional.is_some());
        // Which members of `flat.pos` declare what, for the unevaluated analysis.
        let declares = |member: usize, f: &dyn Fn(&ObjMember) -> bool| {
            self.members.iter().any(|m| m.member == member && f(m))
        };
        let unevaluated_for = |f: &dyn Fn(&ObjMember) -> bool| -> Vec<SchemaRef> {
            uscope_props
                .iter()
                .filter(|(u, _)| {
                    !unevaluated::evaluated(
                        &flat.pos,
                        &flat.uscopes,
                        *u,
                        |i| declares(i, f),
                        |s| s.props.is_some(),
                    )
                })
                .map(|(_, r)| *r)
                .collect()
        };
        for name in names {
            let mut members = Vec::new();
            for m in &self.members {
                if let Some((_, l)) = m.props.iter().find(|(n, _)| *n == name) {
                    members.push((*l, m.dscope));
                    continue;
                }
                let mut matched = false;
                for (p, l) in &m.patterns {
                    if c.pattern_ref(*p).is_match(&name) {
                        members.push((*l, m.dscope));
                        matched = true;
                    }
                }
                if !matched && let Some(l) = m.additional {
                    members.push((l, m.dscope));
                }
            }
            let name_ref = name.as_str();
            members.extend(unevaluated_for(&|m: &ObjMember| {
                m.props.iter().any(|(n, _)| n == name_ref)
                    || m.additional.is_some()
                    || m.patterns
                        .iter()
                        .any(|(p, _)| c.pattern_ref(*p).is_match(name_ref))
            }));
            let key = Value::String(name.clone());
            let allowed = !forbidden.contains(&name)
                && spec.name_checks.iter().all(|id| c.run_check(*id, &key));
            let required = self.required.contains(&name) || flat.required.contains(&name);
            let node = c.node(members)?;
            spec.props.push(Prop {
                hint: realism::hint_for(&name),
                name,
                node,
                required,
                allowed,
            });
        }
        let all_patterns = spec.all_patterns.clone();
        for p in all_patterns {
            if !c.pattern_ref(p).can_generate() {
                continue;
            }
            let mut members = Vec::new();
            for m in &self.members {
                let own: Vec<LocId> = m
                    .patterns
                    .iter()
                    .filter(|(q, _)| *q == p)
                    .map(|(_, l)| *l)
                    .collect();
                if own.is_empty() {
                    members.extend(m.additional.map(|l| (l, m.dscope)));
                } else {
                    members.extend(own.into_iter().map(|l| (l, m.dscope)));
                }
            }
            members.extend(unevaluated_for(&|m: &ObjMember| {
                m.additional.is_some() || m.patterns.iter().any(|(q, _)| *q == p)
            }));
            let node = c.node(members)?;
            spec.pattern_keys.push(PatternKey { pattern: p, node });
        }
        let mut members: Vec<SchemaRef> = self
            .members
            .iter()
            .filter_map(|m| m.additional.map(|l| (l, m.dscope)))
            .collect();
        members.extend(unevaluated_for(&|m: &ObjMember| m.additional.is_some()));
        spec.additional = Some(c.node(members)?);
        let index = |n: &str| spec.props.iter().position(|p| p.name == n);
        let mut deps = Vec::new();
        for (name, required) in &self.dep_required {
            if let Some(i) = index(name) {
                deps.push((i, required.iter().filter_map(|r| index(r)).collect()));
            }
        }
        spec.dep_required = deps;
        Ok(spec)
    }
}

impl ObjectSpec {
    /// Indices of the properties that must be present: the required ones and, transitively,
    /// what they depend on.
    fn required_closure(&self) -> Vec<usize> {
        let mut set: Vec<usize> = (0..self.props.len())
            .filter(|&i| self.props[i].required)
            .collect();
        let mut i = 0;
        while i < set.len() {
            let p = set[i];
            for (trigger, deps) in &self.dep_required {
                if *trigger == p {
                    for d in deps {
                        if !set.contains(d) {
                            set.push(*d);
                        }
                    }
                }
            }
            i += 1;
        }
        set
    }

    /// Smallest height of an object satisfying the spec, given the children's heights.
    pub(crate) fn height(&self, h: &dyn Fn(NodeId) -> u32) -> u32 {
        let required = self.required_closure();
        let mut worst = 0;
        for &i in &required {
            let p = &self.props[i];
            if !p.allowed {
                return INF;
            }
            worst = worst.max(h(p.node));
        }
        if self.max_props.is_some_and(|m| (required.len() as u64) > m) {
            return INF;
        }
        let mut count = required.len() as u64;
        if count < self.min_props {
            let mut optional: Vec<u32> = (0..self.props.len())
                .filter(|i| !required.contains(i) && self.props[*i].allowed)
                .map(|i| h(self.props[i].node))
                .filter(|&x| x != INF)
                .collect();
            optional.sort_unstable();
            for x in optional {
                if count >= self.min_props {
                    break;
                }
                worst = worst.max(x);
                count += 1;
            }
            if count < self.min_props {
                let extra = self
                    .pattern_keys
                    .iter()
                    .map(|k| h(k.node))
                    .chain(self.additional.map(h))
                    .min()
                    .unwrap_or(INF);
                if extra == INF {
                    return INF;
                }
                worst = worst.max(extra);
            }
        }
        if worst == INF { INF } else { worst + 1 }
    }

    /// Generates an object.
    pub(crate) fn generate<S: Source>(
        &self,
        g: &mut Interp<'_, S>,
        budget: u32,
    ) -> Result<Value, Miss> {
        let child = budget.checked_sub(1).ok_or(Miss)?;
        let n = self.props.len();
        // Two flags per declared property, on the stack for all but the largest objects.
        let mut stack = [false; 2 * STACK_PROPS];
        let mut heap = Vec::new();
        let flags: &mut [bool] = if n <= STACK_PROPS {
            &mut stack[..2 * n]
        } else {
            heap.resize(2 * n, false);
            &mut heap
        };
        let (includable, include) = flags.split_at_mut(n);
        for (slot, p) in includable.iter_mut().zip(&self.props) {
            *slot = p.allowed && g.height(p.node) <= child;
        }
        let includable = &*includable;
        for (i, p) in self.props.iter().enumerate() {
            if p.required {
                if !includable[i] {
                    return Err(Miss);
                }
                include[i] = true;
            } else if includable[i] && !g.saturated() {
                include[i] = g.src.likely(4);
            }
        }
        self.close_dependencies(include, includable)?;
        let mut count = include.iter().filter(|x| **x).count() as u64;
        if let Some(max) = self.max_props {
            while count > max {
                let droppable: Vec<usize> = (0..n)
                    .filter(|&i| {
                        include[i] && !self.props[i].required && !self.is_needed(i, include)
                    })
                    .collect();
                if droppable.is_empty() {
                    return Err(Miss);
                }
                include[droppable[g.src.choose(droppable.len())]] = false;
                count -= 1;
            }
        }
        if count < self.min_props {
            let mut spare: Vec<usize> = (0..n).filter(|&i| !include[i] && includable[i]).collect();
            while count < self.min_props && !spare.is_empty() {
                let i = spare.remove(g.src.choose(spare.len()));
                include[i] = true;
                count += 1;
            }
            self.close_dependencies(include, includable)?;
            count = include.iter().filter(|x| **x).count() as u64;
        }
        let room = self.max_props.map_or(u64::MAX, |m| m.saturating_sub(count));
        let mut extras = self.min_props.saturating_sub(count);
        if extras == 0 && room > 0 && g.opts.extra_properties && !g.saturated() && g.src.rarely(8) {
            extras = 1;
        }
        let mut map = Map::new();
        for (i, p) in self.props.iter().enumerate() {
            if include[i] {
                let v = g.child(p.node, child, p.hint, Seg::Key(&p.name))?;
                map.insert(p.name.clone(), v);
            }
        }
        for _ in 0..extras {
            self.add_extra(g, child, &mut map)?;
        }
        Ok(Value::Object(map))
    }

    /// Whether an included property is required by another included one.
    fn is_needed(&self, i: usize, include: &[bool]) -> bool {
        self.dep_required
            .iter()
            .any(|(t, deps)| include[*t] && deps.contains(&i))
    }

    /// Includes what included properties depend on; drops a property whose dependencies cannot
    /// be included (a miss if it was required).
    fn close_dependencies(&self, include: &mut [bool], includable: &[bool]) -> Result<(), Miss> {
        loop {
            let mut changed = false;
            for (t, deps) in &self.dep_required {
                if !include[*t] {
                    continue;
                }
                for &d in deps {
                    if include[d] {
                        continue;
                    }
                    if includable[d] {
                        include[d] = true;
                    } else if self.props[*t].required {
                        return Err(Miss);
                    } else {
                        include[*t] = false;
                    }
                    changed = true;
                }
            }
            if !changed {
                return Ok(());
            }
        }
    }

    /// Adds one undeclared key (from a pattern or as an additional property).
    fn add_extra<S: Source>(
        &self,
        g: &mut Interp<'_, S>,
        budget: u32,
        map: &mut Map<String, Value>,
    ) -> Result<(), Miss> {
        let mut classes: Vec<(Option<PatternId>, NodeId)> = self
            .pattern_keys
            .iter()
            .filter(|k| g.height(k.node) <= budget)
            .map(|k| (Some(k.pattern), k.node))
            .collect();
        if let Some(a) = self.additional.filter(|a| g.height(*a) <= budget) {
            classes.push((None, a));
        }
        if classes.is_empty() {
            return Err(Miss);
        }
        for _ in 0..g.opts.local_retries {
            let (pattern, node) = classes[g.src.choose(classes.len())];
            let key = match pattern {
                Some(p) => g
                    .plan
                    .pattern(p)
                    .generate(g.src, 0, &mut |s: &mut S| length::text_char(s)),
                None => match self.names_node {
                    Some(names) => g.string_of(names),
                    None => Some(extra_key(g.src)),
                },
            };
            let Some(key) = key else { continue };
            let fits = pattern.is_none_or(|p| g.plan.pattern(p).is_match(&key))
                && !map.contains_key(&key)
                && !self.props.iter().any(|p| p.name == key)
                && self
                    .all_patterns
                    .iter()
                    .all(|q| Some(*q) == pattern || !g.plan.pattern(*q).is_match(&key))
                && self
                    .name_checks
                    .iter()
                    .all(|c| g.plan.check(*c, &Value::String(key.clone())));
            if fits {
                let v = g.child(node, budget, realism::hint_for(&key), Seg::Key(&key))?;
                map.insert(key, v);
                return Ok(());
            }
        }
        Err(Miss)
    }
}

/// A plausible undeclared key.
fn extra_key<S: Source + ?Sized>(src: &mut S) -> String {
    const KEYS: [&str; 6] = ["metadata", "x_custom", "tag", "extra", "note", "trace_id"];
    let base = KEYS[src.choose(KEYS.len())];
    if src.likely(2) {
        format!("{base}_{}", src.draw(99))
    } else {
        base.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use crate::generate::testing::values;
    use serde_json::json;

    #[test]
    fn required_present_and_closed_objects_closed() {
        let schema = json!({
            "type": "object",
            "properties": {"a": {"type": "integer"}, "b": {"type": "string"}},
            "required": ["a"],
            "additionalProperties": false
        });
        let vs = values(&schema, 100);
        for v in &vs {
            let o = v.as_object().unwrap();
            assert!(o.contains_key("a"));
            assert!(o.keys().all(|k| k == "a" || k == "b"));
        }
        assert!(vs.iter().any(|v| v.get("b").is_some()));
        assert!(vs.iter().any(|v| v.get("b").is_none()));
    }

    #[test]
    fn pattern_keys_and_property_names() {
        let schema = json!({
            "type": "object",
            "patternProperties": {"^x-[a-z]+$": {"type": "integer"}},
            "additionalProperties": false,
            "propertyNames": {"maxLength": 6},
            "minProperties": 2
        });
        for v in values(&schema, 100) {
            let o = v.as_object().unwrap();
            assert!(o.len() >= 2);
            assert!(
                o.keys()
                    .all(|k| k.starts_with("x-") && k.chars().count() <= 6),
                "{v}"
            );
        }
    }

    #[test]
    fn max_properties_and_dependencies() {
        let schema = json!({
            "type": "object",
            "properties": {"a": {}, "b": {}, "c": {}, "d": {}},
            "dependentRequired": {"a": ["b"]},
            "maxProperties": 2
        });
        for v in values(&schema, 200) {
            let o = v.as_object().unwrap();
            assert!(o.len() <= 2);
            if o.contains_key("a") {
                assert!(o.contains_key("b"), "{v}");
            }
        }
    }

    #[test]
    fn undeclared_keys_appear_where_allowed() {
        let schema = json!({"type": "object", "properties": {"a": {"type": "null"}}});
        let vs = values(&schema, 300);
        assert!(
            vs.iter()
                .any(|v| v.as_object().unwrap().keys().any(|k| k != "a"))
        );
    }
}
