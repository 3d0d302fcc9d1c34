//! `ferry reconcile` through the binary, against `ferry sandbox` over HTTP:
//! a fresh import matches; a client changed or deleted by hand is named;
//! a reverted event leaves nothing behind and restores before-images; and
//! the requests stay a handful however many clients there are.

use serde_json::{json, Value};

use crate::export::{import_samples, Work};
use crate::support::binary::{gen_wide, read_json, repo_path, SandboxProcess};

fn reconcile(w: &Work, event: &str, code: i32) -> (String, Value) {
    let ran = w
        .ferry(&["reconcile", event])
        .arg("--report-dir")
        .arg(w.path("rec"))
        .run()
        .status(code);
    let doc = read_json(&w.path("rec/reconcile.json"));
    (ran.stdout(), doc)
}

fn count(doc: &Value, finding: &str) -> u64 {
    doc["counts"][finding].as_u64().unwrap_or(0)
}

fn page(w: &Work) -> String {
    std::fs::read_to_string(w.path("rec/reconcile.html")).unwrap()
}

fn created(w: &Work, event: &str) -> u64 {
    let shown: Value =
        serde_json::from_str(&w.ferry(&["events", "show", event]).run().status(0).stdout())
            .unwrap();
    shown["rows"]["CREATED"].as_u64().unwrap()
}

