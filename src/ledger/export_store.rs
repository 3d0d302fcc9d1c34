//! EXPORT events: `ferry export`'s progress, committed page by page so that
//! a killed export continues where it stopped.
//!
//! In: a new export (target, output file, format, query as JSON), then one
//! [`Ledger::record_export_page`] per page written. Out: [`ExportState`]
//! (where to continue and how long the output file is known to be good) and
//! the encoded keys already written. Fails with [`LedgerError`].
//!
//! The protocol: the export writes a page's clients to its file and fsyncs
//! it, then commits, in ONE transaction, the file's new length, the next
//! page offset, the count and the encoded key of every client written. A
//! crash between the two leaves bytes past the recorded length; the resume
//! cuts the file back to that length and reads the page again, and the keys
//! recorded say which clients are already in the file. An EXPORT event is
//! DRAFT while it runs and APPROVED once finished (nothing to revert: the
//! target was only read). Its `mode` column, which the schema requires, is
//! stored as `create` and means nothing for an export; its `source_path` is
//! the output file.

use std::collections::HashSet;
use std::path::PathBuf;

use rusqlite::{OptionalExtension, TransactionBehavior};

use super::error::LedgerError;
use super::event::EventRecord;
use super::{lock, now, Ledger};
use crate::credentials::strip_credentials;
use crate::model::{MigrationEventState, MigrationEventType};

/// What an export was asked for and how far it got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportState {
    /// The EXPORT event's key.
    pub event: String,
    /// The output file.
    pub out_path: PathBuf,
    /// `csv` or `ndjson`.
    pub format: String,
    /// The query: filters, page size, CSV header (JSON, the export's own).
    pub query: String,
    /// The output file's length after the last committed page.
    pub written_bytes: u64,
    /// The page offset to read next.
    pub next_offset: u64,
    /// Clients written.
    pub exported: u64,
    /// Requests made so far, over every run.
    pub requests: u64,
    /// When the export finished, if it has.
    pub finished_at: Option<String>,
}

/// One page's worth of progress.
#[derive(Debug, Clone, Default)]
pub struct ExportPage {
    /// `(encodedKey, id)` of each client written by this page.
    pub clients: Vec<(String, Option<String>)>,
    /// The output file's length, flushed to disk, with this page.
    pub written_bytes: u64,
    /// The offset to read next.
    pub next_offset: u64,
    /// Requests this page took.
    pub requests: u64,
}

