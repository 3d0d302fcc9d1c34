//! CSV rows, streamed with one reused `ByteRecord`.
//!
//! In: a decoded byte stream (see `encoding`), the delimiter and quote; or
//! one block of a file cut at a record boundary (see `csv_blocks`), with
//! the header's columns and the block's place in the file. Out: the header
//! as `columns()` and one `RawRow` per record, its fields padded or cut to
//! the header's length so columns stay aligned, its line the file's. A
//! ragged record, an unterminated quote (only in input that runs to the end
//! of the file) or (for UTF-8 read as-is) bytes that are not UTF-8 make the
//! row carry a `problem`; only an empty file or a missing header is an
//! `Err` at open, and only an I/O error is an `Err` later.

use std::io::Read;

use csv::{ByteRecord, StringRecord};

use super::encoding::Decoded;
use super::recent_bytes::RecentBytes;
use super::{RawRow, RowSource, SourceError};
use crate::field_error::FieldError;
use crate::model::ReturnCode;

/// The csv parser's buffer; large reads keep syscalls off the profile.
const BUFFER_CAPACITY: usize = 64 * 1024;

/// A CSV file read record by record: the whole file (`R` its decoded
/// stream), or one block of it cut at a record boundary (`R` the block's
/// bytes, see `csv_blocks`).
pub(crate) struct CsvSource<R: Read = Box<dyn Read + Send>> {
    path: String,
    reader: csv::Reader<RecentBytes<R>>,
    columns: Vec<String>,
    record: ByteRecord,
    row: u64,
    quote: u8,
    /// Lines before the first byte of `R`: a block's lines count on from
    /// those of the blocks before it.
    lines_before: u64,
    /// Whether `R` runs to the end of the file. A block cut after a line
    /// break outside quotes does not, so no record in it is unterminated.
    reaches_end: bool,
}

impl CsvSource {
    /// Reads the header from `input`. `path` only names the file in errors.
    pub fn open(
        path: String,
        input: Decoded,
        delimiter: u8,
        quote: u8,
    ) -> Result<Self, SourceError> {
        if input.empty {
            return Err(SourceError::Unusable {
                path,
                message: "file is empty".into(),
            });
        }
        CsvSource::with_header(path, input.reader, delimiter, quote)
    }
}

impl<R: Read> CsvSource<R> {
    fn parser(path: String, input: R, delimiter: u8, quote: u8) -> Self {
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .quote(quote)
            .buffer_capacity(BUFFER_CAPACITY)
            .from_reader(RecentBytes::new(input));
        Self {
            path,
            reader,
            columns: Vec::new(),
            record: ByteRecord::new(),
            row: 0,
            quote,
            lines_before: 0,
            reaches_end: true,
        }
    }

    /// Reads the header, the first record of `input`, as the columns; the
    /// rows follow. Fails when there is no record at all.
    pub fn with_header(
        path: String,
        input: R,
        delimiter: u8,
        quote: u8,
    ) -> Result<Self, SourceError> {
        let mut source = Self::parser(path, input, delimiter, quote);
        if !source.read_record()? {
            return Err(SourceError::Unusable {
                path: source.path,
                message: "no header row".into(),
            });
        }
        source.columns = source
            .record
            .iter()
            .map(|name| String::from_utf8_lossy(name).into_owned())
            .collect();
        Ok(source)
    }

    /// Rows only, under the given `columns`: a block after the header,
    /// which `place` then puts in the file.
    pub fn rows_only(
        path: String,
        input: R,
        delimiter: u8,
        quote: u8,
        columns: Vec<String>,
    ) -> Self {
        let mut source = Self::parser(path, input, delimiter, quote);
        source.columns = columns;
        source
    }

    /// Places the input in the file: `lines_before` line breaks precede
    /// it, and whether it `reaches_end` of the file (a block cut after a
    /// line break outside quotes does not).
    pub fn place(&mut self, lines_before: u64, reaches_end: bool) {
        self.lines_before = lines_before;
        self.reaches_end = reaches_end;
    }

    /// Bytes of the input parsed so far (after the header: where rows start).
    pub fn bytes_parsed(&self) -> u64 {
        self.reader.position().byte()
    }

    fn read_record(&mut self) -> Result<bool, SourceError> {
        self.reader
            .read_byte_record(&mut self.record)
            .map_err(|e| SourceError::Io {
                path: self.path.clone(),
                source: match e.into_kind() {
                    csv::ErrorKind::Io(io) => io,
                    other => std::io::Error::other(format!("{other:?}")),
                },
            })
    }

