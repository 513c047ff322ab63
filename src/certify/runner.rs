//! The matrix: every selected vendor x event x property cell, in order, within the shard and
//! the time budget, saved regressions first.

use std::collections::BTreeMap;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

use super::call::{MakeTarget, Subject};
use super::drive::{Halt, Verdict};
use super::outcome::{
    Body, CellResult, Certification, Counterexample, Mismatch, Outcome, cell_name,
};
use super::properties::{self, Cell, PropertyRun};
use super::regressions::{self, Regression, Saved};
use super::source::{Case, CaseSource, EntryCases, Unprepared};
use super::watch::{CallWatch, Watched};
use super::{CertifyError, Config, Property, Seed};
use crate::catalog::{Catalog, CatalogError, Entry, EntryKind};

/// What the runner reports while it works (the CLI prints it; the library never does).
#[derive(Debug)]
#[non_exhaustive]
pub enum Progress<'a> {
    /// The run is starting.
    Start {
        /// The master seed.
        seed: Seed,
        /// Cells in this shard.
        cells: usize,
        /// Saved regressions that apply to them.
        regressions: usize,
    },
    /// A cell is done.
    Cell {
        /// Cells done so far, this one included.
        done: usize,
        /// Cells in this shard.
        total: usize,
        /// Its result.
        result: &'a CellResult,
    },
}

/// The webhook entries the config selects, in catalog order.
///
/// # Errors
///
/// [`CertifyError::Catalog`] for an unknown event (with a suggestion) and
/// [`CertifyError::NothingSelected`] when the filters match nothing.
pub(crate) fn select<'c>(
    catalog: &'c Catalog,
    config: &Config,
) -> Result<Vec<&'c Entry>, CertifyError> {
    for wanted in &config.events {
        match config.vendors.as_slice() {
            [only] if !wanted.contains('/') => {
                catalog.get(*only, wanted)?;
            }
            // A bare name several vendors document selects each of them.
            _ => match catalog.lookup(wanted) {
                Ok(_) | Err(CatalogError::Ambiguous { .. }) => {}
                Err(e) => return Err(e.into()),
            },
        }
    }
    let entries: Vec<&Entry> = catalog
        .entries()
        .iter()
        .filter(|e| e.kind() == EntryKind::Webhook)
        .filter(|e| config.vendors.is_empty() || config.vendors.contains(&e.vendor()))
        .filter(|e| {
            config.events.is_empty()
                || config
                    .events
                    .iter()
                    .any(|w| *w == e.event() || *w == e.key())
        })
        .collect();
    if entries.is_empty() {
        let vendors: Vec<String> = config.vendors.iter().map(ToString::to_string).collect();
        return Err(CertifyError::NothingSelected {
            filters: format!(
                "vendor {} and event {}",
                if vendors.is_empty() {
                    "any".into()
                } else {
                    vendors.join(",")
                },
                if config.events.is_empty() {
                    "any".into()
                } else {
                    config.events.join(",")
                }
            ),
        });
    }
    Ok(entries)
}

