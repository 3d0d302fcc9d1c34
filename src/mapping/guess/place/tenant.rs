//! The rounds that need the tenant: 1, custom fields whose id or name are
//! a column's words (for a GROUPED set: the set's name, a number, the
//! field's name); 2, columns whose values are mostly the tenant's branch,
//! centre, user or client role ids (placed with `resolve`), or custom field
//! ids (paired with the column of their values).
//!
//! In: the columns not yet placed and the tenant. Out: entries added to
//! the `Guess`, columns marked placed. Never fails.

use std::collections::{BTreeMap, BTreeSet};

use super::{Column, NAME_THRESHOLD};
use crate::mapping::guess::names::{self, NamedField};
use crate::mapping::guess::sniff::{self, Values, MOSTLY};
use crate::mapping::guess::spec::{Confidence, CustomField, Entry, Guess, Spec};
use crate::model::CustomFieldDataType;
use crate::tenant::{FieldDef, Tenant};

/// Round 1: custom fields by the tenant's ids and names.
pub(super) fn custom_fields_by_name(cols: &mut [Column], tenant: &Tenant, g: &mut Guess) {
    // GROUPED sets: (column, field, number in the name), then indexes from
    // the numbers (0-based if any name says 0, else 1-based).
    let mut grouped: Vec<(usize, &FieldDef, usize)> = Vec::new();
    for (ci, c) in cols.iter_mut().enumerate() {
        if c.placed || c.words.is_empty() {
            continue;
        }
        for def in tenant.custom_fields() {
            let id_words = names::tokens(def.id());
            let name_words = def
                .definition
                .name
                .as_deref()
                .map(names::tokens)
                .unwrap_or_default();
            if !def.grouped {
                if c.words == id_words || c.words == name_words {
                    if def.is_deactivated() {
                        g.notes.push(format!(
                            "column {} matches custom field {}, which the tenant has \
                             deactivated: not mapped (every value would be 908)",
                            c.name,
                            def.id()
                        ));
                        c.placed = true;
                        break;
                    }
                    let (value, how) = custom_value(&c.name, &c.values, def);
                    g.custom_fields.push(CustomField {
                        id: Spec::constant(def.id()),
                        group_index: None,
                        value,
                        why: format!(
                            "{}: name is the tenant's custom field {}{}",
                            c.name,
                            def.id(),
                            how
                        ),
                        confidence: Confidence::High,
                    });
                    c.placed = true;
                    break;
                }
            } else if let Some(n) = grouped_match(&c.words, def, &id_words, &name_words) {
                grouped.push((ci, def, n));
                c.placed = true;
                break;
            }
        }
    }
    let mut base: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, def, n) in &grouped {
        let b = base.entry(def.set_id.as_str()).or_insert(1);
        if *n == 0 {
            *b = 0;
        }
    }
    for (ci, def, n) in grouped {
        let index = n - base[def.set_id.as_str()];
        let c = &cols[ci];
        let (value, how) = custom_value(&c.name, &c.values, def);
        g.custom_fields.push(CustomField {
            id: Spec::constant(def.id()),
            group_index: Some(index),
            value,
            why: format!(
                "{}: name is set {} + number {} + field {}{}",
                c.name,
                def.set_id,
                n,
                def.id(),
                how
            ),
            confidence: Confidence::High,
        });
    }
    g.custom_fields.sort_by(|a, b| {
        (a.group_index.is_some(), a.group_index).cmp(&(b.group_index.is_some(), b.group_index))
    });
}

/// For a field of a GROUPED set: the number in the column's name, if its
/// words are the set's words, one number and the field's words.
fn grouped_match(
    words: &[String],
    def: &FieldDef,
    id_words: &[String],
    name_words: &[String],
) -> Option<usize> {
    let set_name = def
        .definition
        .custom_field_set
        .as_ref()
        .and_then(|s| s.name.as_deref())
        .map(names::tokens)
        .unwrap_or_default();
    for set_words in [names::tokens(&def.set_id), set_name] {
        if set_words.is_empty() || !set_words.iter().all(|w| words.contains(w)) {
            continue;
        }
        let rest: Vec<&String> = words.iter().filter(|w| !set_words.contains(w)).collect();
        let numbers: Vec<usize> = rest.iter().filter_map(|w| w.parse().ok()).collect();
        let field: Vec<String> = rest
            .iter()
            .filter(|w| w.parse::<usize>().is_err())
            .map(|w| w.to_string())
            .collect();
        let named = field == name_words || field == id_words || id_words.ends_with(&field);
        if numbers.len() == 1 && !field.is_empty() && named {
            return Some(numbers[0]);
        }
    }
    None
}

