//! `hookcheck replay`: send recorded or given payloads to a URL, signed as the vendor would.
//!
//! Inputs are NDJSON recordings written by `listen --record` (each line's method, path, headers
//! and exact body bytes) or plain payload files (one body each, sent as a POST with
//! `Content-Type: application/json`). Each request can be re-signed: a signer replaces that
//! scheme's headers from the recording with fresh ones over the same bytes. Vendor signers
//! (Postal, GetMailer) sign only payloads of their vendor, or every payload whose vendor
//! cannot be told; a Standard Webhooks signer signs every payload.
//!
//! URLs are `http://` or `https://`; over HTTPS the server's certificate is checked as the
//! client's [`Tls`] says ([`Client::with_tls`]: Mozilla's roots by default).

use std::{fmt, fs, io, path::Path, time::Duration};

use serde::Deserialize;

use super::record::Header;
use crate::catalog::{Vendor, detect};
use crate::signature::{Scheme, SignatureError, Signer};
use crate::tls::{self, Tls};

/// One request to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// Where it came from (`file.json`, `rec.ndjson:3`).
    pub source: String,
    /// The HTTP method.
    pub method: String,
    /// The recorded path and query, if any.
    pub path: Option<String>,
    /// Headers to send, `(name, value bytes)`.
    pub headers: Vec<(String, Vec<u8>)>,
    /// The exact body.
    pub body: Vec<u8>,
}

/// What came back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The HTTP status.
    pub status: u16,
    /// The response body (lossy UTF-8, at most 64 KiB read).
    pub body: String,
}

impl Response {
    /// Whether the status is 2xx.
    #[must_use]
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// What can go wrong reading inputs or sending.
#[derive(Debug)]
#[non_exhaustive]
pub enum ReplayError {
    /// An input file could not be read.
    Io {
        /// The file.
        path: String,
        /// The OS error.
        source: io::Error,
    },
    /// A recording line is not a record.
    BadRecord {
        /// `file:line`.
        at: String,
        /// The parser's message.
        message: String,
    },
    /// The URL is neither `http://` nor `https://`.
    BadUrl {
        /// The URL.
        url: String,
    },
    /// Signing failed.
    Signing(SignatureError),
    /// The request could not be sent or its answer read.
    Http {
        /// The URL.
        url: String,
        /// The client's message.
        message: String,
    },
}

impl fmt::Display for ReplayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReplayError::Io { path, source } => write!(f, "{path}: {source}"),
            ReplayError::BadRecord { at, message } => {
                write!(f, "{at}: not a hookcheck listen record: {message}")
            }
            ReplayError::BadUrl { url } => {
                write!(f, "{url:?} is not an http:// or https:// URL")
            }
            ReplayError::Signing(e) => e.fmt(f),
            ReplayError::Http { url, message } => write!(f, "{url}: {message}"),
        }
    }
}

impl std::error::Error for ReplayError {}

/// The fields of a `listen` record that replay needs.
#[derive(Deserialize)]
struct RecordedRequest {
    method: String,
    path: String,
    headers: Vec<Header>,
    body_base64: Option<String>,
}

/// Headers that belong to one connection or are recomputed by the client.
const HOP_BY_HOP: [&str; 8] = [
    "host",
    "content-length",
    "connection",
    "transfer-encoding",
    "keep-alive",
    "te",
    "upgrade",
    "expect",
];

/// One line of a recording, as [`Recording`] reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    /// A request that can be sent again.
    Request(Request),
    /// A record whose body was not read completely (too large, incomplete): it cannot be
    /// replayed. Its `file:line`.
    Skipped(String),
}

/// An NDJSON recording read one line at a time, so that replaying a recording of any size
/// holds one request in memory. Blank lines are passed over.
#[derive(Debug)]
pub struct Recording {
    name: String,
    lines: io::Lines<io::BufReader<fs::File>>,
    line: usize,
}

impl Recording {
    /// Opens the recording at `path`.
    ///
    /// # Errors
    ///
    /// [`ReplayError::Io`] when it cannot be opened.
    pub fn open(path: &Path) -> Result<Self, ReplayError> {
        let file = fs::File::open(path).map_err(|source| ReplayError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Ok(Self {
            name: path.display().to_string(),
            lines: io::BufRead::lines(io::BufReader::new(file)),
            line: 0,
        })
    }
}

impl Iterator for Recording {
    type Item = Result<Recorded, ReplayError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let line = match self.lines.next()? {
                Ok(line) => line,
                Err(source) => {
                    return Some(Err(ReplayError::Io {
                        path: self.name.clone(),
                        source,
                    }));
                }
            };
            self.line += 1;
            if line.trim().is_empty() {
                continue;
            }
            return Some(parse_record(format!("{}:{}", self.name, self.line), &line));
        }
    }
}

