//! Tests of the key spool: encoding, ordering, duplicates found across
//! sorted runs on disk and in memory.

use super::*;
use crate::tenant::DuplicateCheckField;

fn key(kind: KeyKind, hash: u128) -> RowKey {
    RowKey { kind, hash }
}

/// A client id key from its case-folded and exact halves.
fn id_key(folded: u64, exact: u64) -> RowKey {
    key(
        KeyKind::ClientId,
        (u128::from(folded) << 64) | u128::from(exact),
    )
}

fn run(capacity: usize, pushes: &[(u64, RowKey)]) -> Vec<Duplicate> {
    let mut spool = KeySpool::new(capacity);
    for (row, k) in pushes {
        spool.push(*row, k).unwrap();
    }
    spool.finish().unwrap()
}

fn dup(row: u64, other_row: u64, kind: KeyKind) -> Duplicate {
    Duplicate {
        row,
        other_row,
        kind,
        case_only: false,
    }
}

fn case(row: u64, other_row: u64) -> Duplicate {
    Duplicate {
        case_only: true,
        ..dup(row, other_row, KeyKind::ClientId)
    }
}

#[test]
fn entries_sort_as_kind_then_the_whole_hash_then_row() {
    let hashes = [
        0u128,
        1,
        u128::from(u64::MAX),
        1 << 64,
        (1 << 64) + 1,
        u128::MAX,
    ];
    let mut entries: Vec<(u64, u128, u64)> = Vec::new();
    for kind in [2u64, 1] {
        for &h in hashes.iter().rev() {
            for row in [9u64, 3] {
                entries.push((kind, h, row));
            }
        }
    }
    let mut ours: Vec<Entry> = entries
        .iter()
        .map(|&(kind, h, row)| Entry {
            kind,
            hash: split_hash(h),
            row,
        })
        .collect();
    ours.sort_unstable();
    entries.sort_unstable();
    let back: Vec<(u64, u128, u64)> = ours
        .iter()
        .map(|e| {
            (
                e.kind,
                (u128::from(e.hash.0) << 64) | u128::from(e.hash.1),
                e.row,
            )
        })
        .collect();
    assert_eq!(back, entries);
    assert_eq!(std::mem::size_of::<Entry>(), 32);
}

#[test]
fn entries_survive_encoding() {
    let e = Entry {
        kind: u64::MAX - 3,
        hash: split_hash(u128::MAX / 7),
        row: 123_456_789,
    };
    let mut b = [0u8; Entry::BYTES];
    e.encode(&mut b);
    assert_eq!(Entry::decode(&b), e);
    let d = DupEntry {
        row: 9,
        kind: u64::MAX,
        first_row: 3,
    };
    let mut b = [0u8; DupEntry::BYTES];
    d.encode(&mut b);
    assert_eq!(DupEntry::decode(&b), d);
}

#[test]
fn more_duplicates_than_fit_in_memory_come_out_by_row() {
    // Three name-like kinds where every row repeats row 0..3's keys:
    // 3 * (n - 1) duplicates, several spilled runs of them.
    let kinds = [
        KeyKind::ClientId,
        KeyKind::Duplicate(DuplicateCheckField::Email),
        KeyKind::UniqueValue(2),
    ];
    let n = (DUP_RUN_CAPACITY as u64) + 1000;
    let mut spool = KeySpool::new(100_000);
    for row in (0..n).rev() {
        for (i, k) in kinds.iter().enumerate() {
            spool.push(row, &key(*k, i as u128)).unwrap();
        }
    }
    let mut stream = spool.finish_stream().unwrap();
    let mut count = 0u64;
    let mut last = None;
    while let Some(d) = stream.next_duplicate().unwrap() {
        // Row 0 is reported for its id too, pointing at the next row.
        let other = if d.row == 0 { 1 } else { 0 };
        assert_eq!(d.other_row, other, "{d:?}");
        let at = (d.row, d.kind.code());
        assert!(last < Some(at), "{last:?} then {at:?}");
        last = Some(at);
        count += 1;
    }
    assert_eq!(count, 3 * (n - 1) + 1);
}

