//! `minLength`, `maxLength`, and free text for strings the schema leaves open.
//!
//! Lengths count Unicode code points, as the validator does. Free text is mostly lower-case
//! ASCII letters with the occasional digit, space, capital and non-ASCII character (so parsers
//! see multi-byte UTF-8 too); draw `0` is `"a"` repeated to the minimum length.

use serde_json::Value;

use crate::generate::source::Source;

/// Non-ASCII characters mixed into free text now and then: Latin-1, CJK, an astral emoji.
const EXOTIC: [char; 5] = ['é', 'ß', '漢', 'ñ', '😀'];

/// Reads a length keyword: a non-negative integer (`2.0` counts as `2`).
pub(crate) fn parse_length(value: &Value) -> Option<u64> {
    value.as_u64().or_else(|| {
        value
            .as_f64()
            .filter(|f| *f >= 0.0 && f.fract() == 0.0)
            .map(|f| f as u64)
    })
}

/// Number of code points.
pub(crate) fn chars(s: &str) -> u64 {
    s.chars().count() as u64
}

/// One character of free text.
pub(crate) fn text_char<S: Source + ?Sized>(src: &mut S) -> char {
    match src.draw(31) {
        d @ 0..=25 => char::from(b'a' + u8::try_from(d).unwrap_or(0)),
        26..=28 => char::from(b'0' + u8::try_from(src.draw(9)).unwrap_or(0)),
        29 => ' ',
        30 => char::from(b'A' + u8::try_from(src.draw(25)).unwrap_or(0)),
        _ => EXOTIC[src.choose(EXOTIC.len())],
    }
}

/// Free text with `min..=max` code points (short lengths preferred).
pub(crate) fn free_text<S: Source + ?Sized>(src: &mut S, min: u64, max: Option<u64>) -> String {
    let hi = max
        .unwrap_or(u64::MAX)
        .min(min.saturating_add(if src.rarely(8) { 64 } else { 12 }));
    let len = src.between(min, hi);
    (0..len).map(|_| text_char(src)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::source::{ReplaySource, RngSource};
    use serde_json::json;

    #[test]
    fn lengths_are_respected() {
        for seed in 0..200 {
            let s = free_text(&mut RngSource::new(seed, 0), 3, Some(5));
            assert!((3..=5).contains(&chars(&s)), "{s:?}");
        }
    }

    #[test]
    fn simplest_text_is_minimal() {
        assert_eq!(free_text(&mut ReplaySource::new(&[]), 2, None), "aa");
        assert_eq!(free_text(&mut ReplaySource::new(&[]), 0, Some(9)), "");
    }

    #[test]
    fn lengths_parse() {
        assert_eq!(parse_length(&json!(2)), Some(2));
        assert_eq!(parse_length(&json!(2.0)), Some(2));
        assert_eq!(parse_length(&json!(-1)), None);
        assert_eq!(parse_length(&json!("2")), None);
    }
}
