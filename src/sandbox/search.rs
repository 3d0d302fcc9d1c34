//! `POST /api/clients/search` with `filterConstraints`: every constraint
//! must hold (AND), over the seeds' client filter selections and elements.
//!
//! In: `{"filterConstraints":[{filterSelection, filterElement, value,
//! secondValue, values}]}` and `offset`/`limit` query parameters. Out: basic
//! clients in creation order (full shapes with `fullDetails=true`). Refusals, all 4 INVALID_PARAMETERS naming the
//! part at fault: an unknown selection or element, an element not allowed
//! for the selection's data type, a missing or unreadable value.
//! STRING comparisons ignore case; ENUM and KEY ones do not.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::Response;
use jiff::civil::Date;
use jiff::ToSpan;
use serde_json::Value;

use super::app::App;
use super::encoded_key::today;
use super::lookup::{full_details, page, params, select, Params};
use super::reply::{parse_json, typed, ApiError};
use crate::model::{ClientRequest, ReturnCode};

/// A filter selection's data type, as the seed lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataType {
    Key,
    String,
    Date,
    DateUtc,
    Money,
    Number,
    Enum,
}

/// The data type of a client filter selection.
pub fn data_type(selection: &str) -> Option<DataType> {
    use DataType::*;
    Some(match selection {
        "CREDIT_OFFICER_KEY" | "CLIENT_ROLE_KEY" | "BRANCH_KEY" | "CENTRE_KEY" | "GROUP_KEY"
        | "ENCODED_KEY" => Key,
        "FULL_NAME"
        | "FIRST_NAME"
        | "MIDDLE_NAME"
        | "LAST_NAME"
        | "ID"
        | "HOME_PHONE_NUMBER"
        | "MOBILE_PHONE_NUMBER"
        | "EMAIL_ADDRESS"
        | "CLIENT_ADDRESS"
        | "GROUP_ID" => String,
        "CREATION_DATE" | "LAST_MODIFIED_DATE" => DateUtc,
        "BIRTHDATE" => Date,
        "DEPOSITS_BALANCE"
        | "LOANS_BALANCE"
        | "PENDING_LOAN_AMOUNT"
        | "APPROVED_LOAN_AMOUNT"
        | "TOTAL_BALANCE"
        | "TOTAL_DUE" => Money,
        "LOAN_CYCLE" | "GROUP_LOAN_CYCLE" => Number,
        "GENDER" | "CLIENT_STATE" | "PORTAL_STATE" | "PREFERRED_LANGUAGE" => Enum,
        _ => return None,
    })
}

/// Whether the seed allows `element` for `dt`.
pub fn element_allowed(element: &str, dt: DataType) -> Option<bool> {
    use DataType::*;
    let numeric = matches!(dt, Money | Number);
    let date = matches!(dt, Date | DateUtc);
    Some(match element {
        "EQUALS" => matches!(dt, Money | Number | String | Enum | Key),
        "MORE_THAN" | "LESS_THAN" => numeric,
        "BETWEEN" => numeric || date,
        "ON" | "AFTER" | "BEFORE" | "TODAY" | "THIS_WEEK" | "THIS_MONTH" | "THIS_YEAR"
        | "LAST_DAYS" => date,
        "STARTS_WITH" => dt == String,
        "IN" => matches!(dt, Enum | Key),
        "EMPTY" | "NOT_EMPTY" => true,
        _ => return None,
    })
}

/// One constraint as sent.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Constraint {
    pub filter_selection: Option<String>,
    pub filter_element: Option<String>,
    pub value: Option<Value>,
    pub second_value: Option<Value>,
    pub values: Option<Vec<Value>>,
    pub data_item_type: Option<String>,
}

/// A constraint checked and ready to test clients with.
#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    selection: String,
    test: Test,
}

#[derive(Debug, Clone, PartialEq)]
enum Test {
    TextEquals(String, bool),
    StartsWith(String),
    In(Vec<String>),
    NumberRange(f64, f64, bool, bool),
    DateRange(Date, Date),
    Empty(bool),
}

fn bad(part: &str) -> ApiError {
    ApiError::bad(ReturnCode::InvalidParameters, Some(part))
}

fn text(v: &Option<Value>, part: &str) -> Result<String, ApiError> {
    match v {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(Value::Number(n)) => Ok(n.to_string()),
        Some(Value::Bool(b)) => Ok(b.to_string()),
        _ => Err(bad(part)),
    }
}

fn number(v: &Option<Value>, part: &str) -> Result<f64, ApiError> {
    match v {
        Some(Value::Number(n)) => n.as_f64().ok_or_else(|| bad(part)),
        Some(Value::String(s)) => s.trim().parse().map_err(|_| bad(part)),
        _ => Err(bad(part)),
    }
}