#[test]
fn next_of_row_skips_rows_not_asked_for() {
    let id = KeyKind::ClientId;
    let mut spool = KeySpool::new(2);
    for (row, k) in sample() {
        spool.push(row, &k).unwrap();
    }
    let mut s = spool.finish_stream().unwrap();
    assert_eq!(s.next_of_row(3).unwrap(), None);
    assert_eq!(
        s.next_of_row(6).unwrap(),
        Some(dup(6, 5, KeyKind::Duplicate(DuplicateCheckField::Email)))
    );
    assert_eq!(s.next_of_row(6).unwrap(), None);
    assert_eq!(
        s.next_of_row(8).unwrap(),
        Some(dup(8, 1, id)),
        "row 7 was skipped"
    );
    assert_eq!(
        s.next_of_row(10).unwrap(),
        Some(dup(10, 9, KeyKind::UniqueValue(3)))
    );
    assert_eq!(s.next_of_row(11).unwrap(), None);
}

#[test]
fn no_keys_no_duplicates() {
    assert_eq!(run(3, &[]), []);
    let id = KeyKind::ClientId;
    assert_eq!(run(3, &[(1, key(id, 1)), (2, key(id, 2 << 64))]), []);
}

fn sample() -> Vec<(u64, RowKey)> {
    let email = KeyKind::Duplicate(DuplicateCheckField::Email);
    vec![
        (1, id_key(10, 10)),
        (2, id_key(20, 20)),
        (3, key(email, (10 << 64) | 10)), // same hash, other kind: no duplicate
        (4, id_key(10, 10)),
        (5, key(email, 50)),
        (6, key(email, 50)),
        (6, key(email, 50)), // a row repeating its own key
        (7, id_key(20, 20)),
        (8, id_key(10, 10)),
        (9, key(KeyKind::UniqueValue(3), 10)),
        (10, key(KeyKind::UniqueValue(3), 10)),
    ]
}

fn expected() -> Vec<Duplicate> {
    let id = KeyKind::ClientId;
    let email = KeyKind::Duplicate(DuplicateCheckField::Email);
    // Every row with a repeated id, the first pointing at the next;
    // other kinds only after the first.
    vec![
        dup(1, 4, id),
        dup(2, 7, id),
        dup(4, 1, id),
        dup(6, 5, email),
        dup(7, 2, id),
        dup(8, 1, id),
        dup(10, 9, KeyKind::UniqueValue(3)),
    ]
}

#[test]
fn in_memory_only() {
    assert_eq!(run(1000, &sample()), expected());
}

#[test]
fn duplicates_spanning_several_runs() {
    for capacity in [1, 2, 3, 4, 5] {
        assert_eq!(run(capacity, &sample()), expected(), "capacity {capacity}");
    }
}

#[test]
fn the_smallest_row_is_first_whatever_the_push_order() {
    let id = KeyKind::ClientId;
    let pushes = [
        (9, id_key(1, 1)),
        (3, id_key(1, 1)),
        (5, id_key(1, 1)),
        (1, id_key(2, 2)),
    ];
    assert_eq!(
        run(2, &pushes),
        [dup(3, 5, id), dup(5, 3, id), dup(9, 3, id)]
    );
    let email = KeyKind::Duplicate(DuplicateCheckField::Email);
    let pushes = [(9, key(email, 1)), (3, key(email, 1)), (5, key(email, 1))];
    assert_eq!(run(2, &pushes), [dup(5, 3, email), dup(9, 3, email)]);
}

#[test]
fn many_runs_take_extra_merge_passes() {
    // 1000 entries in runs of 3 is 334 runs: more than FAN_IN.
    let id = KeyKind::ClientId;
    let h = |r: u64| id_key(r * 7919, r * 7919);
    let mut pushes: Vec<(u64, RowKey)> = (0..1000u64).map(|r| (r, h(r))).collect();
    pushes.push((1000, h(5)));
    pushes.push((1001, h(999)));
    assert_eq!(
        run(3, &pushes),
        [
            dup(5, 1000, id),
            dup(999, 1001, id),
            dup(1000, 5, id),
            dup(1001, 999, id)
        ]
    );
}

