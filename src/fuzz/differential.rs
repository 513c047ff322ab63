//! The `differential` fuzz target: a valid payload plus one mutation, judged twice, by the
//! validator (through the [oracle](super::oracle)) and by the parser, and the two verdicts must
//! agree under the reject policy.
//!
//! The mutation is drawn from the input, after the payload:
//!
//! - **negative**: one of the generator's labelled negatives of the event (each breaks one
//!   keyword at one pointer; the label is checked against the catalog validator);
//! - **value**: a node of the payload removed, replaced by a value of another type or a
//!   vendor vocabulary value, or a key renamed to another key of the vendor;
//! - **bytes**: one to four edits of the serialised payload: truncation, a bit flip, a deleted
//!   run, a vocabulary token ([`super::dict`]) inserted or written over.

use std::{fmt, sync::OnceLock};

use arbitrary::Unstructured;
use serde_json::Value;

use super::dict;
use super::generated::{Slot, prepare};
use super::oracle::assert_agrees;
use super::{Handling, Skip};
use crate::JsonPointer;
use crate::catalog::{Catalog, Vendor};
use crate::parser::WebhookParser;
use crate::pointer::pointers_where;

/// Seeds of the generator's negatives a differential input can pick from.
const NEGATIVE_SEEDS: u64 = 8;

/// Byte edits applied by one byte mutation, at most.
const MAX_BYTE_EDITS: usize = 4;

/// [`differential_with`] on a default-constructed `P`.
///
/// # Panics
///
/// As [`differential_with`].
pub fn differential<P: WebhookParser + Default>(data: &[u8]) -> Handling {
    differential_with(&P::default(), data)
}

/// Builds a valid payload from `data`, mutates it as `data` says, and checks `parser`'s answer
/// against the validator's verdict under the reject policy ([`assert_agrees`]).
///
/// The input layout is that of [`structured`](super::structured) followed by the mutation's
/// decisions; skips are the same.
///
/// # Panics
///
/// When a labelled negative does not break the keyword its label names (the generator lying),
/// and when the parser's answer disagrees with the oracle.
///
/// # Example
///
/// ```
/// use hookcheck::fuzz::{differential, Handling};
/// use hookcheck::parsers::ReferenceParser;
///
/// assert!(matches!(differential::<ReferenceParser>(&[5; 96]), Handling::Parsed(_)));
/// ```
pub fn differential_with<P: WebhookParser + ?Sized>(parser: &P, data: &[u8]) -> Handling {
    let (slot, value, mut u) = match prepare(parser, data) {
        Ok(prepared) => prepared,
        Err(skip) => return Handling::Skipped(skip),
    };
    let vendor = slot.entry.vendor();
    let (mutation, body) = match mutate(slot, value, &mut u) {
        Some(mutated) => mutated,
        None => return Handling::Skipped(Skip::NoPayload),
    };
    let context = format_args!("differential: {} payload, {mutation}", slot.entry.key());
    Handling::Parsed(assert_agrees(parser, vendor, &body, &context))
}

/// What was done to the payload, for the assertion message.
#[derive(Debug, Clone, PartialEq)]
enum Mutation {
    /// A labelled negative of the generator.
    Negative {
        seed: u64,
        index: usize,
        keyword: String,
        pointer: JsonPointer,
        description: String,
    },
    /// A change to one node of the value.
    Value {
        pointer: JsonPointer,
        change: String,
    },
    /// Edits of the serialised bytes.
    Bytes(Vec<String>),
}

impl fmt::Display for Mutation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Mutation::Negative {
                seed,
                index,
                keyword,
                pointer,
                description,
            } => write!(
                f,
                "negative #{index} of seed {seed}: breaks {keyword} at {:?} ({description})",
                pointer.as_str()
            ),
            Mutation::Value { pointer, change } => {
                write!(f, "value at {:?}: {change}", pointer.as_str())
            }
            Mutation::Bytes(edits) => write!(f, "bytes: {}", edits.join(", ")),
        }
    }
}

/// Draws and applies one mutation; `None` when the input ran out before one was chosen.
fn mutate(slot: &Slot, value: Value, u: &mut Unstructured<'_>) -> Option<(Mutation, Vec<u8>)> {
    match u.choose_index(3).ok()? {
        0 => negative(slot, u).or_else(|| bytes(slot, &value, u)),
        1 => node(slot, value, u),
        _ => bytes(slot, &value, u),
    }
}

