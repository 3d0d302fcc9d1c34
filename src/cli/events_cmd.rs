//! `ferry events` and `ferry events show EVENT` (with `--html FILE` and
//! `--json FILE`, the event report for any event in the ledger).

use std::io::Write;

use super::args::{EventsArgs, EventsCommand, OutputFormat};
use super::{report_error, Exit};
use std::path::Path;

use crate::ledger::{Ledger, LedgerError, RowStatus};
use crate::pipeline::outcome_files::{self, OutcomeFilesError};
use crate::report::event_page::EventPage;
use crate::report::thousands;

/// Why an event cannot be listed or shown.
#[derive(Debug, thiserror::Error)]
enum ShowError {
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    #[error(transparent)]
    Files(#[from] OutcomeFilesError),
    #[error("cannot render the event: {0}")]
    Render(#[from] serde_json::Error),
    #[error("writing the event report: {0}")]
    Page(#[from] std::io::Error),
}

pub fn run(a: EventsArgs) -> Exit {
    let ledger = match Ledger::open_existing(&a.ledger.ledger) {
        Ok(l) => l,
        Err(e) => {
            report_error(&e);
            return Exit::BadInput;
        }
    };
    let text = match a.show {
        None if a.output.format == OutputFormat::Json => list_json(&ledger),
        None => list(&ledger),
        Some(EventsCommand::Show {
            event,
            failures,
            files,
            html,
            json,
        }) => show(&ledger, &event, failures, files.as_deref())
            .and_then(|t| page(&ledger, &event, html.as_deref(), json.as_deref()).map(|()| t)),
    };
    match text {
        Ok(t) => {
            let _ = std::io::stdout().write_all(t.as_bytes());
            Exit::Done
        }
        Err(e) => {
            report_error(&e);
            Exit::BadInput
        }
    }
}

fn list(ledger: &Ledger) -> Result<String, ShowError> {
    let events = ledger.events()?;
    if events.is_empty() {
        return Ok("no migration events in this ledger\n".into());
    }
    let mut out = format!(
        "{:<34}{:<10}{:<26}{:<10}{:>9}{:>9}{:>9}{:>10}  {}\n",
        "EVENT",
        "STATE",
        "STARTED",
        "COMPLETE",
        "CREATED",
        "UPDATED",
        "FAILED",
        "UNSETTLED",
        "SOURCE"
    );
    for e in events {
        out += &format!(
            "{:<34}{:<10}{:<26}{:<10}{:>9}{:>9}{:>9}{:>10}  {}\n",
            e.encoded_key,
            e.state.as_str(),
            e.creation_date,
            if e.is_complete() { "yes" } else { "no" },
            thousands(e.count(RowStatus::Created)),
            thousands(e.count(RowStatus::Updated)),
            thousands(e.count(RowStatus::Failed)),
            thousands(e.unsettled()),
            e.source_path.display()
        );
    }
    Ok(out)
}

/// The list for `--format json`: an array, one object per event, with the
/// columns of the table under stable names (docs/output-formats.md).
fn list_json(ledger: &Ledger) -> Result<String, ShowError> {
    let events: Vec<_> = ledger
        .events()?
        .iter()
        .map(|e| {
            serde_json::json!({
                "event": e.encoded_key,
                "state": e.state.as_str(),
                "started": e.creation_date,
                "complete": e.is_complete(),
                "created": e.count(RowStatus::Created),
                "updated": e.count(RowStatus::Updated),
                "failed": e.count(RowStatus::Failed),
                "rejected": e.count(RowStatus::Rejected),
                "unsettled": e.unsettled(),
                "source": e.source_path,
                "target": e.target,
            })
        })
        .collect();
    Ok(serde_json::to_string_pretty(&events)? + "\n")
}

fn show(
    ledger: &Ledger,
    key: &str,
    failures: usize,
    files: Option<&Path>,
) -> Result<String, ShowError> {
    let e = ledger.event(key)?;
    if let Some(dir) = files {
        outcome_files::write(ledger, &e, dir)?;
    }
    let doc = serde_json::json!({
        "migrationEvent": e.to_migration_event(),
        "source": {"file": e.source_path, "fingerprint": e.source_fingerprint},
        "mapping": {"file": e.mapping_path, "fingerprint": e.mapping_fingerprint},
        "tenant": {"file": e.tenant_path, "fingerprint": e.tenant_fingerprint},
        "target": e.target,
        "mode": e.mode.as_str(),
        "complete": e.is_complete(),
        "rows": e.counts.iter().map(|(s, n)| (s.as_str().to_string(), serde_json::Value::from(*n))).collect::<serde_json::Map<_, _>>(),
        "failures": ledger.failures(&e.encoded_key, failures)?.iter().map(|r| serde_json::json!({
            "row": r.row,
            "line": r.line,
            "id": r.client_id,
            "status": r.status.as_str(),
            "code": r.error.as_ref().map(|x| x.code),
            "name": r.error.as_ref().map(|x| x.name.clone()),
            "message": r.error.as_ref().map(|x| x.message.clone()),
        })).collect::<Vec<_>>(),
    });
    Ok(serde_json::to_string_pretty(&doc)? + "\n")
}

/// Writes the event report to the files asked for, if any.
fn page(
    ledger: &Ledger,
    key: &str,
    html: Option<&Path>,
    json: Option<&Path>,
) -> Result<(), ShowError> {
    if html.is_none() && json.is_none() {
        return Ok(());
    }
    let page = EventPage::from_ledger(ledger, key)?;
    if let Some(path) = html {
        page.write_html(path)?;
    }
    if let Some(path) = json {
        page.write_json(path)?;
    }
    Ok(())
}
