//! Stage 4 (dry run): write what the run found, for people and for machines.
//!
//! In: every row's outcome, in input order ([`Report::add`]), then the run's
//! facts ([`Report::finish`]). Out: files in the report directory —
//! `report.html`, `report.json`, `rejects.csv`, and `payloads.ndjson` only
//! when asked ([`ReportOptions::payloads`]) — and a [`Summary`] for the
//! terminal. Everything is streamed; only counters, the first warning
//! groups and the first rejected and warned rows for the HTML page stay in
//! memory. Fails only on I/O (and on a valid row without a payload, a
//! caller's bug).
//!
//! The same report is written by a dry run and by an import's validation
//! pass ([`ReportKind`]); only the dry run's says nothing was sent.

pub mod event_page;
mod files;
mod html;
mod html_template;
pub(crate) use html_template::Esc;
mod payloads;
pub mod progress;
mod rejects_csv;
mod report_json;
mod summary;
mod warning_groups;

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
use warning_groups::WarningGroups;

// The file names, in the order a person wants them.
/// The page a person reads: totals, charts by code and field, sample rows.
pub const HTML_FILE: &str = "report.html";
/// The machine-readable report: totals, then every finding.
pub const JSON_FILE: &str = "report.json";
/// Every rejected row with its original fields and its errors.
pub const REJECTS_FILE: &str = "rejects.csv";
/// The exact request bodies the import would send, one per line; written
/// only when asked (`--payloads`): it copies every client's personal data.
pub const PAYLOADS_FILE: &str = "payloads.ndjson";
/// The import's own page (written by the import), which the validation
/// pass's `report.html` points to.
pub const EVENT_PAGE: &str = "event.html";

/// How many rejected rows, and how many rows with warnings only, the HTML
/// page lists unless told otherwise; the rest are counted, and
/// `rejects.csv` and `report.json` hold them.
pub const DEFAULT_HTML_SAMPLE_ROWS: usize = 1000;

/// Which pass the report is of: what its page may claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReportKind {
    /// `ferry validate`: nothing was sent.
    #[default]
    DryRun,
    /// The validation pass of `ferry import` or `resume`: rows were sent;
    /// what became of them is on the event's page.
    ImportValidation,
}

impl ReportKind {
    /// The name `report.json` gives it (`kind`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DryRun => "dry_run",
            Self::ImportValidation => "import_validation",
        }
    }
}

/// Where and about what the report is written.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    /// The report directory; created 0700 if missing.
    pub dir: PathBuf,
    /// The input file's name, for titles.
    pub input: String,
    /// The source's column names (the `rejects.csv` header).
    pub columns: Vec<String>,
    /// How many rejected rows (and as many rows with warnings only) the
    /// HTML page lists.
    pub html_sample_rows: usize,
    /// Which pass this is (a dry run unless told otherwise).
    pub kind: ReportKind,
    /// Whether to write `payloads.ndjson` (off unless asked).
    pub payloads: bool,
}

impl ReportOptions {
    /// A dry run's options: the default HTML sample size, no payloads.
    pub fn new(dir: impl Into<PathBuf>, input: impl Into<String>, columns: Vec<String>) -> Self {
        Self {
            dir: dir.into(),
            input: input.into(),
            columns,
            html_sample_rows: DEFAULT_HTML_SAMPLE_ROWS,
            kind: ReportKind::DryRun,
            payloads: false,
        }
    }

    /// The same options for an import's validation pass.
    pub fn for_import(self) -> Self {
        Self {
            kind: ReportKind::ImportValidation,
            ..self
        }
    }

    /// The same options, writing `payloads.ndjson` or not.
    pub fn with_payloads(self, payloads: bool) -> Self {
        Self { payloads, ..self }
    }

    /// The files the report writes, HTML first.
    fn files(&self) -> Vec<&'static str> {
        let mut f = vec![HTML_FILE, JSON_FILE, REJECTS_FILE];
        if self.payloads {
            f.push(PAYLOADS_FILE);
        }
        f
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
    /// Run-level notes (mapping warnings, unused columns, …); `report.json`
    /// calls them `notes`, apart from the rows' warnings.
    pub warnings: Vec<String>,
    /// How each `[[join]]` matched the clients.
    pub joins: Vec<crate::mapping::JoinCount>,
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
    /// `None` unless `payloads.ndjson` was asked for.
    payloads: Option<Payloads>,
    /// The pass's file of bodies, read (by position) for the keys of the
    /// first warning groups.
    bodies: Option<std::fs::File>,
    warnings: WarningGroups,
    html_file: std::fs::File,
    sample: HtmlSample,
    warned: HtmlSample,
    /// Scratch for a body read from `bodies`.
    body_buf: Vec<u8>,
}

