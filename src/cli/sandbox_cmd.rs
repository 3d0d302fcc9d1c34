//! `ferry sandbox`: serve the Mambu-compatible API until Ctrl-C.
//!
//! Credentials are those a loader would send: `MAMBU_API_KEY` or
//! `MAMBU_USER` + `MAMBU_PASSWORD`, or `--credentials-file`. With none,
//! the sandbox is open to any caller and says so.

use std::io::Write;

use super::args::SandboxArgs;
use super::{report_error, Exit};
use crate::credentials::Credentials;
use crate::sandbox::{self, FaultConfig, Sandbox, SandboxConfig, StoreLocation};
use crate::tenant::Tenant;

pub fn run(a: SandboxArgs) -> Exit {
    let config = match build_config(&a) {
        Ok(c) => c,
        Err(e) => {
            report_error(&e);
            return Exit::BadInput;
        }
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            report_error(&format!("cannot start the runtime: {e}"));
            return Exit::BadInput;
        }
    };
    runtime.block_on(async move {
        let open = config.credentials.is_open();
        // Listen for Ctrl-C before saying "listening": a caller that reads
        // that line and interrupts at once must stop the sandbox cleanly,
        // not kill it mid-commit by the default signal action.
        let mut interrupt =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt()) {
                Ok(s) => s,
                Err(e) => {
                    report_error(&format!("cannot listen for Ctrl-C: {e}"));
                    return Exit::BadInput;
                }
            };
        let sandbox = match Sandbox::start(config).await {
            Ok(s) => s,
            Err(e) => {
                report_error(&e);
                return Exit::BadInput;
            }
        };
        let mut out = std::io::stdout();
        let _ = writeln!(out, "sandbox listening on {}", sandbox.base_url());
        if open {
            let _ = writeln!(
                out,
                "no credentials configured: any caller is accepted (set MAMBU_API_KEY to require one)"
            );
        }
        let _ = out.flush();
        interrupt.recv().await;
        sandbox.shutdown().await;
        Exit::Done
    })
}

/// Why the sandbox's flags cannot make a config.
#[derive(Debug, thiserror::Error)]
enum ConfigError {
    #[error(transparent)]
    Tenant(#[from] crate::tenant::TenantError),
    #[error("--faults: {0}")]
    Faults(#[from] crate::sandbox::FaultSpecError),
    #[error(transparent)]
    Credentials(#[from] crate::credentials::CredentialsError),
}

fn build_config(a: &SandboxArgs) -> Result<SandboxConfig, ConfigError> {
    let tenant = match &a.tenant {
        Some(p) => Tenant::load(p)?,
        None => Tenant::unknown(),
    };
    let faults = if a.faults.trim().is_empty() {
        FaultConfig::none()
    } else {
        FaultConfig::parse(&a.faults)?
    };
    let credentials = match Credentials::discover(a.credentials_file.as_deref())? {
        Some(Credentials::ApiKey(key)) => sandbox::Credentials {
            api_keys: vec![key.expose().to_string()],
            users: Vec::new(),
        },
        Some(Credentials::Basic { user, password }) => {
            sandbox::Credentials::user(&user, password.expose())
        }
        None => sandbox::Credentials::default(),
    };
    let mut config = SandboxConfig::local(tenant);
    config.bind = a.bind;
    config.store = if a.memory {
        StoreLocation::Memory
    } else {
        StoreLocation::File(a.state.clone())
    };
    config.credentials = credentials;
    config.rate_limit = a.rate_limit;
    config.faults = faults;
    config.seed = a.seed;
    Ok(config)
}
