//! `report.json`: the machine-readable report of a validation pass.
//!
//! In: every error finding as rows arrive, then the totals, the run's notes
//! and the aggregated warnings at the end. Out: one JSON object as
//! `docs/report.schema.json` describes it: totals first, `notes` (the run's
//! own), `warnings` (row warnings, grouped), and the `errors` array (each
//! error with row, line, field, source column, code, name, message,
//! severity) last. Errors are streamed to an unnamed temporary file in the
//! report directory and copied in after the totals, so nothing per row is
//! held in memory. Fails only on I/O.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufWriter, Seek, SeekFrom, Write};
use std::path::Path;

use serde::Serialize;

use super::warning_groups::WarningGroups;
use crate::field_error::{FieldError, Severity};

/// The version of `report.json`'s shape (`format_version`); raised when a
/// key changes meaning or goes away.
pub(crate) const FORMAT_VERSION: u32 = 2;

/// The run-level facts written above the errors.
#[derive(Debug, Serialize)]
pub(crate) struct ReportHeader<'a> {
    pub format_version: u32,
    /// `dry_run` or `import_validation`.
    pub kind: &'a str,
    pub input: &'a str,
    pub mapping: &'a str,
    pub tenant: Option<&'a str>,
    pub tenant_fingerprint: Option<&'a str>,
    /// Present when the tenant has client-creation notification templates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notifications: Option<crate::tenant::NotificationCount>,
    pub generated_at: &'a str,
    pub elapsed_ms: u64,
    pub rows_read: u64,
    pub rows_valid: u64,
    pub rows_invalid: u64,
    pub rows_with_warnings: u64,
    pub errors_by_code: &'a BTreeMap<String, u64>,
    pub errors_by_field: &'a BTreeMap<String, u64>,
    pub warnings_by_code: &'a BTreeMap<String, u64>,
    /// The run's own notes (mapping warnings, unused columns, …).
    pub notes: &'a [String],
    /// Row warnings, grouped.
    pub warnings: &'a WarningGroups,
    /// Per `[[join]]`: clients with and without a related row, related rows
    /// matching no client.
    pub joins: &'a [crate::mapping::JoinCount],
}

/// One element of `errors`.
#[derive(Serialize)]
struct Entry<'a> {
    row: u64,
    line: u64,
    field: &'a str,
    column: Option<&'a str>,
    code: u16,
    name: &'static str,
    message: &'a str,
    severity: Severity,
}

/// Streams findings and assembles `report.json` at the end.
pub(crate) struct ReportJson {
    out: BufWriter<File>,
    part: BufWriter<File>,
    first: bool,
}

impl ReportJson {
    /// `out` is the (already created, empty) `report.json`; the temporary
    /// part goes into `dir` so the copy stays on one file system.
    pub fn new(out: File, dir: &Path) -> io::Result<Self> {
        Ok(Self {
            out: BufWriter::new(out),
            part: BufWriter::with_capacity(64 * 1024, tempfile::tempfile_in(dir)?),
            first: true,
        })
    }

    /// Appends a row's error findings (its warnings are grouped apart);
    /// `origins` is parallel to `findings`.
    pub fn add(
        &mut self,
        row: u64,
        line: u64,
        findings: &[FieldError],
        origins: &[Option<String>],
    ) -> io::Result<()> {
        for (i, f) in findings.iter().enumerate().filter(|(_, f)| f.is_error()) {
            let entry = Entry {
                row,
                line,
                field: &f.field,
                column: origins.get(i).and_then(|o| o.as_deref()),
                code: f.code.code(),
                name: f.code.name(),
                message: &f.message,
                severity: f.severity,
            };
            if !self.first {
                self.part.write_all(b",\n")?;
            }
            self.first = false;
            serde_json::to_writer(&mut self.part, &entry)?;
        }
        Ok(())
    }

