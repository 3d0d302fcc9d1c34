//! A target: one shared HTTP client, one rate limiter, one breaker, and the
//! retry loop every request goes through.
//!
//! In: a `TargetConfig`, then one call per request (create, get, update,
//! patch, delete). Out: an `Outcome` per request and `PushStats` for the
//! run. `Target::new` fails with `PushError::Config`; `probe` fails when the
//! target is unreachable or refuses the credentials. Requests never fail:
//! what went wrong is in the `Outcome`.
//!
//! Each attempt, retries included, passes the breaker, takes one of
//! `concurrency` slots and waits on the rate limiter before it goes, so
//! retries never push the rate over what was asked. The secret goes only
//! into a header marked sensitive; it is in no URL, message or log line.

use std::fmt;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use reqwest::header::{self, HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, Request, Url};
use tokio::sync::Semaphore;

use super::breaker::{Breaker, Transition};
use super::config::{RetryPolicy, TargetConfig};
use super::endpoint::{Endpoints, PathError};
use super::error::PushError;
use super::outcome::{classify_as, Outcome, Reading, Retry};
use super::ownership::{AttemptWindow, ClockOffset, ClockWatch};
use super::retry::parse_retry_after;
use super::stats::{Counters, Event, PushStats};
use crate::credentials::Credentials;
use crate::model::ReturnCode;

/// The longest wait for a TCP (and TLS) connection, whatever the timeout.
const MAX_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Idle connections are closed before a load balancer's usual 60 s would
/// close them under us.
const POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(30);
/// Attempts the probe makes at most: an unreachable target should be
/// reported in seconds, not after a whole retry budget.
const PROBE_ATTEMPTS: u32 = 3;

/// The refusal for an id that cannot be put in a URL path: final, and
/// nothing was sent (status 0). Mambu would not know the client either.
fn not_sent(e: PathError) -> Outcome {
    Outcome::Refused {
        status: 0,
        code: Some(ReturnCode::InvalidClientId),
        name: ReturnCode::InvalidClientId.name().to_string(),
        source: Some("id".into()),
        body: format!("not sent: {e}"),
    }
}

/// A Mambu v1 target. Cheap to clone: clones share the connection pool,
/// the rate limiter, the breaker and the counters.
#[derive(Clone)]
pub struct Target {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    endpoints: Endpoints,
    auth_kind: &'static str,
    limiter: Option<DefaultDirectRateLimiter>,
    /// One request at a time waits on the limiter (see `pace`).
    pacing: tokio::sync::Mutex<()>,
    slots: Semaphore,
    retry: RetryPolicy,
    breaker: Breaker,
    counters: Counters,
    clock: ClockWatch,
    rate: Option<u32>,
    concurrency: usize,
    timeout: Duration,
}

impl fmt::Debug for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        f.debug_struct("Target")
            .field("target", &i.endpoints.origin())
            .field("auth", &i.auth_kind)
            .field("rate", &i.rate)
            .field("concurrency", &i.concurrency)
            .field("timeout", &i.timeout)
            .field("retry", &i.retry)
            .finish_non_exhaustive()
    }
}

/// Why an attempt got no complete answer.
#[derive(Debug)]
enum Failure {
    Timeout,
    /// No connection was made: the request never left.
    NotConnected(String),
    /// The connection broke, possibly after the request was written.
    Connection(String),
}

impl Failure {
    fn from_reqwest(e: reqwest::Error) -> Failure {
        if e.is_timeout() {
            return Failure::Timeout;
        }
        let connect = e.is_connect();
        // The URL names the client; the message needs only what broke.
        let e = e.without_url();
        let mut text = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            let more = s.to_string();
            if !text.contains(&more) {
                text.push_str(": ");
                text.push_str(&more);
            }
            source = s.source();
        }
        if connect {
            Failure::NotConnected(text)
        } else {
            Failure::Connection(text)
        }
    }

    fn describe(&self, timeout: Duration) -> String {
        match self {
            Failure::Timeout => format!("no complete answer within {} ms", timeout.as_millis()),
            Failure::NotConnected(e) | Failure::Connection(e) => format!("connection error: {e}"),
        }
    }

    /// Whether the target may have carried the request out.
    fn may_have_landed(&self) -> bool {
        !matches!(self, Failure::NotConnected(_))
    }
}

