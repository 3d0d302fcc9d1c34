//! How the sandbox answers: Mambu's v1 error body with a fitting HTTP
//! status, and request bodies read with Mambu's codes for bad JSON.
//!
//! In: a return code (or a validator finding, or a store refusal). Out: an
//! axum response. Never fails.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::Value;

use crate::field_error::FieldError;
use crate::model::{ErrorBody, ReturnCode};

/// A refusal: the HTTP status and the v1 body.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: ErrorBody,
    /// Seconds for `Retry-After` (429 only).
    pub retry_after: Option<u64>,
}

impl ApiError {
    /// A refusal with a status, a code and the field at fault.
    pub fn new(status: StatusCode, code: ReturnCode, source: Option<&str>) -> Self {
        Self {
            status,
            body: ErrorBody::new(code, source.map(str::to_string)),
            retry_after: None,
        }
    }

    /// 400 with a code.
    pub fn bad(code: ReturnCode, source: Option<&str>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, source)
    }

    /// 404 INVALID_CLIENT_ID: no client has that id or encoded key.
    pub fn no_client() -> Self {
        Self::new(StatusCode::NOT_FOUND, ReturnCode::InvalidClientId, None)
    }

    /// 500 INTERNAL_ERROR.
    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ReturnCode::InternalError,
            None,
        )
    }

    /// 400 with the validator's finding.
    pub fn from_finding(e: &FieldError) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            body: e.to_error_body(),
            retry_after: None,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut r = (self.status, Json(self.body)).into_response();
        if let Some(secs) = self.retry_after {
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        r
    }
}

/// `{"returnCode":0,"returnStatus":"SUCCESS"}` with 200.
pub fn success() -> Response {
    (StatusCode::OK, Json(ErrorBody::success())).into_response()
}

/// Reads a JSON body: empty → 30 MISSING_ENTITY_JSON, not JSON → 26
/// INVALID_JSON_SYNTAX.
pub fn parse_json(body: &[u8]) -> Result<Value, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad(ReturnCode::MissingEntityJson, None));
    }
    serde_json::from_slice(body).map_err(|_| ApiError::bad(ReturnCode::InvalidJsonSyntax, None))
}

/// Turns JSON into a typed value; a value of the wrong type → 4
/// INVALID_PARAMETERS naming the first field serde could not read.
pub fn typed<T: serde::de::DeserializeOwned>(v: Value) -> Result<T, ApiError> {
    serde_json::from_value(v).map_err(|e| {
        let msg = e.to_string();
        // serde names the offending field as "`name`" in its message.
        let field = msg.split('`').nth(1).map(str::to_string);
        ApiError::bad(ReturnCode::InvalidParameters, field.as_deref())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_broken_bodies_get_mambus_codes() {
        assert_eq!(parse_json(b"  ").unwrap_err().body.return_code, 30);
        assert_eq!(parse_json(b"{\"a\":").unwrap_err().body.return_code, 26);
        assert!(parse_json(b"{}").is_ok());
    }

    #[test]
    fn wrong_types_are_invalid_parameters() {
        let e =
            typed::<crate::model::ClientRequest>(serde_json::json!({"client": {"loanCycle": "x"}}))
                .unwrap_err();
        assert_eq!((e.status, e.body.return_code), (StatusCode::BAD_REQUEST, 4));
    }
}
