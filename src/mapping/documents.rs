//! `[documents]`: a client's profile picture and signature, read from image
//! files named by the export.
//!
//! In: the section's TOML table (`profile_picture` and `signature`, each a
//! column holding a file path or `{ pattern = "pictures/{id}.jpg" }`, and
//! `max_bytes`), then the main file's columns, then one row and its mapped
//! client id at a time. Paths — a column's values and patterns alike — are
//! relative to the directory of the export file (the input), since the
//! export is what names the files; absolute paths are taken as they are.
//! Out: `DocumentFiles`, the absolute paths of the row's images by kind. An
//! empty cell, or a pattern whose file does not exist, is a client without
//! that document; a cell naming a file is checked by the validator, which
//! reports a missing one (`crate::validate::documents`). Fails with a
//! `MappingError` naming `[documents] key` for a bad entry, and a finding
//! (9008) for a client id a pattern cannot make a file name of.

use std::path::{Path, PathBuf};

use csv::StringRecord;
use serde::ser::{Serialize, SerializeMap, Serializer};

use super::columns;
use super::error::MappingError;
use crate::field_error::FieldError;
use crate::model::ReturnCode;

/// The size limit when the mapping sets none: the API reference states no
/// limit, and a profile picture or a scanned signature is far smaller.
pub const DEFAULT_MAX_BYTES: u64 = 1024 * 1024;

/// The two documents Mambu keeps per client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DocumentKind {
    /// `PROFILE_PICTURE`.
    ProfilePicture,
    /// `SIGNATURE`.
    Signature,
}

impl DocumentKind {
    /// Both, in the order they are uploaded.
    pub const ALL: [DocumentKind; 2] = [DocumentKind::ProfilePicture, DocumentKind::Signature];

    /// The name in the API path: `…/documents/PROFILE_PICTURE`.
    pub fn api_name(self) -> &'static str {
        match self {
            Self::ProfilePicture => "PROFILE_PICTURE",
            Self::Signature => "SIGNATURE",
        }
    }

    /// The key in a mapping's `[documents]`.
    pub fn mapping_key(self) -> &'static str {
        match self {
            Self::ProfilePicture => "profile_picture",
            Self::Signature => "signature",
        }
    }

    /// The kind an API name stands for.
    pub fn from_api_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.api_name() == name)
    }
}

/// Where one kind of document comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocumentSource {
    /// A column of the main file holding a path.
    Column(String),
    /// A path with `{id}` standing for the client id.
    Pattern(String),
}

/// `[documents]`, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentsConfig {
    /// Each kind the mapping names, in `DocumentKind::ALL` order.
    pub sources: Vec<(DocumentKind, DocumentSource)>,
    /// The largest file accepted, in bytes.
    pub max_bytes: u64,
}

impl DocumentsConfig {
    /// Reads `[documents]`.
    pub fn parse(value: toml::Value) -> Result<Self, MappingError> {
        let toml::Value::Table(mut t) = value else {
            return Err(MappingError::entry("[documents]", "must be a table"));
        };
        let mut sources = Vec::new();
        for kind in DocumentKind::ALL {
            let here = format!("[documents] {}", kind.mapping_key());
            let source = match t.remove(kind.mapping_key()) {
                None => continue,
                Some(toml::Value::String(c)) => DocumentSource::Column(c),
                Some(toml::Value::Table(mut spec)) => {
                    let column = spec.remove("column");
                    let pattern = spec.remove("pattern");
                    if let Some(k) = spec.keys().next() {
                        return Err(MappingError::entry(
                            here,
                            format!("unknown setting `{k}` (expected column or pattern)"),
                        ));
                    }
                    match (column, pattern) {
                        (Some(toml::Value::String(c)), None) => DocumentSource::Column(c),
                        (None, Some(toml::Value::String(p))) => DocumentSource::Pattern(p),
                        _ => {
                            return Err(MappingError::entry(
                                here,
                                "expected one of { column = \"...\" } or { pattern = \"dir/{id}.jpg\" }",
                            ))
                        }
                    }
                }
                Some(_) => {
                    return Err(MappingError::entry(
                        here,
                        "expected a column name, { column = \"...\" } or { pattern = \"dir/{id}.jpg\" }",
                    ))
                }
            };
            match &source {
                DocumentSource::Column(c) if c.trim().is_empty() => {
                    return Err(MappingError::entry(here, "the column name is empty"))
                }
                DocumentSource::Pattern(p) if !pattern_is_keyed(p) => {
                    return Err(MappingError::entry(
                        here,
                        format!("pattern '{p}' must contain {{id}} once and no other braces"),
                    ))
                }
                _ => {}
            }
            sources.push((kind, source));
        }
        let max_bytes = match t.remove("max_bytes") {
            None => DEFAULT_MAX_BYTES,
            Some(toml::Value::Integer(n)) if n > 0 => n as u64,
            Some(_) => {
                return Err(MappingError::entry(
                    "[documents] max_bytes",
                    "must be a positive number of bytes",
                ))
            }
        };
        if let Some(k) = t.keys().next() {
            return Err(MappingError::entry(
                format!("[documents] {k}"),
                "unknown setting (expected profile_picture, signature, max_bytes)",
            ));
        }
        Ok(Self { sources, max_bytes })
    }

