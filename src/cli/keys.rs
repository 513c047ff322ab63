//! The signing options `certify --url` and `replay` share: sign each body as its vendor would.
//!
//! Every key and secret can come from the command line, a file or an environment variable. The
//! file and the environment keep it out of `ps` and shell history, and are what the docs
//! recommend.

use std::fs;
use std::path::{Path, PathBuf};

use super::CliError;
use crate::catalog::Vendor;
use crate::signature::{
    Signer, getmailer::GetMailer, postal::PostalSigner, standard::StandardWebhooks,
};

/// How to sign bodies (flattened into a subcommand's arguments).
#[derive(Debug, Default, clap::Args)]
pub(crate) struct SigningArgs {
    /// Sign Postal bodies with this private key (PEM, as Postal's signing.key):
    /// X-Postal-Signature and X-Postal-Signature-256.
    #[arg(long, value_name = "FILE", env = "HOOKCHECK_POSTAL_PRIVATE_KEY_FILE")]
    postal_private_key: Option<PathBuf>,
    /// Sign GetMailer bodies with this secret (X-GetMailer-Signature). Prefer
    /// --getmailer-secret-file or HOOKCHECK_GETMAILER_SECRET: a command line is visible to `ps`.
    #[arg(
        long,
        value_name = "SECRET",
        alias = "secret",
        hide_env_values = true,
        env = "HOOKCHECK_GETMAILER_SECRET"
    )]
    getmailer_secret: Option<String>,
    /// Read the GetMailer secret from this file (surrounding whitespace trimmed).
    #[arg(long, value_name = "FILE", conflicts_with = "getmailer_secret")]
    getmailer_secret_file: Option<PathBuf>,
    /// Sign every body with this Standard Webhooks secret (whsec_...). Prefer
    /// --standard-webhooks-secret-file or HOOKCHECK_STANDARD_WEBHOOKS_SECRET.
    #[arg(
        long,
        value_name = "SECRET",
        hide_env_values = true,
        env = "HOOKCHECK_STANDARD_WEBHOOKS_SECRET"
    )]
    standard_webhooks_secret: Option<String>,
    /// Read the Standard Webhooks secret from this file (surrounding whitespace trimmed).
    #[arg(long, value_name = "FILE", conflicts_with = "standard_webhooks_secret")]
    standard_webhooks_secret_file: Option<PathBuf>,
}

/// The signers the options name, each with the vendors whose bodies it signs.
pub(crate) type Signers = Vec<(Vec<Vendor>, Box<dyn Signer>)>;

impl SigningArgs {
    /// Whether any key or secret was given.
    pub(crate) fn any(&self) -> bool {
        self.postal_private_key.is_some()
            || self.getmailer_secret.is_some()
            || self.getmailer_secret_file.is_some()
            || self.standard_webhooks_secret.is_some()
            || self.standard_webhooks_secret_file.is_some()
    }

    /// Reads the keys and secrets into signers.
    pub(crate) fn signers(&self) -> Result<Signers, CliError> {
        let mut signers: Signers = Vec::new();
        if let Some(path) = &self.postal_private_key {
            let signer = PostalSigner::from_pem(&read(path)?)
                .map_err(|e| CliError::Usage(format!("{}: {e}", path.display())))?;
            signers.push((vec![Vendor::Postal], Box::new(signer)));
        }
        if let Some(secret) = secret(&self.getmailer_secret, &self.getmailer_secret_file)? {
            let signer = GetMailer::new(&secret)
                .map_err(|e| CliError::Usage(format!("--getmailer-secret: {e}")))?;
            signers.push((vec![Vendor::GetMailer], Box::new(signer)));
        }
        if let Some(secret) = secret(
            &self.standard_webhooks_secret,
            &self.standard_webhooks_secret_file,
        )? {
            let signer = StandardWebhooks::new(&secret)
                .map_err(|e| CliError::Usage(format!("--standard-webhooks-secret: {e}")))?;
            signers.push((Vendor::ALL.to_vec(), Box::new(signer)));
        }
        Ok(signers)
    }
}

fn read(path: &Path) -> Result<String, CliError> {
    fs::read_to_string(path).map_err(|source| CliError::Io {
        path: path.to_owned(),
        source,
    })
}

fn secret(value: &Option<String>, file: &Option<PathBuf>) -> Result<Option<String>, CliError> {
    match (value, file) {
        (Some(v), _) => Ok(Some(v.clone())),
        (None, Some(path)) => Ok(Some(read(path)?.trim().to_owned())),
        (None, None) => Ok(None),
    }
}
