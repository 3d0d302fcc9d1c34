//! The sandbox's state in memory: every stored client and document, indexed
//! for the read paths (get by id or key, lookup, search, export).
//!
//! In: changes the store thread has committed to SQLite. Out: shared,
//! immutable records (`Arc`) that handlers read without touching SQLite.
//! Never fails; only the store thread writes to it.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use crate::model::ClientRequest;

/// One stored client in the full shape, with its place in creation order
/// and a version that optimistic updates compare.
#[derive(Debug, Clone)]
pub struct Record {
    /// Creation order; lists and searches return clients in this order.
    pub seq: i64,
    /// Bumped by every committed change to the client.
    pub version: u64,
    /// `{"client":…,"addresses":…,"idDocuments":…,"customInformation":…}`.
    pub full: ClientRequest,
}

impl Record {
    /// The client's encoded key.
    pub fn encoded_key(&self) -> &str {
        self.full.client.encoded_key.as_deref().unwrap_or_default()
    }

    /// The client's id.
    pub fn id(&self) -> &str {
        self.full.client.id.as_deref().unwrap_or_default()
    }
}

/// The two documents a client can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DocumentKind {
    ProfilePicture,
    Signature,
}

impl DocumentKind {
    /// Parses the path segment (`PROFILE_PICTURE`, `SIGNATURE`).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "PROFILE_PICTURE" => Some(Self::ProfilePicture),
            "SIGNATURE" => Some(Self::Signature),
            _ => None,
        }
    }

    /// The path segment.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ProfilePicture => "PROFILE_PICTURE",
            Self::Signature => "SIGNATURE",
        }
    }
}

/// A stored client document: metadata and base64 content.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Document {
    pub encoded_key: String,
    pub document_holder_key: String,
    /// `PROFILE_PICTURE` or `SIGNATURE`.
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub file_type: Option<String>,
    pub file_size: u64,
    pub creation_date: String,
    /// The base64 content exactly as posted.
    pub document_content: String,
}

/// Every client and document, as committed.
#[derive(Debug, Default)]
pub struct Cache {
    by_seq: BTreeMap<i64, Arc<Record>>,
    by_key: HashMap<String, i64>,
    by_id: HashMap<String, i64>,
    documents: BTreeMap<(String, DocumentKind), Arc<Document>>,
}

impl Cache {
    /// A client by id or, failing that, by encoded key (Mambu accepts both
    /// wherever a client is named in a path).
    pub fn get(&self, id_or_key: &str) -> Option<&Arc<Record>> {
        let seq = self
            .by_id
            .get(id_or_key)
            .or_else(|| self.by_key.get(id_or_key))?;
        self.by_seq.get(seq)
    }

    /// Every client in creation order.
    pub fn clients(&self) -> impl Iterator<Item = &Arc<Record>> {
        self.by_seq.values()
    }

    /// A client's document of one kind.
    pub fn document(&self, client_key: &str, kind: DocumentKind) -> Option<&Arc<Document>> {
        self.documents.get(&(client_key.to_string(), kind))
    }

    /// Every document, ordered by client key and kind.
    pub fn documents(&self) -> impl Iterator<Item = &Arc<Document>> {
        self.documents.values()
    }

    /// Stores or replaces a client (an id change drops the old id).
    pub(crate) fn put(&mut self, record: Arc<Record>) {
        if let Some(old) = self.by_seq.get(&record.seq) {
            if old.id() != record.id() {
                self.by_id.remove(old.id());
            }
        }
        self.by_key
            .insert(record.encoded_key().to_string(), record.seq);
        self.by_id.insert(record.id().to_string(), record.seq);
        self.by_seq.insert(record.seq, record);
    }

    /// Removes a client and its documents.
    pub(crate) fn remove(&mut self, key: &str) {
        if let Some(seq) = self.by_key.remove(key) {
            if let Some(old) = self.by_seq.remove(&seq) {
                self.by_id.remove(old.id());
            }
        }
        self.documents.retain(|(owner, _), _| owner != key);
    }

    /// Stores or replaces a document.
    pub(crate) fn put_document(&mut self, kind: DocumentKind, doc: Arc<Document>) {
        self.documents
            .insert((doc.document_holder_key.clone(), kind), doc);
    }

    /// Removes a document.
    pub(crate) fn remove_document(&mut self, client_key: &str, kind: DocumentKind) {
        self.documents.remove(&(client_key.to_string(), kind));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Client;

    fn record(seq: i64, id: &str, key: &str) -> Arc<Record> {
        let full = ClientRequest {
            client: Client {
                id: Some(id.into()),
                encoded_key: Some(key.into()),
                ..Client::default()
            },
            ..ClientRequest::default()
        };
        Arc::new(Record {
            seq,
            version: 1,
            full,
        })
    }

    #[test]
    fn finds_by_id_or_key_and_forgets_an_old_id() {
        let mut c = Cache::default();
        c.put(record(1, "A1", "k1"));
        c.put(record(2, "B2", "k2"));
        assert_eq!(c.get("A1").map(|r| r.seq), Some(1));
        assert_eq!(c.get("k2").map(|r| r.seq), Some(2));
        c.put(record(1, "A9", "k1"));
        assert!(c.get("A1").is_none());
        assert_eq!(c.get("A9").map(|r| r.id()), Some("A9"));
        c.remove("k1");
        assert!(c.get("A9").is_none() && c.get("k1").is_none());
        assert_eq!(c.clients().count(), 1);
    }
}
