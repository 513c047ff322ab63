//! The proptest driver: a [`Strategy`] whose value trees shrink the choice sequence.
//!
//! A value is identified by the sequence of draws that produced it. [`GenStrategy::new_tree`]
//! draws it from a generator seeded by the test runner's, and the [`ChoiceTree`] records that
//! sequence (by drawing again from the same state) only when it is first shrunk; it then
//! shrinks by editing the sequence and replaying it through the same interpreter, in the style of
//! Hypothesis: keep only a prefix of the draws, zero chunks of draws (8, 4, 2, 1 long), delete
//! chunks, and lower single draws. A replay that runs past the end of an edited sequence draws `0`, the simplest choice, so every
//! edit still yields a complete value. Candidates are kept only if the validator accepts them
//! (shrinking never simplifies into an invalid value) and they are simpler: a shorter JSON text,
//! or as short a text from a smaller sequence (shorter, or lexicographically smaller). Both
//! orders are well-founded, which guarantees that shrinking terminates.

use std::sync::Arc;

use proptest::{
    strategy::{NewTree, Strategy, ValueTree},
    test_runner::TestRunner,
};
use rand_core::Rng;
use serde_json::Value;

use super::{
    generator::Generator,
    source::{RecordingSource, ReplaySource, RngSource},
};

/// Replays tried per call of [`ValueTree::simplify`] or [`ValueTree::complicate`].
const ATTEMPTS_PER_STEP: usize = 4096;

/// Chunk lengths tried by the deleting and zeroing passes.
const CHUNKS: [usize; 4] = [8, 4, 2, 1];

/// A proptest strategy of values that conform to a schema.
///
/// Made by [`Generator::strategy`].
#[derive(Debug, Clone)]
#[must_use = "strategies do nothing unless used"]
pub struct GenStrategy {
    generator: Generator,
}

impl Generator {
    /// A proptest strategy of conforming values. Each value is checked by the validator, and
    /// shrinking moves toward smaller, simpler values that still conform.
    ///
    /// # Example
    ///
    /// ```
    /// use hookcheck::generate::{GenOptions, Generator};
    /// use proptest::{strategy::Strategy, test_runner::TestRunner};
    /// use serde_json::json;
    ///
    /// let g = Generator::new(&json!({"type": "array", "items": {"type": "integer"}}), &[], GenOptions::default())?;
    /// let mut runner = TestRunner::deterministic();
    /// let result = runner.run(&g.strategy(), |v| {
    ///     assert!(v.is_array());
    ///     Ok(())
    /// });
    /// assert!(result.is_ok());
    /// # Ok::<(), hookcheck::generate::GenError>(())
    /// ```
    pub fn strategy(&self) -> GenStrategy {
        GenStrategy {
            generator: self.clone(),
        }
    }
}

impl GenStrategy {
    /// The same values, each shared rather than copied whenever proptest asks for the current
    /// one (see [`SharedGenStrategy`]).
    pub(crate) fn shared(self) -> SharedGenStrategy {
        SharedGenStrategy(self)
    }

    /// A conforming value, drawn without recording its choices: most values never shrink, so
    /// the tree records them (by drawing again from the same state) only when asked to.
    fn choice_tree(
        &self,
        runner: &mut TestRunner,
    ) -> Result<ChoiceTree, proptest::test_runner::Reason> {
        // A XorShift generator per value, seeded from the runner's: the same values for the
        // same runner, without the cost of a ChaCha generator per value.
        let mut rng = RngSource::new(runner.rng().next_u64(), runner.rng().next_u64());
        let attempts = self.generator.inner().opts.max_attempts;
        for _ in 0..attempts {
            let start = rng.clone();
            if let Some(value) = self.generator.candidate(&mut rng) {
                return Ok(ChoiceTree::new(self.generator.clone(), start, value));
            }
        }
        Err(format!("no conforming value after {attempts} candidates").into())
    }
}

impl Strategy for GenStrategy {
    type Tree = ChoiceTree;
    type Value = Value;

    fn new_tree(&self, runner: &mut TestRunner) -> NewTree<Self> {
        self.choice_tree(runner)
    }
}

