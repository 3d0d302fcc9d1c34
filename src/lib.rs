//! Ferry moves client records from legacy exports into a Mambu-style
//! Clients API: a dry run that names every problem by Mambu's return code,
//! a rate-limited import recorded in a migration ledger, and a revert that
//! really undoes it.
//!
//! The stages, in order: [`source`] → [`mapping`] → [`validate`] →
//! [`report`] (dry run) or push → ledger (import). Only [`pipeline`] knows
//! that order. [`model`] holds Mambu's types, [`tenant`] the target's
//! definitions, [`sandbox`] a Mambu-compatible server to rehearse against.

#![warn(missing_docs)]

pub mod cli;
pub mod credentials;
mod fast_hash;
pub mod field_error;
pub mod gen;
pub mod ledger;
pub mod mapping;
pub mod model;
pub mod pipeline;
pub mod private_files;
pub mod push;
pub mod reconcile;
pub mod report;
pub mod sandbox;
pub mod source;
pub mod tenant;
pub mod validate;
