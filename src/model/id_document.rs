//! Identification documents (`idDocuments[]`).

use serde::{Deserialize, Serialize};

/// One ID document of a client (passport, national ID card, …).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdDocument {
    /// Mambu's key for the document, assigned by the target.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoded_key: Option<String>,
    /// Encoded key of the client the document belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_key: Option<String>,
    /// The document type (e.g. `PASSPORT`), as the tenant's templates name it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document_type: Option<String>,
    /// The number on the document.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document_id: Option<String>,
    /// Who issued the document.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuing_authority: Option<String>,
    /// The expiry date, as text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<String>,
    /// The expiry date split into day, month and year (`validUntilDTOdate`).
    #[serde(rename = "validUntilDTOdate", skip_serializing_if = "Option::is_none")]
    pub valid_until_dto_date: Option<DateParts>,
    /// Encoded key of the tenant's identification document template.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identification_document_template_key: Option<String>,
    /// Position in the client's document list, 0-based.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index_in_list: Option<i64>,
    /// Set in an update to ask the target to delete this document.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_be_deleted: Option<bool>,
}

/// A calendar date split into its parts, as `validUntilDTOdate` carries it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DateParts {
    /// Day of the month, 1-based.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub day_of_month: Option<i64>,
    /// Month of the year, 1-based.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub month_of_year: Option<i64>,
    /// The year, four digits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub year: Option<i64>,
}
