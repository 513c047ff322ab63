//! Parse throughput of the reference parsers against `serde_json::from_slice::<Value>` on the
//! same bytes, one benchmark pair per event: `parse/{parser}/{vendor}/{event}` where `{parser}`
//! is `reference` (the `WebhookParser` impl, key-field extraction included) or `serde_value`.
//!
//! Inputs are the realistic bodies in `tests/fixtures/payloads/` (compact Postal bodies with
//! Rails' `\u003c`/`\u0026` escapes, PHP-escaped msndr.net bodies, pretty GetMailer bodies).
//! Run `cargo bench --bench parse -- postal/MessageSent` to pick one event. Resend's bodies are
//! its documented examples, pretty-printed.

use std::{hint::black_box, path::Path, time::Duration};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hookcheck::{catalog::Vendor, parser::WebhookParser, parsers::ReferenceParser};

/// `(event, body)` of every fixture of `vendor`, sorted by event.
fn corpus(vendor: Vendor) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/payloads")
        .join(vendor.as_str());
    let mut out: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixture directory exists")
        .map(|entry| {
            let path = entry.expect("readable entry").path();
            let event = path
                .file_stem()
                .expect("file name")
                .to_string_lossy()
                .into_owned();
            (event, std::fs::read(&path).expect("readable fixture"))
        })
        .collect();
    out.sort();
    out
}

fn parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse");
    group
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .sample_size(30);
    // Every built-in vendor has a reference parser.
    for vendor in Vendor::builtin() {
        for (event, body) in corpus(vendor) {
            ReferenceParser
                .parse(vendor, &body)
                .expect("the benchmark corpus is valid");
            group.throughput(Throughput::Bytes(body.len() as u64));
            group.bench_with_input(
                BenchmarkId::new(format!("reference/{vendor}"), &event),
                &body,
                |b, body| b.iter(|| ReferenceParser.parse(vendor, black_box(body))),
            );
            group.bench_with_input(
                BenchmarkId::new(format!("serde_value/{vendor}"), &event),
                &body,
                |b, body| {
                    b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(body)));
                },
            );
        }
    }
    group.finish();
}

criterion_group!(benches, parse);
criterion_main!(benches);