/// A create's outcome with the evidence ownership needs.
#[derive(Debug, Clone, PartialEq)]
pub struct CreateAnswer {
    /// What the request came to.
    pub outcome: Outcome,
    /// The span of the attempts that ended without an answer after the
    /// request may have reached the target (timeouts, broken connections,
    /// 5xx); `None` when every attempt was answered or never left.
    pub unanswered: Option<AttemptWindow>,
}

/// The header that authenticates, marked sensitive so it never prints.
fn auth_header(c: &Credentials) -> Result<(HeaderName, HeaderValue), PushError> {
    let (name, mut value) = match c {
        Credentials::ApiKey(key) => (
            HeaderName::from_static("apikey"),
            HeaderValue::from_str(key.expose()).map_err(|_| {
                PushError::Config("the API key holds characters an HTTP header cannot carry".into())
            })?,
        ),
        Credentials::Basic { user, password } => {
            let pair = format!("{user}:{}", password.expose());
            let encoded = base64::engine::general_purpose::STANDARD.encode(pair);
            let value = HeaderValue::from_str(&format!("Basic {encoded}"))
                .map_err(|_| PushError::Config("the credentials cannot be encoded".into()))?;
            (header::AUTHORIZATION, value)
        }
    };
    value.set_sensitive(true);
    Ok((name, value))
}

/// How far under the asked rate the limiter paces. At exactly the target's
/// own rate our bursts would drain the target's bucket too, leaving it no
/// room for requests that arrive a little closer together than they left
/// (every one a 429 and a second's wait); 1 % under lets it refill.
const HEADROOM: f64 = 0.01;

/// The quota for `rate` requests per second: `HEADROOM` under it, with a
/// burst of about 10 ms worth of requests (at least one). With a burst of
/// 1 every late wake-up is throughput lost for good; a larger one would
/// overrun the target.
fn quota(rate: NonZeroU32) -> Option<Quota> {
    let period = Duration::from_secs_f64(1.0 / (f64::from(rate.get()) * (1.0 - HEADROOM)));
    let burst = NonZeroU32::new(rate.get() / 100).unwrap_or(NonZeroU32::MIN);
    Some(Quota::with_period(period)?.allow_burst(burst))
}

fn limiter(rate: Option<u32>) -> Result<Option<DefaultDirectRateLimiter>, PushError> {
    let Some(rate) = rate else { return Ok(None) };
    let quota = NonZeroU32::new(rate).and_then(quota).ok_or_else(|| {
        PushError::Config("the rate must be at least 1 request per second".into())
    })?;
    let limiter = RateLimiter::direct(quota);
    // Start with the bucket empty: the target's is full, and the room
    // between the two is what absorbs requests arriving unevenly.
    let _ = limiter.check_n(quota.burst_size());
    Ok(Some(limiter))
}

impl Target {
    /// Builds the HTTP client (rustls, keep-alive, timeouts), the limiter
    /// and the breaker. Sends nothing.
    pub fn new(cfg: TargetConfig) -> Result<Target, PushError> {
        let endpoints =
            Endpoints::parse(&cfg.base_url).map_err(|e| PushError::Config(e.to_string()))?;
        if cfg.retry.max_attempts == 0 {
            return Err(PushError::Config(
                "retries: at least 1 attempt is needed".into(),
            ));
        }
        let concurrency = cfg.concurrency.max(1);
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
        let auth_kind = match &cfg.credentials {
            Some(c) => {
                let (name, value) = auth_header(c)?;
                headers.insert(name, value);
                match c {
                    Credentials::ApiKey(_) => "API key",
                    Credentials::Basic { .. } => "basic",
                }
            }
            None => "none",
        };
        let http = reqwest::Client::builder()
            .use_rustls_tls()
            .user_agent(concat!("ferry/", env!("CARGO_PKG_VERSION")))
            .default_headers(headers)
            .timeout(cfg.timeout)
            .connect_timeout(cfg.timeout.min(MAX_CONNECT_TIMEOUT))
            .pool_max_idle_per_host(concurrency)
            .pool_idle_timeout(POOL_IDLE_TIMEOUT)
            .tcp_nodelay(true)
            // A redirect would resend the body somewhere we were not told
            // to send it; a wrong base URL should fail the probe instead.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| PushError::Config(format!("cannot set up HTTP: {e}")))?;
        Ok(Target {
            inner: Arc::new(Inner {
                http,
                endpoints,
                auth_kind,
                limiter: limiter(cfg.rate)?,
                pacing: tokio::sync::Mutex::new(()),
                slots: Semaphore::new(concurrency),
                retry: cfg.retry,
                breaker: Breaker::new(cfg.breaker),
                counters: Counters::default(),
                clock: ClockWatch::default(),
                rate: cfg.rate,
                concurrency,
                timeout: cfg.timeout,
            }),
        })
    }