/// One recorded line as a request to send again.
fn parse_record(at: String, line: &str) -> Result<Recorded, ReplayError> {
    let rec: RecordedRequest = serde_json::from_str(line).map_err(|e| ReplayError::BadRecord {
        at: at.clone(),
        message: e.to_string(),
    })?;
    let Some(b64) = rec.body_base64 else {
        return Ok(Recorded::Skipped(at));
    };
    let body =
        base64::Engine::decode(&base64::engine::general_purpose::STANDARD, b64).map_err(|e| {
            ReplayError::BadRecord {
                at: at.clone(),
                message: format!("body_base64: {e}"),
            }
        })?;
    Ok(Recorded::Request(Request {
        source: at,
        method: rec.method,
        path: Some(rec.path),
        headers: rec
            .headers
            .iter()
            .filter(|h| !HOP_BY_HOP.contains(&h.name.to_ascii_lowercase().as_str()))
            .map(|h| (h.name.clone(), h.bytes()))
            .collect(),
        body,
    }))
}

/// Reads a whole NDJSON recording into memory. Records whose body was not read completely
/// cannot be replayed and are skipped; their `file:line`s are returned second. For large
/// recordings, [`Recording`] reads one request at a time.
///
/// # Errors
///
/// [`ReplayError::Io`] or [`ReplayError::BadRecord`].
pub fn read_recording(path: &Path) -> Result<(Vec<Request>, Vec<String>), ReplayError> {
    let mut requests = Vec::new();
    let mut skipped = Vec::new();
    for recorded in Recording::open(path)? {
        match recorded? {
            Recorded::Request(r) => requests.push(r),
            Recorded::Skipped(at) => skipped.push(at),
        }
    }
    Ok((requests, skipped))
}

/// Reads one payload file as a POST with its vendor's `Content-Type` (the profile's
/// `content_type`; `application/json` when the vendor cannot be told).
///
/// # Errors
///
/// [`ReplayError::Io`].
pub fn read_payload(path: &Path) -> Result<Request, ReplayError> {
    let body = fs::read(path).map_err(|source| ReplayError::Io {
        path: path.display().to_string(),
        source,
    })?;
    let content_type = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| detect::envelope(&v, None).ok().map(|(v, _, _)| v))
        .map_or("application/json", |v| v.profile().content_type.as_str());
    Ok(Request {
        source: path.display().to_string(),
        method: "POST".into(),
        path: None,
        headers: vec![("content-type".into(), content_type.as_bytes().to_vec())],
        body,
    })
}

/// The headers `scheme` signs with: its own, and any the vendor profile lists for it.
fn scheme_headers(scheme: Scheme, vendor: Option<Vendor>) -> Vec<&'static str> {
    let mut names: Vec<&'static str> = scheme.headers().to_vec();
    if let Some(v) = vendor {
        for spec in v
            .profile()
            .signatures
            .iter()
            .filter(|s| s.scheme == scheme.as_str())
        {
            names.extend(spec.headers.iter().map(String::as_str));
        }
    }
    names
}

/// Re-signs `request` with every applicable signer (see the module docs), replacing that
/// scheme's recorded headers.
///
/// # Errors
///
/// [`ReplayError::Signing`] if a signer fails.
pub fn sign(request: &mut Request, signers: &[Box<dyn Signer>]) -> Result<(), ReplayError> {
    let vendor = serde_json::from_slice::<serde_json::Value>(&request.body)
        .ok()
        .and_then(|v| detect::envelope(&v, None).ok().map(|(v, _, _)| v));
    for signer in signers {
        let scheme = signer.scheme();
        if vendor.is_some_and(|v| !scheme.applies_to(v)) {
            continue;
        }
        let names = scheme_headers(scheme, vendor);
        request
            .headers
            .retain(|(n, _)| !names.iter().any(|h| h.eq_ignore_ascii_case(n)));
        let mut signed = signer.sign(&request.body).map_err(ReplayError::Signing)?;
        if let Some(v) = vendor {
            crate::signature::rename_for(v, scheme, &mut signed);
        }
        for (name, value) in signed {
            request.headers.push((name, value.into_bytes()));
        }
    }
    Ok(())
}

/// An HTTP client for replaying: no redirects followed, every status returned as a response.
#[derive(Debug, Clone)]
pub struct Client {
    agent: ureq::Agent,
    timeout: Duration,
}

impl Client {
    /// A client whose requests each time out after `timeout`, trusting Mozilla's roots over
    /// HTTPS.
    #[must_use]
    pub fn new(timeout: Duration) -> Self {
        Self {
            agent: agent(timeout, &Tls::default()),
            timeout,
        }
    }

