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
    assert!(
        !out_dir.join("labels.ndjson").exists(),
        "labels are kept out of the payload directory"
    );
    assert_eq!(std::fs::read_dir(&out_dir).unwrap().count(), 5);
    let labels = std::fs::read_to_string(out_dir.with_file_name("p.labels.ndjson")).unwrap();
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

fn hookcheck_stdin(args: &[&str], stdin: &[u8]) -> Output {
    Command::cargo_bin("hookcheck")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .write_stdin(stdin)
        .output()
        .unwrap()
}

#[test]
fn jobs_do_not_change_a_byte() {
    // More values than one task holds, and a count that does not fill the last task.
    let base = [
        "gen",
        "getmailer/email.received",
        "--count",
        "300",
        "--seed",
        "11",
    ];
    for extra in [&[][..], &["--format", "json"], &["--invalid"]] {
        let run = |jobs: &str| {
            let mut args = base.to_vec();
            args.extend_from_slice(extra);
            args.extend_from_slice(&["--jobs", jobs]);
            let out = hookcheck(&args);
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            out.stdout
        };
        let one = run("1");
        assert!(!one.is_empty());
        for jobs in ["2", "3", "8"] {
            assert!(
                one == run(jobs),
                "{extra:?}: --jobs {jobs} differs from --jobs 1"
            );
        }
    }
}

#[test]
fn json_array_holds_the_ndjson_values() {
    let args = ["gen", "msndr/clicked", "--count", "70", "--seed", "5"];
    let ndjson = lines(&hookcheck(&args));
    let mut json_args = args.to_vec();
    json_args.extend_from_slice(&["--format", "json"]);
    let out = hookcheck(&json_args);
    assert!(out.status.success());
    let array: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(array.as_array().unwrap(), &ndjson);
    // The same layout as a pretty-printed array.
    let pretty = serde_json::to_string_pretty(&array).unwrap() + "\n";
    assert_eq!(String::from_utf8(out.stdout).unwrap(), pretty);
    let out = hookcheck(&["gen", "msndr/clicked", "--count", "0", "--format", "json"]);
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "[]\n");
}

#[test]
fn raw_invalid_payloads_with_side_labels_pipe_into_validate() {
    let dir = tempfile::tempdir().unwrap();
    let labels_path = dir.path().join("l.ndjson");
    let key = "getmailer/email.bounced";
    let args = ["gen", key, "--invalid", "--count", "30", "--seed", "4"];
    let mut raw_args = args.to_vec();
    raw_args.extend_from_slice(&["--labels", labels_path.to_str().unwrap()]);
    let raw = hookcheck(&raw_args);
    assert!(
        raw.status.success(),
        "{}",
        String::from_utf8_lossy(&raw.stderr)
    );
    // The same negatives as the labelled lines, split in two.
    let labelled = lines(&hookcheck(&args));
    let payloads = lines(&raw);
    let labels: Vec<Value> = std::fs::read_to_string(&labels_path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(payloads.len(), labelled.len());
    assert_eq!(labels.len(), labelled.len());
    for (i, ((p, l), both)) in payloads.iter().zip(&labels).zip(&labelled).enumerate() {
        assert_eq!(p, &both["payload"]);
        assert_eq!(l["label"], both["label"]);
        assert_eq!(l["index"], i);
    }
    // validate judges each raw payload against the event and finds it invalid.
    let out = hookcheck_stdin(
        &[
            "validate", "--event", key, "--ndjson", "--format", "json", "-",
        ],
        &raw.stdout,
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = report["results"].as_array().unwrap();
    assert_eq!(results.len(), payloads.len());
    for (r, l) in results.iter().zip(&labels) {
        assert_eq!(r["verdict"], "invalid", "{r}");
        let keyword = &l["label"]["keyword"];
        assert!(
            r["violations"]
                .as_array()
                .unwrap()
                .iter()
                .any(|v| &v["keyword"] == keyword),
            "{r} does not report {keyword}"
        );
    }
    let out = hookcheck(&["gen", key, "--labels", "x.ndjson"]);
    assert_eq!(out.status.code(), Some(2), "--labels needs --invalid");
}

/// Peak RSS of `gen` must not grow with `--count`: measured at 2k and at 20k values (the old
/// buffered writer held about 3 KB a value, 50+ MB more at 20k).
#[cfg(target_os = "linux")]
#[test]
fn memory_is_flat_in_count() {
    let peak = |count: &str, jobs: &str| -> u64 {
        let out = std::process::Command::new("/usr/bin/time")
            .arg("-f")
            .arg("%M")
            .arg(assert_cmd::cargo::cargo_bin("hookcheck"))
            .args(["gen", "postal/MessageSent", "--seed", "1", "--count", count])
            .args(["--jobs", jobs])
            .stdout(std::process::Stdio::null())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stderr = String::from_utf8(out.stderr).unwrap();
        stderr.lines().last().unwrap().trim().parse().unwrap()
    };
    if !std::path::Path::new("/usr/bin/time").exists() {
        return;
    }
    for jobs in ["1", "2"] {
        let small = peak("2000", jobs);
        let large = peak("20000", jobs);
        assert!(
            large <= small + 4 * 1024,
            "--jobs {jobs}: peak RSS {small} KB at 2k values, {large} KB at 20k"
        );
    }
}
