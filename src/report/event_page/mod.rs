//! The event report: one page per migration event that answers a team
//! lead's question, "approve or revert?".
//!
//! In: a ledger and an event key ([`EventPage::from_ledger`]). Out: one
//! [`EventPage`] — a status line with the next command, the row counts,
//! the failures by code and by field with the first failed rows, the runs
//! of the event (import, resume, revert) with their times and outcomes, the
//! files and fingerprints, the approve or revert time — written as
//! `event.json` and as `event.html` (self-contained: inline CSS, no script,
//! no external resource; every value from the ledger escaped). Both files
//! are 0600. Fails with [`LedgerError`] when building and with the
//! `io::Error` (naming the path) when writing.
//!
//! `ferry import`, `resume`, `revert` and `approve` write both files into
//! their report directory; `ferry events show EVENT --html FILE --json FILE`
//! writes them for any event.

mod html;
mod status;

use std::io::{self, Write};
use std::path::Path;

use serde::Serialize;

use crate::ledger::{EventRecord, Ledger, LedgerError, RowRecord, RowStatus, RunRecord, RunState};
use crate::model::MigrationEventState;
use crate::private_files;

pub use status::{status, Status, StatusFacts, Verdict};

/// The page a person opens.
pub const EVENT_HTML_FILE: &str = "event.html";
/// The same data for machines.
pub const EVENT_JSON_FILE: &str = "event.json";
/// How many failed rows the page lists.
pub const FIRST_FAILED_ROWS: usize = 50;

/// Rows of the event per status, named as a person reads them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RowCounts {
    /// Every row of the source journalled for the event.
    pub total: u64,
    /// Clients the import created (and still there).
    pub created: u64,
    /// Clients the import updated (upsert; not reverted).
    pub updated: u64,
    /// Rows the target refused.
    pub failed: u64,
    /// Rows rejected in validation, never sent.
    pub rejected: u64,
    /// Rows not yet sent.
    pub pending: u64,
    /// Rows sent with no answer recorded (in doubt until a resume asks).
    pub sent: u64,
    /// `pending + sent`.
    pub unsettled: u64,
    /// Rows deliberately not sent.
    pub skipped: u64,
    /// Clients a revert deleted.
    pub deleted: u64,
    /// Clients a revert restored to their before-image.
    pub restored: u64,
    /// Clients a revert left alone: changed at the target since the import.
    pub kept: u64,
    /// Rows a revert could not undo.
    pub revert_failed: u64,
}

impl RowCounts {
    /// The counts of an event record.
    pub fn of(e: &EventRecord) -> Self {
        Self {
            total: e.counts.values().sum(),
            created: e.count(RowStatus::Created),
            updated: e.count(RowStatus::Updated),
            failed: e.count(RowStatus::Failed),
            rejected: e.count(RowStatus::Rejected),
            pending: e.count(RowStatus::Pending),
            sent: e.count(RowStatus::Sent),
            unsettled: e.unsettled(),
            skipped: e.count(RowStatus::Skipped),
            deleted: e.count(RowStatus::Deleted),
            restored: e.count(RowStatus::Restored),
            kept: e.count(RowStatus::Kept),
            revert_failed: e.count(RowStatus::RevertFailed),
        }
    }
}

/// A file the event was made from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileRef {
    /// Its path when the import ran.
    pub path: String,
    /// The fingerprint of its bytes then.
    pub fingerprint: Option<String>,
}

/// Failed rows of one code or one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailureGroup {
    /// Where the rows failed: `validation`, `target`, `revert` or `revert (kept)`.
    pub stage: &'static str,
    /// The return code (by code) or the field path (by field).
    pub key: String,
    /// The code's name (empty by field).
    pub name: String,
    /// How many rows.
    pub rows: u64,
}

/// One failed row, pointing back at its line in the source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailedRow {
    /// 1-based row number.
    pub row: u64,
    /// The line it starts on.
    pub line: u64,
    /// `file name:line`, for a person to find it.
    pub source_ref: String,
    /// The client id from the source.
    pub client_id: Option<String>,
    /// Where the row stands (REJECTED, FAILED, KEPT, REVERT_FAILED).
    pub status: &'static str,
    /// The field at fault (validation findings only).
    pub field: Option<String>,
    /// The return code.
    pub code: Option<i64>,
    /// Its name.
    pub name: Option<String>,
    /// What the target or Ferry said.
    pub message: Option<String>,
}

