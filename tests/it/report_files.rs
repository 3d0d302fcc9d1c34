//! The report's files through the binary: `report.json` against its schema
//! (`docs/report.schema.json`), `payloads.ndjson` only with `--payloads`,
//! warnings grouped where they repeat, and a page that says which pass it
//! is of.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use crate::support::binary::{read_json, repo_path, Ferry, SandboxProcess};

fn schema() -> Value {
    read_json(&repo_path("docs/report.schema.json"))
}

/// Every way `report` breaks the schema, as `path: message` lines.
fn schema_errors(report: &Value) -> Vec<String> {
    let schema = schema();
    let validator = jsonschema::draft202012::new(&schema).expect("the schema compiles");
    validator
        .iter_errors(report)
        .map(|e| format!("{}: {e}", e.instance_path))
        .collect()
}

fn assert_matches_schema(report: &Value) {
    let errors = schema_errors(report);
    assert!(
        errors.is_empty(),
        "report.json breaks its schema:\n{}",
        errors.join("\n")
    );
}

fn validate_samples(out: &Path) -> Ferry {
    Ferry::new()
        .arg("validate")
        .arg(repo_path("samples/clients.csv"))
        .args(["--mapping"])
        .arg(repo_path("mappings/clients.toml"))
        .arg("--tenant")
        .arg(repo_path("samples/tenant.json"))
        .arg("--report-dir")
        .arg(out)
}

fn names(dir: &Path) -> Vec<String> {
    let mut n: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    n.sort();
    n
}

#[test]
fn the_samples_report_matches_its_schema_and_payloads_come_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain");
    let ran = validate_samples(&plain).run().status(1);
    assert!(
        !ran.stdout().contains("payloads.ndjson"),
        "{}",
        ran.stdout()
    );
    assert_eq!(names(&plain), ["rejects.csv", "report.html", "report.json"]);
    let report = read_json(&plain.join("report.json"));
    assert_matches_schema(&report);
    assert_eq!(report["kind"], "dry_run");
    let read = report["rows_read"].as_u64().unwrap();
    assert_eq!(
        read,
        report["rows_valid"].as_u64().unwrap() + report["rows_invalid"].as_u64().unwrap()
    );
    assert!(report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["severity"] == "error"));
    // Every warning counted by code is in a group, and every group's count
    // adds up to the warnings counted.
    let by_code: u64 = report["warnings_by_code"]
        .as_object()
        .unwrap()
        .values()
        .map(|n| n.as_u64().unwrap())
        .sum();
    let grouped: u64 = report["warnings"]["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["count"].as_u64().unwrap())
        .sum();
    assert!(by_code > 0, "the samples warn (states the API cannot set)");
    assert_eq!(report["warnings"]["findings"].as_u64(), Some(by_code));
    assert_eq!(grouped, by_code);
    let html = fs::read_to_string(plain.join("report.html")).unwrap();
    assert!(html.contains("<main id=\"dry-run-report\" data-kind=\"dry_run\">"));
    assert!(html.contains("nothing was sent to the target"));

    // The same run with --payloads: the same verdicts, and one body per
    // valid row.
    let with = dir.path().join("with");
    let ran = validate_samples(&with).arg("--payloads").run().status(1);
    assert!(ran.stdout().contains("payloads.ndjson"));
    let again = read_json(&with.join("report.json"));
    assert_eq!(again["errors"], report["errors"]);
    assert_eq!(again["warnings"], report["warnings"]);
    let payloads = fs::read_to_string(with.join("payloads.ndjson")).unwrap();
    assert_eq!(
        payloads.lines().count() as u64,
        again["rows_valid"].as_u64().unwrap()
    );
    assert_eq!(
        fs::read(with.join("rejects.csv")).unwrap(),
        fs::read(plain.join("rejects.csv")).unwrap()
    );

    // Run again without it into the same directory: the old bodies go.
    validate_samples(&with).run().status(1);
    assert!(!with.join("payloads.ndjson").exists());
}

