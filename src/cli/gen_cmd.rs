//! `ferry gen`: write a synthetic export.

use std::io::Write;

use super::{report_error, Exit};
use crate::gen::{generate, GenArgs};

pub fn run(a: GenArgs) -> Exit {
    match generate(&a.to_options()) {
        Ok(report) => {
            let _ = writeln!(std::io::stdout(), "{report}");
            Exit::Done
        }
        Err(e) => {
            report_error(&e);
            Exit::BadInput
        }
    }
}
