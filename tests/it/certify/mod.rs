//! Certification with payloads from the schema-driven generator, through the public API and the
//! `hookcheck certify` binary: the reference parsers pass, each deliberately broken parser of
//! `tests/it/support/broken.rs` is caught by the right property with a small counterexample, runs
//! replay from their seed, and shards, regressions and exec adapters work end to end.

use crate::support::broken;

mod broken_parsers;
mod cli;
mod faulty_adapters;
mod reference;

use std::time::Duration;

use hookcheck::catalog::Catalog;
use hookcheck::certify::{
    CellResult, Certification, Config, Counterexample, Outcome, Property, Seed,
};
use hookcheck::generate::source::ReplaySource;
use hookcheck::generate::{GenOptions, Generator};
use serde_json::Value;

/// A run configuration small enough for a debug-mode test: few cases, a fixed seed, bounded
/// shrinking.
fn config(seed: u64, cases: u32) -> Config {
    Config::default()
        .seed(Seed(seed))
        .cases(cases)
        .shrink_limits(400, Duration::from_secs(10))
}

/// The cell `key` (`vendor/event`) x `property` of `c`.
fn cell<'c>(c: &'c Certification, key: &str, property: Property) -> &'c CellResult {
    c.cells
        .iter()
        .find(|r| format!("{}/{}", r.vendor, r.event) == key && r.property == property)
        .unwrap_or_else(|| panic!("no cell {key} × {property} in\n{c}"))
}

/// The counterexample of the failed cell `key` x `property`.
fn failed<'c>(c: &'c Certification, key: &str, property: Property) -> &'c Counterexample {
    let r = cell(c, key, property);
    assert_eq!(r.outcome, Outcome::Failed, "{key} × {property} in\n{c}");
    r.counterexample
        .as_ref()
        .expect("a failed cell has a counterexample")
}

/// The cells of `c` that did not pass, by name.
fn not_passed(c: &Certification) -> Vec<String> {
    c.cells
        .iter()
        .filter(|r| r.outcome != Outcome::Passed)
        .map(CellResult::name)
        .collect()
}

/// The counterexample's body as JSON (it must be JSON).
fn json(cx: &Counterexample) -> Value {
    serde_json::from_slice(&cx.body.0)
        .unwrap_or_else(|e| panic!("counterexample is not JSON ({e}): {}", cx.body.text()))
}

/// Whether `value` is valid against the schema of `key`.
fn is_valid(key: &str, value: &Value) -> bool {
    Catalog::builtin()
        .lookup(key)
        .expect("known event")
        .validator()
        .expect("schema compiles")
        .is_valid(value)
}

/// The simplest valid payload of `key`: the generator's value for the empty choice sequence
/// (every optional member left out, every choice its first).
fn simplest(key: &str) -> Value {
    let entry = Catalog::builtin().lookup(key).expect("known event");
    let resources: Vec<(String, Value)> = entry
        .resources()
        .iter()
        .map(|(uri, doc)| (uri.to_owned(), doc.clone()))
        .collect();
    Generator::new(entry.schema(), &resources, GenOptions::default())
        .expect("the schema compiles into a generator")
        .generate_from(&mut ReplaySource::new(&[]))
        .expect("the simplest value is valid")
}

/// The object members of `value` that `base` lacks at the same place, as JSON pointers: the
/// optional and undeclared members a shrunk counterexample still carries.
fn extra_members(value: &Value, base: &Value) -> Vec<String> {
    let mut out = Vec::new();
    extra_members_at(value, Some(base), "", &mut out);
    out
}

fn extra_members_at(value: &Value, base: Option<&Value>, at: &str, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let here = format!("{at}/{key}");
                match base.and_then(|b| b.get(key)) {
                    Some(in_base) => extra_members_at(child, Some(in_base), &here, out),
                    None => out.push(here),
                }
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                // Items the base lacks are compared with its first item.
                let in_base = base.and_then(|b| b.get(i).or_else(|| b.get(0)));
                extra_members_at(child, in_base, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}
