//! The store thread: applies queued commands to SQLite and commits them as
//! one transaction (group commit), then publishes them to the cache.
//!
//! In: `Command`s from `Store::apply`. Out: each command's outcome on its
//! reply channel, sent only after the transaction holding it committed.
//! A command that is refused (id in use, key taken, stale version, unknown
//! client) leaves no trace and the batch goes on; a failure of SQLite itself
//! fails every command of the batch, which is rolled back.

use std::sync::{Arc, RwLock};

use rusqlite::{params, Connection, OptionalExtension};
use tokio::sync::mpsc;

use super::cache::{Cache, Document, DocumentKind, Record};
use super::store::{Change, Command, StoreError, StoredKey};

/// The most commands committed in one transaction.
const MAX_BATCH: usize = 2048;

/// What a committed command does to the cache.
enum Effect {
    Put(Arc<Record>),
    Remove(String),
    PutDocument(DocumentKind, Arc<Document>),
    RemoveDocument(String, DocumentKind),
}

/// A command's outcome: its effects, or why it was refused.
type Outcome = Result<Vec<Effect>, StoreError>;

/// The store thread's loop; returns when the channel closes or a stop
/// command's batch is committed.
pub(super) fn run(
    conn: Connection,
    mut rx: mpsc::Receiver<Command>,
    cache: Arc<RwLock<Cache>>,
    mut next_seq: i64,
) {
    let mut batch: Vec<Command> = Vec::with_capacity(MAX_BATCH);
    let mut outcomes: Vec<Outcome> = Vec::with_capacity(MAX_BATCH);
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
        if let Err(e) = commit_batch(&conn, &mut batch, &mut next_seq, &mut outcomes) {
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

/// Runs one statement without parameters, parsed once per connection.
fn exec(conn: &Connection, sql: &str) -> Result<(), StoreError> {
    conn.prepare_cached(sql)?.execute([])?;
    Ok(())
}

fn commit_batch(
    conn: &Connection,
    batch: &mut [Command],
    next_seq: &mut i64,
    outcomes: &mut Vec<Outcome>,
) -> Result<(), StoreError> {
    exec(conn, "BEGIN")?;
    let done = apply_batch(conn, batch, next_seq, outcomes).and_then(|()| exec(conn, "COMMIT"));
    if done.is_err() {
        // Whatever SQLite left open goes; a rollback error adds nothing.
        let _ = exec(conn, "ROLLBACK");
    }
    done
}

fn apply_batch(
    conn: &Connection,
    batch: &mut [Command],
    next_seq: &mut i64,
    outcomes: &mut Vec<Outcome>,
) -> Result<(), StoreError> {
    for cmd in batch.iter_mut() {
        let mut changes = std::mem::take(&mut cmd.changes);
        let outcome = match changes.pop() {
            None => Ok(Vec::new()),
            Some(Change::Create { record, json, keys }) if changes.is_empty() => {
                create_alone(conn, record, &json, &keys, next_seq)?
            }
            Some(last) => {
                changes.push(last);
                in_savepoint(conn, changes, next_seq)?
            }
        };
        outcomes.push(outcome);
    }
    Ok(())
}

/// A command of several changes, undone by a savepoint if one is refused.
fn in_savepoint(
    conn: &Connection,
    changes: Vec<Change>,
    next_seq: &mut i64,
) -> Result<Outcome, StoreError> {
    exec(conn, "SAVEPOINT cmd")?;
    let seq_before = *next_seq;
    let mut effects = Vec::with_capacity(changes.len());
    let mut result = Ok(());
    for change in changes {
        result = apply_change(conn, change, next_seq, &mut effects);
        if result.is_err() {
            break;
        }
    }
    match result {
        Ok(()) => {
            exec(conn, "RELEASE cmd")?;
            Ok(Ok(effects))
        }
        Err(e) => {
            exec(conn, "ROLLBACK TO cmd")?;
            exec(conn, "RELEASE cmd")?;
            *next_seq = seq_before;
            Ok(Err(e))
        }
    }
}

/// The common command, a lone create, without a savepoint: each statement
/// is atomic, so a refusal needs only the rows inserted before it removed.
/// Anything but a refusal fails the batch.
fn create_alone(
    conn: &Connection,
    record: Record,
    json: &[u8],
    keys: &[StoredKey],
    next_seq: &mut i64,
) -> Result<Outcome, StoreError> {
    let seq = *next_seq;
    match insert_client(conn, seq, &record, json) {
        Ok(()) => {}
        Err(e @ StoreError::IdInUse) => return Ok(Err(e)),
        Err(e) => return Err(e),
    }
    match insert_keys(conn, record.encoded_key(), keys) {
        Ok(()) => {}
        Err(StoreError::KeyTaken(i)) => {
            let mut stmt =
                conn.prepare_cached("DELETE FROM client_keys WHERE kind = ?1 AND hash = ?2")?;
            for k in &keys[..i] {
                stmt.execute(params![k.kind, k.hash.to_be_bytes()])?;
            }
            conn.prepare_cached("DELETE FROM clients WHERE seq = ?1")?
                .execute([seq])?;
            return Ok(Err(StoreError::KeyTaken(i)));
        }
        Err(e) => return Err(e),
    }
    *next_seq += 1;
    Ok(Ok(vec![Effect::Put(Arc::new(Record {
        seq,
        version: 1,
        ..record
    }))]))
}

fn is_unique_violation(e: &rusqlite::Error, column: &str) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, Some(msg))
        if f.code == rusqlite::ErrorCode::ConstraintViolation && msg.contains(column))
}

