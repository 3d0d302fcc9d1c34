//! Counting a dry run: the per-row tally and the summary it becomes.
//!
//! In: each row's findings, in order. Out: a [`Summary`] (totals, errors by
//! code and by field) and its short terminal table. Memory is bounded by the
//! number of distinct codes and field paths, never by the number of rows.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use crate::field_error::FieldError;
use crate::model::ReturnCode;

/// What a dry run found, for the terminal and for callers.
///
/// `rows_read == rows_valid + rows_invalid` always. `rows_with_warnings`
/// counts every row with at least one warning, valid or not. The `*_by_code`
/// maps are keyed by the code's name (`EMAIL_ADDRESS_FORMAT_IS_INVALID`) and
/// count findings, not rows; warnings are never counted as errors.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Summary {
    /// Data rows read from the source.
    pub rows_read: u64,
    /// Rows without an error finding: they would be sent.
    pub rows_valid: u64,
    /// Rows with at least one error finding: rejected.
    pub rows_invalid: u64,
    /// Rows with at least one warning, valid or not.
    pub rows_with_warnings: u64,
    /// Error findings per return code name.
    pub errors_by_code: BTreeMap<String, u64>,
    /// Error findings per field path (`client.emailAddress`, …).
    pub errors_by_field: BTreeMap<String, u64>,
    /// Warning findings per return code name.
    pub warnings_by_code: BTreeMap<String, u64>,
    /// The report directory.
    pub dir: PathBuf,
    /// Every file written, HTML first.
    pub files: Vec<PathBuf>,
    /// How long the run took, as the caller measured it.
    pub elapsed: Duration,
    /// How each `[[join]]` matched the clients.
    pub joins: Vec<crate::mapping::JoinCount>,
}

/// How many code lines the terminal table shows at most.
const TABLE_CODES: usize = 10;

impl Summary {
    /// The short table printed at the end of a dry run: totals, the most
    /// frequent error codes (at most ten lines), then where the files are.
    pub fn render_table(&self) -> String {
        let mut out = String::new();
        let totals = [
            ("rows read", self.rows_read),
            ("valid", self.rows_valid),
            ("rejected", self.rows_invalid),
            ("with warnings", self.rows_with_warnings),
        ];
        let codes = ranked(&self.errors_by_code);
        let labels: Vec<String> = codes
            .iter()
            .map(|(name, _)| match ReturnCode::from_name(name) {
                Some(c) => format!("{} {}", c.code(), c.name()),
                None => (*name).clone(),
            })
            .collect();
        let label_width = labels.iter().map(String::len).max().unwrap_or(0).max(14);
        let numbers = totals.iter().map(|t| t.1).chain(codes.iter().map(|c| *c.1));
        let num_width = numbers.map(|n| thousands(n).len()).max().unwrap_or(1);

        for (label, n) in totals {
            let _ = writeln!(out, "  {label:<label_width$}  {:>num_width$}", thousands(n));
        }
        for j in &self.joins {
            let _ = writeln!(out, "  {}", join_line(j));
        }
        if !codes.is_empty() {
            out.push_str(
                "
  errors by code
",
            );
            // Nine codes and a remainder line rather than eleven lines.
            let shown = if codes.len() > TABLE_CODES {
                TABLE_CODES - 1
            } else {
                codes.len()
            };
            for (label, (_, n)) in labels.iter().zip(&codes).take(shown) {
                let _ = writeln!(
                    out,
                    "  {label:<label_width$}  {:>num_width$}",
                    thousands(**n)
                );
            }
            if codes.len() > shown {
                let rest: u64 = codes[shown..].iter().map(|c| *c.1).sum();
                let more = format!("… {} more codes", codes.len() - shown);
                let _ = writeln!(
                    out,
                    "  {more:<label_width$}  {:>num_width$}",
                    thousands(rest)
                );
            }
        }
        if !self.files.is_empty() {
            let _ = writeln!(out, "\n  written to {}", self.dir.display());
            for f in &self.files {
                let _ = writeln!(out, "    {}", f.display());
            }
        }
        out
    }
}

