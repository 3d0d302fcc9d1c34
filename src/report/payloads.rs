//! `payloads.ndjson`: the exact request bodies the import would send.
//!
//! In: the JSON body of each valid row, in input order. Out: one body per
//! line, byte for byte as given, newline-terminated, so the file can be
//! diffed between runs or replayed. Fails on I/O, or when a body holds a
//! raw newline (it would split into two lines).

use std::fs::File;
use std::io::{self, BufWriter, Write};

/// Streams request bodies to `payloads.ndjson`.
pub(crate) struct Payloads {
    out: BufWriter<File>,
}

impl Payloads {
    pub fn new(file: File) -> Self {
        Self {
            out: BufWriter::with_capacity(64 * 1024, file),
        }
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
        self.out.write_all(payload)?;
        self.out.write_all(b"\n")
    }

    /// Flushes the file.
    pub fn finish(mut self) -> io::Result<()> {
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
    fn a_body_with_a_newline_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let mut p = Payloads::new(File::create(tmp.path().join("p")).unwrap());
        let err = p.add(9, b"{\n}").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        assert!(err.to_string().contains("row 9"));
    }
}
