//! `ferry reconcile`: does the target now hold what an import event says it
//! did, field by field?
//!
//! In: an IMPORT event of the ledger, the target (the event's own by
//! default). Out: a [`Reconciliation`]: one finding per row the event
//! touched, written as `reconcile.json` and `reconcile.html` by `report`.
//! Fails with [`ReconcileError`] when the event, its files or the target
//! cannot be used; differences are findings, never errors.
//!
//! What each row is checked for, by its ledger status:
//!
//! * CREATED, UPDATED (and KEPT, REVERT_FAILED: still the import's write):
//!   the client exists and carries what was sent — the request rebuilt from
//!   the source row with the event's mapping (`sent`), refused if the
//!   source, mapping or tenant file changed since — compared by `diff`.
//!   Otherwise it DIFFERS (which fields, sent and now) or is GONE.
//! * DELETED (a revert deleted it): the client is gone; otherwise it REMAINS.
//! * RESTORED (a revert put its before-image back): the client equals its
//!   before-image (`rows.before_image`), compared the same way.
//! * SENT, PENDING and FAILED without an answer (code 0): the ledger does
//!   not own the client, but the request may have landed: a client with the
//!   row's id created since the event began is UNTRACKED — on the target,
//!   not in the ledger.
//!
//! So for a REVERTED event every row is DELETED or RESTORED and the check
//! is that nothing it created remains and every restored client is as it
//! was.
//!
//! Reads are in bulk, never one GET per client: the clients the ledger
//! knows by encoded key come from `POST /api/clients/search?fullDetails=true`
//! with `ENCODED_KEY IN [...]`, up to `page_size` keys a request; untracked
//! candidates from the same search over `CREATION_DATE` since the event's
//! day, paged. The request count (probe and retries included) is reported
//! beside the number of clients checked.
//!
//! Documents: a row whose import uploaded a profile picture or signature
//! (`row_documents` UPLOADED), or whose revert put one back (RESTORED), has
//! each document read with one GET (the API has no bulk read of documents)
//! and compared byte for byte with its file, or with the before-image
//! (`documents`); a difference is a DIFFERS on `documents.<KIND>`. Those
//! requests are counted apart from the client reads.

pub mod diff;
pub mod documents;
mod report;
mod sent;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;

use serde_json::{json, Value};

use crate::ledger::{DocumentState, Ledger, LedgerError, RowRecord, RowStatus};
use crate::model::MigrationEventType;
use crate::pipeline::export::{fetch_page, PageQuery, MAX_PAGE};
use crate::pipeline::target_session::{Pace, Session, SessionError, TargetChoice};
use diff::FieldDiff;

pub use report::write_reports;

/// What `ferry reconcile` needs.
#[derive(Debug, Clone)]
pub struct ReconcileOptions {
    /// The event's key (a unique prefix will do).
    pub event: String,
    /// The ledger file.
    pub ledger: PathBuf,
    /// The target; `None` for the one the event was imported into.
    pub target: Option<TargetChoice>,
    /// Credentials for a URL target.
    pub credentials_file: Option<PathBuf>,
    /// Rate, concurrency and timeout.
    pub pace: Pace,
    /// Clients per request (1..=1000).
    pub page_size: usize,
}

/// Why reconcile could not run.
#[derive(Debug, thiserror::Error)]
pub enum ReconcileError {
    /// The target could not be used.
    #[error(transparent)]
    Session(#[from] SessionError),
    /// The ledger failed.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// A file could not be read or written.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// The target refused or did not answer a read.
    #[error("{0}")]
    Target(String),
    /// A bad event, option or changed file.
    #[error("{0}")]
    Usage(String),
}

/// What was found for one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Finding {
    /// The target holds what the ledger says.
    Matches,
    /// The client is there with other values.
    Differs,
    /// The ledger owns the client and the target does not have it.
    Gone,
    /// A revert deleted the client, yet the target has it.
    Remains,
    /// The target has a client the ledger does not own (a request that
    /// landed without its answer being recorded).
    Untracked,
}

