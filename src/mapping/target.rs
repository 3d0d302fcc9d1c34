//! The fields a mapping can write, by the names the mapping file uses, how
//! a mapped value is stored in the request, and how it is taken out again
//! when the request is reused for the next row.
//!
//! In: a target name from the mapping file. Out: the field, or `None` for a
//! name the request has no field for (a mapping error). Storing never fails:
//! enum values Mambu does not know are kept as `Other` for the validator.

use crate::model::{
    Address, Client, ClientRoleRef, ClientState, Gender, IdDocument, PreferredLanguage,
};

macro_rules! targets {
    ($(#[$meta:meta])* $name:ident for |$o:ident: $owner:ty, $v:ident| { $($variant:ident => $wire:literal : $set:expr, $take:expr);+ $(;)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name {
            $(#[doc = $wire] $variant,)+
        }

        impl $name {
            /// Every target name, in the documented order.
            pub const NAMES: &'static [&'static str] = &[$($wire),+];

            /// Every field, in the same order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The field for a target name.
            pub fn from_name(name: &str) -> Option<Self> {
                match name {
                    $($wire => Some(Self::$variant),)+
                    _ => None,
                }
            }

            /// The target name, as in the mapping and in field paths.
            pub fn name(self) -> &'static str {
                match self {
                    $(Self::$variant => $wire,)+
                }
            }

            /// Stores a mapped value.
            pub fn set(self, $o: &mut $owner, $v: String) {
                match self {
                    $(Self::$variant => $set,)+
                }
            }

            /// Clears the field, handing back its text (to be reused) when
            /// it holds it as a string.
            pub fn take(self, $o: &mut $owner) -> Option<String> {
                match self {
                    $(Self::$variant => $take,)+
                }
            }
        }
    };
}

targets!(
    /// A field of `[client]`.
    ClientField for |c: Client, v| {
        Id => "id": c.id = Some(v), c.id.take();
        FirstName => "firstName": c.first_name = Some(v), c.first_name.take();
        MiddleName => "middleName": c.middle_name = Some(v), c.middle_name.take();
        LastName => "lastName": c.last_name = Some(v), c.last_name.take();
        HomePhone => "homePhone": c.home_phone = Some(v), c.home_phone.take();
        MobilePhone1 => "mobilePhone1": c.mobile_phone1 = Some(v), c.mobile_phone1.take();
        MobilePhone2 => "mobilePhone2": c.mobile_phone2 = Some(v), c.mobile_phone2.take();
        EmailAddress => "emailAddress": c.email_address = Some(v), c.email_address.take();
        BirthDate => "birthDate": c.birth_date = Some(v), c.birth_date.take();
        Gender => "gender": c.gender = Some(Gender::parse(&v)), { c.gender = None; None };
        PreferredLanguage => "preferredLanguage": c.preferred_language = Some(PreferredLanguage::parse(&v)), { c.preferred_language = None; None };
        Notes => "notes": c.notes = Some(v), c.notes.take();
        State => "state": c.state = Some(ClientState::parse(&v)), { c.state = None; None };
        AssignedBranchKey => "assignedBranchKey": c.assigned_branch_key = Some(v), c.assigned_branch_key.take();
        AssignedCentreKey => "assignedCentreKey": c.assigned_centre_key = Some(v), c.assigned_centre_key.take();
        AssignedUserKey => "assignedUserKey": c.assigned_user_key = Some(v), c.assigned_user_key.take();
        ClientRole => "clientRole": c.client_role = Some(ClientRoleRef { encoded_key: Some(v) }), c.client_role.take().and_then(|r| r.encoded_key);
    }
);

targets!(
    /// A field of `[address]`.
    AddressField for |a: Address, v| {
        Line1 => "line1": a.line1 = Some(v), a.line1.take();
        Line2 => "line2": a.line2 = Some(v), a.line2.take();
        City => "city": a.city = Some(v), a.city.take();
        Region => "region": a.region = Some(v), a.region.take();
        Postcode => "postcode": a.postcode = Some(v), a.postcode.take();
        Country => "country": a.country = Some(v), a.country.take();
    }
);

targets!(
    /// A field of `[[id_document]]`.
    DocField for |d: IdDocument, v| {
        DocumentType => "documentType": d.document_type = Some(v), d.document_type.take();
        DocumentId => "documentId": d.document_id = Some(v), d.document_id.take();
        IssuingAuthority => "issuingAuthority": d.issuing_authority = Some(v), d.issuing_authority.take();
        ValidUntil => "validUntil": d.valid_until = Some(v), d.valid_until.take();
        IdentificationDocumentTemplateKey => "identificationDocumentTemplateKey": d.identification_document_template_key = Some(v), d.identification_document_template_key.take();
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for &n in ClientField::NAMES {
            assert_eq!(ClientField::from_name(n).map(ClientField::name), Some(n));
        }
        for &n in AddressField::NAMES {
            assert_eq!(AddressField::from_name(n).map(AddressField::name), Some(n));
        }
        for &n in DocField::NAMES {
            assert_eq!(DocField::from_name(n).map(DocField::name), Some(n));
        }
        assert_eq!(ClientField::from_name("birthdate"), None);
        assert_eq!(ClientField::NAMES.len(), 17);
    }

    #[test]
    fn enums_and_role_are_stored_typed() {
        let mut c = Client::default();
        ClientField::Gender.set(&mut c, "FEMALE".into());
        ClientField::State.set(&mut c, "ACTIVE".into());
        ClientField::PreferredLanguage.set(&mut c, "KLINGON".into());
        ClientField::ClientRole.set(&mut c, "8a03".into());
        assert_eq!(c.gender, Some(Gender::Female));
        assert_eq!(c.state, Some(ClientState::Active));
        assert_eq!(
            c.preferred_language,
            Some(PreferredLanguage::Other("KLINGON".into()))
        );
        assert_eq!(
            c.client_role.and_then(|r| r.encoded_key).as_deref(),
            Some("8a03")
        );
    }
}
