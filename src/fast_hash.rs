//! A fast hasher for look-up tables built once and read per row (value
//! maps, tenant ids, custom field ids).
//!
//! In: short keys, the mapping's and the tenant's. Out: a 64-bit hash, a
//! word at a time (the multiply-rotate scheme of rustc's FxHash). The tables
//! are built once and only read while rows are mapped, so a file cannot grow
//! them with colliding keys: the DoS resistance of the default SipHash buys
//! nothing here, and SipHash showed on the profile. Never fails.

use std::hash::{BuildHasherDefault, Hasher};

/// `BuildHasher` for [`FastHasher`].
pub(crate) type FastHashBuilder = BuildHasherDefault<FastHasher>;

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

/// The hasher state.
#[derive(Default, Clone, Copy)]
pub(crate) struct FastHasher {
    hash: u64,
}

impl FastHasher {
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        // The length first: zero padding of the last word must not make
        // "a" and "a\0" alike.
        self.add(bytes.len() as u64);
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w));
        }
    }

    fn write_u8(&mut self, b: u8) {
        self.add(u64::from(b));
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn finish(&self) -> u64 {
        self.hash
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::hash::BuildHasher;

    use super::*;

    #[test]
    fn equal_keys_hash_equal_and_lengths_matter() {
        let b = FastHashBuilder::default();
        assert_eq!(b.hash_one("BR01"), b.hash_one(String::from("BR01")));
        assert_ne!(b.hash_one("BR01"), b.hash_one("BR02"));
        // str hashing appends 0xFF: "a" and "a\0" must differ.
        assert_ne!(b.hash_one("a"), b.hash_one("a\0"));
        assert_ne!(b.hash_one("abcdefgh"), b.hash_one("abcdefgh\0"));
    }

    #[test]
    fn a_table_finds_every_key() {
        let mut m: HashMap<String, usize, FastHashBuilder> = HashMap::default();
        for i in 0..10_000 {
            m.insert(format!("key-{i}"), i);
        }
        assert!((0..10_000).all(|i| m.get(format!("key-{i}").as_str()) == Some(&i)));
        assert_eq!(m.get("key-10000"), None);
    }
}
