//! The conventions every verb keeps: `--format json` documents on stdout,
//! one number format, `-q` and `-v`, errors that say the fix, named targets
//! from a project file, shell completions.

use std::fs;
use std::path::Path;

use crate::support::binary::{exported_ids, gen_wide, repo_path, Ferry, SandboxProcess};

fn json(stdout: &str) -> serde_json::Value {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

fn samples_import(dir: &Path) -> Ferry {
    Ferry::new()
        .current_dir(dir)
        .arg("import")
        .arg(repo_path("samples/clients.csv"))
        .arg("--mapping")
        .arg(repo_path("mappings/clients.toml"))
        .arg("--tenant")
        .arg(repo_path("samples/tenant.json"))
        .args(["--ledger", "l.db"])
}

/// The value at the end of the table line starting with `label`.
fn table_value(text: &str, label: &str) -> String {
    text.lines()
        .find(|l| l.trim_start().starts_with(label))
        .and_then(|l| l.split_whitespace().last())
        .unwrap_or_else(|| panic!("no line {label:?} in\n{text}"))
        .to_string()
}

#[test]
fn validate_json_is_one_document_that_agrees_with_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let ran = Ferry::new()
        .current_dir(dir.path())
        .arg("validate")
        .arg(repo_path("samples/clients.csv"))
        .arg("--mapping")
        .arg(repo_path("mappings/clients.toml"))
        .arg("--tenant")
        .arg(repo_path("samples/tenant.json"))
        .args(["--format", "json"])
        .run()
        .status(1);
    let doc = json(&ran.stdout());
    assert_eq!(doc["rows_read"], 600);
    assert_eq!(
        doc["rows_valid"].as_u64().unwrap() + doc["rows_rejected"].as_u64().unwrap(),
        600
    );
    let by_code: u64 = doc["errors_by_code"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert!(by_code >= doc["rows_rejected"].as_u64().unwrap());
    assert_eq!(doc["report_dir"], "reports");
    assert!(doc["files"].as_array().unwrap().len() >= 3, "{doc}");
    assert!(doc["warnings"].is_array(), "{doc}");
}

#[test]
fn import_revert_and_events_speak_json_and_text_alike() {
    let dir = tempfile::tempdir().unwrap();
    let ran = samples_import(dir.path())
        .args(["--sandbox", "--format", "json"])
        .run()
        .status(1);
    let doc = json(&ran.stdout());
    let key = doc["event"].as_str().unwrap().to_string();
    assert_eq!(doc["state"], "DRAFT");
    assert_eq!(doc["finished"], true);
    assert_eq!(doc["rows"]["in_file"], 600);
    assert_eq!(doc["rows"]["left"], 0);
    let created = doc["rows"]["created"].as_u64().unwrap();
    assert_eq!(created + doc["rows"]["rejected"].as_u64().unwrap(), 600);
    assert_eq!(doc["validation"]["rows_read"], 600);
    assert!(doc["next"].as_str().unwrap().contains("ferry approve"));

    let listed = Ferry::new()
        .current_dir(dir.path())
        .args(["events", "--format", "json", "--ledger", "l.db"])
        .run()
        .status(0);
    let list = json(&listed.stdout());
    let list = list.as_array().expect("an array");
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["event"], key.as_str());
    assert_eq!(list[0]["created"], created);
    assert_eq!(list[0]["complete"], true);

    let reverted = Ferry::new()
        .current_dir(dir.path())
        .args(["revert", &key, "--format", "json", "--ledger", "l.db"])
        .run()
        .status(0);
    let doc = json(&reverted.stdout());
    assert_eq!(doc["outcome"], "reverted");
    assert_eq!(doc["state"], "REVERTED");
    assert_eq!(doc["deleted"], created);
}

