//! The outcome spool: every row's verdict, in input order, on disk.
//!
//! Checks across rows (duplicate ids, unique values) can only be settled
//! after the last row is read, yet memory must not grow with the file. So
//! the first pass writes each row's fields and findings here, and the report
//! is written by replaying the spool with the duplicates merged in. Request
//! bodies go to a second file, each followed by a newline, exactly as
//! `payloads.ndjson` holds them, so the report can copy them across in long
//! runs without reading them (a dry run without payloads spools only the
//! fields its report reads of each body: `check::Bodies`). Format:
//! little-endian, one fixed header per row, then field ends, field bytes,
//! findings. Both files are private temp files, gone when the spool is
//! dropped. Fails only on I/O (and on a body holding a raw newline, which
//! NDJSON cannot carry).

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::FileExt;

use csv::StringRecord;

use crate::field_error::{FieldError, Severity};
use crate::model::ReturnCode;
use crate::report::BodyRange;

/// Bytes of a row's fixed header: row, line, field count, field bytes,
/// finding count, body length.
const HEADER_BYTES: usize = 32;
/// The body length of a row without a body.
const NO_BODY: u32 = u32::MAX;
/// Buffer of each spool file: large writes and reads keep syscalls rare.
const BUFFER_BYTES: usize = 1 << 20;

/// One row as spooled. The fields stay as bytes until asked for: most rows
/// are valid and nobody reads their fields again.
#[derive(Debug, Default, Clone)]
pub struct SpooledRow {
    /// 1-based data row number (the header is not a row).
    pub row: u64,
    /// 1-based line of the file on which the row starts.
    pub line: u64,
    /// The findings of the pass. `next_into` reuses their strings.
    pub findings: Vec<FieldError>,
    /// How many of `findings` are this row's (the rest are spares).
    pub finding_count: usize,
    /// Where the row's request body lies in the bodies file; `None` when
    /// a finding is an error.
    pub body: Option<BodyRange>,
    field_bytes: Vec<u8>,
    field_ends: Vec<u32>,
}

impl SpooledRow {
    /// This row's findings.
    pub fn findings(&self) -> &[FieldError] {
        &self.findings[..self.finding_count]
    }

    /// Appends a finding, reusing a spare's strings; `fill` writes it and
    /// says whether to keep it.
    pub fn push_finding(&mut self, fill: impl FnOnce(&mut FieldError) -> bool) {
        if self.finding_count == self.findings.len() {
            self.findings.push(FieldError::error(
                String::new(),
                ReturnCode::InvalidParameters,
                String::new(),
            ));
        }
        if fill(&mut self.findings[self.finding_count]) {
            self.finding_count += 1;
        }
    }

    /// The row's original fields, into `out`.
    pub fn fields_into(&self, out: &mut StringRecord) -> io::Result<()> {
        out.clear();
        let text = std::str::from_utf8(&self.field_bytes).map_err(invalid_utf8)?;
        let mut start = 0;
        for &end in &self.field_ends {
            let field = text
                .get(start..end as usize)
                .ok_or_else(|| corrupt("field ends"))?;
            out.push_field(field);
            start = end as usize;
        }
        Ok(())
    }
}

/// One row's spool record, into `into` (cleared first): the fixed header,
/// field ends, findings, field bytes. Fails on a body with a raw newline
/// (NDJSON cannot carry it) or a size beyond the format's 32 bits.
pub fn encode(
    row: u64,
    line: u64,
    fields: &StringRecord,
    findings: &[FieldError],
    payload: Option<&[u8]>,
    into: &mut Vec<u8>,
) -> io::Result<()> {
    let body_len = match payload {
        Some(p) => {
            if p.contains(&b'\n') {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("row {row}: request body contains a newline; NDJSON needs one body per line"),
                ));
            }
            u32::try_from(p.len())
                .ok()
                .filter(|&n| n != NO_BODY)
                .ok_or_else(too_long)?
        }
        None => NO_BODY,
    };
    let bytes = fields.as_byte_record().as_slice();
    let s = into;
    s.clear();
    s.extend_from_slice(&row.to_le_bytes());
    s.extend_from_slice(&line.to_le_bytes());
    s.extend_from_slice(&len32(fields.len())?.to_le_bytes());
    s.extend_from_slice(&len32(bytes.len())?.to_le_bytes());
    s.extend_from_slice(&len32(findings.len())?.to_le_bytes());
    s.extend_from_slice(&body_len.to_le_bytes());
    let mut end = 0usize;
    for f in fields.iter() {
        end += f.len();
        s.extend_from_slice(&len32(end)?.to_le_bytes());
    }
    for e in findings {
        s.extend_from_slice(&len32(e.field.len())?.to_le_bytes());
        s.extend_from_slice(e.field.as_bytes());
        s.extend_from_slice(&e.code.code().to_le_bytes());
        s.push(u8::from(e.severity == Severity::Warning));
        s.extend_from_slice(&len32(e.message.len())?.to_le_bytes());
        s.extend_from_slice(e.message.as_bytes());
    }
    s.extend_from_slice(bytes);
    Ok(())
}

