//! Where cases come from: valid payloads (a proptest strategy) and labelled negatives for one
//! catalog entry, and the bodies built from them.

use std::fmt;

use proptest::prelude::*;
use proptest::strategy::BoxedStrategy;
use serde_json::Value;

use super::Seed;
use super::mutate::{Mutation, any_mutation};
use crate::JsonPointer;
use crate::catalog::Entry;

/// A payload that breaks the schema in one known way.
#[derive(Debug, Clone)]
pub(crate) struct NegativeCase {
    /// The payload.
    pub(crate) value: Value,
    /// The keyword it violates.
    pub(crate) keyword: String,
    /// Where.
    pub(crate) instance_path: JsonPointer,
    /// How it was made.
    pub(crate) description: String,
}

/// Cases for one entry.
pub(crate) trait EntryCases {
    /// Valid payloads of the entry.
    fn valid(&self) -> BoxedStrategy<Value>;
    /// Up to `max` payloads that each violate one keyword, drawn from `seed`.
    fn negatives(&self, seed: Seed, max: usize) -> Result<Vec<NegativeCase>, String>;
}

/// Makes [`EntryCases`] for catalog entries.
pub(crate) trait CaseSource: Sync {
    /// The cases of `entry`; `Err` with a reason when the entry cannot be generated from.
    fn prepare(&self, entry: &Entry) -> Result<Box<dyn EntryCases>, String>;
}

/// One input to a property check.
#[derive(Clone)]
pub(crate) struct Case {
    /// The bytes sent to the parser.
    pub(crate) body: Vec<u8>,
    /// The JSON the body is a serialisation of, when the body is undamaged.
    pub(crate) payload: Option<Value>,
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
    pub(crate) fn payload(value: Value) -> Self {
        Self {
            body: body_of(&value),
            payload: Some(value),
            mutation: "none",
        }
    }

    /// Raw bytes, parsed as JSON if they are JSON.
    pub(crate) fn bytes(body: Vec<u8>) -> Self {
        Self {
            payload: serde_json::from_slice(&body).ok(),
            body,
            mutation: "replayed",
        }
    }
}

/// The bytes of a payload as a vendor would send them: compact JSON.
pub(crate) fn body_of(value: &Value) -> Vec<u8> {
    // Serialising a `Value` to a Vec cannot fail (no I/O, string keys only).
    serde_json::to_vec(value).unwrap_or_default()
}

/// Undamaged valid payloads.
pub(crate) fn valid_cases(valid: BoxedStrategy<Value>) -> BoxedStrategy<Case> {
    valid.prop_map(Case::payload).boxed()
}

/// Valid payloads, damaged or not (see [`Mutation`]).
pub(crate) fn damaged_cases(valid: BoxedStrategy<Value>) -> BoxedStrategy<Case> {
    (valid.clone(), valid, any_mutation())
        .prop_map(|(a, b, mutation)| {
            let body = mutation.apply(&body_of(&a), &body_of(&b));
            Case {
                body,
                payload: matches!(mutation, Mutation::None).then_some(a),
                mutation: mutation.name(),
            }
        })
        .boxed()
}

/// Cases from the schema-driven generator.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct GeneratorSource;

impl CaseSource for GeneratorSource {
    fn prepare(&self, entry: &Entry) -> Result<Box<dyn EntryCases>, String> {
        Err(format!(
            "no payload generator is built into this version for {}",
            entry.key()
        ))
    }
}