impl Report {
    /// Creates the directory (0700 if new) and the files (0600,
    /// truncated), and writes the `rejects.csv` header. Without payloads, a
    /// `payloads.ndjson` left by an earlier run is removed, so the directory
    /// never holds one that does not belong to this report.
    pub fn create(opts: ReportOptions) -> io::Result<Report> {
        create_private_dir(&opts.dir)?;
        let path = |name: &str| opts.dir.join(name);
        let html_file = create_private_file(&path(HTML_FILE))?;
        let json = ReportJson::new(create_private_file(&path(JSON_FILE))?, &opts.dir)?;
        let rejects = RejectsCsv::new(create_private_file(&path(REJECTS_FILE))?, &opts.columns)?;
        let payloads = if opts.payloads {
            Some(Payloads::new(create_private_file(&path(PAYLOADS_FILE))?))
        } else {
            match std::fs::remove_file(path(PAYLOADS_FILE)) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
                _ => None,
            }
        };
        Ok(Report {
            sample: HtmlSample::new(opts.html_sample_rows),
            warned: HtmlSample::new(opts.html_sample_rows),
            opts,
            tally: Tally::default(),
            json,
            rejects,
            payloads,
            bodies: None,
            warnings: WarningGroups::default(),
            html_file,
            body_buf: Vec::new(),
        })
    }

    /// Names the file that spooled bodies are copied from: one body per
    /// line, each exactly as it goes into `payloads.ndjson`.
    pub fn set_spooled_bodies(&mut self, bodies: std::fs::File) -> io::Result<()> {
        if let Some(p) = &mut self.payloads {
            p.set_source(bodies.try_clone()?)?;
        }
        self.bodies = Some(bodies);
        Ok(())
    }

    /// Records one row. Rows must arrive in input order. A spooled body is
    /// copied file to file (consecutive ones in one go, never read into
    /// memory). A valid row without a body is refused (`InvalidInput`)
    /// before anything is counted.
    pub fn add(&mut self, v: &Verdict) -> io::Result<()> {
        let invalid = !v.is_valid();
        match (invalid, v.body, &mut self.payloads) {
            // Without payloads a valid row's body is read only for a
            // warning group's key (see `needs_report_body`).
            (false, None, Some(_)) => return Err(no_body(v.row)),
            (false, Some(Body::Bytes(p)), Some(out)) => out.add(v.row, p)?,
            (false, Some(Body::Spooled(at)), Some(out)) => out.copy(at)?,
            _ => {}
        }
        self.add_findings(v, invalid)
    }

    /// Whether [`add`](Self::add) reads the fields of a row with these
    /// findings: a rejected row's always (rejects.csv); a row that only
    /// warns while the page still lists such rows or when one of its
    /// warnings starts a group (whose key may be a cell); a clean row's
    /// never. A caller that decodes fields only when this says so gets the
    /// same report.
    pub fn needs_fields(&self, findings: &[FieldError]) -> bool {
        if findings.iter().any(FieldError::is_error) {
            return true;
        }
        !findings.is_empty()
            && (!self.warned.is_full()
                || findings.iter().any(|f| self.warnings.would_start_group(f)))
    }

    /// Whether [`add`](Self::add) reads the body of a valid row with these
    /// findings when it writes no payloads: when one of its duplicate
    /// warnings starts a group, whose key is the values the check compared.
    pub fn needs_report_body(&self, findings: &[FieldError]) -> bool {
        use crate::validate::cross_row::check_of_field;
        findings.iter().any(|f| {
            f.code == crate::model::ReturnCode::DuplicateClient
                && check_of_field(&f.field).is_some()
                && self.warnings.would_start_group(f)
        })
    }

    fn add_findings(&mut self, r: &Verdict, invalid: bool) -> io::Result<()> {
        self.tally.add(r.findings);
        self.json.add(r.row, r.line, r.findings, r.origins)?;
        let warned = r.findings.iter().any(|f| !f.is_error());
        if warned {
            self.add_warnings(r)?;
        }
        let columns = &self.opts.columns;
        if invalid {
            self.rejects.add(r.row, r.line, r.fields, r.findings)?;
            self.sample
                .add(columns, r.row, r.line, r.fields, r.findings, r.origins);
        } else if warned {
            self.warned
                .add(columns, r.row, r.line, r.fields, r.findings, r.origins);
        }
        Ok(())
    }

    /// Groups the row's warnings. A group's key is read once, when the
    /// group starts, from the first warned row's body (what a duplicate
    /// check compares) or else from the source cell the warning came from;
    /// a body that cannot be read leaves the cell's value as the key.
    fn add_warnings(&mut self, r: &Verdict) -> io::Result<()> {
        let Report {
            warnings,
            bodies,
            body_buf,
            opts,
            ..
        } = self;
        let columns = &opts.columns;
        let origin = |i: usize| r.origins.get(i).cloned().flatten();
        let key = |i: usize| {
            let body = match (r.body, bodies.as_ref()) {
                (Some(Body::Bytes(b)), _) => Some(b),
                (Some(Body::Spooled(at)), Some(file)) => {
                    use std::os::unix::fs::FileExt;
                    body_buf.resize(usize::try_from(at.len).unwrap_or(0), 0);
                    file.read_exact_at(body_buf, at.offset)
                        .ok()
                        .map(|()| body_buf.as_slice())
                }
                _ => None,
            };
            group_key(r, &r.findings[i], origin(i), body, columns)
        };
        warnings.add(r.row, r.findings, origin, key);
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
            bodies,
            warnings,
            html_file,
            sample,
            warned,
            body_buf: _,
        } = self;
        rejects.finish()?;
        if let Some(p) = payloads {
            p.finish()?;
        }
        drop(bodies);

        let names = opts.files();
        let files: Vec<PathBuf> = names.iter().map(|f| opts.dir.join(f)).collect();
        let mut summary = tally.to_summary(opts.dir.clone(), files, meta.elapsed);
        summary.joins = meta.joins.clone();
        let now = jiff::Timestamp::now();
        let generated_at = now.round(jiff::Unit::Second).unwrap_or(now).to_string();
        let generated_for_people = now.strftime("generated %Y-%m-%d %H:%M UTC").to_string();
        json.finish(&ReportHeader {
            format_version: report_json::FORMAT_VERSION,
            kind: opts.kind.as_str(),
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
            notes: &meta.warnings,
            warnings: &warnings,
            joins: &meta.joins,
        })?;

        let page = PageInfo {
            input: &opts.input,
            mapping: &meta.mapping,
            tenant: meta.tenant.as_deref(),
            generated_at: &generated_for_people,
            elapsed: meta.elapsed,
            columns: &opts.columns,
            notes: &meta.warnings,
            files: &names[1..],
            kind: opts.kind,
        };
        let mut out = BufWriter::with_capacity(64 * 1024, html_file);
        html::render(&mut out, &page, &tally, &sample, &warned, &warnings)?;
        Ok(summary)
    }
}

/// What the rows of a warning group share, for people: a duplicate
/// check's compared values from the row's body, else the source cell the
/// warning came from (`STATE: ACTIVE`).
fn group_key(
    r: &Verdict,
    f: &FieldError,
    origin: Option<String>,
    body: Option<&[u8]>,
    columns: &[String],
) -> Option<String> {
    use crate::validate::cross_row::{check_of_field, key_text};
    if f.code == crate::model::ReturnCode::DuplicateClient {
        let check = check_of_field(&f.field);
        let body = body.and_then(|b| serde_json::from_slice::<serde_json::Value>(b).ok());
        if let Some(k) = check.zip(body).and_then(|(c, b)| key_text(c, &b)) {
            return Some(k);
        }
    }
    let column = origin?;
    let at = columns.iter().position(|c| *c == column)?;
    let value = r.fields.get(at)?;
    Some(format!("{column}: {value}"))
}

#[cfg(test)]
mod preview;
#[cfg(test)]
mod tests;
