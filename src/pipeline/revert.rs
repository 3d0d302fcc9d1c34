//! Decisions on a migration event: approve (DRAFT → APPROVED, final) and
//! revert (delete what the import created, restore what it updated, then
//! DRAFT → REVERTED).
//!
//! In: the ledger, an event key, the target it was imported into. Out: the
//! rows journalled DELETED / RESTORED / KEPT / REVERT_FAILED (by
//! `push::undo`, page by page), the event's new state, the revert recorded
//! among the event's runs, and the event report (event.html, event.json)
//! written again into the report directory. A revert is
//! resumable: run it again and it carries on with the rows left. Fails with
//! `ImportError` when the event or target cannot be used.

use std::path::PathBuf;

use super::import::{runtime, ImportError};
use super::outcome_files;
use super::target_session::{Pace, Session, TargetChoice};
use crate::ledger::{EventRecord, Journal, Ledger, RowStatus, RunEnd, RunVerb, StateChange};
use crate::model::{MigrationEventState, MigrationEventType};
use crate::push::undo::undo_page;
use crate::report::event_page::EventPage;
use crate::report::progress::Progress;

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

/// An EXPORT event only read the target: there is nothing to approve,
/// revert or resume as an import (`ferry export --resume` continues it).
pub fn refuse_export(event: &EventRecord, verb: &str) -> Result<(), ImportError> {
    if event.event_type != MigrationEventType::Export {
        return Ok(());
    }
    Err(ImportError::Usage(format!(
        "migration event {key} is an EXPORT: an export changes nothing on the target, so it cannot be {verb}; \
         an unfinished export is continued with `ferry export --resume {key}`",
        key = event.encoded_key
    )))
}

/// `ferry approve EVENT`; the event report is written again into `report_dir`.
pub fn approve(
    ledger_path: &std::path::Path,
    key: &str,
    report_dir: &std::path::Path,
) -> Result<Decision, ImportError> {
    let mut ledger = Ledger::open_existing(ledger_path)?;
    let event = ledger.event(key)?;
    refuse_export(&event, "approved")?;
    if event.state == MigrationEventState::Reverted {
        return Err(ImportError::Usage(format!(
            "migration event {} was reverted; a reverted event cannot be approved",
            event.encoded_key
        )));
    }
    let change = ledger.approve(&event.encoded_key)?;
    EventPage::from_ledger(&ledger, &event.encoded_key)?.write(report_dir)?;
    let event = ledger.event(&event.encoded_key)?;
    Ok(match change {
        StateChange::Changed => Decision::Done(event),
        StateChange::Unchanged => Decision::AlreadyThere(event),
    })
}

/// What `ferry revert` was asked to do.
#[derive(Debug, Clone)]
pub struct RevertOptions {
    /// Encoded key of the migration event to revert.
    pub event: String,
    /// The migration ledger the event is recorded in.
    pub ledger: PathBuf,
    /// A credentials file, when not given through the environment.
    pub credentials_file: Option<PathBuf>,
    /// Rate, concurrency and timeout of the requests.
    pub pace: Pace,
    /// Also revert clients changed at the target since the import (rows
    /// otherwise KEPT).
    pub force: bool,
    /// Where success.csv, failures.csv and the event report are written
    /// again afterwards.
    pub report_dir: PathBuf,
    /// Whether to show progress on a terminal.
    pub progress: bool,
}

/// `ferry revert EVENT`.
pub fn revert(opts: &RevertOptions) -> Result<Decision, ImportError> {
    let mut ledger = Ledger::open_existing(&opts.ledger)?;
    let event = ledger.event(&opts.event)?;
    refuse_export(&event, "reverted")?;
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
    let run = ledger.start_run(&event.encoded_key, RunVerb::Revert)?;
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
    // Rows a revert that stopped part-way already undid count as done.
    let done = event.count(RowStatus::Deleted) + event.count(RowStatus::Restored);
    let todo: u64 = statuses.iter().map(|s| event.count(*s)).sum();
    let progress = Progress::rows(opts.progress, "reverting", done + todo, done);
    progress.add_to("deleted", event.count(RowStatus::Deleted));
    if event.count(RowStatus::Restored) > 0 {
        progress.add_to("restored", event.count(RowStatus::Restored));
    }
    let rt = runtime()?;
    let result = rt.block_on(async {
        let session =
            Session::connect(&choice, opts.credentials_file.as_deref(), opts.pace).await?;
        let mut after = 0;
        let mut ledger = ledger;
        loop {
            let page = ledger.rows_with_status(&key, &statuses, after, 2_000)?;
            let Some(last) = page.last() else { break };
            after = last.row;
            let (journal, thread) = Journal::start(ledger, key.clone());
            undo_page(page, &session.target, &journal, opts.force, &progress).await;
            journal.flush().await?;
            drop(journal);
            ledger = thread.finish()?;
        }
        let requests = session.target.stats().requests;
        session.close().await;
        Ok::<_, ImportError>((ledger, requests))
    });
    progress.finish();
    let (ledger, requests) = result?;
    let mut ledger = ledger;
    let event = ledger.event(&key)?;
    outcome_files::write(&ledger, &event, &opts.report_dir)?;
    let end = RunEnd {
        interrupted: false,
        answered: None,
        requests,
    };
    ledger.finish_run(&run, end)?;
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
        EventPage::from_ledger(&ledger, &key)?.write(&opts.report_dir)?;
        return Ok(Decision::Incomplete(event));
    }
    ledger.set_state(&key, MigrationEventState::Reverted)?;
    EventPage::from_ledger(&ledger, &key)?.write(&opts.report_dir)?;
    Ok(Decision::Done(ledger.event(&key)?))
}
