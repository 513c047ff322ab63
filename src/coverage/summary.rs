//! The coverage of a run: per vendor and event, what was seen and covered, and the gates.

use serde::{Deserialize, Serialize};

use crate::catalog::{Catalog, CatalogError, EntryKind, Vendor};

/// Uncovered items listed per event in text (the JSON report lists them all).
pub const LISTED_UNCOVERED: usize = 8;

/// Why a `--require-events` list could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RequiredError {
    /// A name the catalog does not resolve (with its suggestion).
    Catalog(CatalogError),
    /// A name of an API body, not of a webhook event.
    NotAnEvent(String),
    /// No name at all.
    Empty,
}

impl std::fmt::Display for RequiredError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RequiredError::Catalog(e) => e.fmt(f),
            RequiredError::NotAnEvent(key) => {
                write!(f, "{key} is an API body, not a webhook event")
            }
            RequiredError::Empty => f.write_str("no event named (give `all` or EVENT,EVENT...)"),
        }
    }
}

impl std::error::Error for RequiredError {}

/// Which events a run must have received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Required {
    /// Every webhook event of the vendors in scope.
    All,
    /// These `vendor/event` keys.
    Events(Vec<String>),
}

impl Required {
    /// Reads `all` or a comma-separated list of event names, each a `vendor/event` key or a
    /// bare name one vendor documents (as [`Catalog::lookup`] reads them).
    ///
    /// # Errors
    ///
    /// [`RequiredError`] for the first name that is no webhook event (an unknown one with the
    /// catalog's suggestion), or for a list without a name.
    ///
    /// # Example
    ///
    /// ```
    /// use hookcheck::catalog::Catalog;
    /// use hookcheck::coverage::Required;
    ///
    /// let r = Required::parse(Catalog::builtin(), "MessageSent, msndr/clicked")?;
    /// assert_eq!(r, Required::Events(vec!["postal/MessageSent".into(), "msndr/clicked".into()]));
    /// assert_eq!(Required::parse(Catalog::builtin(), "all")?, Required::All);
    /// # Ok::<(), hookcheck::coverage::summary::RequiredError>(())
    /// ```
    pub fn parse(catalog: &Catalog, text: &str) -> Result<Self, RequiredError> {
        if text.trim() == "all" {
            return Ok(Required::All);
        }
        let mut keys = Vec::new();
        for name in text.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let entry = catalog.lookup(name).map_err(RequiredError::Catalog)?;
            if entry.kind() != EntryKind::Webhook {
                return Err(RequiredError::NotAnEvent(entry.key()));
            }
            let key = entry.key();
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
        if keys.is_empty() {
            return Err(RequiredError::Empty);
        }
        Ok(Required::Events(keys))
    }
}

/// What a run is held to, and which vendors it is about.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Gates {
    /// The one vendor in scope; without it, the vendors seen and those of the required
    /// events (every vendor if there are none).
    pub vendor: Option<Vendor>,
    /// Events that must have arrived.
    pub require: Option<Required>,
    /// The least share of items covered, in percent (of the required events' items when a
    /// list is given, else of every event's in scope).
    pub min_coverage: Option<f64>,
}

/// The coverage of one event.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EventCoverage {
    /// `vendor/event`.
    pub event: String,
    /// Payloads received.
    pub count: u64,
    /// Items covered.
    pub covered: u64,
    /// Items in all.
    pub items: u64,
    /// Every item not covered, as text (`/payload/status = "Held"`).
    pub uncovered: Vec<String>,
    /// Why the event's items could not be listed, if they could not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The coverage of one vendor's webhook events.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VendorCoverage {
    /// `postal`, `msndr` or `getmailer`.
    pub vendor: String,
    /// Events received at least once.
    pub events_seen: u64,
    /// Events the catalog documents.
    pub events: u64,
    /// Items covered, over every event.
    pub covered: u64,
    /// Items, over every event.
    pub items: u64,
    /// Each event, in catalog order.
    #[serde(rename = "event_list")]
    pub list: Vec<EventCoverage>,
}

/// What a run covered, and whether it met its gates.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Coverage {
    /// Each vendor in scope.
    pub vendors: Vec<VendorCoverage>,
    /// The events required (`--require-events`), if any were.
    #[serde(default)]
    pub required: Option<Vec<String>>,
    /// Required events that never arrived.
    #[serde(default)]
    pub missing: Vec<String>,
    /// The least coverage required, in percent, if any was.
    #[serde(default)]
    pub min_coverage: Option<f64>,
    /// Items of the events the gates apply to.
    pub scope_items: u64,
    /// Of those, the items covered.
    pub scope_covered: u64,
}

