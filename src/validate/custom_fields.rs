//! Rules on the client's custom field values (`customInformation`): the
//! definition each value names, its type, pattern and length, group
//! indexes of GROUPED sets, repeats, and required fields.
//!
//! In: the request's values and the `Tenant` (everything but the missing-id
//! rule needs its definitions). Out: findings appended to `out`, on
//! `customInformation[<id>]` or, for a grouped value,
//! `customInformation[<id>][<index>]`. The passes over the values compare
//! pairs in place: a client carries tens of values, and building a map per
//! row would cost more than it saves.

use crate::field_error::FieldError;
use crate::model::{CustomFieldDataType, CustomFieldValue, GroupIndex, ReturnCode};
use crate::tenant::{FieldDef, Tenant};

use super::dates::parse_iso_date;
use super::pattern::matches_pattern;
use super::text::{non_blank, quoted, too_long};

/// The entity type client custom fields have.
const CLIENT_INFO: &str = "CLIENT_INFO";

/// Checks every value, then the rules that look at all of them together.
pub(crate) fn check(values: &[CustomFieldValue], tenant: &Tenant, out: &mut Vec<FieldError>) {
    for v in values {
        if reference(v).is_none() {
            out.push(FieldError::error(
                "customInformation",
                ReturnCode::MissingRequiredParameter,
                "a custom field value has no customFieldID",
            ));
        }
    }
    if !tenant.is_known() {
        return;
    }
    let defs = Usable::resolve(values, tenant);
    let defs = defs.as_slice();
    for (v, def) in values.iter().zip(defs) {
        match def {
            Some(def) => check_value(v, def, out),
            None => report_unusable(v, tenant, out),
        }
    }
    check_repeats(values, defs, out);
    check_group_sequences(values, defs, out);
    check_required(values, defs, tenant, out);
}

/// How a value names its field: `customFieldID`, else `customFieldKey`.
pub(crate) fn reference(v: &CustomFieldValue) -> Option<&str> {
    non_blank(v.custom_field_id.as_deref())
        .or_else(|| non_blank(v.custom_field_key.as_deref()))
        .map(str::trim)
}

/// Whether values may be given for this definition at all.
fn usable(def: &FieldDef) -> bool {
    for_clients(def.definition.entity_type.as_deref()) && !def.is_deactivated()
}

/// Whether a definition's entity type allows client values (unset does).
fn for_clients(entity_type: Option<&str>) -> bool {
    match entity_type {
        None => true,
        Some(t) => t == CLIENT_INFO,
    }
}

