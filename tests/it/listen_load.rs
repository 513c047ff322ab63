//! A load and fault test of the `hookcheck listen` binary on loopback: three rounds of a
//! thousand concurrent mixed requests (valid signed, wrong signature, nonconforming,
//! malformed heads, oversized by Content-Length and chunked, slow, cut off mid-body) plus
//! large bodies. Every request must leave exactly one record, with the exact bytes of every
//! body that arrived whole; the report must agree with what the clients saw; and the
//! listener's resident memory must not grow from the second round to the third.
//!
//! `HOOKCHECK_LOAD_BIN=path/to/hookcheck` runs the test against another build (a release
//! one, for figures) and prints the measured rate and memory on stderr.

use std::{
    collections::HashMap,
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use base64::{Engine as _, engine::general_purpose::STANDARD as B64};
use hookcheck::signature::{Signer, getmailer::GetMailer};
use serde_json::Value;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

const BIN: &str = env!("CARGO_BIN_EXE_hookcheck");
const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const SECRET: &str = "load test secret";
const SMALL: usize = 1000;
const BIG: usize = 80;
const BIG_SIZE: usize = 250 * 1024;
const LIMIT: usize = 256 * 1024;

fn example(path: &str) -> Vec<u8> {
    std::fs::read(format!("{ROOT}/schemas/{path}")).unwrap()
}

/// A kilobyte figure from `/proc/PID/status` (`VmRSS`, `VmHWM`).
fn status_kb(pid: u32, field: &str) -> u64 {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("no {field} in /proc/{pid}/status"))
}

/// Raises this process's soft open-file limit to the hard one: a thousand client sockets
/// are open at once (the listener raises its own).
fn raise_open_files() {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let limit = getrlimit(Resource::Nofile);
    if let Some(maximum) = limit.maximum {
        let _ = setrlimit(
            Resource::Nofile,
            Rlimit {
                current: Some(maximum),
                maximum: Some(maximum),
            },
        );
    }
}

/// What one request was and what its client saw.
struct Sent {
    id: String,
    kind: &'static str,
    /// The status answered; `None` when the client cut the request off.
    status: Option<u16>,
    /// The body, when it was sent whole.
    body: Option<Vec<u8>>,
    /// How long the exchange took.
    took: Duration,
}

/// Sends `parts` (each after its delay), then reads the answer unless `cut`.
async fn exchange(port: u16, parts: Vec<(Duration, Vec<u8>)>, cut: bool) -> Option<u16> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    for (delay, bytes) in parts {
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        s.write_all(&bytes).await.unwrap();
    }
    if cut {
        return None;
    }
    let mut buf = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(30), s.read_to_end(&mut buf)).await;
    assert!(read.is_ok(), "no answer within 30 s");
    let text = String::from_utf8_lossy(&buf);
    text.split(' ').nth(1).and_then(|c| c.parse().ok())
}

fn head(id: &str, headers: &[(String, String)], length: usize) -> Vec<u8> {
    let mut h = format!(
        "POST {id} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {length}\r\n"
    );
    for (n, v) in headers {
        h.push_str(&format!("{n}: {v}\r\n"));
    }
    h.push_str("\r\n");
    h.into_bytes()
}

struct Bodies {
    gm: Vec<u8>,
    gm_signed: Vec<(String, String)>,
    gm_wrong: Vec<(String, String)>,
    msndr: Vec<u8>,
    postal: Vec<u8>,
    postal_bad: Vec<u8>,
}

fn bodies() -> Bodies {
    let gm = example("getmailer/examples/doc004-email-sent.json");
    let signer = GetMailer::new(SECRET).unwrap();
    let wrong = GetMailer::new("another secret").unwrap();
    let postal = example("postal/examples/doc002-sent.json");
    let mut bad: Value = serde_json::from_slice(&postal).unwrap();
    bad["payload"]["status"] = Value::String("Delivered".into());
    Bodies {
        gm_signed: signer.sign(&gm).unwrap(),
        gm_wrong: wrong.sign(&gm).unwrap(),
        gm,
        msndr: example("msndr/examples/doc003-clicked.json"),
        postal,
        postal_bad: serde_json::to_vec(&bad).unwrap(),
    }
}

