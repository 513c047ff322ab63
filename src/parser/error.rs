//! [`ParseError`]: why a parser did not return an event, and [`Fault`]: why the harness could
//! not get an answer at all.

use std::{fmt, time::Duration};

use super::JsonPointer;
use crate::catalog::Vendor;

/// Why a [`WebhookParser`](super::WebhookParser) returned no event.
///
/// Every variant except [`Fault`](Self::Fault) is a *rejection*: the parser looked at the payload
/// and said no. A fault means the parser could not be asked or did not answer (a crashed or hung
/// subprocess, an HTTP 5xx, a protocol violation); certification counts it as a failure of the
/// case whatever the payload was. [`is_rejection`](Self::is_rejection) and
/// [`is_fault`](Self::is_fault) classify without matching on variants.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ParseError {
    /// The body is not JSON (syntax error, truncated input, invalid UTF-8).
    NotJson {
        /// One-based line of the error.
        line: usize,
        /// One-based column of the error.
        column: usize,
        /// The JSON parser's message.
        detail: String,
    },
    /// The body is JSON but not the vendor's envelope (for example an array, or a bare Postal
    /// payload without `event`/`payload`).
    WrongEnvelope {
        /// The vendor whose envelope was expected.
        vendor: Vendor,
        /// What was wrong.
        detail: String,
    },
    /// A required field is absent.
    MissingField {
        /// Where the field should be.
        pointer: JsonPointer,
    },
    /// A documented field has the wrong JSON type (including `null` where not nullable).
    WrongType {
        /// The field.
        pointer: JsonPointer,
        /// What was found and what was expected.
        detail: String,
    },
    /// The event name is not one the vendor sends.
    UnknownEvent {
        /// The name as it appears in the payload.
        name: String,
    },
    /// A field has the right type but a value the parser does not accept (out of an enum, out
    /// of range, a duplicate key, a status that contradicts the event).
    InvalidValue {
        /// The field.
        pointer: JsonPointer,
        /// What was wrong.
        detail: String,
    },
    /// The parser does not handle this vendor at all.
    UnsupportedVendor {
        /// The vendor asked for.
        vendor: Vendor,
    },
    /// A parser behind an adapter rejected the payload with its own message (an exec reply with
    /// `"ok": false`, an HTTP 4xx).
    Rejected {
        /// The parser's message, or the HTTP status and body.
        detail: String,
    },
    /// The harness could not get a verdict; see [`Fault`].
    Fault(Fault),
    /// Any other rejection.
    Other {
        /// What was wrong.
        detail: String,
    },
}

impl ParseError {
    /// Whether the parser rejected the payload (every variant but [`Fault`](Self::Fault)).
    #[must_use]
    pub fn is_rejection(&self) -> bool {
        !self.is_fault()
    }

    /// Whether no verdict could be obtained from the parser.
    #[must_use]
    pub fn is_fault(&self) -> bool {
        matches!(self, Self::Fault(_))
    }

    /// The field the error is about, if it names one.
    #[must_use]
    pub fn pointer(&self) -> Option<&JsonPointer> {
        match self {
            Self::MissingField { pointer }
            | Self::WrongType { pointer, .. }
            | Self::InvalidValue { pointer, .. } => Some(pointer),
            _ => None,
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotJson {
                line,
                column,
                detail,
            } => write!(f, "not JSON at line {line} column {column}: {detail}"),
            Self::WrongEnvelope { vendor, detail } => {
                write!(f, "not a {vendor} webhook envelope: {detail}")
            }
            Self::MissingField { pointer } => write!(f, "missing required field {pointer}"),
            Self::WrongType { pointer, detail } => write!(f, "wrong type at {pointer}: {detail}"),
            Self::UnknownEvent { name } => write!(f, "unknown event name {name:?}"),
            Self::InvalidValue { pointer, detail } => {
                write!(f, "invalid value at {pointer}: {detail}")
            }
            Self::UnsupportedVendor { vendor } => write!(f, "vendor {vendor} is not supported"),
            Self::Rejected { detail } => write!(f, "rejected: {detail}"),
            Self::Fault(fault) => write!(f, "harness fault: {fault}"),
            Self::Other { detail } => f.write_str(detail),
        }
    }
}

impl std::error::Error for ParseError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Fault(fault) => Some(fault),
            _ => None,
        }
    }
}

impl From<Fault> for ParseError {
    fn from(fault: Fault) -> Self {
        Self::Fault(fault)
    }
}

/// Why the harness got no verdict from a parser: a failure of the case that is not a rejection.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// The adapter's process could not be started.
    Spawn {
        /// The command line.
        command: String,
        /// The operating system's message.
        detail: String,
    },
    /// The adapter's process exited (or closed its stdout) before answering.
    Crashed {
        /// The exit code, or `None` when it was killed by a signal or is still unknown.
        status: Option<i32>,
        /// The last bytes the process wrote to stderr (lossily decoded).
        stderr: String,
    },
    /// No answer within the time limit; the process was killed or the request abandoned.
    Timeout {
        /// The time limit that was exceeded.
        after: Duration,
    },
    /// The answer broke the protocol (not JSON, wrong id, missing keys, an over-long line).
    Protocol {
        /// What was wrong.
        detail: String,
    },
    /// Writing to or reading from the adapter failed.
    Io {
        /// The operating system's message.
        detail: String,
    },
    /// An HTTP receiver answered with a status that is neither success (2xx) nor rejection
    /// (4xx): a 5xx server error, or a 1xx/3xx that webhook senders treat as failure.
    HttpStatus {
        /// The status code.
        status: u16,
    },
    /// The HTTP request could not be made (connection refused, reset, bad URL).
    Transport {
        /// The HTTP client's message.
        detail: String,
    },
    /// The request signer failed.
    Signer {
        /// The signer's message.
        detail: String,
    },
    /// An in-process parser panicked (reported by runners that catch panics).
    Panicked {
        /// The panic message.
        detail: String,
    },
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Spawn { command, detail } => write!(f, "could not start `{command}`: {detail}"),
            Self::Crashed { status, stderr } => {
                match status {
                    Some(code) => write!(f, "adapter exited with status {code}")?,
                    None => f.write_str("adapter exited (killed or closed stdout)")?,
                }
                if !stderr.trim().is_empty() {
                    write!(f, "; stderr: {}", stderr.trim_end())?;
                }
                Ok(())
            }
            Self::Timeout { after } => write!(f, "no answer within {after:?}"),
            Self::Protocol { detail } => write!(f, "protocol violation: {detail}"),
            Self::Io { detail } => write!(f, "i/o error: {detail}"),
            Self::HttpStatus { status } => write!(f, "receiver answered HTTP {status}"),
            Self::Transport { detail } => write!(f, "HTTP transport error: {detail}"),
            Self::Signer { detail } => write!(f, "signer failed: {detail}"),
            Self::Panicked { detail } => write!(f, "parser panicked: {detail}"),
        }
    }
}

impl std::error::Error for Fault {}
