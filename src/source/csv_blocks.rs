//! CSV cut into blocks at proven record boundaries, so that several
//! threads can parse one file.
//!
//! In: a UTF-8 byte stream read as-is (see `encoding`; BOM already gone),
//! the delimiter and the quote. Out: the header as `columns()`, then
//! `Block`s of whole records, in file order, each knowing the line it
//! starts on; a `BlockParser` turns any block, on any thread, into exactly
//! the `RawRow`s `CsvSource` yields for those records (numbered from 1
//! within the block: the caller adds the rows of the blocks before it).
//! Fails as `CsvSource` does: an empty file or one without a header at
//! open, an I/O error later; bad data is a row's `problem`, never an `Err`.
//!
//! The cutter is a serial scan that follows the csv parser's own rules
//! (csv-core's reader, quoting on, doubled quotes, no escape, no comments,
//! any of `\r`, `\n`, `\r\n` ending a record): a quote opens a quoted field
//! only as a field's first byte; inside one, `""` is a literal quote and a
//! lone quote closes it; after the closing quote, and anywhere in an
//! unquoted field, a quote is literal. Outside a quoted field every `\n`
//! ends a record (or a blank line), and after it the parser is back at the
//! start of a record, exactly as a fresh parser is: a block ends after the
//! last such `\n` it holds. The scan jumps from quote to quote and line
//! break to line break with `memchr`, so it costs a fraction of parsing.

use std::io::{self, Read};

use memchr::{memchr, memchr2};

use super::csv_reader::CsvSource;
use super::encoding::Decoded;
use super::{RawRow, RowSource, SourceError};

/// Where the scan stands after the bytes seen so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scan {
    /// Outside quotes; `field_start` when the next byte begins a field, so
    /// that a quote there opens a quoted field.
    Outside { field_start: bool },
    /// Inside a quoted field.
    Quoted,
    /// Inside a quoted field, just after a quote: another quote makes the
    /// pair a literal quote, anything else means the field was closed.
    QuoteInQuoted,
}

impl Scan {
    const START: Scan = Scan::Outside { field_start: true };
}

