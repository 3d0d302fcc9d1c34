//! Fixes go round: a `rejects.csv`, corrected, validated and imported again
//! with the same mapping. Ferry's columns and guard must not reach the
//! target; fixed rows pass; unfixed rows fail as they did.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use crate::support::binary::{read_json, repo_path, Ferry, SandboxProcess};

/// Codes whose verdict depends on the other rows of the file: a subset of
/// the export cannot reproduce them (the row it collided with may be gone).
const ACROSS_ROWS: [u64; 3] = [310, 316, 926];

fn validate(input: &Path, out: &Path) -> Ferry {
    Ferry::new()
        .arg("validate")
        .arg(input)
        .arg("--mapping")
        .arg(repo_path("mappings/clients.toml"))
        .arg("--tenant")
        .arg(repo_path("samples/tenant.json"))
        .arg("--report-dir")
        .arg(out)
}

/// Error codes per row of a report.json.
fn error_codes(report: &serde_json::Value) -> BTreeMap<u64, BTreeSet<u64>> {
    let mut rows: BTreeMap<u64, BTreeSet<u64>> = BTreeMap::new();
    for e in report["errors"].as_array().expect("errors") {
        if e["severity"] == "error" {
            rows.entry(e["row"].as_u64().unwrap())
                .or_default()
                .insert(e["code"].as_u64().unwrap());
        }
    }
    rows
}

/// A CSV file without its BOM: header and records.
fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = fs::read_to_string(path).unwrap();
    let mut r = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

fn field<'a>(c: &'a serde_json::Value, name: &str) -> Option<&'a str> {
    c["client"][name].as_str().or(c[name].as_str())
}