/// Sets the row number of a record [`encode`] made: rows parsed in blocks
/// are encoded with their number within the block, known in the file only
/// once the blocks before have been parsed.
pub fn renumber(record: &mut [u8], row: u64) {
    record[..8].copy_from_slice(&row.to_le_bytes());
}

/// Writes rows; `into_reader` turns it around for the replay.
pub struct SpoolWriter {
    out: BufWriter<File>,
    bodies: BufWriter<File>,
    bodies_len: u64,
    rows: u64,
}

impl SpoolWriter {
    /// A new spool in the system's temp directory.
    pub fn new() -> io::Result<Self> {
        Ok(Self {
            out: BufWriter::with_capacity(BUFFER_BYTES, tempfile::tempfile()?),
            bodies: BufWriter::with_capacity(BUFFER_BYTES, tempfile::tempfile()?),
            bodies_len: 0,
            rows: 0,
        })
    }

    /// Appends one row: `encode`, then `write_encoded`. The pass encodes
    /// in its workers; this is the one-step form the tests use.
    #[cfg(test)]
    pub fn write(
        &mut self,
        row: u64,
        line: u64,
        fields: &StringRecord,
        findings: &[FieldError],
        payload: Option<&[u8]>,
    ) -> io::Result<()> {
        let mut record = Vec::new();
        encode(row, line, fields, findings, payload, &mut record)?;
        self.write_encoded(&record, payload)
    }

    /// Appends one row that [`encode`] made into `record`, with the same
    /// `payload`. Encoding is the costly part; callers with many threads
    /// encode in parallel and leave only this copy to the one writer.
    pub fn write_encoded(&mut self, record: &[u8], payload: Option<&[u8]>) -> io::Result<()> {
        if let Some(p) = payload {
            self.bodies.write_all(p)?;
            self.bodies.write_all(b"\n")?;
            self.bodies_len += p.len() as u64 + 1;
        }
        self.out.write_all(record)?;
        self.rows += 1;
        Ok(())
    }

    /// Rows written so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Flushes and rewinds for reading.
    pub fn into_reader(self) -> io::Result<SpoolReader> {
        let mut file = self.out.into_inner().map_err(|e| e.into_error())?;
        file.seek(SeekFrom::Start(0))?;
        let bodies = self.bodies.into_inner().map_err(|e| e.into_error())?;
        Ok(SpoolReader {
            input: BufReader::with_capacity(BUFFER_BYTES, file),
            bodies,
            next_body: 0,
            remaining: self.rows,
            scratch: Vec::new(),
        })
    }
}

/// Reads rows back in the order they were written.
pub struct SpoolReader {
    input: BufReader<File>,
    bodies: File,
    next_body: u64,
    remaining: u64,
    scratch: Vec<u8>,
}

impl SpoolReader {
    /// Reads the next row into `into` (its buffers are reused); false at the end.
    pub fn next_into(&mut self, into: &mut SpooledRow) -> io::Result<bool> {
        if self.remaining == 0 {
            return Ok(false);
        }
        self.remaining -= 1;
        let mut h = [0u8; HEADER_BYTES];
        self.input.read_exact(&mut h)?;
        let word = |at: usize| u32::from_le_bytes([h[at], h[at + 1], h[at + 2], h[at + 3]]);
        into.row = u64::from_le_bytes(h[..8].try_into().map_err(|_| corrupt("header"))?);
        into.line = u64::from_le_bytes(h[8..16].try_into().map_err(|_| corrupt("header"))?);
        let (n_fields, n_bytes, n_findings, body_len) = (word(16), word(20), word(24), word(28));
        into.body = (body_len != NO_BODY).then(|| {
            let at = BodyRange {
                offset: self.next_body,
                len: u64::from(body_len),
            };
            self.next_body += at.len + 1;
            at
        });

        self.scratch.resize(n_fields as usize * 4, 0);
        self.input.read_exact(&mut self.scratch)?;
        into.field_ends.clear();
        into.field_ends.extend(
            self.scratch
                .chunks_exact(4)
                .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])),
        );
        if into.field_ends.last().copied().unwrap_or(0) != n_bytes {
            return Err(corrupt("field ends"));
        }

        into.finding_count = 0;
        for _ in 0..n_findings {
            let input = &mut self.input;
            let mut result = Ok(());
            into.push_finding(|f| {
                result = read_finding(input, f);
                true
            });
            result?;
        }

        into.field_bytes.resize(n_bytes as usize, 0);
        self.input.read_exact(&mut into.field_bytes)?;
        Ok(true)
    }

    /// The file of request bodies, each followed by a newline.
    pub fn bodies(&self) -> &File {
        &self.bodies
    }

    /// Reads one body into `buf`.
    pub fn read_body(&self, at: BodyRange, buf: &mut Vec<u8>) -> io::Result<()> {
        buf.resize(usize::try_from(at.len).map_err(|_| too_long())?, 0);
        self.bodies.read_exact_at(buf, at.offset)
    }

    /// Gives up the bodies file (for copying from), dropping the rest.
    pub fn into_bodies(self) -> File {
        self.bodies
    }
}

