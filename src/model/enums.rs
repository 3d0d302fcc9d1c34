//! Mambu's closed value sets (gender, client state, language, …).
//!
//! Each enum keeps an `Other(String)` variant so that a payload carrying a
//! value Mambu does not know still deserializes — and round-trips — and the
//! validator, not the JSON parser, names the problem with Mambu's code.

/// Declares a Mambu enum with its wire names, an `Other` catch-all, string
/// conversions and serde impls that write exactly what was read.
macro_rules! mambu_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $wire:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $(#[doc = $wire] $variant,)+
            /// A value outside Mambu's set, kept verbatim for the validator to report.
            Other(String),
        }

        impl $name {
            /// Every value Mambu accepts, in its documented order.
            pub const ALLOWED: &'static [&'static str] = &[$($wire),+];

            /// The wire form of this value.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $wire,)+
                    Self::Other(s) => s.as_str(),
                }
            }

            /// Parses a wire value; anything unknown becomes `Other`.
            pub fn parse(s: &str) -> Self {
                match s {
                    $($wire => Self::$variant,)+
                    other => Self::Other(other.to_string()),
                }
            }

            /// Whether this is one of Mambu's values.
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::Other(_))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                Ok(Self::parse(&s))
            }
        }
    };
}

mambu_enum!(
    /// A client's gender.
    Gender { Male => "MALE", Female => "FEMALE" }
);

mambu_enum!(
    /// The lifecycle state of a client.
    ClientState {
        PendingApproval => "PENDING_APPROVAL",
        Active => "ACTIVE",
        Inactive => "INACTIVE",
        Exited => "EXITED",
        Blacklisted => "BLACKLISTED",
        Rejected => "REJECTED",
    }
);

mambu_enum!(
    /// The language used when communicating with a client.
    /// `PORTUGESE` is Mambu's own spelling.
    PreferredLanguage {
        Portugese => "PORTUGESE",
        Russian => "RUSSIAN",
        Romanian => "ROMANIAN",
        English => "ENGLISH",
        Spanish => "SPANISH",
        Georgian => "GEORGIAN",
        Burmese => "BURMESE",
        Phrase => "PHRASE",
        Chinese => "CHINESE",
        French => "FRENCH",
        Indonesian => "INDONESIAN",
    }
);

mambu_enum!(
    /// Whether the client portal is enabled for a client.
    PortalState { Disabled => "DISABLED", Enabled => "ENABLED" }
);

mambu_enum!(
    /// The decision state of a migration event.
    MigrationEventState { Reverted => "REVERTED", Draft => "DRAFT", Approved => "APPROVED" }
);

mambu_enum!(
    /// The kind of a migration event.
    MigrationEventType { Import => "IMPORT", Export => "EXPORT" }
);

mambu_enum!(
    /// The type of a custom field definition.
    CustomFieldDataType {
        GroupLink => "GROUP_LINK",
        Date => "DATE",
        Number => "NUMBER",
        Checkbox => "CHECKBOX",
        ClientLink => "CLIENT_LINK",
        String => "STRING",
        UserLink => "USER_LINK",
        Selection => "SELECTION",
    }
);

mambu_enum!(
    /// Whether a custom field set is used once or repeated per entity.
    CustomFieldSetUsage { Single => "SINGLE", Grouped => "GROUPED" }
);

mambu_enum!(
    /// Whether a custom field definition is in use.
    CustomFieldState { Deactivated => "DEACTIVATED", Normal => "NORMAL" }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values_round_trip() {
        for v in ClientState::ALLOWED {
            let parsed: ClientState = serde_json::from_str(&format!("\"{v}\"")).unwrap();
            assert!(parsed.is_known());
            assert_eq!(serde_json::to_string(&parsed).unwrap(), format!("\"{v}\""));
        }
    }

    #[test]
    fn unknown_value_is_kept_verbatim() {
        let g: Gender = serde_json::from_str("\"male\"").unwrap();
        assert_eq!(g, Gender::Other("male".into()));
        assert!(!g.is_known());
        assert_eq!(serde_json::to_string(&g).unwrap(), "\"male\"");
    }
}
