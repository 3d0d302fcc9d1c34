//! Rows in SQLite: inserted in batches, moved through the journalling
//! protocol by batched status changes, read back a page at a time.
//!
//! In: [`NewRow`]s and [`RowUpdate`]s. Out: [`RowRecord`]s, paged by row
//! number. Every write call is one transaction. A change the protocol does not
//! allow fails the whole call ([`LedgerError::InvalidRowTransition`],
//! [`LedgerError::RowNotFound`], [`LedgerError::MissingBeforeImage`]).

use rusqlite::{OptionalExtension, Transaction, TransactionBehavior};

use super::error::LedgerError;
use super::row::{NewRow, RowError, RowRecord, RowUpdate};
use super::status::RowStatus;
use super::{now, Ledger};

const ROW_COLUMNS: &str = "row, line, client_id, status, outcome, target_key, attempts, \
     error_code, error_name, error_message, before_image, last_modified, updated_at, evidence, \
     source_fields, findings";

fn status_from(code: i64) -> Result<RowStatus, LedgerError> {
    RowStatus::from_code(code)
        .ok_or_else(|| LedgerError::Corrupt(format!("unknown row status {code}")))
}

fn read_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(RowRecord, i64, Option<i64>)> {
    let code: Option<i64> = r.get(7)?;
    let record = RowRecord {
        row: r.get(0)?,
        line: r.get(1)?,
        client_id: r.get(2)?,
        // Placeholders until the codes are checked by `finish_row`.
        status: RowStatus::Pending,
        outcome: None,
        target_key: r.get(5)?,
        attempts: r.get(6)?,
        error: match code {
            Some(code) => Some(RowError {
                code,
                name: r.get::<_, Option<String>>(8)?.unwrap_or_default(),
                message: r.get::<_, Option<String>>(9)?.unwrap_or_default(),
            }),
            None => None,
        },
        before_image: r.get(10)?,
        last_modified: r.get(11)?,
        updated_at: r.get(12)?,
        evidence: r.get(13)?,
        source_fields: r.get(14)?,
        findings: r.get(15)?,
    };
    Ok((record, r.get(3)?, r.get(4)?))
}

fn finish_row(
    (mut record, status, outcome): (RowRecord, i64, Option<i64>),
) -> Result<RowRecord, LedgerError> {
    record.status = status_from(status)?;
    record.outcome = outcome.map(status_from).transpose()?;
    Ok(record)
}

/// Explains why an update guarded by the protocol changed nothing.
fn refusal(tx: &Transaction<'_>, key: &str, event_id: i64, row: u64, to: RowStatus) -> LedgerError {
    let found = tx
        .query_row(
            "SELECT status, before_image IS NOT NULL FROM rows WHERE event_id = ?1 AND row = ?2",
            rusqlite::params![event_id, row],
            |r| Ok((r.get::<_, i64>(0)?, r.get::<_, bool>(1)?)),
        )
        .optional();
    match found {
        Err(e) => e.into(),
        Ok(None) => LedgerError::RowNotFound {
            key: key.to_string(),
            row,
        },
        Ok(Some((code, has_image))) => match status_from(code) {
            Err(e) => e,
            Ok(from) if from.can_become(to) && to == RowStatus::Updated && !has_image => {
                LedgerError::MissingBeforeImage {
                    key: key.to_string(),
                    row,
                }
            }
            Ok(from) => LedgerError::InvalidRowTransition {
                key: key.to_string(),
                row,
                from: from.as_str().to_string(),
                to: to.as_str().to_string(),
            },
        },
    }
}

