//! One finding about one field of one row: the unit every stage reports in.
//!
//! Sources, the mapping and the validator all produce `FieldError`s; the
//! pipeline attaches the row number, reports render them, and the sandbox
//! turns the first one into Mambu's error body.

use serde::Serialize;

use crate::model::{ErrorBody, ReturnCode};

/// Whether a finding rejects the row or only warns (a tenant duplicate check
/// with action WARNING).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The row is rejected and never sent.
    Error,
    /// Reported, but the row is still sent.
    Warning,
}

/// A problem with one field, named by a return code.
///
/// `field` is a path into the request: `client.emailAddress`,
/// `addresses[0].city`, `idDocuments[1].documentId`,
/// `customInformation[Loan_Purpose]`, `customInformation[Beneficiary][2]`
/// (grouped set, index 2), or `row` for a problem with the whole row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Where in the request the problem is (see above), or `row`.
    pub field: String,
    /// Mambu's return code for the problem (Ferry's own where Mambu has none).
    pub code: ReturnCode,
    /// What is wrong, in words for the person fixing the export.
    pub message: String,
    /// Whether the finding rejects the row or only warns.
    pub severity: Severity,
}

/// Serialized as `{"field","code","name","message","severity"}`: the code
/// by number and by name, as reports show it.
impl Serialize for FieldError {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("FieldError", 5)?;
        st.serialize_field("field", &self.field)?;
        st.serialize_field("code", &self.code.code())?;
        st.serialize_field("name", self.code.name())?;
        st.serialize_field("message", &self.message)?;
        st.serialize_field("severity", &self.severity)?;
        st.end()
    }
}

impl FieldError {
    /// A finding that rejects the row.
    pub fn error(field: impl Into<String>, code: ReturnCode, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            code,
            message: message.into(),
            severity: Severity::Error,
        }
    }

    /// A finding that is reported but does not reject the row.
    pub fn warning(field: impl Into<String>, code: ReturnCode, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(field, code, message)
        }
    }

    /// Whether this finding rejects the row.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Mambu's `errorSource`: the last name in the path, without indexes
    /// (`customInformation[Loan_Purpose]` → `Loan_Purpose`,
    /// `client.emailAddress` → `emailAddress`).
    pub fn error_source(&self) -> &str {
        let f = self.field.as_str();
        if let Some(rest) = f.strip_prefix("customInformation[") {
            return rest.split(']').next().unwrap_or(rest);
        }
        let last = f.rsplit('.').next().unwrap_or(f);
        last.split('[').next().unwrap_or(last)
    }

    /// The v1 error body the target answers with for this finding.
    pub fn to_error_body(&self) -> ErrorBody {
        ErrorBody::new(self.code, Some(self.error_source().to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_source_is_mambus_short_name() {
        let e = |f: &str| FieldError::error(f, ReturnCode::InvalidParameters, "");
        assert_eq!(e("client.emailAddress").error_source(), "emailAddress");
        assert_eq!(
            e("customInformation[Loan_Purpose]").error_source(),
            "Loan_Purpose"
        );
        assert_eq!(
            e("customInformation[Beneficiary][2]").error_source(),
            "Beneficiary"
        );
        assert_eq!(e("idDocuments[1].documentId").error_source(), "documentId");
        assert_eq!(e("addresses[0]").error_source(), "addresses");
    }

    #[test]
    fn error_body_carries_code_name_and_source() {
        let body =
            FieldError::error("client.id", ReturnCode::ClientIdAlreadyInUse, "x").to_error_body();
        assert_eq!(
            serde_json::to_value(body).unwrap(),
            serde_json::json!({"returnCode":316,"returnStatus":"CLIENT_ID_ALREADY_IN_USE","errorSource":"id"})
        );
    }
}
