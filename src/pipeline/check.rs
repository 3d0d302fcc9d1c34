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

/// Reads request bodies out of the pass's file of bodies, by position.
pub struct BodyReader {
    file: std::fs::File,
}

impl BodyReader {
    /// The body at `at`, into `buf`.
    pub fn read<'b>(&self, at: BodyRange, buf: &'b mut Vec<u8>) -> std::io::Result<&'b [u8]> {
        use std::os::unix::fs::FileExt;
        buf.resize(usize::try_from(at.len).unwrap_or(0), 0);
        self.file.read_exact_at(buf, at.offset)?;
        Ok(buf.as_slice())
    }

    /// The body of a verdict, if it has one, into `buf`.
    pub fn body_of<'b>(
        &self,
        v: &Verdict<'b>,
        buf: &'b mut Vec<u8>,
    ) -> std::io::Result<Option<&'b [u8]>> {
        match v.body {
            None => Ok(None),
            Some(Body::Bytes(b)) => Ok(Some(b)),
            Some(Body::Spooled(at)) => self.read(at, buf).map(Some),
        }
    }
}

/// What the parallel stage computes for one row; reused from chunk to
/// chunk so its buffers are allocated once.
#[derive(Default)]
struct Processed {
    findings: Vec<FieldError>,
    /// The request body; meaningful only when `valid` and `bodies` is not
    /// `Bodies::None`.
    payload: Vec<u8>,
    valid: bool,
    /// Whether `payload` is the row's body, to be spooled.
    has_body: bool,
    keys: Vec<RowKey>,
    /// The row's spool record, encoded here rather than by the one writer.
    record: Vec<u8>,
    /// Why the record could not be encoded (the pass then fails).
    unencodable: Option<std::io::Error>,
}

/// Rows travelling together through the stages, in parts: a source read
/// row by row fills one part, one read in blocks one part per block. The
/// writer hands chunks back to the reader, so rows, fields and bodies reuse
/// their buffers.
#[derive(Default)]
struct Chunk {
    /// `parts[..parts_len]` are this chunk's, in input order; the rest are
    /// spares.
    parts: Vec<Part>,
    parts_len: usize,
    /// Rows in the chunk's parts, once read or parsed.
    rows: usize,
    /// The blocks' bytes (for a source read in blocks).
    bytes: u64,
    /// Bytes of the file read once this chunk was filled (for progress).
    read_to: u64,
}

/// A run of consecutive rows: `rows[..len]`, with `done[..len]` parallel
/// to them once processed. For a source read in blocks, the block they are
/// parsed from; its rows are numbered from 1 within it, and `rows_before`
/// (the file's rows in earlier blocks) makes them the file's.
#[derive(Default)]
struct Part {
    block: Block,
    rows: Vec<RawRow>,
    len: usize,
    done: Vec<Processed>,
    rows_before: u64,
}

