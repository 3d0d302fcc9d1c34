//! `ferry export` through the binary, against `ferry sandbox` over HTTP:
//! every client once, in CSV and in NDJSON (the API's own shape), filters,
//! the EXPORT event, and a kill -9 mid-export resumed without a client
//! written twice or skipped while clients are created and deleted.

use std::collections::{BTreeMap, BTreeSet};
use std::io::BufRead;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

use crate::support::binary::{exported_ids, repo_path, Ferry, SandboxProcess};
use crate::support::API_KEY;

pub struct Work {
    _dir: tempfile::TempDir,
    pub root: PathBuf,
}

impl Work {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        Self { _dir: dir, root }
    }
    pub fn path(&self, p: &str) -> PathBuf {
        self.root.join(p)
    }
    pub fn ledger(&self) -> String {
        self.path("ledger.db").display().to_string()
    }
    /// A ferry command in this work dir, with its ledger and the sandbox's key.
    pub fn ferry(&self, args: &[&str]) -> Ferry {
        Ferry::new()
            .current_dir(&self.root)
            .env("MAMBU_API_KEY", API_KEY)
            .args(args)
            .args(["--ledger", &self.ledger()])
    }
}

/// Imports the samples into `sb`; the import event's key.
pub fn import_samples(w: &Work, sb: &SandboxProcess) -> String {
    let ran = w
        .ferry(&["import"])
        .arg(repo_path("samples/clients.csv"))
        .arg("--mapping")
        .arg(repo_path("mappings/clients.toml"))
        .arg("--tenant")
        .arg(repo_path("samples/tenant.json"))
        .args(["--target", &sb.url, "--report-dir"])
        .arg(w.path("import-reports"))
        .run()
        .status(1); // the samples carry rejected rows on purpose
    ran.stdout()
        .lines()
        .find_map(|l| l.strip_prefix("migration event "))
        .and_then(|l| l.split_whitespace().next())
        .expect("the import names its event")
        .to_string()
}

/// The ids a CSV export holds, with how often each appears.
fn csv_ids(path: &Path) -> BTreeMap<String, usize> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let at = r.headers().unwrap().iter().position(|h| h == "id").unwrap();
    let mut ids = BTreeMap::new();
    for rec in r.records() {
        *ids.entry(rec.unwrap()[at].to_string()).or_insert(0) += 1;
    }
    ids
}

fn ndjson(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The key of the EXPORT event writing `out`, from `ferry events`.
fn export_event(w: &Work, out: &Path) -> String {
    let listed = w.ferry(&["events"]).run().status(0).stdout();
    listed
        .lines()
        .find(|l| l.trim_end().ends_with(&out.display().to_string()))
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or_else(|| panic!("no event for {}: {listed}", out.display()))
        .to_string()
}

/// Full clients by id (once each: a repeated id fails).
fn by_id<'a>(clients: impl Iterator<Item = &'a Value>) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for c in clients {
        let id = c["client"]["id"].as_str().unwrap().to_string();
        assert!(out.insert(id.clone(), c.clone()).is_none(), "{id} twice");
    }
    out
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn an_export_holds_every_client_once_in_the_apis_shape_and_is_an_export_event() {
    let w = Work::new();
    let sb = SandboxProcess::samples(&[]);
    let import = import_samples(&w, &sb);
    let state = sb.export();
    let ids = exported_ids(&state);
    assert!(ids.len() > 500);

    // The ledger's CREATED rows are the clients the target holds.
    let shown: Value = serde_json::from_str(
        &w.ferry(&["events", "show", &import])
            .run()
            .status(0)
            .stdout(),
    )
    .unwrap();
    assert_eq!(shown["rows"]["CREATED"], ids.len() as u64);

    let tenant = repo_path("samples/tenant.json").display().to_string();
    let csv_out = w.path("out/clients.csv");
    let ran = w
        .ferry(&["export", "--target", &sb.url, "--tenant", &tenant])
        .args(["--page-size", "37", "--out"])
        .arg(&csv_out)
        .run()
        .status(0)
        .stdout_has("(EXPORT) APPROVED");
    assert_eq!(csv_ids(&csv_out), ids, "every client once");
    assert_eq!(mode(&csv_out), 0o600);
    assert!(ran.stdout().contains(&format!("{} clients", ids.len())));
    // Custom fields the tenant defines have columns of their own.
    let mut r = csv::Reader::from_path(&csv_out).unwrap();
    let header = r.headers().unwrap().clone();
    assert!(header.iter().any(|h| h == "custom.Occupation"));
    assert!(header.iter().any(|h| h == "idDocuments.1.documentId"));

    let key = export_event(&w, &csv_out);
    let shown: Value =
        serde_json::from_str(&w.ferry(&["events", "show", &key]).run().status(0).stdout()).unwrap();
    assert_eq!(shown["migrationEvent"]["type"], "EXPORT");
    assert_eq!(shown["migrationEvent"]["state"], "APPROVED");
    assert_eq!(
        shown["migrationEvent"]["numClientsImported"],
        ids.len() as u64
    );

    // NDJSON is the API's full shape: the whole state, client for client.
    let nd_out = w.path("clients.ndjson");
    w.ferry(&["export", "--target", &sb.url, "--format", "ndjson"])
        .args(["--page-size", "100", "--out"])
        .arg(&nd_out)
        .run()
        .status(0);
    assert_eq!(
        by_id(ndjson(&nd_out).iter()),
        by_id(state["clients"].as_array().unwrap().iter()),
        "the export is the target's state"
    );

    // An existing file is never overwritten.
    w.ferry(&["export", "--target", &sb.url])
        .arg("--out")
        .arg(&nd_out)
        .run()
        .status(2)
        .stderr_has("exists");
}

