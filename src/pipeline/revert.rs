//! Decisions on a migration event: approve (DRAFT → APPROVED, final) and
//! revert (delete what the import created, restore what it updated, then
//! DRAFT → REVERTED).
//!
//! In: the ledger, an event key, the target it was imported into. Out: the
//! rows journalled DELETED / RESTORED / KEPT / REVERT_FAILED and the event's
//! new state. A client someone changed since the import (its
//! `lastModifiedDate` moved) is KEPT and reported unless `force`. A revert
//! is resumable: run it again and it carries on with the rows left. An
//! updated client is RESTORED only once its full details, read back, equal
//! its before-image but for `lastModifiedDate` (see `restore`). Fails
//! with `ImportError` when the event or target cannot be used.

use std::path::PathBuf;
use std::sync::Arc;

use serde_json::Value;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::import::{runtime, ImportError};
use super::outcome_files;
use super::target_session::{Pace, Session, TargetChoice};
use crate::ledger::Journal;
use crate::ledger::{
    EventRecord, Ledger, RevertAction, RowError, RowRecord, RowStatus, RowUpdate, StateChange,
};
use crate::model::state_moves::state_steps;
use crate::model::MigrationEventState;
use crate::push::restore_body::{
    differences, restore_body, same_but_last_modified, same_content, state_of,
};
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
    let change = ledger.approve(&event.encoded_key)?;
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
    /// Where success.csv and failures.csv are written again afterwards.
    pub report_dir: PathBuf,
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
                opts.pace.concurrency.get(),
                opts.force,
            )
            .await;
            journal.flush().await?;
            drop(journal);
            ledger = thread.finish()?;
        }
        session.close().await;
        Ok::<Ledger, ImportError>(ledger)
    })?;
    let mut ledger = ledger;
    let event = ledger.event(&key)?;
    outcome_files::write(&ledger, &event, &opts.report_dir)?;
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
    match (action, current) {
        (RevertAction::Delete, None) => RowUpdate::new(row.row, RowStatus::Deleted),
        (RevertAction::Restore, None) => revert_failed(
            row,
            None,
            "CLIENT_GONE",
            "the client no longer exists at the target",
        ),
        (RevertAction::Delete, Some(now)) => {
            if moved(row, &now) && !force {
                return kept(row);
            }
            match target.delete(&who).await {
                Outcome::Ok { .. } | Outcome::NotFound => {
                    RowUpdate::new(row.row, RowStatus::Deleted)
                }
                Outcome::Refused {
                    code, name, body, ..
                } => revert_failed(row, code.map(|c| i64::from(c.code())), &name, &body),
                Outcome::Unknown { last_error, .. } => {
                    revert_failed(row, None, "NO_ANSWER", &last_error)
                }
            }
        }
        (RevertAction::Restore, Some(now)) => {
            let before: Option<Value> = row
                .before_image
                .as_deref()
                .and_then(|s| serde_json::from_str(s).ok());
            match before {
                Some(before) => restore(row, target, &who, force, &before, &now).await,
                None => revert_failed(
                    row,
                    None,
                    "NO_BEFORE_IMAGE",
                    "the ledger holds no before-image",
                ),
            }
        }
    }
}

/// Whether someone changed the client since the import recorded it.
fn moved(row: &RowRecord, now: &Value) -> bool {
    row.last_modified.as_deref() != now["client"]["lastModifiedDate"].as_str()
}

fn kept(row: &RowRecord) -> RowUpdate {
    RowUpdate::new(row.row, RowStatus::Kept).with_error(RowError::new(
        0,
        "CHANGED_SINCE_IMPORT",
        "the client was changed at the target after the import; left alone (use --force to revert it anyway)",
    ))
}

