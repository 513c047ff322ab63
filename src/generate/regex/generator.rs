//! Strings from a regular expression's syntax tree.
//!
//! A pattern is parsed once (by `regex-syntax`, after [`super::ecma`] translation) into a small
//! tree of [`RNode`]s: literals, character classes with their sizes precomputed, repetitions with
//! a capped spread, alternations. Generating walks the tree drawing one decision per class,
//! repetition and alternation from a [`Source`]. Draw `0` is the simplest string: the first
//! alternative, the fewest repetitions, and for classes the first "nice" character (a lower-case
//! letter, then a digit, then anything printable) so that minimal values stay readable.
//! Look-around assertions that `regex` supports (`^`, `$`, `\b`) emit nothing; the caller checks
//! the result with the compiled matcher.

use regex_syntax::hir::{Class, Hir, HirKind, Look};

use crate::generate::source::Source;

/// How many repetitions beyond the minimum an unbounded repetition draws at most.
const SPREAD: u32 = 6;

/// Largest repetition minimum generated (`a{1000000}` is declined rather than drawn).
const MAX_REPEAT: u32 = 10_000;

/// Largest number of optional repetitions drawn.
const MAX_SPREAD: u32 = 64;

/// A compiled string generator for one pattern.
#[derive(Debug, Clone)]
pub(crate) struct RegexGen {
    root: RNode,
}

#[derive(Debug, Clone)]
enum RNode {
    Empty,
    Lit(String),
    Class(CharClass),
    Repeat {
        min: u32,
        spread: u32,
        sub: Box<RNode>,
    },
    Concat(Vec<RNode>),
    Alt(Vec<RNode>),
}

/// A set of characters, with the readable ones listed first.
#[derive(Debug, Clone)]
struct CharClass {
    /// Readable characters of the class, in preference order.
    nice: Vec<char>,
    /// All ranges of the class.
    ranges: Vec<(u32, u32)>,
    /// Total number of characters in `ranges`.
    total: u64,
}

/// The pattern uses a construct the generator cannot produce strings for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NotGeneratable(pub &'static str);

impl RegexGen {
    /// Compiles a generator from a parsed pattern.
    pub(crate) fn new(hir: &Hir) -> Result<Self, NotGeneratable> {
        Ok(Self { root: build(hir)? })
    }

    /// Appends one string of the pattern's language to `out`.
    pub(crate) fn emit<S: Source + ?Sized>(&self, src: &mut S, out: &mut String) {
        emit(&self.root, src, out);
    }
}

fn build(hir: &Hir) -> Result<RNode, NotGeneratable> {
    Ok(match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => RNode::Empty,
        HirKind::Literal(lit) => {
            let text =
                std::str::from_utf8(&lit.0).map_err(|_| NotGeneratable("non-UTF-8 literal"))?;
            RNode::Lit(text.to_owned())
        }
        HirKind::Class(Class::Unicode(cls)) => {
            let ranges: Vec<(u32, u32)> = cls
                .ranges()
                .iter()
                .map(|r| (u32::from(r.start()), u32::from(r.end())))
                .collect();
            if ranges.is_empty() {
                return Err(NotGeneratable("empty character class"));
            }
            let total = ranges.iter().map(|(a, b)| u64::from(b - a + 1)).sum();
            let contains = |c: char| {
                let c = u32::from(c);
                ranges.iter().any(|&(a, b)| a <= c && c <= b)
            };
            let nice = ('a'..='z')
                .chain('0'..='9')
                .chain('A'..='Z')
                .chain((' '..='~').filter(|c| !c.is_ascii_alphanumeric()))
                .filter(|&c| contains(c))
                .collect();
            RNode::Class(CharClass {
                nice,
                ranges,
                total,
            })
        }
        HirKind::Class(Class::Bytes(_)) => return Err(NotGeneratable("byte class")),
        HirKind::Repetition(rep) => {
            let sub = Box::new(build(&rep.sub)?);
            if rep.min > MAX_REPEAT {
                return Err(NotGeneratable("repetition with a huge minimum"));
            }
            // A huge bounded range is drawn over its first stretch only.
            let spread = match rep.max {
                Some(max) => max.saturating_sub(rep.min).min(MAX_SPREAD),
                None => SPREAD,
            };
            RNode::Repeat {
                min: rep.min,
                spread,
                sub,
            }
        }
        HirKind::Capture(cap) => build(&cap.sub)?,
        HirKind::Concat(parts) => RNode::Concat(parts.iter().map(build).collect::<Result<_, _>>()?),
        HirKind::Alternation(parts) => {
            RNode::Alt(parts.iter().map(build).collect::<Result<_, _>>()?)
        }
    })
}

fn emit<S: Source + ?Sized>(node: &RNode, src: &mut S, out: &mut String) {
    match node {
        RNode::Empty => {}
        RNode::Lit(s) => out.push_str(s),
        RNode::Class(cls) => out.push(cls.pick(src)),
        RNode::Repeat { min, spread, sub } => {
            // Bounded repetitions draw over their whole range, but large ranges are mostly kept
            // short: a long tail is drawn only one time in eight.
            let extra = if *spread <= SPREAD || src.rarely(8) {
                src.draw(u64::from(*spread))
            } else {
                src.draw(u64::from(SPREAD))
            };
            for _ in 0..u64::from(*min) + extra {
                emit(sub, src, out);
            }
        }
        RNode::Concat(parts) => {
            for p in parts {
                emit(p, src, out);
            }
        }
        RNode::Alt(parts) => emit(&parts[src.choose(parts.len())], src, out),
    }
}

