//! hookcheck: schema conformance and fuzz test harness for email webhook payloads.
//!
//! JSON Schemas for every documented webhook event of Postal, msndr.net, GetMailer and Resend
//! (and of any vendor a user catalog describes) drive validation, property-based generation,
//! certification of pluggable parsers and fuzzing.
//!
//! # Features
//!
//! All on by default; with `default-features = false` the crate is the parser trait, the
//! catalog, validation, generation, certification (in process and of exec adapters), reports,
//! signatures and the fuzz helpers, without axum, tokio, clap, ureq or a TLS stack:
//!
//! | feature | adds | needs |
//! | --- | --- | --- |
//! | `http` | `adapters::http`, certifying `--url` receivers, and `tls` (HTTPS through rustls) | ureq, rustls |
//! | `listen` | `listen` (the HTTP receiver, replay) and `api` (api-check, the msndr mock) | `http`, axum, tokio |
//! | `cli` | the `hookcheck` binary (built on this public API alone) | `listen`, clap |
//!
//! # Tour
//!
//! ```
//! use hookcheck::catalog::Catalog;
//! use serde_json::json;
//!
//! // Every documented event is in the catalog, compiled once on first use.
//! let catalog = Catalog::builtin();
//! let body = json!({
//!     "id": "evt_abc123", "type": "email.opened", "timestamp": "2024-01-15T12:00:00Z",
//!     "data": {"emailId": "clx1abc123def456", "from": "sender@yourdomain.com",
//!              "to": "recipient@example.com", "subject": "Hello!",
//!              "openedAt": "2024-01-15T12:00:00Z", "userAgent": "Mozilla/5.0", "ipAddress": "203.0.113.1"}
//! });
//! // Vendor and event are detected from the envelope.
//! let entry = catalog.detect(&body, None)?;
//! assert_eq!(entry.key(), "getmailer/email.opened");
//! // Violations carry JSON pointers and the failing keyword.
//! let mut bad = body.clone();
//! bad["data"]["to"] = json!("[email protected]");
//! let violations = entry.validator()?.violations(&bad);
//! assert_eq!(violations[0].instance_path.as_str(), "/data/to");
//! assert_eq!(violations[0].keyword, "format");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod adapters;
#[cfg(feature = "listen")]
pub mod api;
pub mod catalog;
pub mod certify;
pub mod coverage;
pub mod fuzz;
pub mod generate;
#[cfg(feature = "listen")]
pub mod listen;
pub mod openapi;
pub mod parser;
pub mod parsers;
mod pointer;
pub mod report;
pub mod signature;
#[cfg(feature = "http")]
pub mod tls;
pub mod validate;

pub use certify::certify;
pub use pointer::{JsonPointer, PointerParseError};

/// The README's Rust examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
