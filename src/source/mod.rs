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
}

/// Why a source cannot be read at all.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("cannot open {path}: {source}")]
    Open {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: read failed: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Unusable { path: String, message: String },
}

mod spec;

pub use spec::{Format, SourceSpec, TextEncoding};

/// Opens a source file for streaming.
pub fn open(path: &std::path::Path, spec: &SourceSpec) -> Result<Box<dyn RowSource>, SourceError> {
    let _ = (path, spec);
    Err(SourceError::Unusable {
        path: path.display().to_string(),
        message: "reader not built yet".into(),
    })
}
