//! A reader that remembers what it last handed out.
//!
//! The csv parser does not say whether a record ended on `\n` or on `\r`
//! (whose `\n` it then swallows as a blank line before the next record), nor
//! whether the file ended inside a quoted field. Both are needed to tell the
//! line a record starts on and to spot an unterminated quote. This wrapper
//! sits under the parser's buffer and keeps a copy of the latest chunk, the
//! byte count so far, whether the end was reached and the last byte that was
//! not a line break. It never fails on its own; I/O errors pass through.

use std::io::{self, Read};

/// Wraps a reader and keeps the latest chunk read through it.
pub(crate) struct RecentBytes<R> {
    inner: R,
    chunk: Vec<u8>,
    chunk_start: u64,
    total: u64,
    eof: bool,
    last_content: Option<u8>,
}

impl<R: Read> RecentBytes<R> {
    /// Wraps `inner`.
    pub fn new(inner: R) -> Self {
        Self {
            inner,
            chunk: Vec::new(),
            chunk_start: 0,
            total: 0,
            eof: false,
            last_content: None,
        }
    }

    /// The byte at stream offset `offset`, if it is in the latest chunk.
    ///
    /// The parser consumes from one buffer that this chunk filled, so the
    /// last byte of the record it just returned is always here.
    pub fn byte_at(&self, offset: u64) -> Option<u8> {
        let i = offset.checked_sub(self.chunk_start)?;
        self.chunk.get(usize::try_from(i).ok()?).copied()
    }

    /// Bytes handed out so far.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// Whether the inner reader has reported its end.
    pub fn at_eof(&self) -> bool {
        self.eof
    }

    /// The last byte handed out that is not `\r` or `\n`.
    pub fn last_content_byte(&self) -> Option<u8> {
        self.last_content
    }
}

impl<R: Read> Read for RecentBytes<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n == 0 {
            self.eof = !buf.is_empty();
            return Ok(0);
        }
        let got = &buf[..n];
        self.chunk.clear();
        self.chunk.extend_from_slice(got);
        self.chunk_start = self.total;
        self.total += n as u64;
        if let Some(&b) = got.iter().rev().find(|&&b| b != b'\n' && b != b'\r') {
            self.last_content = Some(b);
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hands out its data `step` bytes at a time.
    struct Trickle(Vec<u8>, usize);

    impl Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.1.min(buf.len()).min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0.drain(..n);
            Ok(n)
        }
    }

    #[test]
    fn remembers_the_latest_chunk_by_stream_offset() {
        let mut r = RecentBytes::new(Trickle(b"abc\r\ndef\n\n".to_vec(), 4));
        let mut buf = [0u8; 16];
        assert_eq!(r.read(&mut buf).unwrap(), 4);
        assert_eq!(r.byte_at(3), Some(b'\r'));
        assert_eq!(r.read(&mut buf).unwrap(), 4);
        assert_eq!(
            (r.byte_at(3), r.byte_at(4), r.byte_at(7)),
            (None, Some(b'\n'), Some(b'f'))
        );
        assert_eq!(r.last_content_byte(), Some(b'f'));
        assert_eq!(r.read(&mut buf).unwrap(), 2);
        assert_eq!(
            r.last_content_byte(),
            Some(b'f'),
            "line breaks are not content"
        );
        assert!(!r.at_eof());
        assert_eq!(r.read(&mut buf).unwrap(), 0);
        assert!(r.at_eof());
        assert_eq!((r.total(), r.byte_at(9)), (10, Some(b'\n')));
    }
}
