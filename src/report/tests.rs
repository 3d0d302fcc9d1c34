//! Unit tests of the report fan-out: counts, files, modes, streaming.

use super::*;
use crate::model::ReturnCode;
use csv::StringRecord;
use std::os::unix::fs::PermissionsExt;

const COLUMNS: [&str; 6] = ["CLIENT_ID", "FIRST", "LAST", "EMAIL", "BIRTH", "BRANCH"];

fn opts(dir: &std::path::Path, sample: usize) -> ReportOptions {
    ReportOptions {
        html_sample_rows: sample,
        ..ReportOptions::new(
            dir,
            "clients.csv",
            COLUMNS.iter().map(|c| c.to_string()).collect(),
        )
        .with_payloads(true)
    }
}

/// Row `i`: every third row has a bad email, every fifth a warning.
fn feed(report: &mut Report, rows: u64) {
    let mut fields = StringRecord::new();
    let mut payload = Vec::new();
    let mut findings = Vec::new();
    let mut origins = Vec::new();
    for i in 1..=rows {
        fields.clear();
        let id = i.to_string();
        let email = if i % 3 == 0 {
            format!("=HYPERLINK(\"x{i}\")")
        } else {
            format!("c{i}@example.com")
        };
        for f in [
            id.as_str(),
            "Ana",
            "Silva",
            email.as_str(),
            "1990-01-02",
            "BR1",
        ] {
            fields.push_field(f);
        }
        findings.clear();
        origins.clear();
        if i % 3 == 0 {
            findings.push(FieldError::error(
                "client.emailAddress",
                ReturnCode::EmailAddressFormatIsInvalid,
                "not an email",
            ));
            origins.push(Some("EMAIL".to_string()));
        }
        if i % 5 == 0 {
            findings.push(FieldError::warning(
                "client.id",
                ReturnCode::DuplicateClient,
                "looks like row 1",
            ));
            origins.push(Some("CLIENT_ID".to_string()));
        }
        payload.clear();
        payload.extend_from_slice(format!("{{\"client\":{{\"id\":\"{i}\"}}}}").as_bytes());
        let valid = i % 3 != 0;
        report
            .add(&Verdict {
                row: i,
                line: i + 1,
                fields: &fields,
                findings: &findings,
                origins: &origins,
                body: valid.then_some(Body::Bytes(payload.as_slice())),
            })
            .unwrap();
    }
}

fn meta() -> RunMeta {
    RunMeta {
        mapping: "mappings/legacy.toml".into(),
        tenant: Some("tenant.json".into()),
        elapsed: Duration::from_millis(1234),
        warnings: vec!["column FAX is not mapped".into()],
        ..RunMeta::default()
    }
}