fn date(v: &Option<Value>, part: &str) -> Result<Date, ApiError> {
    let s = text(v, part)?;
    parse_date(&s).ok_or_else(|| bad(part))
}

/// The calendar date at the start of an ISO date or Mambu timestamp.
fn parse_date(s: &str) -> Option<Date> {
    s.get(..10)?.parse().ok()
}

impl Filter {
    /// Checks a constraint against the seed's tables; `today` anchors the
    /// relative date elements.
    pub fn new(c: &Constraint, today: Date) -> Result<Filter, ApiError> {
        if c.data_item_type
            .as_deref()
            .is_some_and(|t| t != "CLIENT" && t != "CLIENTS")
        {
            return Err(bad("dataItemType"));
        }
        let selection = c
            .filter_selection
            .clone()
            .ok_or_else(|| bad("filterSelection"))?;
        let dt = data_type(&selection).ok_or_else(|| bad("filterSelection"))?;
        let element = c
            .filter_element
            .as_deref()
            .ok_or_else(|| bad("filterElement"))?;
        if !element_allowed(element, dt).ok_or_else(|| bad("filterElement"))? {
            return Err(bad("filterElement"));
        }
        let numeric = matches!(dt, DataType::Money | DataType::Number);
        let test = match element {
            "EQUALS" if numeric => {
                let n = number(&c.value, "value")?;
                Test::NumberRange(n, n, true, true)
            }
            "EQUALS" => Test::TextEquals(text(&c.value, "value")?, dt == DataType::String),
            "MORE_THAN" => {
                Test::NumberRange(number(&c.value, "value")?, f64::INFINITY, false, true)
            }
            "LESS_THAN" => {
                Test::NumberRange(f64::NEG_INFINITY, number(&c.value, "value")?, true, false)
            }
            "BETWEEN" if numeric => Test::NumberRange(
                number(&c.value, "value")?,
                number(&c.second_value, "secondValue")?,
                true,
                true,
            ),
            "BETWEEN" => Test::DateRange(
                date(&c.value, "value")?,
                date(&c.second_value, "secondValue")?,
            ),
            "ON" => {
                let d = date(&c.value, "value")?;
                Test::DateRange(d, d)
            }
            "AFTER" => Test::DateRange(
                date(&c.value, "value")?
                    .tomorrow()
                    .map_err(|_| bad("value"))?,
                Date::MAX,
            ),
            "BEFORE" => Test::DateRange(
                Date::MIN,
                date(&c.value, "value")?
                    .yesterday()
                    .map_err(|_| bad("value"))?,
            ),
            "TODAY" => Test::DateRange(today, today),
            "THIS_WEEK" => {
                let monday = today
                    .checked_sub(i64::from(today.weekday().to_monday_zero_offset()).days())
                    .map_err(|_| bad("filterElement"))?;
                Test::DateRange(monday, today)
            }
            "THIS_MONTH" => Test::DateRange(today.first_of_month(), today),
            "THIS_YEAR" => Test::DateRange(today.first_of_year(), today),
            "LAST_DAYS" => {
                let n = number(&c.value, "value")?;
                if !(0.0..=100_000.0).contains(&n) {
                    return Err(bad("value"));
                }
                let from = today
                    .checked_sub((n as i64).days())
                    .map_err(|_| bad("value"))?;
                Test::DateRange(from, today)
            }
            "STARTS_WITH" => Test::StartsWith(text(&c.value, "value")?.to_lowercase()),
            "IN" => {
                let list = match (&c.values, &c.value) {
                    (Some(vs), _) => vs
                        .iter()
                        .map(|v| text(&Some(v.clone()), "values"))
                        .collect::<Result<_, _>>()?,
                    (None, v) => text(v, "value")?
                        .split(',')
                        .map(|s| s.trim().to_string())
                        .collect(),
                };
                Test::In(list)
            }
            "EMPTY" => Test::Empty(true),
            "NOT_EMPTY" => Test::Empty(false),
            _ => return Err(bad("filterElement")),
        };
        Ok(Filter { selection, test })
    }