    /// The line the record just read starts on, and whether it ran to the
    /// end of the file inside an open quote.
    ///
    /// The parser's own start position is where it began reading, which is
    /// before any blank lines it skipped and, in CRLF files, before the `\n`
    /// of the previous record's line break. So count back from where the
    /// record ended instead: its line breaks are those inside its fields
    /// plus its terminator, if that was a `\n`.
    fn locate(&self) -> (u64, bool) {
        let ended = self.reader.position();
        let Some(start) = self.record.position() else {
            return (ended.line(), false);
        };
        let began = start.line();
        let probe = self.reader.get_ref();
        let ended_at_eof = probe.at_eof() && ended.byte() == probe.total();
        let last_field_spans_lines = self
            .record
            .get(self.record.len().saturating_sub(1))
            .is_some_and(|f| f.contains(&b'\n'));
        // A quoted field closed properly is followed by its quote; one that
        // swallowed the rest of the file is not.
        let unterminated = self.reaches_end
            && ended_at_eof
            && last_field_spans_lines
            && probe.last_content_byte() != Some(self.quote);
        let terminator = !unterminated
            && ended.byte().checked_sub(1).and_then(|b| probe.byte_at(b)) == Some(b'\n');
        let breaks = ended
            .line()
            .saturating_sub(began)
            .saturating_sub(u64::from(terminator));
        if breaks == 0 {
            return (began, unterminated);
        }
        // CRLF files: the one break is the previous line's `\n`, read first.
        // Checking that byte spares a scan of every row's fields.
        if breaks == 1 && probe.byte_at(start.byte()) == Some(b'\n') {
            return (began + 1, unterminated);
        }
        let inside = count_newlines(self.record.as_slice());
        (began + breaks.saturating_sub(inside), unterminated)
    }

    /// The record's fields aligned with the header, into `fields`, and the
    /// first field that is not UTF-8 (index, offset of the bad bytes).
    fn aligned_fields(&self, fields: &mut StringRecord) -> Option<(usize, usize)> {
        let width = self.columns.len();
        fields.clear();
        let mut undecodable = None;
        for i in 0..width {
            let Some(raw) = self.record.get(i) else {
                fields.push_field("");
                continue;
            };
            match std::str::from_utf8(raw) {
                Ok(text) => fields.push_field(text),
                Err(e) => {
                    undecodable.get_or_insert((i, e.valid_up_to()));
                    fields.push_field(&String::from_utf8_lossy(raw));
                }
            }
        }
        undecodable
    }

    /// Moves the record just read into `fields` when it needs no repair
    /// (as wide as the header, all UTF-8), handing `fields`' old buffers to
    /// the parser for the next record: no copy, one UTF-8 check for the
    /// whole record. False, with `fields` untouched, when it needs repair.
    fn take_clean_record(&mut self, fields: &mut StringRecord) -> bool {
        if self.record.len() != self.columns.len() {
            return false;
        }
        let spare = std::mem::take(fields).into_byte_record();
        let record = std::mem::replace(&mut self.record, spare);
        match StringRecord::from_byte_record(record) {
            Ok(clean) => {
                *fields = clean;
                true
            }
            Err(e) => {
                let spare = std::mem::replace(&mut self.record, e.into_byte_record());
                // Give `fields` its buffers back: the caller refills it.
                *fields = StringRecord::from_byte_record(spare).unwrap_or_default();
                false
            }
        }
    }

    fn column_name(&self, i: usize) -> &str {
        self.columns.get(i).map_or("", String::as_str)
    }

    /// Why the record could not be read cleanly, if it could not.
    fn problem(
        &self,
        line: u64,
        unterminated: bool,
        undecodable: Option<(usize, usize)>,
    ) -> Option<FieldError> {
        let got = self.record.len();
        let want = self.columns.len();
        let mut notes: Vec<String> = Vec::new();
        if unterminated {
            let last = got.saturating_sub(1);
            notes.push(format!(
                "unterminated quote: the quoted field in column {} (starting on line {}) runs to the end of the file",
                self.describe_column(last),
                line + self.newlines_before(last),
            ));
        }
        if got != want {
            let mut note = format!("row has {got} fields, header has {want}");
            if !unterminated {
                if let Some(i) = (0..got).find(|&i| self.record[i].contains(&b'\n')) {
                    let from = line + self.newlines_before(i);
                    let to = from + count_newlines(&self.record[i]);
                    note.push_str(&format!(
                        " (column {} spans lines {from}-{to}: a quote is probably not closed)",
                        self.describe_column(i)
                    ));
                }
            }
            notes.push(note);
        }
        if notes.is_empty() {
            let (i, offset) = undecodable?;
            return Some(FieldError::error(
                self.column_name(i),
                ReturnCode::SourceUndecodableText,
                format!(
                    "column {}: bytes at offset {offset} are not valid UTF-8",
                    self.describe_column(i)
                ),
            ));
        }
        if let Some((i, offset)) = undecodable {
            notes.push(format!(
                "column {}: bytes at offset {offset} are not valid UTF-8",
                self.describe_column(i)
            ));
        }
        Some(FieldError::error(
            "row",
            ReturnCode::SourceMalformedRow,
            notes.join("; "),
        ))
    }

