//! Raw bytes to a JSON value, with every way that can fail named.
//!
//! Webhook bodies come from other programs, so anything can arrive: nothing, half a document,
//! an image, UTF-16 from a Windows tool, a 100 MB file, `[[[[...` ten thousand deep. Each of
//! these is an [`InputError`] with a position, never a panic. Nesting is bounded by serde_json's
//! recursion limit (128 levels), so deeply nested input cannot exhaust the stack.

use std::fmt;

use serde_json::Value;

/// The default limit on the size of one payload: 16 MiB.
pub const DEFAULT_MAX_BYTES: u64 = 16 * 1024 * 1024;

/// Why bytes are not a JSON document.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum InputError {
    /// Zero bytes, or only white space.
    Empty,
    /// Larger than the configured limit.
    TooLarge {
        /// The size seen (at least this many bytes).
        size: u64,
        /// The limit in force.
        limit: u64,
    },
    /// Starts with a UTF-16 or UTF-32 byte order mark, or has the NUL pattern of UTF-16.
    WrongEncoding {
        /// The encoding recognised.
        encoding: &'static str,
    },
    /// Starts with a UTF-8 byte order mark, which webhook senders do not send.
    Utf8Bom,
    /// Not valid UTF-8.
    NotUtf8 {
        /// Offset of the first invalid byte.
        offset: usize,
    },
    /// The document ends early.
    Truncated {
        /// 1-based line of the end.
        line: usize,
        /// 1-based column of the end.
        column: usize,
    },
    /// Nested deeper than the parser allows.
    TooDeep {
        /// 1-based line where the limit was hit.
        line: usize,
        /// 1-based column where the limit was hit.
        column: usize,
    },
    /// Any other syntax error.
    Syntax {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the parser expected or found.
        message: String,
    },
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputError::Empty => f.write_str("empty input: no JSON document"),
            InputError::TooLarge { size, limit } => write!(
                f,
                "input is {size} bytes, over the limit of {limit} bytes (raise it with --max-size)"
            ),
            InputError::WrongEncoding { encoding } => {
                write!(f, "input is {encoding}, but JSON webhooks are UTF-8")
            }
            InputError::Utf8Bom => f.write_str("input starts with a UTF-8 byte order mark"),
            InputError::NotUtf8 { offset } => {
                write!(
                    f,
                    "input is not UTF-8 text (invalid byte at offset {offset})"
                )
            }
            InputError::Truncated { line, column } => {
                write!(
                    f,
                    "truncated JSON: input ends at line {line} column {column}"
                )
            }
            InputError::TooDeep { line, column } => write!(
                f,
                "JSON nested more than 128 levels deep (line {line} column {column})"
            ),
            InputError::Syntax {
                line,
                column,
                message,
            } => write!(f, "invalid JSON at line {line} column {column}: {message}"),
        }
    }
}

impl std::error::Error for InputError {}

/// Parses one JSON document from `bytes`, refusing more than `max_bytes`.
///
/// # Errors
///
/// An [`InputError`] naming the problem and, for syntax errors, its line and column.
///
/// # Example
///
/// ```
/// use hookcheck::validate::input::{parse, InputError, DEFAULT_MAX_BYTES};
///
/// assert!(parse(br#"{"a": 1}"#, DEFAULT_MAX_BYTES).is_ok());
/// assert!(matches!(parse(br#"{"a": "#, DEFAULT_MAX_BYTES), Err(InputError::Truncated { .. })));
/// assert_eq!(parse(b"", DEFAULT_MAX_BYTES), Err(InputError::Empty));
/// ```
pub fn parse(bytes: &[u8], max_bytes: u64) -> Result<Value, InputError> {
    let size = bytes.len() as u64;
    if size > max_bytes {
        return Err(InputError::TooLarge {
            size,
            limit: max_bytes,
        });
    }
    check_encoding(bytes)?;
    let text = std::str::from_utf8(bytes).map_err(|e| InputError::NotUtf8 {
        offset: e.valid_up_to(),
    })?;
    if text.trim().is_empty() {
        return Err(InputError::Empty);
    }
    serde_json::from_str(text).map_err(|e| classify(&e))
}

fn check_encoding(bytes: &[u8]) -> Result<(), InputError> {
    let encoding = match bytes {
        [0x00, 0x00, 0xFE, 0xFF, ..] => Some("UTF-32BE"),
        [0xFF, 0xFE, 0x00, 0x00, ..] => Some("UTF-32LE"),
        [0xFE, 0xFF, ..] => Some("UTF-16BE"),
        [0xFF, 0xFE, ..] => Some("UTF-16LE"),
        [0xEF, 0xBB, 0xBF, ..] => return Err(InputError::Utf8Bom),
        // JSON text starts with an ASCII character, so UTF-16 without a BOM shows a NUL byte
        // in the first two (RFC 4627 section 3).
        [0x00, a, ..] if *a != 0 => Some("UTF-16BE"),
        [a, 0x00, ..] if *a != 0 => Some("UTF-16LE"),
        _ => None,
    };
    match encoding {
        Some(encoding) => Err(InputError::WrongEncoding { encoding }),
        None => Ok(()),
    }
}

fn classify(e: &serde_json::Error) -> InputError {
    let (line, column) = (e.line(), e.column());
    if e.is_eof() {
        return InputError::Truncated { line, column };
    }
    let message = e.to_string();
    if message.starts_with("recursion limit exceeded") {
        return InputError::TooDeep { line, column };
    }
    let message = message
        .rsplit_once(" at line ")
        .map_or(message.as_str(), |(m, _)| m)
        .to_owned();
    InputError::Syntax {
        line,
        column,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(b: &[u8]) -> Result<Value, InputError> {
        parse(b, 1024)
    }

    #[test]
    fn each_failure_has_its_own_variant() {
        assert_eq!(p(b"  \n"), Err(InputError::Empty));
        assert!(matches!(
            p(b"{\"a\":[1,2"),
            Err(InputError::Truncated { line: 1, .. })
        ));
        assert!(matches!(p(b"{\"a\":1,}"), Err(InputError::Syntax { .. })));
        assert_eq!(
            p(b"\xff\xfe{\x00}\x00"),
            Err(InputError::WrongEncoding {
                encoding: "UTF-16LE"
            })
        );
        assert_eq!(
            p(b"{\x00\"\x00"),
            Err(InputError::WrongEncoding {
                encoding: "UTF-16LE"
            })
        );
        assert_eq!(p(b"\xef\xbb\xbf{}"), Err(InputError::Utf8Bom));
        assert_eq!(
            p(b"{\"a\":\"\xc3\x28\"}"),
            Err(InputError::NotUtf8 { offset: 6 })
        );
        assert_eq!(
            parse(&[b' '; 11], 10),
            Err(InputError::TooLarge {
                size: 11,
                limit: 10
            })
        );
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let deep = "[".repeat(100_000);
        assert!(matches!(
            parse(deep.as_bytes(), u64::MAX),
            Err(InputError::TooDeep { .. })
        ));
    }

    #[test]
    fn syntax_message_drops_the_duplicated_position() {
        let err = p(b"{\"a\" 1}").unwrap_err();
        let text = err.to_string();
        assert_eq!(text.matches("line").count(), 1, "{text}");
    }
}
