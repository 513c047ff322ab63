//! The signing options `certify --url` and `replay` share: sign each body as its vendor would.
//!
//! Every key and secret can come from the command line, a file or an environment variable
//! ([`Secrets`]). The file and the environment keep it out of `ps` and shell history, and are
//! what the docs recommend.

use std::fs;
use std::path::{Path, PathBuf};

use super::CliError;
use super::secrets::Secrets;
use hookcheck::catalog::Vendor;
use hookcheck::signature::{
    Scheme, Signer, getmailer::GetMailer, postal::PostalSigner, standard::StandardWebhooks,
};

/// How to sign bodies (flattened into a subcommand's arguments).
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct SigningArgs {
    /// Sign Postal bodies with this private key (PEM, as Postal's signing.key):
    /// X-Postal-Signature and X-Postal-Signature-256.
    #[arg(long, value_name = "FILE", env = "HOOKCHECK_POSTAL_PRIVATE_KEY_FILE")]
    postal_private_key: Option<PathBuf>,
    /// The GetMailer secret signs GetMailer bodies; a Standard Webhooks secret signs every
    /// body.
    #[command(flatten)]
    secrets: Secrets,
}

/// The signers the options name, each with the vendors whose bodies it signs (those whose
/// profiles name its scheme; every vendor for Standard Webhooks).
pub(crate) type Signers = Vec<(Vec<Vendor>, Box<dyn Signer>)>;

impl SigningArgs {
    /// Whether any key or secret was given.
    pub(crate) fn any(&self) -> bool {
        self.postal_private_key.is_some() || self.secrets.any()
    }

    /// Reads the keys and secrets into signers.
    pub(crate) fn signers(&self) -> Result<Signers, CliError> {
        let mut signers: Signers = Vec::new();
        if let Some(path) = &self.postal_private_key {
            let signer = PostalSigner::from_pem(&read(path)?)
                .map_err(|e| CliError::Usage(format!("{}: {e}", path.display())))?;
            signers.push((signing_with(Scheme::Postal), Box::new(signer)));
        }
        if let Some(secret) = self.secrets.getmailer()? {
            let signer = GetMailer::new(&secret)
                .map_err(|e| CliError::Usage(format!("GetMailer secret: {e}")))?;
            signers.push((signing_with(Scheme::GetMailer), Box::new(signer)));
        }
        if let Some(secret) = self.secrets.standard_webhooks()? {
            let signer = StandardWebhooks::new(&secret)
                .map_err(|e| CliError::Usage(format!("Standard Webhooks secret: {e}")))?;
            signers.push((Vendor::all().to_vec(), Box::new(signer)));
        }
        Ok(signers)
    }
}

/// The vendors of the catalog whose profiles name `scheme`.
fn signing_with(scheme: Scheme) -> Vec<Vendor> {
    Vendor::all()
        .into_iter()
        .filter(|v| v.profile().schemes().any(|n| n == scheme.as_str()))
        .collect()
}

fn read(path: &Path) -> Result<String, CliError> {
    fs::read_to_string(path).map_err(|source| CliError::Io {
        path: path.to_owned(),
        source,
    })
}
