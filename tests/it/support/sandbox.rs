//! For the sandbox's own tests: the test tenant, a started sandbox with a
//! reqwest client that carries the credentials, and the validator's own
//! verdict on a request (so rule tests expect exactly what
//! `ferry::validate` decides).

use ferry::field_error::FieldError;
use ferry::model::ClientRequest;
use ferry::sandbox::{FaultConfig, Sandbox, SandboxConfig, StoreLocation};
use ferry::tenant::{Tenant, TenantSchema};
use ferry::validate::{check_client, CheckOptions};
use serde_json::{json, Value};

pub use super::{API_KEY, PASSWORD, USER};

/// A tenant with the custom fields, templates, branch, centre, user and
/// role the seeds' examples name (tests/fixtures/sandbox-tenant.json).
pub fn tenant_json() -> Value {
    super::fixture_json("sandbox-tenant.json")
}

/// The test tenant.
pub fn tenant() -> Tenant {
    let schema: TenantSchema = serde_json::from_value(tenant_json()).expect("test tenant parses");
    Tenant::from_schema(schema).expect("test tenant is consistent")
}

/// A config with the test tenant and basic + apikey credentials.
pub fn config() -> SandboxConfig {
    super::sandbox_config(tenant())
}

/// A config storing in a file.
pub fn file_config(path: &std::path::Path) -> SandboxConfig {
    let mut c = config();
    c.store = StoreLocation::File(path.to_path_buf());
    c
}

/// A config with faults.
pub fn fault_config(spec: &str, seed: u64) -> SandboxConfig {
    let mut c = config();
    c.faults = FaultConfig::parse(spec).expect("fault spec parses");
    c.seed = seed;
    c
}

/// A started sandbox and a client for it.
pub struct Api {
    pub sandbox: Sandbox,
    pub http: reqwest::Client,
    pub base: String,
}

impl Api {
    pub async fn start(config: SandboxConfig) -> Api {
        let sandbox = super::start_sandbox(config).await;
        let base = sandbox.base_url();
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .expect("client builds");
        Api {
            sandbox,
            http,
            base,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn req(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, self.url(path))
            .basic_auth(USER, Some(PASSWORD))
    }

    /// Sends and returns the status and JSON body (Null when not JSON).
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut r = self.req(method, path);
        if let Some(b) = body {
            r = r.json(&b);
        }
        let resp = r.send().await.expect("request is answered");
        let status = resp.status().as_u16();
        let text = resp.text().await.expect("body is read");
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        self.call(reqwest::Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> (u16, Value) {
        self.call(reqwest::Method::PATCH, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> (u16, Value) {
        self.call(reqwest::Method::DELETE, path, None).await
    }

    /// Creates a client and returns its full shape.
    pub async fn create(&self, body: Value) -> Value {
        let (status, full) = self.post("/api/clients", body).await;
        assert_eq!(status, 201, "create refused: {full}");
        full
    }
}

/// A minimal valid create body.
pub fn person(id: &str, first: &str, last: &str) -> Value {
    json!({"client": {"id": id, "firstName": first, "lastName": last}})
}

/// The body Mambu answers with for a code.
pub fn code_of(body: &Value) -> i64 {
    body["returnCode"].as_i64().unwrap_or(-1)
}

/// What `ferry::validate` finds first in a request, as the sandbox sees it.
pub fn validator_verdict(body: &Value, tenant: &Tenant) -> Option<FieldError> {
    let req: ClientRequest = serde_json::from_value(body.clone()).expect("request parses");
    let mut out = Vec::new();
    let today = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    check_client(
        &req,
        tenant,
        &CheckOptions {
            today,
            require_id: false,
        },
        &mut out,
    );
    out.into_iter().find(FieldError::is_error)
}

/// Whether the real validator is linked in (a stub finds nothing, not even
/// a client without names).
pub fn validator_is_real() -> bool {
    validator_verdict(&json!({"client": {}}), &tenant()).is_some()
}

/// Asserts that the sandbox answered a rule's request exactly as the
/// validator decides, and that the validator names it with `code`.
pub fn assert_rule(status: u16, body: &Value, request: &Value, code: i64) {
    match validator_verdict(request, &tenant()) {
        Some(e) => {
            assert_eq!(
                i64::from(e.code.code()),
                code,
                "validator's code for {request}"
            );
            assert_eq!(status, 400, "{body}");
            assert_eq!(body, &serde_json::to_value(e.to_error_body()).unwrap());
        }
        None => {
            assert!(
                !validator_is_real(),
                "the validator accepts {request}; expected {code}"
            );
            assert_eq!(status, 201, "{body}");
        }
    }
}
