//! The streaming tally: payloads in, counts and covered items kept, payloads dropped.
//!
//! Memory is one plan and one bit per item for each event seen (plans of unseen events are
//! made only for the summary), however many payloads are added.

use std::collections::BTreeMap;

use serde_json::Value;

use super::plan::{Plan, PlanError};
use super::summary::{Coverage, EventCoverage, Gates, Required, VendorCoverage};
use crate::catalog::{Catalog, Entry, EntryKind, Vendor, bundle, detect};

/// What was seen of one event.
#[derive(Debug)]
struct Seen {
    count: u64,
    hit: Vec<bool>,
}

/// Counts events and the coverage items their payloads exercised.
///
/// # Example
///
/// ```
/// use hookcheck::catalog::Catalog;
/// use hookcheck::coverage::{Gates, Tally};
/// use serde_json::json;
///
/// let catalog = Catalog::builtin();
/// let mut tally = Tally::default();
/// let payload = json!({"type": "email.opened"});
/// tally.add(catalog, "getmailer/email.opened", &payload);
/// let coverage = tally.summary(catalog, &Gates::default());
/// let getmailer = &coverage.vendors[0];
/// assert_eq!(getmailer.vendor, "getmailer");
/// assert_eq!(getmailer.events_seen, 1);
/// assert!(getmailer.covered < getmailer.items);
/// ```
#[derive(Debug, Default)]
pub struct Tally {
    plans: BTreeMap<String, Result<Plan, PlanError>>,
    seen: BTreeMap<String, Seen>,
}

fn make_plan(catalog: &Catalog, key: &str) -> Result<Plan, PlanError> {
    let entry = catalog.lookup(key).map_err(|e| PlanError {
        message: e.to_string(),
    })?;
    let schema = bundle::bundle(entry).map_err(|e| PlanError {
        message: e.to_string(),
    })?;
    Plan::new(&schema)
}

impl Tally {
    /// Counts one payload of the event `key` (`vendor/event`, as detected) and marks what it
    /// covers. A key the catalog does not know is counted with no items. A batch body (a
    /// vendor profile's `batch`) counts each of its events under its own key.
    pub fn add(&mut self, catalog: &Catalog, key: &str, payload: &Value) {
        if let Some((vendor, items)) = detect::batch(payload, None)
            && key.split('/').next() == Some(vendor.as_str())
        {
            for (_, item) in items {
                if let Ok(entry) = catalog.detect(item, Some(vendor)) {
                    self.add(catalog, &entry.key(), item);
                }
            }
            return;
        }
        self.add_with(key, payload, || make_plan(catalog, key));
    }

    /// As [`Tally::add`], for a payload of `entry`, known already.
    pub fn add_entry(&mut self, entry: &Entry, payload: &Value) {
        self.add_with(&entry.key(), payload, || {
            let schema = bundle::bundle(entry).map_err(|e| PlanError {
                message: e.to_string(),
            })?;
            Plan::new(&schema)
        });
    }

    /// Adds what `other` counted and covered (the tallies of parallel jobs, say): counts add
    /// up and covered items unite, so the result does not depend on how the work was split.
    pub fn merge(&mut self, other: Tally) {
        for (key, theirs) in other.seen {
            match self.seen.get_mut(&key) {
                Some(ours) => {
                    ours.count += theirs.count;
                    for (o, t) in ours.hit.iter_mut().zip(&theirs.hit) {
                        *o |= *t;
                    }
                }
                None => {
                    self.seen.insert(key.clone(), theirs);
                }
            }
        }
        for (key, plan) in other.plans {
            self.plans.entry(key).or_insert(plan);
        }
    }

    fn add_with(
        &mut self,
        key: &str,
        payload: &Value,
        plan: impl FnOnce() -> Result<Plan, PlanError>,
    ) {
        let plan = self.plans.entry(key.to_owned()).or_insert_with(plan);
        let seen = self.seen.entry(key.to_owned()).or_insert_with(|| Seen {
            count: 0,
            hit: vec![false; plan.as_ref().map_or(0, |p| p.items().len())],
        });
        seen.count += 1;
        if let Ok(plan) = plan {
            plan.mark(payload, &mut |i| {
                if let Some(h) = seen.hit.get_mut(i) {
                    *h = true;
                }
            });
        }
    }

    /// Payloads counted, in all.
    #[must_use]
    pub fn payloads(&self) -> u64 {
        self.seen.values().map(|s| s.count).sum()
    }