/// Parses each of the chunk's blocks and checks its rows in the same task,
/// while they are in that core's cache; the blocks in parallel. Rows keep
/// their numbers within their block (the spool records too): the writer
/// numbers them on by each part's `rows_before`, set here in input order.
#[allow(clippy::too_many_arguments)]
fn parse_and_check_blocks(
    chunk: &mut Chunk,
    parser: &BlockParser,
    rows_before: u64,
    pool: &rayon::ThreadPool,
    plan: &Plan,
    tenant: &Tenant,
    opts: &CheckOptions,
    bodies: Bodies,
) -> Result<(), SourceError> {
    let parts = &mut chunk.parts[..chunk.parts_len];
    pool.install(|| {
        parts
            .par_iter_mut()
            .try_for_each_init(RowScratch::default, |scratch, part| {
                part.len = parser.parse(&part.block, &mut part.rows)?;
                if part.done.len() < part.len {
                    part.done.resize_with(part.len, Processed::default);
                }
                let (rows, done) = (&part.rows[..part.len], &mut part.done[..part.len]);
                for (raw, out) in rows.iter().zip(done) {
                    process_row(raw, plan, tenant, opts, bodies, scratch, out);
                }
                Ok(())
            })
    })?;
    let mut before = rows_before;
    for part in parts.iter_mut() {
        part.rows_before = before;
        before += part.len as u64;
    }
    chunk.rows = usize::try_from(before - rows_before).unwrap_or(usize::MAX);
    Ok(())
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

/// How much of a file read in blocks goes into one chunk.
#[derive(Debug, Clone, Copy)]
struct ChunkSize {
    /// Rows a chunk should hold, about (`--chunk-rows`).
    rows: usize,
    /// Blocks a chunk is cut into, for the pool to parse in parallel.
    blocks: usize,
}

/// A chunk for the reader to fill: a new one until all exist, then one
/// the writer handed back, so buffers are reused instead of allocated and
/// dropped. `None` when the writer has stopped (the run is ending).
fn free_chunk(free: &Receiver<Chunk>, made: &mut usize) -> Option<Chunk> {
    match free.try_recv() {
        Ok(chunk) => Some(chunk),
        Err(_) if *made < CHUNKS => {
            *made += 1;
            Some(Chunk::default())
        }
        Err(_) => free.recv().ok(),
    }
}

/// The reader for a source read in blocks: fills each chunk with
/// `size.blocks` blocks, together about `size.rows` rows' worth of bytes,
/// guessing a row's length from the chunks that come back parsed (from the
/// first block until then).
fn cut_chunks(
    mut source: CsvBlocks,
    read: &source::BytesRead,
    size: ChunkSize,
    tx: SyncSender<Result<Chunk, SourceError>>,
    free: Receiver<Chunk>,
) -> Result<(), SourceError> {
    let mut made = 0;
    let (mut bytes_seen, mut rows_seen) = (0u64, 0u64);
    loop {
        let Some(mut chunk) = free_chunk(&free, &mut made) else {
            return Ok(());
        };
        bytes_seen += chunk.bytes;
        rows_seen += chunk.rows as u64;
        let row_len = match rows_seen {
            0 => source.row_len_guess(),
            rows => bytes_seen / rows,
        };
        let budget = (size.rows as u64)
            .saturating_mul(row_len.max(1))
            .min(MAX_CHUNK_BYTES);
        let block_len = usize::try_from(budget / size.blocks as u64)
            .unwrap_or(usize::MAX)
            .max(1);
        chunk.rows = 0;
        chunk.parts_len = 0;
        chunk.bytes = 0;
        let mut end = false;
        while chunk.parts_len < size.blocks {
            if chunk.parts_len == chunk.parts.len() {
                chunk.parts.push(Part::default());
            }
            match source.next_block(&mut chunk.parts[chunk.parts_len].block, block_len) {
                Ok(true) => {
                    chunk.bytes += chunk.parts[chunk.parts_len].block.len() as u64;
                    chunk.parts_len += 1;
                }
                Ok(false) => {
                    end = true;
                    break;
                }
                Err(e) => {
                    let _ = tx.send(Err(e));
                    return Ok(());
                }
            }
        }
        chunk.read_to = read.get();
        if chunk.parts_len > 0 && tx.send(Ok(chunk)).is_err() {
            return Ok(());
        }
        if end {
            return Ok(());
        }
    }
}

fn read_chunks(
    mut source: Box<dyn RowSource>,
    read: &source::BytesRead,
    chunk_rows: usize,
    tx: SyncSender<Result<Chunk, SourceError>>,
    free: Receiver<Chunk>,
) -> Result<(), SourceError> {
    let mut made = 0;
    loop {
        let Some(mut chunk) = free_chunk(&free, &mut made) else {
            return Ok(());
        };
        if chunk.parts.is_empty() {
            chunk.parts.push(Part::default());
        }
        chunk.parts_len = 1;
        let part = &mut chunk.parts[0];
        part.len = 0;
        while part.len < chunk_rows {
            if part.len == part.rows.len() {
                part.rows.push(RawRow::default());
            }
            match source.next_into(&mut part.rows[part.len]) {
                Ok(true) => part.len += 1,
                Ok(false) => break,
                Err(e) => {
                    let _ = tx.send(Err(e));
                    return Ok(());
                }
            }
        }
        chunk.rows = part.len;
        let last = chunk.rows < chunk_rows;
        chunk.read_to = read.get();
        if chunk.rows > 0 && tx.send(Ok(chunk)).is_err() {
            return Ok(());
        }
        if last {
            return Ok(());
        }
    }
}

/// One rayon task's reusable request: mapped, checked and serialised per
/// row, then emptied into the recycler for the next.
#[derive(Default)]
struct RowScratch {
    request: ClientRequest,
    recycler: Recycler,
}

fn process_row(
    raw: &RawRow,
    plan: &Plan,
    tenant: &Tenant,
    opts: &CheckOptions,
    bodies: Bodies,
    scratch: &mut RowScratch,
    out: &mut Processed,
) {
    check_row(raw, plan, tenant, opts, bodies, scratch, out);
    scratch.recycler.reclaim(&mut scratch.request);
    out.has_body = out.valid && bodies != Bodies::None;
    let payload = out.has_body.then_some(out.payload.as_slice());
    out.unencodable = spool::encode(
        raw.row,
        raw.line,
        &raw.fields,
        &out.findings,
        payload,
        &mut out.record,
    )
    .err();
}

fn check_row(
    raw: &RawRow,
    plan: &Plan,
    tenant: &Tenant,
    opts: &CheckOptions,
    bodies: Bodies,
    scratch: &mut RowScratch,
    out: &mut Processed,
) {
    out.findings.clear();
    out.keys.clear();
    out.payload.clear();
    out.valid = false;
    if let Some(problem) = &raw.problem {
        out.findings.push(problem.clone());
        return;
    }
    let request = &mut scratch.request;
    plan.apply_into(raw, request, &mut scratch.recycler, &mut out.findings);
    let documents =
        plan.document_files(&raw.fields, request.client.id.as_deref(), &mut out.findings);
    let mapped = out.findings.len();
    validate::check_client(request, tenant, opts, &mut out.findings);
    validate::documents::check(&documents, plan.document_limit(), &mut out.findings);
    drop_findings_on_fields_already_reported(&mut out.findings, mapped);
    if out.findings.iter().any(FieldError::is_error) {
        // A duplicated id is reported on every row carrying it, this one too.
        validate::id_key(request, &mut out.keys);
        return;
    }
    validate::row_keys(request, tenant, &mut out.keys);
    out.valid = if bodies == Bodies::None {
        true
    } else if bodies == Bodies::ReportFields {
        serde_json::to_writer(&mut out.payload, &ReportFieldsBody(request)).is_ok()
    } else if documents.is_empty() {
        serde_json::to_writer(&mut out.payload, &*request).is_ok()
    } else {
        let with = WithDocuments {
            request,
            document_files: &documents,
        };
        serde_json::to_writer(&mut out.payload, &with).is_ok()
    };
}

/// A valid row's payload with its document files, which the import
/// uploads after the client and never sends in the client request.
#[derive(serde::Serialize)]
struct WithDocuments<'a> {
    #[serde(flatten)]
    request: &'a ClientRequest,
    #[serde(rename = "documentFiles")]
    document_files: &'a crate::mapping::DocumentFiles,
}

