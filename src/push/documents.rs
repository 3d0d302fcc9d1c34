//! A row's documents (profile picture, signature) on the target: uploaded
//! after the create or the update, and put back by a revert.
//!
//! In: the row's image files (from the payload's `documentFiles`, see
//! `crate::mapping::documents`), the client id, the journal. Out: each
//! document UPLOADED (or FAILED, with a note for the row) in the ledger's
//! `row_documents`; for a revert, each RESTORED. A file is read and base64
//! encoded when it is sent, one at a time, never kept for the run.
//!
//! Exactly once: a document is committed SENT before its upload leaves,
//! and an upload is sent one attempt at a time; before sending again — a
//! retry after a lost answer, or a resume after `kill -9` finding it SENT —
//! the target's document is read, and one already equal to the file is not
//! sent again. (A client the row created, with no document marked SENT,
//! cannot hold an upload of ours: its first upload goes without a read.) For an upsert, the document the client had (the target's
//! GET answer, or "none") is committed with the SENT mark, the first time
//! only, in the ledger: it is personal data like the client before-image
//! beside it, in the same 0600 file and the same transaction discipline, and
//! its size is bounded by the mapping's limit. Fails with `RowWorkError`
//! only when the target gives no usable answer (the row stays SENT and the
//! next resume settles it) or the ledger cannot record.

use std::path::{Path, PathBuf};

use base64::Engine;
use serde_json::{json, Value};

use super::row_work::{Context, RowWorkError};
use super::{Outcome, Target};
use crate::ledger::{DocumentBefore, DocumentState, Journal, JournalError, RowError, RowRecord};
use crate::mapping::DocumentKind;
use crate::validate::documents::ImageType;

/// The payload key that carries a row's document files; never sent.
pub const FILES_KEY: &str = "documentFiles";

/// Takes the document files out of a row's payload, leaving the request.
pub fn take_files(mapped: &mut Value) -> Vec<(DocumentKind, PathBuf)> {
    let Some(files) = mapped.as_object_mut().and_then(|m| m.remove(FILES_KEY)) else {
        return Vec::new();
    };
    let mut out: Vec<(DocumentKind, PathBuf)> = files
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| Some((DocumentKind::from_api_name(k)?, PathBuf::from(v.as_str()?))))
        .collect();
    out.sort();
    out
}

/// The base64 content of a document as a GET answers it: after the
/// `data:image/…;base64,` prefix when there is one, else the whole text.
pub fn content_of(answer: &str) -> &str {
    match answer.strip_prefix("data:") {
        Some(rest) => rest.split_once(";base64,").map_or(rest, |(_, c)| c),
        None => answer,
    }
}

/// The `document.type` to upload a GET answer again with: from its data
/// URI's format, else from the decoded content's first bytes.
fn type_of(answer: &str) -> &'static str {
    if let Some((mime, _)) = answer
        .strip_prefix("data:")
        .and_then(|r| r.split_once(";base64,"))
    {
        match mime {
            "image/jpeg" | "image/jpg" => return "jpg",
            "image/png" => return "png",
            "image/gif" => return "gif",
            _ => {}
        }
    }
    let head: String = content_of(answer).chars().take(16).collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(head.as_bytes())
        .unwrap_or_default();
    ImageType::sniff(&bytes).map_or("jpg", ImageType::api_type)
}

/// The upload body the seed shows.
fn upload_body(name: &str, file_type: &str, content: &str, holder: Option<&str>) -> Vec<u8> {
    let mut document = json!({"documentHolderType": "CLIENT", "name": name, "type": file_type});
    if let Some(k) = holder {
        document["documentHolderKey"] = json!(k);
    }
    json!({"document": document, "documentContent": content})
        .to_string()
        .into_bytes()
}

/// What the row's uploads came to.
#[derive(Debug, Default)]
pub struct Uploads {
    /// Whether any request changed the client (its `lastModifiedDate`
    /// moved and must be read again).
    pub changed: bool,
    /// A document that could not be uploaded, for the row's record.
    pub note: Option<RowError>,
}

/// What the target holds for one document.
enum Held {
    None,
    Some(String),
}

async fn held(target: &Target, who: &str, kind: &str, row: u64) -> Result<Held, RowWorkError> {
    match target.get_document(who, kind).await {
        Outcome::Ok { body, .. } => Ok(match body {
            Value::String(s) => Held::Some(s),
            Value::Null => Held::None,
            other => Held::Some(other.to_string()),
        }),
        Outcome::Refused { status: 404, .. } => Ok(Held::None),
        Outcome::Refused { name, .. } => Err(RowWorkError::Unsettled {
            row,
            what: format!("reading the {kind} was refused: {name}"),
        }),
        Outcome::NotFound => Err(RowWorkError::Unsettled {
            row,
            what: format!("reading the {kind}: the client is not on the target"),
        }),
        Outcome::Unknown { last_error, .. } => Err(RowWorkError::Unsettled {
            row,
            what: format!("reading the {kind} failed: {last_error}"),
        }),
    }
}

