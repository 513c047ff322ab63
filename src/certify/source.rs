//! Where cases come from: valid payloads (a proptest strategy) and labelled negatives for one
//! catalog entry, and the bodies built from them.

use std::fmt;
use std::sync::{Arc, LazyLock, OnceLock};

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::strategy::BoxedStrategy;
use serde_json::Value;

use super::Seed;
use super::mutate::{DAMAGED_WEIGHT, Mutation, one_payload_mutation, random, splice};
use crate::catalog::{Catalog, Entry};
use crate::generate::{GenError, GenOptions, Generator, Negative};

/// Cases for one entry.
pub(crate) trait EntryCases: Send + Sync {
    /// Valid payloads of the entry, shared so that taking a case's value costs no copy.
    fn valid(&self) -> BoxedStrategy<Arc<Value>>;
    /// Up to `max` payloads that each violate one keyword at one place, drawn from `seed`.
    fn negatives(&self, seed: Seed, max: usize) -> Vec<Negative>;
    /// Whether every payload of [`valid`](Self::valid) has already been accepted by the entry's
    /// own validator (the generator checks each value it makes with it), so that checking it
    /// again would repeat the same work.
    fn checked_valid(&self) -> bool {
        false
    }
}

/// Why no cases can be made for an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Unprepared {
    /// The schema is one the generator declines (unsupported) or proves empty (unsatisfiable):
    /// its cells do not apply.
    NotApplicable {
        /// Why.
        reason: String,
    },
    /// The harness failed (the schema does not compile, a `$ref` names nothing, ...).
    Failed {
        /// What went wrong.
        message: String,
    },
}

impl From<GenError> for Unprepared {
    fn from(e: GenError) -> Self {
        if e.is_unsupported() || e.is_unsatisfiable() {
            Unprepared::NotApplicable {
                reason: e.to_string(),
            }
        } else {
            Unprepared::Failed {
                message: e.to_string(),
            }
        }
    }
}

/// Makes [`EntryCases`] for catalog entries.
pub(crate) trait CaseSource: Sync {
    /// The cases of `entry`, or why there are none.
    fn prepare(&self, entry: &Entry) -> Result<Box<dyn EntryCases>, Unprepared>;
}

/// One input to a property check.
#[derive(Clone)]
pub(crate) struct Case {
    /// The bytes sent to the parser.
    pub(crate) body: Vec<u8>,
    /// The JSON the body is a serialisation of, when the body is undamaged.
    pub(crate) payload: Option<Arc<Value>>,
    /// How the body was damaged (`none` for an undamaged payload).
    pub(crate) mutation: &'static str,
}

impl fmt::Debug for Case {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Case({}, {})",
            self.mutation,
            String::from_utf8_lossy(&self.body)
        )
    }
}

impl Case {
    /// An undamaged payload.
    pub(crate) fn payload(value: Arc<Value>) -> Self {
        Self {
            body: body_of(&value),
            payload: Some(value),
            mutation: "none",
        }
    }

    /// Raw bytes, parsed as JSON if they are JSON.
    pub(crate) fn bytes(body: Vec<u8>) -> Self {
        Self {
            payload: json_of(&body).map(Arc::new),
            body,
            mutation: "replayed",
        }
    }

    /// The body of `value` cut short at `at`, so never whole: a truncated payload. No
    /// proper prefix of the compact JSON of an object, an array or a string is JSON (its
    /// outermost value is never closed), so only the prefix of another value is parsed to find
    /// out whether it is.
    pub(crate) fn truncated(value: &Value, at: Index) -> Self {
        let body = body_of(value);
        let len = at.index(body.len().max(1));
        Self::prefix(value, body, len)
    }

    /// The first `len` bytes of `body`, the JSON of `value`.
    fn prefix(value: &Value, mut body: Vec<u8>, len: usize) -> Self {
        body.truncate(len);
        let payload = match value {
            Value::Object(_) | Value::Array(_) | Value::String(_) => None,
            _ => json_of(&body).map(Arc::new),
        };
        Self {
            body,
            payload,
            mutation: "truncate",
        }
    }
}

