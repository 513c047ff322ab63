//! What a certification run covers and how hard it tries.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::{Property, Seed, Shard};
use crate::catalog::Vendor;

/// Cases per cell by default.
///
/// With it, `hookcheck certify` (release build) runs about 450,000 cases over the 245 cells of
/// the three reference parsers in about 17 s of CPU time, and under 40 s of wall time on a
/// two-core machine busy with other jobs. Debug builds are about ten times slower: a parser
/// crate's `cargo test` calling [`certify`](crate::certify()) should set [`Config::cases`]
/// lower.
pub const DEFAULT_CASES: u32 = 2048;

/// The time bound by default: far above what any parser needs for one webhook body, so that
/// only a real hang (or a pathological slowdown) fails `time-bound`, even on a loaded CI machine.
pub const DEFAULT_TIME_BOUND: Duration = Duration::from_secs(2);

/// Shrink candidates tried per failing cell by default.
pub const DEFAULT_SHRINK_STEPS: u32 = 512;

/// Wall time spent shrinking per failing cell by default.
pub const DEFAULT_SHRINK_TIME: Duration = Duration::from_secs(5);

/// The regression directory the CLI uses unless told otherwise.
pub const DEFAULT_REGRESSIONS_DIR: &str = "hookcheck-regressions";

/// The settings of a certification run, built with `with_*`-style methods.
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use hookcheck::catalog::Vendor;
/// use hookcheck::certify::{Config, Seed};
///
/// let config = Config::default()
///     .vendor(Vendor::POSTAL)
///     .event("MessageSent")
///     .cases(32)
///     .seed(Seed(1234))
///     .time_bound(Duration::from_millis(500));
/// assert_eq!(config.case_count(), 32);
/// ```
#[derive(Debug, Clone)]
pub struct Config {
    pub(crate) vendors: Vec<Vendor>,
    pub(crate) events: Vec<String>,
    pub(crate) properties: Vec<Property>,
    pub(crate) cases: u32,
    pub(crate) seed: Option<Seed>,
    pub(crate) time_bound: Duration,
    pub(crate) time_budget: Option<Duration>,
    pub(crate) shard: Shard,
    pub(crate) regressions: Option<PathBuf>,
    pub(crate) shrink_steps: u32,
    pub(crate) shrink_time: Duration,
    pub(crate) jobs: usize,
    pub(crate) interrupt: Option<Arc<AtomicBool>>,
    pub(crate) coverage: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            vendors: Vec::new(),
            events: Vec::new(),
            properties: Vec::new(),
            cases: DEFAULT_CASES,
            seed: None,
            time_bound: DEFAULT_TIME_BOUND,
            time_budget: None,
            shard: Shard::ALL,
            regressions: None,
            shrink_steps: DEFAULT_SHRINK_STEPS,
            shrink_time: DEFAULT_SHRINK_TIME,
            jobs: 1,
            interrupt: None,
            coverage: false,
        }
    }
}

impl Config {
    /// Also tallies the schema coverage of the valid payloads the parser was sent (see
    /// [`crate::coverage`]), into [`super::Certification::coverage`].
    #[must_use]
    pub fn coverage(mut self, on: bool) -> Self {
        self.coverage = on;
        self
    }

    /// Certifies this vendor's events (may be given several times; default: every vendor).
    #[must_use]
    pub fn vendor(mut self, vendor: Vendor) -> Self {
        if !self.vendors.contains(&vendor) {
            self.vendors.push(vendor);
        }
        self
    }

    /// Certifies only this event: a wire name (`MessageSent`) or a `vendor/event` key (may be
    /// given several times; default: every event).
    #[must_use]
    pub fn event(mut self, event: impl Into<String>) -> Self {
        self.events.push(event.into());
        self
    }

    /// Checks only this property (may be given several times; default: all of them).
    #[must_use]
    pub fn property(mut self, property: Property) -> Self {
        if !self.properties.contains(&property) {
            self.properties.push(property);
        }
        self
    }

    /// Generated cases per cell (default [`DEFAULT_CASES`]; at least 1).
    #[must_use]
    pub fn cases(mut self, cases: u32) -> Self {
        self.cases = cases.max(1);
        self
    }

    /// The master seed (default: a fresh one, reported in the result so the run can be replayed).
    #[must_use]
    pub fn seed(mut self, seed: Seed) -> Self {
        self.seed = Some(seed);
        self
    }

    /// The longest a parser may take to answer one body (default [`DEFAULT_TIME_BOUND`]).
    #[must_use]
    pub fn time_bound(mut self, bound: Duration) -> Self {
        self.time_bound = bound;
        self
    }

    /// Stop starting new cells after this long; the cells not started are reported as skipped.
    #[must_use]
    pub fn time_budget(mut self, budget: Duration) -> Self {
        self.time_budget = Some(budget);
        self
    }

    /// Runs only this shard of the matrix.
    #[must_use]
    pub fn shard(mut self, shard: Shard) -> Self {
        self.shard = shard;
        self
    }

    /// Replays the counterexamples saved in `dir` first, and saves each new one there (default:
    /// none for the library, [`DEFAULT_REGRESSIONS_DIR`] for the CLI).
    #[must_use]
    pub fn regressions(mut self, dir: impl Into<PathBuf>) -> Self {
        self.regressions = Some(dir.into());
        self
    }

    /// Bounds shrinking per failing cell: at most `steps` candidates and `time` wall time.
    #[must_use]
    pub fn shrink_limits(mut self, steps: u32, time: Duration) -> Self {
        self.shrink_steps = steps;
        self.shrink_time = time;
        self
    }

    /// Runs this many cells at once (default 1; at least 1). Each job has its own worker
    /// thread, adapter process or connection. The result does not depend on it, apart from
    /// timings.
    #[must_use]
    pub fn jobs(mut self, jobs: usize) -> Self {
        self.jobs = jobs.max(1);
        self
    }

    /// Stops the run soon after `flag` is set (by a signal handler, say): the cells not
    /// finished are reported as skipped, "interrupted".
    #[must_use]
    pub fn interrupt_on(mut self, flag: Arc<AtomicBool>) -> Self {
        self.interrupt = Some(flag);
        self
    }

    /// Whether the run has been interrupted.
    #[must_use]
    pub(crate) fn interrupted(&self) -> bool {
        self.interrupt
            .as_ref()
            .is_some_and(|f| f.load(Ordering::Relaxed))
    }

    /// The number of generated cases per cell.
    #[must_use]
    pub fn case_count(&self) -> u32 {
        self.cases
    }

    /// The master seed, if one was set.
    #[must_use]
    pub fn seed_value(&self) -> Option<Seed> {
        self.seed
    }
}
