//! Generation throughput for a webhook-sized schema (`tests/generate_webhook.json`: an envelope
//! with a dozen properties, a nested payload, a `$ref` into a definitions document, formats,
//! enums, nullable fields, a pattern and a unique array), measured as values per second:
//!
//! - `generate/webhook/value`: [`Generator::generate`], validation of each value included;
//! - `generate/webhook/unchecked_draw`: the same draws without the validator (plan cost only);
//! - `generate/baseline/validate`: validating an already generated value, alone;
//! - `generate/baseline/clone`: cloning an already generated value (allocation floor).
//!
//! The baselines run in the same process, so the ratio to them is meaningful on any machine.
//!
//! `gen_jobs/{1,2}`: the `hookcheck gen` command writing 20,000 Postal `MessageSent` payloads
//! (NDJSON, to a null sink) with `--jobs 1` and `--jobs 2`, whole process; their ratio is the
//! parallel speed-up (the output is byte-identical, which `tests/it/gen_cli.rs` checks).

use std::{hint::black_box, time::Duration};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hookcheck::generate::{GenOptions, Generator, source::RngSource};
use serde_json::Value;

fn generator() -> Generator {
    let schema: Value = serde_json::from_str(include_str!("../tests/generate_webhook.json"))
        .expect("fixture is JSON");
    let defs: Value = serde_json::from_str(include_str!("../tests/generate_webhook_defs.json"))
        .expect("fixture is JSON");
    Generator::new(
        &schema,
        &[(
            "https://hookcheck.dev/schemas/example/_defs.json".to_owned(),
            defs,
        )],
        GenOptions::default(),
    )
    .expect("the webhook schema compiles")
}

fn generate(c: &mut Criterion) {
    let g = generator();
    let mut group = c.benchmark_group("generate");
    group
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .throughput(Throughput::Elements(1));
    let mut index = 0u64;
    group.bench_function("webhook/value", |b| {
        b.iter(|| {
            index += 1;
            black_box(g.generate(7, index).expect("generates"))
        });
    });
    let mut src = RngSource::new(7, 0);
    group.bench_function("webhook/unchecked_draw", |b| {
        b.iter(|| black_box(g.unchecked_draw(&mut src)));
    });
    let sample = g.generate(7, 0).expect("generates");
    group.bench_function("baseline/validate", |b| {
        b.iter(|| black_box(g.is_valid(black_box(&sample))));
    });
    group.bench_function("baseline/clone", |b| {
        b.iter(|| black_box(black_box(&sample).clone()));
    });
    group.finish();
}

fn gen_jobs(c: &mut Criterion) {
    let mut group = c.benchmark_group("gen_jobs");
    group
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(10))
        .sample_size(10)
        .throughput(Throughput::Elements(20_000));
    for jobs in ["1", "2"] {
        group.bench_function(jobs, |b| {
            b.iter(|| {
                let status = std::process::Command::new(env!("CARGO_BIN_EXE_hookcheck"))
                    .args([
                        "gen",
                        "postal/MessageSent",
                        "--count",
                        "20000",
                        "--seed",
                        "1",
                    ])
                    .args(["--jobs", jobs])
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::null())
                    .status()
                    .expect("hookcheck runs");
                assert!(status.success());
            });
        });
    }
    group.finish();
}

criterion_group!(benches, generate, gen_jobs);
criterion_main!(benches);