    /// `NAME`, or `#7` for a field beyond the header or with an empty name.
    fn describe_column(&self, i: usize) -> String {
        match self.column_name(i) {
            "" => format!("#{}", i + 1),
            name => name.to_string(),
        }
    }

    fn newlines_before(&self, field: usize) -> u64 {
        (0..field).map(|i| count_newlines(&self.record[i])).sum()
    }
}

impl<R: Read + Send> RowSource for CsvSource<R> {
    fn columns(&self) -> &[String] {
        &self.columns
    }

    fn next_row(&mut self) -> Result<Option<RawRow>, SourceError> {
        let mut row = RawRow::default();
        Ok(self.next_into(&mut row)?.then_some(row))
    }

    fn next_into(&mut self, row: &mut RawRow) -> Result<bool, SourceError> {
        if !self.read_record()? {
            return Ok(false);
        }
        self.row += 1;
        let (line, unterminated) = self.locate();
        let line = line + self.lines_before;
        row.row = self.row;
        row.line = line;
        if !unterminated && self.take_clean_record(&mut row.fields) {
            row.problem = None;
            return Ok(true);
        }
        let undecodable = self.aligned_fields(&mut row.fields);
        row.problem = self.problem(line, unterminated, undecodable);
        Ok(true)
    }
}

