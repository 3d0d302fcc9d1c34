//! `ferry gen`: write a synthetic export.

use std::io::Write;

use super::{report_error, Exit};
use crate::gen::{generate, how_to_read, GenArgs};

pub fn run(a: GenArgs) -> Exit {
    let opts = a.to_options();
    match generate(&opts) {
        Ok(report) => {
            let report = report.to_string();
            // Under -q the summary's first line is the result.
            let shown = if super::quiet() {
                report.lines().next().unwrap_or_default()
            } else {
                &report
            };
            let _ = writeln!(std::io::stdout(), "{shown}");
            // On stderr: stdout is the generation's own summary.
            super::output::note(&format!(
                "read it (from Ferry's repository) with:\n  {}",
                how_to_read(&opts)
            ));
            Exit::Done
        }
        Err(e) => {
            report_error(&e);
            Exit::BadInput
        }
    }
}
