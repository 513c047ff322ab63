//! `format` values: strings valid per their RFCs, built from choices.
//!
//! One generator per format the validator asserts (draft 2020-12 with format assertion on):
//! dates and times (RFC 3339, ISO 8601 durations), e-mail addresses and host names (RFC 5321,
//! 1123, IDNA), IP addresses, URIs and IRIs (RFC 3986/3987), URI templates (RFC 6570), UUIDs,
//! JSON pointers and regular expressions. Values are realistic (dates near a fixed reference
//! instant, hosts under reserved example domains) and draw `0` gives the plainest one. Every
//! format also names one known-invalid string, used for `format` negatives.

mod net;
mod time;
mod uri;

#[cfg(test)]
pub(crate) use time::REFERENCE_UNIX;
pub(crate) use time::unix_time;

use crate::generate::source::Source;

/// A format the generator knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum StringFormat {
    DateTime,
    Date,
    Time,
    Duration,
    Email,
    IdnEmail,
    Hostname,
    IdnHostname,
    Ipv4,
    Ipv6,
    Uri,
    UriReference,
    Iri,
    IriReference,
    UriTemplate,
    Uuid,
    JsonPointer,
    RelativeJsonPointer,
    Regex,
}

impl StringFormat {
    /// The format called `name`, if known (unknown formats are not asserted by the validator).
    pub(crate) fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "date-time" => Self::DateTime,
            "date" => Self::Date,
            "time" => Self::Time,
            "duration" => Self::Duration,
            "email" => Self::Email,
            "idn-email" => Self::IdnEmail,
            "hostname" => Self::Hostname,
            "idn-hostname" => Self::IdnHostname,
            "ipv4" => Self::Ipv4,
            "ipv6" => Self::Ipv6,
            "uri" => Self::Uri,
            "uri-reference" => Self::UriReference,
            "iri" => Self::Iri,
            "iri-reference" => Self::IriReference,
            "uri-template" => Self::UriTemplate,
            "uuid" => Self::Uuid,
            "json-pointer" => Self::JsonPointer,
            "relative-json-pointer" => Self::RelativeJsonPointer,
            "regex" => Self::Regex,
            _ => return None,
        })
    }

    /// The format's name in schemas.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::DateTime => "date-time",
            Self::Date => "date",
            Self::Time => "time",
            Self::Duration => "duration",
            Self::Email => "email",
            Self::IdnEmail => "idn-email",
            Self::Hostname => "hostname",
            Self::IdnHostname => "idn-hostname",
            Self::Ipv4 => "ipv4",
            Self::Ipv6 => "ipv6",
            Self::Uri => "uri",
            Self::UriReference => "uri-reference",
            Self::Iri => "iri",
            Self::IriReference => "iri-reference",
            Self::UriTemplate => "uri-template",
            Self::Uuid => "uuid",
            Self::JsonPointer => "json-pointer",
            Self::RelativeJsonPointer => "relative-json-pointer",
            Self::Regex => "regex",
        }
    }

    /// A valid value.
    pub(crate) fn generate<S: Source + ?Sized>(self, src: &mut S) -> String {
        match self {
            Self::DateTime => time::date_time(src),
            Self::Date => time::date(src),
            Self::Time => time::time(src),
            Self::Duration => time::duration(src),
            Self::Email => net::email(src, false),
            Self::IdnEmail => net::email(src, true),
            Self::Hostname => net::hostname(src, false),
            Self::IdnHostname => net::hostname(src, true),
            Self::Ipv4 => net::ipv4(src),
            Self::Ipv6 => net::ipv6(src),
            Self::Uri => uri::uri(src, false),
            Self::UriReference => uri::uri_reference(src, false),
            Self::Iri => uri::uri(src, true),
            Self::IriReference => uri::uri_reference(src, true),
            Self::UriTemplate => uri::template(src),
            Self::Uuid => uuid(src),
            Self::JsonPointer => json_pointer(src),
            Self::RelativeJsonPointer => format!("{}{}", src.draw(3), json_pointer(src)),
            Self::Regex => REGEXES[src.choose(REGEXES.len())].to_owned(),
        }
    }

    /// A string that is not a valid value of this format.
    pub(crate) fn invalid(self) -> &'static str {
        match self {
            Self::DateTime => "2024-13-45T25:61:00Z",
            Self::Date => "2023-02-30",
            Self::Time => "25:00:00Z",
            Self::Duration => "P1S",
            Self::Email | Self::IdnEmail => "not-an-email",
            Self::Hostname | Self::IdnHostname => "-bad-.example",
            Self::Ipv4 => "256.1.1.1",
            Self::Ipv6 => "12345::1",
            Self::Uri | Self::Iri => "no scheme here",
            Self::UriReference | Self::IriReference => "\\\\bad reference",
            Self::UriTemplate => "https://example.com/{unclosed",
            Self::Uuid => "not-a-uuid",
            Self::JsonPointer => "no-leading-slash",
            Self::RelativeJsonPointer => "/absolute",
            Self::Regex => "(unclosed",
        }
    }
}

