//! Damaged bodies for `no-panic`, `time-bound` and `deterministic`: valid payloads truncated,
//! bit-flipped, spliced together or stuffed with JSON-significant bytes, and plain random bytes.
//!
//! Every mutation is a proptest value, so a failing body shrinks: positions move toward the
//! start, counts toward one, random bytes toward the fewest that still fail (halves deleted
//! first, see [`RandomBytes`]). [`damaged_cases`] puts them together
//! with the payloads they damage, the undamaged payload first, which shrinking moves toward.
//!
//! [`damaged_cases`]: super::source::damaged_cases

use std::fmt;

use proptest::prelude::*;
use proptest::sample::Index;

use super::bytes::RandomBytes;

/// One way of damaging a body.
#[derive(Debug, Clone)]
pub(crate) enum Mutation {
    /// Cut after this position.
    Truncate(Index),
    /// Flip these bits (byte index, bit number).
    FlipBits(Vec<(Index, u8)>),
    /// The start of the payload up to one position, then the rest of another payload from
    /// another position.
    Splice(Index, Index),
    /// Insert a JSON-significant or malformed-UTF-8 byte sequence at a position.
    Insert(Index, &'static [u8]),
    /// Replace the body with these bytes.
    Random(Vec<u8>),
}

/// Byte sequences that trip naive parsers: structure, escapes, bad UTF-8, number edge cases.
const NASTY: &[&[u8]] = &[
    b"{",
    b"}",
    b"[",
    b"\"",
    b"\\",
    b",",
    b":",
    b"\\u",
    b"\\ud800",
    b"\xff",
    b"\xc3",
    b"\xed\xa0\x80",
    b"\0",
    b"-",
    b"1e999999",
    b"null",
    b"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
];

impl Mutation {
    /// Applies the mutation to `body` (`other` is the second payload of a splice).
    #[must_use]
    pub(crate) fn apply(&self, body: &[u8], other: &[u8]) -> Vec<u8> {
        match self {
            Mutation::Truncate(at) => body[..at.index(body.len() + 1)].to_vec(),
            Mutation::FlipBits(flips) => {
                let mut out = body.to_vec();
                if !out.is_empty() {
                    for (at, bit) in flips {
                        let i = at.index(out.len());
                        out[i] ^= 1 << (bit % 8);
                    }
                }
                out
            }
            Mutation::Splice(a, b) => {
                let mut out = body[..a.index(body.len() + 1)].to_vec();
                out.extend_from_slice(&other[b.index(other.len() + 1)..]);
                out
            }
            Mutation::Insert(at, bytes) => {
                let i = at.index(body.len() + 1);
                let mut out = body[..i].to_vec();
                out.extend_from_slice(bytes);
                out.extend_from_slice(&body[i..]);
                out
            }
            Mutation::Random(bytes) => bytes.clone(),
        }
    }

    /// A short name: `truncate`, `flip-bits`, `splice`, `insert`, `random`.
    #[must_use]
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Mutation::Truncate(_) => "truncate",
            Mutation::FlipBits(_) => "flip-bits",
            Mutation::Splice(..) => "splice",
            Mutation::Insert(..) => "insert",
            Mutation::Random(_) => "random",
        }
    }
}

impl fmt::Display for Mutation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A mutation of one payload: truncation, bit flips or an inserted byte sequence (weights 3, 3
/// and 2, against 2 for [`splice`] and 1 for [`random`]).
pub(crate) fn one_payload_mutation() -> impl Strategy<Value = Mutation> + Clone {
    prop_oneof![
        3 => any::<Index>().prop_map(Mutation::Truncate),
        3 => prop::collection::vec((any::<Index>(), 0u8..8), 1..8).prop_map(Mutation::FlipBits),
        2 => (any::<Index>(), prop::sample::select(NASTY)).prop_map(|(a, b)| Mutation::Insert(a, b)),
    ]
}

/// A splice of two payloads.
pub(crate) fn splice() -> impl Strategy<Value = Mutation> + Clone {
    (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::Splice(a, b))
}

/// Random bytes instead of a payload.
pub(crate) fn random() -> impl Strategy<Value = Mutation> + Clone {
    RandomBytes::new(0..256).prop_map(Mutation::Random)
}

/// The weight of all damaging mutations together: [`one_payload_mutation`] 8, [`splice`] 2,
/// [`random`] 1.
pub(crate) const DAMAGED_WEIGHT: u32 = 11;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    #[test]
    fn mutations_do_what_they_say() {
        let body = b"{\"a\":1}";
        let mut runner = TestRunner::deterministic();
        let at = any::<Index>().new_tree(&mut runner).unwrap().current();
        let cut = Mutation::Truncate(at).apply(body, b"");
        assert!(body.starts_with(&cut));
        let flipped = Mutation::FlipBits(vec![(at, 0)]).apply(body, b"");
        assert_eq!(flipped.len(), body.len());
        assert_eq!(flipped.iter().zip(body).filter(|(a, b)| a != b).count(), 1);
        let inserted = Mutation::Insert(at, b"\xff").apply(body, b"");
        assert_eq!(inserted.len(), body.len() + 1);
        assert!(std::str::from_utf8(&inserted).is_err());
        assert_eq!(Mutation::Random(vec![1, 2]).apply(body, b"x"), vec![1, 2]);
        assert!(Mutation::FlipBits(vec![(at, 3)]).apply(b"", b"").is_empty());
    }

    #[test]
    fn splices_join_two_bodies() {
        let mut runner = TestRunner::deterministic();
        for _ in 0..50 {
            let (a, b) = (any::<Index>(), any::<Index>())
                .new_tree(&mut runner)
                .unwrap()
                .current();
            let out = Mutation::Splice(a, b).apply(b"abcdef", b"UVWXYZ");
            let head = out.iter().take_while(|c| c.is_ascii_lowercase()).count();
            assert!(b"abcdef".starts_with(&out[..head]));
            assert!(b"UVWXYZ".ends_with(&out[head..]));
        }
    }
}
