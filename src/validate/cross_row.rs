//! Checks that span rows: the same client id twice, a unique custom field
//! value twice, and the tenant's duplicate-client checks.
//!
//! Each row yields `RowKey`s (see `row_keys`); a `KeySpool` finds the rows
//! whose key another row has, in bounded memory; a `Duplicate` turns into
//! the finding the target would answer with.
//!
//! A client id carried by several rows is an error on EVERY one of them,
//! the first included and whatever else is wrong with it: which row is the
//! real client is for a person to decide, and sending the first would make
//! the import's outcome depend on row order. Ids that differ only by letter
//! case (`d-3`, `D-3`) are an error too (316), on every row of both
//! spellings. Mambu's API treats ids as case-sensitive strings, but
//! tenants' databases commonly compare them without case, where the second
//! create is refused with 316; worse, a look-up by id — which is how an
//! import settles a row in doubt — could then find the other client and
//! take it for its own. Renaming one costs the engineer a minute; sending
//! both risks a wrong claim of ownership. (The sandbox keeps ids
//! case-sensitive, as the API documents them.)

use crate::field_error::{FieldError, Severity};
use crate::model::ReturnCode;
use crate::tenant::{DuplicateAction, DuplicateCheckField, Tenant};

pub use super::key_spool::{Duplicates, KeySpool};

/// What a key compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyKind {
    /// The client id (316 CLIENT_ID_ALREADY_IN_USE).
    ClientId,
    /// The value of a unique custom field, by its index in
    /// `Tenant::custom_fields()` (926 DUPLICATE_UNIQUE_VALUE).
    UniqueValue(u32),
    /// One of the tenant's duplicate-client checks (310 DUPLICATE_CLIENT).
    Duplicate(DuplicateCheckField),
}

/// The tag of unique-value kinds in [`KeyKind::code`]; the field index is
/// in the low 32 bits.
const UNIQUE_TAG: u64 = 1 << 32;

impl KeyKind {
    /// Whether every row of a group is reported, the first included, and
    /// the key's hash is (case-folded, exact) halves: the client id only.
    pub fn every_row(self) -> bool {
        matches!(self, Self::ClientId)
    }

    /// A number that identifies the kind, for sorting and spill files.
    pub fn code(self) -> u64 {
        match self {
            Self::ClientId => 0,
            // 1 + the check's place in `DuplicateCheckField::ALL`.
            Self::Duplicate(f) => 1 + f.index() as u64,
            Self::UniqueValue(i) => UNIQUE_TAG | u64::from(i),
        }
    }

    /// The kind a [`code`](Self::code) stands for.
    pub fn from_code(code: u64) -> Option<Self> {
        match code {
            0 => Some(Self::ClientId),
            c if c >= UNIQUE_TAG => u32::try_from(c - UNIQUE_TAG).ok().map(Self::UniqueValue),
            c => DuplicateCheckField::from_index(c as usize - 1).map(Self::Duplicate),
        }
    }
}

/// One comparable key of a row: its kind and the xxh3-128 hash of the
/// normalised key text (with the kind mixed in). A client id's hash is two
/// 64-bit halves: the high one of the id case-folded, the low one of the id
/// as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RowKey {
    /// What the key is of (client id, unique value, duplicate check).
    pub kind: KeyKind,
    /// The hash of the normalised key text.
    pub hash: u128,
}

/// A row whose key another row has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Duplicate {
    /// The row reported.
    pub row: u64,
    /// Another row with the same key: the group's first row, or, for that
    /// first row itself (client ids), the next one.
    pub other_row: u64,
    /// What the two rows share.
    pub kind: KeyKind,
    /// The client ids are the same only when letter case is ignored.
    pub case_only: bool,
}

impl Duplicate {
    /// The finding for the row: 316 for a client id, 926 for a unique
    /// value, 310 for a duplicate check (an error when the tenant's one
    /// action is ERROR, a warning for WARNING). `None` when the tenant does
    /// not act on the check (action NONE, or no such check).
    pub fn to_field_error(&self, tenant: &Tenant) -> Option<FieldError> {
        let mut e = FieldError::error(String::new(), ReturnCode::DuplicateClient, String::new());
        self.write_field_error(tenant, &mut e).then_some(e)
    }

