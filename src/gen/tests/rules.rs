//! Every clean row passes Mambu's rules and every planted row breaks exactly
//! the one it was planted for — checked with a small restatement of the
//! rules against the sample tenant.

use std::collections::HashSet;

use super::sample_tenant;
use crate::gen::plant::Plant;
use crate::gen::record::{Generator, Record};
use crate::model::ReturnCode;
use crate::tenant::Tenant;

/// Mambu's rules as far as one generated record can break them (the
/// validator's, restated small): the codes the record would be reported with.
fn defects(rec: &Record, tenant: &Tenant, today: jiff::civil::Date) -> Vec<ReturnCode> {
    use ReturnCode as C;
    let mut out = Vec::new();
    let t = |s: &str| s.trim().to_string();
    if rec.first.trim().is_empty() || rec.last.trim().is_empty() {
        out.push(C::MissingRequiredParameter);
    }
    if rec.middle.chars().count() > 255 {
        out.push(C::InvalidParameters);
    }
    let id = rec.id.trim();
    if id.chars().any(char::is_whitespace) {
        out.push(C::IdContainsSpaces);
    }
    if id.chars().count() > 32 {
        out.push(C::InvalidClientId);
    }
    let email = rec.email.trim();
    if !email.is_empty() {
        let mut parts = email.split('@');
        let (local, domain) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        let plausible = email.matches('@').count() == 1
            && !local.is_empty()
            && domain.contains('.')
            && !email.contains(' ')
            && !email.contains("..");
        if !plausible {
            out.push(C::EmailAddressFormatIsInvalid);
        }
    }
    match jiff::civil::Date::strptime("%d.%m.%Y", rec.dob.trim()) {
        Ok(d) if d <= today && d.year() >= 1900 => {}
        _ => out.push(C::InvalidBirthDate),
    }
    if !matches!(t(&rec.sex).to_uppercase().as_str(), "" | "M" | "F") {
        out.push(C::InvalidParameters);
    }
    let lang = t(&rec.lang).to_uppercase();
    if !["", "EN", "ES", "PT", "RU", "FR", "ZH", "ID", "RO", "KA"].contains(&lang.as_str()) {
        out.push(C::InvalidLanguage);
    }
    if !matches!(t(&rec.status).to_uppercase().as_str(), "" | "A" | "P" | "I") {
        out.push(C::InvalidClientState);
    }
    let branch = tenant.branch(rec.branch.trim());
    match (rec.branch.trim(), branch) {
        ("", _) => out.push(C::MissingBranchKey),
        (_, None) => out.push(C::InvalidBranchKey),
        (_, Some(b)) if b.state != "ACTIVE" => out.push(C::BranchIsNotActive),
        _ => {}
    }
    let branch_key = branch.map(|b| b.encoded_key.as_str());
    if !rec.centre.is_empty() {
        match tenant.centre(&rec.centre) {
            None => out.push(C::InvalidCentreKey),
            Some(c) if c.assigned_branch_key.as_deref() != branch_key => {
                out.push(C::InconsistentCentreWithBranch)
            }
            _ => {}
        }
    }
    if !rec.officer.is_empty() {
        match tenant.user(&rec.officer) {
            Some(u) if !u.is_credit_officer => out.push(C::InvalidCreditOfficerKey),
            None => out.push(C::InvalidCreditOfficerKey),
            Some(u) if u.assigned_branch_key.as_deref() != branch_key => {
                out.push(C::InconsistentCreditOfficerWithBranch)
            }
            _ => {}
        }
    }
    let role = if rec.client_type.is_empty() {
        tenant.default_client_role()
    } else {
        let r = tenant.client_role(&rec.client_type);
        if r.is_none() {
            out.push(C::InvalidClientRoleKey);
        }
        r.or(tenant.default_client_role())
    };
    if role.is_some_and(|r| !r.can_have_address) && !rec.addresses().is_empty() {
        out.push(C::ClientRoleDoesNotAllowAddress);
    }
    let field = |id: &str| tenant.custom_field(id).expect("field in tenant");
    if !rec.income.is_empty() && rec.income.trim().parse::<f64>().is_err() {
        out.push(C::InconsistentValueWithCustomFieldType);
    }
    let risk = t(&rec.risk).to_uppercase();
    let allowed = field("Risk_Class")
        .definition
        .values
        .clone()
        .unwrap_or_default();
    if !risk.is_empty() && !allowed.contains(&risk) {
        out.push(C::InconsistentValueWithCustomFieldType);
    }
    let segment = t(&rec.segment).to_uppercase();
    let allowed = field("Segment")
        .definition
        .values
        .clone()
        .unwrap_or_default();
    if !segment.is_empty() && !allowed.contains(&segment) {
        out.push(C::InconsistentValueWithCustomFieldType);
    }
    let tax = rec.tax_id.trim();
    let tax_pattern = field("Tax_ID")
        .definition
        .validation_pattern
        .clone()
        .unwrap_or_default();
    if tax.is_empty() {
        out.push(C::RequiredCustomFieldMissing);
    } else if !matches_pattern(&tax_pattern, tax) {
        out.push(C::InconsistentCustomFieldValueWithPattern);
    }
    if rec.occupation.trim().chars().count() > field("Occupation").max_length() {
        out.push(C::MaxCustomFieldValueLengthExceeded);
    }
    if !rec.extra_id.is_empty() {
        match tenant.custom_field(&rec.extra_id) {
            None => out.push(C::InvalidCustomFieldId),
            Some(f) if f.is_deactivated() => out.push(C::CustomFieldDeactivated),
            _ => {}
        }
    }
    if rec.nok1_name.is_empty() && !rec.nok2_name.is_empty() {
        out.push(C::GroupedIndexesNotConsecutive);
    }
    let passport = tenant
        .schema()
        .id_document_templates
        .iter()
        .find(|t| t.document_type == "PASSPORT")
        .expect("passport template");
    let pattern = passport.document_id_template.as_deref().unwrap_or_default();
    if !matches_pattern(pattern, rec.passport_no.trim()) {
        out.push(C::InvalidIdDocument);
    }
    let expiry = rec.passport_expiry.trim();
    if !expiry.is_empty() && jiff::civil::Date::strptime("%Y-%m-%d", expiry).is_err() {
        out.push(C::InvalidDate);
    }
    for d in rec.documents() {
        let known = tenant
            .schema()
            .id_document_templates
            .iter()
            .any(|t| t.document_type == d.doc_type && t.document_id_template.is_none());
        assert!(known, "{} has no pattern-free template", d.doc_type);
        if !d.valid_until.is_empty() {
            assert!(jiff::civil::Date::strptime("%Y-%m-%d", &d.valid_until).is_ok());
        }
    }
    out
}

