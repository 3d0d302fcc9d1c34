//! What every handler shares: the tenant, the store and the key generator,
//! and the one path by which a client is changed — validate with
//! `crate::validate`, collect its uniqueness keys, commit, retry if another
//! request changed the client in between.
//!
//! In: a full shape to store. Out: the stored shape, or the refusal Mambu
//! would give (the validator's first error, 316/926/310 from the keys,
//! 301 for an unknown client).

use std::sync::Arc;

use axum::body::Bytes;
use axum::http::StatusCode;

use super::cache::Record;
use super::encoded_key::{today, KeyGen};
use super::reply::ApiError;
use super::shape;
use super::store::{client_json, Change, Store, StoreError, StoredKey};
use crate::model::{ClientRequest, ClientState, ReturnCode};
use crate::tenant::{DuplicateAction, DuplicateCheckField, Tenant};
use crate::validate::{check_client, row_keys, CheckOptions, KeyKind, RowKey};

/// The shared state of all handlers.
pub struct App {
    pub tenant: Arc<Tenant>,
    pub store: Store,
    pub keys: KeyGen,
    /// What the tenant's creation templates would have sent.
    pub notifications: super::notifications::Notifications,
}

/// A client as `App::modify` stored it.
pub struct Saved {
    /// The stored shape's JSON, as stored.
    pub json: Bytes,
    /// The client's id after the change.
    pub id: String,
}

/// How often an update is retried when another request changed the client first.
const STALE_RETRIES: usize = 8;

/// A key kind as the store keeps it. The numbers are in state files, so
/// they stay as they are: the client id 1, a duplicate check 100 + its
/// place in `DuplicateCheckField::ALL` (the order the validator's kinds
/// use too), a unique custom field 1000 + its index.
fn kind_code(kind: KeyKind) -> i64 {
    match kind {
        KeyKind::ClientId => 1,
        KeyKind::Duplicate(f) => 100 + f.index() as i64,
        KeyKind::UniqueValue(n) => 1000 + i64::from(n),
    }
}

/// The client field Mambu names when a duplicate check refuses a client.
fn duplicate_source(f: DuplicateCheckField) -> &'static str {
    match f {
        DuplicateCheckField::DocumentIdAndType => "documentId",
        DuplicateCheckField::HomePhone => "homePhone",
        DuplicateCheckField::MobilePhone => "mobilePhone1",
        DuplicateCheckField::Email => "emailAddress",
        DuplicateCheckField::FirstNameAndLastName => "firstName",
        DuplicateCheckField::LastNameAndDateOfBirth => "lastName",
    }
}

/// The keys of a request that the store must keep unique, with their kinds.
pub struct Keys {
    pub kinds: Vec<KeyKind>,
    pub stored: Vec<StoredKey>,
}

impl App {
    /// Runs Mambu's rules on a request: the first error refuses it;
    /// otherwise its uniqueness keys (duplicate checks only when the
    /// tenant's action is ERROR — WARNING and NONE accept the client).
    pub fn check(&self, req: &ClientRequest) -> Result<Keys, ApiError> {
        let mut findings = Vec::new();
        let opts = CheckOptions {
            today: today(),
            require_id: false,
        };
        check_client(req, &self.tenant, &opts, &mut findings);
        if let Some(e) = findings.iter().find(|f| f.is_error()) {
            return Err(ApiError::from_finding(e));
        }
        let mut keys: Vec<RowKey> = Vec::new();
        row_keys(req, &self.tenant, &mut keys);
        // The tenant's one action: ERROR refuses a duplicate, WARNING and
        // NONE accept it, so only ERROR's checks become unique keys.
        let refuses = self.tenant.duplicate_action() == DuplicateAction::Error;
        keys.retain(|k| !matches!(k.kind, KeyKind::Duplicate(_)) || refuses);
        Ok(Keys {
            kinds: keys.iter().map(|k| k.kind).collect(),
            stored: keys
                .iter()
                .map(|k| StoredKey {
                    kind: kind_code(k.kind),
                    hash: k.hash,
                })
                .collect(),
        })
    }

