//! The journal: one thread that owns the ledger for an import, resume or
//! revert, and takes its orders over a channel from the validation replay
//! and from the async pushers. It is the journalling protocol's writer,
//! the one every command uses.
//!
//! In: row inserts, "about to send" marks (answered only once committed),
//! and outcomes (committed in batches). Out: a ledger that never says more
//! than happened: a row is SENT before its request leaves, and an outcome
//! lost in a crash leaves it SENT, which resume settles by asking the target.
//! Fails with the first ledger error, which ends the run ([`JournalError`]).

use std::thread::JoinHandle;

use tokio::sync::{mpsc, oneshot};

use super::{DocumentBefore, DocumentState, Ledger, LedgerError, NewRow, RowDocument, RowUpdate};

/// Why the journal could not do what it was asked.
#[derive(Debug, Clone, thiserror::Error)]
pub enum JournalError {
    /// The journal thread has ended (after a write failed, or it panicked).
    #[error("the ledger stopped")]
    Stopped,
    /// A ledger write failed; the run must end.
    #[error("ledger write failed: {0}")]
    Write(String),
}

impl From<LedgerError> for JournalError {
    fn from(e: LedgerError) -> Self {
        Self::Write(e.to_string())
    }
}

/// Outcomes buffered before a commit.
const BATCH: usize = 512;

enum Order {
    Insert(Vec<NewRow>),
    MarkSent(
        Vec<(u64, Option<String>)>,
        oneshot::Sender<Result<(), JournalError>>,
    ),
    Record(RowUpdate),
    Flush(oneshot::Sender<Result<(), JournalError>>),
    BeforeImage(u64, oneshot::Sender<Result<Option<String>, JournalError>>),
    Document(DocumentOrder, oneshot::Sender<Result<(), JournalError>>),
    Documents(u64, oneshot::Sender<Result<Vec<RowDocument>, JournalError>>),
}

/// A change to one of a row's documents (committed before the answer).
enum DocumentOrder {
    Sent {
        row: u64,
        kind: String,
        path: String,
        before: DocumentBefore,
    },
    State {
        row: u64,
        kind: String,
        state: DocumentState,
        error: Option<String>,
    },
}

/// A handle to the journal thread; cheap to clone.
#[derive(Clone)]
pub struct Journal {
    tx: mpsc::Sender<Order>,
}

/// The thread itself; `finish` hands the ledger back.
pub struct JournalThread {
    handle: JoinHandle<Result<Ledger, JournalError>>,
}

impl Journal {
    /// Starts the thread for `event`, taking ownership of the ledger.
    pub fn start(ledger: Ledger, event: String) -> (Journal, JournalThread) {
        let (tx, rx) = mpsc::channel(4096);
        let handle = std::thread::spawn(move || run(ledger, &event, rx));
        (Journal { tx }, JournalThread { handle })
    }

    /// Inserts rows (from a blocking thread).
    pub fn insert_blocking(&self, rows: Vec<NewRow>) -> Result<(), JournalError> {
        self.tx
            .blocking_send(Order::Insert(rows))
            .map_err(|_| JournalError::Stopped)
    }

    /// Commits rows as SENT (with before-images for updates); returns once
    /// the commit is durable, so the requests may go out.
    pub async fn mark_sent(&self, rows: Vec<(u64, Option<String>)>) -> Result<(), JournalError> {
        let (ack, done) = oneshot::channel();
        self.tx
            .send(Order::MarkSent(rows, ack))
            .await
            .map_err(|_| JournalError::Stopped)?;
        done.await.map_err(|_| JournalError::Stopped)?
    }

    /// Records an outcome; committed with the next batch.
    pub async fn record(&self, update: RowUpdate) -> Result<(), JournalError> {
        self.tx
            .send(Order::Record(update))
            .await
            .map_err(|_| JournalError::Stopped)
    }

    /// Commits everything recorded so far.
    pub async fn flush(&self) -> Result<(), JournalError> {
        let (ack, done) = oneshot::channel();
        self.tx
            .send(Order::Flush(ack))
            .await
            .map_err(|_| JournalError::Stopped)?;
        done.await.map_err(|_| JournalError::Stopped)?
    }
}

impl Journal {
    /// The before-image an earlier run journalled for `row`, if any.
    pub async fn before_image(&self, row: u64) -> Result<Option<String>, JournalError> {
        let (ack, done) = oneshot::channel();
        self.tx
            .send(Order::BeforeImage(row, ack))
            .await
            .map_err(|_| JournalError::Stopped)?;
        done.await.map_err(|_| JournalError::Stopped)?
    }
}