    /// The target as shown to people: scheme, host and port.
    pub fn origin(&self) -> String {
        self.inner.endpoints.origin()
    }

    /// Checks that the target answers and takes the credentials, with
    /// `GET /api/clients?limit=1` (at most 3 attempts). Any error here
    /// means exit code 3 (see `PushError::exit_code`).
    pub async fn probe(&self) -> Result<(), PushError> {
        let url = self.inner.endpoints.probe();
        let attempts = self.inner.retry.max_attempts.min(PROBE_ATTEMPTS);
        let target = self.origin();
        match self
            .run(Method::GET, url, None, false, Reading::Whole, attempts)
            .await
        {
            Outcome::Ok { .. } => Ok(()),
            Outcome::Refused {
                status: status @ (401 | 403),
                code,
                name,
                ..
            } => Err(PushError::Credentials {
                target,
                status,
                code,
                name,
            }),
            Outcome::Refused { status, name, .. } => Err(PushError::Unexpected {
                target,
                status,
                name,
            }),
            Outcome::NotFound => Err(PushError::Unexpected {
                target,
                status: 404,
                name: "NOT_FOUND".into(),
            }),
            Outcome::Unknown {
                attempts,
                last_error,
            } => Err(PushError::Unreachable {
                target,
                attempts,
                last_error,
            }),
        }
    }

    /// `POST /api/clients` with a `ClientRequest` as JSON. `Ok` carries
    /// what an import needs of the stored client — `{"client": {encodedKey,
    /// id, state, lastModifiedDate}}` — not the whole answer
    /// (`Reading::CreatedClient`). `Unknown` means the client MAY have been
    /// created.
    pub async fn create(&self, body: &[u8]) -> Outcome {
        self.create_traced(body).await.outcome
    }

    /// [`create`](Self::create), saying also when attempts went unanswered,
    /// so that a 316 or a lost answer can be settled by
    /// [`ownership`](super::ownership).
    pub async fn create_traced(&self, body: &[u8]) -> CreateAnswer {
        let url = self.inner.endpoints.clients();
        let attempts = self.inner.retry.max_attempts;
        let (outcome, unanswered) = self
            .run_traced(
                Method::POST,
                url,
                Some(body),
                false,
                Reading::CreatedClient,
                attempts,
            )
            .await;
        CreateAnswer {
            outcome,
            unanswered,
        }
    }

    /// How many requests may be in flight at once: the one bound the
    /// sender and a revert's undo also keep rows in flight to.
    pub fn concurrency(&self) -> usize {
        self.inner.concurrency
    }

    /// The target's clock against ours, as its `Date` headers showed it.
    pub fn clock_offset(&self) -> ClockOffset {
        self.inner.clock.offset()
    }

    /// `GET /api/clients/{idOrKey}`, with `?fullDetails=true` when `full`.
    pub async fn get_client(&self, id_or_key: &str, full: bool) -> Outcome {
        let mut url = match self.inner.endpoints.client(id_or_key) {
            Ok(url) => url,
            Err(e) => return not_sent(e),
        };
        if full {
            url.set_query(Some("fullDetails=true"));
        }
        let attempts = self.inner.retry.max_attempts;
        self.run(Method::GET, url, None, true, Reading::Whole, attempts)
            .await
    }

    /// `GET /api/{segments…}?{query}`: a read of the tenant's configuration
    /// (`ferry tenant pull`), retried like any request.
    pub async fn get_api(&self, segments: &[&str], query: Option<&str>) -> Outcome {
        let url = self.inner.endpoints.api(segments, query);
        let attempts = self.inner.retry.max_attempts;
        self.run(Method::GET, url, None, false, Reading::Whole, attempts)
            .await
    }