    /// The answer for a store refusal.
    pub fn store_error(&self, e: StoreError, kinds: &[KeyKind]) -> ApiError {
        match e {
            StoreError::IdInUse => ApiError::bad(ReturnCode::ClientIdAlreadyInUse, Some("id")),
            StoreError::KeyTaken(i) => match kinds.get(i) {
                Some(KeyKind::ClientId) => {
                    ApiError::bad(ReturnCode::ClientIdAlreadyInUse, Some("id"))
                }
                Some(KeyKind::UniqueValue(n)) => {
                    let field = self.tenant.custom_fields().get(*n as usize).map(|f| f.id());
                    ApiError::bad(ReturnCode::DuplicateUniqueValue, field)
                }
                Some(KeyKind::Duplicate(f)) => {
                    ApiError::bad(ReturnCode::DuplicateClient, Some(duplicate_source(*f)))
                }
                None => ApiError::internal(),
            },
            StoreError::NotFound => ApiError::no_client(),
            StoreError::Stale | StoreError::Internal(_) | StoreError::Closed => {
                tracing::error!(error = %e, "sandbox store failed");
                ApiError::internal()
            }
        }
    }

    /// A stored client by id or encoded key.
    pub fn find(&self, id_or_key: &str) -> Result<Arc<Record>, ApiError> {
        self.store
            .read()
            .get(id_or_key)
            .cloned()
            .ok_or_else(ApiError::no_client)
    }

    /// Changes a stored client: `change` builds the new full shape (and any
    /// further changes to commit with it) from the current record; the
    /// result is validated and committed, and rebuilt if another request
    /// got there first.
    pub async fn modify<F>(&self, id_or_key: &str, mut change: F) -> Result<Saved, ApiError>
    where
        F: FnMut(&Record) -> Result<(ClientRequest, Vec<Change>), ApiError>,
    {
        for _ in 0..STALE_RETRIES {
            let record = self.find(id_or_key)?;
            let (full, extra) = change(&record)?;
            let keys = self.check(&shape::as_request(&full))?;
            let json = client_json(&full).map_err(|e| self.store_error(e, &[]))?;
            let id = full.client.id.clone().unwrap_or_default();
            let mut changes = Vec::with_capacity(1 + extra.len());
            changes.push(Change::Update {
                record: Record {
                    seq: record.seq,
                    version: record.version,
                    full,
                },
                json: json.clone(),
                keys: Some(keys.stored),
                expected_version: record.version,
            });
            changes.extend(extra);
            match self.store.apply(changes).await {
                Ok(()) => return Ok(Saved { json, id }),
                Err(StoreError::Stale) => continue,
                Err(e) => return Err(self.store_error(e, &keys.kinds)),
            }
        }
        Err(ApiError::new(
            StatusCode::CONFLICT,
            ReturnCode::UnknownClientError,
            None,
        ))
    }
}

/// Refuses any edit of a BLACKLISTED client (3741).
pub fn editable(record: &Record) -> Result<(), ApiError> {
    if record.full.client.state == Some(ClientState::Blacklisted) {
        Err(ApiError::bad(
            ReturnCode::BlacklistedClientNotEditable,
            None,
        ))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_codes_are_distinct() {
        let mut codes: Vec<i64> = DuplicateCheckField::ALL
            .iter()
            .map(|f| kind_code(KeyKind::Duplicate(*f)))
            .collect();
        codes.push(kind_code(KeyKind::ClientId));
        codes.push(kind_code(KeyKind::UniqueValue(0)));
        codes.push(kind_code(KeyKind::UniqueValue(1)));
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), codes.len());
        // The numbers are in state files: they do not move.
        assert_eq!(codes[..6], [100, 101, 102, 103, 104, 105]);
    }
}
