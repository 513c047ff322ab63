//! Signature schemes checked against bytes hookcheck did not produce: OpenSSL-made Postal
//! signatures, Python-made Standard Webhooks vectors and an OpenSSL-made GetMailer HMAC.

use base64::{Engine as _, engine::general_purpose::STANDARD as B64};
use hookcheck::signature::{
    HeaderSource, SignatureError, Signer, Verifier,
    getmailer::{self, GetMailer},
    postal::{self, PostalPublicKey, PostalSigner, PostalVerifier},
    standard::{Clock, StandardWebhooks},
};
use serde_json::Value;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");

fn read(name: &str) -> String {
    std::fs::read_to_string(format!("{DATA}/{name}")).unwrap()
}

fn json(name: &str) -> Value {
    serde_json::from_str(&read(name)).unwrap()
}

fn postal_cases() -> Vec<(String, Vec<u8>, String, String)> {
    let doc = json("postal-signature-vectors.json");
    doc["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_owned(),
                B64.decode(c["body_base64"].as_str().unwrap()).unwrap(),
                c["x_postal_signature"].as_str().unwrap().to_owned(),
                c["x_postal_signature_256"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn verifier() -> PostalVerifier {
    PostalVerifier::from_text(&read("postal-TEST-ONLY-public-key.pem")).unwrap()
}

fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn postal_openssl_vectors_verify_with_each_header() {
    let v = verifier();
    let cases = postal_cases();
    assert_eq!(cases.len(), 4);
    for (name, body, sha1, sha256) in &cases {
        assert_eq!(
            v.verify(&h(&[(postal::SHA256_HEADER, sha256)]), body),
            Ok(()),
            "{name} sha256"
        );
        assert_eq!(
            v.verify(&h(&[(postal::SHA1_HEADER, sha1)]), body),
            Ok(()),
            "{name} sha1"
        );
        // Header names arrive in any case (Net::HTTP sends `X-Postal-Signature-Kid`).
        assert_eq!(
            v.verify(&h(&[("x-postal-signature-256", sha256)]), body),
            Ok(()),
            "{name} lower-case header"
        );
    }
}

#[test]
fn postal_prefers_sha256_and_falls_back_to_sha1() {
    let v = verifier();
    let (_, body, sha1, sha256) = postal_cases().remove(0);
    // A good SHA-1 next to a wrong SHA-256: the SHA-256 header decides.
    let wrong256 = &postal_cases()[1].3;
    assert_eq!(
        v.verify(
            &h(&[
                (postal::SHA1_HEADER, &sha1),
                (postal::SHA256_HEADER, wrong256)
            ]),
            &body
        ),
        Err(SignatureError::Mismatch {
            header: postal::SHA256_HEADER
        })
    );
    assert_eq!(
        v.verify(
            &h(&[
                (postal::SHA1_HEADER, "garbage"),
                (postal::SHA256_HEADER, &sha256)
            ]),
            &body
        ),
        Ok(())
    );
    // The SHA-1 value under the SHA-256 header does not verify.
    assert_eq!(
        v.verify(&h(&[(postal::SHA256_HEADER, &sha1)]), &body),
        Err(SignatureError::Mismatch {
            header: postal::SHA256_HEADER
        })
    );
}

#[test]
fn postal_failures_are_typed() {
    let v = verifier();
    let (_, body, sha1, _) = postal_cases().remove(0);
    assert_eq!(
        v.verify(&h(&[]), &body),
        Err(SignatureError::Missing {
            header: postal::SHA1_HEADER
        })
    );
    // anymail's test values: base64("invalid"), "garbage", "".
    for bad in ["aW52YWxpZA==", "garbage", ""] {
        let r = v.verify(&h(&[(postal::SHA1_HEADER, bad)]), &body);
        assert!(
            matches!(r, Err(SignatureError::Malformed { .. })),
            "{bad:?}: {r:?}"
        );
    }
    let mut tampered = body.clone();
    tampered[10] ^= 1;
    assert_eq!(
        v.verify(&h(&[(postal::SHA1_HEADER, &sha1)]), &tampered),
        Err(SignatureError::Mismatch {
            header: postal::SHA1_HEADER
        })
    );
    let r = v.verify(
        &h(&[(postal::SHA1_HEADER, &sha1), (postal::KID_HEADER, "abc")]),
        &body,
    );
    assert!(matches!(
        r,
        Err(SignatureError::Malformed {
            header: postal::KID_HEADER,
            ..
        })
    ));
}

#[test]
fn postal_key_forms_are_all_the_same_key() {
    let doc = json("postal-signature-vectors.json");
    let pem = read("postal-TEST-ONLY-public-key.pem");
    let from_pem = PostalPublicKey::parse(&pem).unwrap();
    // The kid OpenSSL computed from the RSAPublicKey DER.
    assert_eq!(from_pem.kid(), doc["kid"].as_str().unwrap());
    let bare: String = pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect::<Vec<_>>()
        .join("\n");
    assert_eq!(PostalPublicKey::parse(&bare).unwrap(), from_pem);
    let dkim = format!("v=DKIM1; t=s; h=sha256; p={};", bare.replace('\n', ""));
    assert_eq!(PostalPublicKey::parse(&dkim).unwrap(), from_pem);
    let signer = PostalSigner::from_pem(&read("postal-TEST-ONLY-private-key.pem")).unwrap();
    assert_eq!(signer.public_key(), &from_pem);
}

#[test]
fn postal_signer_reproduces_openssl_signatures() {
    // PKCS#1 v1.5 is deterministic, so our signatures must equal OpenSSL's byte for byte.
    let signer = PostalSigner::from_pem(&read("postal-TEST-ONLY-private-key.pem")).unwrap();
    for (name, body, sha1, sha256) in postal_cases() {
        assert_eq!(signer.sign_sha1(&body).unwrap(), sha1, "{name}");
        assert_eq!(signer.sign_sha256(&body).unwrap(), sha256, "{name}");
        let headers = signer.sign(&body).unwrap();
        assert_eq!(
            headers.header(postal::KID_HEADER),
            Some(signer.public_key().kid())
        );
        assert_eq!(verifier().verify(&headers, &body), Ok(()));
    }
}

#[test]
fn getmailer_matches_openssl_hmac() {
    // printf '%s' BODY | openssl dgst -sha256 -hmac 'gm_whsec_test secret ✓'
    let body = br#"{"id":"evt_abc123","type":"email.sent","timestamp":"2024-01-15T12:00:00Z","data":{"emailId":"clx1abc123def456"}}"#;
    let expected = "sha256=4bf7f2eac0ef8027bd0d04a07273fa380fa700159c597a3ef2c10dc2c76c3165";
    let g = GetMailer::new("gm_whsec_test secret ✓").unwrap();
    assert_eq!(g.signature(body), expected);
    assert_eq!(g.verify(&h(&[(getmailer::HEADER, expected)]), body), Ok(()));
    assert_eq!(
        g.verify(&h(&[("x-getmailer-signature", expected)]), body),
        Ok(())
    );
    let other = GetMailer::new("another secret").unwrap();
    assert_eq!(
        other.verify(&h(&[(getmailer::HEADER, expected)]), body),
        Err(SignatureError::Mismatch {
            header: getmailer::HEADER
        })
    );
}

#[test]
fn standard_webhooks_vectors_all_hold() {
    let doc = json("standard-webhooks-vectors.json");
    let tolerance = doc["tolerance_seconds"].as_u64().unwrap();
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 20, "{} cases", cases.len());
    let mut valid = 0;
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let headers: Vec<(String, String)> = case["headers"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
            .collect();
        let body = case["body"].as_str().unwrap().as_bytes();
        let result = StandardWebhooks::new(case["secret"].as_str().unwrap()).and_then(|s| {
            s.with_tolerance(tolerance)
                .with_clock(Clock::Fixed(case["now"].as_i64().unwrap()))
                .verify(&headers, body)
        });
        if case["valid"].as_bool().unwrap() {
            valid += 1;
            assert_eq!(result, Ok(()), "{name}");
        } else {
            let kind = result.as_ref().map_err(SignatureError::kind).err();
            assert_eq!(kind, case["error"].as_str(), "{name}: {result:?}");
        }
    }
    assert_eq!(valid, 6);
}

#[test]
fn standard_webhooks_signer_reproduces_the_shared_vectors() {
    let s = StandardWebhooks::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
    assert_eq!(
        s.signature(
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            br#"{"test": 2432232314}"#
        ),
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    );
    let s = StandardWebhooks::new("whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD").unwrap();
    assert_eq!(
        s.signature(
            "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk",
            1649367553,
            br#"{"email":"test@example.com","username":"test_user"}"#
        ),
        "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw="
    );
}

#[test]
fn every_forgery_of_the_shared_vectors_fails_and_their_valid_signatures_pass() {
    use hookcheck::signature::{Signer, Verifier, forge};
    let doc = json("standard-webhooks-vectors.json");
    let tolerance = doc["tolerance_seconds"].as_u64().unwrap();
    let mut checked = 0;
    for case in doc["cases"].as_array().unwrap() {
        if !case["valid"].as_bool().unwrap() {
            continue;
        }
        let now = case["now"].as_i64().unwrap();
        let scheme = StandardWebhooks::new(case["secret"].as_str().unwrap())
            .unwrap()
            .with_tolerance(tolerance)
            .with_clock(Clock::Fixed(now));
        let body = case["body"].as_str().unwrap().as_bytes();
        let genuine = Signer::sign(&scheme, body).unwrap();
        assert_eq!(Verifier::verify(&scheme, &genuine, body), Ok(()));
        let forgeries = forge::forgeries(&[&scheme], body).unwrap();
        assert_eq!(forgeries.len(), 6, "every forgery, expired included");
        for forgery in &forgeries {
            assert!(
                Verifier::verify(&scheme, &forgery.headers, &forgery.body).is_err(),
                "{}: {} passed",
                case["name"],
                forgery.name
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 6 * 6);
}
