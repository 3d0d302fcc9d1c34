//! Whether a custom field value fits its definition's data type (901):
//! NUMBER, CHECKBOX, DATE and SELECTION; other types take any text.

use crate::model::CustomFieldDataType;
use crate::tenant::FieldDef;
use crate::validate::dates::parse_iso_date;

/// What the value should have been, when its data type refuses it.
pub(crate) fn type_mismatch(value: &str, def: &FieldDef) -> Option<&'static str> {
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

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::*;

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
}
