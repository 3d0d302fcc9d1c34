//! The reading stage of the pass: chunks of rows for the pool.
//!
//! In: an opened source, read row by row (`read_chunks`) or cut into
//! blocks of whole records (`cut_chunks`). Out: `Chunk`s sent to the pass,
//! taken back from the writer and refilled, so buffers are reused. A
//! chunk of blocks is parsed and checked in the pool by
//! `parse_and_check_blocks`, one task a block. Fails only on I/O or a
//! block the parser cannot read, sent on as the chunk's `Err`.

use super::*;

/// Rows travelling together through the stages, in parts: a source read
/// row by row fills one part, one read in blocks one part per block. The
/// writer hands chunks back to the reader, so rows, fields and bodies reuse
/// their buffers.
#[derive(Default)]
pub(super) struct Chunk {
    /// `parts[..parts_len]` are this chunk's, in input order; the rest are
    /// spares.
    pub(super) parts: Vec<Part>,
    pub(super) parts_len: usize,
    /// Rows in the chunk's parts, once read or parsed.
    pub(super) rows: usize,
    /// The blocks' bytes (for a source read in blocks).
    pub(super) bytes: u64,
    /// Bytes of the file read once this chunk was filled (for progress).
    pub(super) read_to: u64,
}

/// A run of consecutive rows: `rows[..len]`, with `done[..len]` parallel
/// to them once processed. For a source read in blocks, the block they are
/// parsed from; its rows are numbered from 1 within it, and `rows_before`
/// (the file's rows in earlier blocks) makes them the file's.
#[derive(Default)]
pub(super) struct Part {
    pub(super) block: Block,
    pub(super) rows: Vec<RawRow>,
    pub(super) len: usize,
    pub(super) done: Vec<Processed>,
    pub(super) rows_before: u64,
}

/// Parses each of the chunk's blocks and checks its rows in the same task,
/// while they are in that core's cache; the blocks in parallel. Rows keep
/// their numbers within their block (the spool records too): the writer
/// numbers them on by each part's `rows_before`, set here in input order.
#[allow(clippy::too_many_arguments)]
pub(super) fn parse_and_check_blocks(
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

/// How much of a file read in blocks goes into one chunk.
#[derive(Debug, Clone, Copy)]
pub(super) struct ChunkSize {
    /// Rows a chunk should hold, about (`--chunk-rows`).
    pub(super) rows: usize,
    /// Blocks a chunk is cut into, for the pool to parse in parallel.
    pub(super) blocks: usize,
}

/// A chunk for the reader to fill: a new one until all exist, then one
/// the writer handed back, so buffers are reused instead of allocated and
/// dropped. `None` when the writer has stopped (the run is ending).
pub(super) fn free_chunk(free: &Receiver<Chunk>, made: &mut usize) -> Option<Chunk> {
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
pub(super) fn cut_chunks(
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

pub(super) fn read_chunks(
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
