//! Stage 1: read legacy exports as a stream of rows.
//!
//! In: a CSV file (any delimiter/quote, UTF-8 with or without BOM,
//! Windows-1252, ISO-8859-1, UTF-16) or JSON (one array of objects, or
//! NDJSON). Out: `RawRow`s in file order, each with its 1-based row number,
//! the line it starts on, and its fields decoded to UTF-8. A row the reader
//! could not read cleanly (ragged, undecodable bytes, JSON syntax error)
//! still comes out, carrying a `problem`: rows never vanish. Only an
//! unusable file (missing, empty, no header) is an `Err`.

use csv::StringRecord;

use crate::field_error::FieldError;

/// One row of a source, as read.
#[derive(Debug, Clone, Default)]
pub struct RawRow {
    /// 1-based data row number (the header is not a row).
    pub row: u64,
    /// 1-based line of the file on which the row starts.
    pub line: u64,
    /// The row's fields, aligned with `RowSource::columns()`.
    pub fields: StringRecord,
    /// Why the row could not be read cleanly, if it could not.
    pub problem: Option<FieldError>,
}

/// A stream of rows from one file.
pub trait RowSource: Send {
    /// Column names: the CSV header, or for JSON the paths requested.
    fn columns(&self) -> &[String];

    /// The next row, `Ok(None)` at the end. `Err` only when the file cannot
    /// be read any further (an I/O error), never for bad data.
    fn next_row(&mut self) -> Result<Option<RawRow>, SourceError>;

