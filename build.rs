//! Embeds every built-in vendor under `schemas/<vendor>/` into the library.
//!
//! The catalog is data: a vendor is a directory with a `vendor.json` profile and one schema file
//! per event; adding an event is dropping a schema file into its vendor directory.
//! `schemas/vendors.txt` lists the built-in vendors in catalog order. This script lists the
//! files so that `src/catalog/embedded.rs` can `include_str!` them.

use std::{
    env, fs,
    io::Write,
    path::{Path, PathBuf},
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = PathBuf::from(env::var("CARGO_MANIFEST_DIR")?).join("schemas");
    println!("cargo:rerun-if-changed={}", root.display());
    let order = root.join("vendors.txt");
    println!("cargo:rerun-if-changed={}", order.display());
    let vendors: Vec<String> = fs::read_to_string(&order)?
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect();
    let mut rows = Vec::new();
    let mut profiles = Vec::new();
    for vendor in &vendors {
        let dir = root.join(vendor);
        println!("cargo:rerun-if-changed={}", dir.display());
        if !dir.is_dir() {
            return Err(format!(
                "{}: listed in vendors.txt but not a directory",
                dir.display()
            )
            .into());
        }
        for path in json_files(&dir)? {
            let name = file_name(&path)?;
            if name == "vendor.json" {
                profiles.push((vendor.clone(), path));
            } else {
                rows.push((vendor.clone(), name, path));
            }
        }
    }
    let out = PathBuf::from(env::var("OUT_DIR")?);
    write_list(&out.join("embedded_schemas.rs"), "EmbeddedFile", &rows)?;
    let profiles: Vec<(String, String, PathBuf)> = profiles
        .into_iter()
        .map(|(vendor, path)| (vendor, "vendor.json".to_owned(), path))
        .collect();
    write_list(&out.join("embedded_profiles.rs"), "EmbeddedFile", &profiles)?;
    let schema = root.join("vendor.schema.json");
    println!("cargo:rerun-if-changed={}", schema.display());
    embed_examples(&root, &vendors)?;
    Ok(())
}

/// Lists every `schemas/<vendor>/examples/*.json` (the manifest and the repaired documented
/// examples) for `src/openapi/examples.rs`.
fn embed_examples(root: &Path, vendors: &[String]) -> Result<(), Box<dyn std::error::Error>> {
    let mut rows = Vec::new();
    for vendor in vendors {
        let dir = root.join(vendor).join("examples");
        println!("cargo:rerun-if-changed={}", dir.display());
        if !dir.is_dir() {
            continue;
        }
        for path in json_files(&dir)? {
            rows.push((vendor.clone(), file_name(&path)?, path));
        }
    }
    let out = PathBuf::from(env::var("OUT_DIR")?).join("embedded_examples.rs");
    write_list(&out, "ExampleFile", &rows)
}

/// Writes `rows` (vendor, file name, path) to `out` as a slice of `item` structs that
/// `include_str!` each file.
fn write_list(
    out: &Path,
    item: &str,
    rows: &[(String, String, PathBuf)],
) -> Result<(), Box<dyn std::error::Error>> {
    let mut f = fs::File::create(out)?;
    writeln!(f, "&[")?;
    for (vendor, name, path) in rows {
        writeln!(
            f,
            "    {item} {{ vendor: {vendor:?}, file: {name:?}, source: include_str!({:?}) }},",
            path.display().to_string()
        )?;
    }
    writeln!(f, "]")?;
    Ok(())
}

/// The `.json` files directly in `dir`, sorted, each a reason to build again when it changes.
fn json_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    for path in &files {
        println!("cargo:rerun-if-changed={}", path.display());
    }
    Ok(files)
}

fn file_name(path: &Path) -> Result<String, String> {
    path.file_name()
        .and_then(|n| n.to_str())
        .map(str::to_owned)
        .ok_or_else(|| format!("schema file name is not UTF-8: {}", path.display()))
}
