//! Counters that many threads bump and one reads now and then: [`Tally`].
//!
//! A single shared atomic would move its cache line between cores on every bump, and two
//! threads generating from one [`Generator`](super::Generator) bump once per value. Each thread
//! here bumps a counter on a cache line of its own (threads are spread over the shards in the
//! order they first count), and a read sums the shards.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// Shards per tally: threads beyond this share a shard (still correct, only slower).
const SHARDS: usize = 8;

/// One thread's share, alone on its cache line (128 bytes: adjacent-line prefetch pairs
/// 64-byte lines).
#[derive(Default)]
#[repr(align(128))]
struct Shard(AtomicU64);

/// A counter bumped from many threads at once, and read as the sum of their bumps.
#[derive(Default)]
pub(crate) struct Tally {
    shards: [Shard; SHARDS],
}

/// The shard of the calling thread.
fn shard() -> usize {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    thread_local! {
        static SHARD: usize = NEXT.fetch_add(1, Ordering::Relaxed) % SHARDS;
    }
    SHARD.with(|s| *s)
}

impl Tally {
    /// Adds one.
    pub(crate) fn bump(&self) {
        self.shards[shard()].0.fetch_add(1, Ordering::Relaxed);
    }

    /// The bumps so far, from all threads.
    pub(crate) fn get(&self) -> u64 {
        self.shards
            .iter()
            .map(|s| s.0.load(Ordering::Relaxed))
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bumps_from_many_threads_are_all_counted() {
        let tally = Tally::default();
        std::thread::scope(|scope| {
            for _ in 0..SHARDS + 3 {
                scope.spawn(|| {
                    for _ in 0..1000 {
                        tally.bump();
                    }
                });
            }
        });
        tally.bump();
        assert_eq!(tally.get(), (SHARDS as u64 + 3) * 1000 + 1);
    }

    #[test]
    fn shards_are_cache_lines_apart() {
        assert_eq!(std::mem::align_of::<Shard>(), 128);
        assert_eq!(std::mem::size_of::<Tally>(), SHARDS * 128);
    }
}
