//! The head of an export: its columns and the values of its first rows.
//!
//! In: an export file (CSV with `,` `;` tab or `|`, a JSON array or NDJSON).
//! Out: a `Sample`: the format and delimiter, every column (for JSON: every
//! path to a scalar value seen in the first rows, `name.first`,
//! `documents[0].number`) with its values in the first `SAMPLE_ROWS` rows,
//! read through the same `source` readers `validate` uses, so the values
//! are the ones a mapping will see. Fails with `SourceError` when the file
//! cannot be opened or read as that format.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use serde_json::Value;

use crate::source::{self, Format, SourceError, SourceSpec};

/// How many rows are read (and, for JSON, searched for paths).
pub const SAMPLE_ROWS: usize = 1000;

/// Array elements per JSON array that become paths (`documents[0]` …
/// `documents[3]`); later ones are left to the user.
const MAX_ARRAY_ITEMS: usize = 4;

/// Paths a JSON sample can yield at most.
const MAX_PATHS: usize = 400;

/// The sampled head of an export.
#[derive(Debug, Clone)]
pub struct Sample {
    /// How the file is read.
    pub format: Format,
    /// The CSV delimiter (`,` for JSON).
    pub delimiter: u8,
    /// Column names (JSON: paths) in file order.
    pub columns: Vec<String>,
    /// `values[c][r]`: column `c` of sampled row `r`.
    pub values: Vec<Vec<String>>,
    /// Rows sampled.
    pub rows: usize,
}

/// Reads the head of `path`.
pub fn read(path: &Path) -> Result<Sample, SourceError> {
    let format = source::format_from_extension(path);
    match format {
        Format::Csv => {
            let delimiter = sniff_delimiter(path)?;
            let spec = SourceSpec {
                format: Some(Format::Csv),
                delimiter,
                ..SourceSpec::default()
            };
            read_rows(path, &spec, format, delimiter)
        }
        Format::Json | Format::Ndjson => {
            let paths = json_paths(path)?;
            if paths.is_empty() {
                return Err(SourceError::Unusable {
                    path: path.display().to_string(),
                    message: "no values in its first rows (an empty array, or empty objects only)"
                        .into(),
                });
            }
            let spec = SourceSpec {
                format: Some(format),
                json_paths: paths,
                ..SourceSpec::default()
            };
            read_rows(path, &spec, format, b',')
        }
    }
}

fn read_rows(
    path: &Path,
    spec: &SourceSpec,
    format: Format,
    delimiter: u8,
) -> Result<Sample, SourceError> {
    let mut src = source::open(path, spec)?;
    let columns = src.columns().to_vec();
    let mut values = vec![Vec::new(); columns.len()];
    let mut rows = 0;
    while rows < SAMPLE_ROWS {
        let Some(row) = src.next_row()? else { break };
        for (c, column) in values.iter_mut().enumerate() {
            column.push(row.fields.get(c).unwrap_or("").to_string());
        }
        rows += 1;
    }
    Ok(Sample {
        format,
        delimiter,
        columns,
        values,
        rows,
    })
}

/// The delimiter of a CSV file: of `,` `;` tab and `|`, the one the header
/// line has most of outside quotes (`,` when it has none).
fn sniff_delimiter(path: &Path) -> Result<u8, SourceError> {
    let file = std::fs::File::open(path).map_err(|source| SourceError::Open {
        path: path.display().to_string(),
        source,
    })?;
    let mut line = Vec::new();
    BufReader::new(file)
        .take(64 * 1024)
        .read_until(b'\n', &mut line)
        .map_err(|source| SourceError::Io {
            path: path.display().to_string(),
            source,
        })?;
    let mut counts = [0usize; 4];
    let candidates = [b',', b';', b'\t', b'|'];
    let mut quoted = false;
    for &b in &line {
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted {
            if let Some(i) = candidates.iter().position(|&c| c == b) {
                counts[i] += 1;
            }
        }
    }
    let best = (0..4).max_by_key(|&i| (counts[i], 4 - i)).unwrap_or(0);
    Ok(if counts[best] == 0 {
        b','
    } else {
        candidates[best]
    })
}

