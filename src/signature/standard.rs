//! Standard Webhooks (spec v1.0.0), symmetric scheme `v1`.
//!
//! The sender signs `{webhook-id}.{webhook-timestamp}.{raw body}` with HMAC-SHA256 and sends
//! `webhook-signature: v1,<base64>`; during key rotation the header lists several
//! space-separated entries. This verifier follows the reference libraries:
//!
//! - the secret is `whsec_` + base64 (the prefix is optional); an empty secret, or a bare
//!   `whsec_`, is an error;
//! - the timestamp must be within ±300 s of the verifier's clock (both too old and too new are
//!   rejected), checked before the signature;
//! - entries of other versions (`v1a`, `v2`, ...) are ignored, and any matching `v1` entry
//!   accepts; entries are compared in constant time.
//!
//! The clock is a [`Clock`], so fixed test vectors can be checked at their own time.
//!
//! Svix, which delivers for Resend among others, sends the same scheme under the names
//! `svix-id`, `svix-timestamp` and `svix-signature` ([`HeaderNames::Svix`]). The verifier
//! accepts either naming: a request with `webhook-signature` is read with the `webhook-*` names,
//! else one with `svix-signature` with the `svix-*` names, and all three headers must then use
//! that naming (a `webhook-signature` with only a `svix-id` is missing its `webhook-id`). The
//! signer sends the `webhook-*` names unless told otherwise with
//! [`with_svix_headers`](StandardWebhooks::with_svix_headers).

use std::time::{SystemTime, UNIX_EPOCH};

use base64::{Engine as _, engine::general_purpose::STANDARD as B64};
use hmac::{Hmac, Mac};
use sha2::{Digest as _, Sha256};

use super::{HeaderSource, Scheme, SignatureError, Signer, Verifier};

/// The message id header.
pub const ID_HEADER: &str = "webhook-id";
/// The attempt timestamp header (integer Unix seconds).
pub const TIMESTAMP_HEADER: &str = "webhook-timestamp";
/// The signature list header.
pub const SIGNATURE_HEADER: &str = "webhook-signature";
/// The message id header under the Svix naming.
pub const SVIX_ID_HEADER: &str = "svix-id";
/// The attempt timestamp header under the Svix naming.
pub const SVIX_TIMESTAMP_HEADER: &str = "svix-timestamp";
/// The signature list header under the Svix naming.
pub const SVIX_SIGNATURE_HEADER: &str = "svix-signature";
/// The tolerance of the reference libraries, in seconds either way.
pub const DEFAULT_TOLERANCE: u64 = 300;

const SECRET_PREFIX: &str = "whsec_";

type HmacSha256 = Hmac<Sha256>;

/// Where "now" comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Clock {
    /// The system clock.
    #[default]
    System,
    /// A fixed instant, in Unix seconds (for tests and for replaying recordings).
    Fixed(i64),
}

impl Clock {
    /// The current Unix time in seconds according to this clock.
    #[must_use]
    pub fn now(self) -> i64 {
        match self {
            Clock::Fixed(t) => t,
            Clock::System => SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX)),
        }
    }
}

/// The names of the three headers: the specification's, or the ones Svix sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum HeaderNames {
    /// `webhook-id`, `webhook-timestamp`, `webhook-signature`.
    #[default]
    Standard,
    /// `svix-id`, `svix-timestamp`, `svix-signature`.
    Svix,
}

impl HeaderNames {
    /// Both namings, in the order the verifier looks for them.
    pub const ALL: [Self; 2] = [Self::Standard, Self::Svix];

    /// The message id header.
    #[must_use]
    pub const fn id(self) -> &'static str {
        match self {
            Self::Standard => ID_HEADER,
            Self::Svix => SVIX_ID_HEADER,
        }
    }

    /// The timestamp header.
    #[must_use]
    pub const fn timestamp(self) -> &'static str {
        match self {
            Self::Standard => TIMESTAMP_HEADER,
            Self::Svix => SVIX_TIMESTAMP_HEADER,
        }
    }

    /// The signature list header.
    #[must_use]
    pub const fn signature(self) -> &'static str {
        match self {
            Self::Standard => SIGNATURE_HEADER,
            Self::Svix => SVIX_SIGNATURE_HEADER,
        }
    }

    /// The naming of a request: the first whose signature header is present.
    #[must_use]
    pub fn of(headers: &dyn HeaderSource) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|names| headers.header(names.signature()).is_some())
    }
}

/// Verifies and produces Standard Webhooks `v1` signatures with one secret.
#[derive(Clone)]
pub struct StandardWebhooks {
    key: Vec<u8>,
    tolerance: u64,
    clock: Clock,
    names: HeaderNames,
}

