//! [`Generator`]: a schema compiled once into a plan and a validator, producing checked values.

use std::{
    fmt,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
};

use arbitrary::Unstructured;
use serde_json::Value;

use crate::validate::Validator;

use super::{
    compile::{Compiler, ValidatorFactory},
    error::GenError,
    interp::{Interp, Miss, TraceEntry},
    options::GenOptions,
    plan::{Body, INF, NodeId, Plan},
    realism::Hint,
    resolve::{Loc, Registry},
    source::{RngSource, Source, UnstructuredSource},
};

/// Deepest nesting a schema may *require* (the interpreter recurses once per level).
const MAX_HEIGHT: u32 = 256;

/// Generates JSON values that conform to a schema (every one checked by the validator), and
/// deliberately non-conforming ones ([`Generator::negatives`]).
///
/// Cheap to clone (the compiled plan and validator are shared) and safe to share across threads.
///
/// # Example
///
/// ```
/// use hookcheck::generate::{GenOptions, Generator};
/// use serde_json::json;
///
/// let schema = json!({
///     "type": "object",
///     "required": ["id", "event"],
///     "properties": {
///         "id": {"type": "integer", "minimum": 1},
///         "event": {"enum": ["sent", "bounced"]},
///         "email": {"type": "string", "format": "email"}
///     },
///     "additionalProperties": false
/// });
/// let generator = Generator::new(&schema, &[], GenOptions::default())?;
/// let value = generator.generate(42, 0)?;
/// assert!(generator.is_valid(&value));
/// assert_eq!(value, generator.generate(42, 0)?); // same seed and index, same value
/// # Ok::<(), hookcheck::generate::GenError>(())
/// ```
#[derive(Clone)]
pub struct Generator {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub plan: Plan,
    pub validator: Validator,
    pub opts: GenOptions,
    /// Depth budget handed to the root.
    pub budget: u32,
    candidates: AtomicU64,
    rejected: AtomicU64,
}

impl fmt::Debug for Generator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Generator")
            .field("nodes", &self.inner.plan.nodes.len())
            .field("checks", &self.inner.plan.checks.len())
            .field("budget", &self.inner.budget)
            .finish_non_exhaustive()
    }
}

/// Counters of a generator's work so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GenStats {
    /// Candidate values built.
    pub candidates: u64,
    /// Candidates the validator rejected (the plan was not exact for them).
    pub rejected: u64,
}

impl Generator {
    /// Compiles `schema` into a generator. `resources` are the other documents its `$ref`s may
    /// name, as `(absolute URI, document)` pairs; nothing is fetched over the network.
    ///
    /// # Errors
    ///
    /// - [`GenError::Schema`] if the schema (or a `$ref` in it) cannot be compiled or resolved;
    /// - [`GenError::Unsupported`] if it uses something the generator declines to honour;
    /// - [`GenError::Unsatisfiable`] if the analysis proves no value conforms.
    pub fn new(
        schema: &Value,
        resources: &[(String, Value)],
        opts: GenOptions,
    ) -> Result<Self, GenError> {
        Self::build(schema, resources, opts, None)
    }

    /// As [`Generator::new`], checking values with `validator`, already compiled from
    /// `schema` (a catalog entry's), rather than compiling the schema a second time.
    pub(crate) fn with_validator(
        schema: &Value,
        resources: &[(String, Value)],
        opts: GenOptions,
        validator: Validator,
    ) -> Result<Self, GenError> {
        Self::build(schema, resources, opts, Some(validator))
    }

