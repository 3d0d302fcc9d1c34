//! The update that gives an upserted client back exactly as it was: its
//! before-image, plus an explicit `null` for every client field the import
//! added (v1's update keeps a field a body leaves out, and clears one given
//! as `null`), and every nested entry still stored sent with its own key so
//! it is changed in place rather than deleted and made again.
//!
//! In: the before-image and the client as it is now, both with full
//! details. Out: the restore body; the state goes back separately, by the
//! PATCH steps of `model::state_moves`. Also the comparisons a revert makes: whether
//! two full-details clients are equal but for `lastModifiedDate` (and the
//! keys of their documents, which are compared by content elsewhere), and
//! whether they carry the same entered content (a restore of ours landed).

use crate::model::SERVER_OWNED_FIELDS;
use serde_json::{json, Map, Value};

use super::request_form::{custom_value, entry};

/// Client fields Mambu v1 refuses to clear (`null` is refused with 2427):
/// one the import added stays, and the revert's check reports it.
const NOT_CLEARABLE: &[&str] = &["preferredLanguage"];

/// The restore body for `before` over `now` (see the module header).
pub fn restore_body(before: &Value, now: &Value) -> Value {
    let mut client = Map::new();
    client.insert("encodedKey".into(), now["client"]["encodedKey"].clone());
    if let Some(old) = before["client"].as_object() {
        for (k, v) in old {
            if !SERVER_OWNED_FIELDS.contains(&k.as_str()) {
                client.insert(k.clone(), v.clone());
            }
        }
    }
    if let Some(current) = now["client"].as_object() {
        for k in current.keys() {
            if !SERVER_OWNED_FIELDS.contains(&k.as_str())
                && !NOT_CLEARABLE.contains(&k.as_str())
                && !client.contains_key(k)
            {
                client.insert(k.clone(), Value::Null);
            }
        }
    }
    let keyed = |name: &str| -> Vec<Value> {
        let still: Vec<&Value> = list(now, name)
            .iter()
            .map(|e| &e["encodedKey"])
            .filter(|k| k.is_string())
            .collect();
        list(before, name)
            .iter()
            .map(|e| entry(e, still.contains(&&e["encodedKey"])))
            .collect()
    };
    json!({
        "client": client,
        "addresses": keyed("addresses"),
        "idDocuments": keyed("idDocuments"),
        "customInformation": list(before, "customInformation").iter().map(custom_value).collect::<Vec<_>>(),
    })
}

/// The state the before-image had, if it names one.
pub fn state_of(full: &Value) -> Option<&str> {
    full["client"]["state"].as_str()
}

/// Whether two full-details clients are the same but for `lastModifiedDate`.
pub fn same_but_last_modified(a: &Value, b: &Value) -> bool {
    without_last_modified(a) == without_last_modified(b)
}

/// The paths at which two full-details clients differ (`lastModifiedDate`
/// aside), for a message.
pub fn differences(a: &Value, b: &Value) -> Vec<String> {
    let mut out = Vec::new();
    diff(
        "",
        &without_last_modified(a),
        &without_last_modified(b),
        &mut out,
    );
    out
}

/// Whether `now` carries what a person entered in `before`: client fields,
/// addresses, documents and custom values, leaving aside the state and its
/// dates and what the server stamps on nested entries. True once a restore
/// of ours has landed, even if its state steps have not.
pub fn same_content(before: &Value, now: &Value) -> bool {
    content(before) == content(now)
}

fn content(full: &Value) -> Value {
    let mut client = full["client"].as_object().cloned().unwrap_or_default();
    for k in SERVER_OWNED_FIELDS {
        client.remove(*k);
    }
    let plain = |name: &str| -> Vec<Value> { list(full, name).iter().map(custom_value).collect() };
    json!({
        "client": client,
        "addresses": plain("addresses"),
        "idDocuments": plain("idDocuments"),
        "customInformation": plain("customInformation"),
    })
}

/// The client without `lastModifiedDate`, nor the keys of its profile
/// picture and signature, which change with every upload: a revert puts
/// the documents back by content (`push::documents::restore`).
fn without_last_modified(full: &Value) -> Value {
    let mut v = full.clone();
    if let Some(c) = v["client"].as_object_mut() {
        c.remove("lastModifiedDate");
        c.remove("profilePictureKey");
        c.remove("profileSignatureKey");
    }
    v
}

fn list<'a>(full: &'a Value, name: &str) -> &'a [Value] {
    full[name].as_array().map(Vec::as_slice).unwrap_or_default()
}