impl std::fmt::Debug for StandardWebhooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StandardWebhooks")
            .field("tolerance", &self.tolerance)
            .field("clock", &self.clock)
            .field("names", &self.names)
            .finish_non_exhaustive()
    }
}

impl StandardWebhooks {
    /// A verifier/signer for `secret` (`whsec_` + base64, the prefix optional), with the
    /// default ±300 s tolerance and the system clock.
    ///
    /// # Errors
    ///
    /// [`SignatureError::BadKey`] for an empty secret (or a bare `whsec_`) or one that is not
    /// base64.
    pub fn new(secret: &str) -> Result<Self, SignatureError> {
        let encoded = secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret);
        if encoded.is_empty() {
            return Err(SignatureError::BadKey {
                reason: "the Standard Webhooks secret is empty".into(),
            });
        }
        let key = B64.decode(encoded).map_err(|e| SignatureError::BadKey {
            reason: format!("the Standard Webhooks secret is not base64: {e}"),
        })?;
        Self::from_bytes(key)
    }

    /// A verifier/signer for a raw key.
    ///
    /// # Errors
    ///
    /// [`SignatureError::BadKey`] for an empty key.
    pub fn from_bytes(key: Vec<u8>) -> Result<Self, SignatureError> {
        if key.is_empty() {
            return Err(SignatureError::BadKey {
                reason: "the Standard Webhooks secret is empty".into(),
            });
        }
        Ok(Self {
            key,
            tolerance: DEFAULT_TOLERANCE,
            clock: Clock::System,
            names: HeaderNames::Standard,
        })
    }

    /// The same secret with another clock.
    #[must_use]
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// The same secret with another tolerance, in seconds either way.
    #[must_use]
    pub fn with_tolerance(mut self, seconds: u64) -> Self {
        self.tolerance = seconds;
        self
    }

    /// The same secret, signing with the Svix header names (`svix-id`, `svix-timestamp`,
    /// `svix-signature`). Verification accepts either naming regardless.
    #[must_use]
    pub fn with_svix_headers(self) -> Self {
        self.with_header_names(HeaderNames::Svix)
    }

    /// The same secret, signing with the header names `names`.
    #[must_use]
    pub fn with_header_names(mut self, names: HeaderNames) -> Self {
        self.names = names;
        self
    }

    /// The header names the signer sends.
    #[must_use]
    pub fn header_names(&self) -> HeaderNames {
        self.names
    }

    fn mac(&self, id: &str, timestamp: &str, body: &[u8]) -> HmacSha256 {
        // HMAC accepts keys of any length, so this cannot fail; the fallback keeps it panic-free.
        let mut mac = HmacSha256::new_from_slice(&self.key)
            .unwrap_or_else(|_| HmacSha256::new(&Default::default()));
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.as_bytes());
        mac.update(b".");
        mac.update(body);
        mac
    }

    /// The `webhook-signature` (or `svix-signature`) value for one message: `v1,<base64>`.
    #[must_use]
    pub fn signature(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        let tag = self
            .mac(id, &timestamp.to_string(), body)
            .finalize()
            .into_bytes();
        format!("v1,{}", B64.encode(tag))
    }
}

fn required<'a>(
    headers: &'a dyn HeaderSource,
    name: &'static str,
) -> Result<&'a str, SignatureError> {
    headers
        .header(name)
        .ok_or(SignatureError::Missing { header: name })
}

impl Verifier for StandardWebhooks {
    fn scheme(&self) -> Scheme {
        Scheme::StandardWebhooks
    }

    fn present(&self, headers: &dyn HeaderSource) -> bool {
        HeaderNames::of(headers).is_some()
    }

    fn verify(&self, headers: &dyn HeaderSource, body: &[u8]) -> Result<(), SignatureError> {
        // With no signature header, the errors speak of the naming the other headers use.
        let names = HeaderNames::of(headers)
            .or_else(|| {
                HeaderNames::ALL.into_iter().find(|names| {
                    headers.header(names.id()).is_some()
                        || headers.header(names.timestamp()).is_some()
                })
            })
            .unwrap_or(self.names);
        let id = required(headers, names.id())?;
        let ts_text = required(headers, names.timestamp())?;
        let list = required(headers, names.signature())?;
        let timestamp: i64 = ts_text.parse().map_err(|_| SignatureError::Malformed {
            header: names.timestamp(),
            reason: format!("{ts_text:?} is not integer Unix seconds"),
        })?;
        let now = self.clock.now();
        if timestamp.abs_diff(now) > self.tolerance {
            return Err(SignatureError::Expired {
                timestamp,
                now,
                tolerance: self.tolerance,
            });
        }
        let mac = self.mac(id, ts_text, body);
        let mut v1_entries = 0usize;
        for entry in list.split(' ').filter(|e| !e.is_empty()) {
            let Some((version, sig)) = entry.split_once(',') else {
                continue;
            };
            if version != "v1" {
                continue;
            }
            v1_entries += 1;
            // A truncated or non-base64 entry simply does not match, as in the reference
            // libraries; another entry may still.
            if let Ok(given) = B64.decode(sig)
                && mac.clone().verify_slice(&given).is_ok()
            {
                return Ok(());
            }
        }
        if v1_entries == 0 {
            return Err(SignatureError::Malformed {
                header: names.signature(),
                reason: "no `v1,<base64>` entry".into(),
            });
        }
        Err(SignatureError::Mismatch {
            header: names.signature(),
        })
    }
}

