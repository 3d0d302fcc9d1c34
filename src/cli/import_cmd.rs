//! `ferry import` and `ferry resume`, and the summary they end with — one
//! that tells the truth after a Ctrl-C: rows in the file, rows the event
//! recorded and how each ended, rows not read into it yet, and the exact
//! command that carries on.

use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use serde_json::json;

use super::args::{ImportArgs, ModeArg, OutputFormat, PaceArgs, ResumeArgs};
use super::output::{self, Rendered};
use super::project_file::{self, Resolved};
use super::{report_error, Exit};
use crate::ledger::{ImportMode, Ledger, RowStatus};
use crate::pipeline::check::CheckOptionsForFile;
use crate::pipeline::import::{self, ImportError, ImportOptions, ImportReport, ResumeOptions};
use crate::pipeline::target_session::TargetChoice;
use crate::report::thousands;

/// `--target` (a URL or a project file's name) with the pace flags, as a
/// target; prints the error and gives the exit code when it cannot be.
pub(super) fn resolve_target(given: &str, pace: &PaceArgs) -> Result<Resolved, Exit> {
    let resolved = super::project()
        .and_then(|p| project_file::resolve(p.as_ref(), given, pace))
        .and_then(|r| r.export_credentials().map(|()| r));
    resolved.map_err(|e| {
        report_error(&e);
        Exit::BadInput
    })
}

/// The pace and credentials for the target an event was imported into:
/// the flags, else the project file's target with that URL.
pub(super) fn resolve_for_event(
    ledger: &Path,
    key: &str,
    pace: &PaceArgs,
) -> Result<Resolved, Exit> {
    let fail = |e: String| {
        report_error(&e);
        Exit::BadInput
    };
    let project = super::project().map_err(fail)?;
    // The ledger's own errors (no ledger, no such event) are the verb's to report.
    let label = Ledger::open_existing(ledger)
        .and_then(|l| l.event(key))
        .map(|e| e.target)
        .unwrap_or_default();
    let r = project_file::for_event_target(project.as_ref(), &label, pace);
    r.export_credentials().map_err(fail)?;
    Ok(r)
}

const NO_TARGET: &str = "no target: pass --target URL (e.g. https://tenant.mambu.com), \
     --target NAME for a target named in ferry.toml, or --sandbox to rehearse against the \
     embedded sandbox";

pub fn run(a: ImportArgs) -> Exit {
    let (target, credentials_file, pace) = match (&a.target, a.sandbox) {
        (Some(given), false) => match resolve_target(given, &a.pace) {
            Ok(r) => (TargetChoice::Url(r.url), r.credentials_file, r.pace),
            Err(exit) => return exit,
        },
        (None, true) => {
            let r = project_file::for_event_target(None, "sandbox:", &a.pace);
            (
                TargetChoice::Sandbox {
                    state: a.sandbox_state.clone(),
                    tenant: a.tenant.clone(),
                },
                r.credentials_file,
                r.pace,
            )
        }
        _ => {
            report_error(&NO_TARGET);
            return Exit::BadInput;
        }
    };
    let resume_flags = resume_flags(&a.pace, &a.ledger.ledger, &a.report_dir);
    let opts = ImportOptions {
        check: CheckOptionsForFile {
            input: a.input,
            mapping: a.mapping,
            tenant: a.tenant,
            threads: a.threads,
            chunk_rows: crate::pipeline::check::DEFAULT_CHUNK_ROWS,
            progress: !super::quiet(),
            require_id: true,
            joins: a.join.clone(),
        },
        target,
        credentials_file,
        pace,
        mode: match a.mode {
            ModeArg::Create => ImportMode::Create,
            ModeArg::Upsert => ImportMode::Upsert,
        },
        ledger: a.ledger.ledger,
        report_dir: a.report_dir,
        payloads: a.payloads,
        again: a.again,
        tenant_from_target: a.tenant_from_target,
        allow_notifications: a.allow_notifications,
    };
    finish(
        import::import(&opts, Arc::new(AtomicBool::new(false))),
        &opts.report_dir,
        &resume_flags,
        a.output.format,
    )
}

pub fn resume(a: ResumeArgs) -> Exit {
    let resolved = match resolve_for_event(&a.ledger.ledger, &a.event, &a.pace) {
        Ok(r) => r,
        Err(exit) => return exit,
    };
    let resume_flags = resume_flags(&a.pace, &a.ledger.ledger, &a.report_dir);
    let opts = ResumeOptions {
        event: a.event,
        ledger: a.ledger.ledger,
        credentials_file: resolved.credentials_file,
        pace: resolved.pace,
        report_dir: a.report_dir,
        threads: a.threads,
        progress: !super::quiet(),
    };
    finish(
        import::resume(&opts, Arc::new(AtomicBool::new(false))),
        &opts.report_dir,
        &resume_flags,
        a.output.format,
    )
}

/// The flags a `ferry resume` needs to carry on as this run went: the
/// ledger and report directory when not the defaults, the pace given.
fn resume_flags(pace: &PaceArgs, ledger: &Path, report_dir: &Path) -> String {
    let mut flags = String::new();
    if ledger != Path::new("ferry-ledger.db") {
        flags += &format!(" --ledger {}", shell_word(ledger));
    }
    if report_dir != Path::new("reports") {
        flags += &format!(" --report-dir {}", shell_word(report_dir));
    }
    if let Some(r) = pace.rate {
        flags += &format!(" --rate {r}");
    }
    if let Some(c) = pace.concurrency {
        flags += &format!(" --concurrency {c}");
    }
    if let Some(f) = &pace.credentials_file {
        flags += &format!(" --credentials-file {}", shell_word(f));
    }
    flags
}