fn negative(slot: &Slot, u: &mut Unstructured<'_>) -> Option<(Mutation, Vec<u8>)> {
    let generator = slot.generator().ok()?;
    let seed = u.int_in_range(0..=NEGATIVE_SEEDS - 1).ok()?;
    let negatives = slot.negatives(generator, seed);
    let index = u.choose_index(negatives.len()).ok()?;
    let neg = &negatives[index];
    let violations = slot
        .entry
        .validator()
        .map(|v| v.violations(&neg.value))
        .unwrap_or_default();
    assert!(
        violations
            .iter()
            .any(|v| v.keyword == neg.keyword && v.instance_path == neg.instance_path),
        "the generator's negative #{index} of seed {seed} for {} claims to break {} at {:?} but the catalog validator reports {violations:?}\n  payload: {}",
        slot.entry.key(),
        neg.keyword,
        neg.instance_path.as_str(),
        neg.value,
    );
    let mutation = Mutation::Negative {
        seed,
        index,
        keyword: neg.keyword.clone(),
        pointer: neg.instance_path.clone(),
        description: neg.description.clone(),
    };
    Some((mutation, neg.value.to_string().into_bytes()))
}

/// Values of other types to put in place of a node.
fn replacements() -> [Value; 9] {
    [
        Value::Null,
        Value::Bool(true),
        Value::from(0),
        Value::from(-1),
        Value::from(1.5),
        Value::from(""),
        Value::from("x"),
        Value::Array(Vec::new()),
        Value::Object(serde_json::Map::new()),
    ]
}

fn node(slot: &Slot, mut value: Value, u: &mut Unstructured<'_>) -> Option<(Mutation, Vec<u8>)> {
    let mut pointers = pointers_where(&value, |_| true);
    let pointer = pointers.swap_remove(u.choose_index(pointers.len()).ok()?);
    let vocabulary = vocabulary(slot.entry.vendor());
    let change = match u.choose_index(4).ok()? {
        0 if !pointer.is_root() => {
            remove(&mut value, &pointer)?;
            "removed".to_owned()
        }
        1 if !vocabulary.keys.is_empty() => {
            let key = u.choose(&vocabulary.keys).ok()?;
            rename(&mut value, &pointer, key)?;
            format!("key renamed to {key:?}")
        }
        2 if !vocabulary.values.is_empty() => {
            let new = u.choose(&vocabulary.values).ok()?.clone();
            let text = format!("replaced by {new}");
            *pointer_mut(&mut value, &pointer)? = new;
            text
        }
        _ => {
            let new = u.choose(&replacements()).ok()?.clone();
            let text = format!("replaced by {new}");
            *pointer_mut(&mut value, &pointer)? = new;
            text
        }
    };
    Some((
        Mutation::Value { pointer, change },
        value.to_string().into_bytes(),
    ))
}

fn bytes(slot: &Slot, value: &Value, u: &mut Unstructured<'_>) -> Option<(Mutation, Vec<u8>)> {
    let mut body = value.to_string().into_bytes();
    let tokens = &vocabulary(slot.entry.vendor()).tokens;
    let edits = u.int_in_range(1..=MAX_BYTE_EDITS).ok()?;
    let mut done = Vec::new();
    for _ in 0..edits {
        let at = u.int_in_range(0..=body.len()).ok()?;
        let edit = match u.choose_index(5).ok()? {
            0 => {
                body.truncate(at);
                format!("truncated at {at}")
            }
            1 if at < body.len() => {
                let bit = u.int_in_range(0..=7u8).ok()?;
                body[at] ^= 1 << bit;
                format!("bit {bit} of byte {at} flipped")
            }
            2 if at < body.len() => {
                let len = u.int_in_range(1..=(body.len() - at).min(16)).ok()?;
                body.drain(at..at + len);
                format!("{len} bytes deleted at {at}")
            }
            3 => {
                let token = u.choose(tokens).ok()?;
                let end = (at + token.len()).min(body.len());
                body.splice(at..end, token.bytes());
                format!("{token:?} written at {at}")
            }
            _ => {
                let token = u.choose(tokens).ok()?;
                body.splice(at..at, token.bytes());
                format!("{token:?} inserted at {at}")
            }
        };
        done.push(edit);
    }
    Some((Mutation::Bytes(done), body))
}

/// A vendor's dictionary, split for the mutations that use it.
struct Vocabulary {
    /// Property names (unquoted).
    keys: Vec<String>,
    /// `enum`, `const` and example values.
    values: Vec<Value>,
    /// Every dictionary entry, as bytes to splice.
    tokens: Vec<String>,
}

