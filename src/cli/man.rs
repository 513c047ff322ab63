//! `hookcheck man`: the manual page (roff), generated from the CLI definition.

use std::{io, path::PathBuf, process::ExitCode};

use clap::CommandFactory;

use super::{Cli, CliError, EXIT_OK, output::stdout_err};

/// Arguments of `hookcheck man`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Without --out, prints hookcheck(1) on stdout. With --out DIR, writes hookcheck.1 and a page per
subcommand (hookcheck-listen.1, ...) into DIR.

Examples:
  hookcheck man | man -l -
  hookcheck man --out /usr/local/share/man/man1")]
pub(crate) struct Args {
    /// Write hookcheck.1 and one page per subcommand into this directory.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

/// Runs `hookcheck man`.
pub(crate) fn run(args: Args) -> Result<ExitCode, CliError> {
    let cmd = Cli::command();
    match args.out {
        Some(dir) => {
            let io_err = |source| CliError::Io {
                path: dir.clone(),
                source,
            };
            std::fs::create_dir_all(&dir).map_err(io_err)?;
            clap_mangen::generate_to(cmd, &dir).map_err(io_err)?;
        }
        None => {
            let mut page = Vec::new();
            clap_mangen::Man::new(cmd)
                .render(&mut page)
                .map_err(stdout_err)?;
            io::Write::write_all(&mut io::stdout().lock(), &page).map_err(stdout_err)?;
        }
    }
    Ok(ExitCode::from(EXIT_OK))
}
