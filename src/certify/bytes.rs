//! Random byte strings whose failures shrink in a few steps.
//!
//! proptest's `vec(any::<u8>(), ..)` shrinks by deleting one element per step, so a failing
//! body of 200 random bytes needs about 200 steps to lose its length, more than a cell's shrink
//! budget may allow. [`RandomBytes`] shrinks the way delta debugging does instead: it deletes
//! the first half, then the second, then quarters, and so on down to single bytes, keeping every
//! deletion after which the body still fails, then sets the bytes left to zero one by one. A
//! failure that one byte causes shrinks to that byte in about `2 log2(n)` steps.
//!
//! Each step proposes a new candidate: after a candidate that passes, `complicate` goes back to
//! the last failing body and proposes its next deletion at once, rather than asking for the
//! failing body to be tested again.

use std::ops::Range;

use proptest::prelude::*;
use proptest::strategy::{NewTree, ValueTree};
use proptest::test_runner::TestRunner;

/// Byte strings of a length drawn from `len`, each byte uniform.
#[derive(Debug, Clone)]
pub(crate) struct RandomBytes {
    len: Range<usize>,
}

impl RandomBytes {
    /// Byte strings with a length in `len`.
    pub(crate) fn new(len: Range<usize>) -> Self {
        Self { len }
    }
}

impl Strategy for RandomBytes {
    type Tree = BytesTree;
    type Value = Vec<u8>;

    fn new_tree(&self, runner: &mut TestRunner) -> NewTree<Self> {
        let rng = runner.rng();
        let len = if self.len.is_empty() {
            self.len.start
        } else {
            rng.random_range(self.len.clone())
        };
        let bytes = (0..len).map(|_| rng.random::<u8>()).collect();
        Ok(BytesTree::new(bytes))
    }
}

/// The next simplification a [`BytesTree`] proposes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// Delete `len` bytes at `at`.
    Delete { at: usize, len: usize },
    /// Set the byte at this index to zero.
    Zero(usize),
    /// Nothing left to try.
    Done,
}

/// The value tree of [`RandomBytes`].
#[derive(Debug, Clone)]
pub(crate) struct BytesTree {
    /// The smallest body known to fail (the drawn one until a simplification fails).
    failing: Vec<u8>,
    /// The body proposed now: `failing`, or a simplification of it.
    current: Vec<u8>,
    /// The simplification to propose next.
    next: Step,
    /// The step that made `current` from `failing`, while one is proposed.
    proposed: Option<Step>,
}

impl BytesTree {
    fn new(bytes: Vec<u8>) -> Self {
        let next = first_delete(bytes.len());
        Self {
            current: bytes.clone(),
            failing: bytes,
            next,
            proposed: None,
        }
    }

    /// Proposes the next simplification of `failing`, if one is left.
    fn propose(&mut self) -> bool {
        loop {
            let len = self.failing.len();
            match self.next {
                Step::Delete { len: 0, .. } => self.next = Step::Zero(0),
                Step::Delete { at, len: n } if at >= len => {
                    self.next = Step::Delete { at: 0, len: n / 2 };
                }
                Step::Delete { at, len: n } => {
                    let end = (at + n).min(len);
                    let mut candidate = Vec::with_capacity(len - (end - at));
                    candidate.extend_from_slice(&self.failing[..at]);
                    candidate.extend_from_slice(&self.failing[end..]);
                    self.current = candidate;
                    self.proposed = Some(self.next);
                    // If this candidate fails too, the bytes after it move to `at`.
                    self.next = Step::Delete { at: at + n, len: n };
                    return true;
                }
                Step::Zero(i) if i >= len => self.next = Step::Done,
                Step::Zero(i) if self.failing[i] == 0 => self.next = Step::Zero(i + 1),
                Step::Zero(i) => {
                    self.current.clone_from(&self.failing);
                    self.current[i] = 0;
                    self.proposed = Some(self.next);
                    self.next = Step::Zero(i + 1);
                    return true;
                }
                Step::Done => {
                    self.current.clone_from(&self.failing);
                    self.proposed = None;
                    return false;
                }
            }
        }
    }
}

/// The first deletion for a body of `len` bytes: its first half.
fn first_delete(len: usize) -> Step {
    Step::Delete {
        at: 0,
        len: len.div_ceil(2),
    }
}

impl ValueTree for BytesTree {
    type Value = Vec<u8>;

    fn current(&self) -> Vec<u8> {
        self.current.clone()
    }

    /// `current` fails: it becomes the failing body, and its next simplification is proposed.
    fn simplify(&mut self) -> bool {
        if let Some(step) = self.proposed.take() {
            self.failing.clone_from(&self.current);
            if let Step::Delete { at, len } = step {
                // The deletion worked: try the same size again where it was.
                self.next = Step::Delete { at, len };
            }
        }
        self.propose()
    }