    fn build(
        schema: &Value,
        resources: &[(String, Value)],
        opts: GenOptions,
        validator: Option<Validator>,
    ) -> Result<Self, GenError> {
        let reg = Registry::new(schema, resources)?;
        let factory = ValidatorFactory::new(&reg);
        let validator = match validator {
            Some(v) => v,
            None => {
                let compiled = factory.build(schema, None).map_err(|m| {
                    GenError::schema(
                        reg.location(&Loc {
                            doc: 0,
                            ptr: String::new(),
                        }),
                        m,
                    )
                })?;
                Validator::from_jsonschema(compiled)
            }
        };
        let plan = Compiler::compile(&reg, &opts, factory)?;
        let root = plan.node(plan.root);
        if root.height == INF {
            let mut seen = Vec::new();
            let (reason, origin) = explain(&plan, plan.root, &mut seen).unwrap_or_else(|| {
                (
                    "every alternative needs a value that cannot exist (an unsatisfiable or \
                     infinitely recursive part)"
                        .to_owned(),
                    root.origin.clone(),
                )
            });
            return Err(GenError::Unsatisfiable {
                reason,
                location: reg.location(&origin),
            });
        }
        if root.height > MAX_HEIGHT {
            return Err(GenError::unsupported(
                "$ref",
                reg.location(&root.origin),
                format!(
                    "every value nests deeper than {MAX_HEIGHT} levels (it needs {})",
                    root.height
                ),
            ));
        }
        let budget = opts.max_depth.max(root.height);
        Ok(Self {
            inner: Arc::new(Inner {
                plan,
                validator,
                opts,
                budget,
                candidates: AtomicU64::new(0),
                rejected: AtomicU64::new(0),
            }),
        })
    }

    pub(crate) fn inner(&self) -> &Inner {
        &self.inner
    }

    /// Value number `index` of the run seeded with `seed`: deterministic (same seed and index,
    /// same value, on every platform) and checked by the validator.
    ///
    /// # Errors
    ///
    /// [`GenError::Exhausted`] if [`GenOptions::max_attempts`] candidates were all rejected.
    pub fn generate(&self, seed: u64, index: u64) -> Result<Value, GenError> {
        let mut src = RngSource::new(seed, index);
        self.generate_from(&mut src)
    }

    /// A checked value drawn from any [`Source`].
    ///
    /// # Errors
    ///
    /// [`GenError::Exhausted`] if [`GenOptions::max_attempts`] candidates were all rejected.
    pub fn generate_from<S: Source>(&self, src: &mut S) -> Result<Value, GenError> {
        let attempts = self.inner.opts.max_attempts;
        for _ in 0..attempts {
            if let Some(v) = self.candidate(src) {
                return Ok(v);
            }
        }
        Err(GenError::Exhausted { attempts })
    }

    /// One candidate, returned only if the validator accepts it.
    pub(crate) fn candidate<S: Source>(&self, src: &mut S) -> Option<Value> {
        let v = self.draw(src, false).ok()?.0;
        self.inner.candidates.fetch_add(1, Ordering::Relaxed);
        if self.inner.validator.is_valid(&v) {
            Some(v)
        } else {
            self.inner.rejected.fetch_add(1, Ordering::Relaxed);
            None
        }
    }

    /// One unchecked draw from the plan (with its trace when `tracing`).
    pub(crate) fn draw<S: Source>(
        &self,
        src: &mut S,
        tracing: bool,
    ) -> Result<(Value, Vec<TraceEntry>), Miss> {
        let inner = &*self.inner;
        let mut interp = Interp::new(&inner.plan, src, &inner.opts, tracing);
        let v = interp.generate(inner.plan.root, inner.budget, Hint::None)?;
        Ok((v, interp.into_trace()))
    }

    /// A conforming value built from fuzzer bytes (for `arbitrary`-driven fuzz targets). Short
    /// inputs give the simplest values.
    ///
    /// # Errors
    ///
    /// [`arbitrary::Error::IncorrectFormat`] when no conforming value could be built from these
    /// bytes.
    pub fn from_unstructured(&self, u: &mut Unstructured<'_>) -> arbitrary::Result<Value> {
        let mut src = UnstructuredSource::new(u);
        for _ in 0..self.inner.opts.max_attempts.min(8) {
            if let Some(v) = self.candidate(&mut src) {
                return Ok(v);
            }
        }
        Err(arbitrary::Error::IncorrectFormat)
    }

