//! Webhook signatures: verifying what a vendor signed, and signing as a vendor would.
//!
//! Each scheme lives in its own module behind two small traits, [`Verifier`] and [`Signer`]:
//!
//! | scheme | module | headers | signed bytes | primitive |
//! | --- | --- | --- | --- | --- |
//! | Postal | [`postal`] | `X-Postal-Signature`, `X-Postal-Signature-256`, `X-Postal-Signature-KID` | raw body | RSA PKCS#1 v1.5, SHA-1 and SHA-256 |
//! | GetMailer | [`getmailer`] | `X-GetMailer-Signature: sha256=<hex>` | raw body | HMAC-SHA256, secret as UTF-8 bytes |
//! | Standard Webhooks | [`standard`] | `webhook-id`, `webhook-timestamp`, `webhook-signature` (or Svix's `svix-id`, `svix-timestamp`, `svix-signature`) | `{id}.{timestamp}.{body}` | HMAC-SHA256, `whsec_` + base64 secret |
//!
//! Every check works on the exact bytes received, never on re-serialised JSON, and every
//! problem is a [`SignatureError`] value, never a panic. The cryptography is that of the `rsa`,
//! `hmac`, `sha1`, `sha2` and `subtle` crates; nothing here is hand-rolled.
//!
//! # Example
//!
//! ```
//! use hookcheck::signature::{getmailer::GetMailer, Signer, Verifier, SignatureError};
//!
//! let scheme = GetMailer::new("s3cret")?;
//! let body = br#"{"id":"evt_1","type":"email.sent"}"#;
//! let headers = scheme.sign(body)?;
//! assert_eq!(headers[0].0, "X-GetMailer-Signature");
//! assert!(scheme.verify(&headers, body).is_ok());
//! assert!(matches!(
//!     scheme.verify(&headers, b"{}"),
//!     Err(SignatureError::Mismatch { .. })
//! ));
//! # Ok::<(), SignatureError>(())
//! ```

pub mod forge;
pub mod getmailer;
pub mod postal;
pub mod standard;

use std::fmt;
use std::sync::Arc;

use serde::Serialize;

/// The signature schemes hookcheck knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scheme {
    /// Postal's RSA signatures over the raw body.
    Postal,
    /// GetMailer's `sha256=` hex HMAC over the raw body.
    GetMailer,
    /// Standard Webhooks `v1` HMAC over `{id}.{timestamp}.{body}`.
    StandardWebhooks,
}

impl Scheme {
    /// Every scheme: the registry that vendor profiles name schemes from.
    pub const ALL: [Scheme; 3] = [Scheme::Postal, Scheme::GetMailer, Scheme::StandardWebhooks];

    /// The scheme of a name as profiles, the CLI and reports spell it.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Scheme> {
        Scheme::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// The headers the scheme signs with.
    #[must_use]
    pub fn headers(self) -> &'static [&'static str] {
        match self {
            Scheme::Postal => &[
                postal::SHA1_HEADER,
                postal::SHA256_HEADER,
                postal::KID_HEADER,
            ],
            Scheme::GetMailer => &[getmailer::HEADER],
            Scheme::StandardWebhooks => &[
                standard::ID_HEADER,
                standard::TIMESTAMP_HEADER,
                standard::SIGNATURE_HEADER,
            ],
        }
    }

    /// Whether the scheme applies to every body whatever its vendor (Standard Webhooks), rather
    /// than to the bodies of the vendors whose profiles name it.
    #[must_use]
    pub fn is_vendor_neutral(self) -> bool {
        self == Scheme::StandardWebhooks
    }

    /// Whether the scheme applies to bodies of `vendor`: it is vendor-neutral, or the vendor's
    /// profile names it.
    #[must_use]
    pub fn applies_to(self, vendor: crate::catalog::Vendor) -> bool {
        self.is_vendor_neutral() || vendor.profile().schemes().any(|n| n == self.as_str())
    }

    /// The scheme's name as the CLI and reports spell it.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Postal => "postal",
            Scheme::GetMailer => "getmailer",
            Scheme::StandardWebhooks => "standard_webhooks",
        }
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a signature did not verify, or why a key, secret or signature could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignatureError {
    /// A header the scheme needs is absent.
    Missing {
        /// The header name (as the vendor spells it).
        header: &'static str,
    },
    /// A header is present but not of the scheme's form (bad base64, wrong prefix, ...).
    Malformed {
        /// The header name.
        header: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The signature is well formed but does not match the body (or no listed one does).
    Mismatch {
        /// The header that was checked.
        header: &'static str,
    },
    /// The signed timestamp is outside the tolerance window.
    Expired {
        /// The timestamp in the request (Unix seconds).
        timestamp: i64,
        /// The verifier's clock (Unix seconds).
        now: i64,
        /// The tolerance, in seconds either way.
        tolerance: u64,
    },
    /// A key or secret that cannot be used (empty, not base64, not an RSA key, ...).
    BadKey {
        /// What is wrong with it.
        reason: String,
    },
    /// Signing failed in the underlying library.
    Signing {
        /// The library's message.
        reason: String,
    },
}

impl SignatureError {
    /// A short machine-readable name of the variant (`missing`, `mismatch`, ...).
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            SignatureError::Missing { .. } => "missing",
            SignatureError::Malformed { .. } => "malformed",
            SignatureError::Mismatch { .. } => "mismatch",
            SignatureError::Expired { .. } => "expired",
            SignatureError::BadKey { .. } => "bad_key",
            SignatureError::Signing { .. } => "signing",
        }
    }
}

