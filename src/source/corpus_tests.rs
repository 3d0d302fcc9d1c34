//! Every file under `tests/corpus/` opened through `source::open`, with the
//! rows and problems each must yield, and a sweep that reads every file in
//! every format and encoding to show that bad data never panics.

use std::path::{Path, PathBuf};

use super::{open, Format, RawRow, SourceError, SourceSpec, TextEncoding};
use crate::model::ReturnCode;

struct Row {
    row: u64,
    line: u64,
    fields: &'static [&'static str],
    /// The problem's code and the start of its message.
    problem: Option<(ReturnCode, &'static str)>,
}

enum Expect {
    Unusable(&'static str),
    Rows {
        columns: &'static [&'static str],
        rows: Vec<Row>,
    },
}

struct Case {
    file: &'static str,
    encoding: TextEncoding,
    paths: &'static [&'static str],
    expect: Expect,
}

const fn ok(row: u64, line: u64, fields: &'static [&'static str]) -> Row {
    Row {
        row,
        line,
        fields,
        problem: None,
    }
}

const fn bad(
    row: u64,
    line: u64,
    fields: &'static [&'static str],
    code: ReturnCode,
    message: &'static str,
) -> Row {
    Row {
        row,
        line,
        fields,
        problem: Some((code, message)),
    }
}