/// [`GenStrategy`] with values behind an [`Arc`]: the same draws, the same shrinking, but
/// taking the current value costs a reference count instead of a copy of the whole document
/// (proptest takes it once per case, and again per shrink step).
#[derive(Debug, Clone)]
#[must_use = "strategies do nothing unless used"]
pub(crate) struct SharedGenStrategy(GenStrategy);

impl Strategy for SharedGenStrategy {
    type Tree = SharedChoiceTree;
    type Value = Arc<Value>;

    fn new_tree(&self, runner: &mut TestRunner) -> NewTree<Self> {
        self.0.choice_tree(runner).map(SharedChoiceTree)
    }
}

/// The value tree of [`SharedGenStrategy`].
#[derive(Debug, Clone)]
pub(crate) struct SharedChoiceTree(ChoiceTree);

impl ValueTree for SharedChoiceTree {
    type Value = Arc<Value>;

    fn current(&self) -> Arc<Value> {
        Arc::clone(&self.0.current.1)
    }

    fn simplify(&mut self) -> bool {
        self.0.simplify()
    }

    fn complicate(&mut self) -> bool {
        self.0.complicate()
    }
}

/// Where the shrinker is in its passes over the best sequence.
#[derive(Debug, Clone, Copy, Default)]
struct Cursor {
    /// 0: keep a prefix, 1: zero chunks, 2: delete chunks, 3: lower single draws.
    pass: u8,
    /// Index into [`CHUNKS`] (passes 0 and 1) or the sub-step (pass 2).
    size: usize,
    /// Position in the sequence.
    pos: usize,
}

/// A value with the choice sequence that produced it, shrinkable.
#[derive(Debug, Clone)]
pub struct ChoiceTree {
    generator: Generator,
    /// The smallest failing sequence and value so far; `None` while that is still `current`
    /// (no edit tried yet), which spares a copy of every value that never shrinks.
    best: Option<(Vec<u64>, Arc<Value>)>,
    current: (Vec<u64>, Arc<Value>),
    /// The generator's state before the draws of `current`, while its sequence (empty until
    /// then) has not been recorded.
    unrecorded: Option<RngSource>,
    cursor: Cursor,
}

impl ChoiceTree {
    fn new(generator: Generator, start: RngSource, value: Value) -> Self {
        Self {
            generator,
            best: None,
            current: (Vec::new(), Arc::new(value)),
            unrecorded: Some(start),
            cursor: Cursor::default(),
        }
    }

    /// The choice sequence of the current value.
    pub fn choices(&mut self) -> &[u64] {
        self.record();
        &self.current.0
    }

    /// Records the current value's sequence, if that is still to do, by drawing it again from
    /// the state it was drawn from (the draws, and so the value, are the same).
    fn record(&mut self) {
        if let Some(mut rng) = self.unrecorded.take() {
            let mut src = RecordingSource::new(&mut rng, &mut self.current.0);
            let again = self.generator.draw(&mut src, false).ok();
            debug_assert_eq!(again.map(|v| v.0).as_ref(), Some(&*self.current.1));
        }
    }