/// `body` parsed, if it is JSON. Bodies that are not (most damaged ones) are told apart by a
/// scan that builds nothing: whatever parses into a [`Value`] also passes it, so only bodies
/// that pass are parsed again into one.
fn json_of(body: &[u8]) -> Option<Value> {
    serde_json::from_slice::<serde::de::IgnoredAny>(body).ok()?;
    serde_json::from_slice(body).ok()
}

/// The bytes of a payload as a vendor would send them: compact JSON.
pub(crate) fn body_of(value: &Value) -> Vec<u8> {
    // Serialising a `Value` to a Vec cannot fail (no I/O, string keys only).
    serde_json::to_vec(value).unwrap_or_default()
}

/// Undamaged valid payloads.
pub(crate) fn valid_cases(valid: BoxedStrategy<Arc<Value>>) -> BoxedStrategy<Case> {
    valid.prop_map(Case::payload).boxed()
}

/// How many of the cases of [`damaged_cases`] are left undamaged.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Mix {
    /// About one in five: for `no-panic`, whose point is damaged bytes (a panic on a valid
    /// payload also fails `accepts-valid`).
    MostlyDamaged,
    /// About half: for `time-bound` and `deterministic`, whose failures usually hide in what a
    /// parser does with a payload it accepts, which a damaged body rarely reaches.
    Half,
}

/// Valid payloads, damaged or not (see [`Mutation`]), in the proportion `mix` says. Each kind
/// of case draws only the payloads it needs (none for random bytes, two for a splice), and
/// shrinking moves toward the undamaged payload.
pub(crate) fn damaged_cases(valid: BoxedStrategy<Arc<Value>>, mix: Mix) -> BoxedStrategy<Case> {
    let undamaged = match mix {
        Mix::MostlyDamaged => DAMAGED_WEIGHT / 3,
        Mix::Half => DAMAGED_WEIGHT,
    };
    let damaged = |mutation: Mutation, a: &[u8], b: &[u8]| Case {
        body: mutation.apply(a, b),
        payload: None,
        mutation: mutation.name(),
    };
    prop_oneof![
        undamaged => valid.clone().prop_map(Case::payload),
        8 => (valid.clone(), one_payload_mutation())
            .prop_map(move |(a, m)| damaged(m, &body_of(&a), &[])),
        2 => (valid.clone(), valid, splice())
            .prop_map(move |(a, b, m)| damaged(m, &body_of(&a), &body_of(&b))),
        1 => random().prop_map(move |m| damaged(m, &[], &[])),
    ]
    .boxed()
}

/// Cases from the schema-driven generator: the entry's schema compiled once into a
/// [`Generator`] when the entry is prepared (the runner prepares each entry once per run; a
/// built-in entry with the default options is compiled once per process, see [`compiled`]), then
/// valid payloads through its proptest strategy (failures shrink toward small, still-valid
/// payloads) and labelled negatives through [`Generator::negatives`].
#[derive(Debug, Clone, Default)]
pub(crate) struct GeneratorSource {
    options: GenOptions,
}

impl CaseSource for GeneratorSource {
    fn prepare(&self, entry: &Entry) -> Result<Box<dyn EntryCases>, Unprepared> {
        let generator = compiled(entry, &self.options)?;
        // `Entry::generator` checks values with the entry's compiled validator when it has one.
        let checked = entry.validator().is_ok();
        Ok(Box::new(GeneratedCases { generator, checked }))
    }
}

/// The generators of the built-in catalog's entries with the default options, by entry index,
/// each compiled on first use: a process that certifies several times (a parser crate's tests,
/// one `certify::run` per test) compiles each entry once. Bounded by the catalog's size.
static BUILTIN: LazyLock<Vec<OnceLock<Generator>>> = LazyLock::new(|| {
    Catalog::builtin()
        .entries()
        .iter()
        .map(|_| OnceLock::new())
        .collect()
});

