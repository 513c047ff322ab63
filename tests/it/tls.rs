//! HTTPS for `certify --url`, `replay` and `api-check`: a loopback TLS server with a CA and a
//! server certificate made for this run (rcgen), served by rustls. With `--ca-cert CA.pem` or
//! `--insecure` the commands work over https://; without them the untrusted certificate is a
//! clear error that says what to do; bad CA files are usage errors.

use std::{
    io::{BufRead, BufReader, Read, Write},
    net::{Shutdown, TcpListener, TcpStream},
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
    thread,
    time::Duration,
};

use assert_cmd::Command;
use hookcheck::{
    api::{self, Check, mock},
    catalog::Vendor,
    parser::WebhookParser,
    parsers::ReferenceParser,
    signature::{Verifier, getmailer::GetMailer},
};
use predicates::str::contains;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rustls::{
    ServerConfig, ServerConnection, StreamOwned,
    pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer},
};

use crate::support::fixtures::fixtures;

/// A CA made for this run, and a server certificate it signed for 127.0.0.1 and localhost.
struct Pki {
    dir: tempfile::TempDir,
    server: Arc<ServerConfig>,
}

impl Pki {
    fn new() -> Self {
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "hookcheck test CA");
        ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca_key = KeyPair::generate().unwrap();
        let ca = ca_params.self_signed(&ca_key).unwrap();
        let issuer = Issuer::new(ca_params, ca_key);

