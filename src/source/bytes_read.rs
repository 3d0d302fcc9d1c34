//! How far into its file a source has read, for an honest progress bar:
//! the row count of a stream is not known until its end, its size is.
//!
//! In: the opened file. Out: the same bytes, unchanged, and a shared
//! counter of how many have been read so far. Never fails on its own; the
//! wrapped reader's errors pass through.

use std::io::Read;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Bytes read from a source's file so far; clones share one counter.
#[derive(Debug, Clone, Default)]
pub struct BytesRead(Arc<AtomicU64>);

impl BytesRead {
    /// Bytes read so far (the decoder reads ahead by a buffer at most).
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// A reader that adds what it reads to a [`BytesRead`].
pub(crate) struct Counting<R> {
    inner: R,
    read: BytesRead,
}

impl<R> Counting<R> {
    pub(crate) fn new(inner: R, read: BytesRead) -> Self {
        Self { inner, read }
    }
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.0.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_every_byte_read_and_passes_them_through() {
        let counter = BytesRead::default();
        let mut r = Counting::new(&b"id,name\n1,Ana\n"[..], counter.clone());
        let mut out = Vec::new();
        r.read_to_end(&mut out).unwrap();
        assert_eq!(out, b"id,name\n1,Ana\n");
        assert_eq!(counter.get(), 14);
    }
}