/// One run of the event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunView {
    /// `import`, `resume` or `revert`.
    pub verb: &'static str,
    /// When it started.
    pub started_at: String,
    /// When it recorded its end (none while running or after a crash).
    pub ended_at: Option<String>,
    /// Whole seconds from start to end.
    pub seconds: Option<i64>,
    /// `completed`, `interrupted`, `running` or `crashed`.
    pub outcome: &'static str,
    /// Rows the target answered during the run (not counted for a revert
    /// or a run that did not record its end).
    pub sent: Option<u64>,
    /// Requests put on the wire, retries included.
    pub requests: Option<u64>,
    /// Rows it moved into each status (statuses that grew only).
    pub rows: std::collections::BTreeMap<&'static str, u64>,
}

impl RunView {
    fn of(r: &RunRecord) -> Self {
        let seconds = r.ended_at.as_deref().and_then(|end| {
            let end: jiff::Timestamp = end.parse().ok()?;
            let start: jiff::Timestamp = r.started_at.parse().ok()?;
            Some(end.as_second() - start.as_second())
        });
        Self {
            verb: r.verb.as_str(),
            started_at: r.started_at.clone(),
            ended_at: r.ended_at.clone(),
            seconds,
            outcome: r.state.as_str(),
            sent: r.answered,
            requests: r.requests,
            rows: r.moved.iter().map(|(s, n)| (s.as_str(), *n)).collect(),
        }
    }

    /// Rows moved into `status` during the run.
    pub fn moved(&self, status: RowStatus) -> u64 {
        self.rows.get(status.as_str()).copied().unwrap_or(0)
    }
}

/// Everything the event report shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventPage {
    /// Where the event stands and what to run next.
    pub status: Status,
    /// The event's key.
    pub event: String,
    /// DRAFT, APPROVED or REVERTED.
    pub state: String,
    /// The target's base URL.
    pub target: String,
    /// `create` or `upsert`.
    pub mode: &'static str,
    /// When the import opened the event.
    pub created_at: String,
    /// When it was approved, if it was.
    pub approved_at: Option<String>,
    /// When it was reverted, if it was.
    pub reverted_at: Option<String>,
    /// Rows per status.
    pub rows: RowCounts,
    /// Failed rows by return code, largest first.
    pub failures_by_code: Vec<FailureGroup>,
    /// Rows rejected in validation by the field at fault, largest first.
    pub failures_by_field: Vec<FailureGroup>,
    /// The first [`FIRST_FAILED_ROWS`] failed rows, in row order.
    pub first_failed_rows: Vec<FailedRow>,
    /// The runs of the event, in the order they started (empty for an
    /// event recorded before the ledger kept runs).
    pub runs: Vec<RunView>,
    /// The source export.
    pub source: FileRef,
    /// The mapping.
    pub mapping: FileRef,
    /// The tenant file and the fingerprint of the definitions used.
    pub tenant: FileRef,
    /// When this page was written.
    pub written_at: String,
}

/// Statuses listed among the failed rows.
const FAILED_STATUSES: [RowStatus; 4] = [
    RowStatus::Rejected,
    RowStatus::Failed,
    RowStatus::Kept,
    RowStatus::RevertFailed,
];

fn stage(s: RowStatus) -> &'static str {
    match s {
        RowStatus::Rejected => "validation",
        RowStatus::Kept => "revert (kept)",
        RowStatus::RevertFailed => "revert",
        _ => "target",
    }
}

/// The first error finding of a rejected row: field, code, name, message.
fn first_error(findings: &str) -> Option<(String, i64, String, String)> {
    let all: Vec<serde_json::Value> = serde_json::from_str(findings).ok()?;
    let f = all.iter().find(|f| f["severity"] == "error")?;
    Some((
        f["field"].as_str()?.to_string(),
        f["code"].as_i64()?,
        f["name"].as_str().unwrap_or_default().to_string(),
        f["message"].as_str().unwrap_or_default().to_string(),
    ))
}

