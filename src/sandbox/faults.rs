//! Seeded fault injection for the `/api/clients` routes: server errors,
//! latency, hangs, cut connections and lost responses, reproducible from a
//! seed and the order of requests.
//!
//! In: a spec like `error=0.05,latency=20ms,hang=0.01,drop=0.01,lost_response=0.01`
//! (`latency=20ms:0.3` delays only 30 % of requests). Each request draws
//! from an RNG seeded by `seed` and its sequence number, so the same
//! requests in the same order meet the same faults. What each fault does:
//! * `error`: 500, 502 or 503 with a body; the request is not carried out.
//! * `latency`: the response is delayed.
//! * `hang`: no response ever (until shutdown); the request is not carried out.
//! * `drop`: the request is not carried out; the connection closes after the
//!   headers and half the body of a 500.
//! * `lost_response`: the request IS carried out (a create is stored), then
//!   the connection closes without a byte of the response.
//!
//! Out: `FaultConfig::parse` fails with a message naming the bad part.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::sync::watch;

use super::conn::ConnHandle;
use super::reply::ApiError;
use crate::model::ReturnCode;

/// How often each fault happens (probabilities in 0..=1).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct FaultConfig {
    /// Share of requests answered 500, 502 or 503 without being carried out.
    pub error: f64,
    /// How long a delayed response waits.
    pub latency: Duration,
    /// The share of requests that get `latency` (1.0 = all).
    pub latency_share: f64,
    /// Share of requests never answered (until shutdown), not carried out.
    pub hang: f64,
    /// Share of requests not carried out, their connection cut mid-answer.
    pub drop: f64,
    /// Share of requests carried out whose answer is then lost entirely.
    pub lost_response: f64,
}

/// What is wrong with a fault spec.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FaultSpecError {
    /// A part that is not `name=value`.
    #[error("'{0}' is not name=value")]
    NotNameValue(String),
    /// A name other than the faults this sandbox knows.
    #[error("unknown fault '{0}'")]
    UnknownFault(String),
    /// A share that is not a number.
    #[error("{key}: '{value}' is not a number")]
    NotANumber {
        /// The fault.
        key: String,
        /// The value given.
        value: String,
    },
    /// A share outside 0..=1.
    #[error("{key}: {value} is not a probability between 0 and 1")]
    NotAProbability {
        /// The fault.
        key: String,
        /// The value given.
        value: f64,
    },
    /// A latency that cannot be read, or is negative.
    #[error("latency: '{value}' {why}")]
    BadDuration {
        /// The value given.
        value: String,
        /// What is wrong with it.
        why: &'static str,
    },
}

fn probability(key: &str, v: &str) -> Result<f64, FaultSpecError> {
    let p: f64 = v.trim().parse().map_err(|_| FaultSpecError::NotANumber {
        key: key.to_string(),
        value: v.to_string(),
    })?;
    if (0.0..=1.0).contains(&p) {
        Ok(p)
    } else {
        Err(FaultSpecError::NotAProbability {
            key: key.to_string(),
            value: p,
        })
    }
}

fn duration(v: &str) -> Result<Duration, FaultSpecError> {
    let bad = |why| FaultSpecError::BadDuration {
        value: v.trim().to_string(),
        why,
    };
    let v = v.trim();
    let (num, scale) = if let Some(n) = v.strip_suffix("ms") {
        (n, 1e-3)
    } else if let Some(n) = v.strip_suffix("us") {
        (n, 1e-6)
    } else if let Some(n) = v.strip_suffix('s') {
        (n, 1.0)
    } else {
        return Err(bad("needs a unit (ms, s or us)"));
    };
    let n: f64 = num.trim().parse().map_err(|_| bad("is not a duration"))?;
    if n < 0.0 || !n.is_finite() {
        return Err(bad("is negative"));
    }
    Ok(Duration::from_secs_f64(n * scale))
}

impl FaultConfig {
    /// No faults at all.
    pub fn none() -> Self {
        Self::default()
    }

    /// Parses `name=value` pairs separated by commas; an empty spec is no faults.
    pub fn parse(s: &str) -> Result<FaultConfig, FaultSpecError> {
        let mut f = FaultConfig::default();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (key, value) = part
                .split_once('=')
                .ok_or_else(|| FaultSpecError::NotNameValue(part.to_string()))?;
            match key.trim() {
                "error" => f.error = probability("error", value)?,
                "hang" => f.hang = probability("hang", value)?,
                "drop" => f.drop = probability("drop", value)?,
                "lost_response" => f.lost_response = probability("lost_response", value)?,
                "latency" => {
                    let (d, share) = match value.split_once(':') {
                        Some((d, share)) => (d, probability("latency share", share)?),
                        None => (value, 1.0),
                    };
                    f.latency = duration(d)?;
                    f.latency_share = share;
                }
                other => return Err(FaultSpecError::UnknownFault(other.to_string())),
            }
        }
        Ok(f)
    }

    /// Whether any fault can happen.
    pub fn is_active(&self) -> bool {
        self.error > 0.0
            || self.hang > 0.0
            || self.drop > 0.0
            || self.lost_response > 0.0
            || (self.latency > Duration::ZERO && self.latency_share > 0.0)
    }
}

