//! `KeySpool`: finds the rows whose key an earlier row already had, in
//! memory that does not grow with the number of rows.
//!
//! In: `(row, RowKey)` pairs in any order. Out: one `Duplicate` per later
//! row of each (kind, hash) group, pointing at the group's smallest row.
//! Entries are held up to `run_capacity`, then sorted and spilled as a run
//! to an anonymous temp file; `finish` merges the runs (at most `FAN_IN` at
//! a time, in extra passes if there are more) with the in-memory tail.
//! Only the duplicates found are kept. Fails only on temp-file I/O.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};

use super::cross_row::{Duplicate, KeyKind, RowKey};

/// Runs merged at once: bounds open readers and their buffers.
const FAN_IN: usize = 64;
/// Entries each run reader buffers while merging.
const READ_ENTRIES: usize = 1024;
/// Bytes of one entry on disk.
const ENTRY_BYTES: usize = 32;

/// One key of one row. Field order is the sort order: kind, hash, row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Entry {
    kind: u64,
    hash: u128,
    row: u64,
}

impl Entry {
    fn encode(&self) -> [u8; ENTRY_BYTES] {
        let mut b = [0; ENTRY_BYTES];
        b[..8].copy_from_slice(&self.kind.to_le_bytes());
        b[8..24].copy_from_slice(&self.hash.to_le_bytes());
        b[24..].copy_from_slice(&self.row.to_le_bytes());
        b
    }

    fn decode(b: &[u8; ENTRY_BYTES]) -> Self {
        let mut kind = [0; 8];
        let mut hash = [0; 16];
        let mut row = [0; 8];
        kind.copy_from_slice(&b[..8]);
        hash.copy_from_slice(&b[8..24]);
        row.copy_from_slice(&b[24..]);
        Self {
            kind: u64::from_le_bytes(kind),
            hash: u128::from_le_bytes(hash),
            row: u64::from_le_bytes(row),
        }
    }
}

/// A sorted run in a spill file: `len` entries from byte `start`.
#[derive(Debug, Clone, Copy)]
struct Run {
    start: u64,
    len: u64,
}

/// The spill file and the runs written to it so far.
struct Spill {
    file: File,
    runs: Vec<Run>,
    end: u64,
}

/// An external-memory duplicate finder (see the module header).
pub struct KeySpool {
    capacity: usize,
    buf: Vec<Entry>,
    spill: Option<Spill>,
}

impl KeySpool {
    /// A spool that holds up to `run_capacity` entries (32 bytes each) in
    /// memory before a sorted run spills to a temp file.
    pub fn new(run_capacity: usize) -> Self {
        Self {
            capacity: run_capacity.max(1),
            buf: Vec::new(),
            spill: None,
        }
    }

    /// Records that `row` has `key`.
    pub fn push(&mut self, row: u64, key: &RowKey) -> io::Result<()> {
        self.buf.push(Entry {
            kind: key.kind.code(),
            hash: key.hash,
            row,
        });
        if self.buf.len() >= self.capacity {
            self.spill_run()?;
        }
        Ok(())
    }

    fn spill_run(&mut self) -> io::Result<()> {
        self.buf.sort_unstable();
        let spill = match &mut self.spill {
            Some(s) => s,
            None => self.spill.insert(Spill {
                file: tempfile::tempfile()?,
                runs: Vec::new(),
                end: 0,
            }),
        };
        let mut w = BufWriter::new(&spill.file);
        for e in &self.buf {
            w.write_all(&e.encode())?;
        }
        w.flush()?;
        let len = self.buf.len() as u64;
        spill.runs.push(Run {
            start: spill.end,
            len,
        });
        spill.end += len * ENTRY_BYTES as u64;
        self.buf.clear();
        Ok(())
    }

