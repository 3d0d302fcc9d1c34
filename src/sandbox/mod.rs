//! A Mambu-compatible Clients API v1 server to rehearse imports against.
//!
//! In: a `SandboxConfig` (tenant, store location, credentials, rate limit,
//! faults, seed). Out: a running HTTP server (axum on tokio) answering as
//! Mambu's v1 Clients API does, with validation by `crate::validate`,
//! state in SQLite committed before each answer, and a JSON export of the
//! whole state. `Sandbox::start` fails with `SandboxError` when the address
//! cannot be bound or the store cannot be opened.

mod app;
mod auth;
mod cache;
mod clients;
mod commit;
mod conn;
mod custom_information;
mod documents;
mod encoded_key;
mod faults;
mod form;
mod lookup;
mod notifications;
mod patch;
mod rate_limit;
mod reply;
mod routes;
mod search;
mod shape;
mod store;
mod tenant_routes;
mod update;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use crate::model::state_moves::transition_allowed;
pub use auth::Credentials;
pub use faults::{FaultConfig, FaultSpecError};
pub use rate_limit::PenaltyConfig;
pub use store::StoreLocation;

use crate::tenant::Tenant;

/// Everything a sandbox is started with.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Where to listen; `127.0.0.1:0` picks a free port.
    pub bind: SocketAddr,
    /// The tenant's definitions. `Tenant::unknown()` reuses the tenant a
    /// file store was seeded with earlier, if any.
    pub tenant: Tenant,
    /// Where the sandbox keeps its clients: a SQLite file or a temporary one.
    pub store: StoreLocation,
    /// Accepted credentials; none at all means an open sandbox.
    pub credentials: Credentials,
    /// Requests per second per credential; `None` for no limit.
    pub rate_limit: Option<u32>,
    /// Injected faults: server errors, latency, hangs, cut and lost answers.
    pub faults: FaultConfig,
    /// Seeds fault draws (and generated ids).
    pub seed: u64,
    /// Blocks callers that send floods of invalid requests (24).
    pub invalid_request_penalty: Option<PenaltyConfig>,
}

impl SandboxConfig {
    /// An open, unthrottled, fault-free sandbox in memory on a free
    /// loopback port.
    pub fn local(tenant: Tenant) -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            tenant,
            store: StoreLocation::Memory,
            credentials: Credentials::default(),
            rate_limit: None,
            faults: FaultConfig::none(),
            seed: 0,
            invalid_request_penalty: None,
        }
    }
}

/// Why a sandbox could not start.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// The listening socket could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// Why binding failed.
        source: std::io::Error,
    },
    /// The store could not be opened or read.
    #[error("cannot open the sandbox store: {0}")]
    Store(String),
    /// The tenant kept in the store does not load.
    #[error("the stored tenant is inconsistent: {0}")]
    Tenant(String),
}

/// A running sandbox.
pub struct Sandbox {
    addr: SocketAddr,
    app: Arc<app::App>,
    stop: watch::Sender<bool>,
    server: JoinHandle<()>,
}

/// How long shutdown waits for in-flight requests before cutting them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

impl Sandbox {
    /// Opens the store, binds, and starts serving in the background.
    pub async fn start(config: SandboxConfig) -> Result<Sandbox, SandboxError> {
        let seed_tenant = config
            .tenant
            .is_known()
            .then(|| config.tenant.schema().clone());
        let location = config.store.clone();
        let opened = tokio::task::spawn_blocking(move || {
            store::Store::open(&location, seed_tenant.as_ref())
        })
        .await
        .map_err(|e| SandboxError::Store(e.to_string()))?
        .map_err(|e| SandboxError::Store(e.to_string()))?;
        let tenant = match (config.tenant.is_known(), opened.stored_tenant) {
            (false, Some(schema)) => {
                Tenant::from_schema(schema).map_err(|e| SandboxError::Tenant(e.to_string()))?
            }
            _ => config.tenant,
        };
        let listener = tokio::net::TcpListener::bind(config.bind)
            .await
            .map_err(|source| SandboxError::Bind {
                addr: config.bind,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| SandboxError::Bind {
            addr: config.bind,
            source,
        })?;
        let app = Arc::new(app::App {
            notifications: notifications::Notifications::for_tenant(&tenant),
            tenant: Arc::new(tenant),
            store: opened.store,
            keys: encoded_key::KeyGen::new(config.seed),
        });
        let (stop, stopped) = watch::channel(false);
        let router = routes::router(
            Arc::clone(&app),
            Arc::new(config.credentials),
            Arc::new(rate_limit::Throttle::new(
                config.rate_limit,
                config.invalid_request_penalty,
            )),
            Arc::new(faults::Faults::new(
                config.faults,
                config.seed,
                stopped.clone(),
            )),
        );
        let service = router.into_make_service_with_connect_info::<conn::ConnHandle>();
        let mut until_stop = stopped;
        let server = tokio::spawn(async move {
            let serve = axum::serve(conn::CuttableListener::new(listener), service)
                .with_graceful_shutdown(async move {
                    let _ = until_stop.wait_for(|s| *s).await;
                });
            if let Err(e) = serve.await {
                tracing::error!(error = %e, "sandbox server stopped");
            }
        });
        tracing::info!(%addr, "sandbox listening");
        Ok(Sandbox {
            addr,
            app,
            stop,
            server,
        })
    }

    /// The address the sandbox listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The whole state, as `GET /api/sandbox/export` returns it.
    pub async fn export(&self) -> serde_json::Value {
        tenant_routes::export(&self.app)
    }

    /// Stops serving (hung requests end), lets in-flight requests finish
    /// for a moment, and closes the store after its last commit.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let mut server = self.server;
        if tokio::time::timeout(SHUTDOWN_GRACE, &mut server)
            .await
            .is_err()
        {
            server.abort();
        }
        self.app.store.close().await;
    }
}
