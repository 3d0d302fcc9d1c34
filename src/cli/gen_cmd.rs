//! `ferry gen`: write a synthetic export.

use std::io::Write;

use super::{report_error, Exit};
use crate::gen::{generate, how_to_read, GenArgs};

pub fn run(a: GenArgs) -> Exit {
    let opts = a.to_options();
    match generate(&opts) {
        Ok(report) => {
            let _ = writeln!(std::io::stdout(), "{report}");
            // On stderr: stdout is the generation's own summary.
            eprintln!(
                "read it (from Ferry's repository) with:\n  {}",
                how_to_read(&opts)
            );
            Exit::Done
        }
        Err(e) => {
            report_error(&e);
            Exit::BadInput
        }
    }
}
