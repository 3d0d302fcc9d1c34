//! A row's documents (profile picture, signature) checked against the
//! target: what the import uploaded, or what a revert put back.
//!
//! In: the row's documents as the ledger records them (`row_documents`),
//! its ledger status, and the client on the target. Out: one `FieldDiff` on
//! `documents.PROFILE_PICTURE` or `documents.SIGNATURE` for each document
//! whose content on the target is not the expected one (another image, or
//! none). Content is compared byte for byte after base64 decoding: for an
//! UPLOADED document against its file as it is now, for a RESTORED one
//! against the before-image the ledger kept (or its absence). One GET per
//! document, since the API has no bulk read of documents. Fails with
//! `ReconcileError::Target` when the target refuses or does not answer a
//! read; an unreadable file is a difference, named with its error.

use std::path::PathBuf;

use base64::Engine;
use serde_json::Value;

use super::diff::FieldDiff;
use super::ReconcileError;
use crate::ledger::{DocumentBefore, DocumentState, RowDocument, RowStatus};
use crate::push::documents::content_of;
use crate::push::{Outcome, Target};

/// What the target should hold for one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocExpect {
    /// The content of this file (an upload).
    File(PathBuf),
    /// This content, as a GET answered it before the import (a restore).
    Content(String),
    /// No document (a restore deleted the import's).
    Absent,
}

/// The documents to check for a row of `status`, by kind.
pub fn expected(status: RowStatus, docs: Vec<RowDocument>) -> Vec<(String, DocExpect)> {
    let restored = status == RowStatus::Restored;
    docs.into_iter()
        .filter_map(|d| {
            let e = match (restored, d.state, d.before) {
                (false, DocumentState::Uploaded, _) => DocExpect::File(PathBuf::from(d.path)),
                (true, DocumentState::Restored, DocumentBefore::Had(c)) => DocExpect::Content(c),
                (true, DocumentState::Restored, DocumentBefore::None) => DocExpect::Absent,
                _ => return None,
            };
            Some((d.kind, e))
        })
        .collect()
}

fn decode(answer: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::STANDARD
        .decode(content_of(answer).trim())
        .ok()
}

/// The document's decoded content on the target; `None` when it has none.
async fn held(target: &Target, who: &str, kind: &str) -> Result<Option<Vec<u8>>, ReconcileError> {
    match target.get_document(who, kind).await {
        Outcome::Ok { body, .. } => Ok(match body {
            Value::String(s) => Some(decode(&s).unwrap_or_else(|| s.into_bytes())),
            Value::Null => None,
            other => Some(other.to_string().into_bytes()),
        }),
        Outcome::Refused { status: 404, .. } | Outcome::NotFound => Ok(None),
        Outcome::Refused {
            status, name, body, ..
        } => Err(ReconcileError::Target(format!(
            "the target refused the {kind} of client {who}: HTTP {status} {name} {body}"
        ))),
        Outcome::Unknown {
            attempts,
            last_error,
        } => Err(ReconcileError::Target(format!(
            "no answer for the {kind} of client {who} after {attempts} attempts: {last_error}"
        ))),
    }
}

/// The differences between `docs` and what the client `who` (its encoded
/// key or id) holds.
pub async fn check(
    target: &Target,
    who: &str,
    docs: &[(String, DocExpect)],
) -> Result<Vec<FieldDiff>, ReconcileError> {
    let mut out = Vec::new();
    for (kind, expect) in docs {
        let now = held(target, who, kind).await?;
        let (want, shown): (Option<Vec<u8>>, Value) = match expect {
            DocExpect::File(path) => match std::fs::read(path) {
                Ok(b) => {
                    let shown = format!("{} ({} bytes)", path.display(), b.len());
                    (Some(b), shown.into())
                }
                Err(e) => {
                    out.push(FieldDiff {
                        field: format!("documents.{kind}"),
                        expected: format!("{} (cannot be read: {e})", path.display()).into(),
                        now: now.map_or(Value::Null, |b| format!("{} bytes", b.len()).into()),
                    });
                    continue;
                }
            },
            DocExpect::Content(c) => {
                let b = decode(c).unwrap_or_else(|| c.clone().into_bytes());
                let shown = format!("the document it had before ({} bytes)", b.len());
                (Some(b), shown.into())
            }
            DocExpect::Absent => (None, Value::Null),
        };
        if now == want {
            continue;
        }
        out.push(FieldDiff {
            field: format!("documents.{kind}"),
            expected: shown,
            now: now.map_or(Value::Null, |b| {
                format!("another document ({} bytes)", b.len()).into()
            }),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(kind: &str, state: DocumentState, before: DocumentBefore) -> RowDocument {
        RowDocument {
            kind: kind.into(),
            path: format!("/x/{kind}.png"),
            state,
            before,
            error: None,
        }
    }

    #[test]
    fn uploads_are_checked_on_live_rows_and_restores_on_restored_rows() {
        let docs = vec![
            doc(
                "PROFILE_PICTURE",
                DocumentState::Uploaded,
                DocumentBefore::Had("aGk=".into()),
            ),
            doc("SIGNATURE", DocumentState::Failed, DocumentBefore::Created),
        ];
        assert_eq!(
            expected(RowStatus::Updated, docs.clone()),
            vec![(
                "PROFILE_PICTURE".to_string(),
                DocExpect::File("/x/PROFILE_PICTURE.png".into())
            )]
        );
        // Not yet restored: nothing the revert is answerable for.
        assert_eq!(expected(RowStatus::Restored, docs), vec![]);
        let restored = vec![
            doc(
                "PROFILE_PICTURE",
                DocumentState::Restored,
                DocumentBefore::Had("aGk=".into()),
            ),
            doc("SIGNATURE", DocumentState::Restored, DocumentBefore::None),
        ];
        assert_eq!(
            expected(RowStatus::Restored, restored),
            vec![
                (
                    "PROFILE_PICTURE".to_string(),
                    DocExpect::Content("aGk=".into())
                ),
                ("SIGNATURE".to_string(), DocExpect::Absent),
            ]
        );
    }

    #[test]
    fn a_get_answer_decodes_after_its_format() {
        assert_eq!(decode("data:image/png;base64,aGk="), Some(b"hi".to_vec()));
        assert_eq!(decode("aGk="), Some(b"hi".to_vec()));
    }
}