    /// Merges everything pushed and returns the duplicates, sorted by row:
    /// within each (kind, hash) group, every row after the smallest is a
    /// duplicate of the smallest. A row that pushed one key twice is not its
    /// own duplicate.
    pub fn finish(mut self) -> io::Result<Vec<Duplicate>> {
        self.buf.sort_unstable();
        let (file, runs) = match self.spill.take() {
            Some(s) => {
                let (mut file, mut runs) = (s.file, s.runs);
                while runs.len() > FAN_IN {
                    (file, runs) = merge_pass(&file, &runs)?;
                }
                (Some(file), runs)
            }
            None => (None, Vec::new()),
        };
        let mut dups = Vec::new();
        // (kind, hash, first row, last row seen) of the current group.
        let mut group: Option<(u64, u128, u64, u64)> = None;
        merge(file.as_ref(), &runs, &self.buf, &mut |e| {
            match &mut group {
                Some((kind, hash, first, last)) if *kind == e.kind && *hash == e.hash => {
                    if e.row != *last {
                        let kind = KeyKind::from_code(e.kind).ok_or_else(|| corrupt(e.kind))?;
                        dups.push(Duplicate {
                            row: e.row,
                            first_row: *first,
                            kind,
                        });
                        *last = e.row;
                    }
                }
                _ => group = Some((e.kind, e.hash, e.row, e.row)),
            }
            Ok(())
        })?;
        dups.sort_unstable_by_key(|d| (d.row, d.kind.code(), d.first_row));
        Ok(dups)
    }
}

fn corrupt(code: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("spill file holds unknown key kind {code}"),
    )
}

/// Merges groups of `FAN_IN` runs into single runs of a new spill file.
fn merge_pass(file: &File, runs: &[Run]) -> io::Result<(File, Vec<Run>)> {
    let out = tempfile::tempfile()?;
    let mut merged = Vec::with_capacity(runs.len().div_ceil(FAN_IN));
    let mut at = 0;
    for group in runs.chunks(FAN_IN) {
        let mut w = BufWriter::new(&out);
        let mut len = 0u64;
        merge(Some(file), group, &[], &mut |e| {
            len += 1;
            w.write_all(&e.encode())
        })?;
        w.flush()?;
        merged.push(Run { start: at, len });
        at += len * ENTRY_BYTES as u64;
    }
    Ok((out, merged))
}

/// Reads one run back in order, a buffer at a time. Readers share the
/// file and seek before each read, so one descriptor serves every run.
struct RunReader<'f> {
    file: &'f File,
    next: u64,
    end: u64,
    buf: Vec<u8>,
    pos: usize,
    filled: usize,
}

impl<'f> RunReader<'f> {
    fn new(file: &'f File, run: Run) -> Self {
        Self {
            file,
            next: run.start,
            end: run.start + run.len * ENTRY_BYTES as u64,
            buf: vec![0; READ_ENTRIES * ENTRY_BYTES],
            pos: 0,
            filled: 0,
        }
    }

    fn next_entry(&mut self) -> io::Result<Option<Entry>> {
        if self.pos == self.filled {
            let want = (self.end - self.next).min(self.buf.len() as u64) as usize;
            if want == 0 {
                return Ok(None);
            }
            let mut f = self.file;
            f.seek(SeekFrom::Start(self.next))?;
            f.read_exact(&mut self.buf[..want])?;
            self.next += want as u64;
            self.pos = 0;
            self.filled = want;
        }
        let mut b = [0; ENTRY_BYTES];
        b.copy_from_slice(&self.buf[self.pos..self.pos + ENTRY_BYTES]);
        self.pos += ENTRY_BYTES;
        Ok(Some(Entry::decode(&b)))
    }
}

/// Feeds the sorted union of `runs` and the sorted `tail` to `sink`.
fn merge(
    file: Option<&File>,
    runs: &[Run],
    tail: &[Entry],
    sink: &mut dyn FnMut(Entry) -> io::Result<()>,
) -> io::Result<()> {
    let mut readers: Vec<RunReader> = match file {
        Some(f) => runs.iter().map(|r| RunReader::new(f, *r)).collect(),
        None => Vec::new(),
    };
    let tail_source = readers.len();
    let mut tail = tail.iter().copied();
    let mut heap = BinaryHeap::with_capacity(readers.len() + 1);
    for (i, r) in readers.iter_mut().enumerate() {
        if let Some(e) = r.next_entry()? {
            heap.push(Reverse((e, i)));
        }
    }
    if let Some(e) = tail.next() {
        heap.push(Reverse((e, tail_source)));
    }
    while let Some(Reverse((e, source))) = heap.pop() {
        sink(e)?;
        let next = match readers.get_mut(source) {
            Some(r) => r.next_entry()?,
            None => tail.next(),
        };
        if let Some(n) = next {
            heap.push(Reverse((n, source)));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
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
    fn entries_survive_encoding() {
        let e = Entry {
            kind: u64::MAX - 3,
            hash: u128::MAX / 7,
            row: 123_456_789,
        };
        assert_eq!(Entry::decode(&e.encode()), e);
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
}
