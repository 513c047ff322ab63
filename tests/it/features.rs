//! Library users build only what they use: with `default-features = false` the dependency tree
//! has none of the server, client, TLS and command-line crates; with the defaults it has them all.

use std::process::Command;

/// The crates the library depends on, from `cargo tree` (no build, no network).
fn dependencies(args: &[&str]) -> Vec<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "tree",
            "--offline",
            "--locked",
            "-e",
            "normal",
            "--prefix",
            "none",
        ])
        .args(["--format", "{p}", "-p", "hookcheck"])
        .args(args)
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_owned)
        .collect()
}

const HEAVY: [&str; 8] = [
    "axum",
    "tokio",
    "hyper",
    "clap",
    "clap_builder",
    "ureq",
    "rustls",
    "ring",
];

#[test]
fn no_default_features_leaves_out_axum_tokio_clap_and_ureq() {
    let lean = dependencies(&["--no-default-features"]);
    for heavy in HEAVY {
        assert!(!lean.iter().any(|d| d == heavy), "{heavy} in {lean:?}");
    }
    for kept in ["jsonschema", "proptest", "serde_json", "rustix"] {
        assert!(lean.iter().any(|d| d == kept), "{kept} missing: {lean:?}");
    }
    let full = dependencies(&[]);
    for heavy in HEAVY {
        assert!(full.iter().any(|d| d == heavy), "{heavy} not in {full:?}");
    }
    let http_only = dependencies(&["--no-default-features", "--features", "http"]);
    assert!(http_only.iter().any(|d| d == "ureq"));
    assert!(
        http_only.iter().any(|d| d == "rustls"),
        "HTTPS comes with http"
    );
    assert!(!http_only.iter().any(|d| d == "axum" || d == "clap"));
}
