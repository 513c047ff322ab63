//! CorpusInput corpora: the inputs each fuzz target starts from.
//!
//! Targets that take JSON text start from the vendors' documented examples (as repaired in
//! `schemas/<vendor>/examples/`, and the original text from the docs), a spread of the
//! hand-written invalid cases (`schemas/<vendor>/invalid/`) and the payloads the generator
//! builds from the generator seeds below (for the built-in catalog's events).
//! Targets that take generator bytes ([`Target::takes_json`] is false) start from one short
//! byte string per webhook event and variant, whose first byte selects the event (see
//! [`super::structured`]) and whose rest comes from a fixed seed.
//!
//! Everything is deterministic: the same `schemas/` gives the same files, byte for byte.

use std::{collections::BTreeMap, path::Path};

use arbitrary::Unstructured;

use super::Target;
use super::generated::{payload, select};
use super::sources::{SourceError, documented_examples, invalid_cases};
use crate::catalog::{Catalog, EntryKind, Vendor};

/// How many hand-written invalid cases of each event a raw target's seeds take (spread evenly
/// over the event's list).
pub const INVALID_PER_EVENT: usize = 4;

/// Generator seeds per webhook event for the targets that take generator bytes.
pub const VARIANTS_PER_EVENT: u8 = 2;

/// Bytes after the selector byte in a generator seed.
pub const GENERATOR_SEED_BYTES: usize = 96;

/// One seed input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorpusInput {
    /// File name under `fuzz/seeds/<target>/`: what the seed is, e.g.
    /// `doc000-message-bounced.json` or `invalid-MessageSent-03-wrong-status.json`.
    pub name: String,
    /// The input.
    pub bytes: Vec<u8>,
}

/// The seed corpus of `target`, read from the `schemas/` directory at `schemas_dir`, sorted by
/// name, names unique.
///
/// # Errors
///
/// [`SourceError`] when an example manifest, example file or invalid-case file cannot be read
/// or has the wrong shape.
pub fn seeds(
    target: Target,
    catalog: &Catalog,
    schemas_dir: &Path,
) -> Result<Vec<CorpusInput>, SourceError> {
    let mut out = BTreeMap::new();
    let mut add = |seed: CorpusInput| {
        out.entry(seed.name).or_insert(seed.bytes);
    };
    match (target.vendor(), target.takes_json()) {
        (Some(vendor), _) => {
            for seed in examples(schemas_dir, vendor, true)? {
                add(seed);
            }
            for seed in invalid(schemas_dir, vendor, INVALID_PER_EVENT)? {
                add(seed);
            }
            for seed in generated(catalog, Some(vendor)) {
                add(seed);
            }
        }
        (None, true) => {
            for vendor in Vendor::all() {
                let vendor_seeds = examples(schemas_dir, vendor, false)?
                    .into_iter()
                    .chain(invalid(schemas_dir, vendor, 1)?);
                for seed in vendor_seeds {
                    add(CorpusInput {
                        name: format!("{vendor}-{}", seed.name),
                        bytes: seed.bytes,
                    });
                }
            }
            for seed in generated(catalog, None).into_iter().step_by(2) {
                add(seed);
            }
        }
        (None, false) => {
            for seed in generator_seeds(catalog) {
                add(seed);
            }
        }
    }
    Ok(out
        .into_iter()
        .map(|(name, bytes)| CorpusInput { name, bytes })
        .collect())
}

/// The documented examples of `vendor`: each repaired body, and with `originals` the text as
/// the docs print it.
fn examples(
    schemas_dir: &Path,
    vendor: Vendor,
    originals: bool,
) -> Result<Vec<CorpusInput>, SourceError> {
    let mut out = Vec::new();
    for ex in documented_examples(schemas_dir, vendor)? {
        if originals {
            out.push(CorpusInput {
                name: format!("{}.original.txt", ex.name),
                bytes: ex.original,
            });
        }
        out.push(CorpusInput {
            name: format!("{}.json", ex.name),
            bytes: ex.repaired,
        });
    }
    Ok(out)
}

/// Up to `per_event` invalid cases of every event of `vendor`, spread evenly over each list.
fn invalid(
    schemas_dir: &Path,
    vendor: Vendor,
    per_event: usize,
) -> Result<Vec<CorpusInput>, SourceError> {
    let cases = invalid_cases(schemas_dir, vendor)?;
    let mut out = Vec::new();
    for event_cases in cases.chunk_by(|a, b| a.event == b.event) {
        for index in spread(event_cases.len(), per_event) {
            let case = &event_cases[index];
            out.push(CorpusInput {
                name: format!(
                    "invalid-{}-{index:02}-{}.json",
                    case.event,
                    slug(&case.name)
                ),
                bytes: case.instance.to_string().into_bytes(),
            });
        }
    }
    Ok(out)
}

/// `want` indices spread evenly over `0..len` (all of them when `len <= want`).
fn spread(len: usize, want: usize) -> Vec<usize> {
    if len <= want {
        return (0..len).collect();
    }
    (0..want).map(|i| i * len / want).collect()
}

/// Selector byte plus fixed pseudo-random bytes, for every webhook event and variant.
fn generator_seeds(catalog: &Catalog) -> Vec<CorpusInput> {
    let webhooks = catalog
        .entries()
        .iter()
        .filter(|e| e.kind() == EntryKind::Webhook);
    let mut out = Vec::new();
    for (index, entry) in webhooks.enumerate() {
        let Ok(selector) = u8::try_from(index) else {
            break;
        };
        for variant in 0..VARIANTS_PER_EVENT {
            let mut rng = SplitMix64(u64::from(selector) << 8 | u64::from(variant));
            let mut bytes = vec![selector];
            while bytes.len() < 1 + GENERATOR_SEED_BYTES {
                bytes.extend_from_slice(&rng.next().to_le_bytes());
            }
            bytes.truncate(1 + GENERATOR_SEED_BYTES);
            out.push(CorpusInput {
                name: format!("{}-{}-{variant}.bin", entry.vendor(), entry.event()),
                bytes,
            });
        }
    }
    out
}

