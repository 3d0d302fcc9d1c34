//! The target tenant: custom field definitions, ID document templates,
//! branches, centres, credit officers, client roles and duplicate checks.
//!
//! In: a JSON file in the seeds' shapes (`TenantSchema`). Out: a `Tenant`
//! with look-ups by id or encoded key. Fails with `TenantError` on an
//! unreadable file, bad JSON or contradictions (two fields with one id).

mod schema;

use std::collections::HashMap;
use std::path::Path;

pub use schema::{
    Branch, Centre, ClientRole, DuplicateAction, DuplicateCheck, DuplicateCheckField,
    IdDocumentTemplate, TenantSchema, User,
};

use crate::model::{CustomFieldDefinition, CustomFieldSetUsage, CustomFieldState};

/// Why a tenant file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TenantError {
    #[error("cannot read tenant file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("tenant file {path} is not valid: {source}")]
    Parse {
        path: String,
        source: serde_json::Error,
    },
    #[error("tenant file is inconsistent: {0}")]
    Inconsistent(String),
}

/// A custom field definition together with the set it belongs to.
#[derive(Debug, Clone)]
pub struct FieldDef {
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
    field_by_id_or_key: HashMap<String, usize>,
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
        let mut field_by_id_or_key = HashMap::new();
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
        Ok(Self {
            known: true,
            schema,
            fields,
            field_by_id_or_key,
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
        self.schema
            .id_document_templates
            .iter()
            .find(|t| t.encoded_key == key)
    }

    /// A branch by encoded key or id.
    pub fn branch(&self, key_or_id: &str) -> Option<&Branch> {
        self.schema
            .branches
            .iter()
            .find(|b| b.encoded_key == key_or_id || b.id == key_or_id)
    }

    /// A centre by encoded key or id.
    pub fn centre(&self, key_or_id: &str) -> Option<&Centre> {
        self.schema
            .centres
            .iter()
            .find(|c| c.encoded_key == key_or_id || c.id == key_or_id)
    }

    /// A user by encoded key or username.
    pub fn user(&self, key_or_username: &str) -> Option<&User> {
        self.schema
            .users
            .iter()
            .find(|u| u.encoded_key == key_or_username || u.username == key_or_username)
    }

    /// A client role by encoded key or id.
    pub fn client_role(&self, key_or_id: &str) -> Option<&ClientRole> {
        self.schema
            .client_roles
            .iter()
            .find(|r| r.encoded_key == key_or_id || r.id.as_deref() == Some(key_or_id))
    }

    /// The role a client gets when none is given.
    pub fn default_client_role(&self) -> Option<&ClientRole> {
        self.schema.client_roles.iter().find(|r| r.is_default)
    }

    /// The duplicate-client checks whose action is not NONE.
    pub fn active_duplicate_checks(&self) -> impl Iterator<Item = &DuplicateCheck> {
        self.schema
            .duplicate_checks
            .iter()
            .filter(|c| c.action != DuplicateAction::None)
    }
}
