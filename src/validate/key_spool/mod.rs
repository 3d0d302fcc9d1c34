//! `KeySpool`: finds the rows whose key an earlier row already had, in
//! memory that does not grow with the number of rows.
//!
//! In: `(row, RowKey)` pairs in any order. Out: `Duplicate`s streamed in
//! row order. For most kinds, one per later row of each (kind, hash) group,
//! pointing at the group's smallest row. For the client id
//! ([`KeyKind::every_row`]) EVERY row of a group is reported, the smallest
//! pointing at the next, whatever else is wrong with it; and the id's hash
//! holds two halves — case-folded (high 64 bits) and as written (low) — so
//! ids that differ only by letter case are reported too (`case_only`). Entries are held up to `run_capacity`, then sorted
//! and spilled as a run to an anonymous temp file; finishing merges the runs
//! (at most `FAN_IN` at a time, in extra passes if there are more) with the
//! in-memory tail. The duplicates found are themselves spilled in sorted
//! runs and merged by row, since a file may have as many as rows (a common
//! name is a duplicate warning on most rows). Fails only on temp-file I/O.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::os::unix::fs::FileExt;

use super::cross_row::{Duplicate, KeyKind, RowKey};

/// Runs merged at once: bounds open readers and their buffers.
const FAN_IN: usize = 64;
/// Records each run reader buffers while merging.
const READ_ENTRIES: usize = 1024;
/// Duplicates held in memory before a sorted run of them spills.
const DUP_RUN_CAPACITY: usize = 1 << 18;

/// A fixed-size record of a sorted run on disk.
trait Record: Copy + Ord {
    const BYTES: usize;
    fn encode(&self, out: &mut [u8]);
    fn decode(b: &[u8]) -> Self;
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    let mut x = [0; 8];
    x.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(x)
}

/// One key of one row. Field order is the sort order: kind, hash, row.
/// The hash is held as (high, low) words: the same order as the `u128`, in
/// 32 bytes per entry rather than 48 (a `u128` is 16-byte aligned), so a
/// run holds more keys and sorts faster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Entry {
    kind: u64,
    hash: (u64, u64),
    row: u64,
}

/// A key hash as an entry holds it.
fn split_hash(h: u128) -> (u64, u64) {
    ((h >> 64) as u64, h as u64)
}

impl Record for Entry {
    const BYTES: usize = 32;

    fn encode(&self, b: &mut [u8]) {
        b[..8].copy_from_slice(&self.kind.to_le_bytes());
        b[8..16].copy_from_slice(&self.hash.0.to_le_bytes());
        b[16..24].copy_from_slice(&self.hash.1.to_le_bytes());
        b[24..32].copy_from_slice(&self.row.to_le_bytes());
    }

    fn decode(b: &[u8]) -> Self {
        Self {
            kind: u64_at(b, 0),
            hash: (u64_at(b, 8), u64_at(b, 16)),
            row: u64_at(b, 24),
        }
    }
}

/// A duplicate as spilled. Field order is the order they are handed out:
/// row, then kind, then first row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct DupEntry {
    row: u64,
    kind: u64,
    first_row: u64,
}

impl Record for DupEntry {
    const BYTES: usize = 24;

    fn encode(&self, b: &mut [u8]) {
        b[..8].copy_from_slice(&self.row.to_le_bytes());
        b[8..16].copy_from_slice(&self.kind.to_le_bytes());
        b[16..24].copy_from_slice(&self.first_row.to_le_bytes());
    }

    fn decode(b: &[u8]) -> Self {
        Self {
            row: u64_at(b, 0),
            kind: u64_at(b, 8),
            first_row: u64_at(b, 16),
        }
    }
}

/// Marks a `DupEntry` kind as a case-only match; no kind code uses the bit.
const CASE_ONLY: u64 = 1 << 63;

impl DupEntry {
    fn to_duplicate(self) -> io::Result<Duplicate> {
        let code = self.kind & !CASE_ONLY;
        Ok(Duplicate {
            row: self.row,
            other_row: self.first_row,
            kind: KeyKind::from_code(code).ok_or_else(|| corrupt(code))?,
            case_only: self.kind & CASE_ONLY != 0,
        })
    }
}

/// A sorted run in a spill file: `len` records from byte `start`.
#[derive(Debug, Clone, Copy)]
struct Run {
    start: u64,
    len: u64,
}

