//! ECMA-262 patterns to `regex` syntax.
//!
//! JSON Schema patterns are ECMA-262 regular expressions. The `regex` crate differs from them in
//! ways that change what matches: `\d`, `\w` and `\b` are ASCII-only in ECMA-262, `\s` is a fixed
//! list of white space and line terminators, `.` excludes four line terminators (not only
//! `\n`), and a `{` that does not start a quantifier is a literal. This module rewrites those
//! constructs and refuses the ones `regex` cannot express at all (look-around, back-references),
//! so that the generator declines such a pattern instead of matching it differently.

use std::fmt::Write as _;

/// ECMA-262 `WhiteSpace` and `LineTerminator` code points, as a `regex` class body.
const SPACE: &str = r"\t\n\x{0B}\x{0C}\r \x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}\x{FEFF}";

/// Why a pattern cannot be translated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Untranslatable(pub String);

/// Translates an ECMA-262 pattern into `regex` syntax with the same meaning.
pub(crate) fn translate(pattern: &str) -> Result<String, Untranslatable> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut i = 0;
    let mut in_class = false;
    // Position right after `[` or `[^` (a `]` there is literal in `regex`, empty in ECMA).
    let mut class_start = false;
    while i < chars.len() {
        let c = chars[i];
        let at_class_start = class_start;
        class_start = false;
        match c {
            '\\' => {
                let Some(&next) = chars.get(i + 1) else {
                    return Err(Untranslatable("pattern ends with a lone backslash".into()));
                };
                i += 2;
                match next {
                    'd' => push_class(&mut out, in_class, "0-9", false),
                    'D' => push_class(&mut out, in_class, "0-9", true),
                    'w' => push_class(&mut out, in_class, "0-9A-Za-z_", false),
                    'W' => push_class(&mut out, in_class, "0-9A-Za-z_", true),
                    's' => push_class(&mut out, in_class, SPACE, false),
                    'S' => push_class(&mut out, in_class, SPACE, true),
                    'b' if in_class => out.push_str(r"\x{08}"),
                    'b' => out.push_str(r"(?-u:\b)"),
                    'B' if !in_class => out.push_str(r"(?-u:\B)"),
                    'c' => {
                        let Some(&letter) = chars.get(i).filter(|l| l.is_ascii_alphabetic()) else {
                            return Err(Untranslatable("`\\c` without a control letter".into()));
                        };
                        i += 1;
                        push_code(&mut out, u32::from(letter) % 32);
                    }
                    'u' => {
                        let (code, used) = unicode_escape(&chars[i..])?;
                        i += used;
                        push_code(&mut out, code);
                    }
                    'x' => {
                        let hex: String = chars.get(i..i + 2).unwrap_or_default().iter().collect();
                        let code = u32::from_str_radix(&hex, 16)
                            .map_err(|_| Untranslatable("malformed `\\x` escape".into()))?;
                        i += 2;
                        push_code(&mut out, code);
                    }
                    '0' if !chars.get(i).is_some_and(char::is_ascii_digit) => {
                        push_code(&mut out, 0)
                    }
                    '1'..='9' => {
                        return Err(Untranslatable("back-references are not supported".into()));
                    }
                    'k' => {
                        return Err(Untranslatable(
                            "named back-references are not supported".into(),
                        ));
                    }
                    'p' | 'P' => {
                        // Unicode property escapes: same syntax in `regex`, braces included.
                        out.push('\\');
                        out.push(next);
                        if chars.get(i) == Some(&'{') {
                            let end = chars[i..]
                                .iter()
                                .position(|&ch| ch == '}')
                                .map_or(i, |p| i + p);
                            out.extend(&chars[i..=end]);
                            i = end + 1;
                        }
                    }
                    't' => out.push_str(r"\t"),
                    'n' => out.push_str(r"\n"),
                    'r' => out.push_str(r"\r"),
                    'v' => out.push_str(r"\x{0B}"),
                    'f' => out.push_str(r"\x{0C}"),
                    '-' => out.push_str(r"\-"),
                    c if c.is_ascii_punctuation() => {
                        out.push('\\');
                        out.push(c);
                    }
                    c if c.is_ascii_alphanumeric() => {
                        return Err(Untranslatable(format!("unknown escape `\\{c}`")));
                    }
                    c => push_literal(&mut out, c),
                }
                continue;
            }
            '[' if !in_class => {
                if chars.get(i + 1) == Some(&'^') && chars.get(i + 2) == Some(&']') {
                    // `[^]` matches any character.
                    out.push_str(r"[\x{0}-\x{10FFFF}]");
                    i += 3;
                    continue;
                }
                if chars.get(i + 1) == Some(&']') {
                    // `[]` matches nothing.
                    out.push_str(r"[^\x{0}-\x{10FFFF}]");
                    i += 2;
                    continue;
                }
                in_class = true;
                class_start = true;
                out.push('[');
                if chars.get(i + 1) == Some(&'^') {
                    out.push('^');
                    i += 1;
                }
            }
            '[' => out.push_str(r"\["),
            ']' if in_class => {
                if at_class_start {
                    return Err(Untranslatable("empty character class".into()));
                }
                in_class = false;
                out.push(']');
            }
            ']' => out.push_str(r"\]"),
            '&' | '~' if in_class => {
                out.push('\\');
                out.push(c);
            }
            '-' if in_class && chars.get(i + 1) == Some(&'-') => out.push_str(r"\-"),
            '.' if !in_class => out.push_str(r"[^\n\r\x{2028}\x{2029}]"),
            '{' if !in_class && !is_quantifier(&chars[i..]) => out.push_str(r"\{"),
            '}' if !in_class => {
                // A `}` closing a quantifier was copied with it; a lone one is literal.
                out.push_str(r"\}");
            }
            '{' if !in_class => {
                let end = chars[i..]
                    .iter()
                    .position(|&ch| ch == '}')
                    .map_or(i, |p| i + p);
                out.extend(&chars[i..=end]);
                i = end + 1;
                continue;
            }
            '(' if !in_class && chars.get(i + 1) == Some(&'?') => {
                match (chars.get(i + 2), chars.get(i + 3)) {
                    (Some(':'), _) => out.push_str("(?:"),
                    (Some('<'), Some(n)) if *n != '=' && *n != '!' => out.push_str("(?<"),
                    _ => return Err(Untranslatable("look-around is not supported".into())),
                }
                i += 3;
                continue;
            }
            c => out.push(c),
        }
        i += 1;
    }
    if in_class {
        return Err(Untranslatable("unterminated character class".into()));
    }
    Ok(out)
}

