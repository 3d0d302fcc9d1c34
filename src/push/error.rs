//! Why a target cannot be used at all (as opposed to one request failing,
//! which is an `Outcome`). Every variant maps to exit code 3 except
//! `Config` (bad usage, 2). No message carries a credential or the URL's
//! secrets: the URL is checked before anything else and shown as its origin.

use crate::model::ReturnCode;

/// A target that cannot be built or does not answer as a Mambu API should.
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    /// The configuration is unusable (bad URL, URL with credentials, TLS setup).
    #[error("{0}")]
    Config(String),
    /// The target refused the credentials (or none were given): 401/403.
    #[error("{target} refused the credentials: HTTP {status} {name}")]
    Credentials {
        /// The target's origin: scheme, host and port.
        target: String,
        /// The HTTP status, 401 or 403.
        status: u16,
        /// Mambu's return code, when the body carried one.
        code: Option<ReturnCode>,
        /// Mambu's return status name, or the HTTP reason.
        name: String,
    },
    /// No answer after every attempt.
    #[error("{target} is unreachable after {attempts} attempt(s): {last_error}")]
    Unreachable {
        /// The target's origin: scheme, host and port.
        target: String,
        /// Attempts made, the first included.
        attempts: u32,
        /// What went wrong with the last attempt.
        last_error: String,
    },
    /// An answer, but not the one a Mambu Clients API gives (a wrong base
    /// URL answers 404, for one).
    #[error("{target} does not answer like a Mambu Clients API: HTTP {status} {name}")]
    Unexpected {
        /// The target's origin: scheme, host and port.
        target: String,
        /// The HTTP status it answered.
        status: u16,
        /// Mambu's return status name, or the HTTP reason.
        name: String,
    },
}

impl PushError {
    /// The process exit code this error ends a command with: 2 for a bad
    /// configuration, 3 for a target unreachable or refusing us.
    pub fn exit_code(&self) -> i32 {
        match self {
            PushError::Config(_) => 2,
            _ => 3,
        }
    }
}
