//! Stage 4 (dry run): write what the run found, for people and for machines.
//!
//! In: every row's outcome, in input order ([`Report::add`]), then the run's
//! facts ([`Report::finish`]). Out: four files in the report directory —
//! `report.html`, `report.json`, `rejects.csv`, `payloads.ndjson` — and a
//! [`Summary`] for the terminal. Everything is streamed; only counters and
//! the first rejected rows for the HTML page stay in memory. Fails only on
//! I/O (and on a valid row without a payload, a caller's bug).

mod files;
mod html;
mod html_template;
mod payloads;
mod rejects_csv;
mod report_json;
mod summary;

use std::io::{self, BufWriter};
use std::path::PathBuf;
use std::time::Duration;

pub use files::{create_private_dir, create_private_file};
pub use payloads::BodyRange;
pub use rejects_csv::defuse;
pub use summary::Summary;

use crate::field_error::FieldError;
use html::{HtmlSample, PageInfo};
use payloads::Payloads;
use rejects_csv::RejectsCsv;
use report_json::{ReportHeader, ReportJson};
use summary::Tally;

/// The file names, in the order a person wants them.
pub const HTML_FILE: &str = "report.html";
pub const JSON_FILE: &str = "report.json";
pub const REJECTS_FILE: &str = "rejects.csv";
pub const PAYLOADS_FILE: &str = "payloads.ndjson";
const FILES: [&str; 4] = [HTML_FILE, JSON_FILE, REJECTS_FILE, PAYLOADS_FILE];

/// How many rejected rows the HTML page shows unless told otherwise.
pub const DEFAULT_HTML_SAMPLE_ROWS: usize = 200;

/// Where and about what the report is written.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    /// The report directory; created 0700 if missing.
    pub dir: PathBuf,
    /// The input file's name, for titles.
    pub input: String,
    /// The source's column names (the `rejects.csv` header).
    pub columns: Vec<String>,
    /// How many rejected rows the HTML page shows.
    pub html_sample_rows: usize,
}

impl ReportOptions {
    /// Options with the default HTML sample size.
    pub fn new(dir: impl Into<PathBuf>, input: impl Into<String>, columns: Vec<String>) -> Self {
        Self {
            dir: dir.into(),
            input: input.into(),
            columns,
            html_sample_rows: DEFAULT_HTML_SAMPLE_ROWS,
        }
    }
}

/// One row as the report sees it.
#[derive(Debug, Clone, Copy)]
pub struct RowOutcome<'a> {
    /// 1-based data row number.
    pub row: u64,
    /// 1-based line the row starts on.
    pub line: u64,
    /// The row's original fields.
    pub fields: &'a csv::StringRecord,
    /// Errors and warnings; any error makes the row invalid.
    pub findings: &'a [FieldError],
    /// The JSON request body; required for a valid row, ignored otherwise.
    pub payload: Option<&'a [u8]>,
    /// Parallel to `findings`: the source column that fed each finding's
    /// field, `None` when unknown. May be shorter than `findings`.
    pub origins: &'a [Option<String>],
}

/// Facts about the run that are known only at the end.
#[derive(Debug, Clone, Default)]
pub struct RunMeta {
    /// The mapping file used.
    pub mapping: String,
    /// The tenant schema used, if any.
    pub tenant: Option<String>,
    pub elapsed: Duration,
    /// Run-level notes (mapping warnings, unused columns, …).
    pub warnings: Vec<String>,
}

fn no_body(row: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("row {row}: valid row without a request body"),
    )
}

/// A dry-run report being written.
pub struct Report {
    opts: ReportOptions,
    tally: Tally,
    json: ReportJson,
    rejects: RejectsCsv,
    payloads: Payloads,
    html_file: std::fs::File,
    sample: HtmlSample,
}

