//! A migration event as Ferry records it: what was imported from where to
//! where, and how it maps onto Mambu's `migrationEvent`.
//!
//! In: the import's files and target. Out: [`NewEvent`] to store,
//! [`EventRecord`] read back, convertible to the API's [`MigrationEvent`].
//! Fails only with the I/O error of fingerprinting a file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::error::LedgerError;
use super::fingerprint::fingerprint_file;
use super::status::RowStatus;
use crate::model::{MigrationEvent, MigrationEventState, MigrationEventType};

/// Whether the import only creates clients or also updates existing ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImportMode {
    /// POST every row; an existing id is a failure.
    Create,
    /// Update a client that exists (keeping its before-image), create otherwise.
    Upsert,
}

impl ImportMode {
    /// The stored and displayed name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Upsert => "upsert",
        }
    }

    /// Reads a name written by [`as_str`](Self::as_str).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "create" => Some(Self::Create),
            "upsert" => Some(Self::Upsert),
            _ => None,
        }
    }
}

/// What an import is made from; the ledger adds key, date, type and state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    /// The source file (absolute, so that resume works from any directory).
    pub source_path: PathBuf,
    /// [`fingerprint_file`] of the source.
    pub source_fingerprint: String,
    /// The mapping file.
    pub mapping_path: PathBuf,
    /// [`fingerprint_file`] of the mapping.
    pub mapping_fingerprint: String,
    /// The tenant file, if one was used.
    pub tenant_path: Option<PathBuf>,
    /// [`fingerprint_file`] of the tenant file, however it came (a file
    /// given, or one pulled from the target).
    pub tenant_fingerprint: Option<String>,
    /// The target's base URL, without credentials. Userinfo, query and
    /// fragment are stripped before storing, in case a caller slips.
    pub target: String,
    /// Create or upsert.
    pub mode: ImportMode,
}

impl NewEvent {
    /// Describes an import of `source` with `mapping`, fingerprinting both
    /// and making the paths absolute.
    pub fn for_files(
        source: &Path,
        mapping: &Path,
        tenant: Option<&Path>,
        target: &str,
        mode: ImportMode,
    ) -> std::io::Result<NewEvent> {
        Ok(NewEvent {
            source_fingerprint: fingerprint_file(source)?,
            source_path: std::path::absolute(source)?,
            mapping_fingerprint: fingerprint_file(mapping)?,
            mapping_path: std::path::absolute(mapping)?,
            tenant_path: tenant.map(std::path::absolute).transpose()?,
            tenant_fingerprint: tenant.map(fingerprint_file).transpose()?,
            target: target.to_string(),
            mode,
        })
    }
}

/// A migration event as the ledger holds it, with its row counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRecord {
    /// 32 lower-case hex digits.
    pub encoded_key: String,
    /// UTC, RFC 3339 with milliseconds.
    pub creation_date: String,
    /// IMPORT, or EXPORT (`ferry export`).
    pub event_type: MigrationEventType,
    /// DRAFT, APPROVED or REVERTED.
    pub state: MigrationEventState,
    /// When the state last changed (the creation date while DRAFT).
    pub state_changed_at: String,
    /// The source file.
    pub source_path: PathBuf,
    /// Its fingerprint when the import began.
    pub source_fingerprint: String,
    /// The mapping file.
    pub mapping_path: PathBuf,
    /// Its fingerprint when the import began.
    pub mapping_fingerprint: String,
    /// The tenant file, if any.
    pub tenant_path: Option<PathBuf>,
    /// Its fingerprint when the import began.
    pub tenant_fingerprint: Option<String>,
    /// The target's base URL.
    pub target: String,
    /// Create or upsert.
    pub mode: ImportMode,
    /// The source's header, for failures.csv (empty until the import read it).
    pub columns: Vec<String>,
    /// Related files given on the command line (`--join`), in the order given.
    pub joins: Vec<EventJoin>,
    /// Rows per status; statuses with no rows are absent.
    pub counts: BTreeMap<RowStatus, u64>,
    /// For an EXPORT event, the clients written so far; 0 for an import.
    pub exported: u64,
}

impl EventRecord {
    /// Rows in `status` (0 if none).
    pub fn count(&self, status: RowStatus) -> u64 {
        self.counts.get(&status).copied().unwrap_or(0)
    }

    /// Rows not yet settled: PENDING (never sent) or SENT (no answer recorded).
    pub fn unsettled(&self) -> u64 {
        self.count(RowStatus::Pending) + self.count(RowStatus::Sent)
    }

    /// Whether every row has its outcome: none PENDING or SENT.
    pub fn is_complete(&self) -> bool {
        self.unsettled() == 0
    }

