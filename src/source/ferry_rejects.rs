//! Ferry's own `rejects.csv`, read back: fixes go round.
//!
//! In: a file whose header starts `ferry_row,ferry_line,` and holds
//! `ferry_error_codes,ferry_error_messages` after the source's columns (as
//! `report::rejects_csv` writes it: UTF-8 with a BOM, comma, `"`). Out: the
//! rows as the source had them, so the mapping that read the original
//! export reads this file too: Ferry's own columns dropped, every cell and
//! column name un-guarded (see `guard`), and one column added,
//! `ferry_original_row`, holding the row's number in the original export
//! (kept as it is when the file already has it, after a second round).
//! `row` and `line` are this file's, so a finding points at the line to fix
//! here; `ferry_original_row` traces it back. Fields after
//! `ferry_error_messages` (a ragged original row's extras) are dropped and
//! the row keeps the reader's 9001 problem. Fails as `CsvSource` does.

use std::io::Read;
use std::path::Path;

use super::guard::unguard;
use super::{RawRow, RowSource, SourceError};

/// The first column: the row's number in the file that was validated.
pub const ROW_COLUMN: &str = "ferry_row";
/// The second column: the line that row started on.
pub const LINE_COLUMN: &str = "ferry_line";
/// After the source's columns: the row's error codes.
pub const CODES_COLUMN: &str = "ferry_error_codes";
/// The last column: the row's error messages.
pub const MESSAGES_COLUMN: &str = "ferry_error_messages";
/// The column added on reading back: the row's number in the original export.
pub const ORIGINAL_ROW_COLUMN: &str = "ferry_original_row";