/// Applies `updates` inside `tx`, checking each against the protocol.
pub(super) fn apply_in(
    tx: &Transaction<'_>,
    key: &str,
    event_id: i64,
    updates: &[RowUpdate],
    at: &str,
) -> Result<(), LedgerError> {
    let mut stmt = tx.prepare_cached(
        "UPDATE rows SET
            status = ?3,
            outcome = CASE WHEN ?3 IN (?13, ?14) THEN ?3 ELSE outcome END,
            target_key = COALESCE(?4, target_key),
            error_code = CASE WHEN ?5 IS NULL THEN error_code ELSE ?5 END,
            error_name = CASE WHEN ?5 IS NULL THEN error_name ELSE ?6 END,
            error_message = CASE WHEN ?5 IS NULL THEN error_message ELSE ?7 END,
            before_image = COALESCE(before_image, ?8),
            last_modified = COALESCE(?9, last_modified),
            attempts = attempts + ?10,
            updated_at = ?11,
            evidence = COALESCE(?15, evidence),
            source_fields = COALESCE(?16, source_fields)
         WHERE event_id = ?1 AND row = ?2
           AND ((1 << status) & ?12) != 0
           AND (?3 != ?14 OR COALESCE(before_image, ?8) IS NOT NULL)",
    )?;
    for u in updates {
        let mut run = |u: &RowUpdate| {
            stmt.execute(rusqlite::params![
                event_id,
                u.row,
                u.status.code(),
                u.target_key,
                u.error.as_ref().map(|e| e.code),
                u.error.as_ref().map(|e| e.name.as_str()),
                u.error.as_ref().map(|e| e.message.as_str()),
                u.before_image,
                u.last_modified,
                u.extra_attempts,
                at,
                RowStatus::predecessor_mask(u.status),
                RowStatus::Created.code(),
                RowStatus::Updated.code(),
                u.evidence,
                u.source_fields,
            ])
        };
        let changed = match run(u) {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::ConstraintViolation
                    && u.status == RowStatus::Created =>
            {
                // The claims table already names another owner for this
                // client: this event cannot own it too.
                let owner = claim_owner(tx, event_id, u.row)?;
                run(&claimed_elsewhere(u, &owner))?
            }
            other => other?,
        };
        if changed == 0 {
            return Err(refusal(tx, key, event_id, u.row, u.status));
        }
    }
    Ok(())
}

/// The event that holds the claim on this row's client.
fn claim_owner(tx: &Transaction<'_>, event_id: i64, row: u64) -> Result<String, LedgerError> {
    Ok(tx
        .prepare_cached(
            "SELECT e.encoded_key FROM rows r
             JOIN events me ON me.id = r.event_id
             JOIN claims c ON c.target = me.target AND c.client_id = r.client_id
             JOIN events e ON e.id = c.event_id
             WHERE r.event_id = ?1 AND r.row = ?2",
        )?
        .query_row(rusqlite::params![event_id, row], |r| r.get(0))
        .optional()?
        .unwrap_or_else(|| "another migration event".to_string()))
}

/// What a CREATED update becomes when another event owns the client.
fn claimed_elsewhere(u: &RowUpdate, owner: &str) -> RowUpdate {
    let mut failed = RowUpdate::new(u.row, RowStatus::Failed).with_error(RowError::from_code(
        crate::model::ReturnCode::ClientIdAlreadyInUse,
        format!("id: the client on the target is owned by migration event {owner}, not this one"),
    ));
    failed.extra_attempts = u.extra_attempts;
    failed.source_fields = u.source_fields.clone();
    failed
}

/// Journals rows as SENT inside `tx`: one more attempt each, and the
/// before-image where one is given and none is recorded yet.
pub(super) fn mark_sent_in<'a>(
    tx: &Transaction<'_>,
    key: &str,
    event_id: i64,
    rows: impl IntoIterator<Item = (u64, Option<&'a str>)>,
    at: &str,
) -> Result<(), LedgerError> {
    let mut stmt = tx.prepare_cached(
        "UPDATE rows SET status = ?3, attempts = attempts + 1,
            before_image = COALESCE(before_image, ?4), updated_at = ?5
         WHERE event_id = ?1 AND row = ?2 AND ((1 << status) & ?6) != 0",
    )?;
    let mask = RowStatus::predecessor_mask(RowStatus::Sent);
    for (row, image) in rows {
        let changed = stmt.execute(rusqlite::params![
            event_id,
            row,
            RowStatus::Sent.code(),
            image,
            at,
            mask
        ])?;
        if changed == 0 {
            return Err(refusal(tx, key, event_id, row, RowStatus::Sent));
        }
    }
    Ok(())
}

