//! Characters a value must not hold: control characters in any text of a
//! client, its addresses, ID documents and custom field values; and, in a
//! client id, what cannot travel as one URL path segment.
//!
//! In: a request's parts. Out: findings appended to `out`, naming the field,
//! the character (as U+XXXX) and where it is. Scans bytes: no allocation
//! unless something is found.
//!
//! Control characters are C0 (U+0000–U+001F), DEL (U+007F) and C1
//! (U+0080–U+009F). A NUL ends a string in C and truncates or breaks what
//! is stored downstream; the others are invisible in every screen a person
//! checks a client on. Tab is refused like the rest: in a one-line field it
//! is pasted dirt, not data. Only the client's notes, which are free text
//! over several lines, may hold tab, line feed and carriage return. The code
//! is 4 INVALID_PARAMETERS (Mambu has none for bad characters), except in
//! the client id (see `check_id`).

use crate::field_error::FieldError;
use crate::model::{Address, Client, CustomFieldValue, IdDocument, ReturnCode};

/// Which control characters a field may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lines {
    /// None at all.
    One,
    /// Tab, line feed and carriage return (free text over several lines).
    Many,
}

/// The first control character of `s` that `lines` does not allow, with
/// its 1-based position in characters.
pub(crate) fn first_control(s: &str, lines: Lines) -> Option<(usize, char)> {
    if !suspicious(s) {
        return None;
    }
    s.chars()
        .enumerate()
        .find(|&(_, c)| {
            c.is_control() && !(lines == Lines::Many && matches!(c, '\t' | '\n' | '\r'))
        })
        .map(|(i, c)| (i + 1, c))
}

/// Whether `s` may hold a control character: every one's UTF-8 starts with
/// a byte below 0x20, 0x7F or 0xC2 (C1 is C2 80..C2 9F), and most values
/// have none of these. A row has some ninety values to scan, so eight
/// bytes are tested at a time ("has a byte less than n" and "has a zero
/// byte" word tricks, exact for whether any byte matches).
fn suspicious(s: &str) -> bool {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    let below_0x20 = |w: u64| w.wrapping_sub(ONES * 0x20) & !w & HIGHS != 0;
    let has_zero = |w: u64| w.wrapping_sub(ONES) & !w & HIGHS != 0;
    let test = |w: u64| below_0x20(w) | has_zero(w ^ (ONES * 0x7F)) | has_zero(w ^ (ONES * 0xC2));
    let mut words = s.as_bytes().chunks_exact(8);
    for chunk in &mut words {
        let mut b = [0; 8];
        b.copy_from_slice(chunk);
        if test(u64::from_ne_bytes(b)) {
            return true;
        }
    }
    // The tail as one more word, padded with a harmless byte.
    let tail = words.remainder();
    let mut b = [b'A'; 8];
    b[..tail.len()].copy_from_slice(tail);
    test(u64::from_ne_bytes(b))
}

/// How a character is named in a message: `U+0000 (NUL)`.
pub(crate) fn describe(c: char) -> String {
    let name = match c {
        '\0' => " (NUL)",
        '\t' => " (tab)",
        '\n' => " (line feed)",
        '\r' => " (carriage return)",
        '\u{1b}' => " (escape)",
        '\u{7f}' => " (delete)",
        _ => "",
    };
    format!("U+{:04X}{name}", c as u32)
}

/// Appends 4 INVALID_PARAMETERS when `value` holds a control character.
/// `path` is only built when there is something to report.
fn check_text(
    path: impl FnOnce() -> String,
    label: &str,
    value: Option<&str>,
    lines: Lines,
    out: &mut Vec<FieldError>,
) {
    if let Some((at, c)) = value.and_then(|v| first_control(v, lines)) {
        out.push(FieldError::error(
            path(),
            ReturnCode::InvalidParameters,
            format!(
                "{label} contains the control character {} at character {at}",
                describe(c)
            ),
        ));
    }
}

