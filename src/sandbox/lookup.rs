//! `GET /api/clients?firstName=&lastName=&idDocument=&birthDate=&branchId=&centreId=&creditOfficerUsername=&state=&offset=&limit=`:
//! exact, case-sensitive lookup returning basic clients, and the pagination
//! both listing endpoints share.
//!
//! In: query parameters. Out: a JSON array of client objects in creation
//! order. A `limit` that is not a whole number ≥ 0 → 13
//! INVALID_PAGINATION_LIMIT_VALUE, one over 1000 → 14
//! OUT_OF_BOUNDS_PAGINATION_LIMIT_VALUE, a bad `offset` → 4
//! INVALID_PARAMETERS. Default limit 50. `fullDetails=true` answers full
//! shapes (`{client, addresses, idDocuments, customInformation}`) instead,
//! here and in the search, so that a reader pages through whole clients
//! without one GET each.

use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::app::App;
use super::cache::Record;
use super::reply::ApiError;
use crate::model::{ClientRequest, ReturnCode};
use crate::tenant::Tenant;

/// The default and the largest page.
pub const DEFAULT_LIMIT: usize = 50;
pub const MAX_LIMIT: usize = 1000;

/// A page of results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub offset: usize,
    pub limit: usize,
}

/// Query parameters as pairs, in order.
pub type Params = Vec<(String, String)>;

/// Reads the query string; a malformed one → 4.
pub fn params(q: Result<Query<Params>, QueryRejection>) -> Result<Params, ApiError> {
    q.map(|Query(p)| p)
        .map_err(|_| ApiError::bad(ReturnCode::InvalidParameters, None))
}

fn param<'a>(p: &'a Params, name: &str) -> Option<&'a str> {
    p.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// Reads `offset` and `limit`.
pub fn page(p: &Params) -> Result<Page, ApiError> {
    let number = |name: &'static str, default: usize, bad: ReturnCode| match param(p, name) {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse::<usize>()
            .map_err(|_| ApiError::bad(bad, Some(name))),
    };
    let offset = number("offset", 0, ReturnCode::InvalidParameters)?;
    let limit = number(
        "limit",
        DEFAULT_LIMIT,
        ReturnCode::InvalidPaginationLimitValue,
    )?;
    if limit > MAX_LIMIT {
        return Err(ApiError::bad(
            ReturnCode::OutOfBoundsPaginationLimitValue,
            Some("limit"),
        ));
    }
    Ok(Page { offset, limit })
}

/// Whether the query asks for full shapes (`fullDetails=true`).
pub fn full_details(p: &Params) -> bool {
    param(p, "fullDetails").is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

/// The clients of a page that pass `keep`, as basic shapes, or full ones
/// when `full`.
pub fn select(
    app: &App,
    page: Page,
    full: bool,
    mut keep: impl FnMut(&ClientRequest) -> bool,
) -> Response {
    let hits: Vec<Arc<Record>> = app
        .store
        .read()
        .clients()
        .filter(|r| keep(&r.full))
        .skip(page.offset)
        .take(page.limit)
        .cloned()
        .collect();
    if full {
        let clients: Vec<_> = hits.iter().map(|r| &r.full).collect();
        return Json(clients).into_response();
    }
    let clients: Vec<_> = hits.iter().map(|r| &r.full.client).collect();
    Json(clients).into_response()
}

/// The lookup's filters, resolved against the tenant once per request.
#[derive(Debug, Default)]
pub struct Lookup {
    first_name: Option<String>,
    last_name: Option<String>,
    id_document: Option<String>,
    birth_date: Option<String>,
    branch: Option<String>,
    centre: Option<String>,
    officer: Option<String>,
    state: Option<String>,
}

impl Lookup {
    /// Reads the filters; branch, centre and officer may be named by id,
    /// key or username.
    pub fn new(p: &Params, tenant: &Tenant) -> Self {
        let get = |n: &str| param(p, n).map(str::to_string);
        Self {
            first_name: get("firstName"),
            last_name: get("lastName"),
            id_document: get("idDocument"),
            birth_date: get("birthDate").map(|d| d.chars().take(10).collect()),
            branch: get("branchId").map(|b| tenant.branch(&b).map_or(b, |x| x.encoded_key.clone())),
            centre: get("centreId").map(|c| tenant.centre(&c).map_or(c, |x| x.encoded_key.clone())),
            officer: get("creditOfficerUsername")
                .map(|u| tenant.user(&u).map_or(u, |x| x.encoded_key.clone())),
            state: get("state"),
        }
    }

    /// Whether a stored client matches every given filter.
    pub fn matches(&self, full: &ClientRequest) -> bool {
        let c = &full.client;
        let eq = |want: &Option<String>, have: Option<&str>| {
            want.as_deref().map_or(true, |w| have == Some(w))
        };
        eq(&self.first_name, c.first_name.as_deref())
            && eq(&self.last_name, c.last_name.as_deref())
            && eq(
                &self.birth_date,
                c.birth_date.as_deref().map(|d| d.get(..10).unwrap_or(d)),
            )
            && eq(&self.branch, c.assigned_branch_key.as_deref())
            && eq(&self.centre, c.assigned_centre_key.as_deref())
            && eq(&self.officer, c.assigned_user_key.as_deref())
            && eq(&self.state, c.state.as_ref().map(|s| s.as_str()))
            && self.id_document.as_deref().map_or(true, |want| {
                full.id_documents
                    .iter()
                    .flatten()
                    .any(|d| d.document_id.as_deref() == Some(want))
            })
    }
}

/// `GET /api/clients`.
pub async fn list(
    State(app): State<Arc<App>>,
    q: Result<Query<Params>, QueryRejection>,
) -> Result<Response, ApiError> {
    let p = params(q)?;
    let page = page(&p)?;
    let lookup = Lookup::new(&p, &app.tenant);
    Ok(select(&app, page, full_details(&p), |full| {
        lookup.matches(full)
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(pairs: &[(&str, &str)]) -> Params {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn pagination_defaults_and_bounds() {
        assert_eq!(
            page(&p(&[])).unwrap(),
            Page {
                offset: 0,
                limit: 50
            }
        );
        assert_eq!(
            page(&p(&[("offset", "5"), ("limit", "1000")])).unwrap(),
            Page {
                offset: 5,
                limit: 1000
            }
        );
        for (bad, code) in [
            (("limit", "1001"), 14),
            (("limit", "-1"), 13),
            (("limit", "x"), 13),
            (("offset", "-3"), 4),
        ] {
            assert_eq!(
                page(&p(&[bad])).unwrap_err().body.return_code,
                code,
                "{bad:?}"
            );
        }
    }

    #[test]
    fn lookup_is_exact_and_case_sensitive() {
        let full: ClientRequest = serde_json::from_value(serde_json::json!({
            "client": {"firstName": "Ann", "lastName": "Jones", "birthDate": "1987-07-08T00:00:00+0200", "state": "ACTIVE"},
            "idDocuments": [{"documentId": "131241"}]
        }))
        .unwrap();
        let t = Tenant::unknown();
        let m = |q: &[(&str, &str)]| Lookup::new(&p(q), &t).matches(&full);
        assert!(m(&[("lastName", "Jones"), ("idDocument", "131241")]));
        assert!(m(&[("birthDate", "1987-07-08")]));
        assert!(m(&[("state", "ACTIVE")]));
        assert!(!m(&[("lastName", "jones")]));
        assert!(!m(&[("idDocument", "1312")]));
        assert!(!m(&[("branchId", "DB")]));
    }
}
