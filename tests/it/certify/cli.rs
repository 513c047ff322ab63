//! `hookcheck certify` end to end: usage errors, real runs, shard merging, regressions.

use std::path::Path;

use assert_cmd::Command;
use hookcheck::report::Report;
use predicates::prelude::PredicateBooleanExt;
use predicates::str::contains;

fn hookcheck() -> Command {
    let mut cmd = Command::cargo_bin("hookcheck").expect("the binary is built");
    // Relative paths (`examples/…`, `tests/fixtures/…`) are the repository's.
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

/// `hookcheck certify` with `args`, saving regressions under `regressions`.
fn certify(regressions: &Path, args: &[&str]) -> Command {
    let mut cmd = hookcheck();
    cmd.arg("certify")
        .args(args)
        .arg("--regressions")
        .arg(regressions);
    cmd
}

fn read_report(path: &Path) -> Report {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// What must be equal between two reports of the same run: every case without its timing,
/// nothing about how the run was split or invoked.
fn comparable(report: &Report) -> Report {
    let mut r = report.without_timings();
    r.properties
        .retain(|p| p.name != "shard" && p.name != "command");
    r
}

#[test]
fn a_real_run_passes_and_prints_its_seed() {
    let dir = tempfile::tempdir().unwrap();
    certify(
        dir.path(),
        &["--vendor", "msndr", "--cases", "4", "--seed", "4242"],
    )
    .assert()
    .code(0)
    .stderr(contains("seed: 4242; replay with --seed 4242"))
    .stdout(contains(
        "hookcheck certify --seed 4242 --cases 4 --vendor msndr",
    ))
    .stdout(contains("PASS  clicked × accepts-valid"))
    .stdout(contains("FAIL").not());
    // Nothing failed, so nothing was saved.
    assert_eq!(
        std::fs::read_dir(dir.path())
            .map(Iterator::count)
            .unwrap_or(0),
        0
    );
}

#[test]
fn shard_reports_merge_into_the_unsharded_run() {
    let dir = tempfile::tempdir().unwrap();
    let run = |name: &str, extra: &[&str]| {
        let out = dir.path().join(name);
        let mut args = vec!["--vendor", "getmailer", "--cases", "4", "--seed", "9"];
        args.extend_from_slice(extra);
        certify(&dir.path().join("regressions"), &args)
            .args(["--report", "json", "--out"])
            .arg(&out)
            .assert()
            .code(0);
        out.join("report.json")
    };
    let whole = read_report(&run("whole", &[]));
    let one = run("one", &["--shard", "1/2"]);
    let two = run("two", &["--shard", "2/2"]);
    let merged = hookcheck()
        .args(["certify", "--report", "json", "--merge"])
        .arg(&two)
        .arg(&one)
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let merged: Report = serde_json::from_slice(&merged).unwrap();
    assert_eq!(merged.totals(), whole.totals());
    assert_eq!(whole.totals().tests, 17 * 7);
    assert_eq!(comparable(&merged), comparable(&whole));
    // Each shard ran part of the matrix.
    let (one, two) = (read_report(&one), read_report(&two));
    assert!(one.totals().tests > 0 && two.totals().tests > 0);
    assert_eq!(
        one.totals().tests + two.totals().tests,
        whole.totals().tests
    );
}

#[test]
fn the_python_example_adapter_passes_a_reduced_run() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    certify(
        &dir.path().join("regressions"),
        &[
            "--exec",
            "python3 examples/exec_adapter.py",
            "--event",
            "postal/MessageBounced",
            "--event",
            "msndr/clicked",
            "--event",
            "getmailer/email.received",
            "--cases",
            "6",
            "--seed",
            "31",
            "--report",
            "json",
        ],
    )
    .arg("--out")
    .arg(&out)
    .assert()
    .code(0);
    let report = read_report(&out.join("report.json"));
    let totals = report.totals();
    assert_eq!((totals.tests, totals.passed), (3 * 7, 3 * 7), "{totals:?}");
}

#[test]
fn a_crashing_adapter_fails_saves_the_counterexample_and_replays_it_first() {
    let dir = tempfile::tempdir().unwrap();
    let regressions = dir.path().join("regressions");
    let args = |seed: &'static str| {
        [
            "--exec",
            "python3 tests/fixtures/crashing_adapter.py",
            "--event",
            "msndr/hard_bounced",
            "--event",
            "msndr/soft_bounced",
            "--property",
            "no-panic",
            "--cases",
            "16",
            "--seed",
            seed,
        ]
    };
    let first = certify(&regressions, &args("5"))
        .assert()
        .code(1)
        .stderr(contains("FAILED msndr/hard_bounced/no-panic"))
        .stdout(contains("PASS  soft_bounced × no-panic"))
        .stdout(contains("crashed"))
        .get_output()
        .stdout
        .clone();
    let saved: Vec<_> = std::fs::read_dir(&regressions)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(saved.len(), 1, "{saved:?}");
    let name = saved[0].file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.starts_with("msndr-hard_bounced-no-panic-"), "{name}");
    let first = String::from_utf8(first).unwrap();
    assert!(
        first.contains(&format!("saved: {}", saved[0].display())),
        "{first}"
    );
    let regression: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&saved[0]).unwrap()).unwrap();
    assert_eq!(regression["property"], "no-panic");

    // Another seed: the saved case is replayed before anything is generated, and still fails.
    certify(&regressions, &args("6"))
        .assert()
        .code(1)
        .stderr(contains("replaying 1 saved regression(s) first"))
        .stdout(contains("replayed from a saved regression"))
        .stdout(contains(format!("saved: {}", saved[0].display())));
    assert_eq!(std::fs::read_dir(&regressions).unwrap().count(), 1);
}

