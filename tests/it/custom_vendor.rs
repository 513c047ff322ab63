//! A user's own catalog: the made-up vendor Acme Mail (`tests/fixtures/custom/catalog/acme`,
//! three events, a Standard Webhooks HMAC signature, a batched envelope) goes through `list`,
//! `schema`, `validate`, `gen`, `certify` with an exec adapter, `listen` and `replay`, through
//! `--catalog DIR` (and `--no-builtin`); bad profiles and schemas are reported with file and
//! pointer.
//!
//! Everything runs the binary: loading a catalog changes the process-wide vendor registry, and
//! the other tests of this binary expect the built-in vendors alone.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use hookcheck::signature::{Signer, standard::StandardWebhooks};
use predicates::str::contains;
use serde_json::{Value, json};

use crate::support::listen::{listen, post};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

fn catalog() -> String {
    format!("{ROOT}/tests/fixtures/custom/catalog")
}

fn payload(name: &str) -> PathBuf {
    PathBuf::from(format!("{ROOT}/tests/fixtures/custom/payloads/{name}"))
}

fn hookcheck() -> Command {
    let mut cmd = Command::cargo_bin("hookcheck").expect("the binary is built");
    cmd.current_dir(ROOT);
    cmd
}

fn stdout_of(cmd: &mut Command) -> String {
    String::from_utf8(cmd.assert().code(0).get_output().stdout.clone()).unwrap()
}

#[test]
fn list_and_schema_show_the_user_vendor_next_to_or_instead_of_the_built_in_ones() {
    let both = stdout_of(hookcheck().args(["list", "--format", "json", "--catalog", &catalog()]));
    let doc: Value = serde_json::from_str(&both).unwrap();
    let keys: Vec<&str> = doc["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["key"].as_str().unwrap())
        .collect();
    assert!(keys.contains(&"postal/MessageSent"), "{keys:?}");
    assert!(keys.contains(&"acme/mail.bounced"), "{keys:?}");
    // User vendors come after the built-in ones.
    assert_eq!(keys.last(), Some(&"acme/mail.opened"), "{keys:?}");

    let only = stdout_of(hookcheck().args([
        "--catalog",
        &catalog(),
        "--no-builtin",
        "list",
        "--format",
        "json",
    ]));
    let doc: Value = serde_json::from_str(&only).unwrap();
    let keys: Vec<&str> = doc["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["key"].as_str().unwrap())
        .collect();
    assert_eq!(
        keys,
        [
            "acme/mail.bounced",
            "acme/mail.delivered",
            "acme/mail.opened"
        ]
    );
    // The alias names the vendor too.
    let schema = stdout_of(hookcheck().args([
        "schema",
        "acme-mail/mail.delivered",
        "--catalog",
        &catalog(),
    ]));
    assert!(schema.contains("\"const\": \"mail.delivered\""), "{schema}");
    // Without the catalog the vendor is unknown, and with --no-builtin so is postal.
    hookcheck()
        .args(["schema", "acme/mail.delivered"])
        .assert()
        .code(2)
        .stderr(contains("unknown vendor \"acme\""));
    hookcheck()
        .args([
            "--catalog",
            &catalog(),
            "--no-builtin",
            "schema",
            "postal/MessageSent",
        ])
        .assert()
        .code(2)
        .stderr(contains("unknown vendor \"postal\" (known: acme)"));
    hookcheck()
        .args(["list", "--no-builtin"])
        .assert()
        .code(2)
        .stderr(contains("--no-builtin needs --catalog"));
}

#[test]
fn validate_detects_single_events_and_checks_every_event_of_a_batch() {
    let out = stdout_of(
        hookcheck()
            .args(["validate", "--verbose", "--catalog", &catalog()])
            .arg(payload("delivered.json"))
            .arg(payload("batch.json")),
    );
    assert!(
        out.contains("delivered.json: ok: acme/mail.delivered"),
        "{out}"
    );
    assert!(out.contains("batch.json: ok: acme/mail.opened"), "{out}");
    assert!(out.contains("2 valid"), "{out}");
    // A mistyped field in the second event of a batch, located in the whole body.
    let bad = hookcheck()
        .args(["validate", "--catalog", &catalog()])
        .arg(payload("bad-batch.json"))
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let bad = String::from_utf8(bad).unwrap();
    assert!(
        bad.contains("bad-batch.json:/events/1/mail/to: type:"),
        "{bad}"
    );
    assert!(bad.contains("[acme/mail.bounced schema"), "{bad}");
    // Built-in payloads still validate next to the user catalog.
    hookcheck()
        .args(["validate", "--catalog", &catalog()])
        .arg(format!(
            "{ROOT}/tests/fixtures/payloads/postal/MessageSent.json"
        ))
        .assert()
        .code(0);
}

#[test]
fn generated_events_of_the_user_vendor_validate() {
    let dir = tempfile::tempdir().unwrap();
    for event in [
        "acme/mail.delivered",
        "acme/mail.opened",
        "acme/mail.bounced",
    ] {
        let out = dir.path().join(event.replace('/', "-"));
        hookcheck()
            .args([
                "gen",
                event,
                "--count",
                "20",
                "--seed",
                "9",
                "--catalog",
                &catalog(),
            ])
            .arg("--out")
            .arg(&out)
            .assert()
            .code(0);
        let files = std::fs::read_dir(&out).unwrap().count();
        assert_eq!(files, 20, "{event}");
        let checked = stdout_of(
            hookcheck()
                .args(["validate", "--vendor", "acme", "--catalog", &catalog()])
                .arg(&out),
        );
        assert!(
            checked.contains("20 valid, 0 invalid"),
            "{event}: {checked}"
        );
    }
}

#[test]
fn certify_runs_an_exec_adapter_for_the_user_vendor_and_the_reference_run_skips_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    hookcheck()
        .args([
            "certify",
            "--catalog",
            &catalog(),
            "--exec",
            "python3 tests/fixtures/custom/acme_adapter.py",
            "--vendor",
            "acme",
            "--cases",
            "8",
            "--seed",
            "5",
            "--format",
            "json",
        ])
        .arg("--regressions")
        .arg(dir.path().join("regressions"))
        .arg("--out")
        .arg(&out)
        .assert()
        .code(0);
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    let suites = report["suites"].as_array().unwrap();
    let names: Vec<&str> = suites.iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["acme"], "only acme was asked for");
    let cases: Vec<&str> = suites[0]["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    for event in ["mail.delivered", "mail.opened", "mail.bounced"] {
        for property in ["accepts-valid", "rejects-invalid", "reports-fields"] {
            let name = format!("{event} × {property}");
            assert!(cases.contains(&name.as_str()), "{name} not in {cases:?}");
        }
    }
    assert_eq!(report["totals"]["failed"], 0, "{report}");

    // The reference parsers have no parser for acme: its cells are skipped, the others run.
    let reference = hookcheck()
        .args([
            "certify",
            "--catalog",
            &catalog(),
            "--event",
            "msndr/clicked",
        ])
        .args(["--event", "acme/mail.opened", "--cases", "2", "--seed", "1"])
        .arg("--regressions")
        .arg(dir.path().join("regressions-reference"))
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let reference = String::from_utf8(reference).unwrap();
    assert!(
        reference.contains("SKIP  mail.opened × accepts-valid")
            && reference.contains("the parser does not handle acme payloads"),
        "{reference}"
    );
    assert!(
        reference.contains("PASS  clicked × accepts-valid"),
        "{reference}"
    );

    // An adapter that accepts a payload with a mistyped recipient fails rejects-invalid.
    let lax = dir.path().join("lax.py");
    let source = std::fs::read_to_string(format!("{ROOT}/tests/fixtures/custom/acme_adapter.py"))
        .unwrap()
        .replace(
            "to = field(mail, \"to\", str)",
            "to = str(mail.get(\"to\"))",
        );
    std::fs::write(&lax, source).unwrap();
    hookcheck()
        .args([
            "certify",
            "--catalog",
            &catalog(),
            "--event",
            "acme/mail.bounced",
        ])
        .args(["--cases", "32", "--seed", "5", "--exec"])
        .arg(format!("python3 {}", lax.display()))
        .arg("--regressions")
        .arg(dir.path().join("regressions2"))
        .assert()
        .code(1)
        .stderr(contains("FAILED acme/mail.bounced/rejects-invalid"));
}