fn percent(covered: u64, items: u64) -> f64 {
    if items == 0 {
        100.0
    } else {
        covered as f64 * 100.0 / items as f64
    }
}

impl Coverage {
    /// The share of the items in scope covered, in percent (100 when there are none).
    #[must_use]
    pub fn percent(&self) -> f64 {
        percent(self.scope_covered, self.scope_items)
    }

    /// Why the run fails its gates: one message per gate not met.
    #[must_use]
    pub fn failures(&self) -> Vec<String> {
        let mut out = Vec::new();
        if !self.missing.is_empty() {
            out.push(format!(
                "{} required event(s) never arrived: {}",
                self.missing.len(),
                self.missing.join(", ")
            ));
        }
        if let Some(min) = self.min_coverage
            && self.percent() < min
        {
            out.push(format!(
                "coverage {:.1}% ({} of {} item(s)) is below the minimum of {min}%",
                self.percent(),
                self.scope_covered,
                self.scope_items
            ));
        }
        out
    }

    /// Whether every gate was met.
    #[must_use]
    pub fn passed(&self) -> bool {
        self.failures().is_empty()
    }

    /// The coverage as lines for a terminal: per vendor, then per event seen or required,
    /// with up to [`LISTED_UNCOVERED`] uncovered items each; events never received are
    /// named on one line (unless the vendor sent none at all).
    #[must_use]
    pub fn to_text(&self) -> String {
        let mut lines = Vec::new();
        for v in &self.vendors {
            lines.push(format!(
                "coverage {}: {} of {} event(s) seen, {} of {} item(s) covered ({:.1}%)",
                v.vendor,
                v.events_seen,
                v.events,
                v.covered,
                v.items,
                percent(v.covered, v.items)
            ));
            if v.events_seen == 0 {
                continue;
            }
            let mut unseen = Vec::new();
            for e in &v.list {
                if e.count == 0 {
                    unseen.push(e.event.as_str());
                    continue;
                }
                lines.push(format!(
                    "  {} x{}: {} of {} item(s)",
                    e.event, e.count, e.covered, e.items
                ));
                if let Some(err) = &e.error {
                    lines.push(format!("    items unknown: {err}"));
                }
                for u in e.uncovered.iter().take(LISTED_UNCOVERED) {
                    lines.push(format!("    not covered: {u}"));
                }
                if e.uncovered.len() > LISTED_UNCOVERED {
                    lines.push(format!(
                        "    ... and {} more not covered (the json report lists all)",
                        e.uncovered.len() - LISTED_UNCOVERED
                    ));
                }
            }
            if !unseen.is_empty() {
                lines.push(format!("  never received: {}", unseen.join(", ")));
            }
        }
        if self.required.is_some() || self.min_coverage.is_some() {
            lines.push(format!(
                "coverage of the events in scope: {} of {} item(s) ({:.1}%)",
                self.scope_covered,
                self.scope_items,
                self.percent()
            ));
        }
        for f in self.failures() {
            lines.push(format!("coverage gate failed: {f}"));
        }
        lines.join("\n")
    }

    /// The gates as report cases (none when no gate was set): `required events` and
    /// `minimum coverage`, each passed or failed.
    #[must_use]
    pub fn to_suite(&self) -> Option<crate::report::Suite> {
        use crate::report::{Case, Outcome, Suite};
        let mut suite = Suite::new("(coverage)");
        let class = "hookcheck.coverage";
        if let Some(required) = &self.required {
            let outcome = if self.missing.is_empty() {
                Outcome::Passed
            } else {
                Outcome::failed(format!(
                    "{} of {} required event(s) never arrived: {}",
                    self.missing.len(),
                    required.len(),
                    self.missing.join(", ")
                ))
            };
            suite
                .cases
                .push(Case::new("required events", class).with_outcome(outcome));
        }
        if let Some(min) = self.min_coverage {
            let got = self.percent();
            let outcome = if got < min {
                Outcome::failed(format!(
                    "{got:.1}% of {} item(s) covered, below the minimum of {min}%",
                    self.scope_items
                ))
            } else {
                Outcome::Passed
            };
            suite
                .cases
                .push(Case::new("minimum coverage", class).with_outcome(outcome));
        }
        (!suite.cases.is_empty()).then_some(suite)
    }
}
