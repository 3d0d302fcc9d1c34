//! `rejects.csv`: every invalid row with its original fields and its errors.
//!
//! In: invalid rows in input order. Out: a UTF-8 (with BOM) CSV with header
//! `row,line,<source columns>,error_codes,error_messages`, so the file opens
//! in a spreadsheet, can be fixed there and fed back in. Any cell starting
//! with `=`, `+`, `-`, `@`, tab or CR gets a leading `'` so a spreadsheet
//! shows it as text instead of running it (OWASP, CSV injection). A row with
//! more fields than the header keeps the extras after `error_messages`.
//! Fails only on I/O.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{self, BufWriter, Write};

use csv::StringRecord;

use crate::field_error::FieldError;

/// The UTF-8 byte order mark: spreadsheets otherwise guess a legacy encoding.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Streams rejected rows to `rejects.csv`.
pub(crate) struct RejectsCsv {
    out: csv::Writer<BufWriter<File>>,
    columns: usize,
    cell: String,
    codes: String,
    messages: String,
}

impl RejectsCsv {
    /// Writes the BOM and the header.
    pub fn new(file: File, columns: &[String]) -> io::Result<Self> {
        let mut buf = BufWriter::with_capacity(64 * 1024, file);
        buf.write_all(BOM)?;
        let out = csv::WriterBuilder::new().flexible(true).from_writer(buf);
        let mut w = Self {
            out,
            columns: columns.len(),
            cell: String::new(),
            codes: String::new(),
            messages: String::new(),
        };
        w.out.write_field("row")?;
        w.out.write_field("line")?;
        for c in columns {
            w.write_cell(c)?;
        }
        w.out.write_field("error_codes")?;
        w.out.write_field("error_messages")?;
        w.out.write_record(None::<&[u8]>)?;
        Ok(w)
    }

    /// Writes one invalid row: its original fields (padded to the header
    /// when short), then its error codes and messages. Warnings are left to
    /// `report.json`: this file lists what must be fixed.
    pub fn add(
        &mut self,
        row: u64,
        line: u64,
        fields: &StringRecord,
        findings: &[FieldError],
    ) -> io::Result<()> {
        self.codes.clear();
        self.messages.clear();
        for f in findings.iter().filter(|f| f.is_error()) {
            if !self.codes.is_empty() {
                self.codes.push(';');
                self.messages.push_str(" | ");
            }
            let _ = write!(self.codes, "{} {}", f.code.code(), f.code.name());
            let _ = write!(self.messages, "{}: {}", f.field, f.message);
        }

        self.cell.clear();
        let _ = write!(self.cell, "{row}");
        self.out.write_field(&self.cell)?;
        self.cell.clear();
        let _ = write!(self.cell, "{line}");
        self.out.write_field(&self.cell)?;
        for i in 0..self.columns {
            self.write_cell(fields.get(i).unwrap_or(""))?;
        }
        write_cell(&mut self.out, &mut self.cell, &self.codes)?;
        write_cell(&mut self.out, &mut self.cell, &self.messages)?;
        for extra in fields.iter().skip(self.columns) {
            self.write_cell(extra)?;
        }
        self.out.write_record(None::<&[u8]>)?;
        Ok(())
    }

    /// Flushes the file.
    pub fn finish(mut self) -> io::Result<()> {
        self.out.flush()
    }

    fn write_cell(&mut self, value: &str) -> io::Result<()> {
        write_cell(&mut self.out, &mut self.cell, value)
    }
}

/// Writes one cell, defused if needed; `scratch` is reused across cells.
fn write_cell<W: Write>(
    out: &mut csv::Writer<W>,
    scratch: &mut String,
    value: &str,
) -> io::Result<()> {
    if needs_quote_prefix(value) {
        scratch.clear();
        scratch.push('\'');
        scratch.push_str(value);
        out.write_field(scratch.as_bytes())?;
    } else {
        out.write_field(value)?;
    }
    Ok(())
}

/// `value` as it may safely stand in a CSV cell a spreadsheet opens: a
/// leading `'` when it would otherwise be read as a formula.
pub fn defuse(value: &str) -> std::borrow::Cow<'_, str> {
    if needs_quote_prefix(value) {
        std::borrow::Cow::Owned(format!("'{value}"))
    } else {
        std::borrow::Cow::Borrowed(value)
    }
}