fn matches_pattern(pattern: &str, value: &str) -> bool {
    pattern.chars().count() == value.chars().count()
        && pattern.chars().zip(value.chars()).all(|(p, v)| match p {
            '@' => v.is_ascii_digit(),
            '#' => v.is_alphabetic(),
            '$' => v.is_alphanumeric(),
            other => other == v,
        })
}

#[test]
fn clean_rows_are_valid_and_each_planted_row_breaks_exactly_its_rule() {
    let tenant = sample_tenant();
    let today = jiff::Zoned::now().date();
    let mut g = Generator::new(2024, 0.25);
    let mut ids = HashSet::new();
    let mut emails = HashSet::new();
    let mut taxes = HashSet::new();
    let mut docs = HashSet::new();
    let mut ids_with_docs = HashSet::new();
    let mut seen_kinds = HashSet::new();
    for row in 0..20_000 {
        let plant = g.next_client();
        let rec = &g.rec;
        let found = defects(rec, &tenant, today);
        let id = rec.id.trim().to_string();
        let email = rec.email.trim().to_lowercase();
        let tax = rec.tax_id.trim().to_string();
        match plant {
            None => assert!(
                found.is_empty(),
                "row {row}: clean row has {found:?}: {rec:?}"
            ),
            Some(p @ (Plant::DuplicateId | Plant::DuplicateEmail | Plant::DuplicateTaxId)) => {
                assert!(found.is_empty(), "row {row}: {p:?} also has {found:?}");
                let repeated = match p {
                    Plant::DuplicateId => {
                        assert!(!rec.write_related && rec.client_type != "WALKIN");
                        assert!(!ids_with_docs.contains(&id), "first client had documents");
                        ids.contains(&id)
                    }
                    Plant::DuplicateEmail => emails.contains(&email),
                    _ => taxes.contains(&tax),
                };
                assert!(repeated, "row {row}: {p:?} repeats nothing");
            }
            Some(p) => assert_eq!(found, vec![p.code()], "row {row}: {p:?}: {rec:?}"),
        }
        if let Some(p) = plant {
            seen_kinds.insert(p);
        }
        // Values a clean row must not share with any earlier row.
        let unique_id = !matches!(plant, Some(Plant::DuplicateId));
        assert!(
            ids.insert(id.clone()) || !unique_id,
            "row {row}: id {id} repeated"
        );
        if rec.n_documents > 0 {
            ids_with_docs.insert(id);
        }
        if !email.is_empty() {
            let fresh = emails.insert(email.clone());
            assert!(
                fresh || plant == Some(Plant::DuplicateEmail),
                "row {row}: {email}"
            );
        }
        if !tax.is_empty() {
            let fresh = taxes.insert(tax.clone());
            assert!(
                fresh || plant == Some(Plant::DuplicateTaxId),
                "row {row}: {tax}"
            );
        }
        assert!(docs.insert(("PASSPORT", rec.passport_no.clone())));
        for d in rec.documents() {
            assert!(
                docs.insert((d.doc_type, d.number.clone())),
                "row {row}: {}",
                d.number
            );
        }
    }
    assert_eq!(seen_kinds.len(), Plant::ALL.len());
}
