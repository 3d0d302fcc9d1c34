//! The circuit breaker: after a streak of failed attempts every request
//! pauses, so a sick target is not hammered and the tenant's request budget
//! is not burnt on answers that cannot come.
//!
//! Closed → (N failures in a row) → Open for a cool-down → one probe goes
//! (Probing) → its success closes the breaker, its failure reopens it with
//! the cool-down doubled (up to a maximum). Only 5xx, timeouts and
//! connection errors are failures; any other answer (even a 4xx or a 429)
//! shows the target is alive.
//!
//! In: `enter` before each attempt, `Pass::record` after it. Out: the
//! attempt's permission to go, and the transitions (logged with `tracing`
//! at warn). Never fails; a probe whose attempt is dropped unfinished
//! hands the probe to the next request.

use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::sync::watch;

use super::config::BreakerPolicy;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Closed { failures: u32 },
    Open { until: Instant, cooldown: Duration },
    Probing { cooldown: Duration },
}

/// What the breaker says to a request that wants to go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Gate {
    /// Go; `probe` when this attempt decides whether the breaker closes.
    Go { probe: bool },
    /// Wait until then (the end of the cool-down), or until a change.
    WaitUntil(Instant),
    /// A probe is out: wait for its answer.
    WaitForProbe,
}

/// A change of the breaker's state worth telling about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    /// Opened after a streak of failures; requests pause for `cooldown`.
    Opened { cooldown: Duration },
    /// The probe failed; paused again for `cooldown`.
    Reopened { cooldown: Duration },
    /// The probe succeeded; requests flow again.
    Closed,
}

/// The breaker's rules, apart from time and waiting.
#[derive(Debug)]
struct Machine {
    policy: BreakerPolicy,
    state: State,
}

impl Machine {
    fn new(policy: BreakerPolicy) -> Self {
        Self {
            policy,
            state: State::Closed { failures: 0 },
        }
    }

    fn admit(&mut self, now: Instant) -> Gate {
        match self.state {
            State::Closed { .. } => Gate::Go { probe: false },
            State::Open { until, cooldown } if now >= until => {
                self.state = State::Probing { cooldown };
                Gate::Go { probe: true }
            }
            State::Open { until, .. } => Gate::WaitUntil(until),
            State::Probing { .. } => Gate::WaitForProbe,
        }
    }

    fn open(&mut self, now: Instant, cooldown: Duration) {
        self.state = State::Open {
            until: now + cooldown,
            cooldown,
        };
    }

    /// An attempt's result. Attempts that passed before the breaker opened
    /// and end while it is open or probing change nothing: only the probe
    /// decides.
    fn record(&mut self, probe: bool, healthy: bool, now: Instant) -> Option<Transition> {
        match (self.state, probe) {
            (State::Probing { .. }, true) if healthy => {
                self.state = State::Closed { failures: 0 };
                Some(Transition::Closed)
            }
            (State::Probing { cooldown }, true) => {
                let longer = cooldown.saturating_mul(2).min(self.policy.max_cooldown);
                self.open(now, longer);
                Some(Transition::Reopened { cooldown: longer })
            }
            (State::Closed { .. }, _) if healthy => {
                self.state = State::Closed { failures: 0 };
                None
            }
            (State::Closed { failures }, _) => {
                let failures = failures.saturating_add(1);
                if failures >= self.policy.failure_threshold.max(1) {
                    let cooldown = self.policy.cooldown.min(self.policy.max_cooldown);
                    self.open(now, cooldown);
                    Some(Transition::Opened { cooldown })
                } else {
                    self.state = State::Closed { failures };
                    None
                }
            }
            _ => None,
        }
    }

    /// The probe went away without an answer: the next request probes.
    fn abandon_probe(&mut self, now: Instant) {
        if let State::Probing { cooldown } = self.state {
            self.state = State::Open {
                until: now,
                cooldown,
            };
        }
    }
}

/// The breaker shared by all requests of a target.
#[derive(Debug)]
pub struct Breaker {
    machine: Mutex<Machine>,
    /// Bumped on every transition, to wake waiting requests.
    changed: watch::Sender<()>,
}

