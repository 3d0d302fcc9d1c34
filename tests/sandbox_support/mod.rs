//! Shared by the sandbox tests: a test tenant, a started sandbox, a reqwest
//! client with credentials, and the validator's own verdict on a request
//! (so rule tests expect exactly what `ferry::validate` decides).
#![allow(dead_code)]

use ferry::field_error::FieldError;
use ferry::model::ClientRequest;
use ferry::sandbox::{Credentials, FaultConfig, Sandbox, SandboxConfig, StoreLocation};
use ferry::tenant::{Tenant, TenantSchema};
use ferry::validate::{check_client, CheckOptions};
use serde_json::{json, Value};

pub const USER: &str = "api";
pub const PASSWORD: &str = "secret";
pub const API_KEY: &str = "key-123";

/// A tenant with the custom fields, templates, branch, centre, user and
/// role the seeds' examples name.
pub fn tenant_json() -> Value {
    json!({
        "name": "test",
        "customFieldSets": [
            {"id": "Custom_Fields", "encodedKey": "set1", "name": "Custom Fields", "type": "CLIENT_INFO", "usage": "SINGLE",
             "customFields": [
                {"id": "Position", "encodedKey": "cf_position", "name": "Position", "type": "CLIENT_INFO", "dataType": "STRING", "state": "NORMAL"},
                {"id": "Family_Members", "encodedKey": "cf_family", "name": "Family Members", "type": "CLIENT_INFO", "dataType": "NUMBER", "state": "NORMAL"},
                {"id": "Has_children", "encodedKey": "cf_children", "name": "Has children", "type": "CLIENT_INFO", "dataType": "CHECKBOX", "state": "NORMAL"},
                {"id": "Studies", "encodedKey": "cf_studies", "name": "Studies", "type": "CLIENT_INFO", "dataType": "STRING", "state": "NORMAL"},
                {"id": "idvalidated", "encodedKey": "cf_idvalidated", "name": "ID Validated", "type": "CLIENT_INFO", "dataType": "CHECKBOX", "state": "NORMAL"},
                {"id": "National_Number", "encodedKey": "cf_national", "name": "National number", "type": "CLIENT_INFO", "dataType": "STRING", "state": "NORMAL", "unique": true}
             ]},
            {"id": "Calls", "encodedKey": "set2", "name": "Calls", "type": "CLIENT_INFO", "usage": "GROUPED",
             "customFields": [
                {"id": "Call_Summary_Clients", "encodedKey": "cf_calls", "name": "Call summary", "type": "CLIENT_INFO", "dataType": "STRING", "state": "NORMAL"}
             ]},
            {"id": "Bank", "encodedKey": "set3", "name": "Bank", "type": "CLIENT_INFO", "usage": "GROUPED",
             "customFields": [
                {"id": "IBAN", "encodedKey": "cf_iban", "name": "IBAN", "type": "CLIENT_INFO", "dataType": "STRING", "state": "NORMAL"},
                {"id": "BIC", "encodedKey": "cf_bic", "name": "BIC", "type": "CLIENT_INFO", "dataType": "STRING", "state": "NORMAL"},
                {"id": "BANK_ACCOUNT_TYPE", "encodedKey": "cf_bat", "name": "Account type", "type": "CLIENT_INFO", "dataType": "STRING", "state": "NORMAL"}
             ]}
        ],
        "idDocumentTemplates": [
            {"encodedKey": "9b0a97094b4cd73f014b5f5ef0e811d2", "documentType": "CI", "issuingAuthority": "Police"},
            {"encodedKey": "2a0a00a24b4ce72a025c4afefce821e9", "documentType": "Passport", "issuingAuthority": "Passport Agency"}
        ],
        "branches": [{"encodedKey": "8a2bbaab4700677d0147008dd39b00ea", "id": "DB", "name": "Downtown"}],
        "centres": [{"encodedKey": "8a2bbaab4700677d0147008dd66200fe", "id": "DC", "name": "Centre", "assignedBranchKey": "8a2bbaab4700677d0147008dd39b00ea"}],
        "users": [{"encodedKey": "402832b43809601c013809601f9d0002", "username": "officer", "isCreditOfficer": true, "assignedBranchKey": "8a2bbaab4700677d0147008dd39b00ea"}],
        "clientRoles": [{"encodedKey": "d9df8bc78a0234ccc934a845c", "id": "PERSON", "name": "Person", "isDefault": true}],
        "duplicateClientChecks": ["EMAIL"],
        "duplicateClientConstraintAction": "ERROR"
    })
}

/// The test tenant.
pub fn tenant() -> Tenant {
    let schema: TenantSchema = serde_json::from_value(tenant_json()).expect("test tenant parses");
    Tenant::from_schema(schema).expect("test tenant is consistent")
}

/// A config with the test tenant and basic + apikey credentials.
pub fn config() -> SandboxConfig {
    let mut c = SandboxConfig::local(tenant());
    c.credentials = Credentials {
        api_keys: vec![API_KEY.into()],
        users: vec![(USER.into(), PASSWORD.into())],
    };
    c
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
        let sandbox = Sandbox::start(config).await.expect("sandbox starts");
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
