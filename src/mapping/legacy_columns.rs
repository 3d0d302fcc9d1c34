//! A mapping read backwards: the columns of `ferry export`'s CSV renamed to
//! the legacy columns a mapping reads, with the values put back the way the
//! export had them, so that export → validate → import goes round with the
//! same mapping.
//!
//! In: a loaded mapping. Out: `LegacyColumns`, which names for every legacy
//! column the export column it comes from (`firstName`, `address.city`,
//! `idDocuments.1.documentId`, `custom.Tax_ID`, `custom.Kin_Name.2` — the
//! names of `docs/export.md`) and how a value is turned back: a value map
//! inverted (the first source value, in sorted order, that maps to the
//! value), an API date written in the mapping's date format. What cannot be
//! put back into the main file is listed in `not_exported`, never guessed:
//! entries fed by a `[[join]]` (they live in the related file), constants
//! and defaults (nothing to read), custom fields whose id comes from a
//! column. Case conversion and trimming are not undone: the mapping applies
//! them again. Branch, centre, officer and role keys are written as the
//! target's encoded keys, which `resolve` accepts as well as ids.
//! Never fails.

use std::collections::HashMap;

use super::config::MappingConfig;
use super::date::DateRule;
use super::value_spec::{Input, ValueSpec};
use super::Mapping;

/// One legacy column of the output.
#[derive(Debug, Clone)]
struct LegacyColumn {
    /// The legacy column's name, as the mapping reads it.
    name: String,
    /// The export column the value comes from.
    export: String,
    /// API value → source value, from the mapping's value map.
    unmap: Option<HashMap<String, String>>,
    /// The mapping's date rule, to write an API date back in its format.
    date: Option<DateRule>,
}

/// The export's columns as a mapping's legacy columns.
#[derive(Debug, Clone)]
pub struct LegacyColumns {
    columns: Vec<LegacyColumn>,
    /// A `[[custom_field]]` whose id is read from a column (positions of its
    /// id and value columns): it carries the first ungrouped custom value
    /// that no other entry names.
    free_custom: Option<(usize, usize)>,
    /// The export's custom columns other entries name.
    named_custom: Vec<String>,
    /// Mapping entries whose values the main file cannot carry, with why.
    pub not_exported: Vec<String>,
}

impl LegacyColumns {
    /// The legacy columns `mapping` reads from its main file.
    pub fn from_mapping(mapping: &Mapping) -> Self {
        from_config(&mapping.config)
    }

    /// The legacy header, in the mapping's order.
    pub fn header(&self) -> Vec<String> {
        self.columns.iter().map(|c| c.name.clone()).collect()
    }

    /// The export columns the legacy columns are read from.
    pub fn export_columns(&self) -> impl Iterator<Item = &str> {
        self.columns.iter().map(|c| c.export.as_str())
    }

    /// One client's legacy record, from its export record over
    /// `export_columns` (the export's full header).
    pub fn record(&self, export_columns: &[String], export_row: &[String]) -> Vec<String> {
        let at: HashMap<&str, usize> = export_columns
            .iter()
            .enumerate()
            .map(|(i, c)| (c.as_str(), i))
            .collect();
        let mut out: Vec<String> = self
            .columns
            .iter()
            .map(|c| {
                let v = at
                    .get(c.export.as_str())
                    .and_then(|&i| export_row.get(i))
                    .map(String::as_str)
                    .unwrap_or_default();
                c.put_back(v)
            })
            .collect();
        if let Some((id_at, value_at)) = self.free_custom {
            let free = export_columns.iter().zip(export_row).find(|(c, v)| {
                c.strip_prefix("custom.")
                    .is_some_and(|id| !id.contains('.'))
                    && !v.is_empty()
                    && !self.named_custom.contains(c)
            });
            if let Some((c, v)) = free {
                out[id_at] = c["custom.".len()..].to_string();
                out[value_at] = v.clone();
            }
        }
        out
    }
}

impl LegacyColumn {
    fn put_back(&self, v: &str) -> String {
        if v.is_empty() {
            return String::new();
        }
        if let Some(unmap) = &self.unmap {
            if let Some(source) = unmap.get(v) {
                return source.clone();
            }
        }
        if let Some(rule) = &self.date {
            if let Some(written) = write_date(rule, v) {
                return written;
            }
        }
        v.to_string()
    }
}

