//! The body of `POST /api/clients` (create) and `POST /api/clients/{id}`
//! (update), and the full-details response of the same shape.

use serde::{Deserialize, Serialize};

use super::address::Address;
use super::client::Client;
use super::custom_field::CustomFieldValue;
use super::id_document::IdDocument;

/// A client with its nested collections. In an update, an array that is
/// present replaces what is stored and an absent one (`None`) is left alone,
/// so `None` and `Some(vec![])` mean different things and both survive a
/// round trip.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientRequest {
    /// The client's own fields.
    pub client: Client,
    /// The client's addresses; Mambu keeps only the first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub addresses: Option<Vec<Address>>,
    /// The client's identification documents.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_documents: Option<Vec<IdDocument>>,
    /// The client's custom field values (`customInformation`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_information: Option<Vec<CustomFieldValue>>,
    /// Only in responses: the groups the client belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_keys: Option<Vec<String>>,
}

/// `CreateOrUpdateClientResponse` has exactly the request's shape.
pub type ClientResponse = ClientRequest;
