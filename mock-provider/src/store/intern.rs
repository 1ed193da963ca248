//! One shared copy of each value many entries repeat (client ids, redirect URIs, subjects,
//! scopes), so that a full store holds pointers rather than copies.

use std::collections::HashSet;
use std::hash::Hash;
use std::sync::Arc;

/// Hands out one `Arc` per distinct value; values no entry holds any more are dropped when the
/// set has doubled since the last sweep, so it stays as small as what the stores use.
#[derive(Debug)]
pub(crate) struct Interner<T: ?Sized> {
    values: HashSet<Arc<T>>,
    sweep_at: usize,
}

/// Sweeps start once the set holds this many values.
const FIRST_SWEEP: usize = 1_024;

impl<T: ?Sized + Hash + Eq> Interner<T> {
    pub(crate) fn new() -> Self {
        Self {
            values: HashSet::new(),
            sweep_at: FIRST_SWEEP,
        }
    }

    /// The shared copy of `value`, made by `share` when it is new.
    fn share<Q>(&mut self, value: &Q, share: impl FnOnce(&Q) -> Arc<T>) -> Arc<T>
    where
        Q: ?Sized + Hash + Eq,
        Arc<T>: std::borrow::Borrow<Q>,
    {
        if let Some(shared) = self.values.get(value) {
            return Arc::clone(shared);
        }
        if self.values.len() >= self.sweep_at {
            self.values.retain(|v| Arc::strong_count(v) > 1);
            self.sweep_at = self.values.len().saturating_mul(2).max(FIRST_SWEEP);
        }
        let shared = share(value);
        self.values.insert(Arc::clone(&shared));
        shared
    }
}

impl Interner<str> {
    /// The shared copy of a string.
    pub(crate) fn str(&mut self, value: &str) -> Arc<str> {
        self.share(value, |v| Arc::from(v))
    }
}

impl<T: Hash + Eq> Interner<T> {
    /// The shared copy of a value.
    pub(crate) fn value(&mut self, value: T) -> Arc<T> {
        let fresh = Arc::new(value);
        let probe = Arc::clone(&fresh);
        self.share(&*probe, |_| fresh)
    }
}

/// Name-value pairs (reflected parameters) in compact form.
pub(crate) type Pairs = Box<[(Box<str>, Box<str>)]>;

/// The compact form of name-value pairs.
pub(crate) fn pack(pairs: Vec<(String, String)>) -> Pairs {
    pairs
        .into_iter()
        .map(|(n, v)| (n.into_boxed_str(), v.into_boxed_str()))
        .collect()
}

/// Name-value pairs back from their compact form.
pub(crate) fn unpack(pairs: &Pairs) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

/// The scopes of a space-separated scope string.
pub(crate) fn scope_list(scope: &str) -> Vec<String> {
    scope
        .split(' ')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_values_share_one_copy_and_unused_ones_are_swept() {
        let mut interner: Interner<str> = Interner::new();
        let a = interner.str("client");
        let b = interner.str("client");
        assert!(Arc::ptr_eq(&a, &b));
        for i in 0..3 * FIRST_SWEEP {
            interner.str(format!("flood{i}").as_str());
        }
        assert!(
            interner.values.len() <= 2 * FIRST_SWEEP,
            "{}",
            interner.values.len()
        );
        assert!(Arc::ptr_eq(&a, &interner.str("client")));
    }
}