#[test]
fn counts_carry_thousands_separators_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("g.csv");
    gen_wide(&file, 1500, "0", 3);
    let ran = Ferry::new()
        .current_dir(dir.path())
        .arg("import")
        .arg(&file)
        .arg("--mapping")
        .arg(repo_path("mappings/clients-wide.toml"))
        .arg("--tenant")
        .arg(repo_path("samples/tenant.json"))
        .args(["--sandbox", "--ledger", "l.db"])
        .run();
    let text = ran.stdout();
    assert_eq!(table_value(&text, "rows read"), "1,500", "{text}");
    assert_eq!(table_value(&text, "rows in the file"), "1,500", "{text}");
    let created = table_value(&text, "clients created");
    assert!(created.contains(','), "{text}");
    let rate = table_value(&text, "requests per second");
    assert!(
        rate.chars().all(|c| c.is_ascii_digit() || c == ','),
        "a whole number: {rate}"
    );
    let listed = Ferry::new()
        .current_dir(dir.path())
        .args(["events", "--ledger", "l.db"])
        .run()
        .status(0)
        .stdout();
    let row = listed.lines().nth(1).unwrap();
    assert_eq!(
        row.split_whitespace().nth(4),
        Some(created.as_str()),
        "{listed}"
    );
}

#[test]
fn quiet_prints_one_line_and_verbose_raises_the_log_level() {
    let dir = tempfile::tempdir().unwrap();
    let ran = samples_import(dir.path())
        .args(["--sandbox", "-q"])
        .run()
        .status(1);
    assert_eq!(ran.stdout().lines().count(), 1, "{}", ran.stdout());
    assert!(ran.stdout().contains("525 created"), "{}", ran.stdout());
    assert_eq!(ran.stderr(), "");

    let validate = |flags: &[&str]| {
        Ferry::new()
            .current_dir(dir.path())
            .arg("validate")
            .arg(repo_path("samples/clients.csv"))
            .arg("--mapping")
            .arg(repo_path("mappings/clients.toml"))
            .arg("--tenant")
            .arg(repo_path("samples/tenant.json"))
            .args(flags)
            .run()
            .status(1)
    };
    let quiet = validate(&["-q"]);
    assert_eq!(quiet.stderr(), "", "no warnings under -q");
    assert!(
        quiet.stdout().starts_with("600 rows read:"),
        "{}",
        quiet.stdout()
    );
    assert!(!validate(&[]).stderr().contains("opening source"));
    validate(&["-vv"]).stderr_has("opening source");
    Ferry::new().args(["-q", "-v", "events"]).run().status(2);
    // Errors still show under -q.
    Ferry::new()
        .current_dir(dir.path())
        .args(["validate", "missing.csv", "--mapping"])
        .arg(repo_path("mappings/clients.toml"))
        .arg("-q")
        .run()
        .status(2)
        .stderr_has("ferry: error:");
    // gen: the summary's first line, without the planted-error table or the
    // command that reads the file.
    let gen = Ferry::new()
        .args(["-q", "gen", "--rows", "50", "--seed", "3", "--out"])
        .arg(dir.path().join("g.csv"))
        .run()
        .status(0);
    assert_eq!(gen.stdout().lines().count(), 1, "{}", gen.stdout());
    assert!(
        gen.stdout().starts_with("wrote 50 clients"),
        "{}",
        gen.stdout()
    );
    assert_eq!(gen.stderr(), "");
}

#[test]
fn errors_say_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    samples_import(dir.path())
        .run()
        .status(2)
        .stderr_has("--sandbox")
        .stderr_has("--target NAME");
    samples_import(dir.path())
        .args(["--target", "127.0.0.1:9"])
        .run()
        .status(2)
        .stderr_has("`127.0.0.1:9` has no scheme: write http://127.0.0.1:9");
    assert!(!dir.path().join("l.db").exists(), "nothing started");
}

#[test]
fn every_help_describes_every_flag() {
    let verbs: [&[&str]; 12] = [
        &[],
        &["validate"],
        &["import"],
        &["resume"],
        &["events"],
        &["events", "show"],
        &["approve"],
        &["revert"],
        &["tenant", "pull"],
        &["sandbox"],
        &["gen"],
        &["completions"],
    ];
    for verb in verbs {
        let help = Ferry::new()
            .args(verb)
            .arg("--help")
            .run()
            .status(0)
            .stdout();
        // An option line is followed by its description; a blank one is not.
        let lines: Vec<&str> = help.lines().collect();
        for (i, l) in lines.iter().enumerate() {
            let t = l.trim_start();
            let indent = l.len() - t.len();
            let is_item = (t.starts_with('-') || t.starts_with('<')) && (2..=6).contains(&indent);
            if !is_item || t.starts_with("-h, --help") || t.starts_with("-V") {
                continue;
            }
            // Short help puts the description on the same line, long help below.
            let inline = t
                .split_once("  ")
                .is_some_and(|(_, d)| !d.trim().is_empty());
            let next = lines.get(i + 1).map(|n| n.trim()).unwrap_or("");
            assert!(
                inline || !next.is_empty(),
                "{verb:?}: no description for {t:?}\n{help}"
            );
        }
    }
}

