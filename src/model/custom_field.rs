//! Custom fields: the values a client carries (`customInformation[]`) and the
//! definitions a tenant declares (`customField`, `customFieldSet`).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Number, Value};

use super::enums::{CustomFieldDataType, CustomFieldSetUsage, CustomFieldState};

/// One custom field value of a client.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomFieldValue {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoded_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_field_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_field: Option<CustomFieldDefinition>,
    #[serde(rename = "customFieldID", skip_serializing_if = "Option::is_none")]
    pub custom_field_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<Number>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_field_set_group_index: Option<GroupIndex>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index_in_list: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub linked_entity_key_value: Option<String>,
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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoded_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub entity_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_type: Option<CustomFieldDataType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_length: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_default: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_required: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_field_set: Option<CustomFieldSet>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index_in_list: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<CustomFieldState>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unique: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub validation_pattern: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub built_in_custom_field_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creation_date: Option<String>,
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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoded_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_modified_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index_in_list: Option<i64>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub entity_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usage: Option<CustomFieldSetUsage>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub built_in_type: Option<String>,
    /// The definitions in the set (present when listing sets).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_fields: Option<Vec<CustomFieldDefinition>>,
}