impl Finding {
    /// The name shown.
    pub fn as_str(self) -> &'static str {
        match self {
            Finding::Matches => "MATCHES",
            Finding::Differs => "DIFFERS",
            Finding::Gone => "GONE",
            Finding::Remains => "REMAINS",
            Finding::Untracked => "UNTRACKED",
        }
    }
}

/// One row's check.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RowCheck {
    /// The row in the source.
    pub row: u64,
    /// The line it starts on.
    pub line: u64,
    /// The client id.
    pub client_id: Option<String>,
    /// The target's encoded key, if known.
    pub target_key: Option<String>,
    /// The row's status in the ledger.
    pub ledger_status: String,
    /// What was found.
    pub finding: Finding,
    /// What was compared against: `sent` or `beforeImage`, or `absence`.
    pub expected: &'static str,
    /// The fields that differ (for DIFFERS).
    pub fields: Vec<FieldDiff>,
}

/// The whole check.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Reconciliation {
    /// The event's key.
    pub event: String,
    /// Its state (DRAFT, APPROVED, REVERTED).
    pub event_state: String,
    /// The target checked (scheme, host, port; or the sandbox's label).
    pub target: String,
    /// The event's source file.
    pub source: String,
    /// When the check ran (UTC).
    pub checked_at: String,
    /// Rows checked (one client each).
    pub clients: u64,
    /// Requests made, probe and retries included.
    pub requests: u64,
    /// What one GET per client would have taken.
    pub one_get_per_client: u64,
    /// Documents checked (profile pictures and signatures).
    pub documents: u64,
    /// Requests reading documents (one GET each), not in `requests`.
    pub document_requests: u64,
    /// Rows per finding.
    pub counts: BTreeMap<Finding, u64>,
    /// Every row checked, in row order.
    pub rows: Vec<RowCheck>,
}

impl Reconciliation {
    /// Whether every row matched.
    pub fn all_match(&self) -> bool {
        self.rows.iter().all(|r| r.finding == Finding::Matches)
    }
}

/// What a row is checked for.
enum Expect {
    /// Present as sent.
    Sent,
    /// Absent (a revert deleted it).
    Absent,
    /// Present, equal to the before-image.
    Before(Value),
    /// Not owned, but maybe landed.
    MaybeLanded,
}

fn expectation(r: &RowRecord) -> Option<Expect> {
    Some(match r.status {
        RowStatus::Created | RowStatus::Updated | RowStatus::Kept | RowStatus::RevertFailed => {
            Expect::Sent
        }
        RowStatus::Deleted => Expect::Absent,
        RowStatus::Restored => {
            let img = r
                .before_image
                .as_deref()
                .and_then(|s| serde_json::from_str(s).ok())?;
            Expect::Before(img)
        }
        RowStatus::Sent | RowStatus::Pending => Expect::MaybeLanded,
        RowStatus::Failed if r.error.as_ref().map_or(true, |e| e.code == 0) => Expect::MaybeLanded,
        _ => return None,
    })
}