fn failed_row(r: &RowRecord, file_name: &str) -> FailedRow {
    let finding = r.findings.as_deref().and_then(first_error);
    let (field, code, name, message) = match (finding, &r.error) {
        (Some((field, code, name, message)), _) => {
            (Some(field), Some(code), Some(name), Some(message))
        }
        (None, Some(e)) => (
            None,
            Some(e.code),
            Some(e.name.clone()),
            Some(e.message.clone()),
        ),
        (None, None) => (None, None, None, None),
    };
    FailedRow {
        row: r.row,
        line: r.line,
        source_ref: format!("{file_name}:{}", r.line),
        client_id: r.client_id.clone(),
        status: r.status.as_str(),
        field,
        code,
        name,
        message,
    }
}

fn now() -> String {
    jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

impl EventPage {
    /// Reads the event `key` (or a unique prefix) and everything the page
    /// shows from the ledger.
    pub fn from_ledger(ledger: &Ledger, key: &str) -> Result<EventPage, LedgerError> {
        let e = ledger.event(key)?;
        let key = e.encoded_key.as_str();
        let rows = RowCounts::of(&e);
        let records = ledger.runs(key)?;
        let runs: Vec<RunView> = records.iter().map(RunView::of).collect();
        let running = records
            .iter()
            .rev()
            .find(|r| r.state == RunState::Running)
            .map(|r| r.verb.as_str());
        let status = status(StatusFacts {
            key,
            state: &e.state,
            counts: &rows,
            running,
        });
        let group = |c: crate::ledger::FailureCount| FailureGroup {
            stage: stage(c.status),
            key: c.key,
            name: c.name,
            rows: c.rows,
        };
        let file_name = e
            .source_path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| e.source_path.display().to_string());
        let decided = |s: MigrationEventState| (e.state == s).then(|| e.state_changed_at.clone());
        Ok(EventPage {
            status,
            event: key.to_string(),
            state: e.state.as_str().to_string(),
            target: e.target.clone(),
            mode: e.mode.as_str(),
            created_at: e.creation_date.clone(),
            approved_at: decided(MigrationEventState::Approved),
            reverted_at: decided(MigrationEventState::Reverted),
            rows,
            failures_by_code: ledger
                .failures_by_code(key)?
                .into_iter()
                .map(group)
                .collect(),
            failures_by_field: ledger
                .failures_by_field(key)?
                .into_iter()
                .map(group)
                .collect(),
            first_failed_rows: ledger
                .rows_with_status(key, &FAILED_STATUSES, 0, FIRST_FAILED_ROWS)?
                .iter()
                .map(|r| failed_row(r, &file_name))
                .collect(),
            runs,
            source: FileRef {
                path: e.source_path.display().to_string(),
                fingerprint: Some(e.source_fingerprint.clone()),
            },
            mapping: FileRef {
                path: e.mapping_path.display().to_string(),
                fingerprint: Some(e.mapping_fingerprint.clone()),
            },
            tenant: FileRef {
                path: e
                    .tenant_path
                    .as_ref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default(),
                fingerprint: e.tenant_fingerprint.clone(),
            },
            written_at: now(),
        })
    }

    /// The page as pretty JSON (event.json).
    pub fn to_json(&self) -> String {
        // Plain data with string keys: serializing cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }

    /// The page as self-contained HTML (event.html).
    pub fn to_html(&self) -> String {
        html::render(self)
    }

    /// Writes event.html and event.json into `dir` (created 0700 if missing).
    pub fn write(&self, dir: &Path) -> io::Result<()> {
        crate::report::create_private_dir(dir)?;
        self.write_html(&dir.join(EVENT_HTML_FILE))?;
        self.write_json(&dir.join(EVENT_JSON_FILE))
    }

    /// Writes the HTML page to `path` (0600; missing parents created 0700).
    pub fn write_html(&self, path: &Path) -> io::Result<()> {
        write_private(path, self.to_html().as_bytes())
    }

    /// Writes the JSON to `path` (0600; missing parents created 0700).
    pub fn write_json(&self, path: &Path) -> io::Result<()> {
        write_private(path, self.to_json().as_bytes())
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    if let Some(dir) = path.parent() {
        private_files::create_dir_all(dir)?;
    }
    let mut f = private_files::create_file(path)?;
    f.write_all(bytes)?;
    f.flush()
}

#[cfg(test)]
mod tests;