    /// The main-file columns it reads.
    pub fn columns(&self) -> impl Iterator<Item = &str> {
        self.sources.iter().filter_map(|(_, s)| match s {
            DocumentSource::Column(c) => Some(c.as_str()),
            DocumentSource::Pattern(_) => None,
        })
    }
}

fn pattern_is_keyed(p: &str) -> bool {
    p.matches("{id}").count() == 1 && p.replace("{id}", "").chars().all(|c| c != '{' && c != '}')
}

/// `[documents]` compiled against the main file's columns.
#[derive(Debug, Clone)]
pub struct DocumentsPlan {
    entries: Vec<(DocumentKind, Compiled)>,
    /// The largest file accepted, in bytes.
    pub max_bytes: u64,
    /// Where relative paths start: the export file's directory.
    base: PathBuf,
}

#[derive(Debug, Clone)]
enum Compiled {
    Column { index: usize, name: String },
    Pattern(String),
}

impl Default for DocumentsPlan {
    fn default() -> Self {
        Self {
            entries: Vec::new(),
            max_bytes: DEFAULT_MAX_BYTES,
            base: PathBuf::new(),
        }
    }
}

impl DocumentsPlan {
    /// Resolves the columns; a missing one is the entry's error.
    pub fn compile(config: &DocumentsConfig, columns: &[String]) -> Result<Self, MappingError> {
        let mut entries = Vec::with_capacity(config.sources.len());
        for (kind, source) in &config.sources {
            let compiled = match source {
                DocumentSource::Column(name) => {
                    let index = columns::find(columns, name, "the file").map_err(|m| {
                        MappingError::entry(format!("[documents] {}", kind.mapping_key()), m)
                    })?;
                    Compiled::Column {
                        index,
                        name: name.clone(),
                    }
                }
                DocumentSource::Pattern(p) => Compiled::Pattern(p.clone()),
            };
            entries.push((*kind, compiled));
        }
        Ok(Self {
            entries,
            max_bytes: config.max_bytes,
            base: PathBuf::new(),
        })
    }

    /// Sets the directory relative paths start from (the export file's),
    /// made absolute so that a resume from elsewhere finds the same files.
    pub fn set_base(&mut self, dir: &Path) {
        self.base = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    }

    /// Whether the mapping names any document.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The source column or pattern a kind is read from, for reports.
    pub fn origin(&self, api_name: &str) -> Option<String> {
        let kind = DocumentKind::from_api_name(api_name)?;
        self.entries
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, c)| match c {
                Compiled::Column { name, .. } => name.clone(),
                Compiled::Pattern(p) => p.clone(),
            })
    }

    /// The row's document files (see the module header).
    pub fn files(
        &self,
        fields: &StringRecord,
        client_id: Option<&str>,
        errors: &mut Vec<FieldError>,
    ) -> DocumentFiles {
        let mut out = DocumentFiles::default();
        for (kind, compiled) in &self.entries {
            match compiled {
                Compiled::Column { index, .. } => {
                    let cell = fields.get(*index).unwrap_or("").trim();
                    if !cell.is_empty() {
                        out.0.push((*kind, self.base.join(cell)));
                    }
                }
                Compiled::Pattern(p) => {
                    let Some(id) = client_id.filter(|id| !id.is_empty()) else {
                        continue;
                    };
                    if id.contains(['/', '\\', '\0']) || id == "." || id == ".." {
                        errors.push(FieldError::error(
                            document_field(*kind),
                            ReturnCode::DocumentFileUnreadable,
                            format!(
                                "the client id '{id}' cannot name a file under the pattern '{p}'"
                            ),
                        ));
                        continue;
                    }
                    let path = self.base.join(p.replace("{id}", id));
                    if path.exists() {
                        out.0.push((*kind, path));
                    }
                }
            }
        }
        out
    }
}

impl super::Plan {
    /// Sets the directory `[documents]` paths are relative to: the export
    /// file's.
    pub fn set_document_base(&mut self, dir: &Path) {
        self.documents.set_base(dir);
    }

    /// The row's document files (see the module header); empty when the
    /// mapping has no `[documents]`.
    pub fn document_files(
        &self,
        fields: &StringRecord,
        client_id: Option<&str>,
        errors: &mut Vec<FieldError>,
    ) -> DocumentFiles {
        if self.documents.is_empty() {
            return DocumentFiles::default();
        }
        self.documents.files(fields, client_id, errors)
    }

