//! The journal: one thread that owns the ledger for an import, resume or
//! revert, and takes its orders over a channel from the validation replay
//! and from the async pushers.
//!
//! In: row inserts, "about to send" marks (answered only once committed),
//! and outcomes (committed in batches). Out: a ledger that never says more
//! than happened: a row is SENT before its request leaves, and an outcome
//! lost in a crash leaves it SENT, which resume settles by asking the target.
//! Fails with the first `LedgerError`, which ends the run.

use std::thread::JoinHandle;

use tokio::sync::{mpsc, oneshot};

use crate::ledger::{Ledger, LedgerError, NewRow, RowUpdate};

/// Outcomes buffered before a commit.
const BATCH: usize = 512;

enum Order {
    Insert(Vec<NewRow>),
    MarkSent(
        Vec<(u64, Option<String>)>,
        oneshot::Sender<Result<(), String>>,
    ),
    Record(RowUpdate),
    Flush(oneshot::Sender<Result<(), String>>),
    BeforeImage(u64, oneshot::Sender<Result<Option<String>, String>>),
}

/// A handle to the journal thread; cheap to clone.
#[derive(Clone)]
pub struct Journal {
    tx: mpsc::Sender<Order>,
}

/// The thread itself; `finish` hands the ledger back.
pub struct JournalThread {
    handle: JoinHandle<Result<Ledger, String>>,
}

impl Journal {
    /// Starts the thread for `event`, taking ownership of the ledger.
    pub fn start(ledger: Ledger, event: String) -> (Journal, JournalThread) {
        let (tx, rx) = mpsc::channel(4096);
        let handle = std::thread::spawn(move || run(ledger, &event, rx));
        (Journal { tx }, JournalThread { handle })
    }

    /// Inserts rows (from a blocking thread).
    pub fn insert_blocking(&self, rows: Vec<NewRow>) -> Result<(), String> {
        self.tx
            .blocking_send(Order::Insert(rows))
            .map_err(|_| "the ledger stopped".to_string())
    }

    /// Commits rows as SENT (with before-images for updates); returns once
    /// the commit is durable, so the requests may go out.
    pub async fn mark_sent(&self, rows: Vec<(u64, Option<String>)>) -> Result<(), String> {
        let (ack, done) = oneshot::channel();
        self.tx
            .send(Order::MarkSent(rows, ack))
            .await
            .map_err(|_| "the ledger stopped".to_string())?;
        done.await.map_err(|_| "the ledger stopped".to_string())?
    }

    /// Records an outcome; committed with the next batch.
    pub async fn record(&self, update: RowUpdate) -> Result<(), String> {
        self.tx
            .send(Order::Record(update))
            .await
            .map_err(|_| "the ledger stopped".to_string())
    }

    /// Commits everything recorded so far.
    pub async fn flush(&self) -> Result<(), String> {
        let (ack, done) = oneshot::channel();
        self.tx
            .send(Order::Flush(ack))
            .await
            .map_err(|_| "the ledger stopped".to_string())?;
        done.await.map_err(|_| "the ledger stopped".to_string())?
    }
}

impl Journal {
    /// The before-image an earlier run journalled for `row`, if any.
    pub async fn before_image(&self, row: u64) -> Result<Option<String>, String> {
        let (ack, done) = oneshot::channel();
        self.tx
            .send(Order::BeforeImage(row, ack))
            .await
            .map_err(|_| "the ledger stopped".to_string())?;
        done.await.map_err(|_| "the ledger stopped".to_string())?
    }
}

impl JournalThread {
    /// Waits for the thread (all handles must be dropped) and returns the ledger.
    pub fn finish(self) -> Result<Ledger, String> {
        self.handle
            .join()
            .unwrap_or_else(|_| Err("the ledger thread stopped unexpectedly".to_string()))
    }
}

fn run(mut ledger: Ledger, event: &str, mut rx: mpsc::Receiver<Order>) -> Result<Ledger, String> {
    let mut pending: Vec<RowUpdate> = Vec::with_capacity(BATCH);
    let mut failure: Option<String> = None;
    while let Some(order) = rx.blocking_recv() {
        let result = match order {
            Order::Insert(rows) => commit(&mut ledger, event, &mut pending)
                .and_then(|_| ledger.insert_rows(event, &rows)),
            Order::Record(update) => {
                pending.push(update);
                if pending.len() >= BATCH || rx.is_empty() {
                    commit(&mut ledger, event, &mut pending)
                } else {
                    Ok(())
                }
            }
            Order::MarkSent(rows, ack) => {
                let r = commit(&mut ledger, event, &mut pending).and_then(|_| {
                    let with_images: Vec<(u64, Option<&str>)> =
                        rows.iter().map(|(r, img)| (*r, img.as_deref())).collect();
                    ledger.mark_sent_with_images(event, &with_images)
                });
                let _ = ack.send(r.as_ref().map(|_| ()).map_err(|e| e.to_string()));
                r
            }
            Order::BeforeImage(row, ack) => {
                let found = ledger
                    .row(event, row)
                    .map(|r| r.and_then(|r| r.before_image))
                    .map_err(|e| e.to_string());
                let _ = ack.send(found);
                Ok(())
            }
            Order::Flush(ack) => {
                let r = commit(&mut ledger, event, &mut pending);
                let _ = ack.send(r.as_ref().map(|_| ()).map_err(|e| e.to_string()));
                r
            }
        };
        if let Err(e) = result {
            tracing::error!("ledger write failed: {e}");
            failure = Some(e.to_string());
            break;
        }
    }
    if let Some(msg) = failure {
        return Err(format!("ledger write failed: {msg}"));
    }
    commit(&mut ledger, event, &mut pending).map_err(|e| format!("ledger write failed: {e}"))?;
    Ok(ledger)
}

fn commit(
    ledger: &mut Ledger,
    event: &str,
    pending: &mut Vec<RowUpdate>,
) -> Result<(), LedgerError> {
    if pending.is_empty() {
        return Ok(());
    }
    ledger.apply(event, pending)?;
    pending.clear();
    Ok(())
}
