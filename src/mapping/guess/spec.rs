//! The guessed mapping as data: entries of `[client]`, `[address]`,
//! `[[id_document]]` and `[[custom_field]]`, each with the reason it was
//! guessed, and the columns left over.
//!
//! In: built by `place`. Out: read by `toml_out`, which writes it. Holds no
//! logic and cannot fail.

use std::collections::BTreeMap;

/// A value spec as `docs/mapping.md` describes it (only the keys a guess
/// can fill).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Spec {
    /// The source column (JSON: path).
    pub column: Option<String>,
    /// A fixed value instead of a column.
    pub constant: Option<String>,
    /// `upper`, `lower` or `title`.
    pub case: Option<&'static str>,
    /// Value map, applied after `case`.
    pub map: BTreeMap<String, String>,
    /// strftime format of a date column.
    pub date: Option<&'static str>,
    /// `branch`, `centre`, `user` or `client_role`.
    pub resolve: Option<&'static str>,
}

impl Spec {
    /// A plain column.
    pub fn column(name: &str) -> Self {
        Self {
            column: Some(name.to_string()),
            ..Self::default()
        }
    }

    /// A constant.
    pub fn constant(value: &str) -> Self {
        Self {
            constant: Some(value.to_string()),
            ..Self::default()
        }
    }
}

/// How sure a guess is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Confidence {
    /// Review it before use.
    Low,
    /// Probably right.
    Medium,
    /// Name and content agree, or the name is exact.
    High,
}

impl Confidence {
    /// As written in the comment.
    pub fn word(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
        }
    }
}

/// One `field = spec` line with the reason for it.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The target field (`firstName`, `documentId`, …).
    pub field: String,
    /// Its value spec.
    pub spec: Spec,
    /// Why it was guessed ("name match …").
    pub why: String,
    /// How sure.
    pub confidence: Confidence,
    /// Written commented out (e.g. a `resolve` without a tenant).
    pub disabled: bool,
}

/// One `[[id_document]]`.
#[derive(Debug, Clone, Default)]
pub struct Document {
    /// Its fields.
    pub entries: Vec<Entry>,
}

/// One `[[custom_field]]`.
#[derive(Debug, Clone)]
pub struct CustomField {
    /// The field's id: a constant, or a column holding ids.
    pub id: Spec,
    /// The group index, for a field of a GROUPED set.
    pub group_index: Option<usize>,
    /// The value.
    pub value: Spec,
    /// Why it was guessed.
    pub why: String,
    /// How sure.
    pub confidence: Confidence,
}

/// A column no field was found for, described without its values.
#[derive(Debug, Clone)]
pub struct Unplaced {
    /// The column.
    pub column: String,
    /// What the sample says about it (shapes, counts, a date format).
    pub about: String,
}

/// Everything `mapping init` guessed.
#[derive(Debug, Clone, Default)]
pub struct Guess {
    /// `[client]` entries.
    pub client: Vec<Entry>,
    /// `[address]` entries.
    pub address: Vec<Entry>,
    /// `[[id_document]]`s.
    pub documents: Vec<Document>,
    /// `[[custom_field]]`s.
    pub custom_fields: Vec<CustomField>,
    /// Columns left over.
    pub unplaced: Vec<Unplaced>,
    /// Remarks for the head of the file.
    pub notes: Vec<String>,
}
