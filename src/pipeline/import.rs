//! The import: validate exactly as the dry run does, then push every valid
//! row to the target, journalled in the ledger under one migration event.
//! `resume` runs the same engine over an event a crash or Ctrl-C left.
//!
//! In: the files, the target, pace and mode (or an event to resume). Out:
//! the dry-run report plus success.csv, failures.csv and the event report
//! (event.html, event.json) in the report dir, a DRAFT event in the ledger
//! with this run recorded among its runs, and an `ImportReport`. Fails with
//! `ImportError` before anything is sent when the files, the target or the
//! credentials are unusable.
//!
//! Flow: the validation pass runs first (nothing is sent for a file that
//! cannot be read); its replay inserts every row into the ledger in batches
//! (REJECTED or PENDING) and hands valid rows to the dispatcher, which
//! commits a batch as SENT, then sends it through the rate-limited target
//! with bounded concurrency; each answer is journalled as it comes.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use super::check::{check_file, CheckError, CheckOptionsForFile, Checked, FieldsFor, Prepared};
use super::outcome_files::{self, OutcomeFilesError};
use super::target_session::{Pace, Session, SessionError, TargetChoice};
use super::tenant_source::{self, tenant_fingerprint, TenantSourceError};
use crate::field_error::FieldError;
use crate::ledger::Journal;
use crate::ledger::{
    fingerprint_file, EventJoin, EventRecord, ImportMode, JournalError, Ledger, NewEvent, NewRow,
    RowError, RowStatus, RunEnd, RunVerb,
};
use crate::model::MigrationEventState;
use crate::push::row_request::Request;
use crate::push::row_work::{Context, Job};
use crate::push::sender::{dispatch, SEND_BATCH};
use crate::report::event_page::EventPage;
use crate::report::progress::Progress;
use crate::report::{Report, ReportOptions, RunMeta, Summary};

/// Rows inserted into the ledger per transaction.
const INSERT_BATCH: usize = 1000;