impl Breaker {
    /// A closed breaker.
    pub fn new(policy: BreakerPolicy) -> Self {
        Self {
            machine: Mutex::new(Machine::new(policy)),
            changed: watch::channel(()).0,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Machine> {
        // The machine stays consistent even if a holder panicked.
        self.machine.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits until the breaker lets an attempt go. Returns the pass to
    /// record the attempt's result with, and how long it waited.
    pub async fn enter(&self) -> (Pass<'_>, Duration) {
        let started = Instant::now();
        loop {
            // Subscribed before looking, so no transition can slip between.
            let mut rx = self.changed.subscribe();
            let gate = self.lock().admit(Instant::now());
            match gate {
                Gate::Go { probe } => {
                    let pass = Pass {
                        breaker: self,
                        probe,
                        recorded: false,
                    };
                    return (pass, started.elapsed());
                }
                Gate::WaitUntil(until) => {
                    tokio::select! {
                        _ = tokio::time::sleep_until(until.into()) => {}
                        _ = rx.changed() => {}
                    }
                }
                Gate::WaitForProbe => {
                    let _ = rx.changed().await;
                }
            }
        }
    }

    fn settle(&self, probe: bool, healthy: bool) -> Option<Transition> {
        let t = self.lock().record(probe, healthy, Instant::now());
        if let Some(t) = t {
            match t {
                Transition::Opened { cooldown } => tracing::warn!(
                    pause_ms = cooldown.as_millis() as u64,
                    "breaker open: too many failures in a row, pausing all requests"
                ),
                Transition::Reopened { cooldown } => tracing::warn!(
                    pause_ms = cooldown.as_millis() as u64,
                    "breaker still open: the probe request failed, pausing again"
                ),
                Transition::Closed => {
                    tracing::warn!("breaker closed: the target answers again, resuming")
                }
            }
            self.changed.send_replace(());
        }
        t
    }
}

/// Leave to send one attempt. Record its result; dropped unrecorded, a
/// probe passes the probe on.
#[derive(Debug)]
pub struct Pass<'a> {
    breaker: &'a Breaker,
    probe: bool,
    recorded: bool,
}

impl Pass<'_> {
    /// Records the attempt: `healthy` unless it failed with a 5xx, a
    /// timeout or a connection error.
    pub fn record(mut self, healthy: bool) -> Option<Transition> {
        self.recorded = true;
        self.breaker.settle(self.probe, healthy)
    }
}

impl Drop for Pass<'_> {
    fn drop(&mut self) {
        if self.probe && !self.recorded {
            self.breaker.lock().abandon_probe(Instant::now());
            self.breaker.changed.send_replace(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> BreakerPolicy {
        BreakerPolicy {
            failure_threshold: 3,
            cooldown: Duration::from_secs(5),
            max_cooldown: Duration::from_secs(12),
        }
    }

    #[test]
    fn opens_after_a_streak_and_only_a_streak() {
        let mut m = Machine::new(policy());
        let t0 = Instant::now();
        assert_eq!(m.record(false, false, t0), None);
        assert_eq!(m.record(false, false, t0), None);
        // A healthy answer breaks the streak.
        assert_eq!(m.record(false, true, t0), None);
        assert_eq!(m.record(false, false, t0), None);
        assert_eq!(m.record(false, false, t0), None);
        assert_eq!(
            m.record(false, false, t0),
            Some(Transition::Opened {
                cooldown: Duration::from_secs(5)
            })
        );
        assert_eq!(
            m.admit(t0 + Duration::from_secs(1)),
            Gate::WaitUntil(t0 + Duration::from_secs(5))
        );
    }

    #[test]
    fn one_probe_after_the_cooldown_decides() {
        let mut m = Machine::new(policy());
        let t0 = Instant::now();
        for _ in 0..3 {
            m.record(false, false, t0);
        }
        let t1 = t0 + Duration::from_secs(5);
        assert_eq!(m.admit(t1), Gate::Go { probe: true });
        assert_eq!(m.admit(t1), Gate::WaitForProbe);
        // Late answers of attempts sent before the breaker opened do not count.
        assert_eq!(m.record(false, true, t1), None);
        assert_eq!(m.record(false, false, t1), None);
        assert_eq!(m.admit(t1), Gate::WaitForProbe);
        assert_eq!(m.record(true, true, t1), Some(Transition::Closed));
        assert_eq!(m.admit(t1), Gate::Go { probe: false });
    }

    #[test]
    fn failed_probes_double_the_pause_up_to_the_maximum() {
        let mut m = Machine::new(policy());
        let mut now = Instant::now();
        for _ in 0..3 {
            m.record(false, false, now);
        }
        let mut pauses = Vec::new();
        for _ in 0..3 {
            now += Duration::from_secs(60);
            assert_eq!(m.admit(now), Gate::Go { probe: true });
            match m.record(true, false, now) {
                Some(Transition::Reopened { cooldown }) => pauses.push(cooldown.as_secs()),
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(pauses, [10, 12, 12]);
        assert_eq!(
            m.admit(now + Duration::from_secs(1)),
            Gate::WaitUntil(now + Duration::from_secs(12))
        );
    }

    #[test]
    fn an_abandoned_probe_lets_the_next_request_probe() {
        let mut m = Machine::new(policy());
        let t0 = Instant::now();
        for _ in 0..3 {
            m.record(false, false, t0);
        }
        let t1 = t0 + Duration::from_secs(6);
        assert_eq!(m.admit(t1), Gate::Go { probe: true });
        m.abandon_probe(t1);
        assert_eq!(m.admit(t1), Gate::Go { probe: true });
    }

    #[tokio::test]
    async fn waiting_requests_go_when_the_probe_closes_the_breaker() {
        let b = std::sync::Arc::new(Breaker::new(BreakerPolicy {
            failure_threshold: 1,
            cooldown: Duration::from_millis(30),
            max_cooldown: Duration::from_millis(30),
        }));
        let (pass, waited) = b.enter().await;
        assert!(waited < Duration::from_millis(30));
        assert!(matches!(
            pass.record(false),
            Some(Transition::Opened { .. })
        ));
        let (probe, waited) = b.enter().await;
        assert!(waited >= Duration::from_millis(25), "{waited:?}");
        let waiter = {
            let b = std::sync::Arc::clone(&b);
            tokio::spawn(async move {
                let (pass, _) = b.enter().await;
                pass.probe
            })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!waiter.is_finished(), "waits while the probe is out");
        assert_eq!(probe.record(true), Some(Transition::Closed));
        assert!(!waiter.await.unwrap(), "a normal pass once closed");
    }

    #[tokio::test]
    async fn a_dropped_probe_hands_over() {
        let b = Breaker::new(BreakerPolicy {
            failure_threshold: 1,
            cooldown: Duration::from_millis(1),
            max_cooldown: Duration::from_millis(1),
        });
        b.enter().await.0.record(false);
        let (probe, _) = b.enter().await;
        assert!(probe.probe);
        drop(probe);
        let (next, _) = b.enter().await;
        assert!(next.probe);
    }
}
