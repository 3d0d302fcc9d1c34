//! What a loader reads to learn the tenant: custom field sets with their
//! definitions, branches, centres, users, client roles, ID document
//! templates, and the whole tenant file; plus the state export.
//!
//! In: GET requests. Out: JSON in the seeds' shapes. Never fails.

use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::app::App;
use super::lookup::Params;
use super::reply::ApiError;
use crate::model::ReturnCode;

/// `GET /api/customfieldsets?type=CLIENT_INFO`: sets whose type matches
/// (a set without a type counts as CLIENT_INFO), with their fields.
pub async fn custom_field_sets(
    State(app): State<Arc<App>>,
    q: Result<Query<Params>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(p) = q.map_err(|_| ApiError::bad(ReturnCode::InvalidParameters, None))?;
    let wanted = p.iter().find(|(k, _)| k == "type").map(|(_, v)| v.as_str());
    let sets: Vec<_> = app
        .tenant
        .schema()
        .custom_field_sets
        .iter()
        .filter(|s| {
            wanted.map_or(true, |w| {
                s.entity_type.as_deref().unwrap_or("CLIENT_INFO") == w
            })
        })
        .collect();
    Ok(Json(sets).into_response())
}

/// `GET /api/branches`.
pub async fn branches(State(app): State<Arc<App>>) -> Response {
    Json(&app.tenant.schema().branches).into_response()
}

/// `GET /api/centres`.
pub async fn centres(State(app): State<Arc<App>>) -> Response {
    Json(&app.tenant.schema().centres).into_response()
}

/// `GET /api/users`.
pub async fn users(State(app): State<Arc<App>>) -> Response {
    Json(&app.tenant.schema().users).into_response()
}

/// `GET /api/clientroles`.
pub async fn client_roles(State(app): State<Arc<App>>) -> Response {
    Json(&app.tenant.schema().client_roles).into_response()
}

/// `GET /api/idtemplates`.
pub async fn id_templates(State(app): State<Arc<App>>) -> Response {
    Json(&app.tenant.schema().id_document_templates).into_response()
}

/// `GET /api/sandbox/tenant`: the whole tenant file.
pub async fn tenant(State(app): State<Arc<App>>) -> Response {
    Json(app.tenant.schema()).into_response()
}

/// The whole state: `{"clients":[full shapes sorted by id],"documents":[…]}`
/// (documents sorted by client key and kind). Equal states export equal.
pub fn export(app: &App) -> Value {
    let cache = app.store.read();
    let mut clients: Vec<_> = cache.clients().collect();
    clients.sort_by(|a, b| a.id().cmp(b.id()));
    let clients: Vec<Value> = clients
        .iter()
        .map(|r| serde_json::to_value(&r.full).unwrap_or(Value::Null))
        .collect();
    let documents: Vec<Value> = cache
        .documents()
        .map(|d| serde_json::to_value(d.as_ref()).unwrap_or(Value::Null))
        .collect();
    json!({"clients": clients, "documents": documents})
}

/// `GET /api/sandbox/export`.
pub async fn export_route(State(app): State<Arc<App>>) -> Response {
    Json(export(&app)).into_response()
}
