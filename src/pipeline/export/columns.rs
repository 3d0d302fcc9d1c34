//! The CSV of `ferry export`.
//!
//! One row per client; the columns (client fields, the first address, up
//! to three ID documents, one column per custom field of the tenant, three
//! per field of a grouped set)
//! are listed in `docs/export.md` and by [`csv_columns`]. Values the fixed
//! columns cannot hold (more ID documents, custom field values in groups or
//! of fields the tenant file does not define, as `{customFieldID, value,
//! customFieldSetGroupIndex}`) go, as JSON, in the
//! `idDocuments.more` and `customInformation.other` columns. NDJSON keeps
//! the API's full shape, one client per line.
//!
//! In: a client in the API's full shape. Out: its cells over the columns.
//! Never fails: a value that fits no column goes to a JSON column.

use std::collections::HashSet;

use serde_json::{json, Map, Value};

use crate::mapping::DocumentKind;

/// ID documents given columns of their own; more go to `idDocuments.more`.
pub const ID_DOCUMENT_COLUMNS: usize = 3;
/// Groups of a grouped custom field set given columns of their own
/// (`custom.<id>.<n>`, group index n - 1); more go to `customInformation.other`.
pub const GROUP_COLUMNS: usize = 3;

/// The client's own fields, in CSV column order.
pub const CLIENT_COLUMNS: &[&str] = &[
    "id",
    "encodedKey",
    "state",
    "firstName",
    "middleName",
    "lastName",
    "birthDate",
    "gender",
    "emailAddress",
    "mobilePhone1",
    "mobilePhone2",
    "homePhone",
    "preferredLanguage",
    "notes",
    "assignedBranchKey",
    "assignedCentreKey",
    "assignedUserKey",
    "clientRole.encodedKey",
    "loanCycle",
    "groupLoanCycle",
    "creationDate",
    "lastModifiedDate",
    "activationDate",
    "approvedDate",
    "closedDate",
];

/// The address fields, each as `address.<field>` (the first address).
pub const ADDRESS_FIELDS: &[&str] = &["line1", "line2", "city", "region", "postcode", "country"];

/// The ID document fields, each as `idDocuments.<n>.<field>`.
pub const ID_DOCUMENT_FIELDS: &[&str] = &[
    "documentType",
    "documentId",
    "issuingAuthority",
    "validUntil",
    "identificationDocumentTemplateKey",
];

/// The document columns of the CSV, by kind: each holds the path of the
/// exported file, relative to the export file's directory.
pub const DOCUMENT_COLUMNS: &[(DocumentKind, &str)] = &[
    (DocumentKind::ProfilePicture, "profilePicture"),
    (DocumentKind::Signature, "signature"),
];

/// The key of a full client (as NDJSON writes it) holding its document
/// files by API name, paths relative to the export file's directory.
pub const DOCUMENT_FILES_KEY: &str = "documentFiles";

/// The CSV columns, given the tenant's custom fields (id, and whether its
/// set is grouped).
pub fn csv_columns(custom_fields: &[(String, bool)]) -> Vec<String> {
    let mut cols: Vec<String> = CLIENT_COLUMNS.iter().map(|s| s.to_string()).collect();
    cols.extend(ADDRESS_FIELDS.iter().map(|f| format!("address.{f}")));
    for n in 1..=ID_DOCUMENT_COLUMNS {
        cols.extend(
            ID_DOCUMENT_FIELDS
                .iter()
                .map(|f| format!("idDocuments.{n}.{f}")),
        );
    }
    cols.push("idDocuments.more".into());
    for (id, grouped) in custom_fields {
        if *grouped {
            cols.extend((1..=GROUP_COLUMNS).map(|n| format!("custom.{id}.{n}")));
        } else {
            cols.push(format!("custom.{id}"));
        }
    }
    cols.push("customInformation.other".into());
    cols.extend(DOCUMENT_COLUMNS.iter().map(|(_, c)| c.to_string()));
    cols
}