#[test]
fn files_agree_with_each_other_and_the_summary() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("out");
    let mut report = Report::create(opts(&dir, 200)).unwrap();
    feed(&mut report, 30);
    let s = report.finish(&meta()).unwrap();

    assert_eq!(
        (
            s.rows_read,
            s.rows_valid,
            s.rows_invalid,
            s.rows_with_warnings
        ),
        (30, 20, 10, 6)
    );
    assert_eq!(s.rows_read, s.rows_valid + s.rows_invalid);
    assert_eq!(s.errors_by_code["EMAIL_ADDRESS_FORMAT_IS_INVALID"], 10);
    assert_eq!(s.warnings_by_code["DUPLICATE_CLIENT"], 6);
    assert_eq!(s.files.len(), 4);

    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join(JSON_FILE)).unwrap()).unwrap();
    assert_eq!(json["rows_read"], 30);
    assert_eq!(json["rows_invalid"], 10);
    assert_eq!(json["mapping"], "mappings/legacy.toml");
    assert_eq!(json["errors_by_field"]["client.emailAddress"], 10);
    assert_eq!(json["kind"], "dry_run");
    assert_eq!(
        json["notes"],
        serde_json::json!(["column FAX is not mapped"])
    );
    assert_eq!(json["errors"].as_array().unwrap().len(), 10, "errors only");
    assert!(json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["severity"] == "error"));
    assert_eq!(json["errors"][0]["row"], 3);
    assert_eq!(json["errors"][0]["column"], "EMAIL");
    // The six warnings are one group, its key the source cell of its first row.
    assert_eq!(
        json["warnings"],
        serde_json::json!({"findings": 6, "rows": 6, "findings_not_in_groups_shown": 0,
            "groups": [{"code": 310, "name": "DUPLICATE_CLIENT", "field": "client.id",
                        "column": "CLIENT_ID", "message": "looks like row 1", "key": "CLIENT_ID: 5",
                        "count": 6, "rows": [5, 10, 15, 20, 25, 30]}]})
    );

    let payloads = std::fs::read_to_string(dir.join(PAYLOADS_FILE)).unwrap();
    let ids: Vec<u64> = payloads
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["client"]["id"]
                .as_str()
                .unwrap()
                .parse()
                .unwrap()
        })
        .collect();
    assert_eq!(ids, (1..=30).filter(|i| i % 3 != 0).collect::<Vec<_>>());

    let rejects = std::fs::read(dir.join(REJECTS_FILE)).unwrap();
    let mut rdr = csv::Reader::from_reader(&rejects[3..]);
    let rows: Vec<StringRecord> = rdr.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 10);
    assert_eq!(&rows[0][0], "3");
    assert_eq!(&rows[0][5], "'=HYPERLINK(\"x3\")");

    let html = std::fs::read_to_string(dir.join(HTML_FILE)).unwrap();
    assert!(html.contains("<div class=\"fig\">30</div>"));
    assert!(html.contains("column FAX is not mapped"));
}

#[test]
fn every_file_is_owner_only() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("new");
    let mut report = Report::create(opts(&dir, 5)).unwrap();
    feed(&mut report, 3);
    let s = report.finish(&meta()).unwrap();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700);
    for f in &s.files {
        assert_eq!(mode(f), 0o600, "{}", f.display());
    }
    let names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 4, "no temporary files left: {names:?}");
}

#[test]
fn a_valid_row_without_payload_is_refused_and_not_counted() {
    let tmp = tempfile::tempdir().unwrap();
    let mut report = Report::create(opts(tmp.path(), 5)).unwrap();
    let fields = StringRecord::from(vec!["1"]);
    let err = report
        .add(&Verdict {
            row: 1,
            line: 2,
            fields: &fields,
            findings: &[],
            origins: &[],
            body: None,
        })
        .unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    assert_eq!(report.finish(&meta()).unwrap().rows_read, 0);
}