/// The fields of a request a report reads from its body (see
/// [`Bodies::ReportFields`]): `client` with the names, birth date, e-mail
/// and phones, and each ID document's type and number, as the full body
/// spells them; absent values are left out, as there.
struct ReportFieldsBody<'a>(&'a ClientRequest);

impl serde::Serialize for ReportFieldsBody<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        struct Contact<'a>(&'a crate::model::Client);
        impl serde::Serialize for Contact<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let c = self.0;
                let mut m = s.serialize_map(None)?;
                for (name, value) in [
                    ("firstName", &c.first_name),
                    ("lastName", &c.last_name),
                    ("homePhone", &c.home_phone),
                    ("mobilePhone1", &c.mobile_phone1),
                    ("emailAddress", &c.email_address),
                    ("birthDate", &c.birth_date),
                ] {
                    if let Some(v) = value {
                        m.serialize_entry(name, v)?;
                    }
                }
                m.end()
            }
        }
        struct Document<'a>(&'a crate::model::IdDocument);
        impl serde::Serialize for Document<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let d = self.0;
                let mut m = s.serialize_map(None)?;
                if let Some(v) = &d.document_type {
                    m.serialize_entry("documentType", v)?;
                }
                if let Some(v) = &d.document_id {
                    m.serialize_entry("documentId", v)?;
                }
                m.end()
            }
        }
        struct Documents<'a>(&'a [crate::model::IdDocument]);
        impl serde::Serialize for Documents<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut q = s.serialize_seq(Some(self.0.len()))?;
                for d in self.0 {
                    q.serialize_element(&Document(d))?;
                }
                q.end()
            }
        }
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("client", &Contact(&self.0.client))?;
        if let Some(docs) = &self.0.id_documents {
            m.serialize_entry("idDocuments", &Documents(docs))?;
        }
        m.end()
    }
}

