//! `format`: values from the format generators in [`crate::generate::formats`].
//!
//! The validator asserts formats (the generator builds it with format assertion on), so a string
//! under a known `format` is always drawn from that format's generator; unknown formats are
//! annotations and leave the string free. Length and pattern constraints are checked on the
//! result.

use serde_json::Value;

use crate::generate::{formats::StringFormat, source::Source};

/// The known format a `format` keyword names, if any.
pub(crate) fn parse(value: &Value) -> Option<StringFormat> {
    value.as_str().and_then(StringFormat::from_name)
}

/// A value of `format`.
pub(crate) fn generate<S: Source + ?Sized>(format: StringFormat, src: &mut S) -> String {
    format.generate(src)
}

/// A string that is not a value of `format` (for `format` negatives).
pub(crate) fn invalid(format: StringFormat) -> &'static str {
    format.invalid()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_known_formats_are_asserted() {
        assert_eq!(parse(&json!("email")), Some(StringFormat::Email));
        assert_eq!(parse(&json!("phone")), None);
        assert_eq!(parse(&json!(3)), None);
    }
}
