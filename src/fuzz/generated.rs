//! Generators for every webhook event of the built-in catalog, compiled once per process, and
//! the input layout of the generator-driven targets.
//!
//! An input of `structured` or `differential` is one selector byte, which picks the webhook
//! event (`data[0] % number of webhook events`, in catalog order), followed by the bytes the
//! generator draws its decisions from. Keeping the choice of event in a byte of its own lets
//! libFuzzer mutate the payload without jumping between events, and lets the seed corpus hold
//! one seed per event ([`super::seeds`]).

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, OnceLock},
};

use arbitrary::Unstructured;
use serde_json::Value;

use super::Skip;
use crate::catalog::{Catalog, Entry, EntryKind};
use crate::generate::{GenError, GenOptions, Generator, Negative};
use crate::parser::WebhookParser;

/// One webhook event and its generator (compiled on first use).
pub(super) struct Slot {
    pub(super) entry: &'static Entry,
    generator: OnceLock<Result<Generator, GenError>>,
    negatives: Mutex<HashMap<u64, Arc<Vec<Negative>>>>,
}

impl Slot {
    /// The event's generator, compiled on first use.
    pub(super) fn generator(&self) -> Result<&Generator, &GenError> {
        self.generator
            .get_or_init(|| self.entry.generator(GenOptions::default()))
            .as_ref()
    }

    /// The generator's labelled negatives for `seed` (at most [`NEGATIVES_PER_SEED`]),
    /// computed once per seed.
    pub(super) fn negatives(&self, generator: &Generator, seed: u64) -> Arc<Vec<Negative>> {
        let mut cache = self
            .negatives
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Arc::clone(
            cache
                .entry(seed)
                .or_insert_with(|| Arc::new(generator.negatives(seed, NEGATIVES_PER_SEED))),
        )
    }
}

/// How many labelled negatives one seed contributes.
pub(super) const NEGATIVES_PER_SEED: usize = 32;

/// The webhook events of the built-in catalog, in catalog order.
pub(super) fn slots() -> &'static [Slot] {
    static SLOTS: OnceLock<Vec<Slot>> = OnceLock::new();
    SLOTS.get_or_init(|| {
        Catalog::active()
            .entries()
            .iter()
            .filter(|e| e.kind() == EntryKind::Webhook)
            .map(|entry| Slot {
                entry,
                generator: OnceLock::new(),
                negatives: Mutex::new(HashMap::new()),
            })
            .collect()
    })
}

/// The event `data` selects, and the rest of the bytes.
pub(super) fn select(data: &[u8]) -> Result<(&'static Slot, &[u8]), Skip> {
    let slots = slots();
    match data.split_first() {
        Some((&selector, rest)) if !slots.is_empty() => {
            Ok((&slots[usize::from(selector) % slots.len()], rest))
        }
        _ => Err(Skip::NoPayload),
    }
}

/// A schema-valid payload of the slot's event drawn from `u`.
///
/// # Panics
///
/// When the generator's payload fails the catalog's own validator (a generator never lies).
pub(super) fn payload(slot: &Slot, u: &mut Unstructured<'_>) -> Result<Value, Skip> {
    let generator = slot.generator().map_err(|_| Skip::Ungenerable)?;
    let value = generator
        .from_unstructured(u)
        .map_err(|_| Skip::NoPayload)?;
    let violations = slot
        .entry
        .validator()
        .map(|v| v.violations(&value))
        .unwrap_or_default();
    assert!(
        violations.is_empty(),
        "the generator's payload for {} fails the catalog validator: {}\n  payload: {value}",
        slot.entry.key(),
        violations
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; "),
    );
    Ok(value)
}

/// The common start of the generator-driven targets: rejects inputs over
/// [`MAX_INPUT_BYTES`](super::MAX_INPUT_BYTES), selects the event, checks that `parser`
/// supports its vendor and builds the payload. Returns the slot, the payload and the bytes left
/// for later decisions.
///
/// # Panics
///
/// As [`payload`].
pub(super) fn prepare<'d, P: WebhookParser + ?Sized>(
    parser: &P,
    data: &'d [u8],
) -> Result<(&'static Slot, Value, Unstructured<'d>), Skip> {
    if data.len() > super::MAX_INPUT_BYTES {
        return Err(Skip::TooLarge);
    }
    let (slot, rest) = select(data)?;
    if !parser.supports(slot.entry.vendor()) {
        return Err(Skip::Unsupported);
    }
    let mut u = Unstructured::new(rest);
    let value = payload(slot, &mut u)?;
    Ok((slot, value, u))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_webhook_event_has_a_generator_and_a_payload() {
        for slot in slots() {
            if let Err(e) = slot.generator() {
                panic!("{}: {e}", slot.entry.key());
            }
            let bytes = [0x5a_u8; 256];
            let value = payload(slot, &mut Unstructured::new(&bytes)).unwrap();
            assert!(slot.entry.validator().unwrap().is_valid(&value));
        }
    }

    #[test]
    fn the_selector_byte_picks_the_event() {
        let n = u8::try_from(slots().len()).unwrap();
        let (a, rest) = select(&[1, 9, 9]).unwrap();
        let (b, _) = select(&[1 + n, 0]).unwrap();
        assert_eq!(a.entry.key(), b.entry.key());
        assert_eq!(rest, [9, 9]);
        assert_eq!(select(&[]).err(), Some(Skip::NoPayload));
    }
}