/// A valid row's [`Bodies::ReportFields`] body, from its fields mapped
/// again: what the pass would have written, as mapping is a function of
/// the row's fields. False when it cannot be serialised (then no body).
fn report_fields_again(
    row: &SpooledRow,
    fields: &csv::StringRecord,
    plan: &Plan,
    scratch: &mut RowScratch,
    out: &mut Vec<u8>,
) -> bool {
    let raw = RawRow {
        row: row.row,
        line: row.line,
        fields: fields.clone(),
        problem: None,
    };
    let mut findings = Vec::new();
    plan.apply_into(
        &raw,
        &mut scratch.request,
        &mut scratch.recycler,
        &mut findings,
    );
    out.clear();
    let ok = serde_json::to_writer(&mut *out, &ReportFieldsBody(&scratch.request)).is_ok();
    scratch.recycler.reclaim(&mut scratch.request);
    ok
}

/// A value the mapping could not produce is left out of the request, so the
/// validator may report the same field again as missing (an unknown branch
/// id would also read as 705 MISSING_BRANCH_KEY). The mapping's finding is
/// the one that names the cause; the validator's echo on that field goes.
fn drop_findings_on_fields_already_reported(findings: &mut Vec<FieldError>, mapped: usize) {
    if mapped == 0 || findings.len() == mapped {
        return;
    }
    let validated = findings.split_off(mapped);
    for f in validated {
        if !findings[..mapped].iter().any(|m| m.field == f.field) {
            findings.push(f);
        }
    }
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

impl Checked {
    /// A copy of the handle to the file of request bodies: the bodies of the
    /// pass, one per line, at the places a verdict's `Body::Spooled` names.
    /// It holds bodies of rows found invalid later too, so copy by range.
    pub fn bodies(&self) -> std::io::Result<std::fs::File> {
        self.spool.bodies().try_clone()
    }

    /// A reader of the bodies file, for a caller that needs a body's bytes.
    pub fn body_reader(&self) -> std::io::Result<BodyReader> {
        Ok(BodyReader {
            file: self.bodies()?,
        })
    }

    /// Hands every row, in input order, to `visit` with its final verdict:
    /// the row's fields (per `fields_for`), its findings (per-row ones first,
    /// then those across rows) with their source columns, and where a valid
    /// row's body is in [`bodies`](Self::bodies).
    pub fn replay(
        self,
        fields_for: FieldsFor,
        visit: impl FnMut(&Verdict<'_>) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        self.replay_deciding(
            |findings| {
                let valid = !findings.iter().any(FieldError::is_error);
                let decode = !valid
                    || fields_for == FieldsFor::All
                    || (fields_for == FieldsFor::Flagged && !findings.is_empty());
                if decode {
                    RowNeeds::Fields
                } else {
                    RowNeeds::Findings
                }
            },
            visit,
        )
    }

    /// [`replay`](Self::replay), asking `needs` of each row's final
    /// findings what to decode (a row whose fields it declines comes with
    /// an empty record): for a caller that knows better than `FieldsFor`
    /// which rows it will read, as a report listing only the first rows.
    pub fn replay_deciding(
        self,
        mut needs: impl FnMut(&[FieldError]) -> RowNeeds,
        mut visit: impl FnMut(&Verdict<'_>) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        let mut fields = csv::StringRecord::new();
        let empty = csv::StringRecord::new();
        let mut again = RowScratch::default();
        let mut mapped_body = Vec::new();
        self.replay_core(|row, findings, origins, valid, plan| {
            let need = needs(findings);
            let decode = need != RowNeeds::Findings;
            let remap = need == RowNeeds::FieldsAndReportBody && valid && row.body.is_none();
            if decode {
                row.fields_into(&mut fields)?;
            }
            visit(&Verdict {
                row: row.row,
                line: row.line,
                fields: if decode { &fields } else { &empty },
                findings,
                origins,
                body: match (valid, row.body) {
                    (false, _) => None,
                    (true, Some(at)) => Some(Body::Spooled(at)),
                    (true, None) if remap => {
                        report_fields_again(row, &fields, plan, &mut again, &mut mapped_body)
                            .then_some(Body::Bytes(&mapped_body))
                    }
                    (true, None) => None,
                },
            })
        })
    }

    fn replay_core(
        mut self,
        mut visit: impl FnMut(
            &SpooledRow,
            &[FieldError],
            &[Option<String>],
            bool,
            &Plan,
        ) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        let mut row = SpooledRow::default();
        let mut origins: Vec<Option<String>> = Vec::new();
        let mut known: HashMap<String, Option<String>, FastHashBuilder> = HashMap::default();
        while self.spool.next_into(&mut row)? {
            while let Some(d) = self.duplicates.next_of_row(row.row)? {
                let tenant = &self.tenant;
                row.push_finding(|f| d.write_field_error(tenant, f));
            }
            let findings = row.findings();
            let valid = !findings.iter().any(FieldError::is_error);
            origins.resize(findings.len(), None);
            for (o, f) in origins.iter_mut().zip(findings) {
                match known.get(f.field.as_str()) {
                    Some(k) => o.clone_from(k),
                    None => {
                        *o = self.plan.origin(&f.field);
                        if known.len() < ORIGIN_CACHE {
                            known.insert(f.field.clone(), o.clone());
                        }
                    }
                }
            }
            visit(&row, findings, &origins, valid, &self.plan)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ReturnCode;

    #[test]
    fn validator_echo_of_a_mapping_finding_is_dropped() {
        let mut f = vec![
            FieldError::error(
                "client.assignedBranchKey",
                ReturnCode::InvalidBranchKey,
                "unknown branch X",
            ),
            FieldError::error(
                "client.assignedBranchKey",
                ReturnCode::MissingBranchKey,
                "missing",
            ),
            FieldError::error(
                "client.emailAddress",
                ReturnCode::EmailAddressFormatIsInvalid,
                "bad",
            ),
        ];
        drop_findings_on_fields_already_reported(&mut f, 1);
        let codes: Vec<_> = f.iter().map(|e| e.code).collect();
        assert_eq!(
            codes,
            [
                ReturnCode::InvalidBranchKey,
                ReturnCode::EmailAddressFormatIsInvalid
            ]
        );
    }

    /// The report reads a group's key and the notification count from a
    /// body; the short body must give both exactly as the full one does.
    #[test]
    fn report_fields_body_reads_as_the_full_body() {
        use crate::tenant::{CreationChannels, DuplicateCheckField};
        use crate::validate::cross_row::key_text;
        let mut full = ClientRequest::default();
        let c = &mut full.client;
        c.id = Some("C-1".into());
        c.first_name = Some("Zoë \"Jo\"".into());
        c.last_name = Some("Nowak\\".into());
        c.birth_date = Some("1980-01-02".into());
        c.email_address = Some("jo@example.com".into());
        c.home_phone = Some(String::new());
        c.mobile_phone1 = Some("+48 1".into());
        c.notes = Some("not a key".into());
        full.id_documents = Some(vec![
            crate::model::IdDocument {
                document_type: Some("PASSPORT".into()),
                document_id: Some("AB1".into()),
                issuing_authority: Some("x".into()),
                ..Default::default()
            },
            crate::model::IdDocument {
                document_type: Some("ID_CARD".into()),
                ..Default::default()
            },
        ]);
        let mut bare = ClientRequest::default();
        bare.client.id = Some("C-2".into());
        let channels = CreationChannels {
            email: true,
            sms: true,
        };
        for request in [&full, &bare] {
            let long = serde_json::to_vec(request).unwrap();
            let short = serde_json::to_vec(&ReportFieldsBody(request)).unwrap();
            assert!(short.len() < long.len());
            let (l, s): (serde_json::Value, serde_json::Value) = (
                serde_json::from_slice(&long).unwrap(),
                serde_json::from_slice(&short).unwrap(),
            );
            for check in DuplicateCheckField::ALL {
                assert_eq!(key_text(check, &l), key_text(check, &s), "{check:?}");
            }
            assert_eq!(channels.for_body(&long), channels.for_body(&short));
        }
        assert_eq!(
            key_text(
                DuplicateCheckField::DocumentIdAndType,
                &serde_json::from_slice(&serde_json::to_vec(&ReportFieldsBody(&full)).unwrap())
                    .unwrap()
            )
            .as_deref(),
            Some("PASSPORT AB1"),
            "the test compares something"
        );
    }
}

#[cfg(test)]
mod reading_in_blocks_tests {
    use super::*;

    type Seen = (u64, u64, Vec<String>, Vec<FieldError>);

    fn repo(path: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
    }

    /// Every row's verdict after the pass over `input`, its source parsed
    /// in blocks on the pool, or (`serial`) row by row on the reader.
    fn verdicts(input: &Path, serial: bool, threads: usize, chunk_rows: usize) -> Vec<Seen> {
        let (mapping, tenant) = (repo("mappings/clients.toml"), repo("samples/tenant.json"));
        let mut prepared = Prepared::load(input, &mapping, Some(&tenant), &[]).unwrap();
        assert!(matches!(prepared.source, Opened::CsvBlocks(_)));
        if serial {
            let spec = Mapping::load(&mapping).unwrap().source_spec();
            let rows = source::open_counted(input, &spec, &prepared.read).unwrap();
            prepared.source = Opened::Rows(rows);
        }
        let opts = CheckOptionsForFile {
            input: input.to_path_buf(),
            mapping,
            tenant: Some(tenant),
            threads: Some(threads),
            chunk_rows,
            progress: false,
            require_id: false,
            joins: Vec::new(),
        };
        let mut seen = Vec::new();
        check_file(prepared, &opts)
            .unwrap()
            .replay(FieldsFor::All, |v| {
                let fields = v.fields.iter().map(str::to_string).collect();
                seen.push((v.row, v.line, fields, v.findings.to_vec()));
                Ok(())
            })
            .unwrap();
        seen
    }

    /// The sample export, and the same with CRLF line ends, blank lines, a
    /// BOM, quoted line breaks, a ragged row and an unterminated quote.
    fn variants(dir: &Path) -> Vec<PathBuf> {
        let text = std::fs::read_to_string(repo("samples/clients.csv")).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let mut odd = String::from("\u{FEFF}");
        for (i, line) in lines.iter().enumerate() {
            let line = match i % 7 {
                3 => line.replacen(",,", ",\"two\r\nlines, \"\"quoted\"\"\",", 1),
                5 => format!("{line},extra"),
                _ => line.to_string(),
            };
            odd.push_str(&line);
            odd.push_str(if i % 2 == 0 { "\r\n" } else { "\n\n" });
        }
        odd.push_str("CL9,\"never closed\nMr,Ann\n");
        let files = [("plain.csv", text.clone()), ("odd.csv", odd)];
        files
            .iter()
            .map(|(name, text)| {
                let path = dir.join(name);
                std::fs::write(&path, text).unwrap();
                path
            })
            .collect()
    }

    #[test]
    fn the_pass_over_blocks_gives_every_verdict_the_serial_reader_gives() {
        let dir = tempfile::tempdir().unwrap();
        for input in variants(dir.path()) {
            let want = verdicts(&input, true, 1, 4096);
            assert!(want.len() >= 600, "{}", want.len());
            let malformed = want.iter().filter(|v| v.3.iter().any(|f| f.field == "row"));
            assert_eq!(malformed.count() > 0, input.ends_with("odd.csv"));
            for (threads, chunk_rows) in [(1, 1), (2, 7), (2, 4096)] {
                let got = verdicts(&input, false, threads, chunk_rows);
                assert!(
                    got == want,
                    "{} with {threads} threads, chunks of {chunk_rows}",
                    input.display()
                );
            }
        }
    }
}