#[test]
fn bad_flags_exit_2() {
    hookcheck()
        .args(["certify", "--shard", "3/2"])
        .assert()
        .code(2)
        .stderr(contains("1 <= I <= N"));
    hookcheck()
        .args(["certify", "--property", "fast"])
        .assert()
        .code(2)
        .stderr(contains("no-panic"));
    hookcheck()
        .args(["certify", "--report", "pdf"])
        .assert()
        .code(2)
        .stderr(contains("unknown report format"));
}

#[test]
fn unknown_events_exit_2_with_a_suggestion() {
    hookcheck()
        .args(["certify", "--vendor", "postal", "--event", "messagesent"])
        .assert()
        .code(2)
        .stderr(contains("did you mean \"MessageSent\""));
}

#[test]
fn merging_needs_every_shard_of_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let shard = |i: u32| {
        serde_json::json!({
            "tool": "hookcheck test", "title": "certification of reference", "seed": 5,
            "properties": [{"name": "shard", "value": format!("{i}/2")}],
            "suites": [{"name": "msndr", "cases": [{
                "name": format!("clicked × p{i}"), "classname": "hookcheck.certify.msndr",
                "outcome": {"status": "passed"},
                "properties": [{"name": "position", "value": i.to_string()}]}]}]
        })
    };
    let one = dir.path().join("one.json");
    let two = dir.path().join("two.json");
    std::fs::write(&one, shard(1).to_string()).unwrap();
    std::fs::write(&two, shard(2).to_string()).unwrap();
    hookcheck()
        .args(["certify", "--report", "json", "--merge"])
        .arg(&one)
        .assert()
        .code(2)
        .stderr(contains("shard 2/2 is missing"));
    let out = hookcheck()
        .args(["certify", "--report", "json", "--merge"])
        .arg(&two)
        .arg(&one)
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let merged: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let names: Vec<&str> = merged["suites"][0]["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["clicked × p1", "clicked × p2"]);
}

#[test]
fn sigterm_writes_a_partial_report_with_the_unfinished_cells_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("hookcheck"))
        .args(["certify", "--cases", "100000", "--seed", "3", "--jobs", "1"])
        .args(["--report", "json", "--out"])
        .arg(&out)
        .arg("--regressions")
        .arg(dir.path().join("regressions"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_secs(2));
    let pid = child.id().to_string();
    assert!(
        std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(2), "an interrupted run is not a pass");
    let report = read_report(&out.join("report.json"));
    let skipped: Vec<_> = report
        .suites
        .iter()
        .flat_map(|s| &s.cases)
        .filter(|c| {
            matches!(&c.outcome, hookcheck::report::Outcome::Skipped { reason } if reason.contains("interrupted"))
        })
        .collect();
    assert!(!skipped.is_empty(), "no cell was marked interrupted");
    assert_eq!(report.totals().failed, 0);
}

#[test]
fn runs_that_would_certify_nothing_or_cannot_merge_are_usage_errors() {
    for (args, says) in [
        (&["--cases", "0"][..], "--cases 0 would certify nothing"),
        (
            &["--time-bound", "0s"][..],
            "--time-bound 0s leaves no time",
        ),
        (&["--jobs", "0"][..], "--jobs 0"),
        (&["--shard", "1/2"][..], "--seed \"$GITHUB_RUN_ID\""),
    ] {
        hookcheck()
            .arg("certify")
            .args(args)
            .assert()
            .code(2)
            .stderr(contains(says));
    }
}

#[test]
fn the_report_is_the_same_for_any_number_of_jobs() {
    let dir = tempfile::tempdir().unwrap();
    let run = |jobs: &str| {
        let out = dir.path().join(format!("jobs{jobs}"));
        // A parser that crashes on one event, so that failures, stops and shrinking are part
        // of what must not depend on the number of jobs.
        certify(
            &dir.path().join(format!("regressions{jobs}")),
            &[
                "--exec",
                "exec python3 tests/fixtures/faulty_adapter.py crash hard_bounced",
                "--vendor",
                "msndr",
                "--cases",
                "24",
                "--seed",
                "77",
                // A bound no restart reaches on a loaded machine: answer times, which
                // the load decides, are not part of what is compared.
                "--time-bound",
                "60s",
                "--jobs",
                jobs,
            ],
        )
        .args(["--report", "json", "--out"])
        .arg(&out)
        .assert()
        .code(1);
        let mut report = comparable(&read_report(&out.join("report.json")));
        // The regression files live in each run's own directory.
        for case in report.suites.iter_mut().flat_map(|s| s.cases.iter_mut()) {
            if let hookcheck::report::Outcome::Failed {
                detail: Some(detail),
                ..
            } = &mut case.outcome
            {
                *detail = detail.replace(&format!("regressions{jobs}"), "regressions");
            }
            for finding in &mut case.findings {
                finding.file = finding
                    .file
                    .as_ref()
                    .map(|f| f.replace(&format!("regressions{jobs}"), "regressions"));
            }
        }
        report
    };
    let one = run("1");
    assert_eq!(one, run("3"));
    assert!(one.totals().failed > 0);
}