#[test]
fn a_fresh_import_matches_and_hand_changes_and_deletions_are_named() {
    let w = Work::new();
    let sb = SandboxProcess::samples(&[]);
    let event = import_samples(&w, &sb);
    let n = created(&w, &event);

    let (out, doc) = reconcile(&w, &event, 0);
    assert_eq!(count(&doc, "MATCHES"), n, "{out}");
    assert_eq!(doc["clients"], n);
    assert_eq!(doc["oneGetPerClient"], n);
    let requests = doc["requests"].as_u64().unwrap();
    assert!(requests <= 3, "{requests} requests for {n} clients");
    assert!(out.contains(&format!("{n} clients checked")), "{out}");
    assert!(page(&w).contains("<main id=\"reconcile-report\">"));

    // By hand, as curl would: one client renamed, one's custom field and
    // address changed, one deleted.
    let rows = doc["rows"].as_array().unwrap();
    let id = |i: usize| rows[i]["clientId"].as_str().unwrap().to_string();
    let (renamed, deleted) = (id(3), id(20));
    let state = sb.export();
    let edited = state["clients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["client"]["id"].as_str().unwrap().to_string(), c))
        .find(|(i, c)| *i != renamed && *i != deleted && c["addresses"][0].is_object())
        .map(|(i, _)| i)
        .unwrap();
    let mut full = sb.get(&format!("/api/clients/{renamed}?fullDetails=true"));
    let old_name = full["client"]["firstName"].clone();
    full["client"]["firstName"] = json!("Handmade <b>");
    let body = json!({"client": full["client"]});
    assert_eq!(
        sb.send("POST", &format!("/api/clients/{renamed}"), &body),
        201
    );
    let mut full = sb.get(&format!("/api/clients/{edited}?fullDetails=true"));
    full["addresses"][0]["city"] = json!("Elsewhere");
    let body = json!({"client": full["client"], "addresses": full["addresses"]});
    assert_eq!(
        sb.send("POST", &format!("/api/clients/{edited}"), &body),
        201
    );
    assert_eq!(
        sb.send("DELETE", &format!("/api/clients/{deleted}"), &Value::Null),
        200
    );

    let (out, doc) = reconcile(&w, &event, 1);
    assert_eq!(count(&doc, "MATCHES"), n - 3, "{out}");
    assert_eq!(count(&doc, "DIFFERS"), 2);
    assert_eq!(count(&doc, "GONE"), 1);
    let row_of = |cid: &str| -> Value {
        doc["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["clientId"] == cid)
            .cloned()
            .unwrap()
    };
    let r = row_of(&renamed);
    assert_eq!(r["finding"], "DIFFERS");
    assert_eq!(
        r["fields"],
        json!([{"field": "client.firstName", "expected": old_name, "now": "Handmade <b>"}])
    );
    assert!(r["line"].as_u64().unwrap() > 1);
    let r = row_of(&edited);
    assert_eq!(r["fields"][0]["field"], "addresses[0].city");
    assert_eq!(r["fields"][0]["now"], "Elsewhere");
    assert_eq!(r["fields"].as_array().unwrap().len(), 1);
    assert_eq!(row_of(&deleted)["finding"], "GONE");
    assert!(
        out.contains(&renamed) && out.contains("client.firstName"),
        "{out}"
    );
    assert!(out.contains(&deleted) && out.contains("GONE"), "{out}");
    let html = page(&w);
    assert!(html.contains("Handmade &lt;b&gt;") && !html.contains("Handmade <b>"));
    assert!(html.contains(&format!("id=\"line-{}\"", row_of(&renamed)["line"])));
}

#[test]
fn a_reverted_event_leaves_nothing_and_restores_before_images() {
    let w = Work::new();
    let sb = SandboxProcess::samples(&[]);
    let first = import_samples(&w, &sb);
    let before = sb.export();
    // The same file again as an upsert: every client UPDATED, with its
    // before-image; then a hand change on top, for the revert to undo.
    let ran = w
        .ferry(&["import"])
        .arg(repo_path("samples/clients.csv"))
        .arg("--mapping")
        .arg(repo_path("mappings/clients.toml"))
        .arg("--tenant")
        .arg(repo_path("samples/tenant.json"))
        .args([
            "--target",
            &sb.url,
            "--mode",
            "upsert",
            "--again",
            "--report-dir",
        ])
        .arg(w.path("upsert-reports"))
        .run();
    let upsert = ran
        .stdout()
        .lines()
        .find_map(|l| l.strip_prefix("migration event "))
        .and_then(|l| l.split_whitespace().next())
        .expect("the upsert names its event")
        .to_string();
    let (out, _) = reconcile(&w, &upsert, 0);
    assert!(out.contains("matches"), "{out}");

    w.ferry(&["revert", &upsert, "--force"])
        .arg("--report-dir")
        .arg(w.path("revert-reports"))
        .run()
        .status(0);
    let (out, doc) = reconcile(&w, &upsert, 0);
    assert_eq!(doc["eventState"], "REVERTED");
    assert_eq!(
        count(&doc, "MATCHES"),
        doc["clients"].as_u64().unwrap(),
        "{out}"
    );
    assert!(doc["rows"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["expected"] == "beforeImage"));

    // The create import reverted (forced: the upsert and its revert
    // changed every client since): nothing it created remains.
    w.ferry(&["revert", &first, "--force"])
        .arg("--report-dir")
        .arg(w.path("revert-reports"))
        .run()
        .status(0);
    let (out, doc) = reconcile(&w, &first, 0);
    assert_eq!(count(&doc, "MATCHES"), created_count(&before), "{out}");
    assert_eq!(sb.export()["clients"], json!([]));
}

fn created_count(state: &Value) -> u64 {
    state["clients"].as_array().unwrap().len() as u64
}

/// The request count on 10,000 clients, against one GET per client.
#[test]
fn ten_thousand_clients_take_a_handful_of_requests() {
    let w = Work::new();
    let sb = SandboxProcess::samples(&[]);
    let input = w.path("wide.csv");
    gen_wide(&input, 10_000, "0", 14);
    w.ferry(&["import"])
        .arg(&input)
        .arg("--mapping")
        .arg(repo_path("mappings/clients-wide.toml"))
        .arg("--tenant")
        .arg(repo_path("samples/tenant.json"))
        .args(["--target", &sb.url, "--report-dir"])
        .arg(w.path("import-reports"))
        .run()
        .status(0);
    let listed = w.ferry(&["events"]).run().status(0).stdout();
    let event = listed
        .lines()
        .nth(1)
        .and_then(|l| l.split_whitespace().next())
        .unwrap()
        .to_string();
    let (out, doc) = reconcile(&w, &event, 0);
    assert_eq!(doc["clients"], 10_000, "{out}");
    assert_eq!(count(&doc, "MATCHES"), 10_000);
    let requests = doc["requests"].as_u64().unwrap();
    // The probe, then 10 searches of 1000 keys.
    assert_eq!(requests, 11, "{out}");
    eprintln!("reconcile of 10,000 clients: {requests} requests (one GET per client: 10,000)");
}

#[test]
fn a_client_the_target_has_but_the_ledger_does_not_own_is_untracked() {
    let w = Work::new();
    let sb = SandboxProcess::samples(&[]);
    let event = import_samples(&w, &sb);
    // As if the answer to one create had been lost: the ledger says the
    // request failed without an answer, the target has the client.
    let db = rusqlite::Connection::open(w.ledger()).unwrap();
    let (row, id): (i64, String) = db
        .query_row(
            "SELECT row, client_id FROM rows WHERE status = 3 ORDER BY row LIMIT 1 OFFSET 5",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    db.execute(
        "UPDATE rows SET status = 5, outcome = NULL, target_key = NULL, error_code = 0, \
         error_name = 'UNKNOWN', error_message = 'no answer' WHERE row = ?1",
        [row],
    )
    .unwrap();
    drop(db);
    let (out, doc) = reconcile(&w, &event, 1);
    assert_eq!(count(&doc, "UNTRACKED"), 1, "{out}");
    assert_eq!(count(&doc, "DIFFERS") + count(&doc, "GONE"), 0);
    let r = doc["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["finding"] == "UNTRACKED")
        .unwrap();
    assert_eq!(r["clientId"], id.as_str());
    assert_eq!(r["ledgerStatus"], "FAILED");
    assert!(r["targetKey"].is_string(), "the key the target gave it");
    assert!(out.contains(&id) && out.contains("UNTRACKED"), "{out}");
}
