//! The tenant as the target really is: `ferry tenant pull` and
//! `--tenant-from-target` against a sandbox process over real HTTP, and the
//! guard against notifying migrated customers.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::support::binary::{read_json, repo_path, Ferry, SandboxProcess};
use ferry::tenant::TenantSchema;
use serde_json::Value;

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

/// `ferry validate` of the samples into `out`, with extra arguments.
fn validate_samples(out: &Path, extra: &[&str]) -> Ferry {
    Ferry::new()
        .arg("validate")
        .arg(repo_path("samples/clients.csv"))
        .arg("--mapping")
        .arg(repo_path("mappings/clients.toml"))
        .arg("--report-dir")
        .arg(out)
        .args(extra)
}

/// report.json without what names the run (files, times, fingerprint):
/// the totals and every finding, whole.
fn findings(report: &Path) -> Value {
    let mut v = read_json(report);
    let o = v.as_object_mut().unwrap();
    for k in [
        "input",
        "mapping",
        "tenant",
        "tenant_fingerprint",
        "generated_at",
        "elapsed_ms",
    ] {
        o.remove(k);
    }
    v
}

fn pull(sb: &SandboxProcess, out: &Path, extra: &[&str]) -> crate::support::binary::Ran {
    Ferry::new()
        .args(["tenant", "pull", "--target", &sb.url, "--out", &p(out)])
        .args(extra)
        .env("MAMBU_API_KEY", &sb.key)
        .run()
}

