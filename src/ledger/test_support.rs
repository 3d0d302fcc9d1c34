//! Fixtures shared by the ledger's unit tests.

use std::path::PathBuf;

use super::{ImportMode, Ledger, NewEvent, NewRow};

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
        tenant_fingerprint: None,
        target: "https://bank.sandbox.mambu.com".into(),
        mode,
    }
}

/// A ledger with one event (of `mode`) holding `n` PENDING rows with ids C1…Cn.
pub fn ledger_with_rows(mode: ImportMode, n: u64) -> (tempfile::TempDir, Ledger, String) {
    let (dir, mut ledger) = temp_ledger();
    let key = ledger.create_event(&new_event(mode)).unwrap().encoded_key;
    let rows: Vec<NewRow> = (1..=n)
        .map(|r| NewRow::pending(r, r + 1, Some(format!("C{r}"))))
        .collect();
    ledger.insert_rows(&key, &rows).unwrap();
    (dir, ledger, key)
}
