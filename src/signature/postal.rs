//! Postal: RSA PKCS#1 v1.5 signatures over the raw body, with one key per installation.
//!
//! Postal sends three headers with every webhook:
//!
//! - `X-Postal-Signature`: base64 of an RSASSA-PKCS1-v1_5 **SHA-1** signature of the body (the
//!   only header before Postal 3.2.0);
//! - `X-Postal-Signature-256`: the same with **SHA-256** (3.2.0 and later);
//! - `X-Postal-Signature-KID`: 64 hex digits naming the key: the SHA-256 of the DER encoding of
//!   the RSA `(n, e)` sequence (what [`PostalPublicKey::kid`] computes).
//!
//! [`PostalVerifier`] prefers the SHA-256 header and falls back to SHA-1 when it is absent. The
//! key id, when present, must have the documented shape; the signature decides. The public key
//! is accepted as Postal hands it out: a PEM `BEGIN PUBLIC KEY` block, the bare base64 `p=`
//! value of `postal default-dkim-record` (what django-anymail and laravel-postal take), that
//! whole DKIM record, or a PKCS#1 `BEGIN RSA PUBLIC KEY` block.
//!
//! [`PostalSigner`] signs with the installation's private key (`signing.key`, PKCS#1 or PKCS#8
//! PEM) and emits all three headers, for `hookcheck replay` and for tests. (The `rsa` crate's
//! private-key operations are not constant-time; signing is meant for test traffic, and
//! verification uses only the public key.)

use base64::{Engine as _, engine::general_purpose::STANDARD as B64};
use rsa::{
    RsaPrivateKey, RsaPublicKey,
    pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey, EncodeRsaPublicKey},
    pkcs1v15::{Signature, SigningKey, VerifyingKey},
    pkcs8::{DecodePrivateKey, DecodePublicKey},
    signature::{SignatureEncoding, Signer as _, Verifier as _},
    traits::PublicKeyParts,
};
use sha1::Sha1;
use sha2::{Digest as _, Sha256};

use super::{HeaderSource, Scheme, SignatureError, Signer, Verifier};

/// The SHA-1 signature header (all Postal versions).
pub const SHA1_HEADER: &str = "X-Postal-Signature";
/// The SHA-256 signature header (Postal 3.2.0 and later).
pub const SHA256_HEADER: &str = "X-Postal-Signature-256";
/// The key id header (Postal 3.2.0 and later).
pub const KID_HEADER: &str = "X-Postal-Signature-KID";

fn bad_key(reason: impl Into<String>) -> SignatureError {
    SignatureError::BadKey {
        reason: reason.into(),
    }
}

/// The key id Postal sends for a public key: lower-case hex SHA-256 of its PKCS#1 DER.
fn kid_of(key: &RsaPublicKey) -> Result<String, SignatureError> {
    let der = key
        .to_pkcs1_der()
        .map_err(|e| bad_key(format!("cannot encode the public key: {e}")))?;
    Ok(hex::encode(Sha256::digest(der.as_bytes())))
}

/// An installation's public signing key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostalPublicKey {
    key: RsaPublicKey,
    kid: String,
}

impl PostalPublicKey {
    /// Reads a public key in any of the forms Postal hands out (see the module docs).
    ///
    /// # Errors
    ///
    /// [`SignatureError::BadKey`] when the text is none of those forms or not an RSA key.
    pub fn parse(text: &str) -> Result<Self, SignatureError> {
        let text = text.trim();
        let key = if text.contains("-----BEGIN PUBLIC KEY-----") {
            RsaPublicKey::from_public_key_pem(text)
                .map_err(|e| bad_key(format!("not an RSA public key PEM: {e}")))?
        } else if text.contains("-----BEGIN RSA PUBLIC KEY-----") {
            RsaPublicKey::from_pkcs1_pem(text)
                .map_err(|e| bad_key(format!("not an RSA public key PEM: {e}")))?
        } else {
            let encoded = dkim_p_value(text).unwrap_or(text);
            let compact: String = encoded.split_whitespace().collect();
            if compact.is_empty() {
                return Err(bad_key("the Postal public key is empty"));
            }
            let der = B64
                .decode(&compact)
                .map_err(|e| bad_key(format!("the Postal public key is not base64: {e}")))?;
            RsaPublicKey::from_public_key_der(&der)
                .or_else(|_| RsaPublicKey::from_pkcs1_der(&der))
                .map_err(|e| bad_key(format!("not an RSA public key: {e}")))?
        };
        Self::from_key(key)
    }

