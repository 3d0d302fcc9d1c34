//! The validation pass shared by the dry run and the import: source → map →
//! validate, in parallel over bounded chunks, then the checks across rows.
//!
//! In: an input file, a mapping, optionally a tenant. Out: a [`Checked`]
//! whose `replay` hands every row, in input order, with its final findings
//! (per-row and across rows) and, for a valid row, the exact request body
//! (or, for a dry run writing no payloads, only the fields a report reads
//! from it, or none: [`Bodies`]).
//! Fails before reading any row when the mapping, tenant or file is
//! unusable (`CheckError`, exit 2); bad rows are verdicts, never errors.
//!
//! Threads: a reader thread fills chunks, a rayon pool maps, validates and
//! encodes each row's spool record (input order kept), a writer thread
//! appends the records and collects the keys compared across rows; the
//! serial threads get as little per row as possible, since they bound how
//! far the pool can speed the pass up. CSV read as UTF-8 is not parsed by
//! the reader at all: it only cuts the file into blocks of whole records
//! (`source::CsvBlocks`, a scan far cheaper than parsing); one pool task
//! parses a block and checks its rows while they are in its core's cache,
//! numbered within the block, and the writer numbers them on (a running
//! count over the blocks in order) as it appends them. Other sources
//! (JSON, transcoded text, Ferry's own rejects) are parsed by the reader.
//! Memory is bounded by the chunk size and queue depth, not by the file.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::thread;

use rayon::prelude::*;

use super::spool::{self, SpoolReader, SpoolWriter, SpooledRow};
use crate::fast_hash::FastHashBuilder;
use crate::field_error::FieldError;
use crate::mapping::{Mapping, MappingError, Plan, Recycler};
use crate::model::ClientRequest;
use crate::report::progress::Progress;
use crate::report::{Body, BodyRange, Verdict};
use crate::source::{self, Block, BlockParser, CsvBlocks, Opened, RawRow, RowSource, SourceError};
use crate::tenant::{Tenant, TenantError};
use crate::validate::cross_row::{Duplicates, KeySpool, RowKey};
use crate::validate::{self, CheckOptions};

/// Chunks queued between two stages.
const QUEUE_DEPTH: usize = 1;
/// Rows a chunk holds unless `--chunk-rows` says otherwise. Peak memory
/// grows with the chunk and, for CSV read in blocks, with the file: 4,096
/// took a 5M-row wide file to 157 MB (115 MB at 1M rows), 2,048 to 114 MB
/// (85 MB), 1,024 to 81 MB at 4M rows, at the same speed.
pub const DEFAULT_CHUNK_ROWS: usize = 2048;
/// Chunks that ever exist: one per stage (reader, pool, writer) plus those
/// queued between them. They circulate, so row and body buffers are
/// allocated once and memory is bounded by `CHUNKS × chunk_rows`.
const CHUNKS: usize = 3 + 2 * QUEUE_DEPTH;
/// Memory for the keys compared across rows (32 bytes a key, a few keys a
/// row): a file whose keys fit is checked in memory; above it, sorted runs
/// of this size spill to disk, so fewer and longer runs are merged.
const KEY_MEMORY_BYTES: usize = 32 << 20;
/// Rows one rayon task takes at least: a row is a few microseconds of work,
/// too little to hand out one at a time.
const MIN_ROWS_PER_TASK: usize = 64;
/// Distinct finding fields whose source column is remembered in a replay.
const ORIGIN_CACHE: usize = 1024;
/// The first block of a CSV file read in blocks, at least: the header and
/// a few rows (read at open, before the chunk size is known).
const FIRST_BLOCK_BYTES: usize = 4096;
/// A chunk of blocks holds at most this many bytes, whatever the guess of
/// a row's length says.
const MAX_CHUNK_BYTES: u64 = 16 << 20;
/// Blocks a chunk is cut into, per thread of the pool: more than one each
/// evens out blocks that parse slower.
const BLOCKS_PER_THREAD: usize = 4;

