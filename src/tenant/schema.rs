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
    /// Branches (801 for an unknown one, 803 for an inactive one).
    #[serde(default)]
    pub branches: Vec<Branch>,
    /// Centres, each of one branch (850, 852).
    #[serde(default)]
    pub centres: Vec<Centre>,
    /// Users; credit officers are those with `isCreditOfficer`.
    #[serde(default)]
    pub users: Vec<User>,
    /// Client roles (client types); one may be the default (306 for an
    /// unknown one).
    #[serde(default)]
    pub client_roles: Vec<ClientRole>,
    /// The tenant's duplicate-client checks, as Mambu's general settings
    /// list them: what two clients may not share.
    #[serde(default)]
    pub duplicate_client_checks: Vec<DuplicateCheckField>,
    /// The one action Mambu takes for all of them: 310 DUPLICATE_CLIENT as
    /// an error (ERROR), a warning (WARNING) or nothing (NONE). Required
    /// when checks are listed, as in Mambu's settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duplicate_client_constraint_action: Option<DuplicateAction>,
    /// The old per-check shape, `"duplicateChecks": [{"field", "action"}]`:
    /// never accepted; a file that has it is refused with its rewrite.
    #[serde(
        default,
        rename = "duplicateChecks",
        deserialize_with = "refuse_per_check_actions",
        skip_serializing
    )]
    pub legacy_duplicate_checks: (),
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
    /// The key a document names as its `identificationDocumentTemplateKey`.
    pub encoded_key: String,
    /// The document type the template is for (`PASSPORT`, `CI`, …).
    pub document_type: String,
    /// Who issues such documents, if the template says.
    #[serde(default)]
    pub issuing_authority: Option<String>,
    /// A validation pattern for the document number (`@` digit, `#` letter,
    /// `$` either), empty for none.
    #[serde(default)]
    pub document_id_template: Option<String>,
    /// Whether every client must have a document of this template (951).
    #[serde(default)]
    pub mandatory_for_clients: bool,
    /// Whether the template lets files be attached to its documents.
    #[serde(default)]
    pub allow_attachments: bool,
}

/// A branch of the tenant.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Branch {
    /// The key a client's `assignedBranchKey` holds.
    pub encoded_key: String,
    /// The id a legacy export or a look-up may use instead.
    pub id: String,
    /// The branch's name, for people.
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
    /// The key a client's `assignedCentreKey` holds.
    pub encoded_key: String,
    /// The id a legacy export or a look-up may use instead.
    pub id: String,
    /// The centre's name, for people.
    #[serde(default)]
    pub name: Option<String>,
    /// The branch the centre belongs to (852 when a client's differs).
    #[serde(default)]
    pub assigned_branch_key: Option<String>,
}

/// A Mambu user; clients can be assigned to credit officers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// The key a client's `assignedUserKey` holds.
    pub encoded_key: String,
    /// The username a legacy export or a look-up may use instead.
    pub username: String,
    /// Whether clients may be assigned to this user (702 otherwise).
    #[serde(default)]
    pub is_credit_officer: bool,
    /// The user's branch (703 when a client's differs).
    #[serde(default)]
    pub assigned_branch_key: Option<String>,
}

/// A client role (client type).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientRole {
    /// The key a client's `clientRole` names.
    pub encoded_key: String,
    /// The role's id, which a legacy export may use instead.
    #[serde(default)]
    pub id: Option<String>,
    /// The role's name, for people.
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
    /// An ID document of the same type and number.
    DocumentIdAndType,
    /// The same home phone.
    HomePhone,
    /// The same mobile phone.
    MobilePhone,
    /// The same e-mail address.
    Email,
    /// The same first and last name.
    FirstNameAndLastName,
    /// The same last name and birth date.
    LastNameAndDateOfBirth,
}

impl DuplicateCheckField {
    /// Every check, in Mambu's order. The one order the validator's key
    /// kinds and the sandbox's stored key kinds number checks by: a
    /// check's number is its position here, so new checks go at the end.
    pub const ALL: [Self; 6] = [
        Self::DocumentIdAndType,
        Self::HomePhone,
        Self::MobilePhone,
        Self::Email,
        Self::FirstNameAndLastName,
        Self::LastNameAndDateOfBirth,
    ];

    /// The check's position in [`ALL`](Self::ALL).
    pub fn index(self) -> usize {
        self as usize
    }

    /// The check at a position in [`ALL`](Self::ALL).
    pub fn from_index(i: usize) -> Option<Self> {
        Self::ALL.get(i).copied()
    }
}

/// What the tenant does when a duplicate is found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DuplicateAction {
    /// Duplicates are allowed silently.
    None,
    /// Duplicates are allowed with a warning.
    Warning,
    /// A duplicate is refused (310 DUPLICATE_CLIENT).
    Error,
}

/// One check of the old per-check shape, read only to say how to rewrite it.
#[derive(Deserialize)]
struct PerCheckAction {
    field: DuplicateCheckField,
    action: DuplicateAction,
}

/// Refuses `duplicateChecks`, naming the Mambu-shaped lines that replace it.
fn refuse_per_check_actions<'de, D: serde::Deserializer<'de>>(d: D) -> Result<(), D::Error> {
    use serde::de::Error as _;
    let old: Vec<PerCheckAction> = Vec::deserialize(d)?;
    let checks: Vec<String> = old
        .iter()
        .filter(|c| c.action != DuplicateAction::None)
        .map(|c| format!("\"{}\"", json_name(&c.field)))
        .collect();
    let mut actions: Vec<String> = Vec::new();
    for c in &old {
        let a = json_name(&c.action);
        if !actions.contains(&a) {
            actions.push(a);
        }
    }
    Err(D::Error::custom(format!(
        "\"duplicateChecks\" gives each check its own action, but Mambu has one action for all \
         checks: replace it with \"duplicateClientChecks\": [{}] and \
         \"duplicateClientConstraintAction\" set to one of NONE, WARNING, ERROR (this file \
         has {})",
        checks.join(", "),
        if actions.is_empty() {
            "none".to_string()
        } else {
            actions.join(", ")
        }
    )))
}

/// A unit enum's JSON name.
fn json_name<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}
