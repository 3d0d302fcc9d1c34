//! Field by field: what was sent (or a before-image) against what the
//! target holds now, with the API's normalisation in mind.
//!
//! In: two full client shapes as JSON (`{client, addresses, idDocuments,
//! customInformation}`): the expected one and the target's. Out: the
//! differing fields, each with the expected and the current value. Never
//! fails.
//!
//! Only what the expected shape carries is compared: a field the request
//! did not set is the server's to fill. Server-owned client fields
//! (`model::SERVER_OWNED_FIELDS`: keys, state, dates the server stamps) and
//! the keys the server gives nested entries (`encodedKey`, `parentKey`,
//! `clientKey`, `indexInList`) are never compared. Dates compare by their
//! calendar day (a birth date sent as `1989-01-19` is stored as
//! `1989-01-19T00:00:00+0000`); numbers and strings compare by their text
//! (`2` and `"2"` are one value). Lists: Mambu keeps only the first address;
//! ID documents compare in order with their count; custom field values by
//! `customFieldID` (and group index).

use std::collections::BTreeMap;

use serde_json::Value;

use crate::model::SERVER_OWNED_FIELDS;

/// Keys the server gives nested entries; never compared.
const NESTED_SERVER_KEYS: &[&str] = &[
    "encodedKey",
    "parentKey",
    "clientKey",
    "indexInList",
    "customFieldKey",
    "customField",
    "attachments",
];

/// One field that differs.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FieldDiff {
    /// The field, as a path (`client.firstName`, `addresses[0].city`,
    /// `idDocuments[1].documentId`, `customInformation.Occupation`).
    pub field: String,
    /// What was sent (or the before-image's value); null when absent.
    pub expected: Value,
    /// What the target holds now; null when absent.
    pub now: Value,
}

fn is_day(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[8..10].iter().all(u8::is_ascii_digit)
}

fn as_text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) if s.is_empty() => None,
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        other => Some(other.to_string()),
    }
}

/// Whether two values are the same once the API's normalisation is allowed for.
pub fn same(expected: &Value, now: &Value) -> bool {
    if expected == now {
        return true;
    }
    if let (Value::Object(a), Value::Object(b)) = (expected, now) {
        // A reference (clientRole) compares by the keys the expected one gives.
        return a
            .iter()
            .all(|(k, v)| same(v, b.get(k).unwrap_or(&Value::Null)));
    }
    match (as_text(expected), as_text(now)) {
        (None, None) => true,
        // A bare day against a timestamp: the day is what was meant.
        (Some(a), Some(b)) if is_day(&a) && is_day(&b) && (a.len() == 10 || b.len() == 10) => {
            a[..10] == b[..10]
        }
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

fn push(out: &mut Vec<FieldDiff>, field: String, expected: &Value, now: &Value) {
    if !same(expected, now) {
        out.push(FieldDiff {
            field,
            expected: expected.clone(),
            now: now.clone(),
        });
    }
}

fn compare_entry(out: &mut Vec<FieldDiff>, prefix: &str, expected: &Value, now: &Value) {
    let Some(obj) = expected.as_object() else {
        return;
    };
    for (k, v) in obj {
        if NESTED_SERVER_KEYS.contains(&k.as_str()) {
            continue;
        }
        push(
            out,
            format!("{prefix}.{k}"),
            v,
            now.get(k).unwrap_or(&Value::Null),
        );
    }
}

fn custom_values(v: &Value) -> BTreeMap<String, Value> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| {
            let id = c["customFieldID"].as_str()?;
            let group = c.get("customFieldSetGroupIndex").and_then(Value::as_i64);
            // Mambu gives a field outside a group index -1.
            let name = match group.filter(|i| *i >= 0) {
                Some(i) => format!("{id}[{i}]"),
                None => id.to_string(),
            };
            Some((name, c["value"].clone()))
        })
        .collect()
}

