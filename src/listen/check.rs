//! What `listen` asks of a payload: bytes in, a verdict and the vendor out.

use crate::catalog::{Catalog, CatalogError, Vendor, detect};
use crate::validate::{
    check::{Verdict, check_value},
    input,
};

/// The result of checking one body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// The schema verdict.
    pub verdict: Verdict,
    /// The vendor whose envelope the body has (even if the event is unknown), or the vendor
    /// the listener was restricted to; `None` when it cannot be told (including ambiguous
    /// bodies).
    pub vendor: Option<Vendor>,
    /// Every vendor whose envelope shape the body has ([`detect::shapes`]); more than one for
    /// an ambiguous body. A receiver with keys demands the signature of each of these.
    pub shapes: Vec<Vendor>,
}

/// Checks request bodies. [`CatalogChecker`] is the real one; tests may plug in others.
pub trait Checker: Send + Sync + 'static {
    /// Checks one raw body.
    ///
    /// # Errors
    ///
    /// [`CatalogError`] only when a schema itself is broken; problems with the body are
    /// verdicts.
    fn check(&self, body: &[u8]) -> Result<Checked, CatalogError>;
}

/// Checks bodies against a catalog, detecting vendor and event from the envelope.
#[derive(Debug, Clone, Copy)]
pub struct CatalogChecker {
    catalog: &'static Catalog,
    vendor: Option<Vendor>,
}

impl CatalogChecker {
    /// A checker over `catalog`, restricted to `vendor`'s events if given.
    #[must_use]
    pub fn new(catalog: &'static Catalog, vendor: Option<Vendor>) -> Self {
        Self { catalog, vendor }
    }

    /// A checker over the built-in catalog.
    #[must_use]
    pub fn builtin(vendor: Option<Vendor>) -> Self {
        Self::new(Catalog::active(), vendor)
    }
}

impl Checker for CatalogChecker {
    fn check(&self, body: &[u8]) -> Result<Checked, CatalogError> {
        // The listener enforces its own size limit before a body gets here.
        let value = match input::parse(body, u64::MAX) {
            Ok(v) => v,
            Err(e) => {
                return Ok(Checked {
                    verdict: Verdict::Malformed {
                        message: e.to_string(),
                    },
                    vendor: self.vendor,
                    shapes: Vec::new(),
                });
            }
        };
        let vendor = detect::envelope(&value, self.vendor)
            .ok()
            .map(|(v, _, _)| v)
            .or_else(|| detect::batch(&value, self.vendor).map(|(v, _)| v))
            .or(self.vendor);
        let shapes = detect::shapes(&value);
        let verdict = check_value(self.catalog, &value, None, self.vendor)?;
        Ok(Checked {
            verdict,
            vendor,
            shapes,
        })
    }
}
