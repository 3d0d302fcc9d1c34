//! The keys a row offers to the checks across rows, normalised and hashed.
//!
//! In: a request and the `Tenant` (unique fields and duplicate checks need
//! it; the client id does not). Out: `RowKey`s appended to `out`. A key is
//! xxh3-128 over the kind's code and the normalised parts, each part ended
//! by 0xFF (a byte UTF-8 never uses), so ("ab","c") and ("a","bc") differ.
//! Normalising streams through a small stack buffer: no allocation.

use xxhash_rust::xxh3::Xxh3Default;

use crate::model::ClientRequest;
use crate::tenant::{DuplicateCheckField, Tenant};

use super::cross_row::{KeyKind, RowKey};
use super::custom_fields::reference;
use super::dates::parse_mambu_date;

/// Ends each part of a key.
const PART_END: u8 = 0xFF;

/// Builds one key from normalised parts.
struct KeyHasher {
    hasher: Xxh3Default,
    buf: [u8; 128],
    len: usize,
    kind: KeyKind,
}

impl KeyHasher {
    fn new(kind: KeyKind) -> Self {
        let mut hasher = Xxh3Default::new();
        hasher.update(&kind.code().to_le_bytes());
        Self {
            hasher,
            buf: [0; 128],
            len: 0,
            kind,
        }
    }

    fn byte(&mut self, b: u8) {
        if self.len == self.buf.len() {
            self.hasher.update(&self.buf);
            self.len = 0;
        }
        self.buf[self.len] = b;
        self.len += 1;
    }

    fn bytes(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.byte(b);
        }
    }

    /// Adds `s` trimmed, as is. Returns whether the part is non-empty.
    fn exact(&mut self, s: &str) -> bool {
        let s = s.trim();
        self.bytes(s.as_bytes());
        self.byte(PART_END);
        !s.is_empty()
    }

    /// Adds `s` trimmed and lower-cased.
    fn lower(&mut self, s: &str) -> bool {
        let s = s.trim();
        for c in s.chars() {
            if c.is_ascii() {
                self.byte(c.to_ascii_lowercase() as u8);
            } else {
                for l in c.to_lowercase() {
                    self.bytes(l.encode_utf8(&mut [0; 4]).as_bytes());
                }
            }
        }
        self.byte(PART_END);
        !s.is_empty()
    }

    /// Adds only the ASCII digits of `s` (phone numbers).
    fn digits(&mut self, s: &str) -> bool {
        let mut any = false;
        for b in s.bytes().filter(u8::is_ascii_digit) {
            self.byte(b);
            any = true;
        }
        self.byte(PART_END);
        any
    }

    fn finish(mut self) -> RowKey {
        self.hasher.update(&self.buf[..self.len]);
        RowKey {
            kind: self.kind,
            hash: self.hasher.digest128(),
        }
    }
}

/// Seeds of the two halves of a client id's key.
const ID_FOLDED_SEED: u64 = 0x6964_5f66_6f6c_6465;
const ID_EXACT_SEED: u64 = 0x6964_5f65_7861_6374;

/// The client id's key, if the request has a non-blank id: the high 64
/// bits hash the id trimmed and lower-cased, the low 64 bits hash it
/// trimmed as written, so the spool finds both exact repeats and ids that
/// differ only by case. One-shot xxh3-64 over a stack buffer (every row
/// pays this); an id too long for the buffer streams, with the same hash.
pub(crate) fn id_key(req: &ClientRequest, out: &mut Vec<RowKey>) {
    let Some(id) = req.client.id.as_deref().map(str::trim) else {
        return;
    };
    if id.is_empty() {
        return;
    }
    let mut buf = [0u8; 128];
    let mut len = 0;
    let mut long: Option<xxhash_rust::xxh3::Xxh3> = None;
    let mut push = |bytes: &[u8]| {
        if let Some(h) = &mut long {
            h.update(bytes);
        } else if len + bytes.len() <= buf.len() {
            buf[len..len + bytes.len()].copy_from_slice(bytes);
            len += bytes.len();
        } else {
            let mut h = xxhash_rust::xxh3::Xxh3::with_seed(ID_FOLDED_SEED);
            h.update(&buf[..len]);
            h.update(bytes);
            long = Some(h);
        }
    };
    for c in id.chars() {
        if c.is_ascii() {
            push(&[c.to_ascii_lowercase() as u8]);
        } else {
            for l in c.to_lowercase() {
                push(l.encode_utf8(&mut [0; 4]).as_bytes());
            }
        }
    }
    let high = match &long {
        Some(h) => h.digest(),
        None => xxhash_rust::xxh3::xxh3_64_with_seed(&buf[..len], ID_FOLDED_SEED),
    };
    let low = xxhash_rust::xxh3::xxh3_64_with_seed(id.as_bytes(), ID_EXACT_SEED);
    out.push(RowKey {
        kind: KeyKind::ClientId,
        hash: (u128::from(high) << 64) | u128::from(low),
    });
}

