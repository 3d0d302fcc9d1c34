//! Writing a `Guess` as a commented mapping file.
//!
//! In: the `Guess`, the sample's format and delimiter, and a few words on
//! where it came from. Out: TOML text in the layout of `docs/mapping.md`
//! (`[source]`, `[target]`, `[client]`, `[address]`, `[[id_document]]`,
//! `[[custom_field]]`), every entry preceded by a comment saying why it was
//! guessed and how sure, and the unplaced columns listed at the end. Cannot
//! fail; whether the text loads is checked by the caller.

use std::fmt::Write as _;

use super::spec::{Entry, Guess, Spec};
use crate::source::Format;

/// Where the guess came from, for the file's head.
#[derive(Debug, Clone)]
pub struct Origin {
    /// The export, as given.
    pub export: String,
    /// The tenant, as given (`None`: none).
    pub tenant: Option<String>,
    /// Rows sampled.
    pub rows: usize,
    /// How the export is read.
    pub format: Format,
    /// Its CSV delimiter.
    pub delimiter: u8,
}

/// The mapping file's text.
pub fn write(g: &Guess, origin: &Origin) -> String {
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(
        w,
        "# A first mapping for {}, guessed by `ferry mapping init` from its header",
        one_line(&origin.export)
    );
    let _ = writeln!(
        w,
        "# and its first {} rows{}.",
        origin.rows,
        match &origin.tenant {
            Some(t) => format!(", with the tenant {t}"),
            None => " (no tenant given: branch, centre, officer, client role and\n# custom fields could not be matched)".into(),
        }
    );
    let _ = writeln!(
        w,
        "# Every entry says why it was guessed and how sure the guess is. Review it, then\n\
         #   ferry validate {} --mapping THIS_FILE{}",
        one_line(&origin.export),
        origin
            .tenant
            .as_ref()
            .map(|t| format!(" --tenant {t}"))
            .unwrap_or_default()
    );
    let _ = writeln!(
        w,
        "# Related files (addresses or documents kept in other files) are not read:\n\
         # add a [[join]] and `from = \"...\"` for them (docs/mapping.md, Joins)."
    );
    for note in &g.notes {
        let _ = writeln!(w, "# Note: {}", one_line(note));
    }
    let _ = writeln!(w);
    let _ = writeln!(w, "[source]");
    let format = match origin.format {
        Format::Csv => "csv",
        Format::Json => "json",
        Format::Ndjson => "ndjson",
    };
    let _ = writeln!(w, "format = \"{format}\"");
    if origin.format == Format::Csv {
        let _ = writeln!(
            w,
            "delimiter = {}",
            string(&(origin.delimiter as char).to_string())
        );
    }
    let _ = writeln!(w);
    let _ = writeln!(w, "[target]");
    let _ = writeln!(
        w,
        "# The tenant's time zone: set it when the export's dates carry a time of day."
    );
    let _ = writeln!(w, "time_zone = \"UTC\"");
    let _ = writeln!(w);
    let _ = writeln!(w, "[client]");
    let mut client: Vec<&Entry> = g.client.iter().collect();
    client.sort_by_key(|e| CLIENT_ORDER.iter().position(|f| *f == e.field));
    if !g.client.iter().any(|e| e.field == "id") {
        let _ = writeln!(
            w,
            "# No column was recognised as the client's id: add `id = \"COLUMN\"`."
        );
    }
    for e in client {
        entry(w, e);
    }
    if !g.address.is_empty() {
        let _ = writeln!(w);
        let _ = writeln!(w, "[address]");
        let mut address: Vec<&Entry> = g.address.iter().collect();
        address.sort_by_key(|e| ADDRESS_ORDER.iter().position(|f| *f == e.field));
        for e in address {
            entry(w, e);
        }
    }
    for doc in &g.documents {
        let _ = writeln!(w);
        let _ = writeln!(w, "[[id_document]]");
        let _ = writeln!(
            w,
            "# The template key comes from the tenant (its only template for the type)."
        );
        let mut entries: Vec<&Entry> = doc.entries.iter().collect();
        entries.sort_by_key(|e| DOCUMENT_ORDER.iter().position(|f| *f == e.field));
        for e in entries {
            entry(w, e);
        }
    }
    for cf in &g.custom_fields {
        let _ = writeln!(w);
        let _ = writeln!(w, "[[custom_field]]");
        let _ = writeln!(w, "# {} ({} confidence)", cf.why, cf.confidence.word());
        // A plain string is the id itself; a column of ids is a table.
        let id = match (&cf.id.constant, &cf.id.column) {
            (Some(c), _) => string(c),
            (None, Some(c)) => format!("{{ column = {} }}", string(c)),
            (None, None) => string(""),
        };
        let _ = writeln!(w, "id = {id}");
        if let Some(i) = cf.group_index {
            let _ = writeln!(w, "group_index = {i}");
        }
        let _ = writeln!(w, "value = {}", value_spec(&cf.value));
    }
    let _ = writeln!(w);
    if g.unplaced.is_empty() {
        let _ = writeln!(w, "# Every column was placed.");
    } else {
        let _ = writeln!(
            w,
            "# Columns not placed (no value shown: shapes only, A = capital, a = small letter,\n\
             # x = other script, 9 = digit; codes are shown for short code lists):"
        );
        for u in &g.unplaced {
            let _ = writeln!(w, "# unplaced: {} — {}", one_line(&u.column), u.about);
        }
    }
    out
}