impl Journal {
    /// Commits a row's document as SENT (with the client's earlier document
    /// for an upsert); returns once durable, so the upload may go out.
    pub async fn document_sent(
        &self,
        row: u64,
        kind: &str,
        path: &str,
        before: DocumentBefore,
    ) -> Result<(), JournalError> {
        self.document_order(DocumentOrder::Sent {
            row,
            kind: kind.to_string(),
            path: path.to_string(),
            before,
        })
        .await
    }

    /// Commits where a row's document stands now.
    pub async fn document_state(
        &self,
        row: u64,
        kind: &str,
        state: DocumentState,
        error: Option<String>,
    ) -> Result<(), JournalError> {
        self.document_order(DocumentOrder::State {
            row,
            kind: kind.to_string(),
            state,
            error,
        })
        .await
    }

    async fn document_order(&self, order: DocumentOrder) -> Result<(), JournalError> {
        let (ack, done) = oneshot::channel();
        self.tx
            .send(Order::Document(order, ack))
            .await
            .map_err(|_| JournalError::Stopped)?;
        done.await.map_err(|_| JournalError::Stopped)?
    }

    /// A row's documents as an earlier step or run recorded them.
    pub async fn documents(&self, row: u64) -> Result<Vec<RowDocument>, JournalError> {
        let (ack, done) = oneshot::channel();
        self.tx
            .send(Order::Documents(row, ack))
            .await
            .map_err(|_| JournalError::Stopped)?;
        done.await.map_err(|_| JournalError::Stopped)?
    }
}

impl JournalThread {
    /// Waits for the thread (all handles must be dropped) and returns the ledger.
    pub fn finish(self) -> Result<Ledger, JournalError> {
        self.handle.join().unwrap_or(Err(JournalError::Stopped))
    }
}

