//! Schema coverage of what `listen` received, and its gates `--require-events` and
//! `--min-coverage`; `validate --coverage` on the same payloads.

use std::process::Command;

use crate::support::listen::{listen, post};
use crate::support::report::assert_report_schema;
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_hookcheck");
const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn example(path: &str) -> Value {
    serde_json::from_slice(&std::fs::read(format!("{ROOT}/schemas/{path}")).unwrap()).unwrap()
}

/// How many webhook events the catalog documents for Postal.
fn postal_events() -> usize {
    use hookcheck::catalog::{Catalog, EntryKind, Vendor};
    Catalog::builtin()
        .vendor_entries(Vendor::POSTAL)
        .filter(|e| e.kind() == EntryKind::Webhook)
        .count()
}

fn sent() -> Value {
    example("postal/examples/doc000-message-status.json")
}

/// Runs `hookcheck listen ARGS --expect N`, posts `bodies`, and returns the exit code and
/// stdout.
fn session(args: &[&str], bodies: &[Value]) -> (i32, String) {
    let expect = bodies.len().to_string();
    let mut all = vec!["--expect", expect.as_str(), "--timeout", "60s"];
    all.extend_from_slice(args);
    let l = listen(&all);
    let json = [("content-type".to_owned(), "application/json".to_owned())];
    for b in bodies {
        let status = post(&l.url, &json, b.to_string().as_bytes());
        assert_eq!(status, 200, "{b}");
    }
    let (code, rest, _) = l.finish();
    (code, rest)
}

fn line_with<'a>(out: &'a str, start: &str) -> &'a str {
    out.lines()
        .find(|l| l.trim_start().starts_with(start))
        .unwrap_or_else(|| panic!("no line starting {start:?} in\n{out}"))
}

/// `(covered, items)` from a line ending `... C of N item(s)...`.
fn covered_of(line: &str) -> (u64, u64) {
    let words: Vec<&str> = line.split_whitespace().collect();
    let at = words.iter().position(|w| *w == "of").unwrap();
    let at = at
        + words[at + 1..]
            .iter()
            .position(|w| w.starts_with("item"))
            .unwrap();
    let (c, n) = (words[at - 2], words[at]);
    (c.parse().unwrap(), n.parse().unwrap())
}

#[test]
fn the_summary_counts_events_and_the_items_their_bodies_covered() {
    let one = sent();
    let mut two = sent();
    // `tag` is nullable: not null in one body, null in the other.
    two["payload"]["message"]["tag"] = Value::Null;
    let (code, out) = session(&["--vendor", "postal"], std::slice::from_ref(&one));
    assert_eq!(code, 0, "{out}");
    let event = line_with(&out, "postal/MessageSent x1:");
    let (c1, n1) = covered_of(event);
    assert!(c1 > 0 && c1 < n1, "{event}");
    assert!(
        out.contains("not covered: /payload/message/tag null"),
        "{out}"
    );
    assert!(
        line_with(&out, "coverage postal:")
            .contains(&format!("1 of {} event(s) seen", postal_events())),
        "{out}"
    );
    assert!(line_with(&out, "never received:").contains("postal/MessageBounced"));

    let (code, out) = session(&["--vendor", "postal"], &[one, two]);
    assert_eq!(code, 0, "{out}");
    let event = line_with(&out, "postal/MessageSent x2:");
    let (c2, n2) = covered_of(event);
    assert_eq!(n2, n1);
    assert!(
        c2 > c1,
        "a second body with nulls covers more: {c1} then {c2}"
    );
    assert!(
        !out.contains("not covered: /payload/message/tag null"),
        "{out}"
    );
}

#[test]
fn required_events_fail_the_session_naming_the_missing_ones() {
    let (code, out) = session(
        &["--require-events", "MessageSent,postal/MessageBounced"],
        &[sent()],
    );
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("1 required event(s) never arrived: postal/MessageBounced"),
        "{out}"
    );
    let (code, out) = session(&["--require-events", "postal/MessageSent"], &[sent()]);
    assert_eq!(code, 0, "{out}");
    // `all` is every event of the vendors seen: Postal has more than MessageSent.
    let (code, out) = session(&["--require-events", "all"], &[sent()]);
    assert_eq!(code, 1, "{out}");
    let missing = format!("{} required event(s) never arrived", postal_events() - 1);
    assert!(out.contains(&missing), "{out}");
    assert!(!out.contains("msndr/"), "only the vendors seen: {out}");
}