impl Summary {
    /// The summary for `--format json`: documented, stable field names
    /// (docs/output-formats.md).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "rows_read": self.rows_read,
            "rows_valid": self.rows_valid,
            "rows_rejected": self.rows_invalid,
            "rows_with_warnings": self.rows_with_warnings,
            "errors_by_code": self.errors_by_code,
            "errors_by_field": self.errors_by_field,
            "warnings_by_code": self.warnings_by_code,
            "report_dir": self.dir,
            "files": self.files,
            "seconds": self.elapsed.as_secs_f64(),
        })
    }

    /// The result in one line, for `-q`.
    pub fn one_line(&self) -> String {
        format!(
            "{} rows read: {} valid, {} rejected, {} with warnings; report in {}",
            thousands(self.rows_read),
            thousands(self.rows_valid),
            thousands(self.rows_invalid),
            thousands(self.rows_with_warnings),
            self.dir.display()
        )
    }
}

/// Running counts over the rows seen so far.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    pub rows_read: u64,
    pub rows_valid: u64,
    pub rows_invalid: u64,
    pub rows_with_warnings: u64,
    pub errors_by_code: BTreeMap<ReturnCode, u64>,
    pub warnings_by_code: BTreeMap<ReturnCode, u64>,
    pub errors_by_field: BTreeMap<String, u64>,
}

impl Tally {
    /// Counts one row; returns whether it is invalid (any finding is an error).
    pub fn add(&mut self, findings: &[FieldError]) -> bool {
        let mut invalid = false;
        let mut warned = false;
        for f in findings {
            if f.is_error() {
                invalid = true;
                *self.errors_by_code.entry(f.code).or_default() += 1;
                // Look up by &str first: the key is only allocated the first
                // time a field path appears.
                match self.errors_by_field.get_mut(f.field.as_str()) {
                    Some(n) => *n += 1,
                    None => {
                        self.errors_by_field.insert(f.field.clone(), 1);
                    }
                }
            } else {
                warned = true;
                *self.warnings_by_code.entry(f.code).or_default() += 1;
            }
        }
        self.rows_read += 1;
        if invalid {
            self.rows_invalid += 1;
        } else {
            self.rows_valid += 1;
        }
        if warned {
            self.rows_with_warnings += 1;
        }
        invalid
    }

    /// The summary, with codes keyed by name.
    pub fn to_summary(&self, dir: PathBuf, files: Vec<PathBuf>, elapsed: Duration) -> Summary {
        let by_name = |m: &BTreeMap<ReturnCode, u64>| {
            m.iter().map(|(c, n)| (c.name().to_string(), *n)).collect()
        };
        Summary {
            rows_read: self.rows_read,
            rows_valid: self.rows_valid,
            rows_invalid: self.rows_invalid,
            rows_with_warnings: self.rows_with_warnings,
            errors_by_code: by_name(&self.errors_by_code),
            errors_by_field: self.errors_by_field.clone(),
            warnings_by_code: by_name(&self.warnings_by_code),
            dir,
            files,
            elapsed,
            joins: Vec::new(),
        }
    }
}

/// `addresses: 431 of 1,765 clients have a related row (12 related rows match no client)`.
fn join_line(j: &crate::mapping::JoinCount) -> String {
    let mut line = format!(
        "{}: {} of {} clients have a related row",
        j.name,
        thousands(j.with),
        thousands(j.with + j.without)
    );
    if j.unused_related_rows > 0 {
        let _ = write!(
            line,
            " ({} related rows match no client)",
            thousands(j.unused_related_rows)
        );
    }
    line
}

/// Entries by count, largest first; equal counts keep key order.
pub(crate) fn ranked<K: Ord>(map: &BTreeMap<K, u64>) -> Vec<(&K, &u64)> {
    let mut v: Vec<_> = map.iter().collect();
    v.sort_by(|a, b| b.1.cmp(a.1));
    v
}