        let mut params =
            CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()]).unwrap();
        params
            .distinguished_name
            .push(DnType::CommonName, "hookcheck test receiver");
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &issuer).unwrap();

        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("ca.pem"), ca.pem()).unwrap();
        // A self-signed certificate that did not sign the server's: trusting it is not enough.
        let other_key = KeyPair::generate().unwrap();
        let mut other = CertificateParams::new(Vec::<String>::new()).unwrap();
        other.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let other = other.self_signed(&other_key).unwrap();
        std::fs::write(dir.path().join("other-ca.pem"), other.pem()).unwrap();

        let server =
            ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .unwrap()
                .with_no_client_auth()
                .with_single_cert(
                    vec![CertificateDer::from(cert.der().to_vec())],
                    PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
                )
                .unwrap();
        Self {
            dir,
            server: Arc::new(server),
        }
    }

    fn ca(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

/// One request as the server saw it.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// What the server answers to a request: the raw HTTP response.
type Handler = dyn Fn(&Seen) -> Vec<u8> + Send + Sync;

/// A loopback HTTPS server: one thread per connection, one request per connection. It runs
/// until the test process ends (each test has its own).
struct Server {
    addr: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    fn start(pki: &Pki, handler: impl Fn(&Seen) -> Vec<u8> + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let config = Arc::clone(&pki.server);
        let record = Arc::clone(&seen);
        thread::spawn(move || {
            for tcp in listener.incoming().flatten() {
                let (config, handler, record) = (
                    Arc::clone(&config),
                    Arc::clone(&handler),
                    Arc::clone(&record),
                );
                thread::spawn(move || serve(tcp, config, handler.as_ref(), &record));
            }
        });
        Self { addr, seen }
    }

    fn url(&self, path: &str) -> String {
        format!("https://{}{path}", self.addr)
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    fn posts(&self) -> usize {
        self.seen().iter().filter(|s| s.method == "POST").count()
    }
}

fn serve(
    tcp: TcpStream,
    config: Arc<ServerConfig>,
    handler: &Handler,
    record: &Mutex<Vec<Seen>>,
) -> Option<()> {
    tcp.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    let conn = ServerConnection::new(config).ok()?;
    let mut tls = StreamOwned::new(conn, tcp);
    // A client that refuses the certificate ends the handshake here.
    let seen = read_request(&mut BufReader::new(&mut tls))?;
    let answer = handler(&seen);
    record.lock().unwrap().push(seen);
    tls.write_all(&answer).ok()?;
    tls.conn.send_close_notify();
    tls.flush().ok()?;
    let _ = tls.sock.shutdown(Shutdown::Write);
    Some(())
}

fn read_request(reader: &mut impl BufRead) -> Option<Seen> {
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next()?.to_owned(), parts.next()?.to_owned());
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
    Some(Seen {
        method,
        target,
        headers,
        body,
    })
}

fn response(status: u16, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status} Status\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

/// A GetMailer receiver: the reference parser decides (200 or 400); HEAD gets 405.
fn receiver(pki: &Pki) -> Server {
    Server::start(pki, |seen| match seen.method.as_str() {
        "POST" => match ReferenceParser.parse(Vendor::GETMAILER, &seen.body) {
            Ok(_) => response(200, b""),
            Err(e) => response(400, e.to_string().as_bytes()),
        },
        _ => response(405, b""),
    })
}

fn certify(url: &str, regressions: &Path) -> Command {
    let mut cmd = Command::cargo_bin("hookcheck").unwrap();
    cmd.args(["certify", "--url", url, "--event", "getmailer/email.sent"])
        .args([
            "--property",
            "accepts-valid",
            "--property",
            "rejects-invalid",
        ])
        .args([
            "--cases",
            "8",
            "--seed",
            "5",
            "--jobs",
            "1",
            "--regressions",
        ])
        .arg(regressions);
    cmd
}

#[test]
fn certify_over_https_trusts_the_ca_given_and_stops_at_once_without_it() {
    let pki = Pki::new();
    let server = receiver(&pki);
    let url = server.url("/hooks/getmailer");
    let regressions = pki.path("regressions");

    let out = certify(&url, &regressions)
        .arg("--ca-cert")
        .arg(pki.ca())
        .assert()
        .code(0)
        .stdout(contains("PASS  email.sent × accepts-valid"))
        .stdout(contains("PASS  email.sent × rejects-invalid"))
        .get_output()
        .clone();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(!report.contains("FAIL"), "{report}");
    let posts = server.posts();
    assert!(posts >= 16, "every case reached the receiver: {posts}");
    assert!(
        server.seen().iter().all(|s| s.target == "/hooks/getmailer"),
        "{:?}",
        server.seen()
    );

    // Mozilla's roots do not vouch for a test CA: the preflight stops the run, nothing is sent.
    let before = server.posts();
    certify(&url, &regressions)
        .assert()
        .code(2)
        .stdout("")
        .stderr(contains(
            "TLS: invalid peer certificate: UnknownIssuer: the server's certificate is not \
             trusted; give its CA with --ca-cert FILE, or --insecure for a self-signed test setup",
        ))
        .stderr(contains("nothing was certified"));
    // Nor does a CA that did not sign the server's certificate.
    certify(&url, &regressions)
        .arg("--ca-cert")
        .arg(pki.path("other-ca.pem"))
        .assert()
        .code(2)
        .stderr(contains("TLS: invalid peer certificate"));
    assert_eq!(server.posts(), before, "no body was sent untrusted");
}

#[test]
fn certify_with_insecure_accepts_a_certificate_it_cannot_verify_and_says_so() {
    let pki = Pki::new();
    let server = receiver(&pki);
    certify(&server.url("/"), &pki.path("regressions"))
        .arg("--insecure")
        .assert()
        .code(0)
        .stdout(contains("PASS  email.sent × accepts-valid"))
        .stderr(contains(
            "warning: --insecure: server certificates are not verified",
        ));
    assert!(server.posts() >= 16);
}

#[test]
fn a_receiver_that_is_wrong_over_https_fails_its_cells() {
    let pki = Pki::new();
    // Accepts everything: rejects-invalid must fail, over TLS as over plain HTTP.
    let server = Server::start(&pki, |_| response(200, b""));
    certify(&server.url("/"), &pki.path("regressions"))
        .arg("--ca-cert")
        .arg(pki.ca())
        .assert()
        .code(1)
        .stdout(contains("FAIL  email.sent × rejects-invalid"))
        .stdout(contains("PASS  email.sent × accepts-valid"));
}

#[test]
fn bad_ca_files_are_usage_errors_that_name_the_file() {
    let pki = Pki::new();
    std::fs::write(pki.path("notes.txt"), "not a certificate\n").unwrap();
    std::fs::write(
        pki.path("key-only.pem"),
        KeyPair::generate().unwrap().serialize_pem(),
    )
    .unwrap();
    let url = "https://127.0.0.1:9/hooks";
    let cases = [
        (pki.path("missing.pem"), "missing.pem: No such file"),
        (pki.path("notes.txt"), "notes.txt: no certificate in it"),
        (
            pki.path("key-only.pem"),
            "key-only.pem: no certificate in it",
        ),
    ];
    for (file, message) in &cases {
        for args in [
            vec!["certify", "--url", url, "--cases", "1"],
            vec!["replay", url, "x.json"],
            vec!["api-check", "msndr", "--url", url, "--token", "t"],
        ] {
            Command::cargo_bin("hookcheck")
                .unwrap()
                .args(&args)
                .arg("--ca-cert")
                .arg(file)
                .assert()
                .code(2)
                .stderr(contains(*message));
        }
    }
    // The two options contradict each other, and go with --url only.
    Command::cargo_bin("hookcheck")
        .unwrap()
        .args(["certify", "--url", url, "--insecure", "--ca-cert"])
        .arg(pki.ca())
        .assert()
        .code(2)
        .stderr(contains("cannot be used with"));
    Command::cargo_bin("hookcheck")
        .unwrap()
        .args(["certify", "--cases", "1", "--insecure"])
        .assert()
        .code(2)
        .stderr(contains("they go with --url"));
}

#[test]
fn replay_sends_a_recording_over_https_with_the_ca_given() {
    let pki = Pki::new();
    let verifier = GetMailer::new("s3cret").unwrap();
    let server = Server::start(&pki, move |seen| {
        match verifier.verify(&seen.headers, &seen.body) {
            Ok(()) => response(202, b""),
            Err(e) => response(401, e.to_string().as_bytes()),
        }
    });
    let body = fixtures(Vendor::GETMAILER)
        .into_iter()
        .find(|f| f.event == "email.sent")
        .unwrap()
        .body;
    let record = serde_json::json!({
        "method": "POST",
        "path": "/webhooks/getmailer?from=record",
        "headers": [
            {"name": "content-type", "value": "application/json"},
            {"name": "x-getmailer-signature", "value": "sha256=00"},
        ],
        "body_base64": base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &body),
    });
    let recording = pki.path("hooks.ndjson");
    std::fs::write(&recording, format!("{record}\n")).unwrap();
    let replay = || {
        let mut cmd = Command::cargo_bin("hookcheck").unwrap();
        cmd.args(["replay", "--keep-path", "--getmailer-secret", "s3cret"])
            .arg(server.url(""))
            .arg(&recording);
        cmd
    };
    replay()
        .arg("--ca-cert")
        .arg(pki.ca())
        .assert()
        .code(0)
        .stdout(contains("hooks.ndjson:1 -> 202"))
        .stdout(contains("1 accepted (2xx), 0 refused, 0 not delivered"));
    let seen = server.seen();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].target, "/webhooks/getmailer?from=record");
    assert_eq!(seen[0].body, body, "the recorded bytes, unchanged");

    replay()
        .assert()
        .code(2)
        .stdout(contains("hooks.ndjson:1 -> error: "))
        .stdout(contains("TLS: invalid peer certificate"))
        .stdout(contains("--ca-cert FILE"));
    assert_eq!(server.seen().len(), 1, "nothing was sent untrusted");
}

