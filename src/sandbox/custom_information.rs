//! Custom field values of one client:
//! `GET|PATCH|DELETE /api/clients/{id}/custominformation/{customFieldId}` and
//! `PATCH /api/clients/{id}/custominformation` with `{"customInformation":[…]}`.
//!
//! In: the field by id or encoded key, and `{"value":…}` (optionally
//! `customFieldSetGroupIndex`; on a grouped field, absent means a new group).
//! Out: the values (GET, one per group), or `SUCCESS`. A change is merged
//! into the stored client and the whole client validated by
//! `crate::validate`, so a bad value gets the same code as on create.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::Value;

use super::app::{editable, App};
use super::encoded_key::mambu_now;
use super::reply::{parse_json, success, typed, ApiError};
use super::shape::{self, group_index};
use crate::model::{ClientRequest, CustomFieldValue, GroupIndex, ReturnCode};
use crate::tenant::Tenant;

/// The id a path or body names a field by, as the tenant spells it.
fn field_id(tenant: &Tenant, id_or_key: &str) -> String {
    tenant
        .custom_field(id_or_key)
        .map_or_else(|| id_or_key.to_string(), |f| f.id().to_string())
}

/// Sets one value in a client's list: a single field's value is replaced
/// (or added); a grouped field's value at `index` is replaced (or added),
/// and without an index it starts a new group of its set.
pub fn set_value(
    values: &mut Vec<CustomFieldValue>,
    tenant: &Tenant,
    id: &str,
    value: String,
    index: Option<i64>,
) {
    let def = tenant.custom_field(id);
    let grouped = def.is_some_and(|d| d.grouped);
    let index = if !grouped {
        -1
    } else if let Some(i) = index {
        i
    } else {
        let set = def.map(|d| d.set_id.as_str());
        values
            .iter()
            .filter(|v| {
                v.custom_field_id
                    .as_deref()
                    .and_then(|f| tenant.custom_field(f))
                    .map(|d| d.set_id.as_str())
                    == set
            })
            .map(group_index)
            .max()
            .map_or(0, |m| m + 1)
    };
    let existing = values
        .iter_mut()
        .find(|v| v.custom_field_id.as_deref() == Some(id) && group_index(v) == index);
    match existing {
        Some(v) => v.value = Some(value),
        None => values.push(CustomFieldValue {
            custom_field_id: Some(id.to_string()),
            value: Some(value),
            custom_field_set_group_index: grouped.then_some(GroupIndex::Number(index)),
            ..CustomFieldValue::default()
        }),
    }
}

/// One `{"value":…, "customFieldSetGroupIndex":…}` entry.
#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Entry {
    #[serde(rename = "customFieldID")]
    custom_field_id: Option<String>,
    value: Option<Value>,
    custom_field_set_group_index: Option<GroupIndex>,
}

impl Entry {
    fn value(&self) -> Result<String, ApiError> {
        match &self.value {
            Some(Value::String(s)) => Ok(s.clone()),
            Some(Value::Number(n)) => Ok(n.to_string()),
            Some(Value::Bool(b)) => Ok(if *b { "TRUE" } else { "FALSE" }.to_string()),
            None | Some(Value::Null) => Err(ApiError::bad(
                ReturnCode::MissingRequiredParameter,
                Some("value"),
            )),
            Some(_) => Err(ApiError::bad(ReturnCode::InvalidParameters, Some("value"))),
        }
    }

    fn index(&self) -> Result<Option<i64>, ApiError> {
        match &self.custom_field_set_group_index {
            None => Ok(None),
            Some(g) => g.as_i64().map(Some).ok_or_else(|| {
                ApiError::bad(
                    ReturnCode::InvalidCustomFieldGroupIndex,
                    Some("customFieldSetGroupIndex"),
                )
            }),
        }
    }
}

/// The stored client with new custom values, re-shaped and re-dated.
fn with_values(app: &App, full: &ClientRequest, values: Vec<CustomFieldValue>) -> ClientRequest {
    let mut next = full.clone();
    next.custom_information = Some(values);
    next.client.last_modified_date = Some(mambu_now());
    let parent = full.client.encoded_key.clone().unwrap_or_default();
    shape::nested(&mut next, full, &parent, &app.tenant, &app.keys);
    next
}

