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
    /// `None` while there are at most [`SCANNED`] items (boxed: most lists
    /// never have one, and a scope moves its list between steps).
    map: Option<Box<FxHashMap<T::Key, usize>>>,
}

impl<T: Keyed> Default for KeyedList<T> {
    fn default() -> Self {
        KeyedList { items: Vec::new(), map: None }
    }
}

impl<T: Keyed> KeyedList<T> {
    /// The position of the item with `key`; `make`'s, added at the end, if
    /// there is none.
    pub(crate) fn find_or_add(&mut self, key: T::Key, make: impl FnOnce() -> T) -> usize {
        let found = match &self.map {
            None => self.items.iter().position(|t| t.key() == key),
            Some(map) => map.get(&key).copied(),
        };
        if let Some(i) = found {
            return i;
        }
        let i = self.items.len();
        self.items.push(make());
        if self.items.len() > SCANNED {
            match &mut self.map {
                None => self.map = Some(Box::new(self.items.iter().enumerate().map(|(i, t)| (t.key(), i)).collect())),
                Some(map) => {
                    map.insert(key, i);
                }
            }
        }
        i
    }

    pub(crate) fn capacity(&self) -> usize {
        self.items.capacity()
    }

    /// Empty, with the list's buffer kept (and no map: it is rebuilt past
    /// the scanned few).
    pub(crate) fn clear(&mut self) {
        self.items.clear();
        self.map = None;
    }

    pub(crate) fn items(&self) -> &[T] {
        &self.items
    }

    pub(crate) fn get_mut(&mut self, i: usize) -> Option<&mut T> {
        self.items.get_mut(i)
    }

    /// A list of `items`, which must have distinct keys (an empty buffer, say).
    pub(crate) fn from_items(items: Vec<T>) -> Self {
        debug_assert!(items.len() <= SCANNED, "a long list needs its map");
        KeyedList { items, map: None }
    }

    pub(crate) fn into_items(self) -> Vec<T> {
        self.items
    }
}
