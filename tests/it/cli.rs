//! The `hookcheck` binary end to end: `list`, `schema` and `validate`, with snapshots of what a
//! user sees for valid, invalid and malformed input.

use std::{fs, path::Path, process::Output};

use assert_cmd::Command;
use serde_json::{Value, json};

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"));
    s.set_prepend_module_to_snapshot(true);
    s
}

fn hookcheck(dir: &Path, args: &[&str]) -> Output {
    Command::cargo_bin("hookcheck")
        .unwrap()
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A documented example, repaired, read from the schema tree.
fn example(vendor: &str, event: &str) -> Value {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("schemas")
        .join(vendor)
        .join("examples");
    let manifest: Vec<Value> =
        serde_json::from_slice(&fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    let file = manifest
        .iter()
        .find(|m| m["event"] == event)
        .and_then(|m| m["repaired"].as_str())
        .unwrap_or_else(|| panic!("no {vendor}/{event} example"));
    serde_json::from_slice(&fs::read(dir.join(file)).unwrap()).unwrap()
}

/// A directory with one payload of each kind a user may feed in.
fn fixture_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let opened = example("getmailer", "email.opened");
    let sent = example("postal", "MessageSent");
    let mut bad = sent.clone();
    bad["payload"]["status"] = json!("Delivered");
    bad["payload"]["message"]
        .as_object_mut()
        .unwrap()
        .remove("id");
    fs::create_dir(p.join("in")).unwrap();
    fs::write(p.join("in/a-valid.json"), opened.to_string()).unwrap();
    fs::write(p.join("in/b-invalid.json"), bad.to_string()).unwrap();
    fs::write(p.join("in/c-not-json.json"), "event=MessageSent&uuid=1").unwrap();
    fs::write(p.join("in/d-empty.json"), "").unwrap();
    fs::write(p.join("in/e-truncated.json"), &sent.to_string()[..40]).unwrap();
    fs::write(
        p.join("in/f-binary.json"),
        [0x89, b'P', b'N', b'G', 0, 1, 2, 0xff],
    )
    .unwrap();
    fs::write(p.join("in/g-deep.json"), "[".repeat(5000)).unwrap();
    let utf16: Vec<u8> = std::iter::once(0xFEFF_u16)
        .chain(opened.to_string().encode_utf16())
        .flat_map(u16::to_le_bytes)
        .collect();
    fs::write(p.join("in/h-utf16.json"), utf16).unwrap();
    fs::write(
        p.join("in/i-bare-payload.json"),
        sent["payload"].to_string(),
    )
    .unwrap();
    let mut unknown = opened.clone();
    unknown["type"] = json!("email.teleported");
    fs::write(p.join("in/j-unknown-event.json"), unknown.to_string()).unwrap();
    fs::write(
        p.join("in/k-recorded.ndjson"),
        format!("{sent}\n\n{bad}\n{{\"half\": \n"),
    )
    .unwrap();
    fs::write(p.join("in/ignored.txt"), "not looked at").unwrap();
    dir
}

#[test]
fn list_shows_every_event_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let out = hookcheck(dir.path(), &["list", "--format", "json"]);
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["events"], 52);
    assert_eq!(v["api_bodies"], 4);
    settings().bind(|| insta::assert_json_snapshot!("list_json", v));
}

#[test]
fn list_human_and_vendor_filter() {
    let dir = tempfile::tempdir().unwrap();
    let out = hookcheck(dir.path(), &["list", "--vendor", "msndr"]);
    assert!(out.status.success());
    settings().bind(|| insta::assert_snapshot!("list_msndr", text(&out.stdout)));
}

