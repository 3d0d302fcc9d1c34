//! `rejects.csv`: every invalid row with its original fields and its errors.
//!
//! In: invalid rows in input order. Out: a UTF-8 (with BOM) CSV with header
//! `ferry_row,ferry_line,<source columns>,ferry_error_codes,ferry_error_messages`,
//! so the file opens in a spreadsheet, can be fixed there and fed back in
//! with the same mapping: `source::ferry_rejects` recognises the header,
//! drops Ferry's columns and undoes the guard. Any cell starting with `=`,
//! `+`, `-`, `@`, tab, CR or `'` gets a leading `'` so a spreadsheet shows it
//! as text instead of running it (OWASP, CSV injection; see `source::guard`,
//! whose `unguard` is the exact inverse). A row with more fields than the
//! header keeps the extras after `ferry_error_messages`. Fails only on I/O.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{self, BufWriter, Write};

use csv::StringRecord;

use crate::field_error::FieldError;
use crate::source::ferry_rejects::{CODES_COLUMN, LINE_COLUMN, MESSAGES_COLUMN, ROW_COLUMN};
use crate::source::guard::{guard, needs_guard};

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
        w.out.write_field(ROW_COLUMN)?;
        w.out.write_field(LINE_COLUMN)?;
        for c in columns {
            w.write_cell(c)?;
        }
        w.out.write_field(CODES_COLUMN)?;
        w.out.write_field(MESSAGES_COLUMN)?;
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
    if needs_guard(value) {
        scratch.clear();
        scratch.push_str(&guard(value));
        out.write_field(scratch.as_bytes())?;
    } else {
        out.write_field(value)?;
    }
    Ok(())
}

/// `value` as it may safely stand in a CSV cell a spreadsheet opens: a
/// leading `'` when it would otherwise be read as a formula (or starts with
/// `'`); see `source::guard`.
pub fn defuse(value: &str) -> std::borrow::Cow<'_, str> {
    guard(value)
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
        assert!(!needs_guard("a=b"));
        assert!(!needs_guard(""));
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
        assert_eq!(&recs[0][0], "ferry_row");
        assert_eq!(
            recs[0].iter().collect::<Vec<_>>(),
            [
                "ferry_row",
                "ferry_line",
                "N",
                "M",
                "U",
                "E",
                "S",
                "ferry_error_codes",
                "ferry_error_messages"
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

    #[test]
    fn a_written_file_reads_back_as_the_rows_it_was_given() {
        let columns = ["ID", "=PHONE", "NOTE", "TAB", "QUOTE"];
        let rows: Vec<Vec<&str>> = vec![
            vec!["C1", "+48 12 345", "=cmd|' /C calc'!A0", "\tx", "'quoted"],
            vec!["C2", "-1", "@x", "\rx", "''"],
            vec!["C3", "plain", "O'Brien, \"Pat\"", "multi\nline", "'"],
        ];
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("rejects.csv");
        let cols: Vec<String> = columns.iter().map(|c| c.to_string()).collect();
        let mut w = RejectsCsv::new(File::create(&path).unwrap(), &cols).unwrap();
        for (i, r) in rows.iter().enumerate() {
            w.add(
                10 + i as u64,
                20 + i as u64,
                &StringRecord::from(r.clone()),
                &[email()],
            )
            .unwrap();
        }
        w.finish().unwrap();

        let mut src = crate::source::open(&path, &crate::source::SourceSpec::default()).unwrap();
        let mut want_cols: Vec<&str> = columns.to_vec();
        want_cols.push("ferry_original_row");
        assert_eq!(src.columns(), want_cols);
        for (i, r) in rows.iter().enumerate() {
            let got = src.next_row().unwrap().unwrap();
            let mut want = r.clone();
            let original = (10 + i).to_string();
            want.push(&original);
            assert_eq!(got.fields.iter().collect::<Vec<_>>(), want, "row {i}");
            assert!(got.problem.is_none());
        }
        assert!(src.next_row().unwrap().is_none());
    }
}
