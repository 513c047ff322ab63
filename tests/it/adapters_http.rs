//! The HTTP adapter against a loopback receiver: 2xx accepts, 4xx rejects, 5xx/3xx, refused
//! connections and timeouts are faults; requests look like the vendor's.

use crate::support::fixtures;

use std::{
    io::{BufRead, BufReader, Read, Write},
    net::{TcpListener, TcpStream},
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    thread::{self, JoinHandle},
    time::Duration,
};

use fixtures::{all_fixtures, fixtures};
use hookcheck::{
    adapters::http::{HttpParser, default_user_agent},
    catalog::Vendor,
    parser::{Fault, Fidelity, ParseError, WebhookParser},
    parsers::ReferenceParser,
    signature::{Scheme, SignatureError, Signer, getmailer::GetMailer},
};

/// One request as the receiver saw it.
#[derive(Debug, Clone)]
struct Seen {
    request_line: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What the receiver answers: status, body, and a delay before answering.
type Handler = dyn Fn(&Seen) -> (u16, Vec<u8>, Duration) + Send + Sync;

/// A loopback HTTP/1.1 receiver serving one connection at a time until dropped.
struct Receiver {
    url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Receiver {
    fn start(handler: impl Fn(&Seen) -> (u16, Vec<u8>, Duration) + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let url = format!(
            "http://{}/hooks/in?source=test",
            listener.local_addr().unwrap()
        );
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let handler: Arc<Handler> = Arc::new(handler);
        let thread = {
            let (seen, stop) = (Arc::clone(&seen), Arc::clone(&stop));
            thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        return;
                    }
                    let Ok(stream) = stream else { continue };
                    serve(stream, handler.as_ref(), &seen);
                }
            })
        };
        Self {
            url,
            seen,
            stop,
            thread: Some(thread),
        }
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let addr = self
            .url
            .trim_start_matches("http://")
            .split('/')
            .next()
            .unwrap()
            .to_owned();
        let _ = TcpStream::connect(addr);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Reads one request, records it, then answers (so a client that got its answer finds its
/// request recorded).
fn serve(stream: TcpStream, handler: &Handler, record: &Mutex<Vec<Seen>>) -> Option<()> {
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line).ok()?;
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':')?;
        headers.push((name.trim().to_owned(), value.trim().to_owned()));
    }
    let length = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    let seen = Seen {
        request_line: request_line.trim_end().to_owned(),
        headers,
        body,
    };
    let (status, answer, delay) = handler(&seen);
    record.lock().unwrap().push(seen);
    thread::sleep(delay);
    let mut stream = stream;
    let _ = write!(
        stream,
        "HTTP/1.1 {status} Status\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        answer.len()
    );
    let _ = stream.write_all(&answer);
    Some(())
}

fn answer(
    status: u16,
    body: &str,
) -> impl Fn(&Seen) -> (u16, Vec<u8>, Duration) + Send + Sync + 'static {
    let body = body.as_bytes().to_vec();
    move |_| (status, body.clone(), Duration::ZERO)
}

fn sent() -> Vec<u8> {
    fixtures(Vendor::POSTAL)
        .into_iter()
        .find(|f| f.event == "MessageSent")
        .unwrap()
        .body
}

/// A signer that stands in for Postal's and signs with the body length.
struct LengthSigner;

impl Signer for LengthSigner {
    fn scheme(&self) -> Scheme {
        Scheme::Postal
    }

    fn sign(&self, body: &[u8]) -> Result<Vec<(String, String)>, SignatureError> {
        Ok(vec![(
            "X-Postal-Signature".to_owned(),
            format!("len:{}", body.len()),
        )])
    }
}

/// A signer whose key cannot be used.
struct BrokenSigner;

impl Signer for BrokenSigner {
    fn scheme(&self) -> Scheme {
        Scheme::Postal
    }

    fn sign(&self, _: &[u8]) -> Result<Vec<(String, String)>, SignatureError> {
        Err(SignatureError::Signing {
            reason: "no key loaded".into(),
        })
    }
}

