//! `listen --fail-first`: scripted producers that retry correctly, never retry, or change
//! the body on retry each get the right verdict; duplicates are noted without it.

use std::{thread, time::Duration};

use serde_json::Value;

use crate::support::listen::{agent, listen};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// A Postal MessageSent with its own webhook id.
fn postal(n: u32) -> Vec<u8> {
    let mut v: Value = serde_json::from_slice(
        &std::fs::read(format!(
            "{ROOT}/schemas/postal/examples/doc000-message-status.json"
        ))
        .unwrap(),
    )
    .unwrap();
    v["uuid"] = Value::String(format!("0b4a3e1c-6a8d-4f7e-9c2b-3d5e6f7a{n:04x}"));
    serde_json::to_vec(&v).unwrap()
}

fn msndr() -> Vec<u8> {
    std::fs::read(format!("{ROOT}/schemas/msndr/examples/doc003-clicked.json")).unwrap()
}

/// One delivery attempt: the status, or `None` when the request failed (timed out).
fn deliver(agent: &ureq::Agent, url: &str, body: &[u8]) -> Option<u16> {
    agent
        .post(url)
        .header("content-type", "application/json")
        .send(body)
        .ok()
        .map(|r| r.status().as_u16())
}

/// How a scripted producer behaves when a delivery is not accepted.
#[derive(Clone, Copy)]
enum Producer {
    /// Delivers the same bytes again after a pause, until accepted.
    Retries,
    /// Gives up at once.
    NeverRetries,
    /// Delivers again, with a changed body (the same event id).
    ChangesBody,
}

fn produce(agent: &ureq::Agent, url: &str, body: &[u8], how: Producer) {
    let mut body = body.to_vec();
    for _ in 0..5 {
        if deliver(agent, url, &body) == Some(200) {
            return;
        }
        match how {
            Producer::NeverRetries => return,
            Producer::Retries => {}
            Producer::ChangesBody => {
                let mut v: Value = serde_json::from_slice(&body).unwrap();
                v["payload"]["details"] = Value::String("retried".into());
                body = serde_json::to_vec(&v).unwrap();
            }
        }
        thread::sleep(Duration::from_millis(100));
    }
}

fn line<'a>(out: &'a str, start: &str) -> &'a str {
    out.lines()
        .find(|l| l.starts_with(start))
        .unwrap_or_else(|| panic!("no line starting {start:?} in\n{out}"))
}

#[test]
fn a_producer_that_retries_the_same_body_passes_and_the_delays_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let l = listen(&[
        "--fail-first",
        "2",
        "--expect",
        "3",
        "--timeout",
        "60s",
        "--format",
        "json",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    let a = agent(Duration::from_secs(10));
    for n in 0..2 {
        produce(&a, &l.url, &postal(n), Producer::Retries);
    }
    produce(&a, &l.url, &msndr(), Producer::Retries);
    let (code, out, _) = l.finish();
    assert_eq!(code, 0, "{out}");
    let retries = line(&out, "retries:");
    assert!(
        retries.starts_with("retries: 3 event(s), 6 deferred, 6 retried; retry delay min"),
        "{out}"
    );
    // The producer pauses 100 ms before each retry.
    let min: f64 = retries
        .split("min ")
        .nth(1)
        .and_then(|s| s.split('s').next())
        .unwrap()
        .parse()
        .unwrap();
    assert!(min >= 0.09, "{retries}");
    assert!(out.contains("6 deferred on purpose"), "{out}");
    assert!(!out.contains("duplicate"), "{out}");
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("report.json")).unwrap())
            .unwrap();
    crate::support::report::assert_report_schema(&report);
    let suite = report["suites"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "(deliveries)")
        .unwrap();
    for case in suite["cases"].as_array().unwrap() {
        assert_eq!(case["outcome"]["status"], "passed", "{case}");
    }
}

#[test]
fn a_producer_that_never_retries_fails_naming_the_events() {
    let l = listen(&["--fail-first", "1", "--timeout", "3s"]);
    let a = agent(Duration::from_secs(10));
    produce(&a, &l.url, &postal(7), Producer::NeverRetries);
    produce(&a, &l.url, &msndr(), Producer::NeverRetries);
    let (code, out, _) = l.finish();
    assert_eq!(code, 1, "{out}");
    let failed = line(&out, "retry check failed:");
    assert!(
        failed.contains(
            "2 deferred event(s) never delivered again: #1 postal/MessageSent, #2 msndr/clicked"
        ),
        "{out}"
    );
    assert!(!out.contains("different from the first"), "{out}");
}

#[test]
fn a_producer_that_changes_the_body_on_retry_fails() {
    let l = listen(&["--fail-first", "1", "--expect", "1", "--timeout", "60s"]);
    let a = agent(Duration::from_secs(10));
    produce(&a, &l.url, &postal(3), Producer::ChangesBody);
    let (code, out, _) = l.finish();
    assert_eq!(code, 1, "{out}");
    assert!(
        line(&out, "retry check failed:").contains(
            "1 retr(y/ies) with a body different from the first delivery: #2 postal/MessageSent"
        ),
        "{out}"
    );
    assert!(!out.contains("never delivered again"), "{out}");
}

#[test]
fn a_stall_outlasts_the_sender_timeout_and_a_retry_after_it_passes() {
    let l = listen(&[
        "--fail-first",
        "1",
        "--fail-mode",
        "timeout",
        "--stall",
        "2s",
        "--expect",
        "1",
        "--timeout",
        "60s",
        "--grace",
        "3s",
    ]);
    let a = agent(Duration::from_millis(500));
    // The first attempt times out on the client side; the retry is accepted.
    assert_eq!(deliver(&a, &l.url, &postal(9)), None);
    assert_eq!(deliver(&a, &l.url, &postal(9)), Some(200));
    let (code, out, _) = l.finish();
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("retries: 1 event(s), 1 deferred, 1 retried"),
        "{out}"
    );
}

#[test]
fn without_fail_first_duplicates_are_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let l = listen(&[
        "--expect",
        "3",
        "--timeout",
        "60s",
        "--format",
        "json",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    let a = agent(Duration::from_secs(10));
    for body in [postal(1), postal(1), postal(2)] {
        assert_eq!(deliver(&a, &l.url, &body), Some(200));
    }
    let (code, out, _) = l.finish();
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains(
            "note: 1 duplicate delivery(ies) of an event already accepted: #2 postal/MessageSent"
        ),
        "{out}"
    );
    assert!(!out.contains("retries:"), "{out}");
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("report.json")).unwrap())
            .unwrap();
    let note = report["properties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "duplicates")
        .unwrap();
    assert!(
        note["value"]
            .as_str()
            .unwrap()
            .starts_with("1 delivery(ies)"),
        "{note}"
    );
    assert!(report["totals"]["failed"] == 0, "{report}");
}
