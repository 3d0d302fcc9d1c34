//! The upsert's check before sending: the client as it will be after the
//! update, held against the dry run's rules.
//!
//! In: the stored client (full details), the row's mapped request, the
//! update body built from them, the wanted state. Out: the first problem, as
//! a finding whose message says which values came from the row and which
//! were stored, so the row is rejected instead of sent to fail (852, 703,
//! 1151, …); or a move no revert could undo (9006). Never fails.

use serde_json::Value;

use super::upsert_body;
use crate::field_error::FieldError;
use crate::model::state_moves::{revertible, state_steps};
use crate::model::{ClientRequest, ReturnCode};
use crate::tenant::Tenant;
use crate::validate::{self, CheckOptions};

/// The first rule the merged client breaks, as a finding whose message
/// says which of the values involved came from the row and which were
/// stored; a wanted state no allowed move reaches; or a change no revert
/// could undo (9006).
pub fn merged_problem(
    tenant: &Tenant,
    stored: &Value,
    mapped: &Value,
    body: &Value,
    wanted: Option<&str>,
    stored_state: &str,
) -> Option<FieldError> {
    let after = upsert_body::after_update(stored, body);
    if let Ok(req) = serde_json::from_value::<ClientRequest>(after) {
        let mut findings = Vec::new();
        let opts = CheckOptions {
            today: jiff::Zoned::now().date(),
            require_id: true,
        };
        validate::check_client(&req, tenant, &opts, &mut findings);
        if let Some(mut f) = findings.into_iter().find(FieldError::is_error) {
            f.message = format!("{} ({})", f.message, origins(&f, mapped));
            return Some(f);
        }
    }
    let language = mapped["client"]["preferredLanguage"].as_str();
    if let (Some(language), true) = (language, stored["client"]["preferredLanguage"].is_null()) {
        return Some(FieldError::error(
            "client.preferredLanguage",
            ReturnCode::NotRevertible,
            format!(
                "the row sets preferredLanguage {language} and the stored client has none: Mambu cannot clear a language, so no revert could give the client back as it was"
            ),
        ));
    }
    let wanted = wanted?;
    // A state no allowed move reaches (ACTIVE, say) is left as stored and
    // said so on the row; the rest of the row is still worth updating.
    state_steps(stored_state, wanted)?;
    if !revertible(stored_state, wanted) {
        return Some(FieldError::error(
            "client.state",
            ReturnCode::NotRevertible,
            format!(
                "the row asks for state {wanted} and the stored client is {stored_state}: Mambu allows the move, but no revert could give the client back as it was (the way back stamps a new approval or closing date, or does not exist)"
            ),
        ));
    }
    None
}

/// Where each value a finding is about comes from after the merge.
fn origins(f: &FieldError, mapped: &Value) -> String {
    let fields: &[&str] = match f.code {
        ReturnCode::InconsistentCentreWithBranch => &["assignedBranchKey", "assignedCentreKey"],
        ReturnCode::InconsistentCreditOfficerWithBranch => {
            &["assignedBranchKey", "assignedUserKey"]
        }
        ReturnCode::ClientRoleDoesNotAllowAddress => &["clientRole", "addresses"],
        _ => &[],
    };
    let name = |field: &str| {
        let from_row = match field {
            "addresses" => mapped["addresses"]
                .as_array()
                .is_some_and(|a| !a.is_empty()),
            f => !mapped["client"][f].is_null(),
        };
        format!(
            "{field} {}",
            if from_row {
                "from the row"
            } else {
                "as stored"
            }
        )
    };
    let parts: Vec<String> = if fields.is_empty() {
        let field = f.field.strip_prefix("client.").unwrap_or(&f.field);
        vec![name(field)]
    } else {
        fields.iter().map(|f| name(f)).collect()
    };
    format!(
        "the row merged with the stored client: {}",
        parts.join(", ")
    )
}
