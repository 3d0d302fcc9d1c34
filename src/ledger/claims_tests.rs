//! Tests of ownership in the ledger: one owner per client per target, a
//! second import of one file refused, an unfinished event not approved.

use super::test_support::{new_event, temp_ledger};
use super::{ImportMode, LedgerError, NewRow, RowStatus, RowUpdate};
use crate::model::MigrationEventState;

fn event_with(ledger: &mut super::Ledger, ids: &[&str]) -> String {
    let key = ledger
        .create_event(&new_event(ImportMode::Create))
        .unwrap()
        .encoded_key;
    let rows: Vec<NewRow> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| NewRow::pending(i as u64 + 1, i as u64 + 2, Some(id.to_string())))
        .collect();
    ledger.insert_rows(&key, &rows).unwrap();
    let all: Vec<u64> = (1..=ids.len() as u64).collect();
    ledger.mark_sent(&key, &all).unwrap();
    key
}

#[test]
fn a_client_has_one_owner_and_a_second_claim_ends_failed_316_naming_the_first() {
    let (_dir, mut ledger) = temp_ledger();
    let first = event_with(&mut ledger, &["C1", "C2"]);
    let second = event_with(&mut ledger, &["C2", "C3"]);
    ledger
        .apply(&first, &[RowUpdate::new(2, RowStatus::Created)])
        .unwrap();
    ledger
        .apply(
            &second,
            &[
                RowUpdate::new(1, RowStatus::Created).with_source_fields(["C2", "Ann"]),
                RowUpdate::new(2, RowStatus::Created),
            ],
        )
        .unwrap();
    let target = new_event(ImportMode::Create).target;
    assert_eq!(ledger.owner_of(&target, "C2").unwrap(), Some(first.clone()));
    assert_eq!(
        ledger.owner_of(&target, "C3").unwrap(),
        Some(second.clone())
    );
    let lost = ledger.row(&second, 1).unwrap().unwrap();
    assert_eq!(lost.status, RowStatus::Failed);
    let err = lost.error.clone().unwrap();
    assert_eq!(err.code, 316);
    assert!(err.message.contains(&first), "{}", err.message);
    assert_eq!(lost.source_cells(), ["C2", "Ann"]);
    assert_eq!(
        lost.outcome, None,
        "never claimed, so a revert leaves it alone"
    );
}

#[test]
fn deleting_or_reverting_gives_the_claim_up() {
    let (_dir, mut ledger) = temp_ledger();
    let first = event_with(&mut ledger, &["C1"]);
    ledger
        .apply(&first, &[RowUpdate::new(1, RowStatus::Created)])
        .unwrap();
    ledger
        .apply(&first, &[RowUpdate::new(1, RowStatus::Deleted)])
        .unwrap();
    let target = new_event(ImportMode::Create).target;
    assert_eq!(ledger.owner_of(&target, "C1").unwrap(), None);
    ledger
        .set_state(&first, MigrationEventState::Reverted)
        .unwrap();
    let second = event_with(&mut ledger, &["C1"]);
    ledger
        .apply(&second, &[RowUpdate::new(1, RowStatus::Created)])
        .unwrap();
    assert_eq!(ledger.owner_of(&target, "C1").unwrap(), Some(second));
}

#[test]
fn the_same_source_into_the_same_target_is_refused_while_its_event_lives() {
    let (_dir, mut ledger) = temp_ledger();
    let new = new_event(ImportMode::Create);
    let first = ledger
        .create_event_unless_imported(&new)
        .unwrap()
        .encoded_key;
    match ledger.create_event_unless_imported(&new) {
        Err(LedgerError::AlreadyImported { key, state, .. }) => {
            assert_eq!((key.as_str(), state.as_str()), (first.as_str(), "DRAFT"));
        }
        other => panic!("{other:?}"),
    }
    // Another target, or the event reverted: allowed.
    let mut elsewhere = new.clone();
    elsewhere.target = "https://other.sandbox.mambu.com".into();
    ledger.create_event_unless_imported(&elsewhere).unwrap();
    ledger
        .set_state(&first, MigrationEventState::Reverted)
        .unwrap();
    ledger.create_event_unless_imported(&new).unwrap();
}

#[test]
fn an_event_with_rows_unsent_or_unanswered_cannot_be_approved() {
    let (_dir, mut ledger) = temp_ledger();
    let key = event_with(&mut ledger, &["C1", "C2", "C3"]);
    ledger
        .apply(
            &key,
            &[
                RowUpdate::new(1, RowStatus::Created),
                RowUpdate::new(2, RowStatus::Pending),
            ],
        )
        .unwrap();
    match ledger.approve(&key) {
        Err(LedgerError::Unfinished {
            pending, in_doubt, ..
        }) => assert_eq!((pending, in_doubt), (1, 1)),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        ledger.event(&key).unwrap().state,
        MigrationEventState::Draft
    );
    ledger.mark_sent(&key, &[2]).unwrap();
    ledger
        .apply(
            &key,
            &[
                RowUpdate::new(2, RowStatus::Created),
                RowUpdate::new(3, RowStatus::Failed),
            ],
        )
        .unwrap();
    ledger.approve(&key).unwrap();
    assert_eq!(
        ledger.event(&key).unwrap().state,
        MigrationEventState::Approved
    );
}
