//! Where a JSON pointer's value is in the text of a document: its line and column, for
//! reports that point into files (SARIF).
//!
//! The text is walked, not parsed into a value: strings are skipped with their escapes, and
//! only the keys and indexes on the pointer's path are compared, so the cost is one pass over
//! the bytes before the value, and nothing is allocated but the current key.
//!
//! # Example
//!
//! ```
//! use hookcheck::{JsonPointer, validate::locate};
//!
//! let text = b"{\n  \"a\": [1,\n    {\"b\": \"x\"}]\n}";
//! let at = locate::position(text, &JsonPointer::parse("/a/1/b").unwrap());
//! assert_eq!(at, Some(locate::Position { line: 3, column: 11 }));
//! ```

use crate::JsonPointer;

/// A 1-based line and column (in Unicode scalar values) in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// The line, from 1.
    pub line: u64,
    /// The column, from 1, counted in characters.
    pub column: u64,
}

/// Where the value at `pointer` starts in `text`, or `None` when the text is not JSON along
/// the way or the pointer names nothing in it.
#[must_use]
pub fn position(text: &[u8], pointer: &JsonPointer) -> Option<Position> {
    let offset = offset(text, pointer)?;
    let before = &text[..offset];
    let line_start = before
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |i| i + 1);
    let line = before.iter().filter(|b| **b == b'\n').count() as u64 + 1;
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count() as u64
        + 1;
    Some(Position { line, column })
}

/// The byte offset where the value at `pointer` starts.
#[must_use]
pub fn offset(text: &[u8], pointer: &JsonPointer) -> Option<usize> {
    let mut at = skip_ws(text, 0);
    for token in pointer.tokens() {
        match text.get(at)? {
            b'{' => {
                at = skip_ws(text, at + 1);
                loop {
                    if text.get(at)? != &b'"' {
                        return None;
                    }
                    let end = string_end(text, at)?;
                    let key = serde_json::from_slice::<String>(&text[at..end]).ok()?;
                    at = skip_ws(text, end);
                    if text.get(at)? != &b':' {
                        return None;
                    }
                    at = skip_ws(text, at + 1);
                    if key == token {
                        break;
                    }
                    at = skip_ws(text, value_end(text, at)?);
                    match text.get(at)? {
                        b',' => at = skip_ws(text, at + 1),
                        _ => return None,
                    }
                }
            }
            b'[' => {
                let index: usize = token.parse().ok()?;
                at = skip_ws(text, at + 1);
                for _ in 0..index {
                    at = skip_ws(text, value_end(text, at)?);
                    match text.get(at)? {
                        b',' => at = skip_ws(text, at + 1),
                        _ => return None,
                    }
                }
                if text.get(at)? == &b']' {
                    return None;
                }
            }
            _ => return None,
        }
    }
    (at < text.len()).then_some(at)
}

fn skip_ws(text: &[u8], mut at: usize) -> usize {
    while text.get(at).is_some_and(|b| b" \t\r\n".contains(b)) {
        at += 1;
    }
    at
}

/// The offset just past the string that starts (with its quote) at `at`.
fn string_end(text: &[u8], at: usize) -> Option<usize> {
    let mut i = at + 1;
    loop {
        match text.get(i)? {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
}

/// The offset just past the value that starts at `at`.
fn value_end(text: &[u8], at: usize) -> Option<usize> {
    match text.get(at)? {
        b'"' => string_end(text, at),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut i = at;
            loop {
                match text.get(i)? {
                    b'"' => {
                        i = string_end(text, i)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
        }
        _ => {
            let mut i = at;
            while text.get(i).is_some_and(|b| !b",}] \t\r\n".contains(b)) {
                i += 1;
            }
            (i > at).then_some(i)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str, pointer: &str) -> Option<(u64, u64)> {
        position(text.as_bytes(), &JsonPointer::parse(pointer).unwrap()).map(|p| (p.line, p.column))
    }

    #[test]
    fn finds_values_past_nested_strings_escapes_and_arrays() {
        let text = "{\"s\": \"a\\\"}{[\", \"n\": {\"x\": [1, {\"y\": 2}]},\n \"é\": \"ü\", \"a/b\": 3, \"t~\": 4}";
        assert_eq!(at(text, ""), Some((1, 1)));
        assert_eq!(at(text, "/n/x/1/y"), Some((1, 38)));
        assert_eq!(at(text, "/é"), Some((2, 7)));
        assert_eq!(at(text, "/a~1b"), Some((2, 19)));
        assert_eq!(at(text, "/t~0"), Some((2, 28)));
        assert_eq!(at(text, "/missing"), None);
        assert_eq!(at(text, "/n/x/2"), None);
        assert_eq!(at("{\"a\": tru", "/b"), None);
        assert_eq!(at("[1, 2", "/5"), None);
    }
}