/// Runs the matrix: `config.jobs` workers, each with its own target from `make`, take cells in
/// matrix order; the results are put back in that order, so the certification does not depend
/// on the number of jobs (timings apart).
///
/// With one job, the job runs on the calling thread. A cell of an in-process parser runs on a
/// cell thread (kept between cells and runs, [`super::pool`]) that calls the parser inline,
/// watched by its job ([`Job::run_watched`]); only when a call overruns the time bound is the
/// cell run again in the guarded mode (a worker thread per call), which the job then keeps for
/// its later cells. Both modes give the same verdicts.
pub(crate) fn run(
    catalog: &'static Catalog,
    make: &MakeTarget<'_>,
    source: &dyn CaseSource,
    parser: &str,
    config: &Config,
    progress: &mut dyn FnMut(Progress<'_>),
) -> Result<Certification, CertifyError> {
    let started = Instant::now();
    let started_at = std::time::SystemTime::now();
    let seed = config.seed.unwrap_or_else(Seed::from_entropy);
    let entries = select(catalog, config)?;
    let first = make().map_err(|message| CertifyError::Parser { message })?;
    let fidelity = first.fidelity();
    let signed = entries.iter().any(|e| first.signs(e.vendor()));
    let properties: Vec<Property> = if config.properties.is_empty() {
        Property::ALL
            .into_iter()
            .filter(|p| !p.needs_signing() || signed)
            .collect()
    } else {
        Property::ALL
            .into_iter()
            .filter(|p| config.properties.contains(p))
            .collect()
    };
    let mut not_applicable = BTreeMap::new();
    if !signed {
        not_applicable.insert(
            Property::VerifiesSignature,
            "no key or secret was given, so bodies are sent unsigned".to_owned(),
        );
    }
    if !fidelity.reports_event() {
        not_applicable.insert(
            Property::ReportsEvent,
            format!("the parser reports verdicts only (fidelity {fidelity})"),
        );
    }
    if !fidelity.reports_fields() {
        not_applicable.insert(
            Property::ReportsFields,
            format!("the parser does not report key fields (fidelity {fidelity})"),
        );
    }
    // Matrix order, numbered before sharding so that every shard numbers cells alike.
    let plan: Vec<(usize, &Entry, Property)> = entries
        .iter()
        .flat_map(|e| properties.iter().map(move |p| (*e, *p)))
        .enumerate()
        .filter(|(position, _)| config.shard.contains(*position))
        .map(|(position, (e, p))| (position, e, p))
        .collect();
    let saved = match &config.regressions {
        Some(dir) => regressions::load(dir)?,
        None => Saved::new(),
    };
    let replays = |entry: &Entry, property: Property| {
        saved
            .get(&(entry.vendor(), entry.event().to_owned(), property))
            .map_or(&[][..], Vec::as_slice)
    };
    progress(Progress::Start {
        seed,
        cells: plan.len(),
        regressions: plan.iter().map(|(_, e, p)| replays(e, *p).len()).sum(),
    });
    let jobs = config.jobs.clamp(1, plan.len().max(1));
    let mut targets: Vec<Arc<dyn Subject>> = vec![Arc::from(first)];
    for _ in 1..jobs {
        targets.push(Arc::from(
            make().map_err(|message| CertifyError::Parser { message })?,
        ));
    }
    let shared = Arc::new(config.clone());
    let prepared = Prepared::default();
    let mut slots: Vec<Option<CellResult>> = vec![None; plan.len()];
    let mut first_error = None;
    let mut total_answered = 0u64;
    let mut coverage = config.coverage.then(crate::coverage::Tally::default);
    // The `i`th cell of the plan, on `target`.
    let job = |i: usize,
               target: &Arc<dyn Subject>,
               hung: &std::cell::Cell<bool>|
     -> Result<Ran, CertifyError> {
        let (position, entry, property) = plan[i];
        Job {
            position,
            entry,
            property,
            seed,
            config: &shared,
            started,
            target,
            source,
            prepared: &prepared,
            replays: replays(entry, property),
            hung,
        }
        .run()
    };
    let mut done = 0;
    let mut settle = |i: usize, ran: Result<Ran, CertifyError>| match ran {
        Ok((result, answered, covered)) => {
            done += 1;
            total_answered += u64::from(answered);
            if let (Some(all), Some(one)) = (coverage.as_mut(), covered) {
                all.merge(one);
            }
            progress(Progress::Cell {
                done,
                total: plan.len(),
                result: &result,
            });
            slots[i] = Some(result);
            true
        }
        Err(e) => {
            first_error.get_or_insert(e);
            false
        }
    };
    if let [target] = targets.as_slice() {
        // One job: it runs here, with nothing to hand over.
        let hung = std::cell::Cell::new(false);
        for i in 0..plan.len() {
            if !settle(i, job(i, target, &hung)) {
                break;
            }
        }
    } else {
        // Jobs take the next cell in matrix order, until a job's error stops them all.
        let next = AtomicUsize::new(0);
        let abort = AtomicBool::new(false);
        thread::scope(|scope| {
            let (tx, rx) = mpsc::channel::<(usize, Result<Ran, CertifyError>)>();
            for target in &targets {
                let tx = tx.clone();
                let (plan, next, abort, job) = (&plan, &next, &abort, &job);
                scope.spawn(move || {
                    let hung = std::cell::Cell::new(false);
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= plan.len() || abort.load(Ordering::Relaxed) {
                            return;
                        }
                        if tx.send((i, job(i, target, &hung))).is_err() {
                            return;
                        }
                    }
                });
            }
            drop(tx);
            for (i, ran) in rx {
                if !settle(i, ran) {
                    abort.store(true, Ordering::Relaxed);
                }
            }
        });
    }
    if let Some(e) = first_error {
        return Err(e);
    }
    let mut cells: Vec<CellResult> = slots
        .into_iter()
        .zip(&plan)
        .map(|(slot, (position, entry, property))| {
            slot.unwrap_or_else(|| {
                let mut r = blank(*position, entry, *property, seed);
                r.reason = Some("not run: the run was stopped".into());
                r
            })
        })
        .collect();
    // A parser that never gave a single verdict in the whole run failed because of the
    // harness or its set-up, not on these payloads: nothing worth replaying is saved.
    if let (Some(dir), true) = (&config.regressions, total_answered > 0) {
        for cell in &mut cells {
            if let Some(cx) = cell
                .counterexample
                .as_mut()
                .filter(|cx| cx.regression.is_none())
            {
                let path = regressions::save(
                    dir,
                    &Regression {
                        property: cell.property,
                        vendor: cell.vendor,
                        event: cell.event.clone(),
                        seed,
                        cell_seed: cell.seed,
                        payload: cx.body.clone(),
                        message: cx.message.clone(),
                    },
                )?;
                cx.regression = Some(path);
            }
        }
    }
    Ok(Certification {
        parser: parser.to_owned(),
        hookcheck_version: env!("CARGO_PKG_VERSION").to_owned(),
        catalog_version: catalog.version(),
        adapter: None,
        fidelity,
        not_applicable,
        seed,
        shard: config.shard,
        cases_per_cell: config.cases,
        time_bound: config.time_bound,
        duration: started.elapsed(),
        cells,
        started: Some(started_at),
        coverage: coverage
            .map(|mut tally| tally.summary(catalog, &crate::coverage::Gates::default())),
    })
}

