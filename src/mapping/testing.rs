//! Test fixtures: in-memory sources, rows and a small tenant.

use csv::StringRecord;

use super::Plan;

use crate::field_error::FieldError;
use crate::model::ReturnCode;
use crate::source::{RawRow, RowSource, SourceError};
use crate::tenant::{Branch, Centre, ClientRole, Tenant, TenantSchema, User};

/// A record from its fields.
pub fn record(fields: &[&str]) -> StringRecord {
    StringRecord::from(fields.to_vec())
}

/// A row (number 1) from its fields.
pub fn row(fields: &[&str]) -> RawRow {
    RawRow {
        row: 1,
        line: 2,
        fields: record(fields),
        problem: None,
    }
}

/// Column names from string literals.
pub fn cols(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

/// A source serving rows from memory, as `crate::source::open` would.
pub struct VecSource {
    columns: Vec<String>,
    rows: std::vec::IntoIter<RawRow>,
}

impl VecSource {
    /// A source with a header and rows.
    pub fn new(columns: &[&str], rows: &[&[&str]]) -> Self {
        let rows: Vec<RawRow> = rows
            .iter()
            .enumerate()
            .map(|(i, f)| RawRow {
                row: i as u64 + 1,
                line: i as u64 + 2,
                fields: record(f),
                problem: None,
            })
            .collect();
        Self {
            columns: cols(columns),
            rows: rows.into_iter(),
        }
    }

    /// Marks the row at `index` (0-based) as not read cleanly.
    pub fn problem_at(&mut self, index: usize, message: &str) {
        let mut rows: Vec<RawRow> = std::mem::take(&mut self.rows).collect();
        rows[index].problem = Some(FieldError::error(
            "row",
            ReturnCode::SourceMalformedRow,
            message,
        ));
        self.rows = rows.into_iter();
    }
}

impl RowSource for VecSource {
    fn columns(&self) -> &[String] {
        &self.columns
    }

    fn next_row(&mut self) -> Result<Option<RawRow>, SourceError> {
        Ok(self.rows.next())
    }
}

/// A tenant with one branch (HQ), centre (C1), user (jdoe), role (RETAIL)
/// and custom field (Occupation).
pub fn tenant() -> Tenant {
    let schema: TenantSchema = serde_json::from_value(serde_json::json!({
        "customFieldSets": [{
            "id": "Personal", "usage": "SINGLE",
            "customFields": [{"id": "Occupation", "encodedKey": "8acf"}]
        }]
    }))
    .expect("fixture");
    Tenant::from_schema(TenantSchema {
        branches: vec![Branch {
            encoded_key: "8ab1".into(),
            id: "HQ".into(),
            ..Default::default()
        }],
        centres: vec![Centre {
            encoded_key: "8ac1".into(),
            id: "C1".into(),
            ..Default::default()
        }],
        users: vec![User {
            encoded_key: "8au1".into(),
            username: "jdoe".into(),
            ..Default::default()
        }],
        client_roles: vec![ClientRole {
            encoded_key: "8ar1".into(),
            id: Some("RETAIL".into()),
            ..Default::default()
        }],
        ..schema
    })
    .expect("fixture")
}

/// Compiles `toml` for a main file with `columns`, serving `[[join]]` files
/// (by file name) from `related`.
pub fn compile(
    toml: &str,
    columns: &[&str],
    tenant: &Tenant,
    related: Vec<(&str, VecSource)>,
) -> Result<Plan, super::MappingError> {
    let mapping = super::Mapping::from_toml(toml, std::path::Path::new("/data"))?;
    let mut related: Vec<(String, Option<VecSource>)> = related
        .into_iter()
        .map(|(name, src)| (name.to_string(), Some(src)))
        .collect();
    let mut open = |path: &std::path::Path,
                    _: &crate::source::SourceSpec|
     -> Result<Box<dyn RowSource>, SourceError> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        match related
            .iter_mut()
            .find(|(n, _)| *n == name)
            .and_then(|(_, s)| s.take())
        {
            Some(src) => Ok(Box::new(src)),
            None => Err(SourceError::Unusable {
                path: path.display().to_string(),
                message: "not served".into(),
            }),
        }
    };
    mapping.compile_with(&cols(columns), tenant, &mut open)
}

/// Maps one row with fields `fields`.
pub fn apply(
    plan: &super::Plan,
    fields: &[&str],
) -> (crate::model::ClientRequest, Vec<FieldError>) {
    let mut errors = Vec::new();
    let req = plan.apply(&row(fields), &mut errors);
    (req, errors)
}

/// Compiles `toml` for a main file with `columns` and the fixture tenant.
pub fn plan(toml: &str, columns: &[&str]) -> Plan {
    compile(toml, columns, &tenant(), vec![]).expect("mapping compiles")
}

/// Findings as (field, code) pairs.
pub fn codes(errors: &[FieldError]) -> Vec<(String, u16)> {
    errors
        .iter()
        .map(|e| (e.field.clone(), e.code.code()))
        .collect()
}

/// A plan whose address comes from `addresses.csv` (join `adr`, C1 has two
/// rows, C7 is not a main client) and whose second document entry comes
/// from `documents.csv` (join `docs`).
pub fn joined_plan(required: bool) -> Plan {
    let toml = format!(
        r#"
        [client]
        id = "NO"
        [address]
        from = "adr"
        line1 = "street"
        city = {{ column = "city", case = "upper" }}
        [[id_document]]
        documentType = {{ constant = "PASSPORT" }}
        documentId = "PASS"
        [[id_document]]
        from = "docs"
        documentType = "type"
        documentId = "number"
        validUntil = {{ column = "expiry", date = "%d.%m.%Y" }}
        [[join]]
        name = "adr"
        file = "sub/addresses.csv"
        key = "client_id"
        on = "NO"
        required = {required}
        [[join]]
        name = "docs"
        file = "documents.csv"
        key = "client"
        on = "NO"
        "#
    );
    let addresses = VecSource::new(
        &["client_id", "street", "city"],
        &[
            &["C1", "Main St 1", "Berlin"],
            &["C1", "Second St", "Bonn"],
            &["C7", "Orphan", "x"],
        ],
    );
    let documents = VecSource::new(
        &["client", "type", "number", "expiry"],
        &[
            &["C1", "ID_CARD", "X1", "01.02.2030"],
            &["C2", "ID_CARD", "Y1", ""],
            &["C1", "", "", ""],
            &["C1", "LICENSE", "X2", "bad"],
        ],
    );
    compile(
        &toml,
        &["NO", "PASS"],
        &tenant(),
        vec![("addresses.csv", addresses), ("documents.csv", documents)],
    )
    .unwrap()
}