/// An API date (`YYYY-MM-DD`, or a date-time starting with one) in the
/// rule's format; `None` when the format needs more than a date can give
/// (a zone or an offset), and the API's form is kept.
fn write_date(rule: &DateRule, v: &str) -> Option<String> {
    let date: jiff::civil::Date = v.get(..10)?.parse().ok()?;
    let written = jiff::fmt::strtime::format(
        rule.format(),
        date.to_datetime(jiff::civil::Time::midnight()),
    )
    .ok()?;
    // Only a format that reads back to the same day is trusted.
    (rule.convert(&written).ok()? == date).then_some(written)
}

fn from_config(config: &MappingConfig) -> LegacyColumns {
    let mut out = LegacyColumns {
        columns: Vec::new(),
        free_custom: None,
        named_custom: Vec::new(),
        not_exported: Vec::new(),
    };
    let mut taken: HashMap<String, String> = HashMap::new();
    let mut add = |out: &mut LegacyColumns, entry: String, export: String, spec: &ValueSpec| {
        let Input::Column(name) = &spec.input else {
            out.not_exported
                .push(format!("{entry}: a constant, not read from a column"));
            return;
        };
        // Two entries reading one column (a JSON path, or a column used twice)
        // get the first entry's value.
        if let Some(first) = taken.get(name) {
            out.not_exported.push(format!(
                "{entry}: column {name} is already written from {first}"
            ));
            return;
        }
        taken.insert(name.clone(), export.clone());
        let unmap = spec.map.as_ref().map(|m| {
            let mut pairs: Vec<(&str, &str)> = m.entries().collect();
            pairs.sort_unstable();
            let mut back = HashMap::new();
            for (source, api) in pairs {
                back.entry(api.to_string())
                    .or_insert_with(|| source.to_string());
            }
            back
        });
        out.columns.push(LegacyColumn {
            name: name.clone(),
            export,
            unmap,
            date: spec.date.clone(),
        });
    };
    for (field, spec) in &config.client {
        let export = match field.name() {
            "clientRole" => "clientRole.encodedKey".to_string(),
            other => other.to_string(),
        };
        add(&mut out, format!("[client] {}", field.name()), export, spec);
    }
    if let Some(address) = &config.address {
        if let Some(join) = &address.from {
            out.not_exported.push(format!(
                "{}: from the related file of [[join]] {join}",
                address.entry
            ));
        } else {
            for (field, spec) in &address.fields {
                add(
                    &mut out,
                    format!("{} {}", address.entry, field.name()),
                    format!("address.{}", field.name()),
                    spec,
                );
            }
        }
    }
    let mut n = 0;
    for doc in &config.id_documents {
        if let Some(join) = &doc.from {
            out.not_exported.push(format!(
                "{}: from the related file of [[join]] {join}",
                doc.entry
            ));
            continue;
        }
        n += 1;
        for (field, spec) in &doc.fields {
            add(
                &mut out,
                format!("{} {}", doc.entry, field.name()),
                format!("idDocuments.{n}.{}", field.name()),
                spec,
            );
        }
    }
    for cf in &config.custom_fields {
        let Input::Constant(id) = &cf.id.input else {
            empty_columns(&mut out, [Some(&cf.id), Some(&cf.value), group_spec(cf)]);
            let position = |spec: &ValueSpec, out: &LegacyColumns| match &spec.input {
                Input::Column(name) => out.columns.iter().position(|c| &c.name == name),
                Input::Constant(_) => None,
            };
            match (
                &cf.group_index,
                position(&cf.id, &out),
                position(&cf.value, &out),
            ) {
                (None, Some(i), Some(v)) if out.free_custom.is_none() => {
                    out.free_custom = Some((i, v));
                }
                _ => out.not_exported.push(format!(
                    "{}: its custom field id comes from a column (left empty)",
                    cf.entry
                )),
            }
            continue;
        };
        let export = match &cf.group_index {
            None => format!("custom.{id}"),
            Some(super::config::GroupIndexSpec::Constant(i)) => format!("custom.{id}.{}", i + 1),
            Some(super::config::GroupIndexSpec::Spec(_)) => {
                out.not_exported.push(format!(
                    "{}: its group index comes from a column (left empty)",
                    cf.entry
                ));
                empty_columns(&mut out, [Some(&cf.value), group_spec(cf)]);
                continue;
            }
        };
        out.named_custom.push(export.clone());
        add(&mut out, format!("{} {id}", cf.entry), export, &cf.value);
    }
    // Documents: the export writes each file beside it and its path,
    // relative to the export file, in `profilePicture` / `signature`.
    for (kind, source) in config.documents.iter().flat_map(|d| &d.sources) {
        let export = match kind {
            super::DocumentKind::ProfilePicture => "profilePicture",
            super::DocumentKind::Signature => "signature",
        };
        match source {
            super::documents::DocumentSource::Column(name) if !taken.contains_key(name) => {
                taken.insert(name.clone(), export.to_string());
                out.columns.push(LegacyColumn {
                    name: name.clone(),
                    export: export.to_string(),
                    unmap: None,
                    date: None,
                });
            }
            _ => out.not_exported.push(format!(
                "[documents] {}: not read from a column of its own (the files are in the export's .documents directory)",
                kind.mapping_key()
            )),
        }
    }
    out
}

