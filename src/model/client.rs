//! The client record itself (`ClientApiV1` in the seeds).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::enums::{ClientState, Gender, PortalState, PreferredLanguage};
use super::migration_event::MigrationEvent;

/// A Mambu client as the v1 API reads and writes it. Every field is optional
/// because requests carry a subset and responses come in a short and a full
/// shape; fields the schema does not name are kept in `extra` so that a
/// round trip loses nothing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Client {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoded_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<ClientState>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creation_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_modified_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub activation_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approved_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closed_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub middle_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub home_phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mobile_phone1: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mobile_phone2: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gender: Option<Gender>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preferred_language: Option<PreferredLanguage>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assigned_branch_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assigned_centre_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assigned_user_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_role: Option<ClientRoleRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_pattern: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loan_cycle: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_loan_cycle: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub migration_event: Option<MigrationEvent>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub portal_preferences: Option<PortalPreferences>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile_picture_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile_signature_key: Option<String>,
    /// Fields outside the schema (e.g. `clientLinesOfCredit`), kept verbatim.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A reference to a client role by its encoded key.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientRoleRef {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoded_key: Option<String>,
}

/// Client portal settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PortalPreferences {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoded_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_logged_in_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub portal_state: Option<PortalState>,
}
