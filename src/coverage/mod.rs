//! Schema coverage of the payloads a run received or read.
//!
//! Checking each payload says whether it conforms; coverage says what the payloads, taken
//! together, exercised of the catalog: which events arrived and how often, and for each
//! event which of its documented alternatives were seen: every `enum` value, nullable
//! fields as null and as not null, optional properties present and absent, `oneOf`/`anyOf`
//! branches and `if` outcomes (see [`plan`] for the list and how each is found).
//!
//! A [`Tally`] takes payloads one at a time and keeps one bit per item, so its memory does
//! not grow with the number of payloads. [`Tally::summary`] turns it into a [`Coverage`]
//! for the vendors in scope, with the verdicts of the [`Gates`] a run is held to
//! (`--require-events`, `--min-coverage`). `hookcheck listen` and `hookcheck validate
//! --coverage` report it.
//!
//! (The `hookcheck coverage` command is another subject: it measures the generator against
//! the JSON-Schema-Test-Suite, see [`crate::generate::coverage`].)

pub mod plan;
pub mod summary;
pub mod tally;

pub use summary::{Coverage, EventCoverage, Gates, Required, RequiredError, VendorCoverage};
pub use tally::Tally;