#[test]
fn min_coverage_is_measured_on_the_events_in_scope() {
    let (code, out) = session(
        &["--require-events", "MessageSent", "--min-coverage", "1"],
        &[sent()],
    );
    assert_eq!(code, 0, "{out}");
    let (c, n) = covered_of(line_with(&out, "coverage of the events in scope:"));
    let got = c as f64 * 100.0 / n as f64;
    let above = format!("{}", (got + 1.0).ceil().min(100.0));
    let (code, out) = session(
        &["--require-events", "MessageSent", "--min-coverage", &above],
        &[sent()],
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("is below the minimum of"), "{out}");
}

#[test]
fn bad_gate_arguments_are_usage_errors_with_a_suggestion() {
    let out = Command::new(BIN)
        .args(["listen", "--require-events", "MesageSent", "--expect", "0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("postal/MessageSent"), "{err}");
    let out = Command::new(BIN)
        .args([
            "listen",
            "--vendor",
            "postal",
            "--require-events",
            "msndr/clicked",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not an event of --vendor postal"), "{err}");
    let out = Command::new(BIN)
        .args([
            "listen",
            "--require-events",
            "msndr/api.webhook.get.response",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = Command::new(BIN)
        .args(["listen", "--min-coverage", "120", "--expect", "0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn every_report_format_carries_the_coverage() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().to_str().unwrap();
    let (code, out) = session(
        &[
            "--require-events",
            "MessageSent,MessageBounced",
            "--format",
            "json,junit,markdown,text",
            "--out",
            out_dir,
        ],
        &[sent()],
    );
    assert_eq!(code, 1, "{out}");
    let read = |f: &str| std::fs::read_to_string(dir.path().join(f)).unwrap();
    let json: Value = serde_json::from_str(&read("report.json")).unwrap();
    assert_report_schema(&json);
    let coverage = &json["coverage"];
    assert_eq!(coverage["missing"], json!(["postal/MessageBounced"]));
    let events = coverage["vendors"][0]["event_list"].as_array().unwrap();
    let sent = events
        .iter()
        .find(|e| e["event"] == "postal/MessageSent")
        .unwrap();
    assert_eq!(sent["count"], 1);
    assert!(sent["covered"].as_u64().unwrap() > 0);
    assert!(!sent["uncovered"].as_array().unwrap().is_empty());
    let gate = json["suites"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "(coverage)")
        .unwrap();
    assert_eq!(gate["cases"][0]["outcome"]["status"], "failed");
    let junit = read("junit.xml");
    assert!(junit.contains(r#"name="coverage.postal/MessageSent" value="received 1,"#));
    assert!(junit.contains("required events"));
    let md = read("report.md");
    assert!(md.contains("## Coverage"), "{md}");
    assert!(md.contains("| postal/MessageSent | 1 |"), "{md}");
    let text = read(hookcheck::report::Format::Text.file_name());
    assert!(text.contains("postal/MessageSent x1:"), "{text}");
}

#[test]
fn validate_reports_the_coverage_of_the_payloads_it_read() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.json"), sent().to_string()).unwrap();
    let out = Command::new(BIN)
        .args(["validate", "--coverage"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("postal/MessageSent x1:"), "{text}");
    let seen = format!("coverage postal: 1 of {} event(s) seen", postal_events());
    assert!(text.contains(&seen), "{text}");
    let out = Command::new(BIN)
        .args(["validate", "--coverage", "--format", "json"])
        .arg(dir.path())
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let postal = &doc["coverage"]["vendors"][0];
    assert_eq!(postal["vendor"], "postal");
    assert_eq!(postal["events_seen"], 1);
    // Without --coverage, no coverage.
    let out = Command::new(BIN)
        .args(["validate", "--format", "json"])
        .arg(dir.path())
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(doc.get("coverage").is_none());
}

#[test]
fn certify_reports_the_coverage_of_the_valid_payloads_it_sent() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_hookcheck"))
        .args([
            "certify",
            "--vendor",
            "postal",
            "--property",
            "accepts-valid",
            "--cases",
            "8",
            "--seed",
            "3",
            "--coverage",
            "--format",
            "json,human",
            "--out",
        ])
        .arg(dir.path())
        .arg("--regressions")
        .arg(dir.path().join("regressions"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("report.json")).unwrap())
            .unwrap();
    assert_report_schema(&report);
    let postal = &report["coverage"]["vendors"][0];
    assert_eq!(postal["vendor"], "postal");
    assert_eq!(postal["events_seen"], postal_events());
    let (covered, items) = (
        postal["covered"].as_u64().unwrap(),
        postal["items"].as_u64().unwrap(),
    );
    assert!(covered > 0 && covered <= items, "{postal}");
    // Eight valid payloads per event were sent, and counted.
    for event in postal["event_list"].as_array().unwrap() {
        assert_eq!(event["count"], 8, "{event}");
    }
    let text = std::fs::read_to_string(dir.path().join("report.txt")).unwrap();
    assert!(
        text.contains("coverage postal: 10 of 10 event(s) seen"),
        "{text}"
    );
}