/// The generator of `entry` with `options`: the cached one for a built-in entry with the
/// default options, else freshly compiled.
fn compiled(entry: &Entry, options: &GenOptions) -> Result<Generator, GenError> {
    let builtin = Catalog::builtin()
        .entries()
        .iter()
        .position(|e| std::ptr::eq(e, entry))
        .filter(|_| *options == GenOptions::default())
        .and_then(|i| BUILTIN.get(i));
    let Some(slot) = builtin else {
        return entry.generator(options.clone());
    };
    if let Some(generator) = slot.get() {
        return Ok(generator.clone());
    }
    let generator = entry.generator(options.clone())?;
    Ok(slot.get_or_init(|| generator).clone())
}

/// The cases of one entry, from its compiled generator.
#[derive(Debug)]
struct GeneratedCases {
    generator: Generator,
    checked: bool,
}

impl EntryCases for GeneratedCases {
    fn valid(&self) -> BoxedStrategy<Arc<Value>> {
        self.generator.strategy().shared().boxed()
    }

    fn negatives(&self, seed: Seed, max: usize) -> Vec<Negative> {
        self.generator.negatives(seed.0, max)
    }

    fn checked_valid(&self) -> bool {
        self.checked
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_truncated_payload_is_json_only_where_parsing_says_so() {
        let values = [
            serde_json::json!({"a": [1, "x\"}", {"b": null}], "c": {}}),
            serde_json::json!([{"a": "]"}, [], 2.5]),
            serde_json::json!("a \"quoted\" string"),
            serde_json::json!(-12345.5e10),
            serde_json::json!(1234567),
            serde_json::json!(true),
            serde_json::json!(null),
            serde_json::json!({}),
        ];
        let mut json_prefixes = 0;
        for value in &values {
            let whole = body_of(value);
            for len in 0..whole.len() {
                let case = Case::prefix(value, whole.clone(), len);
                assert_eq!(case.body, whole[..len], "{value} at {len}");
                let want = serde_json::from_slice::<Value>(&case.body).ok();
                assert_eq!(case.payload.as_deref(), want.as_ref(), "{value} at {len}");
                json_prefixes += usize::from(want.is_some());
            }
            // Cut anywhere but never whole.
            use proptest::strategy::ValueTree;
            let mut runner = proptest::test_runner::TestRunner::deterministic();
            for _ in 0..64 {
                let at = any::<Index>().new_tree(&mut runner).unwrap().current();
                let case = Case::truncated(value, at);
                assert!(whole.starts_with(&case.body), "{value}");
                assert!(case.body.len() < whole.len(), "{value}");
            }
        }
        // Some prefixes of the numbers are JSON, so both answers were checked.
        assert!(json_prefixes > 0);
    }

    #[test]
    fn json_of_agrees_with_parsing_into_a_value() {
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        let bodies: [&[u8]; 14] = [
            b"{\"a\":[1,2,{\"b\":null}]}",
            b"{\"a\":[1,2,{\"b\":nul",
            b"",
            b"  ",
            b"42",
            b"\"\xff\"",
            b"\"\\ud800\"",
            b"1e999999",
            b"{\"a\":1}}",
            b"{\"a\":1,}",
            b"[\"\x01\"]",
            b"\"\\q\"",
            b"{\"a\":1,\"a\":2}",
            deep.as_bytes(),
        ];
        for body in bodies {
            let want = serde_json::from_slice::<Value>(body).ok();
            assert_eq!(json_of(body), want, "{}", String::from_utf8_lossy(body));
        }
        // The cases above cover both answers.
        assert!(json_of(b"{\"a\":1}").is_some());
        assert!(json_of(deep.as_bytes()).is_none());
    }
}