/// The faults one request meets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Draw {
    pub delay: Option<Duration>,
    pub fault: Option<Fault>,
}

/// A fault that replaces or spoils the response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    Error(u16),
    Hang,
    Drop,
    LostResponse,
}

/// The fault injector: the config, the seed and the request counter.
pub struct Faults {
    config: FaultConfig,
    seed: u64,
    counter: AtomicU64,
    shutdown: watch::Receiver<bool>,
}

impl Faults {
    /// Whether any fault can happen (otherwise the layer is left out).
    pub fn is_active(&self) -> bool {
        self.config.is_active()
    }

    /// An injector; `shutdown` turning true ends hangs.
    pub fn new(config: FaultConfig, seed: u64, shutdown: watch::Receiver<bool>) -> Self {
        Self {
            config,
            seed,
            counter: AtomicU64::new(0),
            shutdown,
        }
    }

    /// What request number `n` meets. Every draw is made whatever the
    /// outcome so one fault's probability does not shift the others.
    pub fn draw(&self, n: u64) -> Draw {
        let mut rng = fastrand::Rng::with_seed(self.seed ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let c = &self.config;
        let (hang, error, drop, lost, slow) =
            (rng.f64(), rng.f64(), rng.f64(), rng.f64(), rng.f64());
        let status = [500, 502, 503][rng.usize(0..3)];
        let fault = if hang < c.hang {
            Some(Fault::Hang)
        } else if error < c.error {
            Some(Fault::Error(status))
        } else if drop < c.drop {
            Some(Fault::Drop)
        } else if lost < c.lost_response {
            Some(Fault::LostResponse)
        } else {
            None
        };
        let delay = (c.latency > Duration::ZERO && slow < c.latency_share).then_some(c.latency);
        Draw { delay, fault }
    }
}

fn server_error(status: u16) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    ApiError::new(status, ReturnCode::InternalError, None).into_response()
}

/// Middleware: injects the drawn faults around the handler.
pub async fn inject(State(f): State<Arc<Faults>>, req: Request, next: Next) -> Response {
    if !f.config.is_active() {
        return next.run(req).await;
    }
    let n = f.counter.fetch_add(1, Ordering::Relaxed);
    let draw = f.draw(n);
    if let Some(d) = draw.delay {
        tokio::time::sleep(d).await;
    }
    let conn = req
        .extensions()
        .get::<ConnectInfo<ConnHandle>>()
        .map(|c| c.0.clone());
    match draw.fault {
        None => next.run(req).await,
        Some(Fault::Error(status)) => server_error(status),
        Some(Fault::Hang) => {
            let mut shutdown = f.shutdown.clone();
            let _ = shutdown.wait_for(|stop| *stop).await;
            server_error(503)
        }
        Some(Fault::Drop) => {
            if let Some(c) = conn {
                c.cut_after_headers();
            }
            server_error(500)
        }
        Some(Fault::LostResponse) => {
            let response = next.run(req).await;
            if let Some(c) = conn {
                c.cut_silently();
            }
            response
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_spec() {
        let f =
            FaultConfig::parse("error=0.05,latency=20ms,hang=0.01,drop=0.01,lost_response=0.01")
                .unwrap();
        assert_eq!(f.error, 0.05);
        assert_eq!(f.latency, Duration::from_millis(20));
        assert_eq!(f.latency_share, 1.0);
        assert_eq!((f.hang, f.drop, f.lost_response), (0.01, 0.01, 0.01));
        let g = FaultConfig::parse("latency=1.5s:0.3").unwrap();
        assert_eq!(
            (g.latency, g.latency_share),
            (Duration::from_millis(1500), 0.3)
        );
        assert_eq!(FaultConfig::parse("").unwrap(), FaultConfig::none());
        assert!(!FaultConfig::none().is_active());
    }

    #[test]
    fn bad_specs_are_refused_with_a_reason() {
        assert_eq!(
            FaultConfig::parse("error=2").unwrap_err(),
            FaultSpecError::NotAProbability {
                key: "error".into(),
                value: 2.0
            }
        );
        assert!(FaultConfig::parse("latency=20")
            .unwrap_err()
            .to_string()
            .contains("unit"));
        assert_eq!(
            FaultConfig::parse("boom=0.1").unwrap_err(),
            FaultSpecError::UnknownFault("boom".into())
        );
        assert_eq!(
            FaultConfig::parse("error").unwrap_err(),
            FaultSpecError::NotNameValue("error".into())
        );
    }

    #[test]
    fn draws_are_reproducible_and_roughly_match_the_rates() {
        let (_tx, rx) = watch::channel(false);
        let cfg = FaultConfig::parse("error=0.2,drop=0.1").unwrap();
        let a = Faults::new(cfg, 42, rx.clone());
        let b = Faults::new(cfg, 42, rx.clone());
        let c = Faults::new(cfg, 43, rx);
        let seq = |f: &Faults| (0..1000).map(|n| f.draw(n)).collect::<Vec<_>>();
        assert_eq!(seq(&a), seq(&b));
        assert_ne!(seq(&a), seq(&c));
        let errors = seq(&a)
            .iter()
            .filter(|d| matches!(d.fault, Some(Fault::Error(_))))
            .count();
        assert!((150..250).contains(&errors), "{errors}");
    }
}