    /// This client trusting the server certificates `tls` says.
    #[must_use]
    pub fn with_tls(self, tls: &Tls) -> Self {
        Self {
            agent: agent(self.timeout, tls),
            ..self
        }
    }

    /// Sends `request` to `url`, with the recorded path appended when `keep_path` is set.
    ///
    /// # Errors
    ///
    /// [`ReplayError::BadUrl`] for a URL that is neither `http://` nor `https://`,
    /// [`ReplayError::Http`] when the request fails (its message starting with `TLS:` for a
    /// failed handshake).
    pub fn send(
        &self,
        url: &str,
        request: &Request,
        keep_path: bool,
    ) -> Result<Response, ReplayError> {
        if !is_http_url(url) {
            return Err(ReplayError::BadUrl {
                url: url.to_owned(),
            });
        }
        let target = match (&request.path, keep_path) {
            (Some(p), true) => format!("{}{p}", url.trim_end_matches('/')),
            _ => url.to_owned(),
        };
        let http_err = |message: String| ReplayError::Http {
            url: target.clone(),
            message,
        };
        let mut builder = axum::http::Request::builder()
            .method(request.method.as_str())
            .uri(&target);
        for (name, value) in &request.headers {
            builder = builder.header(name.as_str(), value.as_slice());
        }
        let http_request = builder
            .body(request.body.clone())
            .map_err(|e| http_err(e.to_string()))?;
        let mut response = self
            .agent
            .run(http_request)
            .map_err(|e| http_err(tls::failure(&e).unwrap_or_else(|| e.to_string())))?;
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .with_config()
            .limit(64 * 1024)
            .read_to_vec()
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default();
        Ok(Response { status, body })
    }
}

/// Whether `url` is an `http://` or `https://` URL (the scheme in any case).
#[must_use]
pub fn is_http_url(url: &str) -> bool {
    let scheme = url.split_once("://").map_or("", |(s, _)| s);
    scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")
}

fn agent(timeout: Duration, tls: &Tls) -> ureq::Agent {
    tls.agent(timeout, None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signature::getmailer::GetMailer;

    #[test]
    fn a_recording_is_read_line_by_line_with_each_line_located() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.ndjson");
        let whole = r#"{"method":"POST","path":"/a?x=1","headers":[{"name":"Host","value":"h"},{"name":"X-Id","value":"1"}],"body_base64":"e30="}"#;
        let cut = r#"{"method":"POST","path":"/b","headers":[],"body_base64":null}"#;
        fs::write(
            &path,
            format!(
                "{whole}

{cut}
not json
"
            ),
        )
        .unwrap();
        let mut recording = Recording::open(&path).unwrap();
        let Some(Ok(Recorded::Request(first))) = recording.next() else {
            panic!("the first record is a request");
        };
        assert_eq!(first.source, format!("{}:1", path.display()));
        assert_eq!(first.path.as_deref(), Some("/a?x=1"));
        assert_eq!(first.body, b"{}");
        // Hop-by-hop headers are left for the client to set.
        assert_eq!(first.headers, [("X-Id".to_owned(), b"1".to_vec())]);
        assert_eq!(
            recording.next().unwrap().unwrap(),
            Recorded::Skipped(format!("{}:3", path.display()))
        );
        match recording.next() {
            Some(Err(ReplayError::BadRecord { at, .. })) => {
                assert_eq!(at, format!("{}:4", path.display()));
            }
            other => panic!("{other:?}"),
        }
        assert!(recording.next().is_none());
    }

    #[test]
    fn signing_replaces_only_the_schemes_headers_and_only_for_its_vendor() {
        let gm: Box<dyn Signer> = Box::new(GetMailer::new("k").unwrap());
        let mut getmailer_body = Request {
            source: "x".into(),
            method: "POST".into(),
            path: None,
            headers: vec![
                ("x-getmailer-signature".into(), b"sha256=00".to_vec()),
                ("user-agent".into(), b"GetMailer/1".to_vec()),
            ],
            body: br#"{"id":"evt_1","type":"email.sent","timestamp":"t","data":{}}"#.to_vec(),
        };
        sign(&mut getmailer_body, std::slice::from_ref(&gm)).unwrap();
        let sigs: Vec<_> = getmailer_body
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("x-getmailer-signature"))
            .collect();
        assert_eq!(sigs.len(), 1);
        assert_ne!(sigs[0].1, b"sha256=00".to_vec());
        assert!(
            getmailer_body
                .headers
                .iter()
                .any(|(n, _)| n == "user-agent")
        );
        let mut postal_body = Request {
            body: br#"{"event":"MessageSent","payload":{}}"#.to_vec(),
            headers: vec![],
            ..getmailer_body.clone()
        };
        sign(&mut postal_body, &[gm]).unwrap();
        assert!(postal_body.headers.is_empty());
    }
}
