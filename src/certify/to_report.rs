//! A certification as a [`Report`] (one suite per vendor, one case per event x property), and
//! the merge of shard reports back into one.

use std::collections::BTreeSet;
use std::time::Duration;

use super::outcome::{CellResult, Certification, Outcome};
use super::{CertifyError, Shard};
use crate::adapters::AdapterInfo;
use crate::catalog::Vendor;
use crate::report::{self, Case, Counts, Report, Suite};

const SHARD: &str = "shard";
const POSITION: &str = "position";

impl Certification {
    /// The run as a [`Report`], ready for any of the report writers.
    #[must_use]
    pub fn to_report(&self) -> Report {
        let mut r = Report::new(format!("certification of {}", self.parser));
        r.started = self.started;
        r.duration = Some(self.duration);
        r.seed = Some(self.seed.0);
        r.coverage = self.coverage.clone();
        let mut prop = |k: &str, v: String| r.properties.push(report::Property::new(k, v));
        prop("parser", self.parser.clone());
        if let Some(described) = self.adapter.as_ref().and_then(AdapterInfo::describe) {
            prop("adapter", described);
        }
        prop("fidelity", self.fidelity.to_string());
        prop("hookcheck version", self.hookcheck_version.clone());
        prop("catalog version", self.catalog_version.clone());
        for (property, reason) in &self.not_applicable {
            prop(&format!("not applicable: {property}"), reason.clone());
        }
        prop("cases per cell", self.cases_per_cell.to_string());
        prop(
            "time bound",
            humantime::format_duration(self.time_bound).to_string(),
        );
        prop(SHARD, self.shard.to_string());
        prop("replay", format!("--seed {}", self.seed));
        for vendor in Vendor::all() {
            let cells: Vec<&CellResult> =
                self.cells.iter().filter(|c| c.vendor == vendor).collect();
            if cells.is_empty() {
                continue;
            }
            let events: BTreeSet<&str> = cells.iter().map(|c| c.event.as_str()).collect();
            let mut suite = Suite::new(vendor.as_str());
            suite
                .properties
                .push(report::Property::new("events", events.len().to_string()));
            for cell in cells {
                suite.cases.push(case(cell));
            }
            r.suites.push(suite);
        }
        r
    }
}

fn case(cell: &CellResult) -> Case {
    let outcome = match cell.outcome {
        Outcome::Passed => report::Outcome::Passed,
        Outcome::Skipped => report::Outcome::Skipped {
            reason: cell.reason.clone().unwrap_or_default(),
        },
        Outcome::Error => report::Outcome::Error {
            message: cell.reason.clone().unwrap_or_default(),
            detail: None,
        },
        Outcome::Failed => match &cell.counterexample {
            Some(cx) => report::Outcome::Failed {
                message: cx.message.clone(),
                detail: Some(format!(
                    "property {}: {}\nbody ({} bytes, {}), base64: {}{}",
                    cell.property,
                    cell.property.meaning(),
                    cx.body.0.len(),
                    cx.mutation,
                    cx.body.base64(),
                    cx.regression
                        .as_ref()
                        .map(|p| format!("\nsaved: {}", p.display()))
                        .unwrap_or_default()
                )),
                counterexample: Some(report::Counterexample {
                    seed: Some(cell.seed.0),
                    input: cx.body.text(),
                    note: Some(if cx.mutation == "replayed" {
                        "replayed from a saved regression".to_owned()
                    } else {
                        match &cx.shrink_stopped {
                            Some(stop) => {
                                format!("shrunk in {} steps; shrinking {stop}", cx.shrink_steps)
                            }
                            None => format!("shrunk in {} steps", cx.shrink_steps),
                        }
                    }),
                }),
            },
            None => report::Outcome::failed(cell.reason.clone().unwrap_or_default()),
        },
    };
    let mut case = Case::new(
        format!("{} × {}", cell.event, cell.property),
        format!("hookcheck.certify.{}", cell.vendor),
    )
    .with_outcome(outcome)
    .with_property("property", cell.property.id())
    .with_property("seed", cell.seed.to_string())
    .with_property(POSITION, cell.position.to_string());
    if cell.replayed > 0 {
        case = case.with_property("regressions replayed", cell.replayed.to_string());
    }
    for (k, v) in &cell.counts {
        case = case.with_property(k.replace('_', " "), v.to_string());
    }
    for note in &cell.notes {
        case = case.with_property("note", note.clone());
    }
    if let (Outcome::Failed, Some(cx)) = (cell.outcome, &cell.counterexample) {
        let rule = format!("certify/{}", cell.property.id());
        // One finding per violation the parser let through, with its pointers; else one for
        // the cell.
        // What the parser did instead: the same for every violation of one body.
        let did = cx.mismatches.first().map(|m| m.actual.clone());
        let findings: Vec<report::Finding> = if !cx.violations.is_empty() {
            cx.violations
                .iter()
                .map(|v| {
                    let finding = report::Finding {
                        rule: rule.clone(),
                        message: format!("{}: accepted, but must be rejected: {v}", cell.event),
                        ..report::Finding::violation(v)
                    };
                    match &did {
                        Some(did) => finding.expecting("rejected", did.clone()),
                        None => finding,
                    }
                })
                .collect()
        } else if cx.mismatches.is_empty() {
            vec![report::Finding::new(
                rule,
                format!("{}: {}", cell.event, cx.message),
            )]
        } else {
            cx.mismatches
                .iter()
                .map(|m| report::Finding {
                    pointer: m.pointer.clone(),
                    ..report::Finding::new(rule.clone(), format!("{}: {}", cell.event, cx.message))
                        .expecting(m.expected.clone(), m.actual.clone())
                })
                .collect()
        };
        for finding in findings {
            case = case.with_finding(match &cx.regression {
                Some(saved) => finding.in_file(saved.display().to_string(), None),
                None => finding,
            });
        }
    }
    case.duration = Some(cell.duration);
    if matches!(cell.outcome, Outcome::Passed | Outcome::Failed) {
        case.counts = Some(Counts {
            // The failing case ran too.
            run: u64::from(cell.cases + cell.not_applicable)
                + u64::from(cell.outcome == Outcome::Failed),
            passed: u64::from(cell.cases),
            rejected: u64::from(cell.not_applicable),
        });
    }
    case
}