/// Why a client id cannot be taken, if it cannot: `.` and `..`, a
/// character that ends or escapes a URL path segment (`/ \ ? # %`), or a
/// control character other than whitespace (whitespace is 3303's).
pub(crate) fn id_problem(id: &str) -> Option<String> {
    if matches!(id, "." | "..") {
        return Some(format!(
            "client id '{id}' cannot be used: in a URL it names the client list, not a client"
        ));
    }
    let (at, c) = id
        .chars()
        .enumerate()
        .find(|&(_, c)| {
            matches!(c, '/' | '\\' | '?' | '#' | '%') || (c.is_control() && !c.is_whitespace())
        })
        .map(|(i, c)| (i + 1, c))?;
    Some(if c.is_control() {
        format!(
            "client id contains the control character {} at character {at}",
            describe(c)
        )
    } else {
        format!(
            "client id contains '{c}' at character {at}; / \\ ? # % cannot travel in a URL path"
        )
    })
}

/// The client id's characters. The code is 301 INVALID_CLIENT_ID rather
/// than 149 INVALID_ID: 301 is what Mambu answers about client ids (an
/// unusable or unknown one), and what a look-up of such an id by URL comes
/// to; 149 is the generic code of other entities' ids.
pub(crate) fn check_id(id: &str, out: &mut Vec<FieldError>) {
    if let Some(message) = id_problem(id) {
        out.push(FieldError::error(
            "client.id",
            ReturnCode::InvalidClientId,
            message,
        ));
    }
}

/// Control characters in the client's own text (the id has `check_id`).
pub(crate) fn check_client(c: &Client, out: &mut Vec<FieldError>) {
    let one = [
        ("client.encodedKey", "encoded key", &c.encoded_key),
        ("client.firstName", "first name", &c.first_name),
        ("client.middleName", "middle name", &c.middle_name),
        ("client.lastName", "last name", &c.last_name),
        ("client.homePhone", "home phone", &c.home_phone),
        ("client.mobilePhone1", "mobile phone", &c.mobile_phone1),
        (
            "client.mobilePhone2",
            "second mobile phone",
            &c.mobile_phone2,
        ),
        ("client.emailAddress", "e-mail address", &c.email_address),
        ("client.birthDate", "birth date", &c.birth_date),
        ("client.assignedBranchKey", "branch", &c.assigned_branch_key),
        ("client.assignedCentreKey", "centre", &c.assigned_centre_key),
        (
            "client.assignedUserKey",
            "credit officer",
            &c.assigned_user_key,
        ),
        ("client.idPattern", "id pattern", &c.id_pattern),
    ];
    for (field, label, value) in one {
        check_text(
            || field.to_string(),
            label,
            value.as_deref(),
            Lines::One,
            out,
        );
    }
    let role = c
        .client_role
        .as_ref()
        .and_then(|r| r.encoded_key.as_deref());
    check_text(
        || "client.clientRole.encodedKey".to_string(),
        "client role",
        role,
        Lines::One,
        out,
    );
    let enums = [
        (
            "client.gender",
            "gender",
            c.gender.as_ref().map(|g| g.as_str()),
        ),
        (
            "client.state",
            "client state",
            c.state.as_ref().map(|s| s.as_str()),
        ),
        (
            "client.preferredLanguage",
            "preferred language",
            c.preferred_language.as_ref().map(|l| l.as_str()),
        ),
    ];
    for (field, label, value) in enums {
        check_text(|| field.to_string(), label, value, Lines::One, out);
    }
    check_text(
        || "client.notes".to_string(),
        "notes",
        c.notes.as_deref(),
        Lines::Many,
        out,
    );
}

/// Control characters in every address given (not only the stored first).
pub(crate) fn check_addresses(addresses: &[Address], out: &mut Vec<FieldError>) {
    for (i, a) in addresses.iter().enumerate() {
        let texts = [
            ("line1", &a.line1),
            ("line2", &a.line2),
            ("city", &a.city),
            ("region", &a.region),
            ("postcode", &a.postcode),
            ("country", &a.country),
            ("addressType", &a.address_type),
            ("encodedKey", &a.encoded_key),
        ];
        for (name, value) in texts {
            check_text(
                || format!("addresses[{i}].{name}"),
                name,
                value.as_deref(),
                Lines::One,
                out,
            );
        }
    }
}