/// The payloads the generator seeds build (compact JSON), for the webhook events of `vendor`
/// (of every vendor with `None`): `gen-<vendor>-<event>-<variant>.json`.
fn generated(catalog: &Catalog, vendor: Option<Vendor>) -> Vec<CorpusInput> {
    let mut out = Vec::new();
    for seed in generator_seeds(catalog) {
        let Ok((slot, rest)) = select(&seed.bytes) else {
            continue;
        };
        if vendor.is_some_and(|v| v != slot.entry.vendor()) {
            continue;
        }
        let Ok(value) = payload(slot, &mut Unstructured::new(rest)) else {
            continue;
        };
        let stem = seed.name.trim_end_matches(".bin");
        out.push(CorpusInput {
            name: format!("gen-{stem}.json"),
            bytes: value.to_string().into_bytes(),
        });
    }
    out
}

/// A file name fragment: lower-case ASCII letters and digits, other runs as one `-`.
fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let mut out: String = out.trim_matches('-').chars().take(48).collect();
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// The SplitMix64 generator: a fixed, dependency-free stream for seed bytes.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;
    use std::path::PathBuf;

    fn schemas() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("schemas")
    }

    #[test]
    fn raw_seeds_hold_every_documented_example_of_their_vendor() {
        let catalog = Catalog::builtin();
        let seeds = seeds(Target::RawPostal, catalog, &schemas()).unwrap();
        let names: Vec<_> = seeds.iter().map(|s| s.name.as_str()).collect();
        assert!(names.contains(&"doc000-message-bounced.json"), "{names:?}");
        assert!(names.contains(&"doc000-message-bounced.original.txt"));
        let example = std::fs::read(schemas().join("postal/examples/doc000-message-bounced.json"));
        let seed = seeds
            .iter()
            .find(|s| s.name == "doc000-message-bounced.json");
        assert_eq!(seed.map(|s| &s.bytes), example.ok().as_ref());
        assert!(
            !names
                .iter()
                .any(|n| n.contains("clicked") && n.starts_with("doc003"))
        );
        let invalid = names
            .iter()
            .filter(|n| n.starts_with("invalid-MessageSent-"))
            .count();
        assert_eq!(invalid, INVALID_PER_EVENT);
    }

    #[test]
    fn invalid_seeds_fail_their_schema() {
        let catalog = Catalog::builtin();
        for target in [Target::RawMsndr, Target::RawGetMailer] {
            let vendor = target.vendor().unwrap();
            for seed in seeds(target, catalog, &schemas()).unwrap() {
                let Some(rest) = seed.name.strip_prefix("invalid-") else {
                    continue;
                };
                let (event, _) = rest.split_once('-').unwrap();
                let value: Value = serde_json::from_slice(&seed.bytes).unwrap();
                let entry = catalog.get(vendor, event).unwrap();
                assert!(
                    !entry.validator().unwrap().is_valid(&value),
                    "{}",
                    seed.name
                );
            }
        }
    }

    #[test]
    fn generated_seeds_are_valid_payloads_of_their_event() {
        let catalog = Catalog::builtin();
        let seeds = seeds(Target::RawGetMailer, catalog, &schemas()).unwrap();
        let generated: Vec<_> = seeds
            .iter()
            .filter(|s| s.name.starts_with("gen-"))
            .collect();
        let events = catalog.vendor_entries(Vendor::GETMAILER).count();
        assert_eq!(generated.len(), events * usize::from(VARIANTS_PER_EVENT));
        for seed in generated {
            let value: Value = serde_json::from_slice(&seed.bytes).unwrap();
            let entry = catalog.detect(&value, Some(Vendor::GETMAILER)).unwrap();
            assert!(
                seed.name.contains(&format!("-{}-", entry.event())),
                "{}",
                seed.name
            );
            assert!(entry.validator().unwrap().is_valid(&value), "{}", seed.name);
        }
    }

    #[test]
    fn generator_seeds_select_each_webhook_event_once_per_variant() {
        let catalog = Catalog::builtin();
        let seeds = seeds(Target::Structured, catalog, &schemas()).unwrap();
        let webhooks = catalog
            .entries()
            .iter()
            .filter(|e| e.kind() == EntryKind::Webhook)
            .count();
        assert_eq!(seeds.len(), webhooks * usize::from(VARIANTS_PER_EVENT));
        let mut selectors: Vec<u8> = seeds.iter().map(|s| s.bytes[0]).collect();
        selectors.sort_unstable();
        selectors.dedup();
        assert_eq!(selectors.len(), webhooks);
        assert!(
            seeds
                .iter()
                .all(|s| s.bytes.len() == 1 + GENERATOR_SEED_BYTES)
        );
        assert_ne!(seeds[0].bytes[1..], seeds[1].bytes[1..]);
    }

    #[test]
    fn slugs_and_spreads() {
        assert_eq!(
            slug("Bare payload (no envelope)!"),
            "bare-payload-no-envelope"
        );
        assert_eq!(spread(3, 4), [0, 1, 2]);
        assert_eq!(spread(10, 4), [0, 2, 5, 7]);
    }

    #[test]
    fn same_input_same_seeds() {
        let catalog = Catalog::builtin();
        for target in Target::ALL {
            let a = seeds(target, catalog, &schemas()).unwrap();
            let b = seeds(target, catalog, &schemas()).unwrap();
            assert_eq!(a, b, "{target}");
            assert!(!a.is_empty(), "{target}");
        }
    }
}
