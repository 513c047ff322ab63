//! What every subcommand shares: event names read the same way everywhere (bare when
//! unambiguous, suggestions by edit distance), one `--format` flag for report formats (with
//! `--report` kept as an alias), `--quiet`, and colour only when wanted.

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::PredicateBooleanExt;
use predicates::str::contains;

fn hookcheck() -> Command {
    let mut cmd = Command::cargo_bin("hookcheck").expect("the binary is built");
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

fn stdout(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn schema_takes_a_bare_event_name_like_certify_does() {
    let keyed = stdout(hookcheck().args(["schema", "postal/MessageSent"]));
    let bare = stdout(hookcheck().args(["schema", "MessageSent"]));
    assert!(keyed.contains("\"$id\""), "{keyed}");
    assert_eq!(bare, keyed);
    hookcheck()
        .args(["schema", "hard_bounced"])
        .assert()
        .code(0)
        .stdout(contains("msndr/hard_bounced.json"));
    // GetMailer and Resend both have an `email.sent`: the bare name must say which.
    hookcheck()
        .args(["schema", "email.sent"])
        .assert()
        .code(2)
        .stderr(contains("getmailer/email.sent, resend/email.sent"));
}

#[test]
fn unknown_names_get_the_nearest_name_as_a_suggestion() {
    hookcheck()
        .args(["schema", "MesageSent"])
        .assert()
        .code(2)
        .stderr(contains(
            r#"no vendor documents an event "MesageSent" (did you mean "postal/MessageSent"?)"#,
        ));
    hookcheck()
        .args(["schema", "postal/MessageBouncd"])
        .assert()
        .code(2)
        .stderr(contains(r#"(did you mean "MessageBounced"?)"#));
    hookcheck()
        .args(["schema", "postl/MessageSent"])
        .assert()
        .code(2)
        .stderr(contains(r#"did you mean "postal"?"#));
    // certify reads --event the same way, before anything runs.
    let dir = tempfile::tempdir().unwrap();
    hookcheck()
        .args(["certify", "--event", "email.clickd", "--regressions"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(contains(r#"(did you mean "getmailer/email.clicked"?)"#));
}

fn certify(dir: &Path) -> Command {
    let mut cmd = hookcheck();
    cmd.args([
        "certify", "--vendor", "msndr", "--cases", "2", "--seed", "3",
    ])
    .arg("--regressions")
    .arg(dir.join("regressions"));
    cmd
}

#[test]
fn format_names_the_report_formats_and_report_is_an_alias() {
    let dir = tempfile::tempdir().unwrap();
    for flag in ["--format", "--report"] {
        let out = dir.path().join(flag.trim_start_matches('-'));
        certify(dir.path())
            .args([flag, "json,junit"])
            .arg("--out")
            .arg(&out)
            .assert()
            .code(0);
        assert!(out.join("report.json").is_file(), "{flag}");
        assert!(out.join("junit.xml").is_file(), "{flag}");
        assert!(!out.join("report.txt").exists(), "{flag}");
    }
    certify(dir.path())
        .args(["--format", "pdf"])
        .assert()
        .code(2)
        .stderr(contains("unknown report format \"pdf\""));
    hookcheck()
        .args(["api-check", "--help"])
        .assert()
        .code(0)
        .stdout(contains("--format <FORMATS>"));
}

#[test]
fn quiet_certify_prints_only_what_did_not_pass_and_the_totals() {
    let dir = tempfile::tempdir().unwrap();
    let loud = stdout(&mut certify(dir.path()));
    assert!(loud.contains("PASS  clicked × accepts-valid"), "{loud}");
    let quiet = certify(dir.path()).arg("--quiet").output().unwrap();
    let text = String::from_utf8(quiet.stdout).unwrap();
    assert_eq!(quiet.status.code(), Some(0));
    assert!(!text.contains("PASS"), "{text}");
    assert!(text.contains("seed: 3"), "{text}");
    let last = |t: &str| t.trim_end().lines().last().unwrap_or_default().to_owned();
    assert!(last(&text).starts_with("result: ok."), "{text}");
    assert_eq!(last(&text), last(&loud));
    // The header (title, seed, properties) and the result line; no suite lines.
    assert!(!text.contains(" skipped)"), "{text}");
    assert!(loud.contains(" skipped)"), "{loud}");
    assert!(text.lines().count() < loud.lines().count() / 2, "{text}");
    assert_eq!(String::from_utf8_lossy(&quiet.stderr), "");

    // A failing cell is shown, with its details, and the passing ones are not.
    let adapter = "exec python3 tests/fixtures/faulty_adapter.py null-event MessageBounced";
    let failing = hookcheck()
        .args([
            "certify", "--quiet", "--exec", adapter, "--vendor", "postal",
        ])
        .args(["--event", "MessageBounced", "--event", "MessageSent"])
        .args(["--cases", "8", "--seed", "5", "--regressions"])
        .arg(dir.path().join("regressions"))
        .output()
        .unwrap();
    let text = String::from_utf8(failing.stdout).unwrap();
    assert_eq!(failing.status.code(), Some(1), "{text}");
    assert!(
        text.contains("FAIL  MessageBounced × reports-event"),
        "{text}"
    );
    assert!(!text.contains("PASS"), "{text}");
    assert!(!text.contains("MessageSent ×"), "{text}");
    assert!(text.contains("result: FAILED."), "{text}");
    let stderr = String::from_utf8(failing.stderr).unwrap();
    assert!(stderr.contains("FAIL"), "{stderr}");
    assert!(!stderr.contains("seed:"), "{stderr}");
}

/// clap writes the only colour hookcheck emits (help and usage errors): only on a terminal,
/// or when forced with `CLICOLOR_FORCE`, and never with `NO_COLOR` set.
#[test]
fn colour_only_when_wanted_and_never_with_no_color() {
    let help = |env: &[(&str, &str)]| {
        let mut cmd = hookcheck();
        cmd.arg("--help")
            .env_remove("NO_COLOR")
            .env_remove("CLICOLOR_FORCE");
        for (k, v) in env {
            cmd.env(k, v);
        }
        stdout(&mut cmd)
    };
    assert!(!help(&[]).contains('\x1b'), "piped output has no colour");
    assert!(
        help(&[("CLICOLOR_FORCE", "1")]).contains('\x1b'),
        "forcing colour works, so the next check can fail"
    );
    assert!(!help(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]).contains('\x1b'));
    hookcheck()
        .args(["certify", "--bogus"])
        .env("CLICOLOR_FORCE", "1")
        .env("NO_COLOR", "1")
        .assert()
        .code(2)
        .stderr(contains("--bogus").and(contains("\x1b").not()));
}

#[test]
fn coverage_takes_the_suite_with_suite_and_says_which_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-suite");
    hookcheck()
        .args(["coverage", "--suite"])
        .arg(&missing)
        .assert()
        .code(2)
        .stderr(contains(missing.display().to_string()));
    let tests = dir.path().join("suite/tests/draft2020-12");
    std::fs::create_dir_all(&tests).unwrap();
    std::fs::create_dir_all(dir.path().join("suite/remotes")).unwrap();
    std::fs::write(
        tests.join("one.json"),
        r#"[{"description": "d", "schema": {"type": "integer"},
             "tests": [{"description": "t", "data": 1, "valid": true}]}]"#,
    )
    .unwrap();
    hookcheck()
        .current_dir(dir.path())
        .args(["coverage", "--suite", "suite", "--format", "json"])
        .assert()
        .code(0)
        .stdout(contains("\"satisfiable\": 1"));
}

#[test]
fn a_huge_value_is_cut_in_the_message_that_quotes_it() {
    let mut body: serde_json::Value = serde_json::from_slice(
        &std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/schemas/postal/examples/doc002-sent.json"
        ))
        .unwrap(),
    )
    .unwrap();
    // A token of the wrong pattern: the message quotes it.
    body["payload"]["message"]["token"] = serde_json::Value::String("x".repeat(2_000_000));
    let bytes = serde_json::to_vec(&body).unwrap();
    for format in ["human", "json"] {
        let out = hookcheck()
            .args(["validate", "--format", format, "-"])
            .write_stdin(bytes.clone())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            text.len() < 2_000,
            "{format}: {} bytes of output",
            text.len()
        );
        assert!(
            text.contains("/payload/message/token")
                && text.contains("pattern")
                && text.contains("(2000000 bytes)"),
            "{format}: {text}"
        );
    }
}

#[test]
fn replaying_nothing_is_not_a_pass() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.ndjson");
    std::fs::write(&empty, "").unwrap();
    let empty = empty.to_str().unwrap();
    // The URL is never contacted: there is nothing to send.
    hookcheck()
        .args(["replay", "http://127.0.0.1:9/", empty])
        .assert()
        .code(1)
        .stderr(contains("no request to replay").and(contains("--allow-empty")));
    hookcheck()
        .args(["replay", "--allow-empty", "http://127.0.0.1:9/", empty])
        .assert()
        .code(0);
}

/// The help texts name the vendors from their profiles, so a vendor added to
/// `schemas/vendors.txt` shows up in `--help` without a second list to keep.
#[test]
fn help_names_every_built_in_vendor_from_its_profile() {
    // clap wraps help to the terminal width: compare with runs of white space as one space.
    let help = |args: &[&str]| {
        let text = stdout(hookcheck().args(args));
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    };
    let builtin = hookcheck::catalog::Vendor::builtin();
    let top = help(&["--help"]);
    for vendor in &builtin {
        let display = &vendor.profile().display_name;
        assert!(top.contains(display.as_str()), "{display} in:\n{top}");
    }
    let names: Vec<&str> = builtin.iter().map(|v| v.as_str()).collect();
    let choices = format!("{}, or a --catalog vendor", names.join(", "));
    for args in [
        &["list", "--help"][..],
        &["validate", "--help"],
        &["certify", "--help"],
        &["listen", "--help"],
        &["export", "openapi", "--help"],
    ] {
        let text = help(args);
        assert!(
            text.contains(&choices),
            "{choices:?} in `{args:?}`:\n{text}"
        );
    }
}
