//! The ledger's SQLite schema, its version, and how a file is opened.
//!
//! In: a path. Out: a connection in WAL mode with `synchronous=NORMAL`
//! (durable against a killed process, the failure we design for), a busy
//! timeout and foreign keys on, at the current schema version. A new file is
//! created with mode 0600 before SQLite touches it, because before-images hold
//! personal data; SQLite gives its -wal and -shm files the same mode. A file
//! (or -wal, -shm) found with a wider mode is narrowed to 0600. A directory
//! Ferry creates for the ledger is 0700; one that existed (often the working
//! directory) is not Ferry's to change (see `crate::private_files`).

use std::path::Path;
use std::time::Duration;

use rusqlite::Connection;

use super::error::LedgerError;

/// The schema version this build writes (`PRAGMA user_version`).
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// How long a writer waits for another connection's transaction.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Version 1. Rows are keyed by (event id, row) without a rowid so that a row
/// lives in the primary-key B-tree itself; the status index serves resume's
/// and revert's "rows in status X, in row order" pages and the counts.
const V1: &str = "
CREATE TABLE events (
    id                  INTEGER PRIMARY KEY,
    encoded_key         TEXT NOT NULL UNIQUE,
    creation_date       TEXT NOT NULL,
    event_type          TEXT NOT NULL,
    state               TEXT NOT NULL,
    state_changed_at    TEXT NOT NULL,
    source_path         TEXT NOT NULL,
    source_fingerprint  TEXT NOT NULL,
    mapping_path        TEXT NOT NULL,
    mapping_fingerprint TEXT NOT NULL,
    tenant_path         TEXT,
    target              TEXT NOT NULL,
    mode                TEXT NOT NULL
);

CREATE TABLE rows (
    event_id      INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    row           INTEGER NOT NULL,
    line          INTEGER NOT NULL,
    client_id     TEXT,
    status        INTEGER NOT NULL,
    outcome       INTEGER,
    target_key    TEXT,
    attempts      INTEGER NOT NULL DEFAULT 0,
    error_code    INTEGER,
    error_name    TEXT,
    error_message TEXT,
    before_image  TEXT,
    last_modified TEXT,
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (event_id, row)
) WITHOUT ROWID;

CREATE INDEX rows_by_status ON rows (event_id, status, row);

CREATE TABLE event_locks (
    event_id      INTEGER PRIMARY KEY REFERENCES events(id) ON DELETE CASCADE,
    pid           INTEGER NOT NULL,
    process_start TEXT NOT NULL,
    token         TEXT NOT NULL,
    acquired_at   TEXT NOT NULL
);

-- Status names, so that a person reading the file with sqlite3 sees words.
CREATE TABLE row_statuses (code INTEGER PRIMARY KEY, name TEXT NOT NULL);
INSERT INTO row_statuses VALUES
    (0, 'REJECTED'), (1, 'PENDING'), (2, 'SENT'), (3, 'CREATED'), (4, 'UPDATED'),
    (5, 'FAILED'), (6, 'SKIPPED'), (7, 'DELETED'), (8, 'RESTORED'), (9, 'KEPT'),
    (10, 'REVERT_FAILED');

CREATE VIEW ledger_rows AS
SELECT e.encoded_key AS event, r.row, r.line, r.client_id, s.name AS status,
       o.name AS outcome, r.target_key, r.attempts, r.error_code, r.error_name,
       r.error_message, r.last_modified, r.updated_at
FROM rows r
JOIN events e ON e.id = r.event_id
JOIN row_statuses s ON s.code = r.status
LEFT JOIN row_statuses o ON o.code = r.outcome;
";

/// Version 2: ownership you can prove, and outcome files from the ledger.
///
/// * `rows.evidence` says why a CREATED row's client is this event's (its own
///   POST answered 201, or a GET after an unanswered attempt found it created
///   inside that attempt's window).
/// * `claims` holds one owner per client id per target. A row becoming
///   CREATED inserts its claim (a trigger, so no code path can skip it); a
///   second event claiming the same client fails on the primary key. A row
///   becoming DELETED, or its event REVERTED, gives the claim up.
/// * `rows.source_fields` keeps a refused row's original cells, and
///   `events.columns` the source's header, so failures.csv can be written
///   again from the ledger for the whole event.
/// * `rows.findings` keeps every finding of a rejected row (field, code,
///   name, message, severity), not only the first.
/// * `events.tenant_fingerprint` records which tenant definitions the rows
///   were checked against, whether given as a file or pulled from the target.
///
/// Ledgers from version 1 get the claims of their CREATED (or still to be
/// reverted) rows; where two events already claimed one client, the first
/// event keeps it.
const V2: &str = "
ALTER TABLE rows ADD COLUMN evidence TEXT;
ALTER TABLE rows ADD COLUMN source_fields TEXT;
ALTER TABLE rows ADD COLUMN findings TEXT;
ALTER TABLE events ADD COLUMN columns TEXT;
ALTER TABLE events ADD COLUMN tenant_fingerprint TEXT;