#[test]
fn spooled_bodies_give_the_same_files_as_given_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let given = tmp.path().join("given");
    let mut report = Report::create(opts(&given, 200)).unwrap();
    feed(&mut report, 30);
    report.finish(&meta()).unwrap();

    // The same rows, bodies from a file; invalid rows' bodies are in the
    // file too, as when duplicates turn rows invalid after the pass.
    let spooled = tmp.path().join("spooled");
    let mut bodies = Vec::new();
    let mut at = Vec::new();
    for i in 1..=30u64 {
        let b = format!("{{\"client\":{{\"id\":\"{i}\"}}}}");
        at.push(BodyRange {
            offset: bodies.len() as u64,
            len: b.len() as u64,
        });
        bodies.extend_from_slice(b.as_bytes());
        bodies.push(b'\n');
    }
    let file = tmp.path().join("bodies");
    std::fs::write(&file, &bodies).unwrap();
    let mut report = Report::create(opts(&spooled, 200)).unwrap();
    report
        .set_spooled_bodies(std::fs::File::open(&file).unwrap())
        .unwrap();
    let fields = StringRecord::from(vec!["1"]);
    let err = report
        .add(&Verdict {
            row: 1,
            line: 2,
            fields: &fields,
            findings: &[],
            origins: &[],
            body: None,
        })
        .unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    // The rows `feed` adds, built again one by one.
    let mut rows = Vec::new();
    {
        for i in 1..=30u64 {
            let mut findings = Vec::new();
            let mut origins = Vec::new();
            let email = if i % 3 == 0 {
                findings.push(FieldError::error(
                    "client.emailAddress",
                    ReturnCode::EmailAddressFormatIsInvalid,
                    "not an email",
                ));
                origins.push(Some("EMAIL".to_string()));
                format!("=HYPERLINK(\"x{i}\")")
            } else {
                format!("c{i}@example.com")
            };
            if i % 5 == 0 {
                findings.push(FieldError::warning(
                    "client.id",
                    ReturnCode::DuplicateClient,
                    "looks like row 1",
                ));
                origins.push(Some("CLIENT_ID".to_string()));
            }
            let id = i.to_string();
            let rec = StringRecord::from(vec![
                id.as_str(),
                "Ana",
                "Silva",
                email.as_str(),
                "1990-01-02",
                "BR1",
            ]);
            rows.push((i, rec, findings, origins));
        }
    }
    for (i, rec, findings, origins) in &rows {
        report
            .add(&Verdict {
                row: *i,
                line: i + 1,
                fields: rec,
                findings,
                origins,
                body: Some(Body::Spooled(at[*i as usize - 1])),
            })
            .unwrap();
    }
    report.finish(&meta()).unwrap();
    for f in [PAYLOADS_FILE, REJECTS_FILE] {
        assert_eq!(
            std::fs::read(given.join(f)).unwrap(),
            std::fs::read(spooled.join(f)).unwrap(),
            "{f}"
        );
    }
    let errors = |d: &std::path::Path| {
        let v: serde_json::Value =
            serde_json::from_slice(&std::fs::read(d.join(JSON_FILE)).unwrap()).unwrap();
        v["errors"].clone()
    };
    assert_eq!(errors(&given), errors(&spooled));
}

#[test]
fn two_hundred_thousand_rows_stream_through() {
    let tmp = tempfile::tempdir().unwrap();
    let mut report = Report::create(opts(tmp.path(), 50)).unwrap();
    feed(&mut report, 200_000);
    assert_eq!(report.sample.len(), 50, "only the sample is kept");
    let s = report.finish(&meta()).unwrap();
    assert_eq!(s.rows_read, 200_000);
    assert_eq!(s.rows_invalid, 66_666);
    let payloads = std::fs::read(tmp.path().join(PAYLOADS_FILE)).unwrap();
    assert_eq!(payloads.iter().filter(|&&b| b == b'\n').count(), 133_334);
    let html = std::fs::read_to_string(tmp.path().join(HTML_FILE)).unwrap();
    assert_eq!(html.matches("<tr class=\"data rejected\"").count(), 50);
    assert_eq!(html.matches("<tr class=\"data warned\"").count(), 50);
    assert!(html.contains("the first 50 of 66,666 · 66,616 more not listed here"));
    // 26,667 valid rows warn (every fifth row but the rejected ones).
    assert!(html.contains("the first 50 of 26,667 · 26,617 more not listed here"));
    let json = std::fs::read(tmp.path().join(JSON_FILE)).unwrap();
    let json: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(json["warnings"]["findings"], 40_000);
    assert_eq!(json["warnings"]["groups"][0]["count"], 40_000);
    assert_eq!(
        json["warnings"]["groups"][0]["rows"]
            .as_array()
            .unwrap()
            .len(),
        warning_groups::ROWS_PER_GROUP
    );
    let warnings = json["warnings"].to_string().len();
    assert!(
        warnings < 16 * 1024,
        "small however many rows warn: {warnings} bytes"
    );
}

