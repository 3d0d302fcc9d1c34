//! Mambu-style identifiers: 32-hex encoded keys, 9-digit client ids and
//! timestamps in Mambu's format (`2012-06-20T12:15:18+0000`).
//!
//! In: a seed. Out: keys unique within a process and, because the prefix is
//! drawn from the clock at start, across restarts on the same file. Never fails.

use std::sync::atomic::{AtomicU64, Ordering};

use xxhash_rust::xxh3::xxh3_64_with_seed;

/// Hands out encoded keys and generated client ids.
#[derive(Debug)]
pub struct KeyGen {
    prefix: u64,
    seed: u64,
    counter: AtomicU64,
}

impl KeyGen {
    /// A generator whose keys differ from those of any earlier start.
    pub fn new(seed: u64) -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        Self {
            prefix: xxh3_64_with_seed(&nanos.to_le_bytes(), seed),
            seed,
            counter: AtomicU64::new(0),
        }
    }

    /// A fresh 32-hex encoded key.
    pub fn encoded_key(&self) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        format!("{:016x}{:016x}", self.prefix, n)
    }

    /// A fresh 9-digit client id (the store refuses a clash; callers draw again).
    pub fn client_id(&self) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let h = xxh3_64_with_seed(&n.to_le_bytes(), self.seed ^ self.prefix);
        format!("{}", 100_000_000 + h % 900_000_000)
    }
}

/// Now, in Mambu's timestamp format (UTC).
pub fn mambu_now() -> String {
    format_timestamp(jiff::Timestamp::now())
}

/// A timestamp in Mambu's format (UTC).
pub fn format_timestamp(ts: jiff::Timestamp) -> String {
    ts.strftime("%Y-%m-%dT%H:%M:%S+0000").to_string()
}

/// Today's date in UTC.
pub fn today() -> jiff::civil::Date {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_32_hex_and_distinct_ids_9_digits() {
        let g = KeyGen::new(7);
        let (a, b) = (g.encoded_key(), g.encoded_key());
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
        let id = g.client_id();
        assert_eq!(id.len(), 9, "{id}");
        assert!(id.bytes().all(|c| c.is_ascii_digit()));
    }

    #[test]
    fn timestamps_use_mambus_offset_form() {
        let ts: jiff::Timestamp = "2012-06-20T12:15:18Z".parse().unwrap();
        assert_eq!(format_timestamp(ts), "2012-06-20T12:15:18+0000");
    }
}
