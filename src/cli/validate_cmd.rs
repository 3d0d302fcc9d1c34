//! `ferry validate`: the dry run.

use serde_json::json;

use super::args::ValidateArgs;
use super::output::{self, Rendered};
use super::{report_error, Exit};
use crate::pipeline::check::CheckOptionsForFile;
use crate::pipeline::dry_run::{self, DryRunOptions};
use crate::pipeline::target_session::TargetChoice;
use crate::report::thousands;

pub fn run(a: ValidateArgs) -> Exit {
    let a_format = a.output.format;
    let tenant = match (a.tenant_from_target, &a.target) {
        (true, Some(url)) => match pull(url, &a) {
            Ok(p) => Some(p),
            Err(exit) => return exit,
        },
        _ => a.tenant.clone(),
    };
    let opts = DryRunOptions {
        tenant_label: tenant.as_ref().map(|p| p.display().to_string()),
        check: CheckOptionsForFile {
            input: a.input,
            mapping: a.mapping,
            tenant,
            threads: a.threads,
            chunk_rows: a.chunk_rows,
            progress: !super::quiet(),
            require_id: true,
            joins: a.join.clone(),
        },
        report_dir: a.report_dir,
        payloads: a.payloads,
    };
    match dry_run::run(&opts) {
        Ok(outcome) => {
            for w in &outcome.warnings {
                output::note(&format!("ferry: warning: {w}"));
            }
            let mut text = format!("{}\n", outcome.summary.render_table());
            if let Some(n) = outcome.notifications {
                text += &format!(
                    "notifications: the tenant's client-creation templates would notify {} clients \
                     ({} e-mails, {} text messages); `ferry import` refuses unless --allow-notifications\n",
                    thousands(n.clients),
                    thousands(n.email),
                    thousands(n.sms)
                );
            }
            let mut doc = outcome.summary.to_json();
            doc["warnings"] = json!(outcome.warnings);
            doc["notifications"] = match outcome.notifications {
                Some(n) => json!({"clients": n.clients, "email": n.email, "sms": n.sms}),
                None => serde_json::Value::Null,
            };
            output::print(
                a_format,
                Rendered {
                    text,
                    line: outcome.summary.one_line(),
                    json: doc,
                },
            );
            if outcome.summary.rows_invalid == 0 {
                Exit::Done
            } else {
                Exit::SomeRowsRejected
            }
        }
        Err(e) => {
            report_error(&e);
            Exit::BadInput
        }
    }
}

/// `--tenant-from-target`: the tenant read from the target into
/// `tenant.json` in the report directory, with `--tenant` declaring what
/// the API does not expose.
fn pull(given: &str, a: &ValidateArgs) -> Result<std::path::PathBuf, Exit> {
    let pace = super::args::PaceArgs {
        rate: None,
        concurrency: None,
        timeout: None,
        credentials_file: a.credentials_file.clone(),
    };
    let target = super::import_cmd::resolve_target(given, &pace)?;
    let runtime = tokio::runtime::Runtime::new().map_err(|e| {
        report_error(&format!("cannot start the runtime: {e}"));
        Exit::BadInput
    })?;
    runtime
        .block_on(super::tenant_cmd::pull_from(
            TargetChoice::Url(target.url.clone()),
            target.credentials_file.as_deref(),
            target.pace.timeout,
            a.tenant.as_deref(),
            a.report_dir.join("tenant.json"),
        ))
        .map_err(|e| {
            report_error(&e);
            e.exit()
        })
        .inspect(|path| {
            // What did not come from the API is worth knowing before trusting the report.
            if let Ok(t) = crate::tenant::Tenant::load(path) {
                for note in &t.schema().notes {
                    output::note(&format!("ferry: note: {note}"));
                }
            }
        })
}
