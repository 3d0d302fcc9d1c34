//! A stored entry (address, ID document, custom field value) in the form a
//! request carries it: what the server stamps on it (parent keys, list
//! indexes, the field's definition) left out, and its own `encodedKey`
//! kept only where the update must match it to the stored entry.
//!
//! In: one entry of a full-details client. Out: the entry as JSON for an
//! update body. Never fails: anything that is not an object passes as is.

use serde_json::{Map, Value};

/// Keys the server sets on nested entries; a request never sends them.
const STAMPED: &[&str] = &[
    "parentKey",
    "clientKey",
    "indexInList",
    "customFieldKey",
    "customField",
];

/// An address or ID document as an update sends it; `keep_key` keeps its
/// `encodedKey`, which makes the update change it in place.
pub fn entry(stored: &Value, keep_key: bool) -> Value {
    let Some(o) = stored.as_object() else {
        return stored.clone();
    };
    let mut out = Map::with_capacity(o.len());
    for (k, v) in o {
        if STAMPED.contains(&k.as_str()) || (k == "encodedKey" && !keep_key) {
            continue;
        }
        out.insert(k.clone(), v.clone());
    }
    Value::Object(out)
}

/// A custom field value as an update sends it: matched by `customFieldID`
/// and group index, so no key; a group index of -1 (not grouped) left out.
pub fn custom_value(stored: &Value) -> Value {
    let mut v = entry(stored, false);
    if let Some(o) = v.as_object_mut() {
        if group_index(stored) < 0 {
            o.remove("customFieldSetGroupIndex");
        }
    }
    v
}

/// A custom value's group index as a number; -1 when not grouped.
pub fn group_index(v: &Value) -> i64 {
    match &v["customFieldSetGroupIndex"] {
        Value::Number(n) => n.as_i64().unwrap_or(-1),
        Value::String(s) => s.trim().parse().unwrap_or(-1),
        _ => -1,
    }
}

/// `given` laid over `stored`: a field given replaces, `null` removes, an
/// absent one stays.
pub fn overlay(stored: &Value, given: &Value) -> Value {
    let mut out = stored.as_object().cloned().unwrap_or_default();
    if let Some(g) = given.as_object() {
        for (k, v) in g {
            if v.is_null() {
                out.remove(k);
            } else {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn stamped_keys_go_and_the_own_key_stays_when_asked() {
        let a = json!({"encodedKey": "a1", "parentKey": "c", "indexInList": 0, "city": "Porto"});
        assert_eq!(
            entry(&a, true),
            json!({"encodedKey": "a1", "city": "Porto"})
        );
        assert_eq!(entry(&a, false), json!({"city": "Porto"}));
        let v = json!({"encodedKey": "v", "customFieldID": "X", "customField": {}, "customFieldKey": "k",
                       "value": "1", "customFieldSetGroupIndex": -1, "indexInList": 3, "parentKey": "c"});
        assert_eq!(
            custom_value(&v),
            json!({"customFieldID": "X", "value": "1"})
        );
        let g = json!({"customFieldID": "N", "value": "a", "customFieldSetGroupIndex": 1});
        assert_eq!(custom_value(&g), g);
        assert_eq!(group_index(&json!({"customFieldSetGroupIndex": "2"})), 2);
    }

    #[test]
    fn overlay_replaces_removes_and_keeps() {
        let s = json!({"a": 1, "b": 2, "c": 3});
        assert_eq!(
            overlay(&s, &json!({"a": 9, "b": null, "d": 4})),
            json!({"a": 9, "c": 3, "d": 4})
        );
    }
}
