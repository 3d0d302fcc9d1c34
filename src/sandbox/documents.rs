//! A client's profile picture and signature:
//! `POST|GET|DELETE /api/clients/{id}/documents/PROFILE_PICTURE|SIGNATURE`,
//! and `GET /api/clients/{id}/documents` listing them.
//!
//! In: `{"document":{"name","type",…},"documentContent":"<base64>"}`. Out:
//! 201 with the document's metadata (POST), the content as a JSON string
//! with the image's format first, `data:image/<type>;base64,<content>` (GET:
//! the seed says "the format of the image is specified at the beginning of
//! the response" without saying how; a data URI is the common spelling),
//! `SUCCESS` (DELETE), an array of metadata (the listing; 404
//! INVALID_CLIENT_ID for an unknown client). The client's `profilePictureKey`
//! or `profileSignatureKey` follows. Content with characters outside base64's
//! alphabet → 4 (the seed's own sample, 33 characters of that alphabet, is
//! taken as it is); an unknown document kind or a missing document → 4 (404
//! for GET/DELETE).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine;
use serde_json::Value;

use super::app::{editable, App};
use super::cache::{Document, DocumentKind};
use super::encoded_key::mambu_now;
use super::reply::{parse_json, success, ApiError};
use super::store::Change;
use crate::model::{ClientRequest, ReturnCode};

fn kind(s: &str) -> Result<DocumentKind, ApiError> {
    DocumentKind::parse(s)
        .ok_or_else(|| ApiError::bad(ReturnCode::InvalidParameters, Some("documentType")))
}

/// The decoded size of base64 content, or `None` when it holds a character
/// outside base64's alphabet. Content of that alphabet that does not decode
/// whole (the seed's sample) counts three bytes for every four characters.
pub fn decoded_len(content: &str) -> Option<usize> {
    if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(content) {
        return Some(bytes.len());
    }
    let body = content.trim_end_matches('=');
    body.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
        .then_some(body.len() * 3 / 4)
}

/// What a GET of a document answers: the format, then the base64 content.
fn with_format(doc: &Document) -> String {
    let format = doc
        .file_type
        .as_deref()
        .map(|t| match t.to_ascii_lowercase().as_str() {
            "jpg" | "jpeg" => "image/jpeg".to_string(),
            other => format!("image/{other}"),
        })
        .unwrap_or_else(|| "application/octet-stream".to_string());
    format!("data:{format};base64,{}", doc.document_content)
}

fn set_key(full: &mut ClientRequest, kind: DocumentKind, key: Option<String>) {
    match kind {
        DocumentKind::ProfilePicture => full.client.profile_picture_key = key,
        DocumentKind::Signature => full.client.profile_signature_key = key,
    }
}

/// `POST …/documents/{kind}`.
pub async fn post(
    State(app): State<Arc<App>>,
    Path((id, kind_name)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let kind = kind(&kind_name)?;
    let json = parse_json(&body)?;
    let content = json
        .get("documentContent")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::bad(ReturnCode::InvalidParameters, Some("documentContent")))?;
    let size = decoded_len(content)
        .ok_or_else(|| ApiError::bad(ReturnCode::InvalidParameters, Some("documentContent")))?;
    let meta = json.get("document");
    let text = |k: &str| {
        meta.and_then(|m| m.get(k))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let doc_key = app.keys.encoded_key();
    let mut stored_doc = None;
    app.modify(&id, |record| {
        editable(record)?;
        let now = mambu_now();
        let document = Document {
            encoded_key: doc_key.clone(),
            document_holder_key: record.encoded_key().to_string(),
            kind: kind.as_str().to_string(),
            name: text("name"),
            file_type: text("type"),
            file_size: size as u64,
            creation_date: now.clone(),
            document_content: content.to_string(),
        };
        let mut full = record.full.clone();
        set_key(&mut full, kind, Some(doc_key.clone()));
        full.client.last_modified_date = Some(now);
        stored_doc = Some(document.clone());
        Ok((full, vec![Change::PutDocument { kind, document }]))
    })
    .await?;
    let meta = stored_doc.as_ref().map_or(Value::Null, metadata);
    Ok((StatusCode::CREATED, Json(meta)).into_response())
}

/// A document as Mambu describes it: everything but the content.
fn metadata(doc: &Document) -> Value {
    let mut meta = serde_json::to_value(doc).unwrap_or(Value::Null);
    if let Some(m) = meta.as_object_mut() {
        m.remove("documentContent");
        m.insert("documentHolderType".into(), Value::String("CLIENT".into()));
    }
    meta
}

/// `GET …/documents`: the client's documents' metadata, the profile
/// picture before the signature; `[]` when it has none.
pub async fn list(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let record = app.find(&id)?;
    let cache = app.store.read();
    let docs: Vec<Value> = [DocumentKind::ProfilePicture, DocumentKind::Signature]
        .into_iter()
        .filter_map(|kind| cache.document(record.encoded_key(), kind))
        .map(|d| metadata(d))
        .collect();
    drop(cache);
    Ok(Json(docs).into_response())
}

/// `GET …/documents/{kind}`: the content, format first, as a JSON string.
pub async fn get(
    State(app): State<Arc<App>>,
    Path((id, kind_name)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let kind = kind(&kind_name)?;
    let record = app.find(&id)?;
    let doc = app
        .store
        .read()
        .document(record.encoded_key(), kind)
        .cloned();
    match doc {
        Some(d) => Ok(Json(with_format(&d)).into_response()),
        None => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            ReturnCode::InvalidParameters,
            Some(kind.as_str()),
        )),
    }
}

/// `DELETE …/documents/{kind}`.
pub async fn delete(
    State(app): State<Arc<App>>,
    Path((id, kind_name)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let kind = kind(&kind_name)?;
    app.modify(&id, |record| {
        editable(record)?;
        if app
            .store
            .read()
            .document(record.encoded_key(), kind)
            .is_none()
        {
            return Err(ApiError::new(
                StatusCode::NOT_FOUND,
                ReturnCode::InvalidParameters,
                Some(kind.as_str()),
            ));
        }
        let mut full = record.full.clone();
        set_key(&mut full, kind, None);
        full.client.last_modified_date = Some(mambu_now());
        let change = Change::DeleteDocument {
            client_key: record.encoded_key().to_string(),
            kind,
        };
        Ok((full, vec![change]))
    })
    .await?;
    Ok(success())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_is_checked() {
        assert_eq!(decoded_len("aGVsbG8="), Some(5));
        // The seeds' own example (33 characters) does not decode whole but
        // is of base64's alphabet: taken.
        assert_eq!(decoded_len("KFJGFirnb9FKFLkflkjfgJFLKJG249LKB"), Some(24));
        assert_eq!(decoded_len("not base64!"), None);
    }
}
