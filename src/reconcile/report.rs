//! `reconcile.json` and `reconcile.html`: a [`Reconciliation`] for machines
//! and for people.
//!
//! In: the reconciliation and the report directory. Out: the two files
//! (mode 0600, the directory 0700), the JSON the whole reconciliation, the
//! page a self-contained HTML document (no scripts, no external resources)
//! under `<main id="reconcile-report">` listing every row that does not
//! match with its source line (anchored: `reconcile.html#line-N`), field,
//! expected and current value. Every value reaching the page is escaped. Fails with the `io::Error`.

use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{Finding, Reconciliation};
use crate::private_files;

/// Escapes `& < > " '`: safe in text and in quoted attributes.
fn esc(s: &str) -> String {
    crate::report::Esc(s).to_string()
}

fn shown(v: &Value) -> String {
    match v {
        Value::Null => "—".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

const STYLE: &str = "body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}\
table{border-collapse:collapse;margin-top:1em}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}\
th{background:#f3f3f3}.MATCHES{color:#176117}.DIFFERS,.GONE,.REMAINS,.UNTRACKED{color:#a31515;font-weight:600}\
.ok{color:#176117}.bad{color:#a31515}code{font-size:13px}";

/// The page.
pub fn html(rec: &Reconciliation) -> String {
    let mut h = String::new();
    let verdict = if rec.all_match() {
        "<p class=\"ok\">Every row matches the target.</p>".to_string()
    } else {
        "<p class=\"bad\">Some rows do not match the target.</p>".to_string()
    };
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>Reconcile {event}</title><style>{STYLE}</style></head><body>\n\
         <main id=\"reconcile-report\">\n<h1>Reconcile of migration event <code>{event}</code></h1>\n\
         <p>State {state}; source <code>{source}</code>; target <code>{target}</code>; checked {at}.</p>\n{verdict}\n\
         <p>{clients} clients checked with {requests} requests (one GET per client would take {one}){docs}.</p>\n<table><tr><th>Finding</th><th>Rows</th></tr>\n",
        event = esc(&rec.event),
        state = esc(&rec.event_state),
        source = esc(&rec.source),
        target = esc(&rec.target),
        at = esc(&rec.checked_at),
        clients = rec.clients,
        requests = rec.requests,
        one = rec.one_get_per_client,
        docs = if rec.documents > 0 {
            format!(
                "; {} documents with {} more requests, one GET each",
                rec.documents, rec.document_requests
            )
        } else {
            String::new()
        },
    );
    for (f, n) in &rec.counts {
        let _ = writeln!(
            h,
            "<tr><td class=\"{0}\">{0}</td><td>{n}</td></tr>",
            f.as_str()
        );
    }
    h.push_str("</table>\n");
    let bad: Vec<_> = rec
        .rows
        .iter()
        .filter(|r| r.finding != Finding::Matches)
        .collect();
    if !bad.is_empty() {
        h.push_str(
            "<h2>Rows that do not match</h2>\n<table><tr><th>Row</th><th>Source line</th><th>Client id</th>\
             <th>Ledger</th><th>Finding</th><th>Field</th><th>Expected</th><th>Now</th></tr>\n",
        );
        for r in bad {
            // The first line of a row carries its anchor: reconcile.html#line-N.
            let head = |first: bool| {
                format!(
                    "<td>{row}</td><td{anchor}>line {line}</td><td>{id}</td><td>{st}</td><td class=\"{f}\">{f}</td>",
                    row = r.row,
                    anchor = if first { format!(" id=\"line-{}\"", r.line) } else { String::new() },
                    line = r.line,
                    id = esc(r.client_id.as_deref().unwrap_or("")),
                    st = esc(&r.ledger_status),
                    f = r.finding.as_str(),
                )
            };
            if r.fields.is_empty() {
                let _ = writeln!(h, "<tr>{}<td></td><td></td><td></td></tr>", head(true));
            }
            for (i, d) in r.fields.iter().enumerate() {
                let _ = writeln!(
                    h,
                    "<tr>{}<td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                    head(i == 0),
                    esc(&d.field),
                    esc(&shown(&d.expected)),
                    esc(&shown(&d.now))
                );
            }
        }
        h.push_str("</table>\n");
    }
    h.push_str("</main>\n</body></html>\n");
    h
}

/// Writes `reconcile.json` and `reconcile.html` into `dir`.
pub fn write_reports(rec: &Reconciliation, dir: &Path) -> std::io::Result<(PathBuf, PathBuf)> {
    private_files::private_dir(dir)?;
    let json_path = dir.join("reconcile.json");
    let mut f = private_files::create_file(&json_path)?;
    serde_json::to_writer_pretty(&mut f, rec)?;
    f.write_all(b"\n")?;
    let html_path = dir.join("reconcile.html");
    private_files::create_file(&html_path)?.write_all(html(rec).as_bytes())?;
    Ok((json_path, html_path))
}

#[cfg(test)]
mod tests {
    use super::super::diff::FieldDiff;
    use super::super::RowCheck;
    use super::*;
    use serde_json::json;

    #[test]
    fn the_page_escapes_every_value_and_lists_what_differs() {
        let rec = Reconciliation {
            event: "e1".into(),
            event_state: "DRAFT".into(),
            target: "http://h".into(),
            source: "/x/<clients>.csv".into(),
            checked_at: "2026-01-01T00:00:00Z".into(),
            clients: 2,
            requests: 2,
            one_get_per_client: 2,
            documents: 0,
            document_requests: 0,
            counts: [(Finding::Matches, 1), (Finding::Differs, 1)].into(),
            rows: vec![RowCheck {
                row: 7,
                line: 8,
                client_id: Some("<b>C7</b>".into()),
                target_key: None,
                ledger_status: "CREATED".into(),
                finding: Finding::Differs,
                expected: "sent",
                fields: vec![FieldDiff {
                    field: "client.firstName".into(),
                    expected: json!("Ann"),
                    now: json!("<script>alert('x')</script>"),
                }],
            }],
        };
        let page = html(&rec);
        assert!(page.contains("<main id=\"reconcile-report\">"));
        assert!(!page.contains("<script>"));
        assert!(!page.contains("<b>C7"));
        assert!(page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
        assert!(page.contains("<td id=\"line-8\">line 8</td>"));
        assert!(page.contains("/x/&lt;clients&gt;.csv"));
        let dir = tempfile::tempdir().unwrap();
        let (j, h) = write_reports(&rec, &dir.path().join("r")).unwrap();
        use std::os::unix::fs::PermissionsExt;
        for p in [&j, &h] {
            assert_eq!(
                std::fs::metadata(p).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        let back: Value = serde_json::from_str(&std::fs::read_to_string(j).unwrap()).unwrap();
        assert_eq!(back["rows"][0]["fields"][0]["field"], "client.firstName");
        assert_eq!(back["counts"]["DIFFERS"], 1);
    }
}
