//! Stage 3: Mambu's rules, applied to one client request at a time.
//!
//! In: a `ClientRequest` and the `Tenant`. Out: `FieldError`s named by
//! Mambu's return codes (an invalid row is data, not an `Err`), and the keys
//! that checks across rows compare (client id, unique custom field values,
//! the tenant's duplicate checks), which a `KeySpool` matches up. The same
//! functions serve the dry run and the sandbox server. Everything here is
//! `Sync` and allocates only to report a finding.

mod addresses;
mod assignments;
mod characters;
mod client_fields;
pub mod cross_row;
mod custom_fields;
pub mod dates;
pub mod documents;
pub mod email;
mod id_documents;
mod key_spool;
pub mod pattern;
mod row_keys;
mod text;
mod wanted_state;

#[cfg(test)]
pub(crate) mod test_tenant;

use jiff::civil::Date;

use crate::field_error::FieldError;
use crate::model::ClientRequest;
use crate::tenant::Tenant;

pub use cross_row::{Duplicate, Duplicates, KeyKind, KeySpool, RowKey};
pub use dates::{parse_iso_date, parse_mambu_date, DateProblem};
pub use email::check_email;
pub use pattern::matches_pattern;

/// What the per-row rules need besides the request and the tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckOptions {
    /// Birth dates after this day are in the future (309).
    pub today: Date,
    /// Whether a missing client id is an error (300); an import needs ids
    /// to settle retries, the sandbox generates them.
    pub require_id: bool,
}

/// Per-row rules for a CREATE request (the sandbox also calls it on the
/// merged result of an update). Findings are appended to `out` in the order
/// client fields, assignments, address, ID documents, custom fields (each
/// part's control characters right after its other rules). Rules
/// that need tenant definitions are skipped when `!tenant.is_known()`.
pub fn check_client(
    req: &ClientRequest,
    tenant: &Tenant,
    opts: &CheckOptions,
    out: &mut Vec<FieldError>,
) {
    client_fields::check(&req.client, opts, out);
    wanted_state::check(&req.client, tenant, out);
    characters::check_client(&req.client, out);
    if tenant.is_known() {
        assignments::check(req, tenant, out);
    }
    let addresses = req.addresses.as_deref().unwrap_or_default();
    addresses::check(addresses, out);
    characters::check_addresses(addresses, out);
    let documents = req.id_documents.as_deref().unwrap_or_default();
    id_documents::check(documents, tenant, out);
    characters::check_id_documents(documents, out);
    let values = req.custom_information.as_deref().unwrap_or_default();
    custom_fields::check(values, tenant, out);
    characters::check_custom_values(values, out);
}

/// The keys that checks across rows compare, for this request, appended to
/// `out`: the client id always; unique custom field values and the tenant's
/// active duplicate checks when the tenant is known. A key with an empty
/// part is left out.
pub fn row_keys(req: &ClientRequest, tenant: &Tenant, out: &mut Vec<RowKey>) {
    row_keys::row_keys(req, tenant, out);
}

