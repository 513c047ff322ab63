//! Writes the fuzz seed corpora (`fuzz/seeds/<target>/`) and dictionaries (`fuzz/dict/`) from
//! `schemas/`, or checks that the committed ones are current.
//!
//! ```text
//! cargo run --example fuzz_corpus            # rewrite fuzz/seeds and fuzz/dict
//! cargo run --example fuzz_corpus -- --check # exit 1 if they differ from what would be written
//! ```
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a command-line tool reports what it wrote"
)]

use std::{
    collections::BTreeMap,
    fs,
    path::{Path, PathBuf},
    process::ExitCode,
};

use hookcheck::catalog::{Catalog, Vendor};
use hookcheck::fuzz::{Target, dict, seeds};

/// Path (relative to the repository) to contents.
type Files = BTreeMap<PathBuf, Vec<u8>>;

fn main() -> ExitCode {
    let check = std::env::args().skip(1).any(|a| a == "--check");
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let wanted = match wanted(&root) {
        Ok(files) => files,
        Err(e) => {
            eprintln!("fuzz_corpus: {e}");
            return ExitCode::from(2);
        }
    };
    let dirs: Vec<PathBuf> = Target::ALL
        .iter()
        .map(|t| PathBuf::from("fuzz/seeds").join(t.name()))
        .chain([PathBuf::from("fuzz/dict")])
        .collect();
    let present = match present(&root, &dirs) {
        Ok(files) => files,
        Err(e) => {
            eprintln!("fuzz_corpus: {e}");
            return ExitCode::from(2);
        }
    };
    let stale: Vec<&PathBuf> = present
        .keys()
        .filter(|p| !wanted.contains_key(*p))
        .collect();
    let changed: Vec<&PathBuf> = wanted
        .iter()
        .filter(|(p, bytes)| present.get(*p) != Some(bytes))
        .map(|(p, _)| p)
        .collect();
    if check {
        for p in &stale {
            eprintln!("stale: {}", p.display());
        }
        for p in &changed {
            eprintln!("out of date: {}", p.display());
        }
        if stale.is_empty() && changed.is_empty() {
            println!(
                "fuzz/seeds and fuzz/dict are current ({} files)",
                wanted.len()
            );
            return ExitCode::SUCCESS;
        }
        eprintln!("run `cargo run --example fuzz_corpus` and commit the result");
        return ExitCode::FAILURE;
    }
    if let Err(e) = write(&root, &wanted, &stale, &changed) {
        eprintln!("fuzz_corpus: {e}");
        return ExitCode::from(2);
    }
    for dir in &dirs {
        let n = wanted.keys().filter(|p| p.parent() == Some(dir)).count();
        println!("{:<28} {n} files", dir.display());
    }
    println!("{} written, {} removed", changed.len(), stale.len());
    ExitCode::SUCCESS
}

/// Every file the corpus should have.
fn wanted(root: &Path) -> Result<Files, Box<dyn std::error::Error>> {
    let catalog = Catalog::builtin();
    let mut files = Files::new();
    for target in Target::ALL {
        for seed in seeds::seeds(target, catalog, &root.join("schemas"))? {
            let path = PathBuf::from("fuzz/seeds")
                .join(target.name())
                .join(seed.name);
            files.insert(path, seed.bytes);
        }
    }
    let dicts = Vendor::builtin()
        .into_iter()
        .map(|v| dict::dictionary(catalog, v))
        .chain([dict::all_vendors(catalog)]);
    for d in dicts {
        let path = PathBuf::from("fuzz/dict").join(format!("{}.dict", d.name));
        files.insert(path, d.render().into_bytes());
    }
    Ok(files)
}

/// Every file now in `dirs`.
fn present(root: &Path, dirs: &[PathBuf]) -> std::io::Result<Files> {
    let mut files = Files::new();
    for dir in dirs {
        let Ok(items) = fs::read_dir(root.join(dir)) else {
            continue;
        };
        for item in items {
            let item = item?;
            if item.file_type()?.is_file() {
                files.insert(dir.join(item.file_name()), fs::read(item.path())?);
            }
        }
    }
    Ok(files)
}

fn write(
    root: &Path,
    wanted: &Files,
    stale: &[&PathBuf],
    changed: &[&PathBuf],
) -> std::io::Result<()> {
    for p in stale {
        fs::remove_file(root.join(p))?;
    }
    for p in changed {
        let path = root.join(p);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::write(path, &wanted[*p])?;
    }
    Ok(())
}
