//! An event's failures counted: rows by return code and by field, for the
//! event report.
//!
//! In: an event key. Out: [`FailureCount`]s, largest first. Rows rejected
//! in validation are counted by every error finding they carry (a row with
//! two codes counts once under each; warnings are not failures); rows the
//! target refused (FAILED) and rows a revert could not undo (REVERT_FAILED)
//! or left alone (KEPT) by their last error. A rejected row from a ledger
//! that kept no findings counts by its first error. Fails with
//! [`LedgerError`].

use super::error::LedgerError;
use super::status::RowStatus;
use super::Ledger;

/// Rows of one kind of failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailureCount {
    /// Where the rows stand: REJECTED (validation), FAILED (the target
    /// refused), REVERT_FAILED or KEPT (revert).
    pub status: RowStatus,
    /// The return code, or the field path, counted.
    pub key: String,
    /// The code's name (empty when counting by field).
    pub name: String,
    /// How many rows.
    pub rows: u64,
}

/// Rows by code: validation findings (errors only) of rejected rows, then
/// the last error of every other failed row.
const BY_CODE: &str = "
SELECT r.status, CAST(json_extract(j.value, '$.code') AS TEXT), json_extract(j.value, '$.name'),
       count(DISTINCT r.row)
FROM rows r, json_each(r.findings) j
WHERE r.event_id = ?1 AND r.status = 0 AND r.findings IS NOT NULL
  AND json_extract(j.value, '$.severity') = 'error'
GROUP BY 1, 2, 3
UNION ALL
SELECT status, CAST(coalesce(error_code, 0) AS TEXT), coalesce(error_name, ''), count(*)
FROM rows
WHERE event_id = ?1 AND (status IN (5, 9, 10) OR (status = 0 AND findings IS NULL))
GROUP BY 1, 2, 3";

/// Rejected rows by the field of each error finding.
const BY_FIELD: &str = "
SELECT r.status, json_extract(j.value, '$.field'), '', count(DISTINCT r.row)
FROM rows r, json_each(r.findings) j
WHERE r.event_id = ?1 AND r.status = 0 AND r.findings IS NOT NULL
  AND json_extract(j.value, '$.severity') = 'error'
GROUP BY 1, 2";

impl Ledger {
    /// The event's failed rows by return code, largest first.
    pub fn failures_by_code(&self, event: &str) -> Result<Vec<FailureCount>, LedgerError> {
        self.failure_counts(event, BY_CODE)
    }

    /// The event's rows rejected in validation, by the field at fault,
    /// largest first.
    pub fn failures_by_field(&self, event: &str) -> Result<Vec<FailureCount>, LedgerError> {
        self.failure_counts(event, BY_FIELD)
    }

    fn failure_counts(&self, event: &str, sql: &str) -> Result<Vec<FailureCount>, LedgerError> {
        let (id, _) = self.resolve(event)?;
        let mut stmt = self.conn.prepare_cached(sql)?;
        let raws = stmt
            .query_map([id], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, i64>(3)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut out = raws
            .into_iter()
            .map(|(code, key, name, rows)| {
                let status = RowStatus::from_code(code)
                    .ok_or_else(|| LedgerError::Corrupt(format!("unknown row status {code}")))?;
                Ok(FailureCount {
                    status,
                    key: key.unwrap_or_default(),
                    name: name.unwrap_or_default(),
                    rows: u64::try_from(rows).unwrap_or(0),
                })
            })
            .collect::<Result<Vec<_>, LedgerError>>()?;
        out.sort_by(|a, b| {
            b.rows
                .cmp(&a.rows)
                .then(a.status.cmp(&b.status))
                .then_with(|| a.key.cmp(&b.key))
        });
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::field_error::FieldError;
    use crate::ledger::test_support::temp_ledger;
    use crate::ledger::{ImportMode, NewRow, RowError, RowUpdate};
    use crate::model::ReturnCode;

    #[test]
    fn counts_rejected_rows_by_each_error_and_refused_rows_by_their_last() {
        let (_dir, mut ledger) = temp_ledger();
        let key = ledger
            .create_event(&crate::ledger::test_support::new_event(ImportMode::Create))
            .unwrap()
            .encoded_key;
        let email = || {
            FieldError::error(
                "client.emailAddress",
                ReturnCode::EmailAddressFormatIsInvalid,
                "x",
            )
        };
        let name = || FieldError::error("client.firstName", ReturnCode::InvalidDate, "y");
        let warn = FieldError::warning("client.lastName", ReturnCode::InvalidClientState, "z");
        let rej = |row, findings: &[FieldError]| {
            NewRow::rejected(row, row + 1, None, RowError::new(1, "A", "a")).with_findings(findings)
        };
        ledger
            .insert_rows(
                &key,
                &[
                    rej(1, &[email(), name(), warn.clone()]),
                    rej(2, &[email(), email()]),
                    NewRow::rejected(3, 4, None, RowError::new(9001, "FERRY_MALFORMED_ROW", "m")),
                    NewRow::pending(4, 5, Some("C4".into())),
                    NewRow::pending(5, 6, Some("C5".into())),
                ],
            )
            .unwrap();
        ledger.mark_sent(&key, &[4, 5]).unwrap();
        ledger
            .apply(
                &key,
                &[
                    RowUpdate::new(4, RowStatus::Failed).with_error(RowError::new(
                        316,
                        "CLIENT_ID_ALREADY_IN_USE",
                        "t",
                    )),
                    RowUpdate::new(5, RowStatus::Created),
                ],
            )
            .unwrap();
        let by_code: Vec<(RowStatus, String, u64)> = ledger
            .failures_by_code(&key)
            .unwrap()
            .into_iter()
            .map(|c| (c.status, c.key, c.rows))
            .collect();
        let email_code = ReturnCode::EmailAddressFormatIsInvalid.code().to_string();
        let name_code = ReturnCode::InvalidDate.code().to_string();
        // Largest first; among equals, validation before the target.
        assert_eq!(by_code[0], (RowStatus::Rejected, email_code, 2));
        assert_eq!(by_code[3], (RowStatus::Failed, "316".to_string(), 1));
        let middle: std::collections::BTreeSet<_> = by_code[1..3].iter().cloned().collect();
        assert_eq!(
            middle,
            [
                (RowStatus::Rejected, "9001".to_string(), 1),
                (RowStatus::Rejected, name_code, 1)
            ]
            .into_iter()
            .collect()
        );
        assert_eq!(by_code.len(), 4);
        let by_field: Vec<(String, u64)> = ledger
            .failures_by_field(&key)
            .unwrap()
            .into_iter()
            .map(|c| (c.key, c.rows))
            .collect();
        assert_eq!(
            by_field,
            vec![
                ("client.emailAddress".to_string(), 2),
                ("client.firstName".to_string(), 1)
            ]
        );
    }
}
