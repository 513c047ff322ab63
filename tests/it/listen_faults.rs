//! `hookcheck listen` under faults over loopback, in-process unless said: requests the HTTP
//! parser refuses (pipelined ones too), bodies shaped like two vendors, requests in flight at
//! shutdown, and slowloris clients holding every connection slot, or (the binary) every file
//! descriptor.

use std::{
    io::{Read, Write},
    net::{SocketAddr, TcpStream},
    thread,
    time::{Duration, Instant},
};

use hookcheck::listen::{Config, Verifiers, record::Disposition};
use hookcheck::signature::{Signer, getmailer::GetMailer};
use serde_json::Value;

use crate::support::listen::start;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const GM_SECRET: &str = "gm fault secret";

fn send(addr: SocketAddr, bytes: &[u8]) -> TcpStream {
    let mut s = TcpStream::connect(addr).unwrap();
    s.write_all(bytes).unwrap();
    s.flush().unwrap();
    s
}

/// The answer's status and body (the connection is read to its end).
fn answer(mut s: TcpStream) -> (u16, String) {
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    let text = String::from_utf8_lossy(&buf).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

fn post(path: &str, headers: &[(String, String)], body: &[u8]) -> Vec<u8> {
    let mut req = format!(
        "POST {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (n, v) in headers {
        req.push_str(&format!("{n}: {v}\r\n"));
    }
    req.push_str("\r\n");
    let mut bytes = req.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

/// A GetMailer body with msndr's `message` and `event` keys added.
fn hybrid() -> Vec<u8> {
    let gm = std::fs::read(format!(
        "{ROOT}/schemas/getmailer/examples/doc004-email-sent.json"
    ))
    .unwrap();
    let mut v: Value = serde_json::from_slice(&gm).unwrap();
    v["message"] = serde_json::json!({"id": 1});
    v["event"] = serde_json::json!({"name": "clicked", "timestamp": 1_700_000_000, "data": {}});
    serde_json::to_vec(&v).unwrap()
}

#[test]
fn a_body_shaped_like_getmailer_and_msndr_is_ambiguous_and_needs_the_getmailer_signature() {
    let gm = GetMailer::new(GM_SECRET).unwrap();
    let config = Config {
        verifiers: Verifiers {
            getmailer: Some(gm.clone()),
            ..Verifiers::default()
        },
        ..Config::default()
    };
    let (addr, stop, server) = start(config);
    let body = hybrid();
    // Unsigned: GetMailer's signature is required of a GetMailer-shaped body, whatever else
    // it looks like.
    let (status, answer_body) = answer(send(addr, &post("/unsigned", &[], &body)));
    assert_eq!(status, 401, "{answer_body}");
    // Signed: the signature holds, but the body is still ambiguous, so not conforming.
    let (status, answer_body) = answer(send(
        addr,
        &post("/signed", &gm.sign(&body).unwrap(), &body),
    ));
    assert_eq!(status, 400, "{answer_body}");
    assert!(answer_body.contains("ambiguous"), "{answer_body}");
    stop.stop();
    let session = server.join().unwrap();
    let outcomes: Vec<_> = session.records.iter().map(|r| r.outcome).collect();
    assert_eq!(
        outcomes,
        [Disposition::Unauthorized, Disposition::Nonconforming]
    );
    assert!(!session.is_success());
}

#[test]
fn requests_the_http_parser_refuses_are_recorded_and_fail_the_session() {
    let (addr, stop, server) = start(Config::default());
    let many_headers: String = (0..101).map(|i| format!("X-H{i}: v\r\n")).collect();
    let bad: Vec<(&str, Vec<u8>)> = vec![
        (
            "quote",
            b"POST /q\"<> HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}".to_vec(),
        ),
        (
            "nul",
            b"POST /nul HTTP/1.1\r\nHost: x\r\nX-Bad: a\0b\r\nContent-Length: 2\r\n\r\n{}".to_vec(),
        ),
        (
            "cr",
            b"POST /cr HTTP/1.1\r\nHost: x\r\nX-Bad: a\rb\r\nContent-Length: 2\r\n\r\n{}".to_vec(),
        ),
        (
            "many",
            format!(
                "POST /many HTTP/1.1\r\nHost: x\r\n{many_headers}Content-Length: 2\r\n\r\n{{}}"
            )
            .into_bytes(),
        ),
        (
            "two-lengths",
            b"POST /two HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}x"
                .to_vec(),
        ),
    ];
    for (what, bytes) in &bad {
        let (status, _) = answer(send(addr, bytes));
        assert!(matches!(status, 400 | 431), "{what}: {status}");
    }
    // A malformed head pipelined behind a good request, in the same write: hyper reads both
    // at once, and the second is refused after the first is answered.
    let body = std::fs::read(format!("{ROOT}/schemas/msndr/examples/doc003-clicked.json")).unwrap();
    let mut pipelined = post("/first", &[], &body);
    let keep = String::from_utf8(pipelined.clone())
        .unwrap()
        .replace("Connection: close\r\n", "");
    pipelined = keep.into_bytes();
    pipelined.extend_from_slice(b"POST /second HTTP/1.1\r\nHost: x\r\nX-Bad: a\0b\r\n\r\n");
    let (status, _) = answer(send(addr, &pipelined));
    assert_eq!(status, 200);
    stop.stop();
    let mut session = server.join().unwrap();
    let first = session.records.iter().position(|r| r.path == "/first");
    let first = session
        .records
        .remove(first.expect("the pipelined good request has a record"));
    assert_eq!(first.outcome, Disposition::Conforming);
    let second = session.records.iter().position(|r| {
        r.problem
            .as_deref()
            .is_some_and(|p| p.contains("previous request"))
    });
    let second = session
        .records
        .remove(second.expect("the pipelined bad head has a record"));
    assert_eq!(second.outcome, Disposition::Rejected, "{second:?}");
    assert_eq!(session.records.len(), bad.len(), "{:#?}", session.records);
    for r in &session.records {
        assert_eq!(r.outcome, Disposition::Rejected, "{r:?}");
        assert!(matches!(r.status, 400 | 431), "{r:?}");
        // The record shows how the head began.
        assert!(r.problem.as_deref().unwrap().contains("POST /"), "{r:?}");
    }
    assert_eq!(session.totals.rejected, bad.len() as u64 + 1);
    assert!(!session.is_success());
    let report = session.to_report();
    assert!(!report.is_success());
}

#[test]
fn requests_still_running_when_the_grace_period_ends_are_recorded_as_interrupted() {
    let config = Config {
        grace: Duration::from_millis(300),
        ..Config::default()
    };
    let (addr, stop, server) = start(config);
    // Five slow senders: head sent, 10 of 100 body bytes.
    let slow: Vec<TcpStream> = (0..5)
        .map(|i| {
            send(
                addr,
                format!(
                    "POST /slow/{i} HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789"
                )
                .as_bytes(),
            )
        })
        .collect();
    // Two halves of a head.
    let halves: Vec<TcpStream> = (0..2)
        .map(|i| send(addr, format!("POST /half/{i} HTTP/1.1\r\nHost:").as_bytes()))
        .collect();
    // Let the listener read them all.
    thread::sleep(Duration::from_millis(300));
    let stopped = Instant::now();
    stop.stop();
    let session = server.join().unwrap();
    assert!(
        stopped.elapsed() < Duration::from_secs(3),
        "the grace period was not kept: {:?}",
        stopped.elapsed()
    );
    assert_eq!(session.records.len(), 7, "{:#?}", session.records);
    assert!(
        session
            .records
            .iter()
            .all(|r| r.outcome == Disposition::Interrupted && r.status == 0)
    );
    let bodies: Vec<u64> = session
        .records
        .iter()
        .filter(|r| r.path.starts_with("/slow/"))
        .map(|r| r.body_size)
        .collect();
    assert_eq!(bodies, [10; 5]);
    let heads = session
        .records
        .iter()
        .filter(|r| {
            r.problem
                .as_deref()
                .is_some_and(|p| p.contains("POST /half/"))
        })
        .count();
    assert_eq!(heads, 2);
    assert_eq!(session.totals.interrupted, 7);
    assert!(!session.is_success());
    drop((slow, halves));
}

#[test]
fn a_second_stop_ends_the_grace_period_at_once() {
    let config = Config {
        grace: Duration::from_secs(60),
        ..Config::default()
    };
    let (addr, stop, server) = start(config);
    let s = send(
        addr,
        b"POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n01234",
    );
    thread::sleep(Duration::from_millis(200));
    let began = Instant::now();
    stop.stop();
    thread::sleep(Duration::from_millis(100));
    stop.stop();
    let session = server.join().unwrap();
    assert!(
        began.elapsed() < Duration::from_secs(5),
        "{:?}",
        began.elapsed()
    );
    assert_eq!(session.totals.interrupted, 1);
    drop(s);
}

#[test]
fn slowloris_connections_cannot_delay_a_delivery_even_when_they_fill_every_slot() {
    let header_timeout = Duration::from_millis(700);
    let config = Config {
        header_timeout,
        max_connections: 16,
        ..Config::default()
    };
    let (addr, stop, server) = start(config);
    // Fill every slot, and the backlog behind them, with heads that never finish.
    let loris: Vec<TcpStream> = (0..40)
        .map(|i| {
            send(
                addr,
                format!("POST /loris/{i} HTTP/1.1\r\nHost: x\r\nX-Slow: ").as_bytes(),
            )
        })
        .collect();
    thread::sleep(Duration::from_millis(100));
    let began = Instant::now();
    let body = std::fs::read(format!("{ROOT}/schemas/msndr/examples/doc003-clicked.json")).unwrap();
    let (status, answer_body) = answer(send(addr, &post("/real", &[], &body)));
    let waited = began.elapsed();
    assert_eq!(status, 200, "{answer_body}");
    // At the limit, each newer connection takes the slot of the slowest head, so the
    // delivery does not wait for the header timeout of any of the 40 ahead of it (waves of 16
    // closed one header timeout after another would keep it waiting three times that).
    assert!(
        waited < header_timeout,
        "a delivery waited {waited:?} behind slow heads"
    );
    // Every slow head was closed, and recorded as incomplete.
    let mut closed = 0;
    for mut s in loris {
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut buf = [0u8; 64];
        if matches!(s.read(&mut buf), Ok(0) | Err(_)) {
            closed += 1;
        }
    }
    assert_eq!(closed, 40);
    stop.stop();
    let session = server.join().unwrap();
    let slow = session
        .records
        .iter()
        .filter(|r| r.outcome == Disposition::Incomplete)
        .filter(|r| {
            r.problem.as_deref().is_some_and(|p| {
                p.contains("head not received within") || p.contains("closed to make room")
            })
        })
        .count();
    assert_eq!(slow, 40, "{:#?}", session.records);
    assert_eq!(session.totals.conforming, 1);
}

#[test]
fn an_idle_keep_alive_connection_is_closed_after_the_idle_timeout_and_not_recorded() {
    let config = Config {
        idle_timeout: Duration::from_millis(300),
        ..Config::default()
    };
    let (addr, stop, server) = start(config);
    let body = std::fs::read(format!("{ROOT}/schemas/msndr/examples/doc003-clicked.json")).unwrap();
    let mut req = post("/keep", &[], &body);
    // Keep the connection open after the answer.
    let text = String::from_utf8(req.clone())
        .unwrap()
        .replace("Connection: close\r\n", "");
    req = text.into_bytes();
    let mut s = send(addr, &req);
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let began = Instant::now();
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    assert!(String::from_utf8_lossy(&buf).starts_with("HTTP/1.1 200"));
    assert!(
        began.elapsed() < Duration::from_secs(3),
        "{:?}",
        began.elapsed()
    );
    stop.stop();
    let session = server.join().unwrap();
    assert_eq!(session.records.len(), 1);
    assert!(session.is_success());
}

#[test]
fn slowloris_connections_at_the_open_file_limit_cannot_delay_a_delivery() {
    let dir = tempfile::tempdir().unwrap();
    let rec = dir.path().join("rec.ndjson");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    // 48 descriptors in all (soft and hard), so the 60 slow heads run the listener out of
    // descriptors long before its 512 connection slots.
    let child = std::process::Command::new("sh")
        .args(["-c", "ulimit -n 48 && exec \"$0\" \"$@\""])
        .arg(env!("CARGO_BIN_EXE_hookcheck"))
        .args(["listen", "--quiet", "--bind", &format!("127.0.0.1:{port}")])
        .args(["--timeout", "60s", "--header-timeout", "20s", "--record"])
        .arg(&rec)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let until = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(addr).is_err() {
        assert!(Instant::now() < until, "the listener did not start");
        thread::sleep(Duration::from_millis(20));
    }
    let loris: Vec<TcpStream> = (0..60)
        .map(|i| {
            send(
                addr,
                format!("POST /loris/{i} HTTP/1.1\r\nHost: x\r\nX-Slow: ").as_bytes(),
            )
        })
        .collect();
    thread::sleep(Duration::from_millis(300));
    let body = std::fs::read(format!("{ROOT}/schemas/msndr/examples/doc003-clicked.json")).unwrap();
    let began = Instant::now();
    let (status, answer_body) = answer(send(addr, &post("/real", &[], &body)));
    let waited = began.elapsed();
    assert_eq!(status, 200, "{answer_body}");
    // Waiting for a descriptor to free itself would take the 20 s header timeout.
    assert!(
        waited < Duration::from_secs(5),
        "a delivery waited {waited:?} behind slow heads at the open-file limit"
    );
    let pid = child.id().to_string();
    assert!(
        std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    drop(loris);
    // Every slow head that reached the listener has its record, and so has the delivery.
    let records: Vec<Value> = std::fs::read_to_string(&rec)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let delivered = records
        .iter()
        .filter(|r| r["path"] == "/real" && r["outcome"] == "conforming")
        .count();
    assert_eq!(delivered, 1, "{records:#?}");
    for i in 0..60 {
        let head = format!("POST /loris/{i} ");
        let found = records.iter().filter(|r| {
            r["problem"].as_str().is_some_and(|p| p.contains(&head))
                && ["incomplete", "interrupted"].contains(&r["outcome"].as_str().unwrap())
        });
        assert_eq!(found.count(), 1, "slow head {i}: {records:#?}");
    }
    assert_eq!(records.len(), 61);
}