/// Appends the keys of one request.
pub(crate) fn row_keys(req: &ClientRequest, tenant: &Tenant, out: &mut Vec<RowKey>) {
    let c = &req.client;
    id_key(req, out);
    if !tenant.is_known() {
        return;
    }
    for v in req.custom_information.iter().flatten() {
        let Some(def) = reference(v).and_then(|r| tenant.custom_field(r)) else {
            continue;
        };
        if !def.is_unique() {
            continue;
        }
        let index = tenant
            .custom_fields()
            .iter()
            .position(|d| std::ptr::eq(d, def));
        let Some(index) = index.and_then(|i| u32::try_from(i).ok()) else {
            continue;
        };
        let mut k = KeyHasher::new(KeyKind::UniqueValue(index));
        if k.exact(v.value.as_deref().unwrap_or_default()) {
            out.push(k.finish());
        }
    }
    for check in tenant.active_duplicate_checks() {
        let kind = KeyKind::Duplicate(check);
        let mut k = KeyHasher::new(kind);
        let complete = match check {
            DuplicateCheckField::Email => k.lower(text(&c.email_address)),
            DuplicateCheckField::HomePhone => k.digits(text(&c.home_phone)),
            DuplicateCheckField::MobilePhone => k.digits(text(&c.mobile_phone1)),
            DuplicateCheckField::FirstNameAndLastName => {
                k.lower(text(&c.first_name)) && k.lower(text(&c.last_name))
            }
            DuplicateCheckField::LastNameAndDateOfBirth => {
                let birth = parse_mambu_date(text(&c.birth_date).trim());
                let named = k.lower(text(&c.last_name));
                if let Ok(d) = birth {
                    k.bytes(&d.year().to_le_bytes());
                    k.bytes(&[d.month() as u8, d.day() as u8]);
                }
                named && birth.is_ok()
            }
            DuplicateCheckField::DocumentIdAndType => {
                for doc in req.id_documents.iter().flatten() {
                    let mut k = KeyHasher::new(kind);
                    if k.lower(text(&doc.document_type)) && k.lower(text(&doc.document_id)) {
                        out.push(k.finish());
                    }
                }
                false
            }
        };
        if complete {
            out.push(k.finish());
        }
    }
}

