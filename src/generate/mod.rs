//! Payload generation from JSON Schemas: valid values, and values invalid for a named reason.
//!
//! [`Generator::new`] compiles a schema (draft 2020-12; 2019-09, 07 and 06 with their own
//! semantics) once into a *plan* and a validator. From then on:
//!
//! - [`Generator::generate`] gives value number `index` of the run seeded with `seed`
//!   (deterministic, used by `hookcheck gen --count N --seed S`);
//! - [`Generator::strategy`] is a proptest [`Strategy`](proptest::strategy::Strategy) whose
//!   values shrink toward small, simple, still-valid values;
//! - [`Generator::from_unstructured`] turns fuzzer bytes into a valid value;
//! - [`Generator::negatives`] mutates valid values so that each breaks exactly one keyword at one
//!   instance pointer, labelled with both;
//! - [`coverage::run_suite`] measures all of this against the JSON-Schema-Test-Suite.
//!
//! # Design
//!
//! **Plan.** The compiler (module `compile`) merges every schema that applies at one instance location
//! (`allOf` members, `$ref` targets, parent `properties`/`additionalProperties`/`items`, ...) into
//! one node: types intersected, ranges narrowed, property schemas combined, listed values filtered.
//! Disjunctions (`anyOf`, `oneOf`, `if`/`then`/`else`, `dependentSchemas`) become alternatives of
//! the node, each merged again. What cannot be merged exactly (`not` of a complex schema, the
//! branches a `oneOf` alternative must fail) stays a residual check compiled through the validator
//! itself. Recursive schemas are finite graphs of nodes; a least-fixed-point height analysis finds
//! the shallowest value of every node, so recursion is bounded by choosing branches that fit the
//! depth budget rather than by cutting values short, and a node that only infinite recursion could
//! satisfy is known to be unsatisfiable. Regular expressions are translated from ECMA-262 and
//! compiled once into a matcher and a string generator over the `regex-syntax` tree.
//!
//! **One interpreter, several entropy sources.** The interpreter draws every decision from a
//! [`source::Source`]: a number in `0..=max` where `0` is the simplest choice (null before objects,
//! shortest length, number closest to zero, no optional property). Seeded generation draws from
//! a XorShift generator seeded per `(seed, index)`; the proptest driver records the draws and shrinks by editing and replaying them; the
//! fuzzing driver draws from [`arbitrary::Unstructured`].
//!
//! **A generator never lies.** Every value is checked by the compiled validator before it is
//! returned; a rejected candidate is redrawn (and counted, see [`Generator::stats`]: on the
//! test suite about one candidate in ten thousand is rejected). Negatives are kept only if the
//! validator reports exactly their label. Schemas the generator cannot honour are declined with
//! [`GenError::Unsupported`], never generated from with the wrong semantics; schemas proved
//! empty are reported as [`GenError::Unsatisfiable`].
//!
//! **Realism.** `examples` and `default` values that satisfy their schema are reused now and then;
//! formats get values valid per their RFCs; and free strings and integers under common property
//! names (`email`, `user_agent`, `created_at`, `smtp_response`, ...) look like what a mail service
//! sends.
//!
//! **Deviations from a one-file-per-keyword layout.** Keyword modules live in `keywords/`, but
//! the object keywords (`properties`, `required`, `additionalProperties`, `patternProperties`,
//! `propertyNames`, `min/maxProperties`) share `properties.rs` and the array keywords share
//! `items.rs`, because each group compiles into one child structure and is generated in one pass.
//! Boolean schemas need no module: `true` adds nothing to a conjunction and `false` empties it.

mod compile;
pub mod coverage;
mod error;
mod formats;
mod generator;
mod interp;
mod keywords;
mod negative;
mod options;
pub mod ordered;
mod plan;
mod realism;
mod regex;
mod resolve;
pub mod source;
mod stack_text;
mod strategy;
#[cfg(test)]
mod testing;

pub use error::{GenError, SchemaLocation};
pub use generator::{GenStats, Generator};
pub use negative::{Negative, NegativeStats};
pub use options::GenOptions;
pub use strategy::{ChoiceTree, GenStrategy};