    /// `to_field_error` into `out`, reusing its strings (most rows of a
    /// large file may carry one of these). False, `out` untouched, when the
    /// tenant does not act on the check.
    pub fn write_field_error(&self, tenant: &Tenant, out: &mut FieldError) -> bool {
        use std::fmt::Write as _;
        let first = self.other_row;
        let (code, severity) = match self.kind {
            KeyKind::ClientId => {
                out.field.clear();
                out.field.push_str("client.id");
                out.message.clear();
                if self.case_only {
                    let _ = write!(
                        out.message,
                        "client id differs only in letter case from row {first}'s"
                    );
                } else {
                    let _ = write!(out.message, "same client id as row {first}");
                }
                (ReturnCode::ClientIdAlreadyInUse, Severity::Error)
            }
            KeyKind::UniqueValue(i) => {
                let id = tenant
                    .custom_fields()
                    .get(i as usize)
                    .map(|d| d.id())
                    .unwrap_or("?");
                out.field.clear();
                let _ = write!(out.field, "customInformation[{id}]");
                out.message.clear();
                let _ = write!(
                    out.message,
                    "same value of unique custom field '{id}' as row {first}"
                );
                (ReturnCode::DuplicateUniqueValue, Severity::Error)
            }
            KeyKind::Duplicate(check) => {
                if !tenant.active_duplicate_checks().any(|c| c == check) {
                    return false;
                }
                let severity = match tenant.duplicate_action() {
                    DuplicateAction::Error => Severity::Error,
                    DuplicateAction::Warning => Severity::Warning,
                    DuplicateAction::None => return false,
                };
                let (field, what) = describe(check);
                out.field.clear();
                out.field.push_str(field);
                out.message.clear();
                let _ = write!(out.message, "same {what} as row {first}");
                (ReturnCode::DuplicateClient, severity)
            }
        };
        out.code = code;
        out.severity = severity;
        true
    }
}

/// The field a duplicate check is reported on, and what it compares.
fn describe(check: DuplicateCheckField) -> (&'static str, &'static str) {
    match check {
        DuplicateCheckField::Email => ("client.emailAddress", "e-mail address"),
        DuplicateCheckField::HomePhone => ("client.homePhone", "home phone"),
        DuplicateCheckField::MobilePhone => ("client.mobilePhone1", "mobile phone"),
        DuplicateCheckField::FirstNameAndLastName => ("client.lastName", "first and last name"),
        DuplicateCheckField::LastNameAndDateOfBirth => {
            ("client.birthDate", "last name and birth date")
        }
        DuplicateCheckField::DocumentIdAndType => ("idDocuments", "ID document type and number"),
    }
}

/// The duplicate check a 310 finding on `field` comes from: the inverse of
/// the field each check is reported on. `None` for any other field.
pub fn check_of_field(field: &str) -> Option<DuplicateCheckField> {
    DuplicateCheckField::ALL
        .into_iter()
        .find(|&c| describe(c).0 == field)
}

