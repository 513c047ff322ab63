//! The matrix: every selected vendor x event x property cell, in order, within the shard and
//! the time budget, saved regressions first.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use super::call::Target;
use super::drive::Verdict;
use super::outcome::{Body, CellResult, Certification, Counterexample, Outcome, cell_name};
use super::properties::{self, Cell, PropertyRun};
use super::regressions::{self, Regression, Saved};
use super::source::{Case, CaseSource, EntryCases, Unprepared};
use super::{CertifyError, Config, Property, Seed};
use crate::catalog::{Catalog, Entry, EntryKind};

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
        if wanted.contains('/') {
            catalog.lookup(wanted)?;
        } else if let [only] = config.vendors.as_slice() {
            catalog.get(*only, wanted)?;
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

/// Runs the matrix against `target`.
pub(crate) fn run(
    catalog: &Catalog,
    target: &dyn Target,
    source: &dyn CaseSource,
    parser: &str,
    config: &Config,
    progress: &mut dyn FnMut(Progress<'_>),
) -> Result<Certification, CertifyError> {
    let started = Instant::now();
    let started_at = std::time::SystemTime::now();
    let seed = config.seed.unwrap_or_else(Seed::from_entropy);
    let entries = select(catalog, config)?;
    let properties: Vec<Property> = if config.properties.is_empty() {
        Property::ALL.to_vec()
    } else {
        Property::ALL
            .into_iter()
            .filter(|p| config.properties.contains(p))
            .collect()
    };
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
    let mut prepared: BTreeMap<String, Result<Box<dyn EntryCases>, Unprepared>> = BTreeMap::new();
    let mut cells = Vec::with_capacity(plan.len());
    for (done, (position, entry, property)) in plan.iter().enumerate() {
        let cell_seed = seed.derive(&cell_name(entry.vendor(), entry.event(), *property));
        let cell_started = Instant::now();
        let mut result = CellResult {
            position: *position,
            vendor: entry.vendor(),
            event: entry.event().to_owned(),
            property: *property,
            seed: cell_seed,
            outcome: Outcome::Skipped,
            reason: None,
            cases: 0,
            not_applicable: 0,
            replayed: 0,
            counts: BTreeMap::new(),
            notes: Vec::new(),
            duration: Duration::ZERO,
            counterexample: None,
        };
        let over_budget = config
            .time_budget
            .is_some_and(|budget| started.elapsed() >= budget);
        if over_budget {
            result.reason = Some("not started: the time budget was spent".into());
        } else if !target.supports(entry.vendor()) {
            result.reason = Some(format!(
                "the parser does not handle {} payloads",
                entry.vendor()
            ));
        } else {
            let cases = prepared
                .entry(entry.key())
                .or_insert_with(|| source.prepare(entry));
            match cases {
                Err(Unprepared::NotApplicable { reason }) => {
                    result.reason = Some(format!(
                        "no cases can be generated for {}: {reason}",
                        entry.key()
                    ));
                }
                Err(Unprepared::Failed { message }) => {
                    result.outcome = Outcome::Error;
                    result.reason = Some(format!(
                        "cannot generate cases for {}: {message}",
                        entry.key()
                    ));
                }
                Ok(cases) => {
                    let cell = Cell {
                        entry,
                        property: *property,
                        seed: cell_seed,
                        config,
                        target,
                        cases: cases.as_ref(),
                    };
                    run_cell(&cell, replays(entry, *property), &mut result);
                    if let (Some(dir), Some(cx)) = (&config.regressions, &mut result.counterexample)
                        && cx.regression.is_none()
                    {
                        let path = regressions::save(
                            dir,
                            &Regression {
                                property: *property,
                                vendor: entry.vendor(),
                                event: entry.event().to_owned(),
                                seed,
                                cell_seed,
                                payload: cx.body.clone(),
                                message: cx.message.clone(),
                            },
                        )?;
                        cx.regression = Some(path);
                    }
                }
            }
        }
        result.duration = cell_started.elapsed();
        progress(Progress::Cell {
            done: done + 1,
            total: plan.len(),
            result: &result,
        });
        cells.push(result);
    }
    Ok(Certification {
        parser: parser.to_owned(),
        hookcheck_version: env!("CARGO_PKG_VERSION").to_owned(),
        seed,
        shard: config.shard,
        cases_per_cell: config.cases,
        time_bound: config.time_bound,
        duration: started.elapsed(),
        cells,
        started: Some(started_at),
    })
}

/// Replays the cell's saved regressions, then (unless one still fails) runs its property.
fn run_cell(cell: &Cell<'_>, saved: &[(std::path::PathBuf, Regression)], result: &mut CellResult) {
    for (path, regression) in saved {
        let mut case = Case::bytes(regression.payload.0.clone());
        case.mutation = "replayed";
        match properties::check(cell, &case) {
            Verdict::Fail(message) => {
                result.replayed += 1;
                result.outcome = Outcome::Failed;
                result.counterexample = Some(Counterexample {
                    body: Body(case.body),
                    message,
                    mutation: "replayed".into(),
                    shrink_steps: 0,
                    regression: Some(path.clone()),
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
    if let Some(e) = run.broken {
        result.outcome = Outcome::Error;
        result.reason = Some(e);
    } else if let Some((case, message)) = run.failure {
        result.outcome = Outcome::Failed;
        result.counterexample = Some(Counterexample {
            body: Body(case.body),
            message,
            mutation: case.mutation.to_owned(),
            shrink_steps: run.shrink_steps,
            regression: None,
        });
    } else if let Some(reason) = run.skipped {
        result.outcome = Outcome::Skipped;
        result.reason = Some(reason);
    } else if run.passed == 0 {
        result.outcome = Outcome::Skipped;
        result.reason = Some(format!(
            "no applicable case among {} generated",
            run.not_applicable
        ));
    } else {
        result.outcome = Outcome::Passed;
    }
}