/// Why the check cannot run at all.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// The mapping file cannot be loaded or does not compile against the
    /// source's columns and the tenant.
    #[error("mapping {path}: {source}")]
    Mapping {
        /// The mapping file, as given on the command line.
        path: String,
        /// What is wrong with it.
        source: MappingError,
    },
    /// The tenant file cannot be loaded.
    #[error(transparent)]
    Tenant(#[from] TenantError),
    /// The input file cannot be opened or read.
    #[error(transparent)]
    Source(#[from] SourceError),
    /// The pass itself could not run (threads not started, no result).
    #[error("{0}")]
    Setup(String),
    /// The temporary spool or key files failed.
    #[error("temporary files: {0}")]
    Io(#[from] std::io::Error),
}

/// What the check needs, as the command line gave it.
#[derive(Debug, Clone)]
pub struct CheckOptionsForFile {
    /// The source file to read (CSV or JSON).
    pub input: PathBuf,
    /// The mapping file (TOML) from source columns to the client request.
    pub mapping: PathBuf,
    /// The tenant file; without it the checks against the tenant are skipped.
    pub tenant: Option<PathBuf>,
    /// Validation threads; `None` for all cores.
    pub threads: Option<usize>,
    /// Rows read, validated and written as one chunk; bounds memory. CSV
    /// read in blocks turns it into bytes: this many times the average
    /// length of a row so far (the header's, until rows are parsed).
    pub chunk_rows: usize,
    /// Whether to show progress on a terminal.
    pub progress: bool,
    /// Clients must carry an id (the import's exactly-once rests on it).
    pub require_id: bool,
    /// `--join NAME=FILE`: related files read instead of the mapping's.
    pub joins: Vec<(String, PathBuf)>,
}

/// Everything loaded and compiled before the first row is read.
pub struct Prepared {
    /// The target's definitions, or an unknown tenant when none was given.
    pub tenant: Tenant,
    /// The mapping compiled against the source's columns and the tenant.
    pub plan: Plan,
    /// The source's column names, in file order.
    pub columns: Vec<String>,
    source: Opened,
    /// How far the source has read into its file, and the file's size: the
    /// progress bar's position and total.
    read: source::BytesRead,
    size: u64,
    bodies: Bodies,
}

/// What the pass keeps of a valid row's request, in the file of bodies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bodies {
    /// The exact request body the import sends (and `payloads.ndjson` holds).
    Full,
    /// Only what a report reads from a body: the values the tenant's
    /// duplicate checks compare (the key of a warning group) and the contact
    /// fields a creation notification goes to, in the body's own shape
    /// (`{"client":{…},"idDocuments":[…]}`). A tenth of the bytes and of the
    /// work of the full body; for a dry run that writes no payloads.
    ReportFields,
    /// No body: for a dry run that writes no payloads and counts no
    /// notifications. The few rows whose report fields the report reads
    /// (a duplicate warning that starts a group) are mapped again by the
    /// replay when the visitor asks ([`RowNeeds::FieldsAndReportBody`]).
    None,
}

/// What a replay's visitor reads of a row besides its findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowNeeds {
    /// The findings only: the row comes with an empty record.
    Findings,
    /// The row's original fields too.
    Fields,
    /// The fields, and for a valid row the report fields of its body
    /// ([`Bodies::ReportFields`]), mapped again if the pass kept no body.
    FieldsAndReportBody,
}

impl Prepared {
    /// Loads the tenant and mapping, opens the source and compiles the plan;
    /// `joins` replaces `[[join]]` files by name (`--join NAME=FILE`).
    /// Every failure here is the user's to fix and nothing has been read.
    pub fn load(
        input: &Path,
        mapping: &Path,
        tenant: Option<&Path>,
        joins: &[(String, PathBuf)],
    ) -> Result<Self, CheckError> {
        let tenant = match tenant {
            Some(p) => Tenant::load(p)?,
            None => Tenant::unknown(),
        };
        let mapping_err = |source| CheckError::Mapping {
            path: mapping.display().to_string(),
            source,
        };
        let mut map = Mapping::load(mapping).map_err(mapping_err)?;
        for (name, file) in joins {
            map.set_join_file(name, file).map_err(mapping_err)?;
        }
        let read = source::BytesRead::default();
        let source = source::open_in_blocks(input, &map.source_spec(), &read, FIRST_BLOCK_BYTES)?;
        let size = std::fs::metadata(input).map(|m| m.len()).unwrap_or(0);
        let columns = match &source {
            Opened::Rows(rows) => rows.columns().to_vec(),
            Opened::CsvBlocks(blocks) => blocks.columns().to_vec(),
        };
        let mut plan = map.compile(&columns, &tenant).map_err(mapping_err)?;
        // `[documents]` paths are relative to the export file's directory.
        plan.set_document_base(input.parent().unwrap_or(Path::new("")));
        Ok(Self {
            tenant,
            plan,
            columns,
            source,
            read,
            size,
            bodies: Bodies::Full,
        })
    }

