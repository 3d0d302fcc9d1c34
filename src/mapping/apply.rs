//! Mapping one row: `Plan::apply`, and `Plan::origin` to point a finding
//! back at the source cell it came from.
//!
//! In: a `RawRow` (fields by index, as compiled). Out: a `ClientRequest`
//! with only the non-empty fields set, and a `FieldError` for every cell
//! that could not be mapped (9004 value not in a strict map, 102/309 bad
//! date, 801/850/702/306 unknown tenant id, 9005 missing related row); such
//! a field is left out so the validator does not report it twice. A short
//! or ragged row reads its missing cells as empty: bad data never panics.

use std::borrow::Cow;

use csv::StringRecord;

use super::plan::{Cell, CellInput, GroupPlan, Plan, SectionPlan};
use crate::field_error::FieldError;
use crate::model::{Address, ClientRequest, CustomFieldValue, GroupIndex, IdDocument, ReturnCode};
use crate::source::RawRow;

impl Cell {
    /// The mapped value of this cell in `rec`, `None` when empty or bad
    /// (bad: a finding is added to `errors` on the field `path()` names).
    pub(super) fn eval<'a>(
        &'a self,
        rec: &'a StringRecord,
        path: &dyn Fn() -> String,
        errors: &mut Vec<FieldError>,
    ) -> Option<String> {
        let raw = match &self.input {
            CellInput::Constant(c) => return (!c.is_empty()).then(|| c.to_string()),
            CellInput::Column(i) => rec.get(*i).unwrap_or(""),
        };
        let trimmed = if self.trim { raw.trim() } else { raw };
        let mut v: Cow<'a, str> = match self.case {
            Some(case) if !trimmed.is_empty() => case.apply(trimmed),
            _ => Cow::Borrowed(trimmed),
        };
        if let Some(map) = self.map.as_ref().filter(|_| !v.is_empty()) {
            match map.get(&v) {
                Some(mapped) => v = Cow::Borrowed(mapped),
                None if map.strict => {
                    errors.push(FieldError::error(
                        path(),
                        ReturnCode::SourceValueNotMapped,
                        format!(
                            "'{v}' in column '{}' is not in the mapping's value map (known: {})",
                            self.origin(),
                            map.keys().join(", ")
                        ),
                    ));
                    return None;
                }
                None => {}
            }
        }
        if v.is_empty() {
            return self.default.as_deref().map(str::to_string);
        }
        if let Some(rule) = &self.date {
            return match rule.convert(&v) {
                Ok(date) => Some(date.to_string()),
                Err(_) => {
                    errors.push(FieldError::error(
                        path(),
                        self.date_code,
                        format!(
                            "'{v}' in column '{}' is not a date in the format '{}'",
                            self.origin(),
                            rule.format()
                        ),
                    ));
                    None
                }
            };
        }
        if let Some(r) = &self.resolver {
            return match r.get(&v) {
                Some(key) => Some(key.to_string()),
                None => {
                    errors.push(FieldError::error(
                        path(),
                        r.kind().unknown_code(),
                        format!(
                            "'{v}' in column '{}' is not a {} of the tenant (by id or encoded key)",
                            self.origin(),
                            r.kind().name()
                        ),
                    ));
                    None
                }
            };
        }
        Some(v.into_owned())
    }

    fn origin(&self) -> &str {
        self.origin.as_deref().unwrap_or("(constant)")
    }
}

