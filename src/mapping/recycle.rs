//! Reusing one row's request for the next: its strings and vectors.
//!
//! In: the request the mapping filled for the previous row. Out: the same
//! request emptied, its strings and vectors kept here and handed out again
//! while the next row is mapped. A worker that maps thousands of rows then
//! allocates almost nothing per row, where a fresh request cost some forty
//! allocations and as many frees. Never fails; a recycler that starts empty
//! simply allocates.

use super::target::{AddressField, ClientField, DocField};
use crate::model::{Address, ClientRequest, CustomFieldValue, GroupIndex, IdDocument};

/// Spare strings kept at most: a row's worth several times over, so an
/// odd row with many values cannot make the pool grow without bound.
const MAX_SPARE_STRINGS: usize = 256;
/// Capacity a new string starts with: most cells (ids, codes, dates,
/// encoded keys, names) fit, so a reused string rarely has to grow.
const MIN_CAPACITY: usize = 48;

/// Strings and vectors taken back from mapped requests.
#[derive(Debug, Default)]
pub struct Recycler {
    strings: Vec<String>,
    addresses: Vec<Address>,
    documents: Vec<IdDocument>,
    values: Vec<CustomFieldValue>,
}

impl Recycler {
    /// `v` in a reused string.
    pub(super) fn text(&mut self, v: &str) -> String {
        match self.strings.pop() {
            Some(mut s) => {
                s.clear();
                s.push_str(v);
                s
            }
            None => {
                let mut s = String::with_capacity(v.len().max(MIN_CAPACITY));
                s.push_str(v);
                s
            }
        }
    }

    fn keep(&mut self, s: Option<String>) {
        if let Some(s) = s {
            if self.strings.len() < MAX_SPARE_STRINGS {
                self.strings.push(s);
            }
        }
    }

    /// An empty vector for the addresses of the row being mapped.
    pub(super) fn addresses(&mut self) -> Vec<Address> {
        std::mem::take(&mut self.addresses)
    }

    /// An empty vector for the ID documents of the row being mapped.
    pub(super) fn documents(&mut self) -> Vec<IdDocument> {
        std::mem::take(&mut self.documents)
    }

    /// An empty vector for the custom field values of the row being mapped.
    pub(super) fn values(&mut self) -> Vec<CustomFieldValue> {
        std::mem::take(&mut self.values)
    }

    /// Keeps a vector from `documents()` that stayed empty.
    pub(super) fn put_back_documents(&mut self, list: Vec<IdDocument>) {
        self.documents = list;
    }

    /// Keeps a vector from `values()` that stayed empty.
    pub(super) fn put_back_values(&mut self, list: Vec<CustomFieldValue>) {
        self.values = list;
    }

    /// Empties `req`, keeping what can be reused. Afterwards `req` equals
    /// `ClientRequest::default()`.
    pub fn reclaim(&mut self, req: &mut ClientRequest) {
        req.client.extra.clear();
        for &f in ClientField::ALL {
            let s = f.take(&mut req.client);
            self.keep(s);
        }
        if let Some(mut list) = req.addresses.take() {
            for mut a in list.drain(..) {
                for &f in AddressField::ALL {
                    let s = f.take(&mut a);
                    self.keep(s);
                }
            }
            self.addresses = list;
        }
        if let Some(mut list) = req.id_documents.take() {
            for mut d in list.drain(..) {
                for &f in DocField::ALL {
                    let s = f.take(&mut d);
                    self.keep(s);
                }
            }
            self.documents = list;
        }
        if let Some(mut list) = req.custom_information.take() {
            for v in list.drain(..) {
                self.keep(v.custom_field_id);
                self.keep(v.value);
                if let Some(GroupIndex::Text(t)) = v.custom_field_set_group_index {
                    self.keep(Some(t));
                }
            }
            self.values = list;
        }
        // Anything the mapping never sets is dropped, not kept.
        *req = ClientRequest::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reclaimed_request_is_empty_and_its_strings_come_back() {
        let mut req: ClientRequest = serde_json::from_value(serde_json::json!({
            "client": {"id": "C1", "firstName": "Ann", "lastName": "Lee", "gender": "FEMALE",
                "clientRole": {"encodedKey": "8a"}, "notes": "n"},
            "addresses": [{"line1": "1 Main St", "city": "Porto"}],
            "idDocuments": [{"documentType": "PASSPORT", "documentId": "X1"}],
            "customInformation": [
                {"customFieldID": "A", "value": "1"},
                {"customFieldID": "B", "value": "2", "customFieldSetGroupIndex": "x"}
            ]
        }))
        .unwrap();
        let mut r = Recycler::default();
        r.reclaim(&mut req);
        assert_eq!(req, ClientRequest::default());
        // id, first, last, role key, notes; line1, city; type, id; A, 1, B, 2, x
        assert_eq!(r.strings.len(), 14);
        assert!(r.addresses().capacity() >= 1);
        assert!(r.documents().capacity() >= 1);
        assert!(r.values().capacity() >= 2);
        let before = r.strings.len();
        assert_eq!(r.text("reused"), "reused");
        assert_eq!(r.strings.len(), before - 1);
    }

    #[test]
    fn the_pool_of_spare_strings_is_bounded() {
        let mut r = Recycler::default();
        for _ in 0..MAX_SPARE_STRINGS + 10 {
            r.keep(Some(String::from("x")));
        }
        assert_eq!(r.strings.len(), MAX_SPARE_STRINGS);
    }
}