    /// Keeps only `Bodies::ReportFields` of each valid row: for a pass whose
    /// bodies nobody sends or writes out. Verdicts are the same either way.
    pub fn keep_bodies(&mut self, bodies: Bodies) {
        self.bodies = bodies;
    }

    /// Whether the input is Ferry's own `rejects.csv` read back: a subset of
    /// an export, so most related rows matching no client is expected.
    pub fn is_ferry_rejects(&self) -> bool {
        match &self.source {
            Opened::Rows(rows) => rows.is_ferry_rejects(),
            Opened::CsvBlocks(_) => false,
        }
    }

    /// Compile-time warnings of the mapping, for the terminal.
    pub fn warnings(&self) -> Vec<String> {
        let mut w = self.plan.warnings().to_vec();
        if !self.tenant.is_known() {
            w.push("no tenant given: custom field, ID document template and branch/centre/officer/role checks were skipped".into());
        }
        w
    }
}

/// The result of the pass, ready to replay in input order.
pub struct Checked {
    /// The tenant the rows were checked against.
    pub tenant: Tenant,
    /// The compiled mapping the rows went through.
    pub plan: Plan,
    /// The source's column names, in file order.
    pub columns: Vec<String>,
    /// Rows the pass read: the whole file.
    pub rows: u64,
    spool: SpoolReader,
    duplicates: Duplicates,
}

/// Which rows' original fields the replay decodes: decoding costs, and the
/// dry run needs only rejected rows' (for rejects.csv and the page).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldsFor {
    /// Rejected rows only; valid rows come with an empty record.
    Rejected,
    /// Rejected rows and rows with a warning (the report lists both);
    /// valid rows without a finding come with an empty record.
    Flagged,
    /// Every row (the import keeps a refused row's cells).
    All,
}

