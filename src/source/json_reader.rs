//! JSON rows: one array of objects, or NDJSON (one object per line).
//!
//! In: a decoded UTF-8 stream and the JSON paths the mapping asks for. Out:
//! one `RawRow` per array element or non-blank line, its fields the values
//! at those paths (strings as they are, numbers and booleans as JSON text,
//! null or missing as empty, objects and arrays as compact JSON). A syntax
//! error, an element that is not an object or bytes that are not UTF-8 make
//! a row with a `problem` (and empty fields on a syntax error); the next
//! element is still read. Open fails on an empty file, a bad path, or a
//! file that starts with neither `[` nor `{`.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::{BufReader, Read};

use csv::StringRecord;
use serde_json::Value;

use super::encoding::Decoded;
use super::json_lines::{read_line, skip_blank_start};
use super::json_path::JsonPath;
use super::json_scanner::{ArrayScanner, Element, MAX_ELEMENT};
use super::{Format, RawRow, RowSource, SourceError};
use crate::field_error::FieldError;
use crate::model::ReturnCode;

const BUFFER_CAPACITY: usize = 64 * 1024;

pub(crate) type Stream = BufReader<Box<dyn Read + Send>>;

enum Layout {
    Array(ArrayScanner<Stream>),
    /// NDJSON; `line` is the number of the next line to be read.
    Lines {
        input: Stream,
        line: u64,
    },
}

/// A JSON array or NDJSON file read element by element.
pub(crate) struct JsonSource {
    path: String,
    columns: Vec<String>,
    paths: Vec<JsonPath>,
    layout: Layout,
    buf: Vec<u8>,
    scratch: String,
    row: u64,
}

impl JsonSource {
    /// Compiles `json_paths` and finds out whether `input` is an array or
    /// NDJSON (`Format::Ndjson` always reads lines).
    pub fn open(
        path: String,
        input: Decoded,
        format: Format,
        json_paths: &[String],
    ) -> Result<Self, SourceError> {
        let unusable = |path: &str, message: String| SourceError::Unusable {
            path: path.to_string(),
            message,
        };
        let paths = json_paths
            .iter()
            .map(|p| JsonPath::parse(p))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| unusable(&path, e.to_string()))?;
        if input.empty {
            return Err(unusable(&path, "file is empty".into()));
        }
        let mut stream = BufReader::with_capacity(BUFFER_CAPACITY, input.reader);
        let (first, line, column) =
            skip_blank_start(&mut stream).map_err(|source| SourceError::Io {
                path: path.clone(),
                source,
            })?;
        let layout = match (format, first) {
            (_, None) => return Err(unusable(&path, "file is empty".into())),
            (Format::Json, Some(b'[')) => Layout::Array(ArrayScanner::new(stream, line, column)),
            (Format::Ndjson, _) | (_, Some(b'{')) => Layout::Lines {
                input: stream,
                line,
            },
            (_, Some(b)) => {
                return Err(unusable(
                    &path,
                    format!(
                        "expected a JSON array or object, found {}",
                        describe_byte(b)
                    ),
                ))
            }
        };
        Ok(Self {
            path,
            columns: json_paths.to_vec(),
            paths,
            layout,
            buf: Vec::new(),
            scratch: String::new(),
            row: 0,
        })
    }

    fn io_error(&self, source: std::io::Error) -> SourceError {
        SourceError::Io {
            path: self.path.clone(),
            source,
        }
    }

    /// The row for the bytes in `self.buf`, found at `element`.
    fn build_row(&mut self, element: Element) -> RawRow {
        self.row += 1;
        let at = format!("line {} column {}", element.line, element.column);
        let flagged = if element.outside_array && element.truncated {
            Some(syntax(format!(
                "{at}: the file ends before the array's closing `]`; it may be truncated"
            )))
        } else if element.outside_array {
            Some(syntax(format!(
                "{at}: unexpected data after the array's closing `]`"
            )))
        } else if element.oversized {
            Some(FieldError::error(
                "row",
                ReturnCode::SourceMalformedRow,
                format!("{at}: element is larger than {} MiB", MAX_ELEMENT >> 20),
            ))
        } else {
            None
        };
        let (fields, problem) = match flagged {
            Some(problem) => (self.empty_fields(), Some(problem)),
            None => self.parse(element),
        };
        RawRow {
            row: self.row,
            line: element.line,
            fields,
            problem,
        }
    }

    fn parse(&mut self, element: Element) -> (StringRecord, Option<FieldError>) {
        let (text, undecodable) = match std::str::from_utf8(&self.buf) {
            Ok(text) => (Cow::Borrowed(text), None),
            Err(e) => (String::from_utf8_lossy(&self.buf), Some(e.valid_up_to())),
        };
        let value: Value = match serde_json::from_str(&text) {
            Ok(value) => value,
            Err(e) => {
                let (line, column) = absolute(element, e.line() as u64, e.column() as u64);
                let full = e.to_string();
                let what = full
                    .rsplit_once(" at line ")
                    .map_or(full.as_str(), |(m, _)| m);
                let lead = if element.truncated {
                    "the file ends inside this element: "
                } else {
                    ""
                };
                let problem = syntax(format!("{lead}line {line} column {column}: {what}"));
                return (self.empty_fields(), Some(problem));
            }
        };
        if !value.is_object() {
            let problem = FieldError::error(
                "row",
                ReturnCode::SourceMalformedRow,
                format!("element is {}, expected an object", kind(&value)),
            );
            return (self.empty_fields(), Some(problem));
        }
        let mut fields = StringRecord::with_capacity(self.buf.len(), self.paths.len());
        for path in &self.paths {
            push_value(&mut fields, path.get(&value), &mut self.scratch);
        }
        let problem = if let Some(offset) = undecodable {
            let before = &self.buf[..offset];
            let newlines = before.iter().filter(|&&b| b == b'\n').count() as u64;
            let column = match before.iter().rposition(|&b| b == b'\n') {
                Some(nl) => (offset - nl) as u64,
                None => element.column + offset as u64,
            };
            Some(FieldError::error(
                "row",
                ReturnCode::SourceUndecodableText,
                format!(
                    "line {} column {column}: bytes are not valid UTF-8",
                    element.line + newlines
                ),
            ))
        } else if element.missing_comma {
            Some(syntax(format!(
                "line {} column {}: expected `,` or `]` before this element",
                element.line, element.column
            )))
        } else {
            None
        };
        (fields, problem)
    }

    fn empty_fields(&self) -> StringRecord {
        let mut fields = StringRecord::with_capacity(0, self.paths.len());
        for _ in &self.paths {
            fields.push_field("");
        }
        fields
    }
}

