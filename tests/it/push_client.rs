//! The push client against the sandbox over real HTTP: every request kind,
//! credentials, the probe, and no secret in anything printable.

use crate::support::push::*;
use ferry::credentials::{Credentials, Secret};
use ferry::model::ReturnCode;
use ferry::push::{Outcome, PushError, Target, TargetConfig};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_get_update_patch_delete() {
    let sb = start(sandbox_config()).await;
    let t = target(target_config(&sb, Some(user())));
    t.probe().await.expect("probe passes");

    let created = t.create(&person("P-1", "Ann", "Lee")).await;
    let body = ok_body(&created);
    assert!(matches!(created, Outcome::Ok { status: 201, .. }));
    assert_eq!(body["client"]["id"], "P-1");
    assert_eq!(body["client"]["state"], "PENDING_APPROVAL");
    // The create's answer is cut to what an import uses; GET has the rest.
    assert!(body["client"]["firstName"].is_null());
    let key = body["client"]["encodedKey"]
        .as_str()
        .expect("stored client has an encoded key")
        .to_string();

    // A second create with the same id is refused, finally, with 316.
    match t.create(&person("P-1", "Bob", "Roe")).await {
        Outcome::Refused {
            status,
            code,
            name,
            source,
            ..
        } => {
            assert_eq!(status, 400);
            assert_eq!(code, Some(ReturnCode::ClientIdAlreadyInUse));
            assert_eq!(name, "CLIENT_ID_ALREADY_IN_USE");
            assert_eq!(source.as_deref(), Some("id"));
        }
        other => panic!("{other:?}"),
    }

    let got = t.get_client("P-1", false).await;
    assert_eq!(ok_body(&got)["lastName"], "Lee");
    assert_eq!(ok_body(&got)["firstName"], "Ann");
    let full = t.get_client(&key, true).await;
    assert_eq!(ok_body(&full)["client"]["id"], "P-1");
    assert_eq!(t.get_client("nobody", false).await, Outcome::NotFound);
    // An id that needs encoding stays one path segment.
    assert_eq!(t.get_client("a/b c", false).await, Outcome::NotFound);

    let update = json!({"client": {"encodedKey": key, "id": "P-1", "firstName": "Ann", "lastName": "Lee-Smith"}});
    let updated = t.update("P-1", update.to_string().as_bytes()).await;
    assert_eq!(ok_body(&updated)["client"]["lastName"], "Lee-Smith");
    assert_eq!(
        ok_body(&t.get_client("P-1", false).await)["lastName"],
        "Lee-Smith"
    );
    assert_eq!(
        t.update("nobody", update.to_string().as_bytes()).await,
        Outcome::NotFound
    );

    assert!(t.patch_state("P-1", "BLACKLISTED").await.is_ok());
    assert_eq!(
        ok_body(&t.get_client("P-1", false).await)["state"],
        "BLACKLISTED"
    );
    // A transition Mambu refuses is a final refusal.
    assert_eq!(
        t.patch_state("P-1", "PENDING_APPROVAL").await.code(),
        Some(ReturnCode::InvalidClientStateTransition)
    );

    let deleted = t.delete("P-1").await;
    assert_eq!(ok_body(&deleted)["returnStatus"], "SUCCESS");
    assert_eq!(t.get_client("P-1", false).await, Outcome::NotFound);
    assert_eq!(t.delete("P-1").await, Outcome::NotFound);

    let s = t.stats();
    assert_eq!(s.retries, 0);
    assert_eq!(s.unknown, 0);
    assert_eq!(s.requests, 16);
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_api_key_works_too() {
    let sb = start(sandbox_config()).await;
    let t = target(target_config(
        &sb,
        Some(Credentials::ApiKey(Secret::new(API_KEY))),
    ));
    t.probe().await.expect("probe passes");
    assert!(t.create(&person("K-1", "Ann", "Lee")).await.is_ok());
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_credentials_are_final_and_fail_the_probe() {
    let sb = start(sandbox_config()).await;
    let wrong = target(target_config(
        &sb,
        Some(Credentials::Basic {
            user: USER.into(),
            password: Secret::new("not-the-password"),
        }),
    ));
    match wrong.create(&person("W-1", "Ann", "Lee")).await {
        Outcome::Refused { status, code, .. } => {
            assert_eq!(status, 401);
            assert_eq!(code, Some(ReturnCode::InvalidCredentials));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(wrong.stats().requests, 1, "a 401 is not retried");
    match wrong.probe().await {
        Err(e @ PushError::Credentials { .. }) => {
            assert_eq!(e.exit_code(), 3);
            let shown = e.to_string();
            assert!(shown.contains("INVALID_CREDENTIALS"), "{shown}");
            assert!(!shown.contains("not-the-password"), "{shown}");
        }
        other => panic!("{other:?}"),
    }
    let bad_key = target(target_config(
        &sb,
        Some(Credentials::ApiKey(Secret::new("nope"))),
    ));
    assert_eq!(
        bad_key.get_client("x", false).await.code(),
        Some(ReturnCode::InvalidCredentials)
    );

    let missing = target(target_config(&sb, None));
    match missing.probe().await {
        Err(PushError::Credentials { status, code, .. }) => {
            assert_eq!(status, 401);
            assert_eq!(code, Some(ReturnCode::InvalidBasicAuthorization));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        missing.create(&person("W-2", "Ann", "Lee")).await.code(),
        Some(ReturnCode::InvalidBasicAuthorization)
    );
    assert!(stored_ids(&sb).await.is_empty());
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_probe_tells_a_wrong_url_from_a_dead_one() {
    let sb = start(sandbox_config()).await;
    // A path under which no Mambu API lives answers 404.
    let mut cfg = target_config(&sb, Some(user()));
    cfg.base_url = format!("{}/not-mambu", sb.base_url());
    match target(cfg).probe().await {
        Err(PushError::Unexpected { status: 404, .. }) => {}
        other => panic!("{other:?}"),
    }
    let addr = sb.addr();
    sb.shutdown().await;
    // Nothing listens there any more.
    let mut cfg = TargetConfig::new(format!("http://{addr}"), Some(user()));
    cfg.retry.base = std::time::Duration::from_millis(1);
    let dead = target(cfg);
    match dead.probe().await {
        Err(e @ PushError::Unreachable { attempts: 3, .. }) => {
            assert_eq!(e.exit_code(), 3);
            assert!(e.to_string().contains("connection error"), "{e}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(dead.stats().connection_errors, 3);
}

#[test]
fn no_secret_in_debug_or_errors() {
    let secrets = [PASSWORD, API_KEY, "url-pw"];
    let check = |shown: String| {
        for s in secrets {
            assert!(!shown.contains(s), "{s} in {shown}");
        }
    };
    let basic = TargetConfig::new("http://127.0.0.1:9", Some(user()));
    check(format!("{basic:?}"));
    check(format!("{:?}", Target::new(basic.clone()).unwrap()));
    let key = TargetConfig::new(
        "http://127.0.0.1:9",
        Some(Credentials::ApiKey(Secret::new(API_KEY))),
    );
    check(format!("{key:?}"));
    check(format!("{:?}", Target::new(key).unwrap()));
    let in_url = TargetConfig::new("http://ann:url-pw@127.0.0.1:9", Some(user()));
    check(format!("{in_url:?}"));
    let err = Target::new(in_url).unwrap_err();
    assert_eq!(err.exit_code(), 2);
    check(err.to_string());
    check(format!("{err:?}"));
}
