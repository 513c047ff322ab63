//! The `hookcheck listen` and `hookcheck replay` binaries end to end: the address line,
//! exit codes, report files, the recording, Ctrl-C, and replaying signed payloads.

use crate::support::listen::{listen, post};
use crate::support::report as report_support;

use std::{
    io::{BufRead, BufReader, Read},
    path::Path,
    process::{Child, Command, Stdio},
    time::Duration,
};

use hookcheck::signature::{Signer, getmailer::GetMailer};
use report_support::{assert_report_schema, parse_junit, snapshot_settings};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_hookcheck");
const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn example(path: &str) -> Vec<u8> {
    std::fs::read(format!("{ROOT}/schemas/{path}")).unwrap()
}

fn bad_postal() -> Vec<u8> {
    let mut v: Value =
        serde_json::from_slice(&example("postal/examples/doc002-sent.json")).unwrap();
    v["uuid"] = Value::String("not-a-uuid <&>".into());
    serde_json::to_vec(&v).unwrap()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn conforming_traffic_exits_0_and_writes_every_report() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("reports");
    let rec = dir.path().join("rec.ndjson");
    let l = listen(&[
        "--expect",
        "3",
        "--timeout",
        "60s",
        "--report",
        "junit,json,markdown,text",
        "--out",
        out.to_str().unwrap(),
        "--record",
        rec.to_str().unwrap(),
    ]);
    for (path, body) in [
        ("/postal", example("postal/examples/doc002-sent.json")),
        ("/msndr", example("msndr/examples/doc003-clicked.json")),
        (
            "/getmailer",
            example("getmailer/examples/doc004-email-sent.json"),
        ),
    ] {
        assert_eq!(post(&format!("{}{path}", l.url), &[], &body), 200);
    }
    let (code, stdout, stderr) = l.finish();
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(
        stdout.contains("#1 POST /postal -> 200 conforming postal/MessageSent"),
        "{stdout}"
    );
    assert!(
        stdout.contains("3 request(s): 3 conforming, 0 nonconforming"),
        "{stdout}"
    );
    for name in ["junit.xml", "report.json", "report.md", "report.txt"] {
        assert!(out.join(name).is_file(), "{name} missing");
    }
    let junit = parse_junit(&read(&out.join("junit.xml")));
    assert_eq!((junit.totals.tests, junit.totals.failures), (3, 0));
    let doc: Value = serde_json::from_str(&read(&out.join("report.json"))).unwrap();
    assert_report_schema(&doc);
    assert!(read(&out.join("report.md")).contains("**PASSED**: all 3 checks held"));
    assert_eq!(read(&rec).lines().count(), 3);
}