fn note(kind: &str, path: &Path, why: &str) -> RowError {
    RowError::new(
        0,
        "DOCUMENT_NOT_UPLOADED",
        format!("{kind} from {}: {why}", path.display()),
    )
}

/// Uploads a row's documents to the client `who` (its id), after its
/// create (`existed` false) or its update (`existed` true: the client's
/// earlier documents are recorded first). See the module header.
pub async fn upload(
    row: u64,
    who: &str,
    holder_key: Option<&str>,
    files: &[(DocumentKind, PathBuf)],
    existed: bool,
    ctx: &Context,
) -> Result<Uploads, RowWorkError> {
    let mut out = Uploads::default();
    if files.is_empty() {
        return Ok(out);
    }
    let recorded = ctx.journal.documents(row).await?;
    for (kind, path) in files {
        let kind = kind.api_name();
        let earlier = recorded.iter().find(|d| d.kind == kind);
        if earlier.is_some_and(|d| d.state == DocumentState::Uploaded) {
            continue;
        }
        // Read at send time: the file may have changed since the dry run.
        let reading = path.clone();
        let read = tokio::task::spawn_blocking(move || std::fs::read(reading))
            .await
            .unwrap_or_else(|e| Err(std::io::Error::other(e)));
        let bytes = match read {
            Ok(b) => b,
            Err(e) => {
                out.note = Some(note(kind, path, &format!("cannot be read: {e}")));
                continue;
            }
        };
        let Some(image) = ImageType::sniff(&bytes) else {
            out.note = Some(note(kind, path, "no longer a JPEG, PNG or GIF image"));
            continue;
        };
        let content = base64::engine::general_purpose::STANDARD.encode(&bytes);
        drop(bytes);
        let shown = path.display().to_string();
        // A client this row created holds no upload of ours unless one was
        // marked SENT (the mark is durable before the request leaves): only
        // then, or for a client that existed, is its document read first.
        let now = if existed || earlier.is_some() {
            held(&ctx.target, who, kind, row).await?
        } else {
            Held::None
        };
        let before = match (&now, existed) {
            (_, false) => DocumentBefore::Created,
            (Held::None, true) => DocumentBefore::None,
            (Held::Some(s), true) => DocumentBefore::Had(s.clone()),
        };
        if matches!(&now, Held::Some(s) if content_of(s) == content) {
            // Ours landed before an interruption, or the client already
            // had this very image: nothing to send.
            if earlier.is_none() {
                ctx.journal.document_sent(row, kind, &shown, before).await?;
            }
            ctx.journal
                .document_state(row, kind, DocumentState::Uploaded, None)
                .await?;
            continue;
        }
        ctx.journal.document_sent(row, kind, &shown, before).await?;
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| kind.to_ascii_lowercase());
        let body = upload_body(&name, image.api_type(), &content, holder_key);
        let mut attempts = ctx.target.max_attempts().max(1);
        loop {
            attempts -= 1;
            match ctx.target.post_document_once(who, kind, &body).await {
                Outcome::Ok { .. } => {
                    out.changed = true;
                    ctx.journal
                        .document_state(row, kind, DocumentState::Uploaded, None)
                        .await?;
                    break;
                }
                Outcome::Refused {
                    code, name, body, ..
                } => {
                    let why = format!(
                        "refused: {} {name} {}",
                        code.map_or(0, |c| c.code()),
                        body.chars().take(200).collect::<String>()
                    );
                    ctx.journal
                        .document_state(row, kind, DocumentState::Failed, Some(why.clone()))
                        .await?;
                    out.note = Some(note(kind, path, &why));
                    break;
                }
                Outcome::NotFound => {
                    return Err(RowWorkError::Unsettled {
                        row,
                        what: format!("uploading the {kind}: the client is not on the target"),
                    })
                }
                Outcome::Unknown { last_error, .. } => {
                    // The upload may have landed: look before sending again.
                    if let Held::Some(s) = held(&ctx.target, who, kind, row).await? {
                        if content_of(&s) == content {
                            out.changed = true;
                            ctx.journal
                                .document_state(row, kind, DocumentState::Uploaded, None)
                                .await?;
                            break;
                        }
                    }
                    if attempts == 0 {
                        return Err(RowWorkError::Unsettled {
                            row,
                            what: format!("uploading the {kind} got no answer: {last_error}"),
                        });
                    }
                }
            }
        }
    }
    Ok(out)
}

