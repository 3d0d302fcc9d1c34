//! Rules on the client's identification documents.
//!
//! In: the request's documents and the `Tenant` (templates, and whether
//! documents outside them are allowed; skipped for an unknown tenant).
//! Out: findings appended to `out`, on `idDocuments[i].…`.
//!
//! The seed says of `identificationDocumentTemplateKey`: "Required if a
//! template exists". A document without a key whose type has a template in
//! the tenant is refused with 953 INVALID_ID_DOCUMENT_TEMPLATE_KEY on that
//! field: the key is what is wrong, and 950 INVALID_ID_DOCUMENT stays for
//! the document's own type and number. (An export that only knows
//! "PASSPORT" gets its key from the mapping, which fills it in when the
//! tenant has exactly one template for the type: see docs/mapping.md.)
//! Such a document is still counted as meeting its type's mandatory
//! template, so the one cause is reported once, not also as 951.

use crate::field_error::FieldError;
use crate::model::{IdDocument, ReturnCode};
use crate::tenant::{IdDocumentTemplate, Tenant};

use super::dates::{parse_mambu_date, MAMBU_DATE_FORMS};
use super::pattern::matches_pattern;
use super::text::{check_length, non_blank, quoted, MAX_TEXT};

/// Checks every document, then the tenant's mandatory templates.
pub(crate) fn check(docs: &[IdDocument], tenant: &Tenant, out: &mut Vec<FieldError>) {
    for (i, doc) in docs.iter().enumerate() {
        check_document(i, doc, tenant, out);
        if let Some(j) = docs[..i]
            .iter()
            .position(|earlier| same_document(earlier, doc))
        {
            out.push(FieldError::error(
                format!("idDocuments[{i}]"),
                ReturnCode::InvalidIdDocument,
                format!("the same document type and number as idDocuments[{j}]"),
            ));
        }
    }
    if tenant.is_known() {
        for t in tenant
            .schema()
            .id_document_templates
            .iter()
            .filter(|t| t.mandatory_for_clients)
        {
            if !docs.iter().any(|d| follows(d, t)) {
                out.push(FieldError::error(
                    "idDocuments",
                    ReturnCode::RequiredIdDocumentMissing,
                    format!(
                        "the tenant requires a {} document, and none is given",
                        t.document_type
                    ),
                ));
            }
        }
    }
}

fn check_document(i: usize, doc: &IdDocument, tenant: &Tenant, out: &mut Vec<FieldError>) {
    let path = |name: &str| format!("idDocuments[{i}].{name}");
    let doc_type = non_blank(doc.document_type.as_deref());
    let doc_id = non_blank(doc.document_id.as_deref());
    if doc_type.is_none() {
        let msg = "the document type is missing";
        out.push(FieldError::error(
            path("documentType"),
            ReturnCode::InvalidIdDocument,
            msg,
        ));
    }
    if doc_id.is_none() {
        let msg = "the document number is missing";
        out.push(FieldError::error(
            path("documentId"),
            ReturnCode::InvalidIdDocument,
            msg,
        ));
    }
    let texts = [
        ("documentType", "document type", &doc.document_type),
        ("documentId", "document number", &doc.document_id),
        (
            "issuingAuthority",
            "issuing authority",
            &doc.issuing_authority,
        ),
    ];
    for (name, label, value) in texts {
        check_length(|| path(name), label, value.as_deref(), MAX_TEXT, out);
    }
    if let Some(until) = doc.valid_until.as_deref().filter(|u| !u.is_empty()) {
        if let Err(p) = parse_mambu_date(until) {
            out.push(FieldError::error(
                path("validUntil"),
                ReturnCode::InvalidDate,
                format!(
                    "valid-until date {} is {}",
                    quoted(until),
                    p.describe(MAMBU_DATE_FORMS)
                ),
            ));
        }
    }
    if tenant.is_known() {
        check_template(doc, doc_id, tenant, &path, out);
    }
}