impl Plan {
    /// Maps one row. Safe to call from many threads at once.
    pub fn apply(&self, row: &RawRow, errors: &mut Vec<FieldError>) -> ClientRequest {
        let main = &row.fields;
        let mut req = ClientRequest::default();

        for (field, cell) in &self.client {
            if let Some(v) = cell.eval(main, &|| format!("client.{}", field.name()), errors) {
                field.set(&mut req.client, v);
            }
        }

        for join in self.joins.iter().filter(|j| j.required) {
            if join.rows_for(main).is_empty() {
                errors.push(FieldError::error(
                    "row",
                    ReturnCode::SourceMissingRelatedRow,
                    format!(
                        "no row of {} has {} = '{}' (join '{}' is required)",
                        join.file_label,
                        join.key_column,
                        main.get(join.on).unwrap_or("").trim(),
                        join.name
                    ),
                ));
            }
        }

        if let Some(a) = &self.address {
            if let Some(rec) = self.records(a, main).first() {
                let before = errors.len();
                let mut address = Address::default();
                let mut any = false;
                for (field, cell) in &a.fields {
                    if let Some(v) =
                        cell.eval(rec, &|| format!("addresses[0].{}", field.name()), errors)
                    {
                        field.set(&mut address, v);
                        any = true;
                    }
                }
                if any || errors.len() > before {
                    req.addresses = Some(vec![address]);
                }
            }
        }

        let mut docs = Vec::new();
        for d in &self.id_documents {
            for rec in self.records(d, main) {
                let at = docs.len();
                let before = errors.len();
                let mut doc = IdDocument::default();
                let mut any = false;
                for (field, cell) in &d.fields {
                    if let Some(v) = cell.eval(
                        rec,
                        &|| format!("idDocuments[{at}].{}", field.name()),
                        errors,
                    ) {
                        field.set(&mut doc, v);
                        any = true;
                    }
                }
                // A document with a bad cell is kept so the finding's index
                // points at it.
                if any || errors.len() > before {
                    docs.push(doc);
                }
            }
        }
        if !docs.is_empty() {
            req.id_documents = Some(docs);
        }

        let mut values = Vec::new();
        for cf in &self.custom_fields {
            let Some(id) = cf
                .id
                .eval(main, &|| "customInformation".to_string(), errors)
            else {
                continue;
            };
            let group = match &cf.group {
                None => None,
                Some(GroupPlan::Constant(n)) => Some(GroupIndex::Number(*n)),
                Some(GroupPlan::Cell(cell)) => cell
                    .eval(main, &|| format!("customInformation[{id}]"), errors)
                    .map(|s| match s.trim().parse::<i64>() {
                        Ok(n) => GroupIndex::Number(n),
                        Err(_) => GroupIndex::Text(s),
                    }),
            };
            let path = || match &group {
                Some(GroupIndex::Number(n)) => format!("customInformation[{id}][{n}]"),
                Some(GroupIndex::Text(t)) => format!("customInformation[{id}][{t}]"),
                None => format!("customInformation[{id}]"),
            };
            let Some(value) = cf.value.eval(main, &path, errors) else {
                continue;
            };
            values.push(CustomFieldValue {
                custom_field_id: Some(id),
                value: Some(value),
                custom_field_set_group_index: group,
                ..CustomFieldValue::default()
            });
        }
        if !values.is_empty() {
            req.custom_information = Some(values);
        }
        req
    }

    /// The records a section reads: the main row, or its join's rows.
    fn records<'a, F>(
        &'a self,
        section: &SectionPlan<F>,
        main: &'a StringRecord,
    ) -> &'a [StringRecord] {
        match section.from {
            None => std::slice::from_ref(main),
            Some(j) => self.joins[j].rows_for(main),
        }
    }

    /// The source column that feeds a target field path (`client.birthDate`,
    /// `addresses[0].city`, `idDocuments[1].documentId`,
    /// `customInformation[Occupation]`, `customInformation[Beneficiary][2]`),
    /// as `COLUMN` or `file.csv:column`; `None` for constants and unknown
    /// paths. Document indexes count the produced documents in entry order,
    /// so they are exact until an entry was skipped as empty or a joined
    /// entry produced several documents; past that, the joined entry is
    /// named. A custom field whose id comes from a column is found by its
    /// value column when no entry has that id as a constant.
    pub fn origin(&self, field: &str) -> Option<String> {
        let label = |cell: &Cell| cell.origin.as_deref().map(str::to_string);
        if let Some(name) = field.strip_prefix("client.") {
            return self
                .client
                .iter()
                .find(|(f, _)| f.name() == name)
                .and_then(|(_, c)| label(c));
        }
        if let Some(rest) = field.strip_prefix("addresses[") {
            let (_, name) = index_and_name(rest)?;
            let a = self.address.as_ref()?;
            return a
                .fields
                .iter()
                .find(|(f, _)| f.name() == name)
                .and_then(|(_, c)| label(c));
        }
        if let Some(rest) = field.strip_prefix("idDocuments[") {
            let (mut at, name) = index_and_name(rest)?;
            for d in &self.id_documents {
                if at == 0 || d.from.is_some() {
                    return d
                        .fields
                        .iter()
                        .find(|(f, _)| f.name() == name)
                        .and_then(|(_, c)| label(c));
                }
                at -= 1;
            }
            return None;
        }
        if let Some(rest) = field.strip_prefix("customInformation[") {
            let (id, rest) = rest.split_once(']')?;
            let group = rest.strip_prefix('[').and_then(|g| g.strip_suffix(']'));
            let by_id = self.custom_fields.iter().find(|cf| {
                let same_id = matches!(&cf.id.input, CellInput::Constant(c) if &**c == id);
                let same_group = match (&cf.group, group) {
                    (Some(GroupPlan::Constant(n)), Some(g)) => g.trim().parse::<i64>() == Ok(*n),
                    _ => true,
                };
                same_id && same_group
            });
            let cf = by_id.or_else(|| {
                self.custom_fields
                    .iter()
                    .find(|cf| matches!(cf.id.input, CellInput::Column(_)))
            })?;
            return label(&cf.value);
        }
        None
    }

    /// Warnings found while compiling, for the terminal.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }
}

/// `3].name` → `(3, "name")`.
fn index_and_name(rest: &str) -> Option<(usize, &str)> {
    let (i, name) = rest.split_once("].")?;
    Some((i.parse().ok()?, name))
}
