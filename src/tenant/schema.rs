//! The tenant file's shape (`samples/tenant.json`): what the target tenant
//! defines, described with the seeds' own types where the seeds have them.

use serde::{Deserialize, Serialize};

use super::notifications::NotificationTemplate;
use crate::model::CustomFieldSet;

/// Everything about a tenant that decides whether a client would be accepted.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TenantSchema {
    /// A label for reports.
    #[serde(default)]
    pub name: Option<String>,
    /// Custom field sets of type CLIENT_INFO with their definitions.
    #[serde(default)]
    pub custom_field_sets: Vec<CustomFieldSet>,
    /// ID document templates; `mandatoryForClients` ones must be present.
    #[serde(default)]
    pub id_document_templates: Vec<IdDocumentTemplate>,
    /// Whether documents that match no template are accepted (952 otherwise).
    #[serde(default = "yes")]
    pub allow_other_id_documents: bool,
    #[serde(default)]
    pub branches: Vec<Branch>,
    #[serde(default)]
    pub centres: Vec<Centre>,
    /// Users; credit officers are those with `isCreditOfficer`.
    #[serde(default)]
    pub users: Vec<User>,
    #[serde(default)]
    pub client_roles: Vec<ClientRole>,
    /// The tenant's duplicate-client checks (310 DUPLICATE_CLIENT on ERROR).
    #[serde(default)]
    pub duplicate_checks: Vec<DuplicateCheck>,
    /// Whether every client must have a branch (705 otherwise).
    #[serde(default)]
    pub branch_required: bool,
    /// Whether every client must have a credit officer (704 otherwise).
    #[serde(default)]
    pub credit_officer_required: bool,
    /// The state a client created through the API starts in: Mambu's
    /// general setting, PENDING_APPROVAL (the default) or INACTIVE; the
    /// sandbox starts clients in it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_client_state: Option<String>,
    /// E-mail and SMS templates the tenant sends on events; those on
    /// CLIENT_CREATED reach every migrated client with an address or number.
    /// Mambu's API does not list them: they are declared by hand.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notification_templates: Vec<NotificationTemplate>,
    /// Where the file came from and which settings were not read through
    /// the API (written by `ferry tenant pull`; read by no rule).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

fn yes() -> bool {
    true
}

/// An identification document template.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdDocumentTemplate {
    pub encoded_key: String,
    pub document_type: String,
    #[serde(default)]
    pub issuing_authority: Option<String>,
    /// A validation pattern for the document number (`@` digit, `#` letter,
    /// `$` either), empty for none.
    #[serde(default)]
    pub document_id_template: Option<String>,
    #[serde(default)]
    pub mandatory_for_clients: bool,
    #[serde(default)]
    pub allow_attachments: bool,
}

/// A branch of the tenant.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Branch {
    pub encoded_key: String,
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    /// ACTIVE or INACTIVE (803 BRANCH_IS_NOT_ACTIVE).
    #[serde(default = "active")]
    pub state: String,
}

fn active() -> String {
    "ACTIVE".to_string()
}

/// A centre, which belongs to one branch.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Centre {
    pub encoded_key: String,
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub assigned_branch_key: Option<String>,
}

/// A Mambu user; clients can be assigned to credit officers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub encoded_key: String,
    pub username: String,
    #[serde(default)]
    pub is_credit_officer: bool,
    #[serde(default)]
    pub assigned_branch_key: Option<String>,
}

/// A client role (client type).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientRole {
    pub encoded_key: String,
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    /// 1151 CLIENT_ROLE_DOES_NOT_ALLOW_ADDRESS when false and an address is given.
    #[serde(default = "yes")]
    pub can_have_address: bool,
    /// The role a client gets when none is given.
    #[serde(default)]
    pub is_default: bool,
}

/// What a duplicate-client check compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DuplicateCheckField {
    DocumentIdAndType,
    HomePhone,
    MobilePhone,
    Email,
    FirstNameAndLastName,
    LastNameAndDateOfBirth,
}

/// What the tenant does when a duplicate is found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DuplicateAction {
    None,
    Warning,
    Error,
}

/// One duplicate-client check of the tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DuplicateCheck {
    pub field: DuplicateCheckField,
    pub action: DuplicateAction,
}
