//! Deciding which column feeds which target field.
//!
//! In: the `Sample` and, if given, the tenant. Out: a `Guess`. Columns are
//! placed in rounds, surest first, and a placed column is not considered
//! again:
//!
//! 1. custom fields whose id or name (for a GROUPED set: the set's name, a
//!    number, the field's name) are the column's words;
//! 2. columns whose values are mostly the tenant's branch, centre, user or
//!    client role ids (these become `resolve`), or custom field ids (then
//!    paired with the column of the values);
//! 3. ID documents: columns named for a document (passport, document,
//!    licence, …) and one of its parts (number, type, expiry, issuer),
//!    grouped by the rest of their name;
//! 4. client and address fields by name, best score first, each checked
//!    against the values where the field needs a shape (dates, value maps);
//! 5. what is left, by content alone: e-mail addresses, gender codes,
//!    phone numbers.
//!
//! Rounds 1 and 2 are in `tenant`, round 3 in `documents`.
//!
//! Never fails: what cannot be placed is listed in `Guess::unplaced`.

use std::collections::{BTreeMap, BTreeSet};

use super::names::{self, NamedField};
use super::sample::Sample;
use super::sniff::{self, Values, MOSTLY};
use super::spec::{Confidence, Entry, Guess, Spec, Unplaced};
use crate::tenant::Tenant;

mod documents;
mod tenant;

use documents::documents;
use tenant::{custom_fields_by_name, tenant_values};

/// The least name score that places a column by name.
const NAME_THRESHOLD: f64 = 0.6;

struct Column {
    name: String,
    words: Vec<String>,
    values: Values,
    placed: bool,
}

/// Guesses a mapping for the sampled columns.
pub fn place(sample: &Sample, tenant: Option<&Tenant>) -> Guess {
    let mut cols: Vec<Column> = sample
        .columns
        .iter()
        .zip(&sample.values)
        .map(|(name, values)| Column {
            name: name.clone(),
            words: names::meaningful(&names::tokens(name)),
            values: Values::new(values.iter().map(String::as_str)),
            placed: false,
        })
        .collect();
    let mut g = Guess::default();
    // A name the header has twice, or no name, cannot be named by a
    // mapping (the loader calls it ambiguous): such columns are not placed.
    let mut unusable: Vec<(usize, String)> = Vec::new();
    for (i, c) in cols.iter().enumerate() {
        let times = sample.columns.iter().filter(|n| **n == c.name).count();
        if c.name.trim().is_empty() {
            unusable.push((i, "the header gives this column no name".into()));
        } else if times > 1 {
            unusable.push((
                i,
                format!("the header has this name {times} times, so a mapping cannot name it"),
            ));
        }
    }
    for (i, why) in unusable {
        cols[i].placed = true;
        g.unplaced.push(Unplaced {
            column: cols[i].name.clone(),
            about: why,
        });
    }
    let mut taken: BTreeSet<NamedField> = BTreeSet::new();
    if let Some(t) = tenant {
        custom_fields_by_name(&mut cols, t, &mut g);
        tenant_values(&mut cols, t, &mut g, &mut taken);
    }
    documents(&mut cols, tenant, &mut g);
    by_name(&mut cols, tenant, &mut g, &mut taken);
    by_content(&mut cols, &mut g, &mut taken);
    let listed: BTreeSet<String> = g.unplaced.iter().map(|u| u.column.clone()).collect();
    for c in cols
        .iter()
        .filter(|c| !c.placed && !listed.contains(&c.name))
    {
        g.unplaced.push(Unplaced {
            column: c.name.clone(),
            about: describe(&c.values),
        });
    }
    g
}

/// Round 4: client and address fields by name.
fn by_name(
    cols: &mut [Column],
    tenant: Option<&Tenant>,
    g: &mut Guess,
    taken: &mut BTreeSet<NamedField>,
) {
    let mut candidates: Vec<(f64, usize, NamedField)> = Vec::new();
    for (ci, c) in cols.iter().enumerate() {
        if c.placed {
            continue;
        }
        for (field, score) in names::client_field_matches(&c.name) {
            if score >= NAME_THRESHOLD {
                candidates.push((score, ci, field));
            }
        }
    }
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    for (score, ci, field) in candidates {
        if cols[ci].placed || taken.contains(&field) {
            continue;
        }
        let c = &cols[ci];
        let Some(entry) = named_entry(c, field, score, tenant) else {
            continue;
        };
        let (section, _) = field.target();
        if section == "address" {
            g.address.push(entry);
        } else {
            g.client.push(entry);
        }
        cols[ci].placed = true;
        taken.insert(field);
    }
}

