//! Vendor and event catalogue.

pub mod vendor;

pub use vendor::Vendor;
