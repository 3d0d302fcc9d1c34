//! `ferry import` and `ferry resume`.

use std::io::Write;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use super::args::{ImportArgs, ModeArg, PaceArgs, ResumeArgs};
use super::{report_error, Exit};
use crate::ledger::{ImportMode, RowStatus};
use crate::pipeline::check::CheckOptionsForFile;
use crate::pipeline::import::{self, ImportError, ImportOptions, ImportReport, ResumeOptions};
use crate::pipeline::target_session::{Pace, TargetChoice};

/// The pace the flags ask for; clap has already refused zeros.
pub(super) fn pace(p: &PaceArgs) -> Pace {
    Pace {
        rate: p.rate,
        concurrency: p.concurrency,
        timeout: Duration::from_secs(p.timeout.get()),
    }
}

pub fn run(a: ImportArgs) -> Exit {
    let target = match (&a.target, a.sandbox) {
        (Some(url), false) => TargetChoice::Url(url.clone()),
        _ => TargetChoice::Sandbox {
            state: a.sandbox_state.clone(),
            tenant: a.tenant.clone(),
        },
    };
    let opts = ImportOptions {
        check: CheckOptionsForFile {
            input: a.input,
            mapping: a.mapping,
            tenant: a.tenant,
            threads: a.threads,
            chunk_rows: 4096,
            progress: true,
            require_id: true,
            joins: a.join.clone(),
        },
        target,
        credentials_file: a.pace.credentials_file.clone(),
        pace: pace(&a.pace),
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
    )
}

pub fn resume(a: ResumeArgs) -> Exit {
    let opts = ResumeOptions {
        event: a.event,
        ledger: a.ledger.ledger,
        credentials_file: a.pace.credentials_file.clone(),
        pace: pace(&a.pace),
        report_dir: a.report_dir,
        threads: a.threads,
        progress: true,
    };
    finish(
        import::resume(&opts, Arc::new(AtomicBool::new(false))),
        &opts.report_dir,
    )
}

fn finish(result: Result<ImportReport, ImportError>, report_dir: &std::path::Path) -> Exit {
    match result {
        Ok(r) => {
            print_summary(&r, report_dir);
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

fn print_summary(r: &ImportReport, report_dir: &std::path::Path) {
    let e = &r.event;
    let secs = r.sending.as_secs_f64().max(0.001);
    let mut out = std::io::stdout();
    let line = |label: &str, n: u64| format!("  {label:<32}{n:>12}\n");
    let mut text = format!("{}\n", r.validation.render_table());
    text += &format!("migration event {} ({})\n", e.encoded_key, e.state);
    text += &line("rows read", e.counts.values().sum());
    text += &line("rows rejected (not sent)", e.count(RowStatus::Rejected));
    text += &line("clients created", e.count(RowStatus::Created));
    text += &line("clients updated", e.count(RowStatus::Updated));
    text += &line("rows failed at the target", e.count(RowStatus::Failed));
    text += &line("rows left to send", e.count(RowStatus::Pending));
    text += &line("rows sent, answer not recorded", e.count(RowStatus::Sent));
    text += &format!(
        "  {:<32}{:>12.1}\n  {:<32}{:>12}\n  {:<32}{:>12.1}\n",
        "requests per second (sending)",
        r.requests as f64 / secs,
        "throttled (429)",
        r.throttled,
        "seconds",
        r.elapsed.as_secs_f64()
    );
    text += &format!("reports in {}\n", report_dir.display());
    if r.interrupted || r.left() > 0 {
        text += &format!(
            "not finished: run `ferry resume {}` to carry on\n",
            short(&e.encoded_key)
        );
    } else {
        text += &format!(
            "next: `ferry events show {k}`, then `ferry approve {k}` or `ferry revert {k}`\n",
            k = short(&e.encoded_key)
        );
    }
    let _ = out.write_all(text.as_bytes());
}

fn short(key: &str) -> &str {
    key.get(..12).unwrap_or(key)
}
