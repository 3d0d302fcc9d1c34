//! `ferry import`, `resume`, `events`, `approve` and `revert` through the
//! binary, against the sandbox over real HTTP: embedded, and as a separate
//! process with faults, throttling and SIGKILL.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::support::binary::{exported_ids, gen_wide, read_json, repo_path, Ferry, SandboxProcess};

/// Ids of the sample rows the answer key does not reject.
fn valid_sample_ids() -> BTreeSet<String> {
    let planted: BTreeSet<u64> = csv::Reader::from_path(repo_path("samples/clients_expected.csv"))
        .unwrap()
        .records()
        .map(|r| r.unwrap()[0].parse().unwrap())
        .collect();
    csv::Reader::from_path(repo_path("samples/clients.csv"))
        .unwrap()
        .records()
        .enumerate()
        .filter(|(i, _)| !planted.contains(&(*i as u64 + 1)))
        .map(|(_, r)| r.unwrap()[0].trim().to_string())
        .collect()
}

fn once_each(ids: &BTreeSet<String>) -> BTreeMap<String, usize> {
    ids.iter().map(|i| (i.clone(), 1)).collect()
}

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
    /// A ferry command run in this work dir, with its ledger (reports land
    /// here too).
    fn ferry(&self, args: &[&str]) -> Ferry {
        Ferry::new()
            .current_dir(&self.root)
            .args(args)
            .args(["--ledger", &self.ledger()])
    }
}

fn import_samples_into(w: &Work, target: &[&str]) -> Ferry {
    Ferry::new()
        .arg("import")
        .arg(repo_path("samples/clients.csv"))
        .arg("--mapping")
        .arg(repo_path("mappings/clients.toml"))
        .arg("--tenant")
        .arg(repo_path("samples/tenant.json"))
        .args(target)
        .args(["--ledger", &w.ledger(), "--report-dir"])
        .arg(w.path("reports"))
}

/// The event key printed by an import.
fn event_key(stdout: &str) -> String {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix("migration event "))
        .and_then(|l| l.split_whitespace().next())
        .expect("the import names its event")
        .to_string()
}

fn sandbox_on(state: &Path) -> SandboxProcess {
    SandboxProcess::start(&["--state", &state.display().to_string()])
}

