//! The url-encoded form of create: `POST /api/clients` with
//! `application/x-www-form-urlencoded` parameters
//! (`firstName=Trevor&lastName=Linden`).
//!
//! In: the body. Out: the JSON request body it stands for — client fields
//! under Mambu's form names (`homephone`, `mobilephone1`, `email`, …, any
//! case; the JSON names are accepted too), one address (`line1`, `city`,
//! …) and one ID document (`documentType`, `documentId`, …) — which the
//! create handler then reads and validates like any JSON body. A parameter
//! Ferry does not know is kept as a client field, as an unknown JSON client
//! field is. Fails with 4 INVALID_PARAMETERS on broken percent-encoding or
//! text that is not UTF-8, naming the parameter.

use serde_json::{Map, Value};

use super::reply::ApiError;
use crate::model::ReturnCode;

/// Whether a `Content-Type` names the url-encoded form.
pub fn is_form(content_type: &[u8]) -> bool {
    let essence = content_type
        .split(|b| *b == b';')
        .next()
        .unwrap_or_default();
    essence
        .trim_ascii()
        .eq_ignore_ascii_case(b"application/x-www-form-urlencoded")
}

/// Where a form parameter goes in the JSON request.
enum Target {
    Client(&'static str),
    ClientRole,
    Address(&'static str),
    IdDocument(&'static str),
}

/// Form names (compared without regard to case) and their JSON places.
const NAMES: &[(&str, Target)] = &[
    ("id", Target::Client("id")),
    ("firstName", Target::Client("firstName")),
    ("lastName", Target::Client("lastName")),
    ("middleName", Target::Client("middleName")),
    ("homephone", Target::Client("homePhone")),
    ("mobilephone1", Target::Client("mobilePhone1")),
    ("mobilephone2", Target::Client("mobilePhone2")),
    ("email", Target::Client("emailAddress")),
    ("emailAddress", Target::Client("emailAddress")),
    ("birthDate", Target::Client("birthDate")),
    ("gender", Target::Client("gender")),
    ("notes", Target::Client("notes")),
    ("state", Target::Client("state")),
    ("preferredLanguage", Target::Client("preferredLanguage")),
    ("assignedUserKey", Target::Client("assignedUserKey")),
    ("assignedBranchKey", Target::Client("assignedBranchKey")),
    ("assignedCentreKey", Target::Client("assignedCentreKey")),
    ("clientRole", Target::ClientRole),
    ("clientRoleKey", Target::ClientRole),
    ("line1", Target::Address("line1")),
    ("line2", Target::Address("line2")),
    ("city", Target::Address("city")),
    ("region", Target::Address("region")),
    ("postcode", Target::Address("postcode")),
    ("country", Target::Address("country")),
    ("documentType", Target::IdDocument("documentType")),
    ("documentId", Target::IdDocument("documentId")),
    ("issuingAuthority", Target::IdDocument("issuingAuthority")),
    ("validUntil", Target::IdDocument("validUntil")),
    (
        "identificationDocumentTemplateKey",
        Target::IdDocument("identificationDocumentTemplateKey"),
    ),
];

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// One name or value decoded: `+` is a space, `%XX` a byte; the bytes must
/// be UTF-8.
fn decode(raw: &[u8]) -> Option<String> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hi = raw.get(i + 1).copied().and_then(hex)?;
                let lo = raw.get(i + 2).copied().and_then(hex)?;
                out.push(hi << 4 | lo);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

fn bad(name: &str) -> ApiError {
    ApiError::bad(ReturnCode::InvalidParameters, Some(name))
}

/// The JSON request a form body stands for. A repeated parameter keeps its
/// last value.
pub fn to_json(body: &[u8]) -> Result<Value, ApiError> {
    let mut client = Map::new();
    let mut address = Map::new();
    let mut document = Map::new();
    for pair in body
        .split(|b| *b == b'&')
        .filter(|p| !p.trim_ascii().is_empty())
    {
        let (raw_name, raw_value) = match pair.iter().position(|b| *b == b'=') {
            Some(at) => (&pair[..at], &pair[at + 1..]),
            None => (pair, &b""[..]),
        };
        let name = decode(raw_name.trim_ascii()).ok_or_else(|| bad("form"))?;
        let value = Value::String(decode(raw_value).ok_or_else(|| bad(&name))?);
        let target = NAMES
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(&name))
            .map(|(_, t)| t);
        match target {
            Some(Target::Client(field)) => {
                client.insert((*field).to_string(), value);
            }
            Some(Target::ClientRole) => {
                let mut role = Map::new();
                role.insert("encodedKey".into(), value);
                client.insert("clientRole".into(), Value::Object(role));
            }
            Some(Target::Address(field)) => {
                address.insert((*field).to_string(), value);
            }
            Some(Target::IdDocument(field)) => {
                document.insert((*field).to_string(), value);
            }
            None => {
                client.insert(name, value);
            }
        }
    }
    let mut req = Map::new();
    req.insert("client".into(), Value::Object(client));
    if !address.is_empty() {
        req.insert(
            "addresses".into(),
            Value::Array(vec![Value::Object(address)]),
        );
    }
    if !document.is_empty() {
        req.insert(
            "idDocuments".into(),
            Value::Array(vec![Value::Object(document)]),
        );
    }
    Ok(Value::Object(req))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_seeds_example_and_mambus_form_names() {
        assert_eq!(
            to_json(b"firstName=Trevor&lastName=Linden").unwrap(),
            json!({"client": {"firstName": "Trevor", "lastName": "Linden"}})
        );
        let v = to_json(
            b"FIRSTNAME=Ana+Maria&homephone=%2B351%20211&email=a%40b.pt&clientRole=R1&city=Porto&documentId=P1&x=%C3%A9",
        )
        .unwrap();
        assert_eq!(
            v,
            json!({
                "client": {"firstName": "Ana Maria", "homePhone": "+351 211",
                           "emailAddress": "a@b.pt", "clientRole": {"encodedKey": "R1"}, "x": "é"},
                "addresses": [{"city": "Porto"}],
                "idDocuments": [{"documentId": "P1"}]
            })
        );
    }

    #[test]
    fn broken_encoding_names_the_parameter() {
        let e = to_json(b"firstName=A&lastName=%ZZ").unwrap_err();
        assert_eq!(e.body.return_code, 4);
        assert_eq!(e.body.error_source.as_deref(), Some("lastName"));
        assert!(to_json(b"lastName=%FF").is_err(), "not UTF-8");
        assert!(to_json(b"lastName=%4").is_err(), "cut short");
    }

    #[test]
    fn content_types() {
        assert!(is_form(b"application/x-www-form-urlencoded"));
        assert!(is_form(b"Application/X-WWW-Form-Urlencoded; charset=UTF-8"));
        assert!(!is_form(b"application/json"));
    }
}
