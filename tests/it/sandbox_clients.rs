//! The client resource over real HTTP: the seeds' examples, create, get,
//! update array semantics, PATCH transitions, delete, lookup, search,
//! custom information, documents and the tenant endpoints.

use crate::support::sandbox::*;
use serde_json::{json, Value};

fn keys_of(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    k.sort();
    k
}

fn is_key(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| s.len() == 32 && s.bytes().all(|c| c.is_ascii_hexdigit()))
}

fn is_mambu_time(v: &Value) -> bool {
    // 2012-06-20T12:15:18+0000
    v.as_str()
        .is_some_and(|s| s.len() == 24 && &s[10..11] == "T" && s.ends_with("+0000"))
}

#[tokio::test]
async fn the_seeds_simple_create_comes_back_in_the_seeds_shape() {
    let api = Api::start(config()).await;
    // The seed's example, with its missing comma after "gender" restored.
    let body = json!({"client": {
        "firstName": "Trevor", "lastName": "Linden", "middleName": "Good", "homePhone": "7899221665",
        "emailAddress": "trevor.linden@mambu.com", "mobilePhone1": "211111111", "mobilePhone2": "122222222",
        "gender": "MALE", "clientRole": {"encodedKey": "d9df8bc78a0234ccc934a845c"}}});
    let resp = api
        .req(reqwest::Method::POST, "/api/clients")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 201);
    let location = resp.headers()["location"].to_str().unwrap().to_string();
    let full: Value = resp.json().await.unwrap();
    let c = &full["client"];
    for k in [
        "firstName",
        "lastName",
        "middleName",
        "homePhone",
        "emailAddress",
        "mobilePhone1",
        "mobilePhone2",
        "gender",
        "clientRole",
    ] {
        assert_eq!(c[k], body["client"][k], "{k}");
    }
    assert!(is_key(&c["encodedKey"]));
    let id = c["id"].as_str().unwrap();
    assert_eq!(id.len(), 9);
    assert!(id.bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(location, format!("/api/clients/{id}"));
    assert_eq!(c["state"], "PENDING_APPROVAL");
    assert_eq!(
        (c["loanCycle"].clone(), c["groupLoanCycle"].clone()),
        (json!(0), json!(0))
    );
    assert!(is_mambu_time(&c["creationDate"]) && is_mambu_time(&c["lastModifiedDate"]));
    assert_eq!(c["clientLinesOfCredit"], json!([]));
    assert_eq!(
        keys_of(&full),
        [
            "addresses",
            "client",
            "customInformation",
            "groupKeys",
            "idDocuments"
        ]
    );

    // GET gives the basic shape (the client alone) by id and by key, the full one on request.
    let (s, basic) = api.get(&format!("/api/clients/{id}")).await;
    assert_eq!((s, &basic), (200, c));
    let key = c["encodedKey"].as_str().unwrap();
    let (_, by_key) = api
        .get(&format!("/api/clients/{key}?fullDetails=true"))
        .await;
    assert_eq!(by_key, full);
    let (s, e) = api.get("/api/clients/nobody").await;
    assert_eq!(
        (s, e),
        (
            404,
            json!({"returnCode": 301, "returnStatus": "INVALID_CLIENT_ID"})
        )
    );
}

#[tokio::test]
async fn the_seeds_grouped_create_and_full_response_shapes_round_trip() {
    let api = Api::start(config()).await;
    let full = api
        .create(json!({
            "client": {"firstName": "John", "lastName": "Doe", "middleName": "MiddleName", "homePhone": "56611235498",
                       "emailAddress": "john.doe@mambu.com", "mobilePhone1": "211111111", "gender": "MALE",
                       "birthDate": "1990-07-08T00:00:00+0200"},
            "customInformation": [
                {"value": "1", "customFieldID": "Call_Summary_Clients", "customFieldSetGroupIndex": "0"},
                {"value": "2", "customFieldID": "Call_Summary_Clients", "customFieldSetGroupIndex": "1"}
            ]
        }))
        .await;
    let key = full["client"]["encodedKey"].clone();
    let cf = full["customInformation"].as_array().unwrap();
    assert_eq!(cf.len(), 2);
    for (i, v) in cf.iter().enumerate() {
        assert_eq!(v["customFieldSetGroupIndex"], json!(i));
        assert_eq!(v["value"], json!((i + 1).to_string()));
        assert_eq!(v["customFieldID"], "Call_Summary_Clients");
        assert_eq!(v["customFieldKey"], "cf_calls");
        assert_eq!(v["customField"]["id"], "Call_Summary_Clients");
        assert_eq!(v["customField"]["customFieldSet"]["usage"], "GROUPED");
        assert_eq!(v["parentKey"], key);
        assert_eq!(v["indexInList"], json!(i));
        assert!(is_key(&v["encodedKey"]));
    }

    // The seed's full response posted as a create: every nested object keeps
    // the seed's fields, and gets its keys.
    let seed = json!({
        "client": {"id": "8", "firstName": "Vijolica", "lastName": "Baba", "middleName": "Jay", "homePhone": "(77) 159-443",
                   "mobilePhone1": "604-271-7041", "birthDate": "1987-07-08T00:00:00+0200", "gender": "MALE",
                   "notes": "Lives with three daughters.", "assignedBranchKey": "8a2bbaab4700677d0147008dd39b00ea"},
        "addresses": [
            {"line1": "Dayka Gabor u. 39.", "line2": "", "city": "Kiskunmajsa", "region": "", "postcode": "6137", "country": "Canada"},
            {"line1": "ignored second address"}
        ],
        "customInformation": [{"value": "Costume designer", "customFieldID": "Position"}, {"value": "TRUE", "customFieldID": "idvalidated"}],
        "idDocuments": [{"documentType": "Passport", "documentId": "ABC123", "issuingAuthority": "Government",
                         "validUntil": "2013-06-01T00:00:00+0200", "identificationDocumentTemplateKey": "2a0a00a24b4ce72a025c4afefce821e9"}]
    });
    let full = api.create(seed.clone()).await;
    let key = full["client"]["encodedKey"].clone();
    let addresses = full["addresses"].as_array().unwrap();
    assert_eq!(addresses.len(), 1, "only the first address is stored");
    assert_eq!(addresses[0]["parentKey"], key);
    assert_eq!(addresses[0]["indexInList"], 0);
    assert_eq!(addresses[0]["city"], "Kiskunmajsa");
    assert_eq!(
        keys_of(&addresses[0]),
        [
            "city",
            "country",
            "encodedKey",
            "indexInList",
            "line1",
            "line2",
            "parentKey",
            "postcode",
            "region"
        ]
    );
    let doc = &full["idDocuments"][0];
    assert_eq!(doc["clientKey"], key);
    assert_eq!(doc["documentId"], "ABC123");
    assert_eq!(doc["validUntil"], "2013-06-01T00:00:00+0200");
    assert!(is_key(&doc["encodedKey"]));
    let check = &full["customInformation"][1];
    assert_eq!(check["customField"]["dataType"], "CHECKBOX");
    assert_eq!(check["customFieldSetGroupIndex"], -1);
    assert_eq!(full["client"]["id"], "8");
    assert_eq!(full["groupKeys"], json!([]));
    // The id is reused: 316 CLIENT_ID_ALREADY_IN_USE.
    let (s, e) = api.post("/api/clients", seed).await;
    assert_eq!(
        (s, e),
        (
            400,
            json!({"returnCode": 316, "returnStatus": "CLIENT_ID_ALREADY_IN_USE", "errorSource": "id"})
        )
    );
}

