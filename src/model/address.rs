//! A client's postal address (`addresses[]`).

use serde::{Deserialize, Serialize};
use serde_json::Number;

/// One address. Mambu stores only the first address of a client.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoded_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line1: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line2: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postcode: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index_in_list: Option<i64>,
    /// Kept as the JSON number that was read so `0` stays `0`, not `0.0`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latitude: Option<Number>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub longitude: Option<Number>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_be_deleted: Option<bool>,
}
