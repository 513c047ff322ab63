//! The interpreter: walks a [`Plan`] drawing every decision from a [`Source`].
//!
//! One interpreter serves every driver (seeded generation, proptest replay and shrinking, fuzzer
//! bytes); only the source differs. At each node it picks an alternative whose height fits the
//! remaining depth budget, then a type, then delegates to the keyword module that owns that type
//! (numbers, strings, arrays, objects). A residual check that fails, a duplicate in a unique
//! array or a key that matches the wrong pattern is a [`Miss`]: the node is retried with fresh
//! draws a few times, and if it still misses, the miss travels up to the driver, which starts
//! over.
//!
//! With tracing on, the interpreter also records which node and alternative produced the value at
//! each instance pointer; negative generation uses that map to know which constraints hold where.

use serde_json::Value;

use super::{
    keywords::type_::{Kind, TypeSet, kind_index},
    options::GenOptions,
    plan::{Body, NodeId, Plan},
    realism::{self, Hint},
    source::Source,
};
use crate::JsonPointer;

/// This attempt did not produce a value; try again with other draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Miss;

/// One step down into a child value.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

/// Which node and alternative produced the value at one place.
#[derive(Debug, Clone)]
pub(crate) struct TraceEntry {
    pub pointer: JsonPointer,
    pub node: NodeId,
    pub alt: usize,
    /// The type drawn, for typed alternatives.
    pub kind: Option<Kind>,
}

/// The interpreter state for one value.
pub(crate) struct Interp<'p, S: Source> {
    pub plan: &'p Plan,
    pub src: &'p mut S,
    pub opts: &'p GenOptions,
    trace: Option<Vec<TraceEntry>>,
    path: Vec<String>,
    /// JSON values produced so far (including abandoned attempts).
    produced: u32,
}

impl<'p, S: Source> Interp<'p, S> {
    pub(crate) fn new(plan: &'p Plan, src: &'p mut S, opts: &'p GenOptions, tracing: bool) -> Self {
        Self {
            plan,
            src,
            opts,
            trace: tracing.then(Vec::new),
            path: Vec::new(),
            produced: 0,
        }
    }

    /// The recorded trace (empty unless tracing).
    pub(crate) fn into_trace(self) -> Vec<TraceEntry> {
        self.trace.unwrap_or_default()
    }

    pub(crate) fn height(&self, id: NodeId) -> u32 {
        self.plan.node(id).height
    }

    /// Whether the document has reached [`GenOptions::max_size`]: from now on only what the
    /// schema requires is generated.
    pub(crate) fn saturated(&self) -> bool {
        self.produced >= self.opts.max_size
    }

    /// A value of node `id` no deeper than `budget`.
    pub(crate) fn generate(&mut self, id: NodeId, budget: u32, hint: Hint) -> Result<Value, Miss> {
        let plan = self.plan;
        let node = plan.node(id);
        if node.height > budget {
            return Err(Miss);
        }
        self.produced = self.produced.saturating_add(1);
        let eligible = node.alts.iter().filter(|a| a.height <= budget).count();
        if eligible == 0 {
            return Err(Miss);
        }
        for _ in 0..self.opts.local_retries {
            // The `k`-th alternative that fits the budget.
            let k = self.src.choose(eligible);
            let a = node
                .alts
                .iter()
                .enumerate()
                .filter(|(_, alt)| alt.height <= budget)
                .nth(k)
                .map_or(0, |(i, _)| i);
            let alt = &node.alts[a];
            let mark = self.trace.as_ref().map_or(0, Vec::len);
            if let Ok((value, kind)) = self.alt_value(id, a, budget, hint)
                && plan.checks_pass(&alt.checks, &value)
            {
                if let Some(trace) = &mut self.trace {
                    let pointer = self.path.iter().fold(JsonPointer::root(), |p, t| p.push(t));
                    trace.push(TraceEntry {
                        pointer,
                        node: id,
                        alt: a,
                        kind,
                    });
                }
                return Ok(value);
            }
            if let Some(trace) = &mut self.trace {
                trace.truncate(mark);
            }
        }
        Err(Miss)
    }

