//! How to reach a target and how hard to try: the base URL, credentials,
//! rate, concurrency, timeout, retry and breaker policies.
//!
//! In: values from the command line and the environment. Out: a
//! `TargetConfig` that `Target::new` checks. Its `Debug` never shows a
//! secret (`Credentials` hides its own).

use std::fmt;
use std::time::Duration;

use crate::credentials::Credentials;

/// Everything a `Target` is built from.
#[derive(Clone)]
pub struct TargetConfig {
    /// `https://tenant.mambu.com` (a trailing `/api` is accepted too). Must
    /// not carry credentials: `user:password@` is refused.
    pub base_url: String,
    /// `None` sends no authentication (an open sandbox); the target then
    /// answers 401 with 1 INVALID_BASIC_AUTHORIZATION if it needs some.
    pub credentials: Option<Credentials>,
    /// Requests per second, retries included; `None` for no limit.
    pub rate: Option<u32>,
    /// Requests in flight at once (at least 1); also the keep-alive pool size.
    pub concurrency: usize,
    /// For one attempt, from connecting to the last byte of the answer.
    pub timeout: Duration,
    /// How often, and how patiently, a retryable failure is tried again.
    pub retry: RetryPolicy,
    /// When all traffic pauses after failures in a row, and for how long.
    pub breaker: BreakerPolicy,
}

impl TargetConfig {
    /// A config with the default policies, concurrency 8, a 30 s timeout and
    /// no rate limit.
    pub fn new(base_url: impl Into<String>, credentials: Option<Credentials>) -> Self {
        Self {
            base_url: base_url.into(),
            credentials,
            rate: None,
            concurrency: 8,
            timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
            breaker: BreakerPolicy::default(),
        }
    }
}

impl fmt::Debug for TargetConfig {
    /// Names the kind of credentials only: not even the user name is shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let auth = match &self.credentials {
            Some(Credentials::ApiKey(_)) => "API key",
            Some(Credentials::Basic { .. }) => "basic",
            None => "none",
        };
        f.debug_struct("TargetConfig")
            .field(
                "base_url",
                &crate::credentials::strip_credentials(&self.base_url),
            )
            .field("credentials", &auth)
            .field("rate", &self.rate)
            .field("concurrency", &self.concurrency)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("breaker", &self.breaker)
            .finish()
    }
}

/// How often, and how patiently, a retryable failure is tried again.
///
/// Attempt `n` (0-based) that fails waits `rand(0, min(cap, base * 2^n))`
/// (full jitter) before the next, unless the target named a `Retry-After`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (at least 1).
    pub max_attempts: u32,
    /// The longest first wait; each further attempt's bound doubles it.
    pub base: Duration,
    /// The bound no wait goes beyond, however many attempts failed.
    pub cap: Duration,
}

impl Default for RetryPolicy {
    /// 8 attempts, 250 ms base, 30 s cap: about half a minute of patience
    /// on average before a request is given up as unknown.
    fn default() -> Self {
        Self {
            max_attempts: 8,
            base: Duration::from_millis(250),
            cap: Duration::from_secs(30),
        }
    }
}

/// When the breaker stops all traffic, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BreakerPolicy {
    /// Consecutive failed attempts (5xx, timeouts, connection errors) that
    /// open the breaker (at least 1).
    pub failure_threshold: u32,
    /// The first pause; doubled each time the probe after a pause fails.
    pub cooldown: Duration,
    /// The longest pause.
    pub max_cooldown: Duration,
}

impl Default for BreakerPolicy {
    /// Opens after 20 failures in a row; pauses 5 s, doubling up to 60 s.
    fn default() -> Self {
        Self {
            failure_threshold: 20,
            cooldown: Duration::from_secs(5),
            max_cooldown: Duration::from_secs(60),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::Secret;

    #[test]
    fn debug_shows_no_secret_and_no_user() {
        let mut c = TargetConfig::new(
            "https://ann:url-secret@bank.example",
            Some(Credentials::Basic {
                user: "migrator-ann".into(),
                password: Secret::new("pw-secret"),
            }),
        );
        let shown = format!("{c:?}");
        assert!(shown.contains("basic"), "{shown}");
        for secret in ["url-secret", "pw-secret", "migrator-ann"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        c.credentials = Some(Credentials::ApiKey(Secret::new("key-secret")));
        assert!(!format!("{c:?}").contains("key-secret"));
    }
}