/// Whether `chars` (starting at `{`) is a quantifier `{n}`, `{n,}` or `{n,m}`.
fn is_quantifier(chars: &[char]) -> bool {
    let mut j = 1;
    let digits = |j: &mut usize| {
        let start = *j;
        while chars.get(*j).is_some_and(char::is_ascii_digit) {
            *j += 1;
        }
        *j > start
    };
    if !digits(&mut j) {
        return false;
    }
    if chars.get(j) == Some(&',') {
        j += 1;
        digits(&mut j);
    }
    chars.get(j) == Some(&'}')
}

/// `\uXXXX` (with a following low surrogate joined) or `\u{X...}`; returns the code point and
/// how many characters after `\u` were used.
fn unicode_escape(rest: &[char]) -> Result<(u32, usize), Untranslatable> {
    let bad = || Untranslatable("malformed `\\u` escape".into());
    if rest.first() == Some(&'{') {
        let end = rest.iter().position(|&c| c == '}').ok_or_else(bad)?;
        let hex: String = rest[1..end].iter().collect();
        let code = u32::from_str_radix(&hex, 16).map_err(|_| bad())?;
        return Ok((code, end + 1));
    }
    let hex: String = rest.get(..4).ok_or_else(bad)?.iter().collect();
    let code = u32::from_str_radix(&hex, 16).map_err(|_| bad())?;
    if (0xD800..0xDC00).contains(&code) {
        let low = rest
            .get(4..10)
            .filter(|s| s[0] == '\\' && s[1] == 'u')
            .and_then(|s| u32::from_str_radix(&s[2..].iter().collect::<String>(), 16).ok())
            .filter(|l| (0xDC00..0xE000).contains(l));
        let Some(low) = low else {
            return Err(Untranslatable("lone surrogate in `\\u` escape".into()));
        };
        return Ok((0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00), 10));
    }
    if (0xDC00..0xE000).contains(&code) {
        return Err(Untranslatable("lone surrogate in `\\u` escape".into()));
    }
    Ok((code, 4))
}

