//! The sender: valid rows in, each sent at the target's pace and its
//! outcome journalled, reading top to bottom as it works —
//! take a batch → commit it SENT → send each row (bounded concurrency) →
//! journal each answer.
//!
//! In: a channel of [`Job`]s, the row work's [`Context`] (target, journal,
//! mode, tenant) and a stop flag (Ctrl-C); rows in flight are bounded by the
//! target's own concurrency, the one number a run sets. Out: how many
//! rows were answered, and live counts on the progress line. Fails with the
//! journal's error, which ends the run; a row whose work stops without an
//! outcome stays SENT for the next resume to settle.
//!
//! A batch is committed SENT while the previous one is still in flight, so
//! the commit never leaves the rate limiter idle. A crash can leave a few
//! rows SENT that never left: resume settles them by GET, harmlessly.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tokio::sync::{mpsc, Semaphore};
use tokio::task::JoinSet;

use super::row_work::{self, Context, Job, RowWorkError};
use crate::ledger::{ImportMode, JournalError, RowStatus, RowUpdate};
use crate::report::progress::Progress;

/// Requests marked SENT together (one commit).
pub const SEND_BATCH: usize = 64;

/// Sends jobs with bounded concurrency, a batch of SENT marks per commit.
pub async fn dispatch(
    mut jobs: mpsc::Receiver<Job>,
    ctx: Arc<Context>,
    stop: &AtomicBool,
    progress: &Progress,
) -> Result<u64, JournalError> {
    let slots = Arc::new(Semaphore::new(ctx.target.concurrency()));
    let mut running: JoinSet<Result<RowStatus, RowWorkError>> = JoinSet::new();
    let mut tally = Tally::default();
    let mut failure: Option<JournalError> = None;
    'batches: while !stop.load(Ordering::SeqCst) {
        let Some(first) = jobs.recv().await else {
            break;
        };
        let mut batch = vec![first];
        while batch.len() < SEND_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        if ctx.mode == ImportMode::Create {
            let marks = batch.iter().map(|j| (j.row, None)).collect();
            if let Err(e) = ctx.journal.mark_sent(marks).await {
                failure = Some(e);
                break;
            }
        }
        let mut batch = batch.into_iter();
        while let Some(job) = batch.next() {
            if stop.load(Ordering::SeqCst) {
                // Marked but never sent: back to PENDING, nothing in doubt.
                for unsent in std::iter::once(job).chain(batch) {
                    let _ = ctx
                        .journal
                        .record(RowUpdate::new(unsent.row, RowStatus::Pending))
                        .await;
                }
                break 'batches;
            }
            let Ok(slot) = slots.clone().acquire_owned().await else {
                break 'batches;
            };
            let ctx = ctx.clone();
            running.spawn(async move {
                let result = work_one(&job, &ctx).await;
                drop(slot);
                result
            });
            while let Some(done) = running.try_join_next() {
                tally.note(settled(done), progress);
            }
        }
    }
    drop(jobs);
    while let Some(done) = running.join_next().await {
        tally.note(settled(done), progress);
    }
    match failure {
        Some(e) => Err(e),
        None => Ok(tally.answered),
    }
}

/// Live counts for the progress line.
#[derive(Default)]
struct Tally {
    answered: u64,
    created: u64,
    updated: u64,
    failed: u64,
    rejected: u64,
    in_doubt: u64,
}

impl Tally {
    fn note(&mut self, done: Option<RowStatus>, progress: &Progress) {
        self.answered += 1;
        let (count, outcome) = match done {
            Some(RowStatus::Created) => (&mut self.created, "created"),
            Some(RowStatus::Updated) => (&mut self.updated, "updated"),
            Some(RowStatus::Failed) => (&mut self.failed, "failed"),
            Some(RowStatus::Rejected) => (&mut self.rejected, "rejected"),
            _ => (&mut self.in_doubt, "to resend"),
        };
        *count += 1;
        progress.inc(1);
        progress.count(outcome);
    }
}

/// A finished row's status; a row whose work stopped (left SENT, settled
/// by the next resume) is logged and counts as in doubt.
fn settled(
    r: Result<Result<RowStatus, RowWorkError>, tokio::task::JoinError>,
) -> Option<RowStatus> {
    match r {
        Ok(Ok(status)) => Some(status),
        Ok(Err(e)) => {
            tracing::warn!("{e}");
            None
        }
        Err(e) => {
            tracing::warn!("a row's task stopped: {e}");
            None
        }
    }
}

/// One row: the work, then its journal entry.
async fn work_one(job: &Job, ctx: &Context) -> Result<RowStatus, RowWorkError> {
    // An error here leaves the row SENT: in doubt, settled by the next resume.
    let done = row_work::run(job, ctx).await?;
    let status = done.update.status;
    ctx.journal.record(done.update).await?;
    Ok(status)
}
