//! The HTTP adapter: a webhook receiver, reached the way the vendor would reach it.
//!
//! [`HttpParser`] POSTs each body unchanged to one URL with the vendor's `Content-Type` (its
//! profile's `content_type`, `application/json` for the built-in vendors) and
//! the vendor's `User-Agent` ([`default_user_agent`]), plus the vendor's signature headers from
//! the [`Signer`] given for that vendor ([`HttpParser::with_signer`]) and any fixed headers
//! ([`HttpParser::with_header`]). The answer decides:
//!
//! | answer | verdict |
//! | --- | --- |
//! | 2xx | accepted |
//! | 4xx | rejected ([`ParseError::Rejected`] with the status and the start of the body) |
//! | 5xx, 1xx, 3xx (redirects are not followed, as Postal does not) | [`Fault::HttpStatus`] |
//! | no answer within the time limit (5 s by default, Postal's own limit) | [`Fault::Timeout`] |
//! | connection refused or reset, bad URL, failed TLS handshake | [`Fault::Transport`] |
//!
//! A plain receiver only says yes or no, so by default the adapter has
//! [`Fidelity::Verdict`] and accepted events carry no fields. A receiver built for
//! certification can also report what it parsed: with [`HttpParser::expect_fields`] every 2xx
//! body must be the JSON object `{"event": "MessageSent", "fields": {…}}`, with `fields` as in the
//! [exec protocol](super::exec).
//!
//! Both `http://` and `https://` URLs work. Over HTTPS the server's certificate is checked
//! against Mozilla's roots by default, or as a [`Tls`] given with [`HttpParser::with_tls`]
//! says (a private CA, or no verification for a self-signed test setup); a failed handshake is
//! a [`Fault::Transport`] whose detail starts with `TLS:`. [`HttpParser::probe`] makes one
//! request to find such a failure before a run.

use std::{borrow::Cow, fmt, io::Read as _, sync::Arc, time::Duration};

use serde::Deserialize;
use serde_json::{Map, Value};
use ureq::Agent;

use super::reply::{protocol, reported_event, snippet};
use crate::{
    catalog::Vendor,
    parser::{Fault, Fidelity, ParseError, ParsedEvent, WebhookParser},
    signature::{
        SignatureError, Signer,
        forge::{self, Forgery},
    },
    tls::{self, Tls},
};

/// How much of a response body is read.
const MAX_RESPONSE: u64 = 1 << 20;

/// The `User-Agent` a vendor sends, from its profile: `Postal/3.3.6` for Postal (Postal sends
/// `Postal/<version>`); msndr.net and GetMailer document none, so `hookcheck/<version>
/// (<vendor>)` stands in.
#[must_use]
pub fn default_user_agent(vendor: Vendor) -> Cow<'static, str> {
    match &vendor.profile().user_agent {
        Some(ua) => Cow::Borrowed(ua.as_str()),
        None => Cow::Owned(format!(
            "hookcheck/{} ({})",
            env!("CARGO_PKG_VERSION"),
            vendor.as_str()
        )),
    }
}

/// A [`WebhookParser`] that POSTs bodies to a webhook receiver; see the [module docs](self).
///
/// # Example
///
/// ```no_run
/// use hookcheck::{adapters::http::HttpParser, catalog::Vendor, parser::WebhookParser};
///
/// use hookcheck::signature::getmailer::GetMailer;
///
/// let receiver = HttpParser::new("http://127.0.0.1:8080/webhooks/getmailer")
///     .with_signer(Vendor::GETMAILER, GetMailer::new("whsec_test").unwrap());
/// let verdict = receiver.parse(Vendor::GETMAILER, br#"{"id":"evt_1"}"#);
/// ```
#[derive(Clone)]
pub struct HttpParser {
    url: String,
    timeout: Duration,
    tls: Tls,
    agent: Agent,
    signers: Vec<(Vendor, Arc<dyn Signer>)>,
    user_agent: Option<String>,
    headers: Vec<(String, String)>,
    fidelity: Fidelity,
}

#[derive(Deserialize)]
struct FieldsReply {
    #[serde(default)]
    event: Option<String>,
    #[serde(default)]
    fields: Map<String, Value>,
}