fn signed(body: &[u8]) -> Vec<(String, String)> {
    StandardWebhooks::new(SECRET).unwrap().sign(body).unwrap()
}

#[test]
fn listen_checks_signed_single_and_batched_bodies_of_the_user_vendor() {
    let single = std::fs::read(payload("delivered.json")).unwrap();
    let batch = std::fs::read(payload("batch.json")).unwrap();
    let bad = std::fs::read(payload("bad-batch.json")).unwrap();
    let l = listen(&[
        "--catalog",
        &catalog(),
        "--standard-webhooks-secret",
        SECRET,
        "--expect",
        "4",
        "--timeout",
        "60s",
    ]);
    let url = format!("{}/hooks", l.url);
    assert_eq!(post(&url, &signed(&single), &single), 200);
    assert_eq!(post(&url, &signed(&batch), &batch), 200);
    assert_eq!(post(&url, &signed(&bad), &bad), 400);
    // Unsigned: refused, however valid the body.
    assert_eq!(post(&url, &[], &single), 401);
    let (code, stdout, stderr) = l.finish();
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    assert!(
        stdout.contains("conforming acme/mail.delivered"),
        "{stdout}"
    );
    assert!(stdout.contains("conforming acme/mail.opened"), "{stdout}");
    assert!(
        stdout.contains("4 request(s): 2 conforming, 1 nonconforming, 1 unauthorized"),
        "{stdout}"
    );
    // Coverage counts each event of a batch under its own event: the valid batch's opened
    // event has a null user agent, its bounced event a hard reason and tags.
    assert!(stdout.contains("acme/mail.opened x2"), "{stdout}");
    assert!(
        !stdout.contains("not covered: /mail/user_agent null"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("not covered: /mail/reason = \"hard\""),
        "{stdout}"
    );
}

#[test]
fn replay_sends_the_user_vendor_content_type_and_signature() {
    let single = payload("delivered.json");
    let dir = tempfile::tempdir().unwrap();
    let rec = dir.path().join("rec.ndjson");
    let l = listen(&[
        "--catalog",
        &catalog(),
        "--standard-webhooks-secret",
        SECRET,
        "--expect",
        "1",
        "--timeout",
        "60s",
        "--record",
        rec.to_str().unwrap(),
    ]);
    hookcheck()
        .args([
            "replay",
            "--catalog",
            &catalog(),
            "--standard-webhooks-secret",
            SECRET,
        ])
        .arg(format!("{}/hooks", l.url))
        .arg(&single)
        .assert()
        .code(0);
    let (code, stdout, stderr) = l.finish();
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(
        stdout.contains("conforming acme/mail.delivered"),
        "{stdout}"
    );
    let recorded = std::fs::read_to_string(&rec).unwrap();
    assert!(
        recorded.contains("application/json; charset=utf-8"),
        "the recorded request has the profile's content type: {recorded}"
    );
}

/// Copies the fixture catalog into a temporary directory, with `edit` applied to the acme
/// profile, and returns the directory.
fn edited(edit: impl FnOnce(&mut Value), schema: Option<(&str, &str)>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let acme = dir.path().join("acme");
    std::fs::create_dir(&acme).unwrap();
    let src = Path::new(ROOT).join("tests/fixtures/custom/catalog/acme");
    for item in std::fs::read_dir(&src).unwrap() {
        let path = item.unwrap().path();
        std::fs::copy(&path, acme.join(path.file_name().unwrap())).unwrap();
    }
    let mut profile: Value =
        serde_json::from_str(&std::fs::read_to_string(acme.join("vendor.json")).unwrap()).unwrap();
    edit(&mut profile);
    std::fs::write(acme.join("vendor.json"), profile.to_string()).unwrap();
    if let Some((name, text)) = schema {
        std::fs::write(acme.join(name), text).unwrap();
    }
    dir
}

#[test]
fn bad_profiles_and_schemas_are_reported_with_file_and_pointer() {
    let cases: Vec<(tempfile::TempDir, &str)> = vec![
        (
            edited(|p| p["event_name"] = json!("kind"), None),
            "vendor.json:/event_name: ",
        ),
        (
            edited(
                |p| p["batch"] = json!({"items": "/events", "shape": "list"}),
                None,
            ),
            "vendor.json:/batch: ",
        ),
        (
            edited(|p| p["signatures"][0]["scheme"] = json!("rot13"), None),
            "vendor.json:/signatures/0/scheme: ",
        ),
        (
            edited(|p| p["name"] = json!("postal"), None),
            "vendor.json:/name: ",
        ),
        (
            edited(|_| {}, Some(("mail.sent.json", "{\"type\": \"object\",}"))),
            "acme/mail.sent.json is not JSON",
        ),
        (
            edited(
                |_| {},
                Some((
                    "mail.sent.json",
                    "{\"type\": \"object\", \"minimum\": \"ten\"}",
                )),
            ),
            "mail.sent.json:",
        ),
    ];
    for (dir, expected) in cases {
        hookcheck()
            .args(["list", "--catalog"])
            .arg(dir.path())
            .assert()
            .code(2)
            .stderr(contains(expected));
    }
    // A directory without a profile says what it lacks.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("stray")).unwrap();
    hookcheck()
        .args(["list", "--catalog"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(contains(
            "stray/vendor.json:: a vendor directory needs a vendor.json",
        ));
}

#[test]
fn the_profile_reject_policy_exception_lets_a_parser_ignore_what_it_names() {
    // The adapter never looks at /mail/meta: the profile says it may accept a bad one.
    let run = |catalog: &Path, regressions: &Path| {
        let mut cmd = hookcheck();
        cmd.arg("certify")
            .arg("--catalog")
            .arg(catalog)
            .args(["--exec", "python3 tests/fixtures/custom/acme_adapter.py"])
            .args([
                "--event",
                "acme/mail.bounced",
                "--property",
                "rejects-invalid",
            ])
            .args(["--cases", "64", "--seed", "5", "--quiet", "--regressions"])
            .arg(regressions);
        cmd
    };
    let scratch = tempfile::tempdir().unwrap();
    run(Path::new(&catalog()), &scratch.path().join("a"))
        .assert()
        .code(0);
    let without = edited(
        |p| {
            p.as_object_mut().unwrap().remove("policy");
        },
        None,
    );
    let out = run(without.path(), &scratch.path().join("b"))
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    assert!(
        out.contains("\"meta\":"),
        "the counterexample is a bad meta: {out}"
    );
}
