//! The stored shape of a client: what Mambu adds to a request when it keeps
//! it (encoded keys, parent keys, list indexes, dates, defaults, custom field
//! definitions), and the reverse view the validator reads.
//!
//! In: a request (and, for updates, the stored client whose nested keys are
//! kept where entries match). Out: the full shape
//! `{"client","addresses","idDocuments","customInformation","groupKeys"}`.
//! Never fails: anything the tenant does not define is kept as given.

use serde_json::Value;

use super::encoded_key::KeyGen;
use crate::model::{
    Address, ClientRequest, ClientRoleRef, ClientState, CustomFieldValue, GroupIndex, IdDocument,
};
use crate::tenant::Tenant;

/// Completes a new client: keys, id, dates, default state, role and cycles.
pub fn new_client(
    mut req: ClientRequest,
    id: String,
    tenant: &Tenant,
    keys: &KeyGen,
    now: &str,
) -> ClientRequest {
    let key = keys.encoded_key();
    let c = &mut req.client;
    c.encoded_key = Some(key.clone());
    c.id = Some(id);
    if c.state.is_none() {
        // The tenant's setting for new clients (PENDING_APPROVAL or INACTIVE).
        let initial = tenant.schema().default_client_state.as_deref();
        c.state = Some(
            initial
                .and_then(|s| serde_json::from_value(Value::String(s.to_string())).ok())
                .unwrap_or(ClientState::PendingApproval),
        );
    }
    c.creation_date = Some(now.to_string());
    c.last_modified_date = Some(now.to_string());
    c.loan_cycle.get_or_insert(0);
    c.group_loan_cycle.get_or_insert(0);
    if c.client_role.is_none() {
        c.client_role = tenant.default_client_role().map(|r| ClientRoleRef {
            encoded_key: Some(r.encoded_key.clone()),
        });
    }
    c.extra
        .entry("clientLinesOfCredit")
        .or_insert_with(|| Value::Array(Vec::new()));
    let empty = ClientRequest::default();
    nested(&mut req, &empty, &key, tenant, keys);
    req
}

/// Completes the nested arrays of `req` for the client with encoded key
/// `parent`, keeping the keys of entries that match `stored`.
pub fn nested(
    req: &mut ClientRequest,
    stored: &ClientRequest,
    parent: &str,
    tenant: &Tenant,
    keys: &KeyGen,
) {
    let addresses = req.addresses.take().unwrap_or_default();
    req.addresses = Some(shape_addresses(
        addresses,
        stored.addresses.as_deref().unwrap_or(&[]),
        parent,
        keys,
    ));
    let docs = req.id_documents.take().unwrap_or_default();
    req.id_documents = Some(shape_documents(
        docs,
        stored.id_documents.as_deref().unwrap_or(&[]),
        parent,
        keys,
    ));
    let values = req.custom_information.take().unwrap_or_default();
    req.custom_information = Some(shape_custom(
        values,
        stored.custom_information.as_deref().unwrap_or(&[]),
        parent,
        tenant,
        keys,
    ));
    req.group_keys.get_or_insert_with(Vec::new);
}

/// Only the first address is kept (Mambu stores one per client).
pub fn shape_addresses(
    given: Vec<Address>,
    stored: &[Address],
    parent: &str,
    keys: &KeyGen,
) -> Vec<Address> {
    given
        .into_iter()
        .take(1)
        .map(|mut a| {
            let known = a
                .encoded_key
                .as_deref()
                .is_some_and(|k| stored.iter().any(|s| s.encoded_key.as_deref() == Some(k)));
            if !known {
                a.encoded_key = Some(keys.encoded_key());
            }
            a.parent_key = Some(parent.to_string());
            a.index_in_list = Some(0);
            a
        })
        .collect()
}

/// ID documents keep their keys when they match a stored one.
pub fn shape_documents(
    given: Vec<IdDocument>,
    stored: &[IdDocument],
    parent: &str,
    keys: &KeyGen,
) -> Vec<IdDocument> {
    given
        .into_iter()
        .enumerate()
        .map(|(i, mut d)| {
            let known = d
                .encoded_key
                .as_deref()
                .is_some_and(|k| stored.iter().any(|s| s.encoded_key.as_deref() == Some(k)));
            if !known {
                d.encoded_key = Some(keys.encoded_key());
            }
            d.client_key = Some(parent.to_string());
            d.index_in_list = Some(i as i64);
            d
        })
        .collect()
}

/// The group index of a value as a number: `-1` when not grouped.
pub fn group_index(v: &CustomFieldValue) -> i64 {
    v.custom_field_set_group_index
        .as_ref()
        .and_then(GroupIndex::as_i64)
        .unwrap_or(-1)
}

/// Custom values get the field's definition, id and key; a value for the
/// same field (and group index) as a stored one keeps its encoded key.
pub fn shape_custom(
    given: Vec<CustomFieldValue>,
    stored: &[CustomFieldValue],
    parent: &str,
    tenant: &Tenant,
    keys: &KeyGen,
) -> Vec<CustomFieldValue> {
    given
        .into_iter()
        .enumerate()
        .map(|(i, mut v)| {
            let def = v
                .custom_field_id
                .as_deref()
                .and_then(|id| tenant.custom_field(id));
            if let Some(def) = def {
                v.custom_field_id = Some(def.id().to_string());
                v.custom_field_key = def.definition.encoded_key.clone();
                v.custom_field = Some(def.definition.clone());
                if !def.grouped {
                    v.custom_field_set_group_index = None;
                }
            }
            let idx = group_index(&v);
            v.custom_field_set_group_index = Some(GroupIndex::Number(idx));
            let same = stored
                .iter()
                .find(|s| s.custom_field_id == v.custom_field_id && group_index(s) == idx);
            v.encoded_key = Some(match same.and_then(|s| s.encoded_key.clone()) {
                Some(k) => k,
                None => keys.encoded_key(),
            });
            v.parent_key = Some(parent.to_string());
            v.index_in_list = Some(i as i64);
            v
        })
        .collect()
}

