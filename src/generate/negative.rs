//! Negative generation: valid values mutated to break exactly one keyword at one place.
//!
//! A valid value is drawn with tracing on, so for every instance pointer the generator knows
//! which plan node and alternative produced it, hence which constraints hold there. Each
//! constraint suggests a mutation: drop a required property, swap in a wrong type, step out of a
//! range, break a format or a pattern, add a forbidden key, duplicate an item, ... Every mutated
//! document is then validated, and it is kept only if the validator rejects it with errors that
//! all name the intended keyword at the intended pointer. Mutations that break something else
//! too (or nothing) are dropped and counted, never emitted under a wrong label.

use std::collections::HashSet;

use serde::Serialize;
use serde_json::{Map, Value};

use super::{
    generator::Generator,
    interp::{Interp, TraceEntry},
    keywords::{enum_, format, length, numeric, pattern, type_::Kind},
    plan::{Body, Typed},
    realism::Hint,
    source::RngSource,
};
use crate::JsonPointer;

/// A value that violates the schema in one named way.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Negative {
    /// The invalid document.
    pub value: Value,
    /// The keyword it violates, as the validator names it (`required`, `type`, `format`, ...).
    pub keyword: String,
    /// Where in the document the violation is.
    pub instance_path: JsonPointer,
    /// What was changed, in words.
    pub description: String,
}

/// How many mutations were tried and how many were dropped for not failing as intended.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct NegativeStats {
    /// Mutations built.
    pub tried: usize,
    /// Mutations dropped: valid after all, or failing on another keyword or place as well.
    pub dropped: usize,
}

/// One proposed mutation.
struct Mutation {
    value: Value,
    /// Keywords the validator may report for it (usually one).
    keywords: &'static [&'static str],
    pointer: JsonPointer,
    description: String,
}

/// Largest `maxLength`/`maxItems` a negative exceeds (beyond it the document would be huge).
const MAX_GROWTH: u64 = 100_000;

/// Base values drawn per call.
const BASES: u64 = 12;

impl Generator {
    /// Up to `max` negatives derived from valid values of the run seeded with `seed`, each
    /// breaking one keyword at one pointer (checked), in a deterministic order.
    #[must_use]
    pub fn negatives(&self, seed: u64, max: usize) -> Vec<Negative> {
        self.negatives_with_stats(seed, max).0
    }

    /// [`Generator::negatives`] with counts of tried and dropped mutations.
    #[must_use]
    pub fn negatives_with_stats(&self, seed: u64, max: usize) -> (Vec<Negative>, NegativeStats) {
        let mut out = Vec::new();
        let mut stats = NegativeStats::default();
        let mut seen: HashSet<(String, String)> = HashSet::new();
        for index in 0..BASES {
            if out.len() >= max {
                break;
            }
            let mut src = RngSource::new(seed, index);
            let Some((base, mut trace)) = self.traced_valid(&mut src) else {
                continue;
            };
            // Outer places first: their mutations are the most readable.
            // (A pointer's depth is its number of `/`: an escaped one is `~1`.)
            trace.sort_by_key(|e| e.pointer.as_str().matches('/').count());
            for entry in &trace {
                // A mutation whose keyword and place an earlier one already covers would be
                // skipped below: its document is not built at all.
                let covered = |keyword: &str, pointer: &JsonPointer| {
                    seen.contains(&(keyword.to_owned(), pointer.as_str().to_owned()))
                };
                for m in self.mutations(&base, entry, &mut src, &covered) {
                    if out.len() >= max {
                        break;
                    }
                    if seen.contains(&(m.keywords[0].to_owned(), m.pointer.as_str().to_owned())) {
                        continue;
                    }
                    stats.tried += 1;
                    match self.confirm(&m) {
                        Some((keyword, instance_path)) => {
                            seen.insert((m.keywords[0].to_owned(), m.pointer.as_str().to_owned()));
                            let description = if instance_path == m.pointer
                                && m.keywords.contains(&keyword.as_str())
                            {
                                m.description
                            } else {
                                format!(
                                    "{} at {}, so the `{keyword}` branch taken no longer matches",
                                    m.description, m.pointer
                                )
                            };
                            out.push(Negative {
                                value: m.value,
                                keyword,
                                instance_path,
                                description,
                            });
                        }
                        None => stats.dropped += 1,
                    }
                }
            }
        }
        (out, stats)
    }

    fn traced_valid(&self, src: &mut RngSource) -> Option<(Value, Vec<TraceEntry>)> {
        for _ in 0..self.inner().opts.max_attempts {
            if let Ok((v, trace)) = self.draw(src, true)
                && self.is_valid(&v)
            {
                return Some((v, trace));
            }
        }
        None
    }

