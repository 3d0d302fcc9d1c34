//! Round 3: ID documents. Columns named for a document (passport,
//! document, licence, …) and one of its parts (number, type, expiry,
//! issuer), grouped by the rest of their name, become one `[[id_document]]`
//! each, its type from the name and the tenant's templates.
//!
//! In: the columns not yet placed and, if given, the tenant. Out: entries
//! added to the `Guess`, columns marked placed. Never fails.

use std::collections::BTreeMap;

use super::Column;
use crate::mapping::guess::names::{self};
use crate::mapping::guess::sniff::{self};
use crate::mapping::guess::spec::{Confidence, Document, Entry, Guess, Spec};
use crate::tenant::Tenant;

/// Words that make a column part of an ID document.
const DOCUMENT_WORDS: [&str; 7] = [
    "passport", "document", "licence", "identity", "idcard", "national", "driving",
];

/// A document part named by the last word of a column.
fn document_part(word: &str) -> Option<&'static str> {
    match word {
        "no" | "id" => Some("documentId"),
        "type" => Some("documentType"),
        "expiry" => Some("validUntil"),
        "issuer" => Some("issuingAuthority"),
        _ => None,
    }
}

/// Round 3: ID documents.
pub(super) fn documents(cols: &mut [Column], tenant: Option<&Tenant>, g: &mut Guess) {
    // group words → (part → column index), in the order groups are seen.
    let mut groups: Vec<(Vec<String>, BTreeMap<&'static str, usize>)> = Vec::new();
    for (ci, c) in cols.iter().enumerate() {
        if c.placed || !c.words.iter().any(|w| DOCUMENT_WORDS.contains(&w.as_str())) {
            continue;
        }
        let Some(part) = c.words.last().and_then(|w| document_part(w)) else {
            continue;
        };
        let key = c.words[..c.words.len() - 1].to_vec();
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, parts)) => {
                parts.entry(part).or_insert(ci);
            }
            None => groups.push((key, BTreeMap::from([(part, ci)]))),
        }
    }
    for (key, parts) in groups {
        // A document without a number is no document.
        if !parts.contains_key("documentId") {
            continue;
        }
        let mut doc = Document::default();
        let label = key.join(" ");
        if !parts.contains_key("documentType") {
            let (ty, known) = document_type(&key, tenant);
            doc.entries.push(Entry {
                field: "documentType".into(),
                spec: Spec::constant(&ty),
                why: format!(
                    "the columns are named \"{label}\"{}",
                    if known {
                        ""
                    } else {
                        "; no such document type is known, review it"
                    }
                ),
                confidence: if known {
                    Confidence::High
                } else {
                    Confidence::Low
                },
                disabled: false,
            });
        }
        for (part, ci) in &parts {
            let c = &mut cols[*ci];
            let mut spec = Spec::column(&c.name);
            let mut why = format!("{}: name says \"{label}\" {part}", c.name);
            let mut confidence = Confidence::High;
            if *part == "validUntil" {
                match sniff::date_format(&c.values) {
                    Some((format, share)) => {
                        spec.date = Some(format);
                        why += &format!(
                            "; {:.0}% of values are dates read with {format}",
                            share * 100.0
                        );
                    }
                    None => {
                        why += "; no date format fits most values, so ISO dates are assumed";
                        confidence = Confidence::Low;
                    }
                }
            }
            c.placed = true;
            doc.entries.push(Entry {
                field: part.to_string(),
                spec,
                why,
                confidence,
                disabled: false,
            });
        }
        g.documents.push(doc);
    }
}

/// The document type a group of columns names: a tenant template's type
/// whose words (less part words) are the group's words, else a known type,
/// else the group's words in capitals. `true` when it is a known type.
fn document_type(key: &[String], tenant: Option<&Tenant>) -> (String, bool) {
    let content: Vec<&String> = key
        .iter()
        .filter(|w| w.as_str() != "document" && w.parse::<usize>().is_err())
        .collect();
    if let Some(t) = tenant {
        for template in &t.schema().id_document_templates {
            let words: Vec<String> = names::tokens(&template.document_type)
                .into_iter()
                .filter(|w| document_part(w).is_none())
                .collect();
            if !words.is_empty() && words.iter().collect::<Vec<_>>() == content {
                return (template.document_type.clone(), true);
            }
        }
    }
    let has = |w: &str| content.iter().any(|c| *c == w);
    if has("passport") {
        return ("PASSPORT".into(), true);
    }
    if has("driving") || has("licence") {
        return ("DRIVING_LICENCE".into(), true);
    }
    if has("national") || has("identity") || has("idcard") {
        return ("NATIONAL_ID".into(), true);
    }
    let words: Vec<String> = content.iter().map(|w| w.to_uppercase()).collect();
    let ty = if words.is_empty() {
        "ID_DOCUMENT".to_string()
    } else {
        words.join("_")
    };
    (ty, false)
}
