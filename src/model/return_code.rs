//! Mambu's return codes, by number and name, plus Ferry's own codes for
//! problems in the source file that never reach the target (9xxx range,
//! `FERRY_` names) so that every finding in a report has a code.

macro_rules! return_codes {
    ($($variant:ident = $code:literal => $name:literal,)+) => {
        /// A return code: Mambu's where Mambu has one, Ferry's for source problems.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum ReturnCode {
            $(#[doc = $name] $variant,)+
        }

        impl ReturnCode {
            /// Every code, in numeric order.
            pub const ALL: &'static [ReturnCode] = &[$(ReturnCode::$variant,)+];

            /// The numeric code.
            pub const fn code(self) -> u16 {
                match self { $(Self::$variant => $code,)+ }
            }

            /// The name Mambu (or Ferry) gives the code.
            pub const fn name(self) -> &'static str {
                match self { $(Self::$variant => $name,)+ }
            }

            /// Looks a code up by number.
            pub fn from_code(code: u16) -> Option<Self> {
                match code { $($code => Some(Self::$variant),)+ _ => None }
            }

            /// Looks a code up by name.
            pub fn from_name(name: &str) -> Option<Self> {
                match name { $($name => Some(Self::$variant),)+ _ => None }
            }
        }
    };
}

return_codes! {
    Success = 0 => "SUCCESS",
    InvalidBasicAuthorization = 1 => "INVALID_BASIC_AUTHORIZATION",
    InvalidCredentials = 2 => "INVALID_CREDENTIALS",
    InvalidParameters = 4 => "INVALID_PARAMETERS",
    InternalError = 6 => "INTERNAL_ERROR",
    InvalidPaginationLimitValue = 13 => "INVALID_PAGINATION_LIMIT_VALUE",
    OutOfBoundsPaginationLimitValue = 14 => "OUT_OF_BOUNDS_PAGINATION_LIMIT_VALUE",
    ExcessiveInvalidRequests = 24 => "EXCESSIVE_INVALID_REQUESTS",
    InvalidJsonSyntax = 26 => "INVALID_JSON_SYNTAX",
    MissingEntityJson = 30 => "MISSING_ENTITY_JSON",
    MissingRequiredParameter = 31 => "MISSING_REQUIRED_PARAMETER",
    InvalidDate = 102 => "INVALID_DATE",
    InvalidId = 149 => "INVALID_ID",
    MissingClientId = 300 => "MISSING_CLIENT_ID",
    InvalidClientId = 301 => "INVALID_CLIENT_ID",
    InvalidClientKey = 302 => "INVALID_CLIENT_KEY",
    InvalidClientState = 305 => "INVALID_CLIENT_STATE",
    InvalidClientRoleKey = 306 => "INVALID_CLIENT_ROLE_KEY",
    InvalidBirthDate = 309 => "INVALID_BIRTH_DATE",
    DuplicateClient = 310 => "DUPLICATE_CLIENT",
    InvalidClientStateTransition = 312 => "INVALID_CLIENT_STATE_TRANSITION",
    ClientIsMemberOfAGroup = 313 => "CLIENT_IS_MEMBER_OF_A_GROUP",
    ClientIsGuarantor = 314 => "CLIENT_IS_GUARANTOR",
    ClientHasAccounts = 315 => "CLIENT_HAS_ACCOUNTS",
    ClientIdAlreadyInUse = 316 => "CLIENT_ID_ALREADY_IN_USE",
    UnknownClientError = 399 => "UNKNOWN_CLIENT_ERROR",
    InvalidCreditOfficerKey = 702 => "INVALID_CREDIT_OFFICER_KEY",
    InconsistentCreditOfficerWithBranch = 703 => "INCONSISTENT_CREDIT_OFFICER_WITH_BRANCH",
    MissingCreditOfficerKey = 704 => "MISSING_CREDIT_OFFICER_KEY",
    MissingBranchKey = 705 => "MISSING_BRANCH_KEY",
    EmailAddressFormatIsInvalid = 711 => "EMAIL_ADDRESS_FORMAT_IS_INVALID",
    InvalidBranchKey = 801 => "INVALID_BRANCH_KEY",
    BranchIsNotActive = 803 => "BRANCH_IS_NOT_ACTIVE",
    InvalidCentreKey = 850 => "INVALID_CENTRE_KEY",
    InconsistentCentreWithBranch = 852 => "INCONSISTENT_CENTRE_WITH_BRANCH",
    InconsistentValueWithCustomFieldType = 901 => "INCONSISTENT_VALUE_WITH_CUSTOM_FIELD_TYPE",
    RequiredCustomFieldMissing = 902 => "REQUIRED_CUSTOM_FIELD_MISSING",
    InvalidCustomFieldId = 903 => "INVALID_CUSTOM_FIELD_ID",
    MaxCustomFieldValueLengthExceeded = 904 => "MAX_CUSTOM_FIELD_VALUE_LENGTH_EXCEEDED",
    CustomFieldDeactivated = 908 => "CUSTOM_FIELD_DEACTIVATED",
    CustomFieldNotAvailableForEntity = 910 => "CUSTOM_FIELD_NOT_AVAILABLE_FOR_ENTITY",
    GroupedIndexesNotConsecutive = 914 => "GROUPED_INDEXES_NOT_CONSECUTIVE",
    ToManyValuesForSameGroupedCustomField = 915 => "TO_MANY_VALUES_FOR_SAME_GROUPED_CUSTOM_FIELD",
    InvalidCustomFieldGroupIndex = 916 => "INVALID_CUSTOM_FIELD_GROUP_INDEX",
    InconsistentCustomFieldValueWithPattern = 917 => "INCONSISTENT_CUSTOM_FIELD_VALUE_WITH_PATTERN",
    DuplicateCustomFieldValues = 918 => "DUPLICATE_CUSTOM_FIELD_VALUES",
    DuplicateUniqueValue = 926 => "DUPLICATE_UNIQUE_VALUE",
    InvalidIdDocument = 950 => "INVALID_ID_DOCUMENT",
    RequiredIdDocumentMissing = 951 => "REQUIRED_ID_DOCUMENT_MISSING",
    AddingOtherIdDocumentsIsDisabled = 952 => "ADDING_OTHER_ID_DOCUMENTS_IS_DISABLED",
    InvalidIdDocumentTemplateKey = 953 => "INVALID_ID_DOCUMENT_TEMPLATE_KEY",
    InvalidAddress = 1150 => "INVALID_ADDRESS",
    ClientRoleDoesNotAllowAddress = 1151 => "CLIENT_ROLE_DOES_NOT_ALLOW_ADDRESS",
    ClientInMigration = 1203 => "CLIENT_IN_MIGRATION",
    InvalidLanguage = 2427 => "INVALID_LANGUAGE",
    DuplicateId = 3300 => "DUPLICATE_ID",
    IdContainsSpaces = 3303 => "ID_CONTAINS_SPACES",
    InvalidDataMigrationEventKey = 3632 => "INVALID_DATA_MIGRATION_EVENT_KEY",
    BlacklistedClientNotEditable = 3741 => "BLACKLISTED_CLIENT_NOT_EDITABLE",
    SourceMalformedRow = 9001 => "FERRY_MALFORMED_ROW",
    SourceUndecodableText = 9002 => "FERRY_UNDECODABLE_TEXT",
    SourceJsonSyntax = 9003 => "FERRY_JSON_SYNTAX",
    SourceValueNotMapped = 9004 => "FERRY_VALUE_NOT_MAPPED",
    SourceMissingRelatedRow = 9005 => "FERRY_MISSING_RELATED_ROW",
    NotRevertible = 9006 => "FERRY_NOT_REVERTIBLE",
    StateNotSettable = 9007 => "FERRY_STATE_NOT_SETTABLE",
    DocumentFileUnreadable = 9008 => "FERRY_DOCUMENT_FILE_UNREADABLE",
    DocumentNotAnImage = 9009 => "FERRY_DOCUMENT_NOT_AN_IMAGE",
    DocumentTooLarge = 9010 => "FERRY_DOCUMENT_TOO_LARGE",
}

impl ReturnCode {
    /// Whether the code is Ferry's own (a source problem) rather than Mambu's.
    pub const fn is_ferry_code(self) -> bool {
        self.code() >= 9000
    }
}

impl std::fmt::Display for ReturnCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.code(), self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_names_are_unique_and_look_up_both_ways() {
        let mut seen = std::collections::HashSet::new();
        for &c in ReturnCode::ALL {
            assert!(seen.insert(c.code()), "duplicate code {}", c.code());
            assert_eq!(ReturnCode::from_code(c.code()), Some(c));
            assert_eq!(ReturnCode::from_name(c.name()), Some(c));
        }
        assert_eq!(ReturnCode::ClientIdAlreadyInUse.code(), 316);
        assert_eq!(ReturnCode::from_code(12345), None);
    }
}
