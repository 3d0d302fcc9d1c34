//! Ferry's exit codes, as the design fixes them, and the one place that
//! says which error means which code: a target that cannot be reached or
//! refuses the credentials is 3, anything else that stops a command before
//! its work is done is 2.

use std::process::ExitCode;

use crate::pipeline::import::ImportError;
use crate::pipeline::target_session::SessionError;
use crate::pipeline::tenant_source::TenantSourceError;

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

impl Exit {
    /// The code for a target that could not be used: 3 when it could not be
    /// reached or refused the credentials, 2 otherwise.
    pub fn for_session(e: &SessionError) -> Exit {
        match e {
            SessionError::Unavailable(_) => Exit::TargetUnavailable,
            SessionError::Usage(_) => Exit::BadInput,
        }
    }

    /// The code for a tenant that could not be read or pulled.
    pub fn for_tenant(e: &TenantSourceError) -> Exit {
        match e {
            TenantSourceError::Pull(p) if p.is_unreachable() => Exit::TargetUnavailable,
            _ => Exit::BadInput,
        }
    }

    /// The code for an import, resume, approve or revert that stopped.
    pub fn for_import(e: &ImportError) -> Exit {
        match e {
            ImportError::Session(s) => Exit::for_session(s),
            ImportError::Tenant(t) => Exit::for_tenant(t),
            _ => Exit::BadInput,
        }
    }
}
