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
        self.eval_marked(rec, path, errors, &mut false)
    }

    /// `eval`, setting `from_cell` when the value was read from the row
    /// rather than being a constant or a default: an address or document
    /// whose cells are all empty is left out even if it has constants.
    fn eval_marked<'a>(
        &'a self,
        rec: &'a StringRecord,
        path: &dyn Fn() -> String,
        errors: &mut Vec<FieldError>,
        from_cell: &mut bool,
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
                Ok(date) => {
                    *from_cell = true;
                    Some(date.to_string())
                }
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
                Some(key) => {
                    *from_cell = true;
                    Some(key.to_string())
                }
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
        *from_cell = true;
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
                let mut any = a.constant_only;
                for (field, cell) in &a.fields {
                    let path = || format!("addresses[0].{}", field.name());
                    if let Some(v) = cell.eval_marked(rec, &path, errors, &mut any) {
                        field.set(&mut address, v);
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
                let mut any = d.constant_only;
                for (field, cell) in &d.fields {
                    let path = || format!("idDocuments[{at}].{}", field.name());
                    if let Some(v) = cell.eval_marked(rec, &path, errors, &mut any) {
                        field.set(&mut doc, v);
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::testing::{apply, compile, tenant, VecSource};
    use super::*;
    use crate::tenant::Tenant;

    fn plan(toml: &str, columns: &[&str]) -> Plan {
        compile(toml, columns, &tenant(), vec![]).unwrap()
    }

    fn codes(errors: &[FieldError]) -> Vec<(String, u16)> {
        errors
            .iter()
            .map(|e| (e.field.clone(), e.code.code()))
            .collect()
    }

    #[test]
    fn client_fields_are_mapped_and_empty_ones_left_out() {
        let p = plan(
            r#"
            [client]
            id = "NO"
            firstName = { column = "FIRST", case = "title" }
            lastName = { column = "LAST", trim = false }
            emailAddress = { column = "MAIL", case = "lower" }
            gender = { column = "SEX", map = { M = "MALE", F = "FEMALE" } }
            state = { column = "STATUS", map = { A = "ACTIVE", P = "PENDING_APPROVAL" }, default = "PENDING_APPROVAL" }
            preferredLanguage = { constant = "english", case = "upper" }
            notes = "NOTES"
            middleName = "MIDDLE"
            "#,
            &[
                "NO", "FIRST", "LAST", "MAIL", "SEX", "STATUS", "NOTES", "MIDDLE",
            ],
        );
        let (req, errors) = apply(
            &p,
            &[
                " C1 ",
                "aNNA-lena",
                " Smith ",
                "Ann@Example.COM",
                "F",
                "  ",
                "",
                "   ",
            ],
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            serde_json::to_value(&req).unwrap(),
            json!({"client": {
                "id": "C1", "firstName": "Anna-Lena", "lastName": " Smith ",
                "emailAddress": "ann@example.com", "gender": "FEMALE",
                "state": "PENDING_APPROVAL", "preferredLanguage": "ENGLISH"
            }})
        );
    }

    #[test]
    fn unmapped_values_pass_through_unless_strict() {
        let p = plan(
            r#"
            [client]
            gender = { column = "SEX", case = "upper", map = { M = "MALE", F = "FEMALE" } }
            state = { column = "STATUS", map = { A = "ACTIVE" }, strict = true }
            "#,
            &["SEX", "STATUS"],
        );
        let (req, errors) = apply(&p, &["x", "Z"]);
        assert_eq!(
            req.client.gender,
            Some(crate::model::Gender::Other("X".into()))
        );
        assert_eq!(
            req.client.state, None,
            "a value the strict map refused is left out"
        );
        assert_eq!(codes(&errors), vec![("client.state".to_string(), 9004)]);
        assert!(
            errors[0].message.contains("'Z' in column 'STATUS'"),
            "{}",
            errors[0].message
        );
        assert!(
            errors[0].message.contains("known: A"),
            "{}",
            errors[0].message
        );
        let (req, errors) = apply(&p, &["m", ""]);
        assert!(
            errors.is_empty(),
            "an empty value is not judged by a strict map"
        );
        assert_eq!(req.client.gender, Some(crate::model::Gender::Male));
    }

    #[test]
    fn a_value_mapped_to_empty_takes_the_default() {
        let p = plan(
            r#"[client]
            mobilePhone1 = { column = "TEL", map = { "N/A" = "" } }
            homePhone = { column = "TEL", map = { "N/A" = "" }, default = "000" }"#,
            &["TEL"],
        );
        let (req, _) = apply(&p, &["N/A"]);
        assert_eq!(req.client.mobile_phone1, None);
        assert_eq!(req.client.home_phone.as_deref(), Some("000"));
    }

    #[test]
    fn dates_are_converted_between_zones() {
        let p = plan(
            r#"
            [source]
            time_zone = "America/New_York"
            [target]
            time_zone = "Europe/Berlin"
            [client]
            birthDate = { column = "BORN", date = "%Y-%m-%d %H:%M" }
            [[id_document]]
            documentId = "PASS"
            validUntil = { column = "EXPIRY", date = "%d.%m.%Y" }
            [[id_document]]
            documentId = "CARD"
            validUntil = { column = "CARD_EXPIRY", date = "%Y-%m-%d %H:%M", time_zone = "Asia/Tokyo" }
            "#,
            &["BORN", "PASS", "EXPIRY", "CARD", "CARD_EXPIRY"],
        );
        let (req, errors) = apply(
            &p,
            &[
                "1990-07-08 23:30",
                "P1",
                "31.12.2030",
                "K1",
                "2030-01-01 07:30",
            ],
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(req.client.birth_date.as_deref(), Some("1990-07-09"));
        let docs = req.id_documents.unwrap();
        assert_eq!(
            docs[0].valid_until.as_deref(),
            Some("2030-12-31"),
            "date-only: never shifted"
        );
        assert_eq!(
            docs[1].valid_until.as_deref(),
            Some("2029-12-31"),
            "07:30 Tokyo is 23:30 Berlin"
        );
    }

    #[test]
    fn unparsable_dates_are_309_for_birth_dates_and_102_elsewhere() {
        let p = plan(
            r#"
            [client]
            birthDate = { column = "DOB", date = "%d.%m.%Y" }
            [[id_document]]
            documentId = "PASS"
            validUntil = { column = "EXPIRY", date = "%d.%m.%Y" }
            [[id_document]]
            validUntil = { column = "EXPIRY2", date = "%d.%m.%Y" }
            "#,
            &["DOB", "PASS", "EXPIRY", "EXPIRY2"],
        );
        let (req, errors) = apply(&p, &["1990-07-08", "P1", "31.02.2030", "soon"]);
        assert_eq!(
            codes(&errors),
            vec![
                ("client.birthDate".to_string(), 309),
                ("idDocuments[0].validUntil".to_string(), 102),
                ("idDocuments[1].validUntil".to_string(), 102),
            ]
        );
        assert_eq!(
            errors[0].message,
            "'1990-07-08' in column 'DOB' is not a date in the format '%d.%m.%Y'"
        );
        assert_eq!(req.client.birth_date, None);
        let docs = req.id_documents.unwrap();
        assert_eq!(
            docs.len(),
            2,
            "a document with only a bad cell is kept for its finding's index"
        );
        assert_eq!(docs[0].document_id.as_deref(), Some("P1"));
        assert_eq!(docs[0].valid_until, None);
    }

    #[test]
    fn tenant_ids_resolve_to_encoded_keys() {
        let p = plan(
            r#"
            [client]
            assignedBranchKey = { column = "BRANCH", resolve = "branch", default = "HQ" }
            assignedCentreKey = { column = "CENTRE", resolve = "centre" }
            assignedUserKey = { column = "OFFICER", resolve = "user" }
            clientRole = { column = "TYPE", resolve = "client_role" }
            "#,
            &["BRANCH", "CENTRE", "OFFICER", "TYPE"],
        );
        let (req, errors) = apply(&p, &["8ab1", "C1", "jdoe", "RETAIL"]);
        assert!(errors.is_empty(), "{errors:?}");
        let c = &req.client;
        assert_eq!(c.assigned_branch_key.as_deref(), Some("8ab1"));
        assert_eq!(c.assigned_centre_key.as_deref(), Some("8ac1"));
        assert_eq!(c.assigned_user_key.as_deref(), Some("8au1"));
        assert_eq!(
            c.client_role
                .as_ref()
                .and_then(|r| r.encoded_key.as_deref()),
            Some("8ar1")
        );

        let (req, errors) = apply(&p, &["", "C9", "nobody", "VIP"]);
        assert_eq!(
            req.client.assigned_branch_key.as_deref(),
            Some("8ab1"),
            "the default is resolved"
        );
        assert_eq!(
            codes(&errors),
            vec![
                ("client.assignedCentreKey".to_string(), 850),
                ("client.assignedUserKey".to_string(), 702),
                ("client.clientRole".to_string(), 306),
            ]
        );
        assert!(
            errors[0]
                .message
                .contains("'C9' in column 'CENTRE' is not a centre"),
            "{}",
            errors[0].message
        );
        assert_eq!(req.client.assigned_centre_key, None);
        let (_, errors) = apply(&p, &["LONDON", "", "", ""]);
        assert_eq!(
            codes(&errors),
            vec![("client.assignedBranchKey".to_string(), 801)]
        );
    }

    #[test]
    fn an_address_is_sent_only_when_it_has_a_value() {
        let p = plan(
            r#"[address]
            line1 = "STREET"
            city = "CITY"
            country = { column = "COUNTRY", default = "Germany" }"#,
            &["STREET", "CITY", "COUNTRY"],
        );
        let (req, _) = apply(&p, &["Main St 1", "Berlin", ""]);
        let a = &req.addresses.unwrap()[0];
        assert_eq!(
            (a.line1.as_deref(), a.city.as_deref(), a.country.as_deref()),
            (Some("Main St 1"), Some("Berlin"), Some("Germany"))
        );
        assert_eq!(
            apply(&p, &[" ", "", ""]).0.addresses,
            None,
            "a default alone does not make an address"
        );
        let p = plan(
            "[address]\nline1 = \"STREET\"\ncountry = { constant = \"DE\" }\n",
            &["STREET"],
        );
        assert_eq!(apply(&p, &[" "]).0.addresses, None, "nor does a constant");
        let p = plan("[address]\ncountry = { constant = \"DE\" }\n", &[]);
        let a = apply(&p, &[]).0.addresses.unwrap();
        assert_eq!(
            a[0].country.as_deref(),
            Some("DE"),
            "an all-constant address is always sent"
        );
    }

    fn joined_plan(required: bool) -> Plan {
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

    #[test]
    fn joined_rows_feed_the_address_and_documents() {
        let p = joined_plan(false);
        let (req, errors) = apply(&p, &["C1", "P1"]);
        let a = req.addresses.unwrap();
        assert_eq!(a.len(), 1);
        assert_eq!(
            (a[0].line1.as_deref(), a[0].city.as_deref()),
            (Some("Main St 1"), Some("BERLIN"))
        );
        let docs: Vec<(Option<&str>, Option<&str>, Option<&str>)> = req
            .id_documents
            .as_ref()
            .unwrap()
            .iter()
            .map(|d| {
                (
                    d.document_type.as_deref(),
                    d.document_id.as_deref(),
                    d.valid_until.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            docs,
            vec![
                (Some("PASSPORT"), Some("P1"), None),
                (Some("ID_CARD"), Some("X1"), Some("2030-02-01")),
                (Some("LICENSE"), Some("X2"), None),
            ],
            "one document per joined row, the empty joined row skipped"
        );
        assert_eq!(
            codes(&errors),
            vec![("idDocuments[2].validUntil".to_string(), 102)]
        );
        assert!(
            errors[0].message.contains("column 'documents.csv:expiry'"),
            "{}",
            errors[0].message
        );

        let (req, errors) = apply(&p, &["C2", ""]);
        assert!(errors.is_empty());
        assert_eq!(req.addresses, None, "no joined row, no address");
        assert_eq!(req.id_documents.unwrap().len(), 1);
        let (req, _) = apply(&p, &["C3", ""]);
        assert_eq!(req.id_documents, None);
        assert_eq!(req.custom_information, None);
    }

    #[test]
    fn a_required_join_without_rows_is_9005() {
        let p = joined_plan(true);
        assert!(!apply(&p, &["C1", ""])
            .1
            .iter()
            .any(|e| e.code.code() == 9005));
        let (_, errors) = apply(&p, &["C2", ""]);
        assert_eq!(codes(&errors), vec![("row".to_string(), 9005)]);
        assert_eq!(
            errors[0].message,
            "no row of addresses.csv has client_id = 'C2' (join 'adr' is required)"
        );
    }

    #[test]
    fn custom_fields_single_grouped_and_by_column() {
        let p = plan(
            r#"
            [[custom_field]]
            id = "Occupation"
            value = { column = "JOB", case = "title" }
            [[custom_field]]
            id = { column = "EXTRA_ID" }
            value = "EXTRA_VALUE"
            [[custom_field]]
            id = "Beneficiary"
            group_index = 1
            value = "BEN1"
            [[custom_field]]
            id = "Beneficiary"
            group_index = "BEN_IDX"
            value = { column = "BEN_DATE", date = "%d.%m.%Y" }
            "#,
            &[
                "JOB",
                "EXTRA_ID",
                "EXTRA_VALUE",
                "BEN1",
                "BEN_IDX",
                "BEN_DATE",
            ],
        );
        let (req, errors) = apply(
            &p,
            &["teacher", "Hobby", "chess", "Bob", " 0 ", "08.07.1990"],
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            serde_json::to_value(req.custom_information.unwrap()).unwrap(),
            json!([
                {"customFieldID": "Occupation", "value": "Teacher"},
                {"customFieldID": "Hobby", "value": "chess"},
                {"customFieldID": "Beneficiary", "value": "Bob", "customFieldSetGroupIndex": 1},
                {"customFieldID": "Beneficiary", "value": "1990-07-08", "customFieldSetGroupIndex": 0},
            ])
        );

        // Empty id or value: skipped; a group index that is not a number is
        // kept verbatim for the validator (916).
        let (req, errors) = apply(&p, &["", "", "chess", "", "first", "1.1.1990"]);
        assert!(errors.is_empty(), "{errors:?}");
        let v = req.custom_information.unwrap();
        assert_eq!(v.len(), 1);
        assert_eq!(
            v[0].custom_field_set_group_index,
            Some(GroupIndex::Text("first".into()))
        );

        let (req, errors) = apply(&p, &["", "", "", "", "2", "1990"]);
        assert_eq!(req.custom_information, None);
        assert_eq!(
            codes(&errors),
            vec![("customInformation[Beneficiary][2]".to_string(), 102)]
        );
    }

    #[test]
    fn short_rows_read_missing_cells_as_empty() {
        let p = plan(
            "[client]\nid = \"NO\"\nlastName = \"LAST\"\n",
            &["NO", "LAST"],
        );
        let (req, errors) = apply(&p, &["C1"]);
        assert!(errors.is_empty());
        assert_eq!(
            (req.client.id.as_deref(), req.client.last_name.as_deref()),
            (Some("C1"), None)
        );
        let (req, _) = apply(&p, &[]);
        assert_eq!(req, ClientRequest::default());
    }

    #[test]
    fn origins_point_at_source_columns() {
        let p = joined_plan(false);
        assert_eq!(p.origin("client.id").as_deref(), Some("NO"));
        assert_eq!(p.origin("client.birthDate"), None);
        assert_eq!(
            p.origin("addresses[0].city").as_deref(),
            Some("addresses.csv:city")
        );
        assert_eq!(
            p.origin("idDocuments[0].documentId").as_deref(),
            Some("PASS")
        );
        assert_eq!(
            p.origin("idDocuments[0].documentType"),
            None,
            "a constant has no column"
        );
        assert_eq!(
            p.origin("idDocuments[1].documentId").as_deref(),
            Some("documents.csv:number")
        );
        assert_eq!(
            p.origin("idDocuments[5].validUntil").as_deref(),
            Some("documents.csv:expiry")
        );
        assert_eq!(p.origin("idDocuments[x].documentId"), None);
        assert_eq!(p.origin("nonsense"), None);

        let p = plan(
            r#"
            [[custom_field]]
            id = "Occupation"
            value = "JOB"
            [[custom_field]]
            id = "Beneficiary"
            group_index = 0
            value = "BEN0"
            [[custom_field]]
            id = "Beneficiary"
            group_index = 1
            value = "BEN1"
            [[custom_field]]
            id = { column = "EXTRA_ID" }
            value = "EXTRA_VALUE"
            "#,
            &["JOB", "BEN0", "BEN1", "EXTRA_ID", "EXTRA_VALUE"],
        );
        assert_eq!(
            p.origin("customInformation[Occupation]").as_deref(),
            Some("JOB")
        );
        assert_eq!(
            p.origin("customInformation[Beneficiary][1]").as_deref(),
            Some("BEN1")
        );
        assert_eq!(
            p.origin("customInformation[Beneficiary]").as_deref(),
            Some("BEN0")
        );
        assert_eq!(
            p.origin("customInformation[Hobby]").as_deref(),
            Some("EXTRA_VALUE")
        );
    }

    #[test]
    fn json_sources_read_the_paths_the_mapping_lists() {
        let toml = r#"
            [source]
            format = "json"
            [client]
            lastName = "name.last"
            firstName = "name.first"
            birthDate = { column = "born", date = "%F" }
            [[id_document]]
            documentId = "documents[0].number"
            [[custom_field]]
            id = "Occupation"
            value = "job"
            [[custom_field]]
            id = "Nickname"
            value = "name.first"
            "#;
        let m = crate::mapping::Mapping::from_toml(toml, std::path::Path::new(".")).unwrap();
        let spec = m.source_spec();
        assert_eq!(spec.format, Some(crate::source::Format::Json));
        // [client] entries come in the TOML table's (sorted) order.
        assert_eq!(
            spec.json_paths,
            vec![
                "born",
                "name.first",
                "name.last",
                "documents[0].number",
                "job"
            ]
        );
        let p = m.compile(&spec.json_paths, &Tenant::unknown()).unwrap();
        let (req, errors) = apply(&p, &["1990-07-08", "Ann", "Lee", "P-1", "pilot"]);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(req.client.last_name.as_deref(), Some("Lee"));
        assert_eq!(
            req.id_documents.unwrap()[0].document_id.as_deref(),
            Some("P-1")
        );
        assert_eq!(
            req.custom_information.unwrap()[1].value.as_deref(),
            Some("Ann")
        );
    }

    #[test]
    fn plans_map_rows_from_many_threads() {
        use rayon::prelude::*;
        let p = plan(
            "[client]\nid = \"NO\"\nbirthDate = { column = \"DOB\", date = \"%d.%m.%Y\" }\n",
            &["NO", "DOB"],
        );
        let ids: Vec<String> = (0..2000).map(|i| format!("C{i}")).collect();
        let mapped: Vec<(Option<String>, usize)> = ids
            .par_iter()
            .map(|id| {
                let dob = if id.ends_with('7') {
                    "bad"
                } else {
                    "01.01.1990"
                };
                let (req, errors) = apply(&p, &[id, dob]);
                (req.client.id, errors.len())
            })
            .collect();
        assert_eq!(mapped.len(), 2000);
        for (i, (id, errs)) in mapped.iter().enumerate() {
            assert_eq!(id.as_deref(), Some(format!("C{i}").as_str()));
            assert_eq!(*errs, usize::from(i % 10 == 7));
        }
    }
}
