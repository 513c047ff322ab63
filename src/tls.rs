//! TLS for the HTTP clients: the `--url` adapter ([`HttpParser`](crate::adapters::http::HttpParser)),
//! `replay` (`listen::replay::Client`) and `api-check` (`api::client::Client`, the last two
//! with the `listen` feature).
//!
//! Every client speaks `https://` as well as `http://`, through rustls with the ring crypto
//! provider. A [`Tls`] says which server certificates are trusted, and every client turns it
//! into its TLS configuration the same way:
//!
//! | [`Tls`] | trusts | CLI |
//! | --- | --- | --- |
//! | [`Tls::default`] | Mozilla's root certificates ([webpki-roots], built in: the same on every machine, whatever the system's store holds) | — |
//! | [`Tls::from_ca_file`] | only the CA certificates of a PEM file (a private or a test CA), as `curl --cacert` does | `--ca-cert FILE` |
//! | [`Tls::insecure`] | any certificate, unverified (self-signed test setups only) | `--insecure` |
//!
//! A request that fails in the TLS handshake (an untrusted certificate, a server that does not
//! speak TLS) is a transport failure whose message starts with `TLS:`; for a certificate that
//! is not trusted, it then says so in the words of [`UNTRUSTED`].
//!
//! [webpki-roots]: https://crates.io/crates/webpki-roots
//!
//! # Example
//!
//! ```no_run
//! use hookcheck::{adapters::http::HttpParser, tls::Tls};
//!
//! let tls = Tls::from_ca_file("staging-ca.pem".as_ref())?;
//! let receiver = HttpParser::new("https://staging.example.com/webhooks").with_tls(&tls);
//! # Ok::<(), hookcheck::tls::TlsError>(())
//! ```

use std::{fmt, fs, io, path::Path, path::PathBuf, sync::Arc};

use rustls::pki_types::{CertificateDer, pem::PemObject};
use ureq::tls::{Certificate, RootCerts, TlsConfig, TlsProvider};

/// Which server certificates the HTTP clients trust; see the [module docs](self).
#[derive(Clone, Default)]
pub struct Tls {
    trust: Trust,
}

#[derive(Clone, Default)]
enum Trust {
    /// Mozilla's roots.
    #[default]
    WebPki,
    /// Only these CA certificates.
    Only(Arc<Vec<Certificate<'static>>>),
    /// Anything, unverified.
    Any,
}

/// Why a CA file cannot be used: it is shown as `path: message`.
#[derive(Debug)]
#[non_exhaustive]
pub enum TlsError {
    /// The file cannot be read.
    Read {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
    /// A PEM block of the file is broken.
    BadPem {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The file holds no PEM certificate (`-----BEGIN CERTIFICATE-----`).
    NoCertificate {
        /// The file.
        path: PathBuf,
    },
    /// A certificate of the file cannot be a trust anchor.
    BadCertificate {
        /// The file.
        path: PathBuf,
        /// Which certificate of the file (1-based).
        index: usize,
        /// What rustls found wrong.
        message: String,
    },
}

impl fmt::Display for TlsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TlsError::Read { path, source } => write!(f, "{}: {source}", path.display()),
            TlsError::BadPem { path, message } => {
                write!(f, "{}: not a PEM file: {message}", path.display())
            }
            TlsError::NoCertificate { path } => write!(
                f,
                "{}: no certificate in it (expected PEM blocks starting with \
                 -----BEGIN CERTIFICATE-----)",
                path.display()
            ),
            TlsError::BadCertificate {
                path,
                index,
                message,
            } => write!(
                f,
                "{}: certificate {index} cannot be a CA: {message}",
                path.display()
            ),
        }
    }
}

impl std::error::Error for TlsError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            TlsError::Read { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl Tls {
    /// Trust only the CA certificates in the PEM file at `path` (one or more
    /// `-----BEGIN CERTIFICATE-----` blocks; other blocks, such as keys, are ignored).
    ///
    /// # Errors
    ///
    /// [`TlsError`] when the file cannot be read, a PEM block is broken, it holds no
    /// certificate, or a certificate is not one rustls can anchor trust in.
    pub fn from_ca_file(path: &Path) -> Result<Self, TlsError> {
        let pem = fs::read(path).map_err(|source| TlsError::Read {
            path: path.to_owned(),
            source,
        })?;
        let mut store = rustls::RootCertStore::empty();
        let mut certs = Vec::new();
        for (i, der) in CertificateDer::pem_slice_iter(&pem).enumerate() {
            let der = der.map_err(|e| TlsError::BadPem {
                path: path.to_owned(),
                message: e.to_string(),
            })?;
            store
                .add(der.clone())
                .map_err(|e| TlsError::BadCertificate {
                    path: path.to_owned(),
                    index: i + 1,
                    message: e.to_string(),
                })?;
            certs.push(Certificate::from_der(&der).to_owned());
        }
        if certs.is_empty() {
            return Err(TlsError::NoCertificate {
                path: path.to_owned(),
            });
        }
        Ok(Self {
            trust: Trust::Only(Arc::new(certs)),
        })
    }

    /// Trust any certificate without verifying it: for self-signed test setups only, as
    /// anyone between the client and the server can then read and change the requests.
    #[must_use]
    pub fn insecure() -> Self {
        Self { trust: Trust::Any }
    }

