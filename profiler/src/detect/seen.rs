//! Sets of 64-bit hashes for the detectors' counting: the keys are hashes
//! already, so a flat table probed linearly does what a `HashSet` would,
//! for a few instructions a key and, up to 128 keys, no allocation.

/// A set of 64-bit hashes: their top bits pick the slot, probed linearly in
/// a table at most half full (so it holds at most the `n` keys it was made
/// for). `0` marks an empty slot, so a key `0` is kept as `1`: for the
/// duplicates' pre-check a false repeat, which only costs its exact pass.
pub(super) struct SeenHashes<'s> {
    slots: &'s mut [u64],
    shift: u32,
}

impl SeenHashes<'_> {
    /// Calls `f` with an empty set sized for `n` keys.
    pub(super) fn with_room_for<R>(n: usize, f: impl FnOnce(&mut SeenHashes<'_>) -> R) -> R {
        let len = n.saturating_mul(2).next_power_of_two().max(16);
        let shift = 64 - len.trailing_zeros();
        if len <= 32 {
            f(&mut SeenHashes { slots: &mut [0; 32][..len], shift })
        } else if len <= 256 {
            f(&mut SeenHashes { slots: &mut [0; 256][..len], shift })
        } else {
            f(&mut SeenHashes { slots: &mut vec![0; len], shift })
        }
    }

    /// Adds `key`; `false` if it was there.
    #[inline]
    pub(super) fn insert(&mut self, key: u64) -> bool {
        let key = key.max(1);
        let mask = self.slots.len() - 1;
        // `shift` < 64: the table has at least 16 slots.
        let mut i = (key >> self.shift) as usize;
        loop {
            match self.slots.get_mut(i) {
                Some(slot) if *slot == 0 => {
                    *slot = key;
                    return true;
                }
                Some(slot) if *slot == key => return false,
                _ => i = (i + 1) & mask,
            }
        }
    }
}

/// How many distinct keys `keys` holds, exactly (what sorting and
/// deduplicating would tell, without the sort).
pub(super) fn count_distinct(keys: &[u64]) -> usize {
    SeenHashes::with_room_for(keys.len(), |seen| {
        // `0` marks an empty slot (and `insert` would take it for a `1`):
        // counted on its own.
        let zero = keys.contains(&0);
        keys.iter().filter(|&&k| k != 0 && seen.insert(k)).count() + usize::from(zero)
    })
}

#[cfg(test)]
mod tests {
    use super::count_distinct;

    #[test]
    fn distinct_keys_are_counted_exactly_zero_and_one_included() {
        assert_eq!(count_distinct(&[]), 0);
        assert_eq!(count_distinct(&[0, 1, 0, 1]), 2);
        assert_eq!(count_distinct(&[7, 7, 7]), 1);
        // Past the stack tables, and keys whose top bits collide.
        let keys: Vec<u64> = (0..1000u64).map(|i| (i % 300) << 3).collect();
        assert_eq!(count_distinct(&keys), 300);
        let high: Vec<u64> = (0..100u64).map(|i| u64::MAX - (i % 40)).collect();
        assert_eq!(count_distinct(&high), 40);
    }
}
