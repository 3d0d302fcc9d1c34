//! Rules on the client record's own fields: names, id (its length, spaces,
//! and the characters `characters` refuses), e-mail, birth date, closed
//! value sets and text lengths. None of them needs the tenant.
//!
//! In: the `Client` and the check options. Out: findings appended to `out`.

use crate::field_error::FieldError;
use crate::model::{Client, ReturnCode};

use super::dates::{parse_mambu_date, MAMBU_DATE_FORMS};
use super::email::check_email;
use super::text::{check_length, non_blank, quoted, MAX_NOTES, MAX_TEXT};
use super::CheckOptions;

/// Mambu's migration template limit on entity ids.
const MAX_CLIENT_ID: usize = 32;

/// Checks the client's own fields.
pub(crate) fn check(client: &Client, opts: &CheckOptions, out: &mut Vec<FieldError>) {
    required(
        client.first_name.as_deref(),
        "client.firstName",
        "first name",
        out,
    );
    required(
        client.last_name.as_deref(),
        "client.lastName",
        "last name",
        out,
    );
    check_id(client.id.as_deref(), opts, out);
    if let Some(email) = client.email_address.as_deref().filter(|e| !e.is_empty()) {
        if let Err(why) = check_email(email) {
            out.push(FieldError::error(
                "client.emailAddress",
                ReturnCode::EmailAddressFormatIsInvalid,
                format!("e-mail address {} is not valid: {why}", quoted(email)),
            ));
        }
    }
    if let Some(birth) = client.birth_date.as_deref() {
        check_birth_date(birth, opts, out);
    }
    check_value_sets(client, out);
    check_lengths(client, out);
}

fn required(value: Option<&str>, field: &str, label: &str, out: &mut Vec<FieldError>) {
    if non_blank(value).is_none() {
        out.push(FieldError::error(
            field,
            ReturnCode::MissingRequiredParameter,
            format!("{label} is missing"),
        ));
    }
}

fn check_id(id: Option<&str>, opts: &CheckOptions, out: &mut Vec<FieldError>) {
    let Some(id) = id.filter(|i| !i.is_empty()) else {
        if opts.require_id {
            out.push(FieldError::error(
                "client.id",
                ReturnCode::MissingClientId,
                "client id is missing",
            ));
        }
        return;
    };
    if let Some(n) = super::text::too_long(id, MAX_CLIENT_ID) {
        out.push(FieldError::error(
            "client.id",
            ReturnCode::InvalidClientId,
            format!(
                "client id {} is {n} characters long; at most {MAX_CLIENT_ID} are allowed",
                quoted(id)
            ),
        ));
    }
    if id.chars().any(char::is_whitespace) {
        out.push(FieldError::error(
            "client.id",
            ReturnCode::IdContainsSpaces,
            format!("client id {} contains whitespace", quoted(id)),
        ));
    }
    super::characters::check_id(id, out);
}

fn check_birth_date(birth: &str, opts: &CheckOptions, out: &mut Vec<FieldError>) {
    let earliest = jiff::civil::date(1900, 1, 1);
    let problem = match parse_mambu_date(birth) {
        Err(p) => format!(
            "birth date {} is {}",
            quoted(birth),
            p.describe(MAMBU_DATE_FORMS)
        ),
        Ok(d) if d > opts.today => format!("birth date {d} is in the future"),
        Ok(d) if d < earliest => format!("birth date {d} is before {earliest}"),
        Ok(_) => return,
    };
    out.push(FieldError::error(
        "client.birthDate",
        ReturnCode::InvalidBirthDate,
        problem,
    ));
}

fn check_value_sets(client: &Client, out: &mut Vec<FieldError>) {
    if let Some(g) = client.gender.as_ref().filter(|g| !g.is_known()) {
        out.push(FieldError::error(
            "client.gender",
            ReturnCode::InvalidParameters,
            format!("gender {} is not MALE or FEMALE", quoted(g.as_str())),
        ));
    }
    if let Some(s) = client.state.as_ref().filter(|s| !s.is_known()) {
        out.push(FieldError::error(
            "client.state",
            ReturnCode::InvalidClientState,
            format!(
                "client state {} is not a Mambu client state",
                quoted(s.as_str())
            ),
        ));
    }
    if let Some(l) = client.preferred_language.as_ref().filter(|l| !l.is_known()) {
        out.push(FieldError::error(
            "client.preferredLanguage",
            ReturnCode::InvalidLanguage,
            format!(
                "preferred language {} is not a Mambu language",
                quoted(l.as_str())
            ),
        ));
    }
    let portal = client
        .portal_preferences
        .as_ref()
        .and_then(|p| p.portal_state.as_ref());
    if let Some(p) = portal.filter(|p| !p.is_known()) {
        out.push(FieldError::error(
            "client.portalPreferences.portalState",
            ReturnCode::InvalidParameters,
            format!(
                "portal state {} is not ENABLED or DISABLED",
                quoted(p.as_str())
            ),
        ));
    }
}

