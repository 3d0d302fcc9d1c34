//! The import's hot path into the ledger: outcomes buffered and committed in
//! one transaction every N updates or T milliseconds, while "about to send"
//! is committed at once.
//!
//! In: [`RowUpdate`]s and groups of rows about to be sent. Out: commits.
//! Buffering outcomes is safe because a row's SENT is already durable: a crash
//! loses at most the buffer, leaving those rows in doubt for resume to
//! settle. A SENT update is never buffered. Dropping the writer flushes what
//! it holds (best effort; call [`LedgerWriter::finish`] to see errors).

use std::time::{Duration, Instant};

use rusqlite::TransactionBehavior;

use super::error::LedgerError;
use super::row::RowUpdate;
use super::row_store::{apply_in, mark_sent_in};
use super::status::RowStatus;
use super::{now, Ledger};

/// Buffers row updates for one event and commits them in batches.
#[derive(Debug)]
pub struct LedgerWriter<'l> {
    ledger: &'l mut Ledger,
    key: String,
    buf: Vec<RowUpdate>,
    max_batch: usize,
    max_delay: Duration,
    oldest: Option<Instant>,
}

impl<'l> LedgerWriter<'l> {
    /// A writer for `event`, which `ledger` must have locked. Commits when
    /// `max_batch` updates are waiting or the oldest has waited `max_delay`.
    pub fn new(
        ledger: &'l mut Ledger,
        event: &str,
        max_batch: usize,
        max_delay: Duration,
    ) -> Result<Self, LedgerError> {
        ledger.writable(event)?;
        Ok(Self {
            ledger,
            key: event.to_string(),
            buf: Vec::with_capacity(max_batch.max(1)),
            max_batch: max_batch.max(1),
            max_delay,
            oldest: None,
        })
    }

    /// The ledger, for reads between writes.
    pub fn ledger(&self) -> &Ledger {
        self.ledger
    }

    /// The event written to.
    pub fn event(&self) -> &str {
        &self.key
    }

    /// Updates waiting to be committed.
    pub fn pending(&self) -> usize {
        self.buf.len()
    }

    /// Commits `rows` as SENT now, together with anything buffered. Call it
    /// before the rows' requests go out.
    pub fn mark_sent(&mut self, rows: &[u64]) -> Result<(), LedgerError> {
        self.commit(rows.iter().map(|&r| (r, None)))
    }

    /// [`mark_sent`](Self::mark_sent) with upsert before-images (see
    /// [`Ledger::mark_sent_with_images`]).
    pub fn mark_sent_with_images(
        &mut self,
        rows: &[(u64, Option<&str>)],
    ) -> Result<(), LedgerError> {
        self.commit(rows.iter().copied())
    }

    /// Buffers an outcome; commits if the batch is full or old enough. An
    /// update to SENT is a resend about to go out, so it commits at once.
    pub fn record(&mut self, update: RowUpdate) -> Result<(), LedgerError> {
        if update.status == RowStatus::Sent {
            self.buf.push(update);
            return self.flush();
        }
        self.buf.push(update);
        self.oldest.get_or_insert_with(Instant::now);
        self.flush_if_due()
    }

    /// Commits if the batch is full or its oldest update has waited too long;
    /// call it on a timer when outcomes arrive slowly.
    pub fn flush_if_due(&mut self) -> Result<(), LedgerError> {
        let old = self.oldest.is_some_and(|t| t.elapsed() >= self.max_delay);
        if self.buf.len() >= self.max_batch || old {
            self.flush()
        } else {
            Ok(())
        }
    }

    /// Commits everything buffered.
    pub fn flush(&mut self) -> Result<(), LedgerError> {
        if self.buf.is_empty() {
            return Ok(());
        }
        self.commit(std::iter::empty())
    }

    /// Flushes and ends the writer, reporting any error the drop would hide.
    pub fn finish(mut self) -> Result<(), LedgerError> {
        self.flush()
    }

    /// One transaction: the buffered updates, then `sent` as SENT. On error
    /// the buffer is kept, so a retried flush loses nothing.
    fn commit<'a>(
        &mut self,
        sent: impl IntoIterator<Item = (u64, Option<&'a str>)>,
    ) -> Result<(), LedgerError> {
        let id = self.ledger.writable(&self.key)?;
        let at = now();
        let tx = self
            .ledger
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        apply_in(&tx, &self.key, id, &self.buf, &at)?;
        mark_sent_in(&tx, &self.key, id, sent, &at)?;
        tx.commit()?;
        self.buf.clear();
        self.oldest = None;
        Ok(())
    }
}

