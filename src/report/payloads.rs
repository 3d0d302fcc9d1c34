//! `payloads.ndjson`: the exact request bodies the import would send.
//!
//! In: the JSON body of each valid row, in input order. Out: one body per
//! line, byte for byte as given, newline-terminated, so the file can be
//! diffed between runs or replayed. Bodies already in a file of their own
//! (one per line) are copied file to file in long runs instead of through
//! memory. Fails on I/O, or when a body holds a raw newline (it would split
//! into two lines).

use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};

/// Where one body lies in a file of bodies, each followed by a newline
/// (`len` does not count the newline).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyRange {
    /// Byte offset of the body's first byte in the file.
    pub offset: u64,
    /// The body's length in bytes, without its newline.
    pub len: u64,
}

/// Streams request bodies to `payloads.ndjson`.
pub(crate) struct Payloads {
    out: BufWriter<File>,
    /// The file `copy` takes bodies from.
    source: Option<File>,
    /// Bytes of `source` waiting to be copied: consecutive bodies make one
    /// copy, so a run of valid rows costs one system call, not one each.
    pending: Option<(u64, u64)>,
}

impl Payloads {
    pub fn new(file: File) -> Self {
        Self {
            out: BufWriter::with_capacity(64 * 1024, file),
            source: None,
            pending: None,
        }
    }

    /// Sets the file `copy` reads from.
    pub fn set_source(&mut self, source: File) -> io::Result<()> {
        self.flush_pending()?;
        self.source = Some(source);
        Ok(())
    }

    /// Appends the body at `at` of the source file and its newline. The
    /// caller vouches that the body holds no newline and is followed by one.
    pub fn copy(&mut self, at: BodyRange) -> io::Result<()> {
        if self.source.is_none() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "no file of request bodies to copy from",
            ));
        }
        let end = at.offset + at.len + 1;
        match &mut self.pending {
            Some((_, e)) if *e == at.offset => *e = end,
            _ => {
                self.flush_pending()?;
                self.pending = Some((at.offset, end));
            }
        }
        Ok(())
    }

    fn flush_pending(&mut self) -> io::Result<()> {
        let (Some((start, end)), Some(source)) = (self.pending.take(), self.source.as_ref()) else {
            return Ok(());
        };
        self.out.flush()?;
        let mut from = source;
        from.seek(SeekFrom::Start(start))?;
        // File to file: the standard library uses copy_file_range here.
        let copied = io::copy(&mut from.take(end - start), self.out.get_mut())?;
        if copied != end - start {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the file of request bodies ended early",
            ));
        }
        Ok(())
    }

    /// Appends one body and a newline.
    pub fn add(&mut self, row: u64, payload: &[u8]) -> io::Result<()> {
        if payload.contains(&b'\n') {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "row {row}: request body contains a newline; NDJSON needs one body per line"
                ),
            ));
        }
        self.flush_pending()?;
        self.out.write_all(payload)?;
        self.out.write_all(b"\n")
    }

    /// Flushes the file.
    pub fn finish(mut self) -> io::Result<()> {
        self.flush_pending()?;
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_written_verbatim_one_per_line() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("p.ndjson");
        let mut p = Payloads::new(File::create(&path).unwrap());
        p.add(1, br#"{"client":{"firstName":"Ana"}}"#).unwrap();
        p.add(2, "{\"client\":{\"lastName\":\"Ünal\"}}".as_bytes())
            .unwrap();
        p.finish().unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "{\"client\":{\"firstName\":\"Ana\"}}\n{\"client\":{\"lastName\":\"Ünal\"}}\n"
        );
    }

    #[test]
    fn copied_and_given_bodies_keep_their_order() {
        let tmp = tempfile::tempdir().unwrap();
        let src_path = tmp.path().join("bodies");
        std::fs::write(&src_path, "{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n{\"d\":4}\n").unwrap();
        let path = tmp.path().join("p.ndjson");
        let mut p = Payloads::new(File::create(&path).unwrap());
        assert!(
            p.copy(BodyRange { offset: 0, len: 7 }).is_err(),
            "no source yet"
        );
        p.set_source(File::open(&src_path).unwrap()).unwrap();
        p.add(1, b"{\"x\":0}").unwrap();
        p.copy(BodyRange { offset: 0, len: 7 }).unwrap();
        p.copy(BodyRange { offset: 8, len: 7 }).unwrap();
        // {"c":3} is left out, as a row found invalid later would be.
        p.copy(BodyRange { offset: 24, len: 7 }).unwrap();
        p.add(5, b"{\"y\":5}").unwrap();
        p.finish().unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "{\"x\":0}\n{\"a\":1}\n{\"b\":2}\n{\"d\":4}\n{\"y\":5}\n"
        );
    }

    #[test]
    fn a_source_shorter_than_promised_is_an_error() {
        let tmp = tempfile::tempdir().unwrap();
        let src_path = tmp.path().join("bodies");
        std::fs::write(&src_path, "{}\n").unwrap();
        let mut p = Payloads::new(File::create(tmp.path().join("p")).unwrap());
        p.set_source(File::open(&src_path).unwrap()).unwrap();
        p.copy(BodyRange { offset: 0, len: 10 }).unwrap();
        assert_eq!(p.finish().unwrap_err().kind(), io::ErrorKind::UnexpectedEof);
    }

    #[test]
    fn a_body_with_a_newline_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let mut p = Payloads::new(File::create(tmp.path().join("p")).unwrap());
        let err = p.add(9, b"{\n}").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        assert!(err.to_string().contains("row 9"));
    }
}