#[test]
fn a_2xx_accepts_and_the_request_looks_like_postals() {
    let receiver = Receiver::start(answer(204, ""));
    let parser = HttpParser::new(&receiver.url).with_signer(Vendor::POSTAL, LengthSigner);
    assert_eq!(parser.fidelity(), Fidelity::Verdict);
    let body = sent();
    let event = parser.parse(Vendor::POSTAL, &body).expect("accepted");
    assert_eq!(
        event.event, None,
        "a verdict-only receiver reports no fields"
    );

    let seen = receiver.seen();
    assert_eq!(seen.len(), 1);
    let request = &seen[0];
    assert_eq!(request.request_line, "POST /hooks/in?source=test HTTP/1.1");
    assert_eq!(request.body, body, "the body is sent byte for byte");
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(request.header("user-agent"), Some("Postal/3.3.6"));
    assert_eq!(
        request.header("x-postal-signature"),
        Some(format!("len:{}", body.len()).as_str())
    );
}

#[test]
fn each_vendor_is_signed_with_its_own_signer() {
    let receiver = Receiver::start(answer(200, ""));
    let body = br#"{"id":"evt_1"}"#;
    let getmailer = GetMailer::new("whsec_test_secret").unwrap();
    let expected = getmailer.signature(body);
    let parser = HttpParser::new(&receiver.url)
        .with_signer(Vendor::POSTAL, LengthSigner)
        .with_signer(Vendor::GETMAILER, getmailer);
    parser.parse(Vendor::GETMAILER, body).unwrap();
    parser.parse(Vendor::MSNDR, b"{}").unwrap();
    let seen = receiver.seen();
    assert!(expected.starts_with("sha256="), "{expected}");
    assert_eq!(
        seen[0].header("x-getmailer-signature"),
        Some(expected.as_str())
    );
    assert_eq!(seen[0].header("x-postal-signature"), None);
    let signed = |s: &Seen| {
        s.headers
            .iter()
            .any(|(n, _)| n.to_ascii_lowercase().contains("signature"))
    };
    assert!(!signed(&seen[1]), "msndr.net bodies go unsigned");
}

#[test]
fn user_agent_and_fixed_headers() {
    let receiver = Receiver::start(answer(200, "ok"));
    let parser = HttpParser::new(&receiver.url).with_header("Authorization", "Basic dTpw");
    parser.parse(Vendor::GETMAILER, b"{}").unwrap();
    let parser = HttpParser::new(&receiver.url).with_user_agent("Postal/3.2.0");
    parser.parse(Vendor::POSTAL, b"{}").unwrap();
    let seen = receiver.seen();
    assert_eq!(
        seen[0].header("user-agent"),
        Some(default_user_agent(Vendor::GETMAILER).as_ref())
    );
    assert_eq!(seen[0].header("authorization"), Some("Basic dTpw"));
    assert_eq!(seen[1].header("user-agent"), Some("Postal/3.2.0"));
}

#[test]
fn a_4xx_rejects_with_the_receivers_message() {
    let receiver = Receiver::start(answer(422, "missing payload.message.token"));
    let err = HttpParser::new(&receiver.url)
        .parse(Vendor::POSTAL, &sent())
        .unwrap_err();
    assert_eq!(
        err,
        ParseError::Rejected {
            detail: "HTTP 422: missing payload.message.token".into()
        }
    );
    assert!(err.is_rejection());
}

#[test]
fn a_5xx_or_3xx_is_a_fault() {
    for status in [500, 503, 302] {
        let receiver = Receiver::start(answer(status, "Location: /elsewhere"));
        let err = HttpParser::new(&receiver.url)
            .parse(Vendor::MSNDR, b"{}")
            .unwrap_err();
        assert_eq!(err, ParseError::Fault(Fault::HttpStatus { status }));
        assert_eq!(
            receiver.seen().len(),
            1,
            "{status}: redirects are not followed"
        );
    }
}

#[test]
fn a_refused_connection_is_a_transport_fault() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let err = HttpParser::new(format!("http://127.0.0.1:{port}/"))
        .parse(Vendor::POSTAL, b"{}")
        .unwrap_err();
    assert!(
        matches!(err, ParseError::Fault(Fault::Transport { .. })),
        "{err:?}"
    );
}

#[test]
fn a_slow_receiver_times_out() {
    let receiver = Receiver::start(|_: &Seen| (200, Vec::new(), Duration::from_millis(1500)));
    let parser = HttpParser::new(&receiver.url).with_timeout(Duration::from_millis(300));
    let err = parser.parse(Vendor::POSTAL, b"{}").unwrap_err();
    assert_eq!(
        err,
        ParseError::Fault(Fault::Timeout {
            after: Duration::from_millis(300)
        })
    );
}