fn run(
    mut ledger: Ledger,
    event: &str,
    mut rx: mpsc::Receiver<Order>,
) -> Result<Ledger, JournalError> {
    let mut pending: Vec<RowUpdate> = Vec::with_capacity(BATCH);
    let mut failure: Option<JournalError> = None;
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
                let _ = ack.send(
                    r.as_ref()
                        .map(|_| ())
                        .map_err(|e| JournalError::Write(e.to_string())),
                );
                r
            }
            Order::BeforeImage(row, ack) => {
                let found = ledger
                    .row(event, row)
                    .map(|r| r.and_then(|r| r.before_image))
                    .map_err(JournalError::from);
                let _ = ack.send(found);
                Ok(())
            }
            Order::Document(order, ack) => {
                let r = commit(&mut ledger, event, &mut pending).and_then(|_| match &order {
                    DocumentOrder::Sent {
                        row,
                        kind,
                        path,
                        before,
                    } => ledger.document_sent(event, *row, kind, path, before),
                    DocumentOrder::State {
                        row,
                        kind,
                        state,
                        error,
                    } => ledger.document_state(event, *row, kind, *state, error.as_deref()),
                });
                let _ = ack.send(
                    r.as_ref()
                        .map(|_| ())
                        .map_err(|e| JournalError::Write(e.to_string())),
                );
                r
            }
            Order::Documents(row, ack) => {
                let _ = ack.send(ledger.row_documents(event, row).map_err(JournalError::from));
                Ok(())
            }
            Order::Flush(ack) => {
                let r = commit(&mut ledger, event, &mut pending);
                let _ = ack.send(
                    r.as_ref()
                        .map(|_| ())
                        .map_err(|e| JournalError::Write(e.to_string())),
                );
                r
            }
        };
        if let Err(e) = result {
            tracing::error!("ledger write failed: {e}");
            failure = Some(e.into());
            break;
        }
    }
    if let Some(e) = failure {
        return Err(e);
    }
    commit(&mut ledger, event, &mut pending)?;
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::io::BufRead;
    use std::path::Path;

    use super::*;
    use crate::ledger::test_support::new_event;
    use crate::ledger::{ImportMode, LockOutcome, RowStatus};

    /// Set in the child process of `killed_mid_import_the_journal_never_says_more_than_happened`.
    const CHILD_ENV: &str = "FERRY_JOURNAL_CRASH_CHILD";
    const ROWS: u64 = 2_000;
    const BATCH_ROWS: u64 = 16;

    /// Journals an import as the push does — a batch committed SENT, then its
    /// answers recorded one by one — printing each step just before (answers)
    /// or just after (SENT, durable) it happens, until it is killed.
    fn import_until_killed(path: &Path) {
        let mut ledger = Ledger::open(path).unwrap();
        let key = ledger
            .create_event(&new_event(ImportMode::Create))
            .unwrap()
            .encoded_key;
        let (journal, _thread) = Journal::start(ledger, key.clone());
        let rows: Vec<NewRow> = (1..=ROWS)
            .map(|r| NewRow::pending(r, r + 1, Some(format!("C{r}"))))
            .collect();
        journal.insert_blocking(rows).unwrap();
        println!("event {key}");
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            for first in (1..=ROWS).step_by(BATCH_ROWS as usize) {
                let batch: Vec<u64> = (first..first + BATCH_ROWS).collect();
                journal
                    .mark_sent(batch.iter().map(|r| (*r, None)).collect())
                    .await
                    .unwrap();
                println!("sent {first}");
                for r in batch {
                    println!("answer {r}");
                    journal
                        .record(RowUpdate::new(r, RowStatus::Created))
                        .await
                        .unwrap();
                }
            }
            tokio::time::sleep(std::time::Duration::from_secs(60)).await;
        });
    }

    #[test]
    #[ignore = "the child process of killed_mid_import_the_journal_never_says_more_than_happened"]
    fn crash_child() {
        if let Some(path) = std::env::var_os(CHILD_ENV) {
            import_until_killed(Path::new(&path));
        }
    }

    /// What the child said it did, line by line.
    #[derive(Default)]
    struct Seen {
        key: Option<String>,
        marked: BTreeSet<u64>,
        answered: BTreeSet<u64>,
    }

    impl Seen {
        fn note(&mut self, line: &str) {
            // libtest may print "test … ... " on the same line first.
            let words: Vec<&str> = line.split_ascii_whitespace().collect();
            match words.as_slice() {
                [.., "event", k] => self.key = Some(k.to_string()),
                [.., "sent", first] => {
                    let first: u64 = first.parse().unwrap();
                    self.marked.extend(first..first + BATCH_ROWS);
                }
                [.., "answer", r] => {
                    self.answered.insert(r.parse::<u64>().unwrap());
                }
                _ => {}
            }
        }
    }

    /// The production journal, SIGKILLed mid-import at a different point each
    /// run: every row it says was sent had been marked before, every row it
    /// says was created had its answer, every row marked durable is at least
    /// SENT, and the event's lock is taken over.
    #[cfg(unix)]
    #[test]
    fn killed_mid_import_the_journal_never_says_more_than_happened() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ledger.db");
        let mut child = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "ledger::journal::tests::crash_child",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_ENV, &path)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let kill_after = fastrand::u64(50..ROWS - 50);
        let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
        let mut seen = Seen::default();
        for l in lines.by_ref() {
            seen.note(&l.unwrap());
            if seen.answered.len() as u64 >= kill_after {
                break;
            }
        }
        let pid = child.id();
        child.kill().unwrap(); // SIGKILL: no destructor, no flush, no unlock
        child.wait().unwrap();
        for l in lines {
            seen.note(&l.unwrap());
        }
        let Seen {
            key,
            marked,
            answered,
        } = seen;
        let key = key.expect("the child named its event");

        let mut ledger = Ledger::open(&path).unwrap();
        let ev = ledger.event(&key).unwrap();
        let rows = |st| -> BTreeSet<u64> {
            ledger
                .rows_with_status(&key, &[st], 0, ROWS as usize)
                .unwrap()
                .into_iter()
                .map(|r| r.row)
                .collect()
        };
        let (created, sent, pending) = (
            rows(RowStatus::Created),
            rows(RowStatus::Sent),
            rows(RowStatus::Pending),
        );
        assert_eq!(
            (created.len() + sent.len() + pending.len()) as u64,
            ROWS,
            "every row is accounted for: {:?}",
            ev.counts
        );
        assert!(created.is_subset(&answered), "CREATED only after an answer");
        let said_sent: BTreeSet<u64> = created.union(&sent).copied().collect();
        assert!(
            marked.is_subset(&said_sent),
            "a durable SENT mark survives the kill"
        );
        assert!(
            said_sent
                .iter()
                .all(|r| marked.contains(r) || *r > *marked.last().unwrap_or(&0)),
            "nothing is SENT or CREATED that was not marked, but for a batch in its commit"
        );
        assert!(
            !created.is_empty() && !pending.is_empty(),
            "killed mid-import"
        );
        match ledger.lock(&key).unwrap() {
            LockOutcome::TookOver { pid: p, .. } => assert_eq!(p, pid),
            other => panic!("{other:?}"),
        }
    }
}
