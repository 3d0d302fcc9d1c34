//! One row through the pass: map, check, encode its spool record.
//!
//! In: a `RawRow`, the plan, the tenant and what bodies to keep. Out: its
//! `Processed` (findings, validity, cross-row keys, the body and the spool
//! record), and for the replay a valid row's report fields mapped again
//! (`report_fields_again`). Bad data is a finding, never an error; only a
//! record that cannot be encoded is (`Processed::unencodable`).

use super::*;

/// What the parallel stage computes for one row; reused from chunk to
/// chunk so its buffers are allocated once.
#[derive(Default)]
pub(super) struct Processed {
    pub(super) findings: Vec<FieldError>,
    /// The request body; meaningful only when `valid` and `bodies` is not
    /// `Bodies::None`.
    pub(super) payload: Vec<u8>,
    pub(super) valid: bool,
    /// Whether `payload` is the row's body, to be spooled.
    pub(super) has_body: bool,
    pub(super) keys: Vec<RowKey>,
    /// The row's spool record, encoded here rather than by the one writer.
    pub(super) record: Vec<u8>,
    /// Why the record could not be encoded (the pass then fails).
    pub(super) unencodable: Option<std::io::Error>,
}

/// One rayon task's reusable request: mapped, checked and serialised per
/// row, then emptied into the recycler for the next.
#[derive(Default)]
pub(super) struct RowScratch {
    pub(super) request: ClientRequest,
    pub(super) recycler: Recycler,
}

pub(super) fn process_row(
    raw: &RawRow,
    plan: &Plan,
    tenant: &Tenant,
    opts: &CheckOptions,
    bodies: Bodies,
    scratch: &mut RowScratch,
    out: &mut Processed,
) {
    check_row(raw, plan, tenant, opts, bodies, scratch, out);
    scratch.recycler.reclaim(&mut scratch.request);
    out.has_body = out.valid && bodies != Bodies::None;
    let payload = out.has_body.then_some(out.payload.as_slice());
    out.unencodable = spool::encode(
        raw.row,
        raw.line,
        &raw.fields,
        &out.findings,
        payload,
        &mut out.record,
    )
    .err();
}

pub(super) fn check_row(
    raw: &RawRow,
    plan: &Plan,
    tenant: &Tenant,
    opts: &CheckOptions,
    bodies: Bodies,
    scratch: &mut RowScratch,
    out: &mut Processed,
) {
    out.findings.clear();
    out.keys.clear();
    out.payload.clear();
    out.valid = false;
    if let Some(problem) = &raw.problem {
        out.findings.push(problem.clone());
        return;
    }
    let request = &mut scratch.request;
    plan.apply_into(raw, request, &mut scratch.recycler, &mut out.findings);
    let documents =
        plan.document_files(&raw.fields, request.client.id.as_deref(), &mut out.findings);
    let mapped = out.findings.len();
    validate::check_client(request, tenant, opts, &mut out.findings);
    validate::documents::check(&documents, plan.document_limit(), &mut out.findings);
    drop_findings_on_fields_already_reported(&mut out.findings, mapped);
    if out.findings.iter().any(FieldError::is_error) {
        // A duplicated id is reported on every row carrying it, this one too.
        validate::id_key(request, &mut out.keys);
        return;
    }
    validate::row_keys(request, tenant, &mut out.keys);
    out.valid = if bodies == Bodies::None {
        true
    } else if bodies == Bodies::ReportFields {
        serde_json::to_writer(&mut out.payload, &ReportFieldsBody(request)).is_ok()
    } else if documents.is_empty() {
        serde_json::to_writer(&mut out.payload, &*request).is_ok()
    } else {
        let with = WithDocuments {
            request,
            document_files: &documents,
        };
        serde_json::to_writer(&mut out.payload, &with).is_ok()
    };
}

/// A valid row's payload with its document files, which the import
/// uploads after the client and never sends in the client request.
#[derive(serde::Serialize)]
pub(super) struct WithDocuments<'a> {
    #[serde(flatten)]
    pub(super) request: &'a ClientRequest,
    #[serde(rename = "documentFiles")]
    pub(super) document_files: &'a crate::mapping::DocumentFiles,
}

/// The fields of a request a report reads from its body (see
/// [`Bodies::ReportFields`]): `client` with the names, birth date, e-mail
/// and phones, and each ID document's type and number, as the full body
/// spells them; absent values are left out, as there.
pub(super) struct ReportFieldsBody<'a>(&'a ClientRequest);

impl serde::Serialize for ReportFieldsBody<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        struct Contact<'a>(&'a crate::model::Client);
        impl serde::Serialize for Contact<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let c = self.0;
                let mut m = s.serialize_map(None)?;
                for (name, value) in [
                    ("firstName", &c.first_name),
                    ("lastName", &c.last_name),
                    ("homePhone", &c.home_phone),
                    ("mobilePhone1", &c.mobile_phone1),
                    ("emailAddress", &c.email_address),
                    ("birthDate", &c.birth_date),
                ] {
                    if let Some(v) = value {
                        m.serialize_entry(name, v)?;
                    }
                }
                m.end()
            }
        }
        struct Document<'a>(&'a crate::model::IdDocument);
        impl serde::Serialize for Document<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let d = self.0;
                let mut m = s.serialize_map(None)?;
                if let Some(v) = &d.document_type {
                    m.serialize_entry("documentType", v)?;
                }
                if let Some(v) = &d.document_id {
                    m.serialize_entry("documentId", v)?;
                }
                m.end()
            }
        }
        struct Documents<'a>(&'a [crate::model::IdDocument]);
        impl serde::Serialize for Documents<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut q = s.serialize_seq(Some(self.0.len()))?;
                for d in self.0 {
                    q.serialize_element(&Document(d))?;
                }
                q.end()
            }
        }
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("client", &Contact(&self.0.client))?;
        if let Some(docs) = &self.0.id_documents {
            m.serialize_entry("idDocuments", &Documents(docs))?;
        }
        m.end()
    }
}