    /// Wraps an RSA public key.
    ///
    /// # Errors
    ///
    /// [`SignatureError::BadKey`] if the key cannot be DER-encoded (to compute its id).
    pub fn from_key(key: RsaPublicKey) -> Result<Self, SignatureError> {
        let kid = kid_of(&key)?;
        Ok(Self { key, kid })
    }

    /// The key id Postal sends in `X-Postal-Signature-KID` for this key.
    #[must_use]
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The RSA key.
    #[must_use]
    pub fn rsa(&self) -> &RsaPublicKey {
        &self.key
    }
}

/// The `p=` value of a DKIM record (`v=DKIM1; t=s; h=sha256; p=MIIB...;`), if `text` is one.
fn dkim_p_value(text: &str) -> Option<&str> {
    text.split(';')
        .filter_map(|tag| tag.split_once('='))
        .find(|(name, _)| name.trim() == "p")
        .map(|(_, value)| value.trim())
}

/// Verifies Postal signatures with an installation's public key.
#[derive(Debug, Clone)]
pub struct PostalVerifier {
    key: PostalPublicKey,
}

impl PostalVerifier {
    /// A verifier for `key`.
    #[must_use]
    pub fn new(key: PostalPublicKey) -> Self {
        Self { key }
    }

    /// A verifier for a key in any accepted text form; see [`PostalPublicKey::parse`].
    ///
    /// # Errors
    ///
    /// [`SignatureError::BadKey`] as for [`PostalPublicKey::parse`].
    pub fn from_text(text: &str) -> Result<Self, SignatureError> {
        PostalPublicKey::parse(text).map(Self::new)
    }

    /// The public key.
    #[must_use]
    pub fn key(&self) -> &PostalPublicKey {
        &self.key
    }
}

fn decode_signature(
    header: &'static str,
    value: &str,
    key: &RsaPublicKey,
) -> Result<Signature, SignatureError> {
    let raw = B64
        .decode(value.trim())
        .map_err(|e| SignatureError::Malformed {
            header,
            reason: format!("not base64: {e}"),
        })?;
    if raw.len() != key.size() {
        return Err(SignatureError::Malformed {
            header,
            reason: format!(
                "{} bytes, a signature by this {}-bit key has {}",
                raw.len(),
                key.size() * 8,
                key.size()
            ),
        });
    }
    Signature::try_from(raw.as_slice()).map_err(|e| SignatureError::Malformed {
        header,
        reason: format!("not an RSA signature: {e}"),
    })
}

impl Verifier for PostalVerifier {
    fn scheme(&self) -> Scheme {
        Scheme::Postal
    }

    fn present(&self, headers: &dyn HeaderSource) -> bool {
        headers.header(SHA256_HEADER).is_some() || headers.header(SHA1_HEADER).is_some()
    }

    fn verify(&self, headers: &dyn HeaderSource, body: &[u8]) -> Result<(), SignatureError> {
        if let Some(kid) = headers.header(KID_HEADER)
            && !(kid.len() == 64 && kid.bytes().all(|b| b.is_ascii_hexdigit()))
        {
            return Err(SignatureError::Malformed {
                header: KID_HEADER,
                reason: "expected 64 hex digits".into(),
            });
        }
        let rsa = self.key.key.clone();
        if let Some(value) = headers.header(SHA256_HEADER) {
            let sig = decode_signature(SHA256_HEADER, value, &rsa)?;
            return VerifyingKey::<Sha256>::new(rsa)
                .verify(body, &sig)
                .map_err(|_| SignatureError::Mismatch {
                    header: SHA256_HEADER,
                });
        }
        let value = headers.header(SHA1_HEADER).ok_or(SignatureError::Missing {
            header: SHA1_HEADER,
        })?;
        let sig = decode_signature(SHA1_HEADER, value, &rsa)?;
        VerifyingKey::<Sha1>::new(rsa)
            .verify(body, &sig)
            .map_err(|_| SignatureError::Mismatch {
                header: SHA1_HEADER,
            })
    }
}

/// A throwaway key for signatures "made with another key" (see [`Signer::impostor`]).
const IMPOSTOR_KEY: &str = include_str!("impostor-TEST-ONLY-private-key.pem");

/// Signs bodies as a Postal installation does, with its private key.
#[derive(Clone)]
pub struct PostalSigner {
    sha1: SigningKey<Sha1>,
    sha256: SigningKey<Sha256>,
    public: PostalPublicKey,
}