/// The client id's key alone: a row rejected for other reasons still
/// counts for duplicate ids, which are reported on every row carrying them.
pub fn id_key(req: &ClientRequest, out: &mut Vec<RowKey>) {
    row_keys::id_key(req, out);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Address, CustomFieldValue, IdDocument};
    use crate::tenant::DuplicateCheckField;
    use test_tenant::{named, tenant};

    fn opts() -> CheckOptions {
        CheckOptions {
            today: jiff::civil::date(2025, 6, 1),
            require_id: true,
        }
    }

    fn good() -> ClientRequest {
        let mut r = named("Anna", "Berg");
        r.client.id = Some("C-1".into());
        r.client.email_address = Some("anna@example.com".into());
        r.client.assigned_branch_key = Some("B1".into());
        r.addresses = Some(vec![Address {
            city: Some("Berlin".into()),
            ..Address::default()
        }]);
        r.id_documents = Some(vec![IdDocument {
            document_type: Some("NATIONAL_ID".into()),
            document_id: Some("X1".into()),
            identification_document_template_key: Some("tpl-national".into()),
            ..IdDocument::default()
        }]);
        r.custom_information = Some(vec![CustomFieldValue {
            custom_field_id: Some("Loan_Purpose".into()),
            value: Some("Car".into()),
            ..CustomFieldValue::default()
        }]);
        r
    }

    fn check(req: &ClientRequest, tenant: &Tenant) -> Vec<(String, u16)> {
        let mut out = Vec::new();
        check_client(req, tenant, &opts(), &mut out);
        out.iter()
            .map(|e| (e.field.clone(), e.code.code()))
            .collect()
    }

    #[test]
    fn a_good_request_passes() {
        assert_eq!(check(&good(), &tenant()), []);
    }

    #[test]
    fn findings_come_in_request_order() {
        let mut r = good();
        r.client.first_name = None;
        r.client.assigned_branch_key = Some("B9".into());
        r.addresses = Some(vec![Address::default()]);
        r.id_documents = Some(vec![]);
        r.custom_information = Some(vec![]);
        assert_eq!(
            check(&r, &tenant()),
            [
                ("client.firstName".into(), 31),
                ("client.assignedBranchKey".into(), 801),
                ("addresses[0]".into(), 1150),
                ("idDocuments".into(), 951),
                ("customInformation[Loan_Purpose]".into(), 902),
            ]
        );
    }

    #[test]
    fn an_unknown_tenant_skips_rules_that_need_definitions() {
        let mut r = good();
        r.client.assigned_branch_key = Some("B9".into());
        r.client.assigned_user_key = Some("nobody".into());
        r.id_documents = Some(vec![IdDocument {
            document_type: Some("PASSPORT".into()),
            document_id: Some("1".into()),
            identification_document_template_key: Some("tpl-x".into()),
            ..IdDocument::default()
        }]);
        r.custom_information = Some(vec![CustomFieldValue {
            custom_field_id: Some("Nope".into()),
            value: Some("x".into()),
            ..CustomFieldValue::default()
        }]);
        assert_eq!(check(&r, &Tenant::unknown()), []);
        r.client.email_address = Some("nope".into());
        assert_eq!(
            check(&r, &Tenant::unknown()),
            [("client.emailAddress".into(), 711)]
        );
    }

    #[test]
    fn rows_keys_and_spool_find_duplicates_across_rows() {
        let t = tenant();
        let mut spool = KeySpool::new(2);
        let mut keys = Vec::new();
        let mut second = good();
        second.client.id = Some("C-2".into());
        second.client.email_address = Some("ANNA@example.com".into());
        for (row, req) in [(1, good()), (2, second), (3, good())] {
            keys.clear();
            row_keys(&req, &t, &mut keys);
            for k in &keys {
                spool.push(row, k).unwrap();
            }
        }
        let found: Vec<_> = spool
            .finish()
            .unwrap()
            .iter()
            .filter_map(|d| {
                d.to_field_error(&t)
                    .map(|e| (d.row, e.field, e.code.code(), e.message))
            })
            .collect();
        let email = KeyKind::Duplicate(DuplicateCheckField::Email);
        assert!(t
            .active_duplicate_checks()
            .any(|c| KeyKind::Duplicate(c) == email));
        assert_eq!(
            found,
            [
                (1, "client.id".into(), 316, "same client id as row 3".into()),
                (
                    2,
                    "client.emailAddress".into(),
                    310,
                    "same e-mail address as row 1".into()
                ),
                (3, "client.id".into(), 316, "same client id as row 1".into()),
                (
                    3,
                    "client.emailAddress".into(),
                    310,
                    "same e-mail address as row 1".into()
                ),
            ]
        );
    }

    #[test]
    fn shared_across_threads() {
        fn sync<T: Sync + Send>() {}
        sync::<Tenant>();
        sync::<CheckOptions>();
        sync::<RowKey>();
        sync::<Duplicate>();
        fn send<T: Send>() {}
        send::<KeySpool>();
    }
}