#[test]
fn completions_are_printed_for_each_shell() {
    for shell in ["bash", "zsh", "fish"] {
        let script = Ferry::new()
            .args(["completions", shell])
            .run()
            .status(0)
            .stdout();
        assert!(script.len() > 500, "{shell}: {script}");
        assert!(script.contains("ferry"), "{shell}");
        assert!(
            script.contains("validate") && script.contains("resume"),
            "{shell}"
        );
    }
    Ferry::new().args(["completions", "tcsh"]).run().status(2);
}

fn write_project(dir: &Path, text: &str) {
    fs::write(dir.join("ferry.toml"), text).unwrap();
}

#[test]
fn a_named_target_brings_its_url_rate_and_credentials() {
    let sb = SandboxProcess::samples(&[]);
    let dir = tempfile::tempdir().unwrap();
    write_project(
        dir.path(),
        &format!(
            "[targets.uat]\nurl = \"{}\"\nrate = 400\nconcurrency = 4\ncredentials_env = \"UATX\"\n",
            sb.url
        ),
    );
    let ran = samples_import(dir.path())
        .args(["--target", "uat", "--format", "json"])
        .env("UATX_API_KEY", &sb.key)
        .run()
        .status(1);
    let doc = json(&ran.stdout());
    assert_eq!(doc["rows"]["created"], 525);
    // The limiter starts empty: no more requests per second than the rate.
    let rps = doc["requests_per_second"].as_u64().unwrap();
    assert!(rps <= 402, "{rps} requests per second at rate 400");
    let ids = exported_ids(&sb.export_patiently());
    assert_eq!(ids.len(), 525);
    // The ledger names the URL, so the event's revert finds the same target
    // (and its credentials) again.
    let events = json(
        &Ferry::new()
            .current_dir(dir.path())
            .args(["events", "--format", "json", "--ledger", "l.db"])
            .run()
            .stdout(),
    );
    assert_eq!(events[0]["target"], sb.url.trim_end_matches('/'));
    let key = events[0]["event"].as_str().unwrap().to_string();
    Ferry::new()
        .current_dir(dir.path())
        .args(["revert", &key, "--ledger", "l.db", "-q"])
        .env("UATX_API_KEY", &sb.key)
        .run()
        .status(0)
        .stdout_has("REVERTED");
    assert!(exported_ids(&sb.export_patiently()).is_empty());
}

#[test]
fn unknown_names_and_credentials_in_the_project_file_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    write_project(
        dir.path(),
        "[targets.uat]\nurl = \"https://uat.example.mambu.com\"\n\n[targets.prod]\nurl = \"https://prod.example.mambu.com\"\n",
    );
    samples_import(dir.path())
        .args(["--target", "staging"])
        .run()
        .status(2)
        .stderr_has("no target named `staging`")
        .stderr_has("known: prod, uat");

    let other = tempfile::tempdir().unwrap();
    let project = other.path().join("p.toml");
    fs::write(
        &project,
        "[targets.uat]\nurl = \"https://uat.example.mambu.com\"\npassword = \"hunter2\"\n",
    )
    .unwrap();
    let ran = samples_import(dir.path())
        .args(["--target", "uat", "--project"])
        .arg(&project)
        .run()
        .status(2)
        .stderr_has("`targets.uat.password` holds a credential");
    assert!(!ran.stderr().contains("hunter2"));
    assert!(!dir.path().join("l.db").exists());
    // Through the environment too, and for tenant pull.
    Ferry::new()
        .current_dir(dir.path())
        .args(["tenant", "pull", "--target", "uat"])
        .env("FERRY_PROJECT", project.to_str().unwrap())
        .run()
        .status(2)
        .stderr_has("holds a credential");
}
