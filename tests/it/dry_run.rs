//! `ferry validate` through the binary: the samples, the JSON variant,
//! generated files, broken inputs and broken mappings.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::support::binary::{read_json, repo_path, Ferry};

fn validate(input: &Path, mapping: &Path, tenant: Option<&Path>, out: &Path) -> Ferry {
    let mut f = Ferry::new()
        .arg("validate")
        .arg(input)
        .arg("--mapping")
        .arg(mapping)
        .arg("--report-dir")
        .arg(out)
        .arg("--payloads");
    if let Some(t) = tenant {
        f = f.arg("--tenant").arg(t);
    }
    f
}

fn samples(out: &Path) -> Ferry {
    validate(
        &repo_path("samples/clients.csv"),
        &repo_path("mappings/clients.toml"),
        Some(&repo_path("samples/tenant.json")),
        out,
    )
}

/// Rows with an error in a report.json, as row → set of codes.
fn rejected_rows(report: &serde_json::Value) -> BTreeMap<u64, BTreeSet<u64>> {
    let mut rows: BTreeMap<u64, BTreeSet<u64>> = BTreeMap::new();
    for e in report["errors"].as_array().expect("errors array") {
        if e["severity"] == "error" {
            rows.entry(e["row"].as_u64().unwrap())
                .or_default()
                .insert(e["code"].as_u64().unwrap());
        }
    }
    rows
}

/// The samples' answer key: row → the one code planted there.
fn answer_key(max_row: u64) -> BTreeMap<u64, BTreeSet<u64>> {
    let mut r = csv::Reader::from_path(repo_path("samples/clients_expected.csv")).unwrap();
    let mut key = BTreeMap::new();
    for rec in r.records() {
        let rec = rec.unwrap();
        let row: u64 = rec[0].parse().unwrap();
        if row <= max_row {
            key.insert(row, BTreeSet::from([rec[2].parse().unwrap()]));
        }
    }
    key
}

fn lines(path: &Path) -> usize {
    fs::read_to_string(path).unwrap().lines().count()
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn samples_reject_exactly_the_planted_rows_with_their_codes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report");
    samples(&out)
        .run()
        .status(1)
        .stdout_has("rows read")
        .stdout_has("600");

    let report = read_json(&out.join("report.json"));
    assert_eq!(report["rows_read"], 600);
    let (valid, invalid) = (
        report["rows_valid"].as_u64().unwrap(),
        report["rows_invalid"].as_u64().unwrap(),
    );
    assert_eq!(valid + invalid, 600);
    assert_eq!(
        rejected_rows(&report),
        answer_key(u64::MAX),
        "rejected rows and codes differ from the answer key"
    );
    let codes = report["errors_by_code"].as_object().unwrap();
    assert!(codes.len() >= 15, "only {} distinct codes", codes.len());
    for e in report["errors"].as_array().unwrap() {
        for k in ["row", "line", "field", "code", "name", "message"] {
            assert!(!e[k].is_null(), "finding without {k}: {e}");
        }
    }

    // rejects.csv: header plus one line per rejected row (no sample value spans lines).
    let rejects = fs::read_to_string(out.join("rejects.csv")).unwrap();
    let mut r = csv::Reader::from_reader(rejects.trim_start_matches('\u{feff}').as_bytes());
    assert_eq!(r.records().count() as u64, invalid);
    // payloads.ndjson: one create body per valid row.
    let payloads = fs::read_to_string(out.join("payloads.ndjson")).unwrap();
    assert_eq!(payloads.lines().count() as u64, valid);
    for line in payloads.lines() {
        let body: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(body["client"]["id"].is_string() && body["client"]["firstName"].is_string());
    }
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("<html") && html.contains("600"));
    for f in [
        "report.json",
        "rejects.csv",
        "report.html",
        "payloads.ndjson",
    ] {
        assert_eq!(
            mode(&out.join(f)),
            0o600,
            "{f} must be readable by its owner only"
        );
    }
    assert_eq!(mode(&out), 0o700);
}

