//! `ferry reconcile`: flags into [`ReconcileOptions`], the check, a terminal
//! summary, `reconcile.json` and `reconcile.html`, and the exit code: 0 when
//! every row matches, 1 when something differs, 2 bad usage (or the event's
//! files changed), 3 target unavailable.

use super::args::ReconcileArgs;
use super::import_cmd::{resolve_for_event, resolve_target};
use super::project_file;
use super::{report_error, Exit};
use crate::pipeline::target_session::TargetChoice;
use crate::reconcile::{self, Finding, ReconcileError, ReconcileOptions};
use crate::report::thousands;

/// Rows that do not match listed on the terminal; the files have them all.
const SHOWN: usize = 20;

pub fn run(a: ReconcileArgs) -> Exit {
    let (target, resolved) = match (&a.target, a.sandbox) {
        (Some(given), false) => match resolve_target(given, &a.pace) {
            Ok(r) => (Some(TargetChoice::Url(r.url.clone())), r),
            Err(exit) => return exit,
        },
        (None, true) => (
            Some(TargetChoice::Sandbox {
                state: a.sandbox_state.clone(),
                tenant: None,
            }),
            project_file::for_event_target(None, "sandbox:", &a.pace),
        ),
        // The target the event was imported into, with its named settings.
        _ => match resolve_for_event(&a.ledger.ledger, &a.event, &a.pace) {
            Ok(r) => (None, r),
            Err(exit) => return exit,
        },
    };
    let opts = ReconcileOptions {
        event: a.event,
        ledger: a.ledger.ledger,
        target,
        credentials_file: resolved.credentials_file,
        pace: resolved.pace,
        page_size: a.page_size,
    };
    let rec = match reconcile::reconcile(&opts) {
        Ok(r) => r,
        Err(e) => {
            report_error(&e);
            return match &e {
                ReconcileError::Session(s) => Exit::for_session(s),
                ReconcileError::Target(_) => Exit::TargetUnavailable,
                _ => Exit::BadInput,
            };
        }
    };
    let counts: Vec<String> = rec
        .counts
        .iter()
        .map(|(f, n)| format!("{} {}", thousands(*n), f.as_str().to_lowercase()))
        .collect();
    println!(
        "reconcile of migration event {} ({}): {} clients checked: {}",
        rec.event,
        rec.event_state,
        thousands(rec.clients),
        counts.join(", ")
    );
    // Under -q the line above is the result; the rest is for people.
    let quiet = super::quiet();
    if !quiet {
        println!(
            "{} requests to {} (one GET per client would take {})",
            thousands(rec.requests),
            rec.target,
            thousands(rec.one_get_per_client)
        );
    }
    if rec.documents > 0 && !quiet {
        println!(
            "{} documents compared with {} more requests (one GET per document: the API has no bulk read of documents)",
            thousands(rec.documents),
            thousands(rec.document_requests)
        );
    }
    let bad: Vec<_> = rec
        .rows
        .iter()
        .filter(|r| r.finding != Finding::Matches)
        .collect();
    for r in bad.iter().take(if quiet { 0 } else { SHOWN }) {
        let fields: Vec<String> = r
            .fields
            .iter()
            .map(|d| format!("{}: {} → {}", d.field, d.expected, d.now))
            .collect();
        println!(
            "  row {} (line {}) client {}: {}{}{}",
            r.row,
            r.line,
            r.client_id.as_deref().unwrap_or("?"),
            r.finding.as_str(),
            if fields.is_empty() { "" } else { " " },
            fields.join("; ")
        );
    }
    if bad.len() > SHOWN && !quiet {
        println!("  … and {} more rows", bad.len() - SHOWN);
    }
    match reconcile::write_reports(&rec, &a.report_dir) {
        Ok((json, html)) => {
            if !quiet {
                println!("report: {} and {}", json.display(), html.display());
            }
        }
        Err(e) => {
            report_error(&format!("{}: {e}", a.report_dir.display()));
            return Exit::BadInput;
        }
    }
    if rec.all_match() {
        Exit::Done
    } else {
        Exit::SomeRowsRejected
    }
}
