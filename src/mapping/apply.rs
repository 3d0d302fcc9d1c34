//! Mapping one row: `Plan::apply`.
//!
//! In: a `RawRow` (fields by index, as compiled). Out: a `ClientRequest`
//! (fresh, or a reused one filled from a `Recycler`)
//! with only the non-empty fields set, and a `FieldError` for every cell
//! that could not be mapped (see `cell.rs`) or a required join without
//! rows (9005); a bad field is left out so the validator does not report it
//! twice. A short or ragged row reads its missing cells as empty: bad data
//! never panics.

use csv::StringRecord;

use super::plan::{GroupPlan, Plan, SectionPlan};
use super::recycle::Recycler;
use crate::field_error::FieldError;
use crate::model::{Address, ClientRequest, CustomFieldValue, GroupIndex, IdDocument, ReturnCode};
use crate::source::RawRow;

impl Plan {
    /// Maps one row into a fresh request: `apply_into` without reuse, the
    /// one-step form the tests use.
    #[cfg(test)]
    pub fn apply(&self, row: &RawRow, errors: &mut Vec<FieldError>) -> ClientRequest {
        let mut req = ClientRequest::default();
        self.apply_into(row, &mut req, &mut Recycler::default(), errors);
        req
    }

    /// Maps one row into `req`, which must be empty (as
    /// `Recycler::reclaim` leaves it), taking strings and vectors from
    /// `recycler`: a worker mapping many rows reuses them from row to row.
    pub fn apply_into(
        &self,
        row: &RawRow,
        req: &mut ClientRequest,
        recycler: &mut Recycler,
        errors: &mut Vec<FieldError>,
    ) {
        let main = &row.fields;

        for (field, cell) in &self.client {
            let before = errors.len();
            match cell.eval(main, &|| format!("client.{}", field.name()), errors) {
                Some(v) => field.set(&mut req.client, recycler.text(&v)),
                // An explicit null: an upsert's update clears the stored value.
                None if cell.clear_when_empty && errors.len() == before => {
                    req.client
                        .extra
                        .insert(field.name().to_string(), serde_json::Value::Null);
                }
                None => {}
            }
        }

        for join in &self.joins {
            if !join.count(main) && join.required {
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
                        field.set(&mut address, recycler.text(&v));
                    }
                }
                if any || errors.len() > before {
                    let mut list = recycler.addresses();
                    list.push(address);
                    req.addresses = Some(list);
                }
            }
        }

        let mut docs = recycler.documents();
        for d in &self.id_documents {
            for rec in self.records(d, main) {
                let at = docs.len();
                let before = errors.len();
                let mut doc = IdDocument::default();
                let mut any = d.constant_only;
                for (field, cell) in &d.fields {
                    let path = || format!("idDocuments[{at}].{}", field.name());
                    if let Some(v) = cell.eval_marked(rec, &path, errors, &mut any) {
                        field.set(&mut doc, recycler.text(&v));
                    }
                }
                // A document with a bad cell is kept so the finding's index
                // points at it.
                if any || errors.len() > before {
                    if let (Some(keys), Some(ty), None) = (
                        &d.template_keys,
                        &doc.document_type,
                        &doc.identification_document_template_key,
                    ) {
                        if let Some(key) = keys.get(ty) {
                            doc.identification_document_template_key = Some(recycler.text(key));
                        }
                    }
                    docs.push(doc);
                }
            }
        }
        if docs.is_empty() {
            recycler.put_back_documents(docs);
        } else {
            req.id_documents = Some(docs);
        }

        let mut values = recycler.values();
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
                        Err(_) => GroupIndex::Text(recycler.text(&s)),
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
                custom_field_id: Some(recycler.text(&id)),
                value: Some(recycler.text(&value)),
                custom_field_set_group_index: group,
                ..CustomFieldValue::default()
            });
        }
        if values.is_empty() {
            recycler.put_back_values(values);
        } else {
            req.custom_information = Some(values);
        }
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

    /// Warnings found while compiling, for the terminal.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Per `[[join]]`, how its rows matched the clients mapped so far
    /// (final once the pass is over).
    pub fn join_counts(&self) -> Vec<super::JoinCount> {
        self.joins.iter().map(super::join::Join::counts).collect()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::testing::{apply, codes, compile, joined_plan, plan};
    use super::*;
    use crate::tenant::Tenant;

    #[test]
    fn an_empty_cell_clears_only_where_the_mapping_says_so() {
        let p = plan(
            r#"
            [client]
            id = "NO"
            notes = { column = "NOTES", on_empty = "clear" }
            middleName = { column = "MIDDLE", on_empty = "keep" }
            homePhone = "PHONE"
            "#,
            &["NO", "NOTES", "MIDDLE", "PHONE"],
        );
        let (req, errors) = apply(&p, &["C1", " ", "", ""]);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            serde_json::to_value(&req).unwrap(),
            json!({"client": {"id": "C1", "notes": null}})
        );
        let (req, _) = apply(&p, &["C1", "n", "", ""]);
        assert_eq!(
            serde_json::to_value(&req).unwrap(),
            json!({"client": {"id": "C1", "notes": "n"}})
        );
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
    fn the_template_key_comes_from_the_tenant_when_not_mapped() {
        let t = Tenant::from_schema(
            serde_json::from_value(json!({
                "idDocumentTemplates": [
                    {"encodedKey": "tp", "documentType": "PASSPORT"},
                    {"encodedKey": "ti1", "documentType": "ID_CARD"},
                    {"encodedKey": "ti2", "documentType": "ID_CARD"}
                ]
            }))
            .unwrap(),
        )
        .unwrap();
        let toml = r#"
            [[id_document]]
            documentType = "TYPE"
            documentId = "NO"
            [[id_document]]
            documentType = "TYPE2"
            documentId = "NO2"
            identificationDocumentTemplateKey = "KEY2"
            "#;
        let columns = ["TYPE", "NO", "TYPE2", "NO2", "KEY2"];
        let docs = |p: &Plan, fields: &[&str]| {
            let (req, errors) = apply(p, fields);
            assert!(errors.is_empty(), "{errors:?}");
            serde_json::to_value(req.id_documents).unwrap()
        };
        let p = compile(toml, &columns, &t, vec![]).unwrap();
        assert_eq!(
            docs(&p, &["passport", "P1", "PASSPORT", "P2", ""]),
            json!([
                {"documentType": "passport", "documentId": "P1", "identificationDocumentTemplateKey": "tp"},
                {"documentType": "PASSPORT", "documentId": "P2"}
            ]),
            "filled where the mapping names no key, left alone where it does"
        );
        assert_eq!(
            docs(&p, &["ID_CARD", "I1", "", "", ""]),
            json!([{"documentType": "ID_CARD", "documentId": "I1"}]),
            "two templates for the type: no key is guessed"
        );
        assert_eq!(
            docs(&p, &["VISA", "V1", "", "", ""]),
            json!([{"documentType": "VISA", "documentId": "V1"}])
        );
        let p = compile(toml, &columns, &Tenant::unknown(), vec![]).unwrap();
        assert_eq!(
            docs(&p, &["PASSPORT", "P1", "", "", ""]),
            json!([{"documentType": "PASSPORT", "documentId": "P1"}]),
            "no tenant, no key"
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