/// One entry's cases, or why they could not be prepared, once some job has asked.
type Slot = Arc<OnceLock<Result<Box<dyn EntryCases>, Unprepared>>>;

/// Each entry's cases, prepared once per run by whichever job needs them first.
#[derive(Default)]
struct Prepared {
    entries: Mutex<BTreeMap<String, Slot>>,
}

impl Prepared {
    fn get(&self, source: &dyn CaseSource, entry: &Entry) -> Slot {
        let slot = {
            let mut entries = self
                .entries
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            Arc::clone(entries.entry(entry.key()).or_default())
        };
        slot.get_or_init(|| source.prepare(entry));
        slot
    }
}

/// A result with nothing run yet.
fn blank(position: usize, entry: &Entry, property: Property, run_seed: Seed) -> CellResult {
    CellResult {
        position,
        vendor: entry.vendor(),
        event: entry.event().to_owned(),
        property,
        seed: run_seed.derive(&cell_name(entry.vendor(), entry.event(), property)),
        outcome: Outcome::Skipped,
        reason: None,
        cases: 0,
        not_applicable: 0,
        replayed: 0,
        counts: BTreeMap::new(),
        notes: Vec::new(),
        duration: Duration::ZERO,
        counterexample: None,
    }
}

/// What running one cell gives: its result, the calls that got a verdict, its coverage.
type Ran = (CellResult, u32, Option<crate::coverage::Tally>);

/// One cell to run on one job's target.
struct Job<'a> {
    position: usize,
    entry: &'static Entry,
    property: Property,
    seed: Seed,
    config: &'a Arc<Config>,
    started: Instant,
    target: &'a Arc<dyn Subject>,
    source: &'a dyn CaseSource,
    prepared: &'a Prepared,
    replays: &'a [(std::path::PathBuf, Regression)],
    /// Whether a call of this job's target has overrun its time bound inline: its later cells
    /// run guarded from the start.
    hung: &'a std::cell::Cell<bool>,
}

