//! Counts of what the push did, kept in atomics shared by every request.
//!
//! In: one `note_*` call per event. Out: a `PushStats` snapshot. Never fails.

use std::sync::atomic::{AtomicU64, Ordering};

/// A snapshot of a target's counters since it was built.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PushStats {
    /// Attempts put on the wire, retries included.
    pub requests: u64,
    /// Attempts answered 2xx.
    pub succeeded: u64,
    /// Attempts answered 429.
    pub throttled: u64,
    /// Attempts answered 500, 502, 503 or 504.
    pub server_errors: u64,
    /// Attempts that timed out.
    pub timeouts: u64,
    /// Attempts whose connection failed or broke before the whole answer came.
    pub connection_errors: u64,
    /// Attempts that followed a failed one.
    pub retries: u64,
    /// Requests given up on (`Outcome::Unknown`).
    pub unknown: u64,
    /// Times the breaker opened (including re-opening after a failed probe).
    pub breaker_trips: u64,
    /// Time requests spent paused by an open breaker, summed over requests,
    /// in milliseconds.
    pub breaker_paused_ms: u64,
}

/// The live counters behind `PushStats`.
#[derive(Debug, Default)]
pub struct Counters {
    requests: AtomicU64,
    succeeded: AtomicU64,
    throttled: AtomicU64,
    server_errors: AtomicU64,
    timeouts: AtomicU64,
    connection_errors: AtomicU64,
    retries: AtomicU64,
    unknown: AtomicU64,
    breaker_trips: AtomicU64,
    breaker_paused_ms: AtomicU64,
}

/// One kind of event to count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    Request,
    Succeeded,
    Throttled,
    ServerError,
    Timeout,
    ConnectionError,
    Retry,
    Unknown,
    BreakerTrip,
}

impl Counters {
    /// Counts one event.
    pub fn note(&self, e: Event) {
        let c = match e {
            Event::Request => &self.requests,
            Event::Succeeded => &self.succeeded,
            Event::Throttled => &self.throttled,
            Event::ServerError => &self.server_errors,
            Event::Timeout => &self.timeouts,
            Event::ConnectionError => &self.connection_errors,
            Event::Retry => &self.retries,
            Event::Unknown => &self.unknown,
            Event::BreakerTrip => &self.breaker_trips,
        };
        c.fetch_add(1, Ordering::Relaxed);
    }

    /// Adds time a request spent paused by the breaker.
    pub fn note_pause(&self, d: std::time::Duration) {
        let ms = u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
        self.breaker_paused_ms.fetch_add(ms, Ordering::Relaxed);
    }

    /// The counters now.
    pub fn snapshot(&self) -> PushStats {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        PushStats {
            requests: get(&self.requests),
            succeeded: get(&self.succeeded),
            throttled: get(&self.throttled),
            server_errors: get(&self.server_errors),
            timeouts: get(&self.timeouts),
            connection_errors: get(&self.connection_errors),
            retries: get(&self.retries),
            unknown: get(&self.unknown),
            breaker_trips: get(&self.breaker_trips),
            breaker_paused_ms: get(&self.breaker_paused_ms),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_event_counts_in_its_own_field() {
        let c = Counters::default();
        c.note(Event::Request);
        c.note(Event::Request);
        c.note(Event::Throttled);
        c.note(Event::BreakerTrip);
        c.note_pause(std::time::Duration::from_millis(1500));
        let s = c.snapshot();
        assert_eq!(s.requests, 2);
        assert_eq!(s.throttled, 1);
        assert_eq!(s.breaker_trips, 1);
        assert_eq!(s.breaker_paused_ms, 1500);
        assert_eq!(s.succeeded + s.server_errors + s.retries + s.unknown, 0);
    }
}
