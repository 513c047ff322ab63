//! Negative generation: valid values mutated to break exactly one keyword at one place.
//!
//! A valid value is drawn with tracing on, so for every instance pointer the generator knows
//! which plan node and alternative produced it, hence which constraints hold there. Each
//! constraint suggests a mutation: drop a required property, swap in a wrong type, step out of a
//! range, break a format or a pattern, add a forbidden key, duplicate an item, ... Every mutated
//! document is then validated, and it is kept only if the validator rejects it with errors that
//! all name the intended keyword at the intended pointer. Mutations that break something else
//! too (or nothing) are dropped and counted, never emitted under a wrong label.

use std::collections::HashMap;
use std::fmt;

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
struct Mutation<'a> {
    /// Builds the mutated document; only a mutation that is tried is built.
    build: Box<dyn FnOnce() -> Value + 'a>,
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
        // The keywords already broken at each place.
        let mut seen: HashMap<JsonPointer, Vec<&'static str>> = HashMap::new();
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
            trace.sort_by_cached_key(|e| e.pointer.as_str().bytes().filter(|b| *b == b'/').count());
            for entry in &trace {
                // The keywords broken at this place so far. A mutation of one of them is
                // skipped: its document is not built at all.
                let mut done = seen.remove(&entry.pointer).unwrap_or_default();
                for m in self.mutations(&base, entry, &mut src, &done) {
                    if out.len() >= max {
                        break;
                    }
                    if done.contains(&m.keywords[0]) {
                        continue;
                    }
                    stats.tried += 1;
                    let value = (m.build)();
                    match self.confirm(&value, m.keywords, &m.pointer) {
                        Some((keyword, instance_path)) => {
                            done.push(m.keywords[0]);
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
                                value,
                                keyword,
                                instance_path,
                                description,
                            });
                        }
                        None => stats.dropped += 1,
                    }
                }
                if !done.is_empty() {
                    seen.insert(entry.pointer.clone(), done);
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
    fn confirm(
        &self,
        value: &Value,
        keywords: &[&str],
        pointer: &JsonPointer,
    ) -> Option<(String, JsonPointer)> {
        let errors = self.errors(value);
        let (keyword, at) = errors.first()?;
        if !errors.iter().all(|(k, p)| k == keyword && p == at) {
            return None;
        }
        if keywords.contains(&keyword.as_str()) && at == pointer.as_str() {
            return Some((keyword.clone(), pointer.clone()));
        }
        let encloses = pointer.as_str() == at
            || pointer
                .as_str()
                .strip_prefix(at.as_str())
                .is_some_and(|rest| rest.starts_with('/'));
        if (keyword == "anyOf" || keyword == "oneOf") && encloses {
            return Some((keyword.clone(), JsonPointer::parse(at).ok()?));
        }
        None
    }

    /// The mutations of the value at `entry`'s place, but for those of the keywords already
    /// `broken` there (a replacement that draws from `src` is still made, so that the draws
    /// are the same either way; the others are made only when tried).
    fn mutations<'a>(
        &'a self,
        doc: &'a Value,
        entry: &'a TraceEntry,
        src: &mut RngSource,
        broken: &[&'static str],
    ) -> Vec<Mutation<'a>> {
        let plan = &self.inner().plan;
        let Some(at) = entry.pointer.resolve(doc) else {
            return Vec::new();
        };
        let alt = &plan.node(entry.node).alts[entry.alt];
        let mut out = Vec::new();
        let mut put = |value: Replacement<'a>,
                       keywords: &'static [&'static str],
                       description: fmt::Arguments<'_>| {
            if broken.contains(&keywords[0]) {
                return;
            }
            out.push(Mutation {
                build: Box::new(move || replace(doc, &entry.pointer, value())),
                keywords,
                pointer: entry.pointer.clone(),
                description: description.to_string(),
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
                        ready(v.clone()),
                        kw,
                        format_args!("{v} is not an allowed `{keyword}` value"),
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
                ready(v.clone()),
                &["type"],
                format_args!("{v} has a type the schema does not allow"),
            );
        }
        match (entry.kind, at) {
            (Some(Kind::String), Value::String(s)) => string_mutations(self, t, s, &mut put),
            (Some(Kind::Integer | Kind::Number), Value::Number(_)) => {
                for (v, kw, why) in
                    numeric::mutations(&t.number, at, entry.kind == Some(Kind::Integer))
                {
                    put(ready(v), kw, format_args!("{why}"));
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

/// The value to put at a mutation's place, made when the mutation is tried.
type Replacement<'a> = Box<dyn FnOnce() -> Value + 'a>;

/// Proposes a mutation: its replacement, the keywords it breaks, what it changes in words
/// (worded only if the mutation is kept).
type Put<'p, 'a> = dyn FnMut(Replacement<'a>, &'static [&'static str], fmt::Arguments<'_>) + 'p;

/// A replacement made already (cheap, or made with draws that must happen either way).
fn ready<'a>(v: Value) -> Replacement<'a> {
    Box::new(move || v)
}

fn string_mutations<'a>(g: &'a Generator, t: &'a Typed, s: &'a str, put: &mut Put<'_, 'a>) {
    let spec = &t.string;
    if spec.min_len > 0 {
        put(
            Box::new(move || {
                let keep = usize::try_from(spec.min_len - 1).unwrap_or(0);
                Value::String(s.chars().take(keep).collect())
            }),
            &["minLength"],
            format_args!("shorter than minLength {}", spec.min_len),
        );
    }
    if let Some(max) = spec.max_len.filter(|m| *m < MAX_GROWTH) {
        put(
            Box::new(move || {
                let mut long = s.to_owned();
                let missing = (max + 1).saturating_sub(length::chars(s));
                long.extend(std::iter::repeat_n(
                    'x',
                    usize::try_from(missing).unwrap_or(0),
                ));
                Value::String(long)
            }),
            &["maxLength"],
            format_args!("longer than maxLength {max}"),
        );
    }
    for p in &spec.patterns {
        if let Some(bad) = pattern::mismatch(&g.inner().plan, *p, s) {
            let source = &g.inner().plan.pattern(*p).source;
            put(
                ready(Value::String(bad)),
                &["pattern"],
                format_args!("does not match pattern {source:?}"),
            );
        }
    }
    if let Some(f) = spec.formats.first() {
        put(
            Box::new(move || Value::String(format::invalid(*f).to_owned())),
            &["format"],
            format_args!("not a valid `{}`", f.name()),
        );
    }
}

fn array_mutations<'a>(g: &'a Generator, t: &'a Typed, items: &'a [Value], put: &mut Put<'_, 'a>) {
    let spec = &t.array;
    if spec.min_items > 0 {
        let keep = usize::try_from(spec.min_items - 1).unwrap_or(0);
        put(
            Box::new(move || Value::Array(items[..keep.min(items.len())].to_vec())),
            &["minItems"],
            format_args!("fewer than minItems {}", spec.min_items),
        );
    }
    if let (Some(max), Some(last)) = (spec.max_items.filter(|m| *m < MAX_GROWTH), items.last())
        && !spec.unique
    {
        put(
            Box::new(move || {
                let mut more = items.to_vec();
                more.resize(
                    usize::try_from(max + 1).unwrap_or(0).max(items.len()),
                    last.clone(),
                );
                Value::Array(more)
            }),
            &["maxItems"],
            format_args!("more than maxItems {max}"),
        );
    }
    if spec.unique && !items.is_empty() {
        put(
            Box::new(move || {
                let mut dup = items.to_vec();
                dup.push(items[0].clone());
                Value::Array(dup)
            }),
            &["uniqueItems"],
            format_args!("a duplicated item"),
        );
    }
    for c in &spec.contains {
        if c.min > 0 {
            let plan = &g.inner().plan;
            put(
                Box::new(move || {
                    Value::Array(
                        items
                            .iter()
                            .filter(|v| !plan.check(c.check, v))
                            .cloned()
                            .collect(),
                    )
                }),
                &["contains"],
                format_args!("no item matches `contains`"),
            );
        }
    }
}

fn object_mutations<'a>(
    g: &'a Generator,
    t: &'a Typed,
    map: &'a Map<String, Value>,
    src: &mut RngSource,
    put: &mut Put<'_, 'a>,
) {
    let spec = &t.object;
    let plan = &g.inner().plan;
    for p in spec
        .props
        .iter()
        .filter(|p| p.required && map.contains_key(&p.name))
    {
        put(
            Box::new(move || {
                let mut m = map.clone();
                m.remove(&p.name);
                Value::Object(m)
            }),
            &["required"],
            format_args!("required property `{}` removed", p.name),
        );
    }
    for (trigger, deps) in &spec.dep_required {
        if !map.contains_key(&spec.props[*trigger].name) {
            continue;
        }
        for d in deps {
            let name = &spec.props[*d].name;
            if map.contains_key(name) && !spec.props[*d].required {
                put(
                    Box::new(move || {
                        let mut m = map.clone();
                        m.remove(name);
                        Value::Object(m)
                    }),
                    &["dependentRequired", "dependencies"],
                    format_args!(
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
        let added = key.clone();
        put(
            Box::new(move || {
                let mut m = map.clone();
                m.insert(added, Value::Null);
                Value::Object(m)
            }),
            &["additionalProperties", "unevaluatedProperties"],
            format_args!("undeclared property `{key}` added"),
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
                ready(Value::Object(m)),
                &["maxProperties"],
                format_args!("more than maxProperties {max}"),
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
                ready(Value::Object(m)),
                &["minProperties"],
                format_args!("fewer than minProperties {}", spec.min_props),
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
            let added = key.to_owned();
            put(
                Box::new(move || {
                    let mut m = map.clone();
                    m.insert(added, Value::Null);
                    Value::Object(m)
                }),
                &["propertyNames"],
                format_args!("property name {key:?} rejected by propertyNames"),
            );
        }
    }
}

/// `doc` with the value at `pointer` replaced.
fn replace(doc: &Value, pointer: &JsonPointer, value: Value) -> Value {
    let mut out = doc.clone();
    if let Some(slot) = pointer.resolve_mut(&mut out) {
        *slot = value;
    }
    out
}