impl Job<'_> {
    /// The cell's result, how many calls got a verdict, and what its valid payloads covered
    /// (when the run tallies coverage).
    fn run(self) -> Result<Ran, CertifyError> {
        let (entry, property, config) = (self.entry, self.property, self.config);
        let mut answered = 0;
        let mut coverage = None;
        let cell_started = Instant::now();
        let mut result = blank(self.position, entry, property, self.seed);
        let cell_seed = result.seed;
        let over_budget = config
            .time_budget
            .is_some_and(|budget| self.started.elapsed() >= budget);
        if config.interrupted() {
            result.reason = Some("not run: the run was interrupted".into());
        } else if over_budget {
            result.reason = Some("not started: the time budget was spent".into());
        } else if !self.target.supports(entry.vendor()) {
            result.reason = Some(format!(
                "the parser does not handle {} payloads",
                entry.vendor()
            ));
        } else {
            let slot = self.prepared.get(self.source, entry);
            match slot.get() {
                None | Some(Err(Unprepared::NotApplicable { .. })) => {
                    let reason = match slot.get() {
                        Some(Err(Unprepared::NotApplicable { reason })) => reason.clone(),
                        _ => "the cases were not prepared".into(),
                    };
                    result.reason = Some(format!(
                        "no cases can be generated for {}: {reason}",
                        entry.key()
                    ));
                }
                Some(Err(Unprepared::Failed { message })) => {
                    result.outcome = Outcome::Error;
                    result.reason = Some(format!(
                        "cannot generate cases for {}: {message}",
                        entry.key()
                    ));
                }
                Some(Ok(cases)) => {
                    let inline = self.target.inline_guard().filter(|_| !self.hung.get());
                    match inline.and_then(|guard| self.run_watched(&slot, guard, &result)) {
                        Some((ran, a, c)) => (result, answered, coverage) = (ran, a, c),
                        None => {
                            if inline.is_some() {
                                self.hung.set(true);
                            }
                            let cell = Cell::new(
                                entry,
                                property,
                                cell_seed,
                                config,
                                self.target.as_ref(),
                                cases.as_ref(),
                            );
                            run_cell(&cell, self.replays, &mut result);
                            answered = cell.answered.get();
                            coverage = cell.coverage.map(std::cell::RefCell::into_inner);
                        }
                    }
                }
            }
        }
        result.duration = cell_started.elapsed();
        Ok((result, answered, coverage))
    }

    /// Runs the cell on a cell thread that calls the parser inline, and waits for it.
    /// `None` when a call overran `guard` (the thread is abandoned, its watch cancelled) or no
    /// thread could be started: the caller runs the cell guarded instead.
    fn run_watched(&self, slot: &Slot, guard: Duration, blank: &CellResult) -> Option<Ran> {
        let watch = Arc::new(CallWatch::default());
        let target = Watched {
            target: Arc::clone(self.target),
            watch: Arc::clone(&watch),
        };
        let (entry, property, config) = (self.entry, self.property, Arc::clone(self.config));
        let (slot, replays, mut result) = (Arc::clone(slot), self.replays.to_vec(), blank.clone());
        let (tx, rx) = mpsc::channel::<thread::Result<Ran>>();
        super::pool::run(
            move || {
                std::panic::catch_unwind(AssertUnwindSafe(|| {
                    let Some(Ok(cases)) = slot.get() else {
                        return None;
                    };
                    let cell = Cell::new(
                        entry,
                        property,
                        result.seed,
                        &config,
                        &target,
                        cases.as_ref(),
                    );
                    run_cell(&cell, &replays, &mut result);
                    let answered = cell.answered.get();
                    let coverage = cell.coverage.map(std::cell::RefCell::into_inner);
                    Some((result, answered, coverage))
                }))
            },
            move |ran| {
                let sent = match ran {
                    Ok(Some(ran)) => Ok(ran),
                    Ok(None) => return,
                    Err(panic) => Err(panic),
                };
                // The job stops listening once it has abandoned this thread.
                let _ = tx.send(sent);
            },
        )
        .ok()?;
        loop {
            let wait = watch
                .deadline(guard)
                .map_or(guard, |at| at.saturating_duration_since(Instant::now()));
            match rx.recv_timeout(wait) {
                Ok(Ok(ran)) => return Some(ran),
                // The harness panicked there.
                Ok(Err(panic)) => std::panic::resume_unwind(panic),
                Err(RecvTimeoutError::Timeout) => {
                    if watch.deadline(guard).is_some_and(|at| Instant::now() >= at) {
                        watch.cancel();
                        return None;
                    }
                }
                // The cell had no cases to run after all.
                Err(RecvTimeoutError::Disconnected) => return None,
            }
        }
    }
}

