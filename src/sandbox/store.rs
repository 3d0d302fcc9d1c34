//! Durable state: one thread owns the SQLite connection and commits every
//! change before the request that made it is answered.
//!
//! In: `Change`s sent over a channel with a oneshot reply. The thread takes
//! whatever commands are queued, applies each in its own savepoint (so a
//! refused command leaves no trace) and commits them in ONE transaction
//! (group commit), then updates the in-memory `Cache` and replies. Out:
//! `Ok(())` or a `StoreError` naming the conflict (id in use, a unique key
//! taken, a stale version). Fails at open on an unreadable or corrupt file.

use std::path::PathBuf;
use std::sync::{Arc, RwLock, RwLockReadGuard};
use std::thread::JoinHandle;

use rusqlite::{params, Connection, OptionalExtension};
use tokio::sync::{mpsc, oneshot};

use super::cache::{Cache, Document, DocumentKind, Record};
use crate::model::ClientRequest;
use crate::tenant::TenantSchema;

/// Where the sandbox keeps its state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreLocation {
    /// A SQLite file; a sandbox restarted on it finds its clients again.
    File(PathBuf),
    /// An in-memory database, gone when the sandbox stops.
    Memory,
}

/// A uniqueness key as stored: a kind code and the value's hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredKey {
    pub kind: i64,
    pub hash: u128,
}

/// One change to the state. A command's changes succeed or fail together.
#[derive(Debug)]
pub enum Change {
    /// A new client (its `seq` is assigned here) and its keys.
    Create {
        record: Record,
        keys: Vec<StoredKey>,
    },
    /// Replaces a client if it is still at `expected_version`; `keys`
    /// replace the client's keys when given.
    Update {
        record: Record,
        keys: Option<Vec<StoredKey>>,
        expected_version: u64,
    },
    /// Removes a client with its keys and documents.
    Delete { encoded_key: String },
    /// Stores or replaces a document.
    PutDocument {
        kind: DocumentKind,
        document: Document,
    },
    /// Removes a document.
    DeleteDocument {
        client_key: String,
        kind: DocumentKind,
    },
}

/// Why a command was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error("client id already in use")]
    IdInUse,
    /// The key at this index of the command's key list belongs to another client.
    #[error("unique key {0} already taken")]
    KeyTaken(usize),
    #[error("client changed since it was read")]
    Stale,
    #[error("client not found")]
    NotFound,
    #[error("store failure: {0}")]
    Internal(String),
    #[error("store is closed")]
    Closed,
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Internal(e.to_string())
    }
}

struct Command {
    changes: Vec<Change>,
    /// Stop the thread once this batch is committed.
    stop: bool,
    reply: oneshot::Sender<Result<(), StoreError>>,
}

/// The handle handlers hold: a channel to the store thread and the cache.
pub struct Store {
    tx: mpsc::Sender<Command>,
    cache: Arc<RwLock<Cache>>,
    thread: std::sync::Mutex<Option<JoinHandle<()>>>,
}

/// What `Store::open` hands back besides the store.
pub struct Opened {
    pub store: Store,
    /// The tenant kept in the file, if any (seeded by an earlier start).
    pub stored_tenant: Option<TenantSchema>,
}

/// The most commands committed in one transaction.
const MAX_BATCH: usize = 2048;