#[test]
fn one_nonconforming_payload_exits_1_and_the_reports_say_why() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r");
    let l = listen(&[
        "--expect",
        "3",
        "--timeout",
        "60s",
        "--report",
        "junit,markdown",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(
        post(
            &format!("{}/ok", l.url),
            &[],
            &example("postal/examples/doc002-sent.json")
        ),
        200
    );
    assert_eq!(post(&format!("{}/bad", l.url), &[], &bad_postal()), 400);
    assert_eq!(post(&format!("{}/junk", l.url), &[], b"\xff\xfe{"), 400);
    let (code, stdout, stderr) = l.finish();
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    assert!(
        stdout.contains("#2 POST /bad -> 400 nonconforming postal/MessageSent: /uuid"),
        "{stdout}"
    );
    let junit_text = read(&out.join("junit.xml"));
    let junit = parse_junit(&junit_text);
    assert_eq!((junit.totals.tests, junit.totals.failures), (3, 2));
    let bad = junit
        .cases
        .iter()
        .find(|c| c.name.contains("/bad"))
        .unwrap();
    assert_eq!(bad.result, "failure");
    assert!(bad.body.contains("/uuid: format"), "{}", bad.body);
    assert!(
        bad.body.contains("not-a-uuid <&>"),
        "the raw body is in the failure"
    );
    let filters = [
        (r"127\.0\.0\.1:\d+", "[ADDR]"),
        (r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z?", "[TIME]"),
        (r#"time="[0-9.]+""#, r#"time="[SECS]""#),
        (r"\| Duration \| [0-9.]+s \|", "| Duration | [SECS] |"),
        (r"hookcheck \d+\.\d+\.\d+\S*", "hookcheck [VERSION]"),
    ];
    let mut settings = snapshot_settings();
    for (re, with) in filters {
        settings.add_filter(re, with);
    }
    settings.bind(|| {
        insta::assert_snapshot!("listen_junit", junit_text);
        insta::assert_snapshot!("listen_markdown", read(&out.join("report.md")));
    });
}

#[test]
fn ctrl_c_stops_the_listener_and_it_still_reports() {
    let l = listen(&[]);
    assert_eq!(
        post(
            &format!("{}/x", l.url),
            &[],
            &example("msndr/examples/doc003-clicked.json")
        ),
        200
    );
    let pid = l.child.id().to_string();
    let status = Command::new("kill").args(["-INT", &pid]).status().unwrap();
    assert!(status.success());
    let (code, stdout, _) = l.finish();
    assert_eq!(code, 0, "{stdout}");
    assert!(
        stdout.contains("1 request(s): 1 conforming") && stdout.contains("(interrupted)"),
        "{stdout}"
    );
}

#[test]
fn usage_errors_exit_2() {
    let run = |args: &[&str]| Command::new(BIN).args(args).output().unwrap();
    let o = run(&["listen", "--report", "yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("unknown report format"));
    let o = run(&["listen", "--postal-public-key", "/nonexistent/key.pem"]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&["listen", "--standard-webhooks-secret", "whsec_"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("empty"),
        "{o:?}"
    );
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let o = run(&["listen", "--bind", &addr]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    let o = run(&["replay", "https://example.com/hook", "x.json"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn replay_signs_as_the_vendor_and_exits_by_the_answers() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.json");
    let bad = dir.path().join("bad.json");
    let gm_body = example("getmailer/examples/doc004-email-sent.json");
    std::fs::write(&good, &gm_body).unwrap();
    std::fs::write(&bad, bad_postal()).unwrap();
    let rec = dir.path().join("rec.ndjson");

    // All accepted: exit 0, and the listener saw a valid GetMailer signature.
    let l = listen(&[
        "--expect",
        "1",
        "--timeout",
        "60s",
        "--secret",
        "s3cret",
        "--record",
        rec.to_str().unwrap(),
    ]);
    let o = Command::new(BIN)
        .args([
            "replay",
            "--secret",
            "s3cret",
            &format!("{}/hook", l.url),
            good.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("good.json -> 200"), "{stdout}");
    let (code, _, _) = l.finish();
    assert_eq!(code, 0);
    let line: Value = serde_json::from_str(read(&rec).lines().next().unwrap()).unwrap();
    let expected = GetMailer::new("s3cret").unwrap().sign(&gm_body).unwrap();
    let sent = line["headers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["name"] == "x-getmailer-signature")
        .unwrap();
    assert_eq!(sent["value"], expected[0].1.as_str());

    // Replaying that recording (path kept) plus a nonconforming file: exit 1.
    let l = listen(&["--expect", "2", "--timeout", "60s"]);
    let o = Command::new(BIN)
        .args([
            "replay",
            "--keep-path",
            &l.url,
            rec.to_str().unwrap(),
            bad.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("rec.ndjson:1 -> 200"), "{stdout}");
    assert!(stdout.contains("bad.json -> 400"), "{stdout}");
    assert!(
        stdout.contains("1 accepted (2xx), 1 refused, 0 not delivered"),
        "{stdout}"
    );
    let (code, listen_out, _) = l.finish();
    assert_eq!(code, 1);
    assert!(listen_out.contains("#1 POST /hook -> 200"), "{listen_out}");
}

#[test]
fn the_binary_records_concurrent_mixed_traffic_exactly_once() {
    const CLIENTS: usize = 4;
    const PER_CLIENT: usize = 60;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r");
    let rec = dir.path().join("rec.ndjson");
    let total = (CLIENTS * PER_CLIENT).to_string();
    let l = listen(&[
        "--quiet",
        "--expect",
        &total,
        "--timeout",
        "120s",
        "--secret",
        "s3cret",
        "--report",
        "junit,json",
        "--out",
        out.to_str().unwrap(),
        "--record",
        rec.to_str().unwrap(),
    ]);
    let gm = GetMailer::new("s3cret").unwrap();
    let wrong = GetMailer::new("wrong").unwrap();
    let gm_body = example("getmailer/examples/doc004-email-sent.json");
    let truncated = gm_body[..gm_body.len() / 2].to_vec();
    // (name, body, headers, expected status)
    type Kind = (&'static str, Vec<u8>, Vec<(String, String)>, u16);
    let kinds: Vec<Kind> = vec![
        (
            "conforming",
            gm_body.clone(),
            gm.sign(&gm_body).unwrap(),
            200,
        ),
        (
            "msndr",
            example("msndr/examples/doc003-clicked.json"),
            vec![],
            200,
        ),
        ("nonconforming", bad_postal(), vec![], 400),
        (
            "not-json",
            b"<xml/>".to_vec(),
            gm.sign(b"<xml/>").unwrap(),
            400,
        ),
        (
            "truncated",
            truncated.clone(),
            gm.sign(&truncated).unwrap(),
            400,
        ),
        (
            "binary",
            vec![0, 159, 146, 150],
            gm.sign(&[0, 159, 146, 150]).unwrap(),
            400,
        ),
        (
            "wrong-signature",
            gm_body.clone(),
            wrong.sign(&gm_body).unwrap(),
            401,
        ),
    ];
    let kinds = std::sync::Arc::new(kinds);
    let url = l.url.clone();
    let senders: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let kinds = kinds.clone();
            let url = url.clone();
            std::thread::spawn(move || {
                let mut expected = Vec::new();
                for i in 0..PER_CLIENT {
                    let (name, body, headers, status) = &kinds[(c * 3 + i) % kinds.len()];
                    let path = format!("/{name}/{c}/{i}");
                    assert_eq!(
                        post(&format!("{url}{path}"), headers, body),
                        *status,
                        "{path}"
                    );
                    expected.push((path, *status));
                }
                expected
            })
        })
        .collect();
    let expected: std::collections::HashMap<String, u16> = senders
        .into_iter()
        .flat_map(|s| s.join().unwrap())
        .collect();
    let (code, stdout, stderr) = l.finish();
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    let mut seen = std::collections::HashSet::new();
    for line in read(&rec).lines() {
        let r: Value = serde_json::from_str(line).unwrap();
        let path = r["path"].as_str().unwrap().to_owned();
        assert_eq!(r["status"], expected[&path], "{path}");
        assert!(seen.insert(path), "recorded twice");
    }
    assert_eq!(seen.len(), CLIENTS * PER_CLIENT);
    let failures = expected.values().filter(|s| **s != 200).count();
    let junit = parse_junit(&read(&out.join("junit.xml")));
    assert_eq!(junit.totals.tests, CLIENTS * PER_CLIENT);
    assert_eq!(junit.totals.failures, failures);
    for case in &junit.cases {
        let path = case.name.split(' ').nth(2).unwrap();
        let want = if expected[path] == 200 {
            "passed"
        } else {
            "failure"
        };
        assert_eq!(case.result, want, "{}", case.name);
    }
    let doc: Value = serde_json::from_str(&read(&out.join("report.json"))).unwrap();
    assert_report_schema(&doc);
    assert_eq!(doc["totals"]["failed"], failures);
}

/// A port that was free a moment ago.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Waits until something accepts connections on `port`.
fn wait_for(port: u16) {
    let until = std::time::Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            std::time::Instant::now() < until,
            "nothing listens on {port}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Waits for `child` to exit, up to `limit`; kills it and fails the test past that.
fn wait_exit(child: &mut Child, limit: Duration) -> i32 {
    let until = std::time::Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code().unwrap_or(-1);
        }
        if std::time::Instant::now() > until {
            let _ = child.kill();
            panic!("the process did not end within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_stdout_nobody_reads_cannot_wedge_the_listener() {
    const REQUESTS: usize = 1600;
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut child = Command::new(BIN)
        .args(["listen", "--bind", &format!("127.0.0.1:{port}")])
        .args(["--expect", &REQUESTS.to_string(), "--timeout", "60s"])
        .args(["--report", "json", "--out"])
        .arg(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Held open and never read until the end: the pipe fills after a few dozen lines.
    let stdout = child.stdout.take().unwrap();
    wait_for(port);
    let body = example("msndr/examples/doc003-clicked.json");
    // Long paths make long lines, so that stdout is full long before the last request.
    let long = "p".repeat(2000);
    let began = std::time::Instant::now();
    let senders: Vec<_> = (0..8)
        .map(|t| {
            let body = body.clone();
            let long = long.clone();
            std::thread::spawn(move || {
                for i in (t..REQUESTS).step_by(8) {
                    let url = format!("http://127.0.0.1:{port}/{i}/{long}");
                    assert_eq!(post(&url, &[], &body), 200, "request {i}");
                }
            })
        })
        .collect();
    for s in senders {
        s.join().unwrap();
    }
    let code = wait_exit(&mut child, Duration::from_secs(20));
    assert_eq!(code, 0);
    assert!(
        began.elapsed() < Duration::from_secs(40),
        "{:?}",
        began.elapsed()
    );
    let report: Value = serde_json::from_str(&read(&dir.path().join("report.json"))).unwrap();
    assert_eq!(report["totals"]["passed"], REQUESTS);
    drop(stdout);
}

#[test]
fn a_closed_stdout_is_no_error_and_every_report_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut child = Command::new(BIN)
        .args([
            "listen",
            "--bind",
            &format!("127.0.0.1:{port}"),
            "--expect",
            "2",
        ])
        .args(["--report", "json,junit,markdown", "--out"])
        .arg(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Close the reading end: every write to stdout fails from here on.
    drop(child.stdout.take());
    wait_for(port);
    let body = example("msndr/examples/doc003-clicked.json");
    for i in 0..2 {
        assert_eq!(
            post(&format!("http://127.0.0.1:{port}/{i}"), &[], &body),
            200
        );
    }
    let code = wait_exit(&mut child, Duration::from_secs(20));
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert_eq!(code, 0, "{err}");
    assert!(
        !err.contains("Broken pipe") && !err.contains("panicked"),
        "{err}"
    );
    for f in ["report.json", "junit.xml", "report.md"] {
        assert!(dir.path().join(f).is_file(), "{f} missing");
    }
}

#[test]
fn sigterm_ends_the_session_like_ctrl_c() {
    let dir = tempfile::tempdir().unwrap();
    let rec = dir.path().join("rec.ndjson");
    let out = dir.path().join("out");
    let l = listen(&[
        "--record",
        rec.to_str().unwrap(),
        "--report",
        "json",
        "--out",
        out.to_str().unwrap(),
    ]);
    let body = example("msndr/examples/doc003-clicked.json");
    assert_eq!(post(&format!("{}/x", l.url), &[], &body), 200);
    let pid = l.child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let (code, stdout, err) = l.finish();
    assert_eq!(code, 0, "{stdout}{err}");
    assert!(
        stdout.contains("1 request(s): 1 conforming") && stdout.contains("(interrupted)"),
        "{stdout}"
    );
    assert_eq!(read(&rec).lines().count(), 1);
    let report: Value = serde_json::from_str(&read(&out.join("report.json"))).unwrap();
    assert_eq!(report["totals"]["passed"], 1);
}

#[test]
fn bind_takes_a_host_name() {
    let l = listen(&["--bind", "localhost:0", "--expect", "1"]);
    let body = example("msndr/examples/doc003-clicked.json");
    assert_eq!(post(&format!("{}/x", l.url), &[], &body), 200);
    let (code, stdout, err) = l.finish();
    assert_eq!(code, 0, "{stdout}{err}");
}

#[test]
fn secrets_come_from_the_environment_or_a_file() {
    let secret = "env secret 42";
    let gm = GetMailer::new(secret).unwrap();
    let body = example("getmailer/examples/doc004-email-sent.json");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("secret");
    std::fs::write(&file, format!("{secret}\n")).unwrap();
    let ways: [(&[&str], Option<&str>); 2] = [
        (&[], Some(secret)),
        (&["--secret-file", file.to_str().unwrap()], None),
    ];
    for (args, env) in ways {
        let mut cmd = Command::new(BIN);
        cmd.arg("listen").args(args).args(["--expect", "2"]);
        cmd.env_remove("HOOKCHECK_GETMAILER_SECRET");
        if let Some(v) = env {
            cmd.env("HOOKCHECK_GETMAILER_SECRET", v);
        }
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        stdout.read_line(&mut first).unwrap();
        let url = first
            .trim()
            .strip_prefix("listening on ")
            .unwrap()
            .to_owned();
        assert_eq!(
            post(&format!("{url}/unsigned"), &[], &body),
            401,
            "{args:?}"
        );
        assert_eq!(
            post(&format!("{url}/signed"), &gm.sign(&body).unwrap(), &body),
            200,
            "{args:?}"
        );
        let code = wait_exit(&mut child, Duration::from_secs(20));
        assert_eq!(code, 1, "{args:?}");
    }
}

#[test]
fn a_session_without_webhooks_checked_nothing_and_fails_unless_allowed() {
    let l = listen(&["--timeout", "300ms"]);
    let (code, stdout, _) = l.finish();
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains("no webhook was received") && stdout.contains("--allow-empty"),
        "{stdout}"
    );
    let l = listen(&["--timeout", "300ms", "--allow-empty"]);
    let (code, stdout, _) = l.finish();
    assert_eq!(code, 0, "{stdout}");
    assert!(!stdout.contains("no webhook was received"), "{stdout}");
    // Expecting none is allowing none.
    let (code, stdout, _) = listen(&["--expect", "0"]).finish();
    assert_eq!(code, 0, "{stdout}");
}

#[test]
fn quiet_prints_only_failing_requests_and_format_names_the_reports() {
    let dir = tempfile::tempdir().unwrap();
    let l = listen(&[
        "--quiet",
        "--expect",
        "2",
        "--timeout",
        "60s",
        "--format",
        "json",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    let good = example("postal/examples/doc002-sent.json");
    assert_eq!(post(&format!("{}/good", l.url), &[], &good), 200);
    assert_eq!(post(&format!("{}/bad", l.url), &[], &bad_postal()), 400);
    let (code, stdout, _) = l.finish();
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("POST /bad -> 400"), "{stdout}");
    assert!(!stdout.contains("/good"), "{stdout}");
    assert!(stdout.contains("2 request(s): 1 conforming"), "{stdout}");
    let report: Value = serde_json::from_str(&read(&dir.path().join("report.json"))).unwrap();
    assert_eq!(report["totals"]["tests"], 2);
}

#[test]
fn a_bad_record_anywhere_in_a_recording_stops_replay_before_anything_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    let rec = dir.path().join("rec.ndjson");
    let good = serde_json::json!({
        "method": "POST", "path": "/hook", "headers": [],
        "body_base64": "e30=", "body_text": "{}"
    });
    // Two good records, a blank line, then one that is not a record.
    std::fs::write(&rec, format!("{good}\n{good}\n\n{{\"method\": 5}}\n")).unwrap();
    let receiver = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    receiver.set_nonblocking(true).unwrap();
    let url = format!("http://{}/hook", receiver.local_addr().unwrap());
    let o = Command::new(BIN)
        .args(["replay", &url, rec.to_str().unwrap()])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("rec.ndjson:4"), "{stderr}");
    // Nothing reached the receiver: the recording was read through before the first send.
    assert_eq!(
        receiver.accept().map(|_| ()).unwrap_err().kind(),
        std::io::ErrorKind::WouldBlock
    );
}