/// For a `rejects-invalid` case: the violations of its payload that must be rejected.
fn violations(cell: &Cell<'_>, case: &Case) -> Vec<crate::validate::Violation> {
    match (&case.payload, cell.property) {
        (Some(payload), Property::RejectsInvalid) => {
            properties::must_reject_violations(cell, payload).unwrap_or_default()
        }
        _ => Vec::new(),
    }
}

/// Replays the cell's saved regressions, then (unless one still fails) runs its property.
fn run_cell(cell: &Cell<'_>, saved: &[(std::path::PathBuf, Regression)], result: &mut CellResult) {
    for (path, regression) in saved {
        let mut case = Case::bytes(regression.payload.0.clone());
        case.mutation = "replayed";
        match properties::check(cell, &case) {
            Verdict::Fail(failure) => {
                result.replayed += 1;
                result.outcome = Outcome::Failed;
                result.counterexample = Some(Counterexample {
                    violations: violations(cell, &case),
                    body: Body(case.body),
                    message: failure.message,
                    mutation: "replayed".into(),
                    shrink_steps: 0,
                    shrink_stopped: None,
                    regression: Some(path.clone()),
                    mismatches: failure.mismatches,
                });
                return;
            }
            Verdict::Broken(e) => {
                result.outcome = Outcome::Error;
                result.reason = Some(format!("replaying {}: {e}", path.display()));
                return;
            }
            Verdict::Pass | Verdict::NotApplicable => result.replayed += 1,
        }
    }
    let run: PropertyRun = properties::run(cell);
    result.cases = run.passed;
    result.not_applicable = run.not_applicable;
    result.counts = run.counts;
    result.notes = run.notes;
    let faults = cell.faults.get();
    if faults.faults > 0 {
        result
            .counts
            .insert("faults".into(), u64::from(faults.faults));
        result
            .counts
            .insert("calls".into(), u64::from(faults.calls));
    }
    if let Some(e) = run.broken {
        result.outcome = Outcome::Error;
        result.reason = Some(e);
    } else if let Some((case, failure)) = run.failure {
        result.outcome = Outcome::Failed;
        result.counterexample = Some(Counterexample {
            violations: violations(cell, &case),
            body: Body(case.body),
            message: failure.message,
            mutation: case.mutation.to_owned(),
            shrink_steps: run.shrink_steps,
            shrink_stopped: run.shrink_stop.map(|s| s.to_string()),
            regression: None,
            mismatches: failure.mismatches,
        });
    } else if let Some(Halt::Faults(f)) = run.halted {
        // The parser gave no verdict often enough that the cell's verdict is decided.
        result.outcome = Outcome::Failed;
        let first = cell.first_fault.borrow().clone().unwrap_or_default();
        let message = format!(
            "the parser gave no verdict on {} of {} calls ({}{}); the cell stopped early",
            f.faults,
            f.calls,
            match f.timeouts {
                0 => String::new(),
                n => format!("{n} timed out; "),
            },
            if first.is_empty() {
                "no detail".to_owned()
            } else {
                format!("first: the parser {first}")
            }
        );
        result.counterexample = run.first_fault.map(|case| Counterexample {
            body: Body(case.body),
            message: message.clone(),
            mutation: case.mutation.to_owned(),
            shrink_steps: 0,
            shrink_stopped: None,
            regression: None,
            violations: Vec::new(),
            mismatches: vec![Mismatch::new(
                "an answer (accepted or rejected)",
                if first.is_empty() {
                    "no verdict".to_owned()
                } else {
                    first.clone()
                },
            )],
        });
        if result.counterexample.is_none() {
            result.reason = Some(message);
        }
    } else if let Some(Halt::Interrupted) = run.halted {
        result.outcome = Outcome::Skipped;
        result.reason = Some(format!(
            "interrupted after {} cases; not decided",
            run.passed + run.not_applicable
        ));
    } else if let Some(reason) = run.skipped {
        result.outcome = Outcome::Skipped;
        result.reason = Some(reason);
    } else if run.passed == 0 {
        result.outcome = Outcome::Skipped;
        result.reason = Some(match run.halted {
            Some(Halt::Idle(n)) => format!(
                "none of the first {n} cases applied (the parser accepted none of them?); the cell stopped early"
            ),
            _ => format!("no applicable case among {} generated", run.not_applicable),
        });
    } else {
        result.outcome = Outcome::Passed;
    }
}
