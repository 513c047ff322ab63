//! The reference parsers next to other parsers, in one run, on every catalog event:
//! `peers_parse/{reference,serde_value,sonic_dom,ignored_any}/{vendor}-{event}`, one parse of
//! the event's realistic fixture body (`tests/fixtures/payloads/`): the reference parser
//! (`WebhookParser`, typed body and key fields), `serde_json::Value`, sonic-rs's DOM
//! (`sonic_rs::Value`) and a `serde::de::IgnoredAny` scan (the cost of reading the bytes at
//! all).
//!
//! After the run, a summary reads criterion's median estimates back and prints the ratios per
//! event with their geometric mean and the worst event. Run
//! `cargo bench --bench peers -- --noplot` (plots cost most of the run's time on a busy
//! machine); a filter (`… -- postal`) measures fewer events, and the summary covers those.
//!
//! The generator's peer, json_schema_fuzz, is measured by `benches/peer-gen/`, a crate of its
//! own: it turns on serde_json's `arbitrary_precision`, which as a dev-dependency here would
//! change serde_json for every test and bench of this crate.

use std::{hint::black_box, path::Path, time::Duration};

use criterion::{BenchmarkId, Criterion, Throughput};
use hookcheck::{
    catalog::{Catalog, Entry, Vendor},
    parser::WebhookParser,
    parsers::ReferenceParser,
};

#[path = "support/summary.rs"]
mod summary;

use summary::{id, ratios};

/// The fixture body of `entry`, if the corpus has one.
fn fixture(entry: &Entry) -> Option<Vec<u8>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/payloads")
        .join(entry.vendor().as_str())
        .join(format!("{}.json", entry.event()));
    std::fs::read(path).ok()
}

fn parsing(c: &mut Criterion) {
    let mut group = c.benchmark_group("peers_parse");
    group
        .warm_up_time(Duration::from_millis(100))
        .measurement_time(Duration::from_millis(400))
        .sample_size(10);
    for entry in Catalog::builtin().entries() {
        let Some(body) = fixture(entry) else { continue };
        let vendor: Vendor = entry.vendor();
        ReferenceParser
            .parse(vendor, &body)
            .expect("the benchmark corpus is valid");
        group.throughput(Throughput::Bytes(body.len() as u64));
        let body = &body;
        group.bench_function(BenchmarkId::new("reference", id(entry)), |b| {
            b.iter(|| ReferenceParser.parse(vendor, black_box(body)));
        });
        group.bench_function(BenchmarkId::new("serde_value", id(entry)), |b| {
            b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(body)));
        });
        group.bench_function(BenchmarkId::new("sonic_dom", id(entry)), |b| {
            b.iter(|| sonic_rs::from_slice::<sonic_rs::Value>(black_box(body)));
        });
        group.bench_function(BenchmarkId::new("ignored_any", id(entry)), |b| {
            b.iter(|| serde_json::from_slice::<serde::de::IgnoredAny>(black_box(body)));
        });
    }
    group.finish();
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    parsing(&mut c);
    c.final_summary();
    ratios(
        "parse",
        "peers_parse",
        "reference",
        "serde_value",
        Some(3.0),
    );
    ratios("parse", "peers_parse", "reference", "sonic_dom", Some(1.0));
    ratios("parse", "peers_parse", "reference", "ignored_any", None);
}