    /// `next_row` into `row`, reusing its buffers; `Ok(false)` at the end
    /// (then `row` is unspecified). Sources that can refill a row in place
    /// override it: the hot loop then allocates nothing per row.
    fn next_into(&mut self, row: &mut RawRow) -> Result<bool, SourceError> {
        match self.next_row()? {
            Some(r) => {
                *row = r;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// Whether this is Ferry's own `rejects.csv` read back (see
    /// `ferry_rejects`): a subset of an export, not a whole one.
    fn is_ferry_rejects(&self) -> bool {
        false
    }
}

/// Why a source cannot be read at all.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The file cannot be opened.
    #[error("cannot open {path}: {source}")]
    Open {
        /// The input file, as given.
        path: String,
        /// Why it cannot be opened.
        source: std::io::Error,
    },
    /// Reading the file failed part-way (an I/O error, not bad data).
    #[error("{path}: read failed: {source}")]
    Io {
        /// The input file, as given.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file opens but cannot be read as a source: it is empty, has no
    /// header row, or a JSON path of the mapping does not parse.
    #[error("{path}: {message}")]
    Unusable {
        /// The input file, as given.
        path: String,
        /// Why it cannot be used.
        message: String,
    },
}

mod bytes_read;
mod csv_blocks;
mod csv_reader;
mod encoding;
pub mod ferry_rejects;
pub mod guard;
mod json_lines;
mod json_path;
mod json_reader;
mod json_scanner;
mod recent_bytes;
mod spec;

#[cfg(test)]
mod corpus_tests;

pub use bytes_read::BytesRead;
pub use csv_blocks::{Block, BlockParser, CsvBlocks};
pub use json_path::{JsonPath, JsonPathError};
pub use spec::{Format, SourceSpec, TextEncoding};

/// Opens a source file for streaming.
///
/// Ferry's own `rejects.csv` is recognised by its header and read as the
/// source it was cut from, whatever `spec` says (see `ferry_rejects`).
/// Otherwise the format is `spec.format`, or else the extension decides
/// (`.json`, `.ndjson`/`.jsonl`, anything else CSV). Fails when the file
/// cannot be opened, is empty, has no header (CSV), does not start like
/// JSON, or a JSON path in the spec does not parse.
pub fn open(path: &std::path::Path, spec: &SourceSpec) -> Result<Box<dyn RowSource>, SourceError> {
    open_counted(path, spec, &BytesRead::default())
}

/// [`open`], counting the file's bytes read into `read` as the rows are.
pub fn open_counted(
    path: &std::path::Path,
    spec: &SourceSpec,
    read: &BytesRead,
) -> Result<Box<dyn RowSource>, SourceError> {
    if ferry_rejects::looks_like_rejects(path) {
        let as_written = SourceSpec {
            format: Some(Format::Csv),
            encoding: TextEncoding::Utf8,
            delimiter: b',',
            quote: b'"',
            json_paths: Vec::new(),
        };
        if let Some(own) =
            ferry_rejects::FerryRejects::wrap(open_as_declared(path, &as_written, read)?)
        {
            return Ok(Box::new(own));
        }
    }
    open_as_declared(path, spec, read)
}

/// A source opened for a pass that may parse it on several threads.
pub enum Opened {
    /// Read row by row, on one thread.
    Rows(Box<dyn RowSource>),
    /// CSV read as UTF-8 without transcoding, handed out in blocks of whole
    /// records that any thread can parse.
    CsvBlocks(CsvBlocks),
}

/// [`open_counted`], but a CSV file whose bytes are read as UTF-8 as they
/// are (detected or declared; a BOM is skipped) comes as blocks, the first
/// at least `first_block` bytes long. Ferry's own `rejects.csv`, JSON and
/// transcoded text are read row by row as before. Fails as `open` does.
pub fn open_in_blocks(
    path: &std::path::Path,
    spec: &SourceSpec,
    read: &BytesRead,
    first_block: usize,
) -> Result<Opened, SourceError> {
    let format = spec.format.unwrap_or_else(|| format_from_extension(path));
    if ferry_rejects::looks_like_rejects(path)
        || format != Format::Csv
        || !csv_blocks::can_cut(spec.delimiter, spec.quote)
    {
        return open_counted(path, spec, read).map(Opened::Rows);
    }
    let (name, decoded) = decoded_input(path, spec, format, read)?;
    if decoded.encoding != encoding_rs::UTF_8 {
        return csv_reader::CsvSource::open(name, decoded, spec.delimiter, spec.quote)
            .map(|s| Opened::Rows(Box::new(s)));
    }
    CsvBlocks::open(name, decoded, spec.delimiter, spec.quote, first_block).map(Opened::CsvBlocks)
}

/// The file opened, counted into `read`, and decoded; and its name.
fn decoded_input(
    path: &std::path::Path,
    spec: &SourceSpec,
    format: Format,
    read: &BytesRead,
) -> Result<(String, encoding::Decoded), SourceError> {
    let name = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|source| SourceError::Open {
        path: name.clone(),
        source,
    })?;
    // JSON is UTF-8 by definition (RFC 8259): guessing Windows-1252 from one
    // bad byte would garble every other non-ASCII character in the file.
    let declared = match (format, spec.encoding) {
        (Format::Json | Format::Ndjson, TextEncoding::Auto) => TextEncoding::Utf8,
        (_, declared) => declared,
    };
    let file = bytes_read::Counting::new(file, read.clone());
    let decoded = encoding::decode(file, declared).map_err(|source| SourceError::Io {
        path: name.clone(),
        source,
    })?;
    tracing::debug!(path = %name, ?format, encoding = decoded.encoding.name(), "opening source");
    Ok((name, decoded))
}

/// `open_counted` without recognising Ferry's own files.
fn open_as_declared(
    path: &std::path::Path,
    spec: &SourceSpec,
    read: &BytesRead,
) -> Result<Box<dyn RowSource>, SourceError> {
    let format = spec.format.unwrap_or_else(|| format_from_extension(path));
    let (name, decoded) = decoded_input(path, spec, format, read)?;
    Ok(match format {
        Format::Csv => Box::new(csv_reader::CsvSource::open(
            name,
            decoded,
            spec.delimiter,
            spec.quote,
        )?),
        Format::Json | Format::Ndjson => Box::new(json_reader::JsonSource::open(
            name,
            decoded,
            format,
            &spec.json_paths,
        )?),
    })
}

/// The format a file's extension suggests.
pub fn format_from_extension(path: &std::path::Path) -> Format {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    if ext.eq_ignore_ascii_case("json") {
        Format::Json
    } else if ext.eq_ignore_ascii_case("ndjson") || ext.eq_ignore_ascii_case("jsonl") {
        Format::Ndjson
    } else {
        Format::Csv
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn format_follows_the_extension() {
        assert_eq!(format_from_extension(Path::new("a/b.JSON")), Format::Json);
        assert_eq!(format_from_extension(Path::new("b.ndjson")), Format::Ndjson);
        assert_eq!(format_from_extension(Path::new("b.jsonl")), Format::Ndjson);
        assert_eq!(format_from_extension(Path::new("b.csv")), Format::Csv);
        assert_eq!(format_from_extension(Path::new("b.txt")), Format::Csv);
        assert_eq!(format_from_extension(Path::new("noext")), Format::Csv);
    }

    #[test]
    fn a_missing_file_cannot_be_opened() {
        let err = open(
            Path::new("/nonexistent/ferry/x.csv"),
            &SourceSpec::default(),
        )
        .err();
        assert!(matches!(err, Some(SourceError::Open { .. })), "{err:?}");
    }

    #[test]
    fn json_without_a_bom_is_utf8_even_with_a_bad_byte() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("clients.ndjson");
        std::fs::write(
            &path,
            b"{\"n\": \"J\xC3\xBCrgen\"}\n{\"n\": \"M\xFCller\"}\n",
        )
        .unwrap();
        let spec = SourceSpec {
            json_paths: vec!["n".into()],
            ..SourceSpec::default()
        };
        let mut source = open(&path, &spec).unwrap();
        let first = source.next_row().unwrap().unwrap();
        assert_eq!(
            (&first.fields[0], first.problem.is_none()),
            ("Jürgen", true)
        );
        let second = source.next_row().unwrap().unwrap();
        assert_eq!(&second.fields[0], "M\u{FFFD}ller");
        let code = second.problem.map(|p| p.code);
        assert_eq!(code, Some(crate::model::ReturnCode::SourceUndecodableText));
    }

    #[test]
    fn declared_format_wins_over_the_extension() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("clients.txt");
        std::fs::write(&path, "[{\"a\":{\"b\":7}}]").unwrap();
        let spec = SourceSpec {
            format: Some(Format::Json),
            json_paths: vec!["a.b".into()],
            ..SourceSpec::default()
        };
        let mut source = open(&path, &spec).unwrap();
        assert_eq!(source.columns(), ["a.b"]);
        let row = source.next_row().unwrap().unwrap();
        assert_eq!(&row.fields[0], "7");
    }
}
