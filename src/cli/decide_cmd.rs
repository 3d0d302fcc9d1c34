//! `ferry approve` and `ferry revert`.

use serde_json::json;

use super::args::{DecideArgs, OutputFormat, RevertArgs};
use super::import_cmd::resolve_for_event;
use super::output::{self, Rendered};
use super::{report_error, Exit};
use crate::ledger::{EventRecord, RowStatus};
use crate::pipeline::revert::{self, Decision, RevertOptions};
use crate::report::thousands;

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
    let resolved = match resolve_for_event(&a.ledger.ledger, &a.event, &a.pace) {
        Ok(r) => r,
        Err(exit) => return exit,
    };
    let opts = RevertOptions {
        event: a.event,
        ledger: a.ledger.ledger,
        credentials_file: resolved.credentials_file,
        pace: resolved.pace,
        force: a.force,
        report_dir: a.report_dir,
        progress: !super::quiet(),
    };
    let format = a.output.format;
    match revert::revert(&opts) {
        Ok(Decision::Done(e)) => {
            let text = format!(
                "migration event {} is now REVERTED: {} clients deleted, {} restored",
                e.encoded_key,
                thousands(e.count(RowStatus::Deleted)),
                thousands(e.count(RowStatus::Restored))
            );
            print(format, &e, "reverted", text);
            Exit::Done
        }
        Ok(Decision::AlreadyThere(e)) => {
            let text = format!(
                "migration event {} was already REVERTED; nothing to do",
                e.encoded_key
            );
            print(format, &e, "already_reverted", text);
            Exit::Done
        }
        Ok(Decision::Incomplete(e)) => {
            let text = format!(
                "migration event {} stays DRAFT: {} deleted, {} restored, {} kept (changed since the import), {} could not be reverted\n\
                 see `ferry events show {}`; rerun to retry, or with --force to revert kept clients too",
                e.encoded_key,
                thousands(e.count(RowStatus::Deleted)),
                thousands(e.count(RowStatus::Restored)),
                thousands(e.count(RowStatus::Kept)),
                thousands(e.count(RowStatus::RevertFailed)),
                e.encoded_key
            );
            print(format, &e, "incomplete", text);
            Exit::SomeRowsRejected
        }
        Err(e) => {
            report_error(&e);
            Exit::for_import(&e)
        }
    }
}

/// A revert's result: its text (first line under `-q`), or its JSON.
fn print(format: OutputFormat, e: &EventRecord, outcome: &str, text: String) {
    let json = json!({
        "event": e.encoded_key,
        "state": e.state.to_string(),
        "outcome": outcome,
        "deleted": e.count(RowStatus::Deleted),
        "restored": e.count(RowStatus::Restored),
        "kept": e.count(RowStatus::Kept),
        "revert_failed": e.count(RowStatus::RevertFailed),
    });
    let line = text.lines().next().unwrap_or_default().to_string();
    output::print(
        format,
        Rendered {
            text: text + "\n",
            line,
            json,
        },
    );
}

fn say(text: &str) -> Exit {
    output::print(
        OutputFormat::Text,
        Rendered {
            text: format!("{text}\n"),
            line: text.to_string(),
            json: serde_json::Value::Null,
        },
    );
    Exit::Done
}