fn check_template(
    doc: &IdDocument,
    doc_id: Option<&str>,
    tenant: &Tenant,
    path: &dyn Fn(&str) -> String,
    out: &mut Vec<FieldError>,
) {
    let template = match non_blank(doc.identification_document_template_key.as_deref()) {
        Some(key) => match tenant.id_template(key) {
            Some(t) => Some(t),
            None => {
                out.push(FieldError::error(
                    path("identificationDocumentTemplateKey"),
                    ReturnCode::InvalidIdDocumentTemplateKey,
                    format!(
                        "document template {} does not exist in the tenant",
                        quoted(key)
                    ),
                ));
                return;
            }
        },
        None => {
            let by_type = tenant
                .schema()
                .id_document_templates
                .iter()
                .find(|t| follows(doc, t));
            if let Some(t) = by_type {
                out.push(FieldError::error(
                    path("identificationDocumentTemplateKey"),
                    ReturnCode::InvalidIdDocumentTemplateKey,
                    format!(
                        "document type {} has a template in the tenant, so its key is required",
                        quoted(&t.document_type)
                    ),
                ));
            } else if !tenant.schema().allow_other_id_documents {
                let kind = doc.document_type.as_deref().unwrap_or_default();
                out.push(FieldError::error(
                    path("identificationDocumentTemplateKey"),
                    ReturnCode::AddingOtherIdDocumentsIsDisabled,
                    format!(
                        "document type {} has no template, and the tenant accepts no other documents",
                        quoted(kind)
                    ),
                ));
            }
            by_type
        }
    };
    let pattern = template.and_then(|t| non_blank(t.document_id_template.as_deref()));
    if let (Some(pattern), Some(id)) = (pattern, doc_id) {
        if !matches_pattern(pattern, id) {
            out.push(FieldError::error(
                path("documentId"),
                ReturnCode::InvalidIdDocument,
                format!(
                    "document number {} does not match the template's pattern {pattern}",
                    quoted(id)
                ),
            ));
        }
    }
}

/// Whether `doc` follows template `t`: by key, or without a key by type.
fn follows(doc: &IdDocument, t: &IdDocumentTemplate) -> bool {
    match non_blank(doc.identification_document_template_key.as_deref()) {
        Some(key) => key == t.encoded_key,
        None => doc
            .document_type
            .as_deref()
            .is_some_and(|ty| ty.trim().eq_ignore_ascii_case(t.document_type.trim())),
    }
}

/// Whether two documents have the same type and number (ignoring case and
/// surrounding spaces, as the tenant's duplicate check compares them).
fn same_document(a: &IdDocument, b: &IdDocument) -> bool {
    let eq = |x: &Option<String>, y: &Option<String>| match (
        non_blank(x.as_deref()),
        non_blank(y.as_deref()),
    ) {
        (Some(x), Some(y)) => eq_ignore_case(x.trim(), y.trim()),
        _ => false,
    };
    eq(&a.document_type, &b.document_type) && eq(&a.document_id, &b.document_id)
}