/// The value spec of a custom field column, by the field's data type,
/// and what was done in words.
fn custom_value(column: &str, values: &Values, def: &FieldDef) -> (Spec, String) {
    let mut spec = Spec::column(column);
    let mut how = String::new();
    match def.definition.data_type {
        Some(CustomFieldDataType::Checkbox) => {
            let m = sniff::value_map(values, &sniff::checkbox);
            if m.mixed_case || !m.map.is_empty() {
                spec.case = Some("upper");
            }
            how = format!(
                " (checkbox; {:.0}% of values are yes/no codes)",
                m.share * 100.0
            );
            spec.map = m.map;
        }
        Some(CustomFieldDataType::Selection) => {
            let options = def.definition.values.clone().unwrap_or_default();
            let upper_options = options.iter().all(|o| o.to_uppercase() == *o);
            let exact = values.share(|v| options.iter().any(|o| o == v));
            let folded = values.share(|v| options.iter().any(|o| o.eq_ignore_ascii_case(v)));
            if upper_options && folded > exact {
                spec.case = Some("upper");
            }
            how = format!(
                " (selection; {:.0}% of values are its options)",
                folded * 100.0
            );
        }
        Some(CustomFieldDataType::Date) => {
            if let Some((format, share)) = sniff::date_format(values) {
                spec.date = Some(format);
                how = format!(" (dates: {:.0}% read with {format})", share * 100.0);
            }
        }
        _ => {}
    }
    (spec, how)
}

/// Round 2: columns whose values are the tenant's ids.
pub(super) fn tenant_values(
    cols: &mut [Column],
    tenant: &Tenant,
    g: &mut Guess,
    taken: &mut BTreeSet<NamedField>,
) {
    type Known<'a> = Box<dyn Fn(&str) -> bool + 'a>;
    let kinds: [(NamedField, &'static str, &str, Known); 4] = [
        (
            NamedField::Branch,
            "branch",
            "branch ids",
            Box::new(|v| tenant.branch(v).is_some()),
        ),
        (
            NamedField::Centre,
            "centre",
            "centre ids",
            Box::new(|v| tenant.centre(v).is_some()),
        ),
        (
            NamedField::Officer,
            "user",
            "usernames",
            Box::new(|v| tenant.user(v).is_some()),
        ),
        (
            NamedField::ClientRole,
            "client_role",
            "client role ids",
            Box::new(|v| tenant.client_role(v).is_some()),
        ),
    ];
    for (field, resolve, what, known) in &kinds {
        if tenant_list_is_empty(tenant, *field) {
            continue;
        }
        let best = cols
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.placed && !c.values.filled.is_empty())
            .map(|(i, c)| (i, c.values.share(known)))
            .filter(|(_, s)| *s >= MOSTLY)
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
        let Some((ci, share)) = best else { continue };
        let c = &mut cols[ci];
        let name_says = names::client_field_matches(&c.name)
            .iter()
            .any(|(f, s)| f == field && *s >= NAME_THRESHOLD);
        let (_, target) = field.target();
        g.client.push(Entry {
            field: target.to_string(),
            spec: Spec {
                resolve: Some(resolve),
                ..Spec::column(&c.name)
            },
            why: format!(
                "{}: {}{:.0}% of values are the tenant's {what}",
                c.name,
                if name_says {
                    "name match, and "
                } else {
                    "content match: "
                },
                share * 100.0
            ),
            confidence: if name_says {
                Confidence::High
            } else {
                Confidence::Medium
            },
            disabled: false,
        });
        c.placed = true;
        taken.insert(*field);
    }
    // A column of custom field ids, and beside it the column of their values.
    let ids: Vec<(usize, f64)> = cols
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.placed && !c.values.filled.is_empty())
        .map(|(i, c)| (i, c.values.share(|v| tenant.custom_field(v).is_some())))
        .filter(|(_, s)| *s >= MOSTLY)
        .collect();
    for (ci, share) in ids {
        let Some(vi) = value_column_of(cols, ci) else {
            continue;
        };
        g.custom_fields.push(CustomField {
            id: Spec::column(&cols[ci].name),
            group_index: None,
            value: Spec::column(&cols[vi].name),
            why: format!(
                "{} / {}: {:.0}% of the first column's values are the tenant's custom field ids",
                cols[ci].name,
                cols[vi].name,
                share * 100.0
            ),
            confidence: Confidence::Medium,
        });
        cols[ci].placed = true;
        cols[vi].placed = true;
    }
}

fn tenant_list_is_empty(tenant: &Tenant, field: NamedField) -> bool {
    let s = tenant.schema();
    match field {
        NamedField::Branch => s.branches.is_empty(),
        NamedField::Centre => s.centres.is_empty(),
        NamedField::Officer => s.users.is_empty(),
        _ => s.client_roles.is_empty(),
    }
}

/// The column named like `ids` but for values (`EXTRA_FIELD_ID` →
/// `EXTRA_FIELD_VALUE`).
fn value_column_of(cols: &[Column], ids: usize) -> Option<usize> {
    let mut stem = cols[ids].words.clone();
    if matches!(stem.last().map(String::as_str), Some("id" | "key" | "name")) {
        stem.pop();
    }
    cols.iter().enumerate().position(|(i, c)| {
        i != ids
            && !c.placed
            && c.words.len() == stem.len() + 1
            && c.words.starts_with(&stem)
            && matches!(c.words.last().map(String::as_str), Some("value" | "val"))
    })
}
