//! The summary the peer benchmarks print after their run (`benches/peers.rs` and
//! `benches/peer-gen/`): criterion's median estimates of this run read back, and the ratio of
//! ours to a peer per catalog event, with the geometric mean, the median and the worst event.
//! Included by both with `#[path]`, since `benches/peer-gen/` is a crate of its own.

use std::{
    path::{Path, PathBuf},
    time::Duration,
};

use hookcheck::catalog::{Catalog, Entry};

/// The criterion id parameter of an entry: `postal-MessageSent`.
pub(crate) fn id(entry: &Entry) -> String {
    format!("{}-{}", entry.vendor(), entry.event())
}

/// Criterion's output directory, as criterion finds it.
pub(crate) fn criterion_dir() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return home.into();
    }
    if let Some(target) = std::env::var_os("CARGO_TARGET_DIR") {
        return Path::new(&target).join("criterion");
    }
    // A bench runs as target/<profile>/deps/<name>-<hash>.
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.ancestors().nth(3).map(|t| t.join("criterion")))
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/criterion"))
}

/// The median time (ns) of `group/function/param` in this run, if it ran.
pub(crate) fn median(group: &str, function: &str, param: &str) -> Option<f64> {
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
pub(crate) fn ratios(title: &str, group: &str, ours: &str, theirs: &str, target: Option<f64>) {
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