    /// `POST /api/{segments…}?{query}` with a JSON body that reads and
    /// changes nothing (the clients search, `ferry export` and `ferry
    /// reconcile`): retried like any request.
    pub async fn post_query(&self, segments: &[&str], query: Option<&str>, body: &[u8]) -> Outcome {
        let url = self.inner.endpoints.api(segments, query);
        let attempts = self.inner.retry.max_attempts;
        self.run(
            Method::POST,
            url,
            Some(body),
            false,
            Reading::Whole,
            attempts,
        )
        .await
    }

    /// `POST /api/clients/{idOrKey}`: an update (the body carries
    /// `client.encodedKey`; arrays given replace what is stored).
    pub async fn update(&self, id_or_key: &str, body: &[u8]) -> Outcome {
        let url = match self.inner.endpoints.client(id_or_key) {
            Ok(url) => url,
            Err(e) => return not_sent(e),
        };
        let attempts = self.inner.retry.max_attempts;
        self.run(
            Method::POST,
            url,
            Some(body),
            true,
            Reading::Whole,
            attempts,
        )
        .await
    }

    /// `PATCH /api/clients/{idOrKey}` with `{"client":{"state":…}}`.
    pub async fn patch_state(&self, id_or_key: &str, state: &str) -> Outcome {
        let url = match self.inner.endpoints.client(id_or_key) {
            Ok(url) => url,
            Err(e) => return not_sent(e),
        };
        let body = serde_json::json!({ "client": { "state": state } }).to_string();
        let attempts = self.inner.retry.max_attempts;
        self.run(
            Method::PATCH,
            url,
            Some(body.as_bytes()),
            true,
            Reading::Whole,
            attempts,
        )
        .await
    }

    /// `DELETE /api/clients/{idOrKey}`.
    pub async fn delete(&self, id_or_key: &str) -> Outcome {
        let url = match self.inner.endpoints.client(id_or_key) {
            Ok(url) => url,
            Err(e) => return not_sent(e),
        };
        let attempts = self.inner.retry.max_attempts;
        self.run(Method::DELETE, url, None, true, Reading::Whole, attempts)
            .await
    }

    /// `…/api/clients/{idOrKey}/documents/{kind}`.
    fn document_url(&self, id_or_key: &str, kind: &str) -> Result<Url, super::endpoint::PathError> {
        let mut url = self.inner.endpoints.client(id_or_key)?;
        let path = format!("{}/documents/{kind}", url.path());
        url.set_path(&path);
        Ok(url)
    }

    /// `GET /api/clients/{idOrKey}/documents/{kind}`: the document's content
    /// as a JSON string (the format first). A client without one is a
    /// refusal with HTTP 404; an unknown client is `NotFound`.
    pub async fn get_document(&self, id_or_key: &str, kind: &str) -> Outcome {
        let url = match self.document_url(id_or_key, kind) {
            Ok(url) => url,
            Err(e) => return not_sent(e),
        };
        let attempts = self.inner.retry.max_attempts;
        self.run(Method::GET, url, None, true, Reading::Whole, attempts)
            .await
    }

    /// `POST /api/clients/{idOrKey}/documents/{kind}`, one attempt: an
    /// upload whose answer is lost is settled by a GET of the document
    /// before it is sent again, so that it lands once.
    pub async fn post_document_once(&self, id_or_key: &str, kind: &str, body: &[u8]) -> Outcome {
        let url = match self.document_url(id_or_key, kind) {
            Ok(url) => url,
            Err(e) => return not_sent(e),
        };
        self.run(Method::POST, url, Some(body), true, Reading::Whole, 1)
            .await
    }

    /// `DELETE /api/clients/{idOrKey}/documents/{kind}`.
    pub async fn delete_document(&self, id_or_key: &str, kind: &str) -> Outcome {
        let url = match self.document_url(id_or_key, kind) {
            Ok(url) => url,
            Err(e) => return not_sent(e),
        };
        let attempts = self.inner.retry.max_attempts;
        self.run(Method::DELETE, url, None, true, Reading::Whole, attempts)
            .await
    }

    /// How many attempts a request gets.
    pub fn max_attempts(&self) -> u32 {
        self.inner.retry.max_attempts
    }