fn check_lengths(c: &Client, out: &mut Vec<FieldError>) {
    let fields = [
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
    ];
    for (field, label, value) in fields {
        check_length(|| field.to_string(), label, value.as_deref(), MAX_TEXT, out);
    }
    check_length(
        || "client.notes".to_string(),
        "notes",
        c.notes.as_deref(),
        MAX_NOTES,
        out,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ClientState, Gender, PortalPreferences, PortalState, PreferredLanguage};
    use jiff::civil::date;

    fn opts() -> CheckOptions {
        CheckOptions {
            today: date(2025, 6, 1),
            require_id: false,
        }
    }

    fn client() -> Client {
        Client {
            id: Some("C-1".into()),
            first_name: Some("Anna".into()),
            last_name: Some("Berg".into()),
            ..Client::default()
        }
    }

    fn run(c: &Client, opts: &CheckOptions) -> Vec<FieldError> {
        let mut out = Vec::new();
        check(c, opts, &mut out);
        out
    }

    fn codes(out: &[FieldError]) -> Vec<(String, u16)> {
        out.iter()
            .map(|e| (e.field.clone(), e.code.code()))
            .collect()
    }

    #[test]
    fn a_plain_client_passes() {
        assert!(run(&client(), &opts()).is_empty());
    }

    #[test]
    fn names_are_required() {
        let c = Client {
            first_name: None,
            last_name: Some("  ".into()),
            ..client()
        };
        let out = run(&c, &opts());
        assert_eq!(
            codes(&out),
            [
                ("client.firstName".into(), 31),
                ("client.lastName".into(), 31)
            ]
        );
        assert_eq!(out[0].message, "first name is missing");
    }

    #[test]
    fn id_is_required_only_when_asked() {
        let c = Client {
            id: None,
            ..client()
        };
        assert!(run(&c, &opts()).is_empty());
        let strict = CheckOptions {
            require_id: true,
            ..opts()
        };
        assert_eq!(codes(&run(&c, &strict)), [("client.id".into(), 300)]);
        let empty = Client {
            id: Some(String::new()),
            ..client()
        };
        assert_eq!(codes(&run(&empty, &strict)), [("client.id".into(), 300)]);
        assert!(run(&client(), &strict).is_empty());
    }

    #[test]
    fn id_length_and_spaces() {
        let c = Client {
            id: Some("x".repeat(32)),
            ..client()
        };
        assert!(run(&c, &opts()).is_empty());
        let c = Client {
            id: Some("x".repeat(33)),
            ..client()
        };
        assert_eq!(codes(&run(&c, &opts())), [("client.id".into(), 301)]);
        let c = Client {
            id: Some("C 1".into()),
            ..client()
        };
        let out = run(&c, &opts());
        assert_eq!(codes(&out), [("client.id".into(), 3303)]);
        assert_eq!(out[0].message, "client id 'C 1' contains whitespace");
    }

    #[test]
    fn email_must_be_plausible() {
        let c = Client {
            email_address: Some("anna@example.com".into()),
            ..client()
        };
        assert!(run(&c, &opts()).is_empty());
        let c = Client {
            email_address: Some("anna(at)example.com".into()),
            ..client()
        };
        let out = run(&c, &opts());
        assert_eq!(codes(&out), [("client.emailAddress".into(), 711)]);
        assert_eq!(
            out[0].message,
            "e-mail address 'anna(at)example.com' is not valid: it has no '@'"
        );
    }

    #[test]
    fn birth_date_rules() {
        let with = |b: &str| Client {
            birth_date: Some(b.into()),
            ..client()
        };
        assert!(run(&with("1987-07-08"), &opts()).is_empty());
        assert!(run(&with("1987-07-08T00:00:00+0200"), &opts()).is_empty());
        assert!(
            run(&with("2025-06-01"), &opts()).is_empty(),
            "today is not the future"
        );
        assert!(run(&with("1900-01-01"), &opts()).is_empty());
        let cases = [
            ("2031-02-01", "birth date 2031-02-01 is in the future"),
            ("1899-12-31", "birth date 1899-12-31 is before 1900-01-01"),
            ("1987-02-30", "birth date '1987-02-30' is not a real date"),
            (
                "08.07.1987",
                "birth date '08.07.1987' is not in the form YYYY-MM-DD or YYYY-MM-DDThh:mm:ss+hhmm",
            ),
        ];
        for (b, msg) in cases {
            let out = run(&with(b), &opts());
            assert_eq!(codes(&out), [("client.birthDate".into(), 309)], "{b}");
            assert_eq!(out[0].message, msg);
        }
    }

    #[test]
    fn closed_value_sets() {
        let good = Client {
            gender: Some(Gender::Female),
            state: Some(ClientState::Active),
            preferred_language: Some(PreferredLanguage::English),
            portal_preferences: Some(PortalPreferences {
                portal_state: Some(PortalState::Enabled),
                ..PortalPreferences::default()
            }),
            ..client()
        };
        assert!(run(&good, &opts()).is_empty());
        let bad = Client {
            gender: Some(Gender::parse("F")),
            state: Some(ClientState::parse("LIVE")),
            preferred_language: Some(PreferredLanguage::parse("GERMAN")),
            portal_preferences: Some(PortalPreferences {
                portal_state: Some(PortalState::parse("ON")),
                ..PortalPreferences::default()
            }),
            ..client()
        };
        let out = run(&bad, &opts());
        assert_eq!(
            codes(&out),
            [
                ("client.gender".into(), 4),
                ("client.state".into(), 305),
                ("client.preferredLanguage".into(), 2427),
                ("client.portalPreferences.portalState".into(), 4),
            ]
        );
        assert_eq!(out[0].message, "gender 'F' is not MALE or FEMALE");
    }

    #[test]
    fn text_lengths() {
        let c = Client {
            middle_name: Some("m".repeat(255)),
            mobile_phone2: Some("1".repeat(256)),
            notes: Some("n".repeat(65_535)),
            ..client()
        };
        assert_eq!(
            codes(&run(&c, &opts())),
            [("client.mobilePhone2".into(), 4)]
        );
        let c = Client {
            home_phone: Some("ß".repeat(256)),
            notes: Some("n".repeat(65_536)),
            ..client()
        };
        assert_eq!(
            codes(&run(&c, &opts())),
            [("client.homePhone".into(), 4), ("client.notes".into(), 4)]
        );
    }
}
