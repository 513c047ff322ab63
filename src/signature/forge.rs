//! Forged requests: what a receiver that verifies signatures must refuse.
//!
//! [`forgeries`] takes the signers a sender uses and one body, and returns one request per way
//! of getting a signature wrong:
//!
//! | name | the request |
//! | --- | --- |
//! | `missing` | the body with no signature headers at all |
//! | `wrong` | every signature value altered in one character (still well formed) |
//! | `other-key` | a genuine signature made with another key ([`Signer::impostor`]) |
//! | `other-bytes` | a valid signature, with one byte of the body changed after signing |
//! | `truncated` | every signature value cut to half its length |
//! | `expired` | a valid signature dated outside the tolerance ([`Signer::expired`], timestamped schemes only) |
//!
//! Non-signature headers of a scheme (Postal's key id, Standard Webhooks' message id and
//! timestamp) keep their genuine values, so that only the signature is wrong.

use super::{SignatureError, Signer};

/// One request a verifying receiver must refuse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Forgery {
    /// Which forgery this is (`missing`, `wrong`, `other-key`, ...).
    pub name: &'static str,
    /// The body sent.
    pub body: Vec<u8>,
    /// The signature headers sent (and no others of the schemes').
    pub headers: Vec<(String, String)>,
}

/// Whether `name` is a header that carries a signature value (not a key id, message id or
/// timestamp).
#[must_use]
pub fn is_signature_header(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name.contains("signature") && !name.ends_with("-kid")
}

/// Every forgery of `body` for a sender signing with `signers` (see the [module docs](self)).
///
/// # Errors
///
/// The first signer's error, if signing fails.
pub fn forgeries(signers: &[&dyn Signer], body: &[u8]) -> Result<Vec<Forgery>, SignatureError> {
    let genuine = sign_all(signers, body)?;
    let forged = |name, body: Vec<u8>, headers| Forgery {
        name,
        body,
        headers,
    };
    let mut out = vec![
        forged("missing", body.to_vec(), Vec::new()),
        forged("wrong", body.to_vec(), map_signatures(&genuine, alter)),
    ];
    let impostors: Option<Vec<Box<dyn Signer>>> = signers.iter().map(|s| s.impostor()).collect();
    if let Some(impostors) = impostors {
        let refs: Vec<&dyn Signer> = impostors.iter().map(AsRef::as_ref).collect();
        let headers = keep_genuine_ids(&genuine, sign_all(&refs, body)?);
        out.push(forged("other-key", body.to_vec(), headers));
    }
    out.push(forged(
        "other-bytes",
        change_one_byte(body),
        genuine.clone(),
    ));
    out.push(forged(
        "truncated",
        body.to_vec(),
        map_signatures(&genuine, |value| {
            let half = value.len() / 2;
            let cut = (0..=half)
                .rev()
                .find(|i| value.is_char_boundary(*i))
                .unwrap_or(0);
            value[..cut].to_owned()
        }),
    ));
    let expired: Option<Vec<Box<dyn Signer>>> = signers.iter().map(|s| s.expired()).collect();
    if let Some(expired) = expired.filter(|e| !e.is_empty()) {
        let refs: Vec<&dyn Signer> = expired.iter().map(AsRef::as_ref).collect();
        out.push(forged("expired", body.to_vec(), sign_all(&refs, body)?));
    }
    Ok(out)
}

fn sign_all(signers: &[&dyn Signer], body: &[u8]) -> Result<Vec<(String, String)>, SignatureError> {
    let mut headers = Vec::new();
    for signer in signers {
        headers.extend(signer.sign(body)?);
    }
    Ok(headers)
}

fn map_signatures(
    headers: &[(String, String)],
    f: impl Fn(&str) -> String,
) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            if is_signature_header(name) {
                (name.clone(), f(value))
            } else {
                (name.clone(), value.clone())
            }
        })
        .collect()
}

/// `forged` with the genuine value of every header that is not a signature.
fn keep_genuine_ids(
    genuine: &[(String, String)],
    forged: Vec<(String, String)>,
) -> Vec<(String, String)> {
    forged
        .into_iter()
        .map(|(name, value)| {
            let original = genuine
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(&name) && !is_signature_header(n));
            match original {
                Some((_, v)) => (name, v.clone()),
                None => (name, value),
            }
        })
        .collect()
}

/// The value with its middle character replaced by another one of the hex and base64
/// alphabets, so that it stays well formed.
fn alter(value: &str) -> String {
    let mut chars: Vec<char> = value.chars().collect();
    if chars.is_empty() {
        return "a".to_owned();
    }
    let at = chars.len() / 2;
    chars[at] = if chars[at] == 'a' { 'b' } else { 'a' };
    chars.into_iter().collect()
}

/// The body with one byte changed: the middle ASCII letter or digit (so JSON stays JSON), or
/// the last byte when there is none.
fn change_one_byte(body: &[u8]) -> Vec<u8> {
    let mut out = body.to_vec();
    let alnum: Vec<usize> = (0..out.len())
        .filter(|&i| out[i].is_ascii_alphanumeric())
        .collect();
    match alnum.get(alnum.len() / 2) {
        Some(&i) => {
            out[i] = match out[i] {
                b'0'..=b'8' | b'a'..=b'y' | b'A'..=b'Y' => out[i] + 1,
                b'9' => b'0',
                b'z' => b'a',
                _ => b'A',
            };
        }
        None => match out.last_mut() {
            Some(last) => *last ^= 1,
            None => out.push(b' '),
        },
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signature::{
        HeaderSource, Verifier, getmailer::GetMailer, standard::StandardWebhooks,
    };

    #[test]
    fn every_forgery_fails_verification_and_the_genuine_request_passes() {
        let getmailer = GetMailer::new("s3cret").unwrap();
        let standard = StandardWebhooks::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let body = br#"{"id":"evt_1","type":"email.sent","data":{"to":"a@example.net"}}"#;
        let forgeries = forgeries(&[&getmailer, &standard], body).unwrap();
        let names: Vec<&str> = forgeries.iter().map(|f| f.name).collect();
        assert_eq!(
            names,
            [
                "missing",
                "wrong",
                "other-key",
                "other-bytes",
                "truncated",
                "expired"
            ]
        );
        for verifier in [&getmailer as &dyn Verifier, &standard] {
            let genuine = [&getmailer as &dyn Signer, &standard];
            let headers = sign_all(&genuine, body).unwrap();
            assert!(verifier.verify(&headers, body).is_ok());
            for forgery in &forgeries {
                if forgery.name == "expired" && verifier.scheme() != Verifier::scheme(&standard) {
                    continue; // GetMailer signatures carry no time
                }
                let err = verifier.verify(&forgery.headers, &forgery.body);
                assert!(
                    err.is_err(),
                    "{} passed {:?}",
                    forgery.name,
                    verifier.scheme()
                );
            }
        }
        let other_bytes = &forgeries[3];
        assert_ne!(other_bytes.body, body);
        assert_eq!(other_bytes.body.len(), body.len());
        serde_json::from_slice::<serde_json::Value>(&other_bytes.body).unwrap();
        // Ids and timestamps stay genuine in the other-key forgery.
        let genuine = sign_all(&[&getmailer, &standard], body).unwrap();
        assert_eq!(
            forgeries[2].headers.header("webhook-id"),
            genuine.header("webhook-id")
        );
    }
}
