//! `ferry gen`: a realistic legacy core-banking export, for rehearsals,
//! benchmarks and the committed samples.
//!
//! In: a row count, an invalid ratio, a seed, an output path and a layout.
//! Out: a main CSV (plus `<stem>_addresses.csv` and `<stem>_documents.csv`
//! in the related layout), byte-for-byte the same for the same seed, with
//! names and places from many scripts, the dirt a mapping cleans up
//! legitimately, and `invalid_ratio` of the rows carrying exactly one
//! planted error each, counted by return code in the `GenReport`. Streams
//! to disk: memory does not grow with the row count. Fails only with I/O
//! errors.

mod args;
mod csv_out;
mod fake;
mod json_out;
mod locales;
mod names;
mod org;
mod plant;
mod record;

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::{self, BufWriter};
use std::path::{Path, PathBuf};

pub use self::args::GenArgs;
use self::csv_out::CsvOut;
use self::json_out::JsonOut;
use self::record::Generator;

/// The seed the committed samples are generated with.
pub const SAMPLE_SEED: u64 = 7;
/// Clients in `samples/clients.csv`.
pub const SAMPLE_ROWS: u64 = 600;
/// Share of invalid clients in the samples.
pub const SAMPLE_INVALID_RATIO: f64 = 0.12;
/// Clients in `samples/clients.json` (the first ones of `clients.csv`).
pub const SAMPLE_JSON_ROWS: u64 = 100;

/// Where the addresses of a client go.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Layout {
    /// Addresses and extra ID documents in related files keyed by client id.
    #[default]
    Related,
    /// Address columns inline in the main file; no related files.
    Wide,
}

/// How names are drawn.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Names {
    /// Surnames of syllables and country endings, composed given names:
    /// at a million rows a few percent share a first and last name, as in
    /// a real client base.
    #[default]
    Population,
    /// The small pools `samples/` was drawn from (a few names per country:
    /// nearly every row of a large file shares its name with another).
    Samples,
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct GenOptions {
    /// How many clients (data rows) to write.
    pub rows: u64,
    /// Share of rows (0..=1) that get one planted error each.
    pub invalid_ratio: f64,
    /// Seed of the generator: the same seed writes the same files.
    pub seed: u64,
    /// The main CSV file; related files are written beside it.
    pub out: PathBuf,
    /// Related files for addresses and extra documents, or all inline.
    pub layout: Layout,
    /// The name pools. Every other value, and every planted error, is the
    /// same for both.
    pub names: Names,
}

/// What was generated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GenReport {
    /// Every file written, the main file first.
    pub files: Vec<PathBuf>,
    /// Clients (data rows) written to the main file.
    pub rows: u64,
    /// Return code name (`EMAIL_ADDRESS_FORMAT_IS_INVALID`) → rows planted.
    pub planted: BTreeMap<String, u64>,
    /// Rows without a planted error whose id a later row repeats: a dry run
    /// rejects them too (316 on every row carrying a duplicated id).
    pub id_repeated_later: u64,
}

impl GenReport {
    /// Rows that carry a planted error.
    pub fn invalid_rows(&self) -> u64 {
        self.planted.values().sum()
    }

    /// Rows a dry run must reject: the planted ones and `id_repeated_later`.
    pub fn rejected_rows(&self) -> u64 {
        self.invalid_rows() + self.id_repeated_later
    }
}

/// Every kind of error the generator plants: the code it should be
/// reported with, and what is done to the row.
pub fn planted_kinds() -> impl Iterator<Item = (crate::model::ReturnCode, &'static str)> {
    plant::Plant::ALL
        .iter()
        .map(|p| (p.code(), p.description()))
}

/// Counts a planted row; for a repeated id, notes the earlier row it
/// repeats when that row has no planted error of its own.
fn count(
    planted: &mut BTreeMap<String, u64>,
    p: plant::Plant,
    generator: &Generator,
    holders: &mut BTreeSet<u64>,
) {
    *planted.entry(p.code().name().to_string()).or_default() += 1;
    if p == plant::Plant::DuplicateId {
        let (row, has_own_error) = generator.repeated_id_row();
        if !has_own_error {
            holders.insert(row);
        }
    }
}

fn create_parent(path: &Path) -> io::Result<()> {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => std::fs::create_dir_all(dir),
        _ => Ok(()),
    }
}

/// The mapping in Ferry's repository that reads the related layout.
pub const RELATED_MAPPING: &str = "mappings/clients.toml";
/// The mapping in Ferry's repository that reads the wide layout.
pub const WIDE_MAPPING: &str = "mappings/clients-wide.toml";

