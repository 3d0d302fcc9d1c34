//! State over real HTTP: persistence across restarts on a file, the tenant
//! kept with it, and a stable export.

use crate::support::sandbox::*;
use ferry::sandbox::{Sandbox, SandboxConfig, StoreLocation};
use ferry::tenant::Tenant;
use serde_json::json;

#[tokio::test]
async fn a_file_store_survives_a_restart_with_its_tenant() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sandbox.db");
    let api = Api::start(file_config(&path)).await;
    api.create(
        json!({"client": {"id": "K1", "firstName": "A", "lastName": "B"},
                      "customInformation": [{"customFieldID": "Position", "value": "Clerk"}]}),
    )
    .await;
    api.create(person("K2", "C", "D")).await;
    api.patch("/api/clients/K2", json!({"client": {"state": "INACTIVE"}}))
        .await;
    api.post(
        "/api/clients/K1/documents/SIGNATURE",
        json!({"documentContent": "c2ln"}),
    )
    .await;
    let before = api.sandbox.export().await;
    api.sandbox.shutdown().await;

    // Restarted without a tenant: the stored one is used.
    let mut cfg = file_config(&path);
    cfg.tenant = Tenant::unknown();
    let api = Api::start(cfg).await;
    assert_eq!(api.sandbox.export().await, before);
    let (_, tenant) = api.get("/api/sandbox/tenant").await;
    assert_eq!(tenant["branches"][0]["id"], "DB");
    let (s, e) = api.post("/api/clients", person("K1", "X", "Y")).await;
    assert_eq!((s, code_of(&e)), (400, 316));
    let (_, v) = api.get("/api/clients/K1/custominformation/Position").await;
    assert_eq!(v[0]["value"], "Clerk");
    api.create(person("K3", "E", "F")).await;
    let ids: Vec<String> = api
        .get("/api/clients")
        .await
        .1
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, ["K1", "K2", "K3"], "creation order survives");
    api.sandbox.shutdown().await;
}

#[tokio::test]
async fn the_export_is_stable_and_sorted_by_id() {
    let api = Api::start(config()).await;
    for id in ["Z9", "A1", "M5"] {
        api.create(person(id, "A", "B")).await;
    }
    let a = api.sandbox.export().await;
    let (s, b) = api.get("/api/sandbox/export").await;
    assert_eq!(s, 200);
    assert_eq!(a, b);
    assert_eq!(
        serde_json::to_string(&a).unwrap(),
        serde_json::to_string(&api.sandbox.export().await).unwrap()
    );
    let ids: Vec<&str> = a["clients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["client"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["A1", "M5", "Z9"]);
    assert_eq!(a["documents"], json!([]));
    // A refused request changes nothing.
    api.post("/api/clients", person("A1", "A", "B")).await;
    assert_eq!(api.sandbox.export().await, a);
}

#[tokio::test]
async fn concurrent_creates_all_commit_and_ids_stay_unique() {
    let api = std::sync::Arc::new(Api::start(config()).await);
    let mut tasks = Vec::new();
    for t in 0..8 {
        let api = std::sync::Arc::clone(&api);
        tasks.push(tokio::spawn(async move {
            let mut codes = Vec::new();
            for i in 0..25 {
                // Every id is sent twice by two tasks: exactly one wins.
                let id = format!("C{}-{i}", t / 2);
                codes.push(api.post("/api/clients", person(&id, "A", "B")).await.0);
            }
            codes
        }));
    }
    let mut created = 0;
    for t in tasks {
        for code in t.await.unwrap() {
            assert!(code == 201 || code == 400);
            created += usize::from(code == 201);
        }
    }
    assert_eq!(created, 100);
    assert_eq!(
        api.sandbox.export().await["clients"]
            .as_array()
            .unwrap()
            .len(),
        100
    );
}

#[tokio::test]
async fn a_busy_address_is_a_start_error() {
    let first = Sandbox::start(SandboxConfig::local(tenant()))
        .await
        .unwrap();
    let mut cfg = SandboxConfig::local(tenant());
    cfg.bind = first.addr();
    assert!(matches!(
        Sandbox::start(cfg).await,
        Err(ferry::sandbox::SandboxError::Bind { .. })
    ));
    let mut cfg = SandboxConfig::local(tenant());
    cfg.store = StoreLocation::File("/nonexistent-dir/x/y.db".into());
    assert!(matches!(
        Sandbox::start(cfg).await,
        Err(ferry::sandbox::SandboxError::Store(_))
    ));
    first.shutdown().await;
}