#[test]
fn ids_differing_only_by_case_are_reported_on_every_row() {
    // Spellings: A (folded 1, exact 11) on rows 2 and 6, a (1, 12) on row 4,
    // á-ish (1, 13) on row 9; an unrelated id (2, 11) on row 3.
    let pushes = [
        (6, id_key(1, 11)),
        (4, id_key(1, 12)),
        (2, id_key(1, 11)),
        (3, id_key(2, 11)),
        (9, id_key(1, 13)),
    ];
    let id = KeyKind::ClientId;
    let expected = vec![
        dup(2, 6, id),
        case(2, 4),
        case(4, 2),
        dup(6, 2, id),
        case(9, 2),
    ];
    for capacity in [1, 2, 100] {
        assert_eq!(run(capacity, &pushes), expected, "capacity {capacity}");
    }
    // Case alone: both rows, each pointing at the other.
    assert_eq!(
        run(10, &[(1, id_key(7, 1)), (2, id_key(7, 2))]),
        [case(1, 2), case(2, 1)]
    );
}

#[test]
fn a_hundred_thousand_keys_find_exactly_the_planted_duplicates() {
    let mut rng = fastrand::Rng::with_seed(7);
    let kinds = [
        KeyKind::ClientId,
        KeyKind::UniqueValue(0),
        KeyKind::Duplicate(DuplicateCheckField::MobilePhone),
    ];
    let rows = 100_000u64;
    let mut keys: Vec<RowKey> = (0..rows)
        .map(|r| key(kinds[(r % 3) as usize], rng.u128(..)))
        .collect();
    let mut planted = Vec::new();
    for r in (1..rows).step_by(997) {
        let first = rng.u64(..r);
        keys[r as usize] = keys[first as usize];
        planted.push((r, first));
    }
    let mut spool = KeySpool::new(1000);
    for (row, k) in keys.iter().enumerate() {
        spool.push(row as u64, k).unwrap();
    }
    let found = spool.finish().unwrap();
    // The same answer, the slow way: rows grouped by key in a map. Random
    // id hashes never share a case-folded half by chance.
    let mut groups: std::collections::BTreeMap<(u64, u128), Vec<u64>> = Default::default();
    for (row, k) in keys.iter().enumerate() {
        groups
            .entry((k.kind.code(), k.hash))
            .or_default()
            .push(row as u64);
    }
    let mut expected = Vec::new();
    let mut id_rows = 0;
    for ((code, _), rows) in groups.into_iter().filter(|(_, r)| r.len() > 1) {
        let kind = KeyKind::from_code(code).unwrap();
        if kind.every_row() {
            expected.push(dup(rows[0], rows[1], kind));
            id_rows += rows.len();
        }
        expected.extend(rows[1..].iter().map(|&r| dup(r, rows[0], kind)));
    }
    expected.sort_by_key(|d| (d.row, d.kind.code()));
    assert!(id_rows >= 10, "{id_rows} id rows");
    assert_eq!(found.len(), expected.len());
    assert_eq!(found, expected);
}

/// Keys within the memory budget never reach disk; past it they spill in
/// runs; either way the duplicates and their order are the same.
#[test]
fn keys_within_the_budget_stay_in_memory_with_the_same_duplicates() {
    let kinds = [
        KeyKind::ClientId,
        KeyKind::Duplicate(DuplicateCheckField::Email),
        KeyKind::UniqueValue(1),
    ];
    // 600 rows, 3 keys each; every 7th row repeats an earlier row's keys,
    // and some ids differ from an earlier one only in the exact half.
    let mut pushes = Vec::new();
    for row in 0..600u64 {
        for (i, k) in kinds.iter().enumerate() {
            let base = if row % 7 == 0 { row / 3 } else { row };
            let hash = match k {
                KeyKind::ClientId => (u128::from(base) << 64) | u128::from(row % 11 == 0),
                _ => u128::from(base) * 10 + i as u128,
            };
            pushes.push((row, key(*k, hash)));
        }
    }
    let fits = 1800 * Entry::BYTES;
    let mut memory = KeySpool::with_memory_budget(fits);
    let mut disk = KeySpool::with_memory_budget(100 * Entry::BYTES);
    for (row, k) in &pushes {
        memory.push(*row, k).unwrap();
        disk.push(*row, k).unwrap();
    }
    assert!(!memory.spilled(), "1,800 keys fit in 1,800 keys' bytes");
    assert!(disk.spilled(), "100 keys' bytes hold fewer than 1,800");
    let (memory, disk) = (memory.finish().unwrap(), disk.finish().unwrap());
    assert!(memory.len() > 100, "{} duplicates", memory.len());
    assert!(memory.iter().any(|d| d.case_only));
    assert_eq!(memory, disk);
    assert_eq!(memory, run(1, &pushes), "one key a run");
}
