//! The undo of a revert, one row at a time: a client the import created is
//! deleted, a client it updated is put back to its before-image, a client
//! someone changed since is KEPT unless forced.
//!
//! In: a page of ledger rows (CREATED, UPDATED, or KEPT / REVERT_FAILED for
//! another try), the target, the journal. Out: one outcome per row
//! journalled: DELETED, RESTORED, KEPT or REVERT_FAILED. A client someone
//! changed since the import (its `lastModifiedDate` moved) is KEPT unless
//! `force`. An updated client is RESTORED only once its full details, read
//! back, equal its before-image but for `lastModifiedDate` (see `restore`),
//! and its documents are back as they were (`push::documents::restore`).
//! Never fails: a refusal or a lost answer is the row's REVERT_FAILED, which
//! the next revert tries again.

use std::sync::Arc;

use serde_json::Value;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::restore_body::{
    differences, restore_body, same_but_last_modified, same_content, state_of,
};
use super::{Outcome, Target};
use crate::ledger::{Journal, RevertAction, RowError, RowRecord, RowStatus, RowUpdate};
use crate::model::state_moves::state_steps;
use crate::report::progress::Progress;

/// Undoes a page of rows, as many at a time as the target takes requests;
/// each row's outcome is counted on `progress` as it is journalled.
pub async fn undo_page(
    page: Vec<RowRecord>,
    target: &Target,
    journal: &Journal,
    force: bool,
    progress: &Progress,
) {
    let slots = Arc::new(Semaphore::new(target.concurrency()));
    let mut running = JoinSet::new();
    for row in page {
        let Ok(slot) = slots.clone().acquire_owned().await else {
            break;
        };
        let (target, journal, progress) = (target.clone(), journal.clone(), progress.clone());
        running.spawn(async move {
            let mut update = undo(&row, &target, force).await;
            if update.status == RowStatus::Restored {
                // The client is back; then the documents the update replaced.
                let who = row.target_key.clone().or_else(|| row.client_id.clone());
                if let Err(p) =
                    super::documents::restore(&row, &who.unwrap_or_default(), &target, &journal)
                        .await
                {
                    update = revert_failed(&row, None, p.name, &p.message);
                }
            }
            progress.inc(1);
            progress.count(match update.status {
                RowStatus::Deleted => "deleted",
                RowStatus::Restored => "restored",
                RowStatus::Kept => "kept",
                _ => "failed",
            });
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
