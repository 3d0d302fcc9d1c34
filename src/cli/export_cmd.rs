//! `ferry export`: flags into [`ExportOptions`], the run, a one-line
//! summary and the exit code (0 done, 2 bad usage or file, 3 target
//! unavailable or a page it would not serve; the export can be resumed).

use super::args::{ExportArgs, ExportFormat};
use super::import_cmd::resolve_target;
use super::project_file;
use super::{report_error, Exit};
use crate::pipeline::export::{self, ExportError, ExportOptions, ExportRun, Filters, Format};
use crate::pipeline::target_session::TargetChoice;
use crate::report::thousands;

fn day(flag: &str, v: &Option<String>) -> Result<Option<String>, String> {
    match v {
        None => Ok(None),
        Some(d) => d
            .parse::<jiff::civil::Date>()
            .map(|d| Some(d.to_string()))
            .map_err(|_| format!("{flag} {d:?}: expected a day as YYYY-MM-DD")),
    }
}

pub fn run(a: ExportArgs) -> Exit {
    let (target, credentials_file, pace) = match (&a.target, a.sandbox) {
        (Some(given), false) => match resolve_target(given, &a.pace) {
            Ok(r) => (TargetChoice::Url(r.url), r.credentials_file, r.pace),
            Err(exit) => return exit,
        },
        _ => {
            let r = project_file::for_event_target(None, "sandbox:", &a.pace);
            let sandbox = TargetChoice::Sandbox {
                state: a.sandbox_state.clone(),
                tenant: a.tenant.clone(),
            };
            (sandbox, r.credentials_file, r.pace)
        }
    };
    let run = match &a.resume {
        Some(event) => ExportRun::Resume(event.clone()),
        None => {
            let (from, to) = match (
                day("--created-from", &a.created_from),
                day("--created-to", &a.created_to),
            ) {
                (Ok(f), Ok(t)) => (f, t),
                (Err(e), _) | (_, Err(e)) => {
                    report_error(&e);
                    return Exit::BadInput;
                }
            };
            ExportRun::New {
                out: a.out.clone(),
                format: match a.format {
                    ExportFormat::Csv => Format::Csv,
                    ExportFormat::Ndjson => Format::Ndjson,
                },
                filters: Filters {
                    branch: a.branch.clone(),
                    states: a.state.iter().map(|s| s.trim().to_uppercase()).collect(),
                    created_from: from,
                    created_to: to,
                },
                page_size: a.page_size,
                tenant: a.tenant.clone(),
                mapping: a.mapping.clone(),
            }
        }
    };
    if let Some(m) = &a.mapping {
        match export::legacy_columns(m) {
            Ok(l) => {
                for note in &l.not_exported {
                    super::output::note(&format!(
                        "ferry: note: not in the export's columns: {note}"
                    ));
                }
            }
            Err(e) => {
                report_error(&e);
                return Exit::BadInput;
            }
        }
    }
    let opts = ExportOptions {
        target,
        credentials_file,
        pace,
        ledger: a.ledger.ledger,
        run,
    };
    match export::export(&opts) {
        Ok(s) => {
            println!(
                "migration event {} (EXPORT) APPROVED: {} clients in {} ({} requests{})",
                s.event,
                thousands(s.exported),
                s.out.display(),
                thousands(s.requests),
                if s.resumed { ", resumed" } else { "" }
            );
            if s.documents > 0 && !super::quiet() {
                println!(
                    "{} documents in {} (one GET each)",
                    thousands(s.documents),
                    s.documents_dir.display()
                );
            }
            Exit::Done
        }
        Err(e) => {
            report_error(&e);
            match &e {
                ExportError::Session(s) => Exit::for_session(s),
                ExportError::Page { .. } => Exit::TargetUnavailable,
                _ => Exit::BadInput,
            }
        }
    }
}
