//! `hookcheck certify` end to end: usage errors, and merging shard reports.

use assert_cmd::Command;
use predicates::str::contains;

fn hookcheck() -> Command {
    Command::cargo_bin("hookcheck").expect("the binary is built")
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
