//! The route table and the layers around it: auth on everything, then the
//! throttle, then — on the `/api/clients` routes only — fault injection.
//! The throttle and fault layers are left out when configured to do nothing.
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
    let mut clients = Router::new()
        .route("/api/clients", post(clients::create).get(lookup::list))
        // The seed's form create is spelled `POST /api/clients/`.
        .route("/api/clients/", post(clients::create))
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
        .route("/api/clients/{id}/documents", get(documents::list))
        .route(
            "/api/clients/{id}/documents/{kind}",
            post(documents::post)
                .get(documents::get)
                .delete(documents::delete),
        );
    // A layer that can never act still costs every request a boxed future.
    if faults.is_active() {
        clients = clients.layer(from_fn_with_state(faults, faults::inject));
    }
    let rest = Router::new()
        .route(
            "/api/customfieldsets",
            get(tenant_routes::custom_field_sets),
        )
        .route("/api/branches", get(tenant_routes::branches))
        .route("/api/centres", get(tenant_routes::centres))
        .route("/api/users", get(tenant_routes::users))
        .route("/api/clienttypes", get(tenant_routes::client_types))
        .route(
            "/api/settings/iddocumenttemplates",
            get(tenant_routes::id_document_templates),
        )
        .route(
            "/api/settings/general",
            get(tenant_routes::general_settings),
        )
        .route("/api/sandbox/tenant", get(tenant_routes::tenant))
        .route("/api/sandbox/export", get(tenant_routes::export_route))
        .route(
            "/api/sandbox/notifications",
            get(tenant_routes::notifications),
        );
    let mut router = clients
        .merge(rest)
        .fallback(|| async {
            ApiError::new(StatusCode::NOT_FOUND, ReturnCode::InvalidParameters, None)
        })
        .with_state(app);
    if throttle.is_active() {
        router = router.layer(from_fn_with_state(throttle, rate_limit::throttle));
    }
    router.layer(from_fn_with_state(creds, auth::require))
}