    /// Whether a stored client passes.
    pub fn matches(&self, full: &ClientRequest) -> bool {
        let field = field_text(&self.selection, full);
        let field = field.as_deref().filter(|s| !s.is_empty());
        match &self.test {
            Test::Empty(want_empty) => field.is_none() == *want_empty,
            Test::TextEquals(v, fold) => field.is_some_and(|f| {
                if *fold {
                    f.to_lowercase() == v.to_lowercase()
                } else {
                    f == v
                }
            }),
            Test::StartsWith(prefix) => {
                field.is_some_and(|f| f.to_lowercase().starts_with(prefix.as_str()))
            }
            Test::In(list) => field.is_some_and(|f| list.iter().any(|v| v == f)),
            Test::NumberRange(lo, hi, lo_in, hi_in) => {
                field.and_then(|f| f.parse::<f64>().ok()).is_some_and(|n| {
                    (if *lo_in { n >= *lo } else { n > *lo })
                        && (if *hi_in { n <= *hi } else { n < *hi })
                })
            }
            Test::DateRange(from, to) => field
                .and_then(parse_date)
                .is_some_and(|d| d >= *from && d <= *to),
        }
    }
}

fn join(parts: &[Option<&str>]) -> Option<String> {
    let s = parts
        .iter()
        .flatten()
        .filter(|p| !p.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
    (!s.is_empty()).then_some(s)
}

/// The value of a selection on a stored client, as text.
fn field_text(selection: &str, full: &ClientRequest) -> Option<String> {
    let c = &full.client;
    let s = |v: &Option<String>| v.clone();
    match selection {
        "CREDIT_OFFICER_KEY" => s(&c.assigned_user_key),
        "CLIENT_ROLE_KEY" => c.client_role.as_ref().and_then(|r| r.encoded_key.clone()),
        "BRANCH_KEY" => s(&c.assigned_branch_key),
        "CENTRE_KEY" => s(&c.assigned_centre_key),
        "ENCODED_KEY" => s(&c.encoded_key),
        "GROUP_KEY" | "GROUP_ID" => full.group_keys.as_ref().and_then(|g| g.first().cloned()),
        "FULL_NAME" => join(&[
            c.first_name.as_deref(),
            c.middle_name.as_deref(),
            c.last_name.as_deref(),
        ]),
        "FIRST_NAME" => s(&c.first_name),
        "MIDDLE_NAME" => s(&c.middle_name),
        "LAST_NAME" => s(&c.last_name),
        "ID" => s(&c.id),
        "HOME_PHONE_NUMBER" => s(&c.home_phone),
        "MOBILE_PHONE_NUMBER" => s(&c.mobile_phone1),
        "EMAIL_ADDRESS" => s(&c.email_address),
        "CLIENT_ADDRESS" => full
            .addresses
            .as_ref()
            .and_then(|a| a.first())
            .and_then(|a| {
                join(&[
                    a.line1.as_deref(),
                    a.line2.as_deref(),
                    a.city.as_deref(),
                    a.region.as_deref(),
                    a.postcode.as_deref(),
                    a.country.as_deref(),
                ])
            }),
        "CREATION_DATE" => s(&c.creation_date),
        "LAST_MODIFIED_DATE" => s(&c.last_modified_date),
        "BIRTHDATE" => s(&c.birth_date),
        // Sandbox clients hold no accounts.
        "DEPOSITS_BALANCE"
        | "LOANS_BALANCE"
        | "PENDING_LOAN_AMOUNT"
        | "APPROVED_LOAN_AMOUNT"
        | "TOTAL_BALANCE"
        | "TOTAL_DUE" => Some("0".into()),
        "LOAN_CYCLE" => c.loan_cycle.map(|n| n.to_string()),
        "GROUP_LOAN_CYCLE" => c.group_loan_cycle.map(|n| n.to_string()),
        "GENDER" => c.gender.as_ref().map(|g| g.as_str().to_string()),
        "CLIENT_STATE" => c.state.as_ref().map(|g| g.as_str().to_string()),
        "PORTAL_STATE" => c
            .portal_preferences
            .as_ref()
            .and_then(|p| p.portal_state.as_ref())
            .map(|p| p.as_str().to_string()),
        "PREFERRED_LANGUAGE" => c
            .preferred_language
            .as_ref()
            .map(|g| g.as_str().to_string()),
        _ => None,
    }
}

/// The search body.
#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct SearchBody {
    filter_constraints: Option<Vec<Constraint>>,
}

