//! The catalog as OpenAPI 3.1 `webhooks`, out ([`export`]) and in ([`import`]).
//!
//! Providers publish their webhook events as OpenAPI 3.1 `webhooks`, and Svix, Microcks and
//! API portals read them. [`export`] writes one webhook entry per catalog event, named
//! `vendor/event`, each a `post` operation with:
//!
//! - the request body (`application/json`) as a `$ref` to the event's schema under
//!   `components/schemas/<vendor>.<event>`, bundled ([`crate::catalog::bundle`]) so that it
//!   needs nothing outside the document, its references rewritten to point into it;
//! - the vendor's signature headers as header parameters;
//! - the vendor's documented examples (`schemas/<vendor>/examples/`), in their repaired form, as
//!   `examples`, the repair in each one's description;
//! - an `x-hookcheck` extension: `{vendor, event, eventPointer, signature}`, with the document's
//!   top-level `x-hookcheck.vendors` giving each vendor's event-name pointer and signature
//!   scheme with its headers.
//!
//! [`import`] reads such a document back, or any OpenAPI 3.1 document with `webhooks`, into
//! plain data ([`ImportedVendor`]): each vendor with its events (name and self-contained
//! schema), its event-name pointer, its signature scheme when said, and its examples. The
//! event-name pointer comes from `x-hookcheck` when the document says it; otherwise it is
//! inferred as the property that holds a distinct `const` (or single-value `enum`) in every
//! webhook's body schema, and [`ImportOptions::event_pointer`] overrides both.
//!
//! # Example
//!
//! ```
//! use hookcheck::catalog::{Catalog, Vendor};
//! use hookcheck::openapi::{self, ImportOptions};
//!
//! let doc = openapi::export(Catalog::builtin(), Some(Vendor::GETMAILER))?;
//! let vendors = openapi::import(&doc, &ImportOptions::default())?;
//! assert_eq!(vendors[0].name, "getmailer");
//! assert_eq!(vendors[0].event_pointer.as_str(), "/type");
//! assert!(vendors[0].events.iter().any(|e| e.name == "email.sent"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod examples;
mod export;
mod import;

use serde_json::Value;

pub use export::{ExportError, component_name, export};
pub use import::{
    ImportError, ImportOptions, ImportedEvent, ImportedSignature, ImportedVendor,
    MAX_DOCUMENT_BYTES, PointerOrigin, import, parse, read,
};

use crate::catalog::Vendor;
use crate::signature::{getmailer, postal, standard};

/// The name of hookcheck's OpenAPI extension.
pub const EXTENSION: &str = "x-hookcheck";

/// One signature header as the export describes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignatureHeader {
    /// The header name as the vendor sends it.
    pub name: &'static str,
    /// Whether every signed request carries it.
    pub required: bool,
    /// What it holds.
    pub description: &'static str,
}

/// A vendor's signature scheme and its headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureProfile {
    /// The scheme's name in the signature registry (`postal`, `getmailer`, `standard_webhooks`).
    pub scheme: &'static str,
    /// The headers it is carried in.
    pub headers: Vec<SignatureHeader>,
}

/// How `vendor` signs its webhooks, if it does (msndr.net does not): the first scheme its
/// profile names, with that scheme's headers.
#[must_use]
pub fn signature_of(vendor: Vendor) -> Option<SignatureProfile> {
    let spec = vendor.profile().signatures.first()?;
    Some(SignatureProfile {
        scheme: spec.scheme.as_str(),
        headers: spec
            .headers
            .iter()
            .map(|name| {
                let (required, description) = header_doc(name);
                SignatureHeader {
                    name: name.as_str(),
                    required,
                    description,
                }
            })
            .collect(),
    })
}

/// Whether a signature header is always sent, and what it holds, for the headers of the known
/// schemes; any other header is described by its scheme alone.
fn header_doc(name: &str) -> (bool, &'static str) {
    let known = [
        (
            postal::SHA1_HEADER,
            false,
            "Base64 RSA PKCS#1 v1.5 SHA-1 signature of the raw body.",
        ),
        (
            postal::SHA256_HEADER,
            false,
            "Base64 RSA PKCS#1 v1.5 SHA-256 signature of the raw body.",
        ),
        (
            postal::KID_HEADER,
            false,
            "The identifier of the signing key.",
        ),
        (
            getmailer::HEADER,
            true,
            "`sha256=` and the hex HMAC-SHA256 of the raw body under the webhook secret.",
        ),
        (
            standard::ID_HEADER,
            true,
            "The message id, signed with the timestamp and the body.",
        ),
        (
            standard::TIMESTAMP_HEADER,
            true,
            "Unix seconds when the message was signed.",
        ),
        (
            standard::SIGNATURE_HEADER,
            true,
            "Space-separated `v1,` and the base64 HMAC-SHA256 of `id.timestamp.body`.",
        ),
    ];
    known
        .iter()
        .find(|(header, ..)| header.eq_ignore_ascii_case(name))
        .map_or((true, "Carries the webhook's signature."), |(_, r, d)| {
            (*r, *d)
        })
}

/// `name` as one JSON pointer token.
fn escape(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

/// Rewrites every `$ref` string under `value` that `f` maps (schema positions only: the values
/// of `const`, `enum`, `examples` and `default` are data and are left alone).
fn rewrite_refs(value: &mut Value, f: &mut dyn FnMut(&str) -> Option<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                if key == "$ref" {
                    if let Value::String(reference) = child
                        && let Some(new) = f(reference)
                    {
                        *reference = new;
                    }
                } else if !matches!(key.as_str(), "const" | "enum" | "examples" | "default") {
                    rewrite_refs(child, f);
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                rewrite_refs(item, f);
            }
        }
        _ => {}
    }
}
