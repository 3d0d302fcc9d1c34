//! Events in SQLite: creating one (and taking its lock), finding one by a
//! key prefix, listing them, and moving one through Mambu's lifecycle
//! (DRAFT → APPROVED, final, or DRAFT → REVERTED).
//!
//! In: a [`NewEvent`] or a key. Out: [`EventRecord`]s with their row counts.
//! Fails with NotFound / Ambiguous for keys and InvalidTransition for a state
//! change the lifecycle does not allow.

use std::collections::BTreeMap;
use std::path::PathBuf;

use rusqlite::{OptionalExtension, TransactionBehavior};

use super::error::LedgerError;
use super::event::{parse_state, EventJoin, EventRecord, ImportMode, NewEvent, StateChange};
use super::status::RowStatus;
use super::{lock, now, Ledger};
use crate::credentials::strip_credentials;
use crate::model::{MigrationEventState, MigrationEventType};

const EVENT_COLUMNS: &str = "id, encoded_key, creation_date, event_type, state, state_changed_at, \
     source_path, source_fingerprint, mapping_path, mapping_fingerprint, tenant_path, target, mode, \
     columns, tenant_fingerprint, joins";

/// An events row as stored, before its values are checked and counts read.
struct RawEvent {
    id: i64,
    key: String,
    created: String,
    kind: String,
    state: String,
    changed: String,
    source: String,
    source_fp: String,
    mapping: String,
    mapping_fp: String,
    tenant: Option<String>,
    target: String,
    mode: String,
    columns: Option<String>,
    tenant_fp: Option<String>,
    joins: Option<String>,
}

