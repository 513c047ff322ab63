//! What an adapter says about itself: [`AdapterInfo`], the answer to the exec protocol's
//! optional first exchange (and what `--fidelity` says for adapters that cannot answer it).

use serde::{Deserialize, Serialize};

use crate::catalog::Vendor;
use crate::parser::Fidelity;

/// An adapter's self-description.
///
/// Every member is optional: an adapter says what it knows. The certificate records the name
/// and version; `vendors` limits the matrix to the vendors the adapter handles, and `fidelity`
/// decides which properties apply.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AdapterInfo {
    /// The parser's name (e.g. `django-postal-hooks`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The parser's version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The language it is written in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// The vendors it handles (all of them when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendors: Option<Vec<Vendor>>,
    /// What it reports about an accepted payload ([`Fidelity::Fields`] when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fidelity: Option<Fidelity>,
}

impl AdapterInfo {
    /// Whether the adapter handles `vendor` (true unless it listed its vendors without it).
    #[must_use]
    pub fn supports(&self, vendor: Vendor) -> bool {
        self.vendors.as_ref().is_none_or(|v| v.contains(&vendor))
    }

    /// `name version (language)`, with what is known.
    #[must_use]
    pub fn describe(&self) -> Option<String> {
        let mut parts = Vec::new();
        if let Some(name) = &self.name {
            parts.push(name.clone());
        }
        if let Some(version) = &self.version {
            parts.push(version.clone());
        }
        if let Some(language) = &self.language {
            parts.push(format!("({language})"));
        }
        (!parts.is_empty()).then(|| parts.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_hello_reads_and_describes_itself() {
        let info: AdapterInfo = serde_json::from_str(
            r#"{"name":"hooks","version":"1.2","language":"python","vendors":["postal"],"fidelity":"event","extra":1}"#,
        )
        .unwrap();
        assert_eq!(info.describe().as_deref(), Some("hooks 1.2 (python)"));
        assert!(info.supports(Vendor::POSTAL));
        assert!(!info.supports(Vendor::MSNDR));
        assert_eq!(info.fidelity, Some(Fidelity::Event));
        let empty = AdapterInfo::default();
        assert!(empty.supports(Vendor::GETMAILER));
        assert_eq!(empty.describe(), None);
    }
}
