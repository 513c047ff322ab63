//! Runs one property's check over generated cases with proptest's `TestRunner`, and shrinks the
//! first failure to a minimal case.
//!
//! The runner is configured entirely here, never from `PROPTEST_*` environment variables or
//! persistence files: a cell's result depends only on its seed, its case count and the parser.
//! Shrinking is bounded by a step count and a wall-time budget enforced here, not by proptest's
//! own limits (which print to stderr when they bite): once the budget is spent, the value tree
//! refuses to simplify or complicate further, which ends shrinking at the smallest failure found
//! so far without trying (and paying for) any more candidates.
//!
//! A parser that keeps failing to answer must not cost the whole budget of cases. The runner
//! watches the faults (crashes, panics, hangs, protocol breaks) a cell's calls produce
//! ([`Faults`]) and stops the cell early once the verdict is decided ([`Stops`]): after a bounded
//! number of faults, or of timeouts (each of which costs the time bound), or when not one of the
//! first cases applied. A failure caused by a fault shrinks with few steps, since every step
//! pays for a crash or a hang again.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::{Duration, Instant};

use proptest::strategy::{NewTree, Strategy, ValueTree};
use proptest::test_runner::{Config as RunnerConfig, TestCaseError, TestRunner};

use super::{Mismatch, Seed};

/// Why one case fails its property: a line for people and, typed, what was required and what
/// the parser did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure {
    /// One line saying what failed.
    pub(crate) message: String,
    /// What the property required and what the parser did, value by value.
    pub(crate) mismatches: Vec<Mismatch>,
}

impl Failure {
    /// A failure with `message` and the one `mismatch` behind it.
    pub(crate) fn new(message: impl Into<String>, mismatch: Mismatch) -> Self {
        Self {
            message: message.into(),
            mismatches: vec![mismatch],
        }
    }

    /// A failure with `message` alone (the harness's own tests).
    #[cfg(test)]
    pub(crate) fn message(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            mismatches: Vec::new(),
        }
    }
}

/// What a check says about one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// The property holds for this case.
    Pass,
    /// The property fails for this case, for the reasons given.
    Fail(Failure),
    /// The case says nothing about the property (e.g. the parser rejected a valid payload while
    /// `reports-event` was being checked): not counted, not failed.
    NotApplicable,
    /// The harness itself is wrong (e.g. the generator produced a payload that is not valid);
    /// the cell ends with an error.
    Broken(String),
}

/// Bounds on one cell's shrinking.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ShrinkLimits {
    /// Most candidates tried.
    pub(crate) steps: u32,
    /// Most wall time spent.
    pub(crate) time: Duration,
}

/// What a cell's calls have cost so far in faults: counters that only grow.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Faults {
    /// Calls made.
    pub(crate) calls: u32,
    /// Calls that got no verdict (any fault).
    pub(crate) faults: u32,
    /// Of those, calls that timed out.
    pub(crate) timeouts: u32,
    /// Of those, faults that cost a restart or a wait (all but in-process panics, which are
    /// caught for free).
    pub(crate) costly: u32,
}

/// When a cell stops before its case count.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Stops {
    /// Faults after which the cell stops (its verdict is decided: the parser gives none).
    pub(crate) faults: u32,
    /// Timeouts after which the cell stops (each costs the whole time bound).
    pub(crate) timeouts: u32,
    /// Costly faults after which a cell whose calls have all faulted stops (a parser that has
    /// not answered once in the cell is not going to).
    pub(crate) unanswered: u32,
    /// Not-applicable cases, with none applicable yet, after which the cell stops.
    pub(crate) idle: u32,
    /// Costly faults (crashes, hangs, restarts) allowed while shrinking a failure.
    pub(crate) shrink_faults: u32,
    /// Timeouts allowed while shrinking a failure.
    pub(crate) shrink_timeouts: u32,
}

impl Stops {
    /// Whether these faults decide the cell: the parser is not going to give verdicts.
    pub(crate) fn decided(&self, f: Faults) -> bool {
        f.faults >= self.faults
            || f.timeouts >= self.timeouts
            || (f.calls == f.faults && f.costly >= self.unanswered)
    }
}

