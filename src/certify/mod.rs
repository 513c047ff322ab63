//! Certification: run named properties against a webhook parser and get a verdict anyone can
//! reproduce from its seed.
//!
//! The run is a matrix of cells, one per vendor x event x [`Property`]. Each cell draws its
//! cases with proptest from a seed derived from the run's master seed and the cell's name
//! ([`Seed::derive`]), so a cell replays the same cases whatever else runs, in whichever shard.
//! The first failure of a cell is shrunk to a minimal body, saved as a regression file (when a
//! directory is configured) and replayed first by later runs.
//!
//! Cases come from the schema-driven generator ([`crate::generate`]): each event's schema is
//! compiled into a [`Generator`](crate::generate::Generator) once per run. Valid payloads are
//! drawn through its proptest strategy, so a failing payload shrinks toward the simplest one
//! that is still valid (optional members dropped, choices made simplest); the `rejects-invalid`
//! negatives are its labelled keyword violations. A generator never lies, and the runner checks
//! it anyway: a "valid" payload the validator rejects, or a negative that does not break the
//! keyword it names, ends the cell with an error instead of blaming the parser.
//!
//! | property | holds when the parser |
//! | --- | --- |
//! | `accepts-valid` | accepts every generated payload that is valid against the event's schema |
//! | `rejects-invalid` | rejects every payload whose defect the reject policy says must be rejected (may-accept defects are counted, never failed) |
//! | `reports-event` | reports the wire event name of every payload it accepts |
//! | `reports-fields` | reports the key fields (event id, message id, timestamp, recipient) the payload carries |
//! | `no-panic` | never panics or crashes on any bytes: truncated, bit-flipped, spliced or random |
//! | `time-bound` | answers every body within the time bound |
//! | `deterministic` | gives the same answer when asked twice about the same body |
//!
//! A cell that does not apply (a field the event lacks, a verdict-only parser asked for event
//! names, a cell outside the time budget) is *skipped*, with its reason, never passed.

mod api;
mod bytes;
mod call;
mod config;
mod drive;
mod error;
mod fields;
mod mutate;
mod outcome;
mod pool;
mod properties;
#[cfg(feature = "http")]
mod receiver;
mod regressions;
mod runner;
mod seed;
mod shard;
mod shrink;
mod source;
mod to_report;
mod watch;

pub use api::{certify, run, run_adapter, run_adapter_with_progress, run_with_progress};
pub use config::{
    Config, DEFAULT_CASES, DEFAULT_REGRESSIONS_DIR, DEFAULT_SHRINK_STEPS, DEFAULT_SHRINK_TIME,
    DEFAULT_TIME_BOUND,
};
pub use error::CertifyError;
pub use outcome::{Body, CellResult, Certification, Counterexample, Mismatch, Outcome, Tally};
pub use properties::{Property, UnknownProperty};
pub use regressions::Regression;
pub use runner::Progress;
pub use seed::Seed;
pub use shard::{Shard, ShardError};
pub use to_report::merge;

#[cfg(test)]
mod tests;