    /// What the target has done so far.
    pub fn stats(&self) -> PushStats {
        self.inner.counters.snapshot()
    }

    fn request(&self, method: Method, url: Url, body: Option<&[u8]>) -> reqwest::Result<Request> {
        let mut b = self.inner.http.request(method, url);
        if let Some(body) = body {
            b = b
                .header(header::CONTENT_TYPE, "application/json")
                .body(body.to_vec());
        }
        b.build()
    }

    /// Sends a request until it gets a final answer or `attempts` run out.
    async fn run(
        &self,
        method: Method,
        url: Url,
        body: Option<&[u8]>,
        addressed: bool,
        reading: Reading,
        attempts: u32,
    ) -> Outcome {
        self.run_traced(method, url, body, addressed, reading, attempts)
            .await
            .0
    }

    /// [`run`](Self::run), with the window of the attempts that may have
    /// been carried out without our hearing of it.
    async fn run_traced(
        &self,
        method: Method,
        url: Url,
        body: Option<&[u8]>,
        addressed: bool,
        reading: Reading,
        attempts: u32,
    ) -> (Outcome, Option<AttemptWindow>) {
        let inner = &*self.inner;
        let request = match self.request(method, url, body) {
            Ok(r) => r,
            Err(e) => {
                let outcome = Outcome::Unknown {
                    attempts: 0,
                    last_error: format!("the request could not be built: {}", e.without_url()),
                };
                return (outcome, None);
            }
        };
        let mut rng = fastrand::Rng::new();
        let mut last_error = String::new();
        let mut unanswered: Option<AttemptWindow> = None;
        let mut note_unanswered = |from: jiff::Timestamp| {
            let this = AttemptWindow {
                from,
                to: jiff::Timestamp::now(),
            };
            unanswered = Some(unanswered.map_or(this, |w| w.union(this)));
        };
        for attempt in 0..attempts {
            if attempt > 0 {
                inner.counters.note(Event::Retry);
            }
            // Bodies are bytes in memory, so the request always clones.
            let Some(this) = request.try_clone() else {
                break;
            };
            let (pass, paused) = inner.breaker.enter().await;
            if !paused.is_zero() {
                inner.counters.note_pause(paused);
            }
            let (answer, left_at) = {
                let _slot = inner.slots.acquire().await;
                self.pace().await;
                inner.counters.note(Event::Request);
                let left_at = jiff::Timestamp::now();
                (self.attempt(this, addressed, reading).await, left_at)
            };
            let (healthy, wait) = match answer {
                Ok(Ok(outcome)) => {
                    self.note_transition(pass.record(true));
                    if outcome.is_ok() {
                        inner.counters.note(Event::Succeeded);
                    }
                    return (outcome, unanswered);
                }
                Ok(Err(retry)) => {
                    let throttled = matches!(retry, Retry::Throttled { .. });
                    if !throttled {
                        // A 5xx may come from a gateway after the work was done.
                        note_unanswered(left_at);
                    }
                    inner.counters.note(if throttled {
                        Event::Throttled
                    } else {
                        Event::ServerError
                    });
                    last_error = retry.describe();
                    let wait = match retry.after() {
                        Some(after) => inner.retry.after(after, &mut rng),
                        None => inner.retry.backoff(attempt, &mut rng),
                    };
                    (throttled, wait)
                }
                Err(failure) => {
                    if failure.may_have_landed() {
                        note_unanswered(left_at);
                    }
                    inner.counters.note(match failure {
                        Failure::Timeout => Event::Timeout,
                        Failure::NotConnected(_) | Failure::Connection(_) => Event::ConnectionError,
                    });
                    last_error = failure.describe(inner.timeout);
                    (false, inner.retry.backoff(attempt, &mut rng))
                }
            };
            self.note_transition(pass.record(healthy));
            if attempt + 1 < attempts {
                tracing::debug!(
                    attempt = attempt + 1,
                    wait_ms = wait.as_millis() as u64,
                    reason = %last_error,
                    "retrying"
                );
                tokio::time::sleep(wait).await;
            }
        }
        inner.counters.note(Event::Unknown);
        let outcome = Outcome::Unknown {
            attempts,
            last_error,
        };
        (outcome, unanswered)
    }

