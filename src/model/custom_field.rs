//! Custom fields: the values a client carries (`customInformation[]`) and the
//! definitions a tenant declares (`customField`, `customFieldSet`).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Number, Value};

use super::enums::{CustomFieldDataType, CustomFieldSetUsage, CustomFieldState};

/// One custom field value of a client.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomFieldValue {
    /// Mambu's key for this value, assigned by the target.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoded_key: Option<String>,
    /// Encoded key of the client the value belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_key: Option<String>,
    /// Encoded key of the field definition; either this or `custom_field_id`
    /// names the field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_field_key: Option<String>,
    /// The field's definition, as responses nest it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_field: Option<CustomFieldDefinition>,
    /// The field definition's id (`customFieldID`).
    #[serde(rename = "customFieldID", skip_serializing_if = "Option::is_none")]
    pub custom_field_id: Option<String>,
    /// The value as text, whatever the data type (a CHECKBOX is `TRUE` or
    /// `FALSE`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// The amount, for fields that carry one, kept as the JSON number read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<Number>,
    /// Which repetition of a GROUPED set the value belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_field_set_group_index: Option<GroupIndex>,
    /// Position in the client's list of values, 0-based.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index_in_list: Option<i64>,
    /// For CLIENT_LINK, GROUP_LINK and USER_LINK fields: the linked entity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub linked_entity_key_value: Option<String>,
    /// For SELECTION fields: the key of the chosen option.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selection_key: Option<String>,
}

/// `customFieldSetGroupIndex`: a number in responses, but the seeds' own
/// request examples send it as a string (`"0"`). Both are accepted and
/// written back in the form they came in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupIndex {
    /// Sent as a JSON number.
    Number(i64),
    /// Sent as a JSON string; kept verbatim so a bad value can be reported.
    Text(String),
}

impl GroupIndex {
    /// The index as a number, if it is one. `-1` means "not grouped".
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Self::Number(n) => Some(*n),
            Self::Text(s) => s.trim().parse().ok(),
        }
    }
}

impl Serialize for GroupIndex {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Number(n) => s.serialize_i64(*n),
            Self::Text(t) => s.serialize_str(t),
        }
    }
}

impl<'de> Deserialize<'de> for GroupIndex {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::Number(n) => n
                .as_i64()
                .map(Self::Number)
                .ok_or_else(|| serde::de::Error::custom("group index must be a whole number")),
            Value::String(s) => Ok(Self::Text(s)),
            other => Err(serde::de::Error::custom(format!(
                "group index must be a number or a string, not {other}"
            ))),
        }
    }
}

/// A custom field definition, as nested in a value and as listed by
/// `GET /api/customfieldsets`. The tenant schema is made of these.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomFieldDefinition {
    /// Mambu's key for the definition; values may name the field by it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoded_key: Option<String>,
    /// The definition's id; values may name the field by it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The field's display name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The entity the field belongs to (`type`, e.g. `CLIENT_INFO`).
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub entity_type: Option<String>,
    /// The kind of value the field holds (STRING, NUMBER, DATE, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_type: Option<CustomFieldDataType>,
    /// `SHORT` (255 characters) or `LONG` (4000).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_length: Option<String>,
    /// Whether Mambu shows the field by default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_default: Option<bool>,
    /// Whether a value is required on create.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_required: Option<bool>,
    /// Free-text description of the field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The set the field belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_field_set: Option<CustomFieldSet>,
    /// Position of the field in its set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index_in_list: Option<i64>,
    /// Whether the field is in use or deactivated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<CustomFieldState>,
    /// Whether values must be unique across clients.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unique: Option<bool>,
    /// A pattern values must match, in Mambu's notation (e.g. `@@@-@@-@@@@`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub validation_pattern: Option<String>,
    /// For SELECTION fields: the options a value may be (the tenant may list
    /// them in `customFieldSelectionOptions` instead).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<String>>,
    /// Id of the built-in field this one stands for, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub built_in_custom_field_id: Option<String>,
    /// When the definition was created (a Mambu timestamp).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creation_date: Option<String>,
    /// When the definition last changed (a Mambu timestamp).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_modified_date: Option<String>,
    /// Selection options, rights, product settings, amounts and anything else
    /// the loader does not act on, kept verbatim.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A custom field set: a named group of definitions, used once (SINGLE) or
/// repeated per client (GROUPED).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomFieldSet {
    /// Mambu's key for the set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoded_key: Option<String>,
    /// The set's id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The set's display name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Free-text notes on the set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// When the set was created (a Mambu timestamp).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_date: Option<String>,
    /// When the set last changed (a Mambu timestamp).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_modified_date: Option<String>,
    /// Position of the set among the tenant's sets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index_in_list: Option<i64>,
    /// The entity the set belongs to (`type`, e.g. `CLIENT_INFO`).
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub entity_type: Option<String>,
    /// Used once per client (SINGLE) or repeated (GROUPED).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usage: Option<CustomFieldSetUsage>,
    /// The kind of built-in set this is, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub built_in_type: Option<String>,
    /// The definitions in the set (present when listing sets).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_fields: Option<Vec<CustomFieldDefinition>>,
}
