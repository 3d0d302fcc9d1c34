//! A client's postal address (`addresses[]`).

use serde::{Deserialize, Serialize};
use serde_json::Number;

/// One address. Mambu stores only the first address of a client.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    /// Mambu's key for the address, assigned by the target.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoded_key: Option<String>,
    /// Encoded key of the client the address belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_key: Option<String>,
    /// The kind of address (`addressType`), passed through as text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address_type: Option<String>,
    /// First address line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line1: Option<String>,
    /// Second address line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line2: Option<String>,
    /// City or town.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// Region, state or province.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Postal code, as text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postcode: Option<String>,
    /// Country, as text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Position in the client's address list, 0-based.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index_in_list: Option<i64>,
    /// Kept as the JSON number that was read so `0` stays `0`, not `0.0`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latitude: Option<Number>,
    /// Longitude, kept as the JSON number that was read (see `latitude`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub longitude: Option<Number>,
    /// Set in an update to ask the target to delete this address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_be_deleted: Option<bool>,
}
