//! JSON Pointers (RFC 6901) as a type.
//!
//! Every error hookcheck reports about a payload names *where* in the payload it happened, and
//! every error about a schema names where in the schema. Both are [`JsonPointer`]s rather than bare
//! strings, so that a pointer is always well formed (escaped, rooted) and can be resolved
//! against a document with [`JsonPointer::resolve`].

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

/// A JSON Pointer (RFC 6901): `""` is the whole document, `/a/0/b~1c` is the key `b/c` inside the
/// first element of the array under `a`.
///
/// # Example
///
/// ```
/// use hookcheck::JsonPointer;
/// use serde_json::json;
///
/// let p = JsonPointer::root().push("payload").push("message").push("id");
/// assert_eq!(p.as_str(), "/payload/message/id");
/// let doc = json!({"payload": {"message": {"id": 7}}});
/// assert_eq!(p.resolve(&doc), Some(&json!(7)));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct JsonPointer(String);

/// The pointers of the values in `value` (itself included, as the root) that `keep` selects,
/// each after those of the values inside it.
pub(crate) fn pointers_where(
    value: &Value,
    keep: impl Fn(&Value) -> bool + Copy,
) -> Vec<JsonPointer> {
    fn walk(
        value: &Value,
        at: JsonPointer,
        keep: impl Fn(&Value) -> bool + Copy,
        out: &mut Vec<JsonPointer>,
    ) {
        match value {
            Value::Object(members) => {
                for (key, member) in members {
                    walk(member, at.clone().push(key), keep, out);
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    walk(item, at.clone().push(i), keep, out);
                }
            }
            _ => {}
        }
        if keep(value) {
            out.push(at);
        }
    }
    let mut out = Vec::new();
    walk(value, JsonPointer::root(), keep, &mut out);
    out
}

/// A string that is not a valid JSON Pointer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PointerParseError {
    /// The rejected text.
    pub text: String,
    /// Why it was rejected.
    pub reason: &'static str,
}

impl fmt::Display for PointerParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid JSON pointer {:?}: {}", self.text, self.reason)
    }
}

impl std::error::Error for PointerParseError {}

impl JsonPointer {
    /// The pointer to the whole document (`""`).
    #[must_use]
    pub fn root() -> Self {
        Self(String::new())
    }

    /// Parses an RFC 6901 pointer (`""` or text starting with `/`, `~` only as `~0`/`~1`).
    ///
    /// # Errors
    ///
    /// Returns [`PointerParseError`] when `text` does not start with `/` (and is not empty) or
    /// holds a `~` that is not followed by `0` or `1`.
    pub fn parse(text: &str) -> Result<Self, PointerParseError> {
        if !text.is_empty() && !text.starts_with('/') {
            return Err(PointerParseError {
                text: text.to_owned(),
                reason: "must be empty or start with '/'",
            });
        }
        let bytes = text.as_bytes();
        for (i, b) in bytes.iter().enumerate() {
            if *b == b'~' && !matches!(bytes.get(i + 1), Some(b'0' | b'1')) {
                return Err(PointerParseError {
                    text: text.to_owned(),
                    reason: "'~' must be followed by '0' or '1'",
                });
            }
        }
        Ok(Self(text.to_owned()))
    }

    /// Returns this pointer extended by one reference token (escaped as RFC 6901 requires).
    #[must_use]
    pub fn push(mut self, token: impl fmt::Display) -> Self {
        use fmt::Write as _;
        self.0.push('/');
        // Writing to a `String` cannot fail.
        let _ = write!(Escaping(&mut self.0), "{token}");
        self
    }

    /// The pointer text, e.g. `/payload/message/id`; `""` for the root.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this is the root pointer `""`.
    #[must_use]
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// The unescaped reference tokens, outermost first.
    pub fn tokens(&self) -> impl Iterator<Item = String> + '_ {
        self.raw_tokens().map(|t| unescape(t).into_owned())
    }

    /// The reference tokens, still escaped.
    fn raw_tokens(&self) -> impl Iterator<Item = &str> {
        self.0.split('/').skip(1)
    }

    /// The value this pointer designates inside `doc`, if any.
    #[must_use]
    pub fn resolve<'v>(&self, doc: &'v Value) -> Option<&'v Value> {
        self.raw_tokens()
            .try_fold(doc, |target, token| match target {
                Value::Object(map) => map.get(unescape(token).as_ref()),
                Value::Array(items) => index(token).and_then(|i| items.get(i)),
                _ => None,
            })
    }

    /// The value this pointer designates inside `doc`, if any, to change it.
    #[must_use]
    pub fn resolve_mut<'v>(&self, doc: &'v mut Value) -> Option<&'v mut Value> {
        self.raw_tokens()
            .try_fold(doc, |target, token| match target {
                Value::Object(map) => map.get_mut(unescape(token).as_ref()),
                Value::Array(items) => index(token).and_then(|i| items.get_mut(i)),
                _ => None,
            })
    }

    /// The last reference token, unescaped; `None` for the root.
    #[must_use]
    pub fn last(&self) -> Option<String> {
        self.tokens().last()
    }
}