fn vocabulary(vendor: Vendor) -> &'static Vocabulary {
    static VOCABULARIES: OnceLock<Vec<(Vendor, Vocabulary)>> = OnceLock::new();
    static EMPTY: Vocabulary = Vocabulary {
        keys: Vec::new(),
        values: Vec::new(),
        tokens: Vec::new(),
    };
    let all = VOCABULARIES.get_or_init(|| {
        Vendor::all()
            .into_iter()
            .map(|v| {
                let d = dict::dictionary(Catalog::active(), v);
                let vocabulary = Vocabulary {
                    keys: d
                        .keys
                        .iter()
                        .filter_map(|k| serde_json::from_str(k).ok())
                        .collect(),
                    values: d
                        .values
                        .iter()
                        .filter_map(|k| serde_json::from_str(k).ok())
                        .collect(),
                    tokens: d.entries().map(str::to_owned).collect(),
                };
                (v, vocabulary)
            })
            .collect()
    });
    all.iter()
        .find(|(v, _)| *v == vendor)
        .map_or(&EMPTY, |(_, vocabulary)| vocabulary)
}

fn pointer_mut<'v>(value: &'v mut Value, pointer: &JsonPointer) -> Option<&'v mut Value> {
    value.pointer_mut(pointer.as_str())
}

/// Splits a non-root pointer into its parent and last token.
fn parent_and_last(pointer: &JsonPointer) -> Option<(JsonPointer, String)> {
    let tokens: Vec<String> = pointer.tokens().collect();
    let (last, parents) = tokens.split_last()?;
    let parent = parents.iter().fold(JsonPointer::root(), |p, t| p.push(t));
    Some((parent, last.clone()))
}

fn remove(value: &mut Value, pointer: &JsonPointer) -> Option<()> {
    let (parent, last) = parent_and_last(pointer)?;
    match pointer_mut(value, &parent)? {
        Value::Object(map) => map.remove(&last).map(drop),
        Value::Array(items) => {
            let i: usize = last.parse().ok()?;
            (i < items.len()).then(|| drop(items.remove(i)))
        }
        _ => None,
    }
}

fn rename(value: &mut Value, pointer: &JsonPointer, key: &str) -> Option<()> {
    let (parent, last) = parent_and_last(pointer)?;
    let Value::Object(map) = pointer_mut(value, &parent)? else {
        return None;
    };
    let moved = map.remove(&last)?;
    map.insert(key.to_owned(), moved);
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fuzz::generated::{payload, select, slots};
    use crate::parsers::ReferenceParser;

    /// Inputs spread over the events and the three kinds of mutation.
    fn inputs() -> impl Iterator<Item = Vec<u8>> {
        let events = u8::try_from(slots().len()).unwrap();
        (0..events).flat_map(|event| {
            (0u8..12).map(move |k| {
                let mut data = vec![event];
                data.extend((0..120u8).map(|b| b.wrapping_mul(31).wrapping_add(k * 17)));
                data
            })
        })
    }

    #[test]
    fn the_reference_parser_agrees_with_the_validator_and_every_kind_is_drawn() {
        let mut seen = [0usize; 3];
        let (mut parsed, mut total) = (0, 0);
        for data in inputs() {
            total += 1;
            let (slot, rest) = select(&data).unwrap();
            let mut u = Unstructured::new(rest);
            let value = payload(slot, &mut u).unwrap();
            if let Some((mutation, _)) = mutate(slot, value, &mut u) {
                seen[match mutation {
                    Mutation::Negative { .. } => 0,
                    Mutation::Value { .. } => 1,
                    Mutation::Bytes(_) => 2,
                }] += 1;
            }
            match differential::<ReferenceParser>(&data) {
                Handling::Parsed(_) => parsed += 1,
                Handling::Skipped(Skip::NoPayload) => {}
                other => panic!("{other:?} for {data:?}"),
            }
        }
        assert!(seen.iter().all(|&n| n > 0), "{seen:?}");
        assert!(
            parsed * 10 >= total * 9,
            "{parsed} of {total} inputs were checked"
        );
    }

    #[test]
    fn node_edits() {
        let mut v = serde_json::json!({"a": {"b": [1, 2]}, "c": 3});
        remove(&mut v, &JsonPointer::root().push("a").push("b").push(0)).unwrap();
        rename(&mut v, &JsonPointer::root().push("c"), "d").unwrap();
        assert_eq!(v, serde_json::json!({"a": {"b": [2]}, "d": 3}));
        assert!(remove(&mut v, &JsonPointer::root()).is_none());
    }
}
