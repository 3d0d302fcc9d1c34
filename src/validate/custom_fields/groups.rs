//! Where a custom field value sits: the group index rules of SINGLE and
//! GROUPED sets (916, 914), and fields given twice (918, 915).
//!
//! In: the values and their usable definitions, side by side. Out:
//! findings appended to `out`. Pairs are compared in place; no map is built.

use crate::field_error::FieldError;
use crate::model::{CustomFieldValue, GroupIndex, ReturnCode};
use crate::tenant::FieldDef;
use crate::validate::text::quoted;

use super::path;

/// Where a value sits: in a SINGLE set, at a group of a GROUPED set, or
/// at an index its set does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slot {
    Single,
    Group(i64),
    Invalid,
}

/// The slot a value takes in its field's set.
pub(crate) fn slot(v: &CustomFieldValue, def: &FieldDef) -> Slot {
    let index = v
        .custom_field_set_group_index
        .as_ref()
        .map(GroupIndex::as_i64);
    match (def.grouped, index) {
        (true, Some(Some(n))) if n >= 0 => Slot::Group(n),
        (true, _) => Slot::Invalid,
        (false, None | Some(Some(-1))) => Slot::Single,
        (false, Some(_)) => Slot::Invalid,
    }
}

/// The value's slot, with 916 when its set does not allow its index.
pub(crate) fn check_slot(v: &CustomFieldValue, def: &FieldDef, out: &mut Vec<FieldError>) -> Slot {
    let at = slot(v, def);
    if at == Slot::Invalid {
        let index = shown_index(v.custom_field_set_group_index.as_ref());
        let (id, set) = (quoted(def.id()), quoted(&def.set_id));
        let msg = if def.grouped {
            format!("custom field {id} is in the grouped set {set} and needs a group index 0, 1, 2, …, not {index}")
        } else {
            format!("custom field {id} is in the single set {set} and takes no group index, not {index}")
        };
        out.push(FieldError::error(
            path(def, at),
            ReturnCode::InvalidCustomFieldGroupIndex,
            msg,
        ));
    }
    at
}

fn shown_index(index: Option<&GroupIndex>) -> String {
    match index {
        None => "none".to_string(),
        Some(GroupIndex::Number(n)) => n.to_string(),
        Some(GroupIndex::Text(t)) => quoted(t),
    }
}

fn same_def(a: Option<&FieldDef>, b: &FieldDef) -> bool {
    a.is_some_and(|a| std::ptr::eq(a, b))
}

/// 918 for a single-set field given twice, 915 for a grouped field given
/// twice at one index; reported on the later value.
pub(crate) fn check_repeats(
    values: &[CustomFieldValue],
    defs: &[Option<&FieldDef>],
    out: &mut Vec<FieldError>,
) {
    for (k, (v, def)) in values.iter().zip(defs).enumerate() {
        let Some(def) = *def else { continue };
        let at = slot(v, def);
        if at == Slot::Invalid {
            continue;
        }
        let repeated = values[..k]
            .iter()
            .zip(&defs[..k])
            .any(|(w, d)| same_def(*d, def) && slot(w, def) == at);
        if !repeated {
            continue;
        }
        let err = match at {
            Slot::Group(n) => FieldError::error(
                path(def, at),
                ReturnCode::ToManyValuesForSameGroupedCustomField,
                format!(
                    "custom field {} is given twice in group {n}",
                    quoted(def.id())
                ),
            ),
            _ => FieldError::error(
                path(def, at),
                ReturnCode::DuplicateCustomFieldValues,
                format!("custom field {} is given twice", quoted(def.id())),
            ),
        };
        out.push(err);
    }
}

/// The valid group index of a value of set `set_id`, if it has one.
fn group_in_set(v: &CustomFieldValue, def: Option<&FieldDef>, set_id: &str) -> Option<i64> {
    let def = def.filter(|d| d.grouped && d.set_id == set_id)?;
    match slot(v, def) {
        Slot::Group(n) => Some(n),
        _ => None,
    }
}