/// The text of an optional field, empty when absent.
fn text(s: &Option<String>) -> &str {
    s.as_deref().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CustomFieldValue, IdDocument};
    use crate::tenant::DuplicateAction;
    use crate::validate::test_tenant::{named, tenant_with};

    fn every_check() -> Tenant {
        tenant_with(|s| {
            s.duplicate_client_checks = vec![
                DuplicateCheckField::Email,
                DuplicateCheckField::HomePhone,
                DuplicateCheckField::MobilePhone,
                DuplicateCheckField::FirstNameAndLastName,
                DuplicateCheckField::LastNameAndDateOfBirth,
                DuplicateCheckField::DocumentIdAndType,
            ];
            s.duplicate_client_constraint_action = Some(DuplicateAction::Error);
        })
    }

    fn keys(req: &ClientRequest, tenant: &Tenant) -> Vec<RowKey> {
        let mut out = Vec::new();
        row_keys(req, tenant, &mut out);
        out
    }

    fn key_of(req: &ClientRequest, tenant: &Tenant, kind: KeyKind) -> Option<u128> {
        keys(req, tenant)
            .iter()
            .find(|k| k.kind == kind)
            .map(|k| k.hash)
    }

    fn full(first: &str, last: &str) -> ClientRequest {
        let mut r = named(first, last);
        r.client.id = Some("C-1".into());
        r.client.email_address = Some("Anna@Example.com".into());
        r.client.home_phone = Some("+49 30 1234".into());
        r.client.mobile_phone1 = Some("0171-555".into());
        r.client.birth_date = Some("1987-07-08".into());
        r.id_documents = Some(vec![IdDocument {
            document_type: Some("PASSPORT".into()),
            document_id: Some("AB123".into()),
            ..IdDocument::default()
        }]);
        r
    }

    #[test]
    fn every_check_yields_a_key() {
        let kinds: Vec<KeyKind> = keys(&full("Anna", "Berg"), &every_check())
            .iter()
            .map(|k| k.kind)
            .collect();
        assert_eq!(
            kinds,
            [
                KeyKind::ClientId,
                KeyKind::Duplicate(DuplicateCheckField::Email),
                KeyKind::Duplicate(DuplicateCheckField::HomePhone),
                KeyKind::Duplicate(DuplicateCheckField::MobilePhone),
                KeyKind::Duplicate(DuplicateCheckField::FirstNameAndLastName),
                KeyKind::Duplicate(DuplicateCheckField::LastNameAndDateOfBirth),
                KeyKind::Duplicate(DuplicateCheckField::DocumentIdAndType),
            ]
        );
    }

    #[test]
    fn case_spaces_and_phone_punctuation_are_normalised() {
        let t = every_check();
        let a = full("Anna", "Berg");
        let mut b = full("  ANNA ", "berg");
        b.client.email_address = Some(" anna@EXAMPLE.COM".into());
        b.client.home_phone = Some("(49) 301-234".into());
        b.client.mobile_phone1 = Some("0171 555".into());
        b.client.birth_date = Some("1987-07-08T00:00:00+0200".into());
        b.id_documents.as_mut().unwrap()[0].document_id = Some("ab123".into());
        for f in [
            DuplicateCheckField::Email,
            DuplicateCheckField::HomePhone,
            DuplicateCheckField::MobilePhone,
            DuplicateCheckField::FirstNameAndLastName,
            DuplicateCheckField::LastNameAndDateOfBirth,
            DuplicateCheckField::DocumentIdAndType,
        ] {
            let kind = KeyKind::Duplicate(f);
            assert_eq!(key_of(&a, &t, kind), key_of(&b, &t, kind), "{f:?}");
            assert!(key_of(&a, &t, kind).is_some());
        }
    }

    #[test]
    fn client_ids_are_compared_exactly_and_without_case() {
        let t = Tenant::unknown();
        let mut a = named("A", "B");
        a.client.id = Some("c-1".into());
        let mut b = a.clone();
        b.client.id = Some("C-1".into());
        let ka = key_of(&a, &t, KeyKind::ClientId).unwrap();
        let kb = key_of(&b, &t, KeyKind::ClientId).unwrap();
        assert_ne!(ka, kb);
        assert_eq!(ka >> 64, kb >> 64, "the same id without case");
        assert_ne!(ka as u64, kb as u64, "two spellings");
        b.client.id = Some("Ç-1".into());
        a.client.id = Some("ç-1".into());
        assert_eq!(
            key_of(&a, &t, KeyKind::ClientId).unwrap() >> 64,
            key_of(&b, &t, KeyKind::ClientId).unwrap() >> 64
        );
        // Folding streams past the stack buffer with the same hash.
        a.client.id = Some(format!("{}ç", "X".repeat(200)));
        b.client.id = Some(format!("{}Ç", "x".repeat(200)));
        let (ka, kb) = (
            key_of(&a, &t, KeyKind::ClientId).unwrap(),
            key_of(&b, &t, KeyKind::ClientId).unwrap(),
        );
        assert_eq!(ka >> 64, kb >> 64);
        assert_ne!(ka as u64, kb as u64);
        a.client.id = Some("ç-1".into());
        b.client.id = Some("c-2".into());
        assert_ne!(
            key_of(&a, &t, KeyKind::ClientId).unwrap() >> 64,
            key_of(&b, &t, KeyKind::ClientId).unwrap() >> 64
        );
        b.client.id = Some("ç-1".into());
        assert_eq!(
            key_of(&a, &t, KeyKind::ClientId),
            key_of(&b, &t, KeyKind::ClientId)
        );
        assert_eq!(
            keys(&a, &t).len(),
            1,
            "an unknown tenant has only the id key"
        );
    }

    #[test]
    fn different_values_and_kinds_differ() {
        let t = every_check();
        let a = full("Anna", "Berg");
        let b = full("Ann", "aBerg");
        let kind = KeyKind::Duplicate(DuplicateCheckField::FirstNameAndLastName);
        assert_ne!(
            key_of(&a, &t, kind),
            key_of(&b, &t, kind),
            "parts are delimited"
        );
        // The same text under two kinds hashes differently.
        let mut c = named("A", "B");
        c.client.home_phone = Some("123".into());
        c.client.mobile_phone1 = Some("123".into());
        let home = key_of(&c, &t, KeyKind::Duplicate(DuplicateCheckField::HomePhone));
        let mobile = key_of(&c, &t, KeyKind::Duplicate(DuplicateCheckField::MobilePhone));
        assert!(home.is_some());
        assert_ne!(home, mobile);
    }

    #[test]
    fn empty_parts_give_no_key() {
        let t = every_check();
        let mut r = named("Anna", " ");
        r.client.home_phone = Some("n/a".into());
        r.client.birth_date = Some("unknown".into());
        r.client.last_name = Some("Berg".into());
        r.client.first_name = Some("".into());
        r.id_documents = Some(vec![IdDocument {
            document_type: Some("PASSPORT".into()),
            ..IdDocument::default()
        }]);
        assert_eq!(keys(&r, &t), [], "nothing complete to compare");
    }

    #[test]
    fn one_key_per_document() {
        let t = every_check();
        let mut r = full("Anna", "Berg");
        r.id_documents.as_mut().unwrap().push(IdDocument {
            document_type: Some("NATIONAL_ID".into()),
            document_id: Some("X1".into()),
            ..IdDocument::default()
        });
        let docs = keys(&r, &t)
            .iter()
            .filter(|k| k.kind == KeyKind::Duplicate(DuplicateCheckField::DocumentIdAndType))
            .count();
        assert_eq!(docs, 2);
    }

    #[test]
    fn unique_custom_fields_yield_a_key_per_value() {
        let t = tenant_with(|_| {});
        let tax = t
            .custom_fields()
            .iter()
            .position(|d| d.id() == "Tax_No")
            .unwrap() as u32;
        let mut r = named("A", "B");
        let cf = |id: &str, v: &str| CustomFieldValue {
            custom_field_id: Some(id.into()),
            value: Some(v.into()),
            ..CustomFieldValue::default()
        };
        r.custom_information = Some(vec![
            cf("Tax_No", "12-abc"),
            cf("Income", "5"),
            cf("Tax_No", " "),
        ]);
        let ks = keys(&r, &t);
        let unique: Vec<_> = ks
            .iter()
            .filter(|k| matches!(k.kind, KeyKind::UniqueValue(_)))
            .collect();
        assert_eq!(unique.len(), 1);
        assert_eq!(unique[0].kind, KeyKind::UniqueValue(tax));
        let mut s = named("C", "D");
        s.custom_information = Some(vec![cf("Tax_No", "12-abc ")]);
        assert_eq!(
            key_of(&s, &t, KeyKind::UniqueValue(tax)),
            Some(unique[0].hash)
        );
    }

    #[test]
    fn long_parts_flush_the_buffer() {
        let t = every_check();
        let mut a = named("A", "B");
        a.client.email_address = Some(format!("{}@example.com", "X".repeat(300)));
        let mut b = a.clone();
        b.client.email_address = Some(format!("{}@example.com", "x".repeat(300)));
        let kind = KeyKind::Duplicate(DuplicateCheckField::Email);
        assert_eq!(key_of(&a, &t, kind), key_of(&b, &t, kind));
        b.client.email_address = Some(format!("{}@example.com", "x".repeat(299)));
        assert_ne!(key_of(&a, &t, kind), key_of(&b, &t, kind));
    }
}
