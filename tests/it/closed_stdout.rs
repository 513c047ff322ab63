//! A closed stdout (`hookcheck list | head -1`) ends every command quietly: no "Broken pipe",
//! no panic, the exit code of the work done, and report files written in full.
//!
//! Each test starts the binary with stdout a pipe whose read end is closed before the child
//! writes anything, so that its first write fails with `EPIPE` (Rust ignores `SIGPIPE`).

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Runs hookcheck with `args` in `dir`, its stdout closed at once; returns the exit code and
/// stderr.
fn run_closed(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("hookcheck"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    (child.wait().unwrap().code(), stderr)
}

fn assert_quiet(what: &str, (code, stderr): (Option<i32>, String), expected: i32) {
    assert_eq!(code, Some(expected), "{what}: {stderr}");
    for word in ["Broken pipe", "panicked", "error"] {
        assert!(!stderr.contains(word), "{what}: {stderr}");
    }
}

#[test]
fn list_and_schema_end_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    assert_quiet("list", run_closed(p, &["list"]), 0);
    assert_quiet("list json", run_closed(p, &["list", "--format", "json"]), 0);
    assert_quiet(
        "schema",
        run_closed(p, &["schema", "postal/MessageSent"]),
        0,
    );
}

#[test]
fn coverage_ends_quietly() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/json-schema-test-suite");
    let dir = tempfile::tempdir().unwrap();
    let tests = dir.path().join("suite/tests/draft2020-12");
    std::fs::create_dir_all(&tests).unwrap();
    std::fs::create_dir_all(dir.path().join("suite/remotes")).unwrap();
    std::fs::copy(
        src.join("tests/draft2020-12/const.json"),
        tests.join("const.json"),
    )
    .unwrap();
    for format in ["human", "json"] {
        let args = ["coverage", "suite", "--values", "2", "--format", format];
        assert_quiet(format, run_closed(dir.path(), &args), 0);
    }
}

#[test]
fn certify_ends_quietly_and_still_writes_its_report_files() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let base = [
        "certify",
        "--vendor",
        "msndr",
        "--event",
        "clicked",
        "--cases",
        "2",
        "--seed",
        "5",
        "--regressions",
        "regressions",
    ];
    for formats in ["human", "json,junit,markdown"] {
        let mut args = base.to_vec();
        args.extend(["--format", formats]);
        assert_quiet(formats, run_closed(p, &args), 0);
    }
    let mut args = base.to_vec();
    args.extend(["--report", "json,markdown", "--out", "out"]);
    assert_quiet("--out", run_closed(p, &args), 0);
    let report = std::fs::read_to_string(p.join("out/report.json")).unwrap();
    let report: hookcheck::report::Report = serde_json::from_str(&report).unwrap();
    assert!(report.totals().passed > 0 && report.is_success());
    assert!(p.join("out/report.md").is_file());
}

/// An HTTP server that answers every request 200 and counts them.
fn counting_server() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&count);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request = Vec::new();
            let mut buf = [0u8; 4096];
            // Read the head and the Content-Length body, then answer.
            while let Ok(n @ 1..) = stream.read(&mut buf) {
                request.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&request);
                if let Some(head_end) = text.find("\r\n\r\n") {
                    let length = text[..head_end]
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                        })
                        .unwrap_or(0);
                    if request.len() >= head_end + 4 + length {
                        seen.fetch_add(1, Ordering::SeqCst);
                        let _ = stream.write_all(
                            b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                        );
                        break;
                    }
                }
            }
        }
    });
    (url, count)
}

#[test]
fn replay_stops_sending_once_nobody_reads_its_answers() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    for name in ["a.json", "b.json", "c.json"] {
        std::fs::write(p.join(name), r#"{"event": "MessageSent"}"#).unwrap();
    }
    let (url, count) = counting_server();
    assert_quiet(
        "replay",
        run_closed(p, &["replay", &url, "a.json", "b.json", "c.json"]),
        0,
    );
    // The first answer could not be written, so the other two were not sent.
    assert_eq!(count.load(Ordering::SeqCst), 1);
}
