//! Rules on what a client is assigned to: branch, centre, credit officer
//! and client role. All of them need the tenant's definitions.
//!
//! In: the request (the role decides whether addresses are allowed) and a
//! known `Tenant`. Out: findings appended to `out`.

use crate::field_error::FieldError;
use crate::model::{ClientRequest, ReturnCode};
use crate::tenant::{Branch, Tenant};

use super::text::{non_blank, quoted};

/// Checks the assignment keys and the client role.
pub(crate) fn check(req: &ClientRequest, tenant: &Tenant, out: &mut Vec<FieldError>) {
    let client = &req.client;
    let schema = tenant.schema();
    let branch = match non_blank(client.assigned_branch_key.as_deref()) {
        Some(key) => check_branch(key, tenant, out),
        None => {
            if schema.branch_required {
                out.push(FieldError::error(
                    "client.assignedBranchKey",
                    ReturnCode::MissingBranchKey,
                    "the tenant requires a branch, and none is given",
                ));
            }
            None
        }
    };
    if let Some(key) = non_blank(client.assigned_centre_key.as_deref()) {
        check_centre(key, branch, tenant, out);
    }
    match non_blank(client.assigned_user_key.as_deref()) {
        Some(key) => check_officer(key, branch, tenant, out),
        None => {
            if schema.credit_officer_required {
                out.push(FieldError::error(
                    "client.assignedUserKey",
                    ReturnCode::MissingCreditOfficerKey,
                    "the tenant requires a credit officer, and none is given",
                ));
            }
        }
    }
    check_role(req, tenant, out);
}

/// The client's branch when it exists (inactive ones included, so the
/// checks that compare branches still run).
fn check_branch<'t>(
    key: &str,
    tenant: &'t Tenant,
    out: &mut Vec<FieldError>,
) -> Option<&'t Branch> {
    let Some(branch) = tenant.branch(key) else {
        out.push(FieldError::error(
            "client.assignedBranchKey",
            ReturnCode::InvalidBranchKey,
            format!("branch {} does not exist in the tenant", quoted(key)),
        ));
        return None;
    };
    if !branch.state.eq_ignore_ascii_case("ACTIVE") {
        out.push(FieldError::error(
            "client.assignedBranchKey",
            ReturnCode::BranchIsNotActive,
            format!(
                "branch {} is {}, not ACTIVE",
                quoted(&branch.id),
                branch.state
            ),
        ));
    }
    Some(branch)
}

/// Whether `key_or_id` names `branch`.
fn is_branch(key_or_id: &str, branch: &Branch) -> bool {
    key_or_id == branch.encoded_key || key_or_id == branch.id
}

fn check_centre(key: &str, branch: Option<&Branch>, tenant: &Tenant, out: &mut Vec<FieldError>) {
    let Some(centre) = tenant.centre(key) else {
        out.push(FieldError::error(
            "client.assignedCentreKey",
            ReturnCode::InvalidCentreKey,
            format!("centre {} does not exist in the tenant", quoted(key)),
        ));
        return;
    };
    if let (Some(centre_branch), Some(branch)) = (centre.assigned_branch_key.as_deref(), branch) {
        if !is_branch(centre_branch, branch) {
            out.push(FieldError::error(
                "client.assignedCentreKey",
                ReturnCode::InconsistentCentreWithBranch,
                format!(
                    "centre {} belongs to another branch than the client's branch {}",
                    quoted(&centre.id),
                    quoted(&branch.id)
                ),
            ));
        }
    }
}

fn check_officer(key: &str, branch: Option<&Branch>, tenant: &Tenant, out: &mut Vec<FieldError>) {
    let field = "client.assignedUserKey";
    let user = match tenant.user(key) {
        None => {
            let msg = format!("user {} does not exist in the tenant", quoted(key));
            out.push(FieldError::error(
                field,
                ReturnCode::InvalidCreditOfficerKey,
                msg,
            ));
            return;
        }
        Some(u) if !u.is_credit_officer => {
            let msg = format!("user {} is not a credit officer", quoted(&u.username));
            out.push(FieldError::error(
                field,
                ReturnCode::InvalidCreditOfficerKey,
                msg,
            ));
            return;
        }
        Some(u) => u,
    };
    if let (Some(officer_branch), Some(branch)) = (user.assigned_branch_key.as_deref(), branch) {
        if !is_branch(officer_branch, branch) {
            out.push(FieldError::error(
                field,
                ReturnCode::InconsistentCreditOfficerWithBranch,
                format!(
                    "credit officer {} works for another branch than the client's branch {}",
                    quoted(&user.username),
                    quoted(&branch.id)
                ),
            ));
        }
    }
}