    /// The event as Mambu's API shows it. `numClientsImported` counts what
    /// the import did to the target (created or updated), including rows a
    /// revert has since undone or kept; for an EXPORT event, the clients
    /// exported. Every other count is 0.
    pub fn to_migration_event(&self) -> MigrationEvent {
        let imported: u64 = if self.event_type == MigrationEventType::Export {
            self.exported
        } else {
            self.counts
                .iter()
                .filter(|(st, _)| st.is_imported())
                .map(|(_, n)| n)
                .sum()
        };
        MigrationEvent {
            encoded_key: Some(self.encoded_key.clone()),
            creation_date: Some(self.creation_date.clone()),
            state: Some(self.state.clone()),
            event_type: Some(self.event_type.clone()),
            num_centres_imported: Some(0),
            num_clients_imported: Some(i64::try_from(imported).unwrap_or(i64::MAX)),
            num_gl_accounts_imported: Some(0),
            num_groups_imported: Some(0),
            num_loan_repayments_imported: Some(0),
            num_loan_transactions_imported: Some(0),
            num_loans_imported: Some(0),
            num_savings_imported: Some(0),
        }
    }
}

/// What [`Ledger::set_state`](super::Ledger::set_state) did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateChange {
    /// The event moved to the new state.
    Changed,
    /// The event was already in that state (approving twice); nothing changed.
    Unchanged,
}

/// Reads a stored event state; an unknown one means a damaged or foreign file.
pub(super) fn parse_state(s: &str) -> Result<MigrationEventState, LedgerError> {
    let state = MigrationEventState::parse(s);
    if state.is_known() {
        Ok(state)
    } else {
        Err(LedgerError::Corrupt(format!("unknown event state {s:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::test_support::{new_event, temp_ledger};
    use crate::ledger::{NewRow, RowUpdate};

    #[test]
    fn migration_event_counts_what_the_import_did() {
        let (_dir, mut ledger) = temp_ledger();
        let key = ledger
            .create_event(&new_event(ImportMode::Upsert))
            .unwrap()
            .encoded_key;
        let rows: Vec<NewRow> = (1..=6)
            .map(|r| NewRow::pending(r, r + 1, Some(format!("C{r}"))))
            .collect();
        ledger.insert_rows(&key, &rows).unwrap();
        ledger
            .mark_sent_with_images(&key, &[(1, None), (2, None), (3, Some("{}")), (4, None)])
            .unwrap();
        ledger
            .apply(
                &key,
                &[
                    RowUpdate::new(1, RowStatus::Created),
                    RowUpdate::new(2, RowStatus::Created),
                    RowUpdate::new(3, RowStatus::Updated),
                    RowUpdate::new(4, RowStatus::Failed),
                ],
            )
            .unwrap();
        // A revert undoing a row still counts it as imported.
        ledger
            .apply(&key, &[RowUpdate::new(2, RowStatus::Deleted)])
            .unwrap();
        let ev = ledger.event(&key).unwrap();
        assert_eq!(ev.count(RowStatus::Pending), 2);
        let m = ev.to_migration_event();
        assert_eq!(m.num_clients_imported, Some(3));
        assert_eq!(m.num_groups_imported, Some(0));
        assert_eq!(m.num_loans_imported, Some(0));
        assert_eq!(m.encoded_key.as_deref(), Some(key.as_str()));
        assert_eq!(m.state, Some(MigrationEventState::Draft));
        assert_eq!(m.event_type, Some(MigrationEventType::Import));
        let json = serde_json::to_value(&m).unwrap();
        assert_eq!(json["numClientsImported"], 3);
        assert_eq!(json["type"], "IMPORT");
        assert_eq!(json["creationDate"], ev.creation_date.as_str());
    }

    #[test]
    fn for_files_fingerprints_and_makes_paths_absolute() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("c.csv");
        let mapping = dir.path().join("m.toml");
        std::fs::write(&source, "id\n1\n").unwrap();
        std::fs::write(&mapping, "[client]\n").unwrap();
        let ev =
            NewEvent::for_files(&source, &mapping, None, "http://h", ImportMode::Create).unwrap();
        assert!(ev.source_path.is_absolute());
        assert_eq!(ev.source_fingerprint, fingerprint_file(&source).unwrap());
        assert_ne!(ev.source_fingerprint, ev.mapping_fingerprint);
        assert!(NewEvent::for_files(
            &dir.path().join("nope"),
            &mapping,
            None,
            "h",
            ImportMode::Create
        )
        .is_err());
    }

    #[test]
    fn import_mode_names_round_trip() {
        for m in [ImportMode::Create, ImportMode::Upsert] {
            assert_eq!(ImportMode::parse(m.as_str()), Some(m));
        }
        assert_eq!(ImportMode::parse("merge"), None);
    }
}

/// A related file given on the command line for `[[join]] name`, as the
/// import read it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EventJoin {
    /// The join's name in the mapping.
    pub name: String,
    /// The file, absolute.
    pub path: PathBuf,
    /// [`fingerprint_file`](super::fingerprint_file) of it when the import began.
    pub fingerprint: String,
}
