//! `hookcheck listen` in-process over loopback: many concurrent senders, every kind of bad
//! request, slow clients, size limits, signatures, recordings, reports, and replay.

use crate::support::listen::start;
use crate::support::report as report_support;

use std::{
    collections::HashMap,
    io::{Read, Write},
    net::{SocketAddr, TcpStream},
    thread,
    time::{Duration, Instant},
};

use base64::{Engine as _, engine::general_purpose::STANDARD as B64};
use hookcheck::listen::{
    Config, StopReason, Verifiers,
    record::Disposition,
    replay::{self, Client},
};
use hookcheck::report::Format;
use hookcheck::signature::{
    Signer, getmailer::GetMailer, postal::PostalSigner, postal::PostalVerifier,
    standard::StandardWebhooks,
};
use report_support::{assert_report_schema, parse_junit};
use serde_json::Value;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const GM_SECRET: &str = "gm test secret";

fn file(path: &str) -> Vec<u8> {
    std::fs::read(format!("{ROOT}/{path}")).unwrap()
}

fn postal_sent() -> Vec<u8> {
    file("schemas/postal/examples/doc002-sent.json")
}

fn msndr_clicked() -> Vec<u8> {
    file("schemas/msndr/examples/doc003-clicked.json")
}

fn getmailer_sent() -> Vec<u8> {
    file("schemas/getmailer/examples/doc004-email-sent.json")
}

fn postal_nonconforming() -> Vec<u8> {
    let mut v: Value = serde_json::from_slice(&postal_sent()).unwrap();
    v["payload"]["status"] = Value::String("Delivered".into());
    serde_json::to_vec(&v).unwrap()
}

