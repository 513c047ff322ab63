//! `pattern`: strings generated from the first pattern that can be generated from, checked
//! against all of them.
//!
//! Several `pattern`s (from `allOf` members) cannot be merged into one regular expression, so the
//! string is drawn from one and the others are checked; a miss is retried by the interpreter.

use crate::generate::{
    keywords::length,
    plan::{PatternId, Plan},
    source::Source,
};

/// Whether `text` matches every pattern.
pub(crate) fn all_match(plan: &Plan, patterns: &[PatternId], text: &str) -> bool {
    patterns.iter().all(|p| plan.pattern(*p).is_match(text))
}

/// Whether `text`, drawn from pattern `drawn`, matches every pattern: the matcher runs on the
/// others, and on `drawn` too unless its strings are matches by construction.
pub(crate) fn all_match_drawn(
    plan: &Plan,
    patterns: &[PatternId],
    drawn: PatternId,
    text: &str,
) -> bool {
    patterns.iter().all(|&p| {
        (p == drawn && plan.pattern(p).generates_only_matches()) || plan.pattern(p).is_match(text)
    })
}

/// A string drawn from one of the patterns (padded to `min` code points where the pattern allows
/// it), and which pattern it was drawn from; the caller checks lengths and the patterns
/// ([`all_match_drawn`]).
pub(crate) fn generate<S: Source + ?Sized>(
    plan: &Plan,
    patterns: &[PatternId],
    src: &mut S,
    min: u64,
) -> Option<(String, PatternId)> {
    let usable = patterns
        .iter()
        .filter(|p| plan.pattern(**p).can_generate())
        .count();
    if usable == 0 {
        return None;
    }
    let k = src.choose(usable);
    let pick = *patterns
        .iter()
        .filter(|p| plan.pattern(**p).can_generate())
        .nth(k)?;
    let min = usize::try_from(min).unwrap_or(usize::MAX);
    let s = plan
        .pattern(pick)
        .generate(src, min, &mut |s: &mut S| length::text_char(s))?;
    Some((s, pick))
}

/// A string that does not match `pattern` (for `pattern` negatives), if one of a few simple
/// candidates qualifies.
pub(crate) fn mismatch(plan: &Plan, pattern: PatternId, near: &str) -> Option<String> {
    let p = plan.pattern(pattern);
    let candidates = [
        String::new(),
        "!".to_owned(),
        format!("{near}!"),
        format!("!{near}"),
        " ".to_owned(),
        "0".to_owned(),
        "a".to_owned(),
        "\u{1F600}".to_owned(),
    ];
    candidates.into_iter().find(|c| !p.is_match(c))
}

#[cfg(test)]
mod tests {
    use crate::generate::testing::{generator, values};
    use serde_json::json;

    #[test]
    fn strings_match_every_pattern() {
        let schema = json!({"type": "string", "allOf": [{"pattern": "^[a-f]+$"}, {"pattern": "b"}], "maxLength": 6});
        for v in values(&schema, 100) {
            let s = v.as_str().unwrap();
            assert!(
                s.contains('b') && s.chars().all(|c| ('a'..='f').contains(&c)),
                "{s}"
            );
        }
    }

    #[test]
    fn mismatches_do_not_match() {
        let g = generator(&json!({"type": "string", "pattern": "^[0-9]+$"}));
        let plan = &g.inner().plan;
        let bad = super::mismatch(plan, crate::generate::plan::PatternId(0), "123").unwrap();
        assert!(
            !plan
                .pattern(crate::generate::plan::PatternId(0))
                .is_match(&bad)
        );
    }
}