#[test]
fn payloads_are_the_create_bodies_the_api_expects() {
    let dir = tempfile::tempdir().unwrap();
    samples(dir.path()).run().status(1);
    let first = fs::read_to_string(dir.path().join("payloads.ndjson")).unwrap();
    let body: serde_json::Value = serde_json::from_str(first.lines().next().unwrap()).unwrap();
    // Row 1 of the samples: CL0000001, Łukasz Kamiński, born 19.01.1989.
    assert_eq!(body["client"]["id"], "CL0000001");
    assert_eq!(body["client"]["firstName"], "Łukasz");
    assert_eq!(body["client"]["birthDate"], "1989-01-19");
    assert_eq!(body["client"]["gender"], "MALE");
    assert_eq!(body["client"]["preferredLanguage"], "ENGLISH");
    assert_eq!(body["client"]["state"], "ACTIVE");
    assert!(body["client"]["assignedBranchKey"].as_str().unwrap().len() == 32);
    let ids: Vec<&str> = body["customInformation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["customFieldID"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&"Tax_ID") && ids.contains(&"KYC_Done"),
        "{ids:?}"
    );
    assert_eq!(body["idDocuments"][0]["documentType"], "PASSPORT");
}

#[test]
fn the_json_variant_finds_the_same_problems_as_the_csv() {
    let dir = tempfile::tempdir().unwrap();
    validate(
        &repo_path("samples/clients.json"),
        &repo_path("mappings/clients-json.toml"),
        Some(&repo_path("samples/tenant.json")),
        dir.path(),
    )
    .run()
    .status(1);
    let report = read_json(&dir.path().join("report.json"));
    assert_eq!(report["rows_read"], 100);
    assert_eq!(rejected_rows(&report), answer_key(100));
}

#[test]
fn one_thread_and_many_give_the_same_report() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    samples(&a)
        .args(["--threads", "1", "--chunk-rows", "7"])
        .run()
        .status(1);
    samples(&b).args(["--threads", "4"]).run().status(1);
    let errors = |d: &Path| read_json(&d.join("report.json"))["errors"].clone();
    assert_eq!(errors(&a), errors(&b));
    assert_eq!(
        fs::read(a.join("payloads.ndjson")).unwrap(),
        fs::read(b.join("payloads.ndjson")).unwrap()
    );
}

#[test]
fn a_generated_export_is_rejected_exactly_where_errors_were_planted() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("wide.csv");
    let gen = Ferry::new()
        .args([
            "gen",
            "--rows",
            "3000",
            "--invalid-ratio",
            "0.2",
            "--seed",
            "11",
            "--layout",
            "wide",
            "--out",
        ])
        .arg(&file)
        .run()
        .status(0)
        .stdout_has("3000 clients");
    let planted: u64 = gen
        .stdout()
        .lines()
        .find_map(|l| {
            l.split(" of them carry")
                .next()
                .filter(|_| l.contains("carry"))?
                .trim()
                .parse()
                .ok()
        })
        .expect("gen reports how many rows carry an error");
    assert_eq!(planted, 600);
    // A repeated id is rejected on every row carrying it: the earlier rows
    // whose id a planted row repeats are rejected too.
    let repeated: u64 = gen
        .stdout()
        .lines()
        .find_map(|l| {
            l.split(" more rows a dry run rejects")
                .next()?
                .trim()
                .parse()
                .ok()
        })
        .expect("gen reports the rows whose id is repeated");
    assert_eq!(repeated, 19);
    let out = dir.path().join("report");
    validate(
        &file,
        &repo_path("mappings/clients-wide.toml"),
        Some(&repo_path("samples/tenant.json")),
        &out,
    )
    .run()
    .status(1);
    let report = read_json(&out.join("report.json"));
    assert_eq!(report["rows_read"], 3000);
    assert_eq!(report["rows_invalid"], planted + repeated);
}