/// Puts an updated client back as its before-image: one update that sets
/// every field, list and assignment at once (fields the import added are
/// cleared with null), then the state by allowed PATCH moves, then a read
/// that proves the client equals its before-image but for lastModifiedDate.
/// Each step is skipped when already done, so a revert killed anywhere
/// carries on where it stopped.
async fn restore(
    row: &RowRecord,
    target: &Target,
    who: &str,
    force: bool,
    before: &Value,
    now: &Value,
) -> RowUpdate {
    if same_but_last_modified(before, now) {
        return RowUpdate::new(row.row, RowStatus::Restored);
    }
    // Content equal to the before-image is our own restore having landed
    // (a run stopped before its state step or its journal entry).
    let landed = same_content(before, now);
    if moved(row, now) && !force && !landed {
        return kept(row);
    }
    if !landed {
        let body = restore_body(before, now);
        match target.update(who, body.to_string().as_bytes()).await {
            Outcome::Ok { .. } => {}
            Outcome::Refused {
                code, name, body, ..
            } => return revert_failed(row, code.map(|c| i64::from(c.code())), &name, &body),
            Outcome::NotFound => {
                return revert_failed(row, None, "CLIENT_GONE", "the client no longer exists")
            }
            Outcome::Unknown { last_error, .. } => {
                return revert_failed(row, None, "NO_ANSWER", &last_error)
            }
        }
    }
    let have = state_of(now).unwrap_or("PENDING_APPROVAL");
    if let Some(want) = state_of(before).filter(|w| *w != have) {
        let Some(steps) = state_steps(have, want) else {
            return revert_failed(
                row,
                None,
                "STATE_NOT_RESTORABLE",
                &format!("the client is {have} and Mambu allows no state change back to {want}"),
            );
        };
        for state in steps {
            match target.patch_state(who, state).await {
                Outcome::Ok { .. } => {}
                // A retried PATCH whose first answer was lost is refused as
                // a move to the state the client already has.
                Outcome::Refused { .. }
                    if state_now(target, who).await.as_deref() == Some(state) => {}
                Outcome::Refused {
                    code, name, body, ..
                } => {
                    return revert_failed(
                        row,
                        code.map(|c| i64::from(c.code())),
                        &name,
                        &format!("setting state {state}: {body}"),
                    )
                }
                Outcome::NotFound => {
                    return revert_failed(row, None, "CLIENT_GONE", "the client no longer exists")
                }
                Outcome::Unknown { last_error, .. } => {
                    return revert_failed(row, None, "NO_ANSWER", &last_error)
                }
            }
        }
    }
    match target.get_client(who, true).await {
        Outcome::Ok { body, .. } if same_but_last_modified(before, &body) => {
            RowUpdate::new(row.row, RowStatus::Restored)
        }
        Outcome::Ok { body, .. } => {
            let at = differences(before, &body);
            let why = if at.iter().any(|p| p == "client.preferredLanguage") {
                " (Mambu v1 refuses to clear a preferredLanguage the import set)"
            } else {
                ""
            };
            revert_failed(
                row,
                None,
                "NOT_RESTORED_EXACTLY",
                &format!(
                    "after the restore the client still differs from its before-image at {}{why}",
                    at.join(", ")
                ),
            )
        }
        Outcome::NotFound => revert_failed(row, None, "CLIENT_GONE", "the client no longer exists"),
        Outcome::Refused { name, body, .. } => revert_failed(row, None, &name, &body),
        Outcome::Unknown { last_error, .. } => revert_failed(row, None, "NO_ANSWER", &last_error),
    }
}

async fn state_now(target: &Target, who: &str) -> Option<String> {
    match target.get_client(who, false).await {
        Outcome::Ok { body, .. } => {
            let c = if body.get("client").is_some() {
                &body["client"]
            } else {
                &body
            };
            c["state"].as_str().map(str::to_string)
        }
        _ => None,
    }
}

fn revert_failed(row: &RowRecord, code: Option<i64>, name: &str, message: &str) -> RowUpdate {
    RowUpdate::new(row.row, RowStatus::RevertFailed).with_error(RowError::new(
        code.unwrap_or(0),
        name,
        message,
    ))
}