/// The group index's spec, when it is read from a column.
fn group_spec(cf: &super::config::CustomFieldConfig) -> Option<&ValueSpec> {
    match &cf.group_index {
        Some(super::config::GroupIndexSpec::Spec(s)) => Some(s),
        _ => None,
    }
}

/// Columns the mapping reads but the export cannot fill: they are written
/// empty, so that the mapping still finds every column it names.
fn empty_columns<'a>(
    out: &mut LegacyColumns,
    specs: impl IntoIterator<Item = Option<&'a ValueSpec>>,
) {
    for spec in specs.into_iter().flatten() {
        if let Input::Column(name) = &spec.input {
            if !out.columns.iter().any(|c| &c.name == name) {
                out.columns.push(LegacyColumn {
                    name: name.clone(),
                    export: String::new(),
                    unmap: None,
                    date: None,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn legacy(toml: &str) -> LegacyColumns {
        LegacyColumns::from_mapping(&Mapping::from_toml(toml, Path::new(".")).unwrap())
    }

    #[test]
    fn columns_values_maps_and_dates_go_back_to_the_legacy_form() {
        let l = legacy(
            r#"
[client]
id = "CUST_NO"
firstName = { column = "FNAME", case = "title" }
birthDate = { column = "DOB", date = "%d.%m.%Y" }
gender = { column = "SEX", case = "upper", map = { F = "FEMALE", M = "MALE", W = "FEMALE" } }
state = { constant = "ACTIVE" }

[address]
city = "TOWN"

[[custom_field]]
id = "Tax_ID"
value = "TAX"

[[custom_field]]
id = "Kin"
value = "KIN_2"
group_index = 1
"#,
        );
        // [client] fields come in the order of their names.
        assert_eq!(
            l.header(),
            ["DOB", "FNAME", "SEX", "CUST_NO", "TOWN", "TAX", "KIN_2"]
        );
        let cols: Vec<String> = [
            "id",
            "firstName",
            "birthDate",
            "gender",
            "address.city",
            "custom.Tax_ID",
            "custom.Kin.2",
            "notes",
        ]
        .map(String::from)
        .to_vec();
        let row: Vec<String> = ["C1", "Ann", "1980-02-29", "FEMALE", "Graz", "", "Bo", "n"]
            .map(String::from)
            .to_vec();
        assert_eq!(
            l.record(&cols, &row),
            ["29.02.1980", "Ann", "F", "C1", "Graz", "", "Bo"]
        );
        assert_eq!(l.not_exported.len(), 1, "{:?}", l.not_exported);
        assert!(l.not_exported[0].contains("state"), "{:?}", l.not_exported);
    }

    #[test]
    fn entries_from_a_related_file_are_named_not_guessed() {
        let l = legacy(
            r#"
[client]
id = "CUST_NO"

[[join]]
name = "addresses"
file = "a.csv"
key = "client_id"
on = "CUST_NO"

[address]
from = "addresses"
city = "city"
"#,
        );
        assert_eq!(l.header(), ["CUST_NO"]);
        assert!(
            l.not_exported
                .iter()
                .any(|n| n.contains("[[join]] addresses")),
            "{:?}",
            l.not_exported
        );
    }
}