impl Store {
    /// Opens (or creates) the database, stores `tenant` when given, loads
    /// every client into the cache and starts the store thread.
    pub fn open(
        location: &StoreLocation,
        tenant: Option<&TenantSchema>,
    ) -> Result<Opened, StoreError> {
        let conn = match location {
            StoreLocation::File(path) => Connection::open(path)?,
            StoreLocation::Memory => Connection::open_in_memory()?,
        };
        conn.execute_batch(
            "PRAGMA journal_mode=WAL;
             PRAGMA synchronous=NORMAL;
             CREATE TABLE IF NOT EXISTS clients(
                 seq INTEGER PRIMARY KEY,
                 encoded_key TEXT NOT NULL UNIQUE,
                 id TEXT NOT NULL UNIQUE,
                 version INTEGER NOT NULL,
                 json TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS client_keys(
                 kind INTEGER NOT NULL,
                 hash BLOB NOT NULL,
                 client_key TEXT NOT NULL,
                 PRIMARY KEY(kind, hash)) WITHOUT ROWID;
             CREATE INDEX IF NOT EXISTS client_keys_owner ON client_keys(client_key);
             CREATE TABLE IF NOT EXISTS documents(
                 client_key TEXT NOT NULL,
                 kind TEXT NOT NULL,
                 json TEXT NOT NULL,
                 PRIMARY KEY(client_key, kind)) WITHOUT ROWID;
             CREATE TABLE IF NOT EXISTS meta(name TEXT PRIMARY KEY, value TEXT NOT NULL);",
        )?;
        if let Some(t) = tenant {
            let json = serde_json::to_string(t).map_err(|e| StoreError::Internal(e.to_string()))?;
            conn.execute(
                "INSERT OR REPLACE INTO meta(name, value) VALUES('tenant', ?1)",
                [json],
            )?;
        }
        let stored_tenant = conn
            .query_row("SELECT value FROM meta WHERE name='tenant'", [], |r| {
                r.get::<_, String>(0)
            })
            .optional()?
            .map(|s| serde_json::from_str(&s))
            .transpose()
            .map_err(|e| StoreError::Internal(format!("stored tenant is corrupt: {e}")))?;
        let cache = load(&conn)?;
        let next_seq = cache.clients().last().map_or(1, |r| r.seq + 1);
        let cache = Arc::new(RwLock::new(cache));
        let (tx, rx) = mpsc::channel(8192);
        let thread_cache = Arc::clone(&cache);
        let thread = std::thread::Builder::new()
            .name("sandbox-store".into())
            .spawn(move || run(conn, rx, thread_cache, next_seq))
            .map_err(|e| StoreError::Internal(e.to_string()))?;
        Ok(Opened {
            store: Store {
                tx,
                cache,
                thread: std::sync::Mutex::new(Some(thread)),
            },
            stored_tenant,
        })
    }

    /// Commits `changes` atomically; returns once they are durable and
    /// visible through `read()`.
    pub async fn apply(&self, changes: Vec<Change>) -> Result<(), StoreError> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Command {
                changes,
                stop: false,
                reply,
            })
            .await
            .map_err(|_| StoreError::Closed)?;
        rx.await.map_err(|_| StoreError::Closed)?
    }

    /// The committed state.
    pub fn read(&self) -> RwLockReadGuard<'_, Cache> {
        // A poisoned lock only means a reader panicked; the data is intact.
        self.cache.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Stops the store thread after the queued commands are committed.
    pub async fn close(&self) {
        let handle = self.thread.lock().unwrap_or_else(|e| e.into_inner()).take();
        let Some(handle) = handle else { return };
        let (reply, rx) = oneshot::channel();
        let stop = Command {
            changes: Vec::new(),
            stop: true,
            reply,
        };
        if self.tx.send(stop).await.is_ok() {
            let _ = rx.await;
        }
        let _ = tokio::task::spawn_blocking(move || handle.join()).await;
    }
}

fn load(conn: &Connection) -> Result<Cache, StoreError> {
    let mut cache = Cache::default();
    let mut stmt = conn.prepare("SELECT seq, version, json FROM clients ORDER BY seq")?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, String>(2)?,
        ))
    })?;
    for row in rows {
        let (seq, version, json) = row?;
        let full: ClientRequest = serde_json::from_str(&json)
            .map_err(|e| StoreError::Internal(format!("stored client {seq} is corrupt: {e}")))?;
        cache.put(Arc::new(Record {
            seq,
            version: u64::try_from(version).unwrap_or(0),
            full,
        }));
    }
    let mut stmt = conn.prepare("SELECT kind, json FROM documents ORDER BY client_key, kind")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    for row in rows {
        let (kind, json) = row?;
        let kind = DocumentKind::parse(&kind).ok_or_else(|| {
            StoreError::Internal(format!("stored document kind {kind} is unknown"))
        })?;
        let doc: Document = serde_json::from_str(&json)
            .map_err(|e| StoreError::Internal(format!("stored document is corrupt: {e}")))?;
        cache.put_document(kind, Arc::new(doc));
    }
    Ok(cache)
}

/// What a committed command does to the cache.
enum Effect {
    Put(Arc<Record>),
    Remove(String),
    PutDocument(DocumentKind, Arc<Document>),
    RemoveDocument(String, DocumentKind),
}