/// The entry for a column whose name says `field`, or `None` when its
/// values contradict the name (no date format for a birth date, codes that
/// are mostly not genders, …).
fn named_entry(
    c: &Column,
    field: NamedField,
    score: f64,
    tenant: Option<&Tenant>,
) -> Option<Entry> {
    use NamedField::*;
    let (_, target) = field.target();
    let mut spec = Spec::column(&c.name);
    let mut why = format!("{}: name match ({score:.2})", c.name);
    let mut confidence = if score >= 0.99 {
        Confidence::High
    } else {
        Confidence::Medium
    };
    let mut disabled = false;
    let mapped =
        |known: &dyn Fn(&str) -> Option<&'static str>, spec: &mut Spec, why: &mut String| -> bool {
            let m = sniff::value_map(&c.values, known);
            if m.share < MOSTLY {
                return false;
            }
            *why += &format!("; {:.0}% of values map to Mambu's values", m.share * 100.0);
            if !m.unmapped.is_empty() {
                // Codes, not personal data: at most eight short ones are
                // named, anything longer is only counted.
                let short: Vec<&str> = m
                    .unmapped
                    .iter()
                    .filter(|v| v.chars().count() <= 12)
                    .take(8)
                    .map(String::as_str)
                    .collect();
                let more = m.unmapped.len() - short.len();
                let more = if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                };
                *why += &format!(
                    "; not mapped (the validator will report them): {}{more}",
                    short.join(", ")
                );
            }
            if m.mixed_case || !m.map.is_empty() {
                spec.case = Some("upper");
            }
            spec.map = m.map;
            true
        };
    match field {
        Gender => {
            mapped(&sniff::gender, &mut spec, &mut why).then_some(())?;
        }
        State => {
            mapped(&sniff::client_state, &mut spec, &mut why).then_some(())?;
        }
        Language => {
            mapped(&sniff::language, &mut spec, &mut why).then_some(())?;
        }
        BirthDate => {
            let (format, share) = sniff::date_format(&c.values)?;
            spec.date = Some(format);
            why += &format!(
                "; {:.0}% of values are dates read with {format}",
                share * 100.0
            );
        }
        Email => {
            spec.case = Some("lower");
            let share = c.values.share(sniff::is_email);
            why += &format!(
                "; {:.0}% of values are e-mail shaped; lower-cased",
                share * 100.0
            );
            if share < MOSTLY {
                confidence = Confidence::Low;
            }
        }
        HomePhone | Mobile1 | Mobile2 => {
            let share = c.values.share(sniff::is_phone);
            why += &format!("; {:.0}% of values are phone shaped", share * 100.0);
            if share < MOSTLY {
                confidence = Confidence::Low;
            }
        }
        FirstName | MiddleName | LastName if sniff::shouted_names(&c.values) => {
            spec.case = Some("title");
            why += "; some values are in capitals, so title case";
        }
        Id => {
            let distinct = c.values.distinct().len();
            why += &format!("; {distinct} distinct values in {} rows", c.values.rows());
        }
        Branch | Centre | Officer | ClientRole => {
            let resolve = match field {
                Branch => "branch",
                Centre => "centre",
                Officer => "user",
                _ => "client_role",
            };
            spec.resolve = Some(resolve);
            match tenant {
                Some(_) => {
                    why += "; its values are mostly not the tenant's ids, review it";
                    confidence = Confidence::Low;
                }
                None => {
                    why += "; resolve needs the tenant: run with --tenant to enable it";
                    confidence = Confidence::Medium;
                    disabled = true;
                }
            }
        }
        _ => {}
    }
    Some(Entry {
        field: target.to_string(),
        spec,
        why,
        confidence,
        disabled,
    })
}

/// Round 5: what is left, by content alone.
fn by_content(cols: &mut [Column], g: &mut Guess, taken: &mut BTreeSet<NamedField>) {
    for c in cols
        .iter_mut()
        .filter(|c| !c.placed && !c.values.filled.is_empty())
    {
        let email = c.values.share(sniff::is_email);
        let gender = sniff::value_map(&c.values, &sniff::gender);
        let phone = c.values.share(sniff::is_phone);
        let (field, spec, why) = if email >= MOSTLY && !taken.contains(&NamedField::Email) {
            (
                NamedField::Email,
                Spec {
                    case: Some("lower"),
                    ..Spec::column(&c.name)
                },
                format!("{:.0}% of values are e-mail shaped", email * 100.0),
            )
        } else if gender.share >= 0.9
            && c.values.distinct().len() >= 2
            && gender.map.values().collect::<BTreeSet<_>>().len() == 2
            && !taken.contains(&NamedField::Gender)
        {
            let share = gender.share;
            let spec = Spec {
                case: Some("upper"),
                map: gender.map,
                ..Spec::column(&c.name)
            };
            (
                NamedField::Gender,
                spec,
                format!("{:.0}% of values are gender codes", share * 100.0),
            )
        } else if phone >= MOSTLY && sniff::date_format(&c.values).is_none() {
            let Some(free) = [
                NamedField::HomePhone,
                NamedField::Mobile1,
                NamedField::Mobile2,
            ]
            .into_iter()
            .find(|f| !taken.contains(f)) else {
                continue;
            };
            (
                free,
                Spec::column(&c.name),
                format!("{:.0}% of values are phone shaped", phone * 100.0),
            )
        } else {
            continue;
        };
        g.client.push(Entry {
            field: field.target().1.to_string(),
            spec,
            why: format!("{}: content match: {why}", c.name),
            confidence: Confidence::Medium,
            disabled: false,
        });
        c.placed = true;
        taken.insert(field);
    }
}