impl Report {
    /// Creates the directory (0700 if new) and the four files (0600,
    /// truncated), and writes the `rejects.csv` header.
    pub fn create(opts: ReportOptions) -> io::Result<Report> {
        create_private_dir(&opts.dir)?;
        let path = |name: &str| opts.dir.join(name);
        let html_file = create_private_file(&path(HTML_FILE))?;
        let json = ReportJson::new(create_private_file(&path(JSON_FILE))?, &opts.dir)?;
        let rejects = RejectsCsv::new(create_private_file(&path(REJECTS_FILE))?, &opts.columns)?;
        let payloads = Payloads::new(create_private_file(&path(PAYLOADS_FILE))?);
        Ok(Report {
            sample: HtmlSample::new(opts.html_sample_rows),
            opts,
            tally: Tally::default(),
            json,
            rejects,
            payloads,
            html_file,
        })
    }

    /// Records one row. Rows must arrive in input order. A valid row without
    /// a payload is refused (`InvalidInput`) before anything is counted.
    pub fn add(&mut self, r: &RowOutcome) -> io::Result<()> {
        let invalid = r.findings.iter().any(FieldError::is_error);
        let payload = match (invalid, r.payload) {
            (false, None) => return Err(no_body(r.row)),
            (false, Some(p)) => Some(p),
            (true, _) => None,
        };
        if let Some(p) = payload {
            self.payloads.add(r.row, p)?;
        }
        self.add_findings(r, invalid)
    }

    /// Names the file that `add_spooled` copies request bodies from: one
    /// body per line, each exactly as it goes into `payloads.ndjson`.
    pub fn set_spooled_bodies(&mut self, bodies: std::fs::File) -> io::Result<()> {
        self.payloads.set_source(bodies)
    }

    /// `add` for a row whose body is in the file given to
    /// `set_spooled_bodies` (`r.payload` is ignored). Bodies are copied file
    /// to file, consecutive ones in one go, never read into memory. A valid
    /// row without a body is refused (`InvalidInput`) before anything is
    /// counted.
    pub fn add_spooled(&mut self, r: &RowOutcome, body: Option<BodyRange>) -> io::Result<()> {
        let invalid = r.findings.iter().any(FieldError::is_error);
        match (invalid, body) {
            (false, None) => return Err(no_body(r.row)),
            (false, Some(at)) => self.payloads.copy(at)?,
            (true, _) => {}
        }
        self.add_findings(r, invalid)
    }

    fn add_findings(&mut self, r: &RowOutcome, invalid: bool) -> io::Result<()> {
        self.tally.add(r.findings);
        self.json.add(r.row, r.line, r.findings, r.origins)?;
        if invalid {
            self.rejects.add(r.row, r.line, r.fields, r.findings)?;
            self.sample.add(
                &self.opts.columns,
                r.row,
                r.line,
                r.fields,
                r.findings,
                r.origins,
            );
        }
        Ok(())
    }

