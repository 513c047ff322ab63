//! The `hookcheck` command-line tool.
fn main() {}
