//! `hookcheck gen` and `hookcheck coverage` end to end.

use std::process::Output;

use assert_cmd::Command;
use hookcheck::catalog::Catalog;
use serde_json::Value;

fn hookcheck(args: &[&str]) -> Output {
    Command::cargo_bin("hookcheck")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .unwrap()
}

fn lines(out: &Output) -> Vec<Value> {
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn ten_thousand_valid_payloads_same_bytes_every_run() {
    let args = [
        "gen",
        "postal/MessageSent",
        "--count",
        "10000",
        "--seed",
        "7",
    ];
    let first = hookcheck(&args);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&first.stderr),
        "seed: 7 (replay with --seed 7)\n"
    );
    let payloads = lines(&first);
    assert_eq!(payloads.len(), 10_000);
    let entry = Catalog::builtin().lookup("postal/MessageSent").unwrap();
    let validator = entry.validator().unwrap();
    for (i, p) in payloads.iter().enumerate() {
        assert!(
            validator.is_valid(p),
            "payload {i} invalid: {:?}",
            validator.violations(p)
        );
        assert_eq!(
            Catalog::builtin().detect(p, None).unwrap().key(),
            "postal/MessageSent"
        );
    }
    let second = hookcheck(&args);
    assert_eq!(first.stdout, second.stdout, "same seed, same bytes");
    let other = hookcheck(&["gen", "postal/MessageSent", "--count", "10", "--seed", "8"]);
    assert_ne!(
        lines(&other)[..],
        payloads[..10],
        "another seed, other payloads"
    );
}

#[test]
fn invalid_payloads_fail_on_their_label_for_every_event() {
    for entry in Catalog::builtin().entries() {
        let key = entry.key();
        let out = hookcheck(&["gen", &key, "--invalid", "--count", "40", "--seed", "3"]);
        assert!(
            out.status.success(),
            "{key}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let cases = lines(&out);
        assert!(!cases.is_empty(), "{key}: no negatives");
        let validator = entry.validator().unwrap();
        for case in cases {
            let label = &case["label"];
            let violations = validator.violations(&case["payload"]);
            assert!(
                violations.iter().any(|v| v.keyword == label["keyword"]
                    && v.instance_path.as_str() == label["instance_path"]),
                "{key}: {label} not among {violations:?}"
            );
        }
    }
}

#[test]
fn out_dir_writes_files_and_a_label_side_file() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("p");
    let out = hookcheck(&[
        "gen",
        "msndr/clicked",
        "--invalid",
        "--count",
        "5",
        "--seed",
        "1",
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    let labels = std::fs::read_to_string(out_dir.join("labels.ndjson")).unwrap();
    let validator = Catalog::builtin()
        .lookup("msndr/clicked")
        .unwrap()
        .validator()
        .unwrap();
    let mut n = 0;
    for line in labels.lines() {
        let label: Value = serde_json::from_str(line).unwrap();
        let file = out_dir.join(label["file"].as_str().unwrap());
        let payload: Value = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
        let violations = validator.violations(&payload);
        assert!(
            violations
                .iter()
                .any(|v| v.keyword == label["label"]["keyword"])
        );
        n += 1;
    }
    assert_eq!(n, 5);
}

#[test]
fn schema_file_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    let schema = dir.path().join("s.schema.json");
    std::fs::write(
        &schema,
        r#"{"type": "array", "items": {"type": "integer", "multipleOf": 7}, "minItems": 2}"#,
    )
    .unwrap();
    let out = hookcheck(&["gen", "--schema", schema.to_str().unwrap(), "--count", "50"]);
    assert!(out.status.success());
    for v in lines(&out) {
        let items = v.as_array().unwrap();
        assert!(items.len() >= 2);
        assert!(items.iter().all(|i| i.as_i64().unwrap() % 7 == 0));
    }
    std::fs::write(
        &schema,
        r#"{"type": "integer", "minimum": 5, "maximum": 4}"#,
    )
    .unwrap();
    let out = hookcheck(&["gen", "--schema", schema.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unsatisfiable"));
    let out = hookcheck(&["gen", "postal/Nope"]);
    assert_eq!(out.status.code(), Some(2));
    let out = hookcheck(&["gen"]);
    assert_eq!(out.status.code(), Some(2));
}

/// The whole suite is measured by `tests/it/suite_coverage.rs`; here the command runs on a
/// copy of two files (one needing remote refs) to keep the binary's test fast.
#[test]
fn coverage_command_reports_per_file_and_exits_zero() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/json-schema-test-suite");
    let dir = tempfile::tempdir().unwrap();
    let tests = dir.path().join("tests/draft2020-12");
    std::fs::create_dir_all(&tests).unwrap();
    for f in ["const.json", "refRemote.json"] {
        std::fs::copy(src.join("tests/draft2020-12").join(f), tests.join(f)).unwrap();
    }
    copy_dir(&src.join("remotes"), &dir.path().join("remotes"));
    let suite = dir.path().to_str().unwrap();
    let out = hookcheck(&["coverage", suite, "--values", "5", "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["total"]["wrong"], 0);
    assert_eq!(report["files"].as_array().unwrap().len(), 2);
    assert_eq!(report["total"]["covered"], report["total"]["satisfiable"]);
    let out = hookcheck(&["coverage", suite, "--values", "2"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("refRemote.json"), "{text}");
    assert!(
        text.lines()
            .last()
            .unwrap()
            .starts_with("coverage: 100.0% of satisfiable schemas"),
        "{text}"
    );
    let out = hookcheck(&["coverage", "/nonexistent/suite"]);
    assert_eq!(out.status.code(), Some(2));
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}