fn post(agent: &ureq::Agent, url: &str, headers: &[(String, String)], body: &[u8]) -> (u16, Value) {
    let mut req = agent.post(url);
    for (n, v) in headers {
        req = req.header(n, v);
    }
    let mut resp = req.send(body).unwrap();
    let status = resp.status().as_u16();
    let text = resp.body_mut().read_to_string().unwrap();
    (status, serde_json::from_str(&text).unwrap())
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

/// One kind of request and what listen must make of it.
struct Kind {
    name: &'static str,
    body: Vec<u8>,
    headers: Vec<(String, String)>,
    status: u16,
    outcome: Disposition,
}

fn kinds() -> Vec<Kind> {
    let gm = GetMailer::new(GM_SECRET).unwrap();
    let wrong = GetMailer::new("not the secret").unwrap();
    let signed = |body: &[u8]| gm.sign(body).unwrap();
    let json = vec![("content-type".to_owned(), "application/json".to_owned())];
    let with = |mut a: Vec<(String, String)>, b: Vec<(String, String)>| {
        a.extend(b);
        a
    };
    let truncated = postal_sent()[..200].to_vec();
    let binary = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe".to_vec();
    vec![
        Kind {
            name: "postal-conforming",
            headers: json.clone(),
            body: postal_sent(),
            status: 200,
            outcome: Disposition::Conforming,
        },
        Kind {
            name: "msndr-conforming",
            headers: json.clone(),
            body: msndr_clicked(),
            status: 200,
            outcome: Disposition::Conforming,
        },
        Kind {
            name: "getmailer-signed",
            headers: with(json.clone(), signed(&getmailer_sent())),
            body: getmailer_sent(),
            status: 200,
            outcome: Disposition::Conforming,
        },
        Kind {
            name: "postal-nonconforming",
            headers: json.clone(),
            body: postal_nonconforming(),
            status: 400,
            outcome: Disposition::Nonconforming,
        },
        // Bodies whose vendor cannot be told must carry a configured vendor's signature.
        Kind {
            name: "not-json",
            headers: with(json.clone(), signed(b"hello, webhook")),
            body: b"hello, webhook".to_vec(),
            status: 400,
            outcome: Disposition::Nonconforming,
        },
        Kind {
            name: "truncated",
            headers: with(json.clone(), signed(&truncated)),
            body: truncated,
            status: 400,
            outcome: Disposition::Nonconforming,
        },
        Kind {
            name: "binary",
            headers: with(
                vec![("content-type".into(), "image/png".into())],
                signed(&binary),
            ),
            body: binary,
            status: 400,
            outcome: Disposition::Nonconforming,
        },
        Kind {
            name: "getmailer-wrong-signature",
            headers: with(json, wrong.sign(&getmailer_sent()).unwrap()),
            body: getmailer_sent(),
            status: 401,
            outcome: Disposition::Unauthorized,
        },
    ]
}

#[test]
fn a_thousand_concurrent_requests_are_each_recorded_once_with_the_right_verdict() {
    const CLIENTS: usize = 8;
    const PER_CLIENT: usize = 125;
    const TOTAL: usize = CLIENTS * PER_CLIENT;
    let dir = tempfile::tempdir().unwrap();
    let ndjson = dir.path().join("rec.ndjson");
    let config = Config {
        expect: Some(TOTAL as u64),
        timeout: Some(Duration::from_secs(300)),
        record: Some(ndjson.clone()),
        verifiers: Verifiers {
            getmailer: Some(GetMailer::new(GM_SECRET).unwrap()),
            ..Verifiers::default()
        },
        ..Config::default()
    };
    let (addr, _stop, server) = start(config);
    let kinds = std::sync::Arc::new(kinds());
    let clients: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let kinds = kinds.clone();
            thread::spawn(move || {
                let agent = agent();
                let mut sent = Vec::new();
                for i in 0..PER_CLIENT {
                    let k = (c + i) % kinds.len();
                    let kind = &kinds[k];
                    let path = format!("/hooks/{}/{c}/{i}", kind.name);
                    let (status, answer) = post(
                        &agent,
                        &format!("http://{addr}{path}"),
                        &kind.headers,
                        &kind.body,
                    );
                    assert_eq!(status, kind.status, "{path}: {answer}");
                    assert_eq!(answer["outcome"], kind.outcome_str(), "{path}: {answer}");
                    if status != 200 {
                        assert!(!answer["errors"].as_array().unwrap().is_empty(), "{answer}");
                    }
                    sent.push((path, k));
                }
                sent
            })
        })
        .collect();
    let sent: HashMap<String, usize> = clients
        .into_iter()
        .flat_map(|c| c.join().unwrap())
        .collect();
    assert_eq!(sent.len(), TOTAL);
    let session = server.join().unwrap();
    assert_eq!(session.reason, StopReason::Expected);
    assert_eq!(session.records.len(), TOTAL);
    assert!(!session.is_success());

    // The session: every path exactly once, with its kind's verdict; seqs 1..=TOTAL.
    let mut seen = HashMap::new();
    for r in &session.records {
        let k = sent[&r.path];
        assert!(
            seen.insert(r.path.clone(), ()).is_none(),
            "{} twice",
            r.path
        );
        assert_eq!(r.status, kinds[k].status, "{}", r.path);
        assert_eq!(r.outcome, kinds[k].outcome, "{}", r.path);
        assert_eq!(r.body().unwrap(), kinds[k].body, "{}", r.path);
    }
    let mut seqs: Vec<u64> = session.records.iter().map(|r| r.seq).collect();
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=TOTAL as u64).collect::<Vec<_>>());

    // The NDJSON recording: one valid JSON object per line, lossless bodies and headers.
    let text = std::fs::read_to_string(&ndjson).unwrap();
    assert!(text.ends_with('\n'));
    let mut lines = 0;
    for line in text.lines() {
        lines += 1;
        let rec: Value = serde_json::from_str(line).expect("each line is one JSON document");
        let path = rec["path"].as_str().unwrap();
        let kind = &kinds[sent[path]];
        let body = B64.decode(rec["body_base64"].as_str().unwrap()).unwrap();
        assert_eq!(body, kind.body, "{path}");
        assert_eq!(rec["body_size"], kind.body.len());
        match std::str::from_utf8(&kind.body) {
            Ok(t) => assert_eq!(rec["body_text"], t),
            Err(_) => assert!(rec["body_text"].is_null()),
        }
        assert_eq!(rec["status"], kind.status);
        assert_eq!(rec["outcome"], kind.outcome_str());
        assert_eq!(rec["method"], "POST");
        for (n, v) in &kind.headers {
            let found = rec["headers"].as_array().unwrap().iter().any(|h| {
                h["name"].as_str().unwrap().eq_ignore_ascii_case(n) && h["value"] == v.as_str()
            });
            assert!(found, "{path}: header {n} not recorded");
        }
        assert!(humantime::parse_rfc3339(rec["received_at"].as_str().unwrap()).is_ok());
    }
    assert_eq!(lines, TOTAL);

    // The reports list each request with its verdict.
    let report = session.to_report();
    let mut out = Vec::new();
    Format::Junit.write(&report, &mut out).unwrap();
    let junit = parse_junit(&String::from_utf8(out).unwrap());
    assert_eq!(junit.cases.len(), TOTAL);
    let failures = kinds.iter().filter(|k| k.status != 200).count() * TOTAL / kinds.len();
    assert_eq!(junit.totals.tests, TOTAL);
    assert_eq!(junit.totals.failures, failures);
    for case in &junit.cases {
        let path = case.name.split(' ').nth(2).unwrap();
        let kind = &kinds[sent[path]];
        let expect = if kind.status == 200 {
            "passed"
        } else {
            "failure"
        };
        assert_eq!(case.result, expect, "{}", case.name);
    }
    let mut out = Vec::new();
    Format::Json.write(&report, &mut out).unwrap();
    let doc: Value = serde_json::from_slice(&out).unwrap();
    assert_report_schema(&doc);
    assert_eq!(doc["totals"]["failed"], failures);
    let statuses: Vec<&str> = doc["suites"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["cases"].as_array().unwrap())
        .map(|c| c["outcome"]["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses.len(), TOTAL);
    assert_eq!(
        statuses.iter().filter(|s| **s == "failed").count(),
        failures
    );
}

impl Kind {
    fn outcome_str(&self) -> &'static str {
        self.outcome.as_str()
    }
}

