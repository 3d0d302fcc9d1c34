//! The client resource: create, get, update, PATCH and delete.
//!
//! In: `/api/clients[/{idOrKey}]` requests (a create may come as a JSON
//! body or as url-encoded form parameters, see `form`). Out: 201 with the full shape
//! (create, update), the basic or full shape (GET), `SUCCESS` (PATCH,
//! DELETE), or Mambu's error body. Every change goes through
//! `App::check`, i.e. `crate::validate`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::app::{editable, App, Keys};
use super::cache::Record;
use super::encoded_key::mambu_now;
use super::form::{self, is_form};
use super::patch::apply_patch;
use super::reply::{parse_json, success, typed, ApiError};
use super::shape;
use super::store::{client_json, Change, StoreError};
use super::update::{apply_update, client_object};
use crate::model::{ClientRequest, ReturnCode};

/// How often a generated id is drawn again when it is taken.
const ID_ATTEMPTS: usize = 5;

/// 201 with the stored shape's JSON, as stored, and its `Location`.
fn created(id: &str, json: Bytes) -> Response {
    let mut r = (
        StatusCode::CREATED,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        json,
    )
        .into_response();
    let location = crate::push::path_segment(id).map(|s| format!("/api/clients/{s}"));
    if let Some(v) = location.ok().and_then(|l| HeaderValue::from_str(&l).ok()) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

/// A create body: a well-formed one straight into the typed request; any
/// other through `serde_json::Value`, which names what is wrong (30, 26,
/// a missing `client`, or the field of the wrong type).
fn read_request(body: &[u8]) -> Result<ClientRequest, ApiError> {
    if let Ok(req) = serde_json::from_slice::<ClientRequest>(body) {
        return Ok(req);
    }
    let value = parse_json(body)?;
    client_object(&value)?;
    typed(value)
}

/// `POST /api/clients`, with a JSON body or url-encoded form parameters.
pub async fn create(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let form = headers
        .get(header::CONTENT_TYPE)
        .is_some_and(|t| is_form(t.as_bytes()));
    let mut req = if form {
        typed(form::to_json(&body)?)?
    } else {
        read_request(&body)?
    };
    if req
        .client
        .id
        .as_deref()
        .is_some_and(|id| id.trim().is_empty())
    {
        req.client.id = None;
    }
    let Keys { kinds, stored } = app.check(&req)?;
    let generated = req.client.id.is_none();
    let id = req.client.id.take().unwrap_or_else(|| app.keys.client_id());
    let mut full = shape::new_client(req, id, &app.tenant, &app.keys, &mambu_now());
    let mut stored = Some(stored);
    for _ in 0..ID_ATTEMPTS {
        let json = client_json(&full).map_err(|e| app.store_error(e, &kinds))?;
        // Kept only when a template could fire: creates are the hot path.
        let contact = app.notifications.active().then(|| {
            (
                full.client.email_address.clone(),
                full.client.mobile_phone1.clone(),
            )
        });
        let id = full.client.id.clone().unwrap_or_default();
        // Only a generated id is drawn again, so only then are the keys needed twice.
        let keys = if generated {
            stored.clone().unwrap_or_default()
        } else {
            stored.take().unwrap_or_default()
        };
        let change = Change::Create {
            record: Record {
                seq: 0,
                version: 0,
                full,
            },
            json: json.clone(),
            keys,
        };
        match app.store.apply(vec![change]).await {
            Ok(()) => {
                if let Some((email, mobile)) = &contact {
                    app.notifications
                        .created(email.as_deref(), mobile.as_deref());
                }
                return Ok(created(&id, json));
            }
            Err(StoreError::IdInUse) if generated => {
                full = serde_json::from_slice(&json).map_err(|_| ApiError::internal())?;
                full.client.id = Some(app.keys.client_id());
            }
            Err(e) => return Err(app.store_error(e, &kinds)),
        }
    }
    Err(ApiError::internal())
}

/// `?fullDetails=true`.
#[derive(Debug, serde::Deserialize)]
pub struct Details {
    #[serde(rename = "fullDetails")]
    full_details: Option<String>,
}

/// `GET /api/clients/{idOrKey}`: the client alone, or the full shape.
pub async fn get(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    q: Result<Query<Details>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = q.map_err(|_| ApiError::bad(ReturnCode::InvalidParameters, None))?;
    let record = app.find(&id)?;
    let full = q
        .full_details
        .as_deref()
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    Ok(if full {
        Json(&record.full).into_response()
    } else {
        Json(&record.full.client).into_response()
    })
}

/// `POST /api/clients/{idOrKey}`: an update (see `update`).
pub async fn update(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let value = parse_json(&body)?;
    let saved = app
        .modify(&id, |record| {
            editable(record)?;
            let mut merged =
                apply_update(&record.full, &value, &app.tenant, &app.keys, &mambu_now())?;
            shape::assignments_as_keys(&mut merged.client, &app.tenant);
            Ok((merged, Vec::new()))
        })
        .await?;
    Ok(created(&saved.id, saved.json))
}

/// `PATCH /api/clients/{idOrKey}`: state and assignments (see `patch`).
pub async fn patch(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let value = parse_json(&body)?;
    app.modify(&id, |record| {
        let mut patched = apply_patch(&record.full, &value, &mambu_now())?;
        shape::assignments_as_keys(&mut patched.client, &app.tenant);
        Ok((patched, Vec::new()))
    })
    .await?;
    Ok(success())
}

/// `DELETE /api/clients/{idOrKey}`. Sandbox clients have no accounts,
/// guarantees or groups, so 313–315 never apply.
pub async fn delete(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let record = app.find(&id)?;
    let change = Change::Delete {
        encoded_key: record.encoded_key().to_string(),
    };
    app.store
        .apply(vec![change])
        .await
        .map_err(|e| app.store_error(e, &[]))?;
    Ok(success())
}