    /// One value drawn from the plan *without* the validator's check (it may, rarely, not
    /// conform). For measuring the plan's own cost and exactness; use [`Generator::generate`]
    /// for values you rely on.
    pub fn unchecked_draw<S: Source>(&self, src: &mut S) -> Option<Value> {
        self.draw(src, false).ok().map(|(v, _)| v)
    }

    /// Whether `value` conforms to the schema (the same compiled validator that checks every
    /// generated value).
    #[must_use]
    pub fn is_valid(&self, value: &Value) -> bool {
        self.inner.validator.is_valid(value)
    }

    /// Counters of candidates built and rejected so far, across all clones.
    #[must_use]
    pub fn stats(&self) -> GenStats {
        GenStats {
            candidates: self.inner.candidates.load(Ordering::Relaxed),
            rejected: self.inner.rejected.load(Ordering::Relaxed),
        }
    }

    /// The validator values are checked with.
    #[cfg(test)]
    pub(crate) fn validator(&self) -> &Validator {
        &self.inner.validator
    }

    /// The validator's errors for `value`, as `(keyword, instance pointer)` pairs.
    pub(crate) fn errors(&self, value: &Value) -> Vec<(String, String)> {
        self.inner
            .validator
            .as_jsonschema()
            .iter_errors(value)
            .map(|e| {
                (
                    e.kind().keyword().to_owned(),
                    e.instance_path().as_str().to_owned(),
                )
            })
            .collect()
    }
}

/// Why node `id` has no value: the first static reason found on its alternatives or, following
/// required children that have no value either, below them.
fn explain(plan: &Plan, id: NodeId, seen: &mut Vec<NodeId>) -> Option<(String, Loc)> {
    if seen.contains(&id) {
        return None;
    }
    seen.push(id);
    let node = plan.node(id);
    if let Some(alt) = node.alts.iter().find(|a| a.unsat.is_some()) {
        return alt.unsat.clone().map(|r| (r, alt.origin.clone()));
    }
    for alt in &node.alts {
        let Body::Typed(t) = &alt.body else { continue };
        for p in t.object.props.iter().filter(|p| p.required) {
            if !p.allowed {
                return Some((
                    format!("required property `{}` is forbidden", p.name),
                    alt.origin.clone(),
                ));
            }
            if plan.node(p.node).height == INF
                && let Some((why, at)) = explain(plan, p.node, seen)
            {
                return Some((format!("required property `{}`: {why}", p.name), at));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::source::ReplaySource;
    use serde_json::json;

    #[test]
    fn unsatisfiable_schemas_are_reported() {
        for schema in [
            json!({"type": "integer", "minimum": 5, "maximum": 4}),
            json!({"allOf": [{"type": "string"}, {"type": "number"}]}),
            json!(false),
            json!({"enum": [1, 2], "minimum": 3}),
            json!({"$defs": {"t": {"type": "object", "required": ["c"], "properties": {"c": {"$ref": "#/$defs/t"}}}}, "$ref": "#/$defs/t"}),
        ] {
            let err = Generator::new(&schema, &[], GenOptions::default()).unwrap_err();
            assert!(err.is_unsatisfiable(), "{schema}: {err}");
        }
    }

    #[test]
    fn the_empty_draw_is_the_simplest_value() {
        let g = Generator::new(
            &json!({"type": "array", "minItems": 2, "items": {"type": "integer", "minimum": 5}}),
            &[],
            GenOptions::default(),
        )
        .unwrap();
        assert_eq!(
            g.generate_from(&mut ReplaySource::new(&[])).unwrap(),
            json!([5, 5])
        );
    }

    #[test]
    fn arbitrary_bytes_give_valid_values() {
        let g = Generator::new(
            &json!({"type": "object", "required": ["a"], "properties": {"a": {"type": "string", "maxLength": 3}}}),
            &[],
            GenOptions::default(),
        )
        .unwrap();
        for bytes in [&[][..], &[1, 2, 3], &[255; 64]] {
            let v = g.from_unstructured(&mut Unstructured::new(bytes)).unwrap();
            assert!(g.is_valid(&v), "{v}");
        }
    }
}
