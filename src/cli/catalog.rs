//! `--catalog DIR|FILE` and `--no-builtin`: a user's own vendors, for every subcommand.
//!
//! The options are global (they go anywhere on the command line). They are read before the
//! rest of the arguments, so that `--vendor` and `VENDOR/EVENT` arguments can name the
//! vendors the catalog adds: a directory ([`Catalog::load_dir`]) or an OpenAPI 3.1 document's
//! `webhooks` ([`Catalog::load_openapi`], with `--event-pointer`) is loaded into the
//! process-wide catalog first, then the command line is parsed as usual.

use std::ffi::OsString;
use std::path::PathBuf;

use super::CliError;
use hookcheck::JsonPointer;
use hookcheck::catalog::Catalog;
use hookcheck::openapi::ImportOptions;

/// The catalog options, as clap documents and checks them.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct CatalogArgs {
    /// Also load the vendors of this directory, laid out like schemas/ (<vendor>/vendor.json
    /// and <vendor>/<event>.json; see docs/custom-vendors.md), or the webhooks of this OpenAPI
    /// 3.1 document (.json, .yaml or .yml).
    #[arg(long, global = true, value_name = "DIR|FILE")]
    pub catalog: Option<PathBuf>,
    /// With --catalog: use only its vendors, not the built-in ones.
    #[arg(long, global = true, requires = "catalog")]
    pub no_builtin: bool,
    /// With --catalog FILE (OpenAPI): the JSON pointer of the event name in every body,
    /// instead of what x-hookcheck says or what is inferred from the body schemas.
    #[arg(long, global = true, requires = "catalog", value_name = "POINTER")]
    pub event_pointer: Option<String>,
}

/// The catalog options found among the raw arguments.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Scanned {
    /// `--catalog`.
    pub(crate) catalog: Option<PathBuf>,
    /// `--no-builtin`.
    pub(crate) no_builtin: bool,
    /// `--event-pointer`.
    pub(crate) event_pointer: Option<String>,
}

/// Finds `--catalog PATH` (or `--catalog=PATH`), `--no-builtin` and `--event-pointer P` among
/// the raw arguments (up to a `--`).
#[must_use]
pub(crate) fn scan(args: &[OsString]) -> Scanned {
    let mut found = Scanned::default();
    let mut items = args.iter().skip(1);
    while let Some(arg) = items.next() {
        let text = arg.to_string_lossy();
        if text == "--" {
            break;
        } else if text == "--catalog" {
            found.catalog = items.next().map(PathBuf::from);
        } else if let Some(value) = text.strip_prefix("--catalog=") {
            found.catalog = Some(PathBuf::from(value));
        } else if text == "--no-builtin" {
            found.no_builtin = true;
        } else if text == "--event-pointer" {
            found.event_pointer = items.next().map(|p| p.to_string_lossy().into_owned());
        } else if let Some(value) = text.strip_prefix("--event-pointer=") {
            found.event_pointer = Some(value.to_owned());
        }
    }
    found
}

/// Loads the catalog the raw arguments name, if any (see the module docs).
///
/// # Errors
///
/// [`CliError::Catalog`] for a catalog that does not load, [`CliError::Usage`] for
/// `--no-builtin` or `--event-pointer` without `--catalog`, or a pointer that is not one
/// (clap reports the first two too, with its usage line).
pub(crate) fn preload(args: &[OsString]) -> Result<(), CliError> {
    let found = scan(args);
    let Some(path) = found.catalog else {
        return match (found.no_builtin, found.event_pointer) {
            (true, _) => Err(CliError::Usage(
                "--no-builtin needs --catalog DIR|FILE (the catalog to use instead)".into(),
            )),
            (_, Some(_)) => Err(CliError::Usage(
                "--event-pointer goes with --catalog FILE (an OpenAPI document)".into(),
            )),
            _ => Ok(()),
        };
    };
    if path.is_dir() {
        if found.event_pointer.is_some() {
            return Err(CliError::Usage(
                "--event-pointer is for an OpenAPI document; a catalog directory's profiles say \
                 their event_name"
                    .into(),
            ));
        }
        Catalog::load_dir(&path, !found.no_builtin)?;
        return Ok(());
    }
    let event_pointer = found
        .event_pointer
        .map(|p| {
            JsonPointer::parse(&p)
                .map_err(|e| CliError::Usage(format!("--event-pointer {p:?}: {e}")))
        })
        .transpose()?;
    let options = ImportOptions {
        event_pointer,
        file: Some(path.display().to_string()),
        ..ImportOptions::default()
    };
    Catalog::load_openapi(&path, &options, !found.no_builtin)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(items: &[&str]) -> Vec<OsString> {
        items.iter().map(OsString::from).collect()
    }

    fn found(catalog: Option<&str>, no_builtin: bool, pointer: Option<&str>) -> Scanned {
        Scanned {
            catalog: catalog.map(PathBuf::from),
            no_builtin,
            event_pointer: pointer.map(str::to_owned),
        }
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
            found(Some("d"), true, None)
        );
        assert_eq!(
            scan(&args(&["hookcheck", "--catalog=e", "validate", "x.json"])),
            found(Some("e"), false, None)
        );
        assert_eq!(
            scan(&args(&[
                "hookcheck",
                "--catalog",
                "api.yaml",
                "list",
                "--event-pointer",
                "/kind"
            ])),
            found(Some("api.yaml"), false, Some("/kind"))
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
            found(None, false, None)
        );
    }
}