    /// The largest document file accepted, in bytes.
    pub fn document_limit(&self) -> u64 {
        self.documents.max_bytes
    }
}

/// How findings and the request name a document: `documents.PROFILE_PICTURE`.
pub fn document_field(kind: DocumentKind) -> String {
    format!("documents.{}", kind.api_name())
}

/// A row's image files, by kind. Serialised as
/// `{"PROFILE_PICTURE": "/abs/path.jpg", …}` under `documentFiles` in the
/// row's payload, which the import reads and never sends.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocumentFiles(pub Vec<(DocumentKind, PathBuf)>);

impl DocumentFiles {
    /// Whether the row has no document.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Serialize for DocumentFiles {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (kind, path) in &self.0 {
            m.serialize_entry(kind.api_name(), &path.to_string_lossy())?;
        }
        m.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<DocumentsConfig, String> {
        let t: toml::Table = toml::from_str(text).unwrap();
        DocumentsConfig::parse(t["documents"].clone()).map_err(|e| e.to_string())
    }

    #[test]
    fn both_forms_and_the_limit_are_read() {
        let c = parse(
            "[documents]\nprofile_picture = \"PHOTO\"\nsignature = { pattern = \"sig/{id}.png\" }\nmax_bytes = 2048\n",
        )
        .unwrap();
        assert_eq!(
            c.sources,
            vec![
                (
                    DocumentKind::ProfilePicture,
                    DocumentSource::Column("PHOTO".into())
                ),
                (
                    DocumentKind::Signature,
                    DocumentSource::Pattern("sig/{id}.png".into())
                )
            ]
        );
        assert_eq!(c.max_bytes, 2048);
        let d = parse("[documents]\nsignature = { column = \"S\" }\n").unwrap();
        assert_eq!(d.max_bytes, DEFAULT_MAX_BYTES);
    }

    #[test]
    fn mistakes_name_the_entry() {
        for (text, want) in [
            (
                "[documents]\nphoto = \"P\"\n",
                "[documents] photo: unknown setting",
            ),
            (
                "[documents]\nsignature = { pattern = \"s.png\" }\n",
                "[documents] signature: pattern 's.png' must contain {id}",
            ),
            (
                "[documents]\nsignature = { pattern = \"{id}/{id}.png\" }\n",
                "must contain {id} once",
            ),
            (
                "[documents]\nsignature = { path = \"x\" }\n",
                "[documents] signature: unknown setting `path`",
            ),
            (
                "[documents]\nprofile_picture = 5\n",
                "[documents] profile_picture: expected a column name",
            ),
            (
                "[documents]\nmax_bytes = 0\n",
                "[documents] max_bytes: must be a positive",
            ),
            (
                "[documents]\nprofile_picture = \"\"\n",
                "the column name is empty",
            ),
        ] {
            let e = parse(text).unwrap_err();
            assert!(e.contains(want), "{text:?}: {e}");
        }
    }

    #[test]
    fn a_row_names_files_under_the_export_s_directory() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sig")).unwrap();
        std::fs::write(dir.path().join("sig/C1.png"), b"x").unwrap();
        let c = parse(
            "[documents]\nprofile_picture = \"PHOTO\"\nsignature = { pattern = \"sig/{id}.png\" }\n",
        )
        .unwrap();
        let cols = vec!["ID".to_string(), "PHOTO".to_string()];
        let mut plan = DocumentsPlan::compile(&c, &cols).unwrap();
        plan.set_base(dir.path());
        let mut errors = Vec::new();
        let row = StringRecord::from(vec!["C1", "p/a.jpg"]);
        let files = plan.files(&row, Some("C1"), &mut errors);
        assert_eq!(
            files.0,
            vec![
                (DocumentKind::ProfilePicture, dir.path().join("p/a.jpg")),
                (DocumentKind::Signature, dir.path().join("sig/C1.png")),
            ]
        );
        // No cell, no file under the pattern: no documents, no finding.
        let none = plan.files(
            &StringRecord::from(vec!["C2", " "]),
            Some("C2"),
            &mut errors,
        );
        assert!(none.is_empty() && errors.is_empty());
        // An id that would leave the directory is a finding.
        plan.files(&StringRecord::from(vec!["..", ""]), Some(".."), &mut errors);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "documents.SIGNATURE");
        assert_eq!(errors[0].code, ReturnCode::DocumentFileUnreadable);
        assert_eq!(
            serde_json::to_value(&files).unwrap()["SIGNATURE"],
            dir.path().join("sig/C1.png").display().to_string()
        );
        let missing = DocumentsPlan::compile(&c, &["ID".to_string()]).unwrap_err();
        assert!(missing
            .to_string()
            .starts_with("[documents] profile_picture"));
    }
}