/// Why a revert could not put a row's documents back.
#[derive(Debug)]
pub struct RestoreProblem {
    /// A name for the row's error.
    pub name: &'static str,
    /// What happened.
    pub message: String,
}

impl From<JournalError> for RestoreProblem {
    fn from(e: JournalError) -> Self {
        Self {
            name: "LEDGER",
            message: e.to_string(),
        }
    }
}

/// Puts back the documents an upsert replaced on the client `who`: the
/// earlier one uploaded again, or ours deleted when it had none. Each
/// document already as it was is left alone, so a revert run again (after
/// `kill -9`) does only what is left.
pub async fn restore(
    row: &RowRecord,
    who: &str,
    target: &Target,
    journal: &Journal,
) -> Result<(), RestoreProblem> {
    let problem = |message: String| RestoreProblem {
        name: "DOCUMENT_NOT_RESTORED",
        message,
    };
    for doc in journal.documents(row.row).await? {
        if doc.state == DocumentState::Restored {
            continue;
        }
        let kind = doc.kind.as_str();
        let now = match target.get_document(who, kind).await {
            Outcome::Ok { body, .. } => body.as_str().map(str::to_string),
            Outcome::Refused { status: 404, .. } => None,
            Outcome::NotFound => return Err(problem("the client no longer exists".into())),
            Outcome::Refused { name, .. } => {
                return Err(problem(format!("reading the {kind} was refused: {name}")))
            }
            Outcome::Unknown { last_error, .. } => {
                return Err(problem(format!("reading the {kind} failed: {last_error}")))
            }
        };
        let done = match (&doc.before, now) {
            (DocumentBefore::Created, _) => true,
            (DocumentBefore::None, None) => true,
            (DocumentBefore::Had(old), Some(now)) if content_of(old) == content_of(&now) => true,
            (DocumentBefore::None, Some(_)) => match target.delete_document(who, kind).await {
                Outcome::Ok { .. } | Outcome::Refused { status: 404, .. } => true,
                other => {
                    return Err(problem(format!(
                        "deleting the {kind}: {}",
                        describe(&other)
                    )))
                }
            },
            (DocumentBefore::Had(old), _) => {
                let body = upload_body(
                    &kind.to_ascii_lowercase(),
                    type_of(old),
                    content_of(old),
                    row.target_key.as_deref(),
                );
                match target.post_document_once(who, kind, &body).await {
                    Outcome::Ok { .. } => true,
                    other => {
                        return Err(problem(format!(
                            "uploading the earlier {kind} again: {}",
                            describe(&other)
                        )))
                    }
                }
            }
        };
        if done {
            journal
                .document_state(row.row, kind, DocumentState::Restored, None)
                .await?;
        }
    }
    Ok(())
}

fn describe(o: &Outcome) -> String {
    match o {
        Outcome::Ok { status, .. } => format!("HTTP {status}"),
        Outcome::Refused { name, body, .. } => format!("refused: {name} {body}"),
        Outcome::NotFound => "the client no longer exists".into(),
        Outcome::Unknown { last_error, .. } => format!("no answer: {last_error}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_leave_the_request() {
        let mut v = json!({"client": {"id": "1"}, "documentFiles": {"SIGNATURE": "/s.png", "PROFILE_PICTURE": "/p.jpg", "OTHER": "/x"}});
        let files = take_files(&mut v);
        assert_eq!(v, json!({"client": {"id": "1"}}));
        assert_eq!(
            files,
            vec![
                (DocumentKind::ProfilePicture, PathBuf::from("/p.jpg")),
                (DocumentKind::Signature, PathBuf::from("/s.png")),
            ]
        );
        assert!(take_files(&mut v).is_empty());
    }

    #[test]
    fn a_get_answer_gives_its_content_and_type() {
        assert_eq!(content_of("data:image/png;base64,iVBOR"), "iVBOR");
        assert_eq!(content_of("iVBOR"), "iVBOR");
        assert_eq!(type_of("data:image/jpeg;base64,/9j/"), "jpg");
        assert_eq!(type_of("data:image/gif;base64,R0lG"), "gif");
        // No format given: the content's first bytes decide.
        assert_eq!(type_of("iVBORw0KGgoAAAANSUhEUg=="), "png");
        assert_eq!(type_of("R0lGODlhAQABAAAAACw="), "gif");
    }
}
