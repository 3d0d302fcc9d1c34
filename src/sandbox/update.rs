//! `POST /api/clients/{idOrKey}`: an update merged onto the stored client.
//!
//! In: the stored full shape and the request body as JSON. The client
//! object is merged field by field (a field given replaces, `null` clears,
//! an absent one is kept; fields the server owns — `SERVER_OWNED_FIELDS`: state,
//! dates, loan cycles, migration event, picture and signature keys, and
//! the encoded key beyond addressing the client — are ignored, given or
//! `null`, so an update never changes them; `null` for
//! `preferredLanguage` is refused with 2427, as Mambu's ClientOnUpdate
//! schema says it "does not accept null values"); each array
//! given replaces the stored one — entries matched by `encodedKey`
//! (addresses, ID documents) or `customFieldID` (custom values), entries not
//! given are deleted, `[]` deletes all — and an absent array is untouched.
//! Out: the merged full shape, or a refusal (302 key mismatch, 1150/950 an
//! unknown nested key). Validation is the caller's next step.

use crate::model::SERVER_OWNED_FIELDS;
use serde_json::{Map, Value};

use super::encoded_key::KeyGen;
use super::reply::{typed, ApiError};
use super::shape;
use crate::model::{Client, ClientRequest, ReturnCode};
use crate::tenant::Tenant;

/// Merges the given client fields onto the stored client.
pub fn merge_client(stored: &Client, given: &Map<String, Value>) -> Result<Client, ApiError> {
    let mut merged = match serde_json::to_value(stored) {
        Ok(Value::Object(m)) => m,
        _ => return Err(ApiError::internal()),
    };
    for (k, v) in given {
        if SERVER_OWNED_FIELDS.contains(&k.as_str()) {
            continue;
        }
        if v.is_null() {
            if k == "preferredLanguage" {
                return Err(ApiError::bad(
                    ReturnCode::InvalidLanguage,
                    Some("preferredLanguage"),
                ));
            }
            merged.remove(k);
        } else {
            merged.insert(k.clone(), v.clone());
        }
    }
    typed(Value::Object(merged))
}

/// The `client` object of a body: absent or not an object → 31.
pub fn client_object(body: &Value) -> Result<&Map<String, Value>, ApiError> {
    body.get("client")
        .and_then(Value::as_object)
        .ok_or_else(|| ApiError::bad(ReturnCode::MissingRequiredParameter, Some("client")))
}

/// Whether a nested entry's key (if it has one) names a stored entry.
fn key_known<'a>(
    key: Option<&String>,
    mut stored: impl Iterator<Item = Option<&'a String>>,
) -> bool {
    match key {
        None => true,
        Some(k) => stored.any(|s| s == Some(k)),
    }
}