/// Whether the csv parser reads `delimiter` and `quote` the way the scan
/// assumes: neither is a line break and they differ. Otherwise the file is
/// read serially.
pub(crate) fn can_cut(delimiter: u8, quote: u8) -> bool {
    let breaks = [b'\r', b'\n'];
    delimiter != quote && !breaks.contains(&delimiter) && !breaks.contains(&quote)
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

fn is_break(b: u8) -> bool {
    b == b'\n' || b == b'\r'
}

/// Scans `bytes[from..]` from `state` (`bytes[..from]` were scanned
/// before): the state after them, and the last place where a cut may go.
///
/// A cut goes right after a record's terminator, where the serial parser
/// starts reading the next record: after a `\n` outside quotes that follows
/// a byte of the record, or after the `\r` of such a `\r\n`. Blank lines and
/// the `\n` of a CRLF then begin the next block, as they begin the serial
/// parser's next read, so the two count lines from the same place.
/// (Every such `\n` ends a record: outside quotes, a break after a byte
/// that is not a break always does.)
fn scan(
    bytes: &[u8],
    from: usize,
    mut state: Scan,
    delimiter: u8,
    quote: u8,
) -> (Scan, Option<usize>) {
    let ends_field = |b: u8| b == delimiter || is_break(b);
    let (n, mut i, mut cut) = (bytes.len(), from, None);
    while i < n {
        match state {
            Scan::Quoted => match memchr(quote, &bytes[i..]) {
                None => i = n,
                Some(k) => {
                    i += k + 1;
                    state = Scan::QuoteInQuoted;
                }
            },
            Scan::QuoteInQuoted => {
                if bytes[i] == quote {
                    i += 1;
                    state = Scan::Quoted;
                } else {
                    // Closed. The byte here is not a quote, so whether it
                    // starts a field does not matter; the scan below reads it.
                    state = Scan::Outside { field_start: false };
                }
            }
            Scan::Outside { field_start } => match memchr2(quote, b'\n', &bytes[i..]) {
                None => {
                    state = Scan::Outside {
                        field_start: ends_field(bytes[n - 1]),
                    };
                    i = n;
                }
                Some(k) => {
                    let at = i + k;
                    if bytes[at] == b'\n' {
                        if at >= 1 && !is_break(bytes[at - 1]) {
                            cut = Some(at + 1);
                        } else if at >= 2 && bytes[at - 1] == b'\r' && !is_break(bytes[at - 2]) {
                            cut = Some(at);
                        }
                        state = Scan::START;
                    } else {
                        // Every byte since `i` was outside quotes, so the one
                        // before this quote is a real delimiter or break.
                        let opens = if at == i {
                            field_start
                        } else {
                            ends_field(bytes[at - 1])
                        };
                        state = if opens {
                            Scan::Quoted
                        } else {
                            Scan::Outside { field_start: false }
                        };
                    }
                    i = at + 1;
                }
            },
        }
    }
    (state, cut)
}

/// Whole records of the file, in order, with their place in it.
#[derive(Debug, Default)]
pub struct Block {
    bytes: Vec<u8>,
    /// Line breaks in the file before the block.
    lines_before: u64,
    /// The first block: it starts with the header.
    first: bool,
    /// The block runs to the end of the file (it was not cut).
    reaches_end: bool,
}

impl Block {
    /// The block's length in bytes.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Whether the block holds no bytes.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
}

/// Reads a stream and cuts it into blocks after line breaks outside quotes.
struct Cutter<R> {
    input: R,
    delimiter: u8,
    quote: u8,
    /// Bytes read after the last cut, already scanned.
    carry: Vec<u8>,
    /// The scan's state at the end of everything read.
    state: Scan,
    /// Line breaks in the blocks handed out.
    lines: u64,
    started: bool,
    eof: bool,
}

impl<R: Read> Cutter<R> {
    fn new(input: R, delimiter: u8, quote: u8) -> Self {
        Self {
            input,
            delimiter,
            quote,
            carry: Vec::new(),
            state: Scan::START,
            lines: 0,
            started: false,
            eof: false,
        }
    }

    /// The next block, into `block`: at least `min_len` bytes (unless the
    /// file ends first), cut at the last place `scan` found in what was read
    /// by then; read on until there is one. A cut comes after a record, so
    /// the first block holds the header. False at the end.
    fn next(&mut self, block: &mut Block, min_len: usize) -> io::Result<bool> {
        let step = min_len.max(1);
        let bytes = &mut block.bytes;
        bytes.clear();
        bytes.append(&mut self.carry);
        let mut target = step;
        let mut cut = None;
        loop {
            while !self.eof && bytes.len() < target {
                let old = bytes.len();
                bytes.resize(target, 0);
                let got = self.input.read(&mut bytes[old..]);
                bytes.truncate(old + *got.as_ref().unwrap_or(&0));
                match got {
                    Ok(0) => self.eof = true,
                    Ok(_) => {
                        let (state, c) = scan(bytes, old, self.state, self.delimiter, self.quote);
                        self.state = state;
                        cut = c.or(cut);
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
            // The parser strips a BOM at the start of its input: a block
            // must not start with one, nor with what may become one.
            let cut = cut.filter(|&c| !BOM.starts_with(&bytes[c..bytes.len().min(c + 3)]));
            if let Some(c) = cut {
                self.carry.extend_from_slice(&bytes[c..]);
                bytes.truncate(c);
                block.reaches_end = false;
                break;
            }
            if self.eof {
                if bytes.is_empty() {
                    return Ok(false);
                }
                block.reaches_end = true;
                break;
            }
            target = bytes.len() + step;
        }
        block.first = !self.started;
        block.lines_before = self.lines;
        self.started = true;
        self.lines += memchr::memchr_iter(b'\n', bytes).count() as u64;
        Ok(true)
    }
}

/// A CSV file handed out in blocks (see the module header).
pub struct CsvBlocks {
    path: String,
    cutter: Cutter<Box<dyn Read + Send>>,
    parser: BlockParser,
    /// The first block, read at open for the header, until it is handed out.
    first: Option<Block>,
    row_len: u64,
}

impl CsvBlocks {
    /// Reads the first block, at least `first_len` bytes, and the header in
    /// it. Fails as `CsvSource::open` does. The caller checks `can_cut`.
    pub(crate) fn open(
        path: String,
        input: Decoded,
        delimiter: u8,
        quote: u8,
        first_len: usize,
    ) -> Result<Self, SourceError> {
        if input.empty {
            return Err(SourceError::Unusable {
                path,
                message: "file is empty".into(),
            });
        }
        let mut cutter = Cutter::new(input.reader, delimiter, quote);
        let mut first = Block::default();
        cutter
            .next(&mut first, first_len)
            .map_err(|source| SourceError::Io {
                path: path.clone(),
                source,
            })?;
        let mut header = CsvSource::with_header(path.clone(), &first.bytes[..], delimiter, quote)?;
        let parser = BlockParser {
            path: path.clone(),
            columns: header.columns().to_vec(),
            delimiter,
            quote,
        };
        // The rows after the header give the first guess of a row's length.
        let header_len = header.bytes_parsed();
        let mut rows = 0u64;
        let mut row = RawRow::default();
        while header.next_into(&mut row)? {
            rows += 1;
        }
        let row_len = match rows {
            0 => header_len,
            n => (first.bytes.len() as u64 - header_len) / n,
        };
        Ok(Self {
            path,
            cutter,
            parser,
            row_len: row_len.max(1),
            first: Some(first),
        })
    }

    /// The header's column names.
    pub fn columns(&self) -> &[String] {
        &self.parser.columns
    }

    /// A row's length in bytes, as the rows of the first block suggest (the
    /// header's length when it holds none); never 0.
    pub fn row_len_guess(&self) -> u64 {
        self.row_len
    }

    /// The next block into `block`, reusing its buffer: at least `min_len`
    /// bytes unless the file ends first (the first block, read at open, is
    /// as long as it is). False at the end; `Err` on an I/O error.
    pub fn next_block(&mut self, block: &mut Block, min_len: usize) -> Result<bool, SourceError> {
        if let Some(first) = self.first.take() {
            *block = first;
            return Ok(true);
        }
        self.cutter
            .next(block, min_len)
            .map_err(|source| SourceError::Io {
                path: self.path.clone(),
                source,
            })
    }

    /// What parses the blocks, on any thread.
    pub fn parser(&self) -> &BlockParser {
        &self.parser
    }
}

/// Parses blocks into rows, exactly as `CsvSource` reads the same records.
#[derive(Debug, Clone)]
pub struct BlockParser {
    path: String,
    columns: Vec<String>,
    delimiter: u8,
    quote: u8,
}

impl BlockParser {
    /// The rows of `block` into `rows[..n]`, reusing the rows there, and
    /// `n`. Rows are numbered from 1 within the block; lines are the file's.
    pub fn parse(&self, block: &Block, rows: &mut Vec<RawRow>) -> Result<usize, SourceError> {
        let (path, input) = (self.path.clone(), &block.bytes[..]);
        let mut source = if block.first {
            CsvSource::with_header(path, input, self.delimiter, self.quote)?
        } else {
            CsvSource::rows_only(
                path,
                input,
                self.delimiter,
                self.quote,
                self.columns.clone(),
            )
        };
        source.place(block.lines_before, block.reaches_end);
        let mut n = 0;
        loop {
            if n == rows.len() {
                rows.push(RawRow::default());
            }
            if !source.next_into(&mut rows[n])? {
                return Ok(n);
            }
            n += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;
    use crate::source::encoding::decode;
    use crate::source::TextEncoding;

    type Seen = (
        u64,
        u64,
        Vec<String>,
        Option<crate::field_error::FieldError>,
    );

    fn seen(row: &RawRow) -> Seen {
        (
            row.row,
            row.line,
            row.fields.iter().map(str::to_string).collect(),
            row.problem.clone(),
        )
    }

    fn decoded(bytes: &[u8]) -> Decoded {
        decode(Cursor::new(bytes.to_vec()), TextEncoding::Utf8).unwrap()
    }

    /// The columns and rows as `CsvSource` reads them, or its error.
    fn serial(bytes: &[u8], delimiter: u8, quote: u8) -> Result<(Vec<String>, Vec<Seen>), String> {
        let mut s = CsvSource::open("t.csv".into(), decoded(bytes), delimiter, quote)
            .map_err(|e| e.to_string())?;
        let mut rows = Vec::new();
        let mut row = RawRow::default();
        while s.next_into(&mut row).unwrap() {
            rows.push(seen(&row));
        }
        Ok((s.columns().to_vec(), rows))
    }

    /// The same, cut into blocks of at least `len` bytes, each parsed on
    /// its own (into reused rows) and renumbered after the blocks before.
    fn in_blocks(
        bytes: &[u8],
        delimiter: u8,
        quote: u8,
        len: usize,
    ) -> Result<(Vec<String>, Vec<Seen>), String> {
        let mut b = CsvBlocks::open("t.csv".into(), decoded(bytes), delimiter, quote, len)
            .map_err(|e| e.to_string())?;
        let columns = b.columns().to_vec();
        let (mut block, mut rows, mut out) = (Block::default(), Vec::new(), Vec::new());
        let mut before = 0;
        while b.next_block(&mut block, len).unwrap() {
            let n = b.parser().parse(&block, &mut rows).unwrap();
            for r in &rows[..n] {
                let mut s = seen(r);
                s.0 += before;
                out.push(s);
            }
            before += n as u64;
        }
        Ok((columns, out))
    }

    fn every_block_size_reads_as_serial(bytes: &[u8], delimiter: u8, quote: u8) {
        let want = serial(bytes, delimiter, quote);
        for len in 1..=bytes.len() + 1 {
            let got = in_blocks(bytes, delimiter, quote, len);
            assert_eq!(
                got,
                want,
                "block size {len} of {:?}",
                String::from_utf8_lossy(bytes)
            );
        }
    }

    const CASES: &[&[u8]] = &[
        b"id,name\n1,Ann\n2,Bob\n",
        b"id,notes,x\n1,\"two\nlines\",a\n2,plain,b\n3,\"three\n\nlines\",c\n4,last,d\n",
        b"id,notes,x\r\n1,\"two\r\nlines\",a\r\n2,plain,b\r\n3,\"three\r\n\r\nlines\",c\r\n4,last,d\r\n",
        b"a,b\n\"x\"\"y\",\"\"\"\"\n\"\"\"\n\",z\n\"\",\"\"\"\"\"\"\n",
        b"a,b\n1,x\"y\n2,x\"\n\"3,z\n4,\"q\"r\"s\n5,\"q\"\n,\"t\n6,u\n",
        b"h\ra\rb\n",
        b"h\ra\rb",
        b"h\r\n\r\na\r\n\r\n\r\nb\r\nc",
        b"h\n\na\n\n\nb\nc",
        b"\n\r\n\nh,i\n\n1,2\n",
        b"a,b,c\n,,\n,\n\n,,,\n\"\",,\"\"\n",
        b"id,notes\n1,fine\n2,\"broken\n3,swallowed\n4,too\n",
        b"id,name,city\n1,\"Ann,Rome\n2,Bob,Oslo\n3,Cy,\"Nice\"\n4,Di,Bonn\n",
        b"id,n\n1,\"a\nb\"\n",
        b"id,n\n1,\"a\nb\"",
        b"id,n\n1,\"a\nb\n\"\n",
        b"id,n\n1,\"a\nb\"x\n2,\"c\nd\"y",
        b"id,n\n1,\"a\nb\"x\n2,\"c\nd\"y\n",
        b"id,n\n1,\"a\"\r",
        b"a,b,c\n1,2\n1,2,3,4\n\n5\n",
        b"\xEF\xBB\xBFid,name\n1,Ann\n",
        b"\xEF\xBB\xBF\xEF\xBB\xBFid\n\xEF\xBB\xBF1\n",
        b"id,name\n",
        b"id,name",
        b"id,name\r\n",
        b"\"id\nx\",name\n1,2\n",
        b"a,b\n1,2",
        b"id,name\n1,Ab\xFFc\n2,ok\n\xC3\n",
        b"a,b,c\n1,2,3\nx,y\n4,\xFF,6\n\"7\n8\",9,10\n11,12,13\n",
        b"id,name\n1,a\0b\n",
        b"",
        b"\xEF\xBB\xBF",
        b"\n\r\n\n",
        b"\"",
        b"\"\n",
        b"a\n\"",
        b"a\n\"\"\"",
        b"a\n\"x\"\"\n\"\n",
    ];

    #[test]
    fn cut_at_every_block_size_reads_as_the_serial_reader() {
        for case in CASES {
            every_block_size_reads_as_serial(case, b',', b'"');
        }
    }

    #[test]
    fn another_delimiter_and_quote_cut_by_their_own_rules() {
        for case in [
            &b"a;b\n'x;y';z\n'it''s\n';\"q\n1;2'\n'3\n"[..],
            b"a\tb\n\"x\ty\"\t'p\nq'\n1\t2\n",
            b"a;b\n1,\"x;\n2;3\n",
        ] {
            every_block_size_reads_as_serial(case, b';', b'\'');
            every_block_size_reads_as_serial(case, b'\t', b'"');
            every_block_size_reads_as_serial(case, b',', b'"');
        }
    }

    #[test]
    fn empty_and_headerless_files_fail_as_serially() {
        for case in [&b""[..], b"\xEF\xBB\xBF", b"\n\r\n\n"] {
            let want = serial(case, b',', b'"').unwrap_err();
            assert!(want.contains("empty") || want.contains("no header"));
            assert_eq!(in_blocks(case, b',', b'"', 1).unwrap_err(), want);
        }
    }

    fn cuts(bytes: &[u8]) -> Vec<(String, u64, bool)> {
        let mut b = CsvBlocks::open("t".into(), decoded(bytes), b',', b'"', 1).unwrap();
        let mut block = Block::default();
        let mut cuts = Vec::new();
        while b.next_block(&mut block, 1).unwrap() {
            let text = String::from_utf8(block.bytes.clone()).unwrap();
            cuts.push((text, block.lines_before, block.reaches_end));
        }
        cuts
    }

    fn owned(want: &[(&str, u64, bool)]) -> Vec<(String, u64, bool)> {
        want.iter()
            .map(|(s, l, e)| (s.to_string(), *l, *e))
            .collect()
    }

    #[test]
    fn blocks_end_only_after_record_terminators_outside_quotes() {
        let bytes = b"h\n1,\"a\nb\"\n2,x\"y\n3,\"\"\"\n\"\n";
        let want = [
            ("h\n", 0, false),
            ("1,\"a\nb\"\n", 1, false),
            ("2,x\"y\n", 3, false),
            // The last terminator is not known to end the file until the
            // end is read: that block runs to the end.
            ("3,\"\"\"\n\"\n", 4, true),
        ];
        assert_eq!(cuts(bytes), owned(&want));
        // Blank lines and the `\n` of a CRLF start the next block, where
        // the parser starts reading the next record.
        let want = [
            ("h\r", 0, false),
            ("\n1\r", 0, false),
            ("\n\r\n\n2\n", 1, true),
        ];
        assert_eq!(cuts(b"h\r\n1\r\n\r\n\n2\n"), owned(&want));
        // No block starts with a BOM, which the parser would strip.
        let want = [("h\n\u{FEFF}1\n", 0, false), ("x\n", 2, true)];
        assert_eq!(cuts("h\n\u{FEFF}1\nx\n".as_bytes()), owned(&want));
    }

    #[test]
    fn random_files_cut_at_random_sizes_read_as_serial() {
        let mut rng = fastrand::Rng::with_seed(0x5EED);
        let alphabet = b"ab,,\"\"\n\n\r;\xEF\xBB\xBF";
        for _ in 0..3000 {
            let len = rng.usize(1..40);
            let mut bytes: Vec<u8> = b"x,y\n".to_vec();
            bytes.extend((0..len).map(|_| alphabet[rng.usize(..alphabet.len())]));
            let (delimiter, quote) = if rng.bool() {
                (b',', b'"')
            } else {
                (b';', b'"')
            };
            let want = serial(&bytes, delimiter, quote);
            for _ in 0..4 {
                let size = rng.usize(1..=bytes.len() + 1);
                assert_eq!(
                    in_blocks(&bytes, delimiter, quote, size),
                    want,
                    "block size {size} of {:?}",
                    String::from_utf8_lossy(&bytes)
                );
            }
        }
    }

    #[test]
    fn the_corpus_reads_the_same_in_blocks() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
        let mut compared = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            if crate::source::format_from_extension(&path) != crate::source::Format::Csv
                || crate::source::encoding::detect(&bytes, TextEncoding::Utf8).0
                    != encoding_rs::UTF_8
            {
                continue;
            }
            let want = serial(&bytes, b',', b'"');
            for size in [1, 2, 3, 5, 16, 100, 4096, bytes.len() + 1] {
                let got = in_blocks(&bytes, b',', b'"', size);
                assert_eq!(got, want, "{} in blocks of {size}", path.display());
            }
            compared += 1;
        }
        assert!(compared >= 10, "only {compared} corpus files compared");
    }
}
