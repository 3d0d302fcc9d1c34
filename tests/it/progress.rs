//! Progress and what a run says when it is stopped: a Ctrl-C (SIGINT) in
//! the middle of an import against a throttled sandbox, the summary's
//! numbers adding up to the file, and `ferry resume` finishing the job
//! exactly once; nothing drawn on a non-terminal.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::support::binary::{exported_ids, gen_wide, repo_path, Ferry, SandboxProcess};

const ROWS: u64 = 2000;

fn json_of(stdout: &[u8]) -> serde_json::Value {
    serde_json::from_slice(stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(stdout)))
}

fn n(v: &serde_json::Value, key: &str) -> u64 {
    v[key]
        .as_u64()
        .unwrap_or_else(|| panic!("{key} missing in {v}"))
}

/// The rows of a summary add up: every row of the file is recorded or not
/// yet, every recorded row has one status, and what is left is what is
/// not settled.
#[track_caller]
fn assert_accounted(rows: &serde_json::Value) {
    assert_eq!(n(rows, "in_file"), ROWS, "{rows}");
    assert_eq!(
        n(rows, "recorded") + n(rows, "not_recorded"),
        ROWS,
        "{rows}"
    );
    let by_status: u64 = [
        "rejected",
        "created",
        "updated",
        "failed",
        "sent_unanswered",
        "pending",
        "other",
    ]
    .iter()
    .map(|k| n(rows, k))
    .sum();
    assert_eq!(by_status, n(rows, "recorded"), "{rows}");
    assert_eq!(
        n(rows, "left"),
        n(rows, "not_recorded") + n(rows, "pending") + n(rows, "sent_unanswered"),
        "{rows}"
    );
}

fn created_so_far(ledger: &Path) -> u64 {
    let out = Ferry::new()
        .args(["events", "--format", "json", "--ledger"])
        .arg(ledger)
        .run();
    if out.code() != 0 {
        return 0;
    }
    let list: serde_json::Value = serde_json::from_str(&out.stdout()).unwrap_or_default();
    list.get(0).and_then(|e| e["created"].as_u64()).unwrap_or(0)
}

#[test]
fn ctrl_c_summary_accounts_for_every_row_and_resume_finishes_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("big.csv");
    let ledger = dir.path().join("l.db");
    let reports = dir.path().join("r");
    gen_wide(&file, ROWS, "0.05", 17);
    let sb = SandboxProcess::samples(&[]);

    let child = Command::new(env!("CARGO_BIN_EXE_ferry"))
        .arg("import")
        .arg(&file)
        .arg("--mapping")
        .arg(repo_path("mappings/clients-wide.toml"))
        .arg("--tenant")
        .arg(repo_path("samples/tenant.json"))
        .args(["--target", &sb.url, "--rate", "300", "--format", "json"])
        .arg("--ledger")
        .arg(&ledger)
        .arg("--report-dir")
        .arg(&reports)
        .env("MAMBU_API_KEY", &sb.key)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until sending is under way (about 1,800 valid rows at 300/s take
    // six seconds), then Ctrl-C.
    let mut waited = 0;
    while created_so_far(&ledger) < 30 {
        std::thread::sleep(Duration::from_millis(50));
        waited += 1;
        assert!(waited < 1200, "the import never got going");
    }
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stopped = json_of(&out.stdout);
    assert_eq!(stopped["interrupted"], true, "{stopped}");
    assert_eq!(stopped["finished"], false, "{stopped}");
    let rows = &stopped["rows"];
    assert_accounted(rows);
    assert!(
        n(rows, "not_recorded") > 0,
        "stopped before the whole file was taken up: {rows}"
    );
    assert!(n(rows, "left") > n(rows, "pending"), "{rows}");
    assert_eq!(n(&stopped["validation"], "rows_read"), ROWS);
    // The sandbox holds what the summary says was created (and at most the
    // rows whose answer was not recorded besides).
    let at_stop = exported_ids(&sb.export_patiently()).len() as u64;
    assert!(
        at_stop >= n(rows, "created") && at_stop <= n(rows, "created") + n(rows, "sent_unanswered"),
        "{at_stop} clients at the target; {rows}"
    );

    // The summary's own command carries on.
    let next = stopped["next"].as_str().unwrap().to_string();
    let words: Vec<&str> = next.split_whitespace().collect();
    assert_eq!(&words[..2], ["ferry", "resume"], "{next}");
    assert!(
        next.contains("--ledger") && next.contains("--rate 300"),
        "{next}"
    );
    let resumed = Ferry::new()
        .args(&words[1..])
        .args(["--format", "json"])
        .env("MAMBU_API_KEY", &sb.key)
        .run()
        .status(1);
    let done = json_of(resumed.out.stdout.as_slice());
    assert_eq!(done["finished"], true, "{done}");
    assert_eq!(done["interrupted"], false, "{done}");
    let rows = &done["rows"];
    assert_accounted(rows);
    assert_eq!(n(rows, "left"), 0, "{rows}");
    assert_eq!(n(rows, "not_recorded"), 0, "{rows}");
    assert_eq!(
        n(rows, "created") + n(rows, "rejected") + n(rows, "failed"),
        ROWS,
        "{rows}"
    );
    // Exactly once: every created client once at the target, no more.
    let ids = exported_ids(&sb.export_patiently());
    assert!(ids.values().all(|&c| c == 1), "a client sent twice");
    assert_eq!(ids.len() as u64, n(rows, "created"));
}

#[test]
fn no_progress_is_drawn_when_stderr_is_not_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let ran = Ferry::new()
        .arg("import")
        .arg(repo_path("samples/clients.csv"))
        .arg("--mapping")
        .arg(repo_path("mappings/clients.toml"))
        .arg("--tenant")
        .arg(repo_path("samples/tenant.json"))
        .args(["--sandbox", "--ledger", "l.db"])
        .current_dir(dir.path())
        .run()
        .status(1);
    let err = ran.stderr();
    for drawn in ["rows/s", "sending", "checking", "\r", "\u{1b}["] {
        assert!(!err.contains(drawn), "{drawn:?} on stderr:\n{err}");
    }
}
