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
pub mod progress;
mod rejects_csv;
mod report_json;
mod summary;

use std::io::{self, BufWriter};
use std::path::PathBuf;
use std::time::Duration;

pub use files::{create_private_dir, create_private_file};
pub use payloads::BodyRange;
pub use rejects_csv::defuse;
pub use summary::{thousands, Summary};

use crate::field_error::FieldError;
use html::{HtmlSample, PageInfo};
use payloads::Payloads;
use rejects_csv::RejectsCsv;
use report_json::{ReportHeader, ReportJson};
use summary::Tally;

// The file names, in the order a person wants them.
/// The page a person reads: totals, charts by code and field, sample rows.
pub const HTML_FILE: &str = "report.html";
/// The machine-readable report: totals, then every finding.
pub const JSON_FILE: &str = "report.json";
/// Every rejected row with its original fields and its errors.
pub const REJECTS_FILE: &str = "rejects.csv";
/// The exact request bodies the import would send, one per line.
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

/// One row's verdict: the one shape in which a row travels from the
/// validation pass to the report and the import's replay.
#[derive(Debug, Clone, Copy)]
pub struct Verdict<'a> {
    /// 1-based data row number.
    pub row: u64,
    /// 1-based line the row starts on.
    pub line: u64,
    /// The row's original fields. The pass fills them for rejected rows
    /// always, for valid ones only when asked (`FieldsFor::All`); the report
    /// reads them only for rejected rows.
    pub fields: &'a csv::StringRecord,
    /// Errors and warnings; any error makes the row invalid.
    pub findings: &'a [FieldError],
    /// Parallel to `findings`: the source column that fed each finding's
    /// field, `None` when unknown. May be shorter than `findings`.
    pub origins: &'a [Option<String>],
    /// Where a valid row's request body is; `None` for a rejected row.
    pub body: Option<Body<'a>>,
}

impl Verdict<'_> {
    /// Whether the row would be sent.
    pub fn is_valid(&self) -> bool {
        !self.findings.iter().any(FieldError::is_error)
    }
}

/// Where a valid row's request body is.
#[derive(Debug, Clone, Copy)]
pub enum Body<'a> {
    /// In memory.
    Bytes(&'a [u8]),
    /// In the pass's file of bodies (see `Report::set_spooled_bodies`).
    Spooled(BodyRange),
}

/// Facts about the run that are known only at the end.
#[derive(Debug, Clone, Default)]
pub struct RunMeta {
    /// The mapping file used.
    pub mapping: String,
    /// The tenant schema used, if any.
    pub tenant: Option<String>,
    /// The fingerprint of the tenant file's bytes (`ledger::fingerprint_file`).
    pub tenant_fingerprint: Option<String>,
    /// Clients the tenant's creation templates would notify, when it has any.
    pub notifications: Option<crate::tenant::NotificationCount>,
    /// Wall time of the run, as the caller measured it.
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

    /// Names the file that spooled bodies are copied from: one body per
    /// line, each exactly as it goes into `payloads.ndjson`.
    pub fn set_spooled_bodies(&mut self, bodies: std::fs::File) -> io::Result<()> {
        self.payloads.set_source(bodies)
    }

    /// Records one row. Rows must arrive in input order. A spooled body is
    /// copied file to file (consecutive ones in one go, never read into
    /// memory). A valid row without a body is refused (`InvalidInput`)
    /// before anything is counted.
    pub fn add(&mut self, v: &Verdict) -> io::Result<()> {
        let invalid = !v.is_valid();
        match (invalid, v.body) {
            (false, None) => return Err(no_body(v.row)),
            (false, Some(Body::Bytes(p))) => self.payloads.add(v.row, p)?,
            (false, Some(Body::Spooled(at))) => self.payloads.copy(at)?,
            (true, _) => {}
        }
        self.add_findings(v, invalid)
    }

    fn add_findings(&mut self, r: &Verdict, invalid: bool) -> io::Result<()> {
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
            tenant_fingerprint: meta.tenant_fingerprint.as_deref(),
            notifications: meta.notifications,
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
mod preview;
#[cfg(test)]
mod tests;