/// What a duplicate check compares, read from a request body as the
/// import would send it (`{"client":{…},"idDocuments":[…]}`), for people:
/// `Jan Kowalski`, `Kowalski, born 1980-01-02`, `PASSPORT AB123`. `None`
/// when the body lacks the fields (the key is then shown another way).
pub fn key_text(check: DuplicateCheckField, body: &serde_json::Value) -> Option<String> {
    let client = |name: &str| body["client"][name].as_str().filter(|s| !s.is_empty());
    match check {
        DuplicateCheckField::Email => client("emailAddress").map(str::to_owned),
        DuplicateCheckField::HomePhone => client("homePhone").map(str::to_owned),
        DuplicateCheckField::MobilePhone => client("mobilePhone1").map(str::to_owned),
        DuplicateCheckField::FirstNameAndLastName => {
            Some(format!("{} {}", client("firstName")?, client("lastName")?))
        }
        DuplicateCheckField::LastNameAndDateOfBirth => Some(format!(
            "{}, born {}",
            client("lastName")?,
            client("birthDate")?
        )),
        DuplicateCheckField::DocumentIdAndType => {
            let docs: Vec<String> = body["idDocuments"]
                .as_array()?
                .iter()
                .filter_map(|d| {
                    Some(format!(
                        "{} {}",
                        d["documentType"].as_str()?,
                        d["documentId"].as_str()?
                    ))
                })
                .collect();
            (!docs.is_empty()).then(|| docs.join("; "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::test_tenant::{tenant, tenant_with};

    #[test]
    fn kind_codes_round_trip() {
        let mut kinds = vec![
            KeyKind::ClientId,
            KeyKind::UniqueValue(0),
            KeyKind::UniqueValue(u32::MAX),
        ];
        kinds.extend(DuplicateCheckField::ALL.map(KeyKind::Duplicate));
        let mut codes = std::collections::HashSet::new();
        for k in kinds {
            assert!(codes.insert(k.code()), "{k:?} shares a code");
            assert_eq!(KeyKind::from_code(k.code()), Some(k));
        }
        assert_eq!(KeyKind::from_code(7), None);
    }

    fn dup(kind: KeyKind) -> Duplicate {
        Duplicate {
            row: 20,
            other_row: 17,
            kind,
            case_only: false,
        }
    }

    #[test]
    fn client_id_duplicates_are_316() {
        let e = dup(KeyKind::ClientId)
            .to_field_error(&tenant())
            .expect("an error");
        assert_eq!(
            (e.field.as_str(), e.code.code(), e.is_error()),
            ("client.id", 316, true)
        );
        assert_eq!(e.message, "same client id as row 17");
        let case = Duplicate {
            case_only: true,
            ..dup(KeyKind::ClientId)
        };
        let e = case.to_field_error(&tenant()).expect("an error");
        assert_eq!(
            (e.field.as_str(), e.code.code(), e.is_error()),
            ("client.id", 316, true)
        );
        assert_eq!(
            e.message,
            "client id differs only in letter case from row 17's"
        );
    }

    #[test]
    fn unique_value_duplicates_are_926_on_the_field() {
        let t = tenant();
        let i = t
            .custom_fields()
            .iter()
            .position(|d| d.id() == "Tax_No")
            .unwrap() as u32;
        let e = dup(KeyKind::UniqueValue(i))
            .to_field_error(&t)
            .expect("an error");
        assert_eq!(
            (e.field.as_str(), e.code.code()),
            ("customInformation[Tax_No]", 926)
        );
        assert_eq!(
            e.message,
            "same value of unique custom field 'Tax_No' as row 17"
        );
    }

    #[test]
    fn writing_into_a_used_finding_replaces_all_of_it() {
        let t = tenant();
        let mut e =
            FieldError::warning("client.homePhone", ReturnCode::IdContainsSpaces, "old text");
        assert!(dup(KeyKind::ClientId).write_field_error(&t, &mut e));
        assert_eq!(Some(e.clone()), dup(KeyKind::ClientId).to_field_error(&t));
        assert!(e.is_error());
        let none = KeyKind::Duplicate(DuplicateCheckField::MobilePhone);
        assert!(!dup(none).write_field_error(&t, &mut e));
        assert_eq!(e.message, "same client id as row 17", "left as it was");
    }

    #[test]
    fn duplicate_checks_follow_the_tenants_one_action() {
        let t = tenant();
        let e = dup(KeyKind::Duplicate(DuplicateCheckField::Email))
            .to_field_error(&t)
            .expect("ERROR");
        assert_eq!(
            (e.field.as_str(), e.code.code(), e.severity),
            ("client.emailAddress", 310, Severity::Error)
        );
        assert_eq!(e.message, "same e-mail address as row 17");
        let home = dup(KeyKind::Duplicate(DuplicateCheckField::HomePhone));
        let e = home.to_field_error(&t).expect("ERROR");
        assert_eq!(
            (e.field.as_str(), e.code.code(), e.severity),
            ("client.homePhone", 310, Severity::Error)
        );
        assert_eq!(
            dup(KeyKind::Duplicate(DuplicateCheckField::MobilePhone)).to_field_error(&t),
            None,
            "not one of the tenant's checks"
        );
        let warns =
            tenant_with(|s| s.duplicate_client_constraint_action = Some(DuplicateAction::Warning));
        let w = home.to_field_error(&warns).expect("WARNING");
        assert_eq!(
            (w.field.as_str(), w.code.code(), w.severity),
            ("client.homePhone", 310, Severity::Warning)
        );
        let off =
            tenant_with(|s| s.duplicate_client_constraint_action = Some(DuplicateAction::None));
        assert_eq!(home.to_field_error(&off), None);
        let t = tenant_with(|s| s.duplicate_client_checks.clear());
        assert_eq!(
            dup(KeyKind::Duplicate(DuplicateCheckField::Email)).to_field_error(&t),
            None
        );
    }
    #[test]
    fn a_310_field_names_its_check_and_the_body_gives_its_key() {
        for check in DuplicateCheckField::ALL {
            assert_eq!(check_of_field(describe(check).0), Some(check));
        }
        assert_eq!(check_of_field("client.id"), None);
        let body = serde_json::json!({
            "client": {"firstName": "Jan", "lastName": "Nowak", "birthDate": "1980-01-02",
                       "emailAddress": "jan@example.com", "homePhone": "", "mobilePhone1": "+48 1"},
            "idDocuments": [{"documentType": "PASSPORT", "documentId": "AB1"},
                            {"documentType": "ID_CARD", "documentId": "X9"}]
        });
        let key = |c| key_text(c, &body);
        assert_eq!(
            key(DuplicateCheckField::FirstNameAndLastName).as_deref(),
            Some("Jan Nowak")
        );
        assert_eq!(
            key(DuplicateCheckField::LastNameAndDateOfBirth).as_deref(),
            Some("Nowak, born 1980-01-02")
        );
        assert_eq!(
            key(DuplicateCheckField::Email).as_deref(),
            Some("jan@example.com")
        );
        assert_eq!(key(DuplicateCheckField::HomePhone), None, "empty is no key");
        assert_eq!(
            key(DuplicateCheckField::MobilePhone).as_deref(),
            Some("+48 1")
        );
        assert_eq!(
            key(DuplicateCheckField::DocumentIdAndType).as_deref(),
            Some("PASSPORT AB1; ID_CARD X9")
        );
        assert_eq!(
            key_text(DuplicateCheckField::Email, &serde_json::json!({})),
            None
        );
    }
}