    /// The coverage of every webhook event of the vendors in scope, and the verdicts of
    /// `gates` (see [`Gates`]).
    pub fn summary(&mut self, catalog: &Catalog, gates: &Gates) -> Coverage {
        let vendors: Vec<Vendor> = match gates.vendor {
            Some(v) => vec![v],
            None => {
                let listed: &[String] = match &gates.require {
                    Some(Required::Events(keys)) => keys,
                    _ => &[],
                };
                let seen: Vec<Vendor> = Vendor::all()
                    .into_iter()
                    .filter(|v| {
                        self.seen
                            .keys()
                            .chain(listed)
                            .any(|k| k.split('/').next() == Some(v.as_str()))
                    })
                    .collect();
                if seen.is_empty() {
                    Vendor::all().to_vec()
                } else {
                    seen
                }
            }
        };
        let mut out = Vec::new();
        for vendor in &vendors {
            let mut vc = VendorCoverage {
                vendor: vendor.as_str().to_owned(),
                ..VendorCoverage::default()
            };
            for entry in catalog
                .vendor_entries(*vendor)
                .filter(|e| e.kind() == EntryKind::Webhook)
            {
                let key = entry.key();
                let plan = self
                    .plans
                    .entry(key.clone())
                    .or_insert_with(|| make_plan(catalog, &key));
                let seen = self.seen.get(&key);
                let mut ec = EventCoverage {
                    event: key.clone(),
                    count: seen.map_or(0, |s| s.count),
                    ..EventCoverage::default()
                };
                match plan {
                    Ok(plan) => {
                        ec.items = plan.items().len() as u64;
                        for (i, item) in plan.items().iter().enumerate() {
                            if seen.is_some_and(|s| s.hit.get(i).copied().unwrap_or(false)) {
                                ec.covered += 1;
                            } else {
                                ec.uncovered.push(item.to_string());
                            }
                        }
                    }
                    Err(e) => ec.error = Some(e.message.clone()),
                }
                vc.events += 1;
                vc.events_seen += u64::from(ec.count > 0);
                vc.items += ec.items;
                vc.covered += ec.covered;
                vc.list.push(ec);
            }
            out.push(vc);
        }
        let mut coverage = Coverage {
            vendors: out,
            ..Coverage::default()
        };
        let in_scope: Vec<&EventCoverage> = match &gates.require {
            Some(Required::Events(keys)) => coverage
                .vendors
                .iter()
                .flat_map(|v| &v.list)
                .filter(|e| keys.contains(&e.event))
                .collect(),
            _ => coverage.vendors.iter().flat_map(|v| &v.list).collect(),
        };
        let mut required: Vec<String> = match &gates.require {
            None => Vec::new(),
            Some(Required::All) => in_scope.iter().map(|e| e.event.clone()).collect(),
            Some(Required::Events(keys)) => keys.clone(),
        };
        required.dedup();
        let count_of = |key: &str| self.seen.get(key).map_or(0, |s| s.count);
        coverage.missing = required
            .iter()
            .filter(|k| count_of(k) == 0)
            .cloned()
            .collect();
        coverage.required = gates.require.is_some().then_some(required);
        coverage.scope_items = in_scope.iter().map(|e| e.items).sum();
        coverage.scope_covered = in_scope.iter().map(|e| e.covered).sum();
        coverage.min_coverage = gates.min_coverage;
        coverage
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn gates_measure_the_listed_events_and_name_the_missing_ones() {
        let catalog = Catalog::builtin();
        let mut tally = Tally::default();
        tally.add(
            catalog,
            "getmailer/email.opened",
            &json!({"type": "email.opened"}),
        );
        let gates = Gates {
            require: Some(Required::Events(vec![
                "getmailer/email.opened".into(),
                "msndr/clicked".into(),
            ])),
            min_coverage: Some(100.0),
            ..Gates::default()
        };
        let c = tally.summary(catalog, &gates);
        // The vendors seen and those of the listed events, in catalog order.
        let vendors: Vec<&str> = c.vendors.iter().map(|v| v.vendor.as_str()).collect();
        assert_eq!(vendors, ["msndr", "getmailer"]);
        assert_eq!(c.missing, ["msndr/clicked"]);
        let listed: u64 = c
            .vendors
            .iter()
            .flat_map(|v| &v.list)
            .filter(|e| e.event == "getmailer/email.opened" || e.event == "msndr/clicked")
            .map(|e| e.items)
            .sum();
        assert_eq!(c.scope_items, listed);
        assert!(c.scope_covered < c.scope_items);
        assert_eq!(c.failures().len(), 2);
        // Without gates nothing fails, and only the vendor seen is in scope.
        let c = tally.summary(catalog, &Gates::default());
        assert!(c.passed());
        assert_eq!(c.vendors.len(), 1);
        assert_eq!(c.vendors[0].events_seen, 1);
    }
}