fn diff(path: &str, a: &Value, b: &Value, out: &mut Vec<String>) {
    if a == b {
        return;
    }
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                let at = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                diff(
                    &at,
                    x.get(k).unwrap_or(&Value::Null),
                    y.get(k).unwrap_or(&Value::Null),
                    out,
                );
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                diff(&format!("{path}[{i}]"), p, q, out);
            }
        }
        _ => out.push(path.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn before() -> Value {
        json!({
            "client": {"encodedKey": "ck", "id": "7", "firstName": "Ana", "state": "INACTIVE",
                       "assignedBranchKey": "b1", "lastModifiedDate": "t0", "clientRole": {"encodedKey": "r"}},
            "addresses": [{"encodedKey": "a1", "parentKey": "ck", "indexInList": 0, "city": "Porto"}],
            "idDocuments": [{"encodedKey": "d1", "clientKey": "ck", "indexInList": 0, "documentType": "P", "documentId": "1"},
                            {"encodedKey": "d2", "clientKey": "ck", "indexInList": 1, "documentType": "Q", "documentId": "2"}],
            "customInformation": [{"encodedKey": "v1", "customFieldID": "Tax_ID", "value": "1", "customField": {},
                                   "customFieldSetGroupIndex": -1, "indexInList": 0}]
        })
    }

    #[test]
    fn fields_the_import_added_are_cleared_with_null_and_changed_ones_set_back() {
        let now = json!({
            "client": {"encodedKey": "ck", "id": "7", "firstName": "Anna", "middleName": "M", "homePhone": "5",
                       "assignedBranchKey": "b2", "assignedCentreKey": "c2", "assignedUserKey": "u2",
                       "state": "INACTIVE", "lastModifiedDate": "t1", "clientRole": {"encodedKey": "r"}},
            "addresses": [{"encodedKey": "a1", "city": "Braga"}],
            "idDocuments": [{"encodedKey": "d2", "documentType": "Q", "documentId": "2"}, {"encodedKey": "d3"}],
            "customInformation": []
        });
        let body = restore_body(&before(), &now);
        assert_eq!(
            body["client"],
            json!({"encodedKey": "ck", "id": "7", "firstName": "Ana", "assignedBranchKey": "b1",
                   "clientRole": {"encodedKey": "r"}, "middleName": null, "homePhone": null,
                   "assignedCentreKey": null, "assignedUserKey": null})
        );
        assert_eq!(
            body["addresses"],
            json!([{"encodedKey": "a1", "city": "Porto"}])
        );
        // d1 was deleted since: it can only come back as a new entry.
        assert_eq!(
            body["idDocuments"],
            json!([{"documentType": "P", "documentId": "1"},
                   {"encodedKey": "d2", "documentType": "Q", "documentId": "2"}])
        );
        assert_eq!(
            body["customInformation"],
            json!([{"customFieldID": "Tax_ID", "value": "1"}])
        );
    }

    #[test]
    fn a_language_the_import_added_is_not_sent_as_null() {
        let before = json!({"client": {"encodedKey": "ck", "id": "7"}});
        let now =
            json!({"client": {"encodedKey": "ck", "id": "7", "preferredLanguage": "ENGLISH"}});
        assert_eq!(
            restore_body(&before, &now)["client"],
            json!({"encodedKey": "ck", "id": "7"})
        );
    }

    #[test]
    fn lists_the_before_image_lacked_are_sent_empty() {
        let before = json!({"client": {"encodedKey": "ck", "id": "7"}});
        let now =
            json!({"client": {"encodedKey": "ck", "id": "7"}, "addresses": [{"encodedKey": "a"}]});
        let body = restore_body(&before, &now);
        assert_eq!(body["addresses"], json!([]));
        assert_eq!(body["idDocuments"], json!([]));
        assert_eq!(body["customInformation"], json!([]));
    }

    #[test]
    fn comparisons_leave_out_only_what_they_say() {
        let mut now = before();
        now["client"]["lastModifiedDate"] = json!("t9");
        assert!(same_but_last_modified(&before(), &now));
        now["client"]["state"] = json!("PENDING_APPROVAL");
        assert!(!same_but_last_modified(&before(), &now));
        assert!(same_content(&before(), &now));
        assert_eq!(differences(&before(), &now), ["client.state"]);
        now["idDocuments"][1]["encodedKey"] = json!("d9");
        assert!(same_content(&before(), &now));
        assert_eq!(
            differences(&before(), &now),
            ["client.state", "idDocuments[1].encodedKey"]
        );
        now["client"]["notes"] = json!("x");
        assert!(!same_content(&before(), &now));
    }
}
