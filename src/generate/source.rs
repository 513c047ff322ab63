//! Entropy sources: where every decision of the generator comes from.
//!
//! The interpreter never touches a random number generator directly. Each decision (which
//! alternative, how many items, which character) is one call to [`Source::draw`], a number in
//! `0..=max` where `0` is always the simplest option. That one seam lets the same interpreter run
//! over:
//!
//! - a seeded generator ([`RngSource`]), optionally recording the numbers it hands out
//!   ([`RecordingSource`]), which is what `gen --seed` and the proptest driver use; per value it
//!   is a XorShift generator (`rand_xorshift`, the one proptest offers): seeding it and drawing
//!   from it cost a few instructions, where a ChaCha generator computes 256 bytes of key stream
//!   before its first draw, more than a small webhook body takes to build;
//! - a recorded choice sequence ([`ReplaySource`]), which is how the proptest driver shrinks: it
//!   edits the sequence (deletes chunks, lowers numbers) and replays it; past the end of the
//!   sequence every draw is `0`, so a shortened sequence completes with the simplest choices;
//! - fuzzer bytes ([`UnstructuredSource`] over [`arbitrary::Unstructured`]), which also answers
//!   `0` once the bytes run out.

use arbitrary::Unstructured;
use rand_core::{Rng, SeedableRng};
use rand_xorshift::XorShiftRng;

/// One decision at a time; `0` is always the simplest answer.
pub trait Source {
    /// A number in `0..=max`.
    fn draw(&mut self, max: u64) -> u64;

    /// An index in `0..n` (`n >= 1`); draws nothing when there is only one option.
    fn choose(&mut self, n: usize) -> usize {
        if n <= 1 {
            return 0;
        }
        // `n - 1` fits in u64 on every platform Rust supports.
        let picked = self.draw((n - 1) as u64);
        usize::try_from(picked).unwrap_or(0).min(n - 1)
    }

    /// `true` with probability about `1 - 1/(den)`; the simplest answer, `false`, is draw `0`.
    fn likely(&mut self, den: u64) -> bool {
        self.draw(den.max(2) - 1) != 0
    }

    /// `true` with probability about `1/den`; `false` is the simplest answer.
    fn rarely(&mut self, den: u64) -> bool {
        self.draw(den.max(2) - 1) == den.max(2) - 1
    }

    /// A number in `lo..=hi` (`lo` when `hi < lo`); `lo` is the simplest.
    fn between(&mut self, lo: u64, hi: u64) -> u64 {
        if hi <= lo {
            return lo;
        }
        lo + self.draw(hi - lo)
    }
}

/// Uniform `0..=max` from one 64-bit word (Lemire's multiply-shift; bias below 2^-60 for the
/// small bounds the generator uses).
fn scale(word: u64, max: u64) -> u64 {
    if max == u64::MAX {
        return word;
    }
    ((u128::from(word) * (u128::from(max) + 1)) >> 64) as u64
}

/// A generator seeded from a `(seed, stream)` pair ([`RngSource::new`]).
///
/// The same pair always yields the same draws, on every platform: the algorithm (XorShift128,
/// as `rand_xorshift` defines it) and the seed derivation are fixed.
#[derive(Debug, Clone)]
pub struct RngSource {
    rng: XorShiftRng,
}

impl RngSource {
    /// A source for value number `stream` of the run seeded with `seed`.
    #[must_use]
    pub fn new(seed: u64, stream: u64) -> Self {
        Self {
            rng: XorShiftRng::from_seed(seed_bytes(seed, stream)),
        }
    }
}

impl Source for RngSource {
    fn draw(&mut self, max: u64) -> u64 {
        if max == 0 {
            return 0;
        }
        scale(self.rng.next_u64(), max)
    }
}

/// 16 seed bytes (a XorShift128 state) from two words, through SplitMix64 so that neighbouring
/// seeds and streams give unrelated generators.
fn seed_bytes(seed: u64, stream: u64) -> [u8; 16] {
    let mut state = seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(17);
    let mut out = [0u8; 16];
    for chunk in out.chunks_exact_mut(8) {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        chunk.copy_from_slice(&z.to_le_bytes());
    }
    out
}

/// Wraps another source and records every draw, so that the value can be replayed and shrunk.
#[derive(Debug)]
pub struct RecordingSource<'a, S> {
    inner: &'a mut S,
    record: &'a mut Vec<u64>,
}