/// `POST /api/clients/search`.
pub async fn search(
    State(app): State<Arc<App>>,
    q: Result<Query<Params>, QueryRejection>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let p = params(q)?;
    let page = page(&p)?;
    let body: SearchBody = typed(parse_json(&body)?)?;
    let constraints = body.filter_constraints.ok_or_else(|| {
        ApiError::bad(
            ReturnCode::MissingRequiredParameter,
            Some("filterConstraints"),
        )
    })?;
    let day = today();
    let filters = constraints
        .iter()
        .map(|c| Filter::new(c, day))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(select(&app, page, full_details(&p), |full| {
        filters.iter().all(|f| f.matches(full))
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn filter(sel: &str, el: &str, value: Value, second: Value) -> Result<Filter, i64> {
        let c: Constraint = serde_json::from_value(json!({
            "filterSelection": sel, "filterElement": el, "value": value, "secondValue": second
        }))
        .unwrap();
        Filter::new(&c, "2024-05-15".parse().unwrap()).map_err(|e| e.body.return_code)
    }

    fn client() -> ClientRequest {
        serde_json::from_value(json!({"client": {
            "firstName": "Vijolica", "middleName": "Jay", "lastName": "Baba", "birthDate": "1987-07-08T00:00:00+0200",
            "creationDate": "2024-05-13T12:15:18+0000", "gender": "MALE", "state": "ACTIVE", "loanCycle": 2,
            "emailAddress": "v@b.com", "assignedBranchKey": "b1"
        }}))
        .unwrap()
    }

    fn hit(sel: &str, el: &str, value: Value, second: Value) -> bool {
        filter(sel, el, value, second).unwrap().matches(&client())
    }

    #[test]
    fn every_element_tests_what_it_says() {
        let n = Value::Null;
        assert!(hit("FIRST_NAME", "EQUALS", json!("vijolica"), n.clone()));
        assert!(!hit("GENDER", "EQUALS", json!("male"), n.clone()));
        assert!(hit(
            "FULL_NAME",
            "STARTS_WITH",
            json!("VIJOLICA JAY B"),
            n.clone()
        ));
        assert!(hit(
            "BIRTHDATE",
            "BETWEEN",
            json!("1987-01-01"),
            json!("1987-07-08")
        ));
        assert!(!hit(
            "BIRTHDATE",
            "BETWEEN",
            json!("1987-07-09"),
            json!("1988-01-01")
        ));
        assert!(hit("BIRTHDATE", "ON", json!("1987-07-08"), n.clone()));
        assert!(hit(
            "CREATION_DATE",
            "AFTER",
            json!("2024-05-12"),
            n.clone()
        ));
        assert!(!hit(
            "CREATION_DATE",
            "AFTER",
            json!("2024-05-13"),
            n.clone()
        ));
        assert!(hit(
            "CREATION_DATE",
            "BEFORE",
            json!("2024-05-14"),
            n.clone()
        ));
        assert!(hit("CREATION_DATE", "THIS_WEEK", n.clone(), n.clone()));
        assert!(hit("CREATION_DATE", "THIS_MONTH", n.clone(), n.clone()));
        assert!(!hit("CREATION_DATE", "TODAY", n.clone(), n.clone()));
        assert!(hit("CREATION_DATE", "LAST_DAYS", json!(3), n.clone()));
        assert!(hit(
            "CLIENT_STATE",
            "IN",
            json!("EXITED, ACTIVE"),
            n.clone()
        ));
        assert!(hit("LOAN_CYCLE", "MORE_THAN", json!(1), n.clone()));
        assert!(!hit("LOAN_CYCLE", "LESS_THAN", json!("2"), n.clone()));
        assert!(hit("LOAN_CYCLE", "EQUALS", json!(2), n.clone()));
        assert!(hit("MIDDLE_NAME", "NOT_EMPTY", n.clone(), n.clone()));
        assert!(hit("HOME_PHONE_NUMBER", "EMPTY", n.clone(), n.clone()));
        assert!(hit("BRANCH_KEY", "EQUALS", json!("b1"), n.clone()));
    }

    #[test]
    fn elements_outside_the_data_type_and_bad_values_are_refused() {
        let n = Value::Null;
        assert_eq!(
            filter("FIRST_NAME", "MORE_THAN", json!(1), n.clone()).unwrap_err(),
            4
        );
        assert_eq!(
            filter("GENDER", "STARTS_WITH", json!("M"), n.clone()).unwrap_err(),
            4
        );
        assert_eq!(
            filter("BIRTHDATE", "EQUALS", json!("1987-07-08"), n.clone()).unwrap_err(),
            4
        );
        assert_eq!(
            filter("NOPE", "EQUALS", json!("x"), n.clone()).unwrap_err(),
            4
        );
        assert_eq!(
            filter("FIRST_NAME", "LIKE", json!("x"), n.clone()).unwrap_err(),
            4
        );
        assert_eq!(
            filter("BIRTHDATE", "ON", json!("yesterday"), n.clone()).unwrap_err(),
            4
        );
        assert_eq!(
            filter("LOAN_CYCLE", "BETWEEN", json!(1), n.clone()).unwrap_err(),
            4
        );
        assert_eq!(filter("FIRST_NAME", "EQUALS", n.clone(), n).unwrap_err(), 4);
    }
}
