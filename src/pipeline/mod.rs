//! The pipeline glue: the only code that knows the order of the stages.
//!
//! `check` runs source → mapping → validate (shared by every command that
//! reads an export) and `spool` keeps its verdicts on disk until the replay;
//! `dry_run` writes the report; `import` pushes valid rows through
//! `row_work` against a `target_session`, journalled by `journal` into the
//! ledger, with `outcome_files` for success.csv and failures.csv; `revert`
//! approves or rolls back an event; `progress` draws the terminal.

pub mod check;
pub mod dry_run;
pub mod import;
pub mod outcome_files;
pub mod progress;
pub mod revert;
pub mod row_work;
pub mod spool;
pub mod target_session;
pub mod tenant_source;