#[test]
fn a_failing_signer_is_a_fault() {
    let receiver = Receiver::start(answer(200, ""));
    let parser = HttpParser::new(&receiver.url).with_signer(Vendor::POSTAL, BrokenSigner);
    let err = parser.parse(Vendor::POSTAL, b"{}").unwrap_err();
    assert!(
        matches!(err, ParseError::Fault(Fault::Signer { ref detail }) if detail.contains("no key loaded")),
        "{err:?}"
    );
    assert!(receiver.seen().is_empty(), "nothing is sent unsigned");
}

/// A receiver that parses with the reference parser and reports what it parsed.
fn reporting_receiver() -> Receiver {
    Receiver::start(|seen: &Seen| {
        let vendor: Vendor = seen
            .header("x-vendor")
            .unwrap_or("")
            .parse()
            .expect("x-vendor header");
        match ReferenceParser.parse(vendor, &seen.body) {
            Ok(ev) => {
                let ts = ev.timestamp.as_ref().unwrap();
                let timestamp = match vendor {
                    Vendor::GETMAILER => serde_json::Value::from(ts.raw()),
                    _ => serde_json::from_str(ts.raw()).unwrap(),
                };
                let reply = serde_json::json!({
                    "event": ev.event,
                    "fields": {
                        "event_id": ev.event_id,
                        "message_id": ev.message_id,
                        "timestamp": timestamp,
                        "recipient": ev.recipient,
                    }
                });
                (200, serde_json::to_vec(&reply).unwrap(), Duration::ZERO)
            }
            Err(e) => (400, e.to_string().into_bytes(), Duration::ZERO),
        }
    })
}

#[test]
fn a_reporting_receiver_is_checked_field_by_field() {
    let receiver = reporting_receiver();
    for fixture in all_fixtures() {
        let parser = HttpParser::new(&receiver.url)
            .expect_fields()
            .with_header("X-Vendor", fixture.vendor.as_str());
        assert_eq!(parser.fidelity(), Fidelity::Fields);
        let got = parser.parse(fixture.vendor, &fixture.body).unwrap();
        let want = ReferenceParser
            .parse(fixture.vendor, &fixture.body)
            .unwrap();
        let ctx = format!("{} {}", fixture.vendor, fixture.event);
        assert_eq!(got.event, want.event, "{ctx}");
        assert_eq!(got.event_id, want.event_id, "{ctx}");
        assert_eq!(got.message_id, want.message_id, "{ctx}");
        assert_eq!(got.recipient, want.recipient, "{ctx}");
        assert!(
            got.timestamp
                .unwrap()
                .matches(want.timestamp.as_ref().unwrap()),
            "{ctx}"
        );
    }
    let parser = HttpParser::new(&receiver.url)
        .expect_fields()
        .with_header("X-Vendor", "msndr");
    assert!(
        parser
            .parse(Vendor::MSNDR, b"[]")
            .unwrap_err()
            .is_rejection()
    );
}

#[test]
fn fields_mode_requires_a_report() {
    let receiver = Receiver::start(answer(200, "OK"));
    let err = HttpParser::new(&receiver.url)
        .expect_fields()
        .parse(Vendor::POSTAL, b"{}")
        .unwrap_err();
    assert!(
        matches!(err, ParseError::Fault(Fault::Protocol { .. })),
        "{err:?}"
    );
}

/// A receiver that checks the GetMailer signature (401 when it does not verify, unless
/// `verify` is false) and then parses with the reference parser (200 or 400).
fn getmailer_receiver(secret: &'static str, verify: bool) -> Receiver {
    use hookcheck::signature::Verifier;
    let verifier = GetMailer::new(secret).unwrap();
    Receiver::start(move |seen| {
        if verify && verifier.verify(&seen.headers, &seen.body).is_err() {
            return (401, b"bad signature".to_vec(), Duration::ZERO);
        }
        match ReferenceParser.parse(Vendor::GETMAILER, &seen.body) {
            Ok(_) => (200, Vec::new(), Duration::ZERO),
            Err(_) => (400, b"nonconforming".to_vec(), Duration::ZERO),
        }
    })
}