    /// The label the validator confirms: every error must name the same keyword at the same
    /// pointer, and that must be the intended keyword at the mutated place, or an `anyOf`/`oneOf`
    /// enclosing it (the mutation broke the branch the value had taken, which the validator
    /// reports at the combinator).
    fn confirm(&self, m: &Mutation) -> Option<(String, JsonPointer)> {
        let errors = self.errors(&m.value);
        let (keyword, at) = errors.first()?;
        if !errors.iter().all(|(k, p)| k == keyword && p == at) {
            return None;
        }
        if m.keywords.contains(&keyword.as_str()) && at == m.pointer.as_str() {
            return Some((keyword.clone(), m.pointer.clone()));
        }
        let encloses = m.pointer.as_str() == at
            || m.pointer
                .as_str()
                .strip_prefix(at.as_str())
                .is_some_and(|rest| rest.starts_with('/'));
        if (keyword == "anyOf" || keyword == "oneOf") && encloses {
            return Some((keyword.clone(), JsonPointer::parse(at).ok()?));
        }
        None
    }

    /// The mutations of the value at `entry`'s place, but for those `covered` names (their
    /// replacements are still made, so that the draws from `src` are the same either way).
    fn mutations(
        &self,
        doc: &Value,
        entry: &TraceEntry,
        src: &mut RngSource,
        covered: &dyn Fn(&str, &JsonPointer) -> bool,
    ) -> Vec<Mutation> {
        let plan = &self.inner().plan;
        let Some(at) = entry.pointer.resolve(doc) else {
            return Vec::new();
        };
        let alt = &plan.node(entry.node).alts[entry.alt];
        let mut out = Vec::new();
        let mut put = |value: Value, keywords: &'static [&'static str], description: String| {
            if covered(keywords[0], &entry.pointer) {
                return;
            }
            out.push(Mutation {
                value: replace(doc, &entry.pointer, value),
                keywords,
                pointer: entry.pointer.clone(),
                description,
            });
        };
        let t = match &alt.body {
            Body::Values { values, keyword } => {
                if let Some(v) = enum_::outside(values, at) {
                    let kw: &'static [&'static str] = if *keyword == "const" {
                        &["const"]
                    } else {
                        &["enum"]
                    };
                    put(
                        v.clone(),
                        kw,
                        format!("{v} is not an allowed `{keyword}` value"),
                    );
                }
                return out;
            }
            Body::Typed(t) => t,
        };
        if t.type_given
            && let Some(v) = t.types.outsider()
        {
            put(
                v.clone(),
                &["type"],
                format!("{v} has a type the schema does not allow"),
            );
        }
        match (entry.kind, at) {
            (Some(Kind::String), Value::String(s)) => string_mutations(self, t, s, &mut put),
            (Some(Kind::Integer | Kind::Number), Value::Number(_)) => {
                for (v, kw, why) in
                    numeric::mutations(&t.number, at, entry.kind == Some(Kind::Integer))
                {
                    put(v, kw, why);
                }
            }
            (Some(Kind::Array), Value::Array(items)) => array_mutations(self, t, items, &mut put),
            (Some(Kind::Object), Value::Object(map)) => {
                object_mutations(self, t, map, src, &mut put);
            }
            _ => {}
        }
        out
    }
}

