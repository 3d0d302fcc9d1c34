//! Identification documents (`idDocuments[]`).

use serde::{Deserialize, Serialize};

/// One ID document of a client (passport, national ID card, …).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdDocument {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoded_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuing_authority: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<String>,
    #[serde(rename = "validUntilDTOdate", skip_serializing_if = "Option::is_none")]
    pub valid_until_dto_date: Option<DateParts>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identification_document_template_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index_in_list: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_be_deleted: Option<bool>,
}

/// A calendar date split into its parts, as `validUntilDTOdate` carries it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DateParts {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub day_of_month: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub month_of_year: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub year: Option<i64>,
}
