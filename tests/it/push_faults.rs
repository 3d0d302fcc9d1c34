//! The push client against a sandbox that fails on purpose: server errors,
//! hangs, cut connections, lost responses and a target that never answers
//! well (the breaker).

use std::time::Duration;

use crate::support::push::*;
use ferry::model::ReturnCode;
use ferry::push::{BreakerPolicy, Outcome, RetryPolicy};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_errors_are_retried_until_the_create_lands() {
    let sb = start(faulty("error=0.3", 11)).await;
    let t = target(target_config(&sb, Some(user())));
    let out = create_many(&t, "E", 40).await;
    assert!(out.iter().all(Outcome::is_ok), "{out:?}");
    let s = t.stats();
    assert!(s.server_errors >= 4, "{s:?}");
    assert_eq!(s.retries, s.server_errors, "one retry per server error");
    assert_eq!(s.requests, 40 + s.retries);
    assert_eq!(s.succeeded, 40);
    assert_eq!(stored_ids(&sb).await.len(), 40);
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hung_requests_time_out_and_end_ok_or_unknown() {
    let sb = start(faulty("hang=0.2", 5)).await;
    let mut cfg = target_config(&sb, Some(user()));
    cfg.timeout = Duration::from_millis(150);
    cfg.retry.max_attempts = 3;
    let t = target(cfg);
    let out = create_many(&t, "H", 30).await;
    let s = t.stats();
    assert!(s.timeouts >= 2, "{s:?}");
    let unknown = out
        .iter()
        .filter(|o| matches!(o, Outcome::Unknown { .. }))
        .count();
    assert!(
        out.iter()
            .all(|o| o.is_ok() || matches!(o, Outcome::Unknown { attempts: 3, .. })),
        "{out:?}"
    );
    assert_eq!(s.unknown as usize, unknown);
    for o in &out {
        if let Outcome::Unknown { last_error, .. } = o {
            assert!(last_error.contains("within 150 ms"), "{last_error}");
        }
    }
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_cut_mid_answer_are_retried() {
    let sb = start(faulty("drop=0.3", 3)).await;
    let t = target(target_config(&sb, Some(user())));
    let out = create_many(&t, "D", 30).await;
    assert!(out.iter().all(Outcome::is_ok), "{out:?}");
    let s = t.stats();
    assert!(s.connection_errors + s.server_errors >= 3, "{s:?}");
    assert!(s.retries >= 3, "{s:?}");
    assert_eq!(stored_ids(&sb).await.len(), 30);
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_answer_leaves_the_create_in_doubt_until_a_get_settles_it() {
    let sb = start(faulty("lost_response=0.3", 9)).await;
    // One attempt only: what the caller sees when the answer is lost.
    let mut once = target_config(&sb, Some(user()));
    once.retry.max_attempts = 1;
    let once = target(once);
    let out = create_many(&once, "L", 20).await;
    let lost: Vec<usize> = (0..out.len())
        .filter(|&i| matches!(out[i], Outcome::Unknown { .. }))
        .collect();
    assert!(lost.len() >= 2, "{out:?}");
    for &i in &lost {
        match &out[i] {
            Outcome::Unknown {
                attempts,
                last_error,
            } => {
                assert_eq!(*attempts, 1);
                assert!(last_error.contains("connection"), "{last_error}");
            }
            other => panic!("{other:?}"),
        }
    }
    // Yet every one of them was stored: only a GET tells.
    let settle = target(target_config(&sb, Some(user())));
    for &i in &lost {
        let got = settle.get_client(&format!("L{i}"), false).await;
        assert_eq!(ok_body(&got)["id"], format!("L{i}"));
    }
    assert_eq!(stored_ids(&sb).await.len(), 20);

    // With retries, a resend of a create that landed meets our own client.
    let retrying = target(target_config(&sb, Some(user())));
    let again = create_many(&retrying, "M", 20).await;
    assert_eq!(stored_ids(&sb).await.len(), 40);
    let in_use = again
        .iter()
        .filter(|o| o.code() == Some(ReturnCode::ClientIdAlreadyInUse))
        .count();
    assert!(in_use >= 1, "{again:?}");
    assert!(again
        .iter()
        .all(|o| o.is_ok() || o.code() == Some(ReturnCode::ClientIdAlreadyInUse)));
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_breaker_opens_after_a_streak_and_pauses_everyone() {
    let sb = start(faulty("error=1.0", 1)).await;
    let mut cfg = target_config(&sb, Some(user()));
    cfg.retry = RetryPolicy {
        max_attempts: 6,
        base: Duration::from_millis(1),
        cap: Duration::from_millis(2),
    };
    cfg.breaker = BreakerPolicy {
        failure_threshold: 5,
        cooldown: Duration::from_millis(40),
        max_cooldown: Duration::from_millis(80),
    };
    cfg.concurrency = 4;
    let t = target(cfg);
    let out = create_many(&t, "B", 4).await;
    assert!(out.iter().all(|o| matches!(
        o,
        Outcome::Unknown { attempts: 6, last_error } if last_error.starts_with("HTTP 50")
    )));
    let s = t.stats();
    assert_eq!(s.requests, 24);
    assert_eq!(s.server_errors, 24);
    assert_eq!(s.unknown, 4);
    // 5 failures open it; each later failed probe reopens it.
    assert!(s.breaker_trips >= 2, "{s:?}");
    // Every request after the first streak waited for a cool-down.
    assert!(s.breaker_paused_ms >= 40, "{s:?}");
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_breaker_closes_when_the_target_recovers() {
    let sb = start(faulty("error=0.5", 21)).await;
    let mut cfg = target_config(&sb, Some(user()));
    cfg.retry.max_attempts = 20;
    cfg.breaker = BreakerPolicy {
        failure_threshold: 2,
        cooldown: Duration::from_millis(5),
        max_cooldown: Duration::from_millis(10),
    };
    let t = target(cfg);
    let out = create_many(&t, "R", 30).await;
    assert!(out.iter().all(Outcome::is_ok), "{out:?}");
    let s = t.stats();
    assert!(s.breaker_trips >= 1, "{s:?}");
    assert_eq!(stored_ids(&sb).await.len(), 30);
    sb.shutdown().await;
}