/// How a rejects file starts (after its BOM): how Ferry knows its own file.
const SIGNATURE: &[u8] = b"ferry_row,ferry_line,";
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Whether `path` starts like Ferry's own `rejects.csv`. A file that cannot
/// be read is not (opening it then reports why).
pub fn looks_like_rejects(path: &Path) -> bool {
    let mut head = [0u8; 24];
    let Ok(mut file) = std::fs::File::open(path) else {
        return false;
    };
    let mut got = 0;
    while got < head.len() {
        match file.read(&mut head[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return false,
        }
    }
    let head = &head[..got];
    head.strip_prefix(BOM)
        .unwrap_or(head)
        .starts_with(SIGNATURE)
}

/// A rejects file read as the source it was cut from.
pub(crate) struct FerryRejects {
    inner: Box<dyn RowSource>,
    columns: Vec<String>,
    /// Inner field indexes kept, in order.
    keep: Vec<usize>,
    /// Whether `ferry_original_row` is added from the inner `ferry_row`.
    add_original: bool,
    scratch: RawRow,
}

impl FerryRejects {
    /// Wraps a CSV source of a rejects file. `None` when its header is not
    /// a rejects file's after all (no `ferry_error_codes,ferry_error_messages`).
    pub fn wrap(inner: Box<dyn RowSource>) -> Option<Self> {
        let cols = inner.columns();
        if cols.len() < 4 || cols[0] != ROW_COLUMN || cols[1] != LINE_COLUMN {
            return None;
        }
        let codes = (2..cols.len() - 1)
            .rev()
            .find(|&i| cols[i] == CODES_COLUMN && cols[i + 1] == MESSAGES_COLUMN)?;
        let keep: Vec<usize> = (2..codes).collect();
        let mut columns: Vec<String> = keep
            .iter()
            .map(|&i| unguard(&cols[i]).to_string())
            .collect();
        let add_original = !columns.iter().any(|c| c == ORIGINAL_ROW_COLUMN);
        if add_original {
            columns.push(ORIGINAL_ROW_COLUMN.to_string());
        }
        Some(Self {
            inner,
            columns,
            keep,
            add_original,
            scratch: RawRow::default(),
        })
    }
}

impl RowSource for FerryRejects {
    fn columns(&self) -> &[String] {
        &self.columns
    }

    fn next_row(&mut self) -> Result<Option<RawRow>, SourceError> {
        let mut row = RawRow::default();
        Ok(self.next_into(&mut row)?.then_some(row))
    }

    fn next_into(&mut self, row: &mut RawRow) -> Result<bool, SourceError> {
        if !self.inner.next_into(&mut self.scratch)? {
            return Ok(false);
        }
        let s = &mut self.scratch;
        row.row = s.row;
        row.line = s.line;
        row.problem = s.problem.take();
        let mut fields = std::mem::take(&mut row.fields);
        fields.clear();
        for &i in &self.keep {
            fields.push_field(unguard(s.fields.get(i).unwrap_or("")));
        }
        if self.add_original {
            fields.push_field(s.fields.get(0).unwrap_or(""));
        }
        row.fields = fields;
        Ok(true)
    }

    fn is_ferry_rejects(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use csv::StringRecord;

    use super::*;
    use crate::source::{open, SourceSpec};

    fn fields(r: &StringRecord) -> Vec<&str> {
        r.iter().collect()
    }

    fn write(dir: &Path, bytes: &[u8]) -> std::path::PathBuf {
        let path = dir.join("rejects.csv");
        std::fs::write(&path, bytes).unwrap();
        path
    }

    #[test]
    fn ferrys_file_is_read_as_the_source_it_came_from() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            "\u{feff}ferry_row,ferry_line,ID,'=PHONE,NOTE,ferry_error_codes,ferry_error_messages\n\
             7,8,C1,'+48 600,'quoted,711 X,client.emailAddress: bad\n\
             9,12,C2,''quoted,O'Brien,711 X,m\n"
                .as_bytes(),
        );
        assert!(looks_like_rejects(&path));
        // The mapping's own source options (here: a semicolon) do not apply.
        let spec = SourceSpec {
            delimiter: b';',
            ..SourceSpec::default()
        };
        let mut src = open(&path, &spec).unwrap();
        assert!(src.is_ferry_rejects());
        assert_eq!(src.columns(), ["ID", "=PHONE", "NOTE", ORIGINAL_ROW_COLUMN]);
        let a = src.next_row().unwrap().unwrap();
        assert_eq!((a.row, a.line), (1, 2), "positions are this file's");
        assert_eq!(fields(&a.fields), ["C1", "+48 600", "'quoted", "7"]);
        assert!(a.problem.is_none());
        let b = src.next_row().unwrap().unwrap();
        assert_eq!(fields(&b.fields), ["C2", "'quoted", "O'Brien", "9"]);
        assert!(src.next_row().unwrap().is_none());
    }

    #[test]
    fn a_second_round_keeps_the_first_original_row() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            b"ferry_row,ferry_line,ID,ferry_original_row,ferry_error_codes,ferry_error_messages\n\
              1,2,C1,7,711 X,m\n",
        );
        let mut src = open(&path, &SourceSpec::default()).unwrap();
        assert_eq!(src.columns(), ["ID", ORIGINAL_ROW_COLUMN]);
        let a = src.next_row().unwrap().unwrap();
        assert_eq!(fields(&a.fields), ["C1", "7"]);
    }

    #[test]
    fn a_ragged_row_keeps_its_problem_and_loses_ferrys_columns() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            b"ferry_row,ferry_line,A,ferry_error_codes,ferry_error_messages\n\
              3,4,a,9001 FERRY_MALFORMED_ROW,row: ragged,extra\n",
        );
        let mut src = open(&path, &SourceSpec::default()).unwrap();
        let a = src.next_row().unwrap().unwrap();
        assert_eq!(fields(&a.fields), ["a", "3"]);
        assert!(a.problem.is_some());
    }

    #[test]
    fn other_files_are_not_taken_for_ferrys() {
        let dir = tempfile::tempdir().unwrap();
        for text in [
            &b"row,line,A,error_codes,error_messages\n1,2,a,b,c\n"[..],
            b"ferry_row,ferry_line,A\n1,2,a\n",
            b"ID,ferry_row,ferry_line\n",
            b"",
        ] {
            let path = write(dir.path(), text);
            let opened = open(&path, &SourceSpec::default());
            if let Ok(src) = opened {
                assert!(
                    !src.is_ferry_rejects(),
                    "{:?}",
                    String::from_utf8_lossy(text)
                );
                assert!(src.columns().iter().all(|c| c != ORIGINAL_ROW_COLUMN));
            }
        }
    }
}
