//! Durable state: one thread owns the SQLite connection and commits every
//! change before the request that made it is answered.
//!
//! In: `Change`s sent over a channel with a oneshot reply. The thread
//! (`commit::run`) takes whatever commands are queued, applies each so that
//! a refused command leaves no trace and commits them in ONE transaction
//! (group commit), then updates the in-memory `Cache` and replies. Out:
//! `Ok(())` or a `StoreError` naming the conflict (id in use, a unique key
//! taken, a stale version). Fails at open on an unreadable or corrupt file.
//! The state file and its -wal and -shm are mode 0600, narrowed at open if
//! they were wider (they hold clients' personal data); the directory it is
//! in is the user's and is not touched.

use std::path::PathBuf;
use std::sync::{Arc, RwLock, RwLockReadGuard};
use std::thread::JoinHandle;

use axum::body::Bytes;
use rusqlite::{Connection, OptionalExtension};
use tokio::sync::{mpsc, oneshot};

use super::commit;

use super::cache::{Cache, Document, DocumentKind, Record};
use crate::model::ClientRequest;
use crate::tenant::TenantSchema;

/// Where the sandbox keeps its state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreLocation {
    /// A SQLite file; a sandbox restarted on it finds its clients again.
    File(PathBuf),
    /// State that is gone when the sandbox stops: SQLite's temporary
    /// database, a file unlinked as soon as it is opened, so even a sandbox
    /// killed with -9 leaves nothing on disk. (SQLite's in-memory database
    /// keeps every page in its page cache, which it scans at the end of
    /// each transaction: creates slowed as it grew.)
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
        /// `record.full` serialised (see `client_json`): stored as is.
        json: Bytes,
        keys: Vec<StoredKey>,
    },
    /// Replaces a client if it is still at `expected_version`; `keys`
    /// replace the client's keys when given.
    Update {
        record: Record,
        /// `record.full` serialised (see `client_json`): stored as is.
        json: Bytes,
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

pub(super) struct Command {
    pub(super) changes: Vec<Change>,
    /// Stop the thread once this batch is committed.
    pub(super) stop: bool,
    pub(super) reply: oneshot::Sender<Result<(), StoreError>>,
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

/// A stored client's JSON: the bytes kept in SQLite and sent back as the
/// answer, so a change is serialised once.
pub fn client_json(full: &ClientRequest) -> Result<Bytes, StoreError> {
    serde_json::to_vec(full)
        .map(Bytes::from)
        .map_err(|e| StoreError::Internal(e.to_string()))
}

impl Store {
    /// Opens (or creates) the database, stores `tenant` when given, loads
    /// every client into the cache and starts the store thread.
    pub fn open(
        location: &StoreLocation,
        tenant: Option<&TenantSchema>,
    ) -> Result<Opened, StoreError> {
        let conn = match location {
            StoreLocation::File(path) => {
                // The state holds clients' personal data: owner-only, also
                // when the file (or its -wal, -shm) was there with a wider mode.
                crate::private_files::prepare_sqlite(path)
                    .map_err(|e| StoreError::Internal(format!("sandbox state: {e}")))?;
                let conn = Connection::open(path)?;
                // synchronous=OFF: a commit has reached the OS before its
                // answer, so it survives the sandbox being killed; only a
                // power cut could lose it, which a rehearsal server can
                // afford. A large WAL between checkpoints lets the hot pages
                // (the ends of the append-ordered B-trees) be copied back
                // once, not per batch.
                conn.execute_batch(
                    "PRAGMA journal_mode=WAL;
                     PRAGMA synchronous=OFF;
                     PRAGMA wal_autocheckpoint=16384;
                     PRAGMA journal_size_limit=67108864;",
                )?;
                conn
            }
            StoreLocation::Memory => {
                // An empty name is SQLite's temporary database: a file it
                // unlinks as soon as it opens it, so nothing is left behind
                // however the sandbox ends (kill -9 included). Nothing needs
                // to survive a crash, so the journal stays in memory.
                let conn = Connection::open("")?;
                conn.execute_batch(
                    "PRAGMA journal_mode=MEMORY;
                     PRAGMA synchronous=OFF;
                     PRAGMA cache_size=-16384;",
                )?;
                conn
            }
        };
        // Begin, commit and savepoints run as cached statements, with the
        // writes: more than rusqlite's default of 16.
        conn.set_prepared_statement_cache_capacity(64);
        conn.execute_batch(
            "PRAGMA temp_store=MEMORY;
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
            .map_err(|e| {
                // A state file from before a change to the tenant file's
                // shape: --tenant replaces what it holds.
                StoreError::Internal(format!(
                    "the tenant stored in the state file cannot be read (start with --tenant \
                     to replace it): {e}"
                ))
            })?;
        let cache = load(&conn)?;
        let next_seq = cache.clients().last().map_or(1, |r| r.seq + 1);
        let cache = Arc::new(RwLock::new(cache));
        let (tx, rx) = mpsc::channel(8192);
        let thread_cache = Arc::clone(&cache);
        let thread = std::thread::Builder::new()
            .name("sandbox-store".into())
            .spawn(move || commit::run(conn, rx, thread_cache, next_seq))
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
        let record = record(id, key);
        let json = client_json(&record.full).unwrap();
        vec![Change::Create { record, json, keys }]
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
        // The refused create kept neither its first key nor its row.
        s.apply(create("3", "d", vec![other])).await.unwrap();
        let ids: Vec<String> = s.read().clients().map(|r| r.id().to_string()).collect();
        assert_eq!(ids, ["1", "3"]);
        s.apply(create("2", "c", vec![])).await.unwrap();
        s.close().await;
    }

    #[tokio::test]
    async fn updates_compare_versions() {
        let s = Store::open(&StoreLocation::Memory, None).unwrap().store;
        s.apply(create("1", "a", vec![])).await.unwrap();
        let r = s.read().get("a").map(|r| (r.seq, r.version)).unwrap();
        let update = |v| {
            let record = Record {
                seq: r.0,
                ..record("1b", "a")
            };
            vec![Change::Update {
                json: client_json(&record.full).unwrap(),
                record,
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

    #[tokio::test]
    async fn a_stored_tenant_of_an_old_shape_is_replaced_by_a_given_one() {
        let dir = tempfile::tempdir().unwrap();
        let loc = StoreLocation::File(dir.path().join("s.db"));
        Store::open(&loc, None).unwrap().store.close().await;
        let old = r#"{"duplicateChecks": [{"field": "EMAIL", "action": "ERROR"}]}"#;
        rusqlite::Connection::open(dir.path().join("s.db"))
            .unwrap()
            .execute(
                "INSERT OR REPLACE INTO meta(name, value) VALUES('tenant', ?1)",
                [old],
            )
            .unwrap();
        let err = match Store::open(&loc, None) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("an old tenant shape was read"),
        };
        assert!(
            err.contains("the tenant stored in the state file cannot be read (start with --tenant to replace it): \"duplicateChecks\" gives each check its own action"),
            "{err}"
        );
        let tenant = TenantSchema::default();
        let opened = Store::open(&loc, Some(&tenant)).unwrap();
        assert_eq!(opened.stored_tenant, Some(tenant));
        opened.store.close().await;
    }
}