/// One small request of kind `i % 10`.
async fn small(port: u16, round: usize, i: usize, b: &Bodies) -> Sent {
    let now = Duration::ZERO;
    let kinds = [
        "signed",
        "msndr",
        "postal",
        "wrong",
        "bad",
        "malformed",
        "declared",
        "chunked",
        "slow",
        "cut",
    ];
    let kind = kinds[i % 10];
    let id = format!("/r{round}/{i}/{kind}");
    let whole = |body: &[u8], headers: &[(String, String)]| {
        let mut bytes = head(&id, headers, body.len());
        bytes.extend_from_slice(body);
        vec![(now, bytes)]
    };
    let (parts, body, cut) = match kind {
        "signed" => (whole(&b.gm, &b.gm_signed), Some(b.gm.clone()), false),
        "msndr" => (whole(&b.msndr, &[]), Some(b.msndr.clone()), false),
        "postal" => (whole(&b.postal, &[]), Some(b.postal.clone()), false),
        "wrong" => (whole(&b.gm, &b.gm_wrong), Some(b.gm.clone()), false),
        "bad" => (whole(&b.postal_bad, &[]), Some(b.postal_bad.clone()), false),
        "malformed" => {
            let bytes = format!(
                "POST {id} HTTP/1.1\r\nHost: x\r\nX-Bad: a\0b\r\nContent-Length: 0\r\n\r\n"
            );
            (vec![(now, bytes.into_bytes())], None, false)
        }
        // Over the limit by its Content-Length: refused before any body is sent.
        "declared" => (vec![(now, head(&id, &[], LIMIT + 1))], None, false),
        // Over the limit only as it is read: one chunk past the limit, no terminator.
        "chunked" => {
            let mut bytes = format!(
                "POST {id} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n",
                LIMIT + 100
            )
            .into_bytes();
            bytes.extend(std::iter::repeat_n(b' ', LIMIT + 100));
            (vec![(now, bytes)], None, false)
        }
        "slow" => {
            let (a, rest) = b.gm.split_at(b.gm.len() / 3);
            let (m, z) = rest.split_at(rest.len() / 2);
            let step = Duration::from_millis(20);
            (
                vec![
                    (now, head(&id, &b.gm_signed, b.gm.len())),
                    (step, a.to_vec()),
                    (step, m.to_vec()),
                    (step, z.to_vec()),
                ],
                Some(b.gm.clone()),
                false,
            )
        }
        _ => {
            let mut bytes = head(&id, &[], b.msndr.len());
            bytes.extend_from_slice(&b.msndr[..b.msndr.len() / 2]);
            (vec![(now, bytes)], None, true)
        }
    };
    let t = Instant::now();
    let status = exchange(port, parts, cut).await;
    Sent {
        id,
        kind,
        status,
        body,
        took: t.elapsed(),
    }
}

/// One large body, unsigned: with a GetMailer secret configured, a body of no known
/// envelope must carry its signature, so it is unauthorized (and recorded whole).
async fn big(port: u16, round: usize, i: usize) -> Sent {
    let id = format!("/r{round}/big{i}/big");
    let pad = "x".repeat(BIG_SIZE);
    let body = format!("{{\"round\": {round}, \"i\": {i}, \"pad\": \"{pad}\"}}").into_bytes();
    let mut bytes = head(&id, &[], body.len());
    bytes.extend_from_slice(&body);
    let t = Instant::now();
    let status = exchange(port, vec![(Duration::ZERO, bytes)], false).await;
    Sent {
        id,
        kind: "big",
        status,
        body: Some(body),
        took: t.elapsed(),
    }
}

