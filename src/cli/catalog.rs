//! `--catalog DIR` and `--no-builtin`: a user's own vendors, for every subcommand.
//!
//! The options are global (they go anywhere on the command line). They are read before the
//! rest of the arguments, so that `--vendor` and `VENDOR/EVENT` arguments can name the
//! vendors the directory adds: the directory is loaded into the process-wide catalog
//! ([`Catalog::load_dir`]) first, then the command line is parsed as usual.

use std::ffi::OsString;
use std::path::PathBuf;

use super::CliError;
use hookcheck::catalog::Catalog;

/// The catalog options, as clap documents and checks them.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct CatalogArgs {
    /// Also load the vendors of this directory, laid out like schemas/ (<vendor>/vendor.json
    /// and <vendor>/<event>.json); see docs/custom-vendors.md.
    #[arg(long, global = true, value_name = "DIR")]
    pub catalog: Option<PathBuf>,
    /// With --catalog: use only its vendors, not the built-in ones.
    #[arg(long, global = true, requires = "catalog")]
    pub no_builtin: bool,
}

/// Finds `--catalog DIR` (or `--catalog=DIR`) and `--no-builtin` among the raw arguments (up
/// to a `--`).
#[must_use]
pub(crate) fn scan(args: &[OsString]) -> (Option<PathBuf>, bool) {
    let mut dir = None;
    let mut no_builtin = false;
    let mut items = args.iter().skip(1);
    while let Some(arg) = items.next() {
        let text = arg.to_string_lossy();
        if text == "--" {
            break;
        } else if text == "--catalog" {
            dir = items.next().map(PathBuf::from);
        } else if let Some(value) = text.strip_prefix("--catalog=") {
            dir = Some(PathBuf::from(value));
        } else if text == "--no-builtin" {
            no_builtin = true;
        }
    }
    (dir, no_builtin)
}

/// Loads the catalog the raw arguments name, if any (see the module docs).
///
/// # Errors
///
/// [`CliError::Catalog`] for a directory that does not load, [`CliError::Usage`] for
/// `--no-builtin` without `--catalog` (clap reports that too, with its usage line).
pub(crate) fn preload(args: &[OsString]) -> Result<(), CliError> {
    match scan(args) {
        (Some(dir), no_builtin) => {
            Catalog::load_dir(&dir, !no_builtin)?;
            Ok(())
        }
        (None, true) => Err(CliError::Usage(
            "--no-builtin needs --catalog DIR (the catalog to use instead)".into(),
        )),
        (None, false) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(items: &[&str]) -> Vec<OsString> {
        items.iter().map(OsString::from).collect()
    }

    #[test]
    fn finds_the_options_anywhere_before_a_double_dash() {
        assert_eq!(
            scan(&args(&[
                "hookcheck",
                "list",
                "--catalog",
                "d",
                "--no-builtin"
            ])),
            (Some(PathBuf::from("d")), true)
        );
        assert_eq!(
            scan(&args(&["hookcheck", "--catalog=e", "validate", "x.json"])),
            (Some(PathBuf::from("e")), false)
        );
        assert_eq!(
            scan(&args(&[
                "hookcheck",
                "certify",
                "--exec",
                "p",
                "--",
                "--catalog",
                "d"
            ])),
            (None, false)
        );
    }
}
