//! `ferry tenant pull`: read the tenant's configuration through its API
//! into a tenant file, and say what could not be read.

use std::path::PathBuf;
use std::time::Duration;

use super::args::{TenantArgs, TenantCommand, TenantPullArgs};
use super::{report_error, Exit};
use crate::pipeline::target_session::{Pace, Session, SessionError, TargetChoice};
use crate::pipeline::tenant_source::{self, TenantSourceError};
use crate::tenant::Tenant;

pub fn run(a: TenantArgs) -> Exit {
    match a.command {
        TenantCommand::Pull(p) => pull(p),
    }
}

fn pull(a: TenantPullArgs) -> Exit {
    let pace = super::args::PaceArgs {
        rate: None,
        concurrency: None,
        timeout: a.timeout,
        credentials_file: a.credentials_file.clone(),
    };
    // Before the runtime's threads: a named target may set the credentials' variables.
    let target = match super::import_cmd::resolve_target(&a.target, &pace) {
        Ok(t) => t,
        Err(exit) => return exit,
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            report_error(&format!("cannot start the runtime: {e}"));
            return Exit::BadInput;
        }
    };
    let written = runtime.block_on(pull_from(
        TargetChoice::Url(target.url.clone()),
        target.credentials_file.as_deref(),
        target.pace.timeout,
        a.declared.as_deref(),
        a.out.clone(),
    ));
    let path = match written {
        Ok(p) => p,
        Err(e) => {
            report_error(&e);
            return e.exit();
        }
    };
    let tenant = match Tenant::load(&path) {
        Ok(t) => t,
        Err(e) => {
            report_error(&e);
            return Exit::BadInput;
        }
    };
    let s = tenant.schema();
    let mut text = format!("tenant written to {}\n", path.display());
    let line =
        |label: &str, n: usize| format!("  {label:<40}{:>8}\n", crate::report::thousands(n as u64));
    text += &line("custom field definitions", tenant.custom_fields().len());
    text += &line("ID document templates", s.id_document_templates.len());
    text += &line("branches", s.branches.len());
    text += &line("centres", s.centres.len());
    text += &line(
        "credit officers",
        s.users.iter().filter(|u| u.is_credit_officer).count(),
    );
    text += &line("client types", s.client_roles.len());
    text += &line("duplicate-client checks", s.duplicate_client_checks.len());
    let action = serde_json::to_value(tenant.duplicate_action()).unwrap_or_default();
    text += &format!(
        "  {:<40}{:>8}\n",
        "duplicate-client action",
        action.as_str().unwrap_or_default()
    );
    text += &line(
        "client-creation notification templates",
        s.notification_templates
            .iter()
            .filter(|t| t.fires_on_create())
            .count(),
    );
    for note in &s.notes {
        text += &format!("note: {note}\n");
    }
    let line = format!("tenant written to {}", path.display());
    super::output::print(
        super::args::OutputFormat::Text,
        super::output::Rendered {
            text,
            line,
            json: serde_json::Value::Null,
        },
    );
    Exit::Done
}

/// Why a pull failed, with the exit code it means.
#[derive(Debug, thiserror::Error)]
pub(super) enum PullFailed {
    #[error(transparent)]
    Session(#[from] SessionError),
    #[error(transparent)]
    Tenant(#[from] TenantSourceError),
}

impl PullFailed {
    pub(super) fn exit(&self) -> Exit {
        match self {
            Self::Session(s) => Exit::for_session(s),
            Self::Tenant(t) => Exit::for_tenant(t),
        }
    }
}

/// Connects to the target (credentials as for `import`), pulls the tenant
/// and writes it to `out`.
pub(super) async fn pull_from(
    choice: TargetChoice,
    credentials_file: Option<&std::path::Path>,
    timeout: Duration,
    declared: Option<&std::path::Path>,
    out: PathBuf,
) -> Result<PathBuf, PullFailed> {
    let pace = Pace {
        rate: None,
        concurrency: std::num::NonZeroUsize::new(4).unwrap_or(std::num::NonZeroUsize::MIN),
        timeout,
    };
    let session = Session::connect(&choice, credentials_file, pace).await?;
    let written = tenant_source::pull_to_file(&session.target, declared, |_| out).await;
    session.close().await;
    Ok(written?)
}
