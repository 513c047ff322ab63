//! Where cases come from: valid payloads (a proptest strategy) and labelled negatives for one
//! catalog entry, and the bodies built from them.

use std::fmt;

use proptest::prelude::*;
use proptest::strategy::BoxedStrategy;
use serde_json::Value;

use super::Seed;
use super::mutate::{DAMAGED_WEIGHT, Mutation, any_mutation};
use crate::catalog::Entry;
use crate::generate::{GenOptions, Generator, Negative};

/// Cases for one entry.
pub(crate) trait EntryCases {
    /// Valid payloads of the entry.
    fn valid(&self) -> BoxedStrategy<Value>;
    /// Up to `max` payloads that each violate one keyword at one place, drawn from `seed`.
    fn negatives(&self, seed: Seed, max: usize) -> Vec<Negative>;
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

/// Valid payloads, damaged or not (see [`Mutation`]), in the proportion `mix` says.
pub(crate) fn damaged_cases(valid: BoxedStrategy<Value>, mix: Mix) -> BoxedStrategy<Case> {
    let undamaged = match mix {
        Mix::MostlyDamaged => DAMAGED_WEIGHT / 3,
        Mix::Half => DAMAGED_WEIGHT,
    };
    (valid.clone(), valid, any_mutation(undamaged))
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

/// Cases from the schema-driven generator: the entry's schema compiled once into a
/// [`Generator`] when the entry is prepared (the runner prepares each entry once per run), then
/// valid payloads through its proptest strategy (failures shrink toward small, still-valid
/// payloads) and labelled negatives through [`Generator::negatives`].
#[derive(Debug, Clone, Default)]
pub(crate) struct GeneratorSource {
    options: GenOptions,
}

impl CaseSource for GeneratorSource {
    fn prepare(&self, entry: &Entry) -> Result<Box<dyn EntryCases>, String> {
        // Sorted by URI, so that nothing depends on the order of the resource map.
        let mut resources: Vec<(String, Value)> = entry
            .resources()
            .iter()
            .map(|(uri, doc)| (uri.to_owned(), doc.clone()))
            .collect();
        resources.sort_by(|a, b| a.0.cmp(&b.0));
        let generator = Generator::new(entry.schema(), &resources, self.options.clone())
            .map_err(|e| e.to_string())?;
        Ok(Box::new(GeneratedCases { generator }))
    }
}

/// The cases of one entry, from its compiled generator.
#[derive(Debug)]
struct GeneratedCases {
    generator: Generator,
}

impl EntryCases for GeneratedCases {
    fn valid(&self) -> BoxedStrategy<Value> {
        self.generator.strategy().boxed()
    }

    fn negatives(&self, seed: Seed, max: usize) -> Vec<Negative> {
        self.generator.negatives(seed.0, max)
    }
}