CREATE TABLE claims (
    target    TEXT NOT NULL,
    client_id TEXT NOT NULL,
    event_id  INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    row       INTEGER NOT NULL,
    PRIMARY KEY (target, client_id)
) WITHOUT ROWID;

CREATE INDEX claims_by_event ON claims (event_id, row);

CREATE TRIGGER claim_on_create AFTER UPDATE OF status ON rows
WHEN NEW.status = 3 AND OLD.status != 3 AND NEW.client_id IS NOT NULL
BEGIN
    INSERT INTO claims (target, client_id, event_id, row)
    SELECT target, NEW.client_id, NEW.event_id, NEW.row FROM events WHERE id = NEW.event_id;
END;

CREATE TRIGGER release_on_delete AFTER UPDATE OF status ON rows
WHEN NEW.status = 7
BEGIN
    DELETE FROM claims WHERE event_id = NEW.event_id AND row = NEW.row;
END;

CREATE TRIGGER release_on_revert AFTER UPDATE OF state ON events
WHEN NEW.state = 'REVERTED'
BEGIN
    DELETE FROM claims WHERE event_id = NEW.id;
END;

INSERT OR IGNORE INTO claims (target, client_id, event_id, row)
SELECT e.target, r.client_id, r.event_id, r.row
FROM rows r JOIN events e ON e.id = r.event_id
WHERE r.outcome = 3 AND r.status IN (3, 9, 10) AND r.client_id IS NOT NULL
  AND e.state != 'REVERTED'
ORDER BY e.id, r.row;

DROP VIEW ledger_rows;
CREATE VIEW ledger_rows AS
SELECT e.encoded_key AS event, r.row, r.line, r.client_id, s.name AS status,
       o.name AS outcome, r.evidence, r.target_key, r.attempts, r.error_code,
       r.error_name, r.error_message, r.findings, r.last_modified, r.updated_at
FROM rows r
JOIN events e ON e.id = r.event_id
JOIN row_statuses s ON s.code = r.status
LEFT JOIN row_statuses o ON o.code = r.outcome;
";

/// Client documents (profile picture, signature) uploaded from files: one
/// entry per row and kind, the state of its upload (SENT before the request
/// leaves, UPLOADED or FAILED after; RESTORED once a revert put the
/// client's earlier document back), and for an upsert the before-image:
/// `had_before` 1 with the document as the target answered it (the base64
/// content, format first) in `before_content`, or 0 when the client had
/// none. NULL `had_before`: the row created the client. The first
/// before-image recorded is never overwritten.
const V_ROW_DOCUMENTS: &str = "
CREATE TABLE row_documents (
    event_id       INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    row            INTEGER NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('PROFILE_PICTURE', 'SIGNATURE')),
    path           TEXT NOT NULL,
    state          TEXT NOT NULL CHECK (state IN ('SENT', 'UPLOADED', 'FAILED', 'RESTORED')),
    had_before     INTEGER,
    before_content TEXT,
    error          TEXT,
    updated_at     TEXT NOT NULL,
    PRIMARY KEY (event_id, row, kind)
) WITHOUT ROWID;
";

/// The runs of each event: every `ferry import`, `resume` and `revert` that
/// worked on it, when it started and ended and how.
///
/// A run is written when it starts (with the process that runs it and the
/// event's row counts at that moment) and again when it ends (`ended_at`,
/// `outcome`, the counts then, rows answered and requests sent). A run
/// killed in between keeps `ended_at` NULL; its process, gone, tells it
/// apart from one still running. Ledgers from before have no runs.
const V_RUNS: &str = "
CREATE TABLE runs (
    id            INTEGER PRIMARY KEY,
    event_id      INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    verb          TEXT NOT NULL,
    started_at    TEXT NOT NULL,
    ended_at      TEXT,
    outcome       TEXT,
    pid           INTEGER NOT NULL,
    process_start TEXT NOT NULL,
    counts_before TEXT NOT NULL,
    counts_after  TEXT,
    answered      INTEGER,
    requests      INTEGER
);

CREATE INDEX runs_by_event ON runs (event_id, id);
";