/// Unicode case-insensitive equality without building lower-case copies.
fn eq_ignore_case(a: &str, b: &str) -> bool {
    a.chars()
        .flat_map(char::to_lowercase)
        .eq(b.chars().flat_map(char::to_lowercase))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::test_tenant::{tenant, tenant_with};

    fn doc(ty: &str, id: &str, key: Option<&str>) -> IdDocument {
        IdDocument {
            document_type: Some(ty.into()),
            document_id: Some(id.into()),
            identification_document_template_key: key.map(Into::into),
            ..IdDocument::default()
        }
    }

    fn national() -> IdDocument {
        doc("NATIONAL_ID", "X1", Some("tpl-national"))
    }

    fn run(docs: &[IdDocument], tenant: &Tenant) -> Vec<(String, u16)> {
        let mut out = Vec::new();
        check(docs, tenant, &mut out);
        out.iter()
            .map(|e| (e.field.clone(), e.code.code()))
            .collect()
    }

    #[test]
    fn good_documents_pass() {
        let t = tenant();
        assert!(run(
            &[
                national(),
                doc("PASSPORT", "AB123456", Some("tpl-passport"))
            ],
            &t
        )
        .is_empty());
        assert!(run(&[doc("NATIONAL_ID", "9", Some("tpl-national"))], &t).is_empty());
        assert!(run(&[national(), doc("DRIVING_LICENCE", "D-1", None)], &t).is_empty());
    }

    #[test]
    fn type_and_number_are_required() {
        let t = tenant();
        let out = run(&[national(), doc(" ", "", None)], &t);
        assert_eq!(
            out,
            [
                ("idDocuments[1].documentType".into(), 950),
                ("idDocuments[1].documentId".into(), 950)
            ]
        );
    }

    #[test]
    fn unknown_template_key() {
        let t = tenant();
        let out = run(
            &[national(), doc("PASSPORT", "AB123456", Some("tpl-x"))],
            &t,
        );
        assert_eq!(
            out,
            [(
                "idDocuments[1].identificationDocumentTemplateKey".into(),
                953
            )]
        );
    }

    #[test]
    fn number_must_match_the_template_pattern() {
        let t = tenant();
        let out = run(
            &[national(), doc("PASSPORT", "123", Some("tpl-passport"))],
            &t,
        );
        assert_eq!(out, [("idDocuments[1].documentId".into(), 950)]);
        // Without a key, the type's template still checks the number.
        let out = run(&[national(), doc("passport", "AB12", None)], &t);
        assert_eq!(
            out,
            [
                (
                    "idDocuments[1].identificationDocumentTemplateKey".into(),
                    953
                ),
                ("idDocuments[1].documentId".into(), 950)
            ]
        );
    }

    #[test]
    fn other_documents_may_be_disabled() {
        let t = tenant_with(|s| s.allow_other_id_documents = false);
        let out = run(&[national(), doc("DRIVING_LICENCE", "D-1", None)], &t);
        assert_eq!(
            out,
            [(
                "idDocuments[1].identificationDocumentTemplateKey".into(),
                952
            )]
        );
        assert!(run(
            &[
                national(),
                doc("PASSPORT", "AB123456", Some("tpl-passport"))
            ],
            &t
        )
        .is_empty());
    }

    #[test]
    fn the_key_is_required_where_a_template_exists() {
        let t = tenant();
        let out = run(&[doc("National_ID ", "X1", None)], &t);
        assert_eq!(
            out,
            [(
                "idDocuments[0].identificationDocumentTemplateKey".into(),
                953
            )]
        );
        let mut errors = Vec::new();
        check(&[doc("NATIONAL_ID", "X1", Some(" "))], &t, &mut errors);
        assert_eq!(
            errors[0].message,
            "document type 'NATIONAL_ID' has a template in the tenant, so its key is required"
        );
        // A type without a template needs no key where other documents are allowed.
        assert!(run(&[national(), doc("DRIVING_LICENCE", "D-1", None)], &t).is_empty());
    }

    #[test]
    fn mandatory_templates_must_be_used() {
        let t = tenant();
        assert_eq!(run(&[], &t), [("idDocuments".into(), 951)]);
        assert_eq!(
            run(&[doc("PASSPORT", "AB123456", Some("tpl-passport"))], &t),
            [("idDocuments".into(), 951)]
        );
        // A document of the mandatory type without its key is told once (953).
        assert_eq!(
            run(&[doc("NATIONAL_ID", "X1", None)], &t),
            [(
                "idDocuments[0].identificationDocumentTemplateKey".into(),
                953
            )]
        );
        assert!(run(&[doc("Other", "1", Some("tpl-national"))], &t).is_empty());
    }

    #[test]
    fn the_same_document_twice() {
        let t = tenant();
        let out = run(
            &[national(), doc("national_id", " x1 ", Some("tpl-national"))],
            &t,
        );
        assert_eq!(out, [("idDocuments[1]".into(), 950)]);
    }

    #[test]
    fn valid_until_must_be_a_date() {
        let t = tenant();
        let mut d = national();
        d.valid_until = Some("2030-01-31".into());
        assert!(run(&[d.clone()], &t).is_empty());
        d.valid_until = Some("2030-01-31T00:00:00+0100".into());
        assert!(run(&[d.clone()], &t).is_empty());
        d.valid_until = Some("31/01/2030".into());
        assert_eq!(run(&[d], &t), [("idDocuments[0].validUntil".into(), 102)]);
    }

    #[test]
    fn unknown_tenant_skips_template_rules() {
        let t = Tenant::unknown();
        assert!(run(&[doc("PASSPORT", "1", Some("tpl-x"))], &t).is_empty());
        assert_eq!(
            run(&[doc("", "1", None)], &t),
            [("idDocuments[0].documentType".into(), 950)]
        );
    }

    #[test]
    fn lengths_are_limited() {
        let mut d = national();
        d.issuing_authority = Some("a".repeat(256));
        assert_eq!(
            run(&[d], &tenant()),
            [("idDocuments[0].issuingAuthority".into(), 4)]
        );
    }
}