/// `GET …/custominformation/{customFieldId}`.
pub async fn get(
    State(app): State<Arc<App>>,
    Path((id, field)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let record = app.find(&id)?;
    if app.tenant.is_known() && app.tenant.custom_field(&field).is_none() {
        return Err(ApiError::bad(
            ReturnCode::InvalidCustomFieldId,
            Some(&field),
        ));
    }
    let fid = field_id(&app.tenant, &field);
    let mut values: Vec<&CustomFieldValue> = record
        .full
        .custom_information
        .iter()
        .flatten()
        .filter(|v| v.custom_field_id.as_deref() == Some(fid.as_str()))
        .collect();
    values.sort_by_key(|v| group_index(v));
    Ok(Json(values).into_response())
}

/// `PATCH …/custominformation/{customFieldId}` with `{"value":…}`.
pub async fn patch_one(
    State(app): State<Arc<App>>,
    Path((id, field)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let entry: Entry = typed(parse_json(&body)?)?;
    let value = entry.value()?;
    let index = entry.index()?;
    let fid = field_id(&app.tenant, &field);
    app.modify(&id, |record| {
        editable(record)?;
        let mut values = record.full.custom_information.clone().unwrap_or_default();
        set_value(&mut values, &app.tenant, &fid, value.clone(), index);
        Ok((with_values(&app, &record.full, values), Vec::new()))
    })
    .await?;
    Ok(success())
}

/// `PATCH …/custominformation` with `{"customInformation":[…]}`.
pub async fn patch_many(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let json = parse_json(&body)?;
    let list = json.get("customInformation").cloned().ok_or_else(|| {
        ApiError::bad(
            ReturnCode::MissingRequiredParameter,
            Some("customInformation"),
        )
    })?;
    let entries: Vec<Entry> = typed(list)?;
    let mut parsed = Vec::with_capacity(entries.len());
    for e in &entries {
        let fid = e.custom_field_id.as_deref().ok_or_else(|| {
            ApiError::bad(ReturnCode::MissingRequiredParameter, Some("customFieldID"))
        })?;
        parsed.push((field_id(&app.tenant, fid), e.value()?, e.index()?));
    }
    app.modify(&id, |record| {
        editable(record)?;
        let mut values = record.full.custom_information.clone().unwrap_or_default();
        for (fid, value, index) in &parsed {
            set_value(&mut values, &app.tenant, fid, value.clone(), *index);
        }
        Ok((with_values(&app, &record.full, values), Vec::new()))
    })
    .await?;
    Ok(success())
}

/// `DELETE …/custominformation/{customFieldId}`: every group's value goes.
pub async fn delete(
    State(app): State<Arc<App>>,
    Path((id, field)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    if app.tenant.is_known() && app.tenant.custom_field(&field).is_none() {
        return Err(ApiError::bad(
            ReturnCode::InvalidCustomFieldId,
            Some(&field),
        ));
    }
    let fid = field_id(&app.tenant, &field);
    app.modify(&id, |record| {
        editable(record)?;
        let mut values = record.full.custom_information.clone().unwrap_or_default();
        values.retain(|v| v.custom_field_id.as_deref() != Some(fid.as_str()));
        Ok((with_values(&app, &record.full, values), Vec::new()))
    })
    .await?;
    Ok(success())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CustomFieldDefinition, CustomFieldSet, CustomFieldSetUsage};
    use crate::tenant::TenantSchema;

    fn tenant() -> Tenant {
        let field = |id: &str| CustomFieldDefinition {
            id: Some(id.into()),
            ..CustomFieldDefinition::default()
        };
        Tenant::from_schema(TenantSchema {
            custom_field_sets: vec![
                CustomFieldSet {
                    id: Some("S".into()),
                    custom_fields: Some(vec![field("Position")]),
                    ..CustomFieldSet::default()
                },
                CustomFieldSet {
                    id: Some("Bank".into()),
                    usage: Some(CustomFieldSetUsage::Grouped),
                    custom_fields: Some(vec![field("IBAN"), field("BIC")]),
                    ..CustomFieldSet::default()
                },
            ],
            ..TenantSchema::default()
        })
        .unwrap()
    }

    fn pairs(values: &[CustomFieldValue]) -> Vec<(String, String, i64)> {
        values
            .iter()
            .map(|v| {
                (
                    v.custom_field_id.clone().unwrap(),
                    v.value.clone().unwrap(),
                    group_index(v),
                )
            })
            .collect()
    }

    #[test]
    fn single_values_are_replaced_and_groups_added_or_edited() {
        let t = tenant();
        let mut v = Vec::new();
        set_value(&mut v, &t, "Position", "a".into(), None);
        set_value(&mut v, &t, "Position", "b".into(), None);
        set_value(&mut v, &t, "IBAN", "DE1".into(), None);
        set_value(&mut v, &t, "BIC", "X".into(), Some(0));
        set_value(&mut v, &t, "IBAN", "DE2".into(), None);
        set_value(&mut v, &t, "IBAN", "DE1b".into(), Some(0));
        assert_eq!(
            pairs(&v),
            [
                ("Position".into(), "b".into(), -1),
                ("IBAN".into(), "DE1b".into(), 0),
                ("BIC".into(), "X".into(), 0),
                ("IBAN".into(), "DE2".into(), 1),
            ]
        );
    }
}