#[tokio::test]
async fn bad_bodies_get_mambus_codes() {
    let api = Api::start(config()).await;
    let send = |body: &'static str| {
        api.req(reqwest::Method::POST, "/api/clients")
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let r = send("").await.unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert_eq!(code_of(&r.json().await.unwrap()), 30);
    // The seed's example as printed (a comma missing) is not JSON.
    let r = send(r#"{"client":{"gender":"MALE" "clientRole":{}}}"#)
        .await
        .unwrap();
    assert_eq!(code_of(&r.json().await.unwrap()), 26);
    let r = send(r#"{"firstName":"x"}"#).await.unwrap();
    assert_eq!(code_of(&r.json().await.unwrap()), 31);
    let r = send(r#"{"client":{"firstName":"x","loanCycle":"many"}}"#)
        .await
        .unwrap();
    assert_eq!(code_of(&r.json().await.unwrap()), 4);
}

#[tokio::test]
async fn rules_are_the_validators() {
    let api = Api::start(config()).await;
    let cases = [
        (json!({"client": {"firstName": "A"}}), 31),
        (
            json!({"client": {"firstName": "A", "lastName": "B", "emailAddress": "not-an-email"}}),
            711,
        ),
        (
            json!({"client": {"firstName": "A", "lastName": "B", "birthDate": "2999-01-01"}}),
            309,
        ),
        (
            json!({"client": {"firstName": "A", "lastName": "B"}, "customInformation": [{"customFieldID": "Nope", "value": "1"}]}),
            903,
        ),
        (
            json!({"client": {"firstName": "A", "lastName": "B"}, "customInformation": [{"customFieldID": "Family_Members", "value": "many"}]}),
            901,
        ),
        (
            json!({"client": {"firstName": "A", "lastName": "B", "assignedBranchKey": "no-such-branch"}}),
            801,
        ),
    ];
    for (body, code) in cases {
        let (s, b) = api.post("/api/clients", body.clone()).await;
        assert_rule(s, &b, &body, code);
    }
}

#[tokio::test]
async fn a_required_custom_field_is_the_validators_902() {
    let mut schema = tenant_json();
    schema["customFieldSets"][0]["customFields"][0]["isRequired"] = json!(true);
    let t = ferry::tenant::Tenant::from_schema(serde_json::from_value(schema).unwrap()).unwrap();
    let body = person("r1", "A", "B");
    let verdict = validator_verdict(&body, &t);
    let mut cfg = config();
    cfg.tenant = t;
    let api = Api::start(cfg).await;
    let (s, b) = api.post("/api/clients", body).await;
    match verdict {
        Some(e) => {
            assert_eq!(e.code.code(), 902);
            assert_eq!((s, code_of(&b)), (400, 902));
        }
        None => assert!(!validator_is_real() && s == 201),
    }
}

#[tokio::test]
async fn unique_values_and_duplicate_checks_use_the_validators_keys() {
    let api = Api::start(config()).await;
    api.create(
        json!({"client": {"id": "u1", "firstName": "A", "lastName": "B", "emailAddress": "a@b.com"},
                      "customInformation": [{"customFieldID": "National_Number", "value": "N1"}]}),
    )
    .await;
    let same_value = json!({"client": {"id": "u2", "firstName": "C", "lastName": "D"},
                            "customInformation": [{"customFieldID": "National_Number", "value": "N1"}]});
    let same_email = json!({"client": {"id": "u3", "firstName": "E", "lastName": "F", "emailAddress": "a@b.com"}});
    let (s1, b1) = api.post("/api/clients", same_value).await;
    let (s2, b2) = api.post("/api/clients", same_email).await;
    if validator_is_real() {
        assert_eq!(
            (s1, code_of(&b1), b1["errorSource"].clone()),
            (400, 926, json!("National_Number"))
        );
        assert_eq!((s2, code_of(&b2)), (400, 310));
    } else {
        assert_eq!((s1, s2), (201, 201));
    }
}

#[tokio::test]
async fn updates_replace_given_arrays_and_leave_absent_ones() {
    let api = Api::start(config()).await;
    let full = api
        .create(json!({
            "client": {"id": "21qds1231", "firstName": "Max", "lastName": "Alexander", "notes": "keep me"},
            "addresses": [{"line1": "1 Old Road", "city": "Leeds"}],
            "idDocuments": [{"documentType": "CI", "documentId": "1", "identificationDocumentTemplateKey": "9b0a97094b4cd73f014b5f5ef0e811d2"}],
            "customInformation": [{"customFieldID": "Position", "value": "Clerk"}, {"customFieldID": "Studies", "value": "Law"}]
        }))
        .await;
    let key = full["client"]["encodedKey"].as_str().unwrap().to_string();
    let address_key = full["addresses"][0]["encodedKey"].clone();
    let position_key = full["customInformation"][0]["encodedKey"].clone();

    // The seed's "update custom fields, addresses and ID documents" example (commas restored).
    let (s, up) = api
        .post("/api/clients/21qds1231", json!({
            "client": {"encodedKey": key, "firstName": "Max", "lastName": "Alexander", "middleName": "Frank",
                       "homePhone": "56611235498", "emailAddress": "max.alexander@mambu.com", "mobilePhone1": "211111111", "gender": "MALE"},
            "idDocuments": [
                {"documentType": "CI", "documentId": "23453", "issuingAuthority": "Police", "validUntil": "2014-09-30T00:00:00+0000",
                 "identificationDocumentTemplateKey": "9b0a97094b4cd73f014b5f5ef0e811d2"},
                {"documentType": "Passport", "documentId": "sss332", "issuingAuthority": "Passport Agency", "validUntil": "2014-09-30T00:00:00+0000",
                 "identificationDocumentTemplateKey": "2a0a00a24b4ce72a025c4afefce821e9"}
            ],
            "addresses": [{"encodedKey": address_key, "line1": "8 Howling Lane", "line2": "Hackney", "city": "London", "region": "London",
                           "postcode": "1234554321", "country": "United Kingdom"}],
            "customInformation": [{"value": "1", "customFieldID": "Family_Members"}, {"value": "TRUE", "customFieldID": "Has_children"},
                                  {"value": "Manager", "customFieldID": "Position"}]
        }))
        .await;
    assert_eq!(s, 201, "{up}");
    assert_eq!(up["client"]["middleName"], "Frank");
    assert_eq!(
        up["client"]["notes"], "keep me",
        "client fields not given are kept"
    );
    assert_eq!(up["client"]["creationDate"], full["client"]["creationDate"]);
    assert_eq!(
        up["addresses"][0]["encodedKey"], address_key,
        "matched by encodedKey"
    );
    assert_eq!(up["addresses"][0]["city"], "London");
    assert_eq!(up["idDocuments"].as_array().unwrap().len(), 2);
    assert_ne!(
        up["idDocuments"][0]["encodedKey"], full["idDocuments"][0]["encodedKey"],
        "an entry not given is deleted"
    );
    let ids: Vec<&str> = up["customInformation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["customFieldID"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["Family_Members", "Has_children", "Position"],
        "Studies was omitted, so deleted"
    );
    assert_eq!(
        up["customInformation"][2]["encodedKey"], position_key,
        "matched by customFieldID"
    );

    // Absent arrays are untouched.
    let (_, same) = api
        .post(
            &format!("/api/clients/{key}"),
            json!({"client": {"encodedKey": key, "notes": "n2"}}),
        )
        .await;
    assert_eq!(same["customInformation"], up["customInformation"]);
    assert_eq!(same["idDocuments"], up["idDocuments"]);
    assert_eq!(same["client"]["notes"], "n2");

    // The seed's "remove all" example: empty arrays delete everything.
    let (s, empty) = api
        .post("/api/clients/21qds1231", json!({"client": {"encodedKey": key, "firstName": "Max", "lastName": "Alexander"},
                                              "idDocuments": [], "addresses": [], "customInformation": []}))
        .await;
    assert_eq!(s, 201);
    for k in ["idDocuments", "addresses", "customInformation"] {
        assert_eq!(empty[k], json!([]), "{k}");
    }
    let (_, stored) = api.get("/api/clients/21qds1231?fullDetails=true").await;
    assert_eq!(stored, empty);

    // A wrong or missing encodedKey is refused; an unknown client is 301.
    let (s, e) = api
        .post(
            "/api/clients/21qds1231",
            json!({"client": {"encodedKey": "0000"}}),
        )
        .await;
    assert_eq!((s, code_of(&e)), (400, 302));
    let (s, e) = api
        .post(
            "/api/clients/21qds1231",
            json!({"client": {"firstName": "x"}}),
        )
        .await;
    assert_eq!((s, code_of(&e)), (400, 31));
    let (s, e) = api
        .post(
            "/api/clients/nobody",
            json!({"client": {"encodedKey": key}}),
        )
        .await;
    assert_eq!((s, code_of(&e)), (404, 301));
    // The merged result is validated like a create.
    let bad = json!({"client": {"encodedKey": key, "emailAddress": "broken"}});
    let (s, b) = api.post("/api/clients/21qds1231", bad).await;
    let merged =
        json!({"client": {"firstName": "Max", "lastName": "Alexander", "emailAddress": "broken"}});
    if validator_is_real() {
        assert_rule(s, &b, &merged, 711);
    } else {
        assert_eq!(s, 201);
    }
}

#[tokio::test]
async fn patch_moves_state_as_mambu_allows() {
    let api = Api::start(config()).await;
    api.create(person("p1", "A", "B")).await;
    let state = |s: &'static str| json!({"client": {"state": s}});
    let (s, ok) = api.patch("/api/clients/p1", state("INACTIVE")).await;
    assert_eq!(
        (s, ok),
        (200, json!({"returnCode": 0, "returnStatus": "SUCCESS"}))
    );
    let (_, c) = api.get("/api/clients/p1").await;
    assert_eq!(c["state"], "INACTIVE");
    assert!(c["approvedDate"].is_string());
    assert_eq!(
        api.patch("/api/clients/p1", state("PENDING_APPROVAL"))
            .await
            .0,
        200
    );
    let (s, e) = api.patch("/api/clients/p1", state("EXITED")).await;
    assert_eq!((s, code_of(&e)), (400, 312));
    let (s, e) = api.patch("/api/clients/p1", state("ACTIVE")).await;
    assert_eq!((s, code_of(&e)), (400, 312));
    let (s, e) = api.patch("/api/clients/p1", state("ASLEEP")).await;
    assert_eq!((s, code_of(&e)), (400, 305));
    assert_eq!(api.patch("/api/clients/p1", state("REJECTED")).await.0, 200);
    assert_eq!(
        api.patch("/api/clients/p1", state("BLACKLISTED")).await.0,
        200
    );
    let (s, e) = api
        .patch("/api/clients/p1", state("PENDING_APPROVAL"))
        .await;
    assert_eq!((s, code_of(&e)), (400, 312));
    // A blacklisted client cannot be edited.
    let key = api.get("/api/clients/p1").await.1["encodedKey"].clone();
    let (s, e) = api
        .post(
            "/api/clients/p1",
            json!({"client": {"encodedKey": key, "notes": "x"}}),
        )
        .await;
    assert_eq!((s, code_of(&e)), (400, 3741));
    let (s, e) = api
        .patch(
            "/api/clients/p1/custominformation/Position",
            json!({"value": "x"}),
        )
        .await;
    assert_eq!((s, code_of(&e)), (400, 3741));
}

#[tokio::test]
async fn patch_assignments_are_validated() {
    let api = Api::start(config()).await;
    api.create(person("a1", "A", "B")).await;
    let good = json!({"client": {"assignedBranchKey": "8a2bbaab4700677d0147008dd39b00ea",
                                 "assignedCentreKey": "8a2bbaab4700677d0147008dd66200fe",
                                 "assignedUserKey": "402832b43809601c013809601f9d0002"}});
    assert_eq!(api.patch("/api/clients/a1", good).await.0, 200);
    let (_, c) = api.get("/api/clients/a1").await;
    assert_eq!(c["assignedCentreKey"], "8a2bbaab4700677d0147008dd66200fe");
    let (s, b) = api
        .patch(
            "/api/clients/a1",
            json!({"client": {"assignedBranchKey": "nowhere"}}),
        )
        .await;
    if validator_is_real() {
        assert_eq!((s, code_of(&b)), (400, 801));
    } else {
        assert_eq!(s, 200);
    }
}

#[tokio::test]
async fn delete_removes_the_client() {
    let api = Api::start(config()).await;
    api.create(person("d1", "A", "B")).await;
    let (s, b) = api.delete("/api/clients/d1").await;
    assert_eq!(
        (s, b),
        (200, json!({"returnCode": 0, "returnStatus": "SUCCESS"}))
    );
    assert_eq!(api.get("/api/clients/d1").await.0, 404);
    assert_eq!(api.delete("/api/clients/d1").await.0, 404);
    // The id is free again.
    api.create(person("d1", "A", "B")).await;
}

#[tokio::test]
async fn lookup_filters_exactly_and_paginates() {
    let api = Api::start(config()).await;
    for i in 0..7 {
        let last = if i % 2 == 0 { "Jones" } else { "Smith" };
        api.create(json!({"client": {"id": format!("L{i}"), "firstName": "A", "lastName": last,
                                     "birthDate": "1980-01-02", "assignedBranchKey": "8a2bbaab4700677d0147008dd39b00ea"},
                          "idDocuments": [{"documentType": "CI", "documentId": format!("13124{i}"),
                                           "identificationDocumentTemplateKey": "9b0a97094b4cd73f014b5f5ef0e811d2"}]}))
            .await;
    }
    let ids = |v: &Value| {
        v.as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        ids(&api.get("/api/clients?lastName=Jones").await.1),
        ["L0", "L2", "L4", "L6"]
    );
    assert_eq!(
        ids(&api.get("/api/clients?lastName=jones").await.1),
        Vec::<String>::new()
    );
    assert_eq!(
        ids(&api
            .get("/api/clients?lastName=Jones&idDocument=131242")
            .await
            .1),
        ["L2"]
    );
    assert_eq!(
        ids(&api.get("/api/clients?branchId=DB&limit=2&offset=3").await.1),
        ["L3", "L4"]
    );
    assert_eq!(
        api.get("/api/clients?branchId=8a2bbaab4700677d0147008dd39b00ea")
            .await
            .1
            .as_array()
            .unwrap()
            .len(),
        7
    );
    assert_eq!(
        ids(&api
            .get("/api/clients?birthDate=1980-01-02&state=PENDING_APPROVAL&offset=6")
            .await
            .1),
        ["L6"]
    );
    assert_eq!(api.get("/api/clients?state=ACTIVE").await.1, json!([]));
    let all = api.get("/api/clients").await.1;
    assert!(
        all[0].get("customInformation").is_none() && all[0]["firstName"] == "A",
        "basic shapes"
    );
    assert_eq!(api.get("/api/clients?limit=1000").await.0, 200);
    for (bad, code) in [
        ("limit=1001", 14),
        ("limit=-1", 13),
        ("limit=ten", 13),
        ("offset=-1", 4),
    ] {
        let (s, e) = api.get(&format!("/api/clients?{bad}")).await;
        assert_eq!((s, code_of(&e)), (400, code), "{bad}");
    }
}

#[tokio::test]
async fn search_applies_every_constraint() {
    let api = Api::start(config()).await;
    api.create(json!({"client": {"id": "s1", "firstName": "Ann", "lastName": "Lee", "gender": "FEMALE", "birthDate": "2015-03-01",
                                 "emailAddress": "ann@x.com", "mobilePhone1": "0711"}})).await;
    api.create(json!({"client": {"id": "s2", "firstName": "Bob", "lastName": "Leeds", "gender": "MALE", "birthDate": "1970-03-01",
                                 "homePhone": "555", "preferredLanguage": "ENGLISH"}})).await;
    api.patch("/api/clients/s2", json!({"client": {"state": "INACTIVE"}}))
        .await;
    let api = &api;
    let search = |constraints: Value| {
        let body = json!({"filterConstraints": constraints});
        async move { api.post("/api/clients/search", body).await }
    };
    let ids = |v: &Value| {
        v.as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    let one = |sel: &str, el: &str, value: Value| json!([{"filterSelection": sel, "filterElement": el, "value": value}]);
    let cases: Vec<(Value, Vec<&str>)> = vec![
        (one("GENDER", "EQUALS", json!("MALE")), vec!["s2"]),
        (
            one("LAST_NAME", "STARTS_WITH", json!("lee")),
            vec!["s1", "s2"],
        ),
        (one("FULL_NAME", "EQUALS", json!("ann lee")), vec!["s1"]),
        (
            json!([{"filterSelection": "BIRTHDATE", "filterElement": "BETWEEN", "value": "2015-01-01", "secondValue": "2015-06-20"}]),
            vec!["s1"],
        ),
        (one("BIRTHDATE", "ON", json!("1970-03-01")), vec!["s2"]),
        (one("BIRTHDATE", "AFTER", json!("1970-03-01")), vec!["s1"]),
        (one("BIRTHDATE", "BEFORE", json!("2015-03-01")), vec!["s2"]),
        (one("CREATION_DATE", "TODAY", Value::Null), vec!["s1", "s2"]),
        (one("CREATION_DATE", "BEFORE", json!("2000-01-01")), vec![]),
        (
            json!([{"filterSelection": "CLIENT_STATE", "filterElement": "IN", "values": ["INACTIVE", "EXITED"]}]),
            vec!["s2"],
        ),
        (
            one("CLIENT_STATE", "IN", json!("PENDING_APPROVAL,ACTIVE")),
            vec!["s1"],
        ),
        (one("HOME_PHONE_NUMBER", "EMPTY", Value::Null), vec!["s1"]),
        (one("EMAIL_ADDRESS", "NOT_EMPTY", Value::Null), vec!["s1"]),
        (
            one("MOBILE_PHONE_NUMBER", "EQUALS", json!("0711")),
            vec!["s1"],
        ),
        (
            one("PREFERRED_LANGUAGE", "EQUALS", json!("ENGLISH")),
            vec!["s2"],
        ),
        (one("LOAN_CYCLE", "MORE_THAN", json!(0)), vec![]),
        (one("LOAN_CYCLE", "LESS_THAN", json!(1)), vec!["s1", "s2"]),
        (
            one("GROUP_LOAN_CYCLE", "EQUALS", json!("0")),
            vec!["s1", "s2"],
        ),
        (one("ID", "EQUALS", json!("s2")), vec!["s2"]),
        (one("MIDDLE_NAME", "EMPTY", Value::Null), vec!["s1", "s2"]),
        // AND between constraints.
        (
            json!([{"filterSelection": "LAST_NAME", "filterElement": "STARTS_WITH", "value": "Lee"},
                {"filterSelection": "GENDER", "filterElement": "EQUALS", "value": "FEMALE"}]),
            vec!["s1"],
        ),
        (json!([]), vec!["s1", "s2"]),
    ];
    for (constraints, want) in cases {
        let (s, found) = search(constraints.clone()).await;
        assert_eq!(s, 200, "{constraints}: {found}");
        assert_eq!(ids(&found), want, "{constraints}");
    }
    let key = api.get("/api/clients/s1").await.1["encodedKey"].clone();
    assert_eq!(
        ids(&search(one("ENCODED_KEY", "EQUALS", key)).await.1),
        ["s1"]
    );
    // Elements outside the selection's data type, unknown names, missing values → 4.
    for bad in [
        one("FIRST_NAME", "MORE_THAN", json!(1)),
        one("GENDER", "STARTS_WITH", json!("M")),
        one("BIRTHDATE", "EQUALS", json!("2015-03-01")),
        one("SHOE_SIZE", "EQUALS", json!("9")),
        json!([{"filterSelection": "BIRTHDATE", "filterElement": "BETWEEN", "value": "2015-01-01"}]),
    ] {
        let (s, e) = search(bad.clone()).await;
        assert_eq!((s, code_of(&e)), (400, 4), "{bad}");
    }
    let (s, page) = api
        .post(
            "/api/clients/search?offset=1&limit=1",
            json!({"filterConstraints": []}),
        )
        .await;
    assert_eq!((s, ids(&page)), (200, vec!["s2".to_string()]));
    assert_eq!(
        api.post(
            "/api/clients/search?limit=5000",
            json!({"filterConstraints": []})
        )
        .await
        .0,
        400
    );
}

#[tokio::test]
async fn custom_information_get_patch_delete_including_groups() {
    let api = Api::start(config()).await;
    api.create(json!({"client": {"id": "abc123", "firstName": "A", "lastName": "B"},
                      "customInformation": [{"customFieldID": "Family_Members", "value": "3"},
                                            {"customFieldID": "IBAN", "value": "DE1", "customFieldSetGroupIndex": 0}]}))
        .await;
    // The seed's examples: by id and by the field's encoded key.
    let (s, b) = api
        .patch(
            "/api/clients/abc123/custominformation/Family_Members",
            json!({"value": "10"}),
        )
        .await;
    assert_eq!(
        (s, b),
        (200, json!({"returnCode": 0, "returnStatus": "SUCCESS"}))
    );
    let (s, values) = api
        .get("/api/clients/abc123/custominformation/cf_family")
        .await;
    assert_eq!(s, 200);
    let values = values.as_array().unwrap();
    assert_eq!(values.len(), 1);
    assert_eq!(values[0]["value"], "10");
    assert_eq!(values[0]["customFieldID"], "Family_Members");
    assert_eq!(values[0]["customFieldSetGroupIndex"], -1);
    assert_eq!(values[0]["customField"]["dataType"], "NUMBER");
    // Grouped: without an index a new group is added; with one it is edited.
    api.patch(
        "/api/clients/abc123/custominformation/IBAN",
        json!({"value": "DE2"}),
    )
    .await;
    api.patch(
        "/api/clients/abc123/custominformation/IBAN",
        json!({"value": "DE1b", "customFieldSetGroupIndex": "0"}),
    )
    .await;
    let (_, groups) = api.get("/api/clients/abc123/custominformation/IBAN").await;
    let pairs: Vec<(Value, Value)> = groups
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["customFieldSetGroupIndex"].clone(), v["value"].clone()))
        .collect();
    assert_eq!(pairs, [(json!(0), json!("DE1b")), (json!(1), json!("DE2"))]);
    // The seed's multi-field PATCH.
    let (s, _) = api
        .patch("/api/clients/abc123/custominformation/", json!({"customInformation": [
            {"customFieldID": "IBAN", "value": "DE123456789121243546783"},
            {"customFieldID": "BIC", "value": "1234566441", "customFieldSetGroupIndex": "0"},
            {"customFieldID": "BANK_ACCOUNT_TYPE", "value": "Current Account", "customFieldSetGroupIndex": "1"}]}))
        .await;
    assert_eq!(s, 200);
    let (_, groups) = api.get("/api/clients/abc123/custominformation/IBAN").await;
    assert_eq!(groups.as_array().unwrap().len(), 3);
    let (_, bic) = api.get("/api/clients/abc123/custominformation/BIC").await;
    assert_eq!(bic[0]["value"], "1234566441");
    // Values are validated by the same rules as a create.
    let (s, b) = api
        .patch(
            "/api/clients/abc123/custominformation/Family_Members",
            json!({"value": "lots"}),
        )
        .await;
    if validator_is_real() {
        assert_eq!((s, code_of(&b)), (400, 901));
    } else {
        assert_eq!(s, 200);
    }
    let (s, e) = api
        .patch(
            "/api/clients/abc123/custominformation/Family_Members",
            json!({}),
        )
        .await;
    assert_eq!((s, code_of(&e)), (400, 31));
    // DELETE removes every group.
    assert_eq!(
        api.delete("/api/clients/abc123/custominformation/IBAN")
            .await
            .0,
        200
    );
    assert_eq!(
        api.get("/api/clients/abc123/custominformation/IBAN")
            .await
            .1,
        json!([])
    );
    let (_, full) = api.get("/api/clients/abc123?fullDetails=true").await;
    assert!(full["customInformation"]
        .as_array()
        .unwrap()
        .iter()
        .all(|v| v["customFieldID"] != "IBAN"));
    let (s, e) = api.get("/api/clients/abc123/custominformation/Nope").await;
    assert_eq!((s, code_of(&e)), (400, 903));
}

#[tokio::test]
async fn documents_are_stored_as_base64() {
    let api = Api::start(config()).await;
    api.create(person("131241", "A", "B")).await;
    let content = "iVBORw0KGgoAAAANSUhEUg==";
    let doc = |c: &str| json!({"document": {"documentHolderKey": "x", "documentHolderType": "CLIENT", "name": "picture", "type": "jpg"}, "documentContent": c});
    let (s, meta) = api
        .post(
            "/api/clients/131241/documents/PROFILE_PICTURE",
            doc(content),
        )
        .await;
    assert_eq!(s, 201, "{meta}");
    assert_eq!(meta["name"], "picture");
    assert_eq!(meta["fileSize"], 16);
    let (s, got) = api
        .get("/api/clients/131241/documents/PROFILE_PICTURE")
        .await;
    assert_eq!(
        (s, got),
        (200, json!(format!("data:image/jpeg;base64,{content}")))
    );
    let (_, c) = api.get("/api/clients/131241").await;
    assert_eq!(c["profilePictureKey"], meta["encodedKey"]);
    assert!(c.get("profileSignatureKey").is_none());
    // Content outside base64's alphabet is refused.
    let (s, e) = api
        .post(
            "/api/clients/131241/documents/SIGNATURE",
            doc("not base64!"),
        )
        .await;
    assert_eq!((s, code_of(&e)), (400, 4));
    assert_eq!(
        api.post("/api/clients/131241/documents/SIGNATURE", doc("c2ln"))
            .await
            .0,
        201
    );
    assert_eq!(
        api.post("/api/clients/131241/documents/SELFIE", doc("c2ln"))
            .await
            .0,
        400
    );
    assert_eq!(
        api.delete("/api/clients/131241/documents/PROFILE_PICTURE")
            .await
            .0,
        200
    );
    assert_eq!(
        api.get("/api/clients/131241/documents/PROFILE_PICTURE")
            .await
            .0,
        404
    );
    let (_, c) = api.get("/api/clients/131241").await;
    assert!(c.get("profilePictureKey").is_none());
    assert!(c["profileSignatureKey"].is_string());
    let export = api.sandbox.export().await;
    assert_eq!(export["documents"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_tenant_can_be_read_back() {
    let api = Api::start(config()).await;
    let (s, sets) = api.get("/api/customfieldsets?type=CLIENT_INFO").await;
    assert_eq!(s, 200);
    assert_eq!(sets.as_array().unwrap().len(), 3);
    assert_eq!(sets[0]["customFields"][1]["id"], "Family_Members");
    assert_eq!(
        api.get("/api/customfieldsets?type=LOAN_ACCOUNT_INFO")
            .await
            .1,
        json!([])
    );
    assert_eq!(api.get("/api/branches").await.1[0]["id"], "DB");
    assert_eq!(api.get("/api/centres").await.1[0]["id"], "DC");
    assert_eq!(
        api.get("/api/users?offset=0&limit=10").await.1,
        json!([{
            "encodedKey": "402832b43809601c013809601f9d0002",
            "username": "officer",
            "isCreditOfficer": true,
            "assignedBranchKey": "8a2bbaab4700677d0147008dd39b00ea",
            "userState": "ACTIVE"
        }])
    );
    assert_eq!(
        api.get("/api/clienttypes?for=CLIENTS").await.1,
        json!([{
            "encodedKey": "d9df8bc78a0234ccc934a845c",
            "id": "PERSON",
            "name": "Person",
            "clientType": "CLIENT",
            "canOpenAccounts": true,
            "canGuarantee": true,
            "requireID": false,
            "useDefaultAddress": true,
            "index": 0
        }])
    );
    assert_eq!(api.get("/api/clienttypes?for=GROUPS").await.1, json!([]));
    assert_eq!(
        api.get("/api/settings/iddocumenttemplates").await.1[1]["documentType"],
        "Passport"
    );
    assert_eq!(
        api.get("/api/settings/general").await.1,
        json!({
            "defaultClientRoleKey": "d9df8bc78a0234ccc934a845c",
            "defaultClientState": "PENDING_APPROVAL",
            "assignmentConstraints": [],
            "duplicateClientChecks": [
                {"dataField": "EMAIL", "dataItemType": "CLIENT", "active": true, "groupIndex": 0}
            ],
            "duplicateClientConstraintAction": "ERROR"
        })
    );
    // Mambu pages these lists with offset and limit (at most 1000).
    assert_eq!(api.get("/api/branches?offset=1").await.1, json!([]));
    assert_eq!(api.get("/api/centres?limit=1001").await.0, 400);
    // The routes Mambu does not have are gone.
    assert_eq!(api.get("/api/clientroles").await.0, 404);
    assert_eq!(api.get("/api/idtemplates").await.0, 404);
    let (_, whole) = api.get("/api/sandbox/tenant").await;
    let schema: ferry::tenant::TenantSchema = serde_json::from_value(whole).unwrap();
    assert_eq!(&schema, tenant().schema());
}

#[tokio::test]
async fn what_the_server_owns_is_not_taken_from_a_create() {
    let api = Api::start(config()).await;
    let body = json!({"client": {
        "id": "own1", "firstName": "A", "lastName": "B", "state": "ACTIVE",
        "approvedDate": "2001-01-01T00:00:00+0000", "activationDate": "2001-01-01T00:00:00+0000",
        "closedDate": "2001-01-01T00:00:00+0000", "creationDate": "2001-01-01T00:00:00+0000",
        "loanCycle": 7, "groupLoanCycle": 3, "profilePictureKey": "pp", "profileSignatureKey": "ps",
        "migrationEvent": {"encodedKey": "m1", "state": "APPROVED", "type": "IMPORT"}}});
    let (s, full) = api.post("/api/clients", body).await;
    assert_eq!(s, 201, "{full}");
    let c = &full["client"];
    assert_eq!(c["state"], "PENDING_APPROVAL", "the tenant's initial state");
    for absent in [
        "approvedDate",
        "activationDate",
        "closedDate",
        "profilePictureKey",
        "profileSignatureKey",
        "migrationEvent",
    ] {
        assert!(c[absent].is_null(), "{absent}: {}", c[absent]);
    }
    assert_eq!(
        (c["loanCycle"].as_i64(), c["groupLoanCycle"].as_i64()),
        (Some(0), Some(0))
    );
    assert_ne!(c["creationDate"], "2001-01-01T00:00:00+0000");
    assert!(is_mambu_time(&c["creationDate"]));
}

#[tokio::test]
async fn a_tenant_that_starts_clients_inactive_approves_them_on_create() {
    let mut t = tenant_json();
    t["defaultClientState"] = json!("INACTIVE");
    let schema: ferry::tenant::TenantSchema = serde_json::from_value(t).unwrap();
    let mut c = config();
    c.tenant = ferry::tenant::Tenant::from_schema(schema).unwrap();
    let api = Api::start(c).await;
    let (s, full) = api.post("/api/clients", person("in1", "A", "B")).await;
    assert_eq!(s, 201);
    assert_eq!(full["client"]["state"], "INACTIVE");
    assert!(is_mambu_time(&full["client"]["approvedDate"]));
}

#[tokio::test]
async fn assignments_given_by_id_are_stored_as_keys_and_found_by_either() {
    let api = Api::start(config()).await;
    let (branch, centre, user) = (
        "8a2bbaab4700677d0147008dd39b00ea",
        "8a2bbaab4700677d0147008dd66200fe",
        "402832b43809601c013809601f9d0002",
    );
    let mut body = person("as1", "A", "B");
    body["client"]["assignedBranchKey"] = json!("DB");
    body["client"]["assignedCentreKey"] = json!("DC");
    body["client"]["assignedUserKey"] = json!("officer");
    let (s, full) = api.post("/api/clients", body).await;
    assert_eq!(s, 201, "{full}");
    let c = &full["client"];
    assert_eq!(
        (
            &c["assignedBranchKey"],
            &c["assignedCentreKey"],
            &c["assignedUserKey"]
        ),
        (&json!(branch), &json!(centre), &json!(user))
    );
    for q in [
        "branchId=DB",
        &format!("branchId={branch}"),
        "centreId=DC",
        &format!("centreId={centre}"),
        "creditOfficerUsername=officer",
    ] {
        let (s, found) = api.get(&format!("/api/clients?{q}")).await;
        assert_eq!(s, 200);
        assert_eq!(found.as_array().map(Vec::len), Some(1), "{q}: {found}");
    }
    // PATCH by id stores the key too.
    api.create(person("as2", "A", "B")).await;
    let patch = json!({"client": {"assignedBranchKey": "DB", "assignedCentreKey": "DC"}});
    assert_eq!(api.patch("/api/clients/as2", patch).await.0, 200);
    let (_, c) = api.get("/api/clients/as2").await;
    assert_eq!(c["assignedBranchKey"], branch);
    assert_eq!(c["assignedCentreKey"], centre);
}

#[tokio::test]
async fn the_seeds_profile_picture_example_is_taken() {
    let api = Api::start(config()).await;
    api.create(person("131241", "A", "B")).await;
    // The seed's example, with its stray closing brace removed.
    let body = json!({
        "document": {"documentHolderKey": "88af35b9ca0933ec72", "documentHolderType": "CLIENT",
                     "name": "picture", "type": "jpg"},
        "documentContent": "KFJGFirnb9FKFLkflkjfgJFLKJG249LKB"});
    let (s, meta) = api
        .post("/api/clients/131241/documents/PROFILE_PICTURE", body)
        .await;
    assert_eq!(s, 201, "{meta}");
    let (s, got) = api
        .get("/api/clients/131241/documents/PROFILE_PICTURE")
        .await;
    assert_eq!(
        (s, got),
        (
            200,
            json!("data:image/jpeg;base64,KFJGFirnb9FKFLkflkjfgJFLKJG249LKB")
        )
    );
}

/// One request over a raw TCP connection, the path sent exactly as given
/// (an HTTP client would resolve `..` before sending). Status and body.
async fn raw(api: &Api, method: &str, path: &str) -> (u16, Value) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = api.base.trim_start_matches("http://").to_string();
    let mut s = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\napikey: {API_KEY}\r\nConnection: close\r\n\r\n"
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    s.read_to_end(&mut answer).await.unwrap();
    let text = String::from_utf8_lossy(&answer);
    let status = text[9..12].parse().unwrap();
    let body = text.split("\r\n\r\n").nth(1).unwrap_or_default();
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

#[tokio::test]
async fn ids_unfit_for_a_url_and_control_characters_are_refused_like_the_validator() {
    assert!(validator_is_real());
    let api = Api::start(config()).await;
    let anna = api.create(person("C-1", "Anna", "Berg")).await;
    let key = anna["client"]["encodedKey"].as_str().unwrap().to_string();
    let bad_ids = [
        ".",
        "..",
        "a/b",
        "../../etc/passwd",
        "a\\b",
        "x?y",
        "#1",
        "100%",
        "C\u{0}1",
        "C\u{7f}",
    ];
    for id in bad_ids {
        let body = person(id, "Ola", "Nord");
        let (status, answer) = api.post("/api/clients", body.clone()).await;
        assert_eq!(
            (status, answer.clone()),
            (
                400,
                json!({"returnCode": 301, "returnStatus": "INVALID_CLIENT_ID", "errorSource": "id"})
            ),
            "{id:?}"
        );
        assert_rule(status, &answer, &body, 301);
    }
    // NUL and other control characters in any text: create and update.
    let creates = [
        person("C-2", "An\u{0}na", "Berg"),
        json!({"client": {"id": "C-3", "firstName": "Ola", "lastName": "Nord"},
               "addresses": [{"city": "Ber\u{1}lin"}]}),
        json!({"client": {"id": "C-4", "firstName": "Ola", "lastName": "Nord"},
               "idDocuments": [{"documentType": "Passport", "documentId": "X\u{0}1",
                                "identificationDocumentTemplateKey": "2a0a00a24b4ce72a025c4afefce821e9"}]}),
        json!({"client": {"id": "C-5", "firstName": "Ola", "lastName": "Nord"},
               "customInformation": [{"customFieldID": "Position", "value": "boss\u{0}"}]}),
    ];
    for body in creates {
        let (status, answer) = api.post("/api/clients", body.clone()).await;
        assert_eq!((status, code_of(&answer)), (400, 4), "{body}: {answer}");
        assert_rule(status, &answer, &body, 4);
    }
    let update = json!({"client": {"encodedKey": key, "lastName": "Be\u{0}rg"}});
    let (status, answer) = api.post("/api/clients/C-1", update).await;
    assert_eq!((status, code_of(&answer)), (400, 4), "{answer}");
    let (status, answer) = api
        .patch(
            "/api/clients/C-1/custominformation/Position",
            json!({"value": "a\u{0}b"}),
        )
        .await;
    assert_eq!((status, code_of(&answer)), (400, 4), "{answer}");
    // Nothing of it was stored.
    let (_, stored) = api.get("/api/clients/C-1?fullDetails=true").await;
    assert_eq!(stored["client"]["lastName"], "Berg");
    assert_eq!(stored["customInformation"], json!([]));
    let (status, list) = api.get("/api/clients").await;
    assert_eq!(status, 200);
    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["C-1"]);
    // Paths that resolve to the list, sent as they are: a client id that
    // names no client, never the list, and a DELETE deletes nothing.
    let no_client = json!({"returnCode": 301, "returnStatus": "INVALID_CLIENT_ID"});
    for path in [
        "/api/clients/..",
        "/api/clients/.",
        "/api/clients/%2e%2e",
        "/api/clients/%2E",
        "/api/clients/%2e%2E?fullDetails=true",
        "/api/clients/.%2e",
    ] {
        for method in ["GET", "DELETE"] {
            let (status, body) = raw(&api, method, path).await;
            assert_eq!((status, body), (404, no_client.clone()), "{method} {path}");
        }
    }
    let (status, _) = raw(&api, "GET", "/api/clients/C-1").await;
    assert_eq!(status, 200, "the raw requests are well formed");
    assert_eq!(api.get("/api/clients").await.1.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_document_whose_type_has_a_template_needs_its_key() {
    let api = Api::start(config()).await;
    let body = |key: Option<&str>, ty: &str| {
        let mut doc = json!({"documentType": ty, "documentId": "12345"});
        if let Some(k) = key {
            doc["identificationDocumentTemplateKey"] = json!(k);
        }
        json!({"client": {"id": "doc1", "firstName": "A", "lastName": "B"}, "idDocuments": [doc]})
    };
    // "Required if a template exists": CI has one, so the key is required.
    let (s, b) = api.post("/api/clients", body(None, "CI")).await;
    assert_eq!(
        (s, b),
        (
            400,
            json!({
                "returnCode": 953,
                "returnStatus": "INVALID_ID_DOCUMENT_TEMPLATE_KEY",
                "errorSource": "identificationDocumentTemplateKey"
            })
        )
    );
    // A type without a template needs none (the tenant allows other documents).
    let (s, _) = api.post("/api/clients", body(None, "Library card")).await;
    assert_eq!(s, 201);
    let (s, b) = api
        .post(
            "/api/clients",
            json!({"client": {"id": "doc2", "firstName": "C", "lastName": "D"},
                   "idDocuments": [{"documentType": "CI", "documentId": "9", "identificationDocumentTemplateKey": "9b0a97094b4cd73f014b5f5ef0e811d2"}]}),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    // An update is held to the same rule.
    let key = b["client"]["encodedKey"].as_str().unwrap().to_string();
    let mut update = body(None, "Passport");
    update["client"]["encodedKey"] = json!(key);
    let (s, b) = api.post(&format!("/api/clients/{key}"), update).await;
    assert_eq!((s, code_of(&b)), (400, 953), "{b}");
}

#[tokio::test]
async fn the_tenants_one_duplicate_action_holds_for_every_check() {
    let start = |action: &str| {
        let mut schema = tenant_json();
        schema["duplicateClientChecks"] = json!(["MOBILE_PHONE", "DOCUMENT_ID_AND_TYPE"]);
        schema["duplicateClientConstraintAction"] = json!(action);
        let mut cfg = config();
        cfg.tenant =
            ferry::tenant::Tenant::from_schema(serde_json::from_value(schema).unwrap()).unwrap();
        Api::start(cfg)
    };
    let first = json!({"client": {"id": "d1", "firstName": "A", "lastName": "B", "mobilePhone1": "+49 151 000"},
                       "idDocuments": [{"documentType": "Library card", "documentId": "L-1"}]});
    let same_phone = json!({"client": {"id": "d2", "firstName": "C", "lastName": "D", "mobilePhone1": "49151000"}});
    let same_doc = json!({"client": {"id": "d3", "firstName": "E", "lastName": "F"},
                          "idDocuments": [{"documentType": "library CARD", "documentId": "l-1"}]});

    let api = start("ERROR").await;
    api.create(first.clone()).await;
    let (s, b) = api.post("/api/clients", same_phone.clone()).await;
    assert_eq!(
        (s, b),
        (
            400,
            json!({"returnCode": 310, "returnStatus": "DUPLICATE_CLIENT", "errorSource": "mobilePhone1"})
        )
    );
    let (s, b) = api.post("/api/clients", same_doc.clone()).await;
    assert_eq!(
        (s, b),
        (
            400,
            json!({"returnCode": 310, "returnStatus": "DUPLICATE_CLIENT", "errorSource": "documentId"})
        )
    );
    assert_eq!(
        api.get("/api/settings/general").await.1["duplicateClientChecks"],
        json!([
            {"dataField": "MOBILE_PHONE", "dataItemType": "CLIENT", "active": true, "groupIndex": 0},
            {"dataField": "DOCUMENT_ID_AND_TYPE", "dataItemType": "IDENTIFICATION_DOCUMENT", "active": true, "groupIndex": 1}
        ])
    );

    // WARNING and NONE accept the duplicate, on every check alike.
    for action in ["WARNING", "NONE"] {
        let api = start(action).await;
        api.create(first.clone()).await;
        assert_eq!(api.post("/api/clients", same_phone.clone()).await.0, 201);
        assert_eq!(api.post("/api/clients", same_doc.clone()).await.0, 201);
        assert_eq!(
            api.get("/api/settings/general").await.1["duplicateClientConstraintAction"],
            json!(action)
        );
    }
}

#[tokio::test]
async fn what_the_server_owns_is_not_taken_from_an_update() {
    let api = Api::start(config()).await;
    api.create(person("own2", "A", "B")).await;
    // Give the client what only the server sets: an approval date, a picture.
    assert_eq!(
        api.patch(
            "/api/clients/own2",
            json!({"client": {"state": "INACTIVE"}})
        )
        .await
        .0,
        200
    );
    let picture = json!({"document": {"documentHolderKey": "x", "documentHolderType": "CLIENT", "name": "p", "type": "png"},
                         "documentContent": "iVBORw0KGgoAAAANSUhEUg=="});
    let (s, _) = api
        .post("/api/clients/own2/documents/PROFILE_PICTURE", picture)
        .await;
    assert_eq!(s, 201);
    let (_, before) = api.get("/api/clients/own2?fullDetails=true").await;
    let key = before["client"]["encodedKey"].clone();
    assert!(before["client"]["approvedDate"].is_string());
    assert!(before["client"]["profilePictureKey"].is_string());

    let expected = |after: &Value| {
        let mut e = before.clone();
        e["client"]["firstName"] = json!("Bea");
        e["client"]["lastModifiedDate"] = after["client"]["lastModifiedDate"].clone();
        e
    };
    // Values for every server-owned field: none is taken.
    let values = json!({"client": {
        "encodedKey": key, "firstName": "Bea", "state": "ACTIVE",
        "creationDate": "2001-01-01T00:00:00+0000", "approvedDate": "2001-01-01T00:00:00+0000",
        "activationDate": "2001-01-01T00:00:00+0000", "closedDate": "2001-01-01T00:00:00+0000",
        "lastModifiedDate": "2001-01-01T00:00:00+0000", "loanCycle": 7, "groupLoanCycle": 3,
        "migrationEvent": {"encodedKey": "m1", "state": "APPROVED", "type": "IMPORT"},
        "profilePictureKey": "pp", "profileSignatureKey": "ps"}});
    let (s, up) = api.post("/api/clients/own2", values).await;
    assert_eq!(s, 201, "{up}");
    assert_eq!(up, expected(&up), "the update's answer");
    let (_, after) = api.get("/api/clients/own2?fullDetails=true").await;
    assert_eq!(after, expected(&after), "what is stored");
    assert_ne!(
        after["client"]["lastModifiedDate"],
        "2001-01-01T00:00:00+0000"
    );

    // Nulls for them clear nothing (a null clears only a client's own field).
    let nulls = json!({"client": {
        "encodedKey": key, "state": null, "creationDate": null, "approvedDate": null,
        "activationDate": null, "closedDate": null, "lastModifiedDate": null, "loanCycle": null,
        "groupLoanCycle": null, "migrationEvent": null, "profilePictureKey": null,
        "profileSignatureKey": null}});
    let (s, up) = api.post("/api/clients/own2", nulls).await;
    assert_eq!(s, 201, "{up}");
    let (_, after) = api.get("/api/clients/own2?fullDetails=true").await;
    assert_eq!(after, expected(&after));

    // The encoded key addresses the client; another one is refused (302).
    let (s, e) = api
        .post(
            "/api/clients/own2",
            json!({"client": {"encodedKey": "8a0000000000000000000000000000ff", "firstName": "X"}}),
        )
        .await;
    assert_eq!((s, code_of(&e)), (400, 302));
    let (_, after) = api.get("/api/clients/own2?fullDetails=true").await;
    assert_eq!(after["client"]["firstName"], "Bea");
}