    /// The next edit of the best sequence, or `None` when every pass is done.
    ///
    /// Passes, from the largest jumps to the smallest: keep only a prefix (shortest first; the
    /// empty prefix is the simplest value), zero a chunk, delete a chunk, then lower one draw
    /// (dropping a quarter of its bits, halving it, decrementing it).
    fn next_edit(&mut self) -> Option<Vec<u64>> {
        self.record();
        let seq = &self.best.as_ref().unwrap_or(&self.current).0;
        loop {
            let c = &mut self.cursor;
            match c.pass {
                0 => {
                    if c.pos >= seq.len() {
                        c.pass += 1;
                        c.pos = 0;
                        continue;
                    }
                    let keep = c.pos;
                    c.pos += 1;
                    return Some(seq[..keep].to_vec());
                }
                1 | 2 => {
                    let Some(&k) = CHUNKS.get(c.size) else {
                        c.pass += 1;
                        c.size = 0;
                        c.pos = 0;
                        continue;
                    };
                    if k > seq.len() || c.pos > seq.len() - k {
                        c.size += 1;
                        c.pos = 0;
                        continue;
                    }
                    let i = c.pos;
                    c.pos += 1;
                    if c.pass == 2 {
                        let mut edit = seq[..i].to_vec();
                        edit.extend_from_slice(&seq[i + k..]);
                        return Some(edit);
                    }
                    if seq[i..i + k].iter().any(|&x| x != 0) {
                        let mut edit = seq.clone();
                        edit[i..i + k].iter_mut().for_each(|x| *x = 0);
                        return Some(edit);
                    }
                }
                3 => {
                    if c.pos >= seq.len() {
                        return None;
                    }
                    let (i, step) = (c.pos, c.size);
                    if step >= 3 {
                        c.pos += 1;
                        c.size = 0;
                        continue;
                    }
                    c.size += 1;
                    let x = seq[i];
                    let lowered = match step {
                        0 => x >> (64 - x.leading_zeros()).div_ceil(4).max(1),
                        1 => x / 2,
                        _ => x.saturating_sub(1),
                    };
                    if lowered < x {
                        let mut edit = seq.clone();
                        edit[i] = lowered;
                        return Some(edit);
                    }
                }
                _ => return None,
            }
        }
    }

    /// Replays edits of the best sequence until one gives a conforming value with a smaller
    /// sequence; makes it current.
    fn advance(&mut self) -> bool {
        for _ in 0..ATTEMPTS_PER_STEP {
            let Some(edit) = self.next_edit() else {
                return false;
            };
            let mut replay = ReplaySource::new(&edit);
            let Ok((value, _)) = self.generator.draw(&mut replay, false) else {
                continue;
            };
            let seq = replay.into_record();
            let best = self.best.as_ref().unwrap_or(&self.current);
            if !simpler((&value, &seq), (&*best.1, &best.0)) || !self.generator.is_valid(&value) {
                continue;
            }
            let previous = std::mem::replace(&mut self.current, (seq, Arc::new(value)));
            // The first edit made: what was current is the best failure until told otherwise.
            self.best.get_or_insert(previous);
            return true;
        }
        false
    }
}

/// Shortlex order: shorter first, then lexicographically.
fn smaller(a: &[u64], b: &[u64]) -> bool {
    a.len() < b.len() || (a.len() == b.len() && a < b)
}

/// The order shrinking descends: a smaller serialised value first, then a smaller choice
/// sequence. Both are well-founded, so shrinking terminates; ordering by value size first keeps
/// shrinking from trading a shorter sequence for a bigger value.
fn simpler(a: (&Value, &[u64]), b: (&Value, &[u64])) -> bool {
    let (size_a, size_b) = (json_size(a.0), json_size(b.0));
    size_a < size_b || (size_a == size_b && a.0 != b.0 && smaller(a.1, b.1))
}

/// Bytes of the compact JSON text of `v`, counted without building it.
fn json_size(v: &Value) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    // Writing into a counter cannot fail.
    let _ = serde_json::to_writer(&mut count, v);
    count.0
}

impl ValueTree for ChoiceTree {
    type Value = Value;

    fn current(&self) -> Value {
        Value::clone(&self.current.1)
    }

    fn simplify(&mut self) -> bool {
        // The current value still fails the test: it becomes the base of further edits.
        if self
            .best
            .as_ref()
            .is_some_and(|best| best.0 != self.current.0)
        {
            self.best = Some(self.current.clone());
            self.cursor = Cursor::default();
        }
        self.advance()
    }