fn signed_config() -> hookcheck::certify::Config {
    hookcheck::certify::Config::default()
        .event("getmailer/email.sent")
        .property(hookcheck::certify::Property::AcceptsValid)
        .property(hookcheck::certify::Property::VerifiesSignature)
        .cases(32)
        .seed(hookcheck::certify::Seed(3))
}

#[test]
fn a_receiver_that_verifies_signatures_passes_verifies_signature() {
    let receiver = getmailer_receiver("s3cret", true);
    let url = receiver.url.clone();
    let c = hookcheck::certify::run_adapter(
        || HttpParser::new(&url).with_signer(Vendor::GETMAILER, GetMailer::new("s3cret").unwrap()),
        &signed_config(),
    )
    .unwrap();
    assert!(c.is_success(), "{c}");
    assert_eq!(c.tally().passed, 2, "{c}\n{:#?}", c.cells);
    // Every forgery was sent: no signature, a wrong one, another key, other bytes, truncated.
    let forged = receiver
        .seen()
        .iter()
        .filter(|s| s.header("X-GetMailer-Signature").is_none())
        .count();
    assert!(forged >= 2, "{forged}");
}

#[test]
fn a_receiver_that_skips_signature_checks_fails_verifies_signature() {
    let receiver = getmailer_receiver("s3cret", false);
    let url = receiver.url.clone();
    let c = hookcheck::certify::run_adapter(
        || HttpParser::new(&url).with_signer(Vendor::GETMAILER, GetMailer::new("s3cret").unwrap()),
        &signed_config(),
    )
    .unwrap();
    let cell = c
        .cells
        .iter()
        .find(|r| r.property == hookcheck::certify::Property::VerifiesSignature)
        .unwrap();
    assert_eq!(cell.outcome, hookcheck::certify::Outcome::Failed, "{c}");
    let message = &cell.counterexample.as_ref().unwrap().message;
    assert!(
        message.starts_with("SECURITY: the receiver accepted a forged request (no signature)"),
        "{message}"
    );
    assert!(message.contains("headers []"), "{message}");
}

#[test]
fn a_large_answer_is_cut_after_the_status_never_a_transport_error() {
    let big = "x".repeat(3 << 20);
    let ok = Receiver::start(answer(200, &big));
    assert!(
        HttpParser::new(&ok.url)
            .parse(Vendor::POSTAL, &sent())
            .is_ok()
    );
    let no = Receiver::start(answer(422, &big));
    let err = HttpParser::new(&no.url)
        .parse(Vendor::POSTAL, &sent())
        .unwrap_err();
    assert!(err.is_rejection(), "{err:?}");
    assert!(
        err.to_string().starts_with("rejected: HTTP 422: xxx"),
        "{err}"
    );
}

#[test]
fn certify_signs_from_the_command_line_and_reports_an_accepted_forgery() {
    use assert_cmd::Command;
    use predicates::str::contains;
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("secret");
    std::fs::write(&secret, "s3cret\n").unwrap();
    let certify = |url: &str| {
        let mut cmd = Command::cargo_bin("hookcheck").unwrap();
        cmd.args(["certify", "--url", url, "--event", "getmailer/email.sent"])
            .args([
                "--property",
                "verifies-signature",
                "--property",
                "accepts-valid",
            ])
            .args([
                "--cases",
                "32",
                "--seed",
                "2",
                "--jobs",
                "1",
                "--regressions",
            ])
            .arg(dir.path().join("regressions"));
        cmd
    };
    let verifying = getmailer_receiver("s3cret", true);
    certify(&verifying.url)
        .arg("--getmailer-secret-file")
        .arg(&secret)
        .assert()
        .code(0)
        .stdout(contains("PASS  email.sent × verifies-signature"));
    let lax = getmailer_receiver("s3cret", false);
    certify(&lax.url)
        .env("HOOKCHECK_GETMAILER_SECRET", "s3cret")
        .assert()
        .code(1)
        .stdout(contains("SECURITY: the receiver accepted a forged request"));
    // Keys sign HTTP requests only.
    Command::cargo_bin("hookcheck")
        .unwrap()
        .args(["certify", "--getmailer-secret", "x", "--cases", "1"])
        .assert()
        .code(2)
        .stderr(contains("they go with --url"));
}
