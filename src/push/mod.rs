//! The push stage: sends rows to a Mambu v1 Clients API at the rate the
//! tenant accepts, decides which clients are this event's, and undoes an
//! import. Where to look:
//!
//! * [`sender`] — the send loop: batch → commit SENT → send → journal.
//! * [`row_work`] — one row's work: create or upsert, then the state moves.
//! * [`ownership`] — when a client found on the target is this event's.
//! * [`upsert_body`], [`restore_body`] — what an update and a restore send;
//!   [`merge_check`] — the merged client checked before an update leaves.
//! * [`undo`] — a revert's work on one row.
//! * [`Target`] — the HTTP client underneath: limiter, retries, breaker.
//!
//! The stage talks to the ledger through one small interface, the
//! [`crate::ledger::Journal`] handle (rows about to be sent, outcomes).
//!
//! # The HTTP client
//!
//! In: a [`TargetConfig`] (base URL, credentials from
//! [`crate::credentials`], rate, concurrency, timeout, retry and breaker
//! policies), then one call per request on a [`Target`]. Out: an
//! [`Outcome`] per request and [`PushStats`] for the run. Building a target
//! fails with [`PushError::Config`]; [`Target::probe`] fails when the target
//! is unreachable or refuses the credentials (exit code 3). A request itself
//! never fails: a refusal, a missing client or a give-up is its `Outcome`.
//!
//! Retried: 429 (after its `Retry-After`), 500/502/503/504, timeouts and
//! connection errors, with full-jitter exponential backoff. Final: any other
//! 4xx. A breaker pauses all traffic after a streak of failures.
//!
//! The rate limiter paces 1 % under the rate asked for and starts with an
//! empty bucket, so a target limiting at that same rate keeps some room
//! for requests that arrive closer together than they left. A target that
//! allows no burst at all (a bucket of one) can still refuse a stray
//! request; it is retried after its `Retry-After`.
//!
//! # Exactly once is the caller's job
//!
//! v1 has no idempotency key. When a create ends `Outcome::Unknown`, or an
//! attempt's connection broke after the request was sent, the client MAY
//! have been stored. A later attempt of the same create then answers 316
//! CLIENT_ID_ALREADY_IN_USE for a client we created ourselves. Either way
//! the caller settles the row by [`Target::get_client`] on its id before
//! deciding anything, with the evidence [`Target::create_traced`] gathered
//! and the rule in [`ownership`] — which is what [`row_work`] does.

mod breaker;
mod config;
pub mod documents;
mod endpoint;
mod error;
mod outcome;
pub mod ownership;
mod retry;
mod stats;
mod target;

pub mod merge_check;
pub mod request_form;
pub mod restore_body;
pub mod row_request;
pub mod row_work;
pub mod sender;
pub mod undo;
pub mod upsert_body;

pub use config::{BreakerPolicy, RetryPolicy, TargetConfig};
pub use endpoint::{path_segment, PathError};
pub use error::PushError;
pub use outcome::Outcome;
pub use retry::{parse_retry_after, MAX_RETRY_AFTER};
pub use stats::PushStats;
pub use target::{CreateAnswer, Target};