fn run(
    mut conn: Connection,
    mut rx: mpsc::Receiver<Command>,
    cache: Arc<RwLock<Cache>>,
    mut next_seq: i64,
) {
    let mut batch: Vec<Command> = Vec::with_capacity(MAX_BATCH);
    let mut outcomes: Vec<Result<Vec<Effect>, StoreError>> = Vec::with_capacity(MAX_BATCH);
    loop {
        let Some(first) = rx.blocking_recv() else {
            return;
        };
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(c) => batch.push(c),
                Err(_) => break,
            }
        }
        let stop = batch.iter().any(|c| c.stop);
        let seq_before = next_seq;
        let committed = commit_batch(&mut conn, &batch, &mut next_seq, &mut outcomes);
        if let Err(e) = committed {
            next_seq = seq_before;
            for c in batch.drain(..) {
                let _ = c.reply.send(Err(e.clone()));
            }
            outcomes.clear();
        } else {
            {
                let mut cache = cache.write().unwrap_or_else(|e| e.into_inner());
                for effects in outcomes.iter_mut().flatten() {
                    for effect in effects.drain(..) {
                        match effect {
                            Effect::Put(r) => cache.put(r),
                            Effect::Remove(k) => cache.remove(&k),
                            Effect::PutDocument(kind, d) => cache.put_document(kind, d),
                            Effect::RemoveDocument(k, kind) => cache.remove_document(&k, kind),
                        }
                    }
                }
            }
            for (c, outcome) in batch.drain(..).zip(outcomes.drain(..)) {
                let _ = c.reply.send(outcome.map(|_| ()));
            }
        }
        if stop {
            return;
        }
    }
}

fn commit_batch(
    conn: &mut Connection,
    batch: &[Command],
    next_seq: &mut i64,
    outcomes: &mut Vec<Result<Vec<Effect>, StoreError>>,
) -> Result<(), StoreError> {
    let mut tx = conn.transaction()?;
    for cmd in batch {
        let mut sp = tx.savepoint()?;
        let seq_before = *next_seq;
        let mut effects = Vec::with_capacity(cmd.changes.len());
        let mut result = Ok(());
        for change in &cmd.changes {
            result = apply_change(&sp, change, next_seq, &mut effects);
            if result.is_err() {
                break;
            }
        }
        match result {
            Ok(()) => {
                sp.commit()?;
                outcomes.push(Ok(effects));
            }
            Err(e) => {
                sp.rollback()?;
                *next_seq = seq_before;
                outcomes.push(Err(e));
            }
        }
    }
    tx.commit()?;
    Ok(())
}

fn is_unique_violation(e: &rusqlite::Error, column: &str) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, Some(msg))
        if f.code == rusqlite::ErrorCode::ConstraintViolation && msg.contains(column))
}