#[test]
fn schema_prints_the_embedded_file_and_suggests_on_typos() {
    let dir = tempfile::tempdir().unwrap();
    let out = hookcheck(dir.path(), &["schema", "postal/MessageSent"]);
    assert!(out.status.success());
    let file = fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/postal/MessageSent.json"),
    )
    .unwrap();
    assert_eq!(text(&out.stdout).trim_end(), file.trim_end());

    let out = hookcheck(dir.path(), &["schema", "postal/messagesent"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr).trim(),
        "hookcheck: error: postal has no documented event \"messagesent\" (did you mean \"MessageSent\"?)"
    );
    let out = hookcheck(dir.path(), &["schema", "sendgrid/open"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("unknown vendor \"sendgrid\""));
}

#[test]
fn validate_reports_every_kind_of_bad_input_and_goes_on() {
    let dir = fixture_dir();
    let out = hookcheck(dir.path(), &["validate", "in"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(text(&out.stderr), "");
    settings().bind(|| insta::assert_snapshot!("validate_human", text(&out.stdout)));
}

#[test]
fn validate_json_output_is_machine_readable() {
    let dir = fixture_dir();
    let out = hookcheck(dir.path(), &["validate", "--format", "json", "in"]);
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["summary"]["payloads"], 13);
    assert_eq!(v["summary"]["valid"], 2);
    let invalid = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["source"] == "in/b-invalid.json")
        .unwrap();
    let pointers: Vec<&str> = invalid["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["instance_path"].as_str().unwrap())
        .collect();
    assert!(pointers.contains(&"/payload/status"), "{pointers:?}");
    assert!(pointers.contains(&"/payload/message"), "{pointers:?}");
    settings().bind(|| insta::assert_json_snapshot!("validate_json", v));
}

#[test]
fn all_valid_input_exits_zero_and_stdin_works() {
    let dir = tempfile::tempdir().unwrap();
    let body = example("msndr", "clicked").to_string();
    let out = Command::cargo_bin("hookcheck")
        .unwrap()
        .current_dir(dir.path())
        .args(["validate", "-v", "-"])
        .write_stdin(body)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert_eq!(
        text(&out.stdout),
        "<stdin>: ok: msndr/clicked\n1 payload(s) in 1 source(s): 1 valid, 0 invalid, 0 not JSON, 0 unrecognised\n"
    );
}

#[test]
fn named_event_skips_detection() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("body.json"),
        r#"{"url": "https://example.com/some/path"}"#,
    )
    .unwrap();
    let out = hookcheck(
        dir.path(),
        &[
            "validate",
            "--event",
            "msndr/api.webhook.post.request",
            "body.json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    let out = hookcheck(
        dir.path(),
        &[
            "validate",
            "--vendor",
            "msndr",
            "--event",
            "api.webhook.get.response",
            "body.json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    let out = hookcheck(dir.path(), &["validate", "body.json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains("name it with --event"));
}

#[test]
fn huge_files_are_refused_without_reading_them() {
    let dir = tempfile::tempdir().unwrap();
    let f = fs::File::create(dir.path().join("huge.json")).unwrap();
    f.set_len(100 * 1024 * 1024).unwrap();
    let out = hookcheck(dir.path(), &["validate", "huge.json"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stdout).lines().next().unwrap(),
        "huge.json: not JSON: input is 104857600 bytes, over the limit of 16777216 bytes (raise it with --max-size)"
    );
}

#[test]
fn usage_and_io_errors_exit_two() {
    let dir = fixture_dir();
    let out = hookcheck(dir.path(), &["validate", "missing.json", "in/a-valid.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).starts_with("hookcheck: missing.json: "));
    assert!(
        text(&out.stdout).contains("1 valid"),
        "the readable file is still checked"
    );

    let out = hookcheck(dir.path(), &["validate", "--vendor", "sendgrid", "in"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("unknown vendor"));

    let out = hookcheck(dir.path(), &["validate", "--event", "postal/Nope", "in"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("postal has no documented event \"Nope\""));

    let out = hookcheck(dir.path(), &["validate"]);
    assert_eq!(out.status.code(), Some(2));
    let out = hookcheck(dir.path(), &["--help"]);
    assert_eq!(out.status.code(), Some(0));
}
