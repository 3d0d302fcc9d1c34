//! `ferry mapping init` through the binary: the mapping it guesses for the
//! samples reaches the hand-written mapping's verdicts, it loads for JSON
//! too, unplaced columns are listed without their values, `--out` is
//! private and never overwritten by accident, and the tenant can come from
//! the target.

use std::collections::BTreeSet;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::support::binary::{read_json, repo_path, Ferry, SandboxProcess};
use crate::support::API_KEY;

/// `ferry mapping init EXPORT --tenant samples/tenant.json --out OUT`.
fn init(export: &Path, out: &Path) -> Ferry {
    Ferry::new()
        .args(["mapping", "init"])
        .arg(export)
        .arg("--tenant")
        .arg(repo_path("samples/tenant.json"))
        .arg("--out")
        .arg(out)
}

/// Runs `ferry validate` (exit 0 or 1: the mapping loaded) and returns its
/// report.json.
fn validate(input: &Path, mapping: &Path, report_dir: &Path) -> serde_json::Value {
    let ran = Ferry::new()
        .arg("validate")
        .arg(input)
        .arg("--mapping")
        .arg(mapping)
        .arg("--tenant")
        .arg(repo_path("samples/tenant.json"))
        .arg("--report-dir")
        .arg(report_dir)
        .run();
    assert!(
        [0, 1].contains(&ran.code()),
        "validate with {} failed ({}):\n{}",
        mapping.display(),
        ran.code(),
        ran.stderr()
    );
    read_json(&report_dir.join("report.json"))
}

/// Every row's error codes (empty: the row is valid), rows 1..=rows_read.
/// A finding counts as an error unless it says it is a warning.
fn verdicts(report: &serde_json::Value) -> Vec<BTreeSet<u64>> {
    let rows = report["rows_read"].as_u64().expect("rows_read") as usize;
    let mut out = vec![BTreeSet::new(); rows];
    for e in report["errors"].as_array().expect("errors array") {
        if e.get("severity").map_or(true, |s| s == "error") {
            let row = e["row"].as_u64().expect("row") as usize;
            out[row - 1].insert(e["code"].as_u64().expect("code"));
        }
    }
    let rejected = out.iter().filter(|c| !c.is_empty()).count() as u64;
    assert_eq!(
        Some(rejected),
        report["rows_invalid"].as_u64(),
        "the errors listed are the rejected rows"
    );
    out
}

/// How far two reports agree: (rows with the same verdict, rows with the
/// same codes, rows the reference rejects that the other rejects too,
/// rows the reference rejects).
fn agreement(
    reference: &[BTreeSet<u64>],
    guessed: &[BTreeSet<u64>],
) -> (usize, usize, usize, usize) {
    assert_eq!(reference.len(), guessed.len(), "both read every row");
    let pairs = || reference.iter().zip(guessed);
    let verdicts = pairs()
        .filter(|(a, b)| a.is_empty() == b.is_empty())
        .count();
    let codes = pairs().filter(|(a, b)| a == b).count();
    let rejected = reference.iter().filter(|a| !a.is_empty()).count();
    let caught = pairs()
        .filter(|(a, b)| !a.is_empty() && !b.is_empty())
        .count();
    (verdicts, codes, caught, rejected)
}

#[test]
fn the_guessed_mapping_reaches_the_verdicts_of_the_hand_written_one() {
    let dir = tempfile::tempdir().unwrap();
    let mapping = dir.path().join("guessed.toml");
    let export = repo_path("samples/clients.csv");
    init(&export, &mapping)
        .run()
        .status(0)
        .stdout_has("mapping written to")
        .stderr_has("600 rows sampled");
    let mode = fs::metadata(&mapping).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the mapping file is private");

    let reference = verdicts(&validate(
        &export,
        &repo_path("mappings/clients.toml"),
        &dir.path().join("reference"),
    ));
    let guessed = verdicts(&validate(&export, &mapping, &dir.path().join("guessed")));
    let (same_verdict, same_codes, caught, rejected) = agreement(&reference, &guessed);
    let rows = reference.len();
    println!(
        "mapping init on samples/clients.csv: {same_verdict}/{rows} rows agree on valid/invalid"
    );
    println!("  {same_codes}/{rows} rows have the same error codes");
    println!("  {caught}/{rejected} rows the hand-written mapping rejects are rejected");
    for (i, (a, b)) in reference.iter().zip(&guessed).enumerate() {
        if a != b {
            println!("  row {}: hand-written {a:?}, guessed {b:?}", i + 1);
        }
    }
    assert_eq!(rows, 600);
    assert!(
        same_verdict * 10 >= rows * 9,
        "{same_verdict}/{rows} verdicts agree"
    );
    assert!(
        caught * 10 >= rejected * 9,
        "{caught}/{rejected} rejected rows caught"
    );
    assert!(
        same_codes * 10 >= rows * 9,
        "{same_codes}/{rows} rows with the same codes"
    );
}

