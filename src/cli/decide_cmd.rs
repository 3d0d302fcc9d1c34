//! `ferry approve` and `ferry revert`.

use std::io::Write;

use super::args::{DecideArgs, RevertArgs};
use super::import_cmd::pace;
use super::{report_error, Exit};
use crate::ledger::RowStatus;
use crate::pipeline::revert::{self, Decision, RevertOptions};

pub fn approve(a: DecideArgs) -> Exit {
    match revert::approve(&a.ledger.ledger, &a.event, &a.report_dir) {
        Ok(Decision::Done(e)) => say(&format!(
            "migration event {} is now APPROVED",
            e.encoded_key
        )),
        Ok(Decision::AlreadyThere(e)) | Ok(Decision::Incomplete(e)) => say(&format!(
            "migration event {} was already APPROVED; nothing to do",
            e.encoded_key
        )),
        Err(e) => {
            report_error(&e);
            Exit::for_import(&e)
        }
    }
}

pub fn revert(a: RevertArgs) -> Exit {
    let opts = RevertOptions {
        event: a.event,
        ledger: a.ledger.ledger,
        credentials_file: a.pace.credentials_file.clone(),
        pace: pace(&a.pace),
        force: a.force,
        report_dir: a.report_dir,
    };
    match revert::revert(&opts) {
        Ok(Decision::Done(e)) => say(&format!(
            "migration event {} is now REVERTED: {} clients deleted, {} restored",
            e.encoded_key,
            e.count(RowStatus::Deleted),
            e.count(RowStatus::Restored)
        )),
        Ok(Decision::AlreadyThere(e)) => say(&format!(
            "migration event {} was already REVERTED; nothing to do",
            e.encoded_key
        )),
        Ok(Decision::Incomplete(e)) => {
            say(&format!(
                "migration event {} stays DRAFT: {} deleted, {} restored, {} kept (changed since the import), {} could not be reverted\n\
                 see `ferry events show {}`; rerun to retry, or with --force to revert kept clients too",
                e.encoded_key,
                e.count(RowStatus::Deleted),
                e.count(RowStatus::Restored),
                e.count(RowStatus::Kept),
                e.count(RowStatus::RevertFailed),
                e.encoded_key
            ));
            Exit::SomeRowsRejected
        }
        Err(e) => {
            report_error(&e);
            Exit::for_import(&e)
        }
    }
}

fn say(text: &str) -> Exit {
    let _ = writeln!(std::io::stdout(), "{text}");
    Exit::Done
}