fn insert_keys(conn: &Connection, owner: &str, keys: &[StoredKey]) -> Result<(), StoreError> {
    let mut stmt =
        conn.prepare_cached("INSERT INTO client_keys(kind, hash, client_key) VALUES(?1, ?2, ?3)")?;
    for (i, k) in keys.iter().enumerate() {
        match stmt.execute(params![k.kind, k.hash.to_be_bytes(), owner]) {
            Ok(_) => {}
            Err(e) if is_unique_violation(&e, "client_keys") => {
                return Err(StoreError::KeyTaken(i))
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError::Internal(e.to_string()))
}

fn apply_change(
    conn: &Connection,
    change: &Change,
    next_seq: &mut i64,
    effects: &mut Vec<Effect>,
) -> Result<(), StoreError> {
    match change {
        Change::Create { record, keys } => {
            let seq = *next_seq;
            let mut stmt = conn.prepare_cached(
                "INSERT INTO clients(seq, encoded_key, id, version, json) VALUES(?1, ?2, ?3, 1, ?4)",
            )?;
            match stmt.execute(params![
                seq,
                record.encoded_key(),
                record.id(),
                to_json(&record.full)?
            ]) {
                Ok(_) => {}
                Err(e) if is_unique_violation(&e, "clients.id") => return Err(StoreError::IdInUse),
                Err(e) => return Err(e.into()),
            }
            insert_keys(conn, record.encoded_key(), keys)?;
            *next_seq += 1;
            effects.push(Effect::Put(Arc::new(Record {
                seq,
                version: 1,
                full: record.full.clone(),
            })));
        }
        Change::Update {
            record,
            keys,
            expected_version,
        } => {
            let version = expected_version + 1;
            let mut stmt = conn.prepare_cached(
                "UPDATE clients SET id = ?1, version = ?2, json = ?3 WHERE encoded_key = ?4 AND version = ?5",
            )?;
            let changed = match stmt.execute(params![
                record.id(),
                version as i64,
                to_json(&record.full)?,
                record.encoded_key(),
                *expected_version as i64
            ]) {
                Ok(n) => n,
                Err(e) if is_unique_violation(&e, "clients.id") => return Err(StoreError::IdInUse),
                Err(e) => return Err(e.into()),
            };
            if changed == 0 {
                let exists: Option<i64> = conn
                    .prepare_cached("SELECT seq FROM clients WHERE encoded_key = ?1")?
                    .query_row([record.encoded_key()], |r| r.get(0))
                    .optional()?;
                return Err(if exists.is_some() {
                    StoreError::Stale
                } else {
                    StoreError::NotFound
                });
            }
            if let Some(keys) = keys {
                conn.prepare_cached("DELETE FROM client_keys WHERE client_key = ?1")?
                    .execute([record.encoded_key()])?;
                insert_keys(conn, record.encoded_key(), keys)?;
            }
            effects.push(Effect::Put(Arc::new(Record {
                seq: record.seq,
                version,
                full: record.full.clone(),
            })));
        }
        Change::Delete { encoded_key } => {
            let n = conn
                .prepare_cached("DELETE FROM clients WHERE encoded_key = ?1")?
                .execute([encoded_key])?;
            if n == 0 {
                return Err(StoreError::NotFound);
            }
            conn.prepare_cached("DELETE FROM client_keys WHERE client_key = ?1")?
                .execute([encoded_key])?;
            conn.prepare_cached("DELETE FROM documents WHERE client_key = ?1")?
                .execute([encoded_key])?;
            effects.push(Effect::Remove(encoded_key.clone()));
        }
        Change::PutDocument { kind, document } => {
            conn.prepare_cached(
                "INSERT OR REPLACE INTO documents(client_key, kind, json) VALUES(?1, ?2, ?3)",
            )?
            .execute(params![
                document.document_holder_key,
                kind.as_str(),
                to_json(document)?
            ])?;
            effects.push(Effect::PutDocument(*kind, Arc::new(document.clone())));
        }
        Change::DeleteDocument { client_key, kind } => {
            conn.prepare_cached("DELETE FROM documents WHERE client_key = ?1 AND kind = ?2")?
                .execute(params![client_key, kind.as_str()])?;
            effects.push(Effect::RemoveDocument(client_key.clone(), *kind));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Client;

    fn record(id: &str, key: &str) -> Record {
        Record {
            seq: 0,
            version: 0,
            full: ClientRequest {
                client: Client {
                    id: Some(id.into()),
                    encoded_key: Some(key.into()),
                    ..Client::default()
                },
                ..ClientRequest::default()
            },
        }
    }

    fn create(id: &str, key: &str, keys: Vec<StoredKey>) -> Vec<Change> {
        vec![Change::Create {
            record: record(id, key),
            keys,
        }]
    }

    #[tokio::test]
    async fn refuses_a_taken_id_or_key_and_leaves_no_trace() {
        let opened = Store::open(&StoreLocation::Memory, None).unwrap();
        let s = opened.store;
        let k = StoredKey { kind: 7, hash: 42 };
        s.apply(create("1", "a", vec![k])).await.unwrap();
        assert_eq!(
            s.apply(create("1", "b", vec![])).await,
            Err(StoreError::IdInUse)
        );
        let other = StoredKey { kind: 7, hash: 43 };
        assert_eq!(
            s.apply(create("2", "c", vec![other, k])).await,
            Err(StoreError::KeyTaken(1))
        );
        // The refused create did not keep its first key.
        s.apply(create("3", "d", vec![other])).await.unwrap();
        let ids: Vec<String> = s.read().clients().map(|r| r.id().to_string()).collect();
        assert_eq!(ids, ["1", "3"]);
        s.close().await;
    }

    #[tokio::test]
    async fn updates_compare_versions() {
        let s = Store::open(&StoreLocation::Memory, None).unwrap().store;
        s.apply(create("1", "a", vec![])).await.unwrap();
        let r = s.read().get("a").map(|r| (r.seq, r.version)).unwrap();
        let update = |v| {
            vec![Change::Update {
                record: Record {
                    seq: r.0,
                    ..record("1b", "a")
                },
                keys: None,
                expected_version: v,
            }]
        };
        s.apply(update(r.1)).await.unwrap();
        assert_eq!(s.apply(update(r.1)).await, Err(StoreError::Stale));
        assert_eq!(s.read().get("1b").map(|r| r.version), Some(2));
        assert!(s.read().get("1").is_none());
        s.close().await;
    }

    #[tokio::test]
    async fn a_file_store_keeps_clients_and_tenant_across_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let loc = StoreLocation::File(dir.path().join("s.db"));
        let tenant = TenantSchema {
            name: Some("T".into()),
            ..TenantSchema::default()
        };
        let s = Store::open(&loc, Some(&tenant)).unwrap().store;
        s.apply(create("1", "a", vec![])).await.unwrap();
        s.close().await;
        let again = tokio::task::spawn_blocking(move || Store::open(&loc, None))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(again.stored_tenant, Some(tenant));
        assert_eq!(
            again
                .store
                .read()
                .get("1")
                .map(|r| r.encoded_key().to_string()),
            Some("a".into())
        );
        again.store.close().await;
    }
}
