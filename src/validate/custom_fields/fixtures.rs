//! Values and runs shared by the custom field rule tests.

pub(crate) use crate::field_error::FieldError;
pub(crate) use crate::model::{CustomFieldValue, GroupIndex};
pub(crate) use crate::tenant::Tenant;
pub(crate) use crate::validate::test_tenant::tenant;

use super::check;

pub(crate) fn cf(id: &str, value: &str) -> CustomFieldValue {
    CustomFieldValue {
        custom_field_id: Some(id.into()),
        value: Some(value.into()),
        ..CustomFieldValue::default()
    }
}

pub(crate) fn grouped(id: &str, value: &str, index: GroupIndex) -> CustomFieldValue {
    CustomFieldValue {
        custom_field_set_group_index: Some(index),
        ..cf(id, value)
    }
}

pub(crate) fn purpose() -> CustomFieldValue {
    cf("Loan_Purpose", "Car")
}

pub(crate) fn run_with(values: &[CustomFieldValue], tenant: &Tenant) -> Vec<FieldError> {
    let mut out = Vec::new();
    check(values, tenant, &mut out);
    out
}

pub(crate) fn run(values: &[CustomFieldValue]) -> Vec<(String, u16)> {
    run_with(values, &tenant())
        .iter()
        .map(|e| (e.field.clone(), e.code.code()))
        .collect()
}

pub(crate) fn with_purpose(mut values: Vec<CustomFieldValue>) -> Vec<CustomFieldValue> {
    values.insert(0, purpose());
    values
}