/// Every path to a scalar value in the first `SAMPLE_ROWS` objects of a
/// JSON array or NDJSON file, in the order first seen. A path seen both as
/// a scalar (`null`) and as an object or array is kept as the container's
/// paths only.
fn json_paths(path: &Path) -> Result<Vec<String>, SourceError> {
    let name = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|source| SourceError::Open {
        path: name.clone(),
        source,
    })?;
    let mut input = BufReader::new(file);
    let io = |source| SourceError::Io {
        path: name.clone(),
        source,
    };
    // Skip a UTF-8 byte order mark and white space to the first byte.
    let first = loop {
        let buf = input.fill_buf().map_err(io)?;
        let Some(&b) = buf.first() else {
            break None;
        };
        if b.is_ascii_whitespace() || b == 0xEF || b == 0xBB || b == 0xBF {
            input.consume(1);
        } else {
            break Some(b);
        }
    };
    let objects = match first {
        Some(b'[') => first_elements(&mut input),
        Some(b'{') => serde_json::Deserializer::from_reader(&mut input)
            .into_iter::<Value>()
            .take(SAMPLE_ROWS)
            .map_while(Result::ok)
            .collect(),
        _ => {
            return Err(SourceError::Unusable {
                path: name,
                message: "does not start like JSON (`[` or `{`)".into(),
            })
        }
    };
    let mut paths = Vec::new();
    for object in &objects {
        if let Value::Object(map) = object {
            for (key, value) in map {
                collect(&step(key, true), value, &mut paths);
            }
        }
    }
    // A container path hides the scalar (null) reading of the same path.
    let containers: Vec<String> = paths
        .iter()
        .flat_map(|p: &String| {
            p.match_indices(['.', '['])
                .filter(|(i, _)| *i > 0)
                .map(|(i, _)| p[..i].to_string())
                .collect::<Vec<_>>()
        })
        .collect();
    paths.retain(|p| !containers.iter().any(|c| c == p));
    paths.truncate(MAX_PATHS);
    Ok(paths)
}

/// The first `SAMPLE_ROWS` elements of the array the reader is at; an
/// element that does not parse ends the sample there.
fn first_elements(input: &mut impl Read) -> Vec<Value> {
    use serde::de::{Deserializer as _, SeqAccess, Visitor};
    struct Firsts<'a>(&'a mut Vec<Value>);
    impl<'de> Visitor<'de> for Firsts<'_> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an array of objects")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            while self.0.len() < SAMPLE_ROWS {
                match seq.next_element::<Value>()? {
                    Some(v) => self.0.push(v),
                    None => break,
                }
            }
            Ok(())
        }
    }
    let mut out = Vec::new();
    // Stopping before the closing `]` makes the deserializer complain about
    // what follows; the elements read by then are what is wanted.
    let _ = serde_json::Deserializer::from_reader(input).deserialize_seq(Firsts(&mut out));
    out
}

fn collect(prefix: &str, value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (key, v) in map {
                collect(&format!("{prefix}{}", step(key, false)), v, out);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for (i, v) in items.iter().take(MAX_ARRAY_ITEMS).enumerate() {
                collect(&format!("{prefix}[{i}]"), v, out);
            }
        }
        // Empty containers say nothing about the paths below them.
        Value::Object(_) | Value::Array(_) => {}
        _ => {
            if out.len() < MAX_PATHS * 2 && !out.iter().any(|p| p == prefix) {
                out.push(prefix.to_string());
            }
        }
    }
}

/// One key as a path step: `.key`, or `["key"]` when it holds `.`, `[`,
/// `]` or nothing (see `source::JsonPath`).
fn step(key: &str, first: bool) -> String {
    if key.is_empty() || key.contains(['.', '[', ']']) {
        let escaped = key.replace('\\', "\\\\").replace('"', "\\\"");
        format!("[\"{escaped}\"]")
    } else if first {
        key.to_string()
    } else {
        format!(".{key}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_paths_reach_every_scalar_and_parse_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.json");
        std::fs::write(
            &path,
            r#"[{"id":"1","name":{"first":"A","last":"B"},"x":null,"docs":[{"n":"P1"}],"a.b":1,"e":[]},
               {"id":"2","x":{"y":true},"docs":[{"n":"P2"},{"n":"P3"}]}]"#,
        )
        .unwrap();
        let s = read(&path).unwrap();
        let mut columns = s.columns.clone();
        columns.sort();
        // (Key order within an object is serde_json's.)
        assert_eq!(
            columns,
            [
                "[\"a.b\"]",
                "docs[0].n",
                "docs[1].n",
                "id",
                "name.first",
                "name.last",
                "x.y"
            ]
        );
        assert_eq!(s.rows, 2);
        let col = |name: &str| &s.values[s.columns.iter().position(|c| c == name).unwrap()];
        assert_eq!(col("docs[1].n"), &["", "P3"]);
        assert_eq!(col("x.y"), &["", "true"]);
        assert_eq!(col("[\"a.b\"]"), &["1", ""]);
    }

    #[test]
    fn ndjson_and_semicolon_csv() {
        let dir = tempfile::tempdir().unwrap();
        let nd = dir.path().join("c.ndjson");
        std::fs::write(&nd, "{\"a\":1}\n{\"b\":\"x\"}\n").unwrap();
        let s = read(&nd).unwrap();
        assert_eq!(
            (s.columns.as_slice(), s.rows),
            (&["a".to_string(), "b".into()][..], 2)
        );
        let csv = dir.path().join("c.csv");
        std::fs::write(&csv, "\"A,1\";B\nx;y\n").unwrap();
        let s = read(&csv).unwrap();
        assert_eq!(
            (s.delimiter, s.columns.as_slice()),
            (b';', &["A,1".to_string(), "B".into()][..])
        );
        assert_eq!(s.values[1], ["y"]);
    }
}