/// `1234567` → `1,234,567`: the one number format of Ferry's human output.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ReturnCode::*;

    fn err(field: &str, code: ReturnCode) -> FieldError {
        FieldError::error(field, code, "bad")
    }
    fn warn(field: &str, code: ReturnCode) -> FieldError {
        FieldError::warning(field, code, "check")
    }

    #[test]
    fn rows_read_is_valid_plus_invalid_and_warnings_are_not_errors() {
        let mut t = Tally::default();
        assert!(!t.add(&[]));
        assert!(t.add(&[err("client.emailAddress", EmailAddressFormatIsInvalid)]));
        assert!(!t.add(&[warn("client.id", DuplicateClient)]));
        assert!(t.add(&[
            err("client.emailAddress", EmailAddressFormatIsInvalid),
            err("client.id", IdContainsSpaces),
            warn("client.id", DuplicateClient),
        ]));
        assert_eq!((t.rows_read, t.rows_valid, t.rows_invalid), (4, 2, 2));
        assert_eq!(t.rows_read, t.rows_valid + t.rows_invalid);
        assert_eq!(t.rows_with_warnings, 2);
        let s = t.to_summary(PathBuf::new(), vec![], Duration::ZERO);
        assert_eq!(s.errors_by_code["EMAIL_ADDRESS_FORMAT_IS_INVALID"], 2);
        assert_eq!(s.errors_by_code["ID_CONTAINS_SPACES"], 1);
        assert!(!s.errors_by_code.contains_key("DUPLICATE_CLIENT"));
        assert_eq!(s.warnings_by_code["DUPLICATE_CLIENT"], 2);
        assert_eq!(s.errors_by_field["client.emailAddress"], 2);
        assert_eq!(s.errors_by_field["client.id"], 1);
    }

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
    }

    #[test]
    fn ranked_puts_largest_first() {
        let m: BTreeMap<&str, u64> = [("a", 1), ("b", 5), ("c", 5), ("d", 2)].into();
        let keys: Vec<_> = ranked(&m).into_iter().map(|(k, _)| *k).collect();
        assert_eq!(keys, ["b", "c", "d", "a"]);
    }

    #[test]
    fn table_shows_totals_codes_and_files() {
        let mut t = Tally::default();
        for _ in 0..3 {
            t.add(&[err("client.emailAddress", EmailAddressFormatIsInvalid)]);
        }
        t.add(&[err("client.id", IdContainsSpaces)]);
        for _ in 0..1500 {
            t.add(&[]);
        }
        let s = t.to_summary("out".into(), vec!["out/report.html".into()], Duration::ZERO);
        let table = s.render_table();
        let line = |label: &str| {
            table
                .lines()
                .find(|l| l.trim_start().starts_with(label))
                .map(str::split_whitespace)
        };
        assert_eq!(
            line("rows read").and_then(|w| w.last()),
            Some("1,504"),
            "{table}"
        );
        assert_eq!(
            line("rejected").and_then(|w| w.last()),
            Some("4"),
            "{table}"
        );
        let email = table
            .find("711 EMAIL_ADDRESS_FORMAT_IS_INVALID")
            .expect("code line");
        let spaces = table.find("3303 ID_CONTAINS_SPACES").expect("code line");
        assert!(email < spaces, "most frequent first:\n{table}");
        assert!(table.contains("out/report.html"), "{table}");
    }

    #[test]
    fn table_caps_code_lines_at_ten() {
        let mut t = Tally::default();
        for &c in &ReturnCode::ALL[..14] {
            t.add(&[err("row", c)]);
        }
        let s = t.to_summary(PathBuf::new(), vec![], Duration::ZERO);
        let table = s.render_table();
        let section = table.split("errors by code").nth(1).expect("codes section");
        let lines = section.lines().filter(|l| !l.trim().is_empty()).count();
        assert_eq!(lines, 10, "{table}");
        assert!(table.contains("… 5 more codes"), "{table}");
    }
}
