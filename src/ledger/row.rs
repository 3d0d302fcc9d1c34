//! The values a row of the ledger is made of: a new row, a change to one, a
//! row as stored, and what a revert does with it.
//!
//! In: the import's and revert's findings. Out: plain values; the SQL lives
//! in `row_store`. Nothing here fails.

use super::status::RowStatus;
use crate::model::ReturnCode;

/// The last error seen for a row: a Mambu (or Ferry) return code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The numeric return code (an HTTP status where the target gave no code).
    pub code: i64,
    /// Its name, e.g. `CLIENT_ID_ALREADY_IN_USE`.
    pub name: String,
    /// What the target or Ferry said.
    pub message: String,
}

impl RowError {
    /// An error with any code.
    pub fn new(code: i64, name: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code,
            name: name.into(),
            message: message.into(),
        }
    }

    /// An error named by a known return code.
    pub fn from_code(code: ReturnCode, message: impl Into<String>) -> Self {
        Self::new(i64::from(code.code()), code.name(), message)
    }
}

/// A row entering the ledger: PENDING if valid, REJECTED if not (or SKIPPED).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRow {
    /// 1-based row number in the source; unique within the event.
    pub row: u64,
    /// The line the row starts on, to point a person back at it.
    pub line: u64,
    /// The client id from the source, if it has one.
    pub client_id: Option<String>,
    /// Rejected, Pending or Skipped.
    pub status: RowStatus,
    /// Why it was rejected (the first error), if it was.
    pub error: Option<RowError>,
    /// Every finding of a rejected row (JSON array of
    /// `{"field","code","name","message","severity"}`), so the ledger keeps
    /// them all with their codes and fields, not only the first.
    pub findings: Option<String>,
}

impl NewRow {
    /// A valid row, waiting to be sent.
    pub fn pending(row: u64, line: u64, client_id: Option<String>) -> Self {
        Self {
            row,
            line,
            client_id,
            status: RowStatus::Pending,
            error: None,
            findings: None,
        }
    }

    /// A row that failed validation and will never be sent.
    pub fn rejected(row: u64, line: u64, client_id: Option<String>, error: RowError) -> Self {
        Self {
            row,
            line,
            client_id,
            status: RowStatus::Rejected,
            error: Some(error),
            findings: None,
        }
    }

    /// Keeps every finding of the row (see [`NewRow::findings`]).
    pub fn with_findings(mut self, findings: &[crate::field_error::FieldError]) -> Self {
        self.findings = serde_json::to_string(findings).ok();
        self
    }
}

/// A change to one row. Fields left `None` keep what the ledger holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowUpdate {
    /// The row number.
    pub row: u64,
    /// The new status (see [`RowStatus::can_become`]).
    pub status: RowStatus,
    /// The target's encodedKey for the client.
    pub target_key: Option<String>,
    /// The latest error; earlier errors are replaced, never cleared.
    pub error: Option<RowError>,
    /// The client as the target held it before our update (full-details GET,
    /// JSON). Written once: a later value is ignored.
    pub before_image: Option<String>,
    /// The client's `lastModifiedDate` as the target reported it after our write.
    pub last_modified: Option<String>,
    /// Requests made for the row beyond the one [`mark_sent`](super::Ledger::mark_sent) counted
    /// (retries after 429, 5xx, timeouts).
    pub extra_attempts: u32,
    /// Why a CREATED row's client is this event's (see `push::ownership`).
    pub evidence: Option<String>,
    /// The row's original cells (a JSON array), kept for rows the target
    /// refused so that failures.csv can be written again from the ledger.
    pub source_fields: Option<String>,
}

impl RowUpdate {
    /// A bare status change.
    pub fn new(row: u64, status: RowStatus) -> Self {
        Self {
            row,
            status,
            target_key: None,
            error: None,
            before_image: None,
            last_modified: None,
            extra_attempts: 0,
            evidence: None,
            source_fields: None,
        }
    }

    /// Records the target's encodedKey.
    pub fn with_target_key(mut self, key: impl Into<String>) -> Self {
        self.target_key = Some(key.into());
        self
    }

    /// Records the latest error.
    pub fn with_error(mut self, error: RowError) -> Self {
        self.error = Some(error);
        self
    }

    /// Records the before-image (kept only if the row has none yet).
    pub fn with_before_image(mut self, json: impl Into<String>) -> Self {
        self.before_image = Some(json.into());
        self
    }

    /// Records the `lastModifiedDate` seen after our write.
    pub fn with_last_modified(mut self, date: impl Into<String>) -> Self {
        self.last_modified = Some(date.into());
        self
    }

