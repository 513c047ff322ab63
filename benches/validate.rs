//! Validation throughput of the compiled catalog validators on the documented examples.
//!
//! For every event with a documented example, two inputs: the example (valid) and the event's
//! first hand-written invalid case (invalid). Each is measured three ways, with the input's
//! size as throughput:
//!
//! - `validate/{vendor}/{event}/from_slice/{valid|invalid}`: `serde_json::from_slice::<Value>`
//!   of the same bytes, the in-run baseline;
//! - `validate/{vendor}/{event}/is_valid/{valid|invalid}`: the fast path;
//! - `validate/{vendor}/{event}/violations/{valid|invalid}`: every violation, with pointers;
//! - `validate/{vendor}/{event}/coverage/valid`: marking the coverage items the example
//!   covers (`coverage::plan::Plan::mark`, what `listen` and `validate --coverage` add per
//!   body).
//!
//! Validators are compiled before measuring; the cost of compiling is not part of any figure,
//! except in `catalog/first_use`, which loads the catalog from `schemas/` and readies every
//! entry for validation and generation:
//!
//! - `catalog/first_use/compiled_once`: `Entry::validator` then `Entry::generator`, which
//!   checks its values with that validator (each schema is compiled once);
//! - `catalog/first_use/compiled_twice`: the same with `Generator::new`, which compiles the
//!   schema again, as the generator did before it took the entry's validator.
//!
//! ```text
//! cargo bench --bench validate -- --warm-up-time 1 --measurement-time 3
//! cargo bench --bench validate -- 'validate/postal/'
//! ```

use std::{collections::BTreeMap, hint::black_box, path::PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hookcheck::catalog::{Catalog, Vendor, bundle};
use hookcheck::coverage::plan::Plan;
use hookcheck::fuzz::sources::{documented_examples, invalid_cases};
use hookcheck::generate::{GenOptions, Generator};
use serde_json::Value;

/// One event's inputs: the documented example, and an invalid case when there is one.
struct Inputs {
    vendor: Vendor,
    event: String,
    valid: Vec<u8>,
    invalid: Option<Vec<u8>>,
}

/// The first documented example of every event that has one, with its first invalid case.
fn inputs() -> Vec<Inputs> {
    let schemas = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("schemas");
    let mut out = Vec::new();
    for vendor in Vendor::all() {
        let mut examples = BTreeMap::new();
        for ex in documented_examples(&schemas, vendor).expect("schemas/ examples load") {
            examples.entry(ex.event).or_insert(ex.repaired);
        }
        let mut invalid = BTreeMap::new();
        for case in invalid_cases(&schemas, vendor).expect("schemas/ invalid cases load") {
            invalid
                .entry(case.event)
                .or_insert_with(|| case.instance.to_string().into_bytes());
        }
        for (event, valid) in examples {
            out.push(Inputs {
                vendor,
                invalid: invalid.remove(&event),
                event,
                valid,
            });
        }
    }
    out
}

fn validate(c: &mut Criterion) {
    let catalog = Catalog::builtin();
    for input in inputs() {
        let entry = catalog
            .get(input.vendor, &input.event)
            .expect("every example names a catalog event");
        let validator = entry.validator().expect("catalog schemas compile");
        let plan = Plan::new(&bundle::bundle(entry).expect("catalog schemas bundle"))
            .expect("every catalog event has a coverage plan");
        let mut group = c.benchmark_group(format!("validate/{}/{}", input.vendor, input.event));
        let cases = [
            ("valid", Some(&input.valid)),
            ("invalid", input.invalid.as_ref()),
        ];
        for (case, bytes) in cases {
            let Some(bytes) = bytes else { continue };
            let value: Value = serde_json::from_slice(bytes).expect("inputs are JSON");
            assert_eq!(
                validator.is_valid(&value),
                case == "valid",
                "{}: the {case} input is not {case}",
                entry.key()
            );
            group.throughput(Throughput::Bytes(bytes.len() as u64));
            group.bench_function(format!("from_slice/{case}"), |b| {
                b.iter(|| serde_json::from_slice::<Value>(black_box(bytes)));
            });
            group.bench_function(format!("is_valid/{case}"), |b| {
                b.iter(|| validator.is_valid(black_box(&value)));
            });
            group.bench_function(format!("violations/{case}"), |b| {
                b.iter(|| validator.violations(black_box(&value)));
            });
            if case == "valid" {
                let mut hit = vec![false; plan.items().len()];
                group.bench_function("coverage/valid", |b| {
                    b.iter(|| plan.mark(black_box(&value), &mut |i| hit[i] = true));
                });
            }
        }
        group.finish();
    }
}

fn first_use(c: &mut Criterion) {
    let schemas = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("schemas");
    let mut group = c.benchmark_group("catalog/first_use");
    group.sample_size(10);
    group.bench_function("compiled_once", |b| {
        b.iter(|| {
            let catalog = Catalog::from_dir(&schemas).expect("schemas/ loads");
            for entry in catalog.entries() {
                black_box(entry.validator().expect("compiles"));
                black_box(entry.generator(GenOptions::default()).expect("generates"));
            }
        });
    });
    group.bench_function("compiled_twice", |b| {
        b.iter(|| {
            let catalog = Catalog::from_dir(&schemas).expect("schemas/ loads");
            for entry in catalog.entries() {
                black_box(entry.validator().expect("compiles"));
                let resources = entry.resources().sorted();
                black_box(
                    Generator::new(entry.schema(), &resources, GenOptions::default())
                        .expect("generates"),
                );
            }
        });
    });
    group.finish();
}

criterion_group!(benches, validate, first_use);
criterion_main!(benches);