impl Default for Stops {
    fn default() -> Self {
        Self {
            faults: 16,
            timeouts: 3,
            unanswered: 8,
            idle: 128,
            shrink_faults: 8,
            shrink_timeouts: 2,
        }
    }
}

/// Why a cell stopped before its case count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Halt {
    /// Too many calls got no verdict.
    Faults(Faults),
    /// None of the first cases applied.
    Idle(u32),
    /// The run was interrupted.
    Interrupted,
}

/// Where shrinking stopped, when a budget stopped it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ShrinkStop {
    /// The step budget was spent.
    Steps(u32),
    /// The time budget was spent.
    Time(Duration),
    /// Too many faults while shrinking a failure caused by one.
    Faults(u32),
}

impl std::fmt::Display for ShrinkStop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ShrinkStop::Steps(n) => write!(f, "stopped on the {n}-step budget"),
            ShrinkStop::Time(t) => write!(
                f,
                "stopped on the {} time budget",
                humantime::format_duration(*t)
            ),
            ShrinkStop::Faults(n) => {
                write!(
                    f,
                    "stopped after {n} faults while shrinking (each costs a crash or a hang)"
                )
            }
        }
    }
}

/// What `drive` watches besides the verdicts: the cell's fault counters and the run's
/// interruption flag.
pub(crate) struct Watch<'a> {
    /// The cell's fault counters now.
    pub(crate) faults: &'a dyn Fn() -> Faults,
    /// Whether the run was interrupted.
    pub(crate) interrupted: &'a dyn Fn() -> bool,
    /// When to stop early.
    pub(crate) stops: Stops,
}

impl Watch<'_> {
    /// A watch that never stops a cell early (for tests of the driver itself).
    #[cfg(test)]
    pub(crate) fn none() -> Watch<'static> {
        Watch {
            faults: &|| Faults::default(),
            interrupted: &|| false,
            stops: Stops {
                faults: u32::MAX,
                timeouts: u32::MAX,
                unanswered: u32::MAX,
                idle: u32::MAX,
                shrink_faults: u32::MAX,
                shrink_timeouts: u32::MAX,
            },
        }
    }
}

/// The result of driving one check.
#[derive(Debug)]
pub(crate) struct Driven<V> {
    /// Cases that passed.
    pub(crate) passed: u32,
    /// Cases that were not applicable.
    pub(crate) not_applicable: u32,
    /// The minimal failing case and its message, if any case failed.
    pub(crate) failure: Option<(V, Failure)>,
    /// Shrink candidates tried.
    pub(crate) shrink_steps: u32,
    /// The harness error, if the check reported one.
    pub(crate) broken: Option<String>,
    /// Why the cell stopped before its case count, if it did.
    pub(crate) halted: Option<Halt>,
    /// The first case whose check met a fault, with the verdict's message if it had one.
    pub(crate) first_fault: Option<V>,
    /// Why shrinking stopped, if a budget stopped it.
    pub(crate) shrink_stop: Option<ShrinkStop>,
}

struct State<V> {
    passed: u32,
    not_applicable: u32,
    failure: Option<(V, Failure)>,
    shrink_started: Option<Instant>,
    /// The fault counters when shrinking started.
    shrink_base: Faults,
    shrink_steps: u32,
    broken: Option<String>,
    halted: Option<Halt>,
    first_fault: Option<V>,
    shrink_stop: Option<ShrinkStop>,
}

