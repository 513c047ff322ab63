//! The `hookcheck` command-line tool; see `hookcheck --help`.
//!
//! The command line lives in this binary, not in the library: it is built on the library's
//! public API alone, like any other program that uses hookcheck.

mod cli;

/// mimalloc, for the allocation-heavy work of `gen` and `certify` on several threads: glibc's
/// allocator contends on its arena lock when one thread frees what another allocated, and
/// grows and trims the heaps of threads other than the first.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::main()
}
