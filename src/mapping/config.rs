//! The mapping file's sections, read from TOML and checked entry by entry so
//! that every mistake is reported with the entry's name.
//!
//! In: the text of a mapping file. Out: a `MappingConfig` with every value
//! spec checked (date formats, zones, combinations) but no column resolved
//! yet. Fails with `MappingError` naming the section or entry: unknown
//! sections, target fields and settings, bad delimiters, unknown joins.

use serde::Deserialize;

use super::date::parse_zone;
use super::documents::DocumentsConfig;
use super::error::MappingError;
use super::target::{AddressField, ClientField, DocField};
use super::value_spec::{clean, ValueSpec, Zones};
use crate::source::{Format, SourceSpec, TextEncoding};

/// The sections a mapping file may have.
const SECTIONS: &[&str] = &[
    "source",
    "target",
    "client",
    "address",
    "id_document",
    "custom_field",
    "join",
    "documents",
];

const CLEAR_ONLY_CLIENT: &str = "`on_empty = \"clear\"` applies to [client] fields only; an empty address, document or custom field cell leaves the stored one alone";

/// Client fields an upsert can never clear.
const NOT_CLEARABLE: &[&str] = &["id", "firstName", "lastName", "state", "preferredLanguage"];

/// A parsed, checked mapping file.
#[derive(Debug, Clone)]
pub struct MappingConfig {
    /// `[source]` (without JSON paths).
    pub source: SourceSpec,
    pub client: Vec<(ClientField, ValueSpec)>,
    pub address: Option<Section<AddressField>>,
    pub id_documents: Vec<Section<DocField>>,
    pub custom_fields: Vec<CustomFieldConfig>,
    pub joins: Vec<JoinConfig>,
    /// `[documents]`: image files to upload as the client's documents.
    pub documents: Option<DocumentsConfig>,
    /// Settings that cannot have an effect, for the terminal.
    pub warnings: Vec<String>,
}

/// `[address]` or one `[[id_document]]`.
#[derive(Debug, Clone)]
pub struct Section<F> {
    /// How messages name it: `[address]`, `[[id_document]] #2`.
    pub entry: String,
    /// The join whose rows feed it, if any.
    pub from: Option<String>,
    pub fields: Vec<(F, ValueSpec)>,
}

/// One `[[custom_field]]`.
#[derive(Debug, Clone)]
pub struct CustomFieldConfig {
    /// `[[custom_field]] #3`.
    pub entry: String,
    /// The custom field id: a string is a constant id here.
    pub id: ValueSpec,
    pub value: ValueSpec,
    pub group_index: Option<GroupIndexSpec>,
}

/// `group_index`: a fixed index, or read from a column.
#[derive(Debug, Clone)]
pub enum GroupIndexSpec {
    Constant(i64),
    Spec(ValueSpec),
}