/// Runs the check.
pub fn reconcile(opts: &ReconcileOptions) -> Result<Reconciliation, ReconcileError> {
    if !(1..=MAX_PAGE).contains(&opts.page_size) {
        return Err(ReconcileError::Usage(format!(
            "--page-size must be 1 to {MAX_PAGE}"
        )));
    }
    let ledger = Ledger::open_existing(&opts.ledger)?;
    let event = ledger.event(&opts.event)?;
    if event.event_type != MigrationEventType::Import {
        return Err(ReconcileError::Usage(format!(
            "migration event {key} is an {} event: only an import can be reconciled (an export \
             changes nothing on the target; an unfinished one is continued with `ferry export --resume {key}`)",
            event.event_type.as_str(),
            key = event.encoded_key,
        )));
    }
    let key = event.encoded_key.clone();
    let mut rows = Vec::new();
    let mut after = 0;
    loop {
        let page = ledger.rows_with_status(&key, &RowStatus::ALL, after, 10_000)?;
        let Some(last) = page.last() else { break };
        after = last.row;
        rows.extend(page);
    }
    let checks: Vec<(RowRecord, Expect)> = rows
        .into_iter()
        .filter_map(|r| expectation(&r).map(|e| (r, e)))
        .collect();
    // The documents each row is answerable for, when the event has any.
    let mut docs: HashMap<u64, Vec<(String, documents::DocExpect)>> = HashMap::new();
    let any_docs = [DocumentState::Uploaded, DocumentState::Restored]
        .into_iter()
        .map(|s| ledger.documents_in_state(&key, s))
        .sum::<Result<u64, _>>()?
        > 0;
    if any_docs {
        for (r, e) in &checks {
            if matches!(e, Expect::Sent | Expect::Before(_)) {
                let d = documents::expected(r.status, ledger.row_documents(&key, r.row)?);
                if !d.is_empty() {
                    docs.insert(r.row, d);
                }
            }
        }
    }
    drop(ledger);
    let wanted: HashSet<u64> = checks
        .iter()
        .filter(|(_, e)| matches!(e, Expect::Sent))
        .map(|(r, _)| r.row)
        .collect();
    let sent = if wanted.is_empty() {
        HashMap::new()
    } else {
        sent::sent_bodies(&event, &wanted)?
    };
    let target = opts
        .target
        .clone()
        .unwrap_or_else(|| TargetChoice::for_event(&event));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async {
        let session =
            Session::connect(&target, opts.credentials_file.as_deref(), opts.pace).await?;
        let result = check(&session, opts.page_size, &event, checks, &sent, &docs).await;
        session.close().await;
        result
    })
}

/// Pages of `ENCODED_KEY IN` searches: the clients the target has of `keys`.
async fn by_keys(
    session: &Session,
    keys: &[String],
    page_size: usize,
) -> Result<HashMap<String, Value>, ReconcileError> {
    let mut found = HashMap::new();
    for chunk in keys.chunks(page_size) {
        let q = PageQuery::Search(vec![json!({
            "filterSelection": "ENCODED_KEY", "filterElement": "IN", "values": chunk
        })]);
        let page = fetch_page(&session.target, &q, 0, chunk.len())
            .await
            .map_err(ReconcileError::Target)?;
        for c in page {
            if let Some(k) = c["client"]["encodedKey"].as_str() {
                found.insert(k.to_string(), c);
            }
        }
    }
    Ok(found)
}

/// Every client created on or after `day`, by id.
async fn created_since(
    session: &Session,
    day: &str,
    page_size: usize,
) -> Result<HashMap<String, Value>, ReconcileError> {
    let q = PageQuery::Search(vec![json!({
        "filterSelection": "CREATION_DATE", "filterElement": "BETWEEN",
        "value": day, "secondValue": "9999-12-31"
    })]);
    let mut found = HashMap::new();
    let mut offset = 0;
    loop {
        let page = fetch_page(&session.target, &q, offset, page_size)
            .await
            .map_err(ReconcileError::Target)?;
        let n = page.len();
        for c in page {
            if let Some(id) = c["client"]["id"].as_str() {
                found.insert(id.to_string(), c);
            }
        }
        if n < page_size {
            return Ok(found);
        }
        offset += n;
    }
}

/// A client by id (the one-at-a-time path, for a row whose key the ledger
/// does not know).
async fn by_id(session: &Session, id: &str) -> Result<Option<Value>, ReconcileError> {
    let q = PageQuery::Search(vec![json!({
        "filterSelection": "ID", "filterElement": "EQUALS", "value": id
    })]);
    let page = fetch_page(&session.target, &q, 0, 2)
        .await
        .map_err(ReconcileError::Target)?;
    // The search ignores case; the id must match exactly.
    Ok(page
        .into_iter()
        .find(|c| c["client"]["id"].as_str() == Some(id)))
}

