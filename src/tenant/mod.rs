//! The target tenant: custom field definitions, ID document templates,
//! branches, centres, credit officers, client roles and duplicate checks.
//!
//! In: a JSON file in the seeds' shapes (`TenantSchema`). Out: a `Tenant`
//! with look-ups by id or encoded key. Fails with `TenantError` on an
//! unreadable file, bad JSON or contradictions (two fields with one id).

mod notifications;
pub mod pull;
mod schema;

use std::collections::HashMap;

use crate::fast_hash::FastHashBuilder;
use std::path::Path;

pub use notifications::{
    CreationChannels, NotificationChannel, NotificationCount, NotificationTemplate, Notified,
};
pub use schema::{
    Branch, Centre, ClientRole, DuplicateAction, DuplicateCheckField, IdDocumentTemplate,
    TenantSchema, User,
};

use crate::model::{ClientState, CustomFieldDefinition, CustomFieldSetUsage, CustomFieldState};

/// Why a tenant file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TenantError {
    /// The tenant file cannot be read.
    #[error("cannot read tenant file {path}: {source}")]
    Read {
        /// The tenant file.
        path: String,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The tenant file is not JSON of the tenant's shape.
    #[error("tenant file {path} is not valid: {source}")]
    Parse {
        /// The tenant file.
        path: String,
        /// Where and why it does not parse.
        source: serde_json::Error,
    },
    /// The tenant contradicts itself (two fields with one id, a centre of an
    /// unknown branch, checks listed without an action, …).
    #[error("tenant file is inconsistent: {0}")]
    Inconsistent(String),
}

/// A custom field definition together with the set it belongs to.
#[derive(Debug, Clone)]
pub struct FieldDef {
    /// The definition as the tenant gives it.
    pub definition: CustomFieldDefinition,
    /// The id of its set.
    pub set_id: String,
    /// Whether the set is GROUPED (values carry `customFieldSetGroupIndex`).
    pub grouped: bool,
}

impl FieldDef {
    /// The field's id.
    pub fn id(&self) -> &str {
        self.definition.id.as_deref().unwrap_or_default()
    }

    /// Whether the field has been deactivated (908).
    pub fn is_deactivated(&self) -> bool {
        self.definition.state == Some(CustomFieldState::Deactivated)
    }

    /// Whether a value is required on create (902).
    pub fn is_required(&self) -> bool {
        self.definition.is_required.unwrap_or(false)
    }

    /// Whether values must be unique across clients (926).
    pub fn is_unique(&self) -> bool {
        self.definition.unique.unwrap_or(false)
    }

    /// Maximum value length: 255 for SHORT fields, 4000 for LONG ones (904).
    pub fn max_length(&self) -> usize {
        match self.definition.value_length.as_deref() {
            Some("LONG") => 4000,
            _ => 255,
        }
    }
}

/// A loaded tenant with indexes for the validator and the sandbox.
#[derive(Debug, Clone, Default)]
pub struct Tenant {
    known: bool,
    schema: TenantSchema,
    fields: Vec<FieldDef>,
    field_by_id_or_key: Index,
    /// Branch, centre, user, role and template positions by encoded key
    /// and by id (or username): the validator looks them up per row.
    branch_at: Index,
    centre_at: Index,
    user_at: Index,
    role_at: Index,
    template_at: Index,
}

/// Positions by name; read per row, so hashed with the fast hasher (the
/// names come from the tenant file, not from the rows).
type Index = HashMap<String, usize, FastHashBuilder>;

/// Positions of `items` by every name `names` gives for an item; the first
/// item to claim a name keeps it.
fn index_by<T>(items: &[T], names: impl Fn(&T) -> Vec<&str>) -> Index {
    let mut at = Index::default();
    for (i, item) in items.iter().enumerate() {
        for name in names(item) {
            at.entry(name.to_string()).or_insert(i);
        }
    }
    at
}