/// The stored client as a request again, without what the server added to
/// nested entries, so the validator sees what a caller would have sent.
pub fn as_request(full: &ClientRequest) -> ClientRequest {
    let custom = full.custom_information.as_ref().map(|values| {
        values
            .iter()
            .map(|v| CustomFieldValue {
                custom_field_id: v.custom_field_id.clone(),
                value: v.value.clone(),
                amount: v.amount.clone(),
                custom_field_set_group_index: match group_index(v) {
                    -1 => None,
                    n => Some(GroupIndex::Number(n)),
                },
                linked_entity_key_value: v.linked_entity_key_value.clone(),
                selection_key: v.selection_key.clone(),
                ..CustomFieldValue::default()
            })
            .collect()
    });
    let addresses = full.addresses.as_ref().map(|list| {
        list.iter()
            .map(|a| Address {
                encoded_key: None,
                parent_key: None,
                index_in_list: None,
                ..a.clone()
            })
            .collect()
    });
    let documents = full.id_documents.as_ref().map(|list| {
        list.iter()
            .map(|d| IdDocument {
                encoded_key: None,
                client_key: None,
                index_in_list: None,
                ..d.clone()
            })
            .collect()
    });
    ClientRequest {
        client: full.client.clone(),
        addresses,
        id_documents: documents,
        custom_information: custom,
        group_keys: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Client, CustomFieldDefinition, CustomFieldSet, CustomFieldSetUsage};
    use crate::tenant::TenantSchema;

    fn tenant() -> Tenant {
        let field = |id: &str, key: &str| CustomFieldDefinition {
            id: Some(id.into()),
            encoded_key: Some(key.into()),
            ..CustomFieldDefinition::default()
        };
        Tenant::from_schema(TenantSchema {
            custom_field_sets: vec![
                CustomFieldSet {
                    id: Some("S".into()),
                    custom_fields: Some(vec![field("Position", "kp")]),
                    ..CustomFieldSet::default()
                },
                CustomFieldSet {
                    id: Some("G".into()),
                    usage: Some(CustomFieldSetUsage::Grouped),
                    custom_fields: Some(vec![field("ccc1", "kc")]),
                    ..CustomFieldSet::default()
                },
            ],
            ..TenantSchema::default()
        })
        .unwrap()
    }

    fn value(id: &str, v: &str, group: Option<i64>) -> CustomFieldValue {
        CustomFieldValue {
            custom_field_id: Some(id.into()),
            value: Some(v.into()),
            custom_field_set_group_index: group.map(GroupIndex::Number),
            ..CustomFieldValue::default()
        }
    }

    #[test]
    fn a_new_client_gets_keys_defaults_and_one_address() {
        let keys = KeyGen::new(1);
        let req = ClientRequest {
            client: Client::default(),
            addresses: Some(vec![Address::default(), Address::default()]),
            custom_information: Some(vec![value("kp", "Designer", None)]),
            ..ClientRequest::default()
        };
        let full = new_client(
            req,
            "100".into(),
            &tenant(),
            &keys,
            "2024-01-01T00:00:00+0000",
        );
        let key = full.client.encoded_key.clone().unwrap();
        assert_eq!(full.client.state, Some(ClientState::PendingApproval));
        assert_eq!(
            (full.client.loan_cycle, full.client.group_loan_cycle),
            (Some(0), Some(0))
        );
        let addresses = full.addresses.unwrap();
        assert_eq!(addresses.len(), 1);
        assert_eq!(addresses[0].parent_key.as_deref(), Some(key.as_str()));
        let cv = &full.custom_information.unwrap()[0];
        assert_eq!(cv.custom_field_id.as_deref(), Some("Position"));
        assert_eq!(cv.custom_field_key.as_deref(), Some("kp"));
        assert_eq!(
            cv.custom_field_set_group_index,
            Some(GroupIndex::Number(-1))
        );
        assert_eq!(full.group_keys, Some(vec![]));
    }

    #[test]
    fn matching_custom_values_keep_their_keys() {
        let keys = KeyGen::new(1);
        let t = tenant();
        let stored = shape_custom(
            vec![value("ccc1", "a", Some(0)), value("ccc1", "b", Some(1))],
            &[],
            "p",
            &t,
            &keys,
        );
        let again = shape_custom(vec![value("ccc1", "B", Some(1))], &stored, "p", &t, &keys);
        assert_eq!(again[0].encoded_key, stored[1].encoded_key);
        assert_ne!(again[0].encoded_key, stored[0].encoded_key);
        let view = as_request(&ClientRequest {
            custom_information: Some(again),
            ..ClientRequest::default()
        });
        assert_eq!(
            view.custom_information.unwrap()[0],
            value("ccc1", "B", Some(1))
        );
    }
}