/// One `[[join]]`: a related file keyed by client.
#[derive(Debug, Clone)]
pub struct JoinConfig {
    pub name: String,
    /// As written: relative to the mapping file's directory.
    pub file: String,
    /// Column of the related file.
    pub key: String,
    /// Column of the main file.
    pub on: String,
    /// Whether a main row without related rows is an error (9005).
    pub required: bool,
    /// How to read the related file (JSON paths filled in at compile time).
    pub source: SourceSpec,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    format: Option<Format>,
    delimiter: Option<String>,
    quote: Option<String>,
    encoding: Option<String>,
    time_zone: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTarget {
    time_zone: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawJoin {
    name: String,
    file: String,
    key: String,
    on: String,
    #[serde(default)]
    required: bool,
    format: Option<Format>,
    delimiter: Option<String>,
    quote: Option<String>,
    encoding: Option<String>,
}

impl MappingConfig {
    /// Parses and checks a mapping file's text.
    pub fn parse(text: &str) -> Result<Self, MappingError> {
        let mut doc: toml::Table = toml::from_str(text)
            .map_err(|e| MappingError::Syntax(e.to_string().trim().to_string()))?;
        if let Some(unknown) = doc.keys().find(|k| !SECTIONS.contains(&k.as_str())) {
            return Err(MappingError::entry(
                format!("[{unknown}]"),
                format!("unknown section (expected one of: {})", SECTIONS.join(", ")),
            ));
        }
        let mut warnings = Vec::new();

        let (source, source_zone) = match doc.remove("source") {
            Some(v) => {
                let raw: RawSource = v
                    .try_into()
                    .map_err(|e| MappingError::entry("[source]", clean(&e)))?;
                let spec = source_spec(
                    "[source]",
                    raw.format,
                    raw.delimiter,
                    raw.quote,
                    raw.encoding,
                )?;
                let zone = match raw.time_zone {
                    Some(z) => Some(
                        parse_zone(&z).map_err(|m| MappingError::entry("[source] time_zone", m))?,
                    ),
                    None => None,
                };
                (spec, zone)
            }
            None => (SourceSpec::default(), None),
        };
        let target_zone = match doc.remove("target") {
            Some(v) => {
                let raw: RawTarget = v
                    .try_into()
                    .map_err(|e| MappingError::entry("[target]", clean(&e)))?;
                match raw.time_zone {
                    Some(z) => Some(
                        parse_zone(&z).map_err(|m| MappingError::entry("[target] time_zone", m))?,
                    ),
                    None => None,
                }
            }
            None => None,
        };
        let mut zones = Zones::default();
        if let Some(z) = source_zone {
            zones.source = z;
        }
        if let Some(z) = target_zone {
            zones.target = z;
        }

        let joins = match doc.remove("join") {
            Some(v) => tables("join", v)?
                .into_iter()
                .enumerate()
                .map(|(i, t)| join(i, t))
                .collect::<Result<Vec<_>, _>>()?,
            None => Vec::new(),
        };
        for (i, j) in joins.iter().enumerate() {
            if joins[..i].iter().any(|o| o.name == j.name) {
                return Err(MappingError::entry(
                    format!("[[join]] {}", j.name),
                    "two joins have this name",
                ));
            }
        }
        let check_from = |entry: &str, from: &Option<String>| -> Result<(), MappingError> {
            match from {
                Some(name) if !joins.iter().any(|j| &j.name == name) => Err(MappingError::entry(
                    format!("{entry} from"),
                    format!(
                        "no [[join]] is named '{name}' (joins: {})",
                        names(joins.iter().map(|j| j.name.as_str()))
                    ),
                )),
                _ => Ok(()),
            }
        };

        let client = match doc.remove("client") {
            Some(toml::Value::Table(t)) => {
                section::<ClientField>(
                    "[client]".into(),
                    t,
                    ClientField::from_name,
                    ClientField::NAMES,
                    false,
                    &zones,
                    &mut warnings,
                )?
                .fields
            }
            Some(_) => return Err(MappingError::entry("[client]", "must be a table")),
            None => Vec::new(),
        };

        let address = match doc.remove("address") {
            Some(toml::Value::Table(t)) => {
                let section = section::<AddressField>(
                    "[address]".into(),
                    t,
                    AddressField::from_name,
                    AddressField::NAMES,
                    true,
                    &zones,
                    &mut warnings,
                )?;
                check_from(&section.entry, &section.from)?;
                Some(section)
            }
            Some(_) => {
                return Err(MappingError::entry(
                    "[address]",
                    "must be one table: Mambu stores only one address per client",
                ))
            }
            None => None,
        };

        let mut id_documents = Vec::new();
        if let Some(v) = doc.remove("id_document") {
            for (i, t) in tables("id_document", v)?.into_iter().enumerate() {
                let section = section::<DocField>(
                    format!("[[id_document]] #{}", i + 1),
                    t,
                    DocField::from_name,
                    DocField::NAMES,
                    true,
                    &zones,
                    &mut warnings,
                )?;
                check_from(&section.entry, &section.from)?;
                id_documents.push(section);
            }
        }

        let mut custom_fields = Vec::new();
        if let Some(v) = doc.remove("custom_field") {
            for (i, t) in tables("custom_field", v)?.into_iter().enumerate() {
                custom_fields.push(custom_field(i, t, &zones, &mut warnings)?);
            }
        }

        let documents = doc
            .remove("documents")
            .map(DocumentsConfig::parse)
            .transpose()?;

        Ok(Self {
            source,
            client,
            address,
            id_documents,
            custom_fields,
            joins,
            documents,
            warnings,
        })
    }
}

/// A section that may be written once (`[x]`) or repeated (`[[x]]`).
fn tables(section: &str, v: toml::Value) -> Result<Vec<toml::Table>, MappingError> {
    match v {
        toml::Value::Table(t) => Ok(vec![t]),
        toml::Value::Array(items) => items
            .into_iter()
            .enumerate()
            .map(|(i, item)| match item {
                toml::Value::Table(t) => Ok(t),
                _ => Err(MappingError::entry(
                    format!("[[{section}]] #{}", i + 1),
                    "must be a table",
                )),
            })
            .collect(),
        _ => Err(MappingError::entry(
            format!("[[{section}]]"),
            "must be a table",
        )),
    }
}

/// The target fields of a section, plus its `from` when `allow_from`.
fn section<F>(
    entry: String,
    table: toml::Table,
    parse: fn(&str) -> Option<F>,
    known: &[&str],
    allow_from: bool,
    zones: &Zones,
    warnings: &mut Vec<String>,
) -> Result<Section<F>, MappingError> {
    let mut from = None;
    let mut out = Vec::with_capacity(table.len());
    for (name, value) in table {
        let here = format!("{entry} {name}");
        if allow_from && name == "from" {
            match value {
                toml::Value::String(s) => from = Some(s),
                _ => return Err(MappingError::entry(here, "must be the name of a [[join]]")),
            }
            continue;
        }
        let Some(field) = parse(&name) else {
            return Err(MappingError::entry(
                here,
                format!(
                    "unknown target field (expected one of: {})",
                    known.join(", ")
                ),
            ));
        };
        let mut w = Vec::new();
        let spec =
            ValueSpec::parse(value, zones, &mut w).map_err(|m| MappingError::entry(&here, m))?;
        warnings.extend(w.into_iter().map(|m| format!("{here}: {m}")));
        // Only [client] (the one section without `from`) clears fields,
        // and not those a client cannot be without or Mambu will not clear.
        if allow_from && spec.clear_when_empty {
            return Err(MappingError::entry(here, CLEAR_ONLY_CLIENT));
        }
        if spec.clear_when_empty && NOT_CLEARABLE.contains(&name.as_str()) {
            return Err(MappingError::entry(
                here,
                "`on_empty = \"clear\"` cannot apply here: id, firstName and lastName are required, the state changes by PATCH, and Mambu refuses to clear preferredLanguage",
            ));
        }
        out.push((field, spec));
    }
    Ok(Section {
        entry,
        from,
        fields: out,
    })
}

fn custom_field(
    i: usize,
    mut t: toml::Table,
    zones: &Zones,
    warnings: &mut Vec<String>,
) -> Result<CustomFieldConfig, MappingError> {
    let entry = format!("[[custom_field]] #{}", i + 1);
    if let Some(unknown) = t
        .keys()
        .find(|k| !matches!(k.as_str(), "id" | "value" | "group_index"))
    {
        return Err(MappingError::entry(
            format!("{entry} {unknown}"),
            "unknown target field (expected one of: id, value, group_index)",
        ));
    }
    let mut spec = |name: &str, v: toml::Value| -> Result<ValueSpec, MappingError> {
        let here = format!("{entry} {name}");
        let mut w = Vec::new();
        let s = ValueSpec::parse(v, zones, &mut w).map_err(|m| MappingError::entry(&here, m))?;
        warnings.extend(w.into_iter().map(|m| format!("{here}: {m}")));
        if s.clear_when_empty {
            return Err(MappingError::entry(here, CLEAR_ONLY_CLIENT));
        }
        Ok(s)
    };
    let id = match t.remove("id") {
        Some(toml::Value::String(id)) if !id.is_empty() => ValueSpec::constant(&id),
        Some(v @ toml::Value::Table(_)) => spec("id", v)?,
        Some(_) => {
            return Err(MappingError::entry(
                format!("{entry} id"),
                "expected a custom field id or a table such as { column = \"...\" }",
            ))
        }
        None => return Err(MappingError::entry(&entry, "`id` is missing")),
    };
    let value = match t.remove("value") {
        Some(v) => spec("value", v)?,
        None => return Err(MappingError::entry(&entry, "`value` is missing")),
    };
    let group_index = match t.remove("group_index") {
        Some(toml::Value::Integer(n)) => Some(GroupIndexSpec::Constant(n)),
        Some(v) => Some(GroupIndexSpec::Spec(spec("group_index", v)?)),
        None => None,
    };
    Ok(CustomFieldConfig {
        entry,
        id,
        value,
        group_index,
    })
}

fn join(i: usize, t: toml::Table) -> Result<JoinConfig, MappingError> {
    let label = match t.get("name").and_then(|n| n.as_str()) {
        Some(name) => format!("[[join]] {name}"),
        None => format!("[[join]] #{}", i + 1),
    };
    let raw: RawJoin = toml::Value::Table(t)
        .try_into()
        .map_err(|e| MappingError::entry(&label, clean(&e)))?;
    for (what, v) in [
        ("name", &raw.name),
        ("file", &raw.file),
        ("key", &raw.key),
        ("on", &raw.on),
    ] {
        if v.trim().is_empty() {
            return Err(MappingError::entry(&label, format!("`{what}` is empty")));
        }
    }
    let source = source_spec(&label, raw.format, raw.delimiter, raw.quote, raw.encoding)?;
    Ok(JoinConfig {
        name: raw.name,
        file: raw.file,
        key: raw.key,
        on: raw.on,
        required: raw.required,
        source,
    })
}

fn source_spec(
    entry: &str,
    format: Option<Format>,
    delimiter: Option<String>,
    quote: Option<String>,
    encoding: Option<String>,
) -> Result<SourceSpec, MappingError> {
    let mut spec = SourceSpec {
        format,
        ..SourceSpec::default()
    };
    if let Some(d) = delimiter {
        spec.delimiter = one_byte(&d).ok_or_else(|| {
            MappingError::entry(
                format!("{entry} delimiter"),
                format!("must be one character, not '{d}'"),
            )
        })?;
    }
    if let Some(q) = quote {
        spec.quote = one_byte(&q).ok_or_else(|| {
            MappingError::entry(
                format!("{entry} quote"),
                format!("must be one character, not '{q}'"),
            )
        })?;
    }
    if let Some(e) = encoding {
        spec.encoding = text_encoding(&e).ok_or_else(|| {
            MappingError::entry(
                format!("{entry} encoding"),
                format!("unknown encoding '{e}' (expected auto, utf-8, windows-1252, iso-8859-1, utf-16le or utf-16be)"),
            )
        })?;
    }
    Ok(spec)
}

/// A delimiter or quote: one ASCII character (the CSV reader splits bytes).
fn one_byte(s: &str) -> Option<u8> {
    match s.as_bytes() {
        [b] if b.is_ascii() => Some(*b),
        _ => None,
    }
}

/// Encoding names as the documentation spells them, plus common aliases.
fn text_encoding(name: &str) -> Option<TextEncoding> {
    let n = name.trim().to_ascii_lowercase().replace('_', "-");
    Some(match n.as_str() {
        "auto" => TextEncoding::Auto,
        "utf-8" | "utf8" => TextEncoding::Utf8,
        "windows-1252" | "cp1252" | "windows1252" => TextEncoding::Windows1252,
        "iso-8859-1" | "iso8859-1" | "latin1" | "latin-1" => TextEncoding::Iso88591,
        "utf-16le" | "utf16le" => TextEncoding::Utf16le,
        "utf-16be" | "utf16be" => TextEncoding::Utf16be,
        _ => return None,
    })
}

/// A list of names for messages, `(none)` when empty.
pub fn names<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let v: Vec<&str> = items.collect();
    if v.is_empty() {
        "(none)".into()
    } else {
        v.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        MappingConfig::parse(text).unwrap_err().to_string()
    }

    #[test]
    fn source_options_are_read() {
        let c = MappingConfig::parse(
            "[source]\nformat = \"csv\"\ndelimiter = \";\"\nquote = \"'\"\nencoding = \"windows-1252\"\n",
        )
        .unwrap();
        assert_eq!(c.source.format, Some(Format::Csv));
        assert_eq!(c.source.delimiter, b';');
        assert_eq!(c.source.quote, b'\'');
        assert_eq!(c.source.encoding, TextEncoding::Windows1252);
        let tab = MappingConfig::parse("[source]\ndelimiter = \"\\t\"\n").unwrap();
        assert_eq!(tab.source.delimiter, b'\t');
        for (name, want) in [
            ("utf-8", TextEncoding::Utf8),
            ("ISO-8859-1", TextEncoding::Iso88591),
            ("utf-16be", TextEncoding::Utf16be),
            ("auto", TextEncoding::Auto),
        ] {
            assert_eq!(text_encoding(name), Some(want), "{name}");
        }
    }

    #[test]
    fn on_empty_clear_is_for_client_fields_only() {
        let c =
            MappingConfig::parse("[client]\nnotes = { column = \"N\", on_empty = \"clear\" }\n")
                .unwrap();
        assert!(c.client[0].1.clear_when_empty);
        let e = err("[address]\ncity = { column = \"C\", on_empty = \"clear\" }\n");
        assert!(e.contains("[client] fields only"), "{e}");
        let e =
            err("[[custom_field]]\nid = \"X\"\nvalue = { column = \"V\", on_empty = \"clear\" }\n");
        assert!(e.contains("[client] fields only"), "{e}");
        let e = err("[client]\nnotes = { constant = \"x\", on_empty = \"clear\" }\n");
        assert!(e.contains("on_empty"), "{e}");
        let e = err("[client]\nlastName = { column = \"N\", on_empty = \"clear\" }\n");
        assert!(e.contains("cannot apply"), "{e}");
        let e = err("[client]\nnotes = { column = \"N\", on_empty = \"wipe\" }\n");
        assert!(e.contains("wipe"), "{e}");
    }

    #[test]
    fn sections_parse_in_full() {
        let c = MappingConfig::parse(
            r#"
            [client]
            id = "NO"
            [address]
            from = "adr"
            city = "city"
            [[id_document]]
            documentId = "PASS"
            [[id_document]]
            from = "docs"
            documentId = "number"
            [[custom_field]]
            id = "Occupation"
            value = "JOB"
            [[custom_field]]
            id = { column = "CF_ID" }
            value = "CF_VALUE"
            group_index = "CF_IDX"
            [[custom_field]]
            id = "Beneficiary"
            value = "B1"
            group_index = 1
            [[join]]
            name = "adr"
            file = "a.csv"
            key = "client"
            on = "NO"
            required = true
            [[join]]
            name = "docs"
            file = "d.csv"
            key = "client"
            on = "NO"
            delimiter = ";"
            "#,
        )
        .unwrap();
        assert_eq!(c.client.len(), 1);
        assert_eq!(
            c.address.as_ref().and_then(|a| a.from.as_deref()),
            Some("adr")
        );
        assert_eq!(c.id_documents.len(), 2);
        assert_eq!(c.id_documents[1].entry, "[[id_document]] #2");
        assert_eq!(c.custom_fields.len(), 3);
        assert!(matches!(
            c.custom_fields[2].group_index,
            Some(GroupIndexSpec::Constant(1))
        ));
        assert!(
            matches!(&c.custom_fields[1].group_index, Some(GroupIndexSpec::Spec(s)) if s.source_column() == Some("CF_IDX"))
        );
        assert_eq!(c.custom_fields[0].id.source_column(), None);
        assert!(c.joins[0].required);
        assert_eq!(c.joins[1].source.delimiter, b';');
    }

    #[test]
    fn mistakes_name_their_entry() {
        let cases = [
            ("[client]\nfoo = \"X\"\n", "[client] foo: unknown target field"),
            ("[clients]\nid = \"X\"\n", "[clients]: unknown section"),
            ("[address]\nstreet = \"X\"\n", "[address] street: unknown target field"),
            ("[[id_document]]\ndocumentId = \"X\"\n[[id_document]]\nnumber = \"X\"\n", "[[id_document]] #2 number: unknown target field"),
            ("[[custom_field]]\nid = \"A\"\nvalue = \"B\"\nindex = 1\n", "[[custom_field]] #1 index: unknown target field"),
            ("[[custom_field]]\nid = \"A\"\n", "[[custom_field]] #1: `value` is missing"),
            ("[[custom_field]]\nvalue = \"A\"\n", "[[custom_field]] #1: `id` is missing"),
            ("[source]\ndelimiter = \";;\"\n", "[source] delimiter: must be one character, not ';;'"),
            ("[source]\nquote = \"\"\n", "[source] quote: must be one character"),
            ("[source]\nencoding = \"ebcdic\"\n", "[source] encoding: unknown encoding 'ebcdic'"),
            ("[source]\ntime_zone = \"Europe/Berln\"\n", "[source] time_zone: unknown time zone 'Europe/Berln'"),
            ("[source]\nseparator = \";\"\n", "[source]: unknown field `separator`"),
            ("[target]\ntime_zone = \"Nowhere\"\n", "[target] time_zone: unknown time zone 'Nowhere'"),
            ("[client]\nbirthDate = { column = \"DOB\", date = \"%d.%m\" }\n", "[client] birthDate: bad date format '%d.%m'"),
            ("[client]\nbirthDate = { column = \"DOB\", date = \"%Q\" }\n", "[client] birthDate: bad date format"),
            ("[address]\nfrom = \"adr\"\ncity = \"c\"\n", "[address] from: no [[join]] is named 'adr' (joins: (none))"),
            (
                "[[id_document]]\nfrom = \"dox\"\ndocumentId = \"n\"\n[[join]]\nname = \"docs\"\nfile = \"d.csv\"\nkey = \"k\"\non = \"K\"\n",
                "[[id_document]] #1 from: no [[join]] is named 'dox' (joins: docs)",
            ),
            ("[[join]]\nname = \"a\"\nfile = \"a.csv\"\nkey = \"k\"\n", "[[join]] a: missing field `on`"),
            ("[[join]]\nname = \"a\"\nfile = \"a.csv\"\nkey = \"k\"\non = \"K\"\ndelimiter = \"ab\"\n", "[[join]] a delimiter: must be one character"),
            (
                "[[join]]\nname = \"a\"\nfile = \"a.csv\"\nkey = \"k\"\non = \"K\"\n[[join]]\nname = \"a\"\nfile = \"b.csv\"\nkey = \"k\"\non = \"K\"\n",
                "[[join]] a: two joins have this name",
            ),
            ("[[custom_field]]\nfrom = \"a\"\nid = \"A\"\nvalue = \"B\"\n", "[[custom_field]] #1 from: unknown target field"),
            ("[client]\nid = 5\n", "[client] id: expected a column name"),
            ("client = 5\n", "[client]: must be a table"),
            ("[[address]]\ncity = \"c\"\n", "[address]: must be one table"),
        ];
        for (text, want) in cases {
            let e = err(text);
            assert!(e.starts_with(want), "{text:?}\n got: {e}\nwant: {want}");
        }
    }

    #[test]
    fn toml_syntax_errors_say_so() {
        assert!(err("[client\n").starts_with("mapping file is not valid TOML"));
    }

    #[test]
    fn zones_fall_back_to_utc() {
        // 23:30 UTC is the next day at +02:00 (target), and 23:30 at +02:00
        // (source) is the same day in UTC.
        let date_of = |text: &str| {
            let c = MappingConfig::parse(text).unwrap();
            c.client[0]
                .1
                .date
                .as_ref()
                .unwrap()
                .convert("2024-07-15 23:30")
                .unwrap()
                .to_string()
        };
        let spec = "[client]\nbirthDate = { column = \"D\", date = \"%F %H:%M\" }\n";
        assert_eq!(date_of(spec), "2024-07-15");
        assert_eq!(
            date_of(&format!("[target]\ntime_zone = \"+02:00\"\n{spec}")),
            "2024-07-16"
        );
        assert_eq!(
            date_of(&format!("[source]\ntime_zone = \"+02:00\"\n{spec}")),
            "2024-07-15"
        );
        assert_eq!(
            date_of(&format!("[source]\ntime_zone = \"-02:00\"\n{spec}")),
            "2024-07-16"
        );
    }
}