/// `[client]` fields in the order `docs/mapping.md` lists them.
const CLIENT_ORDER: [&str; 17] = [
    "id",
    "firstName",
    "middleName",
    "lastName",
    "homePhone",
    "mobilePhone1",
    "mobilePhone2",
    "emailAddress",
    "birthDate",
    "gender",
    "preferredLanguage",
    "notes",
    "state",
    "assignedBranchKey",
    "assignedCentreKey",
    "assignedUserKey",
    "clientRole",
];

/// `[address]` fields in the order `docs/mapping.md` lists them.
const ADDRESS_ORDER: [&str; 6] = ["line1", "line2", "city", "region", "postcode", "country"];

/// `[[id_document]]` fields in the order `docs/mapping.md` lists them.
const DOCUMENT_ORDER: [&str; 4] = [
    "documentType",
    "documentId",
    "issuingAuthority",
    "validUntil",
];

fn entry(w: &mut String, e: &Entry) {
    let _ = writeln!(
        w,
        "# {} ({} confidence)",
        one_line(&e.why),
        e.confidence.word()
    );
    let _ = writeln!(
        w,
        "{}{} = {}",
        if e.disabled { "# " } else { "" },
        key(&e.field),
        value_spec(&e.spec)
    );
}

/// A value spec: a plain string for a bare column, else an inline table.
fn value_spec(s: &Spec) -> String {
    let plain = s.case.is_none() && s.map.is_empty() && s.date.is_none() && s.resolve.is_none();
    if plain {
        if let Some(c) = &s.column {
            return string(c);
        }
    }
    let mut parts: Vec<String> = Vec::new();
    if let Some(c) = &s.column {
        parts.push(format!("column = {}", string(c)));
    }
    if let Some(c) = &s.constant {
        parts.push(format!("constant = {}", string(c)));
    }
    if let Some(c) = s.case {
        parts.push(format!("case = {}", string(c)));
    }
    if !s.map.is_empty() {
        let pairs: Vec<String> = s
            .map
            .iter()
            .map(|(k, v)| format!("{} = {}", key(k), string(v)))
            .collect();
        parts.push(format!("map = {{ {} }}", pairs.join(", ")));
    }
    if let Some(d) = s.date {
        parts.push(format!("date = {}", string(d)));
    }
    if let Some(r) = s.resolve {
        parts.push(format!("resolve = {}", string(r)));
    }
    format!("{{ {} }}", parts.join(", "))
}

/// A TOML key: bare when it can be, else quoted.
fn key(k: &str) -> String {
    let bare = !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if bare {
        k.to_string()
    } else {
        string(k)
    }
}

/// A TOML basic string.
fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Text for a comment: line breaks and control characters become spaces.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_strings_are_quoted_where_toml_needs_it() {
        assert_eq!(key("firstName"), "firstName");
        assert_eq!(key("3.5"), "\"3.5\"");
        assert_eq!(key("Ä"), "\"Ä\"");
        assert_eq!(string("a\"b\\c\nd"), "\"a\\\"b\\\\c\\nd\"");
        let spec = Spec {
            case: Some("upper"),
            map: [("M".to_string(), "MALE".to_string())].into(),
            ..Spec::column("SEX")
        };
        let text = format!("x = {}", value_spec(&spec));
        let parsed: toml::Value = toml::from_str(&text).unwrap();
        assert_eq!(parsed["x"]["map"]["M"].as_str(), Some("MALE"));
        assert_eq!(value_spec(&Spec::column("[\"a.b\"]")), "\"[\\\"a.b\\\"]\"");
    }
}