impl std::fmt::Debug for PostalSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostalSigner")
            .field("kid", &self.public.kid)
            .finish_non_exhaustive()
    }
}

impl PostalSigner {
    /// Reads a private key in PEM: PKCS#1 (`BEGIN RSA PRIVATE KEY`, as Postal writes
    /// `signing.key`) or PKCS#8 (`BEGIN PRIVATE KEY`).
    ///
    /// # Errors
    ///
    /// [`SignatureError::BadKey`] when the text is neither.
    pub fn from_pem(text: &str) -> Result<Self, SignatureError> {
        let text = text.trim();
        let key = if text.contains("-----BEGIN RSA PRIVATE KEY-----") {
            RsaPrivateKey::from_pkcs1_pem(text)
                .map_err(|e| bad_key(format!("not an RSA private key PEM: {e}")))?
        } else {
            RsaPrivateKey::from_pkcs8_pem(text)
                .map_err(|e| bad_key(format!("not an RSA private key PEM: {e}")))?
        };
        Self::from_key(key)
    }

    /// Wraps an RSA private key.
    ///
    /// # Errors
    ///
    /// [`SignatureError::BadKey`] if its public half cannot be encoded.
    pub fn from_key(key: RsaPrivateKey) -> Result<Self, SignatureError> {
        let public = PostalPublicKey::from_key(key.to_public_key())?;
        Ok(Self {
            sha1: SigningKey::new(key.clone()),
            sha256: SigningKey::new(key),
            public,
        })
    }

    /// The public half, for building a [`PostalVerifier`].
    #[must_use]
    pub fn public_key(&self) -> &PostalPublicKey {
        &self.public
    }

    /// Base64 of the SHA-1 signature of `body` (the `X-Postal-Signature` value).
    ///
    /// # Errors
    ///
    /// [`SignatureError::Signing`] if the RSA operation fails.
    pub fn sign_sha1(&self, body: &[u8]) -> Result<String, SignatureError> {
        self.sha1
            .try_sign(body)
            .map(|s| B64.encode(s.to_bytes()))
            .map_err(|e| SignatureError::Signing {
                reason: e.to_string(),
            })
    }

    /// Base64 of the SHA-256 signature of `body` (the `X-Postal-Signature-256` value).
    ///
    /// # Errors
    ///
    /// [`SignatureError::Signing`] if the RSA operation fails.
    pub fn sign_sha256(&self, body: &[u8]) -> Result<String, SignatureError> {
        self.sha256
            .try_sign(body)
            .map(|s| B64.encode(s.to_bytes()))
            .map_err(|e| SignatureError::Signing {
                reason: e.to_string(),
            })
    }
}

impl Signer for PostalSigner {
    fn scheme(&self) -> Scheme {
        Scheme::Postal
    }

    fn sign(&self, body: &[u8]) -> Result<Vec<(String, String)>, SignatureError> {
        Ok(vec![
            (KID_HEADER.to_owned(), self.public.kid.clone()),
            (SHA1_HEADER.to_owned(), self.sign_sha1(body)?),
            (SHA256_HEADER.to_owned(), self.sign_sha256(body)?),
        ])
    }

    /// A fixed RSA key that no Postal installation uses (shipped with hookcheck for this).
    fn impostor(&self) -> Option<Box<dyn Signer>> {
        static IMPOSTOR: std::sync::OnceLock<Option<PostalSigner>> = std::sync::OnceLock::new();
        IMPOSTOR
            .get_or_init(|| PostalSigner::from_pem(IMPOSTOR_KEY).ok())
            .clone()
            .map(|s| Box::new(s) as Box<dyn Signer>)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dkim_records_yield_their_p_value() {
        assert_eq!(
            dkim_p_value("v=DKIM1; t=s; h=sha256; p=MIIBIj AN;"),
            Some("MIIBIj AN")
        );
        assert_eq!(dkim_p_value("MIIBIjANBgkq"), None);
    }

    #[test]
    fn unusable_keys_are_errors() {
        for text in [
            "",
            "   ",
            "not base64!",
            "aGVsbG8=",
            "-----BEGIN PUBLIC KEY-----\nxx\n-----END PUBLIC KEY-----",
        ] {
            assert!(
                matches!(
                    PostalPublicKey::parse(text),
                    Err(SignatureError::BadKey { .. })
                ),
                "{text:?}"
            );
        }
        assert!(
            PostalSigner::from_pem(
                "-----BEGIN RSA PRIVATE KEY-----\n-----END RSA PRIVATE KEY-----"
            )
            .is_err()
        );
    }
}
