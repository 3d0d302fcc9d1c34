//! The legacy state a row asks for, against what the API can set.
//!
//! In: a client and the tenant (for the state Mambu starts new clients in).
//! Out: a warning 9007 FERRY_STATE_NOT_SETTABLE when no PATCH move reaches the
//! state from the initial one, naming what the client will be instead. Mambu
//! makes a client ACTIVE only when one of its accounts is activated, so ACTIVE
//! is the state this finds: the import still creates the client and says so
//! on the row, it is not an error. Never fails.

use crate::field_error::FieldError;
use crate::model::state_moves::reachable;
use crate::model::{Client, ReturnCode};
use crate::tenant::Tenant;

/// Warns when the row's state cannot be reached through the API.
pub fn check(client: &Client, tenant: &Tenant, out: &mut Vec<FieldError>) {
    let Some(wanted) = client.state.as_ref() else {
        return;
    };
    if !wanted.is_known() {
        return; // 305 is the client field rules' to report.
    }
    let initial = tenant.new_client_state();
    if !reachable(&initial, wanted) {
        let (from, to) = (initial.as_str(), wanted.as_str());
        out.push(FieldError::warning(
            "client.state",
            ReturnCode::StateNotSettable,
            format!(
                "state {to} cannot be set through the API: the client will be {from} (the tenant's initial state) until Mambu changes it (ACTIVE: when one of its accounts is activated)"
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ClientState;

    fn findings(state: ClientState) -> Vec<FieldError> {
        let client = Client {
            state: Some(state),
            ..Client::default()
        };
        let mut out = Vec::new();
        check(&client, &Tenant::unknown(), &mut out);
        out
    }

    #[test]
    fn only_a_state_no_move_reaches_is_warned_about() {
        let active = findings(ClientState::Active);
        assert_eq!(active.len(), 1);
        assert!(!active[0].is_error());
        assert_eq!(active[0].code, ReturnCode::StateNotSettable);
        assert!(
            active[0].message.contains("PENDING_APPROVAL"),
            "{}",
            active[0].message
        );
        for reachable in [
            ClientState::PendingApproval,
            ClientState::Inactive,
            ClientState::Exited,
            ClientState::Rejected,
            ClientState::Blacklisted,
        ] {
            assert!(findings(reachable).is_empty());
        }
    }
}