fn read_finding(input: &mut impl Read, f: &mut FieldError) -> io::Result<()> {
    read_string(input, &mut f.field)?;
    let mut code = [0u8; 3];
    input.read_exact(&mut code)?;
    f.code = ReturnCode::from_code(u16::from_le_bytes([code[0], code[1]]))
        .ok_or_else(|| corrupt("unknown code"))?;
    f.severity = if code[2] == 1 {
        Severity::Warning
    } else {
        Severity::Error
    };
    read_string(input, &mut f.message)
}

/// Reads a length-prefixed string into `s`, reusing its buffer.
fn read_string(input: &mut impl Read, s: &mut String) -> io::Result<()> {
    let mut len = [0u8; 4];
    input.read_exact(&mut len)?;
    let mut bytes = std::mem::take(s).into_bytes();
    bytes.resize(u32::from_le_bytes(len) as usize, 0);
    input.read_exact(&mut bytes)?;
    *s = String::from_utf8(bytes).map_err(invalid_utf8)?;
    Ok(())
}

fn len32(n: usize) -> io::Result<u32> {
    u32::try_from(n).map_err(|_| too_long())
}

fn too_long() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, "row over 4 GiB")
}

fn corrupt(what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("spool is corrupt: {what}"),
    )
}

fn invalid_utf8(_: impl std::error::Error) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, "spool holds invalid UTF-8")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_come_back_as_written() {
        let mut w = SpoolWriter::new().unwrap();
        let fields = StringRecord::from(vec!["a", "", "Ω €"]);
        let findings = vec![
            FieldError::error("client.id", ReturnCode::IdContainsSpaces, "id has a space"),
            FieldError::warning("client.lastName", ReturnCode::DuplicateClient, "same name"),
        ];
        w.write(1, 2, &fields, &findings, None).unwrap();
        w.write(2, 3, &StringRecord::new(), &[], Some(b"{\"client\":{}}"))
            .unwrap();
        w.write(3, 5, &fields, &findings[1..], Some(b"{}")).unwrap();
        assert_eq!(w.rows(), 3);
        let mut r = w.into_reader().unwrap();
        let mut row = SpooledRow::default();
        let mut rec = StringRecord::new();
        let mut body = Vec::new();

        assert!(r.next_into(&mut row).unwrap());
        assert_eq!((row.row, row.line), (1, 2));
        row.fields_into(&mut rec).unwrap();
        assert_eq!(rec, fields);
        assert_eq!(row.findings(), findings);
        assert!(row.body.is_none());

        assert!(r.next_into(&mut row).unwrap());
        assert_eq!((row.row, row.line), (2, 3));
        row.fields_into(&mut rec).unwrap();
        assert!(rec.is_empty() && row.findings().is_empty());
        let at = row.body.unwrap();
        assert_eq!(at, BodyRange { offset: 0, len: 13 });
        r.read_body(at, &mut body).unwrap();
        assert_eq!(body, b"{\"client\":{}}");

        assert!(r.next_into(&mut row).unwrap());
        assert_eq!(row.findings(), &findings[1..]);
        assert_eq!(row.body, Some(BodyRange { offset: 14, len: 2 }));
        assert!(!r.next_into(&mut row).unwrap());

        let mut all = String::new();
        let mut bodies = r.into_bodies();
        bodies.seek(SeekFrom::Start(0)).unwrap();
        bodies.read_to_string(&mut all).unwrap();
        assert_eq!(all, "{\"client\":{}}\n{}\n", "the bodies file is NDJSON");
    }

    #[test]
    fn spare_findings_are_reused_not_shown() {
        let mut row = SpooledRow::default();
        row.push_finding(|f| {
            f.message.push_str("first");
            true
        });
        row.finding_count = 0;
        row.push_finding(|_| false);
        assert!(row.findings().is_empty(), "a refused finding is not kept");
        row.push_finding(|f| {
            f.message.clear();
            f.message.push_str("second");
            true
        });
        assert_eq!(row.findings().len(), 1);
        assert_eq!(row.findings()[0].message, "second");
        assert_eq!(row.findings.len(), 1, "the spare was reused");
    }

    #[test]
    fn a_body_with_a_newline_is_refused() {
        let mut w = SpoolWriter::new().unwrap();
        let err = w
            .write(4, 5, &StringRecord::new(), &[], Some(b"{\n}"))
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        assert!(err.to_string().contains("row 4"), "{err}");
    }
}
