//! The HTTP side of `api-check`: one request, its answer, and how to show and replay both.
//!
//! Every request has a time limit (connection included) and every answer body is read up to
//! [`MAX_RESPONSE`] bytes, so a server that hangs, trickles or resets costs at most the time
//! limit per request and gives a plain verdict ([`Failure`]) instead of a stuck run.

use std::{fmt, time::Duration};

use ureq::Agent;

use crate::tls::{self, Tls};

/// How much of a response body is read.
pub const MAX_RESPONSE: u64 = 64 * 1024;

/// How much of a body a failure's detail shows (the replay line always has all of it).
const SHOWN: usize = 1024;

/// The environment variable the replay lines read the API token from, so that reports never
/// contain it.
pub const TOKEN_VAR: &str = "MSNDR_API_TOKEN";

/// The HTTP methods of the webhook configuration API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `GET`: read the configured URL.
    Get,
    /// `POST`: set it.
    Post,
    /// `DELETE`: remove it.
    Delete,
}

impl Method {
    /// Every method, in the order the auth checks try them.
    pub const ALL: [Method; 3] = [Method::Post, Method::Get, Method::Delete];

    /// The method's name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Delete => "DELETE",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What to send as `Authorization`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    /// `Bearer <the token given>`.
    Token,
    /// No `Authorization` header.
    Missing,
    /// `Bearer <this other token>`.
    Wrong(String),
}

/// One request, as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The method.
    pub method: Method,
    /// The full URL.
    pub url: String,
    /// The `Content-Type` sent, if any.
    pub content_type: Option<String>,
    /// The authorisation sent.
    pub auth: Auth,
    /// The body, if any.
    pub body: Option<String>,
}

impl Request {
    /// A request without body, with the right token.
    #[must_use]
    pub fn new(method: Method, url: impl Into<String>) -> Self {
        Self {
            method,
            url: url.into(),
            content_type: None,
            auth: Auth::Token,
            body: None,
        }
    }

    /// This request with a JSON body (`Content-Type: application/json`).
    #[must_use]
    pub fn json(self, body: impl Into<String>) -> Self {
        self.body(Some("application/json"), body)
    }

    /// This request with `body` and this `Content-Type` (none when `None`).
    #[must_use]
    pub fn body(mut self, content_type: Option<&str>, body: impl Into<String>) -> Self {
        self.content_type = content_type.map(str::to_owned);
        self.body = Some(body.into());
        self
    }

    /// This request with another authorisation.
    #[must_use]
    pub fn auth(mut self, auth: Auth) -> Self {
        self.auth = auth;
        self
    }

    fn auth_header(&self) -> Option<String> {
        match &self.auth {
            Auth::Token => Some(format!("Bearer ${TOKEN_VAR}")),
            Auth::Missing => None,
            Auth::Wrong(t) => Some(format!("Bearer {t}")),
        }
    }

    /// The request as text: request line, headers (the token shown as `$MSNDR_API_TOKEN`)
    /// and the start of the body.
    #[must_use]
    pub fn show(&self) -> String {
        let mut s = format!("{} {}", self.method, self.url);
        if let Some(ct) = &self.content_type {
            s.push_str(&format!("\nContent-Type: {ct}"));
        }
        if let Some(a) = self.auth_header() {
            s.push_str(&format!("\nAuthorization: {a}"));
        }
        if let Some(b) = &self.body {
            s.push_str("\n\n");
            s.push_str(&shown(b));
        }
        s
    }

    /// A `curl` command line that sends the same request, reading the token from
    /// `$MSNDR_API_TOKEN`.
    #[must_use]
    pub fn curl(&self) -> String {
        let mut s = format!("curl -sS -i -X {} {}", self.method, quote(&self.url));
        if let Some(ct) = &self.content_type {
            s.push_str(&format!(" -H {}", quote(&format!("Content-Type: {ct}"))));
        }
        match &self.auth {
            Auth::Token => s.push_str(&format!(" -H \"Authorization: Bearer ${TOKEN_VAR}\"")),
            Auth::Missing => {}
            Auth::Wrong(t) => {
                s.push_str(&format!(
                    " -H {}",
                    quote(&format!("Authorization: Bearer {t}"))
                ));
            }
        }
        if let Some(b) = &self.body {
            if self.content_type.is_none() {
                // curl would add a form content type of its own.
                s.push_str(" -H 'Content-Type:'");
            }
            s.push_str(&format!(" --data-binary {}", quote(b)));
        }
        s
    }
}

