//! One module per JSON Schema keyword (or tight group of keywords): how it merges into an
//! alternative, and how values are drawn under it.

pub(crate) mod combinators;
pub(crate) mod content;
pub(crate) mod dependent;
pub(crate) mod enum_;
pub(crate) mod format;
pub(crate) mod if_;
pub(crate) mod items;
pub(crate) mod length;
pub(crate) mod numeric;
pub(crate) mod pattern;
pub(crate) mod properties;
pub(crate) mod ref_;
pub(crate) mod string;
pub(crate) mod type_;
pub(crate) mod unevaluated;