#[test]
fn a_clean_export_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("clean.csv");
    Ferry::new()
        .args([
            "gen",
            "--rows",
            "300",
            "--invalid-ratio",
            "0",
            "--layout",
            "wide",
            "--out",
        ])
        .arg(&file)
        .run()
        .status(0);
    validate(
        &file,
        &repo_path("mappings/clients-wide.toml"),
        Some(&repo_path("samples/tenant.json")),
        &dir.path().join("r"),
    )
    .run()
    .status(0);
    assert_eq!(lines(&dir.path().join("r/payloads.ndjson")), 300);
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    fs::write(&p, text).unwrap();
    p
}

const SIMPLE_MAPPING: &str = r#"
[client]
id = "id"
firstName = "first"
lastName = "last"
emailAddress = "email"
birthDate = { column = "born", date = "%Y-%m-%d" }
"#;

#[test]
fn broken_rows_are_reported_with_their_row_and_never_lost() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(
        dir.path(),
        "in.csv",
        "id,first,last,email,born\n\
         A1,Ana,Lima,ana@example.com,1980-01-02\n\
         A2,Bo,Berg\n\
         A3,Cy,\"Dahl,cy@example.com,1970-03-04\n\
         A4,Di,Eck,di@example.com,1990-05-06\n",
    );
    let mapping = write(dir.path(), "m.toml", SIMPLE_MAPPING);
    let out = dir.path().join("r");
    validate(&input, &mapping, None, &out).run().status(1);
    let report = read_json(&out.join("report.json"));
    let read = report["rows_read"].as_u64().unwrap();
    assert_eq!(
        read,
        report["rows_valid"].as_u64().unwrap() + report["rows_invalid"].as_u64().unwrap()
    );
    let rows = rejected_rows(&report);
    assert_eq!(
        rows.get(&2),
        Some(&BTreeSet::from([9001])),
        "ragged row 2: {report}"
    );
    assert!(
        rows.keys().any(|&r| r >= 3),
        "the unterminated quote is reported"
    );
    assert!(!rows.contains_key(&1));
}

#[test]
fn rejected_cells_cannot_become_spreadsheet_formulas() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(
        dir.path(),
        "in.csv",
        "id,first,last,email,born\nX1,=HYPERLINK(\"http://evil\"),,@SUM(1),1980-01-02\n",
    );
    let mapping = write(dir.path(), "m.toml", SIMPLE_MAPPING);
    let out = dir.path().join("r");
    validate(&input, &mapping, None, &out).run().status(1);
    let rejects = fs::read_to_string(out.join("rejects.csv")).unwrap();
    assert!(rejects.contains("'=HYPERLINK"), "{rejects}");
    assert!(rejects.contains("'@SUM(1)"), "{rejects}");
    assert!(!rejects.contains(",=HYPERLINK") && !rejects.contains(",@SUM"));
}

#[test]
fn without_a_tenant_the_tenant_rules_are_skipped_and_said_so() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(
        dir.path(),
        "in.csv",
        "id,first,last,email,born\nA1,Ana,Lima,ana@example.com,1980-01-02\n",
    );
    let mapping = write(dir.path(), "m.toml", SIMPLE_MAPPING);
    validate(&input, &mapping, None, &dir.path().join("r"))
        .run()
        .status(0)
        .stderr_has("no tenant given");
}

