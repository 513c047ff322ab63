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

use std::{
    hint::black_box,
    path::{Path, PathBuf},
    time::Duration,
};

use criterion::{BenchmarkId, Criterion, Throughput};
use hookcheck::{
    catalog::{Catalog, Entry, bundle},
    generate::GenOptions,
};
use json_schema_ast::SchemaDocument;
use json_schema_fuzz::{GenerationConfig, ValueGenerator};
use rand::{SeedableRng, rngs::StdRng};

/// The criterion id parameter of an entry: `postal-MessageSent`.
fn id(entry: &Entry) -> String {
    format!("{}-{}", entry.vendor(), entry.event())
}

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
