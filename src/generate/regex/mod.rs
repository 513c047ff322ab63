//! Patterns (`pattern`, `patternProperties`), compiled once: an ECMA-262 translation, a matcher
//! and a string generator.

mod ecma;
mod generator;

pub(crate) use ecma::translate;

use crate::generate::source::Source;

/// Upper bound on the compiled size of one pattern (patterns come from schemas, which may be
/// hostile).
const SIZE_LIMIT: usize = 1 << 22;

/// One compiled pattern.
#[derive(Debug, Clone)]
pub(crate) struct Pattern {
    /// The pattern as written in the schema.
    pub source: String,
    matcher: regex::Regex,
    generator: Option<generator::RegexGen>,
    /// Every match starts at the beginning of the input.
    anchored_start: bool,
    /// Every match ends at the end of the input.
    anchored_end: bool,
    /// Every string [`Pattern::generate`] returns is a match (no look-around assertion beyond a
    /// leading `^` and a trailing `$`), so the matcher need not check it.
    exact: bool,
    /// Bytes reserved for a generated string (the shortest match, and some room).
    capacity: usize,
    /// No string shorter than this many characters contains a match.
    pub min_chars: u64,
}

/// Why a pattern cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PatternError(pub String);

impl Pattern {
    /// Compiles an ECMA-262 pattern.
    pub(crate) fn new(source: &str) -> Result<Self, PatternError> {
        let translated = translate(source).map_err(|e| PatternError(e.0))?;
        let matcher = regex::RegexBuilder::new(&translated)
            .size_limit(SIZE_LIMIT)
            .build()
            .map_err(|e| PatternError(e.to_string()))?;
        let hir = regex_syntax::ParserBuilder::new()
            .build()
            .parse(&translated)
            .map_err(|e| PatternError(e.to_string()))?;
        let (anchored_start, anchored_end) = generator::anchors(&hir);
        // `minimum_len` counts UTF-8 bytes; a character takes at most four.
        let min_chars = hir
            .properties()
            .minimum_len()
            .map_or(0, |bytes| (bytes as u64).div_ceil(4));
        let generator = generator::RegexGen::new(&hir).ok();
        let exact = generator.is_some() && generator::emits_only_matches(&hir);
        let capacity = hir.properties().minimum_len().unwrap_or(0).min(256) + 16;
        Ok(Self {
            source: source.to_owned(),
            matcher,
            generator,
            anchored_start,
            anchored_end,
            exact,
            capacity,
            min_chars,
        })
    }

    /// Whether `text` contains a match (JSON Schema patterns are not anchored implicitly).
    pub(crate) fn is_match(&self, text: &str) -> bool {
        self.matcher.is_match(text)
    }

    /// Whether every string [`Pattern::generate`] returns matches, without asking the matcher.
    pub(crate) fn generates_only_matches(&self) -> bool {
        self.exact
    }

    /// Whether strings can be generated from this pattern.
    pub(crate) fn can_generate(&self) -> bool {
        self.generator.is_some()
    }

    /// A string from the pattern's language, padded to at least `min_chars` characters where the
    /// pattern is not anchored (padding outside an unanchored match keeps it a match). The
    /// caller checks it with [`Pattern::is_match`] unless [`Pattern::generates_only_matches`]
    /// (look-around assertions are not honoured while drawing). `None` when the pattern cannot
    /// be generated from.
    pub(crate) fn generate<S: Source + ?Sized>(
        &self,
        src: &mut S,
        min_chars: usize,
        filler: &mut dyn FnMut(&mut S) -> char,
    ) -> Option<String> {
        let generator = self.generator.as_ref()?;
        let mut out = String::with_capacity(self.capacity.max(min_chars.min(1024)));
        generator.emit(src, &mut out);
        let mut len = out.chars().count();
        if len < min_chars {
            if !self.anchored_end {
                while len < min_chars {
                    out.push(filler(src));
                    len += 1;
                }
            } else if !self.anchored_start {
                let mut prefix = String::new();
                while len < min_chars {
                    prefix.push(filler(src));
                    len += 1;
                }
                out.insert_str(0, &prefix);
            }
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::source::RngSource;

    #[test]
    fn pads_unanchored_patterns() {
        let p = Pattern::new("x\\d").unwrap();
        let mut src = RngSource::new(1, 1);
        let s = p.generate(&mut src, 10, &mut |_| 'q').unwrap();
        assert_eq!(s.chars().count(), 10);
        assert!(p.is_match(&s));
        assert!(s.starts_with('x'));
        let anchored = Pattern::new("^x\\d$").unwrap();
        let s = anchored.generate(&mut src, 10, &mut |_| 'q').unwrap();
        assert_eq!(s.len(), 2);
    }

    #[test]
    fn minimum_lengths_are_lower_bounds() {
        assert_eq!(Pattern::new("(foo|bar)+").unwrap().min_chars, 1);
        assert_eq!(Pattern::new("^[a-z]{8}$").unwrap().min_chars, 2);
        assert_eq!(Pattern::new("x*").unwrap().min_chars, 0);
    }

    #[test]
    fn matching_is_a_search() {
        let p = Pattern::new("^a*$").unwrap();
        assert!(p.is_match("aaa"));
        assert!(!p.is_match("aba"));
        let p = Pattern::new("b").unwrap();
        assert!(p.is_match("abc"));
    }

    #[test]
    fn untranslatable_patterns_are_errors() {
        assert!(Pattern::new("(?=a)").is_err());
        assert!(Pattern::new("(a)\\1").is_err());
    }
}
