//! What can be wrong with one entry of a mapping, as values: each check the
//! mapping's compiler makes has its own variant, so a caller (or a test) can
//! tell them apart; `MappingError::entry` then names the entry at fault.
//!
//! In: nothing (built by the compiler's checks). Out: a message that says
//! what to change in the TOML. Never fails.

/// One thing wrong with a mapping entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    /// `column = ""`.
    #[error("the column name is empty")]
    EmptyColumnName,
    /// A value that is neither a column name nor a table.
    #[error("expected a column name or a table such as {{ column = \"...\" }}, found {found}")]
    NotASpec {
        /// The TOML type found.
        found: String,
    },
    /// A table that TOML could not read as a value spec.
    #[error("{0}")]
    BadTable(String),
    /// `strict` without `map`.
    #[error("`strict` needs a `map`")]
    StrictWithoutMap,
    /// Both `column` and `constant`.
    #[error("give either `column` or `constant`, not both")]
    ColumnAndConstant,
    /// Neither `column` nor `constant`.
    #[error("give `column` or `constant`")]
    NoInput,
    /// A `constant` combined with settings that only apply to a column.
    #[error("a `constant` can only be combined with `case` and `map`, not {settings}")]
    ConstantWith {
        /// The settings given, as written (`` `default`, `trim` ``).
        settings: String,
    },
    /// `time_zone` without `date`.
    #[error("`time_zone` needs a `date` format")]
    ZoneWithoutDate,
    /// `date` and `resolve` together.
    #[error("`date` and `resolve` cannot be combined")]
    DateAndResolve,
    /// A default that is not an ISO date for a date column.
    #[error(
        "default '{default}' is not an ISO date (YYYY-MM-DD); a default is used as it is, not read with `date`"
    )]
    DefaultNotIsoDate {
        /// The default given.
        default: String,
    },
    /// A date format Ferry cannot both write and read back.
    #[error("bad date format '{format}': {why}")]
    BadDateFormat {
        /// The format as written.
        format: String,
        /// What is wrong with it.
        why: String,
    },
    /// A UTC offset that cannot be read.
    #[error("bad UTC offset '{name}' (expected e.g. +02:00 or -0530)")]
    BadOffset {
        /// The offset as written.
        name: String,
    },
    /// A time zone name the system's database does not know.
    #[error(
        "unknown time zone '{name}' (expected an IANA name such as Europe/Berlin, or an offset such as +02:00)"
    )]
    UnknownZone {
        /// The name as written.
        name: String,
    },
    /// A column the file has twice.
    #[error("column '{name}' is ambiguous: {file} has it twice (columns {first} and {second})")]
    AmbiguousColumn {
        /// The column name.
        name: String,
        /// The file, as messages name it.
        file: String,
        /// Its first position, 1-based.
        first: usize,
        /// Its second position, 1-based.
        second: usize,
    },
    /// A column the file does not have.
    #[error("column '{name}' is not in {file}{near} (columns: {columns})")]
    MissingColumn {
        /// The column name.
        name: String,
        /// The file, as messages name it.
        file: String,
        /// ` (did you mean 'X'?)` for a near miss, or empty.
        near: String,
        /// The columns the file has, listed.
        columns: String,
    },
}
