//! How to read a file: format, delimiter, quote, encoding, JSON paths.

use serde::Deserialize;

/// The layout of a source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Delimited text with a header row.
    Csv,
    /// One JSON array of objects, or NDJSON (told apart by the first byte).
    Json,
    /// One JSON object per line.
    Ndjson,
}

/// The text encoding of a source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum TextEncoding {
    /// A BOM decides (UTF-8, UTF-16LE/BE); without one, UTF-8 if the first
    /// 64 KiB decode as UTF-8, else Windows-1252.
    #[default]
    Auto,
    /// UTF-8.
    #[serde(alias = "utf8", alias = "utf-8")]
    Utf8,
    /// Windows-1252 (cp1252), common in legacy Windows exports.
    #[serde(alias = "cp1252", alias = "windows-1252")]
    Windows1252,
    /// ISO-8859-1 (Latin-1).
    #[serde(alias = "latin1", alias = "latin-1", alias = "iso-8859-1")]
    Iso88591,
    /// UTF-16, little-endian.
    #[serde(alias = "utf-16le")]
    Utf16le,
    /// UTF-16, big-endian.
    #[serde(alias = "utf-16be")]
    Utf16be,
}

/// Everything needed to open one source file.
#[derive(Debug, Clone)]
pub struct SourceSpec {
    /// `None`: decided by the file extension (`.json`, `.ndjson`/`.jsonl`, else CSV).
    pub format: Option<Format>,
    /// CSV field separator, one byte (`,` by default).
    pub delimiter: u8,
    /// CSV quote character, one byte (`"` by default).
    pub quote: u8,
    /// How the file's bytes are decoded to text.
    pub encoding: TextEncoding,
    /// For JSON: the paths (`name.first`, `documents[0].number`) whose values
    /// become the row's fields, in this order.
    pub json_paths: Vec<String>,
}

impl Default for SourceSpec {
    fn default() -> Self {
        Self {
            format: None,
            delimiter: b',',
            quote: b'"',
            encoding: TextEncoding::Auto,
            json_paths: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_parse_under_the_names_the_mapping_docs_use() {
        let parse = |name: &str| serde_json::from_value::<TextEncoding>(name.into()).unwrap();
        assert_eq!(parse("auto"), TextEncoding::Auto);
        assert_eq!(parse("utf-8"), TextEncoding::Utf8);
        assert_eq!(parse("utf8"), TextEncoding::Utf8);
        assert_eq!(parse("windows-1252"), TextEncoding::Windows1252);
        assert_eq!(parse("cp1252"), TextEncoding::Windows1252);
        assert_eq!(parse("iso-8859-1"), TextEncoding::Iso88591);
        assert_eq!(parse("latin1"), TextEncoding::Iso88591);
        assert_eq!(parse("utf-16le"), TextEncoding::Utf16le);
        assert_eq!(parse("utf-16be"), TextEncoding::Utf16be);
        assert_eq!(
            serde_json::from_value::<Format>("ndjson".into()).unwrap(),
            Format::Ndjson
        );
    }
}