impl Tenant {
    /// Reads and indexes a tenant file.
    pub fn load(path: &Path) -> Result<Self, TenantError> {
        let text = std::fs::read_to_string(path).map_err(|source| TenantError::Read {
            path: path.display().to_string(),
            source,
        })?;
        let schema = serde_json::from_str(&text).map_err(|source| TenantError::Parse {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_schema(schema)
    }

    /// Indexes a schema, refusing contradictions.
    pub fn from_schema(schema: TenantSchema) -> Result<Self, TenantError> {
        let mut fields = Vec::new();
        let mut field_by_id_or_key = Index::default();
        for set in &schema.custom_field_sets {
            let set_id = set.id.clone().unwrap_or_default();
            let grouped = set.usage == Some(CustomFieldSetUsage::Grouped);
            for def in set.custom_fields.iter().flatten() {
                let Some(id) = def.id.clone() else {
                    return Err(TenantError::Inconsistent(format!(
                        "a custom field in set '{set_id}' has no id"
                    )));
                };
                let at = fields.len();
                if field_by_id_or_key.insert(id.clone(), at).is_some() {
                    return Err(TenantError::Inconsistent(format!(
                        "custom field id '{id}' is defined twice"
                    )));
                }
                if let Some(key) = &def.encoded_key {
                    field_by_id_or_key.insert(key.clone(), at);
                }
                let mut definition = def.clone();
                definition.custom_field_set = Some(crate::model::CustomFieldSet {
                    custom_fields: None,
                    ..set.clone()
                });
                fields.push(FieldDef {
                    definition,
                    set_id: set_id.clone(),
                    grouped,
                });
            }
        }
        if !schema.duplicate_client_checks.is_empty()
            && schema.duplicate_client_constraint_action.is_none()
        {
            return Err(TenantError::Inconsistent(
                "duplicateClientChecks are listed without duplicateClientConstraintAction \
                 (NONE, WARNING or ERROR: one action for all checks, as in Mambu)"
                    .into(),
            ));
        }
        let branch_at = index_by(&schema.branches, |b| vec![&b.encoded_key, &b.id]);
        let centre_at = index_by(&schema.centres, |c| vec![&c.encoded_key, &c.id]);
        let user_at = index_by(&schema.users, |u| vec![&u.encoded_key, &u.username]);
        let role_at = index_by(&schema.client_roles, |r| {
            let mut names = vec![r.encoded_key.as_str()];
            names.extend(r.id.as_deref());
            names
        });
        let template_at = index_by(&schema.id_document_templates, |t| vec![&t.encoded_key]);
        Ok(Self {
            known: true,
            schema,
            fields,
            field_by_id_or_key,
            branch_at,
            centre_at,
            user_at,
            role_at,
            template_at,
        })
    }

    /// The stand-in used when no tenant file is given: rules that need the
    /// tenant's definitions (custom fields, templates, keys) are skipped.
    pub fn unknown() -> Self {
        Self::default()
    }

    /// Whether this is a real tenant rather than `Tenant::unknown()`.
    pub fn is_known(&self) -> bool {
        self.known
    }

    /// The schema as loaded.
    pub fn schema(&self) -> &TenantSchema {
        &self.schema
    }

    /// Every custom field definition, in file order.
    pub fn custom_fields(&self) -> &[FieldDef] {
        &self.fields
    }

    /// A custom field by id or encoded key.
    pub fn custom_field(&self, id_or_key: &str) -> Option<&FieldDef> {
        self.field_by_id_or_key
            .get(id_or_key)
            .map(|&i| &self.fields[i])
    }

    /// An ID document template by encoded key.
    pub fn id_template(&self, key: &str) -> Option<&IdDocumentTemplate> {
        self.template_at
            .get(key)
            .map(|&i| &self.schema.id_document_templates[i])
    }

    /// A branch by encoded key or id.
    pub fn branch(&self, key_or_id: &str) -> Option<&Branch> {
        self.branch_at
            .get(key_or_id)
            .map(|&i| &self.schema.branches[i])
    }

    /// A centre by encoded key or id.
    pub fn centre(&self, key_or_id: &str) -> Option<&Centre> {
        self.centre_at
            .get(key_or_id)
            .map(|&i| &self.schema.centres[i])
    }

    /// A user by encoded key or username.
    pub fn user(&self, key_or_username: &str) -> Option<&User> {
        self.user_at
            .get(key_or_username)
            .map(|&i| &self.schema.users[i])
    }

    /// A client role by encoded key or id.
    pub fn client_role(&self, key_or_id: &str) -> Option<&ClientRole> {
        self.role_at
            .get(key_or_id)
            .map(|&i| &self.schema.client_roles[i])
    }

    /// The role a client gets when none is given.
    pub fn default_client_role(&self) -> Option<&ClientRole> {
        self.schema.client_roles.iter().find(|r| r.is_default)
    }

    /// The state a client created through the API starts in.
    pub fn new_client_state(&self) -> ClientState {
        match self.schema.default_client_state.as_deref() {
            Some(s) if ClientState::parse(s) == ClientState::Inactive => ClientState::Inactive,
            _ => ClientState::PendingApproval,
        }
    }

    /// A branch, centre or credit officer named by id (username) or key,
    /// as the key Mambu stores; a name the tenant does not know is kept as
    /// given (the validator reports it).
    pub fn branch_key(&self, id_or_key: &str) -> String {
        self.branch(id_or_key)
            .map_or_else(|| id_or_key.to_string(), |b| b.encoded_key.clone())
    }

    /// See [`branch_key`](Self::branch_key).
    pub fn centre_key(&self, id_or_key: &str) -> String {
        self.centre(id_or_key)
            .map_or_else(|| id_or_key.to_string(), |c| c.encoded_key.clone())
    }

    /// See [`branch_key`](Self::branch_key).
    pub fn user_key(&self, username_or_key: &str) -> String {
        self.user(username_or_key)
            .map_or_else(|| username_or_key.to_string(), |u| u.encoded_key.clone())
    }

    /// The channels a client creation notifies on (active CLIENT_CREATED
    /// templates).
    pub fn creation_notifications(&self) -> CreationChannels {
        CreationChannels::of(&self.schema.notification_templates)
    }

    /// The one action of the tenant's duplicate-client checks (NONE when
    /// it has none).
    pub fn duplicate_action(&self) -> DuplicateAction {
        self.schema
            .duplicate_client_constraint_action
            .unwrap_or(DuplicateAction::None)
    }

    /// The duplicate-client checks the tenant acts on: all of them, unless
    /// the action is NONE.
    pub fn active_duplicate_checks(&self) -> impl Iterator<Item = DuplicateCheckField> + '_ {
        let acts = self.duplicate_action() != DuplicateAction::None;
        self.schema
            .duplicate_client_checks
            .iter()
            .copied()
            .filter(move |_| acts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tenant() -> Tenant {
        let schema: TenantSchema = serde_json::from_value(serde_json::json!({
            "customFieldSets": [
                {"id": "Personal", "usage": "SINGLE", "customFields": [
                    {"id": "Occupation", "encodedKey": "k-occ", "dataType": "STRING"}]},
                {"id": "Kin", "usage": "GROUPED", "customFields": [{"id": "NOK_Name"}]}
            ],
            "branches": [{"encodedKey": "b1", "id": "HQ"}],
            "centres": [{"encodedKey": "c1", "id": "C-1", "assignedBranchKey": "b1"}],
            "users": [{"encodedKey": "u1", "username": "ana", "isCreditOfficer": true}],
            "clientRoles": [{"encodedKey": "r1", "id": "IND", "isDefault": true}],
            "idDocumentTemplates": [{"encodedKey": "t1", "documentType": "PASSPORT"}]
        }))
        .unwrap();
        Tenant::from_schema(schema).unwrap()
    }

    #[test]
    fn look_ups_by_key_and_by_id() {
        let t = tenant();
        assert!(t.is_known() && !Tenant::unknown().is_known());
        assert_eq!(t.branch("HQ").unwrap().encoded_key, "b1");
        assert_eq!(t.branch("b1").unwrap().id, "HQ");
        assert_eq!(t.centre("C-1").unwrap().encoded_key, "c1");
        assert_eq!(t.user("ana").unwrap().encoded_key, "u1");
        assert_eq!(t.client_role("IND").unwrap().encoded_key, "r1");
        assert_eq!(t.default_client_role().unwrap().encoded_key, "r1");
        assert_eq!(t.id_template("t1").unwrap().document_type, "PASSPORT");
        assert!(t.branch("nowhere").is_none());
    }

    #[test]
    fn custom_fields_know_their_set() {
        let t = tenant();
        let occ = t.custom_field("k-occ").unwrap();
        assert_eq!(
            (occ.id(), occ.set_id.as_str(), occ.grouped),
            ("Occupation", "Personal", false)
        );
        assert!(t.custom_field("NOK_Name").unwrap().grouped);
        assert_eq!(t.custom_fields().len(), 2);
    }

    #[test]
    fn duplicate_checks_have_one_action() {
        let t = |v: serde_json::Value| {
            serde_json::from_value::<TenantSchema>(v)
                .map_err(|e| e.to_string())
                .and_then(|s| Tenant::from_schema(s).map_err(|e| e.to_string()))
        };
        let ok = t(serde_json::json!({
            "duplicateClientChecks": ["EMAIL", "HOME_PHONE"],
            "duplicateClientConstraintAction": "WARNING"
        }))
        .unwrap();
        assert_eq!(ok.duplicate_action(), DuplicateAction::Warning);
        assert_eq!(
            ok.active_duplicate_checks().collect::<Vec<_>>(),
            [DuplicateCheckField::Email, DuplicateCheckField::HomePhone]
        );
        let off = t(serde_json::json!({
            "duplicateClientChecks": ["EMAIL"],
            "duplicateClientConstraintAction": "NONE"
        }))
        .unwrap();
        assert_eq!(off.active_duplicate_checks().count(), 0);
        assert_eq!(
            t(serde_json::json!({"duplicateClientChecks": ["EMAIL"]})).unwrap_err(),
            "tenant file is inconsistent: duplicateClientChecks are listed without \
             duplicateClientConstraintAction (NONE, WARNING or ERROR: one action for all \
             checks, as in Mambu)"
        );
        assert_eq!(
            t(serde_json::json!({"duplicateChecks": [
                {"field": "EMAIL", "action": "ERROR"},
                {"field": "HOME_PHONE", "action": "NONE"},
                {"field": "FIRST_NAME_AND_LAST_NAME", "action": "WARNING"}
            ]}))
            .unwrap_err(),
            "\"duplicateChecks\" gives each check its own action, but Mambu has one action \
             for all checks: replace it with \"duplicateClientChecks\": [\"EMAIL\", \
             \"FIRST_NAME_AND_LAST_NAME\"] and \"duplicateClientConstraintAction\" set to one \
             of NONE, WARNING, ERROR (this file has ERROR, NONE, WARNING)"
        );
    }

    #[test]
    fn the_check_order_is_defined_once() {
        for (i, f) in DuplicateCheckField::ALL.iter().enumerate() {
            assert_eq!(f.index(), i);
            assert_eq!(DuplicateCheckField::from_index(i), Some(*f));
        }
        assert_eq!(DuplicateCheckField::from_index(6), None);
    }

    #[test]
    fn a_field_id_defined_twice_is_refused() {
        let schema: TenantSchema = serde_json::from_value(serde_json::json!({
            "customFieldSets": [{"id": "A", "customFields": [{"id": "X"}, {"id": "X"}]}]
        }))
        .unwrap();
        let err = Tenant::from_schema(schema).unwrap_err().to_string();
        assert!(err.contains("'X' is defined twice"), "{err}");
    }
}
