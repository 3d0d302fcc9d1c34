//! `resolve = "branch" | "centre" | "user" | "client_role"`: legacy ids
//! replaced by the tenant's encoded keys.
//!
//! In: the tenant (once, at compile time) and then one value per row. Out:
//! the encoded key, or `None` when the tenant has no such entity (the
//! caller reports the entity's Mambu code: 801 / 850 / 702 / 306).
//!
//! Also `TemplateKeys`: an `[[id_document]]` that names no
//! `identificationDocumentTemplateKey` gets the key of the tenant's only
//! template for the document's type (the key is required where a template
//! exists).

use std::collections::HashMap;

use serde::Deserialize;

use crate::fast_hash::FastHashBuilder;

use crate::model::ReturnCode;
use crate::tenant::Tenant;

/// Which tenant entities a value names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResolveKind {
    /// A branch by id or encoded key.
    Branch,
    /// A centre by id or encoded key.
    Centre,
    /// A user (credit officer) by username or encoded key.
    User,
    /// A client role by id or encoded key.
    ClientRole,
}

impl ResolveKind {
    /// The name as written in a mapping.
    pub fn name(self) -> &'static str {
        match self {
            Self::Branch => "branch",
            Self::Centre => "centre",
            Self::User => "user",
            Self::ClientRole => "client_role",
        }
    }

    /// Mambu's code for a key it does not know.
    pub fn unknown_code(self) -> ReturnCode {
        match self {
            Self::Branch => ReturnCode::InvalidBranchKey,
            Self::Centre => ReturnCode::InvalidCentreKey,
            Self::User => ReturnCode::InvalidCreditOfficerKey,
            Self::ClientRole => ReturnCode::InvalidClientRoleKey,
        }
    }
}

/// An index from every id (or username) and encoded key of one kind of
/// tenant entity to its encoded key, so each row costs one hash look-up.
#[derive(Debug, Clone)]
pub struct Resolver {
    kind: ResolveKind,
    keys: HashMap<Box<str>, Box<str>, FastHashBuilder>,
}

impl Resolver {
    /// Indexes the tenant's entities of `kind`.
    pub fn new(kind: ResolveKind, tenant: &Tenant) -> Self {
        let s = tenant.schema();
        let pairs: Vec<(&str, &str)> = match kind {
            ResolveKind::Branch => s
                .branches
                .iter()
                .map(|b| (b.id.as_str(), b.encoded_key.as_str()))
                .collect(),
            ResolveKind::Centre => s
                .centres
                .iter()
                .map(|c| (c.id.as_str(), c.encoded_key.as_str()))
                .collect(),
            ResolveKind::User => s
                .users
                .iter()
                .map(|u| (u.username.as_str(), u.encoded_key.as_str()))
                .collect(),
            ResolveKind::ClientRole => s
                .client_roles
                .iter()
                .map(|r| (r.id.as_deref().unwrap_or(""), r.encoded_key.as_str()))
                .collect(),
        };
        let mut keys =
            HashMap::with_capacity_and_hasher(pairs.len() * 2, FastHashBuilder::default());
        // Encoded keys go in last so that an id which happens to equal
        // another entity's encoded key cannot shadow it.
        for &(id, key) in &pairs {
            if !id.is_empty() {
                keys.insert(id.into(), key.into());
            }
        }
        for &(_, key) in &pairs {
            keys.insert(key.into(), key.into());
        }
        Self { kind, keys }
    }

    /// What this resolver looks up.
    pub fn kind(&self) -> ResolveKind {
        self.kind
    }

    /// The encoded key for an id, username or encoded key.
    pub fn get(&self, value: &str) -> Option<&str> {
        self.keys.get(value).map(|k| &**k)
    }
}

