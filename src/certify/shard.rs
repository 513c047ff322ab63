//! `--shard I/N`: a deterministic partition of the cell matrix over N machines.
//!
//! Cells are numbered in matrix order (vendor, event, property) and cell `k` belongs to shard
//! `k mod N + 1`. Round-robin rather than contiguous ranges keeps the shards balanced: every
//! property has a different cost, and neighbouring cells are the same event's properties.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// One shard of `count`, numbered from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Shard {
    /// Which shard, `1..=count`.
    pub index: u32,
    /// How many shards in all.
    pub count: u32,
}

impl Shard {
    /// The whole matrix as one shard (`1/1`).
    pub const ALL: Shard = Shard { index: 1, count: 1 };

    /// Shard `index` of `count`.
    ///
    /// # Errors
    ///
    /// [`ShardError`] unless `1 <= index <= count`.
    pub fn new(index: u32, count: u32) -> Result<Self, ShardError> {
        if count == 0 || index == 0 || index > count {
            return Err(ShardError {
                text: format!("{index}/{count}"),
            });
        }
        Ok(Shard { index, count })
    }

    /// Whether the cell numbered `position` (from 0, in matrix order) is in this shard.
    #[must_use]
    pub fn contains(self, position: usize) -> bool {
        // `count` is at least 1; the remainder fits in u32.
        position % self.count as usize + 1 == self.index as usize
    }

    /// Whether this is the whole matrix.
    #[must_use]
    pub fn is_all(self) -> bool {
        self.count == 1
    }
}

impl Default for Shard {
    fn default() -> Self {
        Shard::ALL
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// Text that is not a shard `I/N` with `1 <= I <= N`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardError {
    /// The text given.
    pub text: String,
}

impl fmt::Display for ShardError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} is not a shard I/N with 1 <= I <= N (e.g. 2/4)",
            self.text
        )
    }
}

impl std::error::Error for ShardError {}

impl FromStr for Shard {
    type Err = ShardError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || ShardError { text: s.to_owned() };
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let i = i.trim().parse().map_err(|_| bad())?;
        let n = n.trim().parse().map_err(|_| bad())?;
        Shard::new(i, n).map_err(|_| bad())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_one_based_shards() {
        assert_eq!("2/4".parse(), Ok(Shard { index: 2, count: 4 }));
        for bad in ["0/4", "5/4", "1/0", "1", "a/b", "1/2/3"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }

    #[test]
    fn shards_partition_every_position_exactly_once() {
        for count in 1..6 {
            for position in 0..50 {
                let owners = (1..=count)
                    .filter(|&i| Shard::new(i, count).unwrap().contains(position))
                    .count();
                assert_eq!(owners, 1, "position {position} of {count} shards");
            }
        }
    }
}
