//! Per-row document state (`row_documents`): which of a row's documents
//! went up, and for an upsert what the client had before.
//!
//! In: a row's document about to be sent (its kind, file, and for an
//! upsert the document the client had), then its outcome. Out: the row's
//! documents as recorded, for a resume (skip what is UPLOADED, ask the
//! target about what is SENT) and a revert (put the before-image back).
//! The first before-image recorded for a document is kept: a resend would
//! otherwise record our own upload as "before". Fails with `LedgerError`;
//! writes need the event's lock, like every row change.

use rusqlite::{params, OptionalExtension};

use super::{now, Ledger, LedgerError};

/// Where a row's document stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentState {
    /// About to be sent, or sent without a recorded answer: ask the target.
    Sent,
    /// The target holds it.
    Uploaded,
    /// The target refused it; the row says why.
    Failed,
    /// A revert put the client's earlier document back (or deleted ours).
    Restored,
}

impl DocumentState {
    /// The name stored in the ledger.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sent => "SENT",
            Self::Uploaded => "UPLOADED",
            Self::Failed => "FAILED",
            Self::Restored => "RESTORED",
        }
    }

    fn parse(s: &str) -> Result<Self, LedgerError> {
        Ok(match s {
            "SENT" => Self::Sent,
            "UPLOADED" => Self::Uploaded,
            "FAILED" => Self::Failed,
            "RESTORED" => Self::Restored,
            other => {
                return Err(LedgerError::Corrupt(format!(
                    "row_documents.state '{other}' is unknown"
                )))
            }
        })
    }
}

/// The document a client had before an upsert replaced it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocumentBefore {
    /// The row created the client: nothing to put back.
    Created,
    /// The client had no document of this kind: a revert deletes ours.
    None,
    /// The client had this one (the target's GET answer): a revert
    /// uploads it again.
    Had(String),
}

/// One of a row's documents, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowDocument {
    /// `PROFILE_PICTURE` or `SIGNATURE`.
    pub kind: String,
    /// The file it was uploaded from.
    pub path: String,
    /// Where it stands.
    pub state: DocumentState,
    /// What the client had before.
    pub before: DocumentBefore,
    /// Why it failed, if it did.
    pub error: Option<String>,
}

impl Ledger {
    /// Commits a row's document as SENT, with its before-image the first
    /// time (an earlier run's is kept).
    pub fn document_sent(
        &mut self,
        event: &str,
        row: u64,
        kind: &str,
        path: &str,
        before: &DocumentBefore,
    ) -> Result<(), LedgerError> {
        let id = self.writable(event)?;
        let (had, content): (Option<i64>, Option<&str>) = match before {
            DocumentBefore::Created => (None, None),
            DocumentBefore::None => (Some(0), None),
            DocumentBefore::Had(c) => (Some(1), Some(c.as_str())),
        };
        self.conn.execute(
            "INSERT INTO row_documents (event_id, row, kind, path, state, had_before, before_content, updated_at)
             VALUES (?1, ?2, ?3, ?4, 'SENT', ?5, ?6, ?7)
             ON CONFLICT (event_id, row, kind) DO UPDATE SET
                 path = excluded.path, state = 'SENT', error = NULL, updated_at = excluded.updated_at",
            params![id, row as i64, kind, path, had, content, now()],
        )?;
        Ok(())
    }

    /// Records where a row's document stands now.
    pub fn document_state(
        &mut self,
        event: &str,
        row: u64,
        kind: &str,
        state: DocumentState,
        error: Option<&str>,
    ) -> Result<(), LedgerError> {
        let id = self.writable(event)?;
        let changed = self.conn.execute(
            "UPDATE row_documents SET state = ?4, error = ?5, updated_at = ?6
             WHERE event_id = ?1 AND row = ?2 AND kind = ?3",
            params![id, row as i64, kind, state.as_str(), error, now()],
        )?;
        if changed == 0 {
            return Err(LedgerError::Corrupt(format!(
                "row {row} has no {kind} document to mark {}",
                state.as_str()
            )));
        }
        Ok(())
    }

    /// A row's documents, in kind order.
    pub fn row_documents(&self, event: &str, row: u64) -> Result<Vec<RowDocument>, LedgerError> {
        let (id, _) = self.resolve(event)?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT kind, path, state, had_before, before_content, error FROM row_documents
             WHERE event_id = ?1 AND row = ?2 ORDER BY kind",
        )?;
        let rows = stmt
            .query_map(params![id, row as i64], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<i64>>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, Option<String>>(5)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter()
            .map(|(kind, path, state, had, content, error)| {
                let before = match (had, content) {
                    (None, _) => DocumentBefore::Created,
                    (Some(0), _) | (Some(_), None) => DocumentBefore::None,
                    (Some(_), Some(c)) => DocumentBefore::Had(c),
                };
                Ok(RowDocument {
                    kind,
                    path,
                    state: DocumentState::parse(&state)?,
                    before,
                    error,
                })
            })
            .collect()
    }

    /// How many of an event's documents are in `state` (for tests and
    /// summaries).
    pub fn documents_in_state(
        &self,
        event: &str,
        state: DocumentState,
    ) -> Result<u64, LedgerError> {
        let (id, _) = self.resolve(event)?;
        let n: Option<i64> = self
            .conn
            .query_row(
                "SELECT count(*) FROM row_documents WHERE event_id = ?1 AND state = ?2",
                params![id, state.as_str()],
                |r| r.get(0),
            )
            .optional()?;
        Ok(n.unwrap_or(0) as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::test_support::new_event;
    use crate::ledger::ImportMode;

    #[test]
    fn the_first_before_image_is_kept_and_states_follow() {
        let dir = tempfile::tempdir().unwrap();
        let mut l = Ledger::open(&dir.path().join("l.db")).unwrap();
        let key = l
            .create_event(&new_event(ImportMode::Upsert))
            .unwrap()
            .encoded_key;
        let had = DocumentBefore::Had("data:image/png;base64,AAAA".into());
        l.document_sent(&key, 3, "PROFILE_PICTURE", "/a.png", &had)
            .unwrap();
        // A resend records no new before-image: ours is on the target now.
        l.document_sent(
            &key,
            3,
            "PROFILE_PICTURE",
            "/a.png",
            &DocumentBefore::Had("data:image/png;base64,OURS".into()),
        )
        .unwrap();
        l.document_sent(&key, 3, "SIGNATURE", "/s.png", &DocumentBefore::None)
            .unwrap();
        l.document_state(&key, 3, "SIGNATURE", DocumentState::Failed, Some("4"))
            .unwrap();
        l.document_state(&key, 3, "PROFILE_PICTURE", DocumentState::Uploaded, None)
            .unwrap();
        let docs = l.row_documents(&key, 3).unwrap();
        assert_eq!(
            docs,
            vec![
                RowDocument {
                    kind: "PROFILE_PICTURE".into(),
                    path: "/a.png".into(),
                    state: DocumentState::Uploaded,
                    before: had,
                    error: None,
                },
                RowDocument {
                    kind: "SIGNATURE".into(),
                    path: "/s.png".into(),
                    state: DocumentState::Failed,
                    before: DocumentBefore::None,
                    error: Some("4".into()),
                },
            ]
        );
        assert_eq!(
            l.documents_in_state(&key, DocumentState::Uploaded).unwrap(),
            1
        );
        assert!(l.row_documents(&key, 4).unwrap().is_empty());
        assert!(l
            .document_state(&key, 4, "SIGNATURE", DocumentState::Uploaded, None)
            .is_err());
    }
}
