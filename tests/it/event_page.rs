//! The event report (event.html, event.json) through the binary: written
//! by import, resume, revert and approve into the report directory, and by
//! `ferry events show EVENT --html FILE --json FILE` for any event; its
//! counts are the ledger's, its failures the dry run's, its runs what
//! happened (a run killed with SIGKILL shows as crashed, one stopped by
//! Ctrl-C as interrupted); client data never becomes markup.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::binary::{read_json, repo_path, Ferry, SandboxProcess};

struct Work {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

impl Work {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        Self { _dir: dir, root }
    }
    fn path(&self, p: &str) -> PathBuf {
        self.root.join(p)
    }
    fn ledger(&self) -> String {
        self.path("ledger.db").display().to_string()
    }
    /// `ferry VERB --ledger LEDGER REST…`, run in the work dir.
    fn ferry(&self, args: &[&str]) -> Ferry {
        Ferry::new()
            .current_dir(&self.root)
            .args(&args[..1])
            .args(["--ledger", &self.ledger()])
            .args(&args[1..])
    }
    /// `ferry events show KEY` as JSON (the ledger's view).
    fn show(&self, key: &str) -> Value {
        serde_json::from_str(
            &self
                .ferry(&["events", "show", key])
                .run()
                .status(0)
                .stdout(),
        )
        .unwrap()
    }
}

fn samples_args() -> Vec<String> {
    let repo = |p: &str| repo_path(p).display().to_string();
    vec![
        repo("samples/clients.csv"),
        "--mapping".into(),
        repo("mappings/clients.toml"),
        "--tenant".into(),
        repo("samples/tenant.json"),
    ]
}

/// `ferry import` of the samples into the embedded sandbox kept in `w`.
fn import_samples(w: &Work, reports: &str) -> Ferry {
    w.ferry(&["import"])
        .args(samples_args())
        .args(["--sandbox", "--sandbox-state"])
        .arg(w.path("sandbox.db"))
        .arg("--report-dir")
        .arg(w.path(reports))
}

fn event_key(stdout: &str) -> String {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix("migration event "))
        .and_then(|l| l.split_whitespace().next())
        .expect("the import names its event")
        .to_string()
}

/// The report directory's event.json, after checking event.html beside it
/// renders the same event and both are owner-only.
fn page_in(dir: &Path) -> (Value, String) {
    let json = read_json(&dir.join("event.json"));
    let html = std::fs::read_to_string(dir.join("event.html")).unwrap();
    check_html(&json, &html);
    for f in ["event.json", "event.html"] {
        assert_eq!(mode(&dir.join(f)), 0o600, "{f}");
    }
    (json, html)
}

fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