/// A path as one shell word (quoted when it needs to be).
fn shell_word(p: &Path) -> String {
    let s = p.display().to_string();
    if s.chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-+:=@,".contains(c))
    {
        s
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

fn finish(
    result: Result<ImportReport, ImportError>,
    report_dir: &Path,
    resume_flags: &str,
    format: OutputFormat,
) -> Exit {
    match result {
        Ok(r) => {
            output::print(format, render(&r, report_dir, resume_flags));
            if r.all_done() {
                Exit::Done
            } else {
                Exit::SomeRowsRejected
            }
        }
        Err(e) => {
            report_error(&e);
            Exit::for_import(&e)
        }
    }
}

/// Where every row of the file stands at the end of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct RowsAccount {
    in_file: u64,
    recorded: u64,
    not_recorded: u64,
    rejected: u64,
    created: u64,
    updated: u64,
    failed: u64,
    sent_unanswered: u64,
    pending: u64,
    /// Recorded rows in any other state (a revert's, on a DRAFT event).
    other: u64,
}

impl RowsAccount {
    fn of(r: &ImportReport) -> Self {
        let e = &r.event;
        let recorded: u64 = e.counts.values().sum();
        let n = |s| e.count(s);
        let named = [
            RowStatus::Rejected,
            RowStatus::Created,
            RowStatus::Updated,
            RowStatus::Failed,
            RowStatus::Sent,
            RowStatus::Pending,
        ];
        let other = recorded - named.iter().map(|s| n(*s)).sum::<u64>();
        // The validation pass read the whole file, even when a Ctrl-C
        // stopped the run before every row was recorded.
        let in_file = r.validation.rows_read.max(recorded);
        Self {
            in_file,
            recorded,
            not_recorded: in_file - recorded,
            rejected: n(RowStatus::Rejected),
            created: n(RowStatus::Created),
            updated: n(RowStatus::Updated),
            failed: n(RowStatus::Failed),
            sent_unanswered: n(RowStatus::Sent),
            pending: n(RowStatus::Pending),
            other,
        }
    }

    /// Rows a resume still has to take up: not recorded yet, waiting, or
    /// sent without an answer.
    fn left(&self) -> u64 {
        self.not_recorded + self.pending + self.sent_unanswered
    }
}

fn render(r: &ImportReport, report_dir: &Path, resume_flags: &str) -> Rendered {
    let e = &r.event;
    let rows = RowsAccount::of(r);
    let secs = r.sending.as_secs_f64().max(0.001);
    let rate = (r.requests as f64 / secs).round() as u64;
    let finished = !(r.interrupted || rows.left() > 0);
    let next = if finished {
        format!(
            "open {page}, then ferry approve {k} or ferry revert {k}",
            page = report_dir.join("event.html").display(),
            k = short(&e.encoded_key)
        )
    } else {
        format!("ferry resume {}{resume_flags}", short(&e.encoded_key))
    };

    let line = |label: &str, n: u64| format!("  {label:<34}{:>12}\n", thousands(n));
    let mut text = format!("{}\n", r.validation.render_table());
    text += &format!(
        "migration event {} ({}){}\n",
        e.encoded_key,
        e.state,
        if r.interrupted {
            ", stopped by Ctrl-C"
        } else {
            ""
        }
    );
    text += &line("rows in the file", rows.in_file);
    text += &line("rows recorded in the event", rows.recorded);
    text += &line("  rejected (not sent)", rows.rejected);
    text += &line("  clients created", rows.created);
    text += &line("  clients updated", rows.updated);
    text += &line("  failed at the target", rows.failed);
    text += &line("  sent, answer not recorded", rows.sent_unanswered);
    text += &line("  waiting to be sent", rows.pending);
    if rows.other > 0 {
        text += &line("  other (reverted rows)", rows.other);
    }
    text += &line("rows not read into the event yet", rows.not_recorded);
    text += &line("left for a resume", rows.left());
    text += &line("requests per second (sending)", rate);
    text += &line("throttled (429)", r.throttled);
    text += &format!("  {:<34}{:>12.1}\n", "seconds", r.elapsed.as_secs_f64());
    text += &format!(
        "reports in {} (the event's page: event.html)\n",
        report_dir.display()
    );
    if finished {
        text += &format!("next: {next}\n");
    } else {
        text += &format!(
            "not finished: {} rows left; run `{next}` to carry on\n",
            thousands(rows.left())
        );
    }

    let one_line = format!(
        "migration event {} ({}): {} created, {} updated, {} failed, {} rejected{}",
        e.encoded_key,
        e.state,
        thousands(rows.created),
        thousands(rows.updated),
        thousands(rows.failed),
        thousands(rows.rejected),
        if finished {
            String::new()
        } else {
            format!("; {} left: {next}", thousands(rows.left()))
        }
    );

    let json = json!({
        "event": e.encoded_key,
        "state": e.state.to_string(),
        "interrupted": r.interrupted,
        "finished": finished,
        "rows": {
            "in_file": rows.in_file,
            "recorded": rows.recorded,
            "rejected": rows.rejected,
            "created": rows.created,
            "updated": rows.updated,
            "failed": rows.failed,
            "sent_unanswered": rows.sent_unanswered,
            "pending": rows.pending,
            "other": rows.other,
            "not_recorded": rows.not_recorded,
            "left": rows.left(),
        },
        "validation": r.validation.to_json(),
        "requests": r.requests,
        "requests_per_second": rate,
        "throttled": r.throttled,
        "seconds": r.elapsed.as_secs_f64(),
        "report_dir": report_dir,
        "next": next,
    });
    Rendered {
        text,
        line: one_line,
        json,
    }
}

fn short(key: &str) -> &str {
    key.get(..12).unwrap_or(key)
}
