//! The outcome spool: every row's verdict, in input order, on disk.
//!
//! Checks across rows (duplicate ids, unique values) can only be settled
//! after the last row is read, yet memory must not grow with the file. So
//! the first pass writes each row's fields, findings and payload here, and
//! the report is written by replaying the spool with the duplicates merged
//! in. Format: little-endian, length-prefixed; a private temp file that is
//! gone when the spool is dropped.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};

use csv::StringRecord;

use crate::field_error::{FieldError, Severity};
use crate::model::ReturnCode;

/// One row as spooled.
#[derive(Debug, Default, Clone)]
pub struct SpooledRow {
    pub row: u64,
    pub line: u64,
    pub fields: StringRecord,
    pub findings: Vec<FieldError>,
    pub payload: Option<Vec<u8>>,
}

/// Writes rows; `into_reader` turns it around for the replay.
pub struct SpoolWriter {
    out: BufWriter<File>,
    rows: u64,
}

impl SpoolWriter {
    /// A new spool in the system's temp directory.
    pub fn new() -> io::Result<Self> {
        Ok(Self {
            out: BufWriter::with_capacity(1 << 20, tempfile::tempfile()?),
            rows: 0,
        })
    }

    /// Appends one row.
    pub fn write(
        &mut self,
        row: u64,
        line: u64,
        fields: &StringRecord,
        findings: &[FieldError],
        payload: Option<&[u8]>,
    ) -> io::Result<()> {
        let o = &mut self.out;
        o.write_all(&row.to_le_bytes())?;
        o.write_all(&line.to_le_bytes())?;
        write_len(o, fields.len())?;
        for f in fields {
            write_bytes(o, f.as_bytes())?;
        }
        write_len(o, findings.len())?;
        for e in findings {
            write_bytes(o, e.field.as_bytes())?;
            o.write_all(&e.code.code().to_le_bytes())?;
            o.write_all(&[u8::from(e.severity == Severity::Warning)])?;
            write_bytes(o, e.message.as_bytes())?;
        }
        match payload {
            Some(p) => {
                o.write_all(&[1])?;
                write_bytes(o, p)?;
            }
            None => o.write_all(&[0])?,
        }
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
        Ok(SpoolReader {
            input: BufReader::with_capacity(1 << 20, file),
            remaining: self.rows,
            text: Vec::new(),
        })
    }
}

/// Reads rows back in the order they were written.
pub struct SpoolReader {
    input: BufReader<File>,
    remaining: u64,
    text: Vec<u8>,
}

impl SpoolReader {
    /// Reads the next row into `into` (its buffers are reused); false at the end.
    pub fn next_into(&mut self, into: &mut SpooledRow) -> io::Result<bool> {
        if self.remaining == 0 {
            return Ok(false);
        }
        self.remaining -= 1;
        into.row = read_u64(&mut self.input)?;
        into.line = read_u64(&mut self.input)?;
        into.fields.clear();
        for _ in 0..read_len(&mut self.input)? {
            let len = read_len(&mut self.input)?;
            self.text.resize(len, 0);
            self.input.read_exact(&mut self.text)?;
            into.fields
                .push_field(std::str::from_utf8(&self.text).map_err(invalid_utf8)?);
        }
        into.findings.clear();
        for _ in 0..read_len(&mut self.input)? {
            let field = self.read_string()?;
            let mut code = [0u8; 2];
            self.input.read_exact(&mut code)?;
            let code = ReturnCode::from_code(u16::from_le_bytes(code)).ok_or_else(|| {
                io::Error::new(io::ErrorKind::InvalidData, "unknown code in spool")
            })?;
            let mut sev = [0u8; 1];
            self.input.read_exact(&mut sev)?;
            let message = self.read_string()?;
            into.findings.push(FieldError {
                field,
                code,
                message,
                severity: if sev[0] == 1 {
                    Severity::Warning
                } else {
                    Severity::Error
                },
            });
        }
        let mut flag = [0u8; 1];
        self.input.read_exact(&mut flag)?;
        if flag[0] == 1 {
            let len = read_len(&mut self.input)?;
            let buf = into.payload.get_or_insert_with(Vec::new);
            buf.resize(len, 0);
            self.input.read_exact(buf)?;
        } else {
            into.payload = None;
        }
        Ok(true)
    }

    fn read_string(&mut self) -> io::Result<String> {
        let len = read_len(&mut self.input)?;
        let mut buf = vec![0; len];
        self.input.read_exact(&mut buf)?;
        String::from_utf8(buf).map_err(invalid_utf8)
    }
}

fn invalid_utf8(_: impl std::error::Error) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, "spool holds invalid UTF-8")
}

fn write_len(o: &mut impl Write, n: usize) -> io::Result<()> {
    let n = u32::try_from(n)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "field over 4 GiB"))?;
    o.write_all(&n.to_le_bytes())
}

fn write_bytes(o: &mut impl Write, b: &[u8]) -> io::Result<()> {
    write_len(o, b.len())?;
    o.write_all(b)
}

fn read_len(i: &mut impl Read) -> io::Result<usize> {
    let mut b = [0u8; 4];
    i.read_exact(&mut b)?;
    Ok(u32::from_le_bytes(b) as usize)
}

fn read_u64(i: &mut impl Read) -> io::Result<u64> {
    let mut b = [0u8; 8];
    i.read_exact(&mut b)?;
    Ok(u64::from_le_bytes(b))
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
        assert_eq!(w.rows(), 2);
        let mut r = w.into_reader().unwrap();
        let mut row = SpooledRow::default();
        assert!(r.next_into(&mut row).unwrap());
        assert_eq!((row.row, row.line), (1, 2));
        assert_eq!(row.fields, fields);
        assert_eq!(row.findings, findings);
        assert!(row.payload.is_none());
        assert!(r.next_into(&mut row).unwrap());
        assert_eq!((row.row, row.line), (2, 3));
        assert!(row.fields.is_empty() && row.findings.is_empty());
        assert_eq!(row.payload.as_deref(), Some(&b"{\"client\":{}}"[..]));
        assert!(!r.next_into(&mut row).unwrap());
    }
}