/// Why an import (or resume) could not run.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The mapping, tenant or input file is unusable; nothing was sent.
    #[error(transparent)]
    Check(#[from] CheckError),
    /// The target cannot be reached or the credentials are refused.
    #[error(transparent)]
    Session(#[from] SessionError),
    /// The migration ledger cannot be opened, locked or read.
    #[error("ledger: {0}")]
    Ledger(#[from] crate::ledger::LedgerError),
    /// Journalling the rows' answers into the ledger failed.
    #[error(transparent)]
    Journal(#[from] JournalError),
    /// The run cannot go on as asked: an event that is not DRAFT, a source
    /// or mapping changed since the import began, a stage that stopped.
    #[error("{0}")]
    Usage(String),
    /// A local file could not be read or written.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// success.csv or failures.csv could not be written.
    #[error(transparent)]
    OutcomeFiles(#[from] OutcomeFilesError),
    /// The tenant could not be loaded from its file or pulled from the target.
    #[error(transparent)]
    Tenant(#[from] TenantSourceError),
    /// The tenant's creation templates would notify migrated clients.
    #[error("{0}")]
    WouldNotify(String),
}

/// What `ferry import` was asked to do.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// The input, mapping and tenant files and how to validate them.
    pub check: CheckOptionsForFile,
    /// Where the rows go: a Mambu URL or the embedded sandbox.
    pub target: TargetChoice,
    /// A credentials file, when not given through the environment.
    pub credentials_file: Option<PathBuf>,
    /// Rate, concurrency and timeout of the requests.
    pub pace: Pace,
    /// Create only, or update clients that already exist.
    pub mode: ImportMode,
    /// The migration ledger file the event and its rows are recorded in.
    pub ledger: PathBuf,
    /// Where the dry-run report, success.csv and failures.csv are written.
    pub report_dir: PathBuf,
    /// Whether the report writes payloads.ndjson (the bodies of valid rows).
    pub payloads: bool,
    /// Import even though the same source already has a live event against
    /// the same target (its clients then fail 316 and are never claimed).
    pub again: bool,
    /// Read the tenant from the target (`check.tenant`, if any, declares
    /// what the API does not expose) instead of using `check.tenant`.
    pub tenant_from_target: bool,
    /// Send although the tenant's creation templates would notify clients.
    pub allow_notifications: bool,
}

/// What `ferry resume` was asked to do.
#[derive(Debug, Clone)]
pub struct ResumeOptions {
    /// Encoded key of the DRAFT migration event to carry on.
    pub event: String,
    /// The migration ledger the event is recorded in.
    pub ledger: PathBuf,
    /// A credentials file, when not given through the environment.
    pub credentials_file: Option<PathBuf>,
    /// Rate, concurrency and timeout of the requests.
    pub pace: Pace,
    /// Where the report, success.csv and failures.csv are written.
    pub report_dir: PathBuf,
    /// Validation threads; `None` for all cores.
    pub threads: Option<usize>,
    /// Whether to show progress on a terminal.
    pub progress: bool,
}

/// How an import ended.
#[derive(Debug, Clone)]
pub struct ImportReport {
    /// The event as the ledger holds it at the end, with its row counts.
    pub event: EventRecord,
    /// Whether Ctrl-C stopped the run before every row was sent.
    pub interrupted: bool,
    /// Wall time of the whole run, validation included.
    pub elapsed: Duration,
    /// From the first request to the last answer.
    pub sending: Duration,
    /// Rows answered by the target during this run.
    pub answered: u64,
    /// Requests put on the wire, retries included.
    pub requests: u64,
    /// Requests the target answered 429 (too many requests).
    pub throttled: u64,
    /// The validation report's summary (rows read, valid, rejected by code).
    pub validation: Summary,
}

impl ImportReport {
    /// Rows neither rejected nor done: still PENDING or SENT.
    pub fn left(&self) -> u64 {
        self.event.count(RowStatus::Pending) + self.event.count(RowStatus::Sent)
    }

    /// Whether every row is settled and none was rejected or failed.
    pub fn all_done(&self) -> bool {
        !self.interrupted
            && self.left() == 0
            && self.event.count(RowStatus::Rejected) == 0
            && self.event.count(RowStatus::Failed) == 0
    }
}

/// Runs `ferry import`. `stop` is set by Ctrl-C.
pub fn import(opts: &ImportOptions, stop: Arc<AtomicBool>) -> Result<ImportReport, ImportError> {
    if opts.tenant_from_target {
        return import_pulled(opts, stop);
    }
    let c = &opts.check;
    let prepared = Prepared::load(&c.input, &c.mapping, c.tenant.as_deref(), &c.joins)?;
    let prepared = guard_notifications(prepared, c, opts.allow_notifications)?;
    let runtime = runtime()?;
    runtime.block_on(async {
        let session =
            Session::connect(&opts.target, opts.credentials_file.as_deref(), opts.pace).await?;
        open_event(opts, c, prepared, session, stop).await
    })
}

/// `ferry import --tenant-from-target`: connect, pull the tenant into a
/// file beside the ledger, then import as with `--tenant` that file.
fn import_pulled(opts: &ImportOptions, stop: Arc<AtomicBool>) -> Result<ImportReport, ImportError> {
    let runtime = runtime()?;
    runtime.block_on(async {
        let session =
            Session::connect(&opts.target, opts.credentials_file.as_deref(), opts.pace).await?;
        let ready = async {
            let path = tenant_source::pull_to_file(
                &session.target,
                opts.check.tenant.as_deref(),
                |fingerprint| tenant_source::beside_ledger(&opts.ledger, fingerprint),
            )
            .await?;
            let mut c = opts.check.clone();
            c.tenant = Some(path);
            let allow = opts.allow_notifications;
            let check = c.clone();
            let prepared = tokio::task::spawn_blocking(move || {
                let p = Prepared::load(
                    &check.input,
                    &check.mapping,
                    check.tenant.as_deref(),
                    &check.joins,
                )?;
                guard_notifications(p, &check, allow)
            })
            .await
            .map_err(|e| ImportError::Usage(format!("validation stopped: {e}")))??;
            Ok::<_, ImportError>((c, prepared))
        }
        .await;
        match ready {
            Ok((c, prepared)) => open_event(opts, &c, prepared, session, stop).await,
            Err(e) => {
                session.close().await;
                Err(e)
            }
        }
    })
}

/// Refuses (before anything is sent) when the tenant's client-creation
/// templates would notify any client the import creates, unless allowed.
/// Counting takes a validation pass of its own, run only for a tenant
/// with such templates.
fn guard_notifications(
    prepared: Prepared,
    c: &CheckOptionsForFile,
    allow: bool,
) -> Result<Prepared, ImportError> {
    let Some(channels) = tenant_source::notifying(&prepared.tenant) else {
        return Ok(prepared);
    };
    if allow {
        return Ok(prepared);
    }
    let schema = prepared.tenant.schema().clone();
    let checked = check_file(prepared, c)?;
    let count = tenant_source::count_notified(checked, channels)?;
    if count.clients > 0 {
        return Err(ImportError::WouldNotify(tenant_source::refusal(
            &count, &schema,
        )));
    }
    Ok(Prepared::load(
        &c.input,
        &c.mapping,
        c.tenant.as_deref(),
        &c.joins,
    )?)
}

/// Opens the migration event and drives it to the end.
async fn open_event(
    opts: &ImportOptions,
    c: &CheckOptionsForFile,
    prepared: Prepared,
    session: Session,
    stop: Arc<AtomicBool>,
) -> Result<ImportReport, ImportError> {
    let mut ledger = Ledger::open(&opts.ledger)?;
    let new = NewEvent::for_files(
        &c.input,
        &c.mapping,
        c.tenant.as_deref(),
        &session.label,
        opts.mode,
    )?;
    let event = if opts.again {
        ledger.create_event(&new)?
    } else {
        ledger.create_event_unless_imported(&new)?
    };
    let engine = Engine {
        check: c.clone(),
        mode: opts.mode,
        report_dir: opts.report_dir.clone(),
        payloads: opts.payloads,
        stop,
    };
    let result = engine.drive(prepared, ledger, event, None, &session).await;
    session.close().await;
    result
}

/// The `--join` files as the event keeps them: absolute, fingerprinted.
fn given_joins(joins: &[(String, PathBuf)]) -> Result<Vec<EventJoin>, ImportError> {
    joins
        .iter()
        .map(|(name, file)| {
            let failed = |e: std::io::Error| ImportError::Usage(format!("{}: {e}", file.display()));
            Ok(EventJoin {
                name: name.clone(),
                path: std::path::absolute(file).map_err(failed)?,
                fingerprint: fingerprint_file(file).map_err(failed)?,
            })
        })
        .collect()
}

/// Runs `ferry resume EVENT`.
pub fn resume(opts: &ResumeOptions, stop: Arc<AtomicBool>) -> Result<ImportReport, ImportError> {
    let mut ledger = Ledger::open_existing(&opts.ledger)?;
    let event = ledger.event(&opts.event)?;
    super::revert::refuse_export(&event, "resumed as an import")?;
    if event.state != MigrationEventState::Draft {
        return Err(ImportError::Usage(format!(
            "migration event {} is {}; only a DRAFT import can be resumed",
            event.encoded_key, event.state
        )));
    }
    let joined = event.joins.iter().map(|j| (&j.path, &j.fingerprint));
    for (path, print) in [
        (&event.source_path, &event.source_fingerprint),
        (&event.mapping_path, &event.mapping_fingerprint),
    ]
    .into_iter()
    .chain(joined)
    {
        let now = fingerprint_file(path)
            .map_err(|e| ImportError::Usage(format!("{}: {e}", path.display())))?;
        if &now != print {
            return Err(ImportError::Usage(format!(
                "{} has changed since the import began; resume needs the same file",
                path.display()
            )));
        }
    }
    ledger.lock(&event.encoded_key)?;
    let known = known_statuses(&ledger, &event.encoded_key)?;
    if opts.progress && std::io::stderr().is_terminal() {
        eprintln!("{}", resume_note(&event));
    }
    // The related files the import was given on its command line, if any.
    let joins: Vec<(String, PathBuf)> = event
        .joins
        .iter()
        .map(|j| (j.name.clone(), j.path.clone()))
        .collect();
    let prepared = Prepared::load(
        &event.source_path,
        &event.mapping_path,
        event.tenant_path.as_deref(),
        &joins,
    )?;
    let check = CheckOptionsForFile {
        input: event.source_path.clone(),
        mapping: event.mapping_path.clone(),
        tenant: event.tenant_path.clone(),
        threads: opts.threads,
        chunk_rows: crate::pipeline::check::DEFAULT_CHUNK_ROWS,
        progress: opts.progress,
        require_id: true,
        joins,
    };
    let choice = TargetChoice::for_event(&event);
    let runtime = runtime()?;
    runtime.block_on(async {
        let session =
            Session::connect(&choice, opts.credentials_file.as_deref(), opts.pace).await?;
        let engine = Engine {
            check,
            mode: event.mode,
            report_dir: opts.report_dir.clone(),
            payloads: false,
            stop,
        };
        let result = engine
            .drive(prepared, ledger, event, Some(known), &session)
            .await;
        session.close().await;
        result
    })
}

/// What a resume is about to do, said before the file is checked again
/// (a check of a large file takes a while and sends nothing).
fn resume_note(event: &EventRecord) -> String {
    let n = |s| crate::report::thousands(event.count(s));
    format!(
        "resuming {}: {} rows recorded ({} created, {} updated, {} failed, {} rejected, {} waiting to be sent); \
         checking the file again to rebuild the requests left, then sending",
        event.encoded_key,
        crate::report::thousands(event.counts.values().sum()),
        n(RowStatus::Created),
        n(RowStatus::Updated),
        n(RowStatus::Failed),
        n(RowStatus::Rejected),
        crate::report::thousands(event.count(RowStatus::Pending) + event.count(RowStatus::Sent)),
    )
}

/// A row already in the ledger: its status, and for a SENT row when it was
/// journalled so.
type Known = (RowStatus, Option<jiff::Timestamp>);

/// The status of every row already in the ledger, by row number.
fn known_statuses(ledger: &Ledger, event: &str) -> Result<Vec<Option<Known>>, ImportError> {
    let mut known = Vec::new();
    let mut after = 0;
    loop {
        let page = ledger.rows_with_status(event, &RowStatus::ALL, after, 10_000)?;
        let Some(last) = page.last() else { break };
        after = last.row;
        for r in &page {
            let i = r.row as usize;
            if known.len() <= i {
                known.resize(i + 1, None);
            }
            let sent_at = (r.status == RowStatus::Sent)
                .then(|| r.updated_at.parse::<jiff::Timestamp>().ok())
                .flatten();
            known[i] = Some((r.status, sent_at));
        }
    }
    Ok(known)
}

pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, ImportError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| ImportError::Usage(format!("cannot start the runtime: {e}")))
}

struct Engine {
    check: CheckOptionsForFile,
    mode: ImportMode,
    report_dir: PathBuf,
    payloads: bool,
    stop: Arc<AtomicBool>,
}

impl Engine {
    async fn drive(
        self,
        prepared: Prepared,
        mut ledger: Ledger,
        event: EventRecord,
        known: Option<Vec<Option<Known>>>,
        session: &Session,
    ) -> Result<ImportReport, ImportError> {
        let started = Instant::now();
        let run_started = jiff::Timestamp::now();
        let stop = self.stop.clone();
        let watcher = tokio::spawn({
            let stop = stop.clone();
            async move {
                if tokio::signal::ctrl_c().await.is_ok() {
                    stop.store(true, Ordering::SeqCst);
                }
            }
        });
        let columns = prepared.columns.clone();
        let mut warnings = prepared.warnings();
        let subset = prepared.is_ferry_rejects();
        let check = self.check.clone();
        let checked = tokio::task::spawn_blocking(move || check_file(prepared, &check))
            .await
            .map_err(|e| ImportError::Usage(format!("validation stopped: {e}")))??;
        // The validation pass's page shows how long the check took.
        let checking = started.elapsed();
        let joins = checked.plan.join_counts();
        warnings.extend(joins.iter().filter_map(|j| j.mismatch_warning(subset)));
        let tenant = Arc::new(checked.tenant.clone());
        let progress = sending_progress(self.check.progress, checked.rows, known.as_deref());
        let key = event.encoded_key.clone();
        ledger.set_columns(&key, &columns)?;
        if known.is_none() {
            ledger.set_joins(&key, &given_joins(&self.check.joins)?)?;
        }
        let verb = if known.is_some() {
            RunVerb::Resume
        } else {
            RunVerb::Import
        };
        let run = ledger.start_run(&key, verb)?;
        let (journal, journal_thread) = Journal::start(ledger, key.clone());
        let (job_tx, job_rx) = mpsc::channel::<Job>(session.target.concurrency() * 4 + SEND_BATCH);

        // The import's validation pass: its page must not read as a dry run.
        let report = Report::create(
            ReportOptions::new(
                &self.report_dir,
                self.check.input.display().to_string(),
                columns,
            )
            .for_import()
            .with_payloads(self.payloads),
        )?;
        let replay = tokio::task::spawn_blocking({
            let journal = journal.clone();
            let stop = stop.clone();
            let meta = RunMeta {
                mapping: self.check.mapping.display().to_string(),
                tenant: self.check.tenant.as_ref().map(|p| p.display().to_string()),
                tenant_fingerprint: tenant_fingerprint(self.check.tenant.as_deref()),
                notifications: None,
                elapsed: checking,
                warnings,
                joins,
            };
            let progress = progress.clone();
            move || {
                feed(
                    checked, known, report, meta, &journal, job_tx, &stop, &progress,
                )
            }
        });

        let ctx = Arc::new(Context {
            target: session.target.clone(),
            journal: journal.clone(),
            mode: self.mode,
            run_started,
            tenant,
        });
        let sending_started = Instant::now();
        let answered = dispatch(job_rx, ctx, &stop, &progress).await;
        let sending = sending_started.elapsed();
        progress.finish();
        let fed = replay
            .await
            .map_err(|e| ImportError::Usage(format!("reading stopped: {e}")))?;
        journal.flush().await?;
        drop(journal);
        let mut ledger = tokio::task::spawn_blocking(move || journal_thread.finish())
            .await
            .map_err(|_| JournalError::Stopped)??;
        watcher.abort();
        let event = ledger.event(&key)?;
        outcome_files::write(&ledger, &event, &self.report_dir)?;
        let stats = session.target.stats();
        let end = RunEnd {
            interrupted: stop.load(Ordering::SeqCst),
            answered: answered.as_ref().ok().copied(),
            requests: stats.requests,
        };
        ledger.finish_run(&run, end)?;
        EventPage::from_ledger(&ledger, &key)?.write(&self.report_dir)?;
        let answered = answered?;
        let validation = fed?;
        Ok(ImportReport {
            event,
            interrupted: stop.load(Ordering::SeqCst),
            elapsed: started.elapsed(),
            sending,
            answered,
            requests: stats.requests,
            throttled: stats.throttled,
            validation,
        })
    }
}

/// The sending bar: every row of the file, those an earlier run settled
/// already done, with their outcomes so far.
fn sending_progress(wanted: bool, rows: u64, known: Option<&[Option<Known>]>) -> Progress {
    let mut settled = 0;
    let mut by_outcome = [
        ("created", RowStatus::Created, 0),
        ("updated", RowStatus::Updated, 0),
        ("failed", RowStatus::Failed, 0),
        ("rejected", RowStatus::Rejected, 0),
    ];
    for (status, _) in known.unwrap_or_default().iter().flatten() {
        if matches!(status, RowStatus::Pending | RowStatus::Sent) {
            continue;
        }
        settled += 1;
        if let Some(o) = by_outcome.iter_mut().find(|o| o.1 == *status) {
            o.2 += 1;
        }
    }
    let progress = Progress::rows(wanted, "sending", rows, settled);
    // Created and failed are always shown; the others once there are some.
    for (name, _, n) in by_outcome {
        if n > 0 || name == "created" || name == "failed" {
            progress.add_to(name, n);
        }
    }
    progress
}

/// The replay side: report every row, journal it, hand valid rows on.
#[allow(clippy::too_many_arguments)]
fn feed(
    checked: Checked,
    known: Option<Vec<Option<Known>>>,
    mut report: Report,
    mut meta: RunMeta,
    journal: &Journal,
    jobs: mpsc::Sender<Job>,
    stop: &AtomicBool,
    progress: &Progress,
) -> Result<Summary, ImportError> {
    let mut rows: Vec<NewRow> = Vec::with_capacity(INSERT_BATCH);
    let mut ready: Vec<Job> = Vec::with_capacity(INSERT_BATCH);
    let mut stopped = false;
    let flush = |rows: &mut Vec<NewRow>, ready: &mut Vec<Job>| -> std::io::Result<bool> {
        if !rows.is_empty() {
            journal
                .insert_blocking(std::mem::take(rows))
                .map_err(std::io::Error::other)?;
        }
        for job in ready.drain(..) {
            if jobs.blocking_send(job).is_err() {
                return Ok(false);
            }
        }
        Ok(true)
    };
    let channels = checked.tenant.creation_notifications();
    let mut notified = crate::tenant::NotificationCount::default();
    report.set_spooled_bodies(checked.bodies()?)?;
    let bodies = checked.body_reader()?;
    let mut body = Vec::new();
    checked.replay(FieldsFor::All, |v| {
        let payload = bodies.body_of(v, &mut body)?;
        if let (true, Some(b)) = (channels.any(), payload) {
            notified.add(channels.for_body(b));
        }
        report.add(v)?;
        if stopped || stop.load(Ordering::SeqCst) {
            stopped = true;
            return Ok(());
        }
        let request = payload.and_then(Request::read);
        let client_id = request.as_ref().map(|r| r.client_id.clone());
        let status = known
            .as_ref()
            .and_then(|k| k.get(v.row as usize).copied().flatten());
        let sent_at = status.and_then(|(_, at)| at);
        let send = match status.map(|(s, _)| s) {
            Some(RowStatus::Pending) => Some(false),
            Some(RowStatus::Sent) => Some(true),
            Some(_) => None,
            None => match (&request, &client_id) {
                (Some(_), Some(id)) => {
                    rows.push(NewRow::pending(v.row, v.line, Some(id.clone())));
                    Some(false)
                }
                _ => {
                    progress.skip(1);
                    progress.count("rejected");
                    let first = v.findings.iter().find(|f| f.is_error());
                    rows.push(
                        NewRow::rejected(v.row, v.line, client_id.clone(), row_error(first))
                            .with_findings(v.findings),
                    );
                    None
                }
            },
        };
        if let (Some(in_doubt), Some(request)) = (send, request) {
            ready.push(Job {
                row: v.row,
                line: v.line,
                request,
                fields: v.fields.clone(),
                in_doubt,
                sent_at: if in_doubt { sent_at } else { None },
            });
        }
        if (rows.len() >= INSERT_BATCH || ready.len() >= INSERT_BATCH)
            && !flush(&mut rows, &mut ready)?
        {
            stopped = true;
        }
        Ok(())
    })?;
    if !stopped {
        flush(&mut rows, &mut ready)?;
    } else if !rows.is_empty() {
        // Rows read before the stop are still journalled, so resume sees them.
        journal.insert_blocking(rows)?;
    }
    drop(jobs);
    meta.notifications = channels.any().then_some(notified);
    Ok(report.finish(&meta)?)
}

fn row_error(finding: Option<&FieldError>) -> RowError {
    match finding {
        Some(f) => RowError::new(
            i64::from(f.code.code()),
            f.code.name(),
            format!("{}: {}", f.field, f.message),
        ),
        None => RowError::new(0, "REJECTED", "rejected by validation"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_resumed_bar_starts_where_the_event_stands() {
        let known = vec![
            None,
            Some((RowStatus::Created, None)),
            Some((RowStatus::Created, None)),
            Some((RowStatus::Rejected, None)),
            Some((RowStatus::Failed, None)),
            Some((RowStatus::Pending, None)),
            Some((RowStatus::Sent, None)),
        ];
        let p = sending_progress(false, 10, Some(&known));
        // Four rows settled by the earlier run; pending and sent ones are not.
        assert_eq!(p.position(), 4);
        assert_eq!(
            p.outcomes(),
            vec![("created", 2), ("failed", 1), ("rejected", 1)]
        );
        let fresh = sending_progress(false, 10, None);
        assert_eq!(fresh.position(), 0);
        assert_eq!(fresh.outcomes(), vec![("created", 0), ("failed", 0)]);
    }
}