fn csv(file: &'static str, columns: &'static [&'static str], rows: Vec<Row>) -> Case {
    Case {
        file,
        encoding: TextEncoding::Auto,
        paths: &[],
        expect: Expect::Rows { columns, rows },
    }
}

fn json(file: &'static str, paths: &'static [&'static str], rows: Vec<Row>) -> Case {
    Case {
        file,
        encoding: TextEncoding::Auto,
        paths,
        expect: Expect::Rows {
            columns: paths,
            rows,
        },
    }
}

fn cases() -> Vec<Case> {
    use ReturnCode::{SourceJsonSyntax as Syntax, SourceMalformedRow as Malformed};
    let name_cols: &[&str] = &["id", "name"];
    vec![
        Case {
            file: "empty.csv",
            encoding: TextEncoding::Auto,
            paths: &[],
            expect: Expect::Unusable("file is empty"),
        },
        csv("header_only.csv", &["id", "first_name", "last_name"], vec![]),
        csv("duplicate_headers.csv", &["id", "name", "name"], vec![ok(1, 2, &["1", "Ann", "Smith"])]),
        csv(
            "ragged_row.csv",
            &["id", "first_name", "last_name", "email"],
            vec![
                ok(1, 2, &["1", "Ann", "Smith", "ann@example.com"]),
                bad(2, 3, &["2", "Bob", "Jones", ""], Malformed, "row has 3 fields, header has 4"),
                ok(3, 4, &["3", "Cy", "Young", "cy@example.com"]),
                bad(4, 5, &["4", "Di", "Lane", "di@example.com"], Malformed, "row has 5 fields, header has 4"),
            ],
        ),
        csv(
            "truncated_quote.csv",
            &["id", "name", "notes"],
            vec![
                ok(1, 2, &["1", "Ann", "fine"]),
                bad(
                    2,
                    3,
                    &["2", "Bob", "never closed\n3,Cy,swallowed\n4,Di,also swallowed\n"],
                    Malformed,
                    "unterminated quote: the quoted field in column notes (starting on line 3) runs to the end of the file",
                ),
            ],
        ),
        csv("nul_bytes.csv", name_cols, vec![ok(1, 2, &["1", "A\0nn"]), ok(2, 3, &["2", "Bob"])]),
        csv(
            "windows1252.csv",
            &["id", "name", "city"],
            vec![
                ok(1, 2, &["1", "Müller", "Köln"]),
                ok(2, 3, &["2", "Renée", "Besançon"]),
                ok(3, 4, &["3", "Price €5", "x"]),
            ],
        ),
        csv("utf16le_bom.csv", name_cols, vec![ok(1, 2, &["1", "Zoë"]), ok(2, 3, &["2", "Łukasz"])]),
        csv("utf8_bom.csv", name_cols, vec![ok(1, 2, &["1", "Zoë"])]),
        // Undeclared, the bad byte makes the file Windows-1252 ...
        csv(
            "invalid_utf8.csv",
            name_cols,
            vec![ok(1, 2, &["1", "Ann"]), ok(2, 3, &["2", "Müller"]), ok(3, 4, &["3", "Cy"])],
        ),
        // ... declared UTF-8, it is that row's problem.
        Case {
            encoding: TextEncoding::Utf8,
            ..csv(
                "invalid_utf8.csv",
                name_cols,
                vec![
                    ok(1, 2, &["1", "Ann"]),
                    bad(
                        2,
                        3,
                        &["2", "M\u{FFFD}ller"],
                        ReturnCode::SourceUndecodableText,
                        "column name: bytes at offset 1 are not valid UTF-8",
                    ),
                    ok(3, 4, &["3", "Cy"]),
                ],
            )
        },
        csv(
            "multiline_crlf.csv",
            &["id", "notes", "city"],
            vec![
                ok(1, 2, &["1", "first line\r\nsecond line", "Rome"]),
                ok(2, 5, &["2", "plain", "Oslo"]),
                ok(3, 6, &["3", "a \"quoted\" word\r\nand\r\nmore", "Nice"]),
                ok(4, 9, &["4", "last", "Bonn"]),
            ],
        ),
        json(
            "json_truncated.json",
            &["id", "name.first"],
            vec![
                ok(1, 2, &["1", "Ann"]),
                bad(2, 3, &["", ""], Syntax, "the file ends inside this element: line 3 column"),
            ],
        ),
        json(
            "json_bad_element.json",
            &["id", "name.first", "docs[0].number"],
            vec![
                ok(1, 2, &["1", "Ann", ""]),
                bad(2, 3, &["", "", ""], Syntax, "line 3 column 32: expected `:`"),
                ok(3, 4, &["3", "Cy", "P-3"]),
            ],
        ),
        json(
            "ndjson_bad_line.ndjson",
            &["id", "name.first"],
            vec![
                ok(1, 1, &["1", "Ann"]),
                bad(2, 3, &["", ""], Syntax, "line 3 column 36: EOF while parsing an object"),
                ok(3, 4, &["3", "Cy"]),
            ],
        ),
        json("utf8_bom.json", &["id", "name.first"], vec![ok(1, 1, &["7", "Zoë"])]),
    ]
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

fn read_all(path: &Path, spec: &SourceSpec) -> Result<(Vec<String>, Vec<RawRow>), SourceError> {
    let mut source = open(path, spec)?;
    let columns = source.columns().to_vec();
    let mut rows = Vec::new();
    while let Some(row) = source.next_row()? {
        rows.push(row);
    }
    Ok((columns, rows))
}

#[test]
fn every_corpus_file_yields_its_expected_rows() {
    for case in cases() {
        let spec = SourceSpec {
            encoding: case.encoding,
            json_paths: case.paths.iter().map(|p| p.to_string()).collect(),
            ..SourceSpec::default()
        };
        let what = format!("{} ({:?})", case.file, case.encoding);
        let got = read_all(&corpus_dir().join(case.file), &spec);
        let (columns, rows) = match (case.expect, got) {
            (Expect::Unusable(message), Err(SourceError::Unusable { message: got, .. })) => {
                assert_eq!(got, message, "{what}");
                continue;
            }
            (Expect::Rows { columns, rows }, Ok(got)) => {
                assert_eq!(got.0, columns, "{what}: columns");
                (rows, got.1)
            }
            (_, got) => panic!("{what}: unexpected outcome {:?}", got.map(|g| g.1.len())),
        };
        assert_eq!(rows.len(), columns.len(), "{what}: row count");
        for (got, want) in rows.iter().zip(&columns) {
            let at = format!("{what} row {}", want.row);
            assert_eq!((got.row, got.line), (want.row, want.line), "{at}: row/line");
            assert_eq!(
                got.fields.iter().collect::<Vec<_>>(),
                want.fields,
                "{at}: fields"
            );
            match (&got.problem, want.problem) {
                (None, None) => {}
                (Some(p), Some((code, message))) => {
                    assert_eq!(p.code, code, "{at}: {}", p.message);
                    assert!(p.message.starts_with(message), "{at}: {:?}", p.message);
                }
                (got, want) => panic!("{at}: problem {got:?}, expected {want:?}"),
            }
        }
    }
}

#[test]
fn every_corpus_file_has_expectations() {
    let listed: Vec<&str> = cases().iter().map(|c| c.file).collect();
    for entry in std::fs::read_dir(corpus_dir()).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            listed.contains(&name.as_str()),
            "{name} has no expectations"
        );
    }
}

#[test]
fn no_corpus_file_panics_in_any_format_or_encoding() {
    let formats = [
        None,
        Some(Format::Csv),
        Some(Format::Json),
        Some(Format::Ndjson),
    ];
    let encodings = [
        TextEncoding::Auto,
        TextEncoding::Utf8,
        TextEncoding::Windows1252,
        TextEncoding::Iso88591,
        TextEncoding::Utf16le,
        TextEncoding::Utf16be,
    ];
    let mut opened = 0;
    for entry in std::fs::read_dir(corpus_dir()).unwrap() {
        let path = entry.unwrap().path();
        for format in formats {
            for encoding in encodings {
                let spec = SourceSpec {
                    format,
                    encoding,
                    json_paths: vec!["id".into(), "name.first".into()],
                    ..SourceSpec::default()
                };
                if let Ok((columns, rows)) = read_all(&path, &spec) {
                    opened += 1;
                    for row in rows {
                        assert_eq!(row.fields.len(), columns.len(), "{path:?} {spec:?}");
                    }
                }
            }
        }
    }
    assert!(opened > 100, "only {opened} combinations opened");
}

#[test]
fn a_one_megabyte_field_is_read_through_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.csv");
    let big = "é".repeat(1 << 19);
    std::fs::write(&path, format!("id,blob\n1,\"{big}\"\n2,after\n")).unwrap();
    let (_, rows) = read_all(&path, &SourceSpec::default()).unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].fields[1].len(), 1 << 20);
    assert!(rows[0].problem.is_none());
    assert_eq!((rows[1].line, &rows[1].fields[1]), (3, "after"));
}
