//! The three webhook vendors hookcheck knows.

use std::{fmt, str::FromStr};

/// A webhook vendor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Vendor {
    /// Postal (postalserver/postal): `{event, timestamp, payload, uuid}` envelopes.
    Postal,
    /// msndr.net (NotiSend / RuSender legacy API): `{message, event}` bodies.
    Msndr,
    /// GetMailer (getmailer.co): `{id, type, timestamp, data}` envelopes.
    GetMailer,
}

impl Vendor {
    /// The lower-case name used on the command line and in file paths.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Postal => "postal",
            Self::Msndr => "msndr",
            Self::GetMailer => "getmailer",
        }
    }
}

impl fmt::Display for Vendor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error returned when a string names no known vendor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownVendor {
    /// The string that was given.
    pub name: String,
}

impl fmt::Display for UnknownVendor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown vendor {:?} (expected postal, msndr or getmailer)",
            self.name
        )
    }
}

impl std::error::Error for UnknownVendor {}

impl FromStr for Vendor {
    type Err = UnknownVendor;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "postal" => Ok(Self::Postal),
            "msndr" => Ok(Self::Msndr),
            "getmailer" => Ok(Self::GetMailer),
            _ => Err(UnknownVendor { name: s.to_owned() }),
        }
    }
}