    /// Writes the header's keys, then `"errors":[…]`, closing the object.
    pub fn finish(self, header: &ReportHeader) -> io::Result<()> {
        let ReportJson {
            mut out,
            part,
            first,
        } = self;
        let mut head = serde_json::to_vec_pretty(header)?;
        // Reopen the object so `errors` goes in as its last key.
        if head.pop() != Some(b'}') {
            return Err(io::Error::other(
                "report header did not serialize to an object",
            ));
        }
        while head.last().is_some_and(u8::is_ascii_whitespace) {
            head.pop();
        }
        out.write_all(&head)?;
        out.write_all(b",\n  \"errors\": [\n")?;
        let mut part = part.into_inner().map_err(io::IntoInnerError::into_error)?;
        part.seek(SeekFrom::Start(0))?;
        io::copy(&mut part, &mut out)?;
        out.write_all(if first { b"]\n}\n" } else { b"\n]\n}\n" })?;
        out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ReturnCode;
    use serde_json::{json, Value};

    fn header<'a>(
        codes: &'a BTreeMap<String, u64>,
        notes: &'a [String],
        warnings: &'a WarningGroups,
    ) -> ReportHeader<'a> {
        ReportHeader {
            format_version: FORMAT_VERSION,
            kind: "dry_run",
            input: "clients.csv",
            mapping: "m.toml",
            tenant: None,
            tenant_fingerprint: None,
            notifications: None,
            generated_at: "2025-01-01T00:00:00Z",
            elapsed_ms: 5,
            rows_read: 2,
            rows_valid: 1,
            rows_invalid: 1,
            rows_with_warnings: 1,
            errors_by_code: codes,
            errors_by_field: codes,
            warnings_by_code: codes,
            notes,
            warnings,
            joins: &[],
        }
    }

    /// Row number, findings, origins.
    type TestRow = (u64, Vec<FieldError>, Vec<Option<String>>);

    fn write(rows: &[TestRow]) -> Value {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("report.json");
        let mut w = ReportJson::new(File::create(&path).unwrap(), tmp.path()).unwrap();
        for (row, findings, origins) in rows {
            w.add(*row, row + 1, findings, origins).unwrap();
        }
        let codes = BTreeMap::from([("X".to_string(), 1)]);
        let mut groups = WarningGroups::default();
        for (row, findings, _) in rows {
            groups.add(*row, findings, |_| None, |_| None);
        }
        w.finish(&header(&codes, &["note \"quoted\"".into()], &groups))
            .unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}:\n{text}"))
    }

    #[test]
    fn errors_and_grouped_warnings_follow_the_totals() {
        let v = write(&[
            (
                5,
                vec![
                    FieldError::error(
                        "client.emailAddress",
                        ReturnCode::EmailAddressFormatIsInvalid,
                        "no @",
                    ),
                    FieldError::warning("client.id", ReturnCode::DuplicateClient, "seen at row 2"),
                ],
                vec![Some("EMAIL".into()), None],
            ),
            (
                7,
                vec![FieldError::error(
                    "row",
                    ReturnCode::SourceMalformedRow,
                    "3 fields",
                )],
                vec![],
            ),
        ]);
        assert_eq!(v["input"], "clients.csv");
        assert_eq!(v["tenant"], Value::Null);
        assert_eq!(v["rows_read"], 2);
        assert_eq!(v["notes"], json!(["note \"quoted\""]));
        assert_eq!(v["format_version"], FORMAT_VERSION);
        assert_eq!(v["warnings"]["findings"], 1);
        assert_eq!(
            v["warnings"]["groups"],
            json!([{"code":310,"name":"DUPLICATE_CLIENT","field":"client.id","column":null,
                    "message":"seen at row 2","key":null,"count":1,"rows":[5]}])
        );
        assert_eq!(
            v["errors"][0],
            json!({"row":5,"line":6,"field":"client.emailAddress","column":"EMAIL","code":711,
                   "name":"EMAIL_ADDRESS_FORMAT_IS_INVALID","message":"no @","severity":"error"})
        );
        assert_eq!(v["errors"][1]["code"], 9001, "the warning is not an error");
        assert_eq!(
            v["errors"][1]["column"],
            Value::Null,
            "origins shorter than findings"
        );
        assert_eq!(v["errors"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn no_findings_is_an_empty_array() {
        let v = write(&[]);
        assert_eq!(v["errors"], json!([]));
        assert_eq!(v["warnings"]["groups"], json!([]));
        assert_eq!(v["errors_by_code"]["X"], 1);
    }
}