    /// A child value, one level down at `seg`.
    pub(crate) fn child(
        &mut self,
        id: NodeId,
        budget: u32,
        hint: Hint,
        seg: Seg<'_>,
    ) -> Result<Value, Miss> {
        if self.trace.is_some() {
            self.path.push(match seg {
                Seg::Key(k) => k.to_owned(),
                Seg::Index(i) => i.to_string(),
            });
        }
        let out = self.generate(id, budget, hint);
        if self.trace.is_some() {
            self.path.pop();
        }
        out
    }

    fn alt_value(
        &mut self,
        id: NodeId,
        a: usize,
        budget: u32,
        hint: Hint,
    ) -> Result<(Value, Option<Kind>), Miss> {
        let plan = self.plan;
        let alt = &plan.node(id).alts[a];
        let typed = match &alt.body {
            Body::Values { values, .. } => {
                let v = values.get(self.src.choose(values.len())).ok_or(Miss)?;
                return Ok((v.clone(), None));
            }
            Body::Typed(t) => t,
        };
        if !alt.seeds.is_empty() && self.src.rarely(4) {
            let seed = &alt.seeds[self.src.choose(alt.seeds.len())];
            return Ok((seed.clone(), None));
        }
        // Once saturated, only the shallowest types are drawn.
        let limit = if self.saturated() {
            typed.heights.iter().copied().min().unwrap_or(budget)
        } else {
            budget
        };
        let mut kinds = [Kind::Null; 7];
        let mut n = 0;
        for k in TypeSet::ORDER {
            if typed.types.allows(k) && typed.heights[kind_index(k)] <= limit {
                kinds[n] = k;
                n += 1;
            }
        }
        if n == 0 {
            return Err(Miss);
        }
        let kind = kinds[self.src.choose(n)];
        let value = match kind {
            Kind::Null => Value::Null,
            Kind::Boolean => Value::Bool(self.src.draw(1) == 1),
            Kind::Integer | Kind::Number => {
                let integral = kind == Kind::Integer;
                let suggested = if self.opts.realism && hint != Hint::None && !self.src.rarely(8) {
                    if integral {
                        realism::integer(hint, self.src).map(Value::from)
                    } else {
                        realism::number(hint, self.src)
                    }
                    .filter(|v| typed.number.admits(v))
                } else {
                    None
                };
                match suggested {
                    Some(v) => v,
                    None => typed.number.generate(self.src, integral).ok_or(Miss)?,
                }
            }
            Kind::String => {
                let hint = if self.opts.realism { hint } else { Hint::None };
                Value::String(typed.string.generate(plan, self.src, hint).ok_or(Miss)?)
            }
            Kind::Array => typed.array.generate(self, budget)?,
            Kind::Object => typed.object.generate(self, budget)?,
        };
        if typed
            .excluded
            .iter()
            .any(|x| super::keywords::enum_::json_eq(x, &value))
        {
            return Err(Miss);
        }
        Ok((value, Some(kind)))
    }

    /// A string the node accepts (for drawing property names from `propertyNames`).
    pub(crate) fn string_of(&mut self, id: NodeId) -> Option<String> {
        let plan = self.plan;
        let node = plan.node(id);
        for _ in 0..self.opts.local_retries {
            let a = self.src.choose(node.alts.len().max(1));
            let alt = node.alts.get(a)?;
            let s = match &alt.body {
                Body::Values { values, .. } => {
                    let strings: Vec<&str> = values.iter().filter_map(Value::as_str).collect();
                    if strings.is_empty() {
                        continue;
                    }
                    strings[self.src.choose(strings.len())].to_owned()
                }
                Body::Typed(t) if t.types.allows(Kind::String) => {
                    match t.string.generate(plan, self.src, Hint::None) {
                        Some(s) => s,
                        None => continue,
                    }
                }
                Body::Typed(_) => continue,
            };
            if plan.checks_pass(&alt.checks, &Value::String(s.clone())) {
                return Some(s);
            }
        }
        None
    }
}
