//! The tenant as the target really is: `ferry tenant pull` and
//! `--tenant-from-target` against a sandbox process over real HTTP, and the
//! guard against notifying migrated customers.

mod common;

use std::path::Path;

use common::{read_json, repo_path, Ferry, SandboxProcess};

fn p(path: &Path) -> String {
    path.display().to_string()
}

fn sample_tenant() -> String {
    p(&repo_path("samples/tenant.json"))
}

fn notifying_tenant() -> String {
    p(&repo_path("tests/fixtures/tenant-notifying.json"))
}

fn sandbox_with(tenant: &str) -> SandboxProcess {
    SandboxProcess::start(&["--memory", "--tenant", tenant])
}

fn pull(sb: &SandboxProcess, out: &Path, extra: &[&str]) -> common::Ran {
    Ferry::new()
        .args(["tenant", "pull", "--target", &sb.url, "--out", &p(out)])
        .args(extra)
        .env("MAMBU_API_KEY", &sb.key)
        .run()
}

#[test]
fn without_a_declared_file_the_pull_says_what_it_could_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let sb = sandbox_with(&notifying_tenant());
    let pulled = dir.path().join("t.json");
    let ran = pull(&sb, &pulled, &[]).status(0);
    let notes = [
        format!(
            "Read through Mambu's API v1 at {}: GET /api/customfieldsets?type=CLIENT_INFO, \
             /api/branches, /api/centres, /api/users, /api/clienttypes?for=CLIENTS, \
             /api/settings/iddocumenttemplates, /api/settings/general.",
            sb.url
        ),
        "allowOtherIdDocuments: not exposed by the API; Mambu's default (true) assumed — set it \
         here if the tenant refuses documents outside its templates."
            .to_string(),
        "notificationTemplates: not exposed by the API; none declared. Declare the tenant's active \
         client-creation e-mail and SMS templates here: otherwise Ferry cannot tell that an \
         import would notify every migrated client."
            .to_string(),
    ];
    for note in &notes {
        assert!(ran.stdout().contains(&format!("note: {note}\n")), "{note}");
    }
    assert_eq!(read_json(&pulled)["notes"], serde_json::json!(notes));
    let got = read_json(&pulled);
    // Not in the API: Mambu's defaults, and the file says so.
    assert_eq!(got["allowOtherIdDocuments"], true);
    assert_eq!(got.get("notificationTemplates"), None);
    // Mambu has one action for all checks: the strictest is what shows.
    assert_eq!(
        got["duplicateChecks"],
        serde_json::json!([
            {"field": "EMAIL", "action": "ERROR"},
            {"field": "FIRST_NAME_AND_LAST_NAME", "action": "ERROR"},
            {"field": "DOCUMENT_ID_AND_TYPE", "action": "ERROR"}
        ])
    );
}

#[test]
fn pull_needs_credentials_and_a_reachable_target() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("t.json");
    Ferry::new()
        .args(["tenant", "pull", "--target", "http://127.0.0.1:9"])
        .args(["--out", &p(&out)])
        .run()
        .status(2)
        .stderr_has("no credentials");
    Ferry::new()
        .args(["tenant", "pull", "--target", "http://127.0.0.1:9"])
        .args(["--out", &p(&out), "--timeout", "1"])
        .env("MAMBU_API_KEY", "k")
        .run()
        .status(3);
    let sb = sandbox_with(&sample_tenant());
    Ferry::new()
        .args(["tenant", "pull", "--target", &sb.url, "--out", &p(&out)])
        .env("MAMBU_API_KEY", "wrong")
        .run()
        .status(3);
    assert!(!out.exists());
}