/// A spill file and the runs written to it so far.
struct Spill {
    file: File,
    runs: Vec<Run>,
    end: u64,
}

impl Spill {
    fn new() -> io::Result<Self> {
        Ok(Self {
            file: tempfile::tempfile()?,
            runs: Vec::new(),
            end: 0,
        })
    }

    /// Appends `sorted` as one run.
    fn write_run<R: Record>(&mut self, sorted: &[R]) -> io::Result<()> {
        let mut w = BufWriter::with_capacity(1 << 16, &self.file);
        let mut b = [0u8; 32];
        for e in sorted {
            e.encode(&mut b[..R::BYTES]);
            w.write_all(&b[..R::BYTES])?;
        }
        w.flush()?;
        let len = sorted.len() as u64;
        self.runs.push(Run {
            start: self.end,
            len,
        });
        self.end += len * R::BYTES as u64;
        Ok(())
    }

    /// Merges runs `FAN_IN` at a time until at most `FAN_IN` are left.
    fn reduce<R: Record>(mut self) -> io::Result<Self> {
        while self.runs.len() > FAN_IN {
            let mut out = Spill::new()?;
            for group in self.runs.chunks(FAN_IN) {
                let mut w = BufWriter::with_capacity(1 << 16, &out.file);
                let mut len = 0u64;
                let mut m: Merger<R> = Merger::new(&self.file, group, Vec::new())?;
                let mut b = [0u8; 32];
                while let Some(e) = m.next(&self.file)? {
                    e.encode(&mut b[..R::BYTES]);
                    w.write_all(&b[..R::BYTES])?;
                    len += 1;
                }
                w.flush()?;
                drop(w);
                out.runs.push(Run {
                    start: out.end,
                    len,
                });
                out.end += len * R::BYTES as u64;
            }
            self = out;
        }
        Ok(self)
    }
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

    /// A spool that keeps its keys in memory while they take at most
    /// `bytes` (32 bytes a key): a file whose keys fit is settled with one
    /// sort in memory and no temp file; above it, sorted runs of that size
    /// spill to disk and are merged at the end, so memory stays bounded.
    pub fn with_memory_budget(bytes: usize) -> Self {
        Self::new(bytes / Entry::BYTES)
    }

    /// Whether any keys went to disk so far (the budget was exceeded).
    pub fn spilled(&self) -> bool {
        self.spill.is_some()
    }

    /// Records that `row` has `key`.
    pub fn push(&mut self, row: u64, key: &RowKey) -> io::Result<()> {
        // Spill only when a key does not fit: keys that exactly fill the
        // memory stay there (and `finish` sorts them without a temp file).
        if self.buf.len() >= self.capacity {
            self.spill_run()?;
        }
        self.buf.push(Entry {
            kind: key.kind.code(),
            hash: split_hash(key.hash),
            row,
        });
        Ok(())
    }

    fn spill_run(&mut self) -> io::Result<()> {
        self.buf.sort_unstable();
        let spill = match &mut self.spill {
            Some(s) => s,
            None => self.spill.insert(Spill::new()?),
        };
        spill.write_run(&self.buf)?;
        self.buf.clear();
        Ok(())
    }

    /// Merges everything pushed and returns the duplicates, sorted by row:
    /// within each (kind, hash) group, every row after the smallest is a
    /// duplicate of the smallest; for client ids every row is reported (see
    /// the module header). A row that pushed one key twice is not its own
    /// duplicate. Holds every duplicate in memory: see `finish_stream`.
    pub fn finish(self) -> io::Result<Vec<Duplicate>> {
        let mut stream = self.finish_stream()?;
        let mut out = Vec::new();
        while let Some(d) = stream.next_duplicate()? {
            out.push(d);
        }
        Ok(out)
    }

