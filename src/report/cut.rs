//! Cutting long values out of messages meant for people.
//!
//! A message that quotes a payload value (`"xxxx…" is longer than 64 characters`) can be as long
//! as the payload: one 17 MB string would make a 17 MB line. [`value`] keeps the first
//! [`LIMIT`] characters of a text and says how long it was; [`message`] does that to each
//! quoted JSON string inside a message, so that the words around it (what is wrong) stay, and
//! then to the message as a whole if it is still long (a quoted object or array).
//!
//! # Example
//!
//! ```
//! use hookcheck::report::cut;
//!
//! let message = format!("{:?} is longer than 64 characters", "x".repeat(100_000));
//! let shown = cut::message(&message);
//! assert!(shown.len() < 300, "{shown}");
//! assert!(shown.ends_with("…\" (100000 bytes) is longer than 64 characters"));
//! assert_eq!(cut::message("\"short\" is not a \"email\""), "\"short\" is not a \"email\"");
//! ```

use std::borrow::Cow;

/// Characters of a long value that are kept.
pub const LIMIT: usize = 200;

/// A whole message longer than this many characters (after its quoted strings are cut) is cut
/// to [`LIMIT`] characters as well.
pub const MESSAGE_LIMIT: usize = 4 * LIMIT;

/// `text` itself when it has at most [`LIMIT`] characters; otherwise its first [`LIMIT`]
/// characters, `…` and its size in bytes: `xxxx… (17825792 bytes)`.
#[must_use]
pub fn value(text: &str) -> Cow<'_, str> {
    cut_at(text, LIMIT, "")
}

/// As [`value`], keeping `keep` characters: for text kept to reproduce a failure (a
/// counterexample, a request body), where only a pathological size is cut.
#[must_use]
pub fn value_to(text: &str, keep: usize) -> Cow<'_, str> {
    cut_at(text, keep, "")
}

/// `text` with every quoted JSON string longer than [`LIMIT`] characters cut as [`value`] does
/// (`"xxxx…" (17825792 bytes)`), and then, if still longer than [`MESSAGE_LIMIT`] characters,
/// cut as a whole. Short messages are returned as they are, without copying.
#[must_use]
pub fn message(text: &str) -> Cow<'_, str> {
    if text.len() <= LIMIT {
        return Cow::Borrowed(text);
    }
    let mut out = String::new();
    let mut copied = 0;
    let mut rest = 0;
    while let Some(open) = text[rest..].find('"').map(|i| rest + i) {
        let close = closing_quote(text, open + 1);
        let inner = &text[open + 1..close.unwrap_or(text.len())];
        if let Cow::Owned(short) = cut_at(inner, LIMIT, "\"") {
            out.push_str(&text[copied..open]);
            out.push('"');
            out.push_str(&short);
            copied = close.map_or(text.len(), |c| c + 1);
        }
        match close {
            Some(c) => rest = c + 1,
            None => break,
        }
    }
    let cut = if copied == 0 {
        Cow::Borrowed(text)
    } else {
        out.push_str(&text[copied..]);
        Cow::Owned(out)
    };
    if cut.len() > MESSAGE_LIMIT && cut.chars().nth(MESSAGE_LIMIT).is_some() {
        Cow::Owned(cut_at(&cut, LIMIT, "").into_owned())
    } else {
        cut
    }
}

/// The byte index of the `"` that ends a JSON string whose content starts at `from`.
fn closing_quote(text: &str, from: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = from;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// `text` when it has at most `keep` characters, else its first `keep`, `…`, `close` and the
/// size.
fn cut_at<'t>(text: &'t str, keep: usize, close: &str) -> Cow<'t, str> {
    if text.len() <= keep {
        return Cow::Borrowed(text);
    }
    match text.char_indices().nth(keep) {
        None => Cow::Borrowed(text),
        Some((end, _)) => Cow::Owned(format!("{}…{close} ({} bytes)", &text[..end], text.len())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_borrowed_unchanged() {
        let s = "é".repeat(LIMIT);
        assert!(matches!(value(&s), Cow::Borrowed(_)));
        assert!(matches!(message(&s), Cow::Borrowed(_)));
    }

    #[test]
    fn long_values_keep_their_head_and_size() {
        let s = "é".repeat(LIMIT + 1);
        let cut = value(&s);
        assert_eq!(cut, format!("{}… ({} bytes)", "é".repeat(LIMIT), s.len()));
    }

    #[test]
    fn only_long_quoted_strings_are_cut_and_escapes_are_respected() {
        let long = format!("{}\\\"{}", "a".repeat(LIMIT), "b".repeat(50));
        let text = format!("\"{long}\" is not a \"email\"");
        let cut = message(&text);
        assert_eq!(
            cut,
            format!(
                "\"{}…\" ({} bytes) is not a \"email\"",
                "a".repeat(LIMIT),
                long.len()
            )
        );
    }

    #[test]
    fn an_unclosed_quote_and_a_long_object_are_cut_too() {
        let text = format!("\"{}", "a".repeat(10 * LIMIT));
        assert!(message(&text).chars().count() < LIMIT + 30);
        let object = format!("{{{}}} is not valid", "\"k\":1,".repeat(LIMIT));
        let cut = message(&object);
        assert!(cut.chars().count() < LIMIT + 30, "{cut}");
        assert!(cut.ends_with(&format!("… ({} bytes)", object.len())));
    }
}
