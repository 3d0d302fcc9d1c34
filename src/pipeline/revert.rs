//! Decisions on a migration event: approve (DRAFT → APPROVED, final) and
//! revert (delete what the import created, restore what it updated, then
//! DRAFT → REVERTED).
//!
//! In: the ledger, an event key, the target it was imported into. Out: the
//! rows journalled DELETED / RESTORED / KEPT / REVERT_FAILED and the event's
//! new state. A client someone changed since the import (its
//! `lastModifiedDate` moved) is KEPT and reported unless `force`. A revert
//! is resumable: run it again and it carries on with the rows left. Fails
//! with `ImportError` when the event or target cannot be used.

use std::path::PathBuf;
use std::sync::Arc;

use serde_json::Value;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::import::{runtime, ImportError};
use super::journal::Journal;
use super::target_session::{Pace, Session, TargetChoice};
use crate::ledger::{
    EventRecord, Ledger, RevertAction, RowError, RowRecord, RowStatus, RowUpdate, StateChange,
};
use crate::model::MigrationEventState;
use crate::push::{Outcome, Target};

/// How a decision ended.
#[derive(Debug)]
pub enum Decision {
    /// The state changed.
    Done(EventRecord),
    /// Nothing to do: the event already was in that state.
    AlreadyThere(EventRecord),
    /// The revert ran but some rows were kept or failed; the event stays DRAFT.
    Incomplete(EventRecord),
}

/// `ferry approve EVENT`.
pub fn approve(ledger_path: &std::path::Path, key: &str) -> Result<Decision, ImportError> {
    let mut ledger = Ledger::open_existing(ledger_path)?;
    let event = ledger.event(key)?;
    if event.state == MigrationEventState::Reverted {
        return Err(ImportError::Usage(format!(
            "migration event {} was reverted; a reverted event cannot be approved",
            event.encoded_key
        )));
    }
    let change = ledger.set_state(&event.encoded_key, MigrationEventState::Approved)?;
    let event = ledger.event(&event.encoded_key)?;
    Ok(match change {
        StateChange::Changed => Decision::Done(event),
        StateChange::Unchanged => Decision::AlreadyThere(event),
    })
}

/// What `ferry revert` was asked to do.
#[derive(Debug, Clone)]
pub struct RevertOptions {
    pub event: String,
    pub ledger: PathBuf,
    pub credentials_file: Option<PathBuf>,
    pub pace: Pace,
    pub force: bool,
}

/// `ferry revert EVENT`.
pub fn revert(opts: &RevertOptions) -> Result<Decision, ImportError> {
    let mut ledger = Ledger::open_existing(&opts.ledger)?;
    let event = ledger.event(&opts.event)?;
    match event.state {
        MigrationEventState::Reverted => return Ok(Decision::AlreadyThere(event)),
        MigrationEventState::Approved => {
            return Err(ImportError::Usage(format!(
            "migration event {} is APPROVED; an approved import is final and cannot be reverted",
            event.encoded_key
        )))
        }
        _ => {}
    }
    ledger.lock(&event.encoded_key)?;
    let mut statuses = vec![
        RowStatus::Created,
        RowStatus::Updated,
        RowStatus::RevertFailed,
    ];
    if opts.force {
        statuses.push(RowStatus::Kept);
    }
    let choice = TargetChoice::for_event(&event);
    let key = event.encoded_key.clone();
    let rt = runtime()?;
    let ledger = rt.block_on(async {
        let session =
            Session::connect(&choice, opts.credentials_file.as_deref(), opts.pace).await?;
        let mut after = 0;
        let mut ledger = ledger;
        loop {
            let page = ledger.rows_with_status(&key, &statuses, after, 2_000)?;
            let Some(last) = page.last() else { break };
            after = last.row;
            let (journal, thread) = Journal::start(ledger, key.clone());
            undo_page(
                page,
                &session.target,
                &journal,
                opts.pace.concurrency.max(1),
                opts.force,
            )
            .await;
            journal.flush().await.map_err(ImportError::Ledger)?;
            drop(journal);
            ledger = thread.finish().map_err(ImportError::Ledger)?;
        }
        session.close().await;
        Ok::<Ledger, ImportError>(ledger)
    })?;
    let mut ledger = ledger;
    let event = ledger.event(&key)?;
    let left: u64 = [
        RowStatus::Created,
        RowStatus::Updated,
        RowStatus::Kept,
        RowStatus::RevertFailed,
        RowStatus::Sent,
    ]
    .iter()
    .map(|s| event.count(*s))
    .sum();
    if left > 0 {
        return Ok(Decision::Incomplete(event));
    }
    ledger.set_state(&key, MigrationEventState::Reverted)?;
    Ok(Decision::Done(ledger.event(&key)?))
}

