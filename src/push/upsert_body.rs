//! The update an upsert sends: the row's mapped request laid over the
//! client as stored, so that v1's update — which deletes every array entry
//! a body leaves out and keeps every client field it leaves out — changes
//! what the mapping covers and nothing else.
//!
//! In: the stored client with full details (the before-image) and the
//! mapped request. Out: the update body (client fields the row sets, `null`
//! for those the mapping clears; every stored address, ID document and
//! custom value sent back with the row's laid over them, matched as Mambu
//! matches them) and the client as it will be after that update, for the
//! dry run's rules. Never fails: parts it does not recognise stay as stored.

use crate::model::SERVER_OWNED_FIELDS;
use serde_json::{json, Map, Value};

use super::request_form::{custom_value, entry, group_index, overlay};

/// The update body for `mapped` over `stored` (see the module header).
///
/// * client: only the fields the row sets (an absent field is kept by the
///   update), with the stored `encodedKey`;
/// * addresses: the first stored address, changed in place;
/// * ID documents: every stored one with its key; a mapped document of the
///   same type and number changes it in place, another is added;
/// * custom values: every stored one; a mapped value for the same field and
///   group index replaces it, another is added.
///
/// An array the row does not map is left out, so the update leaves it alone.
pub fn update_body(stored: &Value, mapped: &Value) -> Value {
    let mut client = Map::new();
    client.insert("encodedKey".into(), stored["client"]["encodedKey"].clone());
    if let Some(given) = mapped["client"].as_object() {
        for (k, v) in given {
            if !SERVER_OWNED_FIELDS.contains(&k.as_str()) {
                client.insert(k.clone(), v.clone());
            }
        }
    }
    let mut body = json!({ "client": client });
    if let Some(first) = non_empty(&mapped["addresses"]).and_then(|a| a.first()) {
        let address = match stored["addresses"].as_array().and_then(|a| a.first()) {
            Some(old) => overlay(&entry(old, true), &entry(first, false)),
            None => entry(first, false),
        };
        body["addresses"] = json!([address]);
    }
    if let Some(given) = non_empty(&mapped["idDocuments"]) {
        let mut docs: Vec<Value> = list(stored, "idDocuments")
            .iter()
            .map(|d| entry(d, true))
            .collect();
        let mut matched = vec![false; docs.len()];
        for g in given {
            let same = docs.iter().enumerate().position(|(i, d)| {
                !matched.get(i).copied().unwrap_or(true)
                    && d["documentType"] == g["documentType"]
                    && d["documentId"] == g["documentId"]
            });
            match same {
                Some(i) => {
                    docs[i] = overlay(&docs[i], &entry(g, false));
                    matched[i] = true;
                }
                None => docs.push(entry(g, false)),
            }
        }
        body["idDocuments"] = Value::Array(docs);
    }
    if let Some(given) = non_empty(&mapped["customInformation"]) {
        let mut values: Vec<Value> = list(stored, "customInformation")
            .iter()
            .map(custom_value)
            .collect();
        for g in given {
            let g = custom_value(g);
            let same = values.iter().position(|v| {
                v["customFieldID"] == g["customFieldID"] && group_index(v) == group_index(&g)
            });
            match same {
                Some(i) => values[i] = overlay(&values[i], &g),
                None => values.push(g),
            }
        }
        body["customInformation"] = Value::Array(values);
    }
    body
}

/// The client as it will be once `body` is applied to `stored`, in request
/// form (nested keys left out), ready for the dry run's rules.
pub fn after_update(stored: &Value, body: &Value) -> Value {
    let mut client = stored["client"].clone();
    if let (Some(c), Some(given)) = (client.as_object_mut(), body["client"].as_object()) {
        for (k, v) in given {
            if SERVER_OWNED_FIELDS.contains(&k.as_str()) {
                continue;
            }
            if v.is_null() {
                c.remove(k);
            } else {
                c.insert(k.clone(), v.clone());
            }
        }
    }
    let pick = |name: &str| -> &[Value] {
        match body[name].as_array() {
            Some(given) => given,
            None => list(stored, name),
        }
    };
    json!({
        "client": client,
        "addresses": pick("addresses").iter().take(1).map(|a| entry(a, false)).collect::<Vec<_>>(),
        "idDocuments": pick("idDocuments").iter().map(|d| entry(d, false)).collect::<Vec<_>>(),
        "customInformation": pick("customInformation").iter().map(custom_value).collect::<Vec<_>>(),
    })
}

fn list<'a>(full: &'a Value, name: &str) -> &'a [Value] {
    full[name].as_array().map(Vec::as_slice).unwrap_or_default()
}

