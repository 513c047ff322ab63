//! The result of a certification run: one [`CellResult`] per vendor x event x property.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use base64::Engine as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{Property, Seed, Shard};
use crate::adapters::AdapterInfo;
use crate::catalog::Vendor;
use crate::parser::Fidelity;

/// How a cell ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The property held on every case.
    Passed,
    /// A case broke the property; see the counterexample.
    Failed,
    /// Not run: not applicable to this parser or event, outside the time budget, and so on (see
    /// the reason). Never counts as passed.
    Skipped,
    /// The harness could not decide (e.g. the generator produced a payload it claimed was valid
    /// and was not); see the reason.
    Error,
}

impl Outcome {
    /// `passed`, `failed`, `skipped` or `error`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Passed => "passed",
            Outcome::Failed => "failed",
            Outcome::Skipped => "skipped",
            Outcome::Error => "error",
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Raw body bytes, serialised as base64 plus a lossy UTF-8 text for reading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Body(pub Vec<u8>);

impl Body {
    /// The bytes as text, with invalid UTF-8 replaced.
    #[must_use]
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0).into_owned()
    }

    /// The bytes in standard base64.
    #[must_use]
    pub fn base64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(&self.0)
    }
}

#[derive(Serialize, Deserialize)]
struct BodyRepr {
    base64: String,
    #[serde(default)]
    text: String,
}

impl Serialize for Body {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        BodyRepr {
            base64: self.base64(),
            text: self.text(),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Body {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let repr = BodyRepr::deserialize(d)?;
        base64::engine::general_purpose::STANDARD
            .decode(repr.base64.as_bytes())
            .map(Body)
            .map_err(serde::de::Error::custom)
    }
}

/// The minimal case that broke a property.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Counterexample {
    /// The body sent to the parser.
    pub body: Body,
    /// What went wrong.
    pub message: String,
    /// How the body was made: `none` (a generated payload), `truncate`, `flip-bits`,
    /// `splice`, `insert`, `random`, or `replayed` (a saved regression).
    pub mutation: String,
    /// Shrink candidates tried to get here.
    pub shrink_steps: u32,
    /// Why shrinking stopped before it was done, when a budget stopped it (the counterexample
    /// is then the smallest found so far, not a minimal one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shrink_stopped: Option<String>,
    /// The regression file it is saved in, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regression: Option<PathBuf>,
    /// For `rejects-invalid`: the violations of the body that the reject policy says must be
    /// rejected, which the parser accepted all the same.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub violations: Vec<crate::validate::Violation>,
    /// What the property required of the parser and what it did instead, one entry per value
    /// compared (one for the whole body when no single value is concerned).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mismatches: Vec<Mismatch>,
}

/// One thing a failing case required of the parser, and what the parser did instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mismatch {
    /// The JSON pointer, in the payload, of the value concerned; absent when the whole body is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
    /// What the property required: `accepted`, `rejected`, `event "MessageSent"`,
    /// `message_id "abc"`, `an answer within 2s`.
    pub expected: String,
    /// What the parser did: `rejected it: …`, `accepted it`, `reported "MessageHeld"`.
    pub actual: String,
}

impl Mismatch {
    /// A mismatch about the whole body.
    pub fn new(expected: impl Into<String>, actual: impl Into<String>) -> Self {
        Self {
            pointer: None,
            expected: expected.into(),
            actual: actual.into(),
        }
    }

    /// This mismatch about the value at `pointer`.
    #[must_use]
    pub fn at(mut self, pointer: impl Into<String>) -> Self {
        self.pointer = Some(pointer.into());
        self
    }
}

/// One vendor x event x property cell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CellResult {
    /// The cell's number in the whole matrix (from 0), the same in every shard.
    pub position: usize,
    /// The vendor.
    pub vendor: Vendor,
    /// The wire event name.
    pub event: String,
    /// The property.
    pub property: Property,
    /// The cell's seed (derived from the run's master seed).
    pub seed: Seed,
    /// How it ended.
    pub outcome: Outcome,
    /// Why it was skipped or ended in error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Cases that held.
    pub cases: u32,
    /// Cases that said nothing about the property (not counted as held).
    pub not_applicable: u32,
    /// Saved regressions replayed before generating.
    pub replayed: u32,
    /// Property-specific counts (e.g. `may_accept_accepted` for `rejects-invalid`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub counts: BTreeMap<String, u64>,
    /// Property-specific notes (e.g. which key fields were compared).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Wall time.
    #[serde(with = "duration_ms")]
    pub duration: Duration,
    /// The minimal failing case, for a failed cell.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counterexample: Option<Counterexample>,
}

impl CellResult {
    /// `vendor/event/property`, the cell's name (and the input of its seed).
    #[must_use]
    pub fn name(&self) -> String {
        cell_name(self.vendor, &self.event, self.property)
    }
}

/// `vendor/event/property`.
#[must_use]
pub(crate) fn cell_name(vendor: Vendor, event: &str, property: Property) -> String {
    format!("{vendor}/{event}/{property}")
}