impl Ledger {
    /// Adds rows to the event in one transaction (the import passes a whole
    /// chunk). A row number already present fails the call with
    /// [`LedgerError::DuplicateRow`] and nothing is added.
    pub fn insert_rows(&mut self, event: &str, rows: &[NewRow]) -> Result<(), LedgerError> {
        let id = self.writable(event)?;
        let at = now();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO rows (event_id, row, line, client_id, status, error_code, error_name, \
                 error_message, updated_at, findings) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?;
            for r in rows {
                if !r.status.is_initial() {
                    return Err(LedgerError::InvalidRowTransition {
                        key: event.to_string(),
                        row: r.row,
                        from: "(new)".to_string(),
                        to: r.status.as_str().to_string(),
                    });
                }
                let inserted = stmt.execute(rusqlite::params![
                    id,
                    r.row,
                    r.line,
                    r.client_id,
                    r.status.code(),
                    r.error.as_ref().map(|e| e.code),
                    r.error.as_ref().map(|e| e.name.as_str()),
                    r.error.as_ref().map(|e| e.message.as_str()),
                    at,
                    r.findings,
                ]);
                match inserted {
                    Ok(_) => {}
                    Err(rusqlite::Error::SqliteFailure(e, _))
                        if e.code == rusqlite::ErrorCode::ConstraintViolation =>
                    {
                        return Err(LedgerError::DuplicateRow {
                            key: event.to_string(),
                            row: r.row,
                        });
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Commits `rows` as SENT, right now: call it before their requests go
    /// out. Each row's attempt count goes up by one.
    pub fn mark_sent(&mut self, event: &str, rows: &[u64]) -> Result<(), LedgerError> {
        self.mark_sent_with_images(event, &rows.iter().map(|&r| (r, None)).collect::<Vec<_>>())
    }

    /// [`mark_sent`](Self::mark_sent) for upserts: each row with the
    /// before-image the target returned (`None` when the client did not exist
    /// and will be created). A row's first before-image is kept for good.
    pub fn mark_sent_with_images(
        &mut self,
        event: &str,
        rows: &[(u64, Option<&str>)],
    ) -> Result<(), LedgerError> {
        let id = self.writable(event)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        mark_sent_in(&tx, event, id, rows.iter().copied(), &now())?;
        tx.commit()?;
        Ok(())
    }

    /// Applies status changes in one transaction; any refused change fails
    /// the call and none is applied.
    pub fn apply(&mut self, event: &str, updates: &[RowUpdate]) -> Result<(), LedgerError> {
        let id = self.writable(event)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        apply_in(&tx, event, id, updates, &now())?;
        tx.commit()?;
        Ok(())
    }

    /// One row, if the event has it.
    pub fn row(&self, event: &str, row: u64) -> Result<Option<RowRecord>, LedgerError> {
        let (id, _) = self.resolve(event)?;
        let sql = format!("SELECT {ROW_COLUMNS} FROM rows WHERE event_id = ?1 AND row = ?2");
        let found = self
            .conn
            .prepare_cached(&sql)?
            .query_row(rusqlite::params![id, row], read_row)
            .optional()?;
        found.map(finish_row).transpose()
    }

    /// Up to `limit` rows in any of `statuses` with row numbers above
    /// `after_row`, in row order. Pass the last row returned as the next
    /// `after_row` to page through an event of any size.
    pub fn rows_with_status(
        &self,
        event: &str,
        statuses: &[RowStatus],
        after_row: u64,
        limit: usize,
    ) -> Result<Vec<RowRecord>, LedgerError> {
        let (id, _) = self.resolve(event)?;
        let sql = format!(
            "SELECT {ROW_COLUMNS} FROM rows WHERE event_id = ?1 AND status = ?2 AND row > ?3 \
             ORDER BY row LIMIT ?4"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        // One index range per status, merged: an IN list would make SQLite
        // sort every match of every page.
        let sql_limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut out = Vec::new();
        let mut seen = Vec::with_capacity(statuses.len());
        for &st in statuses {
            if seen.contains(&st) {
                continue;
            }
            seen.push(st);
            let page = stmt
                .query_map(
                    rusqlite::params![id, st.code(), after_row, sql_limit],
                    read_row,
                )?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            for raw in page {
                out.push(finish_row(raw)?);
            }
        }
        out.sort_unstable_by_key(|r| r.row);
        out.truncate(limit);
        Ok(out)
    }

    /// The first `limit` rows the target refused or a revert could not undo.
    pub fn failures(&self, event: &str, limit: usize) -> Result<Vec<RowRecord>, LedgerError> {
        self.rows_with_status(
            event,
            &[RowStatus::Failed, RowStatus::RevertFailed],
            0,
            limit,
        )
    }

    /// The highest row number journalled for the event, if any: where a
    /// resumed import continues inserting.
    pub fn last_row(&self, event: &str) -> Result<Option<u64>, LedgerError> {
        let (id, _) = self.resolve(event)?;
        Ok(self
            .conn
            .prepare_cached("SELECT max(row) FROM rows WHERE event_id = ?1")?
            .query_row([id], |r| r.get(0))?)
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;
    use crate::ledger::test_support::{ledger_with_rows, new_event, temp_ledger};
    use crate::ledger::ImportMode;
    use crate::model::ReturnCode;

    #[test]
    fn hundred_thousand_rows_in_batches_one_transaction_each() {
        let (_dir, mut ledger) = temp_ledger();
        let key = ledger
            .create_event(&new_event(ImportMode::Create))
            .unwrap()
            .encoded_key;
        let started = Instant::now();
        let mut batch = Vec::with_capacity(1000);
        for chunk in 0..100u64 {
            batch.clear();
            batch.extend((1..=1000).map(|i| {
                let row = chunk * 1000 + i;
                if row % 10 == 0 {
                    NewRow::rejected(
                        row,
                        row + 1,
                        None,
                        RowError::from_code(ReturnCode::MissingClientId, "no id"),
                    )
                } else {
                    NewRow::pending(row, row + 1, Some(row.to_string()))
                }
            }));
            ledger.insert_rows(&key, &batch).unwrap();
        }
        let took = started.elapsed();
        // One fsync-free WAL commit per batch: seconds even unoptimised; a
        // transaction per row would take far longer.
        assert!(took < Duration::from_secs(30), "took {took:?}");
        let counts = ledger.counts(&key).unwrap();
        assert_eq!(counts.get(&RowStatus::Pending), Some(&90_000));
        assert_eq!(counts.get(&RowStatus::Rejected), Some(&10_000));
        assert_eq!(ledger.last_row(&key).unwrap(), Some(100_000));
        let r = ledger.row(&key, 50_000).unwrap().unwrap();
        assert_eq!(r.status, RowStatus::Rejected);
        assert_eq!(
            r.error,
            Some(RowError::new(300, "MISSING_CLIENT_ID", "no id"))
        );
        assert_eq!(r.line, 50_001);
    }

    #[test]
    fn duplicate_row_fails_the_whole_batch() {
        let (_dir, mut ledger, key) = ledger_with_rows(ImportMode::Create, 3);
        let err = ledger
            .insert_rows(
                &key,
                &[NewRow::pending(4, 5, None), NewRow::pending(2, 3, None)],
            )
            .unwrap_err();
        assert!(
            matches!(err, LedgerError::DuplicateRow { row: 2, .. }),
            "{err}"
        );
        assert_eq!(
            ledger.row(&key, 4).unwrap(),
            None,
            "row 4 rolled back with its batch"
        );
        let err = ledger
            .insert_rows(
                &key,
                &[NewRow {
                    status: RowStatus::Created,
                    ..NewRow::pending(9, 9, None)
                }],
            )
            .unwrap_err();
        assert!(
            matches!(err, LedgerError::InvalidRowTransition { row: 9, .. }),
            "{err}"
        );
    }

    #[test]
    fn create_protocol_pending_sent_created() {
        let (_dir, mut ledger, key) = ledger_with_rows(ImportMode::Create, 3);
        // An answer for a row never journalled as sent is a protocol breach.
        let err = ledger
            .apply(&key, &[RowUpdate::new(1, RowStatus::Created)])
            .unwrap_err();
        assert!(
            matches!(&err, LedgerError::InvalidRowTransition { row: 1, from, to, .. } if from == "PENDING" && to == "CREATED"),
            "{err}"
        );
        ledger.mark_sent(&key, &[1, 2]).unwrap();
        let r = ledger.row(&key, 1).unwrap().unwrap();
        assert_eq!((r.status, r.attempts), (RowStatus::Sent, 1));
        assert!(r.status.is_in_doubt());
        ledger
            .apply(
                &key,
                &[
                    RowUpdate::new(1, RowStatus::Created)
                        .with_target_key("8a8e8f")
                        .with_last_modified("2026-11-22T18:10:11.071Z")
                        .with_extra_attempts(2),
                    RowUpdate::new(2, RowStatus::Failed).with_error(RowError::from_code(
                        ReturnCode::ClientIdAlreadyInUse,
                        "id in use",
                    )),
                ],
            )
            .unwrap();
        let r = ledger.row(&key, 1).unwrap().unwrap();
        assert_eq!(r.status, RowStatus::Created);
        assert_eq!(r.outcome, Some(RowStatus::Created));
        assert_eq!(r.target_key.as_deref(), Some("8a8e8f"));
        assert_eq!(r.last_modified.as_deref(), Some("2026-11-22T18:10:11.071Z"));
        assert_eq!(r.attempts, 3);
        assert_eq!(r.client_id.as_deref(), Some("C1"));
        assert!(r.status.is_settled());
        let f = ledger.row(&key, 2).unwrap().unwrap();
        assert_eq!(
            f.error.as_ref().map(|e| (e.code, e.name.as_str())),
            Some((316, "CLIENT_ID_ALREADY_IN_USE"))
        );
        // Resume may resend a failed row; its last error stays until replaced.
        ledger.mark_sent(&key, &[2]).unwrap();
        ledger
            .apply(&key, &[RowUpdate::new(2, RowStatus::Created)])
            .unwrap();
        let f = ledger.row(&key, 2).unwrap().unwrap();
        assert_eq!((f.status, f.attempts), (RowStatus::Created, 2));
        assert_eq!(f.error.map(|e| e.code), Some(316));
        assert!(matches!(
            ledger.apply(&key, &[RowUpdate::new(99, RowStatus::Failed)]),
            Err(LedgerError::RowNotFound { row: 99, .. })
        ));
        assert!(matches!(
            ledger.mark_sent(&key, &[99]),
            Err(LedgerError::RowNotFound { row: 99, .. })
        ));
    }

    #[test]
    fn a_refused_update_rolls_back_its_whole_batch() {
        let (_dir, mut ledger, key) = ledger_with_rows(ImportMode::Create, 2);
        ledger.mark_sent(&key, &[1]).unwrap();
        let err = ledger
            .apply(
                &key,
                &[
                    RowUpdate::new(1, RowStatus::Created),
                    RowUpdate::new(2, RowStatus::Created),
                ],
            )
            .unwrap_err();
        assert!(matches!(
            err,
            LedgerError::InvalidRowTransition { row: 2, .. }
        ));
        assert_eq!(
            ledger.row(&key, 1).unwrap().unwrap().status,
            RowStatus::Sent
        );
    }

    #[test]
    fn updated_needs_a_before_image_and_the_first_one_is_kept() {
        let (_dir, mut ledger, key) = ledger_with_rows(ImportMode::Upsert, 2);
        ledger.mark_sent(&key, &[1]).unwrap();
        let err = ledger
            .apply(&key, &[RowUpdate::new(1, RowStatus::Updated)])
            .unwrap_err();
        assert!(
            matches!(err, LedgerError::MissingBeforeImage { row: 1, .. }),
            "{err}"
        );
        ledger
            .mark_sent_with_images(&key, &[(2, Some(r#"{"id":"C2","firstName":"Ann"}"#))])
            .unwrap();
        // A resend after a crash sees our own write; it must not become "before".
        ledger
            .mark_sent_with_images(&key, &[(2, Some(r#"{"id":"C2","firstName":"Anne"}"#))])
            .unwrap();
        ledger
            .apply(
                &key,
                &[RowUpdate::new(2, RowStatus::Updated).with_before_image("{\"late\":true}")],
            )
            .unwrap();
        let r = ledger.row(&key, 2).unwrap().unwrap();
        assert_eq!(
            r.before_image.as_deref(),
            Some(r#"{"id":"C2","firstName":"Ann"}"#)
        );
        assert_eq!(
            (r.status, r.outcome, r.attempts),
            (RowStatus::Updated, Some(RowStatus::Updated), 2)
        );
        // A before-image in the same update is enough.
        ledger
            .apply(
                &key,
                &[RowUpdate::new(1, RowStatus::Updated).with_before_image("{}")],
            )
            .unwrap();
        assert_eq!(
            ledger
                .row(&key, 1)
                .unwrap()
                .unwrap()
                .before_image
                .as_deref(),
            Some("{}")
        );
    }

    #[test]
    fn rows_with_status_pages_in_row_order_across_statuses() {
        let (_dir, mut ledger, key) = ledger_with_rows(ImportMode::Create, 50);
        let sent: Vec<u64> = (1..=50).filter(|r| r % 2 == 0 || r % 3 == 0).collect();
        ledger.mark_sent(&key, &sent).unwrap();
        let outcomes: Vec<RowUpdate> = (1..=50)
            .filter(|r| r % 2 == 0)
            .map(|r| RowUpdate::new(r, RowStatus::Created))
            .collect();
        ledger.apply(&key, &outcomes).unwrap();
        // Wanted: CREATED (even) and SENT (odd multiples of 3).
        let wanted = [RowStatus::Sent, RowStatus::Created, RowStatus::Sent];
        let mut got = Vec::new();
        let mut after = 0;
        let mut pages = 0;
        loop {
            let page = ledger.rows_with_status(&key, &wanted, after, 7).unwrap();
            if page.is_empty() {
                break;
            }
            assert!(page.len() <= 7);
            pages += 1;
            after = page.last().unwrap().row;
            got.extend(page.into_iter().map(|r| r.row));
        }
        let expected: Vec<u64> = (1..=50).filter(|r| r % 2 == 0 || r % 3 == 0).collect();
        assert_eq!(got, expected);
        assert_eq!(pages, expected.len().div_ceil(7));
        let pending = ledger
            .rows_with_status(&key, &[RowStatus::Pending], 0, 100)
            .unwrap();
        assert_eq!(pending.len(), 50 - expected.len());
        assert!(pending.iter().all(|r| r.status == RowStatus::Pending));
        assert!(ledger
            .rows_with_status(&key, &[], 0, 10)
            .unwrap()
            .is_empty());
    }

    #[test]
    fn counts_and_failures() {
        let (_dir, mut ledger, key) = ledger_with_rows(ImportMode::Create, 6);
        ledger.mark_sent(&key, &[1, 2, 3, 4]).unwrap();
        let err = |m: &str| RowError::new(500, "HTTP_500", m);
        ledger
            .apply(
                &key,
                &[
                    RowUpdate::new(4, RowStatus::Failed).with_error(err("four")),
                    RowUpdate::new(1, RowStatus::Created),
                    RowUpdate::new(2, RowStatus::Failed).with_error(err("two")),
                ],
            )
            .unwrap();
        let counts = ledger.counts(&key).unwrap();
        let as_vec: Vec<(RowStatus, u64)> = counts.into_iter().collect();
        assert_eq!(
            as_vec,
            [
                (RowStatus::Pending, 2),
                (RowStatus::Sent, 1),
                (RowStatus::Created, 1),
                (RowStatus::Failed, 2)
            ]
        );
        let failures = ledger.failures(&key, 10).unwrap();
        let msgs: Vec<_> = failures
            .iter()
            .map(|r| r.error.as_ref().unwrap().message.as_str())
            .collect();
        assert_eq!(msgs, ["two", "four"]);
        assert_eq!(ledger.failures(&key, 1).unwrap().len(), 1);
        assert!(matches!(
            ledger.counts("ffff"),
            Err(LedgerError::NotFound(_))
        ));
    }
}
