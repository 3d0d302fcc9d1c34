//! A valid row's request body as the push reads it: once, shallowly.
//!
//! In: the body the check wrote for the row (`{"client":{…},…}`, with
//! `documentFiles` when the row has images). Out: a [`Request`] with the
//! client id, the state the row asks for, the create body (the request
//! without what the server owns) and the document files. The create path
//! needs no more, so only the top level and the `client` object are split
//! into raw entries; the whole request is parsed into a `Value` only when
//! an upsert merges it or ownership compares it ([`Request::mapped`]). Fails
//! (`None`) when the body is not a JSON object or names no client id.

use std::borrow::Cow;
use std::fmt;
use std::path::PathBuf;
use std::sync::OnceLock;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::Value;

use super::documents::{take_files, FILES_KEY};
use crate::mapping::DocumentKind;
use crate::model::SERVER_OWNED_FIELDS;

/// A valid row's request body, read once where the check hands it over.
pub struct Request {
    /// The client id (the row's key on the target).
    pub client_id: String,
    /// The legacy state the row asks for, reached after a create by PATCH.
    pub wanted_state: Option<String>,
    /// The create body: the request without what the server owns.
    pub create_body: Vec<u8>,
    /// The row's image files, uploaded after the create or update.
    pub documents: Vec<(DocumentKind, PathBuf)>,
    /// The request as mapped (without the document files), parsed on
    /// first use from `source`.
    mapped: OnceLock<Value>,
    source: Vec<u8>,
}

impl Request {
    /// Reads a request body; `None` when it is not JSON or names no client id.
    pub fn read(payload: &[u8]) -> Option<Request> {
        let top: Entries = serde_json::from_slice(payload).ok()?;
        if top.get(FILES_KEY).is_some() {
            return Self::read_with_documents(payload);
        }
        let client: Entries = serde_json::from_str(top.get("client")?.get()).ok()?;
        let client_id: String = serde_json::from_str(client.get("id")?.get()).ok()?;
        let wanted_state = client
            .get("state")
            .and_then(|s| serde_json::from_str::<String>(s.get()).ok());
        let owned = |k: &str| SERVER_OWNED_FIELDS.contains(&k);
        let create_body = if client.0.iter().any(|(k, _)| owned(k)) {
            without_server_owned(&top, &client)
        } else {
            payload.to_vec()
        };
        Some(Request {
            client_id,
            wanted_state,
            create_body,
            documents: Vec::new(),
            mapped: OnceLock::new(),
            source: payload.to_vec(),
        })
    }

    /// The rare body with document files: parsed whole, the files taken out.
    fn read_with_documents(payload: &[u8]) -> Option<Request> {
        let mut mapped: Value = serde_json::from_slice(payload).ok()?;
        let documents = take_files(&mut mapped);
        let source = serde_json::to_vec(&mapped).ok()?;
        let mut request = Self::read(&source)?;
        request.documents = documents;
        request.mapped = OnceLock::from(mapped);
        Some(request)
    }

    /// The request as mapped (an upsert merges it, ownership compares it).
    pub fn mapped(&self) -> &Value {
        self.mapped.get_or_init(|| {
            // `read` parsed these bytes as a JSON object already.
            serde_json::from_slice(&self.source).unwrap_or(Value::Null)
        })
    }
}

/// `top` with the server-owned entries left out of its `client` object; the
/// other entries are copied as they were written.
fn without_server_owned(top: &Entries, client: &Entries) -> Vec<u8> {
    let mut out = Vec::with_capacity(1024);
    out.push(b'{');
    for (i, (key, value)) in top.0.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_key(&mut out, key);
        if key == "client" {
            out.push(b'{');
            let kept = client
                .0
                .iter()
                .filter(|(k, _)| !SERVER_OWNED_FIELDS.contains(&&**k));
            for (j, (k, v)) in kept.enumerate() {
                if j > 0 {
                    out.push(b',');
                }
                write_key(&mut out, k);
                out.extend_from_slice(v.get().as_bytes());
            }
            out.push(b'}');
        } else {
            out.extend_from_slice(value.get().as_bytes());
        }
    }
    out.push(b'}');
    out
}

fn write_key(out: &mut Vec<u8>, key: &str) {
    // A key serialises as a JSON string; writing into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, key);
    out.push(b':');
}