    /// Writes the totals into `report.json`, renders `report.html`, flushes
    /// everything and returns the summary.
    pub fn finish(self, meta: &RunMeta) -> io::Result<Summary> {
        let Report {
            opts,
            tally,
            json,
            rejects,
            payloads,
            html_file,
            sample,
        } = self;
        rejects.finish()?;
        payloads.finish()?;

        let files: Vec<PathBuf> = FILES.iter().map(|f| opts.dir.join(f)).collect();
        let summary = tally.to_summary(opts.dir.clone(), files, meta.elapsed);
        let now = jiff::Timestamp::now();
        let generated_at = now.round(jiff::Unit::Second).unwrap_or(now).to_string();
        let generated_for_people = now.strftime("generated %Y-%m-%d %H:%M UTC").to_string();
        json.finish(&ReportHeader {
            input: &opts.input,
            mapping: &meta.mapping,
            tenant: meta.tenant.as_deref(),
            generated_at: &generated_at,
            elapsed_ms: u64::try_from(meta.elapsed.as_millis()).unwrap_or(u64::MAX),
            rows_read: summary.rows_read,
            rows_valid: summary.rows_valid,
            rows_invalid: summary.rows_invalid,
            rows_with_warnings: summary.rows_with_warnings,
            errors_by_code: &summary.errors_by_code,
            errors_by_field: &summary.errors_by_field,
            warnings_by_code: &summary.warnings_by_code,
            warnings: &meta.warnings,
        })?;

        let page = PageInfo {
            input: &opts.input,
            mapping: &meta.mapping,
            tenant: meta.tenant.as_deref(),
            generated_at: &generated_for_people,
            elapsed: meta.elapsed,
            columns: &opts.columns,
            warnings: &meta.warnings,
            files: &FILES[1..],
        };
        let mut out = BufWriter::with_capacity(64 * 1024, html_file);
        html::render(&mut out, &page, &tally, &sample)?;
        Ok(summary)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ReturnCode;
    use csv::StringRecord;
    use std::os::unix::fs::PermissionsExt;

    const COLUMNS: [&str; 6] = ["CLIENT_ID", "FIRST", "LAST", "EMAIL", "BIRTH", "BRANCH"];

    fn opts(dir: &std::path::Path, sample: usize) -> ReportOptions {
        ReportOptions {
            html_sample_rows: sample,
            ..ReportOptions::new(
                dir,
                "clients.csv",
                COLUMNS.iter().map(|c| c.to_string()).collect(),
            )
        }
    }

    /// Row `i`: every third row has a bad email, every fifth a warning.
    fn feed(report: &mut Report, rows: u64) {
        let mut fields = StringRecord::new();
        let mut payload = Vec::new();
        let mut findings = Vec::new();
        let mut origins = Vec::new();
        for i in 1..=rows {
            fields.clear();
            let id = i.to_string();
            let email = if i % 3 == 0 {
                format!("=HYPERLINK(\"x{i}\")")
            } else {
                format!("c{i}@example.com")
            };
            for f in [
                id.as_str(),
                "Ana",
                "Silva",
                email.as_str(),
                "1990-01-02",
                "BR1",
            ] {
                fields.push_field(f);
            }
            findings.clear();
            origins.clear();
            if i % 3 == 0 {
                findings.push(FieldError::error(
                    "client.emailAddress",
                    ReturnCode::EmailAddressFormatIsInvalid,
                    "not an email",
                ));
                origins.push(Some("EMAIL".to_string()));
            }
            if i % 5 == 0 {
                findings.push(FieldError::warning(
                    "client.id",
                    ReturnCode::DuplicateClient,
                    "looks like row 1",
                ));
                origins.push(Some("CLIENT_ID".to_string()));
            }
            payload.clear();
            payload.extend_from_slice(format!("{{\"client\":{{\"id\":\"{i}\"}}}}").as_bytes());
            let valid = i % 3 != 0;
            report
                .add(&RowOutcome {
                    row: i,
                    line: i + 1,
                    fields: &fields,
                    findings: &findings,
                    payload: valid.then_some(payload.as_slice()),
                    origins: &origins,
                })
                .unwrap();
        }
    }

    fn meta() -> RunMeta {
        RunMeta {
            mapping: "mappings/legacy.toml".into(),
            tenant: Some("tenant.json".into()),
            elapsed: Duration::from_millis(1234),
            warnings: vec!["column FAX is not mapped".into()],
        }
    }

    #[test]
    fn files_agree_with_each_other_and_the_summary() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("out");
        let mut report = Report::create(opts(&dir, 200)).unwrap();
        feed(&mut report, 30);
        let s = report.finish(&meta()).unwrap();

        assert_eq!(
            (
                s.rows_read,
                s.rows_valid,
                s.rows_invalid,
                s.rows_with_warnings
            ),
            (30, 20, 10, 6)
        );
        assert_eq!(s.rows_read, s.rows_valid + s.rows_invalid);
        assert_eq!(s.errors_by_code["EMAIL_ADDRESS_FORMAT_IS_INVALID"], 10);
        assert_eq!(s.warnings_by_code["DUPLICATE_CLIENT"], 6);
        assert_eq!(s.files.len(), 4);

        let json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.join(JSON_FILE)).unwrap()).unwrap();
        assert_eq!(json["rows_read"], 30);
        assert_eq!(json["rows_invalid"], 10);
        assert_eq!(json["mapping"], "mappings/legacy.toml");
        assert_eq!(json["errors_by_field"]["client.emailAddress"], 10);
        assert_eq!(
            json["errors"].as_array().unwrap().len(),
            16,
            "10 errors + 6 warnings"
        );
        assert_eq!(json["errors"][0]["row"], 3);
        assert_eq!(json["errors"][0]["column"], "EMAIL");

        let payloads = std::fs::read_to_string(dir.join(PAYLOADS_FILE)).unwrap();
        let ids: Vec<u64> = payloads
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["client"]["id"]
                    .as_str()
                    .unwrap()
                    .parse()
                    .unwrap()
            })
            .collect();
        assert_eq!(ids, (1..=30).filter(|i| i % 3 != 0).collect::<Vec<_>>());

        let rejects = std::fs::read(dir.join(REJECTS_FILE)).unwrap();
        let mut rdr = csv::Reader::from_reader(&rejects[3..]);
        let rows: Vec<StringRecord> = rdr.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 10);
        assert_eq!(&rows[0][0], "3");
        assert_eq!(&rows[0][5], "'=HYPERLINK(\"x3\")");

        let html = std::fs::read_to_string(dir.join(HTML_FILE)).unwrap();
        assert!(html.contains("<div class=\"fig\">30</div>"));
        assert!(html.contains("column FAX is not mapped"));
    }

    #[test]
    fn every_file_is_owner_only() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("new");
        let mut report = Report::create(opts(&dir, 5)).unwrap();
        feed(&mut report, 3);
        let s = report.finish(&meta()).unwrap();
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
        for f in &s.files {
            assert_eq!(mode(f), 0o600, "{}", f.display());
        }
        let names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 4, "no temporary files left: {names:?}");
    }

    #[test]
    fn a_valid_row_without_payload_is_refused_and_not_counted() {
        let tmp = tempfile::tempdir().unwrap();
        let mut report = Report::create(opts(tmp.path(), 5)).unwrap();
        let fields = StringRecord::from(vec!["1"]);
        let err = report
            .add(&RowOutcome {
                row: 1,
                line: 2,
                fields: &fields,
                findings: &[],
                payload: None,
                origins: &[],
            })
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        assert_eq!(report.finish(&meta()).unwrap().rows_read, 0);
    }

    #[test]
    fn spooled_bodies_give_the_same_files_as_given_ones() {
        let tmp = tempfile::tempdir().unwrap();
        let given = tmp.path().join("given");
        let mut report = Report::create(opts(&given, 200)).unwrap();
        feed(&mut report, 30);
        report.finish(&meta()).unwrap();

        // The same rows, bodies from a file; invalid rows' bodies are in the
        // file too, as when duplicates turn rows invalid after the pass.
        let spooled = tmp.path().join("spooled");
        let mut bodies = Vec::new();
        let mut at = Vec::new();
        for i in 1..=30u64 {
            let b = format!("{{\"client\":{{\"id\":\"{i}\"}}}}");
            at.push(BodyRange {
                offset: bodies.len() as u64,
                len: b.len() as u64,
            });
            bodies.extend_from_slice(b.as_bytes());
            bodies.push(b'\n');
        }
        let file = tmp.path().join("bodies");
        std::fs::write(&file, &bodies).unwrap();
        let mut report = Report::create(opts(&spooled, 200)).unwrap();
        report
            .set_spooled_bodies(std::fs::File::open(&file).unwrap())
            .unwrap();
        let fields = StringRecord::from(vec!["1"]);
        let err = report
            .add_spooled(
                &RowOutcome {
                    row: 1,
                    line: 2,
                    fields: &fields,
                    findings: &[],
                    payload: None,
                    origins: &[],
                },
                None,
            )
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        // The rows `feed` adds, built again one by one.
        let mut rows = Vec::new();
        {
            for i in 1..=30u64 {
                let mut findings = Vec::new();
                let mut origins = Vec::new();
                let email = if i % 3 == 0 {
                    findings.push(FieldError::error(
                        "client.emailAddress",
                        ReturnCode::EmailAddressFormatIsInvalid,
                        "not an email",
                    ));
                    origins.push(Some("EMAIL".to_string()));
                    format!("=HYPERLINK(\"x{i}\")")
                } else {
                    format!("c{i}@example.com")
                };
                if i % 5 == 0 {
                    findings.push(FieldError::warning(
                        "client.id",
                        ReturnCode::DuplicateClient,
                        "looks like row 1",
                    ));
                    origins.push(Some("CLIENT_ID".to_string()));
                }
                let id = i.to_string();
                let rec = StringRecord::from(vec![
                    id.as_str(),
                    "Ana",
                    "Silva",
                    email.as_str(),
                    "1990-01-02",
                    "BR1",
                ]);
                rows.push((i, rec, findings, origins));
            }
        }
        for (i, rec, findings, origins) in &rows {
            report
                .add_spooled(
                    &RowOutcome {
                        row: *i,
                        line: i + 1,
                        fields: rec,
                        findings,
                        payload: None,
                        origins,
                    },
                    Some(at[*i as usize - 1]),
                )
                .unwrap();
        }
        report.finish(&meta()).unwrap();
        for f in [PAYLOADS_FILE, REJECTS_FILE] {
            assert_eq!(
                std::fs::read(given.join(f)).unwrap(),
                std::fs::read(spooled.join(f)).unwrap(),
                "{f}"
            );
        }
        let errors = |d: &std::path::Path| {
            let v: serde_json::Value =
                serde_json::from_slice(&std::fs::read(d.join(JSON_FILE)).unwrap()).unwrap();
            v["errors"].clone()
        };
        assert_eq!(errors(&given), errors(&spooled));
    }

    #[test]
    fn two_hundred_thousand_rows_stream_through() {
        let tmp = tempfile::tempdir().unwrap();
        let mut report = Report::create(opts(tmp.path(), 50)).unwrap();
        feed(&mut report, 200_000);
        assert_eq!(report.sample.len(), 50, "only the sample is kept");
        let s = report.finish(&meta()).unwrap();
        assert_eq!(s.rows_read, 200_000);
        assert_eq!(s.rows_invalid, 66_666);
        let payloads = std::fs::read(tmp.path().join(PAYLOADS_FILE)).unwrap();
        assert_eq!(payloads.iter().filter(|&&b| b == b'\n').count(), 133_334);
        let html = std::fs::read_to_string(tmp.path().join(HTML_FILE)).unwrap();
        assert_eq!(html.matches("<tr class=\"data\">").count(), 50);
        assert!(html.contains("first 50 of 66,666"));
    }
}