/// Runs `check` on `cases` values of `strategy` drawn from `seed`, shrinking the first failure,
/// and stopping early as `watch` says.
pub(crate) fn drive<S>(
    seed: Seed,
    cases: u32,
    limits: ShrinkLimits,
    strategy: &S,
    check: impl Fn(&S::Value) -> Verdict,
    watch: &Watch<'_>,
) -> Driven<S::Value>
where
    S: Strategy,
    S::Value: Clone,
{
    let config = RunnerConfig {
        cases,
        max_local_rejects: cases.saturating_mul(4).max(64),
        max_global_rejects: cases.saturating_mul(4).max(64),
        max_flat_map_regens: 1_000_000,
        failure_persistence: None,
        source_file: None,
        test_name: None,
        fork: false,
        timeout: 0,
        max_shrink_time: 0,
        // Never reached: `Budgeted` stops shrinking first. (`u32::MAX` would mean "automatic",
        // four times the case count, which proptest enforces with a message on stderr.)
        max_shrink_iters: u32::MAX - 1,
        result_cache: proptest::test_runner::noop_result_cache,
        verbose: 0,
        rng_algorithm: proptest::test_runner::RngAlgorithm::XorShift,
        ..RunnerConfig::default()
    };
    let mut runner = TestRunner::new_with_rng(config, seed.rng());
    let stopped = Rc::new(Cell::new(false));
    let unmade = Rc::new(RefCell::new(None));
    let budgeted = Budgeted {
        inner: strategy,
        stopped: Rc::clone(&stopped),
        unmade: Rc::clone(&unmade),
    };
    let state = RefCell::new(State {
        passed: 0,
        not_applicable: 0,
        failure: None,
        shrink_started: None,
        shrink_base: Faults::default(),
        shrink_steps: 0,
        broken: None,
        halted: None,
        first_fault: None,
        shrink_stop: None,
    });
    // The run's own result is not needed: every outcome is recorded in `state` (see below).
    let _ = runner.run(&budgeted, |value| {
        let shrinking = {
            let mut s = state.borrow_mut();
            if s.broken.is_some() || s.halted.is_some() {
                stopped.set(true);
                return Ok(());
            }
            match s.shrink_started {
                Some(started) => {
                    let spent = (watch.faults)();
                    let stop = if s.shrink_steps >= limits.steps {
                        Some(ShrinkStop::Steps(limits.steps))
                    } else if started.elapsed() >= limits.time {
                        Some(ShrinkStop::Time(limits.time))
                    } else if spent.costly - s.shrink_base.costly >= watch.stops.shrink_faults
                        || spent.timeouts - s.shrink_base.timeouts >= watch.stops.shrink_timeouts
                    {
                        Some(ShrinkStop::Faults(spent.costly - s.shrink_base.costly))
                    } else if (watch.interrupted)() {
                        s.halted = Some(Halt::Interrupted);
                        None
                    } else {
                        None
                    };
                    if stop.is_some() || s.halted.is_some() {
                        s.shrink_stop = stop;
                        stopped.set(true);
                        return Ok(());
                    }
                    s.shrink_steps += 1;
                    true
                }
                None => {
                    if (watch.interrupted)() {
                        s.halted = Some(Halt::Interrupted);
                        stopped.set(true);
                        return Err(TestCaseError::fail("interrupted"));
                    }
                    false
                }
            }
        };
        let before = (watch.faults)();
        let verdict = check(&value);
        let after = (watch.faults)();
        let mut s = state.borrow_mut();
        if !shrinking && after.faults > before.faults && s.first_fault.is_none() {
            s.first_fault = Some(value.clone());
        }
        let result = match verdict {
            Verdict::Pass => {
                if !shrinking {
                    s.passed += 1;
                }
                Ok(())
            }
            Verdict::NotApplicable => {
                if shrinking {
                    Ok(())
                } else {
                    s.not_applicable += 1;
                    Err(TestCaseError::reject("not applicable"))
                }
            }
            Verdict::Fail(failure) => {
                if s.shrink_started.is_none() {
                    s.shrink_started = Some(Instant::now());
                    s.shrink_base = after;
                }
                let reason = TestCaseError::fail(failure.message.clone());
                s.failure = Some((value, failure));
                return Err(reason);
            }
            Verdict::Broken(message) => {
                // Nothing to shrink: the harness is wrong, not the parser.
                stopped.set(true);
                s.broken = Some(message.clone());
                return Err(TestCaseError::fail(message));
            }
        };
        if shrinking {
            return result;
        }
        let stops = watch.stops;
        if stops.decided(after) {
            s.halted = Some(Halt::Faults(after));
        } else if s.passed == 0 && s.not_applicable >= stops.idle {
            s.halted = Some(Halt::Idle(s.not_applicable));
        }
        if s.halted.is_some() {
            // Ends the run: `stopped` keeps proptest from shrinking this non-failure.
            stopped.set(true);
            return Err(TestCaseError::fail("stopped early"));
        }
        result
    });
    // An abort (too many not-applicable cases) shows in the counts: fewer than `cases` passed.
    // A failure is the last value the closure saw failing, kept in the state with its message.
    let state = state.into_inner();
    // A case the strategy could not make is the harness's failure, not the parser's.
    let broken = state.broken.or_else(|| {
        unmade
            .take()
            .map(|reason| format!("could not generate a case: {reason}"))
    });
    Driven {
        passed: state.passed,
        not_applicable: state.not_applicable,
        failure: if broken.is_some() {
            None
        } else {
            state.failure
        },
        shrink_steps: state.shrink_steps,
        broken,
        halted: state.halted,
        first_fault: state.first_fault,
        shrink_stop: state.shrink_stop,
    }
}