const REGEXES: [&str; 6] = [
    "^[a-z]+$",
    "\\d{3}-\\d{4}",
    "(foo|bar)+",
    "^[A-Z][a-z]*$",
    "[0-9a-f]{8}",
    ".*",
];

/// Lower-case hex digits.
pub(crate) fn hex<S: Source + ?Sized>(src: &mut S, n: usize) -> String {
    let mut out = String::with_capacity(n);
    push_hex(src, n, &mut out);
    out
}

/// Appends `n` lower-case hex digits, sixteen to a draw (draw `0` gives zeros).
fn push_hex<S: Source + ?Sized>(src: &mut S, n: usize, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut left = n;
    while left > 0 {
        let k = left.min(16);
        let mut word = src.draw(u64::MAX);
        for _ in 0..k {
            out.push(char::from(HEX[(word >> 60) as usize]));
            word <<= 4;
        }
        left -= k;
    }
}

/// A version-4 UUID.
pub(crate) fn uuid<S: Source + ?Sized>(src: &mut S) -> String {
    let variant = ['8', '9', 'a', 'b'][src.choose(4)];
    let mut out = String::with_capacity(36);
    push_hex(src, 8, &mut out);
    out.push('-');
    push_hex(src, 4, &mut out);
    out.push_str("-4");
    push_hex(src, 3, &mut out);
    out.push('-');
    out.push(variant);
    push_hex(src, 3, &mut out);
    out.push('-');
    push_hex(src, 12, &mut out);
    out
}

fn json_pointer<S: Source + ?Sized>(src: &mut S) -> String {
    const TOKENS: [&str; 6] = ["data", "items", "0", "a~1b", "name", "m~0n"];
    let n = src.draw(3);
    (0..n)
        .map(|_| format!("/{}", TOKENS[src.choose(TOKENS.len())]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::source::{ReplaySource, RngSource};
    use serde_json::json;

    const ALL: [&str; 19] = [
        "date-time",
        "date",
        "time",
        "duration",
        "email",
        "idn-email",
        "hostname",
        "idn-hostname",
        "ipv4",
        "ipv6",
        "uri",
        "uri-reference",
        "iri",
        "iri-reference",
        "uri-template",
        "uuid",
        "json-pointer",
        "relative-json-pointer",
        "regex",
    ];

    fn validator(name: &str) -> jsonschema::Validator {
        jsonschema::options()
            .should_validate_formats(true)
            .build(&json!({"format": name}))
            .unwrap()
    }

    #[test]
    fn generated_values_are_valid_per_the_validator() {
        for name in ALL {
            let f = StringFormat::from_name(name).unwrap();
            assert_eq!(f.name(), name);
            let v = validator(name);
            for seed in 0..300 {
                let s = f.generate(&mut RngSource::new(seed, 5));
                assert!(v.is_valid(&json!(s)), "{name}: {s:?}");
            }
            let simplest = f.generate(&mut ReplaySource::new(&[]));
            assert!(v.is_valid(&json!(simplest)), "{name}: {simplest:?}");
        }
    }

    #[test]
    fn invalid_examples_are_invalid() {
        for name in ALL {
            let f = StringFormat::from_name(name).unwrap();
            assert!(!validator(name).is_valid(&json!(f.invalid())), "{name}");
        }
    }

    #[test]
    fn unknown_formats_are_none() {
        assert_eq!(StringFormat::from_name("credit-card"), None);
    }
}
