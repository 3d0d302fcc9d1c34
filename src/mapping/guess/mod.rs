//! `ferry mapping init`: a first mapping guessed from an export's header
//! and its first rows.
//!
//! In: the export (CSV, JSON array or NDJSON) and optionally the tenant.
//! Out: the text of a commented mapping file (`Init::text`) that loads and
//! compiles against the export, plus what was placed and what was not.
//! Stages, one per file: `sample` reads the head of the file, `names`
//! reads column names as words, `sniff` reads values (dates, shapes, value
//! maps), `place` decides, `spec` holds the decision, `toml_out` writes it.
//! Fails with `GuessError` when the export cannot be read, or (a bug) when
//! the guessed text does not load.

mod names;
mod place;
mod sample;
mod sniff;
mod spec;
mod toml_out;

use std::path::Path;

use super::{Mapping, MappingError};
use crate::source::SourceError;
use crate::tenant::Tenant;

pub use sample::SAMPLE_ROWS;

/// Why no mapping could be guessed.
#[derive(Debug, thiserror::Error)]
pub enum GuessError {
    /// The export cannot be read.
    #[error(transparent)]
    Source(#[from] SourceError),
    /// The guessed mapping does not load or compile (a defect in the guess).
    #[error("the guessed mapping does not load: {0}")]
    Invalid(#[from] MappingError),
}

/// A guessed mapping.
#[derive(Debug, Clone)]
pub struct Init {
    /// The mapping file's text.
    pub text: String,
    /// Rows sampled.
    pub rows: usize,
    /// Columns placed.
    pub placed: usize,
    /// Columns not placed, by name.
    pub unplaced: Vec<String>,
}

/// Guesses a mapping for `export`. `tenant` is the tenant with the name it
/// is given under (for the file's comments). The text is loaded and
/// compiled against the export (and the tenant) before it is returned.
pub fn init(export: &Path, tenant: Option<(&Tenant, &str)>) -> Result<Init, GuessError> {
    let sample = sample::read(export)?;
    let guess = place::place(&sample, tenant.map(|t| t.0));
    let origin = toml_out::Origin {
        export: export.display().to_string(),
        tenant: tenant.map(|t| t.1.to_string()),
        rows: sample.rows,
        format: sample.format,
        delimiter: sample.delimiter,
    };
    let text = toml_out::write(&guess, &origin);
    let base = export.parent().unwrap_or(Path::new("."));
    let mapping = Mapping::from_toml(&text, base)?;
    let source = crate::source::open(export, &mapping.source_spec())?;
    let unknown = Tenant::unknown();
    mapping.compile(source.columns(), tenant.map_or(&unknown, |t| t.0))?;
    let unplaced: Vec<String> = guess.unplaced.iter().map(|u| u.column.clone()).collect();
    Ok(Init {
        text,
        rows: sample.rows,
        placed: sample.columns.len() - unplaced.len(),
        unplaced,
    })
}