/// The fields in which `now` differs from `expected`.
pub fn diff(expected: &Value, now: &Value) -> Vec<FieldDiff> {
    let mut out = Vec::new();
    if let Some(client) = expected["client"].as_object() {
        for (k, v) in client {
            if SERVER_OWNED_FIELDS.contains(&k.as_str()) || k == "migrationEventKey" {
                continue;
            }
            push(
                &mut out,
                format!("client.{k}"),
                v,
                now["client"].get(k).unwrap_or(&Value::Null),
            );
        }
    }
    if let Some(sent) = expected["addresses"].as_array() {
        let have = now["addresses"].as_array().cloned().unwrap_or_default();
        match (sent.first(), have.first()) {
            (Some(s), Some(h)) => compare_entry(&mut out, "addresses[0]", s, h),
            (Some(s), None) => push(&mut out, "addresses[0]".into(), s, &Value::Null),
            (None, Some(h)) => push(&mut out, "addresses[0]".into(), &Value::Null, h),
            (None, None) => {}
        }
    }
    if let Some(sent) = expected["idDocuments"].as_array() {
        let have = now["idDocuments"].as_array().cloned().unwrap_or_default();
        if sent.len() != have.len() {
            push(
                &mut out,
                "idDocuments.count".into(),
                &Value::from(sent.len()),
                &Value::from(have.len()),
            );
        }
        for (i, (s, h)) in sent.iter().zip(&have).enumerate() {
            compare_entry(&mut out, &format!("idDocuments[{i}]"), s, h);
        }
    }
    if !expected["customInformation"].is_null() {
        let sent = custom_values(&expected["customInformation"]);
        let have = custom_values(&now["customInformation"]);
        for (id, v) in &sent {
            push(
                &mut out,
                format!("customInformation.{id}"),
                v,
                have.get(id).unwrap_or(&Value::Null),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn what_the_server_normalises_or_owns_is_not_a_difference() {
        let sent = json!({
            "client": {"id": "C1", "firstName": "Ann", "birthDate": "1989-01-19", "loanCycle": 2,
                       "state": "ACTIVE", "clientRole": {"encodedKey": "r1"}},
            "addresses": [{"line1": "Main 1", "city": "Graz"}],
            "idDocuments": [{"documentId": "P1", "documentType": "PASSPORT"}],
            "customInformation": [{"customFieldID": "Occupation", "value": "Teacher"}]
        });
        let now = json!({
            "client": {"id": "C1", "firstName": "Ann", "birthDate": "1989-01-19T00:00:00+0000",
                       "loanCycle": "2", "state": "INACTIVE", "encodedKey": "k", "notes": "added",
                       "clientRole": {"encodedKey": "r1", "id": "IND"}},
            "addresses": [{"line1": "Main 1", "city": "Graz", "encodedKey": "a", "parentKey": "k"}],
            "idDocuments": [{"documentId": "P1", "documentType": "PASSPORT", "encodedKey": "d"}],
            "customInformation": [{"customFieldID": "Occupation", "value": "Teacher", "encodedKey": "c"}]
        });
        assert_eq!(diff(&sent, &now), []);
    }

    #[test]
    fn every_kind_of_change_is_named_with_both_values() {
        let sent = json!({
            "client": {"firstName": "Ann", "birthDate": "1989-01-19"},
            "addresses": [{"city": "Graz"}],
            "idDocuments": [{"documentId": "P1"}, {"documentId": "P2"}],
            "customInformation": [{"customFieldID": "Occupation", "value": "Teacher"},
                                  {"customFieldID": "Kin", "value": "Bo", "customFieldSetGroupIndex": 1}]
        });
        let now = json!({
            "client": {"firstName": "Anna", "birthDate": "1989-01-20T00:00:00+0000"},
            "addresses": [{"city": "Wien"}],
            "idDocuments": [{"documentId": "X1"}],
            "customInformation": [{"customFieldID": "Kin", "value": "Bo", "customFieldSetGroupIndex": 0}]
        });
        let d = diff(&sent, &now);
        let fields: Vec<_> = d.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "client.birthDate",
                "client.firstName",
                "addresses[0].city",
                "idDocuments.count",
                "idDocuments[0].documentId",
                "customInformation.Kin[1]",
                "customInformation.Occupation"
            ]
        );
        assert_eq!(d[1].expected, "Ann");
        assert_eq!(d[1].now, "Anna");
        assert_eq!(d[6].now, Value::Null);
    }
}
