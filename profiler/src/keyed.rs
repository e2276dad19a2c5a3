//! A list whose items are found by key: by a scan while there are few, by a
//! map past that. A scope has a few statements and a few N+1 candidates,
//! and building a map for them cost more than scanning them.

use std::hash::Hash;

use rustc_hash::FxHashMap;

/// What an item of a [`KeyedList`] is found by.
pub(crate) trait Keyed {
    type Key: Copy + Eq + Hash;

    fn key(&self) -> Self::Key;
}

/// Up to this many items are found by a scan.
pub(crate) const SCANNED: usize = 8;

/// Items in the order they were added, each found by its key.
#[derive(Debug, Clone)]
pub(crate) struct KeyedList<T: Keyed> {
    items: Vec<T>,
    /// Empty while there are at most [`SCANNED`] items.
    map: FxHashMap<T::Key, usize>,
}

impl<T: Keyed> Default for KeyedList<T> {
    fn default() -> Self {
        KeyedList { items: Vec::new(), map: FxHashMap::default() }
    }
}

impl<T: Keyed> KeyedList<T> {
    /// The position of the item with `key`; `make`'s, added at the end, if
    /// there is none.
    pub(crate) fn find_or_add(&mut self, key: T::Key, make: impl FnOnce() -> T) -> usize {
        let found = if self.map.is_empty() {
            self.items.iter().position(|t| t.key() == key)
        } else {
            self.map.get(&key).copied()
        };
        if let Some(i) = found {
            return i;
        }
        let i = self.items.len();
        self.items.push(make());
        if self.items.len() > SCANNED {
            if self.map.is_empty() {
                self.map = self.items.iter().enumerate().map(|(i, t)| (t.key(), i)).collect();
            } else {
                self.map.insert(key, i);
            }
        }
        i
    }

    pub(crate) fn items(&self) -> &[T] {
        &self.items
    }

    pub(crate) fn get_mut(&mut self, i: usize) -> Option<&mut T> {
        self.items.get_mut(i)
    }

    pub(crate) fn into_items(self) -> Vec<T> {
        self.items
    }
}
