//! Fixtures shared by the ledger's unit tests.

use std::path::PathBuf;

use super::{ImportMode, Ledger, NewEvent};

/// A fresh ledger in a temporary directory (kept alive by the returned guard).
pub fn temp_ledger() -> (tempfile::TempDir, Ledger) {
    let dir = tempfile::tempdir().unwrap();
    let ledger = Ledger::open(&dir.path().join("ledger.db")).unwrap();
    (dir, ledger)
}

/// An event description with fixed, recognisable values.
pub fn new_event(mode: ImportMode) -> NewEvent {
    NewEvent {
        source_path: PathBuf::from("/data/clients.csv"),
        source_fingerprint: "0123456789abcdef0123456789abcdef".into(),
        mapping_path: PathBuf::from("/data/clients.toml"),
        mapping_fingerprint: "fedcba9876543210fedcba9876543210".into(),
        tenant_path: None,
        target: "https://bank.sandbox.mambu.com".into(),
        mode,
    }
}
