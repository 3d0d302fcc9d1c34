//! `success.csv` and `failures.csv` of a migration event, written from the
//! ledger, so that they always describe the whole event in row order —
//! after an import, after every resume and after a revert alike.
//!
//! In: a ledger, an event, a directory. Out: `success.csv` (every row whose
//! client the import created or updated: row, id, encodedKey, what became of
//! it since, and the evidence that makes a created client this event's) and
//! `failures.csv` (every row the target refused or a revert could not undo,
//! with the original cells, the code and the message). Owner-only files in
//! an owner-only directory; cells defused against formula injection. Fails
//! with the I/O or ledger error.

use std::path::Path;

use crate::ledger::{EventRecord, Ledger, LedgerError, RowStatus};
use crate::report::{create_private_dir, create_private_file, defuse};

/// Rows read from the ledger per page.
const PAGE: usize = 5_000;

/// Statuses listed in success.csv: what the import did, and what a revert
/// made of it since.
const SUCCEEDED: [RowStatus; 6] = [
    RowStatus::Created,
    RowStatus::Updated,
    RowStatus::Deleted,
    RowStatus::Restored,
    RowStatus::Kept,
    RowStatus::RevertFailed,
];

/// Statuses listed in failures.csv.
const FAILED: [RowStatus; 3] = [RowStatus::Failed, RowStatus::Kept, RowStatus::RevertFailed];

/// Why the outcome files could not be written.
#[derive(Debug, thiserror::Error)]
pub enum OutcomeFilesError {
    /// The report dir or a file in it could not be created or written.
    #[error("writing the outcome files: {0}")]
    Io(#[from] std::io::Error),
    /// A CSV record could not be written.
    #[error("writing the outcome files: {0}")]
    Csv(#[from] csv::Error),
    /// The event's rows could not be read from the ledger.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
}

/// Writes both files for `event` into `dir`, replacing earlier ones.
pub fn write(ledger: &Ledger, event: &EventRecord, dir: &Path) -> Result<(), OutcomeFilesError> {
    create_private_dir(dir)?;
    let key = &event.encoded_key;

    let mut success = csv::Writer::from_writer(create_private_file(&dir.join("success.csv"))?);
    success.write_record(["row", "id", "encodedKey", "status", "evidence"])?;
    for_each_row(ledger, key, &SUCCEEDED, |r| {
        success.write_record([
            r.row.to_string().as_str(),
            &defuse(r.client_id.as_deref().unwrap_or_default()),
            &defuse(r.target_key.as_deref().unwrap_or_default()),
            r.status.as_str(),
            &defuse(r.evidence.as_deref().unwrap_or_default()),
        ])
    })?;
    success.flush()?;

    let mut failures = csv::Writer::from_writer(create_private_file(&dir.join("failures.csv"))?);
    let mut header = vec!["row".to_string(), "line".to_string()];
    header.extend(event.columns.iter().map(|c| defuse(c).into_owned()));
    header.extend(["status", "code", "name", "message"].map(String::from));
    failures.write_record(&header)?;
    let width = event.columns.len();
    for_each_row(ledger, key, &FAILED, |r| {
        if r.status == RowStatus::Rejected && r.source_fields.is_none() {
            return Ok(());
        }
        // Only rows the import turned away carry their cells; revert
        // problems leave them blank, the row number points back at the source.
        let mut cells = r.source_cells();
        cells.resize(width, String::new());
        let error = r.error.clone().unwrap_or_else(|| {
            crate::ledger::RowError::new(0, r.status.as_str(), "see `ferry events show`")
        });
        let mut rec = Vec::with_capacity(width + 6);
        rec.push(r.row.to_string());
        rec.push(r.line.to_string());
        rec.extend(cells.iter().map(|c| defuse(c).into_owned()));
        rec.push(r.status.as_str().to_string());
        rec.push(error.code.to_string());
        rec.push(defuse(&error.name).into_owned());
        rec.push(defuse(&error.message).into_owned());
        failures.write_record(&rec)
    })?;
    failures.flush()?;
    Ok(())
}

/// Calls `f` on every row of the event in `statuses`, in row order.
fn for_each_row(
    ledger: &Ledger,
    key: &str,
    statuses: &[RowStatus],
    mut f: impl FnMut(&crate::ledger::RowRecord) -> csv::Result<()>,
) -> Result<(), OutcomeFilesError> {
    let mut after = 0;
    loop {
        let page = ledger.rows_with_status(key, statuses, after, PAGE)?;
        let Some(last) = page.last() else {
            return Ok(());
        };
        after = last.row;
        for r in &page {
            f(r)?;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::{ImportMode, NewEvent, NewRow, RowError, RowUpdate};

    #[test]
    fn both_files_list_the_whole_event_in_row_order_with_the_original_cells() {
        let dir = tempfile::tempdir().unwrap();
        let mut ledger = Ledger::open(&dir.path().join("l.db")).unwrap();
        let event = ledger
            .create_event(&NewEvent {
                source_path: "/in.csv".into(),
                source_fingerprint: "s".into(),
                mapping_path: "/m.toml".into(),
                mapping_fingerprint: "m".into(),
                tenant_path: None,
                tenant_fingerprint: None,
                target: "http://h".into(),
                mode: ImportMode::Create,
            })
            .unwrap();
        let key = event.encoded_key.clone();
        ledger
            .set_columns(&key, &["id".into(), "name".into()])
            .unwrap();
        let rows: Vec<NewRow> = (1..=4)
            .map(|r| NewRow::pending(r, r + 1, Some(format!("C-{r}"))))
            .collect();
        ledger.insert_rows(&key, &rows).unwrap();
        ledger.mark_sent(&key, &[1, 2, 3, 4]).unwrap();
        // Answers arrive out of order.
        ledger
            .apply(
                &key,
                &[
                    RowUpdate::new(4, RowStatus::Created)
                        .with_target_key("k4")
                        .with_evidence("POST answered 201"),
                    RowUpdate::new(3, RowStatus::Failed)
                        .with_error(RowError::new(316, "CLIENT_ID_ALREADY_IN_USE", "id: taken"))
                        .with_source_fields(["C-3", "=cmd()"]),
                    RowUpdate::new(1, RowStatus::Created).with_target_key("k1"),
                ],
            )
            .unwrap();
        let event = ledger.event(&key).unwrap();
        write(&ledger, &event, &dir.path().join("out")).unwrap();
        let read = |f: &str| std::fs::read_to_string(dir.path().join("out").join(f)).unwrap();
        assert_eq!(
            read("success.csv"),
            "row,id,encodedKey,status,evidence\n1,C-1,k1,CREATED,\n4,C-4,k4,CREATED,POST answered 201\n"
        );
        assert_eq!(
            read("failures.csv"),
            "row,line,id,name,status,code,name,message\n3,4,C-3,'=cmd(),FAILED,316,CLIENT_ID_ALREADY_IN_USE,id: taken\n"
        );
    }
}
