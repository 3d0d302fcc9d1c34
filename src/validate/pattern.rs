//! Mambu's `validationPattern` (custom fields, ID document templates).
//!
//! In: a pattern and a value. Out: whether the whole value matches. A
//! pattern is a sequence of single-character slots, so matching is a walk
//! over both strings in step; nothing is compiled or allocated.

/// Mambu's validationPattern: '@' digit, '#' letter, '$' digit or letter,
/// anything else itself. The value must match the whole pattern, one
/// character per slot.
pub fn matches_pattern(pattern: &str, value: &str) -> bool {
    let mut v = value.chars();
    for slot in pattern.chars() {
        let Some(c) = v.next() else {
            return false;
        };
        let ok = match slot {
            '@' => c.is_ascii_digit(),
            '#' => c.is_alphabetic(),
            '$' => c.is_ascii_digit() || c.is_alphabetic(),
            other => c == other,
        };
        if !ok {
            return false;
        }
    }
    v.next().is_none()
}

#[cfg(test)]
mod tests {
    use super::matches_pattern;

    #[test]
    fn slots_match_their_classes() {
        assert!(matches_pattern("@@-##-$$$", "12-AB-9z0"));
        assert!(matches_pattern("@@-##-$$$", "00-zz-abc"));
        assert!(
            !matches_pattern("@@-##-$$$", "1A-AB-9z0"),
            "'@' takes a digit only"
        );
        assert!(
            !matches_pattern("@@-##-$$$", "12-A1-9z0"),
            "'#' takes a letter only"
        );
        assert!(
            !matches_pattern("@@-##-$$$", "12-AB-9z-"),
            "'$' takes no punctuation"
        );
    }

    #[test]
    fn other_characters_stand_for_themselves() {
        assert!(matches_pattern("ID/@@", "ID/42"));
        assert!(!matches_pattern("ID/@@", "ID-42"));
        assert!(
            !matches_pattern("ID/@@", "id/42"),
            "literals are case-sensitive"
        );
    }

    #[test]
    fn lengths_must_agree() {
        assert!(!matches_pattern("@@@", "12"));
        assert!(!matches_pattern("@@@", "1234"));
        assert!(matches_pattern("", ""));
        assert!(!matches_pattern("", "x"));
    }

    #[test]
    fn letters_beyond_ascii_are_letters() {
        assert!(matches_pattern("###", "ÄÖÜ"));
        assert!(!matches_pattern("@", "٣"), "only ASCII digits are digits");
    }
}
