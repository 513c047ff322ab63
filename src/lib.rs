//! hookcheck: schema conformance and fuzz test harness for email webhook payloads.
//!
//! JSON Schemas for every documented webhook event of Postal, msndr.net and GetMailer drive
//! validation, property-based generation, certification of pluggable parsers and fuzzing.

pub mod adapters;
pub mod catalog;
pub mod parser;
pub mod parsers;