/// A JSON object's entries in their order, each value left unparsed.
struct Entries<'a>(Vec<(Cow<'a, str>, &'a RawValue)>);

impl<'a> Entries<'a> {
    fn get(&self, key: &str) -> Option<&'a RawValue> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| *v)
    }
}

impl<'de> serde::Deserialize<'de> for Entries<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Object;
        impl<'de> Visitor<'de> for Object {
            type Value = Entries<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut m: M) -> Result<Entries<'de>, M::Error> {
                let mut entries = Vec::with_capacity(8);
                while let Some(key) = m.next_key::<Key<'de>>()? {
                    entries.push((key.0, m.next_value::<&'de RawValue>()?));
                }
                Ok(Entries(entries))
            }
        }
        d.deserialize_map(Object)
    }
}

/// An object key, borrowed from the body unless it had escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Text;
        impl<'de> Visitor<'de> for Text {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(s)))
            }
            fn visit_str<E>(self, s: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(s.to_string())))
            }
        }
        d.deserialize_str(Text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_is_read_once_and_its_create_body_carries_nothing_the_server_owns() {
        let row = br#"{"client":{"id":"1","state":"ACTIVE","loanCycle":3,"approvedDate":"2001-01-01","firstName":"A"},"addresses":[]}"#;
        let r = Request::read(row).unwrap();
        assert_eq!(r.client_id, "1");
        assert_eq!(r.wanted_state.as_deref(), Some("ACTIVE"));
        let body: Value = serde_json::from_slice(&r.create_body).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"client": {"id": "1", "firstName": "A"}, "addresses": []})
        );
        // The request as mapped keeps the state the row asks for.
        assert_eq!(r.mapped(), &serde_json::from_slice::<Value>(row).unwrap());
        let plain = br#"{"client":{"id":"2"}}"#;
        assert_eq!(Request::read(plain).unwrap().create_body, plain.to_vec());
        assert!(Request::read(br#"{"client":{}}"#).is_none());
        assert!(Request::read(br#"{"client":{"id":7}}"#).is_none());
        assert!(Request::read(br#"[{"client":{"id":"1"}}]"#).is_none());
        assert!(Request::read(b"not json").is_none());
    }

    /// The create body equals the whole parse with the owned keys removed,
    /// whatever the values hold: escapes, unicode, nested lists, nulls.
    #[test]
    fn the_create_body_is_the_request_less_the_server_s_fields_for_any_values() {
        let row = serde_json::json!({
            "client": {"id": "Q\"1\\", "state": "EXITED", "encodedKey": "k", "firstName": "Zoë \u{1F600}",
                       "notes": "line\nbreak", "birthDate": null, "clientRole": {"encodedKey": "r"},
                       "migrationEvent": {"encodedKey": "e"}},
            "addresses": [{"line1": "1, \"Main\"", "city": "Łódź"}],
            "customInformation": [{"customFieldID": "A", "value": "1", "customFieldSetGroupIndex": 0}],
            "idDocuments": []
        });
        let bytes = serde_json::to_vec(&row).unwrap();
        let r = Request::read(&bytes).unwrap();
        assert_eq!(r.client_id, "Q\"1\\");
        let mut want = row.clone();
        for k in SERVER_OWNED_FIELDS {
            want["client"].as_object_mut().unwrap().remove(*k);
        }
        let got: Value = serde_json::from_slice(&r.create_body).unwrap();
        assert_eq!(got, want);
        assert_eq!(
            got["client"]["clientRole"]["encodedKey"], "r",
            "only the client's own keys go"
        );
        assert_eq!(r.mapped(), &row);
    }

    #[test]
    fn document_files_are_taken_out_of_the_request_and_its_create_body() {
        let row = br#"{"client":{"id":"D1","state":"ACTIVE"},"documentFiles":{"PROFILE_PICTURE":"img/a.png"}}"#;
        let r = Request::read(row).unwrap();
        assert_eq!(r.documents.len(), 1);
        assert_eq!(r.documents[0].1, PathBuf::from("img/a.png"));
        let body: Value = serde_json::from_slice(&r.create_body).unwrap();
        assert_eq!(body, serde_json::json!({"client": {"id": "D1"}}));
        assert_eq!(
            r.mapped(),
            &serde_json::json!({"client": {"id": "D1", "state": "ACTIVE"}})
        );
    }
}