    /// Waits for the rate limiter's leave. The waiters queue on a fair
    /// lock so one at a time polls the limiter: left to race, every waiter
    /// wakes at each free cell, and the herd delays the winner's request by
    /// a varying amount. Against a target limiting at the same rate with
    /// no burst allowance, that variation alone is enough for a 429.
    async fn pace(&self) {
        if let Some(l) = &self.inner.limiter {
            let _turn = self.inner.pacing.lock().await;
            l.until_ready().await;
        }
    }

    fn note_transition(&self, t: Option<Transition>) {
        if let Some(Transition::Opened { .. } | Transition::Reopened { .. }) = t {
            self.inner.counters.note(Event::BreakerTrip);
        }
    }

    /// One attempt: send, read the whole answer, classify it.
    async fn attempt(
        &self,
        request: Request,
        addressed: bool,
        reading: Reading,
    ) -> Result<Result<Outcome, Retry>, Failure> {
        let response = self
            .inner
            .http
            .execute(request)
            .await
            .map_err(Failure::from_reqwest)?;
        let status = response.status().as_u16();
        if let Some(date) = response
            .headers()
            .get(header::DATE)
            .and_then(|v| v.to_str().ok())
        {
            self.inner.clock.note(date, jiff::Timestamp::now());
        }
        let retry_after = response
            .headers()
            .get(header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, jiff::Timestamp::now()));
        let body = response.bytes().await.map_err(Failure::from_reqwest)?;
        Ok(classify_as(status, retry_after, &body, addressed, reading))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::Secret;

    #[test]
    fn the_auth_header_is_sensitive_and_matches_basic_auth() {
        let (name, value) = auth_header(&Credentials::Basic {
            user: "ann".into(),
            password: Secret::new("pw"),
        })
        .unwrap();
        assert_eq!(name, header::AUTHORIZATION);
        assert!(value.is_sensitive());
        // base64("ann:pw")
        assert_eq!(value.to_str().unwrap(), "Basic YW5uOnB3");
        assert!(!format!("{value:?}").contains("YW5u"));
        let (name, value) = auth_header(&Credentials::ApiKey(Secret::new("k-1"))).unwrap();
        assert_eq!(name.as_str(), "apikey");
        assert!(value.is_sensitive());
        let bad = auth_header(&Credentials::ApiKey(Secret::new("k\n-secret"))).unwrap_err();
        assert!(!bad.to_string().contains("secret"));
    }

    #[test]
    fn the_limiter_starts_empty_and_bursts_about_ten_milliseconds_of_requests() {
        assert!(limiter(None).unwrap().is_none());
        assert!(limiter(Some(0)).is_err());
        for (rate, burst) in [(50, 1), (200, 2), (1000, 10)] {
            let l = limiter(Some(rate)).unwrap().unwrap();
            assert!(l.check().is_err(), "{rate}/s starts empty");
            std::thread::sleep(Duration::from_millis(60));
            let n = (0..1000).take_while(|_| l.check().is_ok()).count();
            assert_eq!(n, burst, "{rate}/s");
        }
    }

    #[test]
    fn the_limiter_paces_one_percent_under_the_rate() {
        let q = quota(NonZeroU32::new(200).unwrap()).unwrap();
        let per_cell = q.replenish_interval().as_secs_f64();
        assert!((1.0 / per_cell - 198.0).abs() < 0.01, "{}", 1.0 / per_cell);
        assert_eq!(q.burst_size().get(), 2);
        let q = quota(NonZeroU32::new(7).unwrap()).unwrap();
        assert!((1.0 / q.replenish_interval().as_secs_f64() - 6.93).abs() < 0.001);
        assert_eq!(q.burst_size().get(), 1);
    }

    #[test]
    fn bad_configs_are_refused() {
        let cfg = |url: &str| TargetConfig::new(url, None);
        assert!(matches!(
            Target::new(cfg("https://u:p@h")),
            Err(PushError::Config(_))
        ));
        let mut c = cfg("http://h");
        c.retry.max_attempts = 0;
        assert!(Target::new(c).is_err());
        let mut c = cfg("http://h");
        c.rate = Some(0);
        assert!(Target::new(c).is_err());
        assert!(Target::new(cfg("http://h")).is_ok());
    }
}