#[test]
fn samples_load_into_the_embedded_sandbox_exactly_once_and_revert_cleanly() {
    let w = Work::new();
    let state = w.path("sandbox.db");
    let ran = import_samples_into(
        &w,
        &["--sandbox", "--sandbox-state", &state.display().to_string()],
    )
    .run()
    .status(1) // the samples carry rejected rows on purpose
    .stdout_has("clients created");
    let key = event_key(&ran.stdout());
    let valid = valid_sample_ids();

    let sb = sandbox_on(&state);
    assert_eq!(
        exported_ids(&sb.export()),
        once_each(&valid),
        "every valid row once, no rejected row"
    );
    drop(sb);

    let success = fs::read_to_string(w.path("reports/success.csv")).unwrap();
    assert_eq!(success.lines().count() - 1, valid.len());
    assert_eq!(
        fs::read_to_string(w.path("reports/failures.csv"))
            .unwrap()
            .lines()
            .count(),
        1,
        "nothing failed at the target"
    );
    let shown = w.ferry(&["events", "show", &key]).run().status(0);
    let doc: serde_json::Value = serde_json::from_str(&shown.stdout()).unwrap();
    assert_eq!(doc["migrationEvent"]["state"], "DRAFT");
    assert_eq!(doc["migrationEvent"]["type"], "IMPORT");
    assert_eq!(
        doc["migrationEvent"]["numClientsImported"],
        valid.len() as u64
    );
    // 72 planted errors, and the 3 earlier rows whose id a planted row
    // repeats: a repeated id is rejected on every row carrying it.
    assert_eq!(doc["rows"]["REJECTED"], 75);
    // The ledger keeps every finding of every rejected row, as the report:
    // its errors under "errors", its warnings in the groups of "warnings".
    let report = read_json(&w.path("reports/report.json"));
    assert_eq!(report["kind"], "import_validation");
    let mut reported: BTreeMap<u64, Vec<(String, u64, String)>> = BTreeMap::new();
    for f in report["errors"].as_array().unwrap() {
        reported
            .entry(f["row"].as_u64().unwrap())
            .or_default()
            .push((
                f["field"].as_str().unwrap().to_string(),
                f["code"].as_u64().unwrap(),
                f["message"].as_str().unwrap().to_string(),
            ));
    }
    let warnings = &report["warnings"];
    assert_eq!(warnings["findings_not_in_groups_shown"], 0);
    let mut warned: BTreeSet<(u64, String, u64, String)> = BTreeSet::new();
    for g in warnings["groups"].as_array().unwrap() {
        let rows = g["rows"].as_array().unwrap();
        assert_eq!(
            g["count"].as_u64().unwrap(),
            rows.len() as u64,
            "all rows listed"
        );
        for r in rows {
            warned.insert((
                r.as_u64().unwrap(),
                g["field"].as_str().unwrap().to_string(),
                g["code"].as_u64().unwrap(),
                g["message"].as_str().unwrap().to_string(),
            ));
        }
    }
    let ledger = rusqlite::Connection::open(w.path("ledger.db")).unwrap();
    let mut stmt = ledger
        .prepare("SELECT row, findings FROM ledger_rows WHERE event = ?1 AND status = 'REJECTED'")
        .unwrap();
    let kept: Vec<(u64, String)> = stmt
        .query_map([&key], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(kept.len(), 75);
    for (row, findings) in kept {
        let findings: Vec<serde_json::Value> = serde_json::from_str(&findings).unwrap();
        for f in findings.iter().filter(|f| f["severity"] == "warning") {
            let w = (
                row,
                f["field"].as_str().unwrap().to_string(),
                f["code"].as_u64().unwrap(),
                f["message"].as_str().unwrap().to_string(),
            );
            assert!(
                warned.contains(&w),
                "row {row}: {w:?} not among the report's warnings"
            );
        }
        let in_ledger: Vec<(String, u64, String)> = findings
            .iter()
            .filter(|f| f["severity"] != "warning")
            .map(|f| {
                (
                    f["field"].as_str().unwrap().to_string(),
                    f["code"].as_u64().unwrap(),
                    f["message"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(Some(&in_ledger), reported.get(&row), "row {row}");
    }
    assert_eq!(valid.len(), 600 - 75);
    w.ferry(&["events"]).run().status(0).stdout_has(&key);

    w.ferry(&["revert", &key])
        .run()
        .status(0)
        .stdout_has("REVERTED");
    let sb = sandbox_on(&state);
    assert!(
        exported_ids(&sb.export()).is_empty(),
        "revert deleted every client the import created"
    );
    drop(sb);
    w.ferry(&["revert", &key])
        .run()
        .status(0)
        .stdout_has("already REVERTED");
    w.ferry(&["approve", &key])
        .run()
        .status(2)
        .stderr_has("cannot be approved");
}

#[test]
fn approve_is_final() {
    let w = Work::new();
    let state = w.path("sandbox.db");
    let ran = import_samples_into(
        &w,
        &["--sandbox", "--sandbox-state", &state.display().to_string()],
    )
    .run()
    .status(1);
    let key = event_key(&ran.stdout());
    w.ferry(&["approve", &key[..8]])
        .run()
        .status(0)
        .stdout_has("APPROVED");
    w.ferry(&["approve", &key])
        .run()
        .status(0)
        .stdout_has("already APPROVED");
    w.ferry(&["revert", &key])
        .run()
        .status(2)
        .stderr_has("final");
    let sb = sandbox_on(&state);
    assert_eq!(exported_ids(&sb.export()).len(), valid_sample_ids().len());
}

#[test]
fn faults_and_throttling_still_end_with_every_valid_row_created_once() {
    let w = Work::new();
    let sb = SandboxProcess::samples(&[
        "--faults",
        "error=0.08,hang=0.02,drop=0.04,lost_response=0.05",
        "--seed",
        "3",
        "--rate-limit",
        "400",
    ]);
    let target = [
        "--target",
        sb.url.as_str(),
        "--timeout",
        "1",
        "--concurrency",
        "16",
    ];
    let mut ran = import_samples_into(&w, &target)
        .env("MAMBU_API_KEY", &sb.key)
        .run();
    let key = event_key(&ran.stdout());
    // Rows whose every attempt failed stay in the ledger for resume.
    for _ in 0..5 {
        if !ran.stdout().contains("ferry resume") {
            break;
        }
        ran = w
            .ferry(&["resume", &key, "--timeout", "1"])
            .env("MAMBU_API_KEY", &sb.key)
            .arg("--report-dir")
            .arg(w.path("reports"))
            .run();
    }
    assert!(!ran.stdout().contains("ferry resume"), "{}", ran.stdout());
    let valid = valid_sample_ids();
    assert_eq!(exported_ids(&sb.export()), once_each(&valid));
    let doc: serde_json::Value =
        serde_json::from_str(&w.ferry(&["events", "show", &key]).run().status(0).stdout()).unwrap();
    assert_eq!(
        doc["rows"]["CREATED"],
        valid.len() as u64,
        "the ledger agrees with the sandbox: {doc}"
    );
    // Lost responses were settled by looking, and the ledger says so.
    let success = success_rows(&w.path("reports/success.csv"));
    let looked = success
        .iter()
        .filter(|r| r.evidence.starts_with("GET after an unanswered attempt"))
        .count();
    assert!(looked > 0, "no create was settled by GET");
    assert!(success
        .iter()
        .all(|r| r.evidence == "POST answered 201" || r.evidence.starts_with("GET after")));
}

#[test]
fn killed_at_random_points_then_resumed_leaves_exactly_the_valid_rows() {
    let w = Work::new();
    let file = w.path("big.csv");
    gen_wide(&file, 20000, "0.05", 9);
    let sb = SandboxProcess::samples(&[]);
    let dry = w.path("dry");
    Ferry::new()
        .arg("validate")
        .arg(&file)
        .arg("--mapping")
        .arg(repo_path("mappings/clients-wide.toml"))
        .arg("--tenant")
        .arg(repo_path("samples/tenant.json"))
        .arg("--report-dir")
        .arg(&dry)
        .arg("--payloads")
        .run()
        .status(1);
    let valid: BTreeSet<String> = fs::read_to_string(dry.join("payloads.ndjson"))
        .unwrap()
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["client"]["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();

    let mut rng = fastrand::Rng::with_seed(20_000);
    let spawn = |args: Vec<String>| {
        std::process::Command::new(env!("CARGO_BIN_EXE_ferry"))
            .args(args)
            .args([
                "--ledger",
                &w.ledger(),
                "--report-dir",
                &w.path("r").display().to_string(),
            ])
            .env("MAMBU_API_KEY", &sb.key)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap()
    };
    // Clients the ledger says were imported so far (0 before the event exists).
    let imported = || -> (Option<String>, u64) {
        let out = w.ferry(&["events"]).run();
        let line = out.stdout().lines().nth(1).map(str::to_string);
        match line {
            Some(l) => {
                let cols: Vec<&str> = l.split_whitespace().collect();
                (
                    Some(cols[0].to_string()),
                    cols[4].replace(',', "").parse().unwrap_or(0),
                )
            }
            None => (None, 0),
        }
    };
    // SIGKILL once the ledger shows `at_least` clients imported, mid-push.
    let kill_after = |mut child: std::process::Child, at_least: u64| -> u64 {
        let deadline = std::time::Instant::now() + Duration::from_secs(240);
        loop {
            let (_, n) = imported();
            if n >= at_least || std::time::Instant::now() > deadline {
                child.kill().unwrap();
                child.wait().unwrap();
                return n;
            }
            if let Ok(Some(_)) = child.try_wait() {
                return n;
            }
            std::thread::sleep(Duration::from_millis(rng_sleep()));
        }
    };
    fn rng_sleep() -> u64 {
        fastrand::u64(20..120)
    }
    let import_args: Vec<String> = vec![
        "import".into(),
        file.display().to_string(),
        "--mapping".into(),
        repo_path("mappings/clients-wide.toml")
            .display()
            .to_string(),
        "--tenant".into(),
        repo_path("samples/tenant.json").display().to_string(),
        "--target".into(),
        sb.url.clone(),
        "--concurrency".into(),
        "16".into(),
    ];
    let total = valid.len() as u64;
    let mut goal = rng.u64(total / 10..total / 4);
    let reached = kill_after(spawn(import_args), goal);
    assert!(
        reached < total,
        "the import was killed before it finished ({reached} of {total})"
    );
    let key = imported().0.expect("an event was opened");
    w.ferry(&["approve", &key])
        .run()
        .status(2)
        .stderr_has("not finished")
        .stderr_has("ferry resume");
    w.ferry(&["events"]).run().status(0).stdout_has(" no ");
    for _ in 0..3 {
        goal = (goal + rng.u64(total / 12..total / 6)).min(total * 8 / 10);
        let at = kill_after(
            spawn(vec![
                "resume".into(),
                key.clone(),
                "--concurrency".into(),
                "16".into(),
            ]),
            goal,
        );
        assert!(
            at < total,
            "resume was killed before it finished ({at} of {total})"
        );
    }
    let done = w
        .ferry(&["resume", &key])
        .env("MAMBU_API_KEY", &sb.key)
        .arg("--report-dir")
        .arg(w.path("r"))
        .run();
    assert!(matches!(done.code(), 0 | 1), "{}", done.stderr());
    assert!(!done.stdout().contains("ferry resume"), "{}", done.stdout());
    assert_eq!(exported_ids(&sb.export()), once_each(&valid));
    let doc: serde_json::Value =
        serde_json::from_str(&w.ferry(&["events", "show", &key]).run().status(0).stdout()).unwrap();
    assert_eq!(doc["rows"]["CREATED"], valid.len() as u64, "{doc}");
    assert_eq!(
        doc["rows"]["REJECTED"],
        20_000 - valid.len() as u64,
        "{doc}"
    );
    // success.csv speaks for the whole event, not the last run, in row order.
    let success = success_rows(&w.path("r/success.csv"));
    let rows: Vec<u64> = success.iter().map(|r| r.row).collect();
    assert!(rows.windows(2).all(|p| p[0] < p[1]), "row order");
    assert_eq!(
        success
            .iter()
            .map(|r| r.id.clone())
            .collect::<BTreeSet<_>>(),
        valid
    );
    assert!(success
        .iter()
        .all(|r| r.status == "CREATED" && !r.evidence.is_empty()));
    w.ferry(&["approve", &key]).run().status(0);
}

/// One line of success.csv.
#[derive(Debug, Clone, PartialEq)]
struct SuccessRow {
    row: u64,
    id: String,
    status: String,
    evidence: String,
}

fn success_rows(path: &Path) -> Vec<SuccessRow> {
    csv::Reader::from_path(path)
        .unwrap()
        .records()
        .map(|r| {
            let r = r.unwrap();
            SuccessRow {
                row: r[0].parse().unwrap(),
                id: r[1].to_string(),
                status: r[3].to_string(),
                evidence: r[4].to_string(),
            }
        })
        .collect()
}

/// The rows of an event by status, from `events show --files`.
fn event_ids(w: &Work, key: &str, status: &str) -> BTreeSet<String> {
    let dir = w.path(&format!("files-{key}"));
    w.ferry(&["events", "show", key, "--files", &dir.display().to_string()])
        .run()
        .status(0);
    success_rows(&dir.join("success.csv"))
        .into_iter()
        .filter(|r| r.status == status)
        .map(|r| r.id)
        .collect()
}

/// Failed rows of an event as (id, code, message), from `events show --files`.
fn event_failures(w: &Work, key: &str) -> Vec<(String, String, String)> {
    let dir = w.path(&format!("files-{key}"));
    w.ferry(&["events", "show", key, "--files", &dir.display().to_string()])
        .run()
        .status(0);
    let mut r = csv::Reader::from_path(dir.join("failures.csv")).unwrap();
    let header = r.headers().unwrap().clone();
    let names: Vec<&str> = header.iter().collect();
    let at = |name: &str| names.iter().rposition(|h| *h == name).unwrap();
    let (id, code, message) = (at("CUST_NO"), at("code"), at("message"));
    r.records()
        .map(|x| {
            let x = x.unwrap();
            (
                x[id].to_string(),
                x[code].to_string(),
                x[message].to_string(),
            )
        })
        .collect()
}

/// The sandbox's whole state: every client's full details (and documents),
/// sorted by id.
fn full_state(sb: &SandboxProcess) -> serde_json::Value {
    sb.export()
}

/// The full details of the clients with these ids, from the export.
fn clients_with(sb: &SandboxProcess, ids: &BTreeSet<String>) -> Vec<serde_json::Value> {
    sb.export()["clients"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| ids.contains(c["client"]["id"].as_str().unwrap_or_default()))
        .cloned()
        .collect()
}

#[test]
fn a_second_import_of_the_same_file_is_refused_and_with_again_claims_nothing() {
    let w = Work::new();
    let sb = SandboxProcess::samples(&[]);
    let import = || {
        import_samples_into(&w, &["--target", &sb.url])
            .current_dir(&w.root)
            .env("MAMBU_API_KEY", &sb.key)
    };
    let first = event_key(&import().run().status(1).stdout());
    let valid = valid_sample_ids();
    assert_eq!(event_ids(&w, &first, "CREATED"), valid);
    let before = full_state(&sb);

    // Refused before anything is sent, naming the live event.
    import()
        .run()
        .status(2)
        .stderr_has(&first)
        .stderr_has("--again");
    assert_eq!(full_state(&sb), before, "nothing was sent");

    // Forced: every valid row exists already, none is claimed.
    let again = import().arg("--again").run().status(1);
    let created_line = again
        .stdout()
        .lines()
        .find(|l| l.trim_start().starts_with("clients created"))
        .map(|l| l.split_whitespace().last().unwrap().to_string());
    assert_eq!(created_line.as_deref(), Some("0"), "{}", again.stdout());
    let second = event_key(&again.stdout());
    assert_ne!(second, first);
    assert!(event_ids(&w, &second, "CREATED").is_empty());
    let failures = event_failures(&w, &second);
    assert_eq!(
        failures
            .iter()
            .map(|f| f.0.clone())
            .collect::<BTreeSet<_>>(),
        valid
    );
    assert!(failures
        .iter()
        .all(|f| f.1 == "316" && f.2.contains("not created by this event")));

    // The first is approved; reverting the second deletes nothing of it.
    w.ferry(&["approve", &first]).run().status(0);
    w.ferry(&["revert", &second])
        .env("MAMBU_API_KEY", &sb.key)
        .run()
        .status(0)
        .stdout_has("0 clients deleted");
    assert_eq!(
        full_state(&sb),
        before,
        "the first event's clients, untouched"
    );
    assert_eq!(event_ids(&w, &first, "CREATED"), valid);
}

#[test]
fn a_client_made_by_hand_with_a_rows_id_and_content_is_never_claimed() {
    let w = Work::new();
    let sb = SandboxProcess::samples(&[]);
    // The very request the import would send for the first sample row.
    let dry = w.path("dry");
    import_dry_run(&dry);
    let body: serde_json::Value = fs::read_to_string(dry.join("payloads.ndjson"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .find(|v: &serde_json::Value| v["client"]["id"] == "CL0000001")
        .unwrap();
    assert_eq!(sb.send("POST", "/api/clients", &body), 201);
    let by_hand = sb.get("/api/clients/CL0000001?fullDetails=true");

    let ran = import_samples_into(&w, &["--target", &sb.url])
        .env("MAMBU_API_KEY", &sb.key)
        .run()
        .status(1);
    let key = event_key(&ran.stdout());
    let mine = event_ids(&w, &key, "CREATED");
    assert!(!mine.contains("CL0000001"));
    assert_eq!(mine.len(), valid_sample_ids().len() - 1);
    let failures = event_failures(&w, &key);
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0].0, "CL0000001");
    assert_eq!(failures[0].1, "316");

    w.ferry(&["revert", &key])
        .env("MAMBU_API_KEY", &sb.key)
        .run()
        .status(0);
    assert_eq!(
        exported_ids(&sb.export()).keys().collect::<Vec<_>>(),
        ["CL0000001"]
    );
    assert_eq!(
        sb.get("/api/clients/CL0000001?fullDetails=true"),
        by_hand,
        "the hand-made client, whole"
    );
}

fn import_dry_run(dir: &Path) {
    Ferry::new()
        .arg("validate")
        .arg(repo_path("samples/clients.csv"))
        .arg("--mapping")
        .arg(repo_path("mappings/clients.toml"))
        .arg("--tenant")
        .arg(repo_path("samples/tenant.json"))
        .arg("--report-dir")
        .arg(dir)
        .arg("--payloads")
        .run()
        .status(1);
}

#[test]
fn two_imports_of_one_file_started_together_leave_every_client_with_one_owner() {
    let w = Work::new();
    let file = w.path("pair.csv");
    gen_wide(&file, 3000, "0", 5);
    let sb = SandboxProcess::samples(&[
        "--faults",
        "error=0.03,drop=0.03,lost_response=0.05",
        "--seed",
        "11",
    ]);
    let spawn = |extra: &[&str], reports: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_ferry"))
            .arg("import")
            .arg(&file)
            .arg("--mapping")
            .arg(repo_path("mappings/clients-wide.toml"))
            .arg("--tenant")
            .arg(repo_path("samples/tenant.json"))
            .args(["--target", &sb.url, "--timeout", "2", "--concurrency", "8"])
            .args(["--ledger", &w.ledger(), "--report-dir"])
            .arg(w.path(reports))
            .args(extra)
            .env("MAMBU_API_KEY", &sb.key)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    // Without --again, one of the two goes ahead and the other is refused.
    let (a, b) = (spawn(&[], "ra"), spawn(&[], "rb"));
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    let mut codes = [a.status.code(), b.status.code()];
    codes.sort();
    assert!(
        codes[1] == Some(2) && codes[0] != Some(2),
        "{codes:?}: {}{}",
        String::from_utf8_lossy(&a.stderr),
        String::from_utf8_lossy(&b.stderr)
    );
    let winner = event_key(&String::from_utf8_lossy(if a.status.code() == Some(2) {
        &b.stdout
    } else {
        &a.stdout
    }));
    finish_with_resume(&w, &winner, &sb);
    w.ferry(&["revert", &winner])
        .env("MAMBU_API_KEY", &sb.key)
        .run()
        .status(0);
    assert!(exported_ids(&sb.export()).is_empty());

    // With --again on both, started together, under faults.
    let (a, b) = (spawn(&["--again"], "ra"), spawn(&["--again"], "rb"));
    let keys: Vec<String> = [a, b]
        .into_iter()
        .map(|c| {
            event_key(&String::from_utf8_lossy(
                &c.wait_with_output().unwrap().stdout,
            ))
        })
        .collect();
    for k in &keys {
        finish_with_resume(&w, k, &sb);
    }
    let owned: Vec<BTreeSet<String>> = keys.iter().map(|k| event_ids(&w, k, "CREATED")).collect();
    let on_target = exported_ids(&sb.export());
    assert_eq!(on_target.len(), 3000);
    assert!(on_target.values().all(|n| *n == 1), "each client once");
    eprintln!(
        "two imports with --again: {} and {} clients owned, {} on the target",
        owned[0].len(),
        owned[1].len(),
        on_target.len()
    );
    assert!(owned[0].is_disjoint(&owned[1]), "no client has two owners");
    assert_eq!(
        owned[0].union(&owned[1]).cloned().collect::<BTreeSet<_>>(),
        on_target.keys().cloned().collect(),
        "every client has an owner"
    );

    // Reverting one deletes its own clients and nothing else.
    let kept_before = clients_with(&sb, &owned[1]);
    w.ferry(&["revert", &keys[0]])
        .env("MAMBU_API_KEY", &sb.key)
        .args(["--timeout", "2"])
        .run()
        .status(0);
    let left: BTreeSet<String> = exported_ids(&sb.export()).into_keys().collect();
    assert_eq!(left, owned[1]);
    assert_eq!(
        clients_with(&sb, &owned[1]),
        kept_before,
        "the other event's clients, whole"
    );
}

/// Resumes an event until no row is left to send.
fn finish_with_resume(w: &Work, key: &str, sb: &SandboxProcess) {
    for _ in 0..8 {
        let shown = w.ferry(&["events"]).run().status(0).stdout();
        let line = shown
            .lines()
            .find(|l| l.starts_with(key))
            .unwrap()
            .to_string();
        if line.split_whitespace().nth(3) == Some("yes") {
            return;
        }
        w.ferry(&["resume", key, "--timeout", "2"])
            .env("MAMBU_API_KEY", &sb.key)
            .run();
    }
    panic!("event {key} did not finish");
}

/// An export without what the server stamps on every write.
fn normalised(export: &serde_json::Value) -> serde_json::Value {
    fn strip(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(o) => {
                for k in [
                    "encodedKey",
                    "parentKey",
                    "clientKey",
                    "customFieldKey",
                    "lastModifiedDate",
                    "indexInList",
                ] {
                    o.remove(k);
                }
                o.values_mut().for_each(strip);
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut e = export.clone();
    strip(&mut e);
    e
}

#[test]
fn upsert_then_revert_restores_updated_clients_and_removes_created_ones() {
    let w = Work::new();
    let sb = SandboxProcess::samples(&[]);
    // A first import of the JSON sample's 100 clients is the tenant's "before".
    Ferry::new()
        .arg("import")
        .arg(repo_path("samples/clients.json"))
        .arg("--mapping")
        .arg(repo_path("mappings/clients-json.toml"))
        .arg("--tenant")
        .arg(repo_path("samples/tenant.json"))
        .args(["--target", &sb.url, "--ledger", &w.ledger(), "--report-dir"])
        .arg(w.path("r0"))
        .env("MAMBU_API_KEY", &sb.key)
        .run()
        .status(1);
    let before = sb.export();
    assert!(!before["clients"].as_array().unwrap().is_empty());

    let ran = import_samples_into(&w, &["--target", &sb.url, "--mode", "upsert"])
        .env("MAMBU_API_KEY", &sb.key)
        .run()
        .status(1);
    let key = event_key(&ran.stdout());
    assert!(ran.stdout().contains("clients updated"));
    let doc: serde_json::Value =
        serde_json::from_str(&w.ferry(&["events", "show", &key]).run().status(0).stdout()).unwrap();
    assert!(doc["rows"]["UPDATED"].as_u64().unwrap() > 50, "{doc}");
    assert!(doc["rows"]["CREATED"].as_u64().unwrap() > 400, "{doc}");
    assert_ne!(normalised(&sb.export()), normalised(&before));

    w.ferry(&["revert", &key])
        .env("MAMBU_API_KEY", &sb.key)
        .run()
        .status(0)
        .stdout_has("REVERTED");
    assert_eq!(normalised(&sb.export()), normalised(&before));
}

#[test]
fn a_client_changed_since_the_import_is_kept_unless_forced() {
    let w = Work::new();
    let sb = SandboxProcess::samples(&[]);
    let ran = import_samples_into(&w, &["--target", &sb.url])
        .env("MAMBU_API_KEY", &sb.key)
        .run()
        .status(1);
    let key = event_key(&ran.stdout());
    // lastModifiedDate has Mambu's one-second resolution: a change in the
    // same second as the import's own write cannot be told from it by the
    // date alone (a known limit of the revert's check), so change it later.
    std::thread::sleep(Duration::from_millis(1100));
    let status = sb.send(
        "PATCH",
        "/api/clients/CL0000001",
        &serde_json::json!({"client": {"state": "BLACKLISTED"}}),
    );
    assert_eq!(status, 200);
    w.ferry(&["revert", &key])
        .env("MAMBU_API_KEY", &sb.key)
        .run()
        .status(1)
        .stdout_has("stays DRAFT")
        .stdout_has("1 kept");
    assert_eq!(
        exported_ids(&sb.export()).keys().collect::<Vec<_>>(),
        ["CL0000001"]
    );
    let _ = w
        .ferry(&["revert", &key, "--force"])
        .env("MAMBU_API_KEY", &sb.key)
        .run();
}

#[test]
fn credentials_never_reach_output_reports_or_the_ledger() {
    let w = Work::new();
    let secret = "s3cret-api-key-do-not-leak";
    let sb = SandboxProcess::samples(&[]);
    let ran = import_samples_into(&w, &["--target", &sb.url])
        .env("MAMBU_API_KEY", secret)
        .run();
    assert_eq!(ran.code(), 3, "a refused key is exit 3: {}", ran.stderr());
    assert!(!ran.stdout().contains(secret) && !ran.stderr().contains(secret));
    let ran = import_samples_into(&w, &["--target", &sb.url])
        .env("MAMBU_API_KEY", &sb.key)
        .run()
        .status(1);
    assert!(!ran.stdout().contains(&sb.key) && !ran.stderr().contains(&sb.key));
    for entry in fs::read_dir(w.path("reports")).unwrap() {
        let bytes = fs::read(entry.unwrap().path()).unwrap();
        assert!(!String::from_utf8_lossy(&bytes).contains(&sb.key));
    }
    let ledger = fs::read(w.path("ledger.db")).unwrap();
    assert!(!String::from_utf8_lossy(&ledger).contains(&sb.key));
}

#[test]
fn an_unreachable_target_is_exit_3_and_no_credentials_is_exit_2() {
    let w = Work::new();
    import_samples_into(&w, &["--target", "http://127.0.0.1:9", "--timeout", "2"])
        .env("MAMBU_API_KEY", "k")
        .run()
        .status(3);
    import_samples_into(&w, &["--target", "http://127.0.0.1:9"])
        .run()
        .status(2)
        .stderr_has("MAMBU_API_KEY");
    let _ = read_json;
}

#[test]
fn ctrl_c_finishes_what_is_in_flight_and_leaves_a_resumable_event() {
    let w = Work::new();
    let sb = SandboxProcess::samples(&["--faults", "latency=20ms"]);
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_ferry"))
        .arg("import")
        .arg(repo_path("samples/clients.csv"))
        .arg("--mapping")
        .arg(repo_path("mappings/clients.toml"))
        .arg("--tenant")
        .arg(repo_path("samples/tenant.json"))
        .args([
            "--target",
            &sb.url,
            "--concurrency",
            "2",
            "--ledger",
            &w.ledger(),
            "--report-dir",
        ])
        .arg(w.path("r"))
        .env("MAMBU_API_KEY", &sb.key)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let out = w.ferry(&["events"]).run().stdout();
        let n: u64 = out
            .lines()
            .nth(1)
            .and_then(|l| l.split_whitespace().nth(4)?.parse().ok())
            .unwrap_or(0);
        if n >= 40 || std::time::Instant::now() > deadline {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("ferry resume"), "{stdout}");
    let key = event_key(&stdout);
    let doc: serde_json::Value =
        serde_json::from_str(&w.ferry(&["events", "show", &key]).run().status(0).stdout()).unwrap();
    assert!(
        doc["rows"]["SENT"].is_null(),
        "in-flight rows were finished, none left in doubt: {doc}"
    );
    let created = doc["rows"]["CREATED"].as_u64().unwrap();
    assert!(
        created >= 40 && created < valid_sample_ids().len() as u64,
        "{doc}"
    );

    let resumed = w
        .ferry(&["resume", &key])
        .env("MAMBU_API_KEY", &sb.key)
        .arg("--report-dir")
        .arg(w.path("r"))
        .run()
        .status(1); // rejected rows remain rejected
    assert!(
        !resumed.stdout().contains("ferry resume"),
        "{}",
        resumed.stdout()
    );
    assert_eq!(exported_ids(&sb.export()), once_each(&valid_sample_ids()));
}

// ---------------------------------------------------------------------------
// Upsert over a tenant that already holds clients, and its revert.

mod upsert_round_trip {
    use super::*;
    use serde_json::{json, Value};

    const BR01: &str = "8a8e86727e1b4c2a01b1000000000001";
    const BR02: &str = "8a8e86727e1b4c2a01b1000000000002";
    const CT011: &str = "8a8e86727e1b4c2a01c1000000000001";
    const CT021: &str = "8a8e86727e1b4c2a01c1000000000003";
    const SCHULZ: &str = "8a8e86727e1b4c2a01a1000000000001";
    const PASSPORT: &str = "8a8e86727e1b4c2a01e1000000000001";
    const NATIONAL_ID: &str = "8a8e86727e1b4c2a01e1000000000002";

    /// Clients already in the tenant.
    const EXISTING: usize = 40;
    /// Ids in the file that the tenant does not have yet.
    const NEW: usize = 10;

    /// Maps some client fields, the city, the passport's authority and two
    /// custom fields; never Referral_Code, the next-of-kin group, the
    /// national id, the home phone, the birth date, the e-mail or the officer.
    const MAPPING: &str = r#"
[client]
id = "ID"
firstName = "FIRST"
middleName = "MIDDLE"
lastName = "LAST"
mobilePhone1 = "MOBILE"
notes = { column = "NOTES", on_empty = "clear" }
state = "STATE"
preferredLanguage = "LANG"
assignedBranchKey = { column = "BRANCH", resolve = "branch" }
assignedCentreKey = { column = "CENTRE", resolve = "centre" }

[address]
city = "CITY"

[[id_document]]
documentType = { constant = "PASSPORT" }
documentId = "PASSPORT"
issuingAuthority = "AUTHORITY"
identificationDocumentTemplateKey = { constant = "8a8e86727e1b4c2a01e1000000000001" }

[[custom_field]]
id = "Tax_ID"
value = "TAX_ID"

[[custom_field]]
id = "Occupation"
value = "OCCUPATION"
"#;

    fn id(i: usize) -> String {
        format!("UP{i:03}")
    }

    /// Tax_ID is unique and follows `@@@-@@-@@@@`.
    fn tax_id(i: usize) -> String {
        format!("{i:03}-00-{i:04}")
    }

    fn new_id(j: usize) -> String {
        format!("UP9{j:02}")
    }

    /// What the tenant holds for client `i` before the import.
    fn seed(i: usize) -> Value {
        let mut client = json!({
            "id": id(i), "firstName": format!("Old{i}"), "lastName": "Seed",
            "birthDate": "1980-05-17", "gender": "FEMALE",
            "emailAddress": format!("up{i}@example.org"),
            "homePhone": format!("+35121000{i:04}"), "mobilePhone1": format!("+35191000{i:04}"),
            "assignedBranchKey": BR01, "assignedCentreKey": CT011,
        });
        if i % 2 == 0 {
            client["middleName"] = json!("Maria");
        }
        if i % 3 == 0 {
            client["notes"] = json!("met at the fair");
        }
        if i % 5 == 0 {
            client["assignedUserKey"] = json!(SCHULZ);
        }
        json!({
            "client": client,
            "addresses": [{"line1": format!("Rua {i}"), "city": "Porto", "postcode": "4000-001", "country": "Portugal"}],
            "idDocuments": [
                {"documentType": "PASSPORT", "documentId": format!("PT{i:07}"), "issuingAuthority": "SEF",
                 "identificationDocumentTemplateKey": PASSPORT},
                {"documentType": "NATIONAL_ID", "documentId": format!("N{i:06}"),
                 "identificationDocumentTemplateKey": NATIONAL_ID}
            ],
            "customInformation": [
                {"customFieldID": "Tax_ID", "value": tax_id(i)},
                {"customFieldID": "Referral_Code", "value": format!("REF-{i}")},
                {"customFieldID": "Occupation", "value": "Baker"},
                {"customFieldID": "NOK_Name", "value": format!("Kin A{i}"), "customFieldSetGroupIndex": 0},
                {"customFieldID": "NOK_Phone", "value": "+351960000000", "customFieldSetGroupIndex": 0},
                {"customFieldID": "NOK_Name", "value": format!("Kin B{i}"), "customFieldSetGroupIndex": 1}
            ]
        })
    }

    /// What a row does to client `i`.
    #[derive(Debug, Clone, Copy, PartialEq)]
    enum Fate {
        Kept,
        /// New branch, stored centre of the old one: 852.
        CentreClash,
        /// New branch and centre, stored officer of the old branch: 703.
        OfficerClash,
        /// New branch and centre, no officer: a consistent move.
        Moved,
        /// A state no revert could undo (PENDING_APPROVAL → REJECTED): 9006.
        StateClash,
        /// A language where the client has none (Mambu cannot clear it): 9006.
        LanguageClash,
    }

    fn fate(i: usize) -> Fate {
        match i % 10 {
            3 => Fate::CentreClash,
            5 => Fate::OfficerClash,
            7 => Fate::Moved,
            9 => Fate::StateClash,
            1 => Fate::LanguageClash,
            _ => Fate::Kept,
        }
    }

    fn rejected(i: usize) -> bool {
        matches!(
            fate(i),
            Fate::CentreClash | Fate::OfficerClash | Fate::StateClash | Fate::LanguageClash
        )
    }

    const HEADER: &str =
        "ID,FIRST,MIDDLE,LAST,MOBILE,NOTES,STATE,BRANCH,CENTRE,CITY,PASSPORT,AUTHORITY,TAX_ID,OCCUPATION,LANG";

    fn row(i: usize) -> String {
        let (branch, centre) = match fate(i) {
            Fate::Kept | Fate::StateClash | Fate::LanguageClash => ("BR01", ""),
            Fate::CentreClash => ("BR02", ""),
            Fate::OfficerClash | Fate::Moved => ("BR02", "CT021"),
        };
        [
            id(i),
            format!("New{i}"),
            if i % 4 == 1 {
                "Jo".into()
            } else {
                String::new()
            },
            "Seed".into(),
            if i % 2 == 0 {
                format!("+35192000{i:04}")
            } else {
                String::new()
            },
            if i % 3 == 1 {
                "upsert note".into()
            } else {
                String::new()
            },
            match (fate(i), i % 4) {
                (Fate::StateClash, _) => "REJECTED".into(),
                (_, 1) => "INACTIVE".into(),
                _ => String::new(),
            },
            branch.into(),
            centre.into(),
            "Braga".into(),
            format!("PT{i:07}"),
            "AIMA".into(),
            tax_id(i),
            if i % 2 == 1 {
                "Pilot".into()
            } else {
                String::new()
            },
            if fate(i) == Fate::LanguageClash {
                "ENGLISH".into()
            } else {
                String::new()
            },
        ]
        .join(",")
    }

    fn new_row(j: usize) -> String {
        format!(
            "{},Fresh{j},,New,,,,BR03,,Lisboa,NW{j:07},AIMA,900-00-{j:04},Nurse,",
            new_id(j)
        )
    }

    /// Client `i` as the upsert must leave it: `before` with the mapped
    /// changes and nothing else (`after` only lends the approval date the
    /// state change stamps).
    fn expected(i: usize, before: &Value, after: &Value) -> Value {
        let mut e = before.clone();
        let c = &mut e["client"];
        c["firstName"] = json!(format!("New{i}"));
        if i % 4 == 1 {
            c["middleName"] = json!("Jo");
            c["state"] = json!("INACTIVE");
            assert!(after["client"]["approvedDate"].is_string(), "{after}");
            c["approvedDate"] = after["client"]["approvedDate"].clone();
        }
        if i % 2 == 0 {
            c["mobilePhone1"] = json!(format!("+35192000{i:04}"));
        }
        match i % 3 {
            1 => c["notes"] = json!("upsert note"),
            _ => {
                c.as_object_mut().unwrap().remove("notes");
            }
        }
        if fate(i) == Fate::Moved {
            c["assignedBranchKey"] = json!(BR02);
            c["assignedCentreKey"] = json!(CT021);
        }
        e["addresses"][0]["city"] = json!("Braga");
        e["idDocuments"][0]["issuingAuthority"] = json!("AIMA");
        if i % 2 == 1 {
            let values = e["customInformation"].as_array_mut().unwrap();
            let occupation = values
                .iter_mut()
                .find(|v| v["customFieldID"] == "Occupation")
                .unwrap();
            occupation["value"] = json!("Pilot");
        }
        e
    }

    fn without_last_modified(v: &Value) -> Value {
        let mut v = v.clone();
        v["client"]
            .as_object_mut()
            .unwrap()
            .remove("lastModifiedDate");
        v
    }

    /// A full-details answer as text, its lastModifiedDate blanked.
    fn text_without_last_modified(text: &str) -> String {
        let at = text
            .find("\"lastModifiedDate\":\"")
            .expect("a lastModifiedDate");
        let start = at + "\"lastModifiedDate\":\"".len();
        let end = start + text[start..].find('"').unwrap();
        format!("{}{}", &text[..start], &text[end..])
    }

    fn full_text(sb: &SandboxProcess, id: &str) -> String {
        let (status, text) = sb.get_text(&format!("/api/clients/{id}?fullDetails=true"));
        assert_eq!(status, 200, "{id}: {text}");
        text
    }

    fn tenant_arg() -> String {
        repo_path("samples/tenant.json").display().to_string()
    }

    /// Runs ferry with `args` and SIGKILLs it after `ms` milliseconds.
    fn kill_after(w: &Work, args: &[String], pace: &[&str], key: &str, ms: u64) {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_ferry"))
            .args(args)
            .args(pace)
            .args(["--ledger", &w.ledger(), "--report-dir"])
            .arg(w.path("r"))
            .env("MAMBU_API_KEY", key)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(ms));
        child.kill().unwrap();
        child.wait().unwrap();
    }

    /// Client id → "code name message" of every REJECTED row in the ledger.
    fn rejections(w: &Work) -> BTreeMap<String, String> {
        let db = rusqlite::Connection::open(w.ledger()).unwrap();
        let mut q = db
            .prepare("SELECT client_id, error_code, error_name, error_message FROM rows WHERE status = 0")
            .unwrap();
        let rows = q
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    format!(
                        "{} {} {}",
                        r.get::<_, i64>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?
                    ),
                ))
            })
            .unwrap();
        rows.map(Result::unwrap).collect()
    }

    /// How the import and the revert meet the target.
    pub struct Conditions {
        /// Extra sandbox flags while the import and the revert run.
        pub sandbox: Vec<&'static str>,
        /// Extra flags for import, resume and revert.
        pub pace: Vec<&'static str>,
        /// SIGKILL the import (then its resumes) this many times.
        pub import_kills: usize,
        /// SIGKILL the revert this many times before letting it finish.
        pub kills: usize,
    }

    /// The whole round trip; panics on the first difference.
    pub fn run(cond: Conditions) {
        let w = Work::new();
        let state = w.path("sandbox.db").display().to_string();
        let file = w.path("upsert.csv");
        let mut csv = vec![HEADER.to_string()];
        csv.extend((0..EXISTING).map(row));
        csv.extend((0..NEW).map(new_row));
        fs::write(&file, csv.join("\n") + "\n").unwrap();
        let mapping = w.path("upsert.toml");
        fs::write(&mapping, MAPPING).unwrap();

        // The tenant as the migration finds it: seeded, read back in full.
        let mut before_text = BTreeMap::new();
        {
            let sb = SandboxProcess::start(&["--state", &state, "--tenant", &tenant_arg()]);
            for i in 0..EXISTING {
                assert_eq!(sb.send("POST", "/api/clients", &seed(i)), 201, "seed {i}");
            }
            for i in 0..EXISTING {
                before_text.insert(i, full_text(&sb, &id(i)));
            }
        }
        let before: BTreeMap<usize, Value> = before_text
            .iter()
            .map(|(i, t)| (*i, serde_json::from_str(t).unwrap()))
            .collect();

        let mut flags = vec!["--state", state.as_str()];
        flags.extend(cond.sandbox.iter().copied());
        let sb = SandboxProcess::start(&flags);
        let import: Vec<String> = vec![
            "import".into(),
            file.display().to_string(),
            "--mapping".into(),
            mapping.display().to_string(),
            "--tenant".into(),
            tenant_arg(),
            "--mode".into(),
            "upsert".into(),
            "--target".into(),
            sb.url.clone(),
        ];
        let (mut ran, key) = if cond.import_kills == 0 {
            let ran = Ferry::new()
                .args(&import)
                .args(&cond.pace)
                .args(["--ledger", &w.ledger(), "--report-dir"])
                .arg(w.path("r"))
                .env("MAMBU_API_KEY", &sb.key)
                .run();
            assert_eq!(ran.code(), 1, "rows were rejected: {}", ran.stderr());
            let key = event_key(&ran.stdout());
            (ran, key)
        } else {
            // SIGKILL the import, then each resume, part way through.
            let mut key: Option<String> = None;
            for k in 0..cond.import_kills {
                let args = match &key {
                    None => import.clone(),
                    Some(key) => vec!["resume".to_string(), key.clone()],
                };
                kill_after(&w, &args, &cond.pace, &sb.key, 300 + 150 * k as u64);
                let listed = w.ferry(&["events"]).run().status(0).stdout();
                let first = listed.lines().nth(1).expect("the import opened an event");
                key = Some(first.split_whitespace().next().unwrap().to_string());
                let shown = w
                    .ferry(&["events", "show", key.as_deref().unwrap()])
                    .run()
                    .status(0)
                    .stdout();
                let doc: Value = serde_json::from_str(&shown).unwrap();
                let settled = doc["rows"]["UPDATED"].as_u64().unwrap_or(0)
                    + doc["rows"]["CREATED"].as_u64().unwrap_or(0);
                assert!(
                    settled < (EXISTING + NEW) as u64 - 16,
                    "kill {k} landed before the import finished: {doc}"
                );
            }
            let key = key.unwrap();
            let ran = w
                .ferry(&["resume", &key])
                .args(&cond.pace)
                .env("MAMBU_API_KEY", &sb.key)
                .arg("--report-dir")
                .arg(w.path("r"))
                .run();
            (ran, key)
        };
        for _ in 0..8 {
            if !ran.stdout().contains("ferry resume") {
                break;
            }
            ran = w
                .ferry(&["resume", &key])
                .args(&cond.pace)
                .env("MAMBU_API_KEY", &sb.key)
                .arg("--report-dir")
                .arg(w.path("r"))
                .run();
        }
        assert!(!ran.stdout().contains("ferry resume"), "{}", ran.stdout());
        let doc: Value =
            serde_json::from_str(&w.ferry(&["events", "show", &key]).run().status(0).stdout())
                .unwrap();
        let rejected_n = (0..EXISTING).filter(|i| rejected(*i)).count() as u64;
        assert_eq!(
            doc["rows"]["UPDATED"],
            EXISTING as u64 - rejected_n,
            "{doc}"
        );
        assert_eq!(doc["rows"]["CREATED"], NEW as u64, "{doc}");
        assert_eq!(doc["rows"]["REJECTED"], rejected_n, "{doc}");

        // Only what the mapping covers changed; every key survived; the
        // inconsistent rows never reached the target.
        let export = sb.export_patiently();
        let stored: BTreeMap<String, Value> = export["clients"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c["client"]["id"].as_str().unwrap().to_string(), c.clone()))
            .collect();
        let reasons = rejections(&w);
        let mut kept_unmapped = 0;
        for i in 0..EXISTING {
            let after = &stored[&id(i)];
            if rejected(i) {
                assert_eq!(
                    after,
                    &before[&i],
                    "{}: a rejected row changed nothing",
                    id(i)
                );
                let line = reasons
                    .get(&id(i))
                    .unwrap_or_else(|| panic!("{} is rejected in the ledger: {reasons:?}", id(i)));
                let named = match fate(i) {
                    Fate::CentreClash => ["'CT011'", "'BR02'", "INCONSISTENT_CENTRE_WITH_BRANCH"],
                    Fate::OfficerClash => [
                        "'m.schulz'",
                        "'BR02'",
                        "INCONSISTENT_CREDIT_OFFICER_WITH_BRANCH",
                    ],
                    Fate::StateClash => [
                        "state REJECTED",
                        "is PENDING_APPROVAL",
                        "FERRY_NOT_REVERTIBLE",
                    ],
                    _ => [
                        "preferredLanguage ENGLISH",
                        "has none",
                        "FERRY_NOT_REVERTIBLE",
                    ],
                };
                for n in named {
                    assert!(line.contains(n), "{n} in {line}");
                }
                continue;
            }
            assert_eq!(
                without_last_modified(after),
                without_last_modified(&expected(i, &before[&i], after)),
                "{}: the upsert changed what the mapping covers and nothing else",
                id(i)
            );
            kept_unmapped += 1;
        }
        for j in 0..NEW {
            assert!(stored.contains_key(&new_id(j)), "{} was created", new_id(j));
        }
        assert_eq!(stored.len(), EXISTING + NEW, "no client besides the file's");

        // Revert, killed with SIGKILL as often as asked, then to the end.
        for k in 0..cond.kills {
            let revert = vec!["revert".to_string(), key.clone()];
            kill_after(&w, &revert, &cond.pace, &sb.key, 250 + 150 * k as u64);
            if k == 0 {
                let shown = w.ferry(&["events", "show", &key]).run().status(0).stdout();
                let doc: Value = serde_json::from_str(&shown).unwrap();
                assert_eq!(
                    doc["migrationEvent"]["state"], "DRAFT",
                    "the first kill landed before the revert finished"
                );
            }
        }
        let mut reverted = false;
        for _ in 0..8 {
            let r = w
                .ferry(&["revert", &key])
                .args(&cond.pace)
                .env("MAMBU_API_KEY", &sb.key)
                .run();
            if r.code() == 0 && r.stdout().contains("REVERTED") {
                reverted = true;
                break;
            }
            assert!(
                r.stdout().contains("stays DRAFT"),
                "{}\n{}",
                r.stdout(),
                r.stderr()
            );
            assert!(r.stdout().contains(" 0 kept"), "{}", r.stdout());
        }
        assert!(reverted, "the revert finished");
        drop(sb);

        // Every updated client is back byte for byte, lastModifiedDate aside;
        // the created ones are gone.
        let sb = SandboxProcess::start(&["--state", &state]);
        for i in 0..EXISTING {
            let now = full_text(&sb, &id(i));
            assert_eq!(
                text_without_last_modified(&now),
                text_without_last_modified(&before_text[&i]),
                "{} is back as it was",
                id(i)
            );
        }
        for j in 0..NEW {
            let (status, _) = sb.get_text(&format!("/api/clients/{}", new_id(j)));
            assert_eq!(status, 404, "{} was deleted", new_id(j));
        }
        assert_eq!(exported_ids(&sb.export()).len(), EXISTING);
        eprintln!(
            "upserted {} clients ({} kept every unmapped value and key), created {NEW}, rejected {rejected_n}; restored byte-equal {EXISTING} of {EXISTING}",
            EXISTING as u64 - rejected_n,
            kept_unmapped
        );
    }
}

#[test]
fn upsert_changes_only_mapped_data_and_revert_gives_every_client_back_exactly() {
    upsert_round_trip::run(upsert_round_trip::Conditions {
        sandbox: vec![],
        pace: vec![],
        import_kills: 0,
        kills: 0,
    });
}

#[test]
fn upsert_round_trip_holds_under_faults_and_throttling() {
    upsert_round_trip::run(upsert_round_trip::Conditions {
        sandbox: vec![
            "--faults",
            "error=0.06,hang=0.02,drop=0.04,lost_response=0.06",
            "--seed",
            "11",
            "--rate-limit",
            "150",
        ],
        pace: vec!["--timeout", "1", "--concurrency", "8"],
        import_kills: 0,
        kills: 0,
    });
}

#[test]
fn upsert_round_trip_holds_when_import_and_revert_are_killed_and_run_again() {
    upsert_round_trip::run(upsert_round_trip::Conditions {
        sandbox: vec!["--rate-limit", "100"],
        pace: vec!["--rate", "60", "--concurrency", "4"],
        import_kills: 2,
        kills: 3,
    });
}

#[test]
fn only_import_creates_a_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let verbs: [&[&str]; 5] = [
        &["events"],
        &["events", "show", "ABC"],
        &["approve", "ABC"],
        &["revert", "ABC"],
        &["resume", "ABC"],
    ];
    let message = "no ledger at typo/x.db; check --ledger (only `ferry import` creates a ledger)";
    for verb in verbs {
        let ran = Ferry::new()
            .args(verb)
            .args(["--ledger", "typo/x.db"])
            .env("MAMBU_API_KEY", "k")
            .current_dir(dir.path())
            .run()
            .status(2)
            .stderr_has(message);
        assert_eq!(ran.stdout(), "", "{verb:?}");
        let left: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert!(left.is_empty(), "{verb:?} created {left:?}");
    }
    // The directory there, the file not: still nothing made.
    fs::create_dir(dir.path().join("typo")).unwrap();
    for verb in verbs {
        Ferry::new()
            .args(verb)
            .args(["--ledger", "typo/x.db"])
            .current_dir(dir.path())
            .run()
            .status(2)
            .stderr_has(message);
        let left: Vec<_> = fs::read_dir(dir.path().join("typo")).unwrap().collect();
        assert!(left.is_empty(), "{verb:?} created {left:?}");
    }
}

fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(p)
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        .permissions()
        .mode()
        & 0o777
}