/// The tenant's ID document templates by document type (trimmed, ASCII
/// case ignored, as the validator matches a type to its templates): the
/// key of a type's template when it has exactly one.
#[derive(Debug, Clone)]
pub struct TemplateKeys {
    /// `None` for a type with more than one template: which one a document
    /// follows is the mapping's choice, not Ferry's.
    by_type: HashMap<Box<str>, Option<Box<str>>, FastHashBuilder>,
}

impl TemplateKeys {
    /// Indexes the tenant's templates.
    pub fn new(tenant: &Tenant) -> Self {
        let mut by_type: HashMap<Box<str>, Option<Box<str>>, FastHashBuilder> =
            HashMap::with_hasher(FastHashBuilder::default());
        for t in &tenant.schema().id_document_templates {
            let ty: Box<str> = t.document_type.trim().to_ascii_lowercase().into();
            by_type
                .entry(ty)
                .and_modify(|k| *k = None)
                .or_insert_with(|| Some(t.encoded_key.as_str().into()));
        }
        Self { by_type }
    }

    /// The key of the only template for `document_type`, if there is one.
    pub fn get(&self, document_type: &str) -> Option<&str> {
        let ty = document_type.trim();
        if ty.bytes().any(|b| b.is_ascii_uppercase()) {
            self.by_type.get(ty.to_ascii_lowercase().as_str())
        } else {
            self.by_type.get(ty)
        }
        .and_then(|k| k.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tenant::{Branch, ClientRole, IdDocumentTemplate, TenantSchema, User};

    fn tenant() -> Tenant {
        Tenant::from_schema(TenantSchema {
            branches: vec![Branch {
                encoded_key: "8a01".into(),
                id: "HQ".into(),
                ..Default::default()
            }],
            users: vec![User {
                encoded_key: "8a02".into(),
                username: "jdoe".into(),
                ..Default::default()
            }],
            client_roles: vec![ClientRole {
                encoded_key: "8a03".into(),
                id: Some("RETAIL".into()),
                ..Default::default()
            }],
            ..Default::default()
        })
        .unwrap()
    }

    #[test]
    fn ids_and_keys_resolve_to_keys() {
        let t = tenant();
        let b = Resolver::new(ResolveKind::Branch, &t);
        assert_eq!(b.get("HQ"), Some("8a01"));
        assert_eq!(b.get("8a01"), Some("8a01"));
        assert_eq!(b.get("hq"), None);
        assert_eq!(
            Resolver::new(ResolveKind::User, &t).get("jdoe"),
            Some("8a02")
        );
        assert_eq!(
            Resolver::new(ResolveKind::ClientRole, &t).get("RETAIL"),
            Some("8a03")
        );
        assert_eq!(Resolver::new(ResolveKind::Centre, &t).get("HQ"), None);
    }

    #[test]
    fn a_type_with_one_template_gives_its_key() {
        let template = |key: &str, ty: &str| IdDocumentTemplate {
            encoded_key: key.into(),
            document_type: ty.into(),
            ..Default::default()
        };
        let t = Tenant::from_schema(TenantSchema {
            id_document_templates: vec![
                template("tp", "PASSPORT"),
                template("ti1", "ID_CARD"),
                template("ti2", "id_card "),
            ],
            ..Default::default()
        })
        .unwrap();
        let keys = TemplateKeys::new(&t);
        assert_eq!(keys.get("PASSPORT"), Some("tp"));
        assert_eq!(keys.get(" Passport "), Some("tp"));
        assert_eq!(keys.get("ID_CARD"), None, "two templates: no choice");
        assert_eq!(keys.get("VISA"), None);
    }

    #[test]
    fn each_kind_has_its_mambu_code() {
        assert_eq!(ResolveKind::Branch.unknown_code().code(), 801);
        assert_eq!(ResolveKind::Centre.unknown_code().code(), 850);
        assert_eq!(ResolveKind::User.unknown_code().code(), 702);
        assert_eq!(ResolveKind::ClientRole.unknown_code().code(), 306);
    }
}