/// The page is the JSON's event, with its root, its status line first, and
/// nothing it would have to fetch or run.
fn check_html(json: &Value, html: &str) {
    let root = format!(
        r#"<main id="event-report" data-state="{}" data-verdict="{}">"#,
        json["state"].as_str().unwrap(),
        json["status"]["verdict"].as_str().unwrap()
    );
    assert!(html.contains(&root), "{root} missing");
    assert!(html.contains(json["event"].as_str().unwrap()));
    let status = html.find(r#"id="status""#).expect("a status line");
    assert!(status < html.find(r#"id="runs""#).expect("runs"));
    for banned in [
        "<script", "<link", "<img", "<iframe", "<object", "<embed", "url(", "@import",
    ] {
        assert!(!html.contains(banned), "{banned} in the page");
    }
}

/// Every count of the page equals the ledger's (`events show`).
fn assert_counts_match_ledger(page: &Value, shown: &Value) {
    let ledger: BTreeMap<String, u64> = shown["rows"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.to_lowercase(), v.as_u64().unwrap()))
        .collect();
    let mut on_page: BTreeMap<String, u64> = page["rows"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_u64().unwrap()))
        .filter(|(_, n)| *n > 0)
        .collect();
    let total = on_page.remove("total").unwrap();
    on_page.remove("unsettled");
    assert_eq!(on_page, ledger);
    assert_eq!(total, ledger.values().sum::<u64>());
}

/// From the dry run's report.json: rejected rows per code and per field
/// (errors only, a row counted once per code or field), and the rejected
/// rows' (row, line) in row order.
type DryRun = (
    BTreeMap<String, u64>,
    BTreeMap<String, u64>,
    Vec<(u64, u64)>,
);

fn dry_run_failures(report: &Value) -> DryRun {
    let mut by_code: BTreeMap<String, std::collections::BTreeSet<u64>> = BTreeMap::new();
    let mut by_field: BTreeMap<String, std::collections::BTreeSet<u64>> = BTreeMap::new();
    let mut rows = BTreeMap::new();
    for e in report["errors"].as_array().unwrap() {
        if e["severity"] != "error" {
            continue;
        }
        let row = e["row"].as_u64().unwrap();
        by_code
            .entry(e["code"].to_string())
            .or_default()
            .insert(row);
        by_field
            .entry(e["field"].as_str().unwrap().to_string())
            .or_default()
            .insert(row);
        rows.insert(row, e["line"].as_u64().unwrap());
    }
    let count = |m: BTreeMap<String, std::collections::BTreeSet<u64>>| {
        m.into_iter().map(|(k, v)| (k, v.len() as u64)).collect()
    };
    (count(by_code), count(by_field), rows.into_iter().collect())
}

fn groups(page: &Value, list: &str, stage: &str) -> BTreeMap<String, u64> {
    page[list]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["stage"] == stage)
        .map(|g| {
            (
                g["key"].as_str().unwrap().to_string(),
                g["rows"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn runs(page: &Value) -> Vec<Value> {
    page["runs"].as_array().unwrap().clone()
}

fn moved(run: &Value, status: &str) -> u64 {
    run["rows"][status].as_u64().unwrap_or(0)
}

#[test]
fn import_revert_and_an_older_event_each_get_a_page_that_matches_the_ledger() {
    let w = Work::new();
    let ran = import_samples(&w, "reports").run().status(1);
    let key = event_key(&ran.stdout());
    let (page, html) = page_in(&w.path("reports"));

    assert_eq!(page["event"], key.as_str());
    assert_eq!(page["state"], "DRAFT");
    assert_eq!(page["mode"], "create");
    assert_eq!(page["rows"]["created"], 525);
    assert_eq!(page["rows"]["rejected"], 75);
    assert_eq!(page["rows"]["unsettled"], 0);
    assert_counts_match_ledger(&page, &w.show(&key));
    assert_eq!(page["status"]["verdict"], "COMPLETE");
    assert_eq!(
        page["status"]["line"],
        "COMPLETE — 525 created, 0 unsettled, 75 rejected in validation; ready to approve"
    );
    assert_eq!(
        page["status"]["next"],
        format!("ferry approve {key}").as_str()
    );
    assert!(html.contains("ready to approve"));

    // Failures: exactly the dry run's, by code, by field and row by row.
    let report = read_json(&w.path("reports/report.json"));
    let (by_code, by_field, rejected) = dry_run_failures(&report);
    assert_eq!(groups(&page, "failures_by_code", "validation"), by_code);
    assert_eq!(groups(&page, "failures_by_field", "validation"), by_field);
    assert!(groups(&page, "failures_by_code", "target").is_empty());
    let listed: Vec<(u64, u64)> = page["first_failed_rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["row"].as_u64().unwrap(), r["line"].as_u64().unwrap()))
        .collect();
    assert_eq!(listed, rejected[..50]);
    let first = &page["first_failed_rows"][0];
    assert_eq!(
        first["source_ref"],
        format!("clients.csv:{}", rejected[0].1).as_str()
    );
    assert!(html.contains(&format!(">clients.csv:{}</code></a>", rejected[0].1)));

    // One import run, completed, with its times and what it did.
    let r = runs(&page);
    assert_eq!(r.len(), 1, "{r:?}");
    assert_eq!(
        (r[0]["verb"].as_str(), r[0]["outcome"].as_str()),
        (Some("import"), Some("completed"))
    );
    let (start, end) = (
        r[0]["started_at"].as_str().unwrap(),
        r[0]["ended_at"].as_str().unwrap(),
    );
    assert!(start.ends_with('Z') && start <= end && end <= page["written_at"].as_str().unwrap());
    assert_eq!(
        (moved(&r[0], "CREATED"), moved(&r[0], "REJECTED")),
        (525, 75)
    );
    assert_eq!(r[0]["sent"], 525);
    assert!(r[0]["requests"].as_u64().unwrap() >= 525);
    for (part, file) in [
        ("source", "samples/clients.csv"),
        ("mapping", "mappings/clients.toml"),
    ] {
        assert_eq!(
            page[part]["path"],
            repo_path(file).display().to_string().as_str()
        );
        assert_eq!(
            page[part]["fingerprint"].as_str().unwrap().len(),
            32,
            "{part}"
        );
    }
    assert!(page["tenant"]["fingerprint"].is_string());
    assert_eq!(page["approved_at"], Value::Null);

    // Revert: the page says REVERTED, 525 deleted, and lists the revert run.
    w.ferry(&["revert", &key, "--report-dir"])
        .arg(w.path("reports"))
        .run()
        .status(0);
    let (page, html) = page_in(&w.path("reports"));
    assert_eq!(page["state"], "REVERTED");
    assert_eq!(page["status"]["verdict"], "REVERTED");
    assert_eq!(page["rows"]["deleted"], 525);
    assert_eq!(page["rows"]["created"], 0);
    assert_counts_match_ledger(&page, &w.show(&key));
    assert!(html.contains("<strong>REVERTED</strong>"));
    let r = runs(&page);
    assert_eq!(r.len(), 2, "{r:?}");
    assert_eq!(
        (r[1]["verb"].as_str(), r[1]["outcome"].as_str()),
        (Some("revert"), Some("completed"))
    );
    assert_eq!(moved(&r[1], "DELETED"), 525);
    assert!(r[1]["started_at"].as_str().unwrap() >= r[0]["ended_at"].as_str().unwrap());
    let reverted_at = page["reverted_at"].as_str().unwrap();
    assert!(reverted_at >= r[1]["started_at"].as_str().unwrap());

    // A second import gets its own page; the first event's is still there
    // to render from the ledger, unchanged in substance.
    let again = import_samples(&w, "second").run().status(1);
    let second = event_key(&again.stdout());
    assert_ne!(second, key);
    let (newer, _) = page_in(&w.path("second"));
    assert_eq!(newer["event"], second.as_str());
    assert_eq!(newer["status"]["verdict"], "COMPLETE");

    let shown = w
        .ferry(&["events", "show", &key[..10], "--html"])
        .arg(w.path("out/old.html"))
        .arg("--json")
        .arg(w.path("out/old.json"))
        .run()
        .status(0);
    let doc: Value =
        serde_json::from_str(&shown.stdout()).expect("events show still prints its JSON");
    assert_eq!(doc["migrationEvent"]["encodedKey"], key.as_str());
    let old = read_json(&w.path("out/old.json"));
    let old_html = std::fs::read_to_string(w.path("out/old.html")).unwrap();
    check_html(&old, &old_html);
    assert_eq!(mode(&w.path("out/old.html")), 0o600);
    let strip = |mut v: Value| {
        v.as_object_mut().unwrap().remove("written_at");
        v
    };
    assert_eq!(strip(old), strip(page));
}

/// An import stopped part-way, `kill` sent with `signal`, then resumed.
fn stopped_then_resumed(signal: &str) -> (Work, String, Value, Value) {
    let w = Work::new();
    let sb = SandboxProcess::samples(&["--faults", "latency=20ms"]);
    let mut child: Child = Command::new(env!("CARGO_BIN_EXE_ferry"))
        .arg("import")
        .args(samples_args())
        .args([
            "--target",
            &sb.url,
            "--concurrency",
            "2",
            "--ledger",
            &w.ledger(),
            "--report-dir",
        ])
        .arg(w.path("reports"))
        .env("MAMBU_API_KEY", &sb.key)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let key = loop {
        let out = w.ferry(&["events"]).run().stdout();
        let line = out.lines().nth(1).unwrap_or_default().to_string();
        let created: u64 = line
            .split_whitespace()
            .nth(4)
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        if created >= 40 {
            break line.split_whitespace().next().unwrap().to_string();
        }
        assert!(
            Instant::now() < deadline,
            "the import never got going: {out}"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    child.wait().unwrap();

    // Between the two runs the ledger renders the page of an unfinished event.
    w.ferry(&["events", "show", &key, "--json"])
        .arg(w.path("between.json"))
        .run()
        .status(0);
    let between = read_json(&w.path("between.json"));

    w.ferry(&["resume", &key, "--report-dir"])
        .arg(w.path("reports"))
        .env("MAMBU_API_KEY", &sb.key)
        .run()
        .status(1);
    let (after, _) = page_in(&w.path("reports"));
    assert_counts_match_ledger(&after, &w.show(&key));
    (w, key, between, after)
}

/// What every resumed event's page says once the resume is done.
fn check_resumed(key: &str, between: &Value, after: &Value) {
    let r = runs(between);
    assert_eq!(r.len(), 1, "{r:?}");
    assert_eq!(r[0]["verb"], "import");
    assert!(between["rows"]["created"].as_u64().unwrap() >= 40);

    assert_eq!(after["rows"]["created"], 525);
    assert_eq!(after["rows"]["rejected"], 75);
    assert_eq!(after["status"]["verdict"], "COMPLETE");
    let r = runs(after);
    assert_eq!(r.len(), 2, "{r:?}");
    assert_eq!(r[0]["verb"], "import");
    assert_ne!(r[0]["outcome"], "completed");
    assert_eq!(
        (r[1]["verb"].as_str(), r[1]["outcome"].as_str()),
        (Some("resume"), Some("completed"))
    );
    assert!(r[1]["started_at"].as_str().unwrap() > r[0]["started_at"].as_str().unwrap());
    // Between them the two runs did the whole event, each its own part.
    assert_eq!(moved(&r[0], "CREATED") + moved(&r[1], "CREATED"), 525);
    assert_eq!(moved(&r[0], "REJECTED") + moved(&r[1], "REJECTED"), 75);
    assert_eq!(
        moved(&r[0], "CREATED"),
        between["rows"]["created"].as_u64().unwrap(),
        "what the first run did is what the ledger held when it stopped"
    );
    assert!(moved(&r[1], "CREATED") > 0);
    assert_eq!(after["event"], key);
}

#[test]
fn an_import_killed_then_resumed_shows_a_crashed_run_and_a_completed_one() {
    let (_w, key, between, after) = stopped_then_resumed("-KILL");
    let r = runs(&between);
    assert_eq!(r[0]["outcome"], "crashed", "its process is gone");
    assert_eq!(r[0]["ended_at"], Value::Null);
    assert_eq!(between["status"]["verdict"], "UNFINISHED");
    assert_eq!(
        between["status"]["next"],
        format!("ferry resume {key}").as_str()
    );
    check_resumed(&key, &between, &after);
    assert_eq!(runs(&after)[0]["outcome"], "crashed");
}

#[test]
fn an_import_stopped_by_ctrl_c_then_resumed_shows_an_interrupted_run() {
    let (_w, key, between, after) = stopped_then_resumed("-INT");
    let r = runs(&between);
    assert_eq!(r[0]["outcome"], "interrupted");
    assert!(r[0]["ended_at"].is_string());
    assert_eq!(
        r[0]["sent"].as_u64(),
        Some(moved(&r[0], "CREATED") + moved(&r[0], "FAILED")),
        "rows in flight were finished and counted"
    );
    check_resumed(&key, &between, &after);
    assert_eq!(runs(&after)[0]["outcome"], "interrupted");
}

#[test]
fn approve_writes_the_page_with_its_time() {
    let w = Work::new();
    let key = event_key(&import_samples(&w, "reports").run().status(1).stdout());
    w.ferry(&["approve", &key, "--report-dir"])
        .arg(w.path("reports"))
        .run()
        .status(0);
    let (page, html) = page_in(&w.path("reports"));
    assert_eq!(page["state"], "APPROVED");
    assert_eq!(page["status"]["verdict"], "APPROVED");
    assert_eq!(page["status"]["next"], Value::Null);
    let at = page["approved_at"].as_str().unwrap();
    assert!(at >= runs(&page)[0]["ended_at"].as_str().unwrap());
    assert!(html.contains(&format!("approved {at}")));
}

#[test]
fn hostile_client_data_and_file_names_are_text_on_the_page() {
    const ID: &str = r#"<script>alert("x")"#;
    let w = Work::new();
    let input = w.path(r#"ex"<i>'&.csv"#);
    std::fs::write(
        &input,
        "id,first,last,email,born\n\
         A1,Ana,Lima,ana@example.com,1980-01-02\n\
         \"<script>alert(\"\"x\"\")\",Zoë,\"O'Brien \"\"<em>e</em>\"\"\",zoe@example.com,1980-01-02\n\
         B2,Bo,Berg,\"<img src=x onerror=alert(1)>\",1980-01-02\n",
    )
    .unwrap();
    let mapping = w.path("m.toml");
    std::fs::write(
        &mapping,
        "[client]\nid = \"id\"\nfirstName = \"first\"\nlastName = \"last\"\n\
         emailAddress = \"email\"\nbirthDate = { column = \"born\", date = \"%Y-%m-%d\" }\n",
    )
    .unwrap();
    let import = |reports: &str, again: bool| {
        let ran = w
            .ferry(&["import"])
            .arg(&input)
            .arg("--mapping")
            .arg(&mapping)
            .args(["--sandbox", "--sandbox-state"])
            .arg(w.path("sandbox.db"))
            .args(again.then_some("--again"))
            .arg("--report-dir")
            .arg(w.path(reports))
            .run()
            .status(1);
        page_in(&w.path(reports)).0["event"] == event_key(&ran.stdout()).as_str()
    };
    assert!(import("first", false));
    let (first, _) = page_in(&w.path("first"));
    assert_eq!(
        (
            first["rows"]["created"].as_u64(),
            first["rows"]["rejected"].as_u64()
        ),
        (Some(2), Some(1)),
        "{first}"
    );
    // The same file again: the target refuses both clients (316), and the
    // page lists them with their ids and the target's messages.
    assert!(import("second", true));
    let (page, html) = page_in(&w.path("second"));
    assert_eq!(page["rows"]["failed"], 2, "{page}");
    let ids: Vec<&str> = page["first_failed_rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["client_id"].as_str())
        .collect();
    assert_eq!(ids, ["A1", ID], "the JSON keeps the data as it is");
    for raw in [
        "<script",
        "<em>",
        "<i>",
        "<img",
        "onerror=alert(1)>",
        r#"alert("x")"#,
    ] {
        assert!(!html.contains(raw), "{raw} reached the page as markup");
    }
    assert!(html.contains("<code>&lt;script&gt;alert(&quot;x&quot;)</code>"));
    assert!(
        html.contains("ex&quot;&lt;i&gt;&#39;&amp;.csv"),
        "the file name, escaped"
    );
    assert!(
        html.contains("ex%22%3Ci%3E%27%26.csv"),
        "the link, percent-encoded"
    );
}
