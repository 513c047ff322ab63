//! The TLS options `certify --url`, `replay` and `api-check` share: which server certificates
//! an `https://` URL may present ([`hookcheck::tls`]).

use std::path::PathBuf;

use super::CliError;
use hookcheck::tls::{Tls, UNTRUSTED};

/// What to do about a certificate that is not trusted.
pub(crate) const ADVICE: &str =
    "give its CA with --ca-cert FILE, or --insecure for a self-signed test setup";

/// `message`, with what to do about it when it says a certificate is not trusted.
pub(crate) fn advise(message: &str) -> String {
    if message.contains(UNTRUSTED) {
        format!("{message}; {ADVICE}")
    } else {
        message.to_owned()
    }
}

/// Which certificates to trust over HTTPS (flattened into a subcommand's arguments).
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct TlsArgs {
    /// Over https://, trust only the CA certificates in this PEM file (a private or test CA)
    /// instead of Mozilla's built-in roots.
    #[arg(long, value_name = "FILE", conflicts_with = "insecure")]
    ca_cert: Option<PathBuf>,
    /// Over https://, accept any server certificate without verifying it (self-signed test
    /// setups only).
    #[arg(long)]
    insecure: bool,
}

impl TlsArgs {
    /// Whether `--ca-cert` or `--insecure` was given.
    pub(crate) fn any(&self) -> bool {
        self.ca_cert.is_some() || self.insecure
    }

    /// The options as given, each with a leading space, for a command line that repeats the
    /// run.
    pub(crate) fn options(&self) -> String {
        match &self.ca_cert {
            Some(path) => format!(" --ca-cert {}", path.display()),
            None if self.insecure => " --insecure".to_owned(),
            None => String::new(),
        }
    }

    /// Reads the CA file into a [`Tls`]; with `--insecure`, says on stderr that certificates
    /// go unverified.
    pub(crate) fn tls(&self) -> Result<Tls, CliError> {
        let tls = Tls::from_options(self.ca_cert.as_deref(), self.insecure)
            .map_err(|e| CliError::Usage(e.to_string()))?;
        if tls.is_insecure() {
            eprintln!(
                "hookcheck: warning: --insecure: server certificates are not verified; \
                 anyone on the path can read and change the requests"
            );
        }
        Ok(tls)
    }
}