impl Drop for LedgerWriter<'_> {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::test_support::{new_event, temp_ledger};
    use crate::ledger::{ImportMode, NewRow};

    /// A second handle on the same file sees only what was committed.
    fn committed(dir: &tempfile::TempDir, key: &str, row: u64) -> RowStatus {
        let reader = Ledger::open(&dir.path().join("ledger.db")).unwrap();
        reader.row(key, row).unwrap().unwrap().status
    }

    fn setup(n: u64) -> (tempfile::TempDir, Ledger, String) {
        let (dir, mut ledger) = temp_ledger();
        let key = ledger
            .create_event(&new_event(ImportMode::Create))
            .unwrap()
            .encoded_key;
        let rows: Vec<NewRow> = (1..=n).map(|r| NewRow::pending(r, r, None)).collect();
        ledger.insert_rows(&key, &rows).unwrap();
        (dir, ledger, key)
    }

    #[test]
    fn sent_commits_at_once_and_outcomes_in_batches() {
        let (dir, mut ledger, key) = setup(5);
        let mut w = LedgerWriter::new(&mut ledger, &key, 3, Duration::from_secs(3600)).unwrap();
        w.mark_sent(&[1, 2, 3, 4]).unwrap();
        assert_eq!(committed(&dir, &key, 4), RowStatus::Sent);
        w.record(RowUpdate::new(1, RowStatus::Created)).unwrap();
        w.record(RowUpdate::new(2, RowStatus::Created)).unwrap();
        assert_eq!(w.pending(), 2);
        assert_eq!(committed(&dir, &key, 1), RowStatus::Sent, "still buffered");
        w.record(RowUpdate::new(3, RowStatus::Created)).unwrap();
        assert_eq!(w.pending(), 0);
        assert_eq!(committed(&dir, &key, 1), RowStatus::Created);
        // Buffered outcomes ride along with the next SENT commit.
        w.record(RowUpdate::new(4, RowStatus::Created)).unwrap();
        w.mark_sent(&[5]).unwrap();
        assert_eq!(committed(&dir, &key, 4), RowStatus::Created);
        assert_eq!(committed(&dir, &key, 5), RowStatus::Sent);
        // A resend recorded as SENT is never left in the buffer.
        w.record(RowUpdate::new(5, RowStatus::Sent)).unwrap();
        assert_eq!(w.pending(), 0);
        w.finish().unwrap();
        assert_eq!(ledger.row(&key, 5).unwrap().unwrap().attempts, 1);
    }

    #[test]
    fn old_outcomes_are_flushed_by_time() {
        let (dir, mut ledger, key) = setup(2);
        let mut w = LedgerWriter::new(&mut ledger, &key, 1000, Duration::from_millis(20)).unwrap();
        w.mark_sent(&[1, 2]).unwrap();
        w.record(RowUpdate::new(1, RowStatus::Created)).unwrap();
        w.flush_if_due().unwrap();
        assert_eq!(w.pending(), 1);
        std::thread::sleep(Duration::from_millis(30));
        w.flush_if_due().unwrap();
        assert_eq!(w.pending(), 0);
        assert_eq!(committed(&dir, &key, 1), RowStatus::Created);
    }

    #[test]
    fn dropping_the_writer_flushes_and_a_bad_batch_is_kept() {
        let (dir, mut ledger, key) = setup(2);
        {
            let mut w =
                LedgerWriter::new(&mut ledger, &key, 1000, Duration::from_secs(3600)).unwrap();
            w.mark_sent(&[1]).unwrap();
            w.record(RowUpdate::new(1, RowStatus::Created)).unwrap();
        }
        assert_eq!(committed(&dir, &key, 1), RowStatus::Created);
        let mut w = LedgerWriter::new(&mut ledger, &key, 1000, Duration::from_secs(3600)).unwrap();
        w.record(RowUpdate::new(2, RowStatus::Created)).unwrap(); // never sent
        assert!(matches!(
            w.flush(),
            Err(LedgerError::InvalidRowTransition { row: 2, .. })
        ));
        assert_eq!(w.pending(), 1);
    }

    #[test]
    fn a_writer_needs_a_locked_draft_event() {
        let (dir, _ledger, key) = setup(1);
        let mut other = Ledger::open(&dir.path().join("ledger.db")).unwrap();
        assert!(matches!(
            LedgerWriter::new(&mut other, &key, 10, Duration::from_secs(1)),
            Err(LedgerError::NotLocked { .. })
        ));
    }
}