impl fmt::Display for SignatureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignatureError::Missing { header } => write!(f, "missing {header} header"),
            SignatureError::Malformed { header, reason } => {
                write!(f, "malformed {header} header: {reason}")
            }
            SignatureError::Mismatch { header } => {
                write!(f, "{header} does not match the body")
            }
            SignatureError::Expired {
                timestamp,
                now,
                tolerance,
            } => write!(
                f,
                "timestamp {timestamp} is {}s from now ({now}), outside the {tolerance}s tolerance",
                timestamp.abs_diff(*now)
            ),
            SignatureError::BadKey { reason } => write!(f, "unusable key or secret: {reason}"),
            SignatureError::Signing { reason } => write!(f, "signing failed: {reason}"),
        }
    }
}

impl std::error::Error for SignatureError {}

/// Read access to request headers, matched without regard to case.
///
/// Implemented for the `http` crate's header map (what axum hands a handler; with the `listen`
/// feature) and for lists of `(name, value)` pairs (what [`Signer::sign`] returns and what
/// recordings hold).
pub trait HeaderSource {
    /// The value of the first header called `name` (any case), if present and valid UTF-8.
    fn header(&self, name: &str) -> Option<&str>;
}

#[cfg(feature = "listen")]
impl HeaderSource for axum::http::HeaderMap {
    fn header(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(|v| v.to_str().ok())
    }
}

impl<N: AsRef<str>, V: AsRef<str>> HeaderSource for [(N, V)] {
    fn header(&self, name: &str) -> Option<&str> {
        self.iter()
            .find(|(n, _)| n.as_ref().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_ref())
    }
}

impl<N: AsRef<str>, V: AsRef<str>> HeaderSource for Vec<(N, V)> {
    fn header(&self, name: &str) -> Option<&str> {
        self.as_slice().header(name)
    }
}

/// Checks a request's signature headers against its raw body.
pub trait Verifier: Send + Sync {
    /// The scheme this verifier implements.
    fn scheme(&self) -> Scheme;

    /// Whether `headers` carries any header of this scheme (used to pick a verifier for a
    /// request whose vendor is unknown).
    fn present(&self, headers: &dyn HeaderSource) -> bool;

    /// Verifies the signature in `headers` over `body`.
    ///
    /// # Errors
    ///
    /// [`SignatureError::Missing`], [`SignatureError::Malformed`],
    /// [`SignatureError::Mismatch`] or (for timestamped schemes) [`SignatureError::Expired`].
    fn verify(&self, headers: &dyn HeaderSource, body: &[u8]) -> Result<(), SignatureError>;
}

/// Produces the signature headers a vendor would send with a body.
pub trait Signer: Send + Sync {
    /// The scheme this signer implements.
    fn scheme(&self) -> Scheme;

    /// The headers to send with `body`, as `(name, value)` pairs in the vendor's spelling.
    ///
    /// # Errors
    ///
    /// [`SignatureError::Signing`] if the underlying library fails.
    fn sign(&self, body: &[u8]) -> Result<Vec<(String, String)>, SignatureError>;

    /// A signer of the same scheme with another key: what an attacker without the key signs
    /// with. `None` when the scheme has no such notion.
    fn impostor(&self) -> Option<Box<dyn Signer>> {
        None
    }

    /// A signer with the right key whose signatures are dated outside the verifier's
    /// tolerance (for timestamped schemes; `None` otherwise).
    fn expired(&self) -> Option<Box<dyn Signer>> {
        None
    }
}

