//! Text values: Mambu's length limits, and how values are quoted in messages.
//!
//! In: a field's text. Out: a 4 INVALID_PARAMETERS finding when it has more
//! characters (not bytes) than Mambu stores, and short quotations for
//! messages so that a huge value never floods a report.

use crate::field_error::FieldError;
use crate::model::ReturnCode;

/// The limit Mambu applies to names, phones, e-mail, address and ID
/// document fields.
pub(crate) const MAX_TEXT: usize = 255;

/// The limit on a client's notes.
pub(crate) const MAX_NOTES: usize = 65_535;

/// The number of characters in `s` when it exceeds `max`, else `None`.
/// A byte length within the limit settles it without counting characters.
pub(crate) fn too_long(s: &str, max: usize) -> Option<usize> {
    if s.len() <= max {
        return None;
    }
    let n = s.chars().count();
    (n > max).then_some(n)
}

/// Appends 4 INVALID_PARAMETERS when `value` has more than `max` characters.
/// `path` is only built when there is something to report.
pub(crate) fn check_length(
    path: impl FnOnce() -> String,
    label: &str,
    value: Option<&str>,
    max: usize,
    out: &mut Vec<FieldError>,
) {
    if let Some(n) = value.and_then(|v| too_long(v, max)) {
        out.push(FieldError::error(
            path(),
            ReturnCode::InvalidParameters,
            format!("{label} is {n} characters long; at most {max} are allowed"),
        ));
    }
}

/// `value` quoted for a message, cut to 40 characters.
pub(crate) fn quoted(value: &str) -> String {
    const SHOWN: usize = 40;
    match value.char_indices().nth(SHOWN) {
        Some((cut, _)) => format!("'{}…'", &value[..cut]),
        None => format!("'{value}'"),
    }
}

/// `Some(s)` unless `s` is absent or only whitespace.
pub(crate) fn non_blank(s: Option<&str>) -> Option<&str> {
    s.filter(|v| !v.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_counts_characters_not_bytes() {
        let umlauts = "ä".repeat(255); // 510 bytes, 255 characters
        assert_eq!(too_long(&umlauts, 255), None);
        assert_eq!(too_long(&"ä".repeat(256), 255), Some(256));
        assert_eq!(too_long(&"a".repeat(255), 255), None);
        assert_eq!(too_long(&"a".repeat(300), 255), Some(300));
    }

    #[test]
    fn check_length_reports_code_4_with_the_count() {
        let mut out = Vec::new();
        check_length(
            || "client.firstName".into(),
            "first name",
            Some("ok"),
            MAX_TEXT,
            &mut out,
        );
        assert!(out.is_empty());
        let long = "x".repeat(256);
        check_length(
            || "client.firstName".into(),
            "first name",
            Some(&long),
            MAX_TEXT,
            &mut out,
        );
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].field, "client.firstName");
        assert_eq!(out[0].code, ReturnCode::InvalidParameters);
        assert_eq!(
            out[0].message,
            "first name is 256 characters long; at most 255 are allowed"
        );
    }

    #[test]
    fn quotations_are_cut() {
        assert_eq!(quoted("abc"), "'abc'");
        let q = quoted(&"é".repeat(100));
        assert_eq!(q, format!("'{}…'", "é".repeat(40)));
    }

    #[test]
    fn blank_is_absent() {
        assert_eq!(non_blank(Some("  ")), None);
        assert_eq!(non_blank(None), None);
        assert_eq!(non_blank(Some(" a ")), Some(" a "));
    }
}