impl CharClass {
    fn pick<S: Source + ?Sized>(&self, src: &mut S) -> char {
        let n = self.nice.len() as u64;
        if n == self.total {
            return self.nice[src.choose(self.nice.len())];
        }
        if n > 0 {
            // One draw: five times in six a readable character, else any of the class.
            let d = src.draw(6 * n - 1);
            if d < 5 * n {
                return self.nice[usize::try_from(d % n).unwrap_or(0)];
            }
        }
        let mut idx = src.draw(self.total - 1);
        for &(a, b) in &self.ranges {
            let len = u64::from(b - a + 1);
            if idx < len {
                // Ranges from `regex-syntax` hold only scalar values; `idx < len` keeps it in range.
                let code = a + u32::try_from(idx).unwrap_or(0);
                return char::from_u32(code).unwrap_or('a');
            }
            idx -= len;
        }
        self.nice.first().copied().unwrap_or('a')
    }
}

/// Whether every string [`RegexGen::emit`] draws from `hir` is a match of it: the only
/// look-around assertions are a `^` opening the whole pattern and a `$` closing it (which
/// `emit` honours by construction); anything else (`\b`, an inner `^`) makes it inexact.
pub(crate) fn emits_only_matches(hir: &Hir) -> bool {
    let mut hir = hir;
    while let HirKind::Capture(cap) = hir.kind() {
        hir = &cap.sub;
    }
    match hir.kind() {
        HirKind::Concat(parts) => {
            let last = parts.len().saturating_sub(1);
            parts.iter().enumerate().all(|(i, p)| match p.kind() {
                HirKind::Look(Look::Start) => i == 0,
                HirKind::Look(Look::End) => i == last,
                _ => p.properties().look_set().is_empty(),
            })
        }
        _ => hir.properties().look_set().is_empty(),
    }
}

/// Whether every match of `hir` starts at the beginning / ends at the end of the input.
pub(crate) fn anchors(hir: &Hir) -> (bool, bool) {
    let props = hir.properties();
    (
        props.look_set_prefix().contains(Look::Start),
        props.look_set_suffix().contains(Look::End),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::source::{ReplaySource, RngSource};

    fn gen_for(pattern: &str) -> (RegexGen, regex::Regex) {
        let hir = regex_syntax::parse(pattern).unwrap();
        (
            RegexGen::new(&hir).unwrap(),
            regex::Regex::new(pattern).unwrap(),
        )
    }

    #[test]
    fn generated_strings_match() {
        for pattern in [
            r"^[a-z]{3,8}@example\.(com|org)$",
            r"^\d{3}-\d{4}$",
            r"^(foo|bar)+baz?$",
            r"^[^\n]{0,5}$",
            r"^\p{Greek}+$",
            r"^🐲*$",
        ] {
            let (g, re) = gen_for(pattern);
            for seed in 0..50 {
                let mut src = RngSource::new(seed, 0);
                let mut s = String::new();
                g.emit(&mut src, &mut s);
                assert!(re.is_match(&s), "{pattern}: {s:?}");
            }
        }
    }

    #[test]
    fn draw_zero_is_the_simplest_string() {
        let (g, _) = gen_for(r"^(ab|c)[x-z]+\d?$");
        let mut s = String::new();
        g.emit(&mut ReplaySource::new(&[]), &mut s);
        assert_eq!(s, "abx");
    }

    #[test]
    fn exactness_is_only_claimed_without_inner_assertions() {
        for (pattern, exact) in [
            (r"^https?://\S+$", true),
            (r"^(a|b)+$", true),
            (r"[a-z]{2}\d", true),
            (r"^a\b", false),
            (r"a^b", false),
            (r"(^a|b)", false),
            (r"^", false),
            (r"a$b$", false),
        ] {
            let hir = regex_syntax::parse(pattern).unwrap();
            assert_eq!(emits_only_matches(&hir), exact, "{pattern}");
        }
        // What is claimed exact really always matches.
        for pattern in [r"^https?://\S+$", r"^[A-Z]{2,3}-\d{1,4}(x|yz)*$", r"ab+c"] {
            let (g, re) = gen_for(pattern);
            assert!(emits_only_matches(&regex_syntax::parse(pattern).unwrap()));
            for seed in 0..200 {
                let mut s = String::new();
                g.emit(&mut RngSource::new(seed, 3), &mut s);
                assert!(re.is_match(&s), "{pattern}: {s:?}");
            }
        }
    }

    #[test]
    fn anchors_are_detected() {
        let h = regex_syntax::parse(r"^a").unwrap();
        assert_eq!(anchors(&h), (true, false));
        let h = regex_syntax::parse(r"a|^b$").unwrap();
        assert_eq!(anchors(&h), (false, false));
        let h = regex_syntax::parse(r"^(a|b)$").unwrap();
        assert_eq!(anchors(&h), (true, true));
    }
}