fn check_role(req: &ClientRequest, tenant: &Tenant, out: &mut Vec<FieldError>) {
    let given = req
        .client
        .client_role
        .as_ref()
        .and_then(|r| non_blank(r.encoded_key.as_deref()));
    let role = match given {
        Some(key) => match tenant.client_role(key) {
            Some(role) => role,
            None => {
                out.push(FieldError::error(
                    "client.clientRole.encodedKey",
                    ReturnCode::InvalidClientRoleKey,
                    format!("client role {} does not exist in the tenant", quoted(key)),
                ));
                return;
            }
        },
        None => match tenant.default_client_role() {
            Some(role) => role,
            None => return,
        },
    };
    let has_address = req.addresses.as_ref().is_some_and(|a| !a.is_empty());
    if has_address && !role.can_have_address {
        let name = role.id.as_deref().unwrap_or(&role.encoded_key);
        out.push(FieldError::error(
            "addresses[0]",
            ReturnCode::ClientRoleDoesNotAllowAddress,
            format!("client role {} does not allow an address", quoted(name)),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Address, ClientRoleRef};
    use crate::validate::test_tenant::{named, tenant, tenant_with};

    fn run(req: &ClientRequest, tenant: &Tenant) -> Vec<(String, u16)> {
        let mut out = Vec::new();
        check(req, tenant, &mut out);
        out.iter()
            .map(|e| (e.field.clone(), e.code.code()))
            .collect()
    }

    fn assigned(branch: Option<&str>, centre: Option<&str>, user: Option<&str>) -> ClientRequest {
        let mut req = named("Anna", "Berg");
        req.client.assigned_branch_key = branch.map(Into::into);
        req.client.assigned_centre_key = centre.map(Into::into);
        req.client.assigned_user_key = user.map(Into::into);
        req
    }

    #[test]
    fn known_keys_pass_by_key_or_id() {
        let t = tenant();
        assert!(run(&assigned(Some("br-1"), Some("ce-1"), Some("us-1")), &t).is_empty());
        assert!(run(&assigned(Some("B1"), Some("C1"), Some("officer")), &t).is_empty());
        assert!(run(&assigned(None, None, None), &t).is_empty());
    }

    #[test]
    fn branch_rules() {
        let t = tenant();
        assert_eq!(
            run(&assigned(Some("B9"), None, None), &t),
            [("client.assignedBranchKey".into(), 801)]
        );
        assert_eq!(
            run(&assigned(Some("B0"), None, None), &t),
            [("client.assignedBranchKey".into(), 803)]
        );
        let strict = tenant_with(|s| s.branch_required = true);
        assert_eq!(
            run(&assigned(None, None, None), &strict),
            [("client.assignedBranchKey".into(), 705)]
        );
        assert!(run(&assigned(Some("B1"), None, None), &strict).is_empty());
    }

    #[test]
    fn centre_rules() {
        let t = tenant();
        assert_eq!(
            run(&assigned(None, Some("C9"), None), &t),
            [("client.assignedCentreKey".into(), 850)]
        );
        assert!(
            run(&assigned(None, Some("C1"), None), &t).is_empty(),
            "no client branch to compare"
        );
        assert_eq!(
            run(&assigned(Some("B2"), Some("C1"), None), &t),
            [("client.assignedCentreKey".into(), 852)]
        );
    }

    #[test]
    fn credit_officer_rules() {
        let t = tenant();
        assert_eq!(
            run(&assigned(None, None, Some("nobody")), &t),
            [("client.assignedUserKey".into(), 702)]
        );
        let mut out = Vec::new();
        check(&assigned(None, None, Some("clerk")), &t, &mut out);
        assert_eq!(out[0].code, ReturnCode::InvalidCreditOfficerKey);
        assert_eq!(out[0].message, "user 'clerk' is not a credit officer");
        assert_eq!(
            run(&assigned(Some("B2"), None, Some("us-1")), &t),
            [("client.assignedUserKey".into(), 703)]
        );
        let strict = tenant_with(|s| s.credit_officer_required = true);
        assert_eq!(
            run(&assigned(None, None, None), &strict),
            [("client.assignedUserKey".into(), 704)]
        );
        assert!(run(&assigned(None, None, Some("us-1")), &strict).is_empty());
    }

    #[test]
    fn client_role_must_exist_and_may_forbid_addresses() {
        let t = tenant();
        let with_role = |key: &str, address: bool| {
            let mut req = named("Anna", "Berg");
            req.client.client_role = Some(ClientRoleRef {
                encoded_key: Some(key.into()),
            });
            if address {
                req.addresses = Some(vec![Address {
                    city: Some("Berlin".into()),
                    ..Address::default()
                }]);
            }
            req
        };
        assert!(run(&with_role("role-person", true), &t).is_empty());
        assert!(run(&with_role("role-nomad", false), &t).is_empty());
        assert_eq!(
            run(&with_role("role-nope", true), &t),
            [("client.clientRole.encodedKey".into(), 306)]
        );
        assert_eq!(
            run(&with_role("role-nomad", true), &t),
            [("addresses[0]".into(), 1151)]
        );
    }

    #[test]
    fn default_role_applies_when_none_is_given() {
        let t = tenant_with(|s| {
            for r in &mut s.client_roles {
                r.is_default = r.encoded_key == "role-nomad";
            }
        });
        let mut req = named("Anna", "Berg");
        req.addresses = Some(vec![Address::default()]);
        assert_eq!(run(&req, &t), [("addresses[0]".into(), 1151)]);
        req.addresses = Some(vec![]);
        assert!(run(&req, &t).is_empty());
    }
}