#[test]
fn payloads_are_written_only_when_asked_and_a_stale_file_goes() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join(PAYLOADS_FILE), b"{\"stale\":1}\n").unwrap();
    let mut report = Report::create(opts(tmp.path(), 5).with_payloads(false)).unwrap();
    feed(&mut report, 30);
    let s = report.finish(&meta()).unwrap();
    assert!(!tmp.path().join(PAYLOADS_FILE).exists());
    let names: Vec<_> = s.files.iter().map(|f| f.file_name().unwrap()).collect();
    assert_eq!(names, [HTML_FILE, JSON_FILE, REJECTS_FILE]);
    assert_eq!(
        (s.rows_valid, s.rows_invalid),
        (20, 10),
        "verdicts unchanged"
    );
}

#[test]
fn the_import_pass_says_so_in_both_files() {
    let tmp = tempfile::tempdir().unwrap();
    let mut report = Report::create(opts(tmp.path(), 5).for_import()).unwrap();
    feed(&mut report, 6);
    report.finish(&meta()).unwrap();
    let json = std::fs::read(tmp.path().join(JSON_FILE)).unwrap();
    let json: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(json["kind"], "import_validation");
    let html = std::fs::read_to_string(tmp.path().join(HTML_FILE)).unwrap();
    assert!(html.contains(EVENT_PAGE) && !html.contains("nothing was sent"));
}

/// The dry run decodes a row's fields only when `needs_fields` says the
/// report will read them: fed with an empty record whenever it says no, the
/// report writes the same files, also once its lists are full and when a
/// warning first seen late starts a group keyed by a cell.
#[test]
fn a_row_whose_fields_are_not_needed_changes_nothing_when_left_empty() {
    let tmp = tempfile::tempdir().unwrap();
    let empty = StringRecord::new();
    let mut declined = 0;
    let mut outputs = Vec::new();
    for lazy in [false, true] {
        let dir = tmp.path().join(if lazy { "lazy" } else { "full" });
        let mut report = Report::create(opts(&dir, 3)).unwrap();
        for i in 1..=60u64 {
            let mut fields = StringRecord::new();
            for c in COLUMNS {
                fields.push_field(&format!("{c}-{i}"));
            }
            let mut findings = Vec::new();
            if i % 7 == 0 {
                findings.push(FieldError::error(
                    "client.emailAddress",
                    ReturnCode::EmailAddressFormatIsInvalid,
                    "not an email",
                ));
            }
            if i % 2 == 0 {
                findings.push(FieldError::warning(
                    "client.lastName",
                    ReturnCode::DuplicateClient,
                    "same name as another row",
                ));
            }
            if i == 41 || i == 43 {
                // New warnings after the warned list is full: groups start.
                findings.push(FieldError::warning(
                    "client.notes",
                    ReturnCode::StateNotSettable,
                    format!("late warning {i}"),
                ));
            }
            let origins: Vec<Option<String>> = findings
                .iter()
                .map(|f| {
                    Some(
                        if f.field == "client.emailAddress" {
                            "EMAIL"
                        } else {
                            "LAST"
                        }
                        .to_string(),
                    )
                })
                .collect();
            let use_empty = lazy && !report.needs_fields(&findings);
            declined += usize::from(use_empty);
            let valid = !findings.iter().any(FieldError::is_error);
            let body = format!("{{\"client\":{{\"id\":\"{i}\"}}}}");
            report
                .add(&Verdict {
                    row: i,
                    line: i + 1,
                    fields: if use_empty { &empty } else { &fields },
                    findings: &findings,
                    origins: &origins,
                    body: valid.then_some(Body::Bytes(body.as_bytes())),
                })
                .unwrap();
        }
        report.finish(&meta()).unwrap();
        let mut files = Vec::new();
        for name in [JSON_FILE, REJECTS_FILE, HTML_FILE, PAYLOADS_FILE] {
            let text = std::fs::read_to_string(dir.join(name)).unwrap();
            // The page says when it was generated, to the minute.
            files.push(match text.split_once("generated ") {
                Some((head, tail)) => format!("{head}{}", &tail[tail.find('<').unwrap()..]),
                None => text,
            });
        }
        outputs.push(files);
    }
    assert!(
        declined > 20,
        "most clean and warned rows are declined: {declined}"
    );
    assert!(outputs[0] == outputs[1], "the files differ");
}
