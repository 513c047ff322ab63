//! Why a certification run could not be carried out (as opposed to a parser failing it).

use std::fmt;
use std::path::PathBuf;

use crate::catalog::CatalogError;

/// A run that could not be carried out or reports that could not be merged.
#[derive(Debug)]
#[non_exhaustive]
pub enum CertifyError {
    /// An unknown vendor or event was asked for, or a schema does not compile.
    Catalog(CatalogError),
    /// The vendor and event filters leave nothing to certify.
    NothingSelected {
        /// The filters, as given.
        filters: String,
    },
    /// A regression file or directory could not be read or written, or is not a regression.
    Regression {
        /// The file or directory.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// Shard reports that do not belong together.
    Merge {
        /// What does not fit.
        message: String,
    },
    /// The parser under test could not be set up (an adapter that does not start, a receiver
    /// that cannot be reached): nothing was certified.
    Parser {
        /// What went wrong.
        message: String,
    },
}

impl fmt::Display for CertifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CertifyError::Catalog(e) => e.fmt(f),
            CertifyError::NothingSelected { filters } => {
                write!(f, "no webhook event matches {filters}")
            }
            CertifyError::Regression { path, message } => {
                write!(f, "regression {}: {message}", path.display())
            }
            CertifyError::Merge { message } => write!(f, "cannot merge reports: {message}"),
            CertifyError::Parser { message } => write!(f, "the parser under test: {message}"),
        }
    }
}

impl std::error::Error for CertifyError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CertifyError::Catalog(e) => Some(e),
            _ => None,
        }
    }
}

impl From<CatalogError> for CertifyError {
    fn from(e: CatalogError) -> Self {
        CertifyError::Catalog(e)
    }
}