#[cfg(test)]
mod preview {
    //! A realistic run: the page it renders is the one to look at when the
    //! layout changes (set `FERRY_REPORT_PREVIEW=dir` to keep it).
    use super::*;
    use crate::model::ReturnCode::{self, *};
    use csv::StringRecord;

    const COLUMNS: [&str; 9] = [
        "CUST_NO",
        "FIRST_NAME",
        "LAST_NAME",
        "EMAIL",
        "DOB",
        "BRANCH",
        "OFFICER",
        "NATIONAL_ID",
        "LOAN_PURPOSE",
    ];
    const FIRST: [&str; 8] = [
        "Ana",
        "João",
        "Mei",
        "Oluwaseun",
        "Zoë",
        "Farid",
        "Ingrid",
        "Tomás",
    ];
    const LAST: [&str; 8] = [
        "Silva", "Okafor", "Chen", "Müller", "O'Brien", "Haddad", "Nilsen", "García",
    ];
    const PROBLEMS: [(ReturnCode, &str, &str, &str); 8] = [
        (
            EmailAddressFormatIsInvalid,
            "client.emailAddress",
            "EMAIL",
            "is not an email address",
        ),
        (
            InvalidBirthDate,
            "client.birthDate",
            "DOB",
            "is in the future",
        ),
        (
            InvalidBranchKey,
            "client.assignedBranchKey",
            "BRANCH",
            "no branch with this id in the tenant",
        ),
        (
            EmailAddressFormatIsInvalid,
            "client.emailAddress",
            "EMAIL",
            "has no domain",
        ),
        (
            RequiredCustomFieldMissing,
            "customInformation[Loan_Purpose]",
            "LOAN_PURPOSE",
            "is required",
        ),
        (
            InvalidIdDocument,
            "idDocuments[0].documentId",
            "NATIONAL_ID",
            "does not match the template",
        ),
        (
            InconsistentCreditOfficerWithBranch,
            "client.assignedUserKey",
            "OFFICER",
            "works at another branch",
        ),
        (IdContainsSpaces, "client.id", "CUST_NO", "contains spaces"),
    ];

