//! Why a mapping file cannot be used. Every message names the mapping entry
//! at fault (`[client] birthDate: ...`), because the person fixing it is
//! looking at the TOML file, not at Ferry's code. All of these stop Ferry
//! before any row is read (exit code 2).

/// A mistake in a mapping file, or a file it refers to that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum MappingError {
    /// The mapping file itself cannot be read.
    #[error("cannot read mapping file {path}: {source}")]
    Read {
        /// The mapping file.
        path: String,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The mapping file is not TOML.
    #[error("mapping file is not valid TOML: {0}")]
    Syntax(String),
    /// One entry of the mapping is wrong: `entry` is how the file names it
    /// (`[client] birthDate`, `[[id_document]] #2 documentId`, `[[join]] addresses`).
    #[error("{entry}: {message}")]
    Entry {
        /// The entry, as the mapping file names it.
        entry: String,
        /// What is wrong with it and how to fix it.
        message: String,
    },
}

impl MappingError {
    /// An error about one mapping entry.
    pub fn entry(entry: impl Into<String>, message: impl ToString) -> Self {
        Self::Entry {
            entry: entry.into(),
            message: message.to_string(),
        }
    }
}