/// Control characters in every ID document.
pub(crate) fn check_id_documents(docs: &[IdDocument], out: &mut Vec<FieldError>) {
    for (i, d) in docs.iter().enumerate() {
        let texts = [
            ("documentType", "document type", &d.document_type),
            ("documentId", "document number", &d.document_id),
            (
                "issuingAuthority",
                "issuing authority",
                &d.issuing_authority,
            ),
            ("validUntil", "valid-until date", &d.valid_until),
            (
                "identificationDocumentTemplateKey",
                "template key",
                &d.identification_document_template_key,
            ),
            ("encodedKey", "encoded key", &d.encoded_key),
        ];
        for (name, label, value) in texts {
            check_text(
                || format!("idDocuments[{i}].{name}"),
                label,
                value.as_deref(),
                Lines::One,
                out,
            );
        }
    }
}

/// Control characters in custom field values and the ids they name. A
/// value's path is `customInformation[<id>]` as elsewhere, or its index
/// when the id itself is unusable.
pub(crate) fn check_custom_values(values: &[CustomFieldValue], out: &mut Vec<FieldError>) {
    for (i, v) in values.iter().enumerate() {
        let texts = [
            &v.custom_field_id,
            &v.custom_field_key,
            &v.linked_entity_key_value,
            &v.selection_key,
            &v.encoded_key,
            &v.value,
        ];
        if !texts.iter().any(|t| t.as_deref().is_some_and(suspicious)) {
            continue;
        }
        let reference = super::custom_fields::reference(v);
        let clean_ref = reference.filter(|r| first_control(r, Lines::One).is_none());
        let path = |name: Option<&str>| {
            let at = match clean_ref {
                Some(r) => format!("customInformation[{r}]"),
                None => format!("customInformation[{i}]"),
            };
            match name {
                Some(n) => format!("{at}.{n}"),
                None => at,
            }
        };
        let texts = [
            ("customFieldID", "custom field id", &v.custom_field_id),
            ("customFieldKey", "custom field key", &v.custom_field_key),
            (
                "linkedEntityKeyValue",
                "linked entity key",
                &v.linked_entity_key_value,
            ),
            ("selectionKey", "selection key", &v.selection_key),
            ("encodedKey", "encoded key", &v.encoded_key),
        ];
        for (name, label, value) in texts {
            check_text(
                || path(Some(name)),
                label,
                value.as_deref(),
                Lines::One,
                out,
            );
        }
        check_text(
            || path(None),
            "custom field value",
            v.value.as_deref(),
            Lines::One,
            out,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(out: &[FieldError]) -> Vec<(String, u16, String)> {
        out.iter()
            .map(|e| (e.field.clone(), e.code.code(), e.message.clone()))
            .collect()
    }

    #[test]
    fn control_characters_are_found_by_position() {
        assert_eq!(first_control("Anna", Lines::One), None);
        assert_eq!(first_control("Łódź Ünal 李", Lines::One), None);
        assert_eq!(first_control("An\0na", Lines::One), Some((3, '\0')));
        assert_eq!(first_control("é\u{85}", Lines::One), Some((2, '\u{85}')));
        assert_eq!(first_control("a\u{7f}", Lines::One), Some((2, '\u{7f}')));
        assert_eq!(first_control("a\tb", Lines::One), Some((2, '\t')));
        assert_eq!(first_control("a\tb\r\nc", Lines::Many), None);
        assert_eq!(
            first_control("a\nb\u{1b}", Lines::Many),
            Some((4, '\u{1b}'))
        );
        // C2 A0 (no-break space) starts like C1 but is not a control.
        assert_eq!(first_control("a\u{a0}b", Lines::One), None);
        // Every position of a long value, in the words and in the tail.
        for len in [1, 7, 8, 9, 16, 23] {
            for at in 0..len {
                for bad in ['\0', '\u{1f}', '\u{7f}', '\u{85}'] {
                    let mut v: Vec<char> = "abcdefghijklmnopqrstuvwxyz"[..len].chars().collect();
                    v[at] = bad;
                    let v: String = v.into_iter().collect();
                    assert_eq!(first_control(&v, Lines::One), Some((at + 1, bad)), "{v:?}");
                }
            }
            let clean = "é ~!ÿΩ李 zZ09-_.@ ".repeat(3);
            assert!(!suspicious(
                &clean[..clean.char_indices().nth(len).unwrap().0]
            ));
        }
        assert_eq!(describe('\0'), "U+0000 (NUL)");
        assert_eq!(describe('\u{9b}'), "U+009B");
    }

    #[test]
    fn ids_that_cannot_travel_in_a_path_are_301() {
        for good in ["C-1", "a.b", "...", ".x", "x.", "Łódź_7", "a+b=c@d"] {
            assert_eq!(id_problem(good), None, "{good:?}");
        }
        let cases = [
            (
                ".",
                "client id '.' cannot be used: in a URL it names the client list, not a client",
            ),
            (
                "..",
                "client id '..' cannot be used: in a URL it names the client list, not a client",
            ),
            (
                "a/b",
                "client id contains '/' at character 2; / \\ ? # % cannot travel in a URL path",
            ),
            (
                "../../etc/passwd",
                "client id contains '/' at character 3; / \\ ? # % cannot travel in a URL path",
            ),
            (
                "a\\b",
                "client id contains '\\' at character 2; / \\ ? # % cannot travel in a URL path",
            ),
            (
                "x?y",
                "client id contains '?' at character 2; / \\ ? # % cannot travel in a URL path",
            ),
            (
                "#1",
                "client id contains '#' at character 1; / \\ ? # % cannot travel in a URL path",
            ),
            (
                "100%",
                "client id contains '%' at character 4; / \\ ? # % cannot travel in a URL path",
            ),
            (
                "C\u{0}1",
                "client id contains the control character U+0000 (NUL) at character 2",
            ),
            (
                "C\u{7f}",
                "client id contains the control character U+007F (delete) at character 2",
            ),
        ];
        for (id, message) in cases {
            let mut out = Vec::new();
            check_id(id, &mut out);
            assert_eq!(
                codes(&out),
                [("client.id".to_string(), 301, message.to_string())],
                "{id:?}"
            );
        }
        // Whitespace controls are 3303 ID_CONTAINS_SPACES, reported elsewhere.
        assert_eq!(id_problem("a\tb"), None);
    }

    #[test]
    fn every_text_of_a_request_is_checked() {
        let client = Client {
            first_name: Some("An\0na".into()),
            last_name: Some("Berg".into()),
            notes: Some("line one\n\tline two\r\n".into()),
            assigned_branch_key: Some("B1\u{1}".into()),
            ..Client::default()
        };
        let mut out = Vec::new();
        check_client(&client, &mut out);
        assert_eq!(
            codes(&out),
            [
                (
                    "client.firstName".into(),
                    4,
                    "first name contains the control character U+0000 (NUL) at character 3".into()
                ),
                (
                    "client.assignedBranchKey".into(),
                    4,
                    "branch contains the control character U+0001 at character 3".into()
                ),
            ]
        );
        let mut out = Vec::new();
        check_client(
            &Client {
                notes: Some("ok\0".into()),
                ..Client::default()
            },
            &mut out,
        );
        assert_eq!(out[0].field, "client.notes", "NUL is refused even in notes");

        let mut out = Vec::new();
        check_addresses(
            &[
                Address::default(),
                Address {
                    city: Some("Ber\tlin".into()),
                    ..Address::default()
                },
            ],
            &mut out,
        );
        assert_eq!(
            codes(&out),
            [(
                "addresses[1].city".into(),
                4,
                "city contains the control character U+0009 (tab) at character 4".into()
            )]
        );

        let mut out = Vec::new();
        check_id_documents(
            &[IdDocument {
                document_id: Some("X\u{0}1".into()),
                ..IdDocument::default()
            }],
            &mut out,
        );
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].field, "idDocuments[0].documentId");

        let mut out = Vec::new();
        check_custom_values(
            &[
                CustomFieldValue {
                    custom_field_id: Some("Tax_No".into()),
                    value: Some("12\u{0}3".into()),
                    ..CustomFieldValue::default()
                },
                CustomFieldValue {
                    custom_field_id: Some("Bad\u{0}".into()),
                    value: Some("x".into()),
                    ..CustomFieldValue::default()
                },
            ],
            &mut out,
        );
        assert_eq!(
            codes(&out),
            [
                (
                    "customInformation[Tax_No]".into(),
                    4,
                    "custom field value contains the control character U+0000 (NUL) at character 3"
                        .into()
                ),
                (
                    "customInformation[1].customFieldID".into(),
                    4,
                    "custom field id contains the control character U+0000 (NUL) at character 4"
                        .into()
                ),
            ]
        );
    }
}