#[test]
fn a_tenant_pulled_from_the_sandbox_validates_the_samples_exactly_as_its_file() {
    let dir = tempfile::tempdir().unwrap();
    let sb = sandbox_with(&sample_tenant());
    let pulled = dir.path().join("pulled.json");
    pull(&sb, &pulled, &["--declared", &sample_tenant()])
        .status(0)
        .stdout_has("tenant written to")
        .stdout_has("note: notificationTemplates: not exposed by the API; 0 kept from");
    assert_eq!(
        std::fs::metadata(&pulled).unwrap().permissions().mode() & 0o777,
        0o600
    );

    // What the API exposes comes back whole.
    let schema = |path: &Path| -> TenantSchema { serde_json::from_value(read_json(path)).unwrap() };
    let file = schema(&repo_path("samples/tenant.json"));
    let got = schema(&pulled);
    assert_eq!(got.custom_field_sets, file.custom_field_sets);
    assert_eq!(got.id_document_templates, file.id_document_templates);
    assert_eq!(got.branches, file.branches);
    assert_eq!(got.centres, file.centres);
    assert_eq!(got.users, file.users);
    assert_eq!(got.client_roles, file.client_roles);
    assert_eq!(
        (got.branch_required, got.credit_officer_required),
        (file.branch_required, file.credit_officer_required)
    );
    assert_eq!(
        got.default_client_state.as_deref(),
        Some("PENDING_APPROVAL")
    );
    // Mambu's shape, a list and one action: round-trips through the API.
    assert_eq!(
        (
            &got.duplicate_client_checks,
            got.duplicate_client_constraint_action
        ),
        (
            &file.duplicate_client_checks,
            file.duplicate_client_constraint_action
        )
    );
    // Declared, since API v1 does not show it: kept from the file.
    assert_eq!(got.allow_other_id_documents, file.allow_other_id_documents);

    validate_samples(&dir.path().join("file"), &["--tenant", &sample_tenant()])
        .run()
        .status(1);
    validate_samples(&dir.path().join("pulled"), &["--tenant", &p(&pulled)])
        .run()
        .status(1);
    let from_file = findings(&dir.path().join("file/report.json"));
    assert_eq!(findings(&dir.path().join("pulled/report.json")), from_file);
    assert!(from_file["errors"].as_array().unwrap().len() > 50);

    // In one step: pulled into the report directory, fingerprinted in the report.
    let one = dir.path().join("one");
    validate_samples(
        &one,
        &[
            "--tenant-from-target",
            "--target",
            &sb.url,
            "--tenant",
            &sample_tenant(),
        ],
    )
    .env("MAMBU_API_KEY", &sb.key)
    .run()
    .status(1);
    assert_eq!(findings(&one.join("report.json")), from_file);
    let report = read_json(&one.join("report.json"));
    assert_eq!(report["tenant"], p(&one.join("tenant.json")));
    assert_eq!(
        report["tenant_fingerprint"],
        ferry::ledger::fingerprint_file(&one.join("tenant.json")).unwrap()
    );
    assert_eq!(
        read_json(&dir.path().join("file/report.json"))["tenant_fingerprint"],
        ferry::ledger::fingerprint_file(&repo_path("samples/tenant.json")).unwrap()
    );
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
    // Without a declared file the checks and their one action still come
    // back as the sandbox's tenant has them.
    assert_eq!(
        (
            &got["duplicateClientChecks"],
            &got["duplicateClientConstraintAction"]
        ),
        (
            &serde_json::json!(["EMAIL", "DOCUMENT_ID_AND_TYPE"]),
            &serde_json::json!("ERROR")
        )
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

/// `ferry import` of the samples against `sb`, ledger and reports in `dir`.
fn import_samples(dir: &Path, sb: &SandboxProcess, extra: &[&str]) -> crate::support::binary::Ran {
    Ferry::new()
        .arg("import")
        .arg(repo_path("samples/clients.csv"))
        .arg("--mapping")
        .arg(repo_path("mappings/clients.toml"))
        .args(["--target", &sb.url, "--rate", "500"])
        .arg("--ledger")
        .arg(dir.join("ledger.db"))
        .arg("--report-dir")
        .arg(dir.join("reports"))
        .args(extra)
        .env("MAMBU_API_KEY", &sb.key)
        .run()
}

#[test]
fn an_import_that_would_notify_customers_is_refused_until_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let dry = dir.path().join("dry");
    let ran = validate_samples(&dry, &["--tenant", &notifying_tenant()])
        .run()
        .status(1);
    let expected = read_json(&dry.join("report.json"))["notifications"].clone();
    let (clients, email, sms) = (
        expected["clients"].as_u64().unwrap(),
        expected["email"].as_u64().unwrap(),
        expected["sms"].as_u64().unwrap(),
    );
    assert!(clients > 100 && email > 100 && sms > 10, "{expected}");
    ran.stdout_has(&format!(
        "templates would notify {clients} clients ({email} e-mails, {sms} text messages)"
    ));
    // The sample tenant has no such templates: nothing to say.
    let plain = dir.path().join("plain");
    validate_samples(&plain, &["--tenant", &sample_tenant()])
        .run()
        .status(1);
    assert_eq!(
        read_json(&plain.join("report.json")).get("notifications"),
        None
    );

    let sb = sandbox_with(&notifying_tenant());
    import_samples(dir.path(), &sb, &["--tenant", &notifying_tenant()])
        .status(2)
        .stderr_has(&format!(
            "the target would notify {clients} migrated clients as they are created: {email} \
             e-mails and {sms} text messages from its client-creation templates WELCOME_EMAIL \
             (EMAIL), WELCOME_SMS (SMS). Nothing was sent."
        ))
        .stderr_has("--allow-notifications");
    assert_eq!(sb.export()["clients"], serde_json::json!([]));
    assert!(
        !dir.path().join("ledger.db").exists(),
        "no migration event is opened"
    );
    // Pulled from the target, with the templates declared: refused the same way.
    import_samples(
        dir.path(),
        &sb,
        &["--tenant-from-target", "--tenant", &notifying_tenant()],
    )
    .status(2)
    .stderr_has(&format!("would notify {clients} migrated clients"));
    assert_eq!(sb.export()["clients"], serde_json::json!([]));

    import_samples(
        dir.path(),
        &sb,
        &["--tenant", &notifying_tenant(), "--allow-notifications"],
    )
    .status(1)
    .stdout_has("clients created");
    assert_eq!(sb.get("/api/sandbox/notifications")["sent"], expected);
    assert_eq!(
        read_json(&dir.path().join("reports/report.json"))["notifications"],
        expected
    );
}

#[test]
fn an_import_with_the_tenant_from_the_embedded_sandbox_records_its_fingerprint() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = dir.path().join("ledger.db");
    let ran = Ferry::new()
        .arg("import")
        .arg(repo_path("samples/clients.csv"))
        .arg("--mapping")
        .arg(repo_path("mappings/clients.toml"))
        .args([
            "--tenant",
            &sample_tenant(),
            "--tenant-from-target",
            "--sandbox",
        ])
        .arg("--sandbox-state")
        .arg(dir.path().join("sandbox.db"))
        .arg("--ledger")
        .arg(&ledger)
        .arg("--report-dir")
        .arg(dir.path().join("reports"))
        .run()
        .status(1)
        .stdout_has("clients created");
    let report = read_json(&dir.path().join("reports/report.json"));
    let used = std::path::PathBuf::from(report["tenant"].as_str().unwrap());
    let print = ferry::ledger::fingerprint_file(&used).unwrap();
    assert_eq!(report["tenant_fingerprint"], print);
    assert_eq!(used, dir.path().join(format!("ferry-tenants/{print}.json")));
    assert_eq!(
        std::fs::metadata(&used).unwrap().permissions().mode() & 0o777,
        0o600
    );
    // The same rows were rejected as with the file itself.
    let file = dir.path().join("file");
    validate_samples(&file, &["--tenant", &sample_tenant()])
        .run()
        .status(1);
    assert_eq!(
        report["errors"],
        read_json(&file.join("report.json"))["errors"]
    );
    // The event names the pulled file, so resume and revert find it again.
    let key = ran
        .stdout()
        .lines()
        .find_map(|l| l.strip_prefix("migration event "))
        .and_then(|l| l.split(' ').next())
        .unwrap()
        .to_string();
    let shown = Ferry::new()
        .args(["events", "show", &key])
        .arg("--ledger")
        .arg(&ledger)
        .run()
        .status(0);
    let event: serde_json::Value = serde_json::from_str(&shown.stdout()).unwrap();
    assert_eq!(
        event["tenant"],
        serde_json::json!({"file": used, "fingerprint": print}),
        "the ledger records the pulled tenant and its fingerprint"
    );
    Ferry::new()
        .args(["revert", &key])
        .arg("--ledger")
        .arg(&ledger)
        .arg("--report-dir")
        .arg(dir.path().join("reports"))
        .run()
        .status(0);
}
