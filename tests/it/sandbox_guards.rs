//! Auth, rate limiting, the invalid-request penalty and seeded faults,
//! over real HTTP.

use std::time::Duration;

use crate::support::sandbox::*;
use serde_json::{json, Value};

#[tokio::test]
async fn requests_need_credentials() {
    let api = Api::start(config()).await;
    let r = api.http.get(api.url("/api/clients")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 401);
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!({"returnCode": 1, "returnStatus": "INVALID_BASIC_AUTHORIZATION"})
    );
    let r = api
        .http
        .get(api.url("/api/clients"))
        .basic_auth(USER, Some("wrong"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!({"returnCode": 2, "returnStatus": "INVALID_CREDENTIALS"})
    );
    let r = api
        .http
        .get(api.url("/api/clients"))
        .header("apikey", "nope")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    let r = api
        .http
        .get(api.url("/api/clients"))
        .header("apikey", API_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    // The export and tenant endpoints are guarded too.
    let r = api
        .http
        .get(api.url("/api/sandbox/export"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    assert_eq!(api.get("/api/sandbox/export").await.0, 200);
}

#[tokio::test]
async fn over_the_rate_is_429_with_retry_after() {
    let mut cfg = config();
    cfg.rate_limit = Some(5);
    let api = Api::start(cfg).await;
    let mut refused = None;
    for _ in 0..10 {
        let r = api
            .req(reqwest::Method::GET, "/api/clients")
            .send()
            .await
            .unwrap();
        if r.status().as_u16() == 429 {
            refused = Some(r);
            break;
        }
    }
    let r = refused.expect("a burst over 5/s is refused");
    let retry: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry >= 1);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["returnCode"], 429);
    // Another credential has its own bucket.
    let r = api
        .http
        .get(api.url("/api/clients"))
        .header("apikey", API_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    // After waiting, requests pass again.
    tokio::time::sleep(Duration::from_millis(250)).await;
    assert_eq!(api.get("/api/clients").await.0, 200);
}

#[tokio::test]
async fn floods_of_invalid_requests_are_penalised() {
    let mut cfg = config();
    cfg.invalid_request_penalty = Some(ferry::sandbox::PenaltyConfig::new(
        3,
        Duration::from_secs(30),
    ));
    let api = Api::start(cfg).await;
    for _ in 0..4 {
        assert_eq!(api.post("/api/clients", json!({"nope": 1})).await.0, 400);
    }
    let r = api
        .req(reqwest::Method::GET, "/api/clients")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 429);
    assert!(
        r.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            >= 1
    );
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        body,
        json!({"returnCode": 24, "returnStatus": "EXCESSIVE_INVALID_REQUESTS"})
    );
    // Other callers are not affected.
    let r = api
        .http
        .get(api.url("/api/clients"))
        .header("apikey", API_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
}

/// What a request met, as the client sees it.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    Status(u16),
    Failed,
}

async fn create_outcome(api: &Api, id: &str) -> Outcome {
    let r = api
        .req(reqwest::Method::POST, "/api/clients")
        .json(&person(id, "A", "B"))
        .send()
        .await;
    match r {
        Ok(r) => {
            let status = r.status().as_u16();
            match r.bytes().await {
                Ok(_) => Outcome::Status(status),
                Err(_) => Outcome::Failed,
            }
        }
        Err(_) => Outcome::Failed,
    }
}

async fn run(spec: &str, seed: u64, n: usize) -> (Vec<Outcome>, Value) {
    let api = Api::start(fault_config(spec, seed)).await;
    let mut out = Vec::new();
    for i in 0..n {
        out.push(create_outcome(&api, &format!("F{i}")).await);
    }
    let export = api.sandbox.export().await;
    api.sandbox.shutdown().await;
    (out, export)
}

