//! `ferry validate`: the dry run.

use std::io::Write;

use super::args::ValidateArgs;
use super::{report_error, Exit};
use crate::pipeline::check::CheckOptionsForFile;
use crate::pipeline::dry_run::{self, DryRunOptions};

pub fn run(a: ValidateArgs) -> Exit {
    let opts = DryRunOptions {
        tenant_label: a.tenant.as_ref().map(|p| p.display().to_string()),
        check: CheckOptionsForFile {
            input: a.input,
            mapping: a.mapping,
            tenant: a.tenant,
            threads: a.threads,
            chunk_rows: a.chunk_rows,
            progress: true,
            require_id: true,
        },
        report_dir: a.report_dir,
    };
    match dry_run::run(&opts) {
        Ok(outcome) => {
            for w in &outcome.warnings {
                eprintln!("ferry: warning: {w}");
            }
            let _ = writeln!(std::io::stdout(), "{}", outcome.summary.render_table());
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
