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

impl fmt::Display for UnknownVendor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown vendor {:?} (known: postal, msndr, getmailer)",
            self.0
        )
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
        assert!(
            "mailgun"
                .parse::<Vendor>()
                .unwrap_err()
                .to_string()
                .contains("known: postal")
        );
    }
}
