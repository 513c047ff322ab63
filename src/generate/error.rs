//! Why a schema could not be turned into payloads.
//!
//! Three outcomes are kept apart on purpose, because a harness must never report "not
//! applicable" as a pass or a fail: the schema uses something the generator does not know how
//! to honour ([`GenError::Unsupported`]), the schema admits no instance at all
//! ([`GenError::Unsatisfiable`]), or the generator tried and every candidate it built was
//! rejected by the validator ([`GenError::Exhausted`]). [`GenError::Schema`] is a schema that is
//! not a schema (bad `$ref`, uncompilable).

use std::fmt;

use crate::JsonPointer;

/// A place in a schema: the document (its URI; `None` for the root schema) and the JSON pointer
/// inside it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SchemaLocation {
    /// URI of the document holding the location, `None` when it is the root schema.
    pub document: Option<String>,
    /// Pointer inside that document.
    pub pointer: JsonPointer,
}

impl SchemaLocation {
    /// A location inside the root schema.
    #[must_use]
    pub fn root(pointer: JsonPointer) -> Self {
        Self {
            document: None,
            pointer,
        }
    }
}

impl fmt::Display for SchemaLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.document {
            Some(doc) => write!(f, "{doc}#{}", self.pointer),
            None => write!(f, "#{}", self.pointer),
        }
    }
}

/// Why a [`Generator`](super::Generator) could not be built or could not produce a value.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum GenError {
    /// The schema uses a keyword (or a form of one) the generator cannot honour, so it declines
    /// rather than produce values it cannot vouch for.
    Unsupported {
        /// The keyword, e.g. `pattern` or `$schema`.
        keyword: String,
        /// Where the keyword sits.
        location: SchemaLocation,
        /// What exactly is not supported.
        detail: String,
    },
    /// No instance can satisfy the schema.
    Unsatisfiable {
        /// Why (e.g. `minimum 5 is above maximum 3`).
        reason: String,
        /// The schema whose constraints conflict.
        location: SchemaLocation,
    },
    /// Every candidate built for one value was rejected by the validator.
    Exhausted {
        /// How many candidates were built and rejected.
        attempts: u32,
    },
    /// The schema is not a usable schema: it does not compile, or a `$ref` names nothing.
    Schema {
        /// Where the problem is, when known.
        location: SchemaLocation,
        /// What is wrong.
        message: String,
    },
}

impl GenError {
    /// Whether this is [`GenError::Unsupported`].
    #[must_use]
    pub fn is_unsupported(&self) -> bool {
        matches!(self, Self::Unsupported { .. })
    }

    /// Whether this is [`GenError::Unsatisfiable`].
    #[must_use]
    pub fn is_unsatisfiable(&self) -> bool {
        matches!(self, Self::Unsatisfiable { .. })
    }

    pub(crate) fn unsupported(
        keyword: &str,
        location: SchemaLocation,
        detail: impl Into<String>,
    ) -> Self {
        Self::Unsupported {
            keyword: keyword.to_owned(),
            location,
            detail: detail.into(),
        }
    }

    pub(crate) fn schema(location: SchemaLocation, message: impl Into<String>) -> Self {
        Self::Schema {
            location,
            message: message.into(),
        }
    }
}

impl fmt::Display for GenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unsupported {
                keyword,
                location,
                detail,
            } => write!(f, "unsupported `{keyword}` at {location}: {detail}"),
            Self::Unsatisfiable { reason, location } => {
                write!(f, "unsatisfiable schema at {location}: {reason}")
            }
            Self::Exhausted { attempts } => write!(
                f,
                "no valid value after {attempts} candidates (all rejected by the validator)"
            ),
            Self::Schema { location, message } => write!(f, "bad schema at {location}: {message}"),
        }
    }
}

impl std::error::Error for GenError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_the_place() {
        let e = GenError::unsupported(
            "pattern",
            SchemaLocation {
                document: Some("https://x.test/d.json".into()),
                pointer: JsonPointer::root().push("pattern"),
            },
            "lookahead",
        );
        assert_eq!(
            e.to_string(),
            "unsupported `pattern` at https://x.test/d.json#/pattern: lookahead"
        );
        assert!(e.is_unsupported());
        let u = GenError::Unsatisfiable {
            reason: "empty".into(),
            location: SchemaLocation::root(JsonPointer::root()),
        };
        assert_eq!(u.to_string(), "unsatisfiable schema at #: empty");
        assert!(u.is_unsatisfiable());
    }
}
