//! Helpers shared by the test modules.

pub(crate) mod broken;
pub(crate) mod cases;
pub(crate) mod fixtures;
pub(crate) mod listen;
pub(crate) mod report;