    /// Counts retries beyond the journalled send.
    pub fn with_extra_attempts(mut self, n: u32) -> Self {
        self.extra_attempts = n;
        self
    }

    /// Records why the client is this event's.
    pub fn with_evidence(mut self, evidence: impl Into<String>) -> Self {
        self.evidence = Some(evidence.into());
        self
    }

    /// Keeps the row's original cells (for failures.csv).
    pub fn with_source_fields<'a>(mut self, fields: impl IntoIterator<Item = &'a str>) -> Self {
        let cells: Vec<&str> = fields.into_iter().collect();
        self.source_fields = serde_json::to_string(&cells).ok();
        self
    }
}

/// What a revert does to a row the import wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevertAction {
    /// The import created the client: delete it.
    Delete,
    /// The import updated the client: put the before-image back.
    Restore,
}

/// One row as the ledger holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowRecord {
    /// 1-based row number in the source.
    pub row: u64,
    /// The line it starts on.
    pub line: u64,
    /// The client id from the source.
    pub client_id: Option<String>,
    /// Where the row stands now.
    pub status: RowStatus,
    /// What the import did (CREATED or UPDATED), kept through a revert.
    pub outcome: Option<RowStatus>,
    /// The target's encodedKey for the client.
    pub target_key: Option<String>,
    /// Requests made for the row.
    pub attempts: u32,
    /// The last error seen.
    pub error: Option<RowError>,
    /// The client before our update (upserts), JSON.
    pub before_image: Option<String>,
    /// `lastModifiedDate` seen after our write.
    pub last_modified: Option<String>,
    /// When the row last changed (UTC, RFC 3339). For a SENT row: when it
    /// was journalled as about to be sent.
    pub updated_at: String,
    /// Why a created client is this event's.
    pub evidence: Option<String>,
    /// The original cells of a row the target refused (JSON array).
    pub source_fields: Option<String>,
    /// Every finding of a rejected row (JSON array), see [`NewRow::findings`].
    pub findings: Option<String>,
}

impl RowRecord {
    /// The original cells kept for a refused row, if any.
    pub fn source_cells(&self) -> Vec<String> {
        self.source_fields
            .as_deref()
            .and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or_default()
    }
}

impl RowRecord {
    /// What a revert must do with this row, if anything: the import's
    /// outcome decides, so a retried REVERT_FAILED or a forced KEPT row is
    /// undone the same way as the CREATED or UPDATED row it was.
    pub fn revert_action(&self) -> Option<RevertAction> {
        if !matches!(
            self.status,
            RowStatus::Created | RowStatus::Updated | RowStatus::Kept | RowStatus::RevertFailed
        ) {
            return None;
        }
        match self.outcome? {
            RowStatus::Created => Some(RevertAction::Delete),
            RowStatus::Updated => Some(RevertAction::Restore),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::test_support::ledger_with_rows;
    use crate::ledger::{ImportMode, Ledger, LedgerError};

    #[test]
    fn revert_action_follows_what_the_import_did() {
        let (_dir, mut ledger, key) = ledger_with_rows(ImportMode::Upsert, 4);
        ledger
            .mark_sent_with_images(&key, &[(1, None), (2, Some("{}")), (3, None)])
            .unwrap();
        ledger
            .apply(
                &key,
                &[
                    RowUpdate::new(1, RowStatus::Created),
                    RowUpdate::new(2, RowStatus::Updated),
                    RowUpdate::new(3, RowStatus::Failed),
                ],
            )
            .unwrap();
        let action = |l: &Ledger, row| l.row(&key, row).unwrap().unwrap().revert_action();
        assert_eq!(action(&ledger, 1), Some(RevertAction::Delete));
        assert_eq!(action(&ledger, 2), Some(RevertAction::Restore));
        assert_eq!(action(&ledger, 3), None);
        assert_eq!(action(&ledger, 4), None);
        // A failed revert is retried the same way; a done one is not redone.
        ledger
            .apply(
                &key,
                &[
                    RowUpdate::new(1, RowStatus::RevertFailed),
                    RowUpdate::new(2, RowStatus::Restored),
                ],
            )
            .unwrap();
        assert_eq!(action(&ledger, 1), Some(RevertAction::Delete));
        assert_eq!(action(&ledger, 2), None);
        assert!(matches!(
            ledger.apply(&key, &[RowUpdate::new(2, RowStatus::Deleted)]),
            Err(LedgerError::InvalidRowTransition { .. })
        ));
    }
}