/// Whether a spreadsheet would read `value` as a formula.
pub(crate) fn needs_quote_prefix(value: &str) -> bool {
    matches!(
        value.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ReturnCode;

    fn write(columns: &[&str], rows: &[(Vec<&str>, Vec<FieldError>)]) -> Vec<u8> {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("rejects.csv");
        let cols: Vec<String> = columns.iter().map(|c| c.to_string()).collect();
        let mut w = RejectsCsv::new(File::create(&path).unwrap(), &cols).unwrap();
        for (i, (fields, findings)) in rows.iter().enumerate() {
            let rec = StringRecord::from(fields.clone());
            w.add(i as u64 + 1, i as u64 + 2, &rec, findings).unwrap();
        }
        w.finish().unwrap();
        std::fs::read(&path).unwrap()
    }

    fn read(bytes: &[u8]) -> Vec<StringRecord> {
        assert!(bytes.starts_with(BOM), "starts with a BOM");
        csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(&bytes[BOM.len()..])
            .records()
            .map(Result::unwrap)
            .collect()
    }

    fn email() -> FieldError {
        FieldError::error(
            "client.emailAddress",
            ReturnCode::EmailAddressFormatIsInvalid,
            "no @ sign",
        )
    }

    #[test]
    fn formula_cells_are_prefixed_with_a_quote() {
        let bytes = write(
            &["A", "B", "C", "D", "E", "F", "=HEAD"],
            &[(
                vec!["=SUM(A1)", "+1", "-2", "@x", "\tx", "\rx", "plain"],
                vec![email()],
            )],
        );
        let recs = read(&bytes);
        assert_eq!(&recs[0][8], "'=HEAD");
        let r = &recs[1];
        let got: Vec<&str> = r.iter().skip(2).take(7).collect();
        assert_eq!(
            got,
            ["'=SUM(A1)", "'+1", "'-2", "'@x", "'\tx", "'\rx", "plain"]
        );
        assert!(!needs_quote_prefix("a=b"));
        assert!(!needs_quote_prefix(""));
    }

    #[test]
    fn original_fields_survive_a_round_trip() {
        let tricky = vec![
            "O'Brien, \"Pat\"",
            "multi\nline",
            "ünïcødé",
            "",
            "  spaced  ",
        ];
        let bytes = write(
            &["N", "M", "U", "E", "S"],
            &[(tricky.clone(), vec![email()])],
        );
        let recs = read(&bytes);
        assert_eq!(recs.len(), 2);
        assert_eq!(&recs[0][0], "row");
        assert_eq!(
            recs[0].iter().collect::<Vec<_>>(),
            [
                "row",
                "line",
                "N",
                "M",
                "U",
                "E",
                "S",
                "error_codes",
                "error_messages"
            ]
        );
        assert_eq!(&recs[1][0], "1");
        assert_eq!(&recs[1][1], "2");
        assert_eq!(recs[1].iter().skip(2).take(5).collect::<Vec<_>>(), tricky);
    }

    #[test]
    fn codes_and_messages_are_joined_and_warnings_left_out() {
        let findings = vec![
            email(),
            FieldError::warning("client.id", ReturnCode::DuplicateClient, "seen before"),
            FieldError::error(
                "customInformation[Loan_Purpose]",
                ReturnCode::RequiredCustomFieldMissing,
                "required",
            ),
        ];
        let recs = read(&write(&["A"], &[(vec!["x"], findings)]));
        assert_eq!(
            &recs[1][3],
            "711 EMAIL_ADDRESS_FORMAT_IS_INVALID;902 REQUIRED_CUSTOM_FIELD_MISSING"
        );
        assert_eq!(
            &recs[1][4],
            "client.emailAddress: no @ sign | customInformation[Loan_Purpose]: required"
        );
    }

    #[test]
    fn short_rows_are_padded_and_extra_fields_kept_at_the_end() {
        let recs = read(&write(
            &["A", "B"],
            &[
                (vec!["only"], vec![email()]),
                (vec!["a", "b", "extra"], vec![email()]),
            ],
        ));
        assert_eq!(
            recs[1].iter().skip(2).take(2).collect::<Vec<_>>(),
            ["only", ""]
        );
        assert_eq!(&recs[1][4], "711 EMAIL_ADDRESS_FORMAT_IS_INVALID");
        assert_eq!(&recs[2][6], "extra");
    }
}
