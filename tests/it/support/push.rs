//! For the push client's tests: a sandbox with no tenant, and targets for
//! it with quick retry policies so the suite stays fast.

use std::time::Duration;

use ferry::credentials::{Credentials, Secret};
use ferry::push::{BreakerPolicy, Outcome, RetryPolicy, Target, TargetConfig};
use ferry::sandbox::{FaultConfig, Sandbox, SandboxConfig};
use ferry::tenant::Tenant;
use serde_json::{json, Value};

pub use super::{API_KEY, PASSWORD, USER};

/// A sandbox config accepting `USER`/`PASSWORD` and `API_KEY`.
pub fn sandbox_config() -> SandboxConfig {
    super::sandbox_config(Tenant::unknown())
}

/// The same with faults drawn from `seed`.
pub fn faulty(spec: &str, seed: u64) -> SandboxConfig {
    let mut c = sandbox_config();
    c.faults = FaultConfig::parse(spec).expect("fault spec parses");
    c.seed = seed;
    c
}

pub async fn start(config: SandboxConfig) -> Sandbox {
    super::start_sandbox(config).await
}

/// The right user and password.
pub fn user() -> Credentials {
    Credentials::Basic {
        user: USER.into(),
        password: Secret::new(PASSWORD),
    }
}

/// A target config with quick retries (5 ms base, 8 attempts) and a
/// 2 s timeout.
pub fn target_config(sandbox: &Sandbox, credentials: Option<Credentials>) -> TargetConfig {
    let mut c = TargetConfig::new(sandbox.base_url(), credentials);
    c.timeout = Duration::from_secs(2);
    c.retry = RetryPolicy {
        max_attempts: 8,
        base: Duration::from_millis(5),
        cap: Duration::from_millis(100),
    };
    c.breaker = BreakerPolicy {
        failure_threshold: 50,
        cooldown: Duration::from_millis(50),
        max_cooldown: Duration::from_millis(200),
    };
    c
}

pub fn target(config: TargetConfig) -> Target {
    Target::new(config).expect("target builds")
}

/// A small valid create request.
pub fn person(id: &str, first: &str, last: &str) -> Vec<u8> {
    json!({"client": {"id": id, "firstName": first, "lastName": last}})
        .to_string()
        .into_bytes()
}

/// Creates `n` clients `{prefix}{i}` at once (up to the target's
/// concurrency) and returns the outcomes in order.
pub async fn create_many(target: &Target, prefix: &str, n: usize) -> Vec<Outcome> {
    let tasks: Vec<_> = (0..n)
        .map(|i| {
            let t = target.clone();
            let body = person(&format!("{prefix}{i}"), "Ann", "Lee");
            tokio::spawn(async move { t.create(&body).await })
        })
        .collect();
    let mut out = Vec::with_capacity(n);
    for t in tasks {
        out.push(t.await.expect("create task"));
    }
    out
}

/// The ids of every stored client.
pub async fn stored_ids(sandbox: &Sandbox) -> Vec<String> {
    let export = sandbox.export().await;
    let mut ids: Vec<String> = export["clients"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|c| c["client"]["id"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    ids.sort();
    ids
}

/// The stored client's JSON in an `Ok` outcome.
pub fn ok_body(o: &Outcome) -> &Value {
    match o {
        Outcome::Ok { body, .. } => body,
        other => panic!("expected Ok, got {other:?}"),
    }
}