/// A reference token unescaped (`~1` is `/`, `~0` is `~`), copied only if it holds an escape.
fn unescape(token: &str) -> Cow<'_, str> {
    if token.contains('~') {
        Cow::Owned(token.replace("~1", "/").replace("~0", "~"))
    } else {
        Cow::Borrowed(token)
    }
}

/// The array index a reference token names: decimal digits, without a leading zero or sign
/// (RFC 6901, as `serde_json::Value::pointer` reads it).
fn index(token: &str) -> Option<usize> {
    if token.starts_with('+') || (token.starts_with('0') && token.len() != 1) {
        return None;
    }
    token.parse().ok()
}

/// Writes into a pointer's text, escaping `~` and `/` as a reference token needs.
struct Escaping<'s>(&'s mut String);

impl fmt::Write for Escaping<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for piece in s.split_inclusive(['~', '/']) {
            let (text, escape) = match piece.strip_suffix(['~', '/']) {
                Some(text) if piece.ends_with('~') => (text, "~0"),
                Some(text) => (text, "~1"),
                None => (piece, ""),
            };
            self.0.push_str(text);
            self.0.push_str(escape);
        }
        Ok(())
    }
}

impl fmt::Display for JsonPointer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for JsonPointer {
    type Err = PointerParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for JsonPointer {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for JsonPointer {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn push_escapes_tilde_and_slash() {
        let p = JsonPointer::root().push("a/b").push("c~d").push(0);
        assert_eq!(p.as_str(), "/a~1b/c~0d/0");
        assert_eq!(
            p.tokens().collect::<Vec<_>>(),
            vec!["a/b".to_owned(), "c~d".to_owned(), "0".to_owned()]
        );
        let doc = json!({"a/b": {"c~d": ["x"]}});
        assert_eq!(p.resolve(&doc), Some(&json!("x")));
    }

    #[test]
    fn push_escapes_every_tilde_and_slash_of_a_token() {
        for (token, escaped) in [
            ("", "/"),
            ("~", "/~0"),
            ("/", "/~1"),
            ("~1", "/~01"),
            ("a//b~~c", "/a~1~1b~0~0c"),
            ("/~x~/", "/~1~0x~0~1"),
            ("ünï/cöde", "/ünï~1cöde"),
        ] {
            let p = JsonPointer::root().push(token);
            assert_eq!(p.as_str(), escaped, "{token:?}");
            assert_eq!(p.last().as_deref(), Some(token), "{token:?}");
        }
    }

    #[test]
    fn resolve_agrees_with_serde_json() {
        let doc = json!({
            "a": [10, {"b/c": {"d~e": 1}}, [null]],
            "": {"": 2},
            "01": 3,
            "~1": 4,
        });
        let pointers = [
            "",
            "/a",
            "/a/0",
            "/a/1",
            "/a/1/b~1c",
            "/a/1/b~1c/d~0e",
            "/a/01",
            "/a/+1",
            "/a/-1",
            "/a/3",
            "/a/2/0",
            "/a/2/0/x",
            "/",
            "//",
            "/01",
            "/~01",
            "/~1",
            "/a/0/x",
            "/zz",
            "/a/18446744073709551616",
        ];
        for text in pointers {
            let p = JsonPointer::parse(text).unwrap();
            assert_eq!(p.resolve(&doc), doc.pointer(text), "{text:?}");
            let mut ours = doc.clone();
            let mut theirs = doc.clone();
            if let (Some(a), Some(b)) = (p.resolve_mut(&mut ours), theirs.pointer_mut(text)) {
                *a = json!("changed");
                *b = json!("changed");
            }
            assert_eq!(ours, theirs, "{text:?}");
            assert_eq!(
                p.resolve_mut(&mut ours).is_some(),
                doc.pointer(text).is_some()
            );
        }
    }

    #[test]
    fn parse_rejects_malformed_pointers() {
        assert!(JsonPointer::parse("").is_ok());
        assert!(JsonPointer::parse("/a/~1").is_ok());
        assert_eq!(
            JsonPointer::parse("a").unwrap_err().reason,
            "must be empty or start with '/'"
        );
        assert!(JsonPointer::parse("/a~").is_err());
        assert!(JsonPointer::parse("/a~2").is_err());
    }

    #[test]
    fn root_has_no_last_token() {
        assert!(JsonPointer::root().is_root());
        assert_eq!(JsonPointer::root().last(), None);
        assert_eq!(JsonPointer::root().push("x").last().as_deref(), Some("x"));
    }

    #[test]
    fn serde_round_trip_checks_syntax() {
        let p: JsonPointer = serde_json::from_value(json!("/a/b")).unwrap();
        assert_eq!(serde_json::to_value(&p).unwrap(), json!("/a/b"));
        assert!(serde_json::from_value::<JsonPointer>(json!("nope")).is_err());
    }
}