/// The clients an EXPORT event has written (0 if it has no progress row).
pub(super) fn exported_count(conn: &rusqlite::Connection, id: i64) -> Result<u64, LedgerError> {
    let n: Option<i64> = conn
        .prepare_cached("SELECT exported FROM exports WHERE event_id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?;
    Ok(n.unwrap_or(0).max(0) as u64)
}

impl Ledger {
    /// Opens a new EXPORT event (DRAFT, locked by this handle) with its
    /// progress at zero.
    pub fn create_export(
        &mut self,
        target: &str,
        out_path: &std::path::Path,
        format: &str,
        query: &str,
    ) -> Result<EventRecord, LedgerError> {
        let key = format!("{:032x}", fastrand::u128(..));
        let created = now();
        let target = strip_credentials(target);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO events (encoded_key, creation_date, event_type, state, state_changed_at, \
             source_path, source_fingerprint, mapping_path, mapping_fingerprint, tenant_path, target, mode) \
             VALUES (?1, ?2, ?3, ?4, ?2, ?5, '', '', '', NULL, ?6, 'create')",
            rusqlite::params![
                key,
                created,
                MigrationEventType::Export.as_str(),
                MigrationEventState::Draft.as_str(),
                out_path.to_string_lossy(),
                target,
            ],
        )?;
        let id = tx.last_insert_rowid();
        tx.execute(
            "INSERT INTO exports (event_id, out_path, format, query) VALUES (?1, ?2, ?3, ?4)",
            rusqlite::params![id, out_path.to_string_lossy(), format, query],
        )?;
        lock::write_lock(&tx, id, &self.token, &created)?;
        tx.commit()?;
        self.locked.push(id);
        self.event(&key)
    }

    /// The progress of the EXPORT event `key` (a unique prefix will do).
    pub fn export_state(&self, key: &str) -> Result<ExportState, LedgerError> {
        let event = self.event(key)?;
        let (id, _) = self.resolve(&event.encoded_key)?;
        let found = self
            .conn
            .query_row(
                "SELECT out_path, format, query, written_bytes, next_offset, exported, requests, \
                 finished_at FROM exports WHERE event_id = ?1",
                [id],
                |r| {
                    Ok(ExportState {
                        event: event.encoded_key.clone(),
                        out_path: PathBuf::from(r.get::<_, String>(0)?),
                        format: r.get(1)?,
                        query: r.get(2)?,
                        written_bytes: r.get::<_, i64>(3)?.max(0) as u64,
                        next_offset: r.get::<_, i64>(4)?.max(0) as u64,
                        exported: r.get::<_, i64>(5)?.max(0) as u64,
                        requests: r.get::<_, i64>(6)?.max(0) as u64,
                        finished_at: r.get(7)?,
                    })
                },
            )
            .optional()?;
        found.ok_or_else(|| {
            LedgerError::Corrupt(format!("event {} is not an export", event.encoded_key))
        })
    }

    /// The encoded keys of every client the export has written.
    pub fn exported_keys(&self, key: &str) -> Result<HashSet<String>, LedgerError> {
        let (id, _) = self.resolve(key)?;
        let mut stmt = self
            .conn
            .prepare("SELECT encoded_key FROM export_clients WHERE event_id = ?1")?;
        let keys = stmt
            .query_map([id], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<HashSet<_>>>()?;
        Ok(keys)
    }

    /// Commits one page: its clients, the file length and the next offset,
    /// together. The event must be DRAFT and locked by this handle.
    pub fn record_export_page(&mut self, key: &str, page: &ExportPage) -> Result<(), LedgerError> {
        let id = self.writable(key)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            let mut ins = tx.prepare_cached(
                "INSERT INTO export_clients (event_id, encoded_key, client_id) VALUES (?1, ?2, ?3)",
            )?;
            for (k, cid) in &page.clients {
                ins.execute(rusqlite::params![id, k, cid])?;
            }
        }
        tx.execute(
            "UPDATE exports SET written_bytes = ?2, next_offset = ?3, \
             exported = exported + ?4, requests = requests + ?5 WHERE event_id = ?1",
            rusqlite::params![
                id,
                i64::try_from(page.written_bytes).unwrap_or(i64::MAX),
                i64::try_from(page.next_offset).unwrap_or(i64::MAX),
                page.clients.len() as i64,
                i64::try_from(page.requests).unwrap_or(i64::MAX),
            ],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Marks the export finished: APPROVED, with its finishing time.
    pub fn finish_export(&mut self, key: &str) -> Result<(), LedgerError> {
        let id = self.writable(key)?;
        let at = now();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "UPDATE exports SET finished_at = ?2 WHERE event_id = ?1",
            rusqlite::params![id, at],
        )?;
        tx.execute(
            "UPDATE events SET state = ?2, state_changed_at = ?3 WHERE id = ?1",
            rusqlite::params![id, MigrationEventState::Approved.as_str(), at],
        )?;
        tx.commit()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_commit_progress_and_keys_together_and_finish_approves() {
        let dir = tempfile::tempdir().unwrap();
        let mut ledger = Ledger::open(&dir.path().join("l.db")).unwrap();
        let ev = ledger
            .create_export("http://u:p@h/", &dir.path().join("out.csv"), "csv", "{}")
            .unwrap();
        assert_eq!(ev.event_type, MigrationEventType::Export);
        assert_eq!(ev.target, "http://h/", "no credentials kept");
        let key = ev.encoded_key;
        ledger
            .record_export_page(
                &key,
                &ExportPage {
                    clients: vec![("k1".into(), Some("1".into())), ("k2".into(), None)],
                    written_bytes: 120,
                    next_offset: 2,
                    requests: 1,
                },
            )
            .unwrap();
        let st = ledger.export_state(&key[..8]).unwrap();
        assert_eq!(
            (st.written_bytes, st.next_offset, st.exported, st.requests),
            (120, 2, 2, 1)
        );
        assert_eq!(st.format, "csv");
        assert!(st.finished_at.is_none());
        let keys = ledger.exported_keys(&key).unwrap();
        assert_eq!(keys.len(), 2);
        // A key recorded twice is a broken caller: the page is refused whole.
        let again = ExportPage {
            clients: vec![("k3".into(), None), ("k1".into(), None)],
            written_bytes: 200,
            next_offset: 4,
            requests: 1,
        };
        assert!(ledger.record_export_page(&key, &again).is_err());
        assert_eq!(ledger.export_state(&key).unwrap().written_bytes, 120);
        assert_eq!(ledger.exported_keys(&key).unwrap().len(), 2);
        ledger.finish_export(&key).unwrap();
        let ev = ledger.event(&key).unwrap();
        assert_eq!(ev.state, MigrationEventState::Approved);
        assert_eq!(ev.exported, 2);
        assert_eq!(ev.to_migration_event().num_clients_imported, Some(2));
        assert!(ledger.export_state(&key).unwrap().finished_at.is_some());
        assert!(ledger
            .record_export_page(&key, &ExportPage::default())
            .is_err());
    }
}