/// The JSON column's text; the bytes come from serde_json, so they are UTF-8.
fn json_text(json: &[u8]) -> Result<&str, StoreError> {
    std::str::from_utf8(json).map_err(|e| StoreError::Internal(e.to_string()))
}

fn insert_client(
    conn: &Connection,
    seq: i64,
    record: &Record,
    json: &[u8],
) -> Result<(), StoreError> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO clients(seq, encoded_key, id, version, json) VALUES(?1, ?2, ?3, 1, ?4)",
    )?;
    match stmt.execute(params![
        seq,
        record.encoded_key(),
        record.id(),
        json_text(json)?
    ]) {
        Ok(_) => Ok(()),
        Err(e) if is_unique_violation(&e, "clients.id") => Err(StoreError::IdInUse),
        Err(e) => Err(e.into()),
    }
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

fn apply_change(
    conn: &Connection,
    change: Change,
    next_seq: &mut i64,
    effects: &mut Vec<Effect>,
) -> Result<(), StoreError> {
    match change {
        Change::Create { record, json, keys } => {
            let seq = *next_seq;
            insert_client(conn, seq, &record, &json)?;
            insert_keys(conn, record.encoded_key(), &keys)?;
            *next_seq += 1;
            effects.push(Effect::Put(Arc::new(Record {
                seq,
                version: 1,
                ..record
            })));
        }
        Change::Update {
            record,
            json,
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
                json_text(&json)?,
                record.encoded_key(),
                expected_version as i64
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
                insert_keys(conn, record.encoded_key(), &keys)?;
            }
            effects.push(Effect::Put(Arc::new(Record { version, ..record })));
        }
        Change::Delete { encoded_key } => {
            let n = conn
                .prepare_cached("DELETE FROM clients WHERE encoded_key = ?1")?
                .execute([&encoded_key])?;
            if n == 0 {
                return Err(StoreError::NotFound);
            }
            conn.prepare_cached("DELETE FROM client_keys WHERE client_key = ?1")?
                .execute([&encoded_key])?;
            conn.prepare_cached("DELETE FROM documents WHERE client_key = ?1")?
                .execute([&encoded_key])?;
            effects.push(Effect::Remove(encoded_key));
        }
        Change::PutDocument { kind, document } => {
            let json = serde_json::to_string(&document)
                .map_err(|e| StoreError::Internal(e.to_string()))?;
            conn.prepare_cached(
                "INSERT OR REPLACE INTO documents(client_key, kind, json) VALUES(?1, ?2, ?3)",
            )?
            .execute(params![document.document_holder_key, kind.as_str(), json])?;
            effects.push(Effect::PutDocument(kind, Arc::new(document)));
        }
        Change::DeleteDocument { client_key, kind } => {
            conn.prepare_cached("DELETE FROM documents WHERE client_key = ?1 AND kind = ?2")?
                .execute(params![client_key, kind.as_str()])?;
            effects.push(Effect::RemoveDocument(client_key, kind));
        }
    }
    Ok(())
}