impl Signer for StandardWebhooks {
    fn scheme(&self) -> Scheme {
        Scheme::StandardWebhooks
    }

    /// Signs with the clock's time (under the [header names](Self::with_header_names) set) and
    /// a message id derived from the body (`msg_` + the first
    /// 24 hex digits of its SHA-256), so that re-sending the same body keeps its id, as a
    /// retry would.
    fn sign(&self, body: &[u8]) -> Result<Vec<(String, String)>, SignatureError> {
        let digest = Sha256::digest(body);
        let id = format!("msg_{}", &hex::encode(digest)[..24]);
        let timestamp = self.clock.now();
        let names = self.names;
        Ok(vec![
            (names.id().to_owned(), id.clone()),
            (names.timestamp().to_owned(), timestamp.to_string()),
            (
                names.signature().to_owned(),
                self.signature(&id, timestamp, body),
            ),
        ])
    }

    /// The key with every byte inverted.
    fn impostor(&self) -> Option<Box<dyn Signer>> {
        let mut other = self.clone();
        other.key.iter_mut().for_each(|b| *b = !*b);
        Some(Box::new(other))
    }

    /// The right key, signing an hour (twelve tolerances by default) in the past.
    fn expired(&self) -> Option<Box<dyn Signer>> {
        let skew = i64::try_from(self.tolerance.saturating_mul(12).max(3600)).unwrap_or(i64::MAX);
        let mut other = self.clone();
        other.clock = Clock::Fixed(self.clock.now().saturating_sub(skew));
        Some(Box::new(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_what_it_verifies_and_rejects_other_versions() {
        let s = StandardWebhooks::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
            .unwrap()
            .with_clock(Clock::Fixed(1_000_000));
        let headers = s.sign(b"{}").unwrap();
        assert!(s.verify(&headers, b"{}").is_ok());
        let mut other = headers.clone();
        other[2].1 = other[2].1.replacen("v1,", "v2,", 1);
        assert!(matches!(
            s.verify(&other, b"{}"),
            Err(SignatureError::Malformed { .. })
        ));
    }

    #[test]
    fn secret_prefix_is_optional_and_empty_is_an_error() {
        let a = StandardWebhooks::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let b = StandardWebhooks::new("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        assert_eq!(a.signature("m", 1, b"x"), b.signature("m", 1, b"x"));
        assert!(StandardWebhooks::new("").is_err());
        assert!(StandardWebhooks::new("whsec_").is_err());
        assert!(StandardWebhooks::new("whsec_not base64!").is_err());
    }

    /// One shared vector: `(name, secret, headers, body, now, valid)`.
    type Vector = (String, String, Vec<(String, String)>, String, i64, bool);

    /// The shared vectors (`tests/data/standard-webhooks-vectors.json`) with every `webhook-*`
    /// header renamed to `svix-*`.
    fn svix_vectors() -> Vec<Vector> {
        let doc: serde_json::Value = serde_json::from_str(include_str!(
            "../../tests/data/standard-webhooks-vectors.json"
        ))
        .unwrap();
        doc["cases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|case| {
                let headers = case["headers"]
                    .as_object()
                    .unwrap()
                    .iter()
                    .map(|(k, v)| {
                        let name = k
                            .strip_prefix("webhook-")
                            .map_or(k.clone(), |rest| format!("svix-{rest}"));
                        (name, v.as_str().unwrap().to_owned())
                    })
                    .collect();
                (
                    case["name"].as_str().unwrap().to_owned(),
                    case["secret"].as_str().unwrap().to_owned(),
                    headers,
                    case["body"].as_str().unwrap().to_owned(),
                    case["now"].as_i64().unwrap(),
                    case["valid"].as_bool().unwrap(),
                )
            })
            .collect()
    }

    #[test]
    fn svix_named_vectors_get_the_same_verdicts() {
        let mut valid = 0;
        for (name, secret, headers, body, now, expected) in svix_vectors() {
            assert!(headers.iter().all(|(k, _)| !k.starts_with("webhook-")));
            let result = StandardWebhooks::new(&secret).and_then(|s| {
                s.with_clock(Clock::Fixed(now))
                    .verify(&headers, body.as_bytes())
            });
            assert_eq!(result.is_ok(), expected, "{name}: {result:?}");
            if let Err(SignatureError::Missing { header })
            | Err(SignatureError::Mismatch { header }) = result
            {
                assert!(header.starts_with("svix-"), "{name}: {header}");
            }
            valid += usize::from(expected);
        }
        assert_eq!(valid, 6);
    }

    #[test]
    fn svix_documented_example_verifies_and_is_reproduced() {
        // Svix's documented example (also the first shared vector), under the svix names.
        let s = StandardWebhooks::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
            .unwrap()
            .with_clock(Clock::Fixed(1_614_265_330));
        let body = br#"{"test": 2432232314}"#;
        let headers = vec![
            (SVIX_ID_HEADER, "msg_p5jXN8AQM9LWM0D4loKWxJek"),
            (SVIX_TIMESTAMP_HEADER, "1614265330"),
            (
                SVIX_SIGNATURE_HEADER,
                "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
            ),
        ];
        assert!(s.present(&headers));
        assert_eq!(s.verify(&headers, body), Ok(()));
        assert_eq!(
            s.verify(&headers, br#"{"test": 2432232315}"#),
            Err(SignatureError::Mismatch {
                header: SVIX_SIGNATURE_HEADER
            })
        );

        let svix = s.clone().with_svix_headers();
        assert_eq!(svix.header_names(), HeaderNames::Svix);
        let signed = Signer::sign(&svix, body).unwrap();
        let names: Vec<&str> = signed.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [SVIX_ID_HEADER, SVIX_TIMESTAMP_HEADER, SVIX_SIGNATURE_HEADER]
        );
        assert_eq!(
            signed[2].1,
            s.signature(&signed[0].1, 1_614_265_330, body),
            "the same signature under either naming"
        );
        assert_eq!(s.verify(&signed, body), Ok(()));
        let standard = Signer::sign(&s, body).unwrap();
        assert_eq!(standard[0].0, ID_HEADER);
        assert_eq!(standard[2].1, signed[2].1);
        for derived in [svix.impostor().unwrap(), svix.expired().unwrap()] {
            let headers = derived.sign(body).unwrap();
            assert_eq!(headers[0].0, SVIX_ID_HEADER);
            assert!(s.verify(&headers, body).is_err());
        }
    }

    #[test]
    fn mixed_namings_are_not_combined() {
        let s = StandardWebhooks::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
            .unwrap()
            .with_clock(Clock::Fixed(1_614_265_330));
        let body = br#"{"test": 2432232314}"#;
        let (id, ts, sig) = (
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            "1614265330",
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
        );
        let mixed = vec![
            (SVIX_ID_HEADER, id),
            (TIMESTAMP_HEADER, ts),
            (SIGNATURE_HEADER, sig),
        ];
        assert_eq!(
            s.verify(&mixed, body),
            Err(SignatureError::Missing { header: ID_HEADER })
        );
        let mixed = vec![
            (ID_HEADER, id),
            (TIMESTAMP_HEADER, ts),
            (SVIX_SIGNATURE_HEADER, sig),
        ];
        assert_eq!(
            s.verify(&mixed, body),
            Err(SignatureError::Missing {
                header: SVIX_ID_HEADER
            })
        );
        // Both complete sets (as some Svix deployments send): the `webhook-*` set decides.
        let both = vec![
            (ID_HEADER, id),
            (TIMESTAMP_HEADER, ts),
            (SIGNATURE_HEADER, "v1,AAAA"),
            (SVIX_ID_HEADER, id),
            (SVIX_TIMESTAMP_HEADER, ts),
            (SVIX_SIGNATURE_HEADER, sig),
        ];
        assert_eq!(
            s.verify(&both, body),
            Err(SignatureError::Mismatch {
                header: SIGNATURE_HEADER
            })
        );
        let none: Vec<(&str, &str)> = vec![(SVIX_ID_HEADER, id), (SVIX_TIMESTAMP_HEADER, ts)];
        assert!(!s.present(&none));
        assert_eq!(
            s.verify(&none, body),
            Err(SignatureError::Missing {
                header: SVIX_SIGNATURE_HEADER
            })
        );
    }

    #[test]
    fn non_integer_timestamp_is_malformed() {
        let s = StandardWebhooks::new("c2VjcmV0").unwrap();
        let h = vec![
            (ID_HEADER, "m"),
            (TIMESTAMP_HEADER, "1.5"),
            (SIGNATURE_HEADER, "v1,AAAA"),
        ];
        assert!(matches!(
            s.verify(&h, b""),
            Err(SignatureError::Malformed {
                header: TIMESTAMP_HEADER,
                ..
            })
        ));
    }
}