#[test]
fn the_schema_is_not_a_formality() {
    let dir = tempfile::tempdir().unwrap();
    validate_samples(dir.path()).run().status(1);
    let good = read_json(&dir.path().join("report.json"));
    // The old shape: run notes under "warnings", a row warning among errors.
    let mut old = good.clone();
    let o = old.as_object_mut().unwrap();
    let notes = o.remove("notes").unwrap();
    o.insert("warnings".into(), notes);
    o["errors"].as_array_mut().unwrap().push(
        json!({"row": 1, "line": 2, "field": "client.state", "column": "STATUS",
                      "code": 9007, "name": "FERRY_STATE_NOT_SETTABLE", "message": "m",
                      "severity": "warning"}),
    );
    let errors = schema_errors(&old);
    assert!(
        errors.iter().any(|e| e.starts_with("/warnings")),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|e| e.starts_with("/errors/")),
        "{errors:?}"
    );
    assert!(errors.iter().any(|e| e.contains("notes")), "{errors:?}");
    let mut no_totals = good;
    no_totals.as_object_mut().unwrap().remove("rows_valid");
    assert!(!schema_errors(&no_totals).is_empty());
}

/// `rows` clients over `names` (first, last) pairs, each pair in turn: all
/// but the first row of each name carry the duplicate-name warning.
/// The mapping that reads a `same_names` file.
fn same_names_mapping(dir: &Path) -> PathBuf {
    let mapping = dir.join("m.toml");
    fs::write(
        &mapping,
        "[client]\nid = \"id\"\nfirstName = \"first\"\nlastName = \"last\"\n\
         emailAddress = \"email\"\nbirthDate = { column = \"born\", date = \"%Y-%m-%d\" }\n",
    )
    .unwrap();
    mapping
}

fn same_names(dir: &Path, rows: usize, names: &[(&str, &str)]) -> PathBuf {
    let mut text = String::from("id,first,last,email,born\n");
    for i in 0..rows {
        let (first, last) = names[i % names.len()];
        text += &format!("C{i},{first},{last},c{i}@example.com,1980-01-02\n");
    }
    let p = dir.join("same.csv");
    fs::write(&p, text).unwrap();
    p
}

#[test]
fn when_most_rows_warn_the_report_stays_small_and_groups_them_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let input = same_names(
        dir.path(),
        5000,
        &[("Ana", "Lima"), ("Bo", "Berg"), ("Cy", "Dahl")],
    );
    let mapping = same_names_mapping(dir.path());
    let tenant = dir.path().join("tenant.json");
    fs::write(
        &tenant,
        r#"{"duplicateClientChecks": ["FIRST_NAME_AND_LAST_NAME"],
            "duplicateClientConstraintAction": "WARNING"}"#,
    )
    .unwrap();
    let out = dir.path().join("r");
    Ferry::new()
        .arg("validate")
        .arg(&input)
        .arg("--mapping")
        .arg(&mapping)
        .arg("--tenant")
        .arg(&tenant)
        .arg("--report-dir")
        .arg(&out)
        .run()
        .status(0);
    let report = read_json(&out.join("report.json"));
    assert_matches_schema(&report);
    assert_eq!(report["rows_valid"], 5000);
    assert_eq!(report["errors"], json!([]));
    let w = &report["warnings"];
    assert_eq!(
        (w["findings"].as_u64(), w["rows"].as_u64()),
        (Some(4997), Some(4997))
    );
    let groups: Vec<(String, String, u64, usize, u64)> = w["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            let rows = g["rows"].as_array().unwrap();
            (
                g["key"].as_str().unwrap().to_string(),
                g["message"].as_str().unwrap().to_string(),
                g["count"].as_u64().unwrap(),
                rows.len(),
                rows[0].as_u64().unwrap(),
            )
        })
        .collect();
    let g = |key: &str, first: u64, count: u64| {
        (
            key.to_string(),
            format!("same first and last name as row {first}"),
            count,
            1000,
            first + 3,
        )
    };
    assert_eq!(
        groups,
        [
            g("Ana Lima", 1, 1666),
            g("Bo Berg", 2, 1666),
            g("Cy Dahl", 3, 1665)
        ]
    );
    let size = fs::metadata(out.join("report.json")).unwrap().len();
    assert!(size < 64 * 1024, "report.json is {size} bytes");

    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains("the first 1,000 of 4,997 · 3,997 more not listed here"),
        "warned rows bounded"
    );
    assert_eq!(html.matches("<tr class=\"data warned\"").count(), 1000);
    assert!(html.contains("<td>Ana Lima</td><td class=\"num\">1,666</td>"));
    let size = fs::metadata(out.join("report.html")).unwrap().len();
    assert!(size < 2 * 1024 * 1024, "report.html is {size} bytes");
}

