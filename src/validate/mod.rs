//! Stage 3: Mambu's rules, applied to one client request at a time.
//!
//! In: a `ClientRequest` and the `Tenant`. Out: `FieldError`s named by
//! Mambu's return codes (an invalid row is data, not an `Err`), and the keys
//! that checks across rows compare (client id, unique custom field values,
//! ID documents, the tenant's duplicate checks). The same functions serve
//! the dry run and the sandbox server.

use jiff::civil::Date;

use crate::field_error::FieldError;
use crate::model::ClientRequest;
use crate::tenant::{DuplicateCheckField, Tenant};

/// What the per-row rules need besides the request and the tenant.
#[derive(Debug, Clone, Copy)]
pub struct CheckOptions {
    /// Birth dates after this day are refused (309).
    pub today: Date,
    /// Whether a missing client id is an error (a loader that chooses ids).
    pub require_id: bool,
}

/// Checks one client request against Mambu's per-row rules; findings are
/// appended to `out`.
pub fn check_client(
    req: &ClientRequest,
    tenant: &Tenant,
    opts: &CheckOptions,
    out: &mut Vec<FieldError>,
) {
    let _ = (req, tenant, opts, out);
}

/// What a uniqueness key stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyKind {
    /// The client id (316 CLIENT_ID_ALREADY_IN_USE).
    ClientId,
    /// A unique custom field's value, by the field's index in
    /// `Tenant::custom_fields()` (926 DUPLICATE_UNIQUE_VALUE).
    UniqueValue(u32),
    /// A tenant duplicate-client check (310 DUPLICATE_CLIENT).
    Duplicate(DuplicateCheckField),
}

/// One value that must not repeat across clients, hashed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RowKey {
    pub kind: KeyKind,
    pub hash: u128,
}

/// Appends the uniqueness keys of one request to `out`.
pub fn row_keys(req: &ClientRequest, tenant: &Tenant, out: &mut Vec<RowKey>) {
    let _ = (req, tenant, out);
}