impl HttpParser {
    /// A verdict-only parser posting to `url` with a 5 s time limit.
    #[must_use]
    pub fn new(url: impl Into<String>) -> Self {
        let timeout = Duration::from_secs(5);
        let tls = Tls::default();
        Self {
            url: url.into(),
            timeout,
            agent: agent(timeout, &tls),
            tls,
            signers: Vec::new(),
            user_agent: None,
            headers: Vec::new(),
            fidelity: Fidelity::Verdict,
        }
    }

    /// Sets the time limit of one request (connection included).
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self.agent = agent(timeout, &self.tls);
        self
    }

    /// Trusts the server certificates `tls` says for `https://` URLs (by default, those
    /// Mozilla's roots vouch for).
    #[must_use]
    pub fn with_tls(mut self, tls: &Tls) -> Self {
        self.tls = tls.clone();
        self.agent = agent(self.timeout, &self.tls);
        self
    }

    /// Sends one `HEAD` request to the URL: any answer, whatever its status, shows that the
    /// receiver can be reached (over HTTPS: that its certificate is trusted).
    ///
    /// # Errors
    ///
    /// The [`Fault`] a request would get: [`Fault::Transport`] (its detail starting with
    /// `TLS:` for a failed handshake) or [`Fault::Timeout`].
    pub fn probe(&self) -> Result<(), Fault> {
        self.agent
            .head(&self.url)
            .call()
            .map(drop)
            .map_err(|e| self.transport(&e))
    }

    /// Signs every body sent as `vendor` with `signer` too (replacing an earlier signer of the
    /// same scheme for it). Bodies of vendors without a signer are sent unsigned.
    #[must_use]
    pub fn with_signer(self, vendor: Vendor, signer: impl Signer + 'static) -> Self {
        self.with_shared_signer(vendor, Arc::new(signer))
    }

    /// [`with_signer`](Self::with_signer) with a signer that may also sign for other vendors
    /// or other parsers.
    #[must_use]
    pub fn with_shared_signer(mut self, vendor: Vendor, signer: Arc<dyn Signer>) -> Self {
        let scheme = signer.scheme();
        self.signers
            .retain(|(v, s)| !(*v == vendor && s.scheme() == scheme));
        self.signers.push((vendor, signer));
        self
    }

    /// Whether bodies of `vendor` are sent signed.
    #[must_use]
    pub fn signs(&self, vendor: Vendor) -> bool {
        self.signers.iter().any(|(v, _)| *v == vendor)
    }

    /// The forged requests for `body` a receiver that verifies `vendor`'s signatures must
    /// refuse ([`forge::forgeries`] over this vendor's signers; none for an unsigned vendor).
    ///
    /// # Errors
    ///
    /// A signer's error.
    pub fn forgeries(&self, vendor: Vendor, body: &[u8]) -> Result<Vec<Forgery>, SignatureError> {
        let signers: Vec<&dyn Signer> = self.signers_of(vendor).collect();
        if signers.is_empty() {
            return Ok(Vec::new());
        }
        forge::forgeries(&signers, body)
    }

    /// POSTs a forged request as it is: its body and its signature headers, nothing re-signed.
    ///
    /// # Errors
    ///
    /// As [`WebhookParser::parse`].
    pub fn send_forged(
        &self,
        vendor: Vendor,
        forgery: &Forgery,
    ) -> Result<ParsedEvent<'static>, ParseError> {
        self.post(vendor, &forgery.body, Some(&forgery.headers))
    }

    fn signers_of(&self, vendor: Vendor) -> impl Iterator<Item = &dyn Signer> {
        self.signers
            .iter()
            .filter(move |(v, _)| *v == vendor)
            .map(|(_, s)| s.as_ref())
    }

    /// Sends this `User-Agent` for every vendor instead of [`default_user_agent`].
    #[must_use]
    pub fn with_user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Adds a fixed header to every request (for example an authorisation the receiver needs).
    #[must_use]
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Requires every 2xx answer to report the parsed event as
    /// `{"event": …, "fields": {…}}`; the parser then has [`Fidelity::Fields`].
    #[must_use]
    pub fn expect_fields(mut self) -> Self {
        self.fidelity = Fidelity::Fields;
        self
    }

    /// Declares what every 2xx answer reports: nothing ([`Fidelity::Verdict`], the default), or
    /// `{"event": …}` ([`Fidelity::Event`]) or `{"event": …, "fields": {…}}`
    /// ([`Fidelity::Fields`]) as JSON.
    #[must_use]
    pub fn with_fidelity(mut self, fidelity: Fidelity) -> Self {
        self.fidelity = fidelity;
        self
    }

    /// The receiver's URL.
    #[must_use]
    pub fn url(&self) -> &str {
        &self.url
    }

    fn accepted(&self, body: &[u8]) -> Result<ParsedEvent<'static>, ParseError> {
        if self.fidelity == Fidelity::Verdict {
            return Ok(ParsedEvent::verdict_only());
        }
        let reply: FieldsReply = serde_json::from_slice(body).map_err(|e| {
            protocol(format!(
                "2xx body is not an {{\"event\", \"fields\"}} object ({e}): {}",
                snippet(body)
            ))
        })?;
        reported_event(reply.event, &reply.fields)
    }

    fn transport(&self, err: &ureq::Error) -> Fault {
        match err {
            ureq::Error::Timeout(_) => Fault::Timeout {
                after: self.timeout,
            },
            ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => Fault::Timeout {
                after: self.timeout,
            },
            other => Fault::Transport {
                detail: tls::failure(other).unwrap_or_else(|| other.to_string()),
            },
        }
    }
}