async fn check(
    session: &Session,
    page_size: usize,
    event: &crate::ledger::EventRecord,
    checks: Vec<(RowRecord, Expect)>,
    sent: &HashMap<u64, Value>,
    docs: &HashMap<u64, Vec<(String, documents::DocExpect)>>,
) -> Result<Reconciliation, ReconcileError> {
    let mut documents_checked = 0u64;
    let mut document_requests = 0u64;
    let keys: Vec<String> = checks
        .iter()
        .filter(|(_, e)| !matches!(e, Expect::MaybeLanded))
        .filter_map(|(r, _)| r.target_key.clone())
        .collect();
    let by_key = by_keys(session, &keys, page_size).await?;
    let landed = if checks
        .iter()
        .any(|(r, e)| matches!(e, Expect::MaybeLanded) && r.client_id.is_some())
    {
        created_since(
            session,
            event.creation_date.get(..10).unwrap_or("1900-01-01"),
            page_size,
        )
        .await?
    } else {
        HashMap::new()
    };
    let mut out = Vec::with_capacity(checks.len());
    for (r, expect) in checks {
        let now = match (&expect, &r.target_key, &r.client_id) {
            (Expect::MaybeLanded, _, Some(id)) => landed.get(id).cloned(),
            (Expect::MaybeLanded, _, None) => None,
            (_, Some(k), _) => by_key.get(k).cloned(),
            (_, None, Some(id)) => by_id(session, id).await?,
            (_, None, None) => None,
        };
        let (mut finding, expected, mut fields) = match (&expect, &now) {
            (Expect::Sent, None) | (Expect::Before(_), None) => {
                (Finding::Gone, name(&expect), Vec::new())
            }
            (Expect::Sent, Some(now)) => {
                let Some(body) = sent.get(&r.row) else {
                    return Err(ReconcileError::Usage(format!(
                        "row {} (line {}) is {} in the ledger but the source no longer gives it a valid request",
                        r.row,
                        r.line,
                        r.status.as_str()
                    )));
                };
                let d = diff::diff(body, now);
                (verdict(&d), "sent", d)
            }
            (Expect::Before(img), Some(now)) => {
                let d = diff::diff(img, now);
                (verdict(&d), "beforeImage", d)
            }
            (Expect::Absent, None) | (Expect::MaybeLanded, None) => {
                (Finding::Matches, "absence", Vec::new())
            }
            (Expect::Absent, Some(_)) => (Finding::Remains, "absence", Vec::new()),
            (Expect::MaybeLanded, Some(_)) => (Finding::Untracked, "absence", Vec::new()),
        };
        let target_key = r.target_key.clone().or_else(|| {
            now.as_ref()
                .and_then(|c| c["client"]["encodedKey"].as_str().map(str::to_string))
        });
        if let (Some(d), Some(who), true) = (docs.get(&r.row), &target_key, now.is_some()) {
            let before = session.target.stats().requests;
            fields.extend(documents::check(&session.target, who, d).await?);
            document_requests += session.target.stats().requests - before;
            documents_checked += d.len() as u64;
            if finding == Finding::Matches && !fields.is_empty() {
                finding = Finding::Differs;
            }
        }
        out.push(RowCheck {
            row: r.row,
            line: r.line,
            client_id: r.client_id,
            target_key,
            ledger_status: r.status.as_str().to_string(),
            finding,
            expected,
            fields,
        });
    }
    let mut counts = BTreeMap::new();
    for r in &out {
        *counts.entry(r.finding).or_insert(0) += 1;
    }
    let clients = out.len() as u64;
    Ok(Reconciliation {
        event: event.encoded_key.clone(),
        event_state: event.state.as_str().to_string(),
        target: session.label.clone(),
        source: event.source_path.display().to_string(),
        checked_at: jiff::Timestamp::now()
            .strftime("%Y-%m-%dT%H:%M:%SZ")
            .to_string(),
        clients,
        requests: session.target.stats().requests - document_requests,
        one_get_per_client: clients,
        documents: documents_checked,
        document_requests,
        counts,
        rows: out,
    })
}

fn name(e: &Expect) -> &'static str {
    match e {
        Expect::Sent => "sent",
        Expect::Before(_) => "beforeImage",
        Expect::Absent | Expect::MaybeLanded => "absence",
    }
}

fn verdict(d: &[FieldDiff]) -> Finding {
    if d.is_empty() {
        Finding::Matches
    } else {
        Finding::Differs
    }
}