#[test]
fn a_header_only_file_is_zero_rows_and_an_empty_file_is_unusable() {
    let dir = tempfile::tempdir().unwrap();
    let mapping = write(dir.path(), "m.toml", SIMPLE_MAPPING);
    let header = write(dir.path(), "h.csv", "id,first,last,email,born\n");
    validate(&header, &mapping, None, &dir.path().join("r"))
        .run()
        .status(0);
    assert_eq!(read_json(&dir.path().join("r/report.json"))["rows_read"], 0);

    let empty = write(dir.path(), "e.csv", "");
    validate(&empty, &mapping, None, &dir.path().join("r2"))
        .run()
        .status(2)
        .stderr_has("empty");
    validate(
        &dir.path().join("missing.csv"),
        &mapping,
        None,
        &dir.path().join("r3"),
    )
    .run()
    .status(2)
    .stderr_has("missing.csv");
}

#[test]
fn a_wrong_mapping_stops_before_any_row_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(
        dir.path(),
        "in.csv",
        "id,first,last,email,born\nA1,Ana,Lima,ana@example.com,1980-01-02\n",
    );
    let cases = [
        ("[client]\nid = \"id\"\nfirstNam = \"first\"\n", "firstNam"),
        (
            "[client]\nid = \"id\"\nfirstName = \"FIRST\"\n",
            "'FIRST' is not in the file",
        ),
        (
            "[client]\nbirthDate = { column = \"born\", date = \"%Q-%Y\" }\n",
            "birthDate",
        ),
        (
            "[client]\nbirthDate = { column = \"born\", date = \"%H:%M\" }\n",
            "birthDate",
        ),
        (
            "[source]\ntime_zone = \"Mars/Olympus\"\n[client]\nid = \"id\"\n",
            "Mars/Olympus",
        ),
    ];
    for (i, (toml, needle)) in cases.iter().enumerate() {
        let mapping = write(dir.path(), &format!("m{i}.toml"), toml);
        let out = dir.path().join(format!("r{i}"));
        validate(&input, &mapping, None, &out)
            .run()
            .status(2)
            .stderr_has(needle);
        assert!(
            !out.join("report.json").exists(),
            "case {i}: no report for an unusable mapping"
        );
    }
}

#[test]
fn bad_flags_are_usage_errors() {
    Ferry::new().args(["validate"]).run().status(2);
    Ferry::new().args(["frobnicate"]).run().status(2);
    Ferry::new()
        .args(["--help"])
        .run()
        .status(0)
        .stdout_has("validate");
}