    /// `finish`, handing the duplicates out one at a time from sorted runs
    /// on disk, so memory stays bounded however many there are.
    pub fn finish_stream(mut self) -> io::Result<Duplicates> {
        self.buf.sort_unstable();
        let keys = match self.spill.take() {
            Some(s) => Some(s.reduce::<Entry>()?),
            None => None,
        };
        let tail = std::mem::take(&mut self.buf);
        let mut found = DupCollector {
            buf: Vec::new(),
            spill: None,
        };
        // (kind, hash, first row, last row seen) of the current group.
        let mut group: Option<(u64, (u64, u64), u64, u64)> = None;
        let mut ids = IdGroups::default();
        let (file, runs) = match &keys {
            Some(s) => (Some(&s.file), s.runs.as_slice()),
            None => (None, &[][..]),
        };
        // The one kind whose groups report every row (`KeyKind::every_row`).
        let every_row = KeyKind::ClientId.code();
        debug_assert!(KeyKind::ClientId.every_row());
        let mut m = Merger::new_opt(file, runs, tail)?;
        while let Some(e) = m.next_opt(file)? {
            if e.kind == every_row {
                ids.next(e, &mut found)?;
                continue;
            }
            match &mut group {
                Some((kind, hash, first, last)) if *kind == e.kind && *hash == e.hash => {
                    if e.row != *last {
                        found.push(DupEntry {
                            row: e.row,
                            kind: e.kind,
                            first_row: *first,
                        })?;
                        *last = e.row;
                    }
                }
                _ => group = Some((e.kind, e.hash, e.row, e.row)),
            }
        }
        drop(m);
        drop(keys);
        found.finish()
    }
}

/// Client id entries as the merge hands them out, sorted by (case-folded
/// hash, exact hash, row): a folded group, and inside it one run of rows
/// per spelling. Reports every row of a spelling with more than one row
/// (the first pointing at the second, the others at the first), and, when
/// a folded group has several spellings, the first row of each spelling
/// as a case-only match (pointing at another spelling's first row). So
/// every row of the group is reported at least once, whatever order the
/// hashes put the spellings in, with O(1) state.
#[derive(Default)]
struct IdGroups {
    /// Case-folded hash of the current group.
    folded: Option<u64>,
    /// The group's first row (first row of its first spelling).
    group_first: u64,
    /// Whether a second spelling has been seen in this group.
    several: bool,
    /// Exact hash of the current spelling.
    exact: u64,
    /// First row of the current spelling, and the last row seen in it.
    first: u64,
    last: u64,
    /// Whether the current spelling's first row has been reported.
    first_reported: bool,
}

impl IdGroups {
    fn next(&mut self, e: Entry, found: &mut DupCollector) -> io::Result<()> {
        let kind = e.kind;
        let (folded, exact) = e.hash;
        let dup = |row, first_row, case_only: bool| DupEntry {
            row,
            kind: if case_only { kind | CASE_ONLY } else { kind },
            first_row,
        };
        if self.folded != Some(folded) {
            *self = IdGroups {
                folded: Some(folded),
                group_first: e.row,
                several: false,
                exact,
                first: e.row,
                last: e.row,
                first_reported: false,
            };
            return Ok(());
        }
        if exact == self.exact {
            if e.row == self.last {
                return Ok(()); // a row repeating its own key
            }
            if !self.first_reported {
                found.push(dup(self.first, e.row, false))?;
                self.first_reported = true;
            }
            found.push(dup(e.row, self.first, false))?;
            self.last = e.row;
            return Ok(());
        }
        // A new spelling of the same id.
        if !self.several {
            found.push(dup(self.group_first, e.row, true))?;
            self.several = true;
        }
        found.push(dup(e.row, self.group_first, true))?;
        self.exact = exact;
        self.first = e.row;
        self.last = e.row;
        self.first_reported = false;
        Ok(())
    }
}

/// Collects duplicates as the key merge finds them (in key order), spilling
/// sorted runs so that they can be handed out by row.
struct DupCollector {
    buf: Vec<DupEntry>,
    spill: Option<Spill>,
}