    /// `current` passes: back to the failing body, and its next simplification is proposed.
    fn complicate(&mut self) -> bool {
        if self.proposed.take().is_none() {
            return false;
        }
        self.propose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::test_runner::{Config, RngAlgorithm, TestError, TestRng};

    /// Shrinks `bytes` while `fails` holds, as proptest's runner drives a value tree; returns the
    /// minimal body and the candidates tested.
    fn shrink(bytes: Vec<u8>, fails: impl Fn(&[u8]) -> bool) -> (Vec<u8>, usize) {
        assert!(fails(&bytes), "the body must fail to begin with");
        let mut tree = BytesTree::new(bytes.clone());
        let mut minimal = bytes;
        let mut tested = 0;
        let mut more = tree.simplify();
        while more {
            let candidate = tree.current();
            tested += 1;
            more = if fails(&candidate) {
                minimal = candidate;
                tree.simplify()
            } else {
                tree.complicate()
            };
        }
        (minimal, tested)
    }

    fn random_body(len: usize, seed: u8) -> Vec<u8> {
        (0..len)
            .map(|i| u8::try_from(i % 97).unwrap_or(0).wrapping_mul(31) ^ seed)
            .collect()
    }

    #[test]
    fn one_bad_byte_shrinks_to_itself_in_logarithmic_steps() {
        for (len, bad) in [(255, 0), (255, 254), (200, 117), (2, 1), (1, 0)] {
            let mut body = vec![b'a'; len];
            body[bad] = 0xff;
            let (minimal, tested) = shrink(body, |b| b.contains(&0xff));
            assert_eq!(minimal, [0xff], "len {len}, bad byte at {bad}");
            // Two candidates per halving of 256 bytes, then the zeroing of the last one.
            assert!(tested <= 2 * 8 + 2, "len {len}: {tested} candidates");
        }
    }

    #[test]
    fn two_bytes_needed_together_are_both_kept() {
        let mut body = random_body(255, 7);
        body.retain(|b| *b != b'<' && *b != b'>');
        body[10] = b'<';
        body[200] = b'>';
        let (minimal, tested) = shrink(body, |b| b.contains(&b'<') && b.contains(&b'>'));
        assert_eq!(minimal, b"<>");
        // About twice the steps of one needed byte.
        assert!(tested <= 4 * 8 + 4, "{tested} candidates");
    }

    #[test]
    fn bytes_that_need_not_be_set_become_zero() {
        let (minimal, _) = shrink(random_body(64, 3), |b| b.len() >= 3);
        assert_eq!(minimal, [0, 0, 0]);
    }

    #[test]
    fn a_body_that_always_fails_shrinks_to_nothing() {
        let (minimal, tested) = shrink(random_body(255, 1), |_| true);
        assert!(minimal.is_empty());
        assert_eq!(tested, 2, "deleting the first half, then everything left");
    }

    #[test]
    fn proptest_shrinks_a_failure_to_one_byte() {
        let mut runner = TestRunner::new_with_rng(
            Config {
                cases: 256,
                failure_persistence: None,
                ..Config::default()
            },
            TestRng::deterministic_rng(RngAlgorithm::XorShift),
        );
        let result = runner.run(&RandomBytes::new(0..256), |bytes| {
            prop_assert!(std::str::from_utf8(&bytes).is_ok());
            Ok(())
        });
        match result {
            Err(TestError::Fail(_, minimal)) => {
                assert_eq!(minimal.len(), 1, "{minimal:?}");
                assert!(minimal[0] >= 0x80, "{minimal:?}");
            }
            other => panic!("random bytes are soon not UTF-8: {other:?}"),
        }
    }

    #[test]
    fn lengths_stay_in_range_and_draws_replay() {
        let draw = |seed: u8| {
            let mut runner = TestRunner::new_with_rng(
                Config::default(),
                TestRng::from_seed(RngAlgorithm::XorShift, &[seed; 16]),
            );
            (0..50)
                .map(|_| {
                    RandomBytes::new(3..9)
                        .new_tree(&mut runner)
                        .unwrap()
                        .current()
                })
                .collect::<Vec<_>>()
        };
        let a = draw(1);
        assert!(a.iter().all(|b| (3..9).contains(&b.len())));
        assert_eq!(a, draw(1));
        assert_ne!(a, draw(2));
        let mut runner = TestRunner::deterministic();
        let empty = RandomBytes::new(0..0).new_tree(&mut runner).unwrap();
        assert!(empty.current().is_empty());
    }
}
