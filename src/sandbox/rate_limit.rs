//! Throttling: a token bucket per credential (429 + `Retry-After`) and an
//! optional penalty for floods of invalid requests (24
//! EXCESSIVE_INVALID_REQUESTS), as Mambu applies both.
//!
//! In: the `Caller` the auth layer attached. Out: the request passed on, or
//! 429 with a body and `Retry-After` in whole seconds (≥ 1). Never fails.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::auth::Caller;
use super::reply::ApiError;
use crate::model::{ErrorBody, ReturnCode};

/// When a caller is penalised: more than `max_invalid` 400 answers within
/// `window` blocks it for `penalty`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PenaltyConfig {
    /// 400 answers a caller may get within `window` before it is blocked.
    pub max_invalid: u32,
    /// The span the invalid answers are counted over (10 s from `new`).
    pub window: Duration,
    /// How long a penalised caller stays blocked.
    pub penalty: Duration,
}

impl PenaltyConfig {
    /// More than `max_invalid` invalid requests in 10 s → blocked for `penalty`.
    pub fn new(max_invalid: u32, penalty: Duration) -> Self {
        Self {
            max_invalid,
            window: Duration::from_secs(10),
            penalty,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Strikes {
    window_start: Instant,
    count: u32,
    blocked_until: Option<Instant>,
}

/// The throttle state shared by all requests.
pub struct Throttle {
    limiter: Option<DefaultKeyedRateLimiter<String>>,
    clock: DefaultClock,
    penalty: Option<PenaltyConfig>,
    strikes: Mutex<HashMap<String, Strikes>>,
}

impl Throttle {
    /// `rate` requests per second per caller, with a burst of 100 ms worth
    /// of requests (at least one): enough to absorb the jitter of a client
    /// pacing at the same rate over a real network, small enough that a
    /// client 2% too fast is refused within seconds.
    pub fn new(rate: Option<u32>, penalty: Option<PenaltyConfig>) -> Self {
        let limiter = rate.and_then(NonZeroU32::new).map(|r| {
            let burst = NonZeroU32::new((r.get() / 10).max(1)).unwrap_or(NonZeroU32::MIN);
            RateLimiter::keyed(Quota::per_second(r).allow_burst(burst))
        });
        Self {
            limiter,
            clock: DefaultClock::default(),
            penalty,
            strikes: Mutex::new(HashMap::new()),
        }
    }

    /// Whether it can ever refuse a request (otherwise the layer is left out).
    pub fn is_active(&self) -> bool {
        self.limiter.is_some() || self.penalty.is_some()
    }

    /// Seconds to wait if the caller is over its rate or penalised.
    fn refuse(&self, caller: &str, now: Instant) -> Option<(ReturnCode, u64)> {
        if self.penalty.is_some() {
            let strikes = self.strikes.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(until) = strikes.get(caller).and_then(|s| s.blocked_until) {
                if until > now {
                    return Some((
                        ReturnCode::ExcessiveInvalidRequests,
                        whole_seconds(until - now),
                    ));
                }
            }
        }
        let limiter = self.limiter.as_ref()?;
        match limiter.check_key(&caller.to_string()) {
            Ok(()) => None,
            Err(not_until) => {
                let wait = not_until.wait_time_from(self.clock.now());
                Some((ReturnCode::Success, whole_seconds(wait)))
            }
        }
    }

    /// Counts a 400 answer against the caller.
    fn strike(&self, caller: &str, now: Instant) {
        let Some(p) = self.penalty else { return };
        let mut all = self.strikes.lock().unwrap_or_else(|e| e.into_inner());
        let s = all.entry(caller.to_string()).or_insert(Strikes {
            window_start: now,
            count: 0,
            blocked_until: None,
        });
        if now.duration_since(s.window_start) > p.window {
            s.window_start = now;
            s.count = 0;
        }
        s.count += 1;
        if s.count > p.max_invalid {
            s.blocked_until = Some(now + p.penalty);
            s.count = 0;
            s.window_start = now;
        }
    }
}

fn whole_seconds(d: Duration) -> u64 {
    let secs = d.as_nanos().div_ceil(1_000_000_000).max(1);
    u64::try_from(secs).unwrap_or(u64::MAX)
}

/// The 429 answer. Mambu has no v1 return code for "too many requests", so
/// the body carries the HTTP status as its code; a penalty carries 24.
fn too_many(code: ReturnCode, retry_after: u64) -> Response {
    let body = if code == ReturnCode::Success {
        ErrorBody {
            return_code: 429,
            return_status: "TOO_MANY_REQUESTS".into(),
            error_source: None,
        }
    } else {
        ErrorBody::new(code, None)
    };
    ApiError {
        status: StatusCode::TOO_MANY_REQUESTS,
        body,
        retry_after: Some(retry_after),
    }
    .into_response()
}

/// Middleware: throttles by caller and counts invalid requests.
pub async fn throttle(State(t): State<Arc<Throttle>>, req: Request, next: Next) -> Response {
    let caller = req
        .extensions()
        .get::<Caller>()
        .map_or_else(String::new, |c| c.0.clone());
    if let Some((code, secs)) = t.refuse(&caller, Instant::now()) {
        return too_many(code, secs);
    }
    let response = next.run(req).await;
    if response.status() == StatusCode::BAD_REQUEST {
        t.strike(&caller, Instant::now());
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_is_whole_seconds_at_least_one() {
        assert_eq!(whole_seconds(Duration::from_millis(1)), 1);
        assert_eq!(whole_seconds(Duration::ZERO), 1);
        assert_eq!(whole_seconds(Duration::from_millis(1500)), 2);
        assert_eq!(whole_seconds(Duration::from_secs(3)), 3);
    }

    #[test]
    fn a_burst_over_the_rate_is_refused_per_caller() {
        let t = Throttle::new(Some(100), None);
        let now = Instant::now();
        assert!(t.refuse("a", now).is_none());
        let refused = (0..20).filter_map(|_| t.refuse("a", now)).count();
        assert_eq!(refused, 11, "a burst of 10 passes, the rest is refused");
        assert!(t.refuse("b", now).is_none());
    }

    #[test]
    fn floods_of_invalid_requests_are_penalised() {
        let t = Throttle::new(None, Some(PenaltyConfig::new(2, Duration::from_secs(5))));
        let now = Instant::now();
        t.strike("a", now);
        t.strike("a", now);
        assert!(t.refuse("a", now).is_none());
        t.strike("a", now);
        assert_eq!(
            t.refuse("a", now),
            Some((ReturnCode::ExcessiveInvalidRequests, 5))
        );
        assert!(t.refuse("b", now).is_none());
        assert!(t.refuse("a", now + Duration::from_secs(6)).is_none());
    }
}
