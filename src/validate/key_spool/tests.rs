//! Tests of the key spool: encoding, ordering, duplicates found across
//! sorted runs on disk and in memory.

use super::*;
use crate::tenant::DuplicateCheckField;

fn key(kind: KeyKind, hash: u128) -> RowKey {
    RowKey { kind, hash }
}

fn run(capacity: usize, pushes: &[(u64, RowKey)]) -> Vec<Duplicate> {
    let mut spool = KeySpool::new(capacity);
    for (row, k) in pushes {
        spool.push(*row, k).unwrap();
    }
    spool.finish().unwrap()
}

fn dup(row: u64, first_row: u64, kind: KeyKind) -> Duplicate {
    Duplicate {
        row,
        first_row,
        kind,
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
        assert_eq!(d.first_row, 0);
        let at = (d.row, d.kind.code());
        assert!(last < Some(at), "{last:?} then {at:?}");
        last = Some(at);
        count += 1;
    }
    assert_eq!(count, 3 * (n - 1));
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
    assert_eq!(run(3, &[(1, key(id, 1)), (2, key(id, 2))]), []);
}

fn sample() -> Vec<(u64, RowKey)> {
    let id = KeyKind::ClientId;
    let email = KeyKind::Duplicate(DuplicateCheckField::Email);
    vec![
        (1, key(id, 10)),
        (2, key(id, 20)),
        (3, key(email, 10)), // same hash, other kind: no duplicate
        (4, key(id, 10)),
        (5, key(email, 50)),
        (6, key(email, 50)),
        (6, key(email, 50)), // a row repeating its own key
        (7, key(id, 20)),
        (8, key(id, 10)),
        (9, key(KeyKind::UniqueValue(3), 10)),
        (10, key(KeyKind::UniqueValue(3), 10)),
    ]
}

fn expected() -> Vec<Duplicate> {
    let id = KeyKind::ClientId;
    let email = KeyKind::Duplicate(DuplicateCheckField::Email);
    vec![
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
        (9, key(id, 1)),
        (3, key(id, 1)),
        (5, key(id, 1)),
        (1, key(id, 2)),
    ];
    assert_eq!(run(2, &pushes), [dup(5, 3, id), dup(9, 3, id)]);
}

#[test]
fn many_runs_take_extra_merge_passes() {
    // 1000 entries in runs of 3 is 334 runs: more than FAN_IN.
    let id = KeyKind::ClientId;
    let mut pushes: Vec<(u64, RowKey)> = (0..1000u64)
        .map(|r| (r, key(id, u128::from(r) * 7919)))
        .collect();
    pushes.push((1000, key(id, 5 * 7919)));
    pushes.push((1001, key(id, 999 * 7919)));
    assert_eq!(run(3, &pushes), [dup(1000, 5, id), dup(1001, 999, id)]);
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
    // A planted copy of a row that is itself a copy points at the original.
    let mut origin: Vec<u64> = (0..rows).collect();
    for &(r, first) in &planted {
        origin[r as usize] = origin[first as usize];
    }
    let expected: Vec<Duplicate> = planted
        .iter()
        .map(|&(r, _)| dup(r, origin[r as usize], keys[r as usize].kind))
        .collect();
    assert_eq!(found.len(), planted.len());
    assert_eq!(found, expected);
}