/// An answer received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// The `Content-Type`, if any.
    pub content_type: Option<String>,
    /// The body (invalid UTF-8 replaced).
    pub body: String,
}

impl Response {
    /// Whether the status is 2xx.
    #[must_use]
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// Whether the status is 4xx.
    #[must_use]
    pub fn is_client_error(&self) -> bool {
        (400..500).contains(&self.status)
    }

    /// Whether the content type is `application/json` (parameters such as `charset` allowed).
    #[must_use]
    pub fn is_json(&self) -> bool {
        self.content_type.as_deref().is_some_and(|ct| {
            ct.split(';')
                .next()
                .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
        })
    }

    /// The answer as text: status, content type and the start of the body.
    #[must_use]
    pub fn show(&self) -> String {
        let mut s = format!("HTTP {}", self.status);
        if let Some(ct) = &self.content_type {
            s.push_str(&format!("\nContent-Type: {ct}"));
        }
        if !self.body.is_empty() {
            s.push_str("\n\n");
            s.push_str(&shown(&self.body));
        }
        s
    }
}

/// Why no answer came.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Nothing (or not all of it) arrived within the time limit.
    Timeout(Duration),
    /// The server could not be reached at all (connection refused, unknown host, bad URL).
    Unreachable(String),
    /// The connection broke, or the answer was malformed or over [`MAX_RESPONSE`].
    Broken(String),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Timeout(d) => write!(
                f,
                "no complete answer within {}",
                humantime::format_duration(*d)
            ),
            Failure::Unreachable(m) => write!(f, "cannot reach the server: {m}"),
            Failure::Broken(m) => write!(f, "broken answer: {m}"),
        }
    }
}

/// A blocking HTTP client with a time limit per request.
#[derive(Debug, Clone)]
pub struct Client {
    agent: Agent,
    token: String,
    timeout: Duration,
}

