//! `contentMediaType` and `contentEncoding`, which drafts 6 and 7 assert (later drafts make them
//! annotations, and the validator treats them so).
//!
//! The validator knows one media type (`application/json`) and one encoding (`base64`); others
//! are not checked and need nothing here. A string under `application/json` is the text of a small
//! JSON document; under `base64` it is the encoding of free text, or of such a document when both
//! keywords apply.

use base64::Engine as _;
use serde_json::{Value, json};

use crate::generate::{keywords::length, source::Source};

/// What the content keywords of an alternative require of its strings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Content {
    /// The (decoded) string must be JSON text.
    pub json: bool,
    /// The string must be valid base64.
    pub base64: bool,
}

impl Content {
    /// Applies `contentMediaType` or `contentEncoding` (only called for drafts 6 and 7).
    pub(crate) fn apply(&mut self, keyword: &str, value: &Value) {
        match (keyword, value.as_str()) {
            ("contentMediaType", Some("application/json")) => self.json = true,
            ("contentEncoding", Some("base64")) => self.base64 = true,
            _ => {}
        }
    }

    /// Whether strings are constrained at all.
    pub(crate) fn is_constrained(self) -> bool {
        self.json || self.base64
    }

    /// A string with the required content.
    pub(crate) fn generate<S: Source + ?Sized>(self, src: &mut S) -> String {
        let text = if self.json {
            let doc = match src.draw(3) {
                0 => json!({}),
                1 => json!({"id": src.draw(9999), "event": "delivered"}),
                2 => json!([1, "two", null]),
                _ => json!("text"),
            };
            doc.to_string()
        } else {
            length::free_text(src, 0, Some(24))
        };
        if self.base64 {
            base64::engine::general_purpose::STANDARD.encode(text)
        } else {
            text
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::generate::testing::values;
    use base64::Engine as _;
    use serde_json::json;

    #[test]
    fn draft7_content_is_honoured() {
        let schema = json!({
            "$schema": "http://json-schema.org/draft-07/schema#",
            "type": "string",
            "contentMediaType": "application/json",
            "contentEncoding": "base64"
        });
        for v in values(&schema, 50) {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(v.as_str().unwrap())
                .unwrap();
            assert!(serde_json::from_slice::<serde_json::Value>(&bytes).is_ok());
        }
        let schema = json!({"$schema": "http://json-schema.org/draft-07/schema#", "contentMediaType": "application/json"});
        values(&schema, 50);
    }
}