/// A strategy whose value trees stop shrinking once `stopped` is set, and which records why
/// the inner strategy could not make a value (proptest would only abort the run).
#[derive(Debug)]
struct Budgeted<'s, S> {
    inner: &'s S,
    stopped: Rc<Cell<bool>>,
    unmade: Rc<RefCell<Option<String>>>,
}

impl<S: Strategy> Strategy for Budgeted<'_, S> {
    type Tree = BudgetedTree<S::Tree>;
    type Value = S::Value;

    fn new_tree(&self, runner: &mut TestRunner) -> NewTree<Self> {
        match self.inner.new_tree(runner) {
            Ok(inner) => Ok(BudgetedTree {
                inner,
                stopped: Rc::clone(&self.stopped),
            }),
            Err(reason) => {
                self.unmade
                    .borrow_mut()
                    .get_or_insert_with(|| reason.to_string());
                Err(reason)
            }
        }
    }
}

/// The value tree of [`Budgeted`].
struct BudgetedTree<T> {
    inner: T,
    stopped: Rc<Cell<bool>>,
}

impl<T: ValueTree> ValueTree for BudgetedTree<T> {
    type Value = T::Value;

    fn current(&self) -> T::Value {
        self.inner.current()
    }

    fn simplify(&mut self) -> bool {
        !self.stopped.get() && self.inner.simplify()
    }