fn push_code(out: &mut String, code: u32) {
    let _ = write!(out, r"\x{{{code:X}}}");
}

fn push_literal(out: &mut String, c: char) {
    if regex_syntax::is_meta_character(c) {
        out.push('\\');
    }
    out.push(c);
}

fn push_class(out: &mut String, in_class: bool, body: &str, negated: bool) {
    out.push('[');
    if negated {
        out.push('^');
    }
    out.push_str(body);
    out.push(']');
    // A nested class inside a class is a union in `regex`, which is what ECMA means.
    let _ = in_class;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(pattern: &str, text: &str) -> bool {
        regex::Regex::new(&translate(pattern).unwrap())
            .unwrap()
            .is_match(text)
    }

    #[test]
    fn shorthand_classes_are_ascii() {
        assert!(matches(r"^\d+$", "0123"));
        assert!(!matches(r"^\d$", "\u{0660}"));
        assert!(!matches(r"^\w$", "é"));
        assert!(matches(r"^\W$", "é"));
        assert!(matches(r"^[\d\-]+$", "1-2"));
        assert!(matches(r"^[^\d]$", "x"));
        assert!(!matches(r"^[^\d]$", "5"));
    }

    #[test]
    fn whitespace_and_dot_follow_ecma() {
        assert!(matches(r"^\s$", "\u{FEFF}"));
        assert!(matches(r"^\S$", "a"));
        assert!(!matches(r"^.$", "\u{2028}"));
        assert!(matches(r"^.$", "é"));
    }

    #[test]
    fn escapes_translate() {
        assert!(matches(r"^\cJ$", "\n"));
        assert!(matches(r"^\u00e9$", "é"));
        assert!(matches(r"^\uD83D\uDE00$", "😀"));
        assert!(matches(r"^\u{1F600}$", "😀"));
        assert!(matches(r"^\x41$", "A"));
        assert!(matches(r"^a\/b$", "a/b"));
        assert!(matches(r"^[\b]$", "\u{8}"));
        assert!(matches(r"^\p{Letter}+$", "école"));
        assert!(matches(r"^\p{digit}+$", "\u{0660}1"));
    }

    #[test]
    fn literal_braces_and_quantifiers() {
        assert!(matches(r"^a{2}$", "aa"));
        assert!(matches(r"^a{$", "a{"));
        assert!(matches(r"^{}$", "{}"));
        assert!(matches(r"^x{1,}$", "xxx"));
    }

    #[test]
    fn refuses_what_regex_cannot_do() {
        assert!(translate(r"(a)\1").is_err());
        assert!(translate(r"a(?=b)").is_err());
        assert!(translate(r"(?<!a)b").is_err());
        assert!(translate(r"\q").is_err());
        assert!(translate("[abc").is_err());
        assert!(translate(r"(?<name>a)").is_ok());
    }

    #[test]
    fn special_classes() {
        assert!(matches(r"^[^]$", "\n"));
        assert!(!matches(r"[]", "a"));
        assert!(matches(r"^[a&&b]+$", "a&b"));
    }
}