#[test]
fn no_broken_file_makes_the_binary_panic() {
    let dir = tempfile::tempdir().unwrap();
    // A mapping that reads no column: every readable row is judged (and
    // rejected for its missing names); every unreadable one is reported.
    let mapping = write(
        dir.path(),
        "m.toml",
        "[client]\nnotes = { constant = \"x\" }\n",
    );
    let mut inputs: Vec<std::path::PathBuf> = fs::read_dir(repo_path("tests/corpus"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let mut big = b"id,notes\n1,".to_vec();
    big.extend(std::iter::repeat_n(b'x', 1 << 20));
    big.extend(b"\n2,\0\0\0\n3,\"never closed\n");
    fs::write(dir.path().join("big_nul_quote.csv"), &big).unwrap();
    inputs.push(dir.path().join("big_nul_quote.csv"));
    fs::write(dir.path().join("half.json"), b"[{\"a\": 1}, {\"b\": \"tr").unwrap();
    inputs.push(dir.path().join("half.json"));
    for (i, input) in inputs.iter().enumerate() {
        let out = dir.path().join(format!("r{i}"));
        let ran = validate(input, &mapping, None, &out).run();
        assert!(
            matches!(ran.code(), 0..=2) && !ran.stderr().contains("panicked"),
            "{}: exit {} {}",
            input.display(),
            ran.code(),
            ran.stderr()
        );
        if ran.code() != 2 {
            let report = read_json(&out.join("report.json"));
            assert_eq!(
                report["rows_read"].as_u64().unwrap(),
                report["rows_valid"].as_u64().unwrap() + report["rows_invalid"].as_u64().unwrap()
            );
        }
    }
}

/// Every error of a report.json as (row, field, code, message).
fn errors(report: &serde_json::Value) -> Vec<(u64, String, u64, String)> {
    report["errors"]
        .as_array()
        .expect("errors array")
        .iter()
        .filter(|e| e["severity"] == "error")
        .map(|e| {
            (
                e["row"].as_u64().unwrap(),
                e["field"].as_str().unwrap().to_string(),
                e["code"].as_u64().unwrap(),
                e["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn ids_that_cannot_travel_in_a_url_and_control_characters_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.csv");
    fs::write(
        &input,
        "id,first,last,email,born\n\
         .,Ana,Lima,,\n\
         ..,Bo,Berg,,\n\
         a/b,Cy,Dahl,,\n\
         ../../etc/passwd,Di,Eck,,\n\
         C\u{0}5,Ed,Fox,,\n\
         C6,Er\u{0}ik,Fry,,\n\
         C7,Gus,Ha\u{1}ll,ok@example.com,\n\
         C8,Ida,Ives,ida@example.com\u{7f},\n\
         C9,Jo,Kay,,\n\
         C.10,Li,May,,\n",
    )
    .unwrap();
    let mapping = write(dir.path(), "m.toml", SIMPLE_MAPPING);
    let out = dir.path().join("r");
    validate(&input, &mapping, None, &out).run().status(1);
    let report = read_json(&out.join("report.json"));
    let url = "/ \\ ? # % cannot travel in a URL path";
    let e = |row: u64, field: &str, code: u64, message: &str| {
        (row, field.to_string(), code, message.to_string())
    };
    assert_eq!(
        errors(&report),
        [
            e(
                1,
                "client.id",
                301,
                "client id '.' cannot be used: in a URL it names the client list, not a client"
            ),
            e(
                2,
                "client.id",
                301,
                "client id '..' cannot be used: in a URL it names the client list, not a client"
            ),
            e(
                3,
                "client.id",
                301,
                &format!("client id contains '/' at character 2; {url}")
            ),
            e(
                4,
                "client.id",
                301,
                &format!("client id contains '/' at character 3; {url}")
            ),
            e(
                5,
                "client.id",
                301,
                "client id contains the control character U+0000 (NUL) at character 2"
            ),
            e(
                6,
                "client.firstName",
                4,
                "first name contains the control character U+0000 (NUL) at character 3"
            ),
            e(
                7,
                "client.lastName",
                4,
                "last name contains the control character U+0001 at character 3"
            ),
            e(
                8,
                "client.emailAddress",
                4,
                "e-mail address contains the control character U+007F (delete) at character 16"
            ),
        ]
    );
    assert_eq!(report["rows_valid"], 2, "C9 and C.10");
    let payloads = fs::read_to_string(out.join("payloads.ndjson")).unwrap();
    assert!(!payloads.contains("\\u0000"), "no NUL reaches a payload");
}

#[test]
fn a_repeated_id_is_an_error_on_every_row_and_case_only_differences_too() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(
        dir.path(),
        "in.csv",
        "id,first,last,email,born\n\
         A1,,Lima,,\n\
         A2,Bo,Berg,,\n\
         A1,Cy,Dahl,,\n\
         d-3,Di,Eck,,\n\
         D-3,Ed,Fox,,\n\
         A1,Fi,Gil,,\n\
         a1,Gus,Hall,,\n",
    );
    let mapping = write(dir.path(), "m.toml", SIMPLE_MAPPING);
    let out = dir.path().join("r");
    validate(&input, &mapping, None, &out).run().status(1);
    let report = read_json(&out.join("report.json"));
    let e = |row: u64, code: u64, message: &str| {
        let field = if code == 31 {
            "client.firstName"
        } else {
            "client.id"
        };
        (row, field.to_string(), code, message.to_string())
    };
    let case = |other: u64| format!("client id differs only in letter case from row {other}'s");
    assert_eq!(
        errors(&report),
        [
            // Row 1 is rejected for its name, and still counts for its id.
            e(1, 31, "first name is missing"),
            e(1, 316, "same client id as row 3"),
            e(1, 316, &case(7)),
            e(3, 316, "same client id as row 1"),
            e(4, 316, &case(5)),
            e(5, 316, &case(4)),
            e(6, 316, "same client id as row 1"),
            e(7, 316, &case(1)),
        ]
    );
    assert_eq!(report["rows_valid"], 1, "only A2");
}

#[test]
fn the_mapping_fills_a_template_key_only_where_the_tenant_has_one_template() {
    let dir = tempfile::tempdir().unwrap();
    let tenant = write(
        dir.path(),
        "tenant.json",
        r#"{"idDocumentTemplates": [
             {"encodedKey": "8a01", "documentType": "PASSPORT"},
             {"encodedKey": "8a02", "documentType": "ID_CARD"},
             {"encodedKey": "8a03", "documentType": "ID_CARD"}],
            "allowOtherIdDocuments": false}"#,
    );
    let input = write(
        dir.path(),
        "in.csv",
        "id,first,last,doc_type,doc_no\n\
         C1,Ana,Lima,PASSPORT,P1\n\
         C2,Bo,Berg,ID_CARD,I2\n\
         C3,Cy,Dahl,VISA,V3\n",
    );
    let mapping = write(
        dir.path(),
        "m.toml",
        "[client]\nid = \"id\"\nfirstName = \"first\"\nlastName = \"last\"\n\
         [[id_document]]\ndocumentType = \"doc_type\"\ndocumentId = \"doc_no\"\n",
    );
    let out = dir.path().join("r");
    validate(&input, &mapping, Some(&tenant), &out)
        .run()
        .status(1);
    let report = read_json(&out.join("report.json"));
    let key = "idDocuments[0].identificationDocumentTemplateKey";
    assert_eq!(
        errors(&report),
        [
            (
                2,
                key.to_string(),
                953,
                "document type 'ID_CARD' has a template in the tenant, so its key is required"
                    .to_string()
            ),
            (
                3,
                key.to_string(),
                952,
                "document type 'VISA' has no template, and the tenant accepts no other documents"
                    .to_string()
            ),
        ]
    );
    let payloads = fs::read_to_string(out.join("payloads.ndjson")).unwrap();
    let first: serde_json::Value = serde_json::from_str(payloads.lines().next().unwrap()).unwrap();
    assert_eq!(
        first["idDocuments"],
        serde_json::json!([{"documentType": "PASSPORT", "documentId": "P1", "identificationDocumentTemplateKey": "8a01"}])
    );
}

#[test]
fn a_tenant_file_with_an_action_per_duplicate_check_is_refused_with_its_rewrite() {
    let dir = tempfile::tempdir().unwrap();
    let tenant = write(
        dir.path(),
        "old.json",
        r#"{"duplicateChecks": [{"field": "EMAIL", "action": "ERROR"},
                               {"field": "FIRST_NAME_AND_LAST_NAME", "action": "WARNING"}]}"#,
    );
    let input = write(dir.path(), "in.csv", "id,first,last,email,born\nC1,A,B,,\n");
    let mapping = write(dir.path(), "m.toml", SIMPLE_MAPPING);
    let ran = validate(&input, &mapping, Some(&tenant), &dir.path().join("r"))
        .run()
        .status(2);
    assert_eq!(
        ran.stderr().trim_end(),
        format!(
            "ferry: error: tenant file {} is not valid: \"duplicateChecks\" gives each check its own \
             action, but Mambu has one action for all checks: replace it with \
             \"duplicateClientChecks\": [\"EMAIL\", \"FIRST_NAME_AND_LAST_NAME\"] and \
             \"duplicateClientConstraintAction\" set to one of NONE, WARNING, ERROR (this file \
             has ERROR, WARNING) at line 2 column 91",
            tenant.display()
        )
    );
}
