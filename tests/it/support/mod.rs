//! Helpers shared by the test modules.

pub(crate) mod broken;
pub(crate) mod fixtures;
pub(crate) mod report;
