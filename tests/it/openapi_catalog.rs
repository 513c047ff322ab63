//! `--catalog FILE`: an OpenAPI 3.1 document's `webhooks` as the catalog in use. The export of
//! the built-in msndr catalog goes back in and validates and generates as the built-in one
//! does, with and without its `x-hookcheck` extension (`--event-pointer`); documents that
//! cannot be imported, and vendors that clash with built-in ones, are usage errors naming the
//! file.
//!
//! Everything runs the binary: loading a catalog changes the process-wide vendor registry.

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn hookcheck() -> Command {
    let mut cmd = Command::cargo_bin("hookcheck").expect("the binary is built");
    cmd.current_dir(ROOT);
    cmd
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = hookcheck().args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The msndr webhooks exported to `dir/msndr.openapi.json`.
fn exported(dir: &Path) -> String {
    let path = dir.join("msndr.openapi.json");
    let (code, _, err) = run(&[
        "export",
        "openapi",
        "--vendor",
        "msndr",
        "-o",
        path.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    path.display().to_string()
}

/// Every `x-hookcheck` member removed from `value`.
fn strip(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.remove("x-hookcheck");
            map.values_mut().for_each(strip);
        }
        Value::Array(items) => items.iter_mut().for_each(strip),
        _ => {}
    }
}

#[test]
fn an_exported_document_is_a_catalog_that_validates_and_generates_as_the_built_in_one() {
    let dir = tempfile::tempdir().unwrap();
    let doc = exported(dir.path());
    let (code, listed, err) = run(&["--catalog", &doc, "--no-builtin", "list"]);
    assert_eq!(code, 0, "{err}");
    assert!(listed.contains("msndr/clicked"), "{listed}");
    assert!(!listed.contains("postal/"), "{listed}");

    let example = format!("{ROOT}/schemas/msndr/examples/doc003-clicked.json");
    let (code, out, err) = run(&["--catalog", &doc, "--no-builtin", "validate", &example]);
    assert_eq!(code, 0, "{out}{err}");

    // A body the built-in schema refuses is refused by the imported one too.
    let mut bad: Value = serde_json::from_str(&std::fs::read_to_string(&example).unwrap()).unwrap();
    bad["message"]["id"] = Value::from("not an id");
    let bad_path = dir.path().join("bad.json");
    std::fs::write(&bad_path, bad.to_string()).unwrap();
    let bad_path = bad_path.display().to_string();
    let (builtin, ..) = run(&["validate", &bad_path]);
    let (imported, out, _) = run(&["--catalog", &doc, "--no-builtin", "validate", &bad_path]);
    assert_eq!(builtin, 1);
    assert_eq!(imported, 1, "{out}");

    // What the imported catalog generates, the built-in one accepts.
    let (code, generated, err) = run(&[
        "--catalog",
        &doc,
        "--no-builtin",
        "gen",
        "msndr/clicked",
        "--count",
        "25",
        "--seed",
        "7",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(generated.lines().count(), 25);
    let values = dir.path().join("values.ndjson");
    std::fs::write(&values, generated).unwrap();
    let (code, out, err) = run(&["validate", values.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
}

#[test]
fn without_the_extension_the_event_pointer_is_inferred_or_given() {
    let dir = tempfile::tempdir().unwrap();
    let doc = exported(dir.path());
    let mut plain: Value = serde_json::from_str(&std::fs::read_to_string(&doc).unwrap()).unwrap();
    strip(&mut plain);
    let plain_path = dir.path().join("plain.json");
    std::fs::write(&plain_path, plain.to_string()).unwrap();
    let plain_path = plain_path.display().to_string();
    let example = format!("{ROOT}/schemas/msndr/examples/doc003-clicked.json");
    for extra in [&[][..], &["--event-pointer", "/event/name"][..]] {
        let mut args = vec!["--catalog", plain_path.as_str(), "--no-builtin"];
        args.extend_from_slice(extra);
        args.extend(["validate", example.as_str()]);
        let (code, out, err) = run(&args);
        assert_eq!(code, 0, "{extra:?}: {out}{err}");
    }
}

#[test]
fn documents_that_cannot_be_imported_and_clashing_vendors_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.json");
    std::fs::write(
        &broken,
        r#"{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}}"#,
    )
    .unwrap();
    let (code, _, err) = run(&["--catalog", broken.to_str().unwrap(), "list"]);
    assert_eq!(code, 2);
    assert!(err.contains("broken.json"), "{err}");
    assert!(err.contains("webhooks"), "{err}");

    // msndr is built in: importing it beside the built-in vendors is a clash.
    let doc = exported(dir.path());
    let (code, _, err) = run(&["--catalog", &doc, "list"]);
    assert_eq!(code, 2);
    assert!(err.contains("msndr"), "{err}");

    let (code, _, err) = run(&["--event-pointer", "/type", "list"]);
    assert_eq!(code, 2);
    assert!(err.contains("--catalog"), "{err}");
}
