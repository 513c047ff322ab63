//! Which signatures a request must carry, and checking them.
//!
//! The rule:
//!
//! - with a Standard Webhooks secret, every request must carry a valid `webhook-signature`
//!   (the scheme is vendor-neutral);
//! - with a Postal key or a GetMailer secret, a request whose body has the envelope shape of a
//!   vendor whose profile names that scheme must carry a valid signature of it, whatever else the body looks like: a
//!   body shaped like two vendors (ambiguous, and rejected as such anyway) needs the
//!   signature of each configured one. A body of no known shape counts as the `--vendor`
//!   vendor, if one is given. msndr.net signs nothing, so its requests need none;
//! - a request whose vendor cannot be told (not JSON, no known envelope) must carry a valid
//!   signature of at least one configured vendor scheme: each scheme whose headers are
//!   present is checked, and with none present the request fails as unsigned.

use crate::catalog::Vendor;
use crate::signature::{
    HeaderSource, Scheme, Verifier, getmailer::GetMailer, postal::PostalVerifier,
    standard::StandardWebhooks,
};

use super::record::SignatureCheck;

/// The verifiers a listener applies; all optional.
#[derive(Debug, Clone, Default)]
pub struct Verifiers {
    /// Postal's installation key.
    pub postal: Option<PostalVerifier>,
    /// GetMailer's signing secret.
    pub getmailer: Option<GetMailer>,
    /// A Standard Webhooks secret.
    pub standard: Option<StandardWebhooks>,
}

fn run(v: &dyn Verifier, headers: &dyn HeaderSource, body: &[u8]) -> SignatureCheck {
    match v.verify(headers, body) {
        Ok(()) => SignatureCheck {
            scheme: v.scheme(),
            ok: true,
            error: None,
            message: None,
        },
        Err(e) => SignatureCheck {
            scheme: v.scheme(),
            ok: false,
            error: Some(e.kind()),
            message: Some(e.to_string()),
        },
    }
}

impl Verifiers {
    /// Whether any verifier is configured.
    #[must_use]
    pub fn any(&self) -> bool {
        self.postal.is_some() || self.getmailer.is_some() || self.standard.is_some()
    }

    /// The configured verifier of a scheme, looked up by scheme.
    fn of_scheme(&self, scheme: Scheme) -> Option<&dyn Verifier> {
        match scheme {
            Scheme::Postal => self.postal.as_ref().map(|v| v as &dyn Verifier),
            Scheme::GetMailer => self.getmailer.as_ref().map(|v| v as &dyn Verifier),
            Scheme::StandardWebhooks => self.standard.as_ref().map(|v| v as &dyn Verifier),
        }
    }

    /// The configured verifiers of the schemes a vendor's profile names (vendor-neutral ones
    /// are applied to every request anyway).
    fn vendor_verifiers(&self, vendor: Vendor) -> impl Iterator<Item = &dyn Verifier> {
        vendor
            .profile()
            .schemes()
            .filter_map(Scheme::from_name)
            .filter(|s| !s.is_vendor_neutral())
            .filter_map(|s| self.of_scheme(s))
    }

    /// Checks the signatures the rule above requires of a body with the envelope shapes of
    /// `vendors` (empty: the vendor cannot be told); the request passes when every returned
    /// check is `ok`.
    #[must_use]
    pub fn check(
        &self,
        headers: &dyn HeaderSource,
        body: &[u8],
        vendors: &[Vendor],
    ) -> Vec<SignatureCheck> {
        let mut checks = Vec::new();
        if let Some(s) = &self.standard {
            checks.push(run(s, headers, body));
        }
        match vendors {
            [_, ..] => {
                for v in vendors {
                    for verifier in self.vendor_verifiers(*v) {
                        checks.push(run(verifier, headers, body));
                    }
                }
            }
            [] => {
                let configured: Vec<&dyn Verifier> = Scheme::ALL
                    .into_iter()
                    .filter(|s| !s.is_vendor_neutral())
                    .filter_map(|s| self.of_scheme(s))
                    .collect();
                let present: Vec<&dyn Verifier> = configured
                    .iter()
                    .copied()
                    .filter(|v| v.present(headers))
                    .collect();
                let attempts: Vec<SignatureCheck> = match present.is_empty() {
                    true => configured.iter().map(|v| run(*v, headers, body)).collect(),
                    false => present.iter().map(|v| run(*v, headers, body)).collect(),
                };
                // One verified vendor signature is enough when the vendor is unknown.
                match attempts.iter().find(|c| c.ok) {
                    Some(ok) => checks.push(ok.clone()),
                    None => checks.extend(attempts),
                }
            }
        }
        checks
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signature::Signer as _;

    #[test]
    fn vendor_decides_which_signature_is_required() {
        let gm = GetMailer::new("k").unwrap();
        let v = Verifiers {
            getmailer: Some(gm.clone()),
            ..Verifiers::default()
        };
        let body = b"{}";
        let signed = gm.sign(body).unwrap();
        let none: Vec<(String, String)> = Vec::new();
        assert!(v.check(&signed, body, &[Vendor::GETMAILER])[0].ok);
        assert!(!v.check(&none, body, &[Vendor::GETMAILER])[0].ok);
        // msndr signs nothing: nothing is required.
        assert!(v.check(&none, body, &[Vendor::MSNDR]).is_empty());
        // Shaped like msndr and GetMailer: GetMailer's signature is still required.
        let both = [Vendor::MSNDR, Vendor::GETMAILER];
        assert_eq!(v.check(&none, body, &both)[0].error, Some("missing"));
        assert!(v.check(&signed, body, &both).iter().all(|c| c.ok));
        // Unknown vendor: the configured scheme's signature must be there.
        assert!(v.check(&signed, body, &[]).iter().all(|c| c.ok));
        let unsigned = v.check(&none, body, &[]);
        assert_eq!(unsigned[0].error, Some("missing"));
    }
}
