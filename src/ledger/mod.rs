//! The migration ledger: one SQLite file recording every import as a Mambu
//! `migrationEvent` and every input row's fate, so that a killed process
//! loses nothing and sends nothing twice, and a person can approve or revert.
//!
//! In: events ([`NewEvent`]), rows ([`NewRow`]) and their status changes
//! ([`RowUpdate`]). Out: [`EventRecord`]s, [`RowRecord`]s and counts. Fails
//! with [`LedgerError`]; damaged data is an error, never a panic.
//!
//! # The journalling protocol (exactly once over an API without transactions)
//!
//! ```text
//! insert PENDING ──► commit SENT (mark_sent) ──► send ──► commit outcome (apply, by the Journal)
//! ```
//!
//! 1. The import inserts every row of a chunk in one transaction
//!    ([`Ledger::insert_rows`]): valid rows PENDING, invalid ones REJECTED.
//! 2. Before a group of requests goes out, [`Ledger::mark_sent`] commits those
//!    rows as SENT (for upserts, [`Ledger::mark_sent_with_images`] commits the
//!    before-images in the same transaction). Only then are they sent.
//! 3. Answers (CREATED, UPDATED, FAILED) may be buffered and committed in
//!    batches by the [`Journal`], the one thread that writes the ledger for
//!    an import, resume or revert: losing that buffer in a crash leaves the
//!    rows SENT, never wrong.
//!
//! `ferry resume` then sends PENDING rows, settles SENT rows (in doubt) by
//! asking the target for the client id before resending, and skips settled
//! rows ([`RowStatus::is_settled`]). Revert walks CREATED and UPDATED rows
//! ([`RowRecord::revert_action`]): delete, or restore the before-image unless
//! the client's `lastModifiedDate` moved past the one recorded after our write.
//! A revert killed between its request and its commit finds its own write
//! there: a client equal to its before-image is RESTORED, not KEPT.
//!
//! Row changes are checked against [`RowStatus::can_become`] in the same SQL
//! statement that makes them, so a broken caller gets an error instead of a
//! ledger that lies. An UPDATED row must have a before-image, and the first
//! before-image recorded for a row is never overwritten (a resend would
//! otherwise record our own write as "before").
//!
//! # Ownership
//!
//! A CREATED row records why its client is this event's (`evidence`, see
//! `push::ownership`), and the `claims` table, filled by a trigger when a row
//! becomes CREATED, holds one owner per client id per target among events
//! not reverted: a second claim turns that row FAILED 316 naming the owner
//! instead ([`Ledger::owner_of`]). DELETED rows and REVERTED events give their
//! claims up. [`Ledger::create_event_unless_imported`] refuses a second live
//! event for the same source and target in the same transaction that would
//! create it; [`Ledger::approve`] refuses an event with rows PENDING or SENT.
//!
//! # Locking
//!
//! Writing rows needs the event's lock ([`Ledger::lock`]; [`Ledger::create_event`]
//! takes it). The lock names the holding process (pid and start time); a lock
//! whose process is gone is taken over, so `kill -9` never leaves an event
//! stuck. It is released when the [`Ledger`] is dropped.
//!
//! # Files
//!
//! WAL, `synchronous=NORMAL`: every commit survives the process being killed
//! (not a power cut). The ledger file and its -wal and -shm are mode 0600
//! (created so, or narrowed if found wider): upsert before-images hold
//! personal data. Directories created for it are 0700; an existing parent
//! directory is the user's and keeps its mode. Only `import` creates a
//! ledger ([`Ledger::open`]); every other command uses
//! [`Ledger::open_existing`]. The target stored with an event is a base
//! URL; credentials never go in (any userinfo, query or fragment is stripped).
//! A [`Ledger`] is `Send` but not `Sync`: give it to one thread.

mod document_store;
mod error;
mod event;
mod event_store;
mod export_store;
mod failure_store;
mod fingerprint;
mod journal;
mod lock;
mod row;
mod row_store;
mod run_store;
mod schema;
mod status;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension};

use crate::model::MigrationEventState;

pub use document_store::{DocumentBefore, DocumentState, RowDocument};
pub use error::LedgerError;
pub use event::{EventJoin, EventRecord, ImportMode, NewEvent, StateChange};
pub use export_store::{ExportPage, ExportState};
pub use failure_store::FailureCount;
pub use fingerprint::{fingerprint_file, fingerprint_reader};
pub use journal::{Journal, JournalError, JournalThread};
pub use lock::LockOutcome;
pub use row::{NewRow, RevertAction, RowError, RowRecord, RowUpdate};
pub use run_store::{RunEnd, RunHandle, RunRecord, RunState, RunVerb};
pub use schema::SCHEMA_VERSION;
pub use status::RowStatus;

