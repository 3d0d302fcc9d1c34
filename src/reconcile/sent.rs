//! What an import sent, rebuilt: the event's source file through its
//! mapping (and tenant), by the same pass the import ran
//! (`pipeline::check`), so that each row's request body is byte for byte
//! what the import would send.
//!
//! In: the import event and the rows wanted. Out: each wanted row's body as
//! JSON, by row number. Fails when the source, mapping or tenant file is
//! gone or has changed since the import (its fingerprint differs): what
//! would be rebuilt then is not what was sent.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde_json::Value;

use super::ReconcileError;
use crate::ledger::{fingerprint_file, EventRecord};
use crate::pipeline::check::{check_file, CheckOptionsForFile, FieldsFor, Prepared};
use crate::report::Body;

fn unchanged(what: &str, path: &Path, recorded: &str) -> Result<(), ReconcileError> {
    let now = fingerprint_file(path).map_err(|e| {
        ReconcileError::Usage(format!(
            "the event's {what} {} cannot be read ({e}): the requests it sent cannot be rebuilt",
            path.display()
        ))
    })?;
    if now != recorded {
        return Err(ReconcileError::Usage(format!(
            "the event's {what} {} has changed since the import: the requests it sent cannot be rebuilt from it",
            path.display()
        )));
    }
    Ok(())
}

/// The request bodies of `rows` as the import built them.
pub fn sent_bodies(
    event: &EventRecord,
    rows: &HashSet<u64>,
) -> Result<HashMap<u64, Value>, ReconcileError> {
    unchanged("source", &event.source_path, &event.source_fingerprint)?;
    unchanged("mapping", &event.mapping_path, &event.mapping_fingerprint)?;
    if let (Some(t), Some(fp)) = (&event.tenant_path, &event.tenant_fingerprint) {
        unchanged("tenant file", t, fp)?;
    }
    for j in &event.joins {
        unchanged("related file", &j.path, &j.fingerprint)?;
    }
    let joins: Vec<(String, std::path::PathBuf)> = event
        .joins
        .iter()
        .map(|j| (j.name.clone(), j.path.clone()))
        .collect();
    let prepared = Prepared::load(
        &event.source_path,
        &event.mapping_path,
        event.tenant_path.as_deref(),
        &joins,
    )
    .map_err(|e| ReconcileError::Usage(e.to_string()))?;
    let opts = CheckOptionsForFile {
        input: event.source_path.clone(),
        mapping: event.mapping_path.clone(),
        tenant: event.tenant_path.clone(),
        threads: None,
        chunk_rows: crate::pipeline::check::DEFAULT_CHUNK_ROWS,
        progress: false,
        require_id: true,
        joins,
    };
    let checked = check_file(prepared, &opts).map_err(|e| ReconcileError::Usage(e.to_string()))?;
    let reader = checked.body_reader()?;
    let mut out = HashMap::with_capacity(rows.len());
    let mut buf = Vec::new();
    checked.replay(FieldsFor::Rejected, |v| {
        if !rows.contains(&v.row) {
            return Ok(());
        }
        let bytes: &[u8] = match v.body {
            None => return Ok(()),
            Some(Body::Bytes(b)) => b,
            Some(Body::Spooled(at)) => reader.read(at, &mut buf)?,
        };
        let body: Value = serde_json::from_slice(bytes)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
        out.insert(v.row, body);
        Ok(())
    })?;
    Ok(out)
}
