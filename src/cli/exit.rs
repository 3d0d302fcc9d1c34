//! Ferry's exit codes, as the design fixes them.

use std::process::ExitCode;

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: everything done.
    Done,
    /// 1: finished, but some rows were rejected or failed.
    SomeRowsRejected,
    /// 2: bad usage, mapping or input file; nothing sent.
    BadInput,
    /// 3: target unreachable or credentials refused.
    TargetUnavailable,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> Self {
        ExitCode::from(match e {
            Exit::Done => 0,
            Exit::SomeRowsRejected => 1,
            Exit::BadInput => 2,
            Exit::TargetUnavailable => 3,
        })
    }
}
