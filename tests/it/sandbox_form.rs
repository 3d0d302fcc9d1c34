//! The url-encoded form of create over real HTTP: the seed's
//! `POST "firstName=Trevor&lastName=Linden" /api/clients`, Mambu's form
//! parameter names, and the same rules and uniqueness as a JSON create.

use crate::support::sandbox::*;
use serde_json::{json, Value};

const FORM: &str = "application/x-www-form-urlencoded";

/// Posts a form body; the status, the `Location` header and the JSON answer.
async fn post_form(api: &Api, body: &'static str) -> (u16, Option<String>, Value) {
    post_form_to(api, "/api/clients", body).await
}

async fn post_form_to(api: &Api, path: &str, body: &'static str) -> (u16, Option<String>, Value) {
    let r = api
        .req(reqwest::Method::POST, path)
        .header("content-type", FORM)
        .body(body)
        .send()
        .await
        .expect("request is answered");
    let status = r.status().as_u16();
    let location = r
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let text = r.text().await.expect("body is read");
    (
        status,
        location,
        serde_json::from_str(&text).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn the_seeds_form_create_makes_a_client() {
    let api = Api::start(config()).await;
    let (s, location, full) = post_form(&api, "firstName=Trevor&lastName=Linden").await;
    assert_eq!(s, 201, "{full}");
    let c = &full["client"];
    assert_eq!(
        (c["firstName"].as_str(), c["lastName"].as_str()),
        (Some("Trevor"), Some("Linden"))
    );
    assert_eq!(c["state"], "PENDING_APPROVAL");
    assert_eq!(c["clientRole"]["encodedKey"], "d9df8bc78a0234ccc934a845c");
    let id = c["id"].as_str().expect("an id is generated");
    assert_eq!(
        location.as_deref(),
        Some(format!("/api/clients/{id}").as_str())
    );
    let (s, stored) = api.get(&format!("/api/clients/{id}")).await;
    assert_eq!((s, &stored), (200, c));
}

#[tokio::test]
async fn mambus_form_names_fill_the_same_fields_as_json() {
    let api = Api::start(config()).await;
    let (s, _, full) = post_form(
        &api,
        "id=F1&firstName=Ana+Maria&lastName=Lopes&homephone=%2B351+211&mobilephone1=912&email=ana%40example.com\
         &gender=FEMALE&birthDate=1980-02-03&preferredLanguage=ENGLISH\
         &assignedBranchKey=8a2bbaab4700677d0147008dd39b00ea&city=Porto&country=Portugal",
    )
    .await;
    assert_eq!(s, 201, "{full}");
    let (_, got) = api.get("/api/clients/F1?fullDetails=true").await;
    let c = &got["client"];
    assert_eq!(c["firstName"], "Ana Maria");
    assert_eq!(c["homePhone"], "+351 211");
    assert_eq!(c["mobilePhone1"], "912");
    assert_eq!(c["emailAddress"], "ana@example.com");
    assert_eq!(c["gender"], "FEMALE");
    assert_eq!(c["preferredLanguage"], "ENGLISH");
    assert_eq!(got["addresses"][0]["city"], "Porto");
    assert_eq!(got["addresses"][0]["parentKey"], c["encodedKey"]);
}

#[tokio::test]
async fn a_form_is_refused_by_the_rules_a_json_body_is() {
    let api = Api::start(config()).await;
    let cases: [(&'static str, Value, i64); 4] = [
        ("firstName=A", json!({"client": {"firstName": "A"}}), 31),
        (
            "firstName=A&lastName=B&email=not-an-email",
            json!({"client": {"firstName": "A", "lastName": "B", "emailAddress": "not-an-email"}}),
            711,
        ),
        (
            "firstName=A&lastName=B&birthDate=2999-01-01",
            json!({"client": {"firstName": "A", "lastName": "B", "birthDate": "2999-01-01"}}),
            309,
        ),
        (
            "firstName=A&lastName=B&assignedBranchKey=no-such-branch",
            json!({"client": {"firstName": "A", "lastName": "B", "assignedBranchKey": "no-such-branch"}}),
            801,
        ),
    ];
    for (form, as_json, code) in cases {
        let (s, _, b) = post_form(&api, form).await;
        assert_rule(s, &b, &as_json, code);
        assert_eq!(api.post("/api/clients", as_json).await, (s, b), "{form}");
    }
    // Uniqueness is shared with JSON creates: the id and the ERROR duplicate check on email.
    api.create(json!({"client": {"id": "J1", "firstName": "A", "lastName": "B", "emailAddress": "a@b.com"}}))
        .await;
    let (s, _, e) = post_form(&api, "id=J1&firstName=C&lastName=D").await;
    assert_eq!((s, code_of(&e)), (400, 316), "{e}");
    let (s, _, e) = post_form(&api, "id=J2&firstName=C&lastName=D&email=A%40B.com").await;
    let (js, je) = api
        .post("/api/clients", json!({"client": {"id": "J2", "firstName": "C", "lastName": "D", "emailAddress": "A@B.com"}}))
        .await;
    assert_eq!(s, 400, "{e}");
    assert_eq!((s, e), (js, je));
    assert_eq!(
        api.get("/api/clients").await.1.as_array().map(Vec::len),
        Some(1)
    );
}

#[tokio::test]
async fn broken_form_encoding_is_invalid_parameters() {
    let api = Api::start(config()).await;
    let (s, _, e) = post_form(&api, "firstName=A&lastName=%ZZ").await;
    assert_eq!((s, code_of(&e)), (400, 4));
    assert_eq!(e["errorSource"], "lastName");
    let (s, _, e) = post_form(&api, "firstName=A&lastName=B&gender=%FF").await;
    assert_eq!((s, code_of(&e)), (400, 4));
}

#[tokio::test]
async fn the_seeds_own_path_with_its_trailing_slash_creates_too() {
    let api = Api::start(config()).await;
    let (s, _, full) =
        post_form_to(&api, "/api/clients/", "firstName=Trevor&lastName=Linden").await;
    assert_eq!(s, 201, "{full}");
    assert_eq!(full["client"]["lastName"], "Linden");
}
