//! Mambu's v1 Clients API types, as the seeds describe them.
//!
//! In: JSON from requests, responses and the tenant file. Out: the same JSON,
//! byte-for-byte equal as a value (round trips are lossless). Values outside
//! Mambu's enums deserialize into `Other` so the validator can name them.

pub mod address;
pub mod client;
pub mod client_request;
pub mod custom_field;
pub mod enums;
pub mod error_body;
pub mod id_document;
pub mod migration_event;
pub mod return_code;
pub mod state_moves;

pub use address::Address;
pub use client::{Client, ClientRoleRef, PortalPreferences, SERVER_OWNED_FIELDS};
pub use client_request::{ClientRequest, ClientResponse};
pub use custom_field::{CustomFieldDefinition, CustomFieldSet, CustomFieldValue, GroupIndex};
pub use enums::{
    ClientState, CustomFieldDataType, CustomFieldSetUsage, CustomFieldState, Gender,
    MigrationEventState, MigrationEventType, PortalState, PreferredLanguage,
};
pub use error_body::ErrorBody;
pub use id_document::{DateParts, IdDocument};
pub use migration_event::MigrationEvent;
pub use return_code::ReturnCode;

#[cfg(test)]
mod seed_examples;