fn text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A full client as one CSV record over `columns`.
pub fn flatten(full: &Value, columns: &[String]) -> Vec<String> {
    let client = &full["client"];
    let address = full["addresses"].get(0).cloned().unwrap_or(Value::Null);
    let docs = full["idDocuments"].as_array().cloned().unwrap_or_default();
    let custom = full["customInformation"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let custom_cols: HashSet<&str> = columns
        .iter()
        .filter_map(|c| c.strip_prefix("custom."))
        .collect();
    let mut other_custom = Vec::new();
    let mut custom_by_id = Map::new();
    for v in &custom {
        let id = v["customFieldID"].as_str().unwrap_or_default();
        // Mambu gives a field outside a group index -1.
        let group = v["customFieldSetGroupIndex"].as_i64().filter(|i| *i >= 0);
        let column = match group {
            None => id.to_string(),
            Some(i) => format!("{id}.{}", i + 1),
        };
        if custom_cols.contains(column.as_str()) {
            custom_by_id.insert(column, v["value"].clone());
        } else {
            let mut kept = json!({"customFieldID": id, "value": v["value"]});
            if let Some(i) = group {
                kept["customFieldSetGroupIndex"] = i.into();
            }
            other_custom.push(kept);
        }
    }
    columns
        .iter()
        .map(|col| {
            if col == "clientRole.encodedKey" {
                return text(&client["clientRole"]["encodedKey"]);
            }
            if let Some((kind, _)) = DOCUMENT_COLUMNS.iter().find(|(_, c)| c == col) {
                return text(&full[DOCUMENT_FILES_KEY][kind.api_name()]);
            }
            if let Some(f) = col.strip_prefix("address.") {
                return text(&address[f]);
            }
            if col == "idDocuments.more" {
                return match docs.get(ID_DOCUMENT_COLUMNS..) {
                    Some(more) if !more.is_empty() => Value::Array(more.to_vec()).to_string(),
                    _ => String::new(),
                };
            }
            if let Some(rest) = col.strip_prefix("idDocuments.") {
                let (n, f) = rest.split_once('.').unwrap_or((rest, ""));
                let n: usize = n.parse().unwrap_or(0);
                return docs
                    .get(n.wrapping_sub(1))
                    .map(|d| text(&d[f]))
                    .unwrap_or_default();
            }
            if col == "customInformation.other" {
                return if other_custom.is_empty() {
                    String::new()
                } else {
                    Value::Array(other_custom.clone()).to_string()
                };
            }
            if let Some(id) = col.strip_prefix("custom.") {
                return custom_by_id.get(id).map(text).unwrap_or_default();
            }
            text(&client[col.as_str()])
        })
        .collect()
}

pub(super) fn csv_line(cells: &[String]) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    // Writing to memory cannot fail.
    let _ = w.write_record(cells);
    w.into_inner().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_client_flattens_into_the_documented_columns() {
        let cols = csv_columns(&[
            ("Occupation".into(), false),
            ("Income".into(), false),
            ("Kin".into(), true),
        ]);
        let full = json!({
            "client": {"id": "C1", "encodedKey": "k", "firstName": "Ann", "loanCycle": 2,
                       "clientRole": {"encodedKey": "r1"}},
            "addresses": [{"line1": "Main St 1", "city": "Graz"}, {"line1": "ignored"}],
            "idDocuments": [
                {"documentType": "PASSPORT", "documentId": "P1"},
                {"documentType": "ID", "documentId": "I2"},
                {"documentType": "ID", "documentId": "I3"},
                {"documentType": "ID", "documentId": "I4"}
            ],
            "customInformation": [
                {"customFieldID": "Occupation", "value": "Teacher", "customFieldSetGroupIndex": -1},
                {"customFieldID": "Kin", "value": "Bo", "customFieldSetGroupIndex": 0},
                {"customFieldID": "Kin", "value": "Cy", "customFieldSetGroupIndex": 3},
                {"customFieldID": "Unknown", "value": "x"}
            ]
        });
        let row = flatten(&full, &cols);
        let get = |c: &str| row[cols.iter().position(|x| x == c).unwrap()].clone();
        assert_eq!(row.len(), cols.len());
        assert_eq!(get("id"), "C1");
        assert_eq!(get("loanCycle"), "2");
        assert_eq!(get("clientRole.encodedKey"), "r1");
        assert_eq!(get("address.line1"), "Main St 1");
        assert_eq!(get("address.city"), "Graz");
        assert_eq!(get("address.country"), "");
        assert_eq!(get("idDocuments.1.documentId"), "P1");
        assert_eq!(get("idDocuments.3.documentId"), "I3");
        let more: Value = serde_json::from_str(&get("idDocuments.more")).unwrap();
        assert_eq!(more[0]["documentId"], "I4");
        assert_eq!(get("custom.Occupation"), "Teacher");
        assert_eq!(get("custom.Income"), "");
        let other: Value = serde_json::from_str(&get("customInformation.other")).unwrap();
        let ids: Vec<_> = other
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["customFieldID"].as_str().unwrap())
            .collect();
        assert_eq!(ids, ["Kin", "Unknown"]);
        assert_eq!(other[0]["customFieldSetGroupIndex"], 3);
        assert_eq!(get("custom.Kin.1"), "Bo");
        assert_eq!(get("custom.Kin.2"), "");
    }
}
