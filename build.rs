//! Embeds every vendor schema under `schemas/<vendor>/` into the library.
//!
//! The catalog is data: adding an event is dropping a schema file into its vendor directory.
//! This script lists the files so that `src/catalog/embedded.rs` can `include_str!` them.

use std::{
    env, fs,
    io::Write,
    path::{Path, PathBuf},
};

const VENDORS: [&str; 3] = ["postal", "msndr", "getmailer"];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = PathBuf::from(env::var("CARGO_MANIFEST_DIR")?).join("schemas");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut rows = Vec::new();
    for vendor in VENDORS {
        let dir = root.join(vendor);
        println!("cargo:rerun-if-changed={}", dir.display());
        if !dir.is_dir() {
            continue;
        }
        let mut files: Vec<PathBuf> = fs::read_dir(&dir)?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        for path in files {
            println!("cargo:rerun-if-changed={}", path.display());
            rows.push((vendor, file_name(&path)?, path));
        }
    }
    let out = PathBuf::from(env::var("OUT_DIR")?).join("embedded_schemas.rs");
    let mut f = fs::File::create(out)?;
    writeln!(f, "&[")?;
    for (vendor, name, path) in rows {
        writeln!(
            f,
            "    EmbeddedFile {{ vendor: {vendor:?}, file: {name:?}, source: include_str!({:?}) }},",
            path.display().to_string()
        )?;
    }
    writeln!(f, "]")?;
    embed_examples(&root)?;
    Ok(())
}

/// Lists every `schemas/<vendor>/examples/*.json` (the manifest and the repaired documented
/// examples) for `src/openapi/examples.rs`.
fn embed_examples(root: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let mut rows = Vec::new();
    for vendor in VENDORS {
        let dir = root.join(vendor).join("examples");
        println!("cargo:rerun-if-changed={}", dir.display());
        if !dir.is_dir() {
            continue;
        }
        let mut files: Vec<PathBuf> = fs::read_dir(&dir)?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        for path in files {
            println!("cargo:rerun-if-changed={}", path.display());
            rows.push((vendor, file_name(&path)?, path));
        }
    }
    let out = PathBuf::from(env::var("OUT_DIR")?).join("embedded_examples.rs");
    let mut f = fs::File::create(out)?;
    writeln!(f, "&[")?;
    for (vendor, name, path) in rows {
        writeln!(
            f,
            "    ExampleFile {{ vendor: {vendor:?}, file: {name:?}, source: include_str!({:?}) }},",
            path.display().to_string()
        )?;
    }
    writeln!(f, "]")?;
    Ok(())
}

fn file_name(path: &Path) -> Result<String, String> {
    path.file_name()
        .and_then(|n| n.to_str())
        .map(str::to_owned)
        .ok_or_else(|| format!("schema file name is not UTF-8: {}", path.display()))
}