#[test]
fn filters_select_by_state_branch_and_creation_day() {
    let w = Work::new();
    let sb = SandboxProcess::samples(&[]);
    import_samples(&w, &sb);
    // Three more clients made INACTIVE by hand.
    let first = sb.export();
    let pending = first["clients"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["client"]["state"] == "PENDING_APPROVAL");
    for c in pending.take(3) {
        let path = format!("/api/clients/{}", c["client"]["id"].as_str().unwrap());
        assert_eq!(
            sb.send("PATCH", &path, &json!({"client": {"state": "INACTIVE"}})),
            200
        );
    }
    let state = sb.export();
    let clients = state["clients"].as_array().unwrap();
    let ids_where = |keep: &dyn Fn(&Value) -> bool| -> BTreeMap<String, usize> {
        clients
            .iter()
            .filter(|c| keep(&c["client"]))
            .map(|c| (c["client"]["id"].as_str().unwrap().to_string(), 1))
            .collect()
    };
    let tenant = repo_path("samples/tenant.json").display().to_string();
    let run = |name: &str, filters: &[&str]| -> BTreeMap<String, usize> {
        let out = w.path(name);
        w.ferry(&["export", "--target", &sb.url, "--tenant", &tenant])
            .args(filters)
            .args(["--page-size", "50", "--out"])
            .arg(&out)
            .run()
            .status(0);
        csv_ids(&out)
    };
    let inactive = run("inactive.csv", &["--state", "INACTIVE"]);
    assert!(inactive.len() >= 3);
    assert_eq!(inactive, ids_where(&|c| c["state"] == "INACTIVE"));
    let two = run("two.csv", &["--state", "pending_approval,inactive"]);
    assert!(two.len() > inactive.len());
    assert_eq!(
        two,
        ids_where(&|c| c["state"] == "PENDING_APPROVAL" || c["state"] == "INACTIVE")
    );
    // BR01 by id; the tenant file turns it into the branch's key.
    let br01 = run("br01.csv", &["--branch", "BR01"]);
    let key = clients
        .iter()
        .map(|c| &c["client"])
        .find(|c| csv_ids(&w.path("br01.csv")).contains_key(c["id"].as_str().unwrap()))
        .map(|c| c["assignedBranchKey"].clone())
        .unwrap();
    assert!(!br01.is_empty());
    assert_eq!(br01, ids_where(&|c| c["assignedBranchKey"] == key));
    let today = &clients[0]["client"]["creationDate"].as_str().unwrap()[..10];
    assert_eq!(
        run(
            "today.csv",
            &["--created-from", today, "--created-to", today]
        ),
        exported_ids(&state)
    );
    assert!(run("later.csv", &["--created-from", "2999-01-01"]).is_empty());
    w.ferry(&[
        "export",
        "--target",
        &sb.url,
        "--created-from",
        "01.02.2024",
    ])
    .run()
    .status(2)
    .stderr_has("YYYY-MM-DD");
}