    /// Trust the CA file at `ca_cert` if one is given, any certificate if `insecure`, else
    /// Mozilla's roots: what the `--ca-cert` and `--insecure` options ask for.
    ///
    /// # Errors
    ///
    /// As [`from_ca_file`](Self::from_ca_file).
    pub fn from_options(ca_cert: Option<&Path>, insecure: bool) -> Result<Self, TlsError> {
        match ca_cert {
            Some(path) => Self::from_ca_file(path),
            None if insecure => Ok(Self::insecure()),
            None => Ok(Self::default()),
        }
    }

    /// Whether certificates go unverified.
    #[must_use]
    pub fn is_insecure(&self) -> bool {
        matches!(self.trust, Trust::Any)
    }

    /// The TLS configuration of a client's agent: the one place that turns a [`Tls`] into
    /// ureq's configuration, for every client.
    pub(crate) fn config(&self) -> TlsConfig {
        let builder = TlsConfig::builder().provider(TlsProvider::Rustls);
        match &self.trust {
            Trust::WebPki => builder.root_certs(RootCerts::WebPki),
            Trust::Only(certs) => builder.root_certs(RootCerts::Specific(Arc::clone(certs))),
            Trust::Any => builder.disable_verification(true),
        }
        .build()
    }

    /// An HTTP agent as every hookcheck client is set up, trusting what `self` says: an answer
    /// of any status is returned (not an error), a redirect is not followed (the 3xx is the
    /// answer), and `timeout` bounds each whole exchange. `user_agent` is sent when given; a
    /// client that sends requests as recorded gives `None` and sends none of its own.
    pub(crate) fn agent(
        &self,
        timeout: std::time::Duration,
        user_agent: Option<String>,
    ) -> ureq::Agent {
        use ureq::config::AutoHeaderValue;
        ureq::Agent::config_builder()
            .tls_config(self.config())
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .max_redirects(0)
            .max_redirects_will_error(false)
            .allow_non_standard_methods(true)
            .user_agent(match user_agent {
                Some(ua) => AutoHeaderValue::Provided(Arc::new(ua)),
                None => AutoHeaderValue::None,
            })
            .build()
            .into()
    }
}

impl fmt::Debug for Tls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let trust = match &self.trust {
            Trust::WebPki => "webpki roots".to_owned(),
            Trust::Only(certs) => format!("{} CA certificate(s)", certs.len()),
            Trust::Any => "any certificate (insecure)".to_owned(),
        };
        f.debug_struct("Tls").field("trust", &trust).finish()
    }
}

/// What the message of a failed request says when the server's certificate is not trusted
/// (trust its CA with [`Tls::from_ca_file`], or none with [`Tls::insecure`]).
pub const UNTRUSTED: &str = "the server's certificate is not trusted";

/// The rustls error behind a request's failure, if the TLS handshake failed.
fn rustls_error(err: &ureq::Error) -> Option<&rustls::Error> {
    match err {
        ureq::Error::Rustls(e) => Some(e),
        ureq::Error::Io(io) => io.get_ref()?.downcast_ref::<rustls::Error>(),
        _ => None,
    }
}

/// When `err` is a failed TLS handshake, what went wrong and what to do about it, starting
/// with `TLS:`.
pub(crate) fn failure(err: &ureq::Error) -> Option<String> {
    let e = rustls_error(err)?;
    Some(match e {
        rustls::Error::InvalidCertificate(_) | rustls::Error::NoCertificatesPresented => {
            format!("TLS: {e}: {UNTRUSTED}")
        }
        rustls::Error::InvalidMessage(_) => {
            format!("TLS: {e} (does the server speak TLS on this port?)")
        }
        _ => format!("TLS: {e}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(content: &[u8]) -> tempfile::NamedTempFile {
        use std::io::Write as _;
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(content).unwrap();
        f
    }

    #[test]
    fn unusable_ca_files_say_why_after_their_path() {
        let missing = Path::new("/nonexistent/ca.pem");
        let err = Tls::from_ca_file(missing).unwrap_err();
        assert!(matches!(err, TlsError::Read { .. }), "{err:?}");
        assert!(
            err.to_string().starts_with("/nonexistent/ca.pem: "),
            "{err}"
        );

        let text = file(b"just some text\n");
        let err = Tls::from_ca_file(text.path()).unwrap_err();
        assert!(matches!(err, TlsError::NoCertificate { .. }), "{err:?}");
        assert!(
            err.to_string()
                .starts_with(&format!("{}: no certificate", text.path().display())),
            "{err}"
        );

        let broken = file(b"-----BEGIN CERTIFICATE-----\n%%%%\n-----END CERTIFICATE-----\n");
        let err = Tls::from_ca_file(broken.path()).unwrap_err();
        assert!(matches!(err, TlsError::BadPem { .. }), "{err:?}");

        let not_der = file(b"-----BEGIN CERTIFICATE-----\naGVsbG8=\n-----END CERTIFICATE-----\n");
        let err = Tls::from_ca_file(not_der.path()).unwrap_err();
        assert!(
            matches!(err, TlsError::BadCertificate { index: 1, .. }),
            "{err:?}"
        );
    }

    #[test]
    fn the_options_choose_the_trust() {
        assert!(Tls::from_options(None, true).unwrap().is_insecure());
        assert!(!Tls::from_options(None, false).unwrap().is_insecure());
        assert!(!Tls::default().config().disable_verification());
        assert!(Tls::insecure().config().disable_verification());
        assert!(matches!(
            Tls::default().config().root_certs(),
            RootCerts::WebPki
        ));
    }
}