async fn round(port: u16, round: usize) -> Vec<Sent> {
    let b = std::sync::Arc::new(bodies());
    let mut tasks = Vec::new();
    for i in 0..SMALL {
        let b = std::sync::Arc::clone(&b);
        tasks.push(tokio::spawn(async move {
            vec![small(port, round, i, &b).await]
        }));
    }
    // Large bodies four at a time: memory in flight stays small, the total does not.
    for lane in 0..4 {
        tasks.push(tokio::spawn(async move {
            let mut sent = Vec::new();
            for i in (lane..BIG).step_by(4) {
                sent.push(big(port, round, i).await);
            }
            sent
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    all
}

/// The status and outcome each kind must get.
fn expected(kind: &str) -> (Option<u16>, &'static str) {
    match kind {
        "signed" | "msndr" | "postal" | "slow" => (Some(200), "conforming"),
        "wrong" | "big" => (Some(401), "unauthorized"),
        "bad" => (Some(400), "nonconforming"),
        "malformed" => (Some(400), "rejected"),
        "declared" | "chunked" => (Some(413), "too_large"),
        _ => (None, "incomplete"),
    }
}

/// The request id of a record: its path, or for a refused head the path in its first line.
fn record_id(r: &Value) -> String {
    let path = r["path"].as_str().unwrap();
    if !path.is_empty() {
        return path.to_owned();
    }
    let problem = r["problem"].as_str().unwrap_or_default();
    problem
        .split("POST ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .unwrap_or_else(|| panic!("a record without a path: {r}"))
        .to_owned()
}

#[test]
fn rounds_of_a_thousand_mixed_requests_leave_one_exact_record_each_in_flat_memory() {
    let measuring = std::env::var_os("HOOKCHECK_LOAD_BIN").is_some();
    let bin = std::env::var("HOOKCHECK_LOAD_BIN").unwrap_or_else(|_| BIN.to_owned());
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("secret");
    std::fs::write(&secret, SECRET).unwrap();
    let rec = dir.path().join("rec.ndjson");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    raise_open_files();
    // Connection slots for every request at once: each is accepted as it arrives, whatever the
    // kernel's accept queue (`net.core.somaxconn`) would hold.
    let child = Command::new(bin)
        .args(["listen", "--quiet", "--bind", &format!("127.0.0.1:{port}")])
        .args(["--max-connections", "2048"])
        .args(["--timeout", "120s", "--max-body", &LIMIT.to_string()])
        .args(["--read-timeout", "10s", "--header-timeout", "10s"])
        .arg("--secret-file")
        .arg(&secret)
        .arg("--record")
        .arg(&rec)
        .args(["--report", "json", "--out"])
        .arg(dir.path())
        .env_remove("HOOKCHECK_GETMAILER_SECRET")
        // glibc's malloc, left alone, keeps freed memory in per-thread arenas and moves large
        // blocks from mmap to the heap after the first is freed, so the resident size
        // follows the history of the heap rather than what is live. One arena and a fixed
        // mmap threshold make it follow what is live.
        .env("MALLOC_ARENA_MAX", "1")
        .env("MALLOC_MMAP_THRESHOLD_", "65536")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let until = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < until, "the listener did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    let pid = child.id();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let began = Instant::now();
    // The first round brings the heap to the size that many requests in flight need; the
    // next two, each as large, must leave it there.
    let mut sent = rt.block_on(round(port, 0));
    let first = began.elapsed();
    sent.extend(rt.block_on(round(port, 1)));
    // A request is answered before its record is written: on a loaded machine a round's
    // records can still wait for the writer, bodies and all, when the round ends.
    written(&rec, sent.len());
    let after_1 = status_kb(pid, "VmRSS");
    sent.extend(rt.block_on(round(port, 2)));
    let elapsed = began.elapsed();
    written(&rec, sent.len());
    let after_2 = status_kb(pid, "VmRSS");
    let peak = status_kb(pid, "VmHWM");
    let per_round_kb = (BIG * BIG_SIZE / 1024) as u64;
    let slowest = sent.iter().map(|s| s.took).max().unwrap_or_default();
    let figures = format!(
        "{} requests in {elapsed:?} ({:.0} req/s; first round {first:?}; slowest exchange {slowest:?}); RSS {} MB after two rounds, {} MB after three, peak {} MB; {} MB of large bodies per round",
        sent.len(),
        sent.len() as f64 / elapsed.as_secs_f64(),
        after_1 / 1024,
        after_2 / 1024,
        peak / 1024,
        per_round_kb / 1024
    );
    if measuring {
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), "{figures}");
    }
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .unwrap()
            .success()
    );
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");

    // Memory: the third round, with as many requests and body bytes as the second, must
    // leave the listener bigger by less than its large bodies (kept records, each body held as
    // base64 and as text, would grow it by more than twice their size). The peak depends on
    // how many requests happen to be in flight at once, which a loaded machine changes, so
    // the resident size between rounds is compared, once the first round has brought the
    // heap to its working size.
    assert!(
        after_2.saturating_sub(after_1) < per_round_kb,
        "RSS grew by {} kB in the third round ({per_round_kb} kB of bodies): {figures}",
        after_2.saturating_sub(after_1)
    );

    // One record per request, each as the client saw it, bodies byte for byte.
    let text = std::fs::read_to_string(&rec).unwrap();
    let records: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let recorded: std::collections::HashSet<String> = records.iter().map(record_id).collect();
    let missing: Vec<String> = sent
        .iter()
        .filter(|s| !recorded.contains(&s.id))
        .map(|s| {
            format!(
                "{} ({}, client saw {:?} after {:?})",
                s.id, s.kind, s.status, s.took
            )
        })
        .collect();
    assert!(
        missing.is_empty(),
        "requests without a record: {missing:?}; {figures}; somaxconn {:?}; stderr: {}",
        std::fs::read_to_string("/proc/sys/net/core/somaxconn").map(|s| s.trim().to_owned()),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(records.len(), sent.len());
    let mut by_id: HashMap<String, &Value> = HashMap::new();
    for r in &records {
        let id = record_id(r);
        assert!(
            by_id.insert(id.clone(), r).is_none(),
            "two records for {id}"
        );
    }
    let mut seqs: Vec<u64> = records.iter().map(|r| r["seq"].as_u64().unwrap()).collect();
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=sent.len() as u64).collect::<Vec<_>>());
    let mut passed = 0;
    for s in &sent {
        let r = by_id
            .get(&s.id)
            .unwrap_or_else(|| panic!("no record for {}", s.id));
        let (status, outcome) = expected(s.kind);
        assert_eq!(s.status, status, "{}: the client saw {:?}", s.id, s.status);
        assert_eq!(r["outcome"], outcome, "{}: {r}", s.id);
        if let Some(st) = s.status {
            assert_eq!(r["status"], st, "{}", s.id);
        }
        if let Some(body) = &s.body {
            let got = B64.decode(r["body_base64"].as_str().unwrap()).unwrap();
            assert!(got == *body, "{}: the recorded body differs", s.id);
        }
        if s.status == Some(200) {
            passed += 1;
        }
    }
    // The report agrees with the clients.
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("report.json")).unwrap())
            .unwrap();
    // Past its listing limits, a report sums up the rest of a suite in one case.
    let mut accounted = 0;
    let mut listed_passes = 0;
    for case in report["suites"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["cases"].as_array().unwrap())
    {
        let name = case["name"].as_str().unwrap();
        match name.split_once(" further request(s)") {
            Some((n, _)) => accounted += n.parse::<usize>().unwrap(),
            None => {
                accounted += 1;
                listed_passes += usize::from(case["outcome"]["status"] == "passed");
            }
        }
    }
    assert_eq!(accounted, sent.len());
    assert!(listed_passes <= passed);
    assert!(
        stdout.contains(&format!("{} request(s): {passed} conforming", sent.len())),
        "{stdout}"
    );
}

/// Waits (up to 60 s) until the record file at `path` holds `records` lines: every request
/// sent so far has been written by the listener's writer.
fn written(path: &std::path::Path, records: usize) {
    let until = Instant::now() + Duration::from_secs(60);
    loop {
        let lines = std::fs::read(path)
            .map(|bytes| bytes.iter().filter(|b| **b == b'\n').count())
            .unwrap_or(0);
        if lines >= records {
            return;
        }
        assert!(
            Instant::now() < until,
            "{lines} of {records} records written after 60 s"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}
