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

use std::{
    hint::black_box,
    path::{Path, PathBuf},
    time::Duration,
};

use criterion::{BenchmarkId, Criterion, Throughput};
use hookcheck::{
    catalog::{Catalog, Entry, Vendor},
    parser::WebhookParser,
    parsers::ReferenceParser,
};

/// The criterion id parameter of an entry: `postal-MessageSent`.
fn id(entry: &Entry) -> String {
    format!("{}-{}", entry.vendor(), entry.event())
}

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

/// Criterion's output directory, as criterion finds it.
fn criterion_dir() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return home.into();
    }
    if let Some(target) = std::env::var_os("CARGO_TARGET_DIR") {
        return Path::new(&target).join("criterion");
    }
    // The bench runs as target/<profile>/deps/peers-<hash>.
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.ancestors().nth(3).map(|t| t.join("criterion")))
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/criterion"))
}

/// The median time (ns) of `group/function/param` in this run, if it ran.
fn median(group: &str, function: &str, param: &str) -> Option<f64> {
    let path = criterion_dir()
        .join(group)
        .join(function)
        .join(param)
        .join("new/estimates.json");
    let modified = std::fs::metadata(&path).ok()?.modified().ok()?;
    // Only estimates written by this run count.
    if modified.elapsed().ok()? > Duration::from_secs(3 * 3600) {
        return None;
    }
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
    v["median"]["point_estimate"].as_f64()
}

#[allow(clippy::print_stdout, reason = "the summary is the bench's report")]
/// Prints `ours vs theirs` ratios (theirs' time over ours: above 1 means faster) per event,
/// their geometric mean and the worst event.
fn ratios(title: &str, group: &str, ours: &str, theirs: &str, target: Option<f64>) {
    let mut rows = Vec::new();
    for entry in Catalog::builtin().entries() {
        let param = id(entry);
        if let (Some(a), Some(b)) = (median(group, ours, &param), median(group, theirs, &param)) {
            rows.push((param, b / a, a, b));
        }
    }
    if rows.is_empty() {
        return;
    }
    println!("\n{title}: {ours} vs {theirs} (ratio = {theirs} time / {ours} time)");
    for (param, r, a, b) in &rows {
        println!("  {param:<44} {r:>7.2}x   ({a:>10.0} ns vs {b:>10.0} ns)");
    }
    let n = rows.len() as f64;
    let geo = (rows.iter().map(|r| r.1.ln()).sum::<f64>() / n).exp();
    let mut sorted: Vec<f64> = rows.iter().map(|r| r.1).collect();
    sorted.sort_by(f64::total_cmp);
    let med = sorted[sorted.len() / 2];
    let worst = rows
        .iter()
        .min_by(|x, y| x.1.total_cmp(&y.1))
        .expect("rows is not empty");
    let verdict = match target {
        Some(t) if worst.1 >= t => format!("; target {t}x: met on every event"),
        Some(t) if med >= t => format!("; target {t}x: median met, not every event"),
        Some(t) => format!("; target {t}x: not met"),
        None => String::new(),
    };
    println!(
        "  {} events: geometric mean {geo:.2}x, median {med:.2}x, worst {:.2}x ({}){verdict}",
        rows.len(),
        worst.1,
        worst.0,
    );
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