fn count_newlines(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| b == b'\n').count() as u64
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;
    use crate::source::encoding::decode;
    use crate::source::TextEncoding;

    fn open_as(bytes: &[u8], encoding: TextEncoding) -> Result<CsvSource, SourceError> {
        let decoded = decode(Cursor::new(bytes.to_vec()), encoding).unwrap();
        CsvSource::open("test.csv".into(), decoded, b',', b'"')
    }

    fn open_bytes(bytes: &[u8]) -> Result<CsvSource, SourceError> {
        open_as(bytes, TextEncoding::Auto)
    }

    fn rows_as(bytes: &[u8], encoding: TextEncoding) -> Vec<RawRow> {
        let mut source = open_as(bytes, encoding).unwrap();
        std::iter::from_fn(|| source.next_row().unwrap()).collect()
    }

    fn rows(bytes: &[u8]) -> Vec<RawRow> {
        rows_as(bytes, TextEncoding::Auto)
    }

    fn fields(row: &RawRow) -> Vec<&str> {
        row.fields.iter().collect()
    }

    fn lines(bytes: &[u8]) -> Vec<(u64, u64)> {
        rows(bytes).iter().map(|r| (r.row, r.line)).collect()
    }

    fn unusable(bytes: &[u8]) -> String {
        match open_bytes(bytes) {
            Err(SourceError::Unusable { message, .. }) => message,
            Err(other) => panic!("unexpected error {other}"),
            Ok(_) => panic!("opened"),
        }
    }

    #[test]
    fn reads_header_and_rows() {
        let mut s = open_bytes(b"id,name\n1,Ann\n2,Bob\n").unwrap();
        assert_eq!(s.columns(), ["id", "name"]);
        let r = s.next_row().unwrap().unwrap();
        assert_eq!((r.row, r.line, fields(&r)), (1, 2, vec!["1", "Ann"]));
        assert!(r.problem.is_none());
        let r = s.next_row().unwrap().unwrap();
        assert_eq!((r.row, r.line, fields(&r)), (2, 3, vec!["2", "Bob"]));
        assert!(s.next_row().unwrap().is_none());
        assert!(s.next_row().unwrap().is_none(), "stays at the end");
    }

    #[test]
    fn other_delimiter_and_quote() {
        let decoded = decode(Cursor::new(b"a;b\n'x;y';z\n".to_vec()), TextEncoding::Auto).unwrap();
        let mut s = CsvSource::open("t".into(), decoded, b';', b'\'').unwrap();
        assert_eq!(fields(&s.next_row().unwrap().unwrap()), ["x;y", "z"]);
    }

    #[test]
    fn empty_file_and_missing_header_are_unusable() {
        assert_eq!(unusable(b""), "file is empty");
        assert_eq!(unusable(b"\xEF\xBB\xBF"), "file is empty");
        assert_eq!(unusable(b"\n\r\n\n"), "no header row");
    }

    #[test]
    fn header_only_has_no_rows() {
        assert!(rows(b"id,name\n").is_empty());
        assert!(rows(b"id,name").is_empty());
    }

    #[test]
    fn duplicate_header_names_are_kept() {
        let s = open_bytes(b"a,b,a\n").unwrap();
        assert_eq!(s.columns(), ["a", "b", "a"]);
    }

    #[test]
    fn line_numbers_follow_multi_line_quoted_fields() {
        let lf = b"id,notes,x\n1,\"two\nlines\",a\n2,plain,b\n3,\"three\n\nlines\",c\n4,last,d\n";
        assert_eq!(lines(lf), [(1, 2), (2, 4), (3, 5), (4, 8)]);
        let crlf = b"id,notes,x\r\n1,\"two\r\nlines\",a\r\n2,plain,b\r\n3,\"three\r\n\r\nlines\",c\r\n4,last,d\r\n";
        assert_eq!(lines(crlf), [(1, 2), (2, 4), (3, 5), (4, 8)]);
        let r = rows(crlf);
        assert_eq!(fields(&r[0]), ["1", "two\r\nlines", "a"]);
        assert!(r.iter().all(|r| r.problem.is_none()));
    }

    #[test]
    fn line_numbers_skip_blank_lines_and_survive_a_missing_final_newline() {
        assert_eq!(lines(b"h\n\na\n\n\nb\nc"), [(1, 3), (2, 6), (3, 7)]);
        assert_eq!(
            lines(b"h\r\n\r\na\r\n\r\n\r\nb\r\nc"),
            [(1, 3), (2, 6), (3, 7)]
        );
        assert_eq!(lines(b"h\n\n\nz"), [(1, 4)]);
        assert_eq!(lines(b"\n\nh\na\n"), [(1, 4)]);
        // Old Mac line ends: csv counts `\n` only, so everything is line 1.
        assert_eq!(lines(b"h\ra\rb"), [(1, 1), (2, 1)]);
    }

    #[test]
    fn line_numbers_hold_across_buffer_refills() {
        let mut csv = b"id,notes\n".to_vec();
        for i in 0..5000 {
            csv.extend_from_slice(format!("{i},\"note {i}\r\nsecond line\"\r\n").as_bytes());
        }
        let r = rows(&csv);
        assert_eq!(r.len(), 5000);
        for (i, row) in r.iter().enumerate() {
            assert_eq!(row.line, 2 + 2 * i as u64, "row {}", row.row);
        }
    }

    #[test]
    fn ragged_rows_are_reported_and_aligned() {
        let r = rows(b"a,b,c\n1,2\n1,2,3,4\n");
        assert_eq!(fields(&r[0]), ["1", "2", ""]);
        assert_eq!(fields(&r[1]), ["1", "2", "3"]);
        let p = r[0].problem.as_ref().unwrap();
        assert_eq!(
            (p.field.as_str(), p.code),
            ("row", ReturnCode::SourceMalformedRow)
        );
        assert_eq!(p.message, "row has 2 fields, header has 3");
        assert_eq!(
            r[1].problem.as_ref().unwrap().message,
            "row has 4 fields, header has 3"
        );
    }

    #[test]
    fn a_reused_row_reads_the_same_as_fresh_rows() {
        let bytes: &[u8] = b"a,b,c\n1,2,3\nx,y\n4,\xFF,6\n\"7\n8\",9,10\n11,12,13\n";
        let fresh = rows_as(bytes, TextEncoding::Utf8);
        let mut s = open_as(bytes, TextEncoding::Utf8).unwrap();
        let mut row = RawRow::default();
        let mut reused = Vec::new();
        while s.next_into(&mut row).unwrap() {
            reused.push(row.clone());
        }
        assert_eq!(reused.len(), 5);
        for (a, b) in fresh.iter().zip(&reused) {
            assert_eq!((a.row, a.line, &a.fields), (b.row, b.line, &b.fields));
            assert_eq!(a.problem, b.problem, "row {}", a.row);
        }
        assert!(reused[1].problem.is_some() && reused[2].problem.is_some());
        assert!(reused[3].problem.is_none(), "a quoted line break is clean");
        assert!(reused[4].problem.is_none(), "a clean row after bad ones");
        assert_eq!(
            reused[4].fields.iter().collect::<Vec<_>>(),
            ["11", "12", "13"]
        );
    }

    #[test]
    fn invalid_utf8_names_the_column_and_offset() {
        let r = rows_as(b"id,name\n1,Ab\xFFc\n2,ok\n", TextEncoding::Utf8);
        let p = r[0].problem.as_ref().unwrap();
        assert_eq!(
            (p.field.as_str(), p.code),
            ("name", ReturnCode::SourceUndecodableText)
        );
        assert_eq!(
            p.message,
            "column name: bytes at offset 2 are not valid UTF-8"
        );
        assert_eq!(fields(&r[0]), ["1", "Ab\u{FFFD}c"]);
        assert!(r[1].problem.is_none());
    }

    #[test]
    fn ragged_and_undecodable_together_is_one_malformed_problem() {
        let r = rows_as(b"id,name\n1,\xFF,x\n", TextEncoding::Utf8);
        let p = r[0].problem.as_ref().unwrap();
        assert_eq!(p.code, ReturnCode::SourceMalformedRow);
        assert_eq!(
            p.message,
            "row has 3 fields, header has 2; column name: bytes at offset 0 are not valid UTF-8"
        );
    }

    #[test]
    fn invalid_utf8_after_the_sniffed_prefix_is_reported() {
        let mut csv = b"id,name\n".to_vec();
        while csv.len() < crate::source::encoding::SNIFF_LEN {
            csv.extend_from_slice(b"1,plain ascii\n");
        }
        csv.extend_from_slice(b"2,M\xFCller\n");
        let r = rows(&csv);
        let last = r.last().unwrap();
        assert_eq!(&last.fields[1], "M\u{FFFD}ller");
        assert_eq!(
            last.problem.as_ref().unwrap().code,
            ReturnCode::SourceUndecodableText
        );
        assert!(r[..r.len() - 1].iter().all(|r| r.problem.is_none()));
    }

    #[test]
    fn windows_1252_is_transcoded() {
        let r = rows(b"id,name\n1,M\xFCller\n");
        assert_eq!(fields(&r[0]), ["1", "Müller"]);
        assert!(r[0].problem.is_none());
    }

    #[test]
    fn nul_bytes_are_data() {
        let r = rows(b"id,name\n1,a\0b\n");
        assert_eq!(fields(&r[0]), ["1", "a\0b"]);
        assert!(r[0].problem.is_none());
    }

    #[test]
    fn a_one_megabyte_field_is_read_whole() {
        let big = "x".repeat(1 << 20);
        let csv = format!("id,blob,z\n1,\"{big}\",q\n2,small,r\n");
        let r = rows(csv.as_bytes());
        assert_eq!(r[0].fields[1].len(), 1 << 20);
        assert_eq!((r[1].line, &r[1].fields[1]), (3, "small"));
    }

    #[test]
    fn unterminated_quote_in_the_last_column_is_reported() {
        let r = rows(b"id,notes\n1,fine\n2,\"broken\n3,swallowed\n4,too\n");
        assert_eq!(r.len(), 2);
        assert!(r[0].problem.is_none());
        assert_eq!(r[1].line, 3);
        let p = r[1].problem.as_ref().unwrap();
        assert_eq!(p.code, ReturnCode::SourceMalformedRow);
        assert_eq!(
            p.message,
            "unterminated quote: the quoted field in column notes (starting on line 3) runs to the end of the file"
        );
    }

    #[test]
    fn unterminated_quote_mid_row_reports_where_it_spans() {
        let r = rows(b"id,name,city\n1,\"Ann,Rome\n2,Bob,Oslo\n3,Cy,\"Nice\"\n4,Di,Bonn\n");
        // The stray quote pairs with the next one, gluing rows 1-3 together.
        assert_eq!(r.len(), 2);
        let p = r[0].problem.as_ref().unwrap();
        assert_eq!(p.code, ReturnCode::SourceMalformedRow);
        assert!(
            p.message.starts_with("row has 2 fields, header has 3"),
            "{}",
            p.message
        );
        assert!(p
            .message
            .contains("column name spans lines 2-4: a quote is probably not closed"));
        assert_eq!((r[1].row, r[1].line), (2, 5));
        assert!(r[1].problem.is_none());
    }

    #[test]
    fn properly_closed_multi_line_last_field_is_fine() {
        for csv in [
            &b"id,n\n1,\"a\nb\"\n"[..],
            b"id,n\n1,\"a\nb\"",
            b"id,n\n1,\"a\nb\n\"\n",
        ] {
            let r = rows(csv);
            assert!(r[0].problem.is_none(), "{:?}", String::from_utf8_lossy(csv));
            assert_eq!(r[0].line, 2);
        }
    }
}
