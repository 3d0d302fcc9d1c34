//! The pipeline glue: the only code that knows the order of the stages.
//!
//! `check` runs source → mapping → validate (shared by every command that
//! reads an export) and `spool` keeps its verdicts on disk until the replay;
//! `dry_run` writes the report; `import` replays the verdicts into the
//! ledger and hands valid rows to `push::sender` against a `target_session`
//! (the tenant from a file or, by `tenant_source`, from the target);
//! `revert` approves an event or rolls it back through `push::undo`;
//! `outcome_files` writes success.csv and failures.csv from the ledger.

pub mod check;
pub mod dry_run;
pub mod export;
pub mod import;
pub mod outcome_files;
pub mod revert;
pub mod spool;
pub mod target_session;
pub mod tenant_source;
