//! `hookcheck validate` on hostile inputs: special files, sizes beyond what can be
//! addressed, over-long lines, ambiguous envelopes, a closed stdout, and JSON output that
//! streams.

use std::{
    io::{Read, Write},
    path::Path,
    process::{Command, Stdio},
    thread,
    time::{Duration, Instant},
};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_hookcheck");
const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn example(path: &str) -> Vec<u8> {
    std::fs::read(format!("{ROOT}/schemas/{path}")).unwrap()
}

/// Runs `hookcheck validate ARGS` in `dir`, killing it after `limit`.
fn validate(dir: &Path, args: &[&str], limit: Duration) -> (i32, String, String) {
    let mut child = Command::new(BIN)
        .arg("validate")
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let reader = thread::spawn(move || {
        let mut o = String::new();
        let mut e = String::new();
        out.read_to_string(&mut o).unwrap();
        err.read_to_string(&mut e).unwrap();
        (o, e)
    });
    let until = Instant::now() + limit;
    let code = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s.code().unwrap_or(-1);
        }
        if Instant::now() > until {
            let _ = child.kill();
            panic!("validate {args:?} did not end within {limit:?}");
        }
        thread::sleep(Duration::from_millis(20));
    };
    let (o, e) = reader.join().unwrap();
    (code, o, e)
}

fn mkfifo(path: &Path) {
    assert!(Command::new("mkfifo").arg(path).status().unwrap().success());
}

#[test]
fn a_fifo_found_in_a_directory_is_skipped_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("in")).unwrap();
    std::fs::write(
        dir.path().join("in/a.json"),
        example("msndr/examples/doc003-clicked.json"),
    )
    .unwrap();
    mkfifo(&dir.path().join("in/pipe.json"));
    let (code, out, err) = validate(dir.path(), &["in"], Duration::from_secs(10));
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("1 payload(s)") && out.contains("1 skipped"),
        "{out}"
    );
    assert!(err.contains("pipe.json: skipped: a FIFO"), "{err}");
}

#[test]
fn a_fifo_named_explicitly_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.json");
    mkfifo(&fifo);
    let body = example("msndr/examples/doc003-clicked.json");
    let writer = {
        let fifo = fifo.clone();
        thread::spawn(move || std::fs::write(fifo, body).unwrap())
    };
    let (code, out, err) = validate(dir.path(), &["pipe.json"], Duration::from_secs(10));
    writer.join().unwrap();
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("1 payload(s) in 1 source(s): 1 valid"),
        "{out}"
    );
}

#[test]
fn sizes_beyond_what_can_be_addressed_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.ndjson"), "{}\n{}\n").unwrap();
    for size in [
        "18446744073709551615",
        "18446744073709551614",
        "9223372036854775808",
    ] {
        let (code, out, err) = validate(
            dir.path(),
            &["--max-size", size, "a.ndjson"],
            Duration::from_secs(10),
        );
        assert_eq!(code, 2, "{size}: {out}{err}");
        assert!(err.contains("can address"), "{err}");
    }
    // The largest addressable size is accepted and checks every line.
    let (code, out, _) = validate(
        dir.path(),
        &["--max-size", "9223372036854775807", "a.ndjson"],
        Duration::from_secs(10),
    );
    assert_eq!(code, 1);
    assert!(out.contains("2 payload(s)"), "{out}");
}

#[test]
fn an_over_long_ndjson_line_is_skipped_and_the_next_one_checked() {
    let dir = tempfile::tempdir().unwrap();
    let mut f = std::fs::File::create(dir.path().join("a.ndjson")).unwrap();
    let chunk = vec![b'x'; 1 << 20];
    for _ in 0..16 {
        f.write_all(&chunk).unwrap();
    }
    f.write_all(b"\n").unwrap();
    f.write_all(
        &example("msndr/examples/doc003-clicked.json")
            .iter()
            .copied()
            .filter(|b| *b != b'\n')
            .collect::<Vec<u8>>(),
    )
    .unwrap();
    f.write_all(b"\n").unwrap();
    drop(f);
    let (code, out, err) = validate(
        dir.path(),
        &["--max-size", "1K", "a.ndjson"],
        Duration::from_secs(20),
    );
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("a.ndjson:1:"), "{out}");
    assert!(out.contains(&format!("{}", (16u64 << 20) + 1)), "{out}");
    assert!(
        out.contains("2 payload(s) in 1 source(s): 1 valid"),
        "{out}"
    );
}

