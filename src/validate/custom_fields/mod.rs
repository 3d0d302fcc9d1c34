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

mod data_types;
#[cfg(test)]
mod fixtures;
mod groups;

use crate::field_error::FieldError;
use crate::model::{CustomFieldValue, ReturnCode};
use crate::tenant::{FieldDef, Tenant};

use super::pattern::matches_pattern;
use super::text::{non_blank, quoted, too_long};
use groups::{slot, Slot};

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
    groups::check_repeats(values, defs, out);
    groups::check_group_sequences(values, defs, out);
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

/// The path of a value in findings.
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

/// The group index, type, pattern and length of one value.
fn check_value(v: &CustomFieldValue, def: &FieldDef, out: &mut Vec<FieldError>) {
    let id = def.id();
    let at = groups::check_slot(v, def, out);
    let Some(value) = v.value.as_deref().filter(|s| !s.is_empty()) else {
        return;
    };
    if let Some(expected) = data_types::type_mismatch(value, def) {
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
    use super::fixtures::*;
    use super::*;

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