fn read_event(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawEvent> {
    Ok(RawEvent {
        id: r.get(0)?,
        key: r.get(1)?,
        created: r.get(2)?,
        kind: r.get(3)?,
        state: r.get(4)?,
        changed: r.get(5)?,
        source: r.get(6)?,
        source_fp: r.get(7)?,
        mapping: r.get(8)?,
        mapping_fp: r.get(9)?,
        tenant: r.get(10)?,
        target: r.get(11)?,
        mode: r.get(12)?,
        columns: r.get(13)?,
        tenant_fp: r.get(14)?,
        joins: r.get(15)?,
    })
}

impl RawEvent {
    fn into_record(self) -> Result<(i64, EventRecord), LedgerError> {
        let event_type = MigrationEventType::parse(&self.kind);
        if !event_type.is_known() {
            return Err(LedgerError::Corrupt(format!(
                "unknown event type {:?}",
                self.kind
            )));
        }
        let mode = ImportMode::parse(&self.mode)
            .ok_or_else(|| LedgerError::Corrupt(format!("unknown import mode {:?}", self.mode)))?;
        let record = EventRecord {
            encoded_key: self.key,
            creation_date: self.created,
            event_type,
            state: parse_state(&self.state)?,
            state_changed_at: self.changed,
            source_path: PathBuf::from(self.source),
            source_fingerprint: self.source_fp,
            mapping_path: PathBuf::from(self.mapping),
            mapping_fingerprint: self.mapping_fp,
            tenant_path: self.tenant.map(PathBuf::from),
            tenant_fingerprint: self.tenant_fp,
            target: self.target,
            mode,
            columns: self
                .columns
                .as_deref()
                .and_then(|c| serde_json::from_str(c).ok())
                .unwrap_or_default(),
            joins: match self.joins.as_deref() {
                None => Vec::new(),
                Some(j) => serde_json::from_str(j)
                    .map_err(|e| LedgerError::Corrupt(format!("event joins: {e}")))?,
            },
            counts: BTreeMap::new(),
            exported: 0,
        };
        Ok((self.id, record))
    }
}

impl Ledger {
    /// Opens a new IMPORT event in state DRAFT and takes its lock.
    pub fn create_event(&mut self, new: &NewEvent) -> Result<EventRecord, LedgerError> {
        self.create_event_guarded(new, false)
    }

    /// [`create_event`](Self::create_event), unless the same source (by
    /// fingerprint) already has a DRAFT or APPROVED event against the same
    /// target: then [`LedgerError::AlreadyImported`] names it. The check and
    /// the insert share one write transaction, so of two imports of one file
    /// started at the same moment exactly one goes ahead.
    pub fn create_event_unless_imported(
        &mut self,
        new: &NewEvent,
    ) -> Result<EventRecord, LedgerError> {
        self.create_event_guarded(new, true)
    }

    fn create_event_guarded(
        &mut self,
        new: &NewEvent,
        guard: bool,
    ) -> Result<EventRecord, LedgerError> {
        let key = format!("{:032x}", fastrand::u128(..));
        let created = now();
        let target = strip_credentials(&new.target);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        if guard {
            let earlier = tx
                .query_row(
                    "SELECT encoded_key, state FROM events
                     WHERE source_fingerprint = ?1 AND target = ?2 AND state != 'REVERTED'
                     ORDER BY id LIMIT 1",
                    rusqlite::params![new.source_fingerprint, target],
                    |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
                )
                .optional()?;
            if let Some((key, state)) = earlier {
                return Err(LedgerError::AlreadyImported {
                    key,
                    state,
                    source_path: new.source_path.display().to_string(),
                    target,
                });
            }
        }
        tx.execute(
            "INSERT INTO events (encoded_key, creation_date, event_type, state, state_changed_at, \
             source_path, source_fingerprint, mapping_path, mapping_fingerprint, tenant_path, target, mode, \
             tenant_fingerprint) VALUES (?1, ?2, ?3, ?4, ?2, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            rusqlite::params![
                key,
                created,
                MigrationEventType::Import.as_str(),
                MigrationEventState::Draft.as_str(),
                new.source_path.to_string_lossy(),
                new.source_fingerprint,
                new.mapping_path.to_string_lossy(),
                new.mapping_fingerprint,
                new.tenant_path.as_ref().map(|p| p.to_string_lossy()),
                target,
                new.mode.as_str(),
                new.tenant_fingerprint,
            ],
        )?;
        let id = tx.last_insert_rowid();
        lock::write_lock(&tx, id, &self.token, &created)?;
        tx.commit()?;
        self.locked.push(id);
        self.event(&key)
    }

    /// The event with this key, or the only one whose key starts with it.
    pub fn event(&self, key_prefix_or_key: &str) -> Result<EventRecord, LedgerError> {
        let wanted = key_prefix_or_key.trim().to_ascii_lowercase();
        let not_found = || LedgerError::NotFound(key_prefix_or_key.to_string());
        // Only hex can match, and checking it keeps LIKE's wildcards out.
        if wanted.is_empty() || !wanted.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(not_found());
        }
        let sql = format!("SELECT {EVENT_COLUMNS} FROM events WHERE encoded_key LIKE ?1 || '%' ORDER BY encoded_key LIMIT 11");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut found = stmt
            .query_map([&wanted], read_event)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        if let Some(i) = found.iter().position(|f| f.key == wanted) {
            found = vec![found.swap_remove(i)];
        }
        match found.len() {
            0 => Err(not_found()),
            1 => {
                let raw = found.pop().ok_or_else(not_found)?;
                self.with_counts(raw)
            }
            _ => Err(LedgerError::Ambiguous {
                prefix: key_prefix_or_key.to_string(),
                candidates: found.into_iter().map(|f| f.key).collect(),
            }),
        }
    }

    /// Every event, newest first.
    pub fn events(&self) -> Result<Vec<EventRecord>, LedgerError> {
        let sql =
            format!("SELECT {EVENT_COLUMNS} FROM events ORDER BY creation_date DESC, id DESC");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let raws = stmt
            .query_map([], read_event)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        raws.into_iter().map(|raw| self.with_counts(raw)).collect()
    }

    /// Moves the event to `state`: DRAFT → APPROVED or DRAFT → REVERTED.
    /// Asking for the state it is already in is [`StateChange::Unchanged`];
    /// anything else is [`LedgerError::InvalidTransition`]. Refused with
    /// [`LedgerError::Locked`] while another live process works on the event.
    pub fn set_state(
        &mut self,
        key: &str,
        state: MigrationEventState,
    ) -> Result<StateChange, LedgerError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let found = tx
            .query_row(
                "SELECT id, state FROM events WHERE encoded_key = ?1",
                [key],
                |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)),
            )
            .optional()?;
        let (id, current) = found.ok_or_else(|| LedgerError::NotFound(key.to_string()))?;
        let current = parse_state(&current)?;
        if current == state {
            return Ok(StateChange::Unchanged);
        }
        let allowed = current == MigrationEventState::Draft
            && matches!(
                state,
                MigrationEventState::Approved | MigrationEventState::Reverted
            );
        if !allowed {
            return Err(LedgerError::InvalidTransition {
                key: key.to_string(),
                from: current.as_str().to_string(),
                to: state.as_str().to_string(),
            });
        }
        lock::check_not_held_elsewhere(&tx, id, key, &self.token)?;
        tx.execute(
            "UPDATE events SET state = ?1, state_changed_at = ?2 WHERE id = ?3",
            rusqlite::params![state.as_str(), now(), id],
        )?;
        tx.commit()?;
        Ok(StateChange::Changed)
    }

    /// Keeps the related files given on the command line with the event, so
    /// that a resume reads the same ones.
    pub fn set_joins(&mut self, key: &str, joins: &[EventJoin]) -> Result<(), LedgerError> {
        let (id, _) = self.resolve(key)?;
        let json = serde_json::to_string(joins)
            .map_err(|e| LedgerError::Corrupt(format!("joins: {e}")))?;
        self.conn.execute(
            "UPDATE events SET joins = ?1 WHERE id = ?2",
            rusqlite::params![json, id],
        )?;
        Ok(())
    }

    /// Keeps the source's header with the event, for failures.csv.
    pub fn set_columns(&mut self, key: &str, columns: &[String]) -> Result<(), LedgerError> {
        let (id, _) = self.resolve(key)?;
        let json = serde_json::to_string(columns)
            .map_err(|e| LedgerError::Corrupt(format!("columns: {e}")))?;
        self.conn.execute(
            "UPDATE events SET columns = ?1 WHERE id = ?2",
            rusqlite::params![json, id],
        )?;
        Ok(())
    }

    /// DRAFT → APPROVED, refused with [`LedgerError::Unfinished`] while any
    /// row is still PENDING or SENT: an approved event is final, so it must
    /// say what was done, not what was meant to be.
    pub fn approve(&mut self, key: &str) -> Result<StateChange, LedgerError> {
        let counts = self.counts(key)?;
        let n = |s| counts.get(&s).copied().unwrap_or(0);
        let (pending, in_doubt) = (n(RowStatus::Pending), n(RowStatus::Sent));
        let (_, state) = self.resolve(key)?;
        if state == MigrationEventState::Draft && pending + in_doubt > 0 {
            return Err(LedgerError::Unfinished {
                key: key.to_string(),
                pending,
                in_doubt,
            });
        }
        self.set_state(key, MigrationEventState::Approved)
    }

    /// The event that owns the client `client_id` on `target`, if any.
    pub fn owner_of(&self, target: &str, client_id: &str) -> Result<Option<String>, LedgerError> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT e.encoded_key FROM claims c JOIN events e ON e.id = c.event_id
                 WHERE c.target = ?1 AND c.client_id = ?2",
            )?
            .query_row(rusqlite::params![target, client_id], |r| r.get(0))
            .optional()?)
    }

    /// Rows of the event per status; statuses with no rows are absent.
    pub fn counts(&self, event: &str) -> Result<BTreeMap<RowStatus, u64>, LedgerError> {
        let (id, _) = self.resolve(event)?;
        self.counts_by_id(id)
    }

    fn counts_by_id(&self, id: i64) -> Result<BTreeMap<RowStatus, u64>, LedgerError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT status, count(*) FROM rows WHERE event_id = ?1 GROUP BY status",
        )?;
        let pairs = stmt
            .query_map([id], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        pairs
            .into_iter()
            .map(|(code, n)| {
                let st = RowStatus::from_code(code)
                    .ok_or_else(|| LedgerError::Corrupt(format!("unknown row status {code}")))?;
                Ok((st, u64::try_from(n).unwrap_or(0)))
            })
            .collect()
    }

    fn with_counts(&self, raw: RawEvent) -> Result<EventRecord, LedgerError> {
        let (id, mut record) = raw.into_record()?;
        record.counts = self.counts_by_id(id)?;
        if record.event_type == MigrationEventType::Export {
            record.exported = super::export_store::exported_count(&self.conn, id)?;
        }
        Ok(record)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::test_support::{new_event, temp_ledger};
    use crate::ledger::NewRow;

    fn is_millis_utc(s: &str) -> bool {
        // 2026-11-22T18:10:11.071Z
        let b = s.as_bytes();
        b.len() == 24
            && b[4] == b'-'
            && b[10] == b'T'
            && b[19] == b'.'
            && b[23] == b'Z'
            && s.parse::<jiff::Timestamp>().is_ok()
    }

    #[test]
    fn new_event_is_an_import_draft_with_a_random_hex_key() {
        let (_dir, mut ledger) = temp_ledger();
        let ev = ledger.create_event(&new_event(ImportMode::Upsert)).unwrap();
        assert_eq!(ev.encoded_key.len(), 32);
        assert!(ev
            .encoded_key
            .bytes()
            .all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f')));
        assert!(is_millis_utc(&ev.creation_date), "{}", ev.creation_date);
        assert_eq!(ev.state, MigrationEventState::Draft);
        assert_eq!(ev.event_type, MigrationEventType::Import);
        assert_eq!(ev.mode, ImportMode::Upsert);
        assert_eq!(ev.source_path, PathBuf::from("/data/clients.csv"));
        assert_eq!(ev.mapping_fingerprint, "fedcba9876543210fedcba9876543210");
        assert_eq!(ev.tenant_path, None);
        assert!(ev.counts.is_empty());
        let other = ledger.create_event(&new_event(ImportMode::Create)).unwrap();
        assert_ne!(other.encoded_key, ev.encoded_key);
    }

    #[test]
    fn approve_is_final_and_twice_is_a_no_op() {
        let (_dir, mut ledger) = temp_ledger();
        let key = ledger
            .create_event(&new_event(ImportMode::Create))
            .unwrap()
            .encoded_key;
        assert_eq!(
            ledger
                .set_state(&key, MigrationEventState::Approved)
                .unwrap(),
            StateChange::Changed
        );
        assert_eq!(
            ledger
                .set_state(&key, MigrationEventState::Approved)
                .unwrap(),
            StateChange::Unchanged
        );
        for to in [MigrationEventState::Reverted, MigrationEventState::Draft] {
            let err = ledger.set_state(&key, to.clone()).unwrap_err();
            assert!(
                matches!(&err, LedgerError::InvalidTransition { from, to: t, .. } if from == "APPROVED" && t == to.as_str()),
                "{err}"
            );
        }
        let ev = ledger.event(&key).unwrap();
        assert_eq!(ev.state, MigrationEventState::Approved);
        assert!(is_millis_utc(&ev.state_changed_at));
    }

    #[test]
    fn draft_can_be_reverted_and_reverted_is_final() {
        let (_dir, mut ledger) = temp_ledger();
        let key = ledger
            .create_event(&new_event(ImportMode::Create))
            .unwrap()
            .encoded_key;
        assert_eq!(
            ledger
                .set_state(&key, MigrationEventState::Reverted)
                .unwrap(),
            StateChange::Changed
        );
        assert_eq!(
            ledger
                .set_state(&key, MigrationEventState::Reverted)
                .unwrap(),
            StateChange::Unchanged
        );
        assert!(matches!(
            ledger.set_state(&key, MigrationEventState::Approved),
            Err(LedgerError::InvalidTransition { .. })
        ));
        assert!(matches!(
            ledger.set_state("0000", MigrationEventState::Approved),
            Err(LedgerError::NotFound(_))
        ));
    }

    #[test]
    fn rows_of_a_decided_event_cannot_change() {
        let (_dir, mut ledger) = temp_ledger();
        let key = ledger
            .create_event(&new_event(ImportMode::Create))
            .unwrap()
            .encoded_key;
        ledger
            .insert_rows(&key, &[NewRow::pending(1, 2, None)])
            .unwrap();
        ledger
            .set_state(&key, MigrationEventState::Approved)
            .unwrap();
        let err = ledger.mark_sent(&key, &[1]).unwrap_err();
        assert!(
            matches!(&err, LedgerError::EventClosed { state, .. } if state == "APPROVED"),
            "{err}"
        );
        assert!(matches!(
            ledger.insert_rows(&key, &[NewRow::pending(2, 3, None)]),
            Err(LedgerError::EventClosed { .. })
        ));
    }

    #[test]
    fn lookup_by_unique_prefix_and_ambiguity_is_reported() {
        let (_dir, mut ledger) = temp_ledger();
        // 17 keys over 16 hex digits: at least two share a first digit.
        let keys: Vec<String> = (0..17)
            .map(|_| {
                ledger
                    .create_event(&new_event(ImportMode::Create))
                    .unwrap()
                    .encoded_key
            })
            .collect();
        let key = &keys[3];
        assert_eq!(&ledger.event(key).unwrap().encoded_key, key);
        assert_eq!(&ledger.event(&key.to_uppercase()).unwrap().encoded_key, key);
        assert_eq!(&ledger.event(&key[..12]).unwrap().encoded_key, key);
        let shared = keys
            .iter()
            .find(|k| keys.iter().filter(|o| o[..1] == k[..1]).count() > 1)
            .unwrap();
        match ledger.event(&shared[..1]) {
            Err(LedgerError::Ambiguous { candidates, .. }) => {
                assert!(candidates.len() >= 2);
                assert!(candidates.contains(shared));
                assert!(candidates.iter().all(|c| c.starts_with(&shared[..1])));
            }
            other => panic!("expected Ambiguous, got {other:?}"),
        }
        for missing in ["", "zz", "%", "_", "not-hex"] {
            assert!(
                matches!(ledger.event(missing), Err(LedgerError::NotFound(_))),
                "{missing:?}"
            );
        }
        let absent = if key.starts_with('0') {
            "1".repeat(32)
        } else {
            "0".repeat(32)
        };
        if !keys.contains(&absent) {
            assert!(matches!(
                ledger.event(&absent),
                Err(LedgerError::NotFound(_))
            ));
        }
    }

    #[test]
    fn events_are_listed_newest_first() {
        let (_dir, mut ledger) = temp_ledger();
        let first = ledger
            .create_event(&new_event(ImportMode::Create))
            .unwrap()
            .encoded_key;
        let second = ledger
            .create_event(&new_event(ImportMode::Create))
            .unwrap()
            .encoded_key;
        let third = ledger
            .create_event(&new_event(ImportMode::Upsert))
            .unwrap()
            .encoded_key;
        let listed: Vec<String> = ledger
            .events()
            .unwrap()
            .into_iter()
            .map(|e| e.encoded_key)
            .collect();
        assert_eq!(listed, [third, second, first]);
    }

    #[test]
    fn target_is_stored_as_given_without_credentials() {
        let (_dir, mut ledger) = temp_ledger();
        let plain = ledger.create_event(&new_event(ImportMode::Create)).unwrap();
        assert_eq!(plain.target, "https://bank.sandbox.mambu.com");
        let mut slipped = new_event(ImportMode::Create);
        slipped.target = "https://ann:s3cret@bank.mambu.com:8443/api?apikey=XYZ#frag".into();
        let ev = ledger.create_event(&slipped).unwrap();
        assert_eq!(ev.target, "https://bank.mambu.com:8443/api");
        // Nothing else in the file holds the secret either.
        let hits: i64 = ledger
            .conn
            .query_row(
                "SELECT count(*) FROM events WHERE target LIKE '%s3cret%' OR target LIKE '%XYZ%'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(hits, 0);
    }
}