/// A dry run without `--payloads` keeps no request bodies and maps again
/// the few rows whose duplicate warning starts a group: its report.json,
/// rejects.csv and report.html are those of a run that kept every body,
/// group keys included, with and without a tenant that sends notifications.
#[test]
fn a_dry_run_without_bodies_reports_what_one_with_every_body_reports() {
    let dir = tempfile::tempdir().unwrap();
    let input = same_names(
        dir.path(),
        3000,
        &[
            ("Ana", "Lima"),
            ("Bo", "Berg"),
            ("Zoë", "Ødegård"),
            ("Cy", "Dahl"),
        ],
    );
    let mapping = same_names_mapping(dir.path());
    let tenants = [
        r#"{"duplicateClientChecks": ["FIRST_NAME_AND_LAST_NAME", "LAST_NAME_AND_DATE_OF_BIRTH"],
            "duplicateClientConstraintAction": "WARNING"}"#,
        r#"{"duplicateClientChecks": ["FIRST_NAME_AND_LAST_NAME"],
            "duplicateClientConstraintAction": "WARNING",
            "notificationTemplates": [{"id": "n1", "name": "Welcome", "channel": "EMAIL",
                                       "event": "CLIENT_CREATED"}]}"#,
    ];
    for (t, text) in tenants.iter().enumerate() {
        let tenant = dir.path().join(format!("tenant{t}.json"));
        fs::write(&tenant, text).unwrap();
        let mut runs = Vec::new();
        for payloads in [false, true] {
            let out = dir.path().join(format!("r{t}-{payloads}"));
            let mut ferry = Ferry::new()
                .arg("validate")
                .arg(&input)
                .arg("--mapping")
                .arg(&mapping)
                .arg("--tenant")
                .arg(&tenant)
                .arg("--report-dir")
                .arg(&out);
            if payloads {
                ferry = ferry.arg("--payloads");
            }
            let ran = ferry.run().status(0);
            let mut report = read_json(&out.join("report.json"));
            for timing in ["generated_at", "elapsed_ms"] {
                report.as_object_mut().unwrap().remove(timing);
            }
            let html = fs::read_to_string(out.join("report.html")).unwrap();
            let (page, _) = html.split_once("generated ").unwrap();
            runs.push((
                report,
                fs::read(out.join("rejects.csv")).unwrap(),
                page.to_string(),
                // The counts; the files written differ by payloads.ndjson.
                ran.stdout().split("written to").next().unwrap().to_string(),
            ));
        }
        let keys: Vec<&serde_json::Value> = runs[0].0["warnings"]["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| &g["key"])
            .collect();
        assert!(
            keys.iter().any(|k| *k == "Zoë Ødegård"),
            "tenant {t}: a group keyed by the names compared: {keys:?}"
        );
        assert_eq!(runs[0].0, runs[1].0, "tenant {t}: report.json");
        assert!(runs[0].1 == runs[1].1, "tenant {t}: rejects.csv");
        assert!(runs[0].2 == runs[1].2, "tenant {t}: report.html");
        assert_eq!(runs[0].3, runs[1].3, "tenant {t}: the summary");
    }
}

#[test]
fn the_imports_page_is_its_validation_pass_and_points_to_the_event() {
    let dir = tempfile::tempdir().unwrap();
    let sb = SandboxProcess::samples(&[]);
    let reports = dir.path().join("reports");
    Ferry::new()
        .arg("import")
        .arg(repo_path("samples/clients.csv"))
        .arg("--mapping")
        .arg(repo_path("mappings/clients.toml"))
        .arg("--tenant")
        .arg(repo_path("samples/tenant.json"))
        .args(["--target", &sb.url])
        .arg("--ledger")
        .arg(dir.path().join("ledger.db"))
        .arg("--report-dir")
        .arg(&reports)
        .env("MAMBU_API_KEY", &sb.key)
        .run()
        .status(1);
    let report = read_json(&reports.join("report.json"));
    assert_matches_schema(&report);
    assert_eq!(report["kind"], "import_validation");
    assert!(!reports.join("payloads.ndjson").exists());
    let html = fs::read_to_string(reports.join("report.html")).unwrap();
    assert!(html.contains("data-kind=\"import_validation\""));
    assert!(html.contains("<a href=\"event.html\">event.html</a>"));
    let lower = html.to_lowercase();
    assert!(
        !lower.contains("nothing was sent") && !lower.contains("dry run"),
        "{html}"
    );
}