/// A new client the samples' tenant takes: `like`'s assignments, its own
/// id, name and (unique) tax id.
fn person(like: &Value, id: &str, n: usize) -> Value {
    let c = &like["client"];
    json!({
        "client": {
            "id": id, "firstName": "New", "lastName": format!("Client {id}"),
            "assignedBranchKey": c["assignedBranchKey"], "assignedCentreKey": c["assignedCentreKey"],
            "assignedUserKey": c["assignedUserKey"], "clientRole": {"encodedKey": c["clientRole"]["encodedKey"]}
        },
        "customInformation": [{"customFieldID": "Tax_ID", "value": format!("999-99-{n:04}")}],
        "idDocuments": [{
            "documentType": like["idDocuments"][0]["documentType"],
            "documentId": format!("ZZ{n:07}"),
            "identificationDocumentTemplateKey": like["idDocuments"][0]["identificationDocumentTemplateKey"]
        }]
    })
}

/// Lines of `path` (0 if it is not there yet).
fn lines(path: &Path) -> usize {
    std::fs::File::open(path)
        .map(|f| std::io::BufReader::new(f).lines().count())
        .unwrap_or(0)
}

#[test]
fn a_killed_export_resumes_with_every_client_once_while_clients_come_and_go() {
    let w = Work::new();
    let sb = SandboxProcess::samples(&[]);
    import_samples(&w, &sb);
    let state = sb.export();
    let like = &state["clients"][0];
    let before = exported_ids(&state);
    let out = w.path("clients.ndjson");
    // Throttled so that it is still running when killed.
    let mut child = Command::new(env!("CARGO_BIN_EXE_ferry"))
        .current_dir(&w.root)
        .env("MAMBU_API_KEY", API_KEY)
        .args(["export", "--target", &sb.url, "--format", "ndjson"])
        .args(["--page-size", "20", "--rate", "4", "--ledger", &w.ledger()])
        .arg("--out")
        .arg(&out)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Clients created while it runs.
    let mut created = BTreeSet::new();
    for i in 0..3 {
        let id = format!("NEW-A{i}");
        assert_eq!(sb.send("POST", "/api/clients", &person(like, &id, i)), 201);
        created.insert(id);
    }
    while lines(&out) < 70 {
        assert!(child.try_wait().unwrap().is_none(), "still running");
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let written = lines(&out);
    assert!(written < before.len(), "killed mid-way ({written} lines)");

    // While it is down: clients it has written are deleted (the order
    // shifts forward under its cursor), new ones are created.
    let early: Vec<String> = ndjson_prefix(&out, 10);
    for id in &early[2..8] {
        let status = sb.send("DELETE", &format!("/api/clients/{id}"), &Value::Null);
        assert_eq!(status, 200, "{id}");
    }
    for i in 0..3 {
        let id = format!("NEW-B{i}");
        assert_eq!(
            sb.send("POST", "/api/clients", &person(like, &id, 10 + i)),
            201
        );
        created.insert(id);
    }

    let key = export_event(&w, &out);
    w.ferry(&["export", "--resume", &key[..12], "--target", &sb.url])
        .run()
        .status(0)
        .stdout_has("resumed");
    let got = ndjson(&out);
    let mut ids: BTreeMap<String, usize> = BTreeMap::new();
    for c in &got {
        *ids.entry(c["client"]["id"].as_str().unwrap().to_string())
            .or_insert(0) += 1;
    }
    let mut want = before.clone();
    for id in &created {
        want.insert(id.clone(), 1);
    }
    assert_eq!(ids, want, "every client once, the new ones included");
    assert_eq!(mode(&out), 0o600);
    // Finished: a second resume has nothing to do.
    w.ferry(&["export", "--resume", &key])
        .run()
        .status(2)
        .stderr_has("nothing to resume");
}

/// The ids of the first `n` complete lines of an NDJSON file.
fn ndjson_prefix(path: &Path, n: usize) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .take(n)
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            v["client"]["id"].as_str().unwrap().to_string()
        })
        .collect()
}

/// CSV rows by id, without the columns the server owns.
pub fn rows_by_id(path: &Path) -> BTreeMap<String, BTreeMap<String, String>> {
    const SERVER_OWNED: &[&str] = &[
        "encodedKey",
        "creationDate",
        "lastModifiedDate",
        "activationDate",
        "approvedDate",
        "closedDate",
    ];
    let mut r = csv::Reader::from_path(path).unwrap();
    let header = r.headers().unwrap().clone();
    let mut out = BTreeMap::new();
    for rec in r.records() {
        let rec = rec.unwrap();
        let row: BTreeMap<String, String> = header
            .iter()
            .zip(rec.iter())
            .filter(|(h, _)| !SERVER_OWNED.contains(h))
            .map(|(h, v)| (h.to_string(), v.to_string()))
            .collect();
        assert!(out.insert(row["id"].clone(), row).is_none());
    }
    out
}

