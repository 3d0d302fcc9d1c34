//! What a loader reads to learn the tenant, in Mambu's API v1 routes and
//! shapes, served from the tenant file: custom field sets with their
//! definitions, branches, centres, users, client types, ID document
//! templates and the general settings; plus the sandbox's own routes (the
//! whole tenant file, the state export, the notifications it would have sent).
//!
//! In: GET requests (`offset`/`limit` where Mambu pages). Out: JSON. Fails
//! only on a malformed query or page (4, 13, 14).

use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use serde_json::{json, Value};

use super::app::App;
use super::lookup::{self, Params};
use super::reply::ApiError;
use crate::model::ReturnCode;
use crate::tenant::DuplicateCheckField;

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

/// One page (`offset`, `limit`; default 50, at most 1000) of `items`.
fn paged<T: Serialize>(
    items: impl Iterator<Item = T>,
    q: Result<Query<Params>, QueryRejection>,
) -> Result<Response, ApiError> {
    let page = lookup::page(&lookup::params(q)?)?;
    let items: Vec<T> = items.skip(page.offset).take(page.limit).collect();
    Ok(Json(items).into_response())
}

/// `GET /api/branches?offset=&limit=`: `{encodedKey, id, name, state}`.
pub async fn branches(
    State(app): State<Arc<App>>,
    q: Result<Query<Params>, QueryRejection>,
) -> Result<Response, ApiError> {
    paged(app.tenant.schema().branches.iter(), q)
}

/// `GET /api/centres?offset=&limit=`: `{encodedKey, id, name, assignedBranchKey}`.
pub async fn centres(
    State(app): State<Arc<App>>,
    q: Result<Query<Params>, QueryRejection>,
) -> Result<Response, ApiError> {
    paged(app.tenant.schema().centres.iter(), q)
}

/// `GET /api/users?offset=&limit=`: `{encodedKey, username,
/// isCreditOfficer, assignedBranchKey, userState}`.
pub async fn users(
    State(app): State<Arc<App>>,
    q: Result<Query<Params>, QueryRejection>,
) -> Result<Response, ApiError> {
    let users = app.tenant.schema().users.iter().map(|u| {
        json!({
            "encodedKey": u.encoded_key,
            "username": u.username,
            "isCreditOfficer": u.is_credit_officer,
            "assignedBranchKey": u.assigned_branch_key,
            "userState": "ACTIVE",
        })
    });
    paged(users, q)
}

/// `GET /api/clienttypes?for=CLIENTS`: the client roles as Mambu's client
/// types (`useDefaultAddress` is whether a client of the type may have an
/// address). `for=GROUPS` lists none: the sandbox has no group types.
pub async fn client_types(
    State(app): State<Arc<App>>,
    q: Result<Query<Params>, QueryRejection>,
) -> Result<Response, ApiError> {
    let p = lookup::params(q)?;
    let wanted = p.iter().find(|(k, _)| k == "for").map(|(_, v)| v.as_str());
    if wanted.is_some_and(|w| !w.eq_ignore_ascii_case("CLIENTS")) {
        return Ok(Json(Vec::<Value>::new()).into_response());
    }
    let types: Vec<Value> = app
        .tenant
        .schema()
        .client_roles
        .iter()
        .enumerate()
        .map(|(i, r)| {
            json!({
                "encodedKey": r.encoded_key,
                "id": r.id,
                "name": r.name,
                "clientType": "CLIENT",
                "canOpenAccounts": true,
                "canGuarantee": true,
                "requireID": false,
                "useDefaultAddress": r.can_have_address,
                "index": i,
            })
        })
        .collect();
    Ok(Json(types).into_response())
}

/// `GET /api/settings/iddocumenttemplates`.
pub async fn id_document_templates(State(app): State<Arc<App>>) -> Response {
    Json(&app.tenant.schema().id_document_templates).into_response()
}

/// `GET /api/settings/general`: the settings a client create depends on —
/// default client role and state, required assignments, and the
/// duplicate-client checks with Mambu's one action for all of them.
pub async fn general_settings(State(app): State<Arc<App>>) -> Response {
    Json(general(&app)).into_response()
}

/// The general settings as Mambu's `GeneralSettingsApiV1` (the part that
/// concerns clients): the tenant file's checks, each active, and its one
/// action (NONE when the file has no checks).
pub fn general(app: &App) -> Value {
    let s = app.tenant.schema();
    let mut constraints = Vec::new();
    if s.branch_required {
        constraints.push("BRANCH");
    }
    if s.credit_officer_required {
        constraints.push("CREDIT_OFFICER");
    }
    let checks: Vec<Value> = s
        .duplicate_client_checks
        .iter()
        .enumerate()
        .map(|(i, f)| {
            json!({
                "dataField": f,
                "dataItemType": if *f == DuplicateCheckField::DocumentIdAndType {
                    "IDENTIFICATION_DOCUMENT"
                } else {
                    "CLIENT"
                },
                "active": true,
                "groupIndex": i,
            })
        })
        .collect();
    let action = app.tenant.duplicate_action();
    json!({
        "defaultClientRoleKey": app.tenant.default_client_role().map(|r| &r.encoded_key),
        "defaultClientState": s.default_client_state.as_deref().unwrap_or("PENDING_APPROVAL"),
        "assignmentConstraints": constraints,
        "duplicateClientChecks": checks,
        "duplicateClientConstraintAction": action,
    })
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

/// `GET /api/sandbox/notifications`: the client-creation e-mails and SMS
/// the tenant's templates would have sent since the sandbox started.
pub async fn notifications(State(app): State<Arc<App>>) -> Response {
    Json(json!({
        "templates": app.tenant.schema().notification_templates,
        "sent": app.notifications.count(),
    }))
    .into_response()
}
