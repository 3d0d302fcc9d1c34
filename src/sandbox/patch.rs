//! `PATCH /api/clients/{idOrKey}`: a state change and/or new assignments.
//!
//! In: the stored full shape and `{"client":{"state":…,"assignedBranchKey":…}}`.
//! Out: the changed full shape (dates set as Mambu sets them), or a refusal:
//! 305 for an unknown or null state, 312 for a transition Mambu does not
//! allow, 3741 for any other change to a BLACKLISTED client. The assignments
//! themselves are checked by the validator afterwards (801/850/702).

use serde_json::{Map, Value};

use super::reply::ApiError;
use super::update::{client_object, merge_client};
use crate::model::state_moves::transition_allowed;
use crate::model::{ClientRequest, ClientState, ReturnCode};

/// Applies a PATCH body to the stored client.
pub fn apply_patch(
    stored: &ClientRequest,
    body: &Value,
    now: &str,
) -> Result<ClientRequest, ApiError> {
    let given = client_object(body)?;
    let from = stored
        .client
        .state
        .clone()
        .unwrap_or(ClientState::PendingApproval);
    let target = match given.get("state") {
        None => None,
        Some(Value::String(s)) => Some(ClientState::parse(s)),
        Some(_) => return Err(ApiError::bad(ReturnCode::InvalidClientState, Some("state"))),
    };
    let other: Map<String, Value> = given
        .iter()
        .filter(|(k, _)| k.as_str() != "state")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if from == ClientState::Blacklisted && (!other.is_empty() || target.is_none()) {
        return Err(ApiError::bad(
            ReturnCode::BlacklistedClientNotEditable,
            None,
        ));
    }
    let mut full = stored.clone();
    full.client = merge_client(&stored.client, &other)?;
    if let Some(to) = target {
        if !to.is_known() {
            return Err(ApiError::bad(ReturnCode::InvalidClientState, Some("state")));
        }
        if !transition_allowed(&from, &to) {
            return Err(ApiError::bad(
                ReturnCode::InvalidClientStateTransition,
                Some("state"),
            ));
        }
        let c = &mut full.client;
        match to {
            ClientState::Inactive => c.approved_date = Some(now.to_string()),
            ClientState::PendingApproval => c.approved_date = None,
            _ => c.closed_date = Some(now.to_string()),
        }
        c.state = Some(to);
    }
    full.client.last_modified_date = Some(now.to_string());
    Ok(full)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Client;
    use serde_json::json;

    fn client(state: ClientState) -> ClientRequest {
        ClientRequest {
            client: Client {
                state: Some(state),
                first_name: Some("A".into()),
                ..Client::default()
            },
            ..ClientRequest::default()
        }
    }

    fn to(state: ClientState, target: &str) -> Result<ClientRequest, i64> {
        apply_patch(&client(state), &json!({"client": {"state": target}}), "now")
            .map_err(|e| e.body.return_code)
    }

    #[test]
    fn allowed_transitions_set_state_and_dates() {
        let approved = to(ClientState::PendingApproval, "INACTIVE").unwrap();
        assert_eq!(approved.client.state, Some(ClientState::Inactive));
        assert_eq!(approved.client.approved_date.as_deref(), Some("now"));
        assert!(to(ClientState::Inactive, "PENDING_APPROVAL").is_ok());
        assert!(to(ClientState::PendingApproval, "REJECTED").is_ok());
        assert!(to(ClientState::Active, "EXITED").is_ok());
        let exited = to(ClientState::Inactive, "EXITED").unwrap();
        assert_eq!(exited.client.closed_date.as_deref(), Some("now"));
        for s in [
            ClientState::PendingApproval,
            ClientState::Active,
            ClientState::Exited,
            ClientState::Rejected,
        ] {
            assert!(to(s, "BLACKLISTED").is_ok());
        }
    }

    #[test]
    fn refused_transitions_and_states_have_their_codes() {
        assert_eq!(to(ClientState::PendingApproval, "EXITED").unwrap_err(), 312);
        assert_eq!(to(ClientState::PendingApproval, "ACTIVE").unwrap_err(), 312);
        assert_eq!(to(ClientState::Exited, "INACTIVE").unwrap_err(), 312);
        assert_eq!(
            to(ClientState::Blacklisted, "PENDING_APPROVAL").unwrap_err(),
            312
        );
        assert_eq!(
            to(ClientState::PendingApproval, "SLEEPING").unwrap_err(),
            305
        );
        let null = apply_patch(
            &client(ClientState::Active),
            &json!({"client": {"state": null}}),
            "n",
        );
        assert_eq!(null.unwrap_err().body.return_code, 305);
    }

    #[test]
    fn assignments_merge_but_not_on_a_blacklisted_client() {
        let body = json!({"client": {"assignedBranchKey": "b1"}});
        let p = apply_patch(&client(ClientState::Active), &body, "n").unwrap();
        assert_eq!(p.client.assigned_branch_key.as_deref(), Some("b1"));
        assert_eq!(p.client.first_name.as_deref(), Some("A"));
        let refused = apply_patch(&client(ClientState::Blacklisted), &body, "n").unwrap_err();
        assert_eq!(refused.body.return_code, 3741);
    }
}
