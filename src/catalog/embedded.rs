//! The schema files compiled into the binary (listed by `build.rs`).

/// One file from `schemas/<vendor>/`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct EmbeddedFile {
    /// Vendor directory name.
    pub(crate) vendor: &'static str,
    /// File name, e.g. `MessageSent.json` or `_defs.json`.
    pub(crate) file: &'static str,
    /// The file's text.
    pub(crate) source: &'static str,
}

/// Every embedded schema file, vendor by vendor, sorted by file name.
pub(crate) static FILES: &[EmbeddedFile] =
    include!(concat!(env!("OUT_DIR"), "/embedded_schemas.rs"));

/// Every embedded vendor profile (`schemas/<vendor>/vendor.json`), in catalog order.
pub(crate) static PROFILES: &[EmbeddedFile] =
    include!(concat!(env!("OUT_DIR"), "/embedded_profiles.rs"));

/// The JSON Schema of vendor profiles (`schemas/vendor.schema.json`).
pub(crate) static PROFILE_SCHEMA: &str = include_str!("../../schemas/vendor.schema.json");