impl Client {
    /// A client that authenticates with `token` and gives each request `timeout`, trusting
    /// Mozilla's roots over HTTPS.
    #[must_use]
    pub fn new(token: impl Into<String>, timeout: Duration) -> Self {
        Self {
            agent: agent(timeout, &Tls::default()),
            token: token.into(),
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

    /// Whether `token` is the one this client authenticates with.
    #[must_use]
    pub fn is_token(&self, token: &str) -> bool {
        self.token == token
    }

    /// The time limit of one request.
    #[must_use]
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Sends `request` and reads the answer.
    ///
    /// # Errors
    ///
    /// A [`Failure`] when no complete answer arrived.
    pub fn send(&self, request: &Request) -> Result<Response, Failure> {
        let url = request.url.as_str();
        let auth = match &request.auth {
            Auth::Token => Some(format!("Bearer {}", self.token)),
            Auth::Missing => None,
            Auth::Wrong(t) => Some(format!("Bearer {t}")),
        };
        let (ct, auth) = (request.content_type.as_deref(), auth.as_deref());
        let body = request.body.as_deref().map(str::as_bytes);
        let sent = match (request.method, body) {
            (Method::Get, None) => with_headers(self.agent.get(url), ct, auth).call(),
            (Method::Get, Some(b)) => {
                with_headers(self.agent.get(url).force_send_body(), ct, auth).send(b)
            }
            (Method::Delete, None) => with_headers(self.agent.delete(url), ct, auth).call(),
            (Method::Delete, Some(b)) => {
                with_headers(self.agent.delete(url).force_send_body(), ct, auth).send(b)
            }
            (Method::Post, b) => {
                with_headers(self.agent.post(url), ct, auth).send(b.unwrap_or_default())
            }
        };
        let mut response = sent.map_err(|e| self.failure(e, true))?;
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        let body = response
            .body_mut()
            .with_config()
            .limit(MAX_RESPONSE)
            .read_to_vec()
            .map_err(|e| self.failure(e, false))?;
        Ok(Response {
            status,
            content_type,
            body: String::from_utf8_lossy(&body).into_owned(),
        })
    }

    fn failure(&self, err: ureq::Error, connecting: bool) -> Failure {
        if let Some(message) = tls::failure(&err) {
            return Failure::Unreachable(message);
        }
        match err {
            ureq::Error::Timeout(_) => Failure::Timeout(self.timeout),
            ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => {
                Failure::Timeout(self.timeout)
            }
            ureq::Error::Io(io)
                if connecting
                    && (io.kind() == std::io::ErrorKind::ConnectionRefused
                        || is_lookup_failure(&io)) =>
            {
                Failure::Unreachable(io.to_string())
            }
            ureq::Error::ConnectionFailed
            | ureq::Error::HostNotFound
            | ureq::Error::BadUri(_)
            | ureq::Error::Http(_)
                if connecting =>
            {
                Failure::Unreachable(err.to_string())
            }
            ureq::Error::BodyExceedsLimit(n) => {
                Failure::Broken(format!("response body over {n} bytes"))
            }
            other => Failure::Broken(other.to_string()),
        }
    }
}

/// Whether `io` is the resolver's failure to find the host (which std reports with no
/// `ErrorKind` of its own, as "failed to lookup address information: …").
fn is_lookup_failure(io: &std::io::Error) -> bool {
    io.to_string().starts_with("failed to lookup address")
}

fn agent(timeout: Duration, tls: &Tls) -> ureq::Agent {
    tls.agent(
        timeout,
        Some(format!(
            "hookcheck/{} (api-check)",
            env!("CARGO_PKG_VERSION")
        )),
    )
}

fn with_headers<B>(
    mut b: ureq::RequestBuilder<B>,
    content_type: Option<&str>,
    auth: Option<&str>,
) -> ureq::RequestBuilder<B> {
    if let Some(ct) = content_type {
        b = b.header("Content-Type", ct);
    }
    if let Some(a) = auth {
        b = b.header("Authorization", a);
    }
    b
}

/// At most [`SHOWN`] bytes of `text`, cut at a character boundary.
fn shown(text: &str) -> String {
    if text.len() <= SHOWN {
        return text.to_owned();
    }
    let mut end = SHOWN;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes in all)", &text[..end], text.len())
}

/// Quotes `s` for a POSIX shell.
fn quote(s: &str) -> String {
    if !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./:@%+=,".contains(&b))
    {
        return s.to_owned();
    }
    format!("'{}'", s.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curl_lines_quote_for_the_shell_and_hide_the_token() {
        let r = Request::new(Method::Post, "http://h/v1/email/webhook").json(r#"{"url":"it's"}"#);
        assert_eq!(
            r.curl(),
            "curl -sS -i -X POST http://h/v1/email/webhook -H 'Content-Type: application/json' \
             -H \"Authorization: Bearer $MSNDR_API_TOKEN\" --data-binary '{\"url\":\"it'\\''s\"}'"
        );
        let bare = Request::new(Method::Post, "http://h/")
            .body(None, "x")
            .auth(Auth::Missing);
        assert_eq!(
            bare.curl(),
            "curl -sS -i -X POST http://h/ -H 'Content-Type:' --data-binary x"
        );
        assert!(r.show().contains("Bearer $MSNDR_API_TOKEN"));
    }

    #[test]
    fn json_content_types_allow_parameters() {
        let r = |ct: Option<&str>| Response {
            status: 200,
            content_type: ct.map(str::to_owned),
            body: String::new(),
        };
        assert!(r(Some("application/json")).is_json());
        assert!(r(Some("Application/JSON; charset=utf-8")).is_json());
        assert!(!r(Some("text/plain")).is_json());
        assert!(!r(Some("application/jsonx")).is_json());
        assert!(!r(None).is_json());
    }

    #[test]
    fn long_bodies_are_cut_at_a_char_boundary() {
        let s = "é".repeat(SHOWN);
        let cut = shown(&s);
        assert!(cut.len() < s.len());
        assert!(cut.ends_with(&format!("({} bytes in all)", s.len())));
    }
}
