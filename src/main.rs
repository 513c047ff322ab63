//! The `hookcheck` command-line tool; see `hookcheck --help`.
//!
//! The command line lives in this binary, not in the library: it is built on the library's
//! public API alone, like any other program that uses hookcheck.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
