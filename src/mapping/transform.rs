//! The text transforms of a value spec: trim, case and value maps.
//!
//! In: one cell's text. Out: the transformed text, borrowed when nothing had
//! to change so the common case allocates nothing. Never fails.

use std::borrow::Cow;
use std::collections::HashMap;

use serde::Deserialize;

use crate::fast_hash::FastHashBuilder;

/// A case conversion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Case {
    /// Every letter upper case.
    Upper,
    /// Every letter lower case.
    Lower,
    /// The first letter of each word upper case, the rest lower case. A word
    /// starts after any character that is neither a letter nor a digit, so
    /// `o'brien-smith` becomes `O'Brien-Smith` and `3RD` becomes `3rd`.
    Title,
}

impl Case {
    /// Applies the conversion (Unicode-aware).
    pub fn apply<'a>(self, s: &'a str) -> Cow<'a, str> {
        match self {
            Case::Upper => {
                if s.is_ascii() {
                    if s.bytes().any(|b| b.is_ascii_lowercase()) {
                        Cow::Owned(s.to_ascii_uppercase())
                    } else {
                        Cow::Borrowed(s)
                    }
                } else {
                    Cow::Owned(s.to_uppercase())
                }
            }
            Case::Lower => {
                if s.is_ascii() {
                    if s.bytes().any(|b| b.is_ascii_uppercase()) {
                        Cow::Owned(s.to_ascii_lowercase())
                    } else {
                        Cow::Borrowed(s)
                    }
                } else {
                    Cow::Owned(s.to_lowercase())
                }
            }
            Case::Title if s.is_ascii() => title_ascii(s),
            Case::Title => title_unicode(s),
        }
    }
}

/// Title case: the first letter or digit of each word upper, the rest lower.
fn title_unicode(s: &str) -> Cow<'_, str> {
    let mut out = String::with_capacity(s.len());
    let mut word_start = true;
    for ch in s.chars() {
        if ch.is_alphanumeric() {
            if word_start {
                out.extend(ch.to_uppercase());
            } else {
                out.extend(ch.to_lowercase());
            }
            word_start = false;
        } else {
            out.push(ch);
            word_start = true;
        }
    }
    if out == s {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(out)
    }
}

/// Title case of ASCII text, byte by byte, borrowed when already so (most
/// names are): the same result as the Unicode path for ASCII input.
fn title_ascii(s: &str) -> Cow<'_, str> {
    let titled = |b: u8, word_start: bool| {
        if word_start {
            b.to_ascii_uppercase()
        } else {
            b.to_ascii_lowercase()
        }
    };
    let bytes = s.as_bytes();
    let mut word_start = true;
    let mut first_change = None;
    for (at, &b) in bytes.iter().enumerate() {
        if titled(b, word_start) != b {
            first_change = Some(at);
            break;
        }
        word_start = !b.is_ascii_alphanumeric();
    }
    let Some(from) = first_change else {
        return Cow::Borrowed(s);
    };
    let mut out = String::with_capacity(s.len());
    out.push_str(&s[..from]);
    for &b in &bytes[from..] {
        out.push(char::from(titled(b, word_start)));
        word_start = !b.is_ascii_alphanumeric();
    }
    Cow::Owned(out)
}

/// A value map (`map = { M = "MALE" }`), looked up after trim and case.
#[derive(Debug, Clone, Default)]
pub struct ValueMap {
    entries: HashMap<Box<str>, Box<str>, FastHashBuilder>,
    /// Whether a value missing from the map is a 9004 error rather than
    /// passed through.
    pub strict: bool,
}

impl ValueMap {
    /// A map from its entries.
    pub fn new(entries: impl IntoIterator<Item = (String, String)>, strict: bool) -> Self {
        Self {
            entries: entries
                .into_iter()
                .map(|(k, v)| (k.into_boxed_str(), v.into_boxed_str()))
                .collect(),
            strict,
        }
    }

    /// The mapped value, if `value` is a key of the map.
    pub fn get(&self, value: &str) -> Option<&str> {
        self.entries.get(value).map(|v| &**v)
    }

    /// Every (source value, mapped value) pair, in no particular order.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|(k, v)| (&**k, &**v))
    }

    /// The keys, sorted, for messages.
    pub fn keys(&self) -> Vec<&str> {
        let mut keys: Vec<&str> = self.entries.keys().map(|k| &**k).collect();
        keys.sort_unstable();
        keys
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upper_and_lower_are_unicode_aware() {
        assert_eq!(Case::Upper.apply("müller"), "MÜLLER");
        assert_eq!(Case::Lower.apply("ÉLODIE"), "élodie");
        assert_eq!(Case::Upper.apply("straße"), "STRASSE");
        assert_eq!(Case::Lower.apply("Ann@Example.COM"), "ann@example.com");
    }

    #[test]
    fn unchanged_text_is_borrowed() {
        assert!(matches!(Case::Upper.apply("ABC 1"), Cow::Borrowed(_)));
        assert!(matches!(Case::Lower.apply("abc"), Cow::Borrowed(_)));
        assert!(matches!(Case::Title.apply("Anna Maria"), Cow::Borrowed(_)));
    }

    #[test]
    fn title_case_capitalises_each_word() {
        assert_eq!(
            Case::Title.apply("JOHN o'BRIEN-SMITH"),
            "John O'Brien-Smith"
        );
        assert_eq!(
            Case::Title.apply("élodie   DE la cruz"),
            "Élodie   De La Cruz"
        );
        assert_eq!(Case::Title.apply("3RD street"), "3rd Street");
        assert_eq!(Case::Title.apply("ÖZLEM"), "Özlem");
    }

    #[test]
    fn ascii_title_case_agrees_with_the_unicode_path() {
        let mut rng = fastrand::Rng::with_seed(7);
        let alphabet = b"aZ9 -'._\tqQ0";
        for _ in 0..5000 {
            let len = rng.usize(0..12);
            let s: String = (0..len)
                .map(|_| char::from(alphabet[rng.usize(..alphabet.len())]))
                .collect();
            assert_eq!(super::title_ascii(&s), super::title_unicode(&s), "{s:?}");
        }
    }

    #[test]
    fn map_looks_up_exact_keys() {
        let m = ValueMap::new(
            [("M".into(), "MALE".into()), ("F".into(), "FEMALE".into())],
            false,
        );
        assert_eq!(m.get("M"), Some("MALE"));
        assert_eq!(m.get("m"), None);
        assert_eq!(m.keys(), vec!["F", "M"]);
    }
}
