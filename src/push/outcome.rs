//! What one request came to, and how an HTTP answer is read into it.
//!
//! In: an answer's status, `Retry-After` and body. Out: either a final
//! `Outcome` or a reason to try again (`Retry`). Never fails: a body that
//! is not Mambu's error shape still yields a `Refused` with the HTTP status.

use std::time::Duration;

use serde_json::Value;

use crate::model::{ErrorBody, ReturnCode};

/// The most of a refusal's body kept in `Outcome::Refused`: Mambu's error
/// bodies are tiny, anything longer is not one.
const MAX_KEPT_BODY: usize = 2048;

/// What a request came to.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// 2xx. `body` is the answer's JSON (`Null` when empty, a JSON string
    /// holding the text when it is not JSON).
    Ok {
        /// The HTTP status (200, 201, …).
        status: u16,
        /// The answer's JSON.
        body: Value,
    },
    /// A final refusal: a 4xx other than 429 (or a 5xx that retrying cannot
    /// help, such as 501). Not retried. `code`, `name` and `source` come from
    /// Mambu's `{"returnCode","returnStatus","errorSource"}` when the body has
    /// one; `name` falls back to the HTTP reason. `body` is the answer's text,
    /// cut to 2 KiB. `status` 0: Ferry refused to send the request (an id
    /// that cannot travel in a URL path, see `endpoint::path_segment`).
    Refused {
        /// The HTTP status; 0 when Ferry did not send the request.
        status: u16,
        /// Mambu's return code, when the body carried one.
        code: Option<ReturnCode>,
        /// Mambu's return status name, or the HTTP reason.
        name: String,
        /// The field Mambu names as at fault (`errorSource`), if any.
        source: Option<String>,
        /// The answer's text, cut to 2 KiB.
        body: String,
    },
    /// The client named in the path does not exist: 301 INVALID_CLIENT_ID,
    /// or a 404 without another Mambu code.
    NotFound,
    /// Every attempt met a retryable failure. The request MAY have been
    /// carried out (a create stored) by an attempt whose answer was lost.
    Unknown {
        /// Attempts made, the first included.
        attempts: u32,
        /// What went wrong with the last attempt.
        last_error: String,
    },
}

impl Outcome {
    /// Whether the answer was 2xx.
    pub fn is_ok(&self) -> bool {
        matches!(self, Outcome::Ok { .. })
    }

    /// The Mambu return code of a refusal.
    pub fn code(&self) -> Option<ReturnCode> {
        match self {
            Outcome::Refused { code, .. } => *code,
            Outcome::NotFound => Some(ReturnCode::InvalidClientId),
            _ => None,
        }
    }
}

/// Why an attempt is worth repeating.
#[derive(Debug, Clone, PartialEq)]
pub enum Retry {
    /// 429: the target is well, we are too fast. `after` is its `Retry-After`.
    Throttled { after: Option<Duration> },
    /// 500, 502, 503 or 504. A 503 may name a `Retry-After` too.
    ServerError {
        status: u16,
        after: Option<Duration>,
    },
}

impl Retry {
    /// Words for `Outcome::Unknown::last_error`.
    pub fn describe(&self) -> String {
        match self {
            Retry::Throttled { .. } => "HTTP 429 Too Many Requests".into(),
            Retry::ServerError { status, .. } => format!("HTTP {status} {}", reason(*status)),
        }
    }

    /// The wait the target asked for, if any.
    pub fn after(&self) -> Option<Duration> {
        match self {
            Retry::Throttled { after } | Retry::ServerError { after, .. } => *after,
        }
    }
}

fn reason(status: u16) -> &'static str {
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("")
}

/// Reads a complete answer. `addressed` is true when the path names a
/// client (get, update, patch, delete), where a missing client is
/// `NotFound` rather than a refusal. The whole 2xx body is kept.
#[cfg(test)]
pub fn classify(
    status: u16,
    retry_after: Option<Duration>,
    body: &[u8],
    addressed: bool,
) -> Result<Outcome, Retry> {
    classify_as(status, retry_after, body, addressed, Reading::Whole)
}

/// How much of a 2xx body the caller needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    /// All of it, as JSON.
    Whole,
    /// A create's answer: only the client's `encodedKey`, `id`, `state` and
    /// `lastModifiedDate`, as `{"client": {…}}`. The answer carries the
    /// whole stored client (every custom field value, often with its
    /// definition); building all of it as a `Value` per created row was a
    /// large share of an import's own CPU time.
    CreatedClient,
}

