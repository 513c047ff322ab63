//! Fuzz targets as library functions, and the seed corpora and dictionaries that feed them.
//!
//! Every target of the `fuzz/` cargo-fuzz crate is a three-line shim over one function here,
//! so a webhook consumer fuzzes its own parser exactly as hookcheck fuzzes the reference ones:
//!
//! ```ignore
//! // fuzz/fuzz_targets/raw_my_parser.rs
//! #![no_main]
//! libfuzzer_sys::fuzz_target!(|data: &[u8]| {
//!     hookcheck::fuzz::raw::<my_crate::MyParser>(hookcheck::catalog::Vendor::POSTAL, data);
//! });
//! ```
//!
//! | target | function | what it checks |
//! | --- | --- | --- |
//! | `raw_postal`, `raw_msndr`, `raw_getmailer`, `raw_resend` | [`raw`] | any bytes as one vendor's body: the parser's verdict meets the [oracle] |
//! | `structured` | [`structured`] | a schema-valid payload built from the bytes is accepted as its event |
//! | `differential` | [`differential`] | a valid payload with one mutation: the parser's verdict agrees with the validator's under the reject policy |
//! | `validate` | [`validate`] | decoding, detection and every catalog validator take any bytes; `is_valid` agrees with `violations` |
//!
//! # The contract
//!
//! A target function returns normally, with an [`Handling`] saying what it examined, whenever
//! every property holds. It panics only through an assertion whose message describes the
//! disagreement (which property, the payload as one line of JSON, what each side said), since
//! a panic is how libFuzzer learns of a failure. A panic raised inside the code under test
//! (a validator, a parser) propagates unchanged: that is a finding too.
//!
//! Work per input is bounded: inputs longer than [`MAX_INPUT_BYTES`] are skipped before
//! anything else is done, and everything after that is linear in the input or bounded by the
//! catalog's size.
//!
//! # Corpora and dictionaries
//!
//! [`Target`] names every target; [`seeds`] builds its seed corpus from the documented
//! examples and hand-written invalid cases under `schemas/` and from generated payloads, and
//! [`oracle`] is the judge the parser targets share; [`dict`] builds the
//! libFuzzer dictionary of a vendor from its schemas. Both are deterministic; the
//! `fuzz_corpus` example writes them to `fuzz/seeds/` and `fuzz/dict/` (see `fuzz/README.md`).

pub mod dict;
mod differential;
mod generated;
pub mod oracle;
mod raw;
pub mod seeds;
pub mod sources;
mod structured;
mod target;
mod validation;

pub use differential::{differential, differential_with};
pub use oracle::Agreement;
pub use raw::{raw, raw_with};
pub use structured::{structured, structured_with};
pub use target::{Target, UnknownTarget};
pub use validation::validate;

/// The largest input a target examines: 64 KiB, four times the largest documented webhook
/// body. Longer inputs return [`Handling::Skipped`] with [`Skip::TooLarge`] before any work.
pub const MAX_INPUT_BYTES: usize = 64 * 1024;

/// What a target function did with one input (it panics instead when a property fails).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Handling {
    /// The input was not examined, for the reason given.
    Skipped(Skip),
    /// The document went through detection and every catalog validator.
    Validated,
    /// The parser's answer agreed with the oracle.
    Parsed(Agreement),
}

/// Why a target did not examine an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Skip {
    /// Longer than [`MAX_INPUT_BYTES`].
    TooLarge,
    /// Not a JSON document (for targets that only look at documents).
    NotJson,
    /// The parser does not support the vendor the input is for.
    Unsupported,
    /// No payload could be built from the bytes (empty input, or the generator found no valid
    /// value along the decisions they encode).
    NoPayload,
    /// The generator declines the selected event's schema.
    Ungenerable,
}
