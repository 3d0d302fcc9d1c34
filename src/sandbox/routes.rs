//! The route table and the layers around it: auth on everything, then the
//! throttle, then — on the `/api/clients` routes only — fault injection.
//!
//! In: the shared `App` and the guards. Out: an axum `Router`.

use std::sync::Arc;

use axum::http::StatusCode;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, patch, post};
use axum::Router;

use super::app::App;
use super::auth::{self, Credentials};
use super::faults::{self, Faults};
use super::rate_limit::{self, Throttle};
use super::reply::ApiError;
use super::{clients, custom_information, documents, lookup, search, tenant_routes};
use crate::model::ReturnCode;

/// Builds the sandbox's router.
pub fn router(
    app: Arc<App>,
    creds: Arc<Credentials>,
    throttle: Arc<Throttle>,
    faults: Arc<Faults>,
) -> Router {
    let clients = Router::new()
        .route("/api/clients", post(clients::create).get(lookup::list))
        .route("/api/clients/search", post(search::search))
        .route(
            "/api/clients/{id}",
            get(clients::get)
                .post(clients::update)
                .patch(clients::patch)
                .delete(clients::delete),
        )
        .route(
            "/api/clients/{id}/custominformation",
            patch(custom_information::patch_many),
        )
        .route(
            "/api/clients/{id}/custominformation/",
            patch(custom_information::patch_many),
        )
        .route(
            "/api/clients/{id}/custominformation/{field}",
            get(custom_information::get)
                .patch(custom_information::patch_one)
                .delete(custom_information::delete),
        )
        .route(
            "/api/clients/{id}/documents/{kind}",
            post(documents::post)
                .get(documents::get)
                .delete(documents::delete),
        )
        .layer(from_fn_with_state(faults, faults::inject));
    let rest = Router::new()
        .route(
            "/api/customfieldsets",
            get(tenant_routes::custom_field_sets),
        )
        .route("/api/branches", get(tenant_routes::branches))
        .route("/api/centres", get(tenant_routes::centres))
        .route("/api/users", get(tenant_routes::users))
        .route("/api/clientroles", get(tenant_routes::client_roles))
        .route("/api/idtemplates", get(tenant_routes::id_templates))
        .route("/api/sandbox/tenant", get(tenant_routes::tenant))
        .route("/api/sandbox/export", get(tenant_routes::export_route));
    clients
        .merge(rest)
        .fallback(|| async {
            ApiError::new(StatusCode::NOT_FOUND, ReturnCode::InvalidParameters, None)
        })
        .with_state(app)
        .layer(from_fn_with_state(throttle, rate_limit::throttle))
        .layer(from_fn_with_state(creds, auth::require))
}
