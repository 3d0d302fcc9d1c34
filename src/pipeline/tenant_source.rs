//! Where a run's tenant comes from — a file (`--tenant`) or the target
//! itself (`--tenant-from-target`) — and what the run records of it; and
//! the guard that keeps an import from greeting every migrated customer.
//!
//! In: a connected target and the declared file, or a tenant file; the
//! checked rows for the notification count. Out: the path of the tenant
//! file the run uses (a pulled tenant is written to a file first, so that
//! resume, the report and the ledger all name one file), its fingerprint,
//! and the clients the tenant's creation templates would notify. Fails
//! with `TenantSourceError`.

use std::path::{Path, PathBuf};

use super::check::{Checked, FieldsFor};
use crate::ledger::{fingerprint_file, fingerprint_reader};
use crate::push::Target;
use crate::tenant::pull::{self, PullError};
use crate::tenant::{CreationChannels, NotificationCount, Tenant, TenantError, TenantSchema};

/// Why the tenant could not be had.
#[derive(Debug, thiserror::Error)]
pub enum TenantSourceError {
    /// The tenant file cannot be loaded.
    #[error(transparent)]
    Declared(#[from] TenantError),
    /// Reading the tenant's definitions from the target failed.
    #[error(transparent)]
    Pull(#[from] PullError),
}

/// Pulls the tenant from `target`, taking what the API does not expose
/// from `declared`, and writes it where `place` says (given the bytes'
/// fingerprint). Returns the file written.
pub async fn pull_to_file(
    target: &Target,
    declared: Option<&Path>,
    place: impl FnOnce(&str) -> PathBuf,
) -> Result<PathBuf, TenantSourceError> {
    let declared = match declared {
        Some(p) => Some((Tenant::load(p)?.schema().clone(), p.display().to_string())),
        None => None,
    };
    let schema = pull::pull(target, declared.as_ref().map(|(s, l)| (s, l.as_str()))).await?;
    let fingerprint =
        fingerprint_reader(&pull::to_bytes(&schema)[..]).map_err(|e| PullError::Write {
            path: "(memory)".into(),
            source: e,
        })?;
    let path = place(&fingerprint);
    pull::write(&path, &schema)?;
    Ok(path)
}

/// Where an import keeps a pulled tenant: beside the ledger, named by its
/// fingerprint, so the event's `tenant_path` keeps naming these bytes.
pub fn beside_ledger(ledger: &Path, fingerprint: &str) -> PathBuf {
    let dir = match ledger.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    dir.join("ferry-tenants")
        .join(format!("{fingerprint}.json"))
}

/// The fingerprint of a tenant file, for the report (`None` without one,
/// or if it cannot be read — loading it would have failed first).
pub fn tenant_fingerprint(path: Option<&Path>) -> Option<String> {
    path.and_then(|p| fingerprint_file(p).ok())
}

/// Clients the valid rows' creates would notify on `channels`. Consumes
/// the pass.
pub fn count_notified(
    checked: Checked,
    channels: CreationChannels,
) -> std::io::Result<NotificationCount> {
    let mut count = NotificationCount::default();
    let bodies = checked.body_reader()?;
    let mut body = Vec::new();
    checked.replay(FieldsFor::Rejected, |v| {
        if let Some(b) = bodies.body_of(v, &mut body)? {
            count.add(channels.for_body(b));
        }
        Ok(())
    })?;
    Ok(count)
}

/// Why an import would not start: what the target would send, and how to
/// stop it.
pub fn refusal(count: &NotificationCount, schema: &TenantSchema) -> String {
    let templates: Vec<String> = schema
        .notification_templates
        .iter()
        .filter(|t| t.fires_on_create())
        .map(|t| {
            let channel = serde_json::to_value(t.channel)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            format!("{} ({channel})", t.id)
        })
        .collect();
    format!(
        "the target would notify {} migrated clients as they are created: {} e-mails and {} text \
         messages from its client-creation templates {}. Nothing was sent. Deactivate those \
         templates in Mambu for the migration (Administration, notification templates of the \
         event Client Created: set them Inactive), mark them INACTIVE in the tenant file and run \
         again — or pass --allow-notifications to send them",
        crate::report::thousands(count.clients),
        crate::report::thousands(count.email),
        crate::report::thousands(count.sms),
        templates.join(", ")
    )
}

/// The channels the tenant's creation templates use, if any fire.
pub fn notifying(tenant: &Tenant) -> Option<CreationChannels> {
    let c = tenant.creation_notifications();
    c.any().then_some(c)
}
