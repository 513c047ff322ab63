//! `hookcheck completions SHELL`: a shell completion script, generated from the CLI definition.

use std::{io, process::ExitCode};

use clap::CommandFactory;
use clap_complete::Shell;

use super::{Cli, CliError, EXIT_OK, output::stdout_err};

/// Arguments of `hookcheck completions`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  hookcheck completions bash > ~/.local/share/bash-completion/completions/hookcheck
  hookcheck completions zsh > \"${fpath[1]}/_hookcheck\"
  hookcheck completions fish > ~/.config/fish/completions/hookcheck.fish")]
pub(crate) struct Args {
    /// The shell: bash, zsh, fish, elvish or powershell.
    #[arg(value_name = "SHELL")]
    shell: Shell,
}

/// Runs `hookcheck completions`.
pub(crate) fn run(args: Args) -> Result<ExitCode, CliError> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "hookcheck", &mut script);
    io::Write::write_all(&mut io::stdout().lock(), &script).map_err(stdout_err)?;
    Ok(ExitCode::from(EXIT_OK))
}