    fn complicate(&mut self) -> bool {
        // The last edit made the test pass: go back to the best failing value and try the next.
        if self.advance() {
            return true;
        }
        if let Some(best) = &self.best {
            self.current = best.clone();
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::GenOptions;
    use proptest::test_runner::{Config, RngAlgorithm, TestError, TestRng};
    use serde_json::json;

    #[test]
    fn shortlex() {
        assert!(smaller(&[9], &[0, 0]));
        assert!(smaller(&[1, 0], &[1, 1]));
        assert!(!smaller(&[1, 1], &[1, 1]));
    }

    #[test]
    fn smaller_values_come_first() {
        assert!(simpler((&json!([1]), &[5, 5, 5]), (&json!([10]), &[0])));
        assert!(simpler((&json!([2]), &[0]), (&json!([1]), &[1])));
        assert!(!simpler((&json!([1]), &[0]), (&json!([1]), &[1])));
        assert_eq!(json_size(&json!({"a": [1, "x"]})), 13);
    }

    /// Every value `strategy` makes on a seeded runner, until a value of three or more items
    /// fails, and the minimal failure proptest shrinks it to.
    fn seen_and_minimal<S>(strategy: &S) -> (Vec<Value>, Value)
    where
        S: Strategy,
        S::Value: std::ops::Deref<Target = Value> + std::fmt::Debug,
    {
        let mut runner = TestRunner::new_with_rng(
            Config {
                failure_persistence: None,
                ..Config::default()
            },
            TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]),
        );
        let seen = std::cell::RefCell::new(Vec::new());
        let result = runner.run(strategy, |v| {
            seen.borrow_mut().push(Value::clone(&v));
            proptest::prop_assert!(v.as_array().unwrap().len() < 3);
            Ok(())
        });
        match result {
            Err(TestError::Fail(_, minimal)) => (seen.into_inner(), Value::clone(&minimal)),
            other => panic!("expected a failure, got {other:?}"),
        }
    }

    #[test]
    fn shared_values_are_the_same_cases_and_shrink_alike() {
        let g = Generator::new(
            &json!({"type": "array", "items": {"type": "integer", "minimum": 5, "maximum": 90}}),
            &[],
            GenOptions::default(),
        )
        .unwrap();
        /// `Value` itself, behind the `Deref` the shared values have.
        #[derive(Debug)]
        struct Owned(Value);
        impl std::ops::Deref for Owned {
            type Target = Value;
            fn deref(&self) -> &Value {
                &self.0
            }
        }
        let owned = seen_and_minimal(&g.strategy().prop_map(Owned));
        let shared = seen_and_minimal(&g.strategy().shared());
        assert_eq!(shared, owned);
        assert_eq!(owned.1, json!([5, 5, 5]));
        // The failure was found after some passing cases, and shrinking tried candidates.
        assert!(owned.0.len() > 2, "{:?}", owned.0);
    }

    #[test]
    fn shrinks_to_the_minimal_array() {
        let g = Generator::new(
            &json!({"type": "array", "minItems": 2, "items": {"type": "integer", "minimum": 5}}),
            &[],
            GenOptions::default(),
        )
        .unwrap();
        let mut runner = TestRunner::new_with_rng(
            Config {
                failure_persistence: None,
                ..Config::default()
            },
            TestRng::deterministic_rng(RngAlgorithm::ChaCha),
        );
        let result = runner.run(&g.strategy(), |v| {
            proptest::prop_assert!(v.as_array().unwrap().len() < 2);
            Ok(())
        });
        match result {
            Err(TestError::Fail(_, minimal)) => assert_eq!(minimal, json!([5, 5])),
            other => panic!("expected a failure, got {other:?}"),
        }
    }

    #[test]
    fn the_recorded_choices_replay_to_the_value_drawn() {
        let g = Generator::new(
            &json!({"type": "object", "required": ["a"], "properties": {
                "a": {"type": "array", "items": {"type": "string", "maxLength": 6}},
                "b": {"enum": [1, "two", null]}
            }}),
            &[],
            GenOptions::default(),
        )
        .unwrap();
        let mut runner = TestRunner::deterministic();
        let strategy = g.strategy();
        for _ in 0..64 {
            let mut tree = strategy.new_tree(&mut runner).unwrap();
            let value = tree.current();
            let choices = tree.choices().to_vec();
            let mut replay = ReplaySource::new(&choices);
            assert_eq!(g.draw(&mut replay, false).unwrap().0, value, "{choices:?}");
            assert_eq!(replay.into_record(), choices);
        }
    }
}
