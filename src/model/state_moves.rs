//! Mambu's client life cycle: which state moves PATCH allows, and the PATCH
//! steps that move a client from one state to another by them. One rule for
//! the sandbox (which enforces it), the import (which plans by it) and the
//! dry run (which warns about states it cannot reach).
//!
//! In: the state the client has and the state wanted. Out: the states to
//! PATCH in order (empty when already there), or `None` when no sequence of
//! allowed moves gets there (ACTIVE, or anything out of BLACKLISTED).

use super::ClientState;

/// Whether Mambu lets a client move from `from` to `to` through PATCH.
/// Only BLACKLISTED, REJECTED, EXITED, INACTIVE (approve) and
/// PENDING_APPROVAL (undo approval) can be asked for.
pub fn transition_allowed(from: &ClientState, to: &ClientState) -> bool {
    use ClientState::*;
    match (from, to) {
        (Blacklisted, _) => false,
        (_, Blacklisted) => true,
        (PendingApproval, Inactive) | (PendingApproval, Rejected) => true,
        (Inactive, PendingApproval) => true,
        (Active, Exited) | (Inactive, Exited) => true,
        _ => false,
    }
}

/// States a PATCH can ask for, in the order ties are broken.
const PATCHABLE: &[ClientState] = &[
    ClientState::PendingApproval,
    ClientState::Inactive,
    ClientState::Rejected,
    ClientState::Exited,
    ClientState::Blacklisted,
];

/// The shortest list of PATCH states from `from` to `to`.
pub fn state_steps(from: &str, to: &str) -> Option<Vec<&'static str>> {
    let (from, to) = (ClientState::parse(from), ClientState::parse(to));
    if from == to {
        return Some(Vec::new());
    }
    // Breadth first over at most six states.
    let mut paths: Vec<(ClientState, Vec<&'static str>)> = vec![(from.clone(), Vec::new())];
    let mut seen = vec![from];
    while !paths.is_empty() {
        let mut next = Vec::new();
        for (at, path) in &paths {
            for step in PATCHABLE {
                if seen.contains(step) || !transition_allowed(at, step) {
                    continue;
                }
                let mut longer = path.clone();
                longer.push(wire(step));
                if *step == to {
                    return Some(longer);
                }
                seen.push(step.clone());
                next.push((step.clone(), longer));
            }
        }
        paths = next;
    }
    None
}

/// Whether some sequence of allowed moves gets from `from` to `to`: the
/// answer of `state_steps(..).is_some()` without building the steps, for
/// the dry run, which asks it of every row.
pub fn reachable(from: &ClientState, to: &ClientState) -> bool {
    fn search(at: &ClientState, to: &ClientState, seen: &mut u8) -> bool {
        PATCHABLE.iter().enumerate().any(|(i, step)| {
            if *seen & (1 << i) != 0 || !transition_allowed(at, step) {
                return false;
            }
            *seen |= 1 << i;
            step == to || search(step, to, seen)
        })
    }
    from == to || search(from, to, &mut 0)
}

/// Whether an upsert may move a stored client from `stored` to `wanted`
/// and a revert still give it back exactly. Only a return to
/// PENDING_APPROVAL (undo approval) clears what the move stamped; a return
/// to any other state stamps a new approval or closing date, or is not
/// allowed at all.
pub fn revertible(stored: &str, wanted: &str) -> bool {
    stored == wanted
        || (ClientState::parse(stored) == ClientState::PendingApproval
            && state_steps(stored, wanted).is_some()
            && state_steps(wanted, stored).is_some())
}

fn wire(s: &ClientState) -> &'static str {
    match s {
        ClientState::PendingApproval => "PENDING_APPROVAL",
        ClientState::Inactive => "INACTIVE",
        ClientState::Rejected => "REJECTED",
        ClientState::Exited => "EXITED",
        ClientState::Blacklisted => "BLACKLISTED",
        ClientState::Active => "ACTIVE",
        ClientState::Other(_) => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_follow_mambu_s_allowed_moves() {
        assert_eq!(state_steps("INACTIVE", "INACTIVE"), Some(vec![]));
        assert_eq!(
            state_steps("PENDING_APPROVAL", "INACTIVE"),
            Some(vec!["INACTIVE"])
        );
        assert_eq!(
            state_steps("PENDING_APPROVAL", "EXITED"),
            Some(vec!["INACTIVE", "EXITED"])
        );
        assert_eq!(
            state_steps("INACTIVE", "PENDING_APPROVAL"),
            Some(vec!["PENDING_APPROVAL"])
        );
        assert_eq!(
            state_steps("ACTIVE", "BLACKLISTED"),
            Some(vec!["BLACKLISTED"])
        );
    }

    #[test]
    fn reachable_answers_as_the_steps_do_for_every_pair() {
        let mut states: Vec<ClientState> = ClientState::ALLOWED
            .iter()
            .map(|s| ClientState::parse(s))
            .collect();
        states.push(ClientState::parse("LEGACY_ONLY"));
        for from in &states {
            for to in &states {
                assert_eq!(
                    reachable(from, to),
                    state_steps(from.as_str(), to.as_str()).is_some(),
                    "{from:?} -> {to:?}"
                );
            }
        }
    }

    #[test]
    fn only_an_approval_can_be_undone_exactly() {
        assert!(revertible("INACTIVE", "INACTIVE"));
        assert!(revertible("PENDING_APPROVAL", "INACTIVE"));
        // Back to INACTIVE would stamp a new approvedDate.
        assert!(!revertible("INACTIVE", "PENDING_APPROVAL"));
        // No way back from a closing state.
        assert!(!revertible("PENDING_APPROVAL", "REJECTED"));
        assert!(!revertible("ACTIVE", "EXITED"));
        assert!(!revertible("PENDING_APPROVAL", "ACTIVE"));
    }

    #[test]
    fn unreachable_states_have_no_steps() {
        assert_eq!(state_steps("PENDING_APPROVAL", "ACTIVE"), None);
        assert_eq!(state_steps("BLACKLISTED", "INACTIVE"), None);
        assert_eq!(state_steps("EXITED", "INACTIVE"), None);
        assert_eq!(state_steps("ACTIVE", "PENDING_APPROVAL"), None);
    }
}
