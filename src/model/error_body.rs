//! Mambu's v1 error body: `{"returnCode":N,"returnStatus":"NAME","errorSource":"field"}`.

use serde::{Deserialize, Serialize};

use super::return_code::ReturnCode;

/// The body Mambu answers with when it refuses a request (and, with code 0,
/// when a DELETE succeeds).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    /// Mambu's numeric return code (e.g. 0 for SUCCESS).
    pub return_code: i64,
    /// The return code's name (e.g. `INVALID_CLIENT_STATE`).
    pub return_status: String,
    /// The field at fault, when Mambu names one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_source: Option<String>,
}

impl ErrorBody {
    /// The body for a return code, optionally naming the field at fault.
    pub fn new(code: ReturnCode, source: Option<String>) -> Self {
        Self {
            return_code: i64::from(code.code()),
            return_status: code.name().to_string(),
            error_source: source,
        }
    }

    /// `{"returnCode":0,"returnStatus":"SUCCESS"}`.
    pub fn success() -> Self {
        Self::new(ReturnCode::Success, None)
    }

    /// The return code, if it is one Ferry knows.
    pub fn code(&self) -> Option<ReturnCode> {
        u16::try_from(self.return_code)
            .ok()
            .and_then(ReturnCode::from_code)
    }
}