fn agent(timeout: Duration, tls: &Tls) -> ureq::Agent {
    tls.agent(timeout, None)
}

impl HttpParser {
    /// POSTs `body`, signed by this vendor's signers, or with exactly `signature` headers.
    fn post(
        &self,
        vendor: Vendor,
        body: &[u8],
        signature: Option<&[(String, String)]>,
    ) -> Result<ParsedEvent<'static>, ParseError> {
        let user_agent = match &self.user_agent {
            Some(ua) => Cow::Borrowed(ua.as_str()),
            None => default_user_agent(vendor),
        };
        let mut request = self
            .agent
            .post(&self.url)
            .header("Content-Type", vendor.profile().content_type.as_str())
            .header("User-Agent", user_agent.as_ref());
        for (name, value) in &self.headers {
            request = request.header(name, value);
        }
        let signed;
        let signature = match signature {
            Some(headers) => headers,
            None => {
                let mut headers = Vec::new();
                for signer in self.signers_of(vendor) {
                    headers.extend(signer.sign(body).map_err(|e| Fault::Signer {
                        detail: e.to_string(),
                    })?);
                }
                signed = headers;
                &signed
            }
        };
        for (name, value) in signature {
            request = request.header(name, value);
        }
        let mut response = request.send(body).map_err(|e| self.transport(&e))?;
        let status = response.status().as_u16();
        // The status decides; the body is read only as far as MAX_RESPONSE, and a body that is
        // longer, or that breaks off, is cut where it stopped: never a transport error.
        let mut answer = Vec::new();
        let _ = response
            .body_mut()
            .as_reader()
            .take(MAX_RESPONSE)
            .read_to_end(&mut answer);
        match status {
            200..=299 => self.accepted(&answer),
            400..=499 => Err(ParseError::Rejected {
                detail: format!("HTTP {status}: {}", snippet(&answer)),
            }),
            _ => Err(Fault::HttpStatus { status }.into()),
        }
    }
}

impl WebhookParser for HttpParser {
    fn parse<'a>(&self, vendor: Vendor, body: &'a [u8]) -> Result<ParsedEvent<'a>, ParseError> {
        self.post(vendor, body, None)
    }

    fn name(&self) -> Cow<'_, str> {
        Cow::Owned(format!("http: {}", self.url))
    }

    fn fidelity(&self) -> Fidelity {
        self.fidelity
    }
}

impl fmt::Debug for HttpParser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpParser")
            .field("url", &self.url)
            .field("timeout", &self.timeout)
            .field("tls", &self.tls)
            .field(
                "signers",
                &self
                    .signers
                    .iter()
                    .map(|(v, s)| (*v, s.scheme()))
                    .collect::<Vec<_>>(),
            )
            .field("fidelity", &self.fidelity)
            .finish_non_exhaustive()
    }
}