    #[test]
    fn realistic_page_names_every_code_and_column() {
        let keep = std::env::var_os("FERRY_REPORT_PREVIEW");
        let tmp = tempfile::tempdir().unwrap();
        let dir = keep
            .map(PathBuf::from)
            .unwrap_or_else(|| tmp.path().to_path_buf());
        let columns: Vec<String> = COLUMNS.iter().map(|c| c.to_string()).collect();
        let mut report = Report::create(ReportOptions::new(
            &dir,
            "legacy_clients_2024-06.csv",
            columns,
        ))
        .unwrap();
        let mut findings = Vec::new();
        let mut origins = Vec::new();
        for i in 1..=4_812u64 {
            let pick = |n: u64| (i.wrapping_mul(2654435761) >> n) as usize;
            let mut rec = StringRecord::new();
            let bad = pick(3) % 9 == 0 || pick(7) % 13 == 0;
            let p = PROBLEMS[(pick(11) % 23).min(PROBLEMS.len() - 1) % PROBLEMS.len()];
            let email = if bad && p.2 == "EMAIL" {
                "ana.silva(at)mail"
            } else {
                "ana.silva@example.com"
            };
            for f in [
                format!("C-{i:06}").as_str(),
                FIRST[pick(5) % 8],
                LAST[pick(9) % 8],
                email,
                if bad && p.2 == "DOB" {
                    "2031-02-30"
                } else {
                    "1984-07-12"
                },
                if bad && p.2 == "BRANCH" {
                    "BR-99"
                } else {
                    "BR-01"
                },
                "u.ferreira",
                if bad && p.2 == "NATIONAL_ID" {
                    "=1+1"
                } else {
                    "AB123456"
                },
                if bad && p.2 == "LOAN_PURPOSE" {
                    ""
                } else {
                    "Working capital"
                },
            ] {
                rec.push_field(f);
            }
            findings.clear();
            origins.clear();
            if bad {
                findings.push(FieldError::error(p.1, p.0, format!("{} {}", p.2, p.3)));
                origins.push(Some(p.2.to_string()));
                if pick(13) % 4 == 0 {
                    findings.push(FieldError::error(
                        "client.assignedBranchKey",
                        MissingBranchKey,
                        "BRANCH is required by the tenant",
                    ));
                    origins.push(Some("BRANCH".into()));
                }
            }
            if pick(6) % 17 == 0 {
                findings.push(FieldError::warning(
                    "client.lastName",
                    DuplicateClient,
                    "same name and birth date as row 12",
                ));
                origins.push(Some("LAST_NAME".into()));
            }
            let body = format!("{{\"client\":{{\"id\":\"C-{i:06}\"}}}}");
            report
                .add(&RowOutcome {
                    row: i,
                    line: i + 1,
                    fields: &rec,
                    findings: &findings,
                    payload: Some(body.as_bytes()),
                    origins: &origins,
                })
                .unwrap();
        }
        let meta = RunMeta {
            mapping: "mappings/legacy_core.toml".into(),
            tenant: Some("tenants/acme-prod.json".into()),
            elapsed: Duration::from_millis(2_340),
            warnings: vec![
                "Column FAX is not mapped and was ignored.".into(),
                "Dates in DOB are read as Europe/Lisbon.".into(),
            ],
        };
        let s = report.finish(&meta).unwrap();
        let html = std::fs::read_to_string(dir.join(HTML_FILE)).unwrap();
        for code in s.errors_by_code.keys() {
            assert!(html.contains(code.as_str()), "{code} missing from the page");
        }
        assert!(html.contains("<th>LOAN_PURPOSE</th>"));
        println!("{}", s.render_table());
    }
}