/// Exports: an EXPORT event's progress, so that a killed `ferry export`
/// continues where its last committed page ended.
///
/// * `exports` holds one row per EXPORT event: the output file and format,
///   the query (filters, page size, CSV header) as JSON, the output file's
///   length after the last committed page (`written_bytes`, everything past
///   it is cut off on resume), the page offset to read next and the count.
/// * `export_clients` holds the encoded key (and id) of every client written,
///   committed in the same transaction as `written_bytes`: a client read
///   again after a resume, or seen twice because the data moved between
///   pages, is skipped.
const V_EXPORTS: &str = "
CREATE TABLE exports (
    event_id      INTEGER PRIMARY KEY REFERENCES events(id) ON DELETE CASCADE,
    out_path      TEXT NOT NULL,
    format        TEXT NOT NULL,
    query         TEXT NOT NULL,
    written_bytes INTEGER NOT NULL DEFAULT 0,
    next_offset   INTEGER NOT NULL DEFAULT 0,
    exported      INTEGER NOT NULL DEFAULT 0,
    requests      INTEGER NOT NULL DEFAULT 0,
    finished_at   TEXT
);
CREATE TABLE export_clients (
    event_id    INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    encoded_key TEXT NOT NULL,
    client_id   TEXT,
    PRIMARY KEY (event_id, encoded_key)
) WITHOUT ROWID;
";

/// Related files given on the command line (`--join NAME=FILE`): a JSON
/// array of `{name, path, fingerprint}`, so that a resume (and a reconcile)
/// reads the same files the import did, and refuses when one has changed.
const V_EVENT_JOINS: &str = "ALTER TABLE events ADD COLUMN joins TEXT;";

/// Each entry moves the schema from version `index` to `index + 1`.
const MIGRATIONS: &[&str] = &[V1, V2, V_ROW_DOCUMENTS, V_RUNS, V_EXPORTS, V_EVENT_JOINS];

/// Opens (creating if needed) the ledger at `path`, at the current schema.
pub fn open(path: &Path) -> Result<Connection, LedgerError> {
    let io = |source| LedgerError::Io {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent() {
        crate::private_files::create_dir_all(dir).map_err(io)?;
    }
    crate::private_files::prepare_sqlite(path).map_err(io)?;
    let mut conn = Connection::open(path)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // journal_mode answers with the mode in force; WAL is refused only on
    // file systems without shared memory, where the default journal still works.
    let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    conn.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")?;
    migrate(&mut conn, path)?;
    Ok(conn)
}

/// Brings the schema up to [`SCHEMA_VERSION`], one transaction per step.
fn migrate(conn: &mut Connection, path: &Path) -> Result<(), LedgerError> {
    loop {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let found: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if !(0..=SCHEMA_VERSION).contains(&found) {
            return Err(LedgerError::NewerSchema {
                path: path.to_path_buf(),
                found,
                supported: SCHEMA_VERSION,
            });
        }
        if found == SCHEMA_VERSION {
            return Ok(());
        }
        // `found` is in 0..SCHEMA_VERSION here, so the index is in bounds.
        tx.execute_batch(MIGRATIONS[found as usize])?;
        tx.pragma_update(None, "user_version", found + 1)?;
        tx.commit()?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creates_schema_and_reopens_without_redoing_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/ledger.db");
        let conn = open(&path).unwrap();
        let v: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, SCHEMA_VERSION);
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let sync: i64 = conn
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .unwrap();
        assert_eq!(sync, 1, "NORMAL");
        let fk: i64 = conn
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        assert_eq!(fk, 1);
        drop(conn);
        let conn = open(&path).unwrap();
        let names: i64 = conn
            .query_row("SELECT count(*) FROM row_statuses", [], |r| r.get(0))
            .unwrap();
        assert_eq!(names, 11);
    }

    #[test]
    fn status_names_match_the_enum() {
        let dir = tempfile::tempdir().unwrap();
        let conn = open(&dir.path().join("l.db")).unwrap();
        for st in super::super::RowStatus::ALL {
            let name: String = conn
                .query_row(
                    "SELECT name FROM row_statuses WHERE code = ?1",
                    [st.code()],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(name, st.as_str());
        }
    }

    #[test]
    fn newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("l.db");
        let conn = open(&path).unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        drop(conn);
        let err = open(&path).unwrap_err();
        assert!(
            matches!(err, LedgerError::NewerSchema { found, .. } if found == SCHEMA_VERSION + 1)
        );
    }

    #[cfg(unix)]
    #[test]
    fn new_file_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("l.db");
        let conn = open(&path).unwrap();
        conn.execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1);")
            .unwrap();
        for p in [path.clone(), dir.path().join("l.db-wal")] {
            let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{}", p.display());
        }
    }
}