/// Forwards each request to a plain HTTP server at `backend`, as a TLS-terminating proxy
/// in front of it would.
fn proxy(pki: &Pki, backend: String) -> Server {
    Server::start(pki, move |seen| {
        let mut upstream = TcpStream::connect(&backend).unwrap();
        let mut request = format!("{} {} HTTP/1.1\r\n", seen.method, seen.target);
        for (name, value) in &seen.headers {
            if !name.eq_ignore_ascii_case("connection") {
                request.push_str(&format!("{name}: {value}\r\n"));
            }
        }
        request.push_str("Connection: close\r\n\r\n");
        upstream.write_all(request.as_bytes()).unwrap();
        upstream.write_all(&seen.body).unwrap();
        let mut answer = Vec::new();
        let _ = upstream.read_to_end(&mut answer);
        answer
    })
}

#[test]
fn api_check_runs_over_https_behind_a_tls_proxy() {
    let pki = Pki::new();
    let token = "tok-tls";
    let mock = mock::spawn(mock::MockConfig::new(token)).unwrap();
    let backend = mock
        .base_url()
        .trim_start_matches("http://")
        .trim_end_matches("/v1")
        .to_owned();
    let server = proxy(&pki, backend);
    let base = server.url("/v1");

    let mut config = api::Config::new(&base, token);
    config.checks = vec![Check::PostResponse, Check::GetAfterPost];
    config.tls = hookcheck::tls::Tls::from_ca_file(&pki.ca()).unwrap();
    let run = api::run(&config).unwrap();
    assert!(run.is_success(), "{:?}", run.results);
    assert!(server.seen().len() >= 3, "{:?}", server.seen());

    Command::cargo_bin("hookcheck")
        .unwrap()
        .args(["api-check", "msndr", "--url", &base, "--token", token])
        .args(["--check", "post-response", "--check", "get-after-post"])
        .arg("--ca-cert")
        .arg(pki.ca())
        .assert()
        .code(0);
    Command::cargo_bin("hookcheck")
        .unwrap()
        .args(["api-check", "msndr", "--url", &base, "--token", token])
        .args(["--check", "post-response"])
        .assert()
        .code(2)
        .stdout(contains("TLS: invalid peer certificate"))
        .stderr(contains(
            "the server's certificate is not trusted: give its CA with --ca-cert FILE",
        ));
}
