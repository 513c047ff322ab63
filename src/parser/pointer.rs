//! [`JsonPointer`]: an RFC 6901 JSON pointer naming a place in a payload.

use std::fmt;

/// An RFC 6901 JSON pointer such as `/payload/message/id`.
///
/// The empty pointer (`""`) names the whole document. Tokens are stored escaped (`~0` for `~`,
/// `~1` for `/`), so [`as_str`](Self::as_str) is the pointer exactly as RFC 6901 writes it.
///
/// # Example
///
/// ```
/// use hookcheck::parser::JsonPointer;
///
/// let p = JsonPointer::root().child("payload").child("a/b").index(0);
/// assert_eq!(p.as_str(), "/payload/a~1b/0");
/// assert_eq!(p.tokens().collect::<Vec<_>>(), ["payload", "a/b", "0"]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct JsonPointer(String);

impl JsonPointer {
    /// The pointer to the whole document (`""`).
    #[must_use]
    pub const fn root() -> Self {
        Self(String::new())
    }

    /// Parses an escaped pointer; `None` unless it is empty or starts with `/`.
    #[must_use]
    pub fn parse(escaped: &str) -> Option<Self> {
        (escaped.is_empty() || escaped.starts_with('/')).then(|| Self(escaped.to_owned()))
    }

    /// Builds a pointer from unescaped tokens.
    #[must_use]
    pub fn from_tokens<I, T>(tokens: I) -> Self
    where
        I: IntoIterator<Item = T>,
        T: AsRef<str>,
    {
        let mut pointer = Self::root();
        for token in tokens {
            pointer.push(token.as_ref());
        }
        pointer
    }

    /// Appends one unescaped token (an object key or an array index).
    pub fn push(&mut self, token: &str) {
        self.0.reserve(token.len() + 1);
        self.0.push('/');
        for c in token.chars() {
            match c {
                '~' => self.0.push_str("~0"),
                '/' => self.0.push_str("~1"),
                _ => self.0.push(c),
            }
        }
    }

    /// This pointer followed by the object key `key`.
    #[must_use]
    pub fn child(mut self, key: &str) -> Self {
        self.push(key);
        self
    }

    /// This pointer followed by the array index `index`.
    #[must_use]
    pub fn index(self, index: usize) -> Self {
        self.child(&index.to_string())
    }

    /// This pointer followed by every token of `suffix`.
    #[must_use]
    pub fn join(mut self, suffix: &Self) -> Self {
        self.0.push_str(&suffix.0);
        self
    }

    /// Whether this is the pointer to the whole document.
    #[must_use]
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// The escaped pointer text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The unescaped tokens, outermost first.
    pub fn tokens(&self) -> impl Iterator<Item = String> + '_ {
        self.0
            .split('/')
            .skip(1)
            .map(|t| t.replace("~1", "/").replace("~0", "~"))
    }
}

impl fmt::Display for JsonPointer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            f.write_str("(root)")
        } else {
            f.write_str(&self.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::JsonPointer;

    #[test]
    fn escapes_and_unescapes_round_trip() {
        let p = JsonPointer::from_tokens(["a~b", "c/d", ""]);
        assert_eq!(p.as_str(), "/a~0b/c~1d/");
        assert_eq!(p.tokens().collect::<Vec<_>>(), ["a~b", "c/d", ""]);
    }

    #[test]
    fn parse_requires_leading_slash() {
        assert_eq!(JsonPointer::parse(""), Some(JsonPointer::root()));
        assert!(JsonPointer::parse("a/b").is_none());
        assert_eq!(
            JsonPointer::parse("/x").map(|p| p.to_string()),
            Some("/x".into())
        );
        assert_eq!(JsonPointer::root().to_string(), "(root)");
    }
}