impl<'a, S: Source> RecordingSource<'a, S> {
    /// Records the draws of `inner` into `record` (appending).
    pub fn new(inner: &'a mut S, record: &'a mut Vec<u64>) -> Self {
        Self { inner, record }
    }
}

impl<S: Source> Source for RecordingSource<'_, S> {
    fn draw(&mut self, max: u64) -> u64 {
        let v = self.inner.draw(max);
        if max > 0 {
            self.record.push(v);
        }
        v
    }
}

/// Replays a recorded choice sequence; past its end every draw is `0`.
///
/// A recorded number larger than the bound asked for now (the sequence was edited, so draws
/// shifted) is folded into range. The draws actually handed out are recorded again, which gives
/// the normalised sequence of the replayed value.
#[derive(Debug)]
pub struct ReplaySource<'a> {
    seq: &'a [u64],
    pos: usize,
    record: Vec<u64>,
}

impl<'a> ReplaySource<'a> {
    /// Replays `seq`.
    #[must_use]
    pub fn new(seq: &'a [u64]) -> Self {
        Self {
            seq,
            pos: 0,
            record: Vec::with_capacity(seq.len()),
        }
    }

    /// The draws handed out so far (the normalised sequence).
    #[must_use]
    pub fn into_record(self) -> Vec<u64> {
        self.record
    }
}

impl Source for ReplaySource<'_> {
    fn draw(&mut self, max: u64) -> u64 {
        if max == 0 {
            return 0;
        }
        let raw = self.seq.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        // `raw > max` implies `max < u64::MAX`, so `max + 1` cannot overflow.
        let v = if raw <= max { raw } else { raw % (max + 1) };
        self.record.push(v);
        v
    }
}

/// Fuzzer bytes as a source: each draw consumes as few bytes as its bound needs, and an
/// exhausted input answers `0` (the simplest choice) from then on.
#[derive(Debug)]
pub struct UnstructuredSource<'a, 'b> {
    u: &'b mut Unstructured<'a>,
}

impl<'a, 'b> UnstructuredSource<'a, 'b> {
    /// Draws from `u`.
    pub fn new(u: &'b mut Unstructured<'a>) -> Self {
        Self { u }
    }
}

impl Source for UnstructuredSource<'_, '_> {
    fn draw(&mut self, max: u64) -> u64 {
        if max == 0 {
            return 0;
        }
        self.u.int_in_range(0..=max).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rng_source_is_deterministic_and_in_range() {
        let mut a = RngSource::new(7, 3);
        let mut b = RngSource::new(7, 3);
        for max in [0, 1, 5, 1000, u64::MAX] {
            let x = a.draw(max);
            assert_eq!(x, b.draw(max));
            assert!(x <= max);
        }
        let mut c = RngSource::new(7, 4);
        let xs: Vec<u64> = (0..8).map(|_| a.draw(u64::MAX)).collect();
        let ys: Vec<u64> = (0..8).map(|_| c.draw(u64::MAX)).collect();
        assert_ne!(xs, ys);
    }

    #[test]
    fn replay_reproduces_a_recording_and_pads_with_zero() {
        let mut rng = RngSource::new(1, 1);
        let mut rec = Vec::new();
        let drawn: Vec<u64> = {
            let mut s = RecordingSource::new(&mut rng, &mut rec);
            (0..5).map(|i| s.draw(10 * (i + 1))).collect()
        };
        let mut r = ReplaySource::new(&rec);
        let replayed: Vec<u64> = (0..5).map(|i| r.draw(10 * (i + 1))).collect();
        assert_eq!(drawn, replayed);
        assert_eq!(r.draw(9), 0);
        assert_eq!(r.into_record().len(), 6);
    }

    #[test]
    fn replay_folds_out_of_range_numbers() {
        let seq = [17];
        let mut r = ReplaySource::new(&seq);
        assert_eq!(r.draw(4), 2);
    }

    #[test]
    fn unstructured_answers_zero_when_empty() {
        let mut u = Unstructured::new(&[]);
        let mut s = UnstructuredSource::new(&mut u);
        assert_eq!(s.draw(100), 0);
        assert!(!s.likely(4));
        let data = [0xff; 16];
        let mut u = Unstructured::new(&data);
        let mut s = UnstructuredSource::new(&mut u);
        assert!(s.draw(3) <= 3);
    }

    #[test]
    fn helpers_keep_zero_simplest() {
        let mut r = ReplaySource::new(&[]);
        assert_eq!(r.choose(5), 0);
        assert!(!r.likely(4));
        assert!(!r.rarely(4));
        assert_eq!(r.between(3, 9), 3);
    }
}