async fn undo_page(
    page: Vec<RowRecord>,
    target: &Target,
    journal: &Journal,
    concurrency: usize,
    force: bool,
) {
    let slots = Arc::new(Semaphore::new(concurrency));
    let mut running = JoinSet::new();
    for row in page {
        let Ok(slot) = slots.clone().acquire_owned().await else {
            break;
        };
        let (target, journal) = (target.clone(), journal.clone());
        running.spawn(async move {
            let update = undo(&row, &target, force).await;
            let _ = journal.record(update).await;
            drop(slot);
        });
    }
    while running.join_next().await.is_some() {}
}

/// Undoes one row's import.
async fn undo(row: &RowRecord, target: &Target, force: bool) -> RowUpdate {
    let Some(action) = row.revert_action() else {
        return RowUpdate::new(row.row, row.status);
    };
    let who = row
        .target_key
        .clone()
        .or_else(|| row.client_id.clone())
        .unwrap_or_default();
    let current = match target.get_client(&who, true).await {
        Outcome::Ok { body, .. } => Some(body),
        Outcome::NotFound => None,
        Outcome::Refused {
            code, name, body, ..
        } => return revert_failed(row, code.map(|c| i64::from(c.code())), &name, &body),
        Outcome::Unknown { last_error, .. } => {
            return revert_failed(row, None, "NO_ANSWER", &last_error)
        }
    };
    let before: Option<Value> = row
        .before_image
        .as_deref()
        .and_then(|s| serde_json::from_str(s).ok());
    match (action, current) {
        (RevertAction::Delete, None) => RowUpdate::new(row.row, RowStatus::Deleted),
        (RevertAction::Restore, None) => revert_failed(
            row,
            None,
            "CLIENT_GONE",
            "the client no longer exists at the target",
        ),
        (action, Some(now)) => {
            let moved = row.last_modified.as_deref() != now["client"]["lastModifiedDate"].as_str();
            if moved && !force {
                if action == RevertAction::Restore
                    && before.as_ref().is_some_and(|b| same_content(b, &now))
                {
                    // Our own earlier restore landed before a crash.
                    return RowUpdate::new(row.row, RowStatus::Restored);
                }
                return RowUpdate::new(row.row, RowStatus::Kept).with_error(RowError::new(
                    0,
                    "CHANGED_SINCE_IMPORT",
                    "the client was changed at the target after the import; left alone (use --force to revert it anyway)",
                ));
            }
            match action {
                RevertAction::Delete => match target.delete(&who).await {
                    Outcome::Ok { .. } | Outcome::NotFound => {
                        RowUpdate::new(row.row, RowStatus::Deleted)
                    }
                    Outcome::Refused {
                        code, name, body, ..
                    } => revert_failed(row, code.map(|c| i64::from(c.code())), &name, &body),
                    Outcome::Unknown { last_error, .. } => {
                        revert_failed(row, None, "NO_ANSWER", &last_error)
                    }
                },
                RevertAction::Restore => {
                    let Some(before) = before else {
                        return revert_failed(
                            row,
                            None,
                            "NO_BEFORE_IMAGE",
                            "the ledger holds no before-image",
                        );
                    };
                    let body = restore_body(&before, &now);
                    match target.update(&who, body.to_string().as_bytes()).await {
                        Outcome::Ok { .. } => RowUpdate::new(row.row, RowStatus::Restored),
                        Outcome::Refused {
                            code, name, body, ..
                        } => revert_failed(row, code.map(|c| i64::from(c.code())), &name, &body),
                        Outcome::NotFound => {
                            revert_failed(row, None, "CLIENT_GONE", "the client no longer exists")
                        }
                        Outcome::Unknown { last_error, .. } => {
                            revert_failed(row, None, "NO_ANSWER", &last_error)
                        }
                    }
                }
            }
        }
    }
}