/// `classify`, keeping of a 2xx body what `reading` says.
pub fn classify_as(
    status: u16,
    retry_after: Option<Duration>,
    body: &[u8],
    addressed: bool,
    reading: Reading,
) -> Result<Outcome, Retry> {
    match status {
        200..=299 => Ok(Outcome::Ok {
            status,
            body: match reading {
                Reading::Whole => json_or_text(body),
                Reading::CreatedClient => created_client(body),
            },
        }),
        429 => Err(Retry::Throttled { after: retry_after }),
        500 | 502 | 503 | 504 => Err(Retry::ServerError {
            status,
            after: retry_after,
        }),
        _ => Ok(refusal(status, body, addressed)),
    }
}

fn json_or_text(body: &[u8]) -> Value {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Value::Null;
    }
    serde_json::from_slice(body)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()))
}

/// The fields of a created client an import uses.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreatedFields {
    encoded_key: Option<String>,
    id: Option<String>,
    state: Option<String>,
    last_modified_date: Option<String>,
}

/// A create's answer: `{"client": {…}}` (the full shape) or the bare
/// client. Fields not named here are skipped unread (no `flatten`: it
/// would buffer every one of them).
#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreatedAnswer {
    client: Option<CreatedFields>,
    encoded_key: Option<String>,
    id: Option<String>,
    state: Option<String>,
    last_modified_date: Option<String>,
}

/// The summary `Reading::CreatedClient` keeps, or the whole body read as
/// `json_or_text` reads it when it is not a client.
fn created_client(body: &[u8]) -> Value {
    let Ok(answer) = serde_json::from_slice::<CreatedAnswer>(body) else {
        return json_or_text(body);
    };
    let fields = answer.client.unwrap_or(CreatedFields {
        encoded_key: answer.encoded_key,
        id: answer.id,
        state: answer.state,
        last_modified_date: answer.last_modified_date,
    });
    let mut client = serde_json::Map::new();
    for (name, value) in [
        ("encodedKey", fields.encoded_key),
        ("id", fields.id),
        ("state", fields.state),
        ("lastModifiedDate", fields.last_modified_date),
    ] {
        if let Some(v) = value {
            client.insert(name.to_string(), Value::String(v));
        }
    }
    let mut out = serde_json::Map::new();
    out.insert("client".to_string(), Value::Object(client));
    Value::Object(out)
}

fn refusal(status: u16, body: &[u8], addressed: bool) -> Outcome {
    let parsed: Option<ErrorBody> = serde_json::from_slice(body).ok();
    let code = parsed.as_ref().and_then(ErrorBody::code);
    if addressed
        && (code == Some(ReturnCode::InvalidClientId) || (status == 404 && parsed.is_none()))
    {
        return Outcome::NotFound;
    }
    let (name, source) = match parsed {
        Some(b) => (b.return_status, b.error_source),
        None => (reason(status).to_uppercase().replace(' ', "_"), None),
    };
    Outcome::Refused {
        status,
        code,
        name,
        source,
        body: cut(body),
    }
}