/// Merges an update body onto the stored client (see the module header).
pub fn apply_update(
    stored: &ClientRequest,
    body: &Value,
    tenant: &Tenant,
    keys: &KeyGen,
    now: &str,
) -> Result<ClientRequest, ApiError> {
    let given = client_object(body)?;
    let stored_key = stored.client.encoded_key.as_deref().unwrap_or_default();
    match given.get("encodedKey") {
        None | Some(Value::Null) => {
            return Err(ApiError::bad(
                ReturnCode::MissingRequiredParameter,
                Some("encodedKey"),
            ))
        }
        Some(Value::String(k)) if k == stored_key => {}
        Some(_) => {
            return Err(ApiError::bad(
                ReturnCode::InvalidClientKey,
                Some("encodedKey"),
            ))
        }
    }
    let req: ClientRequest = typed(body.clone())?;
    let mut client = merge_client(&stored.client, given)?;
    client.last_modified_date = Some(now.to_string());

    if let Some(given) = &req.addresses {
        let stored_keys = stored
            .addresses
            .iter()
            .flatten()
            .map(|a| a.encoded_key.as_ref());
        if !given
            .iter()
            .take(1)
            .all(|a| key_known(a.encoded_key.as_ref(), stored_keys.clone()))
        {
            return Err(ApiError::bad(
                ReturnCode::InvalidAddress,
                Some("encodedKey"),
            ));
        }
    }
    if let Some(given) = &req.id_documents {
        let stored_keys = stored
            .id_documents
            .iter()
            .flatten()
            .map(|d| d.encoded_key.as_ref());
        if !given
            .iter()
            .all(|d| key_known(d.encoded_key.as_ref(), stored_keys.clone()))
        {
            return Err(ApiError::bad(
                ReturnCode::InvalidIdDocument,
                Some("encodedKey"),
            ));
        }
    }
    let mut merged = ClientRequest {
        client,
        addresses: req.addresses.or_else(|| stored.addresses.clone()),
        id_documents: req.id_documents.or_else(|| stored.id_documents.clone()),
        custom_information: req
            .custom_information
            .or_else(|| stored.custom_information.clone()),
        group_keys: stored.group_keys.clone(),
    };
    shape::nested(&mut merged, stored, stored_key, tenant, keys);
    Ok(merged)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Address, CustomFieldValue};
    use serde_json::json;

    fn stored(keys: &KeyGen) -> ClientRequest {
        let req: ClientRequest = serde_json::from_value(json!({
            "client": {"firstName": "Ann", "lastName": "Lee", "notes": "n"},
            "addresses": [{"city": "Oslo"}],
            "idDocuments": [{"documentType": "P", "documentId": "1"}, {"documentType": "Q", "documentId": "2"}],
            "customInformation": [{"customFieldID": "A", "value": "1"}, {"customFieldID": "B", "value": "2"}]
        }))
        .unwrap();
        shape::new_client(req, "9".into(), &Tenant::unknown(), keys, "t0")
    }

    fn update(s: &ClientRequest, keys: &KeyGen, body: Value) -> Result<ClientRequest, ApiError> {
        apply_update(s, &body, &Tenant::unknown(), keys, "t1")
    }

    #[test]
    fn client_fields_merge_and_server_fields_are_kept() {
        let keys = KeyGen::new(3);
        let s = stored(&keys);
        let key = s.client.encoded_key.clone().unwrap();
        let m = update(&s, &keys, json!({"client": {"encodedKey": key, "firstName": "Bo", "notes": null, "state": "ACTIVE"}})).unwrap();
        assert_eq!(m.client.first_name.as_deref(), Some("Bo"));
        assert_eq!(m.client.last_name.as_deref(), Some("Lee"));
        assert_eq!(m.client.notes, None);
        assert_eq!(m.client.state, s.client.state);
        assert_eq!(m.client.last_modified_date.as_deref(), Some("t1"));
        assert_eq!(m.client.creation_date.as_deref(), Some("t0"));
        // Absent arrays are untouched.
        assert_eq!(m.id_documents, s.id_documents);
        assert_eq!(m.custom_information, s.custom_information);
    }

    #[test]
    fn null_clears_a_client_field_but_not_the_language() {
        let keys = KeyGen::new(3);
        let s = stored(&keys);
        let key = s.client.encoded_key.clone().unwrap();
        let m = update(
            &s,
            &keys,
            json!({"client": {"encodedKey": key, "notes": null, "middleName": ""}}),
        )
        .unwrap();
        assert_eq!(m.client.notes, None);
        assert_eq!(
            m.client.middle_name.as_deref(),
            Some(""),
            "an empty string is a value"
        );
        let refused = update(
            &s,
            &keys,
            json!({"client": {"encodedKey": key, "preferredLanguage": null}}),
        );
        assert_eq!(refused.unwrap_err().body.return_code, 2427);
    }

    #[test]
    fn arrays_replace_match_by_key_and_empty_deletes_all() {
        let keys = KeyGen::new(3);
        let s = stored(&keys);
        let key = s.client.encoded_key.clone().unwrap();
        let docs = s.id_documents.clone().unwrap();
        let kept = docs[1].encoded_key.clone();
        let m = update(
            &s,
            &keys,
            json!({"client": {"encodedKey": key}, "idDocuments": [{"encodedKey": kept, "documentType": "Q", "documentId": "3"}, {"documentType": "R", "documentId": "4"}],
                   "customInformation": [{"customFieldID": "B", "value": "5"}], "addresses": []}),
        )
        .unwrap();
        let d = m.id_documents.unwrap();
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].encoded_key, kept);
        assert_eq!(d[0].document_id.as_deref(), Some("3"));
        assert!(d[1].encoded_key.is_some() && d[1].encoded_key != docs[0].encoded_key);
        let c: Vec<CustomFieldValue> = m.custom_information.unwrap();
        assert_eq!(c.len(), 1);
        assert_eq!(
            c[0].encoded_key,
            s.custom_information.as_ref().unwrap()[1].encoded_key
        );
        assert_eq!(m.addresses, Some(Vec::<Address>::new()));
    }

    #[test]
    fn the_encoded_key_must_be_given_and_match() {
        let keys = KeyGen::new(3);
        let s = stored(&keys);
        let code = |b| update(&s, &keys, b).unwrap_err().body.return_code;
        assert_eq!(code(json!({"client": {"firstName": "x"}})), 31);
        assert_eq!(code(json!({"client": {"encodedKey": "nope"}})), 302);
        assert_eq!(code(json!({"firstName": "x"})), 31);
        let key = s.client.encoded_key.clone().unwrap();
        assert_eq!(
            code(json!({"client": {"encodedKey": key}, "addresses": [{"encodedKey": "zz"}]})),
            1150
        );
        assert_eq!(
            code(json!({"client": {"encodedKey": key}, "idDocuments": [{"encodedKey": "zz"}]})),
            950
        );
    }
}