#[test]
fn a_body_with_two_vendors_envelopes_is_ambiguous() {
    let dir = tempfile::tempdir().unwrap();
    let mut v: Value =
        serde_json::from_slice(&example("getmailer/examples/doc004-email-sent.json")).unwrap();
    v["message"] = serde_json::json!({"id": 1});
    v["event"] = serde_json::json!({"name": "clicked", "timestamp": 1, "data": {}});
    std::fs::write(
        dir.path().join("hybrid.json"),
        serde_json::to_vec(&v).unwrap(),
    )
    .unwrap();
    for args in [&["hybrid.json"][..], &["--vendor", "msndr", "hybrid.json"]] {
        let (code, out, _) = validate(dir.path(), args, Duration::from_secs(10));
        assert_eq!(code, 1, "{args:?}: {out}");
        assert!(out.contains("ambiguous envelope"), "{out}");
    }
}

#[test]
fn a_closed_stdout_ends_validate_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let line = String::from_utf8(example("msndr/examples/doc003-clicked.json"))
        .unwrap()
        .replace('\n', "");
    std::fs::write(
        dir.path().join("a.ndjson"),
        format!("{line}\n").repeat(20_000),
    )
    .unwrap();
    for format in ["json", "human"] {
        let mut child = Command::new(BIN)
            .args(["validate", "-v", "--format", format, "a.ndjson"])
            .current_dir(dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{format}: {err}");
        assert!(err.is_empty(), "{format}: {err}");
    }
}

#[test]
fn json_output_streams_results_before_the_input_ends() {
    let line = String::from_utf8(example("msndr/examples/doc003-clicked.json"))
        .unwrap()
        .replace('\n', "");
    let mut child = Command::new(BIN)
        .args(["validate", "--format", "json", "--ndjson", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = thread::spawn(move || {
        let mut first = [0u8; 64];
        let n = stdout.read(&mut first).unwrap();
        tx.send(String::from_utf8_lossy(&first[..n]).into_owned())
            .unwrap();
        let mut rest = String::new();
        stdout.read_to_string(&mut rest).unwrap();
        String::from_utf8_lossy(&first[..n]).into_owned() + &rest
    });
    // Enough results to fill any output buffer, with the input still open.
    for _ in 0..2000 {
        writeln!(stdin, "{line}").unwrap();
    }
    stdin.flush().unwrap();
    let early = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("no output while the input was still open: results are not streamed");
    assert!(early.starts_with("{\"results\": ["), "{early}");
    drop(stdin);
    let all = reader.join().unwrap();
    assert!(child.wait().unwrap().success());
    let v: Value = serde_json::from_str(&all).unwrap();
    assert_eq!(v["results"].as_array().unwrap().len(), 2000);
    assert_eq!(v["summary"]["valid"], 2000);
}

#[test]
fn finding_no_payload_is_a_failure_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("empty")).unwrap();
    let limit = Duration::from_secs(20);
    let (code, out, err) = validate(dir.path(), &["empty"], limit);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        err.contains("no payload found in empty") && err.contains("--allow-empty"),
        "{err}"
    );
    assert!(out.contains("0 payload(s)"), "{out}");
    let (code, out, err) = validate(dir.path(), &["--allow-empty", "empty"], limit);
    assert_eq!(code, 0, "{out}{err}");
    // Empty stdin is no payload either.
    let (code, _, err) = validate(dir.path(), &["-"], limit);
    assert_eq!(code, 1, "{err}");
}

#[test]
fn quiet_leaves_out_the_notes_on_skipped_files() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = dir.path().join("in");
    std::fs::create_dir(&inputs).unwrap();
    std::fs::write(
        inputs.join("ok.json"),
        example("postal/examples/doc002-sent.json"),
    )
    .unwrap();
    mkfifo(&inputs.join("pipe.json"));
    let limit = Duration::from_secs(20);
    let (code, out, err) = validate(dir.path(), &["in"], limit);
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains("skipped"), "{err}");
    let (code, out, err) = validate(dir.path(), &["--quiet", "in"], limit);
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.is_empty(), "{err}");
    assert!(
        out.contains("1 payload(s) in 1 source(s): 1 valid") && out.contains("1 skipped"),
        "{out}"
    );
}