#[test]
fn a_corrected_rejects_csv_validates_and_imports_with_the_same_mapping() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first");
    validate(&repo_path("samples/clients.csv"), &first)
        .run()
        .status(1);
    let report1 = read_json(&first.join("report.json"));
    let codes1 = error_codes(&report1);

    let (header, mut rows) = read_csv(&first.join("rejects.csv"));
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert_eq!(
        (header[0].as_str(), header[1].as_str()),
        ("ferry_row", "ferry_line")
    );
    assert_eq!(
        &header[header.len() - 2..],
        ["ferry_error_codes", "ferry_error_messages"]
    );
    assert_eq!(rows.len(), codes1.len(), "one line per rejected row");
    let (dob, lang, email, phone) = (col("DOB"), col("LANG"), col("EMAIL"), col("HOME_PHONE"));
    let codes_col = col("ferry_error_codes");

    // Fix the rows whose one error is a birth date, a language or an e-mail.
    let mut fixed = BTreeSet::new();
    for r in rows.iter_mut() {
        let original: u64 = r[0].parse().unwrap();
        let only = |code: u64| codes1[&original] == BTreeSet::from([code]);
        if only(309) {
            r[dob] = "15.06.1980".into();
        } else if only(2427) {
            r[lang] = "EN".into();
        } else if only(711) {
            r[email] = format!("fixed.{original}@example.com");
        } else {
            continue;
        }
        fixed.insert(original);
    }
    assert!(fixed.len() >= 6, "fixable rows: {fixed:?}");
    let guarded: Vec<&Vec<String>> = rows
        .iter()
        .filter(|r| fixed.contains(&r[0].parse().unwrap()) && r[phone].starts_with("'+"))
        .collect();
    assert!(
        !guarded.is_empty(),
        "some fixed row carries a guarded phone"
    );

    // Written back as a spreadsheet would: BOM, Ferry's columns, guards.
    let edited = dir.path().join("rejects-fixed.csv");
    let mut w = csv::Writer::from_writer(Vec::from(&b"\xEF\xBB\xBF"[..]));
    w.write_record(&header).unwrap();
    for r in &rows {
        w.write_record(r).unwrap();
    }
    fs::write(&edited, w.into_inner().unwrap()).unwrap();

    let second = dir.path().join("second");
    let ran = validate(&edited, &second).run().status(1);
    assert!(
        !ran.stderr().contains("match no client"),
        "a rejects file is a subset: no alarm about the related files\n{}",
        ran.stderr()
    );
    let report2 = read_json(&second.join("report.json"));
    let codes2 = error_codes(&report2);
    assert_eq!(report2["rows_read"].as_u64(), Some(rows.len() as u64));
    // Valid now: the fixed rows, and rows rejected only for colliding with
    // a row that is not in this file.
    let valid_now: BTreeSet<u64> = rows
        .iter()
        .enumerate()
        .filter(|(i, _)| !codes2.contains_key(&(*i as u64 + 1)))
        .map(|(_, r)| r[0].parse().unwrap())
        .collect();
    assert!(fixed.is_subset(&valid_now), "{fixed:?} ⊄ {valid_now:?}");
    for o in valid_now.difference(&fixed) {
        assert!(
            codes1[o].iter().all(|c| ACROSS_ROWS.contains(c)),
            "row {o} passes unfixed: {:?}",
            codes1[o]
        );
    }
    assert_eq!(report2["rows_valid"].as_u64(), Some(valid_now.len() as u64));

    // Rows and lines are this file's; ferry_original_row traces them back.
    let (header2, rows2) = read_csv(&second.join("rejects.csv"));
    let original_col = header2
        .iter()
        .position(|h| h == "ferry_original_row")
        .expect("the original row number is kept");
    assert_eq!(
        header2.iter().filter(|h| h.starts_with("ferry_")).count(),
        5
    );
    for r in &rows2 {
        let row: u64 = r[0].parse().unwrap();
        let original: u64 = r[original_col].parse().unwrap();
        assert_eq!(rows[row as usize - 1][0], original.to_string());
        assert_eq!(r[r.len() - 2], rows[row as usize - 1][codes_col]);
    }
    for (i, r) in rows.iter().enumerate() {
        let row = i as u64 + 1;
        let original: u64 = r[0].parse().unwrap();
        if fixed.contains(&original) {
            assert!(
                !codes2.contains_key(&row),
                "row {row} (was {original}) fixed"
            );
            continue;
        }
        let before = &codes1[&original];
        let now = codes2.get(&row).cloned().unwrap_or_default();
        if before.iter().any(|c| ACROSS_ROWS.contains(c)) {
            assert!(now.is_subset(before), "row {row}: {now:?} ⊄ {before:?}");
        } else {
            assert_eq!(&now, before, "row {row} (was {original}) fails as before");
        }
    }

    // The import sends the values as they were in the export.
    let sb = SandboxProcess::samples(&[]);
    let ledger = dir.path().join("ledger.db");
    Ferry::new()
        .arg("import")
        .arg(&edited)
        .arg("--mapping")
        .arg(repo_path("mappings/clients.toml"))
        .arg("--tenant")
        .arg(repo_path("samples/tenant.json"))
        .args(["--target", &sb.url, "--ledger"])
        .arg(&ledger)
        .arg("--report-dir")
        .arg(dir.path().join("import"))
        .env("MAMBU_API_KEY", &sb.key)
        .run();
    let export = sb.export_patiently();
    let clients = export["clients"].as_array().expect("clients");
    assert_eq!(
        clients.len(),
        valid_now.len(),
        "exactly the valid rows are imported"
    );
    let (src_header, src_rows) = read_csv(&repo_path("samples/clients.csv"));
    let src_col = |n: &str| src_header.iter().position(|h| h == n).unwrap();
    for c in clients {
        let id = field(c, "id").expect("id");
        let original = src_rows
            .iter()
            .find(|r| r[src_col("CUST_NO")].trim() == id)
            .expect("an exported client is a row of the export");
        let want = original[src_col("HOME_PHONE")].trim();
        assert_eq!(
            field(c, "homePhone").unwrap_or(""),
            want,
            "client {id}: the phone as the export had it"
        );
        let text = c.to_string();
        assert!(!text.contains("\"'"), "a guard reached the target: {text}");
    }
}
