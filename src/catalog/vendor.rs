//! The vendors hookcheck knows.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

/// A webhook-sending service whose events are in the catalog.
///
/// The lower-case name (`postal`, `msndr`, `getmailer`) is the directory under `schemas/`, the
/// prefix of catalog keys (`postal/MessageSent`) and what `--vendor` takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Vendor {
    /// Postal (postalserver/postal) and its rebrands: `{event, timestamp, payload, uuid}`.
    Postal,
    /// msndr.net (NotiSend/RuSender lineage): `{message: {id}, event: {name, timestamp, data}}`.
    Msndr,
    /// GetMailer (getmailer.co): `{id, type, timestamp, data}`.
    #[serde(rename = "getmailer")]
    GetMailer,
}

impl Vendor {
    /// Every vendor, in catalog order.
    pub const ALL: [Vendor; 3] = [Vendor::Postal, Vendor::Msndr, Vendor::GetMailer];

    /// The lower-case name: `postal`, `msndr` or `getmailer`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Vendor::Postal => "postal",
            Vendor::Msndr => "msndr",
            Vendor::GetMailer => "getmailer",
        }
    }
}

impl fmt::Display for Vendor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A vendor name that hookcheck does not know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownVendor(pub String);

impl UnknownVendor {
    /// The known vendor whose name is nearest to the one given (at most 2 edits away, case
    /// ignored), if any.
    #[must_use]
    pub fn suggestion(&self) -> Option<Vendor> {
        if self.0.len() > 32 {
            return None;
        }
        let given = self.0.to_lowercase();
        Vendor::ALL
            .into_iter()
            .map(|v| (strsim::levenshtein(&given, v.as_str()), v))
            .filter(|(d, _)| *d <= 2)
            .min_by_key(|(d, _)| *d)
            .map(|(_, v)| v)
    }
}

impl fmt::Display for UnknownVendor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown vendor {:?} (", self.0)?;
        if let Some(v) = self.suggestion() {
            write!(f, "did you mean {:?}? ", v.as_str())?;
        }
        f.write_str("known: postal, msndr, getmailer)")
    }
}

impl std::error::Error for UnknownVendor {}

impl FromStr for Vendor {
    type Err = UnknownVendor;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "postal" => Ok(Vendor::Postal),
            "msndr" | "msndr.net" => Ok(Vendor::Msndr),
            "getmailer" => Ok(Vendor::GetMailer),
            _ => Err(UnknownVendor(s.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for v in Vendor::ALL {
            assert_eq!(v.as_str().parse::<Vendor>(), Ok(v));
            assert_eq!(serde_json::to_value(v).unwrap(), v.as_str());
        }
        assert_eq!("GetMailer".parse::<Vendor>(), Ok(Vendor::GetMailer));
        assert_eq!(
            "mailgun".parse::<Vendor>().unwrap_err().to_string(),
            r#"unknown vendor "mailgun" (known: postal, msndr, getmailer)"#
        );
        assert_eq!(
            "Postl".parse::<Vendor>().unwrap_err().to_string(),
            r#"unknown vendor "Postl" (did you mean "postal"? known: postal, msndr, getmailer)"#
        );
    }
}
