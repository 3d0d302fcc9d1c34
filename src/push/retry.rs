//! When to try again: full-jitter exponential backoff and the target's
//! `Retry-After`.
//!
//! In: the number of the attempt that failed, or a `Retry-After` header
//! value. Out: how long to wait. Never fails: a header that cannot be read
//! is ignored (the backoff applies instead).

use std::time::Duration;

use super::config::RetryPolicy;

/// The longest `Retry-After` obeyed: a target asking for more is waited on
/// this long, then asked again (the attempt budget still bounds the total).
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(600);

impl RetryPolicy {
    /// `min(cap, base * 2^attempt)`: the most a wait after failed attempt
    /// `attempt` (0-based) can be.
    pub fn ceiling(&self, attempt: u32) -> Duration {
        let factor = 1u32.checked_shl(attempt.min(31)).unwrap_or(u32::MAX);
        self.base.saturating_mul(factor).min(self.cap)
    }

    /// A full-jitter wait after failed attempt `attempt`: uniform in
    /// `[0, ceiling(attempt)]`, so that requests that failed together do not
    /// come back together.
    pub fn backoff(&self, attempt: u32, rng: &mut fastrand::Rng) -> Duration {
        self.ceiling(attempt).mul_f64(rng.f64())
    }

    /// The wait the target asked for, plus up to `base` of jitter: every
    /// request refused in the same instant gets the same `Retry-After`, and
    /// without jitter they would all be refused together again.
    pub fn after(&self, retry_after: Duration, rng: &mut fastrand::Rng) -> Duration {
        retry_after.min(MAX_RETRY_AFTER) + self.base.min(self.cap).mul_f64(rng.f64())
    }
}

/// Reads `Retry-After`: whole seconds, or an HTTP date (`now` is the time
/// it is measured from). `None` for anything else.
pub fn parse_retry_after(value: &str, now: jiff::Timestamp) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs).min(MAX_RETRY_AFTER));
    }
    let at = jiff::fmt::rfc2822::DateTimeParser::new()
        .parse_timestamp(value)
        .ok()?;
    let wait = now.duration_until(at);
    // A date in the past means "now".
    Some(
        Duration::try_from(wait)
            .unwrap_or(Duration::ZERO)
            .min(MAX_RETRY_AFTER),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 10,
            base: Duration::from_millis(100),
            cap: Duration::from_secs(2),
        }
    }

    #[test]
    fn ceilings_double_up_to_the_cap() {
        let p = policy();
        let ms = |n| p.ceiling(n).as_millis();
        assert_eq!(
            (ms(0), ms(1), ms(2), ms(3), ms(4)),
            (100, 200, 400, 800, 1600)
        );
        assert_eq!(ms(5), 2000);
        assert_eq!(ms(40), 2000);
        assert_eq!(ms(u32::MAX), 2000);
    }

    #[test]
    fn backoff_is_full_jitter_within_the_ceiling() {
        let p = policy();
        let mut rng = fastrand::Rng::with_seed(1);
        let waits: Vec<Duration> = (0..2000).map(|_| p.backoff(3, &mut rng)).collect();
        assert!(waits.iter().all(|w| *w <= Duration::from_millis(800)));
        // Spread over the whole range, not bunched at the top.
        assert!(waits.iter().any(|w| *w < Duration::from_millis(80)));
        assert!(waits.iter().any(|w| *w > Duration::from_millis(720)));
        let mean = waits.iter().sum::<Duration>() / 2000;
        assert!(
            (350..450).contains(&mean.as_millis()),
            "mean {}",
            mean.as_millis()
        );
    }

    #[test]
    fn retry_after_waits_at_least_what_was_asked() {
        let p = policy();
        let mut rng = fastrand::Rng::with_seed(2);
        for _ in 0..100 {
            let w = p.after(Duration::from_secs(1), &mut rng);
            assert!(w >= Duration::from_secs(1) && w <= Duration::from_millis(1100));
        }
        let w = p.after(Duration::from_secs(100_000), &mut rng);
        assert!(w <= MAX_RETRY_AFTER + Duration::from_millis(100));
    }

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        let now: jiff::Timestamp = "2024-01-10T10:34:45Z".parse().unwrap();
        assert_eq!(parse_retry_after("3", now), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("Wed, 10 Jan 2024 10:34:55 GMT", now),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            parse_retry_after("Wed, 10 Jan 2024 10:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("99999999", now), Some(MAX_RETRY_AFTER));
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-1", now), None);
        assert_eq!(parse_retry_after("1.5", now), None);
    }
}