/// A valid row's [`Bodies::ReportFields`] body, from its fields mapped
/// again: what the pass would have written, as mapping is a function of
/// the row's fields. False when it cannot be serialised (then no body).
pub(super) fn report_fields_again(
    row: &SpooledRow,
    fields: &csv::StringRecord,
    plan: &Plan,
    scratch: &mut RowScratch,
    out: &mut Vec<u8>,
) -> bool {
    let raw = RawRow {
        row: row.row,
        line: row.line,
        fields: fields.clone(),
        problem: None,
    };
    let mut findings = Vec::new();
    plan.apply_into(
        &raw,
        &mut scratch.request,
        &mut scratch.recycler,
        &mut findings,
    );
    out.clear();
    let ok = serde_json::to_writer(&mut *out, &ReportFieldsBody(&scratch.request)).is_ok();
    scratch.recycler.reclaim(&mut scratch.request);
    ok
}

/// A value the mapping could not produce is left out of the request, so the
/// validator may report the same field again as missing (an unknown branch
/// id would also read as 705 MISSING_BRANCH_KEY). The mapping's finding is
/// the one that names the cause; the validator's echo on that field goes.
pub(super) fn drop_findings_on_fields_already_reported(
    findings: &mut Vec<FieldError>,
    mapped: usize,
) {
    if mapped == 0 || findings.len() == mapped {
        return;
    }
    let validated = findings.split_off(mapped);
    for f in validated {
        if !findings[..mapped].iter().any(|m| m.field == f.field) {
            findings.push(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ReturnCode;

    #[test]
    fn validator_echo_of_a_mapping_finding_is_dropped() {
        let mut f = vec![
            FieldError::error(
                "client.assignedBranchKey",
                ReturnCode::InvalidBranchKey,
                "unknown branch X",
            ),
            FieldError::error(
                "client.assignedBranchKey",
                ReturnCode::MissingBranchKey,
                "missing",
            ),
            FieldError::error(
                "client.emailAddress",
                ReturnCode::EmailAddressFormatIsInvalid,
                "bad",
            ),
        ];
        drop_findings_on_fields_already_reported(&mut f, 1);
        let codes: Vec<_> = f.iter().map(|e| e.code).collect();
        assert_eq!(
            codes,
            [
                ReturnCode::InvalidBranchKey,
                ReturnCode::EmailAddressFormatIsInvalid
            ]
        );
    }

    /// The report reads a group's key and the notification count from a
    /// body; the short body must give both exactly as the full one does.
    #[test]
    fn report_fields_body_reads_as_the_full_body() {
        use crate::tenant::{CreationChannels, DuplicateCheckField};
        use crate::validate::cross_row::key_text;
        let mut full = ClientRequest::default();
        let c = &mut full.client;
        c.id = Some("C-1".into());
        c.first_name = Some("Zoë \"Jo\"".into());
        c.last_name = Some("Nowak\\".into());
        c.birth_date = Some("1980-01-02".into());
        c.email_address = Some("jo@example.com".into());
        c.home_phone = Some(String::new());
        c.mobile_phone1 = Some("+48 1".into());
        c.notes = Some("not a key".into());
        full.id_documents = Some(vec![
            crate::model::IdDocument {
                document_type: Some("PASSPORT".into()),
                document_id: Some("AB1".into()),
                issuing_authority: Some("x".into()),
                ..Default::default()
            },
            crate::model::IdDocument {
                document_type: Some("ID_CARD".into()),
                ..Default::default()
            },
        ]);
        let mut bare = ClientRequest::default();
        bare.client.id = Some("C-2".into());
        let channels = CreationChannels {
            email: true,
            sms: true,
        };
        for request in [&full, &bare] {
            let long = serde_json::to_vec(request).unwrap();
            let short = serde_json::to_vec(&ReportFieldsBody(request)).unwrap();
            assert!(short.len() < long.len());
            let (l, s): (serde_json::Value, serde_json::Value) = (
                serde_json::from_slice(&long).unwrap(),
                serde_json::from_slice(&short).unwrap(),
            );
            for check in DuplicateCheckField::ALL {
                assert_eq!(key_text(check, &l), key_text(check, &s), "{check:?}");
            }
            assert_eq!(channels.for_body(&long), channels.for_body(&short));
        }
        assert_eq!(
            key_text(
                DuplicateCheckField::DocumentIdAndType,
                &serde_json::from_slice(&serde_json::to_vec(&ReportFieldsBody(&full)).unwrap())
                    .unwrap()
            )
            .as_deref(),
            Some("PASSPORT AB1"),
            "the test compares something"
        );
    }
}