/// What an unplaced column holds, without its values: how many are filled
/// and distinct, a date format if one fits, and the commonest shapes.
///
/// Personal data: this text lands in a file that is shared and committed
/// like code, so it shows no value of the column, only shapes (`Aaaa`,
/// `99.99.9999`). Code lists (few distinct values, each seen many times)
/// are not personal, and their codes are what the user needs to write a
/// value map, so for them up to five codes of at most 12 characters are
/// shown.
pub fn describe(values: &Values) -> String {
    if values.filled.is_empty() {
        return format!("empty in all {} rows", values.rows());
    }
    let distinct = values.distinct();
    let mut about = format!(
        "{} of {} rows filled, {} distinct",
        values.filled.len(),
        values.rows(),
        distinct.len()
    );
    if let Some((format, _)) = sniff::date_format(values) {
        about += &format!("; dates ({format})");
    }
    let is_code_list = distinct.len() <= 12 && values.filled.len() >= 5 * distinct.len();
    let codes_short = distinct.iter().all(|(v, _)| v.chars().count() <= 12);
    if is_code_list && codes_short {
        let codes: Vec<&str> = distinct.iter().take(5).map(|(v, _)| v.as_str()).collect();
        about += &format!("; codes: {}", codes.join(", "));
    } else {
        let mut shapes: BTreeMap<String, usize> = BTreeMap::new();
        for v in &values.filled {
            *shapes.entry(sniff::shape(v)).or_default() += 1;
        }
        let mut shapes: Vec<(String, usize)> = shapes.into_iter().collect();
        shapes.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let top: Vec<String> = shapes
            .iter()
            .take(2)
            .map(|(s, _)| format!("\"{s}\""))
            .collect();
        about += &format!("; shapes {}", top.join(", "));
    }
    about
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(columns: &[(&str, &[&str])]) -> Sample {
        let rows = columns.iter().map(|c| c.1.len()).max().unwrap_or(0);
        Sample {
            format: crate::source::Format::Csv,
            delimiter: b',',
            columns: columns.iter().map(|c| c.0.to_string()).collect(),
            values: columns
                .iter()
                .map(|c| c.1.iter().map(|v| v.to_string()).collect())
                .collect(),
            rows,
        }
    }

    fn tenant() -> Tenant {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/tenant.json");
        Tenant::load(&path).unwrap()
    }

    #[test]
    fn tenant_ids_place_columns_whatever_their_names() {
        let s = sample(&[
            ("HOME_UNIT", &["BR01", "BR02", "BR01", "BR03", "BR99"]),
            ("FIELD_ID", &["Occupation", "", "Tax_ID", "Segment"]),
            ("FIELD_VALUE", &["Baker", "", "1", "MASS"]),
            ("LEGACY_SCORE", &["7", "8", "9", "1"]),
            ("X", &["a", "b", "c", "d"]),
        ]);
        let g = place(&s, Some(&tenant()));
        let branch = g.client.iter().find(|e| e.field == "assignedBranchKey");
        let branch = branch.expect("a branch column");
        assert_eq!(branch.spec.column.as_deref(), Some("HOME_UNIT"));
        assert_eq!(branch.spec.resolve, Some("branch"));
        assert_eq!(branch.confidence, Confidence::Medium, "content only");
        let pair = &g.custom_fields[0];
        assert_eq!(
            (pair.id.column.as_deref(), pair.value.column.as_deref()),
            (Some("FIELD_ID"), Some("FIELD_VALUE"))
        );
        // Legacy_Score is deactivated: not mapped, said in a note.
        assert!(
            g.notes.iter().any(|n| n.contains("LEGACY_SCORE")),
            "{:?}",
            g.notes
        );
        assert_eq!(g.custom_fields.len(), 1);
        let unplaced: Vec<&str> = g.unplaced.iter().map(|u| u.column.as_str()).collect();
        assert_eq!(unplaced, ["X"]);
    }

    #[test]
    fn names_that_contradict_their_values_are_not_placed() {
        // A "SEX" column of free text and a "DOB" column without dates.
        let s = sample(&[
            ("SEX", &["often", "rarely", "never", "often"]),
            ("DOB", &["soon", "later", "never", "?"]),
            ("CONTACT", &["a@b.de", "c@d.pl", "e@f.fr", "g@h.ro"]),
        ]);
        let g = place(&s, None);
        let fields: Vec<&str> = g.client.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["emailAddress"], "CONTACT by content alone");
        let unplaced: Vec<&str> = g.unplaced.iter().map(|u| u.column.as_str()).collect();
        assert_eq!(unplaced, ["SEX", "DOB"]);
    }
}
