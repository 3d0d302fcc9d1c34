//! The pipeline glue: the only code that knows the order of the stages.
//!
//! `check` runs source → mapping → validate (shared by every command that
//! reads an export), `spool` keeps verdicts on disk between the pass and
//! the replay, `dry_run` writes the report, `progress` draws the terminal.

pub mod check;
pub mod dry_run;
pub mod import;
pub mod journal;
pub mod outcome_files;
pub mod progress;
pub mod revert;
pub mod row_work;
pub mod spool;
pub mod target_session;
