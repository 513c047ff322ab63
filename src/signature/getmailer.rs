//! GetMailer: `X-GetMailer-Signature: sha256=<hex>`, an HMAC-SHA256 of the raw body.
//!
//! The secret is used as its raw UTF-8 bytes (it is not base64-decoded, unlike Standard
//! Webhooks). The hex digest is lower case. Nothing but the body is signed, so a valid
//! signature says nothing about freshness: deduplicate on the body's `id`.
//!
//! Comparison is constant-time (`hmac`'s `verify_slice`, which uses `subtle`). Upper-case hex
//! is accepted when verifying, since it denotes the same bytes.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::{HeaderSource, Scheme, SignatureError, Signer, Verifier};

/// The header GetMailer signs with.
pub const HEADER: &str = "X-GetMailer-Signature";

const PREFIX: &str = "sha256=";

type HmacSha256 = Hmac<Sha256>;

/// Verifies and produces GetMailer signatures with one signing secret.
#[derive(Clone)]
pub struct GetMailer {
    secret: Vec<u8>,
}

impl std::fmt::Debug for GetMailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GetMailer").finish_non_exhaustive()
    }
}

impl GetMailer {
    /// A verifier/signer for `secret`, taken as its UTF-8 bytes.
    ///
    /// # Errors
    ///
    /// [`SignatureError::BadKey`] for an empty secret.
    pub fn new(secret: &str) -> Result<Self, SignatureError> {
        if secret.is_empty() {
            return Err(SignatureError::BadKey {
                reason: "the GetMailer signing secret is empty".into(),
            });
        }
        Ok(Self {
            secret: secret.as_bytes().to_vec(),
        })
    }

    fn mac(&self, body: &[u8]) -> HmacSha256 {
        // HMAC accepts keys of any length, so this cannot fail; the fallback keeps it panic-free.
        let mut mac = HmacSha256::new_from_slice(&self.secret)
            .unwrap_or_else(|_| HmacSha256::new(&Default::default()));
        mac.update(body);
        mac
    }

    /// The header value for `body`: `sha256=` and 64 lower-case hex digits.
    #[must_use]
    pub fn signature(&self, body: &[u8]) -> String {
        format!(
            "{PREFIX}{}",
            hex::encode(self.mac(body).finalize().into_bytes())
        )
    }
}

impl Verifier for GetMailer {
    fn scheme(&self) -> Scheme {
        Scheme::GetMailer
    }

    fn present(&self, headers: &dyn HeaderSource) -> bool {
        headers.header(HEADER).is_some()
    }

    fn verify(&self, headers: &dyn HeaderSource, body: &[u8]) -> Result<(), SignatureError> {
        let value = headers
            .header(HEADER)
            .ok_or(SignatureError::Missing { header: HEADER })?;
        let digits =
            value
                .trim()
                .strip_prefix(PREFIX)
                .ok_or_else(|| SignatureError::Malformed {
                    header: HEADER,
                    reason: format!("expected `{PREFIX}<hex>`"),
                })?;
        let given = hex::decode(digits).map_err(|e| SignatureError::Malformed {
            header: HEADER,
            reason: format!("not hex: {e}"),
        })?;
        if given.len() != 32 {
            return Err(SignatureError::Malformed {
                header: HEADER,
                reason: format!("{} bytes, a SHA-256 HMAC has 32", given.len()),
            });
        }
        self.mac(body)
            .verify_slice(&given)
            .map_err(|_| SignatureError::Mismatch { header: HEADER })
    }
}

impl Signer for GetMailer {
    fn scheme(&self) -> Scheme {
        Scheme::GetMailer
    }

    fn sign(&self, body: &[u8]) -> Result<Vec<(String, String)>, SignatureError> {
        Ok(vec![(HEADER.to_owned(), self.signature(body))])
    }

    /// The same secret with one more byte: a valid-looking signature with the wrong key.
    fn impostor(&self) -> Option<Box<dyn Signer>> {
        let mut secret = self.secret.clone();
        secret.push(b'!');
        Some(Box::new(GetMailer { secret }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(v: &str) -> Vec<(String, String)> {
        vec![(HEADER.to_owned(), v.to_owned())]
    }

    #[test]
    fn matches_rfc4231_case_2() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let g = GetMailer::new("Jefe").unwrap();
        assert_eq!(
            g.signature(b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn each_failure_has_its_variant() {
        let g = GetMailer::new("k").unwrap();
        let body = b"{}";
        let good = g.signature(body);
        assert!(g.verify(&headers(&good), body).is_ok());
        assert!(
            g.verify(
                &headers(&good.to_uppercase().replace("SHA256=", "sha256=")),
                body
            )
            .is_ok()
        );
        assert_eq!(
            g.verify(&Vec::<(String, String)>::new(), body),
            Err(SignatureError::Missing { header: HEADER })
        );
        assert!(matches!(
            g.verify(&headers(&good[7..]), body),
            Err(SignatureError::Malformed { .. })
        ));
        assert!(matches!(
            g.verify(&headers("sha256=zz"), body),
            Err(SignatureError::Malformed { .. })
        ));
        assert!(matches!(
            g.verify(&headers(&good[..good.len() - 2]), body),
            Err(SignatureError::Malformed { .. })
        ));
        assert_eq!(
            g.verify(&headers(&good), b"{} "),
            Err(SignatureError::Mismatch { header: HEADER })
        );
        assert!(GetMailer::new("").is_err());
    }
}