fn stored_ids(export: &Value) -> Vec<String> {
    export["clients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["client"]["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn server_errors_are_seeded_and_do_no_work() {
    let (a, export) = run("error=0.5", 7, 30).await;
    let (b, _) = run("error=0.5", 7, 30).await;
    assert_eq!(a, b, "same seed, same faults");
    let errors: Vec<usize> = (0..a.len())
        .filter(|&i| a[i] != Outcome::Status(201))
        .collect();
    assert!(errors.len() >= 5 && errors.len() <= 25, "{a:?}");
    assert!(errors
        .iter()
        .all(|&i| matches!(a[i], Outcome::Status(500 | 502 | 503))));
    let ids = stored_ids(&export);
    for (i, o) in a.iter().enumerate() {
        assert_eq!(
            ids.contains(&format!("F{i}")),
            *o == Outcome::Status(201),
            "F{i}: {o:?}"
        );
    }
    let (c, _) = run("error=0.5", 8, 30).await;
    assert_ne!(a, c, "another seed, other faults");
}

#[tokio::test]
async fn latency_delays_responses() {
    let api = Api::start(fault_config("latency=150ms", 1)).await;
    let t = std::time::Instant::now();
    assert_eq!(api.get("/api/clients").await.0, 200);
    assert!(t.elapsed() >= Duration::from_millis(150));
    // Only the /api/clients routes meet faults.
    let t = std::time::Instant::now();
    assert_eq!(api.get("/api/sandbox/export").await.0, 200);
    assert!(t.elapsed() < Duration::from_millis(150));
}

#[tokio::test]
async fn hangs_never_answer_and_store_nothing() {
    let api = Api::start(fault_config("hang=1", 3)).await;
    let r = api
        .req(reqwest::Method::POST, "/api/clients")
        .json(&person("H1", "A", "B"))
        .timeout(Duration::from_millis(300))
        .send()
        .await;
    assert!(r.unwrap_err().is_timeout());
    assert_eq!(api.sandbox.export().await["clients"], json!([]));
    // Shutdown ends the hung request rather than waiting for it.
    let t = std::time::Instant::now();
    api.sandbox.shutdown().await;
    assert!(t.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn drops_cut_the_connection_without_doing_the_work() {
    let (a, export) = run("drop=0.5", 11, 20).await;
    let (b, _) = run("drop=0.5", 11, 20).await;
    assert_eq!(a, b);
    assert!(
        a.contains(&Outcome::Failed) && a.contains(&Outcome::Status(201)),
        "{a:?}"
    );
    let ids = stored_ids(&export);
    for (i, o) in a.iter().enumerate() {
        assert_eq!(
            ids.contains(&format!("F{i}")),
            *o == Outcome::Status(201),
            "F{i}: {o:?}"
        );
    }
}

#[tokio::test]
async fn lost_responses_store_the_client_but_the_post_fails() {
    let api = Api::start(fault_config("lost_response=1", 5)).await;
    assert_eq!(create_outcome(&api, "LR1").await, Outcome::Failed);
    let api_export = api.sandbox.export().await;
    assert_eq!(stored_ids(&api_export), ["LR1"]);
    // A GET (also a /api/clients route, so its response is lost too) is
    // checked on a sandbox without faults reading the same state.
    api.sandbox.shutdown().await;

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lost.db");
    let mut cfg = file_config(&path);
    cfg.faults = ferry::sandbox::FaultConfig::parse("lost_response=0.5").unwrap();
    cfg.seed = 21;
    let api = Api::start(cfg).await;
    let mut lost = Vec::new();
    for i in 0..12 {
        if create_outcome(&api, &format!("L{i}")).await == Outcome::Failed {
            lost.push(format!("L{i}"));
        }
    }
    assert!(!lost.is_empty());
    api.sandbox.shutdown().await;
    let api = Api::start(file_config(&path)).await;
    for id in &lost {
        let (s, c) = api.get(&format!("/api/clients/{id}")).await;
        assert_eq!(
            (s, c["id"].as_str()),
            (200, Some(id.as_str())),
            "the lost create was stored"
        );
    }
    assert_eq!(
        api.get("/api/clients?limit=100")
            .await
            .1
            .as_array()
            .unwrap()
            .len(),
        12
    );
}
