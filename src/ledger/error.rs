//! Why a ledger operation failed: a typed error the command line turns into a
//! message and an exit code. Bad data in the file is an error, never a panic.

use std::path::PathBuf;

/// A failed ledger operation.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// The ledger file (or its directory) could not be created or opened.
    #[error("cannot open ledger {path}: {source}")]
    Io {
        /// The ledger file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// A command that reads a ledger was pointed at a file that does not
    /// exist; only `ferry import` creates one.
    #[error("no ledger at {path}; check --ledger (only `ferry import` creates a ledger)")]
    Missing {
        /// The path given.
        path: PathBuf,
    },
    /// The file was written by a newer Ferry with a schema this one does not know.
    #[error("ledger {path} has schema version {found}; this Ferry reads up to {supported}")]
    NewerSchema {
        /// The ledger file.
        path: PathBuf,
        /// `PRAGMA user_version` found in the file.
        found: i64,
        /// The newest version this build understands.
        supported: i64,
    },
    /// No event has this key or key prefix.
    #[error("no migration event matches {0:?}")]
    NotFound(String),
    /// The prefix matches more than one event.
    #[error("{prefix:?} matches {} migration events ({}); give more characters", candidates.len(), candidates.join(", "))]
    Ambiguous {
        /// What was looked up.
        prefix: String,
        /// Every matching key.
        candidates: Vec<String>,
    },
    /// An event state change that Mambu's lifecycle does not allow.
    #[error("migration event {key} is {from}; it cannot become {to}")]
    InvalidTransition {
        /// The event.
        key: String,
        /// Its current state.
        from: String,
        /// The state asked for.
        to: String,
    },
    /// The event is APPROVED or REVERTED, so its rows are final.
    #[error("migration event {key} is {state}; its rows can no longer change")]
    EventClosed {
        /// The event.
        key: String,
        /// Its (final) state.
        state: String,
    },
    /// Another live process is working on the event.
    #[error("migration event {key} is in use by process {pid} (since {since})")]
    Locked {
        /// The event.
        key: String,
        /// The process holding the lock.
        pid: u32,
        /// When it took the lock (RFC 3339).
        since: String,
    },
    /// Rows were written without first taking the event's lock.
    #[error("migration event {key} is not locked by this process; lock it before writing rows")]
    NotLocked {
        /// The event.
        key: String,
    },
    /// A row number that the event does not have.
    #[error("row {row} is not in migration event {key}")]
    RowNotFound {
        /// The event.
        key: String,
        /// The row number.
        row: u64,
    },
    /// A row number inserted twice.
    #[error("row {row} is already in migration event {key}")]
    DuplicateRow {
        /// The event.
        key: String,
        /// The row number.
        row: u64,
    },
    /// A row status change that breaks the journalling protocol.
    #[error("row {row} of migration event {key} is {from}; it cannot become {to}")]
    InvalidRowTransition {
        /// The event.
        key: String,
        /// The row number.
        row: u64,
        /// Its current status.
        from: String,
        /// The status asked for.
        to: String,
    },
    /// An UPDATED row with no before-image could never be reverted.
    #[error("row {row} of migration event {key} cannot be UPDATED without a before-image")]
    MissingBeforeImage {
        /// The event.
        key: String,
        /// The row number.
        row: u64,
    },
    /// The same source file already has a live import into the same target.
    #[error(
        "{source_path} was already imported into {target} as migration event {key} ({state}); \
         revert that event first, or pass --again to import it once more (rows whose client \
         exists then fail with 316 and are never claimed)"
    )]
    AlreadyImported {
        /// The earlier event.
        key: String,
        /// Its state (DRAFT or APPROVED).
        state: String,
        /// The source file.
        source_path: String,
        /// The target.
        target: String,
    },
    /// Approving an event whose rows are not all settled.
    #[error(
        "migration event {key} is not finished: {pending} rows still to send and {in_doubt} \
         sent without a recorded answer; `ferry resume {key}` finishes them, then approve"
    )]
    Unfinished {
        /// The event.
        key: String,
        /// Rows PENDING.
        pending: u64,
        /// Rows SENT.
        in_doubt: u64,
    },
    /// The file holds a value this build cannot read.
    #[error("ledger is damaged: {0}")]
    Corrupt(String),
    /// SQLite itself failed (disk full, locked past the busy timeout, …).
    #[error("ledger: {0}")]
    Sqlite(#[from] rusqlite::Error),
}
