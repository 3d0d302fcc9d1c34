//! The harness every integration test shares: one set of credentials, one
//! starter for an in-process sandbox, fixtures read from tests/fixtures,
//! and per kind of test the helpers that make a test read as a sentence —
//! `binary` (the `ferry` binary, and `ferry sandbox` as a process), `sandbox`
//! (the sandbox's HTTP API in-process), `push` (the push client's targets).

pub mod binary;
pub mod push;
pub mod sandbox;

use ferry::sandbox::{Credentials, Sandbox, SandboxConfig};
use ferry::tenant::Tenant;

/// The user every test sandbox accepts.
pub const USER: &str = "migrator";
/// Its password (never expected in any output).
pub const PASSWORD: &str = "pw-Secret-42";
/// The API key every test sandbox accepts (never expected in any output).
pub const API_KEY: &str = "apikey-Secret-77";

/// A local sandbox config with `tenant`, accepting the credentials above.
pub fn sandbox_config(tenant: Tenant) -> SandboxConfig {
    let mut c = SandboxConfig::local(tenant);
    c.credentials = Credentials {
        api_keys: vec![API_KEY.into()],
        users: vec![(USER.into(), PASSWORD.into())],
    };
    c
}

/// Starts an in-process sandbox on a free loopback port.
pub async fn start_sandbox(config: SandboxConfig) -> Sandbox {
    Sandbox::start(config).await.expect("sandbox starts")
}

/// A JSON file under tests/fixtures.
pub fn fixture_json(name: &str) -> serde_json::Value {
    binary::read_json(&binary::repo_path(&format!("tests/fixtures/{name}")))
}