/// Runs the whole pass.
pub fn check_file(prepared: Prepared, opts: &CheckOptionsForFile) -> Result<Checked, CheckError> {
    let Prepared {
        tenant,
        plan,
        columns,
        source,
        read,
        size,
        bodies,
    } = prepared;
    let pool = {
        let mut b = rayon::ThreadPoolBuilder::new();
        if let Some(n) = opts.threads {
            b = b.num_threads(n.max(1));
        }
        b.build()
            .map_err(|e| CheckError::Setup(format!("cannot start threads: {e}")))?
    };
    let check_opts = CheckOptions {
        today: jiff::Zoned::now().date(),
        require_id: opts.require_id,
    };
    let chunk_rows = opts.chunk_rows.max(1);
    let progress = Progress::bytes(opts.progress, "checking", size);
    let mut rows_read = 0u64;

    let (chunk_tx, chunk_rx) = sync_channel::<Result<Chunk, SourceError>>(QUEUE_DEPTH);
    let (done_tx, done_rx) = sync_channel::<Chunk>(QUEUE_DEPTH);
    let (free_tx, free_rx) = sync_channel::<Chunk>(CHUNKS);

    let parser = match &source {
        Opened::CsvBlocks(blocks) => Some(blocks.parser().clone()),
        Opened::Rows(_) => None,
    };
    let blocks_per_chunk = pool.current_num_threads().max(1) * BLOCKS_PER_THREAD;

    let (spool, keys, read_result) = thread::scope(|s| {
        let counter = read.clone();
        let reader = s.spawn(move || match source {
            Opened::Rows(rows) => read_chunks(rows, &counter, chunk_rows, chunk_tx, free_rx),
            Opened::CsvBlocks(blocks) => {
                let size = ChunkSize {
                    rows: chunk_rows,
                    blocks: blocks_per_chunk,
                };
                cut_chunks(blocks, &counter, size, chunk_tx, free_rx)
            }
        });
        let writer = s.spawn(move || write_verdicts(done_rx, free_tx));
        let mut failure = None;
        for chunk in chunk_rx {
            let mut chunk = match chunk {
                Ok(chunk) => chunk,
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            };
            if let Some(parser) = &parser {
                let checked = parse_and_check_blocks(
                    &mut chunk,
                    parser,
                    rows_read,
                    &pool,
                    &plan,
                    &tenant,
                    &check_opts,
                    bodies,
                );
                if let Err(e) = checked {
                    failure = Some(e);
                    break;
                }
            } else {
                // A source read row by row: one part, numbered by the source.
                let parts = &mut chunk.parts[..chunk.parts_len];
                for part in parts.iter_mut() {
                    part.rows_before = 0;
                    if part.done.len() < part.len {
                        part.done.resize_with(part.len, Processed::default);
                    }
                }
                pool.install(|| {
                    parts.par_iter_mut().for_each(|part| {
                        let (rows, done) = (&part.rows[..part.len], &mut part.done[..part.len]);
                        rows.par_iter()
                            .zip(done.par_iter_mut())
                            .with_min_len(MIN_ROWS_PER_TASK)
                            .for_each_init(RowScratch::default, |scratch, (raw, out)| {
                                process_row(raw, &plan, &tenant, &check_opts, bodies, scratch, out)
                            })
                    })
                });
            }
            let len = chunk.rows;
            rows_read += len as u64;
            progress.rows_read(len as u64);
            progress.advance_to(chunk.read_to);
            if done_tx.send(chunk).is_err() {
                break;
            }
        }
        drop(done_tx);
        let read = reader.join().unwrap_or(Ok(()));
        let written = writer
            .join()
            .unwrap_or_else(|_| Err(std::io::Error::other("verdict writer stopped")));
        match (failure, read, written) {
            (Some(e), _, _) | (None, Err(e), _) => (None, None, Err(CheckError::Source(e))),
            (None, Ok(()), Err(e)) => (None, None, Err(CheckError::Io(e))),
            (None, Ok(()), Ok((spool, keys))) => (Some(spool), Some(keys), Ok(())),
        }
    });
    progress.finish();
    read_result?;
    let (spool, keys) = match (spool, keys) {
        (Some(s), Some(k)) => (s, k),
        _ => return Err(CheckError::Setup("the pass ended without a result".into())),
    };
    let duplicates = keys.finish_stream()?;
    Ok(Checked {
        tenant,
        plan,
        columns,
        rows: rows_read,
        spool: spool.into_reader()?,
        duplicates,
    })
}

fn write_verdicts(
    rx: Receiver<Chunk>,
    free: SyncSender<Chunk>,
) -> std::io::Result<(SpoolWriter, KeySpool)> {
    let mut spool = SpoolWriter::new()?;
    let mut keys = KeySpool::with_memory_budget(KEY_MEMORY_BYTES);
    for mut chunk in rx {
        for part in &mut chunk.parts[..chunk.parts_len] {
            let before = part.rows_before;
            for (raw, p) in part.rows[..part.len].iter().zip(&mut part.done) {
                if let Some(e) = p.unencodable.take() {
                    return Err(e);
                }
                let row = before + raw.row;
                if before > 0 {
                    spool::renumber(&mut p.record, row);
                }
                for k in &p.keys {
                    keys.push(row, k)?;
                }
                spool.write_encoded(&p.record, p.has_body.then_some(p.payload.as_slice()))?;
            }
        }
        // Back to the reader; the channel holds every chunk, so this never
        // blocks, and it fails only when the reader has finished.
        let _ = free.send(chunk);
    }
    Ok((spool, keys))
}

mod reading;
mod replay;
mod row;

use reading::{cut_chunks, parse_and_check_blocks, read_chunks, Chunk, ChunkSize};
pub use replay::BodyReader;
use row::{process_row, report_fields_again, Processed, RowScratch};

#[cfg(test)]
mod block_tests;
