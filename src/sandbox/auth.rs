//! Who is calling: HTTP basic auth or an `apikey` header, checked against
//! the configured credentials.
//!
//! In: request headers. Out: a `Caller` (the credential's identity, which
//! rate limits are keyed by) in the request's extensions, or 401 with
//! 1 INVALID_BASIC_AUTHORIZATION (nothing usable sent) or 2
//! INVALID_CREDENTIALS (something sent that does not match).

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;

use super::reply::ApiError;
use crate::model::ReturnCode;

/// The credentials the sandbox accepts. With none configured at all, every
/// request is accepted as one anonymous caller.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Credentials {
    /// Values accepted in the `apikey` header.
    pub api_keys: Vec<String>,
    /// Username and password pairs accepted by HTTP basic auth.
    pub users: Vec<(String, String)>,
}

impl Credentials {
    /// One user with a password.
    pub fn user(name: &str, password: &str) -> Self {
        Self {
            api_keys: Vec::new(),
            users: vec![(name.to_string(), password.to_string())],
        }
    }

    /// Whether no credential is configured (an open sandbox).
    pub fn is_open(&self) -> bool {
        self.api_keys.is_empty() && self.users.is_empty()
    }

    /// The caller a request authenticates as.
    pub fn identify(&self, headers: &HeaderMap) -> Result<Caller, ReturnCode> {
        if self.is_open() {
            return Ok(Caller("anonymous".into()));
        }
        if let Some(key) = headers.get("apikey") {
            let key = key.to_str().map_err(|_| ReturnCode::InvalidCredentials)?;
            return if self.api_keys.iter().any(|k| k == key) {
                Ok(Caller(format!("apikey:{key}")))
            } else {
                Err(ReturnCode::InvalidCredentials)
            };
        }
        let Some(auth) = headers.get(header::AUTHORIZATION) else {
            return Err(ReturnCode::InvalidBasicAuthorization);
        };
        let encoded = auth
            .to_str()
            .ok()
            .and_then(|s| {
                s.strip_prefix("Basic ")
                    .or_else(|| s.strip_prefix("basic "))
            })
            .ok_or(ReturnCode::InvalidBasicAuthorization)?;
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(encoded.trim())
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or(ReturnCode::InvalidBasicAuthorization)?;
        let (user, password) = decoded
            .split_once(':')
            .ok_or(ReturnCode::InvalidBasicAuthorization)?;
        if self.users.iter().any(|(u, p)| u == user && p == password) {
            Ok(Caller(format!("user:{user}")))
        } else {
            Err(ReturnCode::InvalidCredentials)
        }
    }
}

/// The identity of an authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Caller(pub String);

/// Middleware: refuses unauthenticated requests, tags the others.
pub async fn require(
    State(creds): State<Arc<Credentials>>,
    mut req: Request,
    next: Next,
) -> Response {
    match creds.identify(req.headers()) {
        Ok(caller) => {
            req.extensions_mut().insert(caller);
            next.run(req).await
        }
        Err(code) => ApiError::new(StatusCode::UNAUTHORIZED, code, None).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(name: &str, value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            axum::http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        );
        h
    }

    #[test]
    fn basic_auth_and_api_keys() {
        let mut c = Credentials::user("ann", "pw");
        c.api_keys.push("k1".into());
        let basic = |u: &str| {
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(u)
            )
        };
        assert_eq!(
            c.identify(&headers("authorization", &basic("ann:pw"))),
            Ok(Caller("user:ann".into()))
        );
        assert_eq!(
            c.identify(&headers("authorization", &basic("ann:no"))),
            Err(ReturnCode::InvalidCredentials)
        );
        assert_eq!(
            c.identify(&headers("apikey", "k1")),
            Ok(Caller("apikey:k1".into()))
        );
        assert_eq!(
            c.identify(&headers("apikey", "k2")),
            Err(ReturnCode::InvalidCredentials)
        );
        assert_eq!(
            c.identify(&HeaderMap::new()),
            Err(ReturnCode::InvalidBasicAuthorization)
        );
        assert_eq!(
            c.identify(&headers("authorization", "Bearer x")),
            Err(ReturnCode::InvalidBasicAuthorization)
        );
        assert!(Credentials::default().identify(&HeaderMap::new()).is_ok());
    }
}
