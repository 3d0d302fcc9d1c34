//! The client record itself (`ClientApiV1` in the seeds).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::enums::{ClientState, Gender, PortalState, PreferredLanguage};
use super::migration_event::MigrationEvent;

/// Client fields only the server sets: Mambu's own dates, keys, loan cycles
/// and migration event, and the state, which a create never takes and only
/// PATCH moves. A create or update body never carries them; the sandbox
/// ignores them in one.
pub const SERVER_OWNED_FIELDS: &[&str] = &[
    "encodedKey",
    "state",
    "creationDate",
    "lastModifiedDate",
    "activationDate",
    "approvedDate",
    "closedDate",
    "loanCycle",
    "groupLoanCycle",
    "profilePictureKey",
    "profileSignatureKey",
    "migrationEvent",
];

/// A Mambu client as the v1 API reads and writes it. Every field is optional
/// because requests carry a subset and responses come in a short and a full
/// shape; fields the schema does not name are kept in `extra` so that a
/// round trip loses nothing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Client {
    /// Mambu's internal key for the client, assigned by the target on create.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoded_key: Option<String>,
    /// The client's id, unique on the tenant: the `{id}` in `/api/clients/{id}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The client's lifecycle state (`PENDING_APPROVAL`, `ACTIVE`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<ClientState>,
    /// When the target created the client, as Mambu writes timestamps
    /// (`2024-05-13T12:15:18+0000`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creation_date: Option<String>,
    /// When the client last changed on the target; the ledger compares it with
    /// the one recorded after our write to spot later edits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_modified_date: Option<String>,
    /// When the client became active (a Mambu timestamp).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub activation_date: Option<String>,
    /// When the client was approved (a Mambu timestamp).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approved_date: Option<String>,
    /// When the client was closed (a Mambu timestamp).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closed_date: Option<String>,
    /// The client's first (given) name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// The client's middle name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub middle_name: Option<String>,
    /// The client's last (family) name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Home phone number, as text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub home_phone: Option<String>,
    /// First mobile phone number, as text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mobile_phone1: Option<String>,
    /// Second mobile phone number, as text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mobile_phone2: Option<String>,
    /// The client's email address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_address: Option<String>,
    /// Date of birth: `YYYY-MM-DD` as the mapping writes it; responses may carry
    /// a full timestamp.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<String>,
    /// The client's gender.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gender: Option<Gender>,
    /// The language to communicate with the client in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preferred_language: Option<PreferredLanguage>,
    /// Free-text notes on the client.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// The branch the client is assigned to (`assignedBranchKey`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assigned_branch_key: Option<String>,
    /// The centre the client is assigned to (`assignedCentreKey`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assigned_centre_key: Option<String>,
    /// The user (credit officer) the client is assigned to (`assignedUserKey`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assigned_user_key: Option<String>,
    /// The client role (client type) on the tenant.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_role: Option<ClientRoleRef>,
    /// The pattern Mambu generates client ids from (`idPattern`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_pattern: Option<String>,
    /// The client's loan cycle count, kept by Mambu.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loan_cycle: Option<i64>,
    /// The client's group loan cycle count, kept by Mambu.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_loan_cycle: Option<i64>,
    /// The data migration event the client was imported in, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub migration_event: Option<MigrationEvent>,
    /// The client's portal settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub portal_preferences: Option<PortalPreferences>,
    /// Encoded key of the client's profile picture.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile_picture_key: Option<String>,
    /// Encoded key of the client's signature image.
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
    /// Encoded key of the client role on the tenant.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoded_key: Option<String>,
}

/// Client portal settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PortalPreferences {
    /// Mambu's key for these portal settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoded_key: Option<String>,
    /// When the client last logged in to the portal (a Mambu timestamp).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_logged_in_date: Option<String>,
    /// The client's portal password.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// Whether the portal is enabled for the client.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub portal_state: Option<PortalState>,
}