fn chmod(p: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(p, fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn ledger_sandbox_state_and_reports_end_owner_only_even_if_they_were_not() {
    let w = Work::new();
    chmod(&w.root, 0o755);
    // Left by an earlier run, or made by hand, with the umask's 0644.
    for name in ["ledger.db", "ledger.db-wal", "ledger.db-shm", "sandbox.db"] {
        fs::write(w.path(name), b"").unwrap();
        chmod(&w.path(name), 0o644);
    }
    fs::create_dir(w.path("reports")).unwrap();
    chmod(&w.path("reports"), 0o755);
    fs::write(w.path("reports/report.json"), b"stale").unwrap();
    fs::write(w.path("reports/success.csv"), b"stale").unwrap();
    for f in ["reports/report.json", "reports/success.csv"] {
        chmod(&w.path(f), 0o644);
    }
    let state = w.path("sandbox.db");
    import_samples_into(
        &w,
        &["--sandbox", "--sandbox-state", &state.display().to_string()],
    )
    .run()
    .status(1)
    .stdout_has("clients created");
    for name in [
        "ledger.db",
        "ledger.db-wal",
        "ledger.db-shm",
        "sandbox.db",
        "sandbox.db-wal",
        "sandbox.db-shm",
    ] {
        let p = w.path(name);
        if name.ends_with("db") || p.exists() {
            assert_eq!(mode(&p), 0o600, "{name}");
        }
    }
    assert_eq!(mode(&w.path("reports")), 0o700);
    let mut files = 0;
    for entry in fs::read_dir(w.path("reports")).unwrap() {
        let p = entry.unwrap().path();
        assert_eq!(mode(&p), 0o600, "{}", p.display());
        files += 1;
    }
    assert!(
        files >= 5,
        "report, rejects, html, success, failures (payloads only with --payloads)"
    );
    assert_eq!(
        mode(&w.root),
        0o755,
        "the directory the user chose is theirs"
    );

    // A ledger in a directory Ferry makes: 0700.
    Ferry::new()
        .arg("import")
        .arg(repo_path("samples/clients.csv"))
        .arg("--mapping")
        .arg(repo_path("mappings/clients.toml"))
        .arg("--tenant")
        .arg(repo_path("samples/tenant.json"))
        .args(["--sandbox", "--sandbox-state"])
        .arg(w.path("other.db"))
        .arg("--ledger")
        .arg(w.path("new/dir/l.db"))
        .arg("--report-dir")
        .arg(w.path("reports2"))
        .run()
        .status(1);
    assert_eq!(mode(&w.path("new")), 0o700);
    assert_eq!(mode(&w.path("new/dir")), 0o700);
    assert_eq!(mode(&w.path("new/dir/l.db")), 0o600);
}

#[test]
fn a_credentials_file_others_can_read_is_refused_with_the_fix() {
    let w = Work::new();
    let creds = w.path("creds");
    fs::write(&creds, "apikey = s3cret-do-not-print\n").unwrap();
    chmod(&creds, 0o644);
    let ran = import_samples_into(&w, &["--target", "http://127.0.0.1:9", "--timeout", "2"])
        .arg("--credentials-file")
        .arg(&creds)
        .run()
        .status(2)
        .stderr_has(&format!(
            "credentials file {} has mode 0644: group or others can read or change it; \
             run `chmod 600 {}`",
            creds.display(),
            creds.display()
        ));
    assert!(!ran.stderr().contains("s3cret"));
    assert!(!w.path("ledger.db").exists(), "nothing started");
    // Once tightened, the file is used: the import goes on to the target.
    chmod(&creds, 0o600);
    import_samples_into(&w, &["--target", "http://127.0.0.1:9", "--timeout", "2"])
        .arg("--credentials-file")
        .arg(&creds)
        .run()
        .status(3);
}

#[test]
fn every_wanted_state_is_applied_through_patch_or_warned_about() {
    let w = Work::new();
    let sb = SandboxProcess::samples(&[]);
    let dry = w.path("dry");
    import_dry_run(&dry);
    let wanted: BTreeMap<String, String> = fs::read_to_string(dry.join("payloads.ndjson"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .map(|v| {
            (
                v["client"]["id"].as_str().unwrap().to_string(),
                v["client"]["state"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let unreachable = wanted.values().filter(|s| *s == "ACTIVE").count();
    assert!(unreachable > 0, "the samples ask for ACTIVE");
    // The dry run warns on every valid row asking for a state the API
    // cannot set (and on such rejected rows too).
    let ids: Vec<String> = csv::Reader::from_path(repo_path("samples/clients.csv"))
        .unwrap()
        .records()
        .map(|r| r.unwrap()[0].trim().to_string())
        .collect();
    let report = read_json(&dry.join("report.json"));
    let groups: Vec<&serde_json::Value> = report["warnings"]["groups"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["name"] == "FERRY_STATE_NOT_SETTABLE")
        .collect();
    assert_eq!(groups.len(), 1, "one message: one group");
    let rows = groups[0]["rows"].as_array().unwrap();
    assert_eq!(groups[0]["count"].as_u64().unwrap(), rows.len() as u64);
    let warned: BTreeSet<String> = rows
        .iter()
        .map(|r| ids[r.as_u64().unwrap() as usize - 1].clone())
        .filter(|id| wanted.contains_key(id))
        .collect();
    let asked_active: BTreeSet<String> = wanted
        .iter()
        .filter(|(_, s)| *s == "ACTIVE")
        .map(|(id, _)| id.clone())
        .collect();
    assert_eq!(warned, asked_active);

    let ran = import_samples_into(&w, &["--target", &sb.url])
        .env("MAMBU_API_KEY", &sb.key)
        .run()
        .status(1);
    let key = event_key(&ran.stdout());
    let export = sb.export();
    let mut applied = 0;
    for c in export["clients"].as_array().unwrap() {
        let id = c["client"]["id"].as_str().unwrap();
        let now = c["client"]["state"].as_str().unwrap();
        match wanted[id].as_str() {
            "ACTIVE" | "" => assert_eq!(now, "PENDING_APPROVAL", "{id}"),
            state => {
                assert_eq!(now, state, "{id}");
                applied += 1;
            }
        }
    }
    assert!(applied > 0, "some rows ask for a state PATCH sets");
    assert_eq!(export["clients"].as_array().unwrap().len(), wanted.len());
    // The ledger says so on every created row left short of its state.
    let ledger = rusqlite::Connection::open(w.path("ledger.db")).unwrap();
    let noted: i64 = ledger
        .query_row(
            "SELECT count(*) FROM ledger_rows WHERE event = ?1 AND status = 'CREATED' \
             AND error_name = 'FERRY_STATE_NOT_SETTABLE'",
            [&key],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(noted as usize, unreachable);
}

#[test]
fn a_zero_rate_concurrency_or_timeout_is_refused_by_every_verb_that_sends() {
    let w = Work::new();
    for flag in ["--rate", "--concurrency", "--timeout"] {
        let imported = import_samples_into(&w, &["--sandbox", flag, "0"]).run();
        assert_eq!(imported.code(), 2, "import {flag} 0: {}", imported.stderr());
        assert!(imported.stderr().contains(flag), "{}", imported.stderr());
        for verb in ["resume", "revert"] {
            let ran = w.ferry(&[verb, "ABC", flag, "0"]).run();
            assert_eq!(ran.code(), 2, "{verb} {flag} 0");
            assert!(ran.stderr().contains(flag), "{verb}: {}", ran.stderr());
        }
    }
    assert!(!w.path("ledger.db").exists(), "nothing was started");
}
