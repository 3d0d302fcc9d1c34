//! Reaching the target: a URL with credentials from the environment, or the
//! embedded sandbox on a local state file — started in-process, so a whole
//! rehearsal (import, look, revert) needs no server started by hand.
//!
//! In: where to go, the credentials file if any, rate and concurrency.
//! Out: a probed `push::Target` plus the label the ledger keeps (a URL
//! without credentials, or `sandbox:<state file>`). Fails with
//! `SessionError`: bad usage (exit 2) or target unreachable/refusing (exit 3).

use std::num::{NonZeroU32, NonZeroUsize};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::credentials::{Credentials, Secret};
use crate::ledger::EventRecord;
use crate::push::{BreakerPolicy, RetryPolicy, Target, TargetConfig};
use crate::sandbox::{self, Sandbox, SandboxConfig, StoreLocation};
use crate::tenant::Tenant;

/// Where the rows go.
#[derive(Debug, Clone)]
pub enum TargetChoice {
    /// A Mambu tenant (or a sandbox started by hand) at this base URL.
    Url(String),
    /// The embedded sandbox on this state file.
    Sandbox {
        /// The file the sandbox keeps its clients in.
        state: PathBuf,
        /// The tenant file the sandbox serves; none for an unknown tenant.
        tenant: Option<PathBuf>,
    },
}

impl TargetChoice {
    /// The label kept in the ledger, from which `from_label` finds the target again.
    pub fn label(&self) -> String {
        match self {
            Self::Url(u) => u.trim_end_matches('/').to_string(),
            Self::Sandbox { state, .. } => {
                let abs = std::path::absolute(state).unwrap_or_else(|_| state.clone());
                format!("sandbox:{}", abs.display())
            }
        }
    }

    /// The target an event was imported into; an embedded sandbox is
    /// restarted with the event's tenant file.
    pub fn for_event(event: &EventRecord) -> Self {
        match Self::from_label(&event.target) {
            Self::Sandbox { state, .. } => Self::Sandbox {
                state,
                tenant: event.tenant_path.clone(),
            },
            other => other,
        }
    }

    /// The target a ledger label names.
    pub fn from_label(label: &str) -> Self {
        match label.strip_prefix("sandbox:") {
            Some(path) => Self::Sandbox {
                state: PathBuf::from(path),
                tenant: None,
            },
            None => Self::Url(label.to_string()),
        }
    }
}

/// How requests are paced.
#[derive(Debug, Clone, Copy)]
pub struct Pace {
    /// Requests per second, retries included; none for as fast as answered.
    pub rate: Option<NonZeroU32>,
    /// Rows (and so requests) in flight at once.
    pub concurrency: NonZeroUsize,
    /// How long before a request counts as lost.
    pub timeout: Duration,
}

/// Why the target cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// The target cannot be set up as given: no credentials, a bad tenant
    /// file, a sandbox that will not start.
    #[error("{0}")]
    Usage(String),
    /// The target did not answer the probe, or refused the credentials.
    #[error("target unavailable: {0}")]
    Unavailable(String),
}

/// A connected target; the embedded sandbox lives as long as this.
pub struct Session {
    /// The rate-limited client every request goes through.
    pub target: Target,
    /// The target's label as the ledger keeps it (a URL or `sandbox:PATH`).
    pub label: String,
    sandbox: Option<Sandbox>,
}

impl Session {
    /// Connects and probes (reachability and credentials).
    pub async fn connect(
        choice: &TargetChoice,
        credentials_file: Option<&Path>,
        pace: Pace,
    ) -> Result<Session, SessionError> {
        let label = choice.label();
        let (base_url, credentials, sandbox) = match choice {
            TargetChoice::Url(url) => {
                let creds = Credentials::discover(credentials_file)
                    .map_err(|e| SessionError::Usage(e.to_string()))?
                    .ok_or_else(|| {
                        SessionError::Usage(
                            "no credentials: set MAMBU_API_KEY, or MAMBU_USER and MAMBU_PASSWORD, or pass --credentials-file"
                                .into(),
                        )
                    })?;
                (url.trim_end_matches('/').to_string(), creds, None)
            }
            TargetChoice::Sandbox { state, tenant } => {
                let tenant = match tenant {
                    Some(p) => Tenant::load(p).map_err(|e| SessionError::Usage(e.to_string()))?,
                    None => Tenant::unknown(),
                };
                let key = format!("{:032x}", fastrand::u128(..));
                let mut config = SandboxConfig::local(tenant);
                config.store = StoreLocation::File(state.clone());
                config.credentials = sandbox::Credentials {
                    api_keys: vec![key.clone()],
                    users: Vec::new(),
                };
                let sb = Sandbox::start(config)
                    .await
                    .map_err(|e| SessionError::Usage(format!("embedded sandbox: {e}")))?;
                (
                    sb.base_url(),
                    Credentials::ApiKey(Secret::new(key)),
                    Some(sb),
                )
            }
        };
        let target = Target::new(TargetConfig {
            base_url,
            credentials: Some(credentials),
            rate: pace.rate.map(NonZeroU32::get),
            concurrency: pace.concurrency.get(),
            timeout: pace.timeout,
            retry: RetryPolicy::default(),
            breaker: BreakerPolicy::default(),
        })
        .map_err(|e| SessionError::Usage(e.to_string()))?;
        target
            .probe()
            .await
            .map_err(|e| SessionError::Unavailable(e.to_string()))?;
        Ok(Session {
            target,
            label,
            sandbox,
        })
    }

    /// Stops the embedded sandbox, if any.
    pub async fn close(self) {
        if let Some(sb) = self.sandbox {
            sb.shutdown().await;
        }
    }
}
