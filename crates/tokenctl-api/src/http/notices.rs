//! What the vendor layer noticed in the API's answers and worked around, kept for the CLI to
//! say once. Nothing here is worded for the user.

use std::collections::HashSet;
use std::hash::Hash;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Shared by every vendor client of one command. Cheap to clone.
#[derive(Clone, Debug, Default)]
pub struct Notices {
    repeated: Arc<AtomicU64>,
}

/// One thing worth telling the user.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notice {
    /// List answers named the same ID more than once; `dropped` copies were left out.
    RepeatedIds { dropped: u64 },
}

impl Notices {
    pub fn new() -> Self {
        Self::default()
    }

    /// Keeps the first item of each ID, in order, and counts the others.
    pub fn dedupe<T, K: Eq + Hash>(&self, items: Vec<T>, id: impl Fn(&T) -> K) -> Vec<T> {
        let mut seen = Seen::default();
        let kept = seen.keep_new(items, id);
        self.repeated(seen.dropped);
        kept
    }

    /// Notes `n` repeated items left out of a list.
    pub fn repeated(&self, n: u64) {
        if n > 0 {
            self.repeated.fetch_add(n, Ordering::Relaxed);
        }
    }

    /// Everything noticed so far; each notice is handed out once.
    pub fn take(&self) -> Vec<Notice> {
        match self.repeated.swap(0, Ordering::Relaxed) {
            0 => vec![],
            dropped => vec![Notice::RepeatedIds { dropped }],
        }
    }
}

/// The IDs met so far in one list, and how many items repeated one.
pub(super) struct Seen<K> {
    ids: HashSet<K>,
    pub(super) dropped: u64,
}

impl<K> Default for Seen<K> {
    fn default() -> Self {
        Seen {
            ids: HashSet::new(),
            dropped: 0,
        }
    }
}

impl<K: Eq + Hash> Seen<K> {
    /// The items whose ID was not met before, in order.
    pub(super) fn keep_new<T>(&mut self, items: Vec<T>, id: impl Fn(&T) -> K) -> Vec<T> {
        let before = items.len();
        let kept: Vec<T> = items
            .into_iter()
            .filter(|t| self.ids.insert(id(t)))
            .collect();
        self.dropped += (before - kept.len()) as u64;
        kept
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_first_of_each_id_and_counts_the_rest() {
        let n = Notices::new();
        let kept = n.dedupe(
            vec![(1, 'a'), (2, 'b'), (1, 'c'), (3, 'd'), (2, 'e')],
            |t| t.0,
        );
        assert_eq!(kept, [(1, 'a'), (2, 'b'), (3, 'd')]);
        assert_eq!(n.clone().take(), [Notice::RepeatedIds { dropped: 2 }]);
        assert_eq!(n.take(), [], "handed out once");
        assert_eq!(n.dedupe(vec![1, 2, 3], |t| *t), [1, 2, 3]);
        assert_eq!(n.take(), []);
    }
}
