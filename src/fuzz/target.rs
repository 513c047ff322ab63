//! The names of the fuzz targets and what each is fed.

use std::{fmt, str::FromStr};

use crate::catalog::Vendor;

/// One target of the `fuzz/` crate: `fuzz/fuzz_targets/<name>.rs`, seeds in
/// `fuzz/seeds/<name>/`, crash regressions in `fuzz/regressions/<name>/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Target {
    /// Raw bytes into the Postal reference parser.
    RawPostal,
    /// Raw bytes into the msndr.net reference parser.
    RawMsndr,
    /// Raw bytes into the GetMailer reference parser.
    RawGetMailer,
    /// Raw bytes into the Resend reference parser.
    RawResend,
    /// Fuzzer bytes drive the generator to a schema-valid payload that must be accepted.
    Structured,
    /// A valid payload and one mutation; validator and parser verdicts must agree.
    Differential,
    /// Raw bytes through decoding, detection and every catalog validator.
    Validate,
}

impl Target {
    /// Every target, in the order CI runs them.
    pub const ALL: [Target; 7] = [
        Target::RawPostal,
        Target::RawMsndr,
        Target::RawGetMailer,
        Target::RawResend,
        Target::Structured,
        Target::Differential,
        Target::Validate,
    ];

    /// The target's name: its file under `fuzz/fuzz_targets/` and its corpus directories.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Target::RawPostal => "raw_postal",
            Target::RawMsndr => "raw_msndr",
            Target::RawGetMailer => "raw_getmailer",
            Target::RawResend => "raw_resend",
            Target::Structured => "structured",
            Target::Differential => "differential",
            Target::Validate => "validate",
        }
    }

    /// The vendor whose bodies a raw target takes; `None` for the catalog-wide targets.
    #[must_use]
    pub fn vendor(self) -> Option<Vendor> {
        match self {
            Target::RawPostal => Some(Vendor::POSTAL),
            Target::RawMsndr => Some(Vendor::MSNDR),
            Target::RawGetMailer => Some(Vendor::GETMAILER),
            Target::RawResend => Some(Vendor::RESEND),
            Target::Structured | Target::Differential | Target::Validate => None,
        }
    }

    /// Whether the input is JSON text (so JSON seeds and a JSON dictionary help), rather than
    /// the unstructured bytes the generator consumes.
    #[must_use]
    pub fn takes_json(self) -> bool {
        !matches!(self, Target::Structured | Target::Differential)
    }

    /// The stem of its dictionary under `fuzz/dict/` (`postal` for `fuzz/dict/postal.dict`),
    /// or `None` for the targets whose input is not JSON text.
    #[must_use]
    pub fn dictionary(self) -> Option<&'static str> {
        match (self.vendor(), self.takes_json()) {
            (Some(vendor), _) => Some(vendor.as_str()),
            (None, true) => Some(super::dict::ALL_VENDORS),
            (None, false) => None,
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A name that is not one of [`Target::ALL`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownTarget(pub String);

impl fmt::Display for UnknownTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown fuzz target {:?} (known:", self.0)?;
        for t in Target::ALL {
            write!(f, " {t}")?;
        }
        f.write_str(")")
    }
}

impl std::error::Error for UnknownTarget {}

impl FromStr for Target {
    type Err = UnknownTarget;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Target::ALL
            .into_iter()
            .find(|t| t.name() == s)
            .ok_or_else(|| UnknownTarget(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_raw_targets_name_their_vendor() {
        for t in Target::ALL {
            assert_eq!(t.name().parse::<Target>(), Ok(t));
            if let Some(v) = t.vendor() {
                assert_eq!(t.name(), format!("raw_{v}"));
                assert_eq!(t.dictionary(), Some(v.as_str()));
            }
        }
        let err = "raw_sendgrid".parse::<Target>().unwrap_err();
        assert!(err.to_string().contains("raw_postal"), "{err}");
        assert_eq!(Target::Structured.dictionary(), None);
        assert_eq!(Target::Validate.dictionary(), Some("all"));
    }
}