#[test]
fn a_json_export_gets_a_mapping_that_loads_and_reads_its_paths() {
    let dir = tempfile::tempdir().unwrap();
    let export = repo_path("samples/clients.json");
    let ran = Ferry::new()
        .args(["mapping", "init"])
        .arg(&export)
        .arg("--tenant")
        .arg(repo_path("samples/tenant.json"))
        .run()
        .status(0);
    let text = ran.stdout();
    for line in [
        "format = \"json\"",
        "firstName = \"name.first\"",
        "emailAddress = { column = \"contact.email\", case = \"lower\" }",
        "assignedBranchKey = { column = \"assignment.branch\", resolve = \"branch\" }",
        "documentId = \"documents[0].number\"",
        "value = \"nextOfKin[1].phone\"",
        "postcode = \"address.zip\"",
    ] {
        assert!(text.contains(line), "lacks {line:?}:\n{text}");
    }
    let mapping = dir.path().join("guessed.toml");
    fs::write(&mapping, &text).unwrap();
    let reference = verdicts(&validate(
        &export,
        &repo_path("mappings/clients-json.toml"),
        &dir.path().join("reference"),
    ));
    let guessed = verdicts(&validate(&export, &mapping, &dir.path().join("guessed")));
    let (same_verdict, _, _, _) = agreement(&reference, &guessed);
    println!(
        "mapping init on samples/clients.json: {same_verdict}/{} rows agree",
        reference.len()
    );
    assert_eq!(reference.len(), 100);
    assert!(same_verdict >= 90, "{same_verdict}/100");
}

#[test]
fn unplaced_columns_are_listed_by_shape_and_resolve_waits_for_a_tenant() {
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("legacy.csv");
    let mut csv =
        String::from("KUNDE_NR;FNAME;SURNAME;BIRTH_DT;E_MAIL;TEL;GENDER;BRANCH;SECRET_WORD\n");
    for i in 0..40 {
        let sex = if i % 2 == 0 { "m" } else { "W" };
        csv += &format!(
            "K{i:04};Anna;Nowak{i};{:02}/03/19{:02};anna{i}@example.com;+48 60 30{i:05};{sex};B1;Zebulon-Quartz-{i}\n",
            13 + i % 15,
            50 + i
        );
    }
    fs::write(&export, csv).unwrap();
    let ran = Ferry::new()
        .args(["mapping", "init"])
        .arg(&export)
        .run()
        .status(0)
        .stderr_has("40 rows sampled");
    let text = ran.stdout();
    for line in [
        "delimiter = \";\"",
        "id = \"KUNDE_NR\"",
        "firstName = \"FNAME\"",
        "lastName = \"SURNAME\"",
        "birthDate = { column = \"BIRTH_DT\", date = \"%d/%m/%Y\" }",
        "emailAddress = { column = \"E_MAIL\", case = \"lower\" }",
        "homePhone = \"TEL\"",
        "gender = { column = \"GENDER\", case = \"upper\", map = { M = \"MALE\", W = \"FEMALE\" } }",
        // No tenant: the branch is only suggested.
        "# assignedBranchKey = { column = \"BRANCH\", resolve = \"branch\" }",
        "# unplaced: SECRET_WORD — 40 of 40 rows filled, 40 distinct; shapes \"Aaaa-Aaaa-99\", \"Aaaa-Aaaa-9\"",
    ] {
        assert!(text.contains(line), "lacks {line:?}:\n{text}");
    }
    assert!(
        !text.contains("Zebulon"),
        "a value of an unplaced column is shown:\n{text}"
    );
    assert!(!text.contains("Nowak"), "a value is shown:\n{text}");
    // What it wrote loads: validate runs it (without a tenant).
    let mapping = dir.path().join("m.toml");
    fs::write(&mapping, &text).unwrap();
    Ferry::new()
        .arg("validate")
        .arg(&export)
        .arg("--mapping")
        .arg(&mapping)
        .arg("--report-dir")
        .arg(dir.path().join("r"))
        .run()
        .status(0);
    let report = read_json(&dir.path().join("r/report.json"));
    assert_eq!(report["rows_read"], 40);
}

#[test]
fn out_never_overwrites_a_file_without_force_and_is_private() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("mine.toml");
    fs::write(&out, "# my own mapping\n").unwrap();
    fs::set_permissions(&out, fs::Permissions::from_mode(0o644)).unwrap();
    let export = repo_path("samples/clients.csv");
    init(&export, &out)
        .run()
        .status(2)
        .stderr_has("already exists; give --force");
    assert_eq!(fs::read_to_string(&out).unwrap(), "# my own mapping\n");
    init(&export, &out).arg("--force").run().status(0);
    let text = fs::read_to_string(&out).unwrap();
    assert!(text.contains("[client]"), "{text}");
    let mode = fs::metadata(&out).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    // --force without --out is a usage error.
    Ferry::new()
        .args(["mapping", "init"])
        .arg(&export)
        .arg("--force")
        .run()
        .status(2);
}

#[test]
fn the_tenant_can_come_from_the_target() {
    let sandbox = SandboxProcess::samples(&[]);
    let ran = Ferry::new()
        .args(["mapping", "init"])
        .arg(repo_path("samples/clients.csv"))
        .args(["--tenant-from-target", "--target", &sandbox.url])
        .env("MAMBU_API_KEY", API_KEY)
        .run()
        .status(0);
    let text = ran.stdout();
    for line in [
        "assignedCentreKey = { column = \"CENTRE\", resolve = \"centre\" }",
        "id = \"Tax_ID\"",
        "group_index = 1",
    ] {
        assert!(text.contains(line), "lacks {line:?}:\n{text}");
    }
    assert!(!ran.stderr().contains(API_KEY) && !text.contains(API_KEY));
}
