//! hookcheck's integration tests, in one binary: each module below is one subject, run through
//! the public API or the `hookcheck` executable. One binary links once, so the whole suite
//! builds faster and in a fraction of the disk space of one binary per file.
//!
//! Run one subject with a filter, e.g. `cargo test --test it certify::` or
//! `cargo test --test it fuzz_regressions`.

mod support;

mod adapters_exec;
mod adapters_http;
mod api_check;
mod broken_parsers;
mod bundle;
mod catalog;
mod certify;
mod cli;
mod cli_conventions;
mod closed_stdout;
mod completions_man;
mod custom_vendor;
mod examples;
mod features;
mod fuzz_regressions;
mod gen_cli;
mod generate_catalog;
mod generate_drafts;
mod generate_float_rules;
mod generate_properties;
mod generate_webhook;
mod listen;
mod listen_cli;
mod listen_coverage;
mod listen_faults;
mod listen_load;
mod listen_retries;
mod openapi;
mod openapi_catalog;
mod parsers;
mod parsers_resend;
mod readme;
mod reject_policy;
mod report;
mod resend_data;
mod sarif;
mod signature;
mod suite_coverage;
mod tls;
mod validate_cli;
