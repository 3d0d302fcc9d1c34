//! Stage 2: mapping source rows to Mambu client requests, as a mapping file
//! (TOML, see `docs/mapping.md`) says.
//!
//! In: a mapping file, then the source's columns and the tenant (compiled
//! once into a `Plan`), then `RawRow`s. Out: one `ClientRequest` per row
//! plus the `FieldError`s of cells that could not be mapped. A mistake in
//! the mapping, or a related file that cannot be used, is a `MappingError`
//! naming the mapping entry (exit code 2); a bad cell is a finding, never an
//! `Err`. The `Plan` is `Send + Sync` and reads columns by index.

mod apply;
mod cell;
mod columns;
mod config;
mod date;
pub mod documents;
mod error;
pub mod guess;
mod join;
mod legacy_columns;
mod origin;
mod plan;
pub mod problem;
mod recycle;
mod resolve;
mod target;
mod transform;
mod value_spec;

#[cfg(test)]
mod testing;

use std::path::{Path, PathBuf};

pub use documents::{DocumentFiles, DocumentKind};
pub use error::MappingError;
pub use join::JoinCount;
pub use legacy_columns::LegacyColumns;
pub use plan::{Opener, Plan};
pub use recycle::Recycler;

use crate::source::{RowSource, SourceError, SourceSpec};
use crate::tenant::Tenant;

/// A parsed and checked mapping file, not yet tied to a source file.
#[derive(Debug, Clone)]
pub struct Mapping {
    config: config::MappingConfig,
    base_dir: PathBuf,
}

impl Mapping {
    /// Reads a mapping file; `[[join]]` files are relative to its directory.
    pub fn load(path: &Path) -> Result<Mapping, MappingError> {
        let text = std::fs::read_to_string(path).map_err(|source| MappingError::Read {
            path: path.display().to_string(),
            source,
        })?;
        let base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Self::from_toml(&text, &base_dir)
    }

    /// Parses a mapping from its text; `base_dir` is where `[[join]]` files
    /// are looked up. Every value spec, date format and time zone is checked
    /// here; columns are checked by `compile`.
    pub fn from_toml(text: &str, base_dir: &Path) -> Result<Mapping, MappingError> {
        Ok(Self {
            config: config::MappingConfig::parse(text)?,
            base_dir: base_dir.to_path_buf(),
        })
    }

    /// Reads the `[[join]]` named `name` from `file` instead of the file the
    /// mapping names (`--join NAME=FILE`). `file` is as given on the command
    /// line: relative to the current directory, not to the mapping. Fails
    /// for a name the mapping does not have, listing the names it has.
    pub fn set_join_file(&mut self, name: &str, file: &Path) -> Result<(), MappingError> {
        let names = config::names(self.config.joins.iter().map(|j| j.name.as_str()));
        let Some(join) = self.config.joins.iter_mut().find(|j| j.name == name) else {
            return Err(MappingError::entry(
                format!("--join {name}"),
                format!("the mapping has no [[join]] named '{name}' (joins: {names})"),
            ));
        };
        let file = std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf());
        join.file = file.to_string_lossy().into_owned();
        Ok(())
    }

    /// How to open the main file: the `[source]` options, and in
    /// `json_paths` every main-file column the mapping reads (for JSON
    /// sources), each once, in mapping order.
    pub fn source_spec(&self) -> SourceSpec {
        SourceSpec {
            json_paths: plan::main_columns(&self.config),
            ..self.config.source.clone()
        }
    }

    /// Compiles the mapping for a file with these columns (for JSON
    /// sources: exactly `source_spec().json_paths`) and this tenant: resolves
    /// columns to indexes, indexes the tenant for `resolve`, and reads and
    /// indexes the `[[join]]` files.
    pub fn compile(&self, columns: &[String], tenant: &Tenant) -> Result<Plan, MappingError> {
        self.compile_with(columns, tenant, &mut open_related)
    }

    /// `compile`, opening `[[join]]` files with `open` instead of
    /// `crate::source::open` (for sources that are not files).
    pub fn compile_with(
        &self,
        columns: &[String],
        tenant: &Tenant,
        open: Opener<'_>,
    ) -> Result<Plan, MappingError> {
        plan::compile(&self.config, &self.base_dir, columns, tenant, open)
    }
}

/// Opens a related file, saying plainly when it does not exist.
fn open_related(path: &Path, spec: &SourceSpec) -> Result<Box<dyn RowSource>, SourceError> {
    if !path.is_file() {
        return Err(SourceError::Open {
            path: path.display().to_string(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
        });
    }
    crate::source::open(path, spec)
}

/// Plans are shared by the rayon workers that map rows.
const _: () = {
    const fn shareable<T: Send + Sync>() {}
    shareable::<Plan>();
    shareable::<Mapping>();
};

#[cfg(test)]
mod tests {
    use super::*;

    const TWO_JOINS: &str = "[client]\nid = \"ID\"\n\
        [address]\nfrom = \"addresses\"\ncity = \"city\"\n\
        [[join]]\nname = \"addresses\"\nfile = \"adr.csv\"\nkey = \"k\"\non = \"ID\"\n\
        [[join]]\nname = \"documents\"\nfile = \"doc.csv\"\nkey = \"k\"\non = \"ID\"\n";

    #[test]
    fn join_files_are_relative_to_the_mapping_unless_given_on_the_command_line() {
        let mut m = Mapping::from_toml(TWO_JOINS, Path::new("maps")).unwrap();
        assert_eq!(
            m.base_dir.join(&m.config.joins[0].file),
            Path::new("maps/adr.csv")
        );
        m.set_join_file("addresses", Path::new("elsewhere/a.csv"))
            .unwrap();
        let cwd = std::env::current_dir().unwrap();
        assert_eq!(
            m.base_dir.join(&m.config.joins[0].file),
            cwd.join("elsewhere/a.csv"),
            "a command-line path is the current directory's"
        );
        assert_eq!(
            m.config.joins[1].file, "doc.csv",
            "the other join is untouched"
        );
        let e = m.set_join_file("adresses", Path::new("a.csv")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "--join adresses: the mapping has no [[join]] named 'adresses' (joins: addresses, documents)"
        );
    }
}