/// The command that validates what `opts` generates: the mapping that reads
/// its layout (a path in Ferry's repository), the samples' tenant (whose
/// branches, officers and custom fields the generator uses) and, for the
/// related layout, `--join` for each related file written beside it, so
/// the mapping's own `[[join]]` files (the samples') are not read instead.
pub fn how_to_read(opts: &GenOptions) -> String {
    let quote = |p: &Path| {
        let s = p.display().to_string();
        if s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+=:,".contains(c))
        {
            s
        } else {
            format!("'{}'", s.replace('\'', "'\\''"))
        }
    };
    let mut cmd = format!("ferry validate {}", quote(&opts.out));
    match opts.layout {
        Layout::Related => {
            let (addresses, documents) = csv_out::related_paths(&opts.out);
            cmd.push_str(&format!(
                " --mapping {RELATED_MAPPING} --tenant samples/tenant.json \\\n    --join addresses={} --join documents={}",
                quote(&addresses),
                quote(&documents)
            ));
        }
        Layout::Wide => {
            cmd.push_str(&format!(
                " --mapping {WIDE_MAPPING} --tenant samples/tenant.json"
            ));
        }
    }
    cmd
}

/// Generates `opts.rows` clients into `opts.out` (and, in the related
/// layout, the address and document files beside it).
pub fn generate(opts: &GenOptions) -> io::Result<GenReport> {
    create_parent(&opts.out)?;
    let (mut out, files) = CsvOut::create(&opts.out, opts.layout)?;
    let mut generator = Generator::with_names(opts.seed, opts.invalid_ratio, opts.names);
    let mut planted = BTreeMap::new();
    let mut holders = BTreeSet::new();
    for _ in 0..opts.rows {
        if let Some(p) = generator.next_client() {
            count(&mut planted, p, &generator, &mut holders);
        }
        out.write(&generator.rec)?;
    }
    out.finish()?;
    Ok(GenReport {
        files,
        rows: opts.rows,
        planted,
        id_repeated_later: holders.len() as u64,
    })
}

/// Writes the first `rows` clients that `generate` would make with `seed`,
/// `invalid_ratio` and the sample name pools as one JSON array of nested objects (the shape of
/// `samples/clients.json`).
pub fn write_json_sample(
    seed: u64,
    invalid_ratio: f64,
    rows: u64,
    out: &Path,
) -> io::Result<GenReport> {
    create_parent(out)?;
    let mut json = JsonOut::new(BufWriter::new(File::create(out)?))?;
    let mut generator = Generator::new(seed, invalid_ratio);
    let mut planted = BTreeMap::new();
    let mut holders = BTreeSet::new();
    for _ in 0..rows {
        if let Some(p) = generator.next_client() {
            count(&mut planted, p, &generator, &mut holders);
        }
        json.write(&generator.rec)?;
    }
    json.finish()?;
    Ok(GenReport {
        files: vec![out.to_path_buf()],
        rows,
        planted,
        id_repeated_later: holders.len() as u64,
    })
}

/// One planted error: the 1-based data row, the client id as written, and
/// the code the row should be rejected with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlantedRow {
    /// 1-based data row number in the main file.
    pub row: u64,
    /// The client id as written in the row.
    pub client_id: String,
    /// The return code a dry run should reject the row with.
    pub code: crate::model::ReturnCode,
}

/// The answer key of a generation: every rejected row and code, in row
/// order. That is each planted row, plus, for a planted duplicate id, the
/// earlier row whose id it repeats: a duplicated id is an error on every
/// row carrying it (that row may so appear twice, with two codes). Holds
/// one entry per invalid row, so meant for samples and tests, not for
/// millions of rows.
pub fn planted_rows(seed: u64, invalid_ratio: f64, rows: u64) -> Vec<PlantedRow> {
    let mut generator = Generator::new(seed, invalid_ratio);
    let mut out = Vec::new();
    for row in 1..=rows {
        if let Some(p) = generator.next_client() {
            let planted = PlantedRow {
                row,
                client_id: generator.rec.id.clone(),
                code: p.code(),
            };
            if p == plant::Plant::DuplicateId {
                out.push(PlantedRow {
                    row: generator.repeated_id_row().0,
                    ..planted.clone()
                });
            }
            out.push(planted);
        }
    }
    // Stable: a row's own planted code stays before the 316 added later.
    out.sort_by_key(|p| p.row);
    out.dedup();
    out
}

/// Writes `planted_rows` as CSV (`row,client_id,code,name`): what a dry run
/// of the generated file must reject, row by row.
pub fn write_answer_key(seed: u64, invalid_ratio: f64, rows: u64, out: &Path) -> io::Result<()> {
    create_parent(out)?;
    let mut w = csv::Writer::from_path(out)?;
    w.write_record(["row", "client_id", "code", "name"])?;
    for p in planted_rows(seed, invalid_ratio, rows) {
        w.write_record([
            p.row.to_string().as_str(),
            &p.client_id,
            p.code.code().to_string().as_str(),
            p.code.name(),
        ])?;
    }
    w.flush()
}

#[cfg(test)]
mod tests;
