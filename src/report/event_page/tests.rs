//! The event page built from a real ledger: counts, failures and runs as
//! the ledger holds them, hostile client data escaped, files private.

use super::html::{esc, file_url};
use super::*;
use crate::field_error::FieldError;
use crate::ledger::{ImportMode, NewEvent, NewRow, RowError, RowUpdate, RunEnd, RunVerb};
use crate::model::ReturnCode;

const HOSTILE: &str = r#"<script>alert("x")</script>'&"#;

/// A ledger with one event: two created rows, one refused by the target
/// with a hostile id and message, one rejected with two findings, one
/// pending; one import run, interrupted.
fn ledger_with_event() -> (tempfile::TempDir, Ledger, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::open(&dir.path().join("l.db")).unwrap();
    let new = NewEvent {
        source_path: "/data/my clients#1.csv".into(),
        source_fingerprint: "f00d".into(),
        mapping_path: "/data/m.toml".into(),
        mapping_fingerprint: "beef".into(),
        tenant_path: None,
        tenant_fingerprint: Some("cafe".into()),
        target: "http://127.0.0.1:1".into(),
        mode: ImportMode::Create,
    };
    let key = ledger.create_event(&new).unwrap().encoded_key;
    let run = ledger.start_run(&key, RunVerb::Import).unwrap();
    let findings = [
        FieldError::error(
            "client.emailAddress",
            ReturnCode::EmailAddressFormatIsInvalid,
            HOSTILE,
        ),
        FieldError::error("client.birthDate", ReturnCode::InvalidDate, "bad date"),
    ];
    ledger
        .insert_rows(
            &key,
            &[
                NewRow::pending(1, 2, Some("C1".into())),
                NewRow::pending(2, 3, Some("C2".into())),
                NewRow::pending(3, 4, Some(HOSTILE.into())),
                NewRow::rejected(4, 6, Some("C4".into()), RowError::new(711, "E", "e"))
                    .with_findings(&findings),
                NewRow::pending(5, 7, Some("C5".into())),
            ],
        )
        .unwrap();
    ledger.mark_sent(&key, &[1, 2, 3]).unwrap();
    ledger
        .apply(
            &key,
            &[
                RowUpdate::new(1, RowStatus::Created),
                RowUpdate::new(2, RowStatus::Created),
                RowUpdate::new(3, RowStatus::Failed).with_error(RowError::new(
                    316,
                    "CLIENT_ID_ALREADY_IN_USE",
                    HOSTILE,
                )),
            ],
        )
        .unwrap();
    ledger
        .finish_run(
            &run,
            RunEnd {
                interrupted: true,
                answered: Some(3),
                requests: 4,
            },
        )
        .unwrap();
    (dir, ledger, key)
}

#[test]
fn the_page_holds_what_the_ledger_holds() {
    let (_dir, ledger, key) = ledger_with_event();
    let page = EventPage::from_ledger(&ledger, &key[..8]).unwrap();
    assert_eq!(page.event, key);
    assert_eq!(page.state, "DRAFT");
    let expected = RowCounts {
        total: 5,
        created: 2,
        failed: 1,
        rejected: 1,
        pending: 1,
        unsettled: 1,
        ..RowCounts::default()
    };
    assert_eq!(page.rows, expected);
    assert_eq!(page.status.verdict, Verdict::Unfinished);
    assert_eq!(
        page.status.next.as_deref(),
        Some(format!("ferry resume {key}").as_str())
    );
    let codes: Vec<(&str, &str, u64)> = page
        .failures_by_code
        .iter()
        .map(|g| (g.stage, g.key.as_str(), g.rows))
        .collect();
    assert_eq!(
        codes,
        [
            ("validation", "102", 1),
            ("validation", "711", 1),
            ("target", "316", 1)
        ]
    );
    let fields: Vec<&str> = page
        .failures_by_field
        .iter()
        .map(|g| g.key.as_str())
        .collect();
    assert_eq!(fields, ["client.birthDate", "client.emailAddress"]);
    let rows: Vec<(u64, &str, Option<&str>, &str)> = page
        .first_failed_rows
        .iter()
        .map(|r| (r.row, r.status, r.field.as_deref(), r.source_ref.as_str()))
        .collect();
    assert_eq!(
        rows,
        [
            (3, "FAILED", None, "my clients#1.csv:4"),
            (
                4,
                "REJECTED",
                Some("client.emailAddress"),
                "my clients#1.csv:6"
            ),
        ]
    );
    assert_eq!(page.first_failed_rows[1].code, Some(711));
    assert_eq!(page.runs.len(), 1);
    let run = &page.runs[0];
    assert_eq!((run.verb, run.outcome), ("import", "interrupted"));
    assert_eq!((run.sent, run.requests), (Some(3), Some(4)));
    assert_eq!(run.moved(RowStatus::Created), 2);
    assert_eq!(run.moved(RowStatus::Rejected), 1);
    assert!(run.ended_at.is_some() && run.seconds.is_some());
    assert_eq!(page.tenant.fingerprint.as_deref(), Some("cafe"));

    // The JSON is the same data.
    let json: serde_json::Value = serde_json::from_str(&page.to_json()).unwrap();
    assert_eq!(json, serde_json::to_value(&page).unwrap());
    assert_eq!(json["rows"]["created"], 2);
    assert_eq!(json["status"]["verdict"], "UNFINISHED");
    assert_eq!(json["runs"][0]["rows"]["CREATED"], 2);
}

#[test]
fn hostile_ids_and_messages_never_become_markup() {
    let (_dir, ledger, key) = ledger_with_event();
    let html = EventPage::from_ledger(&ledger, &key).unwrap().to_html();
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains(r#"alert("x")"#));
    assert!(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39;&amp;"));
    assert!(
        html.contains(r#"<main id="event-report" data-state="DRAFT" data-verdict="UNFINISHED">"#)
    );
    // Self-contained: no script, no external resource.
    for banned in [
        "<script", "<link", "<img", "<iframe", "src=", "http://", "https://", "@import",
    ] {
        let outside_target = html.replace("http://127.0.0.1:1", "");
        assert!(!outside_target.contains(banned), "{banned} in page");
    }
    // The link to the source line is a percent-encoded file URL.
    assert!(
        html.contains(r#"href="file:///data/my%20clients%231.csv""#),
        "{html}"
    );
}

#[test]
fn escaping_and_file_urls() {
    assert_eq!(
        esc(HOSTILE),
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39;&amp;"
    );
    assert_eq!(esc("Zoë"), "Zoë");
    assert_eq!(
        file_url("/a b/\"x\"?.csv").as_deref(),
        Some("file:///a%20b/%22x%22%3F.csv")
    );
    assert_eq!(file_url("relative.csv"), None);
}

#[test]
fn an_event_from_before_runs_were_kept_says_so() {
    let (_dir, ledger, key) = ledger_with_event();
    rusqlite::Connection::open(ledger.path())
        .unwrap()
        .execute("DELETE FROM runs", [])
        .unwrap();
    let page = EventPage::from_ledger(&ledger, &key).unwrap();
    assert!(page.runs.is_empty());
    assert!(page.to_html().contains("No runs recorded"));
}

#[cfg(unix)]
#[test]
fn both_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let (dir, ledger, key) = ledger_with_event();
    let page = EventPage::from_ledger(&ledger, &key).unwrap();
    let out = dir.path().join("reports");
    page.write(&out).unwrap();
    for f in [EVENT_HTML_FILE, EVENT_JSON_FILE] {
        let mode = std::fs::metadata(out.join(f)).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{f}");
    }
    let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700);
}