/// The usable definition of each value, side by side with the values.
/// Held inline for the usual handful of values so a row costs no allocation.
// The inline variant is large on purpose: it lives on the stack for one call.
#[allow(clippy::large_enum_variant)]
enum Usable<'t> {
    Inline([Option<&'t FieldDef>; Usable::INLINE], usize),
    Heap(Vec<Option<&'t FieldDef>>),
}

impl<'t> Usable<'t> {
    const INLINE: usize = 32;

    fn resolve(values: &[CustomFieldValue], tenant: &'t Tenant) -> Self {
        let find = |v: &CustomFieldValue| {
            reference(v)
                .and_then(|r| tenant.custom_field(r))
                .filter(|d| usable(d))
        };
        if values.len() <= Self::INLINE {
            let mut defs = [None; Self::INLINE];
            for (slot, v) in defs.iter_mut().zip(values) {
                *slot = find(v);
            }
            Self::Inline(defs, values.len())
        } else {
            Self::Heap(values.iter().map(find).collect())
        }
    }

    fn as_slice(&self) -> &[Option<&'t FieldDef>] {
        match self {
            Self::Inline(defs, n) => &defs[..*n],
            Self::Heap(defs) => defs,
        }
    }
}

/// Where a value sits: in a SINGLE set, at a group of a GROUPED set, or
/// at an index its set does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Single,
    Group(i64),
    Invalid,
}

fn slot(v: &CustomFieldValue, def: &FieldDef) -> Slot {
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

fn path(def: &FieldDef, slot: Slot) -> String {
    match slot {
        Slot::Group(n) => format!("customInformation[{}][{n}]", def.id()),
        _ => format!("customInformation[{}]", def.id()),
    }
}

/// Names why a value's field cannot take values (903, 910, 908).
fn report_unusable(v: &CustomFieldValue, tenant: &Tenant, out: &mut Vec<FieldError>) {
    let Some(given) = reference(v) else {
        return; // reported as 31 already
    };
    let field = |id: &str| format!("customInformation[{id}]");
    let Some(def) = tenant.custom_field(given) else {
        out.push(FieldError::error(
            field(given),
            ReturnCode::InvalidCustomFieldId,
            format!(
                "custom field {} is not defined in the tenant",
                quoted(given)
            ),
        ));
        return;
    };
    let entity = def.definition.entity_type.as_deref();
    if !for_clients(entity) {
        out.push(FieldError::error(
            field(def.id()),
            ReturnCode::CustomFieldNotAvailableForEntity,
            format!(
                "custom field {} is for {}, not for clients",
                quoted(def.id()),
                entity.unwrap_or_default()
            ),
        ));
    } else if def.is_deactivated() {
        out.push(FieldError::error(
            field(def.id()),
            ReturnCode::CustomFieldDeactivated,
            format!("custom field {} is deactivated", quoted(def.id())),
        ));
    }
}

fn shown_index(index: Option<&GroupIndex>) -> String {
    match index {
        None => "none".to_string(),
        Some(GroupIndex::Number(n)) => n.to_string(),
        Some(GroupIndex::Text(t)) => quoted(t),
    }
}

/// The group index, type, pattern and length of one value.
fn check_value(v: &CustomFieldValue, def: &FieldDef, out: &mut Vec<FieldError>) {
    let id = def.id();
    let at = slot(v, def);
    if at == Slot::Invalid {
        let index = shown_index(v.custom_field_set_group_index.as_ref());
        let msg = if def.grouped {
            format!(
                "custom field {} is in the grouped set {} and needs a group index 0, 1, 2, …, not {index}",
                quoted(id),
                quoted(&def.set_id)
            )
        } else {
            format!(
                "custom field {} is in the single set {} and takes no group index, not {index}",
                quoted(id),
                quoted(&def.set_id)
            )
        };
        out.push(FieldError::error(
            path(def, at),
            ReturnCode::InvalidCustomFieldGroupIndex,
            msg,
        ));
    }
    let Some(value) = v.value.as_deref().filter(|s| !s.is_empty()) else {
        return;
    };
    if let Some(expected) = type_mismatch(value, def) {
        out.push(FieldError::error(
            path(def, at),
            ReturnCode::InconsistentValueWithCustomFieldType,
            format!(
                "value {} of {} is not {expected}",
                quoted(value),
                quoted(id)
            ),
        ));
    }
    if let Some(pattern) = non_blank(def.definition.validation_pattern.as_deref()) {
        if !matches_pattern(pattern, value) {
            out.push(FieldError::error(
                path(def, at),
                ReturnCode::InconsistentCustomFieldValueWithPattern,
                format!(
                    "value {} of {} does not match the pattern {pattern}",
                    quoted(value),
                    quoted(id)
                ),
            ));
        }
    }
    let max = def.max_length();
    if let Some(n) = too_long(value, max) {
        out.push(FieldError::error(
            path(def, at),
            ReturnCode::MaxCustomFieldValueLengthExceeded,
            format!(
                "value of {} is {n} characters long; at most {max} are allowed",
                quoted(id)
            ),
        ));
    }
}

/// What the value should have been, when its data type refuses it.
fn type_mismatch(value: &str, def: &FieldDef) -> Option<&'static str> {
    let ok = match def.definition.data_type.as_ref()? {
        CustomFieldDataType::Number => is_decimal(value),
        CustomFieldDataType::Checkbox => value == "TRUE" || value == "FALSE",
        CustomFieldDataType::Date => parse_iso_date(value).is_ok(),
        CustomFieldDataType::Selection => is_option(value, def),
        _ => true,
    };
    let expected = match def.definition.data_type.as_ref()? {
        CustomFieldDataType::Number => "a number",
        CustomFieldDataType::Checkbox => "TRUE or FALSE",
        CustomFieldDataType::Date => "a real date in the form YYYY-MM-DD",
        _ => "one of the field's options",
    };
    (!ok).then_some(expected)
}

/// An optional sign, digits and at most one decimal point: what Mambu
/// stores as a NUMBER (no exponents, no grouping, no decimal comma).
pub(crate) fn is_decimal(s: &str) -> bool {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let mut digits = 0;
    let mut points = 0;
    for c in body.bytes() {
        match c {
            b'0'..=b'9' => digits += 1,
            b'.' => points += 1,
            _ => return false,
        }
    }
    digits > 0 && points <= 1
}

/// Whether `value` is one of a SELECTION field's options, from `values` or
/// from `customFieldSelectionOptions[].value`. A definition that lists no
/// options at all cannot be judged, so it accepts any value.
fn is_option(value: &str, def: &FieldDef) -> bool {
    let listed = def.definition.values.as_deref().unwrap_or_default();
    let options = def
        .definition
        .extra
        .get("customFieldSelectionOptions")
        .and_then(serde_json::Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    if listed.is_empty() && options.is_empty() {
        return true;
    }
    listed.iter().any(|o| o == value)
        || options
            .iter()
            .any(|o| o.get("value").and_then(serde_json::Value::as_str) == Some(value))
}

fn same_def(a: Option<&FieldDef>, b: &FieldDef) -> bool {
    a.is_some_and(|a| std::ptr::eq(a, b))
}

/// 918 for a single-set field given twice, 915 for a grouped field given
/// twice at one index; reported on the later value.
fn check_repeats(
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
fn check_group_sequences(
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

/// 902 for a required field without a non-empty value. A required field of
/// a grouped set is required in group 0, and only when the set is used.
fn check_required(
    values: &[CustomFieldValue],
    defs: &[Option<&FieldDef>],
    tenant: &Tenant,
    out: &mut Vec<FieldError>,
) {
    let given = || {
        values
            .iter()
            .zip(defs)
            .filter_map(|(v, d)| d.map(|d| (v, d)))
    };
    for def in tenant
        .custom_fields()
        .iter()
        .filter(|d| d.is_required() && usable(d))
    {
        let has_value = |v: &CustomFieldValue| non_blank(v.value.as_deref()).is_some();
        if def.grouped {
            if !given().any(|(_, d)| d.grouped && d.set_id == def.set_id) {
                continue;
            }
            let in_group0 = given()
                .any(|(v, d)| std::ptr::eq(d, def) && slot(v, d) == Slot::Group(0) && has_value(v));
            if !in_group0 {
                out.push(FieldError::error(
                    path(def, Slot::Group(0)),
                    ReturnCode::RequiredCustomFieldMissing,
                    format!(
                        "required custom field {} has no value in group 0",
                        quoted(def.id())
                    ),
                ));
            }
        } else if !given().any(|(v, d)| std::ptr::eq(d, def) && has_value(v)) {
            out.push(FieldError::error(
                path(def, Slot::Single),
                ReturnCode::RequiredCustomFieldMissing,
                format!("required custom field {} has no value", quoted(def.id())),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::test_tenant::tenant;

    fn cf(id: &str, value: &str) -> CustomFieldValue {
        CustomFieldValue {
            custom_field_id: Some(id.into()),
            value: Some(value.into()),
            ..CustomFieldValue::default()
        }
    }

    fn grouped(id: &str, value: &str, index: GroupIndex) -> CustomFieldValue {
        CustomFieldValue {
            custom_field_set_group_index: Some(index),
            ..cf(id, value)
        }
    }

    fn purpose() -> CustomFieldValue {
        cf("Loan_Purpose", "Car")
    }

    fn run_with(values: &[CustomFieldValue], tenant: &Tenant) -> Vec<FieldError> {
        let mut out = Vec::new();
        check(values, tenant, &mut out);
        out
    }

    fn run(values: &[CustomFieldValue]) -> Vec<(String, u16)> {
        run_with(values, &tenant())
            .iter()
            .map(|e| (e.field.clone(), e.code.code()))
            .collect()
    }

    fn with_purpose(mut values: Vec<CustomFieldValue>) -> Vec<CustomFieldValue> {
        values.insert(0, purpose());
        values
    }

    #[test]
    fn good_values_pass() {
        let values = with_purpose(vec![
            cf("Income", "-1234.50"),
            cf("Has_Car", "TRUE"),
            cf("Since", "2020-02-29"),
            cf("Segment", "SME"),
            cf("Tier", "GOLD"),
            cf("Tax_No", "12-abc"),
            cf("Bio", &"b".repeat(4000)),
            grouped("Beneficiary_Name", "Ben", GroupIndex::Number(0)),
            grouped("Beneficiary_Share", "50", GroupIndex::Text("0".into())),
            grouped("Beneficiary_Name", "Bo", GroupIndex::Number(1)),
        ]);
        assert_eq!(run(&values), []);
    }

    #[test]
    fn a_value_needs_a_field_id() {
        let nameless = CustomFieldValue {
            value: Some("x".into()),
            ..CustomFieldValue::default()
        };
        assert_eq!(
            run(&with_purpose(vec![nameless.clone()])),
            [("customInformation".into(), 31)]
        );
        let out = run_with(&[nameless], &Tenant::unknown());
        assert_eq!(out.len(), 1, "needs no tenant");
    }

    #[test]
    fn the_field_must_exist_for_clients_and_be_active() {
        let out = run(&with_purpose(vec![
            cf("Nope", "1"),
            cf("Loan_Only", "x"),
            cf("Old_Field", "x"),
        ]));
        assert_eq!(
            out,
            [
                ("customInformation[Nope]".into(), 903),
                ("customInformation[Loan_Only]".into(), 910),
                ("customInformation[Old_Field]".into(), 908),
            ]
        );
    }

    #[test]
    fn fields_are_found_by_encoded_key_too() {
        let by_key = CustomFieldValue {
            custom_field_key: Some("cf-purpose".into()),
            value: Some("Car".into()),
            ..CustomFieldValue::default()
        };
        assert_eq!(run(&[by_key]), []);
    }

    #[test]
    fn values_must_fit_their_data_type() {
        let out = run(&with_purpose(vec![
            cf("Income", "12,5"),
            cf("Has_Car", "true"),
            cf("Since", "2021-02-29"),
            cf("Segment", "CORPORATE"),
            cf("Tier", "BRONZE"),
        ]));
        let expected: Vec<(String, u16)> = ["Income", "Has_Car", "Since", "Segment", "Tier"]
            .iter()
            .map(|id| (format!("customInformation[{id}]"), 901))
            .collect();
        assert_eq!(out, expected);
        let msgs = run_with(&with_purpose(vec![cf("Income", "12,5")]), &tenant());
        assert_eq!(msgs[0].message, "value '12,5' of 'Income' is not a number");
    }

    #[test]
    fn decimal_numbers() {
        for ok in ["0", "-1", "+2.5", "1234567890.123", ".5", "5."] {
            assert!(is_decimal(ok), "{ok}");
        }
        for bad in ["", "-", ".", "1.2.3", "1e5", "1,000", " 1", "NaN", "١"] {
            assert!(!is_decimal(bad), "{bad}");
        }
    }

    #[test]
    fn empty_values_are_not_type_checked() {
        assert_eq!(run(&with_purpose(vec![cf("Income", "")])), []);
    }

    #[test]
    fn pattern_and_length() {
        let out = run(&with_purpose(vec![
            cf("Tax_No", "1-abcd"),
            cf("Bio", &"b".repeat(4001)),
        ]));
        assert_eq!(
            out,
            [
                ("customInformation[Tax_No]".into(), 917),
                ("customInformation[Bio]".into(), 904)
            ]
        );
        let out = run(&[cf("Loan_Purpose", &"p".repeat(256))]);
        assert_eq!(out, [("customInformation[Loan_Purpose]".into(), 904)]);
    }

    #[test]
    fn required_fields() {
        let out = run_with(&[cf("Income", "1")], &tenant());
        assert_eq!(
            out.len(),
            1,
            "deactivated required fields are not asked for: {out:?}"
        );
        assert_eq!(out[0].field, "customInformation[Loan_Purpose]");
        assert_eq!(out[0].code, ReturnCode::RequiredCustomFieldMissing);
        assert_eq!(
            out[0].message,
            "required custom field 'Loan_Purpose' has no value"
        );
        assert_eq!(
            run(&[cf("Loan_Purpose", "  ")]),
            [("customInformation[Loan_Purpose]".into(), 902)]
        );
    }

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

    #[test]
    fn many_values_are_resolved_on_the_heap_alike() {
        let mut values = with_purpose(Vec::new());
        for n in 0..40 {
            values.push(grouped("Beneficiary_Name", "Ben", GroupIndex::Number(n)));
        }
        assert_eq!(run(&values), []);
        values.push(cf("Nope", "x"));
        assert_eq!(run(&values), [("customInformation[Nope]".into(), 903)]);
    }

    #[test]
    fn unknown_tenant_checks_only_ids() {
        assert!(run_with(
            &[cf("Whatever", "x"), cf("Whatever", "y")],
            &Tenant::unknown()
        )
        .is_empty());
    }
}