impl DupCollector {
    fn push(&mut self, d: DupEntry) -> io::Result<()> {
        self.buf.push(d);
        if self.buf.len() >= DUP_RUN_CAPACITY {
            self.buf.sort_unstable();
            let spill = match &mut self.spill {
                Some(s) => s,
                None => self.spill.insert(Spill::new()?),
            };
            spill.write_run(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }

    fn finish(mut self) -> io::Result<Duplicates> {
        self.buf.sort_unstable();
        let spill = match self.spill.take() {
            Some(s) => Some(s.reduce::<DupEntry>()?),
            None => None,
        };
        let (file, runs) = match &spill {
            Some(s) => (Some(&s.file), s.runs.as_slice()),
            None => (None, &[][..]),
        };
        let merger = Merger::new_opt(file, runs, std::mem::take(&mut self.buf))?;
        Ok(Duplicates {
            file: spill.map(|s| s.file),
            merger,
        })
    }
}

/// The duplicates of a finished `KeySpool`, in row order (then kind, then
/// first row), read from disk as they are asked for.
pub struct Duplicates {
    file: Option<File>,
    merger: Merger<DupEntry>,
}

impl Duplicates {
    /// The next duplicate, `None` after the last.
    pub fn next_duplicate(&mut self) -> io::Result<Option<Duplicate>> {
        match self.merger.next_opt(self.file.as_ref())? {
            Some(e) => e.to_duplicate().map(Some),
            None => Ok(None),
        }
    }

    /// The next duplicate if it is of `row`. Rows must be asked for in
    /// increasing order; duplicates of rows skipped over are dropped.
    pub fn next_of_row(&mut self, row: u64) -> io::Result<Option<Duplicate>> {
        loop {
            match self.merger.peek() {
                Some(e) if e.row < row => {
                    self.merger.next_opt(self.file.as_ref())?;
                }
                Some(e) if e.row == row => return self.next_duplicate(),
                _ => return Ok(None),
            }
        }
    }
}

fn corrupt(code: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("spill file holds unknown key kind {code}"),
    )
}

/// Reads one run back in order, a buffer at a time, with positional reads,
/// so one descriptor serves every run.
struct RunReader {
    next: u64,
    end: u64,
    buf: Vec<u8>,
    pos: usize,
    filled: usize,
}

impl RunReader {
    fn new<R: Record>(run: Run) -> Self {
        Self {
            next: run.start,
            end: run.start + run.len * R::BYTES as u64,
            buf: vec![0; READ_ENTRIES * R::BYTES],
            pos: 0,
            filled: 0,
        }
    }

    fn next_record<R: Record>(&mut self, file: &File) -> io::Result<Option<R>> {
        if self.pos == self.filled {
            let want = (self.end - self.next).min(self.buf.len() as u64) as usize;
            if want == 0 {
                return Ok(None);
            }
            file.read_exact_at(&mut self.buf[..want], self.next)?;
            self.next += want as u64;
            self.pos = 0;
            self.filled = want;
        }
        let e = R::decode(&self.buf[self.pos..self.pos + R::BYTES]);
        self.pos += R::BYTES;
        Ok(Some(e))
    }
}

/// The sorted union of some runs of one file and a sorted in-memory tail.
struct Merger<R: Record> {
    readers: Vec<RunReader>,
    tail: std::vec::IntoIter<R>,
    heap: BinaryHeap<Reverse<(R, usize)>>,
}

impl<R: Record> Merger<R> {
    fn new(file: &File, runs: &[Run], tail: Vec<R>) -> io::Result<Self> {
        Self::new_opt(Some(file), runs, tail)
    }

    fn new_opt(file: Option<&File>, runs: &[Run], tail: Vec<R>) -> io::Result<Self> {
        let mut readers: Vec<RunReader> = match file {
            Some(_) => runs.iter().map(|r| RunReader::new::<R>(*r)).collect(),
            None => Vec::new(),
        };
        let mut heap = BinaryHeap::with_capacity(readers.len() + 1);
        if let Some(f) = file {
            for (i, r) in readers.iter_mut().enumerate() {
                if let Some(e) = r.next_record::<R>(f)? {
                    heap.push(Reverse((e, i)));
                }
            }
        }
        let tail_source = readers.len();
        let mut tail = tail.into_iter();
        if let Some(e) = tail.next() {
            heap.push(Reverse((e, tail_source)));
        }
        Ok(Self {
            readers,
            tail,
            heap,
        })
    }

    fn peek(&self) -> Option<&R> {
        self.heap.peek().map(|Reverse((e, _))| e)
    }

    fn next(&mut self, file: &File) -> io::Result<Option<R>> {
        self.next_opt(Some(file))
    }

    fn next_opt(&mut self, file: Option<&File>) -> io::Result<Option<R>> {
        let Some(Reverse((e, source))) = self.heap.pop() else {
            return Ok(None);
        };
        let next = match (self.readers.get_mut(source), file) {
            (Some(r), Some(f)) => r.next_record::<R>(f)?,
            (Some(_), None) => None,
            (None, _) => self.tail.next(),
        };
        if let Some(n) = next {
            self.heap.push(Reverse((n, source)));
        }
        Ok(Some(e))
    }
}

#[cfg(test)]
mod tests;
