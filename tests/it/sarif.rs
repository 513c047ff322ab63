//! SARIF 2.1.0 from `validate`, `certify` and `listen`: every document valid against the
//! official schema, one result per finding, each located where a code review tool can show it.

use std::{
    path::Path,
    process::{Command, Stdio},
};

use crate::support::listen::{listen, post};
use crate::support::report::{assert_report_schema, assert_sarif_schema};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_hookcheck");
const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn results(sarif: &Value) -> &Vec<Value> {
    sarif["runs"][0]["results"].as_array().unwrap()
}

#[test]
fn validate_gives_a_result_per_violation_at_its_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = dir.path().join("in");
    std::fs::create_dir(&inputs).unwrap();
    let good = std::fs::read_to_string(format!("{ROOT}/schemas/postal/examples/doc002-sent.json"))
        .unwrap();
    let mut bad: Value = serde_json::from_str(&good).unwrap();
    bad["uuid"] = Value::String("not-a-uuid".into());
    bad["payload"]["message"]["token"] = Value::String("bad token".into());
    // Pretty-printed, so that the values sit on lines of their own.
    std::fs::write(
        inputs.join("bad.json"),
        serde_json::to_string_pretty(&bad).unwrap(),
    )
    .unwrap();
    let line2 = serde_json::to_string(&bad).unwrap();
    std::fs::write(
        inputs.join("hooks.ndjson"),
        format!(
            "{}\n{line2}\n",
            serde_json::from_str::<Value>(&good).unwrap()
        ),
    )
    .unwrap();
    let out = dir.path().join("reports");
    let status = Command::new(BIN)
        .args(["validate", "--report", "sarif,json", "--out"])
        .arg(&out)
        .arg("in")
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(1));
    let sarif = read_json(&out.join("report.sarif"));
    assert_sarif_schema(&sarif);
    assert_report_schema(&read_json(&out.join("report.json")));
    let found = results(&sarif);
    // Two invalid payloads, each with its uuid format and pattern and its token pattern.
    let of = |file: &str| -> Vec<&Value> {
        found
            .iter()
            .filter(|r| {
                r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                    .as_str()
                    .is_some_and(|u| u.ends_with(file))
            })
            .collect()
    };
    let pretty = of("bad.json");
    let ndjson = of("hooks.ndjson");
    assert!(
        !pretty.is_empty() && pretty.len() == ndjson.len(),
        "{sarif:#}"
    );
    let text = serde_json::to_string_pretty(&bad).unwrap();
    for r in &pretty {
        let pointer = r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
            .as_str()
            .unwrap();
        let region = &r["locations"][0]["physicalLocation"]["region"];
        let (line, column) = (
            region["startLine"].as_u64().unwrap() as usize,
            region["startColumn"].as_u64().unwrap() as usize,
        );
        // The region points at the offending value itself.
        let at = &text.lines().nth(line - 1).unwrap()[column - 1..];
        let value = bad.pointer(pointer).unwrap();
        assert!(
            at.starts_with(&serde_json::to_string(value).unwrap()),
            "{pointer} at {line}:{column} is {at:?}"
        );
        assert!(r["ruleId"].as_str().unwrap().starts_with("schema/"), "{r}");
    }
    // In NDJSON, the line is the payload's line.
    for r in &ndjson {
        assert_eq!(
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
            2
        );
    }
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert!(
        rules.iter().any(|r| r["id"] == "schema/pattern"),
        "{rules:?}"
    );
}

#[test]
fn certify_gives_a_result_per_failing_cell_at_its_saved_regression() {
    let dir = tempfile::tempdir().unwrap();
    let regressions = dir.path().join("regressions");
    let out = dir.path().join("reports");
    let status = Command::new(BIN)
        .args([
            "certify",
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
            "5",
            "--format",
            "sarif",
            "--out",
        ])
        .arg(&out)
        .arg("--regressions")
        .arg(&regressions)
        .current_dir(ROOT)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(1));
    let sarif = read_json(&out.join("report.sarif"));
    assert_sarif_schema(&sarif);
    let found = results(&sarif);
    assert_eq!(found.len(), 1, "{sarif:#}");
    assert_eq!(found[0]["ruleId"], "certify/no-panic");
    let uri = found[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        .as_str()
        .unwrap();
    assert!(uri.contains("msndr-hard_bounced-no-panic-"), "{uri}");
    let rule = &sarif["runs"][0]["tool"]["driver"]["rules"][0];
    assert!(
        rule["help"]["text"]
            .as_str()
            .unwrap()
            .contains("never panics")
    );
}

#[test]
fn listen_gives_a_result_per_nonconforming_request_at_its_record() {
    let dir = tempfile::tempdir().unwrap();
    let rec = dir.path().join("rec.ndjson");
    let l = listen(&[
        "--expect",
        "3",
        "--timeout",
        "60s",
        "--format",
        "sarif",
        "--out",
        dir.path().to_str().unwrap(),
        "--record",
        rec.to_str().unwrap(),
    ]);
    let good = std::fs::read(format!("{ROOT}/schemas/postal/examples/doc002-sent.json")).unwrap();
    let mut bad: Value = serde_json::from_slice(&good).unwrap();
    bad["uuid"] = Value::String("not-a-uuid".into());
    for (path, body) in [
        ("/good", good.clone()),
        ("/bad", serde_json::to_vec(&bad).unwrap()),
        ("/junk", b"{".to_vec()),
    ] {
        post(&format!("{}{path}", l.url), &[], &body);
    }
    let (code, rest, _) = l.finish();
    assert_eq!(code, 1, "{rest}");
    let sarif = read_json(&dir.path().join("report.sarif"));
    assert_sarif_schema(&sarif);
    let records: Vec<Value> = std::fs::read_to_string(&rec)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let found = results(&sarif);
    assert!(found.len() >= 3, "{sarif:#}");
    for r in found {
        let line = r["locations"][0]["physicalLocation"]["region"]["startLine"]
            .as_u64()
            .unwrap() as usize;
        let record = &records[line - 1];
        assert_ne!(record["outcome"], "conforming", "{r}");
        if r["ruleId"] == "schema/format" {
            assert_eq!(record["path"], "/bad");
            assert_eq!(
                r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
                "/uuid"
            );
        }
    }
    assert!(
        found.iter().any(|r| r["ruleId"] == "listen/nonconforming"),
        "{sarif:#}"
    );
}