fn non_empty(v: &Value) -> Option<&Vec<Value>> {
    v.as_array().filter(|a| !a.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored() -> Value {
        json!({
            "client": {"encodedKey": "ck", "id": "7", "firstName": "Ana", "lastName": "Lee",
                       "homePhone": "1", "notes": "n", "state": "INACTIVE",
                       "assignedBranchKey": "b1", "assignedCentreKey": "c1"},
            "addresses": [{"encodedKey": "a1", "parentKey": "ck", "indexInList": 0,
                           "line1": "Rua 1", "city": "Porto", "postcode": "4000"}],
            "idDocuments": [
                {"encodedKey": "d1", "clientKey": "ck", "indexInList": 0, "documentType": "PASSPORT", "documentId": "P1", "issuingAuthority": "X"},
                {"encodedKey": "d2", "clientKey": "ck", "indexInList": 1, "documentType": "NATIONAL_ID", "documentId": "N1"}
            ],
            "customInformation": [
                {"encodedKey": "v1", "customFieldID": "Referral_Code", "value": "R9", "customFieldSetGroupIndex": -1, "customField": {}},
                {"encodedKey": "v2", "customFieldID": "NOK_Name", "value": "Bo", "customFieldSetGroupIndex": 0},
                {"encodedKey": "v3", "customFieldID": "Occupation", "value": "Baker", "customFieldSetGroupIndex": -1}
            ]
        })
    }

    #[test]
    fn only_mapped_client_fields_are_sent_and_cleared_ones_as_null() {
        let mapped = json!({"client": {"id": "7", "firstName": "Anna", "middleName": null, "state": "EXITED"}});
        let body = update_body(&stored(), &mapped);
        assert_eq!(
            body,
            json!({"client": {"encodedKey": "ck", "id": "7", "firstName": "Anna", "middleName": null}})
        );
        let after = after_update(&stored(), &body);
        assert_eq!(after["client"]["firstName"], "Anna");
        assert_eq!(after["client"]["homePhone"], "1");
        assert_eq!(after["client"]["state"], "INACTIVE");
        assert_eq!(after["idDocuments"].as_array().unwrap().len(), 2);
        assert_eq!(after["customInformation"].as_array().unwrap().len(), 3);
    }

    #[test]
    fn the_first_address_changes_in_place_keeping_fields_the_row_leaves_empty() {
        let mapped = json!({"client": {}, "addresses": [{"city": "Braga"}]});
        let body = update_body(&stored(), &mapped);
        assert_eq!(
            body["addresses"],
            json!([{"encodedKey": "a1", "line1": "Rua 1", "city": "Braga", "postcode": "4000"}])
        );
    }

    #[test]
    fn documents_match_by_type_and_number_and_others_are_added() {
        let mapped = json!({"client": {}, "idDocuments": [
            {"documentType": "PASSPORT", "documentId": "P1", "validUntil": "2030-01-01"},
            {"documentType": "PASSPORT", "documentId": "P2"}
        ]});
        let body = update_body(&stored(), &mapped);
        assert_eq!(
            body["idDocuments"],
            json!([
                {"encodedKey": "d1", "documentType": "PASSPORT", "documentId": "P1", "issuingAuthority": "X", "validUntil": "2030-01-01"},
                {"encodedKey": "d2", "documentType": "NATIONAL_ID", "documentId": "N1"},
                {"documentType": "PASSPORT", "documentId": "P2"}
            ])
        );
    }

    #[test]
    fn custom_values_the_row_does_not_name_are_sent_back() {
        let mapped = json!({"client": {}, "customInformation": [
            {"customFieldID": "Occupation", "value": "Pilot"},
            {"customFieldID": "NOK_Name", "value": "Cy", "customFieldSetGroupIndex": 1}
        ]});
        let body = update_body(&stored(), &mapped);
        assert_eq!(
            body["customInformation"],
            json!([
                {"customFieldID": "Referral_Code", "value": "R9"},
                {"customFieldID": "NOK_Name", "value": "Bo", "customFieldSetGroupIndex": 0},
                {"customFieldID": "Occupation", "value": "Pilot"},
                {"customFieldID": "NOK_Name", "value": "Cy", "customFieldSetGroupIndex": 1}
            ])
        );
        assert!(body.get("addresses").is_none() && body.get("idDocuments").is_none());
    }

    #[test]
    fn the_merged_client_mixes_row_and_stored_assignments() {
        let mapped = json!({"client": {"assignedBranchKey": "b2"}});
        let after = after_update(&stored(), &update_body(&stored(), &mapped));
        assert_eq!(after["client"]["assignedBranchKey"], "b2");
        assert_eq!(after["client"]["assignedCentreKey"], "c1");
        assert_eq!(
            after["addresses"],
            json!([{"line1": "Rua 1", "city": "Porto", "postcode": "4000"}])
        );
    }
}
