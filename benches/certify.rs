//! Certification throughput, end to end: cases per second of `hookcheck::certify::run` against
//! the reference parsers, generation, parsing, checking and reporting included.
//!
//! One benchmark per vendor and property, on the vendor's first webhook event, with a fixed
//! seed and [`CASES`] cases per cell: `certify/{vendor}/{event}/{property}`. Throughput is in
//! elements, one element per case the cell ran (held or not applicable), counted in a run
//! before measuring. A cell that does not pass in that run is not measured (its figure would
//! time a failure report, not certification); the reason is printed instead.
//!
//! The baseline, `certify/{vendor}/{event}/baseline`, does the least work a case needs, in the
//! same run: generate a valid payload with the event's compiled generator, serialise it and
//! parse it once with the reference parser. Its elements are those payloads, so the ratio of
//! a property's throughput to the baseline's is what the harness costs on top.
//!
//! ```text
//! cargo bench --bench certify -- --warm-up-time 1 --measurement-time 3
//! ```
#![allow(
    clippy::print_stderr,
    reason = "a benchmark says which cells it could not measure"
)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hookcheck::catalog::{Catalog, EntryKind, Vendor};
use hookcheck::certify::{self, Config, Outcome, Property, Seed};
use hookcheck::generate::GenOptions;
use hookcheck::parser::WebhookParser;
use hookcheck::parsers::ReferenceParser;

/// Generated cases per cell.
const CASES: u32 = 512;

/// The seed of every run.
const SEED: u64 = 20_240_115;

fn config(vendor: Vendor, event: &str, property: Property) -> Config {
    Config::default()
        .vendor(vendor)
        .event(event)
        .property(property)
        .cases(CASES)
        .seed(Seed(SEED))
}

fn bench_certify(c: &mut Criterion) {
    let catalog = Catalog::builtin();
    for vendor in Vendor::all() {
        let Some(entry) = catalog
            .vendor_entries(vendor)
            .find(|e| e.kind() == EntryKind::Webhook)
        else {
            continue;
        };
        let mut group = c.benchmark_group(format!("certify/{vendor}/{}", entry.event()));
        let generator = entry
            .generator(GenOptions::default())
            .expect("the event's generator compiles");
        group.throughput(Throughput::Elements(u64::from(CASES)));
        group.bench_function("baseline", |b| {
            b.iter(|| {
                for index in 0..u64::from(CASES) {
                    let value = generator.generate(SEED, index).expect("generates");
                    let body = serde_json::to_vec(&value).expect("serialises");
                    let parsed = ReferenceParser
                        .parse(vendor, &body)
                        .map(|e| e.event.is_some());
                    black_box(parsed).expect("a generated payload parses");
                }
            });
        });
        // verifies-signature needs a receiver over HTTP and a key: not an in-process cell.
        for property in Property::ALL.into_iter().filter(|p| !p.needs_signing()) {
            let config = config(vendor, entry.event(), property);
            let first = certify::run(ReferenceParser, &config).expect("the run starts");
            let cell = first.cells.first().expect("one cell selected");
            if cell.outcome != Outcome::Passed {
                eprintln!(
                    "certify/{}: not measured, the cell {}: {}",
                    cell.name(),
                    cell.outcome.as_str(),
                    cell.reason.as_deref().unwrap_or("(no reason given)")
                );
                continue;
            }
            let cases = u64::from(cell.cases) + u64::from(cell.not_applicable);
            group.throughput(Throughput::Elements(cases));
            group.bench_function(property.id(), |b| {
                b.iter(|| certify::run(black_box(ReferenceParser), black_box(&config)));
            });
        }
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench_certify
}
criterion_main!(benches);