fn cut(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    if text.len() <= MAX_KEPT_BODY {
        return text.into_owned();
    }
    let mut end = MAX_KEPT_BODY;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn created(body: &str) -> Value {
        match classify_as(201, None, body.as_bytes(), false, Reading::CreatedClient) {
            Ok(Outcome::Ok { body, .. }) => body,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_create_answer_keeps_only_what_the_import_uses() {
        let full = r#"{"client":{"encodedKey":"8a1","id":"C1","state":"PENDING_APPROVAL",
            "lastModifiedDate":"2026-11-22T10:00:00+0000","firstName":"Ann",
            "notes":"x \" y"},"addresses":[{"line1":"1 Main St"}],
            "customInformation":[{"customFieldID":"A","value":"1","customField":{"id":"A","dataType":"STRING"}}]}"#;
        assert_eq!(
            created(full),
            json!({"client": {"encodedKey": "8a1", "id": "C1", "state": "PENDING_APPROVAL",
                "lastModifiedDate": "2026-11-22T10:00:00+0000"}})
        );
        let bare = r#"{"encodedKey":"8a2","id":"C2","firstName":"Bo"}"#;
        assert_eq!(
            created(bare),
            json!({"client": {"encodedKey": "8a2", "id": "C2"}})
        );
    }

    #[test]
    fn a_create_answer_that_is_not_a_client_is_kept_as_read() {
        assert_eq!(created(""), Value::Null);
        assert_eq!(created("not json"), json!("not json"));
        assert_eq!(created("[1, 2]"), json!([1, 2]));
    }

    #[test]
    fn success_keeps_the_json_body() {
        assert_eq!(
            classify(201, None, br#"{"client":{"id":"C1"}}"#, false),
            Ok(Outcome::Ok {
                status: 201,
                body: json!({"client": {"id": "C1"}})
            })
        );
        assert_eq!(
            classify(204, None, b"", true),
            Ok(Outcome::Ok {
                status: 204,
                body: Value::Null
            })
        );
        assert_eq!(
            classify(200, None, b"plain", false),
            Ok(Outcome::Ok {
                status: 200,
                body: json!("plain")
            })
        );
    }

    #[test]
    fn mambu_refusals_are_read_from_the_body() {
        let o = classify(
            400,
            None,
            br#"{"returnCode":316,"returnStatus":"CLIENT_ID_ALREADY_IN_USE","errorSource":"id"}"#,
            false,
        )
        .unwrap();
        assert_eq!(o.code(), Some(ReturnCode::ClientIdAlreadyInUse));
        match o {
            Outcome::Refused {
                status,
                name,
                source,
                ..
            } => {
                assert_eq!(status, 400);
                assert_eq!(name, "CLIENT_ID_ALREADY_IN_USE");
                assert_eq!(source.as_deref(), Some("id"));
            }
            other => panic!("{other:?}"),
        }
        // A code Ferry does not know keeps its name.
        match classify(
            400,
            None,
            br#"{"returnCode":4711,"returnStatus":"NEW_RULE"}"#,
            false,
        ) {
            Ok(Outcome::Refused { code, name, .. }) => {
                assert_eq!((code, name.as_str()), (None, "NEW_RULE"));
            }
            other => panic!("{other:?}"),
        }
        // Not Mambu's shape: the HTTP reason names it.
        match classify(403, None, b"<html>forbidden</html>", false) {
            Ok(Outcome::Refused {
                code, name, body, ..
            }) => {
                assert_eq!((code, name.as_str()), (None, "FORBIDDEN"));
                assert_eq!(body, "<html>forbidden</html>");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn credentials_refused_are_final() {
        let o = classify(
            401,
            None,
            br#"{"returnCode":2,"returnStatus":"INVALID_CREDENTIALS"}"#,
            true,
        )
        .unwrap();
        assert_eq!(o.code(), Some(ReturnCode::InvalidCredentials));
    }

    #[test]
    fn a_missing_client_is_not_found_only_where_the_path_names_one() {
        let body = br#"{"returnCode":301,"returnStatus":"INVALID_CLIENT_ID"}"#;
        assert_eq!(classify(404, None, body, true), Ok(Outcome::NotFound));
        assert_eq!(classify(400, None, body, true), Ok(Outcome::NotFound));
        assert_eq!(classify(404, None, b"", true), Ok(Outcome::NotFound));
        assert!(matches!(
            classify(404, None, body, false),
            Ok(Outcome::Refused { status: 404, .. })
        ));
        // A 404 with another code is a wrong route, not a missing client.
        let route = br#"{"returnCode":4,"returnStatus":"INVALID_PARAMETERS"}"#;
        assert!(matches!(
            classify(404, None, route, true),
            Ok(Outcome::Refused { status: 404, .. })
        ));
    }

    #[test]
    fn throttling_and_server_errors_are_retried() {
        let s = Some(Duration::from_secs(2));
        assert_eq!(
            classify(429, s, b"{}", false),
            Err(Retry::Throttled { after: s })
        );
        for status in [500, 502, 503, 504] {
            let r = classify(status, None, b"", false).unwrap_err();
            assert!(r.describe().starts_with(&format!("HTTP {status}")));
        }
        assert!(matches!(
            classify(501, None, b"", false),
            Ok(Outcome::Refused { status: 501, .. })
        ));
    }

    #[test]
    fn long_bodies_are_cut_on_a_char_boundary() {
        let long = "é".repeat(MAX_KEPT_BODY);
        match classify(400, None, long.as_bytes(), false) {
            Ok(Outcome::Refused { body, .. }) => {
                assert!(body.len() <= MAX_KEPT_BODY + '…'.len_utf8());
                assert!(body.ends_with('…'));
            }
            other => panic!("{other:?}"),
        }
    }
}
