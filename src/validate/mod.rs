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
mod client_fields;
pub mod cross_row;
mod custom_fields;
pub mod dates;
pub mod email;
mod id_documents;
mod key_spool;
pub mod pattern;
mod row_keys;
mod text;

#[cfg(test)]
pub(crate) mod test_tenant;

use jiff::civil::Date;

use crate::field_error::FieldError;
use crate::model::ClientRequest;
use crate::tenant::Tenant;

pub use cross_row::{Duplicate, KeyKind, KeySpool, RowKey};
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
/// client fields, assignments, address, ID documents, custom fields. Rules
/// that need tenant definitions are skipped when `!tenant.is_known()`.
pub fn check_client(
    req: &ClientRequest,
    tenant: &Tenant,
    opts: &CheckOptions,
    out: &mut Vec<FieldError>,
) {
    client_fields::check(&req.client, opts, out);
    if tenant.is_known() {
        assignments::check(req, tenant, out);
    }
    addresses::check(req.addresses.as_deref().unwrap_or_default(), out);
    id_documents::check(req.id_documents.as_deref().unwrap_or_default(), tenant, out);
    custom_fields::check(
        req.custom_information.as_deref().unwrap_or_default(),
        tenant,
        out,
    );
}

/// The keys that checks across rows compare, for this request, appended to
/// `out`: the client id always; unique custom field values and the tenant's
/// active duplicate checks when the tenant is known. A key with an empty
/// part is left out.
pub fn row_keys(req: &ClientRequest, tenant: &Tenant, out: &mut Vec<RowKey>) {
    row_keys::row_keys(req, tenant, out);
}
