//! The string constraints of an alternative (`minLength`, `maxLength`, `pattern`, `format`)
//! and how a string is drawn under them.
//!
//! Order of preference: a `format` generator, else a `pattern`, else a realistic value suggested
//! by the property name ([`crate::generate::realism`]), else free text. Whatever is drawn is
//! checked against all string constraints before it is returned.

use crate::generate::{
    formats::StringFormat,
    keywords::{content::Content, format, length, pattern},
    plan::{CheckId, PatternId, Plan},
    realism::{self, Hint},
    source::Source,
};

/// Why strings of a spec cannot be generated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Conflict {
    /// No string satisfies the constraints (provably).
    Empty(String),
    /// Strings may exist, but no pattern can be generated from.
    NotGeneratable,
}

/// String constraints.
#[derive(Debug, Clone, Default)]
pub(crate) struct StringSpec {
    pub min_len: u64,
    pub max_len: Option<u64>,
    pub patterns: Vec<PatternId>,
    pub formats: Vec<StringFormat>,
    /// Checks every format at once, when a string is not drawn from a format generator alone
    /// (a pattern also applies, or several formats do).
    pub format_check: Option<CheckId>,
    /// Content keywords (drafts 6 and 7 only).
    pub content: Content,
}

impl StringSpec {
    pub(crate) fn apply_min(&mut self, n: u64) {
        self.min_len = self.min_len.max(n);
    }

    pub(crate) fn apply_max(&mut self, n: u64) {
        self.max_len = Some(self.max_len.map_or(n, |m| m.min(n)));
    }

    pub(crate) fn add_format(&mut self, f: StringFormat) {
        if !self.formats.contains(&f) {
            self.formats.push(f);
        }
    }

    /// Why no string can be generated under the spec, when that is known without trying.
    /// `pattern_min` is the fewest characters a string containing a match of every pattern has.
    pub(crate) fn conflict(
        &self,
        patterns_generatable: bool,
        pattern_min: u64,
    ) -> Option<Conflict> {
        if let Some(max) = self.max_len {
            if self.min_len > max {
                return Some(Conflict::Empty(format!(
                    "minLength {} is above maxLength {max}",
                    self.min_len
                )));
            }
            if pattern_min > max {
                return Some(Conflict::Empty(format!(
                    "a pattern needs at least {pattern_min} characters but maxLength is {max}"
                )));
            }
        }
        if self.formats.is_empty() && !self.patterns.is_empty() && !patterns_generatable {
            return Some(Conflict::NotGeneratable);
        }
        None
    }

    /// Whether `s` satisfies the length and pattern constraints (formats are the generators'
    /// responsibility and the validator's to check).
    pub(crate) fn accepts(&self, plan: &Plan, s: &str) -> bool {
        self.fits_length(s) && pattern::all_match(plan, &self.patterns, s)
    }

    /// Whether `s` has an allowed number of code points.
    fn fits_length(&self, s: &str) -> bool {
        let n = length::chars(s);
        n >= self.min_len && self.max_len.is_none_or(|m| n <= m)
    }

    /// A string satisfying the spec, or `None` for this attempt.
    pub(crate) fn generate<S: Source + ?Sized>(
        &self,
        plan: &Plan,
        src: &mut S,
        hint: Hint,
    ) -> Option<String> {
        let s = if self.content.is_constrained() {
            self.content.generate(src)
        } else if let Some(&f) = self.formats.first() {
            // StringFormat first is draw `0`: a format's plainest value more often fits a pattern than
            // a pattern's plainest string fits a format.
            let s = if self.patterns.is_empty() || !src.rarely(2) {
                format::generate(f, src)
            } else {
                pattern::generate(plan, &self.patterns, src, self.min_len)?.0
            };
            if let Some(check) = self.format_check
                && !plan.check(check, &serde_json::Value::String(s.clone()))
            {
                return None;
            }
            s
        } else if !self.patterns.is_empty() {
            // Drawn from a pattern: that pattern's matcher runs only if its strings can miss.
            let (s, drawn) = pattern::generate(plan, &self.patterns, src, self.min_len)?;
            let fits =
                self.fits_length(&s) && pattern::all_match_drawn(plan, &self.patterns, drawn, &s);
            return fits.then_some(s);
        } else {
            let suggested = if hint == Hint::None || src.rarely(8) {
                None
            } else {
                realism::string(hint, src).filter(|s| self.accepts(plan, s))
            };
            match suggested {
                Some(s) => s,
                None => length::free_text(src, self.min_len, self.max_len),
            }
        };
        self.accepts(plan, &s).then_some(s)
    }
}

#[cfg(test)]
mod tests {
    use super::{Conflict, StringSpec};
    use crate::generate::testing::values;
    use serde_json::json;

    #[test]
    fn formats_lengths_and_hints() {
        for v in values(
            &json!({"type": "string", "format": "ipv4", "maxLength": 11}),
            100,
        ) {
            assert!(v.as_str().unwrap().len() <= 11);
        }
        for v in values(
            &json!({"type": "string", "minLength": 5, "maxLength": 5}),
            50,
        ) {
            assert_eq!(v.as_str().unwrap().chars().count(), 5);
        }
    }

    #[test]
    fn conflicting_lengths_are_impossible() {
        let mut spec = StringSpec::default();
        spec.apply_min(4);
        spec.apply_max(3);
        assert!(matches!(spec.conflict(true, 0), Some(Conflict::Empty(_))));
        let mut short = StringSpec::default();
        short.apply_max(2);
        assert!(matches!(short.conflict(true, 3), Some(Conflict::Empty(_))));
        assert_eq!(short.conflict(true, 2), None);
        spec.apply_max(2);
        assert_eq!(spec.max_len, Some(2));
    }
}