/// Renames the headers a signer of `scheme` made to the names `vendor`'s profile gives that
/// scheme's headers (`signatures[].headers`), position by position. Resend's profile lists the
/// Standard Webhooks headers as `svix-id`, `svix-timestamp`, `svix-signature`, so its bodies
/// are signed as Svix sends them. A profile that lists the scheme's own names, or a different
/// number of headers, changes nothing.
pub fn rename_for(
    vendor: crate::catalog::Vendor,
    scheme: Scheme,
    headers: &mut [(String, String)],
) {
    let own = scheme.headers();
    let Some(spec) = vendor
        .profile()
        .signatures
        .iter()
        .find(|s| s.scheme == scheme.as_str() && s.headers.len() == own.len())
    else {
        return;
    };
    for (name, _) in headers.iter_mut() {
        if let Some(i) = own.iter().position(|h| h.eq_ignore_ascii_case(name)) {
            name.clone_from(&spec.headers[i]);
        }
    }
}

/// `signer` sending its headers under the names `vendor` sends them with ([`rename_for`]),
/// its impostor and expired signers too.
#[must_use]
pub fn as_sent_by(vendor: crate::catalog::Vendor, signer: Arc<dyn Signer>) -> Arc<dyn Signer> {
    Arc::new(SentBy { vendor, signer })
}

/// A signer whose header names are those a vendor sends ([`as_sent_by`]).
struct SentBy {
    vendor: crate::catalog::Vendor,
    signer: Arc<dyn Signer>,
}

impl SentBy {
    fn wrap(&self, signer: Option<Box<dyn Signer>>) -> Option<Box<dyn Signer>> {
        signer.map(|s| {
            Box::new(SentBy {
                vendor: self.vendor,
                signer: Arc::from(s),
            }) as Box<dyn Signer>
        })
    }
}

impl Signer for SentBy {
    fn scheme(&self) -> Scheme {
        self.signer.scheme()
    }

    fn sign(&self, body: &[u8]) -> Result<Vec<(String, String)>, SignatureError> {
        let mut headers = self.signer.sign(body)?;
        rename_for(self.vendor, self.scheme(), &mut headers);
        Ok(headers)
    }

    fn impostor(&self) -> Option<Box<dyn Signer>> {
        self.wrap(self.signer.impostor())
    }

    fn expired(&self) -> Option<Box<dyn Signer>> {
        self.wrap(self.signer.expired())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resend_bodies_are_signed_with_the_svix_names_and_still_verify() {
        use crate::catalog::Vendor;
        let signer: Arc<dyn Signer> = Arc::new(
            standard::StandardWebhooks::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap(),
        );
        let body = br#"{"type":"email.sent","created_at":"2024-02-22T23:41:12.126Z","data":{}}"#;
        let resend = as_sent_by(Vendor::RESEND, Arc::clone(&signer))
            .sign(body)
            .unwrap();
        let names: Vec<&str> = resend.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["svix-id", "svix-timestamp", "svix-signature"]);
        let verifier =
            standard::StandardWebhooks::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        assert!(verifier.verify(&resend, body).is_ok());
        // Forgeries are renamed the same way; other vendors keep the scheme's own names.
        let impostor = as_sent_by(Vendor::RESEND, Arc::clone(&signer))
            .impostor()
            .unwrap();
        assert_eq!(impostor.sign(body).unwrap()[0].0, "svix-id");
        let other = as_sent_by(Vendor::GETMAILER, signer).sign(body).unwrap();
        assert_eq!(other[0].0, "webhook-id");
    }

    #[test]
    fn header_lookup_ignores_case() {
        let h = vec![("X-Postal-Signature-Kid".to_owned(), "ab".to_owned())];
        assert_eq!(h.header("x-postal-signature-KID"), Some("ab"));
        assert_eq!(h.header("x-postal-signature"), None);
    }

    #[cfg(feature = "listen")]
    #[test]
    fn header_map_lookup_ignores_case() {
        let mut map = axum::http::HeaderMap::new();
        map.insert("webhook-id", "msg_1".parse().unwrap());
        assert_eq!(HeaderSource::header(&map, "Webhook-ID"), Some("msg_1"));
    }

    #[test]
    fn errors_read_well() {
        let e = SignatureError::Expired {
            timestamp: 100,
            now: 500,
            tolerance: 300,
        };
        assert_eq!(
            e.to_string(),
            "timestamp 100 is 400s from now (500), outside the 300s tolerance"
        );
        assert_eq!(e.kind(), "expired");
    }
}