/// Writes a raw HTTP/1.1 request head and returns the open stream.
fn raw(addr: SocketAddr, head: &str, body_part: &[u8]) -> TcpStream {
    let mut s = TcpStream::connect(addr).unwrap();
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(body_part).unwrap();
    s.flush().unwrap();
    s
}

fn status_of(mut s: TcpStream) -> u16 {
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = s.read(&mut chunk).unwrap();
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let text = String::from_utf8_lossy(&buf);
    text.split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

#[test]
fn slow_clients_do_not_block_others_and_time_out_as_incomplete() {
    let read_timeout = Duration::from_secs(6);
    let config = Config {
        read_timeout,
        grace: Duration::from_secs(1),
        ..Config::default()
    };
    let (addr, stop, server) = start(config);
    // Three clients send headers and part of the body, then stall.
    let stalled: Vec<TcpStream> = (0..3)
        .map(|i| {
            raw(
                addr,
                &format!("POST /slow/{i} HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n"),
                b"{\"event\":",
            )
        })
        .collect();
    // A client that sends only part of its headers.
    let _half_head = raw(addr, "POST /half HTTP/1.1\r\nHost: x\r\nContent-Le", b"");
    let agent = agent();
    let began = Instant::now();
    for i in 0..20 {
        let (status, _) = post(
            &agent,
            &format!("http://{addr}/fast/{i}"),
            &[],
            &postal_sent(),
        );
        assert_eq!(status, 200);
    }
    // All of them were answered while the slow ones were still stalled.
    assert!(
        began.elapsed() < read_timeout,
        "fast requests waited for the slow ones: {:?}",
        began.elapsed()
    );
    for s in stalled {
        assert_eq!(status_of(s), 408);
    }
    stop.stop();
    let session = server.join().unwrap();
    assert_eq!(session.reason, StopReason::Stopped);
    let slow: Vec<_> = session
        .records
        .iter()
        .filter(|r| r.path.starts_with("/slow/"))
        .collect();
    assert_eq!(slow.len(), 3);
    for r in slow {
        assert_eq!(r.outcome, Disposition::Incomplete);
        assert_eq!(r.status, 408);
        assert_eq!(r.body_size, 9);
        assert!(r.body_base64.is_none());
    }
    let fast = session
        .records
        .iter()
        .filter(|r| r.path.starts_with("/fast/"))
        .count();
    assert_eq!(fast, 20);
    // The half-sent head never became a request with a path, but it reached the listener:
    // the session ended while it was being read, so it is recorded as interrupted.
    assert!(session.records.iter().all(|r| r.path != "/half"));
    let half: Vec<_> = session
        .records
        .iter()
        .filter(|r| r.problem.as_deref().is_some_and(|p| p.contains("/half")))
        .collect();
    assert_eq!(half.len(), 1, "{half:#?}");
    assert_eq!(half[0].outcome, Disposition::Interrupted);
}

#[test]
fn bodies_over_the_limit_get_413_declared_or_streamed() {
    let config = Config {
        max_body: 1000,
        ..Config::default()
    };
    let (addr, stop, server) = start(config);
    let big = vec![b'x'; 2000];
    // Declared by Content-Length: refused before reading.
    let s = raw(
        addr,
        "POST /declared HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\n\r\n",
        &big,
    );
    assert_eq!(status_of(s), 413);
    // Chunked, so only reading finds out.
    let chunked = format!("{:x}\r\n{}\r\n0\r\n\r\n", big.len(), "x".repeat(big.len()));
    let s = raw(
        addr,
        "POST /chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
        chunked.as_bytes(),
    );
    assert_eq!(status_of(s), 413);
    // Exactly at the limit is read and checked.
    let (status, answer) = post(
        &agent(),
        &format!("http://{addr}/at-limit"),
        &[],
        &vec![b' '; 1000],
    );
    assert_eq!(
        (status, answer["outcome"].as_str()),
        (400, Some("nonconforming"))
    );
    stop.stop();
    let session = server.join().unwrap();
    let by_path: HashMap<&str, _> = session
        .records
        .iter()
        .map(|r| (r.path.as_str(), r))
        .collect();
    assert_eq!(by_path["/declared"].outcome, Disposition::TooLarge);
    assert_eq!(by_path["/chunked"].outcome, Disposition::TooLarge);
    assert!(by_path["/chunked"].body_size > 1000);
    assert_eq!(by_path["/at-limit"].body_size, 1000);
    assert!(!session.is_success());
}

#[test]
fn postal_and_standard_webhooks_signatures_are_enforced() {
    let signer = PostalSigner::from_pem(
        &String::from_utf8(file("tests/data/postal-TEST-ONLY-private-key.pem")).unwrap(),
    )
    .unwrap();
    let sw = StandardWebhooks::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
    let config = Config {
        verifiers: Verifiers {
            postal: Some(PostalVerifier::new(signer.public_key().clone())),
            standard: Some(sw.clone()),
            ..Verifiers::default()
        },
        ..Config::default()
    };
    let (addr, stop, server) = start(config);
    let agent = agent();
    let body = postal_sent();
    let mut both = signer.sign(&body).unwrap();
    both.extend(sw.sign(&body).unwrap());
    let url = format!("http://{addr}/p");
    assert_eq!(post(&agent, &url, &both, &body).0, 200);
    // Postal signature only: the Standard Webhooks one is required too.
    let (status, answer) = post(&agent, &url, &signer.sign(&body).unwrap(), &body);
    assert_eq!(status, 401);
    assert!(
        answer["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("webhook-id"),
        "{answer}"
    );
    // A Postal signature over other bytes.
    let mut tampered = both.clone();
    let other = signer.sign(b"{}").unwrap();
    tampered.retain(|(n, _)| !n.starts_with("X-Postal"));
    tampered.extend(other);
    assert_eq!(post(&agent, &url, &tampered, &body).0, 401);
    // msndr.net signs nothing, so only the Standard Webhooks signature is required.
    let m = msndr_clicked();
    assert_eq!(post(&agent, &url, &sw.sign(&m).unwrap(), &m).0, 200);
    stop.stop();
    let session = server.join().unwrap();
    let outcomes: Vec<Disposition> = session.records.iter().map(|r| r.outcome).collect();
    assert_eq!(
        outcomes,
        [
            Disposition::Conforming,
            Disposition::Unauthorized,
            Disposition::Unauthorized,
            Disposition::Conforming
        ]
    );
    let checks = &session.records[2].signatures;
    assert!(
        checks.iter().any(|c| !c.ok && c.error == Some("mismatch")),
        "{checks:?}"
    );
}

#[test]
fn too_few_requests_before_the_timeout_is_a_failure() {
    let config = Config {
        expect: Some(3),
        timeout: Some(Duration::from_millis(800)),
        ..Config::default()
    };
    let (addr, _stop, server) = start(config);
    assert_eq!(
        post(&agent(), &format!("http://{addr}/"), &[], &postal_sent()).0,
        200
    );
    let session = server.join().unwrap();
    assert_eq!(session.reason, StopReason::TimedOut);
    assert_eq!(session.shortfall(), Some(2));
    assert!(!session.is_success());
    let report = session.to_report();
    let last = report.suites.last().unwrap();
    assert_eq!(last.name, "(session)");
    assert_eq!(report.totals().failed, 1);
    assert_eq!(report.totals().passed, 1);
}

#[test]
fn other_methods_are_answered_405_and_not_counted() {
    let config = Config {
        expect: Some(1),
        timeout: Some(Duration::from_secs(30)),
        ..Config::default()
    };
    let (addr, _stop, server) = start(config);
    let s = raw(addr, "HEAD /probe HTTP/1.1\r\nHost: x\r\n\r\n", b"");
    assert_eq!(status_of(s), 405);
    assert_eq!(
        post(&agent(), &format!("http://{addr}/"), &[], &postal_sent()).0,
        200
    );
    let session = server.join().unwrap();
    assert_eq!(session.reason, StopReason::Expected);
    assert_eq!(session.records.len(), 2);
    assert_eq!(session.counted(), 1);
    assert!(session.is_success());
    assert_eq!(session.to_report().totals().skipped, 1);
}

#[test]
fn a_recording_replays_byte_for_byte_and_re_signed() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first.ndjson");
    let key = String::from_utf8(file("tests/data/postal-TEST-ONLY-private-key.pem")).unwrap();
    let signer = PostalSigner::from_pem(&key).unwrap();
    let (addr, _stop, server) = start(Config {
        expect: Some(3),
        timeout: Some(Duration::from_secs(60)),
        record: Some(first.clone()),
        ..Config::default()
    });
    let agent = agent();
    let odd =
        b"{\"event\":\"MessageSent\",\"payload\":{},\"x\":\"\\u003c\\u0026 \xc3\xa9\"}".to_vec();
    for (path, body) in [
        ("/a?x=1", postal_sent()),
        ("/b", msndr_clicked()),
        ("/c", odd.clone()),
    ] {
        post(&agent, &format!("http://{addr}{path}"), &[], &body);
    }
    let recorded = server.join().unwrap();

    // Replay to a listener that demands Postal signatures: re-signing makes postal bodies pass.
    let (addr2, _stop2, server2) = start(Config {
        expect: Some(3),
        timeout: Some(Duration::from_secs(60)),
        verifiers: Verifiers {
            postal: Some(PostalVerifier::new(signer.public_key().clone())),
            ..Verifiers::default()
        },
        ..Config::default()
    });
    let (mut requests, skipped) = replay::read_recording(&first).unwrap();
    assert!(skipped.is_empty());
    assert_eq!(requests.len(), 3);
    let signers: Vec<Box<dyn Signer>> = vec![Box::new(signer)];
    let client = Client::new(Duration::from_secs(10));
    let mut statuses = Vec::new();
    for r in &mut requests {
        replay::sign(r, &signers).unwrap();
        statuses.push(
            client
                .send(&format!("http://{addr2}/base"), r, true)
                .unwrap()
                .status,
        );
    }
    let replayed = server2.join().unwrap();
    let mut by_path: Vec<_> = replayed
        .records
        .iter()
        .map(|r| (r.path.clone(), r))
        .collect();
    by_path.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        by_path.iter().map(|(p, _)| p.as_str()).collect::<Vec<_>>(),
        ["/base/a?x=1", "/base/b", "/base/c"]
    );
    for (orig, (_, again)) in recorded.records.iter().zip(&by_path) {
        assert_eq!(
            orig.body(),
            again.body(),
            "bodies must be replayed byte for byte"
        );
        assert!(
            again.signatures.iter().all(|s| s.ok),
            "{:?}",
            again.signatures
        );
    }
    // The third body has a Postal envelope but is not a valid MessageSent.
    assert_eq!(statuses, [200, 200, 400]);
}
