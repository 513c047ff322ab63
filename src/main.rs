//! The `hookcheck` command-line tool; see `hookcheck --help`.

fn main() -> std::process::ExitCode {
    hookcheck::cli::main()
}