impl RowSource for JsonSource {
    fn columns(&self) -> &[String] {
        &self.columns
    }

    fn next_row(&mut self) -> Result<Option<RawRow>, SourceError> {
        let element = match &mut self.layout {
            Layout::Array(scanner) => match scanner.next_element(&mut self.buf) {
                Ok(Some(element)) => element,
                Ok(None) => return Ok(None),
                Err(e) => return Err(self.io_error(e)),
            },
            Layout::Lines { input, line } => loop {
                let oversized = match read_line(input, &mut self.buf) {
                    Ok(None) => return Ok(None),
                    Ok(Some(oversized)) => oversized,
                    Err(e) => return Err(self.io_error(e)),
                };
                let this = *line;
                *line += 1;
                while self.buf.last().is_some_and(|b| matches!(b, b'\n' | b'\r')) {
                    self.buf.pop();
                }
                if oversized || !self.buf.iter().all(u8::is_ascii_whitespace) {
                    break Element {
                        line: this,
                        column: 1,
                        oversized,
                        ..Element::default()
                    };
                }
            },
        };
        Ok(Some(self.build_row(element)))
    }
}

fn syntax(message: String) -> FieldError {
    FieldError::error("row", ReturnCode::SourceJsonSyntax, message)
}

/// A serde_json position inside the element, as a position in the file.
fn absolute(element: Element, line: u64, column: u64) -> (u64, u64) {
    if line <= 1 {
        (element.line, element.column + column.saturating_sub(1))
    } else {
        (element.line + line - 1, column)
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn describe_byte(b: u8) -> String {
    if b.is_ascii_graphic() {
        format!("`{}`", b as char)
    } else {
        format!("byte 0x{b:02X}")
    }
}

/// Appends a value as field text; `scratch` is reused for the non-strings.
fn push_value(fields: &mut StringRecord, value: Option<&Value>, scratch: &mut String) {
    match value {
        None | Some(Value::Null) => fields.push_field(""),
        Some(Value::String(s)) => fields.push_field(s),
        Some(Value::Bool(b)) => fields.push_field(if *b { "true" } else { "false" }),
        Some(other) => {
            scratch.clear();
            // `Display` for `Value` is compact JSON; writing to a String
            // cannot fail.
            let _ = write!(scratch, "{other}");
            fields.push_field(scratch);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;
    use crate::source::encoding::decode;
    use crate::source::TextEncoding;

    fn open_json(bytes: &[u8], format: Format, paths: &[&str]) -> Result<JsonSource, SourceError> {
        // JSON is UTF-8 unless a BOM says otherwise.
        let decoded = decode(Cursor::new(bytes.to_vec()), TextEncoding::Utf8).unwrap();
        let paths: Vec<String> = paths.iter().map(|p| p.to_string()).collect();
        JsonSource::open("t.json".into(), decoded, format, &paths)
    }

    fn rows(bytes: &[u8], format: Format, paths: &[&str]) -> Vec<RawRow> {
        let mut s = open_json(bytes, format, paths).unwrap();
        std::iter::from_fn(|| s.next_row().unwrap()).collect()
    }

    fn fields(row: &RawRow) -> Vec<&str> {
        row.fields.iter().collect()
    }

    fn message(row: &RawRow) -> (ReturnCode, &str) {
        let p = row.problem.as_ref().expect("a problem");
        (p.code, p.message.as_str())
    }

    fn unusable(bytes: &[u8], format: Format, paths: &[&str]) -> String {
        match open_json(bytes, format, paths) {
            Err(SourceError::Unusable { message, .. }) => message,
            Err(other) => panic!("unexpected error {other}"),
            Ok(_) => panic!("opened"),
        }
    }

    #[test]
    fn array_elements_become_rows_of_path_values() {
        let json = br#"[
  {"id": 1, "name": {"first": "Ann"}, "docs": [{"number": "P1"}], "vip": true,
   "tags": ["a", "b"], "note": null, "amount": 12.5},
  {"id": "X-2", "name": {"first": "Bob"}}
]"#;
        let paths = [
            "id",
            "name.first",
            "docs[0].number",
            "vip",
            "tags",
            "note",
            "amount",
            "nope",
        ];
        let r = rows(json, Format::Json, &paths);
        assert_eq!(r.len(), 2);
        assert_eq!(
            fields(&r[0]),
            ["1", "Ann", "P1", "true", r#"["a","b"]"#, "", "12.5", ""]
        );
        assert_eq!(fields(&r[1]), ["X-2", "Bob", "", "", "", "", "", ""]);
        assert_eq!((r[0].row, r[0].line, r[1].row, r[1].line), (1, 2, 2, 4));
        assert!(r.iter().all(|r| r.problem.is_none()));
    }

    #[test]
    fn columns_are_the_requested_paths() {
        let s = open_json(b"[]", Format::Json, &["a.b", "c[0]"]).unwrap();
        assert_eq!(s.columns(), ["a.b", "c[0]"]);
    }

    #[test]
    fn a_bad_element_is_a_problem_row_and_reading_goes_on() {
        let json = b"[\n{\"id\": 1},\n{\"id\" 2},\n{\"id\": 3}\n]";
        let r = rows(json, Format::Json, &["id"]);
        assert_eq!(r.len(), 3);
        assert_eq!(
            message(&r[1]),
            (
                ReturnCode::SourceJsonSyntax,
                "line 3 column 7: expected `:`"
            )
        );
        assert_eq!((r[1].row, r[1].line, fields(&r[1])), (2, 3, vec![""]));
        assert_eq!(fields(&r[2]), ["3"]);
        assert!(r[2].problem.is_none());
    }

    #[test]
    fn truncated_json_ends_with_one_problem_row() {
        let r = rows(
            b"[{\"id\": 1},\n {\"id\": 2, \"name\": {\"fi",
            Format::Json,
            &["id"],
        );
        assert_eq!(r.len(), 2);
        let (code, msg) = message(&r[1]);
        assert_eq!(code, ReturnCode::SourceJsonSyntax);
        assert!(
            msg.starts_with("the file ends inside this element: line 2 column"),
            "{msg}"
        );
        assert_eq!(r[1].line, 2);
    }

    #[test]
    fn a_missing_closing_bracket_is_reported() {
        let r = rows(b"[{\"id\": 1}\n", Format::Json, &["id"]);
        assert_eq!(r.len(), 2);
        assert_eq!(fields(&r[0]), ["1"]);
        assert_eq!(
            message(&r[1]),
            (
                ReturnCode::SourceJsonSyntax,
                "line 2 column 1: the file ends before the array's closing `]`; it may be truncated"
            )
        );
    }

    #[test]
    fn non_objects_are_problem_rows() {
        let r = rows(
            b"[1, \"s\", null, [2], {\"id\": 5}, true]",
            Format::Json,
            &["id"],
        );
        let kinds: Vec<&str> = r
            .iter()
            .filter_map(|r| r.problem.as_ref())
            .map(|p| p.message.as_str())
            .collect();
        assert_eq!(
            kinds,
            [
                "element is a number, expected an object",
                "element is a string, expected an object",
                "element is null, expected an object",
                "element is an array, expected an object",
                "element is a boolean, expected an object",
            ]
        );
        assert_eq!(
            r[0].problem.as_ref().unwrap().code,
            ReturnCode::SourceMalformedRow
        );
        assert_eq!(fields(&r[4]), ["5"]);
    }

    #[test]
    fn missing_comma_and_trailing_data_are_reported() {
        let r = rows(b"[{\"id\": 1} {\"id\": 2}] x", Format::Json, &["id"]);
        assert_eq!(r.len(), 3);
        assert_eq!(fields(&r[1]), ["2"]);
        assert_eq!(
            message(&r[1]),
            (
                ReturnCode::SourceJsonSyntax,
                "line 1 column 12: expected `,` or `]` before this element"
            )
        );
        assert_eq!(
            message(&r[2]),
            (
                ReturnCode::SourceJsonSyntax,
                "line 1 column 23: unexpected data after the array's closing `]`"
            )
        );
    }

    #[test]
    fn ndjson_lines_are_parsed_independently() {
        let nd = b"{\"id\": 1}\n\n{\"id\": 2,}\r\n   \n{\"id\": 3}";
        for format in [Format::Ndjson, Format::Json] {
            let r = rows(nd, format, &["id"]);
            assert_eq!(r.len(), 3);
            assert_eq!((r[0].row, r[0].line, fields(&r[0])), (1, 1, vec!["1"]));
            assert_eq!((r[1].row, r[1].line), (2, 3));
            assert_eq!(message(&r[1]).0, ReturnCode::SourceJsonSyntax);
            assert!(
                message(&r[1]).1.starts_with("line 3 column 10: "),
                "{}",
                message(&r[1]).1
            );
            assert_eq!((r[2].row, r[2].line, fields(&r[2])), (3, 5, vec!["3"]));
        }
    }

    #[test]
    fn an_oversized_ndjson_line_is_reported_without_being_kept() {
        let mut nd = format!("{{\"id\": \"{}\"}}\n", "x".repeat(MAX_ELEMENT)).into_bytes();
        nd.extend_from_slice(b"{\"id\": 2}\n");
        let r = rows(&nd, Format::Ndjson, &["id"]);
        assert_eq!(r.len(), 2);
        assert_eq!(
            message(&r[0]),
            (
                ReturnCode::SourceMalformedRow,
                "line 1 column 1: element is larger than 32 MiB"
            )
        );
        assert_eq!((r[1].line, fields(&r[1])), (2, vec!["2"]));
    }

    #[test]
    fn ndjson_line_numbers_count_leading_blank_lines() {
        let r = rows(b"\n\n  {\"id\": 1}\n", Format::Ndjson, &["id"]);
        assert_eq!((r[0].line, fields(&r[0])), (3, vec!["1"]));
        let r = rows(b"\n \n[{\"id\": 1}]", Format::Json, &["id"]);
        assert_eq!((r[0].line, fields(&r[0])), (3, vec!["1"]));
    }

    #[test]
    fn bad_starts_and_paths_are_unusable() {
        assert_eq!(unusable(b"", Format::Json, &[]), "file is empty");
        assert_eq!(unusable(b" \n\t", Format::Json, &[]), "file is empty");
        assert_eq!(
            unusable(b"id,name", Format::Json, &[]),
            "expected a JSON array or object, found `i`"
        );
        assert_eq!(
            unusable(b"[]", Format::Json, &["a..b"]),
            "JSON path `a..b`: empty name"
        );
    }

    #[test]
    fn invalid_utf8_is_reported_and_decoded_lossily() {
        let r = rows(
            b"{\"id\": 1}\n{\"name\": \"A\xFFb\"}\n",
            Format::Ndjson,
            &["name"],
        );
        assert_eq!(fields(&r[1]), ["A\u{FFFD}b"]);
        assert_eq!(
            message(&r[1]),
            (
                ReturnCode::SourceUndecodableText,
                "line 2 column 12: bytes are not valid UTF-8"
            )
        );
    }

    #[test]
    fn utf16_json_is_transcoded() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "[{\"name\": \"Zoë\"}]".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        let r = rows(&bytes, Format::Json, &["name"]);
        assert_eq!(fields(&r[0]), ["Zoë"]);
    }

    #[test]
    fn nesting_too_deep_is_a_problem_not_a_crash() {
        let deep = format!("[{{\"a\": {}{}}}]", "[".repeat(10_000), "]".repeat(10_000));
        let r = rows(deep.as_bytes(), Format::Json, &["a"]);
        assert_eq!(r.len(), 1);
        assert_eq!(message(&r[0]).0, ReturnCode::SourceJsonSyntax);
    }
}