fn property<'r>(r: &'r Report, name: &str) -> Option<&'r str> {
    r.properties
        .iter()
        .find(|p| p.name == name)
        .map(|p| p.value.as_str())
}

/// Merges the JSON reports of the shards of one run (`--shard 1/N` .. `--shard N/N`, same
/// seed) into the report of the whole run, cells in matrix order.
///
/// # Errors
///
/// [`CertifyError::Merge`] when the reports are not certification reports, have different
/// seeds or shard counts, repeat a shard or miss one.
pub fn merge(reports: &[Report]) -> Result<Report, CertifyError> {
    let bad = |message: String| CertifyError::Merge { message };
    let first = reports
        .first()
        .ok_or_else(|| bad("no reports given".into()))?;
    let mut seen = BTreeSet::new();
    let mut count = None;
    for r in reports {
        if r.seed != first.seed {
            return Err(bad(format!(
                "different seeds ({:?} and {:?}): shards must come from one run",
                first.seed, r.seed
            )));
        }
        let shard: Shard = property(r, SHARD)
            .ok_or_else(|| bad(format!("{:?} is not a certification report", r.title)))?
            .parse()
            .map_err(|e| bad(format!("{e}")))?;
        if *count.get_or_insert(shard.count) != shard.count {
            return Err(bad(
                "the reports split the run into different shard counts".into()
            ));
        }
        if !seen.insert(shard.index) {
            return Err(bad(format!("shard {shard} is given twice")));
        }
    }
    let count = count.unwrap_or(1);
    if let Some(missing) = (1..=count).find(|i| !seen.contains(i)) {
        return Err(bad(format!("shard {missing}/{count} is missing")));
    }
    let mut merged = first.clone();
    merged.suites.clear();
    // Coverage summaries cannot be united (they keep no per-payload detail); each shard's is
    // in its own report.
    merged.coverage = None;
    merged.started = reports.iter().filter_map(|r| r.started).min();
    merged.duration = Some(reports.iter().filter_map(|r| r.duration).sum::<Duration>());
    for p in &mut merged.properties {
        if p.name == SHARD {
            p.value = format!("merged from {count} shards");
        }
    }
    let position = |c: &Case| {
        c.properties
            .iter()
            .find(|p| p.name == POSITION)
            .and_then(|p| p.value.parse::<usize>().ok())
            .unwrap_or(usize::MAX)
    };
    for r in reports {
        for suite in &r.suites {
            match merged.suites.iter_mut().find(|s| s.name == suite.name) {
                Some(s) => s.cases.extend(suite.cases.iter().cloned()),
                None => merged.suites.push(suite.clone()),
            }
        }
    }
    for s in &mut merged.suites {
        s.cases.sort_by_key(position);
    }
    merged
        .suites
        .sort_by_key(|s| s.cases.first().map_or(usize::MAX, position));
    Ok(merged)
}
