//! The dry run: check every row and write the report. Nothing is sent.
//!
//! In: input, mapping, tenant, report dir. Out: report.json, rejects.csv,
//! report.html (and payloads.ndjson when asked) in the report dir, and a
//! `Summary` for the terminal. Fails with `CheckError` (exit 2) before reading any row
//! when the mapping, tenant or file is unusable.

use std::cell::RefCell;
use std::path::PathBuf;
use std::time::Instant;

use super::check::{check_file, Bodies, CheckError, CheckOptionsForFile, Prepared, RowNeeds};
use super::tenant_source::tenant_fingerprint;
use crate::report::{Report, ReportOptions, RunMeta, Summary};
use crate::tenant::NotificationCount;

/// A dry run's settings.
#[derive(Debug, Clone)]
pub struct DryRunOptions {
    /// The input, mapping and tenant files and how to validate them.
    pub check: CheckOptionsForFile,
    /// How the report names the tenant used (its path), if one was given.
    pub tenant_label: Option<String>,
    /// Where report.json, rejects.csv, report.html (and payloads.ndjson) go.
    pub report_dir: PathBuf,
    /// Whether to write payloads.ndjson (every valid row's request body).
    pub payloads: bool,
}

/// What a dry run produced.
pub struct DryRunOutcome {
    /// Rows read, valid and rejected (by return code), for the terminal.
    pub summary: Summary,
    /// The mapping's compile-time warnings, and a note when no tenant was given.
    pub warnings: Vec<String>,
    /// Clients the valid rows' creates would notify, when the tenant has
    /// client-creation notification templates.
    pub notifications: Option<NotificationCount>,
}

/// Runs a dry run from start to end.
pub fn run(opts: &DryRunOptions) -> Result<DryRunOutcome, CheckError> {
    let started = Instant::now();
    let c = &opts.check;
    let mut prepared = Prepared::load(&c.input, &c.mapping, c.tenant.as_deref(), &c.joins)?;
    let channels = prepared.tenant.creation_notifications();
    if !opts.payloads {
        // Nothing reads a full body: the notification count reads every
        // valid row's contact fields; else only a duplicate warning group's
        // key reads a row's fields, and the replay maps those rows again.
        prepared.keep_bodies(if channels.any() {
            Bodies::ReportFields
        } else {
            Bodies::None
        });
    }
    let mut warnings = prepared.warnings();
    let subset = prepared.is_ferry_rejects();
    let mut notified = NotificationCount::default();
    let mut report = Report::create(
        ReportOptions::new(
            opts.report_dir.clone(),
            c.input.display().to_string(),
            prepared.columns.clone(),
        )
        .with_payloads(opts.payloads),
    )?;
    let checked = check_file(prepared, c)?;
    let joins = checked.plan.join_counts();
    warnings.extend(joins.iter().filter_map(|j| j.mismatch_warning(subset)));
    report.set_spooled_bodies(checked.bodies()?)?;
    // Read by position: the report copies from its own handle meanwhile.
    let bodies = checked.body_reader()?;
    let mut body = Vec::new();
    // Only the fields the report will read are decoded: rejected rows',
    // and warned rows' while it lists them or starts a group with them.
    let report = RefCell::new(report);
    checked.replay_deciding(
        |findings| {
            let report = report.borrow();
            if report.needs_report_body(findings) {
                RowNeeds::FieldsAndReportBody
            } else if report.needs_fields(findings) {
                RowNeeds::Fields
            } else {
                RowNeeds::Findings
            }
        },
        |v| {
            if channels.any() {
                if let Some(b) = bodies.body_of(v, &mut body)? {
                    notified.add(channels.for_body(b));
                }
            }
            report.borrow_mut().add(v)
        },
    )?;
    let report = report.into_inner();
    let notifications = channels.any().then_some(notified);
    let summary = report.finish(&RunMeta {
        mapping: c.mapping.display().to_string(),
        tenant: opts.tenant_label.clone(),
        tenant_fingerprint: tenant_fingerprint(c.tenant.as_deref()),
        notifications,
        elapsed: started.elapsed(),
        warnings: warnings.clone(),
        joins,
    })?;
    Ok(DryRunOutcome {
        summary,
        warnings,
        notifications,
    })
}