/// A whole certification run (or the merge of its shards).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Certification {
    /// What was certified (e.g. `reference parsers`, `exec: python3 adapter.py`).
    pub parser: String,
    /// The hookcheck version that ran it.
    pub hookcheck_version: String,
    /// The version of the catalog it ran against ([`Catalog::version`]).
    ///
    /// [`Catalog::version`]: crate::catalog::Catalog::version
    #[serde(default)]
    pub catalog_version: String,
    /// What the parser said about itself (the exec handshake), if anything.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adapter: Option<AdapterInfo>,
    /// What the parser reports about an accepted payload.
    #[serde(default = "fields")]
    pub fidelity: Fidelity,
    /// Properties that do not apply to this parser at all, each with the reason.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub not_applicable: BTreeMap<Property, String>,
    /// The master seed.
    pub seed: Seed,
    /// The shard this result covers (`1/1` for a whole or merged run).
    pub shard: Shard,
    /// Generated cases per cell.
    pub cases_per_cell: u32,
    /// The time bound of `time-bound`.
    #[serde(with = "duration_ms")]
    pub time_bound: Duration,
    /// Wall time of the run (the sum of the shards' for a merged run).
    #[serde(with = "duration_ms")]
    pub duration: Duration,
    /// Every cell, in matrix order.
    pub cells: Vec<CellResult>,
    /// When the run started.
    #[serde(skip)]
    pub started: Option<std::time::SystemTime>,
    /// The schema coverage of the valid payloads the parser was sent, when the run tallied it
    /// ([`super::Config::coverage`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coverage: Option<crate::coverage::Coverage>,
}

/// Cell counts by outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// Cells that passed.
    pub passed: usize,
    /// Cells that failed.
    pub failed: usize,
    /// Cells skipped.
    pub skipped: usize,
    /// Cells that ended in a harness error.
    pub errors: usize,
    /// Cases run (held) over all cells.
    pub cases: u64,
}

impl Certification {
    /// Cell counts by outcome.
    #[must_use]
    pub fn tally(&self) -> Tally {
        let mut t = Tally::default();
        for c in &self.cells {
            match c.outcome {
                Outcome::Passed => t.passed += 1,
                Outcome::Failed => t.failed += 1,
                Outcome::Skipped => t.skipped += 1,
                Outcome::Error => t.errors += 1,
            }
            t.cases += u64::from(c.cases);
        }
        t
    }

    /// Whether every property held: no cell failed or ended in error.
    #[must_use]
    pub fn is_success(&self) -> bool {
        let t = self.tally();
        t.failed == 0 && t.errors == 0
    }

    /// The failed and errored cells.
    pub fn problems(&self) -> impl Iterator<Item = &CellResult> {
        self.cells
            .iter()
            .filter(|c| matches!(c.outcome, Outcome::Failed | Outcome::Error))
    }
}

impl fmt::Display for Certification {
    /// A readable summary: the verdict, the seed, then every failed or errored cell with its
    /// minimal counterexample.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.tally();
        writeln!(
            f,
            "certification of {}: {} ({} cells: {} passed, {} failed, {} skipped, {} errors; {} cases)",
            self.parser,
            if self.is_success() {
                "PASSED"
            } else {
                "FAILED"
            },
            self.cells.len(),
            t.passed,
            t.failed,
            t.skipped,
            t.errors,
            t.cases
        )?;
        writeln!(
            f,
            "seed: {0}; replay with `Config::default().seed(Seed({0}))` (or `hookcheck certify --seed {0}`)",
            self.seed
        )?;
        for cell in self.problems() {
            writeln!(f)?;
            writeln!(
                f,
                "{} {} (cell seed {})",
                cell.outcome.as_str().to_uppercase(),
                cell.name(),
                cell.seed
            )?;
            writeln!(f, "  property: {}", cell.property.meaning())?;
            if let Some(reason) = &cell.reason {
                writeln!(f, "  reason: {reason}")?;
            }
            if let Some(cx) = &cell.counterexample {
                writeln!(f, "  failure: {}", cx.message)?;
                writeln!(
                    f,
                    "  minimal payload ({} bytes, {}, {} shrink steps): {}",
                    cx.body.0.len(),
                    cx.mutation,
                    cx.shrink_steps,
                    cx.body.text()
                )?;
                if let Some(stopped) = &cx.shrink_stopped {
                    writeln!(f, "  shrinking {stopped}")?;
                }
                writeln!(f, "  base64: {}", cx.body.base64())?;
                if let Some(path) = &cx.regression {
                    writeln!(f, "  saved: {}", path.display())?;
                }
            }
        }
        Ok(())
    }
}

fn fields() -> Fidelity {
    Fidelity::Fields
}

/// Durations as whole milliseconds.
pub(crate) mod duration_ms {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        u64::deserialize(d).map(Duration::from_millis)
    }
}