    fn complicate(&mut self) -> bool {
        !self.stopped.get() && self.inner.complicate()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn plain<S>(
        seed: Seed,
        cases: u32,
        limits: ShrinkLimits,
        strategy: &S,
        check: impl Fn(&S::Value) -> Verdict,
    ) -> Driven<S::Value>
    where
        S: Strategy,
        S::Value: Clone,
    {
        drive(seed, cases, limits, strategy, check, &Watch::none())
    }

    const LIMITS: ShrinkLimits = ShrinkLimits {
        steps: 10_000,
        time: Duration::from_secs(10),
    };

    #[test]
    fn failures_shrink_to_the_minimal_case() {
        let driven = plain(Seed(1), 256, LIMITS, &(0u32..10_000), |&n| {
            if n >= 100 {
                Verdict::Fail(Failure::message(format!("{n} is too big")))
            } else {
                Verdict::Pass
            }
        });
        let (value, message) = driven.failure.expect("some case fails");
        assert_eq!(value, 100);
        assert_eq!(message.message, "100 is too big");
        assert!(driven.shrink_steps > 0);
    }

    #[test]
    fn same_seed_same_cases() {
        let seen = |seed| {
            let log = RefCell::new(Vec::new());
            plain(seed, 20, LIMITS, &any::<u64>(), |&n| {
                log.borrow_mut().push(n);
                Verdict::Pass
            });
            log.into_inner()
        };
        assert_eq!(seen(Seed(5)), seen(Seed(5)));
        assert_ne!(seen(Seed(5)), seen(Seed(6)));
        assert_eq!(seen(Seed(5)).len(), 20);
    }

    #[test]
    fn not_applicable_cases_are_counted_apart() {
        let driven = plain(Seed(2), 50, LIMITS, &(0u32..100), |&n| {
            if n % 2 == 0 {
                Verdict::Pass
            } else {
                Verdict::NotApplicable
            }
        });
        assert_eq!(driven.passed, 50);
        assert!(driven.not_applicable > 0);
        assert!(driven.failure.is_none());
    }

    #[test]
    fn shrinking_stops_at_the_step_budget() {
        let limits = ShrinkLimits {
            steps: 3,
            time: Duration::from_secs(10),
        };
        let driven = plain(Seed(3), 100, limits, &(1000u32..1_000_000), |&n| {
            Verdict::Fail(Failure::message(format!("{n}")))
        });
        assert_eq!(driven.shrink_steps, 3);
        assert!(driven.failure.is_some());
    }

    #[test]
    fn a_strategy_that_cannot_make_a_case_is_a_harness_error() {
        let nothing = (0u32..10).prop_filter("never", |_| false);
        let driven = plain(Seed(5), 10, LIMITS, &nothing, |_| Verdict::Pass);
        let broken = driven.broken.expect("reported");
        assert!(broken.starts_with("could not generate a case"), "{broken}");
        assert_eq!(driven.passed, 0);
    }

    #[test]
    fn broken_checks_end_the_cell_with_an_error() {
        let driven = plain(Seed(4), 10, LIMITS, &(0u32..10), |_| {
            Verdict::Broken("generator lied".into())
        });
        assert_eq!(driven.broken.as_deref(), Some("generator lied"));
        assert!(driven.failure.is_none());
    }

    #[test]
    fn a_cell_whose_calls_keep_faulting_stops_early_with_the_first_faulting_case() {
        let faults = Cell::new(Faults::default());
        let count = || faults.get();
        let watch = Watch {
            faults: &count,
            interrupted: &|| false,
            stops: Stops::default(),
        };
        // Every call "crashes"; the check calls it not applicable, as reports-event would.
        let driven = drive(
            Seed(6),
            2048,
            LIMITS,
            &(0u32..1000),
            |_| {
                let mut f = faults.get();
                f.calls += 1;
                f.faults += 1;
                f.costly += 1;
                faults.set(f);
                Verdict::NotApplicable
            },
            &watch,
        );
        assert_eq!(driven.halted, Some(Halt::Faults(faults.get())));
        // No call was ever answered: the cell stops after the first few.
        assert_eq!(faults.get().calls, Stops::default().unanswered);
        assert!(driven.first_fault.is_some());
        assert!(driven.failure.is_none());
    }

    #[test]
    fn a_cell_where_nothing_applies_stops_after_the_idle_limit() {
        let calls = Cell::new(0u32);
        let watch = Watch {
            faults: &|| Faults::default(),
            interrupted: &|| false,
            stops: Stops::default(),
        };
        let driven = drive(
            Seed(7),
            2048,
            LIMITS,
            &(0u32..1000),
            |_| {
                calls.set(calls.get() + 1);
                Verdict::NotApplicable
            },
            &watch,
        );
        assert_eq!(driven.halted, Some(Halt::Idle(Stops::default().idle)));
        assert_eq!(calls.get(), Stops::default().idle);
    }

    #[test]
    fn shrinking_a_costly_fault_stops_on_the_fault_budget() {
        let faults = Cell::new(Faults::default());
        let count = || faults.get();
        let watch = Watch {
            faults: &count,
            interrupted: &|| false,
            stops: Stops::default(),
        };
        let driven = drive(
            Seed(8),
            100,
            LIMITS,
            &(1000u32..1_000_000),
            |&n| {
                let mut f = faults.get();
                f.calls += 1;
                f.faults += 1;
                f.costly += 1;
                faults.set(f);
                Verdict::Fail(Failure::message(format!("crashed on {n}")))
            },
            &watch,
        );
        assert!(driven.failure.is_some());
        assert_eq!(
            driven.shrink_stop,
            Some(ShrinkStop::Faults(Stops::default().shrink_faults))
        );
        assert_eq!(driven.shrink_steps, Stops::default().shrink_faults);
    }

    #[test]
    fn an_interrupted_run_stops_between_cases() {
        let seen = Cell::new(0u32);
        let interrupted = || seen.get() >= 5;
        let watch = Watch {
            faults: &|| Faults::default(),
            interrupted: &interrupted,
            stops: Stops::default(),
        };
        let driven = drive(
            Seed(9),
            1000,
            LIMITS,
            &(0u32..10),
            |_| {
                seen.set(seen.get() + 1);
                Verdict::Pass
            },
            &watch,
        );
        assert_eq!(driven.halted, Some(Halt::Interrupted));
        assert_eq!(driven.passed, 5);
    }
}