fn revert_failed(row: &RowRecord, code: Option<i64>, name: &str, message: &str) -> RowUpdate {
    RowUpdate::new(row.row, RowStatus::RevertFailed).with_error(RowError::new(
        code.unwrap_or(0),
        name,
        message,
    ))
}

/// Fields the server sets; a restore neither sends nor compares them.
const SERVER_OWNED: &[&str] = &[
    "encodedKey",
    "parentKey",
    "clientKey",
    "customFieldKey",
    "customField",
    "indexInList",
    "creationDate",
    "lastModifiedDate",
    "approvedDate",
    "activationDate",
    "closedDate",
    "state",
];

/// An update body that puts the before-image back: every array given (an
/// absent one as empty, since the import may have added entries), nested
/// keys left to the server, the client addressed by its current key.
fn restore_body(before: &Value, now: &Value) -> Value {
    let mut body = content(before);
    body["client"]["encodedKey"] = now["client"]["encodedKey"].clone();
    body
}

/// The parts of a full-details client that a person entered.
fn content(full: &Value) -> Value {
    let mut out = serde_json::json!({});
    let mut client = full["client"].clone();
    strip(&mut client);
    out["client"] = client;
    for list in ["addresses", "idDocuments", "customInformation"] {
        let mut items = full[list].as_array().cloned().unwrap_or_default();
        for item in &mut items {
            strip(item);
        }
        out[list] = Value::Array(items);
    }
    out
}

fn strip(v: &mut Value) {
    if let Some(o) = v.as_object_mut() {
        for k in SERVER_OWNED {
            o.remove(*k);
        }
    }
}

fn same_content(before: &Value, now: &Value) -> bool {
    content(before) == content(now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restore_body_keeps_what_a_person_entered_and_addresses_the_current_client() {
        let before = serde_json::json!({
            "client": {"encodedKey": "old", "id": "7", "firstName": "Ana", "lastModifiedDate": "x", "state": "INACTIVE"},
            "addresses": [{"encodedKey": "a1", "parentKey": "old", "city": "Porto", "indexInList": 0}],
            "customInformation": [{"encodedKey": "c1", "customFieldID": "Tax_ID", "value": "1", "customField": {}}]
        });
        let now =
            serde_json::json!({"client": {"encodedKey": "cur", "id": "7", "firstName": "Anna"}});
        let body = restore_body(&before, &now);
        assert_eq!(
            body["client"],
            serde_json::json!({"encodedKey": "cur", "id": "7", "firstName": "Ana"})
        );
        assert_eq!(body["addresses"], serde_json::json!([{"city": "Porto"}]));
        assert_eq!(body["idDocuments"], serde_json::json!([]));
        assert_eq!(
            body["customInformation"],
            serde_json::json!([{"customFieldID": "Tax_ID", "value": "1"}])
        );
        assert!(same_content(
            &before,
            &serde_json::json!({
                "client": {"encodedKey": "cur", "id": "7", "firstName": "Ana", "lastModifiedDate": "y"},
                "addresses": [{"encodedKey": "a9", "city": "Porto"}],
                "customInformation": [{"customFieldID": "Tax_ID", "value": "1"}]
            })
        ));
    }
}
