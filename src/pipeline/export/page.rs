//! The pages of `ferry export`: the list, or the search with the filters'
//! constraints, with full details, one page at a time.
//!
//! In: filters, an offset and a limit. Out: the page's clients in the
//! API's full shape. Fails with a message saying what the target answered
//! (including a target that ignored `fullDetails=true`).

use serde_json::{json, Value};

use crate::push::{Outcome, Target};

/// The largest page the API serves.
pub const MAX_PAGE: usize = 1000;

/// Which clients to read.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Filters {
    /// The branch's encoded key.
    pub branch: Option<String>,
    /// Client states (any of them).
    pub states: Vec<String>,
    /// Created on or after this day (`YYYY-MM-DD`).
    pub created_from: Option<String>,
    /// Created on or before this day (`YYYY-MM-DD`).
    pub created_to: Option<String>,
}

impl Filters {
    /// Whether no filter is set (the plain list is read then).
    pub fn is_empty(&self) -> bool {
        *self == Filters::default()
    }

    /// The search's `filterConstraints`.
    pub fn constraints(&self) -> Vec<Value> {
        let mut out = Vec::new();
        if let Some(b) = &self.branch {
            out.push(
                json!({"filterSelection": "BRANCH_KEY", "filterElement": "EQUALS", "value": b}),
            );
        }
        if !self.states.is_empty() {
            out.push(json!({"filterSelection": "CLIENT_STATE", "filterElement": "IN", "values": self.states}));
        }
        if self.created_from.is_some() || self.created_to.is_some() {
            out.push(json!({
                "filterSelection": "CREATION_DATE", "filterElement": "BETWEEN",
                "value": self.created_from.as_deref().unwrap_or("1900-01-01"),
                "secondValue": self.created_to.as_deref().unwrap_or("9999-12-31"),
            }));
        }
        out
    }
}

/// How clients are asked for: the list, or the search with constraints.
#[derive(Debug, Clone, PartialEq)]
pub enum PageQuery {
    /// `GET /api/clients?fullDetails=true`.
    List,
    /// `POST /api/clients/search?fullDetails=true` with these constraints.
    Search(Vec<Value>),
}

impl PageQuery {
    /// The query for `filters`.
    pub fn for_filters(f: &Filters) -> PageQuery {
        if f.is_empty() {
            PageQuery::List
        } else {
            PageQuery::Search(f.constraints())
        }
    }
}

/// One page of full clients at `offset`; an error says what the target
/// answered. A target that answers basic shapes (it ignored
/// `fullDetails=true`) is refused: the export would lose the lists.
pub async fn fetch_page(
    target: &Target,
    query: &PageQuery,
    offset: usize,
    limit: usize,
) -> Result<Vec<Value>, String> {
    let q = format!("offset={offset}&limit={limit}&fullDetails=true");
    let outcome = match query {
        PageQuery::List => target.get_api(&["clients"], Some(&q)).await,
        PageQuery::Search(c) => {
            let body = json!({ "filterConstraints": c }).to_string();
            target
                .post_query(&["clients", "search"], Some(&q), body.as_bytes())
                .await
        }
    };
    match outcome {
        Outcome::Ok { body, .. } => {
            let Value::Array(items) = body else {
                return Err("the target answered a page that is not a JSON array".into());
            };
            if items
                .iter()
                .any(|c| !c.get("client").is_some_and(Value::is_object))
            {
                return Err("the target answered clients without their details (fullDetails=true was ignored)".into());
            }
            Ok(items)
        }
        Outcome::Refused {
            status, name, body, ..
        } => Err(format!(
            "the target refused the page: HTTP {status} {name} {body}"
        )),
        Outcome::NotFound => Err("the target has no client list (404)".into()),
        Outcome::Unknown {
            attempts,
            last_error,
        } => Err(format!("no answer after {attempts} attempts: {last_error}")),
    }
}

/// A client's encoded key (the cursor and the key of `export_clients`).
pub(super) fn encoded_key(c: &Value) -> Option<&str> {
    c["client"]["encodedKey"].as_str()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_become_the_seeds_constraints() {
        assert_eq!(PageQuery::for_filters(&Filters::default()), PageQuery::List);
        let f = Filters {
            branch: Some("b1".into()),
            states: vec!["ACTIVE".into(), "INACTIVE".into()],
            created_from: Some("2024-01-01".into()),
            created_to: None,
        };
        let c = f.constraints();
        assert_eq!(c.len(), 3);
        assert_eq!(c[0]["filterSelection"], "BRANCH_KEY");
        assert_eq!(c[1]["values"], json!(["ACTIVE", "INACTIVE"]));
        assert_eq!(c[2]["filterElement"], "BETWEEN");
        assert_eq!(c[2]["secondValue"], "9999-12-31");
    }
}