/// 914 when a grouped set's indexes are not 0, 1, 2, … without gaps;
/// reported once per set, on its first value.
pub(crate) fn check_group_sequences(
    values: &[CustomFieldValue],
    defs: &[Option<&FieldDef>],
    out: &mut Vec<FieldError>,
) {
    for (k, (v, def)) in values.iter().zip(defs).enumerate() {
        let Some(def) = def.filter(|d| d.grouped) else {
            continue;
        };
        let set = def.set_id.as_str();
        if group_in_set(v, Some(def), set).is_none() {
            continue;
        }
        let seen_before = values[..k]
            .iter()
            .zip(&defs[..k])
            .any(|(w, d)| group_in_set(w, *d, set).is_some());
        if seen_before {
            continue;
        }
        let indexes = || {
            values
                .iter()
                .zip(defs)
                .filter_map(|(w, d)| group_in_set(w, *d, set))
        };
        let count = indexes().count() as i64;
        let max = indexes().max().unwrap_or(0);
        // With `count` values, a gap-free run ends at count-1 at most, so
        // the first missing index is found within 0..=count.
        let missing = (0..=max.min(count)).find(|i| !indexes().any(|n| n == *i));
        if let Some(gap) = missing {
            out.push(FieldError::error(
                path(def, slot(v, def)),
                ReturnCode::GroupedIndexesNotConsecutive,
                format!(
                    "group indexes of set {} skip {gap}: they must run 0, 1, 2, … without gaps (highest is {max})",
                    quoted(set)
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;

    #[test]
    fn grouped_required_fields_only_when_the_set_is_used() {
        assert_eq!(run(&[purpose()]), []);
        let out = run(&with_purpose(vec![grouped(
            "Beneficiary_Share",
            "10",
            GroupIndex::Number(0),
        )]));
        assert_eq!(
            out,
            [("customInformation[Beneficiary_Name][0]".into(), 902)]
        );
    }

    #[test]
    fn grouped_fields_need_a_whole_index() {
        let out = run(&with_purpose(vec![
            cf("Beneficiary_Name", "Ben"),
            grouped("Beneficiary_Name", "Ben", GroupIndex::Number(-1)),
            grouped("Beneficiary_Name", "Ben", GroupIndex::Text("1.5".into())),
            grouped("Beneficiary_Name", "Ben", GroupIndex::Number(0)),
        ]));
        let invalid = ("customInformation[Beneficiary_Name]".to_string(), 916);
        assert_eq!(out, [invalid.clone(), invalid.clone(), invalid]);
    }

    #[test]
    fn single_fields_take_no_index() {
        let ok = grouped("Income", "1", GroupIndex::Number(-1));
        assert_eq!(run(&with_purpose(vec![ok])), []);
        let bad = grouped("Income", "1", GroupIndex::Text("0".into()));
        let out = run_with(&with_purpose(vec![bad]), &tenant());
        assert_eq!(out.len(), 1);
        assert_eq!(
            (out[0].field.as_str(), out[0].code.code()),
            ("customInformation[Income]", 916)
        );
        assert!(
            out[0].message.contains("single set '_Personal'"),
            "{}",
            out[0].message
        );
    }

    #[test]
    fn group_indexes_must_be_consecutive() {
        let at = |n: i64| grouped("Beneficiary_Name", "Ben", GroupIndex::Number(n));
        assert_eq!(run(&with_purpose(vec![at(1), at(0), at(2)])), []);
        let out = run_with(&with_purpose(vec![at(0), at(2)]), &tenant());
        assert_eq!(out.len(), 1);
        assert_eq!(
            (out[0].field.as_str(), out[0].code.code()),
            ("customInformation[Beneficiary_Name][0]", 914)
        );
        assert_eq!(
            out[0].message,
            "group indexes of set '_Beneficiaries' skip 1: they must run 0, 1, 2, … without gaps (highest is 2)"
        );
        // A huge index is a gap, found without walking up to it.
        let out = run(&with_purpose(vec![at(0), at(i64::MAX)]));
        assert_eq!(
            out,
            [("customInformation[Beneficiary_Name][0]".into(), 914)]
        );
        // Group 0 missing: also the required name has no value there.
        let out = run(&with_purpose(vec![at(1)]));
        assert_eq!(
            out,
            [
                ("customInformation[Beneficiary_Name][1]".into(), 914),
                ("customInformation[Beneficiary_Name][0]".into(), 902),
            ]
        );
    }

    #[test]
    fn repeats() {
        let out = run(&with_purpose(vec![cf("Income", "1"), cf("Income", "2")]));
        assert_eq!(out, [("customInformation[Income]".into(), 918)]);
        let at = |id: &str, n: i64| grouped(id, "1", GroupIndex::Number(n));
        let out = run(&with_purpose(vec![
            at("Beneficiary_Name", 0),
            at("Beneficiary_Share", 0),
            at("Beneficiary_Name", 1),
            at("Beneficiary_Name", 0),
        ]));
        assert_eq!(
            out,
            [("customInformation[Beneficiary_Name][0]".into(), 915)]
        );
    }
}
