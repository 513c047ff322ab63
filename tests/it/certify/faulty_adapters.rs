//! Real parsers are imperfect: exec adapters that crash, hang, answer garbage, name no event or
//! start slowly on one event fail exactly the cells of that event, on the right property, and
//! the run stays bounded in time. An adapter that cannot start at all stops the run at once.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use hookcheck::report::{Outcome, Report};
use predicates::str::contains;

/// The event the faulty adapter misbehaves on, and one it handles well.
const BAD: &str = "MessageBounced";
const GOOD: &str = "MessageSent";

fn adapter(mode: &str, extra: &str) -> String {
    format!("exec python3 tests/fixtures/faulty_adapter.py {mode} {BAD} {extra}")
}

/// Certifies the faulty adapter on the two events; the report's cells by (event, property),
/// with their outcome and the wall time of the run.
fn certify(mode: &str, extra: &str, dir: &Path) -> (BTreeMap<(String, String), Outcome>, Duration) {
    let started = Instant::now();
    let out = Command::cargo_bin("hookcheck")
        .expect("the binary is built")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["certify", "--exec", &adapter(mode, extra)])
        .args(["--vendor", "postal", "--event", BAD, "--event", GOOD])
        .args([
            "--cases",
            "48",
            "--seed",
            "5",
            "--jobs",
            "2",
            "--time-bound",
            "1s",
        ])
        .args(["--report", "json", "--out"])
        .arg(dir.join("out"))
        .arg("--regressions")
        .arg(dir.join("regressions"))
        .output()
        .expect("certify runs");
    let elapsed = started.elapsed();
    let text = std::fs::read_to_string(dir.join("out/report.json")).unwrap_or_else(|e| {
        panic!(
            "no report ({e}); stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let report: Report = serde_json::from_str(&text).expect("a JSON report");
    let mut cells = BTreeMap::new();
    for case in report.suites.iter().flat_map(|s| &s.cases) {
        let property = case
            .properties
            .iter()
            .find(|p| p.name == "property")
            .map(|p| p.value.clone())
            .expect("a property");
        let event = case.name.split(" × ").next().unwrap_or_default().to_owned();
        cells.insert((event, property), case.outcome.clone());
    }
    (cells, elapsed)
}

fn outcome<'c>(
    cells: &'c BTreeMap<(String, String), Outcome>,
    event: &str,
    property: &str,
) -> &'c Outcome {
    cells
        .get(&(event.to_owned(), property.to_owned()))
        .unwrap_or_else(|| panic!("no cell {event} × {property} in {cells:#?}"))
}

fn failed_with(
    cells: &BTreeMap<(String, String), Outcome>,
    event: &str,
    property: &str,
    text: &str,
) {
    match outcome(cells, event, property) {
        Outcome::Failed { message, .. } => {
            assert!(message.contains(text), "{event} × {property}: {message}");
        }
        other => panic!("{event} × {property} should fail with {text:?}: {other:?}"),
    }
}

/// Every cell of the good event passed.
fn good_event_passes(cells: &BTreeMap<(String, String), Outcome>) {
    for ((event, property), outcome) in cells {
        if event == GOOD {
            assert_eq!(*outcome, Outcome::Passed, "{event} × {property}");
        }
    }
}

fn passed(cells: &BTreeMap<(String, String), Outcome>, event: &str, properties: &[&str]) {
    for property in properties {
        assert_eq!(
            *outcome(cells, event, property),
            Outcome::Passed,
            "{event} × {property}"
        );
    }
}

#[test]
fn crashing_on_one_event_fails_that_event_quickly() {
    let dir = tempfile::tempdir().unwrap();
    let (cells, elapsed) = certify("crash", "", dir.path());
    good_event_passes(&cells);
    failed_with(&cells, BAD, "accepts-valid", "exited with status 3");
    failed_with(&cells, BAD, "no-panic", "crashed");
    // Cells that need an accepted payload never get one: they stop early and fail.
    failed_with(&cells, BAD, "reports-event", "the cell stopped early");
    assert!(elapsed < Duration::from_secs(120), "took {elapsed:?}");
}

#[test]
fn naming_no_event_fails_reports_event_only_and_never_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let (cells, _) = certify("null-event", "", dir.path());
    good_event_passes(&cells);
    failed_with(&cells, BAD, "reports-event", "reported no event name");
    passed(
        &cells,
        BAD,
        &[
            "accepts-valid",
            "rejects-invalid",
            "no-panic",
            "time-bound",
            "deterministic",
        ],
    );
}

#[test]
fn hanging_on_one_event_fails_time_bound_in_bounded_time() {
    let dir = tempfile::tempdir().unwrap();
    let (cells, elapsed) = certify("hang", "", dir.path());
    good_event_passes(&cells);
    failed_with(&cells, BAD, "time-bound", "no answer within the 1s bound");
    failed_with(&cells, BAD, "accepts-valid", "did not answer");
    // Every cell of the event stops after a few timeouts (3 per cell, 2 more while shrinking).
    assert!(elapsed < Duration::from_secs(150), "took {elapsed:?}");
}

#[test]
fn one_garbage_line_fails_that_case_and_the_adapter_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let (cells, _) = certify("garbage", "", dir.path());
    good_event_passes(&cells);
    failed_with(&cells, BAD, "accepts-valid", "not a JSON object");
}

#[test]
fn a_slow_starting_adapter_passes() {
    let dir = tempfile::tempdir().unwrap();
    let (cells, _) = certify("none", "--slow-start", dir.path());
    for ((event, property), outcome) in &cells {
        assert_eq!(*outcome, Outcome::Passed, "{event} × {property}");
    }
    assert!(cells.len() >= 14, "{cells:#?}");
}

#[test]
fn an_adapter_that_does_not_start_stops_the_run_at_once() {
    let dir = tempfile::tempdir().unwrap();
    for command in [
        "exec /nonexistent/adapter",
        "echo 'cannot load model' >&2; exit 7",
    ] {
        let started = Instant::now();
        Command::cargo_bin("hookcheck")
            .unwrap()
            .args([
                "certify",
                "--exec",
                command,
                "--cases",
                "8",
                "--regressions",
            ])
            .arg(dir.path().join("regressions"))
            .assert()
            .code(2)
            .stderr(contains("did not start"))
            .stderr(contains("nothing was certified"));
        assert!(started.elapsed() < Duration::from_secs(15), "{command}");
    }
    // Nothing was saved as a regression.
    assert!(!dir.path().join("regressions").exists());
}

#[test]
fn an_unreachable_url_stops_the_run_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    for url in [
        format!("http://127.0.0.1:{port}/hooks"),
        "127.0.0.1:8080/hooks".to_owned(),
    ] {
        Command::cargo_bin("hookcheck")
            .unwrap()
            .args(["certify", "--url", &url, "--cases", "8", "--regressions"])
            .arg(dir.path().join("regressions"))
            .assert()
            .code(2)
            .stderr(contains("nothing was certified"));
    }
    assert!(!dir.path().join("regressions").exists());
}