#[test]
fn export_validate_import_into_a_fresh_tenant_and_export_again_gives_the_same_file() {
    let w = Work::new();
    let sb = SandboxProcess::samples(&[]);
    import_samples(&w, &sb);
    let tenant = repo_path("samples/tenant.json");
    let mapping = repo_path("mappings/export-samples.toml");
    let first = w.path("first.csv");
    w.ferry(&["export", "--target", &sb.url])
        .arg("--tenant")
        .arg(&tenant)
        .arg("--out")
        .arg(&first)
        .run()
        .status(0);
    let rows = rows_by_id(&first);
    assert_eq!(rows.len(), exported_ids(&sb.export()).len());
    // Everything fitted the documented columns.
    assert!(rows
        .values()
        .all(|r| r["idDocuments.more"].is_empty() && r["customInformation.other"].is_empty()));
    assert!(rows.values().any(|r| !r["custom.NOK_Name.2"].is_empty()));

    Ferry::new()
        .arg("validate")
        .arg(&first)
        .arg("--mapping")
        .arg(&mapping)
        .arg("--tenant")
        .arg(&tenant)
        .arg("--report-dir")
        .arg(w.path("validate"))
        .run()
        .status(0)
        .stdout_has("rejected          0");

    let fresh = SandboxProcess::samples(&[]);
    w.ferry(&["import"])
        .arg(&first)
        .arg("--mapping")
        .arg(&mapping)
        .arg("--tenant")
        .arg(&tenant)
        .args(["--target", &fresh.url])
        .arg("--report-dir")
        .arg(w.path("import-fresh"))
        .run()
        .status(0);
    let second = w.path("second.csv");
    w.ferry(&["export", "--target", &fresh.url])
        .arg("--tenant")
        .arg(&tenant)
        .arg("--out")
        .arg(&second)
        .run()
        .status(0);
    assert_eq!(
        rows_by_id(&second),
        rows,
        "the same clients, field for field"
    );
}

/// `revert`, `approve`, `resume` and `reconcile` on an EXPORT event: each
/// refuses with exit 2, naming `ferry export --resume`, and changes nothing.
fn assert_the_verbs_refuse(w: &Work, key: &str, state: &str) {
    let reports = w.path("reports").display().to_string();
    for verb in ["revert", "approve", "resume", "reconcile"] {
        let ran = w
            .ferry(&[verb, key, "--report-dir", &reports])
            .run()
            .status(2)
            .stderr_has("is an EXPORT")
            .stderr_has(&format!("ferry export --resume {key}"));
        assert!(ran.stdout().is_empty(), "{verb}: {}", ran.stdout());
        let shown: Value =
            serde_json::from_str(&w.ferry(&["events", "show", key]).run().status(0).stdout())
                .unwrap();
        assert_eq!(shown["migrationEvent"]["state"], state, "after {verb}");
    }
}

#[test]
fn revert_approve_resume_and_reconcile_refuse_an_export_event() {
    let w = Work::new();
    let sb = SandboxProcess::samples(&[]);
    import_samples(&w, &sb);
    let out = w.path("clients.ndjson");
    // Killed mid-way, so that it stays DRAFT.
    let mut child = Command::new(env!("CARGO_BIN_EXE_ferry"))
        .current_dir(&w.root)
        .env("MAMBU_API_KEY", API_KEY)
        .args(["export", "--target", &sb.url, "--format", "ndjson"])
        .args(["--page-size", "20", "--rate", "4", "--ledger", &w.ledger()])
        .arg("--out")
        .arg(&out)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    while lines(&out) < 30 {
        assert!(child.try_wait().unwrap().is_none(), "still running");
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let key = export_event(&w, &out);
    assert_the_verbs_refuse(&w, &key, "DRAFT");

    // The export itself still continues, and once finished the verbs still refuse.
    w.ferry(&["export", "--resume", &key, "--target", &sb.url])
        .run()
        .status(0)
        .stdout_has("resumed");
    assert_eq!(
        exported_ids(&sb.export()),
        ndjson(&out)
            .iter()
            .map(|c| (c["client"]["id"].as_str().unwrap().to_string(), 1))
            .collect()
    );
    assert_the_verbs_refuse(&w, &key, "APPROVED");
}