type Put<'a> = dyn FnMut(Value, &'static [&'static str], String) + 'a;

fn string_mutations(g: &Generator, t: &Typed, s: &str, put: &mut Put<'_>) {
    let spec = &t.string;
    if spec.min_len > 0 {
        let short: String = s
            .chars()
            .take(usize::try_from(spec.min_len - 1).unwrap_or(0))
            .collect();
        put(
            Value::String(short),
            &["minLength"],
            format!("shorter than minLength {}", spec.min_len),
        );
    }
    if let Some(max) = spec.max_len.filter(|m| *m < MAX_GROWTH) {
        let mut long = s.to_owned();
        let missing = (max + 1).saturating_sub(length::chars(s));
        long.extend(std::iter::repeat_n(
            'x',
            usize::try_from(missing).unwrap_or(0),
        ));
        put(
            Value::String(long),
            &["maxLength"],
            format!("longer than maxLength {max}"),
        );
    }
    for p in &spec.patterns {
        if let Some(bad) = pattern::mismatch(&g.inner().plan, *p, s) {
            let source = &g.inner().plan.pattern(*p).source;
            put(
                Value::String(bad),
                &["pattern"],
                format!("does not match pattern {source:?}"),
            );
        }
    }
    if let Some(f) = spec.formats.first() {
        put(
            Value::String(format::invalid(*f).to_owned()),
            &["format"],
            format!("not a valid `{}`", f.name()),
        );
    }
}

fn array_mutations(g: &Generator, t: &Typed, items: &[Value], put: &mut Put<'_>) {
    let spec = &t.array;
    if spec.min_items > 0 {
        let keep = usize::try_from(spec.min_items - 1).unwrap_or(0);
        put(
            Value::Array(items[..keep.min(items.len())].to_vec()),
            &["minItems"],
            format!("fewer than minItems {}", spec.min_items),
        );
    }
    if let (Some(max), Some(last)) = (spec.max_items.filter(|m| *m < MAX_GROWTH), items.last())
        && !spec.unique
    {
        let mut more = items.to_vec();
        more.resize(
            usize::try_from(max + 1).unwrap_or(0).max(items.len()),
            last.clone(),
        );
        put(
            Value::Array(more),
            &["maxItems"],
            format!("more than maxItems {max}"),
        );
    }
    if spec.unique && !items.is_empty() {
        let mut dup = items.to_vec();
        dup.push(items[0].clone());
        put(
            Value::Array(dup),
            &["uniqueItems"],
            "a duplicated item".to_owned(),
        );
    }
    for c in &spec.contains {
        if c.min > 0 {
            let plan = &g.inner().plan;
            let rest: Vec<Value> = items
                .iter()
                .filter(|v| !plan.check(c.check, v))
                .cloned()
                .collect();
            put(
                Value::Array(rest),
                &["contains"],
                "no item matches `contains`".to_owned(),
            );
        }
    }
}

fn object_mutations(
    g: &Generator,
    t: &Typed,
    map: &Map<String, Value>,
    src: &mut RngSource,
    put: &mut Put<'_>,
) {
    let spec = &t.object;
    let plan = &g.inner().plan;
    for p in spec
        .props
        .iter()
        .filter(|p| p.required && map.contains_key(&p.name))
    {
        let mut m = map.clone();
        m.remove(&p.name);
        put(
            Value::Object(m),
            &["required"],
            format!("required property `{}` removed", p.name),
        );
    }
    for (trigger, deps) in &spec.dep_required {
        if !map.contains_key(&spec.props[*trigger].name) {
            continue;
        }
        for d in deps {
            let name = &spec.props[*d].name;
            if map.contains_key(name) && !spec.props[*d].required {
                let mut m = map.clone();
                m.remove(name);
                put(
                    Value::Object(m),
                    &["dependentRequired", "dependencies"],
                    format!(
                        "`{name}` removed although `{}` is present",
                        spec.props[*trigger].name
                    ),
                );
            }
        }
    }
    let closed = spec.additional_given
        && spec
            .additional
            .is_none_or(|a| plan.node(a).height == super::plan::INF)
        && spec.pattern_keys.is_empty();
    if closed {
        let key = (0..)
            .map(|i| {
                if i == 0 {
                    "unexpected_property".to_owned()
                } else {
                    format!("unexpected_property_{i}")
                }
            })
            .find(|k| !map.contains_key(k) && !spec.props.iter().any(|p| &p.name == k))
            .unwrap_or_default();
        let mut m = map.clone();
        m.insert(key.clone(), Value::Null);
        put(
            Value::Object(m),
            &["additionalProperties", "unevaluatedProperties"],
            format!("undeclared property `{key}` added"),
        );
    }
    if let Some(max) = spec.max_props {
        let mut m = map.clone();
        let budget = g.inner().budget.saturating_sub(1);
        for p in spec
            .props
            .iter()
            .filter(|p| p.allowed && !map.contains_key(&p.name))
        {
            if m.len() as u64 > max {
                break;
            }
            let mut interp = Interp::new(plan, src, &g.inner().opts, false);
            if let Ok(v) = interp.generate(p.node, budget, Hint::None) {
                m.insert(p.name.clone(), v);
            }
        }
        if m.len() as u64 > max {
            put(
                Value::Object(m),
                &["maxProperties"],
                format!("more than maxProperties {max}"),
            );
        }
    }
    if spec.min_props > 0 {
        let mut m = map.clone();
        for p in spec.props.iter().filter(|p| !p.required) {
            if (m.len() as u64) < spec.min_props {
                break;
            }
            m.remove(&p.name);
        }
        if (m.len() as u64) < spec.min_props {
            put(
                Value::Object(m),
                &["minProperties"],
                format!("fewer than minProperties {}", spec.min_props),
            );
        }
    }
    if !spec.name_checks.is_empty() {
        let long = "x".repeat(300);
        let bad = ["", "!", "UPPER CASE", long.as_str()]
            .into_iter()
            .find(|k| {
                !map.contains_key(*k)
                    && !spec
                        .name_checks
                        .iter()
                        .all(|c| plan.check(*c, &Value::from(*k)))
            });
        if let Some(key) = bad {
            let mut m = map.clone();
            m.insert(key.to_owned(), Value::Null);
            put(
                Value::Object(m),
                &["propertyNames"],
                format!("property name {key:?} rejected by propertyNames"),
            );
        }
    }
}

/// `doc` with the value at `pointer` replaced.
fn replace(doc: &Value, pointer: &JsonPointer, value: Value) -> Value {
    let mut out = doc.clone();
    if let Some(slot) = out.pointer_mut(pointer.as_str()) {
        *slot = value;
    }
    out
}
