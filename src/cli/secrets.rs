//! Shared secrets on the command line, from the environment or from files.
//!
//! A secret given as `--secret VALUE` shows in `ps` and in shell history; the environment
//! variable or the `--…-file` form keeps it out of both, and is what the docs recommend.
//! A secret file holds the secret alone; one trailing newline is ignored.

use std::{fs, path::PathBuf};

use super::CliError;

/// The GetMailer and Standard Webhooks secrets of `listen` (to verify) and of `certify --url`
/// and `replay` (to sign, through [`SigningArgs`](super::keys::SigningArgs)).
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct Secrets {
    /// GetMailer signing secret (X-GetMailer-Signature). Prefer the environment variable or
    /// --getmailer-secret-file: a value on the command line shows in `ps`.
    #[arg(
        long,
        alias = "secret",
        value_name = "SECRET",
        env = "HOOKCHECK_GETMAILER_SECRET",
        hide_env_values = true,
        conflicts_with = "getmailer_secret_file"
    )]
    getmailer_secret: Option<String>,
    /// Read the GetMailer signing secret from this file.
    #[arg(
        long,
        alias = "secret-file",
        value_name = "FILE",
        env = "HOOKCHECK_GETMAILER_SECRET_FILE"
    )]
    getmailer_secret_file: Option<PathBuf>,
    /// Standard Webhooks secret (whsec_...). Prefer the environment variable or
    /// --standard-webhooks-secret-file.
    #[arg(
        long,
        value_name = "SECRET",
        env = "HOOKCHECK_STANDARD_WEBHOOKS_SECRET",
        hide_env_values = true,
        conflicts_with = "standard_webhooks_secret_file"
    )]
    standard_webhooks_secret: Option<String>,
    /// Read the Standard Webhooks secret from this file.
    #[arg(
        long,
        value_name = "FILE",
        env = "HOOKCHECK_STANDARD_WEBHOOKS_SECRET_FILE"
    )]
    standard_webhooks_secret_file: Option<PathBuf>,
}

/// Reads a secret file: its text without one trailing newline.
fn read_secret(path: &PathBuf) -> Result<String, CliError> {
    let text = fs::read_to_string(path).map_err(|source| CliError::Io {
        path: path.clone(),
        source,
    })?;
    let text = text.strip_suffix('\n').unwrap_or(&text);
    let text = text.strip_suffix('\r').unwrap_or(text);
    if text.is_empty() {
        return Err(CliError::Usage(format!(
            "{}: the file is empty",
            path.display()
        )));
    }
    Ok(text.to_owned())
}

fn pick(value: &Option<String>, file: &Option<PathBuf>) -> Result<Option<String>, CliError> {
    match (value, file) {
        (Some(v), _) => Ok(Some(v.clone())),
        (None, Some(path)) => read_secret(path).map(Some),
        (None, None) => Ok(None),
    }
}

impl Secrets {
    /// Whether a secret was given in any form.
    pub(crate) fn any(&self) -> bool {
        self.getmailer_secret.is_some()
            || self.getmailer_secret_file.is_some()
            || self.standard_webhooks_secret.is_some()
            || self.standard_webhooks_secret_file.is_some()
    }

    /// The GetMailer secret, if one was given in any form.
    pub(crate) fn getmailer(&self) -> Result<Option<String>, CliError> {
        pick(&self.getmailer_secret, &self.getmailer_secret_file)
    }

    /// The Standard Webhooks secret, if one was given in any form.
    pub(crate) fn standard_webhooks(&self) -> Result<Option<String>, CliError> {
        pick(
            &self.standard_webhooks_secret,
            &self.standard_webhooks_secret_file,
        )
    }
}
