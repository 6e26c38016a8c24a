//! A small per-isolate cache with expiry, keyed by a SHA-256 (of a credential, or of a
//! credential and an origin path), so no credential is kept in memory as such.

use std::collections::HashMap;

use sha2::{Digest, Sha256};

/// A cache key: the SHA-256 of its parts, each length-prefixed.
pub type Key = [u8; 32];

/// The key of `parts`.
pub fn key(parts: &[&[u8]]) -> Key {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p);
    }
    h.finalize().into()
}

/// Entries that expire; when full, the expired ones go, then everything.
#[derive(Debug)]
pub struct TtlCache<V> {
    entries: HashMap<Key, (V, f64)>,
    capacity: usize,
}

impl<V: Clone> TtlCache<V> {
    /// An empty cache of at most `capacity` entries.
    pub fn new(capacity: usize) -> TtlCache<V> {
        TtlCache {
            entries: HashMap::new(),
            capacity,
        }
    }

    /// The live value of `key` at `now` (ms).
    pub fn get(&self, key: &Key, now: f64) -> Option<V> {
        self.entries
            .get(key)
            .filter(|(_, until)| *until > now)
            .map(|(v, _)| v.clone())
    }

    /// The live value of `key` at `now` (ms) and when it expires.
    pub fn get_until(&self, key: &Key, now: f64) -> Option<(V, f64)> {
        self.entries
            .get(key)
            .filter(|(_, until)| *until > now)
            .cloned()
    }

    /// The value of `key` however old, while the cache still holds it (for what may be said
    /// of an expired entry: whose a credential was, never that it is good).
    pub fn get_stale(&self, key: &Key) -> Option<V> {
        self.entries.get(key).map(|(v, _)| v.clone())
    }

    /// Drops every entry whose value `drop` says so.
    pub fn forget(&mut self, drop: impl Fn(&V) -> bool) {
        self.entries.retain(|_, (v, _)| !drop(v));
    }

    /// Drops `key`.
    pub fn remove(&mut self, key: &Key) {
        self.entries.remove(key);
    }

    /// Keeps `value` until `now + ttl` (ms). A zero TTL keeps nothing.
    pub fn put(&mut self, key: Key, value: V, now: f64, ttl: f64) {
        if ttl <= 0.0 {
            return;
        }
        if self.entries.len() >= self.capacity {
            self.entries.retain(|_, (_, until)| *until > now);
            if self.entries.len() >= self.capacity {
                self.entries.clear();
            }
        }
        self.entries.insert(key, (value, now + ttl));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_expire_and_capacity_holds() {
        let mut c = TtlCache::new(2);
        let (a, b, d) = (key(&[b"a"]), key(&[b"b"]), key(&[b"d"]));
        assert_ne!(key(&[b"ab", b"c"]), key(&[b"a", b"bc"]));
        c.put(a, 1, 0.0, 10.0);
        assert_eq!(c.get(&a, 9.0), Some(1));
        assert_eq!(c.get(&a, 10.0), None);
        c.put(b, 2, 0.0, 100.0);
        c.put(d, 3, 20.0, 100.0);
        assert_eq!((c.get(&b, 21.0), c.get(&d, 21.0)), (Some(2), Some(3)));
        assert_eq!(c.get_until(&d, 21.0), Some((3, 120.0)));
        c.put(a, 4, 0.0, 0.0);
        assert_eq!(c.get(&a, 0.0), None);
    }
}
