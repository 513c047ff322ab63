//! hookcheck's generator next to json_schema_fuzz, in one run, on every catalog event:
//! `peers_gen/{hookcheck,json_schema_fuzz}/{vendor}-{event}`, one valid value each.
//! `hookcheck` is `Generator::generate` (each value checked by the compiled validator);
//! `json_schema_fuzz` is `ValueGenerator::generate` (which checks its values with its own
//! validator) on the event's bundled schema (`hookcheck::catalog::bundle`, what
//! `hookcheck schema --bundle` prints), since it cannot resolve the catalog's relative `$ref`s.
//!
//! A crate of its own because json_schema_fuzz turns on serde_json's `arbitrary_precision`
//! (through `json_schema_ast`), which as a dev-dependency of hookcheck would change serde_json
//! for all of hookcheck's tests. Here both sides run with it on. Run from this directory:
//! `cargo bench -- --noplot`; the summary after the run prints the ratio per event, the
//! geometric mean and the worst event.

use std::{hint::black_box, time::Duration};

use criterion::{BenchmarkId, Criterion, Throughput};
use hookcheck::{
    catalog::{Catalog, bundle},
    generate::GenOptions,
};
use json_schema_ast::SchemaDocument;
use json_schema_fuzz::{GenerationConfig, ValueGenerator};
use rand::{SeedableRng, rngs::StdRng};

#[path = "../../support/summary.rs"]
mod summary;

use summary::{id, ratios};

fn generation(c: &mut Criterion) {
    let mut group = c.benchmark_group("peers_gen");
    group
        .warm_up_time(Duration::from_millis(100))
        .measurement_time(Duration::from_millis(400))
        .sample_size(10)
        .throughput(Throughput::Elements(1));
    for entry in Catalog::builtin().entries() {
        let key = entry.key();
        let ours = entry
            .generator(GenOptions::default())
            .expect("catalog schemas generate");
        let bundled = bundle::bundle(entry).expect("catalog schemas bundle");
        let theirs = SchemaDocument::from_json(&bundled).expect("the bundle is a schema");
        let mut rng = StdRng::seed_from_u64(1);
        if let Err(e) = ValueGenerator::generate(&theirs, GenerationConfig::default(), &mut rng) {
            eprintln!("json_schema_fuzz cannot generate {key}: {e}");
            continue;
        }
        let mut i = 0;
        group.bench_function(BenchmarkId::new("hookcheck", id(entry)), |b| {
            b.iter(|| {
                i += 1;
                black_box(ours.generate(7, i).expect("value"))
            });
        });
        group.bench_function(BenchmarkId::new("json_schema_fuzz", id(entry)), |b| {
            b.iter(|| {
                black_box(ValueGenerator::generate(
                    &theirs,
                    GenerationConfig::default(),
                    &mut rng,
                ))
            });
        });
    }
    group.finish();
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    generation(&mut c);
    c.final_summary();
    ratios(
        "generation (values/s)",
        "peers_gen",
        "hookcheck",
        "json_schema_fuzz",
        Some(10.0),
    );
}