/// An open ledger file.
pub struct Ledger {
    conn: Connection,
    path: PathBuf,
    /// Identifies this handle's locks (several handles may live in one process).
    token: String,
    /// Event ids whose lock this handle holds.
    locked: Vec<i64>,
}

impl std::fmt::Debug for Ledger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ledger")
            .field("path", &self.path)
            .field("locked", &self.locked)
            .finish()
    }
}

impl Ledger {
    /// Opens the ledger at `path`, creating it (and its directory) if needed.
    pub fn open(path: &Path) -> Result<Ledger, LedgerError> {
        Ok(Ledger {
            conn: schema::open(path)?,
            path: path.to_path_buf(),
            token: format!("{:016x}", fastrand::u64(..)),
            locked: Vec::new(),
        })
    }

    /// Opens the ledger at `path` only if the file is already there: for
    /// every command but `import`, a missing ledger is a mistyped path, and
    /// creating an empty one would only hide that. Creates nothing when it
    /// fails with [`LedgerError::Missing`].
    pub fn open_existing(path: &Path) -> Result<Ledger, LedgerError> {
        match std::fs::symlink_metadata(path) {
            Ok(_) => Self::open(path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(LedgerError::Missing {
                path: path.to_path_buf(),
            }),
            Err(source) => Err(LedgerError::Io {
                path: path.to_path_buf(),
                source,
            }),
        }
    }

    /// The file this ledger lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The internal id and state of the event with exactly this key.
    fn resolve(&self, key: &str) -> Result<(i64, MigrationEventState), LedgerError> {
        let found = self
            .conn
            .prepare_cached("SELECT id, state FROM events WHERE encoded_key = ?1")?
            .query_row([key], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
            .optional()?;
        let (id, state) = found.ok_or_else(|| LedgerError::NotFound(key.to_string()))?;
        Ok((id, event::parse_state(&state)?))
    }

    /// The id of an event whose rows this handle may change: DRAFT and locked here.
    fn writable(&self, key: &str) -> Result<i64, LedgerError> {
        let (id, state) = self.resolve(key)?;
        if state != MigrationEventState::Draft {
            return Err(LedgerError::EventClosed {
                key: key.to_string(),
                state: state.as_str().to_string(),
            });
        }
        if !self.locked.contains(&id) {
            return Err(LedgerError::NotLocked {
                key: key.to_string(),
            });
        }
        Ok(id)
    }
}

impl Drop for Ledger {
    fn drop(&mut self) {
        // Best effort: a lock left behind by a failure here is stale once
        // this process exits and is taken over then.
        let _ = self
            .conn
            .execute("DELETE FROM event_locks WHERE token = ?1", [&self.token]);
    }
}

/// Now, as Mambu writes dates: UTC, RFC 3339 with milliseconds.
fn now() -> String {
    jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

#[cfg(test)]
mod claims_tests;
#[cfg(test)]
mod test_support;

#[cfg(test)]
mod tests {
    use super::test_support::new_event;
    use super::*;

    #[test]
    fn open_existing_refuses_a_missing_ledger_and_creates_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("typo/x.db");
        let err = Ledger::open_existing(&path).unwrap_err();
        assert!(matches!(&err, LedgerError::Missing { path: p } if *p == path));
        assert!(err.to_string().contains("typo/x.db"), "{err}");
        assert!(!dir.path().join("typo").exists());
        let path = dir.path().join("x.db");
        assert!(Ledger::open_existing(&path).is_err());
        assert!(!path.exists());
        drop(Ledger::open(&path).unwrap());
        Ledger::open_existing(&path).expect("an existing ledger opens");
    }

    #[test]
    fn data_survives_a_ledger_that_was_never_closed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ledger.db");
        let mut ledger = Ledger::open(&path).unwrap();
        let key = ledger
            .create_event(&new_event(ImportMode::Create))
            .unwrap()
            .encoded_key;
        ledger
            .insert_rows(&key, &[NewRow::pending(1, 2, Some("C1".into()))])
            .unwrap();
        ledger.mark_sent(&key, &[1]).unwrap();
        std::mem::forget(ledger);
        let reopened = Ledger::open(&path).unwrap();
        let row = reopened.row(&key, 1).unwrap().unwrap();
        assert_eq!(
            (row.status, row.client_id.as_deref()),
            (RowStatus::Sent, Some("C1"))
        );
        assert_eq!(reopened.path(), path);
    }
}
