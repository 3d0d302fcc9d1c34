//! Evaluating one compiled value spec against one record: read the cell,
//! trim, case, map, default, then read a date or resolve a tenant id.
//!
//! In: a record (main row or stored related row) and the field path for
//! findings. Out: the value (borrowed from the record or the plan where it
//! can be), or `None` when it is empty or bad; a bad value
//! adds a `FieldError` (9004 not in a strict map, 102/309 not a date,
//! 801/850/702/306 unknown to the tenant). A missing cell reads as empty.

use std::borrow::Cow;

use csv::StringRecord;

use super::plan::{Cell, CellInput};
use crate::field_error::FieldError;
use crate::model::ReturnCode;

impl Cell {
    /// The mapped value of this cell in `rec`, `None` when empty or bad
    /// (bad: a finding is added to `errors` on the field `path()` names).
    pub(super) fn eval<'a>(
        &'a self,
        rec: &'a StringRecord,
        path: &dyn Fn() -> String,
        errors: &mut Vec<FieldError>,
    ) -> Option<Cow<'a, str>> {
        self.eval_marked(rec, path, errors, &mut false)
    }

    /// `eval`, setting `from_cell` when the value was read from the row
    /// rather than being a constant or a default: an address or document
    /// whose cells are all empty is left out even if it has constants.
    pub(super) fn eval_marked<'a>(
        &'a self,
        rec: &'a StringRecord,
        path: &dyn Fn() -> String,
        errors: &mut Vec<FieldError>,
        from_cell: &mut bool,
    ) -> Option<Cow<'a, str>> {
        let raw = match &self.input {
            CellInput::Constant(c) => return (!c.is_empty()).then_some(Cow::Borrowed(&**c)),
            CellInput::Column(i) => rec.get(*i).unwrap_or(""),
        };
        let trimmed = if self.trim && needs_trim(raw) {
            raw.trim()
        } else {
            raw
        };
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
            return self.default.as_deref().map(Cow::Borrowed);
        }
        if let Some(rule) = &self.date {
            return match rule.convert(&v) {
                Ok(date) => {
                    *from_cell = true;
                    Some(Cow::Owned(date.to_string()))
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
                    Some(Cow::Borrowed(key))
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
        Some(v)
    }

    fn origin(&self) -> &str {
        self.origin.as_deref().unwrap_or("(constant)")
    }
}

/// Whether `s` may start or end with whitespace. Most cells begin and end
/// with an ASCII letter or digit; only the others pay for Unicode trimming.
fn needs_trim(s: &str) -> bool {
    let plain = |b: u8| b.is_ascii() && !b.is_ascii_whitespace();
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(&a), Some(&z)) => !(plain(a) && plain(z)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_cells_with_whitespace_or_non_ascii_ends_are_trimmed() {
        use super::needs_trim;
        assert!(!needs_trim(""));
        assert!(!needs_trim("Anna Berg"));
        assert!(needs_trim(" Anna"));
        assert!(needs_trim("Anna\t"));
        assert!(needs_trim("\u{3000}Anna"), "ideographic space");
        assert!(needs_trim("Zoë"), "non-ASCII end: let trim decide");
        assert_eq!("Zoë".trim(), "Zoë");
    }

    use super::super::testing::{apply, codes, plan};

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
}
